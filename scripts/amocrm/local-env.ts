// Connection and amoCRM settings for the terminal commands: the process environment first, then
// supabase/functions/.env (what the served functions read), then the local stack's database.
import { readFunctionsEnvFile } from "../lib/functions-server.ts";
import { databaseUrl } from "../lib/local-postgres.ts";

export function terminalEnv(): Record<string, string | undefined> {
  return { ...readFunctionsEnvFile(), ...process.env };
}

/** SUPABASE_DB_URL, else the `npm start` database (port from config.toml's [db] port 54322). */
export function terminalDatabaseUrl(env = terminalEnv()): string {
  return env.SUPABASE_DB_URL ?? databaseUrl(Number(env.VORONKA_DB_PORT ?? 54322));
}
