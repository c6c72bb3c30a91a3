// npm run bench:webhook: throughput and latency of the amoCRM receiver served by Deno against a
// local Postgres, with realistic bodies (a status change of one deal with ten custom fields incl.
// UTMs, every body distinct), and in the same run the bare ceiling: the same Deno front half
// storing only the raw body. Measures, in this order:
//   1. saturation (closed loop, BENCH_CONNECTIONS connections, BENCH_SECONDS each): the bare
//      ceiling, then the receiver; the ratio of the two is the throughput figure;
//   2. bulk bodies of 300 deals x 10 custom fields, BENCH_BULK_RUNS (5) one after another;
//   3. open loop at a fixed BENCH_RATE req/s (default 500) for BENCH_SECONDS: requests are sent on
//      schedule whether or not earlier ones were answered, and latency counts from the scheduled
//      time (no coordinated omission) — amoCRM does not slow down when we do.
// Prints the figures and, for `npm run bench`, machine-readable lines (scripts/bench/figures.ts).
//
// Ports (all 127.0.0.1): Postgres VORONKA_BENCH_WEBHOOK_PORT (default 54360), the receiver +2,
// the bare server +3.
import { createRequire } from "node:module";
import path from "node:path";
import postgres from "postgres";
import { serveDenoEntry, waitForPort } from "../lib/functions-server.ts";
import { withScratchDatabase } from "../lib/scratch-database.ts";
import { FUNCTIONS_DIR, PROJECT_ROOT } from "../lib/paths.ts";
import { parseCommandLine, usageFromHeader } from "../lib/command-line.ts";
import { configureBench, nextBody } from "./amocrm-bodies.ts";
import { percentile, reportFigures } from "./figures.ts";

parseCommandLine("bench:webhook", usageFromHeader("bench:webhook", import.meta.url), {});

const autocannon = createRequire(import.meta.url)("autocannon") as (opts: object) => Promise<any>;

const PG_PORT = Number(process.env.VORONKA_BENCH_WEBHOOK_PORT ?? 54360);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const RATE = Number(process.env.BENCH_RATE ?? 500);
const BULK_RUNS = Number(process.env.BENCH_BULK_RUNS ?? 5);
const SECRET = "bench-secret-0123456789abcdef";
const FORM = { "content-type": "application/x-www-form-urlencoded", "user-agent": "amoCRM-Webhooks/3.0" };

// amoCRM waits 2 s also for a bulk change: time single bodies of hundreds of deals, one after
// another. A body answered with anything but 2xx counts (amoCRM would retry it).
async function bulkLatencies(url: string, deals: number, runs: number) {
  const times: number[] = [];
  const statuses: number[] = [];
  for (let i = 0; i < runs; i++) {
    const body = nextBody(deals);
    const started = performance.now();
    const response = await fetch(url, { method: "POST", headers: FORM, body });
    await response.text();
    times.push(performance.now() - started);
    statuses.push(response.status);
  }
  return { times, failed: statuses.filter((s) => s < 200 || s > 299).length };
}

// Open loop: request i is due at start + i / rate and is sent then, answered or not; its latency
// counts from when it was due, so a stall shows up in every request that waited behind it.
async function openLoop(url: string, rate: number, seconds: number) {
  const total = Math.round(rate * seconds);
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  const pending: Promise<void>[] = [];
  const start = performance.now() + 20;
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(
      fetch(url, { method: "POST", headers: FORM, body: nextBody() })
        .then(async (response) => {
          await response.arrayBuffer();
          if (!response.ok) non2xx++;
        })
        .catch(() => {
          errors++;
        })
        .finally(() => {
          latencies.push(performance.now() - due);
        }),
    );
  }
  const sendEnd = performance.now();
  await Promise.all(pending);
  return {
    sent: total,
    rps: total / ((sendEnd - start) / 1000),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: percentile(latencies, 100),
    non2xx,
    errors,
  };
}

async function load(url: string) {
  const result = await autocannon({
    url,
    method: "POST",
    connections: CONNECTIONS,
    duration: SECONDS,
    headers: FORM,
    setupClient(client: any) {
      client.setBody(nextBody());
      client.on("response", () => client.setBody(nextBody()));
    },
  });
  return {
    rps: result.requests.average as number,
    p50: result.latency.p50 as number,
    p99: result.latency.p99 as number,
    total: result.requests.total as number,
    non2xx: result.non2xx as number,
    errors: result.errors as number,
  };
}

