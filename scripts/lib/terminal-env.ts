// Settings for the terminal commands (sync:facebook, amocrm:reconcile, amocrm:replay): the process
// environment first, then supabase/functions/.env (what the served functions read), and the
// database: SUPABASE_DB_URL, else the local stack's (`npm start`, port VORONKA_PG_PORT or 54322).
import { readFunctionsEnvFile } from "./functions-server.ts";
import { databaseUrl } from "./local-postgres.ts";

export function terminalEnv(): Record<string, string | undefined> {
  return { ...readFunctionsEnvFile(), ...process.env };
}

export function terminalDatabaseUrl(env = terminalEnv()): string {
  return env.SUPABASE_DB_URL || databaseUrl(Number(env.VORONKA_PG_PORT ?? 54322));
}
