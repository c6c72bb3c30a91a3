// Entry point (Deno): configuration from the environment, everything else in _shared/amocrm.
import { createAmocrmClient } from "../_shared/amocrm/api-client.ts";
import { amocrmConfigFromEnv, apiConfigProblem } from "../_shared/amocrm/config.ts";
import { createAmocrmWebhookHandler } from "../_shared/amocrm/webhook-handler.ts";
import { connectDatabase } from "../_shared/database.ts";
import { withInternalErrors } from "../_shared/http.ts";
import { databaseTimeoutsFromEnv } from "../_shared/deadline.ts";
import { keepServingOnUncaughtErrors } from "../_shared/process-guard.ts";
import { endPoolOnTermination } from "../_shared/shutdown.ts";

keepServingOnUncaughtErrors("amocrm-webhook");

const config = amocrmConfigFromEnv(Deno.env.toObject());
const timeouts = databaseTimeoutsFromEnv(Deno.env.toObject());
const sql = connectDatabase(Deno.env.get("SUPABASE_DB_URL") ?? "", {
  max: 5,
  statementTimeoutMs: timeouts.statementTimeoutMs,
});
endPoolOnTermination(sql);
const amocrmClient = apiConfigProblem(config)
  ? null
  : createAmocrmClient({ baseUrl: config.baseUrl!, accessToken: config.accessToken! });

// Supabase's edge runtime keeps a worker alive for promises handed to waitUntil; `deno serve`
// keeps running anyway.
const runtime = (globalThis as { EdgeRuntime?: { waitUntil(p: Promise<unknown>): void } }).EdgeRuntime;
const defer = (work: Promise<unknown>) => {
  const guarded = work.catch((error) => console.error(`amocrm-webhook: deferred work failed: ${error}`));
  runtime?.waitUntil(guarded);
};

export default {
  fetch: withInternalErrors(
    createAmocrmWebhookHandler({ sql, config, amocrmClient, defer, deadlineMs: timeouts.deadlineMs }),
    "amocrm-webhook",
  ),
};
