// Reconciliation: amoCRM sometimes loses status webhooks, so a scheduled job pages through the
// deals updated since its checkpoint (GET /api/v4/leads, updated_at ascending) and applies them
// through the same SQL path. Each page is applied with its checkpoint in one transaction, so an
// interrupted run resumes where it stopped. Deals still waiting for enrichment are read too.
import { jsonb, type Sql } from "../database.ts";
import { isDatabaseUnavailable } from "../errors.ts";
import type { AmocrmClient } from "./api-client.ts";
import { enrichDeals } from "./enrichment.ts";

export interface ReconcileResult {
  ok: boolean;
  from: string;
  pages: number;
  deals: number;
  enriched: number;
  error: string | null;
}

/** First run: how far back to look (the reports' 30-day window). */
export const INITIAL_LOOKBACK_DAYS = 30;

export async function runAmocrmReconciliation(deps: {
  sql: Sql;
  client: AmocrmClient;
  now?: () => Date;
  log?: (line: string) => void;
  maxPages?: number;
  enrichLimit?: number;
}): Promise<ReconcileResult> {
  const { sql, client } = deps;
  const now = deps.now ?? (() => new Date());
  const [state] = await sql<{ updated_from: Date | null }[]>`
    insert into voronka.amocrm_sync_state as s (id, last_started_at, last_status, last_error)
    values (true, now(), 'running', null)
    on conflict (id) do update set last_started_at = now(), last_status = 'running', last_error = null, updated_at = now()
    returning s.updated_from`;
  const from = state.updated_from ?? new Date(now().getTime() - INITIAL_LOOKBACK_DAYS * 86_400_000);
  const result: ReconcileResult = { ok: true, from: from.toISOString(), pages: 0, deals: 0, enriched: 0, error: null };
  try {
    for await (const page of client.leadsUpdatedSince(from)) {
      await sql`select voronka.amocrm_apply_reconcile_page(${jsonb(sql, page.leads)}, ${page.readAt})`;
      result.pages++;
      result.deals += page.leads.length;
      if (deps.maxPages && result.pages >= deps.maxPages) break;
    }
    const pending = await sql<{ id: string }[]>`
      select d.id from voronka.amocrm_deal as d where d.needs_enrichment order by d.id limit ${deps.enrichLimit ?? 100}`;
    // None pending: enrichDeals reads nothing and reports nothing.
    const enrichment = await enrichDeals({ sql, client, dealIds: pending.map((r) => Number(r.id)), log: deps.log });
    result.enriched = enrichment.enriched;
    if (enrichment.error) throw new Error(enrichment.error);
  } catch (error) {
    // Recorded for the operator; data of the failed page is untouched (its transaction rolled back).
    if (isDatabaseUnavailable(error)) throw error;
    result.ok = false;
    result.error = (error as Error).message;
  }
  await sql`
    update voronka.amocrm_sync_state
       set last_finished_at = now(), last_status = ${result.ok ? "ok" : "error"}, last_error = ${result.error},
           last_pages = ${result.pages}, last_deals = ${result.deals}, updated_at = now()
     where id`;
  deps.log?.(
    `amoCRM reconciliation ${result.ok ? "ok" : "stopped"}: ${result.pages} page(s), ${result.deals} deal(s) since ${result.from}` +
      (result.enriched ? `, ${result.enriched} enriched` : "") +
      (result.error ? `: ${result.error}` : ""),
  );
  return result;
}
