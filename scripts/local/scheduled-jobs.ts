// What pg_cron does on hosted Supabase, done by timers in the local stack (plain Postgres has no
// pg_cron): refresh the analytics, sync Facebook, reconcile amoCRM.
import type postgres from "postgres";
import { startAmocrmReconcileTimer } from "./amocrm-timer.ts";
import { startFacebookSyncTimer } from "./facebook-timer.ts";

export interface ScheduledJobsOptions {
  sql: postgres.Sql;
  functionsUrl: string;
  env: Record<string, string>;
  log: (line: string) => void;
  refreshEveryMs?: number;
}

export function startScheduledJobs(options: ScheduledJobsOptions): () => void {
  const stops: Array<() => void> = [];
  const refresh = setInterval(async () => {
    try {
      const [row] = await options.sql`select (analytics.refresh_funnel_analytics()).duration_ms`;
      options.log(`[analytics] funnel_analytics refreshed in ${row.duration_ms} ms`);
    } catch (error) {
      options.log(`[analytics] refresh failed: ${(error as Error).message}`);
    }
  }, options.refreshEveryMs ?? 60_000);
  stops.push(() => clearInterval(refresh));
  options.log(`Analytics: funnel_analytics refreshed every ${(options.refreshEveryMs ?? 60_000) / 1000} s`);
  const timerOptions = { functionsUrl: options.functionsUrl, env: options.env, log: options.log };
  stops.push(startFacebookSyncTimer(timerOptions).stop);
  stops.push(startAmocrmReconcileTimer(timerOptions).stop);
  stops.push(() => void options.sql.end({ timeout: 1 }));
  return () => stops.forEach((stop) => stop());
}
