// npm run report: the funnel of one team (or all) in the terminal, as a table or funnel_report's
// JSON, from any database given with --db-url.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { PROJECT_ROOT } from "../scripts/lib/paths.ts";
import { createTestDatabase, type TestDatabase } from "./support/test-database.ts";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ seed: true });
});
afterAll(() => db?.drop());

async function report(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", "scripts/report.ts", "--db-url", db.url, ...args],
      { cwd: PROJECT_ROOT, timeout: 60_000 },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

it("--team kenesary --days 30: that team's row under the window's header", async () => {
  const result = await report("--team", "kenesary", "--days", "30");
  expect(result.code, result.stderr).toBe(0);
  expect(result.stdout).toMatch(
    /^Funnel for 30 days \d{4}-\d{2}-\d{2} … \d{4}-\d{2}-\d{2} \(Asia\/Almaty\), money in KZT/,
  );
  expect(result.stdout).toMatch(/^kenesary\s+[0-9,]+\s+[0-9,]+/m);
  expect(result.stdout).not.toMatch(/^(traf4|nurlan|all teams)\s/m);
});

it("without --team: every team and all teams", async () => {
  const result = await report("--days", "7");
  expect(result.code, result.stderr).toBe(0);
  for (const team of ["kenesary", "traf4", "nurlan", "unattributed", "all teams"]) {
    expect(result.stdout).toMatch(new RegExp(`^${team}\\s+[0-9,]+`, "m"));
  }
});

it("--json: funnel_report's JSON for the team", async () => {
  const result = await report("--team", "kenesary", "--json");
  expect(result.code, result.stderr).toBe(0);
  const json = JSON.parse(result.stdout);
  expect(json.team).toBe("kenesary");
  expect(json.window.days).toBe(30);
  expect(json.stages.map((s: { id: string }) => s.id)).toEqual(["spend", "leads", "express", "flagman"]);
});

it("an unknown team or a bad --days is a usage error naming what exists", async () => {
  const unknown = await report("--team", "nobody");
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toContain('no team "nobody"; teams: kenesary, nurlan, traf4');
  const days = await report("--days", "thirty");
  expect(days.code).toBe(2);
  expect(days.stderr).toContain('--days must be a whole number ≥ 1, got "thirty"');
});
