// Entry point (Deno): configuration from the environment, everything else in _shared/facebook.
import { connectDatabase } from "../_shared/database.ts";
import { readFacebookConfig } from "../_shared/facebook/config.ts";
import { createFacebookSyncHandler } from "../_shared/facebook/handler.ts";
import { errorResponse, type Handler, withInternalErrors } from "../_shared/http.ts";
import { keepServingOnUncaughtErrors } from "../_shared/process-guard.ts";
import { endPoolOnTermination } from "../_shared/shutdown.ts";

keepServingOnUncaughtErrors("facebook-sync");

function buildHandler(): Handler {
  try {
    const config = readFacebookConfig(Deno.env.toObject());
    const sql = connectDatabase(Deno.env.get("SUPABASE_DB_URL") ?? "", {
      max: config.concurrency + 1,
      connectTimeoutSeconds: 5,
    });
    endPoolOnTermination(sql);
    return createFacebookSyncHandler({ sql, config });
  } catch (error) {
    // A malformed FB_* setting: answer with it instead of failing to boot.
    const message = (error as Error).message;
    return () => Promise.resolve(errorResponse(503, "not_configured", message));
  }
}

export default { fetch: withInternalErrors(buildHandler(), "facebook-sync") };
