// npm run doctor [-- --db-url URL] [--functions-url URL] [--days N]
//
// Is this installation healthy? Checks that every file of supabase/migrations is applied, that the
// Edge Functions answer /health, and what data_health reports (failed or pending inbox events,
// the age of the last Facebook sync and of the analytics refresh, …). Prints one line per check;
// exits 1 when something needs action (a missing migration, unreachable functions, an error-level
// data check), 0 otherwise (warnings are shown but need no action).
// Database: --db-url, else SUPABASE_DB_URL, else the local stack (127.0.0.1:VORONKA_PG_PORT, 54322).
// Functions: --functions-url, else http://127.0.0.1:VORONKA_FUNCTIONS_PORT/functions/v1 (54321).
import { readdirSync } from "node:fs";
import path from "node:path";
import postgres from "postgres";
import { asApiRole } from "../supabase/functions/_shared/api-role.ts";
import { parseCommandLine, usageFromHeader, wholeNumberFlag } from "./lib/command-line.ts";
import { PROJECT_ROOT } from "./lib/paths.ts";
import { terminalDatabaseUrl, terminalEnv } from "./lib/terminal-env.ts";

const line = parseCommandLine("doctor", usageFromHeader("doctor", import.meta.url), {
  "db-url": { type: "string" },
  "functions-url": { type: "string" },
  days: { type: "string" },
});
const env = terminalEnv();
const dbUrl = line.values["db-url"] ?? terminalDatabaseUrl(env);
const functionsUrl = (
  line.values["functions-url"] ?? `http://127.0.0.1:${env.VORONKA_FUNCTIONS_PORT ?? 54321}/functions/v1`
).replace(/\/+$/, "");
const days = wholeNumberFlag(line, "days", line.values.days, 1) ?? 30;

let actionNeeded = false;
const ok = (text: string) => console.log(`✓ ${text}`);
const warn = (text: string) => console.log(`! ${text}`);
const act = (text: string) => {
  actionNeeded = true;
  console.log(`✗ ${text}`);
};

const sql = postgres(dbUrl, { max: 1, onnotice: () => {}, connect_timeout: 5, prepare: false });
try {
  const files = readdirSync(path.join(PROJECT_ROOT, "supabase/migrations"))
    .filter((f) => f.endsWith(".sql"))
    .map((f) => f.split("_")[0])
    .sort();
  const applied = new Set(
    (await sql`select version from supabase_migrations.schema_migrations`).map((r) => r.version as string),
  );
  const missing = files.filter((v) => !applied.has(v));
  const unknown = [...applied].filter((v) => !files.includes(v)).sort();
  if (missing.length) act(`migrations: ${missing.length} not applied (${missing.join(", ")}): npx supabase db push`);
  else ok(`migrations: all ${files.length} applied`);
  if (unknown.length) warn(`migrations: applied but not in supabase/migrations: ${unknown.join(", ")}`);

  try {
    const response = await fetch(`${functionsUrl}/health`, { signal: AbortSignal.timeout(5000) });
    const body = (await response.json().catch(() => ({}))) as { status?: string };
    if (response.status === 200) ok(`functions: ${functionsUrl}/health answers 200 (${body.status ?? "?"})`);
    else act(`functions: ${functionsUrl}/health answers ${response.status} ${JSON.stringify(body).slice(0, 120)}`);
  } catch (error) {
    act(`functions: ${functionsUrl}/health unreachable (${(error as Error).message}): is \`npm start\` running?`);
  }

  const [{ health }] = await asApiRole(
    sql,
    "service_role",
    async (tx) => tx`select public.data_health(null, ${days}) as health`,
  );
  const checks = (health as { checks: { code: string; severity: string; count: number; message: string }[] }).checks;
  for (const check of checks) {
    if (check.severity === "error") act(`${check.code} (${check.count}): ${check.message}`);
    else if (check.severity === "warning") warn(`${check.code} (${check.count}): ${check.message}`);
  }
  if (checks.every((c) => c.severity === "ok")) ok(`data: all ${checks.length} data_health checks ok (${days} days)`);
} catch (error) {
  act(`database: ${(error as Error).message} (${dbUrl.replace(/:[^:@/]*@/, ":***@")})`);
} finally {
  await sql.end();
}
console.log(actionNeeded ? "Action needed (✗ above)." : "Healthy.");
process.exitCode = actionNeeded ? 1 : 0;
