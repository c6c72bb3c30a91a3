// npm run sync:facebook: one Facebook sync run from the terminal, with a progress bar (accounts,
// rows) and a summary table. Reads FB_* from the environment and supabase/functions/.env; writes
// to SUPABASE_DB_URL or the local stack's database (npm start, port VORONKA_PG_PORT or 54322).
import cliProgress from "cli-progress";
import { connectDatabase } from "../supabase/functions/_shared/database.ts";
import { missingFacebookSettings, readFacebookConfig } from "../supabase/functions/_shared/facebook/config.ts";
import type { AccountResult } from "../supabase/functions/_shared/facebook/insights.ts";
import { runFacebookSync } from "../supabase/functions/_shared/facebook/sync.ts";
import { businessTimeZone, DEFAULT_BUSINESS_TIME_ZONE, inBusinessZone } from "./lib/business-time.ts";
import { parseCommandLine } from "./lib/command-line.ts";
import { textTable } from "./lib/text-table.ts";
import { terminalConfig, terminalDatabaseUrl, terminalEnv } from "./lib/terminal-env.ts";

parseCommandLine(
  "sync:facebook",
  `Usage: npm run sync:facebook
One Facebook Ads sync run: discovers every ad account the token sees, reads spend at ad level,
shows progress and a summary per account. Settings: FB_ACCESS_TOKEN (and FB_GRAPH_URL for the fake:
npm run fake:facebook), environment or supabase/functions/.env.
Database: SUPABASE_DB_URL, else the local stack (127.0.0.1:VORONKA_PG_PORT, default 54322).`,
  {},
);

const env = terminalEnv();
const config = terminalConfig("sync:facebook", () => readFacebookConfig(env));
const missing = missingFacebookSettings({ ...config, syncSecret: config.syncSecret || "not needed here" });
if (missing.length) {
  console.error(
    `Set ${missing.join(", ")} (environment or supabase/functions/.env). ` +
      "To try it without Facebook: npm run fake:facebook, then FB_GRAPH_URL=http://127.0.0.1:54341 FB_ACCESS_TOKEN=fake-token npm run sync:facebook",
  );
  process.exit(2);
}
const dbUrl = terminalDatabaseUrl(env);
const sql = connectDatabase(dbUrl, { max: config.concurrency + 1 });

const bars = new cliProgress.MultiBar(
  {
    format: " {label} |{bar}| {value}/{total} {unit}",
    hideCursor: true,
    clearOnComplete: false,
    stopOnComplete: false,
    noTTYOutput: !process.stderr.isTTY,
    notTTYSchedule: 5_000,
  },
  cliProgress.Presets.shades_classic,
);
const accountsBar = bars.create(1, 0, { label: "accounts", unit: "" });
const rowsBar = bars.create(1, 0, { label: "rows    ", unit: "read" });
let rows = 0;
const logs: string[] = [];

try {
  const summary = await runFacebookSync({
    sql,
    config,
    trigger: "cli",
    log: (line) => logs.push(line),
    onProgress: (event) => {
      if (event.type === "discovered") accountsBar.setTotal(Math.max(1, event.accounts));
      else if (event.type === "account") accountsBar.increment();
      else {
        rows += event.rows;
        // The total is unknown until the end: keep the bar ahead of the count.
        rowsBar.setTotal(Math.max(rows * 2, 1));
        rowsBar.update(rows);
      }
    },
  });
  rowsBar.setTotal(Math.max(rows, 1));
  rowsBar.update(rows);
  bars.stop();
  if ("already_running" in summary) {
    console.error("Another Facebook sync run is still running (the local timer or the scheduler). Try again later.");
    process.exitCode = 1;
  } else {
    const results = summary.accounts as AccountResult[];
    if (results.length) {
      console.log(
        textTable(
          ["account", "name", "outcome", "range", "rows read", "changed", "requests", "note"],
          results.map((r) => [
            r.account_id,
            r.name.slice(0, 30),
            r.outcome,
            r.since ? `${r.since}..${r.until}` : "",
            r.rows_read.toLocaleString("en-US"),
            r.rows_upserted.toLocaleString("en-US"),
            String(r.requests),
            r.error?.message?.slice(0, 60) ?? "",
          ]),
        ),
      );
    }
    const zone = await businessTimeZone(sql).catch(() => DEFAULT_BUSINESS_TIME_ZONE);
    console.log(
      `run ${summary.run_id} started ${inBusinessZone(summary.started_at, zone)}: ${summary.status} — ${summary.message}\n` +
        `${summary.requests} Graph requests, ${summary.rows_read} rows read, ${summary.rows_upserted} inserted or changed, ` +
        `${(summary.duration_ms / 1000).toFixed(1)} s`,
    );
    if (summary.status === "failed") process.exitCode = 1;
  }
} catch (error) {
  bars.stop();
  console.error(`Facebook sync could not run: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await sql.end({ timeout: 5 });
}
