// npm start: the whole system on this machine, no Docker. Starts Postgres, applies migrations,
// seeds a fresh database with demo data, serves the Edge Functions with Deno, prints the 30-day
// funnel per team, then keeps running: refreshes the analytics every minute and runs the
// scheduled jobs (Facebook sync, amoCRM reconciliation) when they are configured. Ctrl-C stops.
//
// Environment: VORONKA_PG_PORT (54322), VORONKA_FUNCTIONS_PORT (54321), VORONKA_FUNCTION_PROCESSES_PORT
// (first port of the Deno processes, one per function; default functions port + 100), VORONKA_DATA_DIR
// (.local/postgres), VORONKA_EXIT_AFTER_REPORT=1 (start, print, stop: for smoke tests), plus the
// functions' own settings (FB_*, AMOCRM_*) from the environment or supabase/functions/.env.
import postgres from "postgres";
import { printAdsAndCohorts, printFunnel } from "./lib/funnel-printout.ts";
import { type LocalStack, startLocalStack } from "./lib/local-stack.ts";
import { tryItCommands } from "./local/local-secrets.ts";
import { demoLogins } from "./local/demo-users.ts";
import { startScheduledJobs } from "./local/scheduled-jobs.ts";
import { parseCommandLine, usageFromHeader } from "./lib/command-line.ts";

parseCommandLine("start", usageFromHeader("start", import.meta.url), {});

const log = (line: string) => console.log(line);
let stack: LocalStack | undefined;
let stopJobs: (() => void) | undefined;
let stoppingSince: number | undefined;
let stopped: Promise<void> | undefined;

async function shutdown(code: number): Promise<never> {
  if (!stopped) {
    stoppingSince = Date.now();
    log("\nStopping…");
    stopJobs?.();
    stopped = (stack?.stop() ?? Promise.resolve()).then(() => log("Stopped."));
  }
  await stopped;
  process.exit(code);
}

// A terminal's Ctrl-C reaches npm, tsx and this process at once (the same signal may arrive
// twice): the first starts a clean stop, repeats within 3 s are ignored, a later one forces exit.
function onSignal() {
  if (stoppingSince === undefined) void shutdown(0);
  else if (Date.now() - stoppingSince > 3_000) process.exit(130);
}
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);

try {
  stack = await startLocalStack({
    postgresPort: Number(process.env.VORONKA_PG_PORT ?? 54322),
    functionsPort: Number(process.env.VORONKA_FUNCTIONS_PORT ?? 54321),
    functionProcessesPort: process.env.VORONKA_FUNCTION_PROCESSES_PORT
      ? Number(process.env.VORONKA_FUNCTION_PROCESSES_PORT)
      : undefined,
    dataDir: process.env.VORONKA_DATA_DIR,
    log,
  });
  const health = await fetch(`${stack.functionsUrl}/health`);
  log(`• health: ${health.status} ${await health.text()}`);
  if (!health.ok) throw new Error("the health function cannot reach the database");

  log("");
  log(await printFunnel(stack.databaseUrl));
  log("");
  log(await printAdsAndCohorts(stack.databaseUrl));
  log("");
  log(`Database:  ${stack.databaseUrl}   (psql it; tables in schema voronka, the view in analytics)`);
  log(`Functions: ${stack.functionsUrl}/<name>`);
  log(`Dashboard: ${stack.apiUrl}/   — sign in with a demo login (local only):`);
  log(demoLogins());
  log(`API:       ${stack.apiUrl}   (Data API /rest/v1/rpc/<function> and Auth /auth/v1: local stand-ins)`);
  log(`Anon key:  ${stack.anonKey}`);
  log(`Report:    select jsonb_pretty(public.funnel_report());   — README.md documents the shape`);
  log("");
  log(tryItCommands(stack.functionsUrl, stack.databaseUrl, stack.functionsEnv));

  if (process.env.VORONKA_EXIT_AFTER_REPORT === "1") await shutdown(0);

  const sql = postgres(stack.databaseUrl, { max: 1, onnotice: () => {} });
  stopJobs = startScheduledJobs({ sql, functionsUrl: stack.functionsUrl, env: stack.functionsEnv, log });
  log("\nRunning. Ctrl-C stops everything.");
} catch (error) {
  console.error(`\n✗ npm start failed: ${(error as Error).message}`);
  await shutdown(1);
}
