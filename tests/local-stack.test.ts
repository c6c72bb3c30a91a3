// The README's first command, end to end: `npm start` on a fresh folder starts Postgres, applies
// the migrations with the CLI, seeds the demo, serves the functions with Deno and prints the funnel.
import { spawn } from "node:child_process";
import { rm } from "node:fs/promises";
import path from "node:path";
import { expect, it } from "vitest";
import { PROJECT_ROOT } from "../scripts/lib/supabase-cli.ts";

function runStart(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...env },
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("exit", (code) => resolve({ code, output }));
  });
}

it("npm start brings up the stack with demo data and prints every team's funnel", async () => {
  const dataDir = path.join(PROJECT_ROOT, ".local/test-start-postgres");
  await rm(dataDir, { recursive: true, force: true });
  const env = {
    VORONKA_PG_PORT: "54331",
    VORONKA_FUNCTIONS_PORT: "54332",
    VORONKA_DATA_DIR: dataDir,
    VORONKA_EXIT_AFTER_REPORT: "1",
  };
  try {
    const { code, output } = await runStart(env);
    expect(output).toContain("+ seed.sql");
    expect(output).toMatch(/health: 200 .*"status":"ok"/);
    expect(output).toMatch(/Funnel for 30 days/);
    for (const team of ["kenesary", "traf4", "nurlan", "unattributed", "all teams"]) {
      expect(output).toMatch(new RegExp(`^${team}\\s+[0-9,]+`, "m"));
    }
    expect(output).toContain("[ad_account_time_zone]");
    expect(code).toBe(0);

    // A second start reuses the database: no second seed, migrations are a no-op.
    const again = await runStart(env);
    expect(again.output).not.toContain("+ seed.sql");
    expect(again.code).toBe(0);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}, 240_000);

it("npm start says what to do when its port is taken", async () => {
  const { createServer } = await import("node:net");
  const blocker = createServer().listen(54333, "127.0.0.1");
  try {
    const { code, output } = await runStart({
      VORONKA_PG_PORT: "54333",
      VORONKA_DATA_DIR: path.join(PROJECT_ROOT, ".local/test-start-blocked"),
    });
    expect(output).toMatch(/Port 54333 on 127.0.0.1 is already in use/);
    expect(code).toBe(1);
  } finally {
    blocker.close();
  }
});
