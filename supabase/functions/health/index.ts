// Entry point (Deno): configuration from the environment, everything else in _shared.
import { connectDatabase } from "../_shared/database.ts";
import { databaseTimeoutsFromEnv } from "../_shared/deadline.ts";
import { createHealthHandler } from "../_shared/health/handler.ts";
import { withInternalErrors } from "../_shared/http.ts";
import { keepServingOnUncaughtErrors } from "../_shared/process-guard.ts";
import { endPoolOnTermination } from "../_shared/shutdown.ts";

keepServingOnUncaughtErrors("health");
const timeouts = databaseTimeoutsFromEnv(Deno.env.toObject());
const sql = connectDatabase(Deno.env.get("SUPABASE_DB_URL") ?? "", {
  max: 1,
  statementTimeoutMs: timeouts.statementTimeoutMs,
});
endPoolOnTermination(sql);

export default { fetch: withInternalErrors(createHealthHandler({ sql, deadlineMs: timeouts.deadlineMs }), "health") };
