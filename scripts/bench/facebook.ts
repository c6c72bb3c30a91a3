// npm run bench:facebook — one full sync of 50 ad accounts x 200 ads x 90 days (900,000 ad-day
// rows) from the fake Graph API answering every request after 50 ms, into a throw-away Postgres.
// Reports wall time, Graph requests, rows/s, the sync process's peak memory, and the lower bound
// the fake's latency implies for the concurrency used (requests x latency / concurrency, plus
// the sequential discovery requests).
//   BENCH_ACCOUNTS (50) BENCH_ADS (200) BENCH_DAYS (90) BENCH_LATENCY_MS (50)
//   BENCH_CONCURRENCY (8) BENCH_PAGE_SIZE (500) BENCH_CHUNK_DAYS (10)
//   VORONKA_BENCH_PG_PORT (54380), BENCH_FAKE_PORT (54381)
// Prints machine-readable figures for `npm run bench` (scripts/bench/figures.ts).
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { connectDatabase } from "../../supabase/functions/_shared/database.ts";
import { FACEBOOK_DEFAULTS, type FacebookSyncConfig } from "../../supabase/functions/_shared/facebook/config.ts";
import { runFacebookSync } from "../../supabase/functions/_shared/facebook/sync.ts";
import { isPortTaken } from "../lib/local-postgres.ts";
import { withScratchDatabase } from "../lib/scratch-database.ts";
import { PROJECT_ROOT } from "../lib/paths.ts";
import { parseCommandLine, usageFromHeader } from "../lib/command-line.ts";
import { reportFigures } from "./figures.ts";

parseCommandLine("bench:facebook", usageFromHeader("bench:facebook", import.meta.url), {});

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const ACCOUNTS = env("BENCH_ACCOUNTS", 50);
const ADS = env("BENCH_ADS", 200);
const DAYS = env("BENCH_DAYS", 90);
const LATENCY = env("BENCH_LATENCY_MS", 50);
const CONCURRENCY = env("BENCH_CONCURRENCY", 8);
const PAGE_SIZE = env("BENCH_PAGE_SIZE", 500);
const CHUNK_DAYS = env("BENCH_CHUNK_DAYS", 10);
const PG_PORT = env("VORONKA_BENCH_PG_PORT", 54380);
const FAKE_PORT = env("BENCH_FAKE_PORT", 54381);
const TOKEN = "bench-token";

