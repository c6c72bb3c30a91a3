// Entry point (Deno): the environment is read here, everything else is in _shared.
import { connectDatabase } from "../_shared/database.ts";
import { readDatabaseTimeouts } from "../_shared/deadline.ts";
import { serveFunction } from "../_shared/entry.ts";
import { createLeadCaptureHandler } from "../_shared/lead-capture/handler.ts";
import { readLeadCaptureConfig } from "../_shared/lead-capture/config.ts";
import { keepServingOnUncaughtErrors } from "../_shared/process-guard.ts";
import { endPoolOnTermination } from "../_shared/shutdown.ts";

keepServingOnUncaughtErrors("lead-capture");

export default serveFunction("lead-capture", () => {
  const env = Deno.env.toObject();
  const config = readLeadCaptureConfig(env);
  const timeouts = readDatabaseTimeouts(env);
  const sql = connectDatabase(env.SUPABASE_DB_URL ?? "", { statementTimeoutMs: timeouts.statementTimeoutMs });
  endPoolOnTermination(sql);
  return createLeadCaptureHandler({ sql, config: { ...config, deadlineMs: timeouts.deadlineMs } });
});
