// The local stack's stand-in for pg_cron: calls the served amocrm-reconcile function every few
// minutes when amoCRM is configured, and says clearly once when it is not.
import { amocrmConfigFromEnv, apiConfigProblem } from "../../supabase/functions/_shared/amocrm/config.ts";

export const DEFAULT_RECONCILE_INTERVAL_SECONDS = 300;

export function startAmocrmReconcileTimer(opts: {
  functionsUrl: string;
  env: Record<string, string>;
  log: (line: string) => void;
}): { stop(): void } {
  const config = amocrmConfigFromEnv(opts.env);
  const problem = apiConfigProblem(config) ?? (config.reconcileSecret ? null : "AMOCRM_RECONCILE_SECRET is not set");
  if (problem) {
    opts.log(
      `amoCRM reconciliation: off (${problem}). Set AMOCRM_ACCESS_TOKEN, AMOCRM_SUBDOMAIN or AMOCRM_BASE_URL, ` +
        `and AMOCRM_RECONCILE_SECRET in supabase/functions/.env to recover missed webhooks every ` +
        `${DEFAULT_RECONCILE_INTERVAL_SECONDS / 60} min (npm run fake:amocrm for a local fake API).`,
    );
    return { stop() {} };
  }
  const seconds = Number(opts.env.AMOCRM_RECONCILE_INTERVAL_SECONDS ?? DEFAULT_RECONCILE_INTERVAL_SECONDS);
  const intervalMs = Math.max(Number.isFinite(seconds) ? seconds : DEFAULT_RECONCILE_INTERVAL_SECONDS, 10) * 1000;
  let busy = false;
  let stopped = false;

  const tick = async () => {
    if (busy || stopped) return;
    busy = true;
    try {
      const response = await fetch(`${opts.functionsUrl}/amocrm-reconcile`, {
        method: "POST",
        headers: { authorization: `Bearer ${config.reconcileSecret}`, "content-type": "application/json" },
        body: "{}",
        signal: AbortSignal.timeout(10 * 60_000),
      });
      const body = (await response.json().catch(() => ({}))) as Record<string, any>;
      if (response.ok) {
        opts.log(`amoCRM reconciliation: ${body.pages} page(s), ${body.deals} deal(s) since ${body.from}`);
      } else {
        opts.log(
          `amoCRM reconciliation failed (${response.status}): ${body.error?.message ?? body.error ?? "unknown error"}`,
        );
      }
    } catch (error) {
      opts.log(
        `amoCRM reconciliation: could not call ${opts.functionsUrl}/amocrm-reconcile: ${(error as Error).message}`,
      );
    } finally {
      busy = false;
    }
  };

  opts.log(
    `amoCRM reconciliation: every ${intervalMs / 1000} s through ${opts.functionsUrl}/amocrm-reconcile (${config.baseUrl})`,
  );
  const first = setTimeout(() => void tick(), 5_000);
  const timer = setInterval(() => void tick(), intervalMs);
  first.unref?.();
  timer.unref?.();
  return {
    stop() {
      stopped = true;
      clearTimeout(first);
      clearInterval(timer);
    },
  };
}
