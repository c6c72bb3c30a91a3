// The local stack's stand-in for pg_cron: calls the served amocrm-reconcile function every few
// minutes when amoCRM is configured, and says clearly once when it is not.
import {
  type AmocrmConfig,
  apiConfigProblem,
  readAmocrmConfig,
} from "../../supabase/functions/_shared/amocrm/config.ts";
import { ConfigError } from "../../supabase/functions/_shared/config.ts";
import { disabledTimer, intervalFromEnv, startFunctionTimer, type Timer } from "./function-timer.ts";

export const DEFAULT_RECONCILE_INTERVAL_SECONDS = 300;

export function startAmocrmReconcileTimer(opts: {
  functionsUrl: string;
  env: Record<string, string>;
  log: (line: string) => void;
}): Timer {
  let config: AmocrmConfig;
  try {
    config = readAmocrmConfig(opts.env);
  } catch (error) {
    // The served function answers 503 not_configured with the same message.
    if (!(error instanceof ConfigError)) throw error;
    return disabledTimer(opts.log, `amoCRM reconciliation: off (${error.message}).`);
  }
  const problem = apiConfigProblem(config) ?? (config.reconcileSecret ? null : "AMOCRM_RECONCILE_SECRET is not set");
  if (problem) {
    return disabledTimer(
      opts.log,
      `amoCRM reconciliation: off (${problem}). Set AMOCRM_ACCESS_TOKEN, AMOCRM_SUBDOMAIN or AMOCRM_BASE_URL, ` +
        `and AMOCRM_RECONCILE_SECRET in supabase/functions/.env to recover missed webhooks every ` +
        `${DEFAULT_RECONCILE_INTERVAL_SECONDS / 60} min (npm run fake:amocrm for a local fake API).`,
    );
  }
  return startFunctionTimer({
    label: "amoCRM reconciliation",
    url: `${opts.functionsUrl}/amocrm-reconcile`,
    secret: config.reconcileSecret!,
    intervalSeconds: intervalFromEnv(opts.env.AMOCRM_RECONCILE_INTERVAL_SECONDS, DEFAULT_RECONCILE_INTERVAL_SECONDS),
    log: opts.log,
    describe: (status, body) =>
      status >= 200 && status < 300
        ? `amoCRM reconciliation: ${body.pages} page(s), ${body.deals} deal(s) since ${body.from}`
        : `amoCRM reconciliation failed (${status}): ${body.error?.message ?? body.error ?? "unknown error"}`,
  });
}
