// The fb_sync_run record of a run: opened before any Graph call, closed with its summary.
import { jsonb, type Sql } from "../database.ts";

export interface RunSummary {
  run_id: number | null;
  status: "succeeded" | "partial" | "failed";
  message: string;
  started_at: string;
  duration_ms: number;
  accounts_total: number;
  accounts_done: number;
  accounts_throttled: number;
  accounts_failed: number;
  accounts_budget: number;
  rows_read: number;
  rows_upserted: number;
  requests: number;
  discovery?: {
    businesses: number;
    accounts: number;
    new_accounts: number;
    hidden_accounts: number;
    complete: boolean;
  };
  errors: unknown[];
  accounts: unknown[];
}

/** Opens a run; null when another run is still running. */
export async function startRun(sql: Sql, trigger: string, staleAfterMs: number): Promise<number | null> {
  const [row] = await sql`
    select voronka.start_fb_sync_run(${trigger}, make_interval(secs => ${staleAfterMs / 1000})) as id`;
  return row.id === null ? null : Number(row.id);
}

export async function finishRun(sql: Sql, runId: number, summary: RunSummary): Promise<void> {
  await sql`select voronka.finish_fb_sync_run(${runId}, ${jsonb(sql, summary)})`;
}
