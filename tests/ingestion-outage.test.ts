// The database dies in the middle of sustained ingestion, twice (an immediate shutdown — as a
// crash — and a fast shutdown), and comes back. Real Deno function processes behind the local
// functions server, a real Postgres of this test's own, several clients posting amoCRM webhooks
// and ProfTest submissions the whole time. Then:
//   - every request answered 2xx is in the inbox (no acknowledged event is lost);
//   - every request that was not stored was answered 5xx within amoCRM's 2 s;
//   - the same function processes keep serving once the database is back.
import { readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, expect, it } from "vitest";
import { prepareDatabase } from "../scripts/lib/database-setup.ts";
import { type FunctionsServer, startFunctionsServer } from "../scripts/lib/functions-server.ts";
import { isPortTaken, type LocalPostgres, startLocalPostgres } from "../scripts/lib/local-postgres.ts";
import { PROJECT_ROOT } from "../scripts/lib/paths.ts";
import { ACCOUNT, configure, SECRET, wonBody } from "./amocrm/support.ts";
import { testPort } from "./support/ports.ts";

const PG_PORT = testPort("outagePostgres");
const PROXY_PORT = testPort("outageFunctions");
const UPSTREAM_PORT = testPort("outageUpstream");
const DATA_DIR = path.join(PROJECT_ROOT, `.local/test-outage-postgres-${PG_PORT}`);
const LEAD_SECRET = "outage-lead-capture-secret";
const AMOCRM_TIMEOUT_MS = 2000;
const CLIENTS = 6;

// Durable commits as on hosted Supabase (synchronous_commit on); fsync off only spares the disk —
// a killed server process does not lose what the OS already holds.
const PG_SETTINGS = { fsync: "off", max_connections: "100" };

interface Outcome {
  kind: "amocrm" | "lead";
  id: string;
  status: number; // 0: no answer at all
  ms: number;
  code?: string;
  message?: string;
}

let pg: LocalPostgres;
let functions: FunctionsServer;
/** The test's clients post while this is true; afterAll ends them even when the test failed. */
let running = false;
let clients: Promise<void>[] = [];
const serverLog: string[] = [];

beforeAll(async () => {
  // fresh: the folder is emptied only once the port is known to be free (no server runs on it).
  pg = await startLocalPostgres({ dataDir: DATA_DIR, port: PG_PORT, settings: PG_SETTINGS, fresh: true });
  await prepareDatabase(pg.url);
  const sql = postgres(pg.url, { max: 1, onnotice: () => {} });
  await configure(sql);
  await sql.end();
  functions = await startFunctionsServer({
    port: PROXY_PORT,
    upstreamPort: UPSTREAM_PORT,
    only: ["amocrm-webhook", "lead-capture", "health"],
    env: {
      SUPABASE_DB_URL: pg.url,
      AMOCRM_WEBHOOK_SECRET: SECRET,
      AMOCRM_SUBDOMAIN: ACCOUNT.subdomain,
      AMOCRM_ACCOUNT_ID: ACCOUNT.id,
      LEAD_CAPTURE_SECRET: LEAD_SECRET,
    },
    log: (line) => serverLog.push(line),
  }).catch((error) => {
    throw new Error(`${(error as Error).message}\n${serverLog.join("")}`);
  });
}, 300_000);

afterAll(async () => {
  running = false;
  await Promise.allSettled(clients);
  await functions?.stop();
  await pg?.stop().catch(() => {});
  if (pg) await rm(pg.dataDir, { recursive: true, force: true });
});

async function send(kind: Outcome["kind"], id: string, dealId: number): Promise<Outcome> {
  const started = performance.now();
  const request =
    kind === "amocrm"
      ? fetch(`${functions.url}/amocrm-webhook?secret=${SECRET}`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded", "x-amocrm-requestid": id },
          body: wonBody(dealId),
          signal: AbortSignal.timeout(15_000),
        })
      : fetch(`${functions.url}/lead-capture`, {
          method: "POST",
          headers: { authorization: `Bearer ${LEAD_SECRET}`, "content-type": "application/json" },
          body: JSON.stringify({ submission_id: id, utm_source: "facebook", utm_campaign: "kenesary_video" }),
          signal: AbortSignal.timeout(15_000),
        });
  try {
    const response = await request;
    const body = (await response.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
    return {
      kind,
      id,
      status: response.status,
      ms: performance.now() - started,
      code: body.error?.code,
      message: body.error?.message,
    };
  } catch {
    return { kind, id, status: 0, ms: performance.now() - started };
  }
}

