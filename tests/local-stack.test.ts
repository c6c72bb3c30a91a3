// The README's first command, end to end: `npm start` on a fresh folder starts Postgres, applies
// the migrations with the CLI, seeds the demo, serves the functions with Deno and prints the funnel;
// started again it reuses the database, takes the "try it" requests, and Ctrl-C stops everything.
import { type ChildProcess, spawn } from "node:child_process";
import { rm } from "node:fs/promises";
import path from "node:path";
import postgres from "postgres";
import { afterEach, expect, it } from "vitest";
import { isPortTaken, reachableDataDir } from "../scripts/lib/local-postgres.ts";
import { PROJECT_ROOT } from "../scripts/lib/paths.ts";
import { testPort } from "./support/ports.ts";

const PG_PORT = testPort("startPostgres");
const FUNCTIONS_PORT = testPort("startFunctions");
const BLOCKED_PORT = testPort("startBlocked");
// Per port too: a suite on another port never deletes the folder of a database that is running.
const DATA_DIR = path.join(PROJECT_ROOT, `.local/test-start-postgres-${PG_PORT}`);

// Every `npm start` of this file runs in its own process group (Postgres and Deno included), so a
// failed or timed-out test can stop all of it, as Ctrl-C in a terminal would, and leaves nothing.
const started: ChildProcess[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((child) => stopGroup(child)));
  if (!(await isPortTaken(PG_PORT))) await rm(reachableDataDir(DATA_DIR), { recursive: true, force: true });
}, 30_000);

async function stopGroup(child: ChildProcess): Promise<void> {
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name);
    } catch {
      // the group is gone already
    }
  };
  const groupAlive = () => {
    try {
      process.kill(-child.pid!, 0);
      return true;
    } catch {
      return false;
    }
  };
  signal("SIGINT");
  for (const deadline = Date.now() + 15_000; Date.now() < deadline && groupAlive();) {
    await new Promise((r) => setTimeout(r, 100));
  }
  signal("SIGKILL");
}

function start(env: Record<string, string>): {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...env },
    detached: true,
  });
  started.push(child);
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitFor(predicate: () => boolean, ms: number) {
  for (const deadline = Date.now() + ms; Date.now() < deadline;) {
    if (predicate()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("timed out");
}

it("npm start brings up the stack with demo data, ingests, and stops on Ctrl-C", async () => {
  const dataDir = DATA_DIR;
  for (const port of [PG_PORT, FUNCTIONS_PORT]) expect(await isPortTaken(port), `port ${port} is free`).toBe(false);
  // Where the cluster really lives (as root under a mode-700 checkout: the temporary directory).
  await rm(reachableDataDir(dataDir), { recursive: true, force: true });
  const env = {
    VORONKA_PG_PORT: String(PG_PORT),
    VORONKA_FUNCTIONS_PORT: String(FUNCTIONS_PORT),
    VORONKA_FUNCTION_PROCESSES_PORT: String(testPort("startFunctionProcesses")),
    VORONKA_DATA_DIR: dataDir,
  };
  {
    const first = start({ ...env, VORONKA_EXIT_AFTER_REPORT: "1" });
    expect(await first.exited, first.output()).toBe(0);
    const output = first.output();
    expect(output).toContain("+ seed.sql");
    expect(output).toMatch(/health: 200 .*"status":"ok"/);
    expect(output).toMatch(/Funnel for 30 days/);
    for (const team of ["kenesary", "traf4", "nurlan", "unattributed", "all teams"]) {
      expect(output).toMatch(new RegExp(`^${team}\\s+[0-9,]+`, "m"));
    }
    expect(output).toContain("[ad_account_time_zone]");
    expect(output).toMatch(/Top ads by ROI, 30 days/);
    expect(output).toMatch(/Matched to an ad: \d+\.\d% of leads/);
    for (const team of ["kenesary", "traf4", "nurlan"]) expect(output).toContain(`Lead cohorts of ${team}`);

    // Again: the database is reused (no second seed); it keeps running until Ctrl-C.
    const second = start(env);
    await waitFor(() => second.output().includes("Running. Ctrl-C stops everything."), 180_000);
    expect(second.output()).not.toContain("+ seed.sql");
    expect(second.output()).toMatch(/Facebook sync: off \(FB_ACCESS_TOKEN not set\)/);

    const lead = await fetch(`http://127.0.0.1:${FUNCTIONS_PORT}/functions/v1/lead-capture`, {
      method: "POST",
      headers: { authorization: "Bearer local-lead-capture-secret", "content-type": "application/json" },
      body: JSON.stringify({ submission_id: "try-1", utm_source: "kenesary" }),
    });
    expect(lead.status).toBe(201);

    // The same gateway serves the dashboard and the Data API / Auth stand-ins; it prints how to sign in.
    const api = `http://127.0.0.1:${FUNCTIONS_PORT}`;
    const anonKey = second.output().match(/Anon key:\s+(\S+)/)?.[1];
    expect(anonKey).toBeTruthy();
    expect(second.output()).toMatch(/kenesary@voronka\.local\s+voronka-demo/);
    const page = await fetch(`${api}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(anonKey);
    const signIn = await fetch(`${api}/auth/v1/token?grant_type=password`, {
      method: "POST",
      headers: { apikey: anonKey!, "content-type": "application/json" },
      body: JSON.stringify({ email: "kenesary@voronka.local", password: "voronka-demo" }),
    });
    expect(signIn.status).toBe(200);
    const { access_token } = await signIn.json();
    const report = await fetch(`${api}/rest/v1/rpc/funnel_report`, {
      method: "POST",
      headers: { apikey: anonKey!, authorization: `Bearer ${access_token}`, "content-type": "application/json" },
      body: JSON.stringify({ p_days: 30 }),
    });
    expect(report.status).toBe(200);
    expect((await report.json()).teams).toEqual(["kenesary"]);
    const sql = postgres(`postgresql://postgres:postgres@127.0.0.1:${PG_PORT}/postgres`, { max: 1 });
    try {
      const [row] = await sql`select team_id from voronka.lead where external_id = 'try-1'`;
      expect(row.team_id).toBe("kenesary");
    } finally {
      await sql.end();
    }

    second.child.kill("SIGINT");
    await second.exited;
    expect(second.output()).toContain("Stopped.");
    expect(await isPortTaken(PG_PORT)).toBe(false);
    expect(await isPortTaken(FUNCTIONS_PORT)).toBe(false);
  }
}, 400_000);

it("npm start says what to do when its port is taken", async () => {
  const { createServer } = await import("node:net");
  const blocker = createServer().listen(BLOCKED_PORT, "127.0.0.1");
  try {
    const run = start({
      VORONKA_PG_PORT: String(BLOCKED_PORT),
      VORONKA_DATA_DIR: path.join(PROJECT_ROOT, `.local/test-start-blocked-${BLOCKED_PORT}`),
    });
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(new RegExp(`Port ${BLOCKED_PORT} on 127.0.0.1 is already in use`));
  } finally {
    blocker.close();
  }
});
