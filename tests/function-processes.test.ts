// Function processes stay up: a background error (postgres.js's `nextWrite` TypeError on a dropped
// connection) is logged and the process keeps serving; a process that exits anyway is restarted
// by the functions server with backoff, as the hosted runtime starts a new worker.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { functionNames, serveDenoEntry, startFunctionsServer, waitForPort } from "../scripts/lib/functions-server.ts";
import { FUNCTIONS_DIR, PROJECT_ROOT } from "../scripts/lib/paths.ts";
import { createTestDatabase, type TestDatabase } from "./support/test-database.ts";
import { testPort } from "./support/ports.ts";

const FIXTURE_PORT = testPort("processesFixture");
const PROXY_PORT = testPort("processesProxy");
const UPSTREAM_PORT = testPort("processesUpstream");

async function get(url: string): Promise<{ status: number; body: any } | null> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return { status: response.status, body: await response.json().catch(() => null) };
  } catch {
    return null;
  }
}

async function until<T>(probe: () => Promise<T | null | undefined | false>, ms: number): Promise<T> {
  for (const deadline = Date.now() + ms; Date.now() < deadline;) {
    const value = await probe();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`not within ${ms} ms`);
}

describe("the process guard", () => {
  async function serveFixture(guard: boolean) {
    let output = "";
    const child = serveDenoEntry({
      entry: path.join(PROJECT_ROOT, "tests/fixtures/crashing-entry.ts"),
      config: path.join(FUNCTIONS_DIR, "health/deno.json"),
      port: FIXTURE_PORT,
      env: { VORONKA_GUARD: guard ? "1" : "0" },
    });
    child.stdout!.on("data", (d) => (output += d));
    child.stderr!.on("data", (d) => (output += d));
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    await waitForPort(FIXTURE_PORT, child, "crashing-entry");
    return { child, exited, output: () => output };
  }
  const url = `http://127.0.0.1:${FIXTURE_PORT}/`;

  it("without it, an error thrown in a setImmediate callback ends the process (the failure it prevents)", async () => {
    const fixture = await serveFixture(false);
    try {
      await get(`${url}?throw=immediate`);
      await fixture.exited;
      expect(await get(url)).toBeNull();
      expect(fixture.output()).toContain("reading 'write'");
    } finally {
      fixture.child.kill("SIGKILL");
    }
  });

  it("with it, the same process logs the error and keeps serving (thrown in setImmediate, a timer, a rejection)", async () => {
    const fixture = await serveFixture(true);
    try {
      const first = await get(url);
      for (const kind of ["immediate", "timeout", "rejection"]) {
        expect((await get(`${url}?throw=${kind}`))?.status).toBe(200);
        await new Promise((r) => setTimeout(r, 200));
        const after = await get(url);
        expect(after?.status).toBe(200);
        expect(after?.body.pid).toBe(first?.body.pid);
      }
      expect(fixture.output()).toMatch(/uncaught error \(process keeps serving\): TypeError: .*reading 'write'/);
      expect(fixture.output()).toContain("unhandled rejection (process keeps serving)");
    } finally {
      fixture.child.kill("SIGKILL");
      await fixture.exited;
    }
  });

  it("every function entry installs it", () => {
    for (const name of functionNames()) {
      const source = readFileSync(path.join(FUNCTIONS_DIR, name, "index.ts"), "utf8");
      expect(source, name).toMatch(/^keepServingOnUncaughtErrors\("[a-z-]+"\);$/m);
    }
  });
});

describe("the functions server", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it("restarts a function process that exits, with growing backoff, and it serves again", async () => {
    const lines: string[] = [];
    const server = await startFunctionsServer({
      port: PROXY_PORT,
      upstreamPort: UPSTREAM_PORT,
      only: ["health"],
      env: { SUPABASE_DB_URL: db.url },
      log: (line) => lines.push(line),
      restartDelayMs: { initialMs: 200, maxMs: 5000 },
    });
    try {
      const health = `${server.url}/health`;
      expect((await get(health))?.status).toBe(200);
      const firstPid = server.pids().health!;
      process.kill(firstPid, "SIGKILL");
      const secondPid = await until(async () => {
        const pid = server.pids().health;
        return pid && pid !== firstPid && (await get(health))?.status === 200 ? pid : null;
      }, 60_000);
      expect(server.restarts().health).toBe(1);

      // Dies again at once: the next restart waits longer.
      process.kill(secondPid, "SIGKILL");
      await until(
        async () => (server.pids().health !== secondPid && (await get(health))?.status === 200) || null,
        60_000,
      );
      expect(server.restarts().health).toBe(2);
      const log = lines.join("");
      expect(log).toMatch(/\[functions\] health exited \(SIGKILL\) after [0-9.]+ s; restarting in 200 ms/);
      expect(log).toMatch(/\[functions\] health exited \(SIGKILL\) after [0-9.]+ s; restarting in 400 ms/);
      expect(log).toMatch(/\[functions\] health restarted \(pid \d+\)/);
    } finally {
      await server.stop();
    }
    // Stopped means stopped: no restart after stop().
    await new Promise((r) => setTimeout(r, 500));
    expect(await get(`http://127.0.0.1:${UPSTREAM_PORT}/`)).toBeNull();
  }, 120_000);

  it("stops within 2 s after serving requests that used the database", async () => {
    const server = await startFunctionsServer({
      port: testPort("stopProxy"),
      upstreamPort: testPort("stopUpstream"),
      only: ["health", "lead-capture"],
      env: { SUPABASE_DB_URL: db.url, LEAD_CAPTURE_SECRET: "stop-secret" },
      log: () => {},
    });
    let stopped = false;
    try {
      expect((await get(`${server.url}/health`))?.status).toBe(200);
      const lead = await fetch(`${server.url}/lead-capture`, {
        method: "POST",
        headers: { authorization: "Bearer stop-secret", "content-type": "application/json" },
        body: JSON.stringify({ submission_id: "stop-1", utm_source: "kenesary" }),
      });
      expect(lead.status).toBe(201);
      // A client that keeps its keep-alive connection busy does not hold the stop either.
      let busy = true;
      const client = (async () => {
        while (busy)
          await fetch(`${server.url}/health`).then(
            (r) => r.text(),
            () => undefined,
          );
      })();
      await new Promise((r) => setTimeout(r, 300));
      const started = performance.now();
      await server.stop();
      stopped = true;
      busy = false;
      await client;
      // Not the 3 s force-kill: the processes end their database pools and exit on SIGTERM.
      expect(performance.now() - started).toBeLessThan(2000);
    } finally {
      if (!stopped) await server.stop();
    }
    expect(await get(`http://127.0.0.1:${testPort("stopUpstream")}/`)).toBeNull();
  }, 60_000);

  it("takes its function processes along when its Node process exits without stop()", async () => {
    const port = testPort("exitProxy");
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", "tests/fixtures/functions-server-then-exit.ts", String(port), String(port + 1)],
      { cwd: PROJECT_ROOT, timeout: 60_000 },
    ).catch((error: { stdout: string }) => ({ stdout: error.stdout }));
    const pid = JSON.parse(stdout).health as number;
    expect(pid).toBeGreaterThan(0);
    await until(async () => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    }, 5000);
    expect(await get(`http://127.0.0.1:${port + 1}/`)).toBeNull();
  }, 60_000);
});