function postmasterPid(): number {
  return Number(readFileSync(path.join(pg.dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
}

async function waitUntil(predicate: () => boolean | Promise<boolean>, ms: number, what: string) {
  for (const deadline = Date.now() + ms; Date.now() < deadline;) {
    if (await predicate()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what}: not within ${ms} ms`);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

it("kills the database twice under load: no acknowledged event lost, fast 503s, processes keep serving", async () => {
  const outcomes: Outcome[] = [];
  const pidsBefore = functions.pids();
  running = true;
  let sequence = 0;
  const client = async (n: number) => {
    while (running) {
      const i = sequence++;
      const kind = (i + n) % 2 === 0 ? "amocrm" : "lead";
      outcomes.push(await send(kind, `outage-${kind}-${i}`, 8_000_000 + i));
    }
  };
  clients = Array.from({ length: CLIENTS }, (_, n) => client(n));
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const phases: string[] = [];

  // 1. Immediate shutdown (SIGQUIT: backends killed, no checkpoint — what a crash looks like).
  await pause(2500);
  const pid = postmasterPid();
  phases.push(`kill -QUIT at request ${sequence}`);
  process.kill(pid, "SIGQUIT");
  await waitUntil(() => !alive(pid), 20_000, "postmaster exit");
  await waitUntil(async () => !(await isPortTaken(PG_PORT)), 20_000, "port free");
  await pause(3000);
  phases.push(`restart at request ${sequence}`);
  pg = await startLocalPostgres({ dataDir: DATA_DIR, port: PG_PORT, settings: PG_SETTINGS });

  // 2. Fast shutdown (sessions terminated with 57P01), down again, back again.
  await pause(3000);
  phases.push(`fast shutdown at request ${sequence}`);
  await pg.stop();
  await pause(3000);
  phases.push(`restart at request ${sequence}`);
  pg = await startLocalPostgres({ dataDir: DATA_DIR, port: PG_PORT, settings: PG_SETTINGS });
  await pause(3000);
  running = false;
  await Promise.all(clients);

  // After the outages the same processes answer 2xx (postgres.js reconnected).
  const afterAmo = await send("amocrm", "outage-after-amocrm", 8_999_999);
  const afterLead = await send("lead", "outage-after-lead", 0);
  expect([afterAmo.status, afterLead.status], `${afterAmo.message} / ${afterLead.message}`).toEqual([200, 201]);
  outcomes.push(afterAmo, afterLead);
  expect(functions.pids()).toEqual(pidsBefore);
  expect(functions.restarts()).toEqual({ "amocrm-webhook": 0, "lead-capture": 0, health: 0 });

  const sql = postgres(pg.url, { max: 1, onnotice: () => {} });
  try {
    const storedAmo = new Set(
      (await sql`select request_id from inbox.amocrm_webhook_event where request_id like 'outage-%'`).map(
        (r) => r.request_id as string,
      ),
    );
    const storedLeads = new Set(
      (
        await sql`select l.external_id from voronka.lead as l
                  join inbox.lead_capture_event as e on e.lead_id = l.id
                  where l.source = 'proftest' and l.external_id like 'outage-%'`
      ).map((r) => r.external_id as string),
    );
    const stored = (o: Outcome) => (o.kind === "amocrm" ? storedAmo : storedLeads).has(o.id);
    const ok = outcomes.filter((o) => o.status >= 200 && o.status < 300);
    const lost = ok.filter((o) => !stored(o));
    const notStored = outcomes.filter((o) => !stored(o));
    const slowOrWrong = notStored.filter((o) => o.status < 500 || o.ms >= AMOCRM_TIMEOUT_MS);
    const unavailable = outcomes.filter((o) => o.status === 503);
    const latencies = (list: Outcome[]) => list.map((o) => o.ms).sort((a, b) => a - b);
    const p = (list: number[], q: number) =>
      Math.round(list[Math.min(list.length - 1, Math.floor(q * list.length))] ?? 0);
    const l503 = latencies(unavailable);
    console.log(
      `[outage] ${phases.join("; ")}\n` +
        `[outage] ${outcomes.length} requests: ${ok.length} 2xx (${lost.length} not stored), ` +
        `${unavailable.length} 503 (p50 ${p(l503, 0.5)} ms, p99 ${p(l503, 0.99)} ms, max ${p(l503, 1)} ms; ` +
        `${unavailable.filter(stored).length} of them stored anyway — the retry is a duplicate), ` +
        `other: ${JSON.stringify(outcomes.filter((o) => o.status !== 503 && (o.status < 200 || o.status >= 300)).map((o) => [o.status, o.code]))}; ` +
        `max latency of any answer ${p(latencies(outcomes), 1)} ms`,
    );
    expect(lost).toEqual([]);
    expect(slowOrWrong).toEqual([]);
    expect(new Set(outcomes.map((o) => o.status)).has(0)).toBe(false);
    // The outages really happened under load, and ingestion resumed after each.
    expect(unavailable.length).toBeGreaterThan(10);
    expect(unavailable.every((o) => o.code === "database_unavailable")).toBe(true);
    expect(ok.length).toBeGreaterThan(50);
  } finally {
    await sql.end();
  }
}, 240_000);
