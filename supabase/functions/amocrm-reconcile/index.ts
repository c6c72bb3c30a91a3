// Entry point (Deno): the environment is read here, everything else is in _shared/amocrm.
import { createAmocrmClient } from "../_shared/amocrm/api-client.ts";
import { apiConfigProblem, readAmocrmConfig } from "../_shared/amocrm/config.ts";
import { createAmocrmReconcileHandler } from "../_shared/amocrm/reconcile-handler.ts";
import { connectDatabase } from "../_shared/database.ts";
import { serveFunction } from "../_shared/entry.ts";
import { keepServingOnUncaughtErrors } from "../_shared/process-guard.ts";
import { endPoolOnTermination } from "../_shared/shutdown.ts";

keepServingOnUncaughtErrors("amocrm-reconcile");

export default serveFunction("amocrm-reconcile", () => {
  const env = Deno.env.toObject();
  const config = readAmocrmConfig(env);
  const sql = connectDatabase(env.SUPABASE_DB_URL ?? "", { max: 2, connectTimeoutSeconds: 5 });
  endPoolOnTermination(sql);
  const amocrmClient = apiConfigProblem(config)
    ? null
    : createAmocrmClient({ baseUrl: config.baseUrl!, accessToken: config.accessToken! });
  return createAmocrmReconcileHandler({ sql, config, amocrmClient, log: (line) => console.log(line) });
});