await withScratchDatabase(
  PG_PORT,
  async (server) => {
    const sql = postgres(server.url, { onnotice: () => {}, max: 1 });
    await configureBench(sql);
    const env = {
      SUPABASE_DB_URL: server.url,
      AMOCRM_WEBHOOK_SECRET: SECRET,
      AMOCRM_SUBDOMAIN: "voronka-demo",
      AMOCRM_ACCOUNT_ID: "31000001",
    };
    const realPort = PG_PORT + 2;
    const barePort = PG_PORT + 3;
    const real = serveDenoEntry({
      entry: path.join(FUNCTIONS_DIR, "amocrm-webhook/index.ts"),
      config: path.join(FUNCTIONS_DIR, "amocrm-webhook/deno.json"),
      port: realPort,
      env,
      stdio: "inherit",
    });
    const bareDir = path.join(PROJECT_ROOT, "scripts/bench/bare-webhook");
    const bare = serveDenoEntry({
      entry: path.join(bareDir, "index.ts"),
      config: path.join(bareDir, "deno.json"),
      port: barePort,
      env,
      stdio: "inherit",
    });
    try {
      await Promise.all([waitForPort(realPort, real, "amocrm-webhook"), waitForPort(barePort, bare, "bare ceiling")]);
      const target = (port: number) => `http://127.0.0.1:${port}/functions/v1/amocrm-webhook?secret=${SECRET}`;
      console.log(`Warming up, then ${SECONDS} s per target with ${CONNECTIONS} connections...`);
      await autocannon({
        url: target(realPort),
        method: "POST",
        connections: 4,
        amount: 200,
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: nextBody(),
      });
      const bareResult = await load(target(barePort));
      const realResult = await load(target(realPort));
      // Bulk bodies before the open loop: an overloaded open loop leaves a queue of statements
      // behind in the receiver's pool that would still be running.
      const bulk = await bulkLatencies(target(realPort), 300, BULK_RUNS);
      console.log(`Open loop at ${RATE} req/s for ${SECONDS} s...`);
      const open = await openLoop(target(realPort), RATE, SECONDS);
      const [counts] = await sql`
        select (select count(*) from inbox.amocrm_webhook_event where status = 'processed')::int as processed,
               (select count(*) from inbox.amocrm_webhook_event where status = 'failed')::int as failed,
               (select count(*) from voronka.sale where voided_at is null)::int as counted_sales`;
      const row = (name: string, r: Awaited<ReturnType<typeof load>>) =>
        `${name.padEnd(34)} ${r.rps.toFixed(0).padStart(7)} req/s   p50 ${String(r.p50).padStart(4)} ms   p99 ${String(r.p99).padStart(4)} ms   (${r.total} requests, ${r.non2xx} non-2xx, ${r.errors} errors)`;
      const ratio = (realResult.rps / bareResult.rps) * 100;
      const bulkMedian = percentile(bulk.times, 50);
      console.log("");
      console.log(row("bare ceiling (store raw body only)", bareResult));
      console.log(row("amocrm-webhook (store + process)", realResult));
      console.log(`ratio: the receiver sustains ${ratio.toFixed(0)}% of the bare ceiling`);
      console.log(
        `open loop at ${RATE} req/s: sent ${open.sent} at ${open.rps.toFixed(0)} req/s, p50 ${open.p50.toFixed(1)} ms, p99 ${open.p99.toFixed(1)} ms, max ${open.max.toFixed(0)} ms (${open.non2xx} non-2xx, ${open.errors} errors)`,
      );
      console.log(
        `bulk change, 300 deals x 10 custom fields in one body: median ${bulkMedian.toFixed(0)} ms, worst ${percentile(bulk.times, 100).toFixed(0)} ms of ${BULK_RUNS}, ${bulk.failed} not 2xx (amoCRM waits 2,000 ms)`,
      );
      console.log(
        `check: ${counts.processed} events processed, ${counts.failed} failed, ${counts.counted_sales} counted sales`,
      );
      reportFigures("webhook", [
        {
          id: "throughput-ratio",
          label: "amocrm-webhook throughput / bare ceiling",
          value: Math.round(ratio),
          unit: "%",
          target: { min: 50 },
          note: `${realResult.rps.toFixed(0)} / ${bareResult.rps.toFixed(0)} req/s, ${CONNECTIONS} connections`,
        },
        {
          id: "open-loop-p99",
          label: `amocrm-webhook p99 at a fixed ${RATE} req/s (open loop)`,
          value: Math.round(open.p99 * 10) / 10,
          unit: "ms",
          target: { max: 50 },
          note: `p50 ${open.p50.toFixed(1)} ms, ${open.non2xx + open.errors} of ${open.sent} failed`,
        },
        {
          id: "bulk-300-median",
          label: "bulk body, 300 deals x 10 custom fields, median",
          value: bulk.failed > BULK_RUNS / 2 ? null : Math.round(bulkMedian),
          unit: "ms",
          target: { max: 200 },
          note: `${BULK_RUNS} bodies, ${bulk.failed} not 2xx`,
        },
      ]);
    } finally {
      real.kill("SIGTERM");
      bare.kill("SIGTERM");
      await sql.end();
    }
  },
  { fsync: "on" },
);
