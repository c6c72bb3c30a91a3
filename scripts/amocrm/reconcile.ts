// npm run amocrm:reconcile: one reconciliation run from the terminal, against SUPABASE_DB_URL
// (default: the local stack) and the amoCRM API configured in the environment or
// supabase/functions/.env. The same code the amocrm-reconcile function runs on a schedule.
import postgres from "postgres";
import { createAmocrmClient } from "../../supabase/functions/_shared/amocrm/api-client.ts";
import { readAmocrmConfig, apiConfigProblem } from "../../supabase/functions/_shared/amocrm/config.ts";
import { runAmocrmReconciliation } from "../../supabase/functions/_shared/amocrm/reconcile.ts";
import { parseCommandLine } from "../lib/command-line.ts";
import { terminalConfig, terminalDatabaseUrl, terminalEnv } from "../lib/terminal-env.ts";

parseCommandLine(
  "amocrm:reconcile",
  `Usage: npm run amocrm:reconcile
One reconciliation run: reads deals changed in amoCRM since the last run through the API and applies
what the webhooks missed. Settings: AMOCRM_ACCESS_TOKEN, AMOCRM_SUBDOMAIN or AMOCRM_BASE_URL (environment
or supabase/functions/.env; npm run fake:amocrm runs a local fake API).
Database: SUPABASE_DB_URL, else the local stack (127.0.0.1:VORONKA_PG_PORT, default 54322).`,
  {},
);

const env = terminalEnv();
const config = terminalConfig("amocrm:reconcile", () => readAmocrmConfig(env));
const problem = apiConfigProblem(config);
if (problem) {
  console.error(
    `amocrm:reconcile: ${problem}. Set AMOCRM_ACCESS_TOKEN and AMOCRM_SUBDOMAIN (or AMOCRM_BASE_URL) ` +
      `in the environment or supabase/functions/.env (npm run fake:amocrm runs a local fake API).`,
  );
  process.exit(2);
}
const sql = postgres(terminalDatabaseUrl(env), { onnotice: () => {}, max: 1, prepare: false });
try {
  const result = await runAmocrmReconciliation({
    sql,
    client: createAmocrmClient({ baseUrl: config.baseUrl!, accessToken: config.accessToken! }),
    log: (line) => console.log(line),
  });
  process.exitCode = result.ok ? 0 : 1;
} catch (error) {
  console.error(`amocrm:reconcile failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await sql.end();
}
