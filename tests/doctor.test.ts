// npm run doctor: says what needs action and exits 1 then; healthy is exit 0.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type FunctionsServer, startFunctionsServer } from "../scripts/lib/functions-server.ts";
import { PROJECT_ROOT } from "../scripts/lib/paths.ts";
import { testPort } from "./support/ports.ts";
import { createTestDatabase, type TestDatabase } from "./support/test-database.ts";

let db: TestDatabase;
let functions: FunctionsServer;
beforeAll(async () => {
  db = await createTestDatabase();
  functions = await startFunctionsServer({
    port: testPort("doctorFunctions"),
    upstreamPort: testPort("doctorFunctions") + 1,
    only: ["health"],
    env: { SUPABASE_DB_URL: db.url },
    log: () => {},
  });
}, 120_000);
afterAll(async () => {
  await functions?.stop();
  await db?.drop();
});

async function doctor(functionsUrl: string): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", "scripts/doctor.ts", "--db-url", db.url, "--functions-url", functionsUrl],
      { cwd: PROJECT_ROOT, timeout: 60_000 },
    );
    return { code: 0, stdout };
  } catch (error) {
    const e = error as { code: number; stdout: string };
    return { code: e.code, stdout: e.stdout };
  }
}

it("healthy: migrations applied, functions answer, no error-level data check → exit 0", async () => {
  const result = await doctor(functions.url);
  expect(result.stdout).toMatch(/^✓ migrations: all \d+ applied$/m);
  expect(result.stdout).toMatch(/^✓ functions: .*\/health answers 200/m);
  expect(result.stdout).not.toMatch(/^✗/m);
  expect(result.code, result.stdout).toBe(0);
  expect(result.stdout).toMatch(/Healthy\.$/m);
});

it("functions down and a migration missing → each named, exit 1", async () => {
  const [latest] = await db.sql`
    delete from supabase_migrations.schema_migrations
    where version = (select max(version) from supabase_migrations.schema_migrations) returning version`;
  try {
    const result = await doctor(`http://127.0.0.1:${testPort("doctorNothing")}/functions/v1`);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`✗ migrations: 1 not applied (${latest.version})`);
    expect(result.stdout).toMatch(/^✗ functions: .*unreachable/m);
    expect(result.stdout).toMatch(/Action needed/);
  } finally {
    await db.sql`insert into supabase_migrations.schema_migrations (version) values (${latest.version})`;
  }
});
