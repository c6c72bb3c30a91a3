// The migrations as hosted Supabase will run them: the real CLI against an empty database.
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createDatabase, dropDatabase, runSqlFile } from "../scripts/lib/database-setup.ts";
import { BOOTSTRAP_SQL } from "../scripts/lib/paths.ts";
import { dbAdvisors, migrationUp } from "../scripts/lib/supabase-cli.ts";
import { databaseUrl } from "../scripts/lib/local-postgres.ts";
import { serverUrl } from "./support/test-database.ts";

const name = `empty_${Date.now()}`;
let url: string;

beforeAll(async () => {
  await createDatabase(serverUrl(), name);
  url = databaseUrl(inject("postgresPort"), name);
  await runSqlFile(url, BOOTSTRAP_SQL);
});
afterAll(() => dropDatabase(serverUrl(), name));

describe("migrations through the Supabase CLI", () => {
  it("apply to an empty database, and a second `migration up` is a no-op", async () => {
    const first = await migrationUp(url);
    expect(first).toMatch(/up to date/i);
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    try {
      const applied = await sql`select version from supabase_migrations.schema_migrations order by version`;
      expect(applied.length).toBeGreaterThanOrEqual(1);
      const schemaBefore =
        await sql`select count(*)::int as n from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname in ('voronka', 'analytics', 'inbox')`;

      await migrationUp(url);
      const again = await sql`select version from supabase_migrations.schema_migrations order by version`;
      expect(again).toEqual(applied);
      const schemaAfter =
        await sql`select count(*)::int as n from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname in ('voronka', 'analytics', 'inbox')`;
      expect(schemaAfter).toEqual(schemaBefore);
    } finally {
      await sql.end();
    }
  });

  it("pass the Supabase linter (db advisors) at warn level", async () => {
    await expect(dbAdvisors(url, "warn")).resolves.toBeTypeOf("string");
  });
});
