// npm run bench:webhook: sustained throughput and latency of the amoCRM receiver served by Deno
// against a local Postgres, with realistic bodies (a status change of one deal with ten custom
// fields incl. UTMs, every body distinct), and in the same run the bare ceiling: the same Deno
// front half storing only the raw body. Prints both and the ratio.
//
// Ports (all 127.0.0.1): Postgres VORONKA_BENCH_WEBHOOK_PORT (default 54360), the receiver +2,
// the bare server +3. Duration per target: BENCH_SECONDS (10), connections: BENCH_CONNECTIONS (16).
import { createRequire } from "node:module";
import path from "node:path";
import postgres from "postgres";
import { serveDenoEntry, waitForPort } from "../lib/functions-server.ts";
import { withScratchDatabase } from "../lib/scratch-database.ts";
import { FUNCTIONS_DIR, PROJECT_ROOT } from "../lib/paths.ts";
import { parseCommandLine, usageFromHeader } from "../lib/command-line.ts";

parseCommandLine("bench:webhook", usageFromHeader("bench:webhook", import.meta.url), {});

const autocannon = createRequire(import.meta.url)("autocannon") as (opts: object) => Promise<any>;

const PG_PORT = Number(process.env.VORONKA_BENCH_WEBHOOK_PORT ?? 54360);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const SECRET = "bench-secret-0123456789abcdef";
const PIPELINES = { leads: 7000001, express: 7000002, flagman: 7000003 };

// A realistic status webhook: deals moving stages, ten custom fields each (UTMs among them).
// One deal per body under sustained load; hundreds for the bulk-change measurement.
let sequence = 0;
function nextBody(deals = 1): string {
  const params = new URLSearchParams();
  for (let k = 0; k < deals; k++) appendDeal(params, k, sequence++);
  params.append("account[subdomain]", "voronka-demo");
  params.append("account[id]", "31000001");
  return params.toString();
}

function appendDeal(params: URLSearchParams, index: number, n: number): void {
  const id = 30_000_000 + (n % 5000);
  const pipeline = n % 3 === 0 ? PIPELINES.flagman : PIPELINES.express;
  const status = n % 4 === 0 ? 143 : 142;
  const p = `leads[status][${index}]`;
  const scalars: Record<string, string> = {
    id: String(id),
    name: `Сделка №${id}: Экспресс-курс`,
    status_id: String(status),
    old_status_id: "55500001",
    price: pipeline === PIPELINES.flagman ? "490000" : "5000",
    responsible_user_id: "8000001",
    last_modified: String(1_764_000_000 + n),
    modified_user_id: "8000001",
    created_user_id: "8000001",
    date_create: "1763990000",
    pipeline_id: String(pipeline),
    account_id: "31000001",
  };
  for (const [key, value] of Object.entries(scalars)) params.append(`${p}[${key}]`, value);
  const fields: [string, string, string][] = [
    ["900001", "utm_source", n % 2 ? "facebook" : "instagram"],
    ["900002", "utm_medium", "cpc"],
    ["900003", "utm_campaign", `kenesary_${n % 7}`],
    ["900004", "utm_content", `ad_${n % 11}`],
    ["66339", "Источник", "Сайт"],
    ["66349", "Интересующая услуга", "Интегратор"],
    ["72333", "Дата проведения", "1764028800"],
    ["497267", "Заявка оплачена", "1"],
    ["500001", "Телефон", "+7 701 000 00 00"],
    ["500002", "Город", "Алматы"],
  ];
  fields.forEach(([fid, name, value], i) => {
    const f = `${p}[custom_fields][${i}]`;
    params.append(`${f}[id]`, fid);
    params.append(`${f}[name]`, name);
    if (fid.startsWith("9")) params.append(`${f}[code]`, name.toUpperCase());
    if (fid === "72333") params.append(`${f}[values][0]`, value);
    else params.append(`${f}[values][0][value]`, value);
  });
}

// amoCRM waits 2 s also for a bulk change: time single bodies of hundreds of deals.
async function bulkLatencies(url: string, deals: number, runs: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const body = nextBody(deals);
    const started = performance.now();
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body,
    });
    await response.text();
    if (!response.ok) throw new Error(`bulk body answered ${response.status}`);
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b);
}

async function load(url: string) {
  const result = await autocannon({
    url,
    method: "POST",
    connections: CONNECTIONS,
    duration: SECONDS,
    headers: { "content-type": "application/x-www-form-urlencoded", "user-agent": "amoCRM-Webhooks/3.0" },
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
    await sql`insert into voronka.team (id, name) values ('kenesary', 'Kenesary'), ('traf4', 'Traf4')`;
    await sql`insert into voronka.team_utm_rule (team_id, utm_source, utm_campaign_pattern) values ('kenesary', 'facebook', 'kenesary_%'), ('traf4', 'instagram', null)`;
    await sql`insert into voronka.product_rule (product_id, amocrm_pipeline_id) values ('express', ${PIPELINES.express}), ('flagman', ${PIPELINES.flagman})`;
    await sql`insert into voronka.amocrm_lead_pipeline (pipeline_id) values (${PIPELINES.leads})`;
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
      const bulk = await bulkLatencies(target(realPort), 300, 5);
      const [counts] = await sql`
        select (select count(*) from inbox.amocrm_webhook_event where status = 'processed')::int as processed,
               (select count(*) from inbox.amocrm_webhook_event where status = 'failed')::int as failed,
               (select count(*) from voronka.sale where voided_at is null)::int as counted_sales`;
      const row = (name: string, r: Awaited<ReturnType<typeof load>>) =>
        `${name.padEnd(34)} ${r.rps.toFixed(0).padStart(7)} req/s   p50 ${String(r.p50).padStart(4)} ms   p99 ${String(r.p99).padStart(4)} ms   (${r.total} requests, ${r.non2xx} non-2xx, ${r.errors} errors)`;
      console.log("");
      console.log(row("bare ceiling (store raw body only)", bareResult));
      console.log(row("amocrm-webhook (store + process)", realResult));
      console.log(
        `ratio: the receiver sustains ${((realResult.rps / bareResult.rps) * 100).toFixed(0)}% of the bare ceiling`,
      );
      console.log(
        `bulk change, 300 deals x 10 custom fields in one body: median ${bulk[2].toFixed(0)} ms, worst ${bulk[4].toFixed(0)} ms of 5 (amoCRM waits 2,000 ms)`,
      );
      console.log(
        `check: ${counts.processed} events processed, ${counts.failed} failed, ${counts.counted_sales} counted sales`,
      );
    } finally {
      real.kill("SIGTERM");
      bare.kill("SIGTERM");
      await sql.end();
    }
  },
  { fsync: "on" },
);