async function startFake(): Promise<ChildProcess> {
  if (await isPortTaken(FAKE_PORT)) throw new Error(`port ${FAKE_PORT} is in use (BENCH_FAKE_PORT)`);
  // Its own process, so the sync's memory and CPU are measured alone.
  const child = spawn(
    process.execPath,
    ["--import", "tsx", path.join(PROJECT_ROOT, "scripts/fakes/facebook-graph/main.ts")],
    {
      env: {
        ...process.env,
        FAKE_FACEBOOK_PORT: String(FAKE_PORT),
        FAKE_FACEBOOK_TOKEN: TOKEN,
        FAKE_FACEBOOK_LATENCY_MS: String(LATENCY),
        FAKE_FACEBOOK_SCENARIO: `bench:${ACCOUNTS}x${ADS}`,
      },
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  for (let i = 0; i < 300 && !(await isPortTaken(FAKE_PORT)); i++) await new Promise((r) => setTimeout(r, 100));
  return child;
}

const fake = await startFake();
try {
  await withScratchDatabase(PG_PORT, async (server) => {
    const config: FacebookSyncConfig = {
      ...FACEBOOK_DEFAULTS,
      syncSecret: "bench",
      accessToken: TOKEN,
      graphUrl: `http://127.0.0.1:${FAKE_PORT}`,
      budgetMs: 3_600_000,
      backfillDays: DAYS,
      pageSize: PAGE_SIZE,
      chunkDays: CHUNK_DAYS,
      concurrency: CONCURRENCY,
    };
    const sql = connectDatabase(server.url, { max: CONCURRENCY + 1 });
    let peakRss = 0;
    let peakHeap = 0;
    let peakHeapTotal = 0;
    let peakExternal = 0;
    const sample = () => {
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      peakHeap = Math.max(peakHeap, m.heapUsed);
      peakHeapTotal = Math.max(peakHeapTotal, m.heapTotal);
      peakExternal = Math.max(peakExternal, m.external);
    };
    sample();
    const baselineRss = process.memoryUsage().rss;
    const sampler = setInterval(sample, 25);
    console.log(
      `bench:facebook — ${ACCOUNTS} accounts x ${ADS} ads x ${DAYS} days, fake latency ${LATENCY} ms, ` +
        `concurrency ${CONCURRENCY}, page size ${PAGE_SIZE}, ${CHUNK_DAYS}-day requests`,
    );
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const summary = await runFacebookSync({ sql, config, trigger: "bench", log: () => {} });
    const wallMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    clearInterval(sampler);
    sample();
    if ("already_running" in summary) throw new Error("a run is already running");
    const [stored] = await sql`select count(*)::int as n from voronka.fb_ad_insight`;
    const [disc] = await sql`select count(*)::int as n from voronka.fb_ad_account`;
    await sql.end();

    const discoveryRequests =
      summary.requests - (summary.accounts as { requests: number }[]).reduce((s, a) => s + a.requests, 0);
    const insightRequests = summary.requests - discoveryRequests;
    const boundMs = discoveryRequests * LATENCY + Math.ceil(insightRequests / CONCURRENCY) * LATENCY;
    const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;
    const rows: [string, string][] = [
      [
        "status",
        `${summary.status} (${summary.accounts_done}/${summary.accounts_total} accounts; ${disc.n} discovered)`,
      ],
      ["wall time", `${(wallMs / 1000).toFixed(2)} s`],
      ["Graph requests", `${summary.requests} (${discoveryRequests} discovery + ${insightRequests} insights)`],
      ["rows read / stored", `${summary.rows_read} / ${stored.n} (expected ${ACCOUNTS * ADS * DAYS})`],
      ["rows/s", `${Math.round(summary.rows_read / (wallMs / 1000))}`],
      [
        "CPU of the sync process",
        `${((cpu.user + cpu.system) / 1e6).toFixed(1)} s (the rest is Postgres and the fake)`,
      ],
      [
        "peak memory (sync process)",
        `RSS ${mb(peakRss)} (start ${mb(baselineRss)}), heap ${mb(peakHeap)} used / ${mb(peakHeapTotal)} reserved, external ${mb(peakExternal)}`,
      ],
      [
        `latency lower bound (concurrency ${CONCURRENCY})`,
        `${(boundMs / 1000).toFixed(2)} s = ${discoveryRequests} x ${LATENCY} ms + ceil(${insightRequests} / ${CONCURRENCY}) x ${LATENCY} ms`,
      ],
      ["wall / bound", boundMs > 0 ? `${(wallMs / boundMs).toFixed(2)}x` : "n/a (no latency)"],
    ];
    const width = Math.max(...rows.map((r) => r[0].length));
    for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
    reportFigures("facebook", [
      {
        id: "wall-over-bound",
        label: `Facebook sync ${ACCOUNTS} x ${ADS} ads x ${DAYS} days, ${LATENCY} ms latency: wall / latency floor`,
        value: boundMs > 0 ? Math.round((wallMs / boundMs) * 100) / 100 : null,
        unit: "x",
        target: { max: 1.5 },
        note: `${(wallMs / 1000).toFixed(1)} s / ${(boundMs / 1000).toFixed(1)} s, ${summary.requests} Graph requests`,
      },
      {
        id: "peak-rss",
        label: "Facebook sync peak RSS",
        value: Math.round(peakRss / 1024 / 1024),
        unit: "MB",
        target: { max: 150 },
        note: `start ${mb(baselineRss)}, heap ${mb(peakHeap)}`,
      },
      {
        id: "graph-requests",
        label: "Facebook sync Graph requests (must not grow)",
        value: summary.requests,
        unit: "",
        target: {
          max: discoveryRequests + ACCOUNTS * Math.ceil(DAYS / CHUNK_DAYS) * Math.ceil((ADS * CHUNK_DAYS) / PAGE_SIZE),
        },
      },
    ]);
    if (stored.n !== ACCOUNTS * ADS * DAYS) process.exitCode = 1;
  });
} finally {
  fake.kill("SIGTERM");
}
