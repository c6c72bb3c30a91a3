// Entry point (Deno): configuration from the environment, everything else in _shared/amocrm.
import { createAmocrmClient } from "../_shared/amocrm/api-client.ts";
import { amocrmConfigFromEnv, apiConfigProblem } from "../_shared/amocrm/config.ts";
import { createAmocrmReconcileHandler } from "../_shared/amocrm/reconcile-handler.ts";
import { connectDatabase } from "../_shared/database.ts";
import { withInternalErrors } from "../_shared/http.ts";
import { keepServingOnUncaughtErrors } from "../_shared/process-guard.ts";
import { endPoolOnTermination } from "../_shared/shutdown.ts";

keepServingOnUncaughtErrors("amocrm-reconcile");

const config = amocrmConfigFromEnv(Deno.env.toObject());
const sql = connectDatabase(Deno.env.get("SUPABASE_DB_URL") ?? "", { max: 2, connectTimeoutSeconds: 5 });
endPoolOnTermination(sql);
const amocrmClient = apiConfigProblem(config)
  ? null
  : createAmocrmClient({ baseUrl: config.baseUrl!, accessToken: config.accessToken! });

export default {
  fetch: withInternalErrors(
    createAmocrmReconcileHandler({ sql, config, amocrmClient, log: (line) => console.log(line) }),
    "amocrm-reconcile",
  ),
};
