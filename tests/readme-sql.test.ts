// The README's SQL for analysts and for configuration runs on the demo database: it names real
// columns, does not collide with the demo's rows, and run again adds nothing twice.
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { PROJECT_ROOT } from "../scripts/lib/paths.ts";
import { createTestDatabase, type TestDatabase } from "./support/test-database.ts";

const readme = readFileSync(path.join(PROJECT_ROOT, "README.md"), "utf8");
const sqlAfter = (marker: string) => {
  const start = readme.indexOf("```sql", readme.indexOf(marker)) + "```sql".length;
  return readme.slice(start, readme.indexOf("```", start));
};

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ seed: true });
});
afterAll(() => db?.drop());

it("the configuration examples apply on the demo data, and the product rule is not added twice", async () => {
  const block = sqlAfter("Teams and attribution are rows, not code:");
  expect(block).toContain("voronka.product_rule");
  await db.sql.unsafe(block);
  const productRule = block.slice(block.indexOf("insert into voronka.product_rule"));
  await db.sql.unsafe(productRule.slice(0, productRule.indexOf(";") + 1));
  const rules =
    await db.sql`select amocrm_pipeline_id, count(*)::int as n from voronka.product_rule group by 1 having count(*) > 1`;
  expect(rules).toEqual([]);
});

it("the analysts' examples use the business day, not the server's current_date, and run", async () => {
  const code = sqlAfter("## SQL for analysts").replace(/--.*$/gm, "");
  expect(code).not.toMatch(/current_date/);
  const statements = code
    .split(";")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const statement of statements) await db.sql.unsafe(statement);
});
