// Entry point (Deno): the environment is read here, everything else is in _shared.
import { connectDatabase } from "../_shared/database.ts";
import { readDatabaseTimeouts } from "../_shared/deadline.ts";
import { serveFunction } from "../_shared/entry.ts";
import { createHealthHandler } from "../_shared/health/handler.ts";
import { keepServingOnUncaughtErrors } from "../_shared/process-guard.ts";
import { endPoolOnTermination } from "../_shared/shutdown.ts";

keepServingOnUncaughtErrors("health");

export default serveFunction("health", () => {
  const env = Deno.env.toObject();
  const timeouts = readDatabaseTimeouts(env);
  const sql = connectDatabase(env.SUPABASE_DB_URL ?? "", { max: 1, statementTimeoutMs: timeouts.statementTimeoutMs });
  endPoolOnTermination(sql);
  return createHealthHandler({ sql, deadlineMs: timeouts.deadlineMs });
});
