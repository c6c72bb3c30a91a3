// What pg_cron does on hosted Supabase, done by timers in the local stack (plain Postgres has no
// pg_cron): refresh (and nightly rebuild) the analytics, sync Facebook, reconcile amoCRM, apply the raw-data retention.
import type postgres from "postgres";
import { startAmocrmReconcileTimer } from "./amocrm-timer.ts";
import { startFacebookSyncTimer } from "./facebook-timer.ts";

export interface ScheduledJobsOptions {
  sql: postgres.Sql;
  functionsUrl: string;
  env: Record<string, string>;
  log: (line: string) => void;
  refreshEveryMs?: number;
  /** How often voronka.apply_retention() runs (default 6 hours; first run 30 s after start). */
  retentionEveryMs?: number;
}

/** One run of voronka.apply_retention() (pg_cron's daily job on hosted Supabase), logged. */
export async function runRetention(sql: postgres.Sql, log: (line: string) => void): Promise<void> {
  try {
    const [setting] = await sql`select raw_retention::text as retention from voronka.setting`;
    const rows = await sql`select table_name, deleted from voronka.apply_retention()`;
    log(
      setting?.retention
        ? `[retention] deleted raw data older than ${setting.retention}: ` +
            rows.map((r) => `${r.table_name} ${r.deleted}`).join(", ")
        : "[retention] off (voronka.setting.raw_retention is null)",
    );
  } catch (error) {
    log(`[retention] failed: ${(error as Error).message}`);
  }
}

/** One refresh (the days written since the last) or rebuild (every day) of the analytics caches, logged. */
async function runAnalytics(sql: postgres.Sql, log: (line: string) => void, rebuild: boolean): Promise<void> {
  try {
    const [row] = rebuild
      ? await sql`select r.duration_ms, r.days_recomputed from analytics.rebuild_funnel_analytics() as r`
      : await sql`select r.duration_ms, r.days_recomputed from analytics.refresh_funnel_analytics() as r`;
    if (rebuild) log(`[analytics] every day rebuilt in ${row.duration_ms} ms`);
    else if (row.days_recomputed > 0) {
      log(`[analytics] ${row.days_recomputed} changed day(s) recomputed in ${row.duration_ms} ms`);
    }
  } catch (error) {
    log(`[analytics] ${rebuild ? "rebuild" : "refresh"} failed: ${(error as Error).message}`);
  }
}

export function startScheduledJobs(options: ScheduledJobsOptions): () => void {
  const stops: Array<() => void> = [];
  const refresh = setInterval(
    () => void runAnalytics(options.sql, options.log, false),
    options.refreshEveryMs ?? 60_000,
  );
  stops.push(() => clearInterval(refresh));
  options.log(`Analytics: the caches' changed days recomputed every ${(options.refreshEveryMs ?? 60_000) / 1000} s`);
  // pg_cron's nightly rebuild (every day recomputed): once a day while the stack runs.
  const rebuild = setInterval(() => void runAnalytics(options.sql, options.log, true), 24 * 3_600_000);
  rebuild.unref?.();
  stops.push(() => clearInterval(rebuild));
  const retentionEveryMs = options.retentionEveryMs ?? 6 * 3_600_000;
  const firstRetention = setTimeout(() => void runRetention(options.sql, options.log), 30_000);
  const retention = setInterval(() => void runRetention(options.sql, options.log), retentionEveryMs);
  firstRetention.unref?.();
  retention.unref?.();
  stops.push(() => {
    clearTimeout(firstRetention);
    clearInterval(retention);
  });
  options.log(`Retention: voronka.apply_retention() every ${retentionEveryMs / 3_600_000} h`);
  const timerOptions = { functionsUrl: options.functionsUrl, env: options.env, log: options.log };
  stops.push(startFacebookSyncTimer(timerOptions).stop);
  stops.push(startAmocrmReconcileTimer(timerOptions).stop);
  stops.push(() => void options.sql.end({ timeout: 1 }));
  return () => stops.forEach((stop) => stop());
}
