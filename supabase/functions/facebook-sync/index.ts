// Entry point (Deno): the environment is read here, everything else is in _shared/facebook.
import { connectDatabase } from "../_shared/database.ts";
import { serveFunction } from "../_shared/entry.ts";
import { readFacebookConfig } from "../_shared/facebook/config.ts";
import { createFacebookSyncHandler } from "../_shared/facebook/handler.ts";
import { keepServingOnUncaughtErrors } from "../_shared/process-guard.ts";
import { endPoolOnTermination } from "../_shared/shutdown.ts";

keepServingOnUncaughtErrors("facebook-sync");

// A malformed FB_* setting: every request is answered 503 not_configured with it (entry.ts).
export default serveFunction("facebook-sync", () => {
  const env = Deno.env.toObject();
  const config = readFacebookConfig(env);
  const sql = connectDatabase(env.SUPABASE_DB_URL ?? "", { max: config.concurrency + 1, connectTimeoutSeconds: 5 });
  endPoolOnTermination(sql);
  return createFacebookSyncHandler({ sql, config });
});
