// Entry point (Deno): the environment is read here, everything else is in _shared/amocrm.
import { createAmocrmClient } from "../_shared/amocrm/api-client.ts";
import { apiConfigProblem, readAmocrmConfig } from "../_shared/amocrm/config.ts";
import { createAmocrmWebhookHandler } from "../_shared/amocrm/webhook-handler.ts";
import { connectDatabase } from "../_shared/database.ts";
import { readDatabaseTimeouts } from "../_shared/deadline.ts";
import { serveFunction } from "../_shared/entry.ts";
import { keepServingOnUncaughtErrors } from "../_shared/process-guard.ts";
import { endPoolOnTermination } from "../_shared/shutdown.ts";

keepServingOnUncaughtErrors("amocrm-webhook");

// Supabase's edge runtime keeps a worker alive for promises handed to waitUntil; `deno serve`
// keeps running anyway.
const runtime = (globalThis as { EdgeRuntime?: { waitUntil(p: Promise<unknown>): void } }).EdgeRuntime;
const defer = (work: Promise<unknown>) => {
  const guarded = work.catch((error) => console.error(`amocrm-webhook: deferred work failed: ${error}`));
  runtime?.waitUntil(guarded);
};

export default serveFunction("amocrm-webhook", () => {
  const env = Deno.env.toObject();
  const config = readAmocrmConfig(env);
  const timeouts = readDatabaseTimeouts(env);
  const sql = connectDatabase(env.SUPABASE_DB_URL ?? "", { max: 5, statementTimeoutMs: timeouts.statementTimeoutMs });
  endPoolOnTermination(sql);
  const amocrmClient = apiConfigProblem(config)
    ? null
    : createAmocrmClient({ baseUrl: config.baseUrl!, accessToken: config.accessToken! });
  return createAmocrmWebhookHandler({ sql, config, amocrmClient, defer, deadlineMs: timeouts.deadlineMs });
});
