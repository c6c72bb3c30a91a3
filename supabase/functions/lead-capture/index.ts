// Entry point (Deno): configuration from the environment, everything else in _shared.
import { connectDatabase } from "../_shared/database.ts";
import { withInternalErrors } from "../_shared/http.ts";
import { databaseTimeoutsFromEnv } from "../_shared/deadline.ts";
import { createLeadCaptureHandler } from "../_shared/lead-capture/handler.ts";
import { keepServingOnUncaughtErrors } from "../_shared/process-guard.ts";
import { endPoolOnTermination } from "../_shared/shutdown.ts";

keepServingOnUncaughtErrors("lead-capture");
const timeouts = databaseTimeoutsFromEnv(Deno.env.toObject());
const sql = connectDatabase(Deno.env.get("SUPABASE_DB_URL") ?? "", { statementTimeoutMs: timeouts.statementTimeoutMs });
endPoolOnTermination(sql);
const bodyTimeoutMs = Number(Deno.env.get("LEAD_CAPTURE_BODY_TIMEOUT_MS"));

export default {
  fetch: withInternalErrors(
    createLeadCaptureHandler({
      sql,
      config: {
        secret: Deno.env.get("LEAD_CAPTURE_SECRET") ?? "",
        bodyTimeoutMs: bodyTimeoutMs > 0 ? bodyTimeoutMs : undefined,
        deadlineMs: timeouts.deadlineMs,
      },
    }),
    "lead-capture",
  ),
};
