// Settings for the terminal commands (sync:facebook, amocrm:reconcile, amocrm:replay): the process
// environment first, then supabase/functions/.env (what the served functions read), and the
// database: SUPABASE_DB_URL, else the local stack's (`npm start`, port VORONKA_PG_PORT or 54322).
import { ConfigError } from "../../supabase/functions/_shared/config.ts";
import { readFunctionsEnvFile } from "./functions-server.ts";
import { databaseUrl } from "./local-postgres.ts";

export function terminalEnv(): Record<string, string | undefined> {
  return { ...readFunctionsEnvFile(), ...process.env };
}

/** A function's config reader run for a terminal tool: a malformed setting is a one-line error, exit 2. */
export function terminalConfig<T>(tool: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`${tool}: ${error.message} (environment or supabase/functions/.env).`);
    process.exit(2);
  }
}

export function terminalDatabaseUrl(env = terminalEnv()): string {
  return env.SUPABASE_DB_URL || databaseUrl(Number(env.VORONKA_PG_PORT ?? 54322));
}
