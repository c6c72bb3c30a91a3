// Re-processes stored webhooks: after a parser fix, a new field mapping, product rule or lead
// pipeline. The raw body is parsed again with today's parser and applied through the same SQL
// function as on receipt. Idempotent: observations are a set, so replaying twice, or replaying
// events that were already processed, changes nothing beyond what the new rules imply.
import { jsonb, type Sql } from "../database.ts";
import { parseFormBody } from "./form-body.ts";

export interface ReplayFilter {
  /** Only events whose processing failed (stored unprocessed). */
  failedOnly?: boolean;
  fromId?: number;
  toId?: number;
  /** Received at or after / before these instants. */
  since?: Date;
  until?: Date;
}

export interface ReplayResult {
  events: number;
  processed: number;
  ignored: number;
  failed: number;
  needsEnrichment: number[];
}

export async function replayAmocrmEvents(deps: {
  sql: Sql;
  filter: ReplayFilter;
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
}): Promise<ReplayResult> {
  const { sql, filter } = deps;
  const where = sql`
    where (${!filter.failedOnly} or e.status = 'failed')
      and (${filter.fromId ?? null}::bigint is null or e.id >= ${filter.fromId ?? null})
      and (${filter.toId ?? null}::bigint is null or e.id <= ${filter.toId ?? null})
      and (${filter.since ?? null}::timestamptz is null or e.received_at >= ${filter.since ?? null})
      and (${filter.until ?? null}::timestamptz is null or e.received_at < ${filter.until ?? null})`;
  const [{ total }] = await sql<
    { total: number }[]
  >`select count(*)::int as total from inbox.amocrm_webhook_event as e ${where}`;
  const result: ReplayResult = { events: 0, processed: 0, ignored: 0, failed: 0, needsEnrichment: [] };
  let lastId = 0;
  // In id order (receipt order), in batches; each event in its own transaction like on receipt.
  for (;;) {
    const batch = await sql<{ id: string; body: string }[]>`
      select e.id, e.body from inbox.amocrm_webhook_event as e ${where} and e.id > ${lastId}
      order by e.id limit ${deps.batchSize ?? 200}`;
    if (batch.length === 0) break;
    for (const event of batch) {
      let payload: unknown = null;
      let parseError: string | null = null;
      try {
        payload = parseFormBody(event.body);
      } catch (error) {
        parseError = `unparseable body: ${(error as Error).message}`;
      }
      // A payload of null (unparseable, or the JSON `null`) is sent as SQL NULL: postgres.js passes a null
      // parameter as NULL whatever its type.
      const parsed = jsonb(sql, payload);
      const [{ outcome }] = await sql<{ outcome: { status: string; needs_enrichment: number[] } }[]>`
        select voronka.amocrm_reprocess_webhook_event(${event.id}, ${parsed}, ${parseError}) as outcome`;
      result.events++;
      if (outcome.status === "processed") result.processed++;
      else if (outcome.status === "ignored") result.ignored++;
      else result.failed++;
      result.needsEnrichment.push(...outcome.needs_enrichment);
      lastId = Number(event.id);
    }
    deps.onProgress?.(result.events, total);
  }
  result.needsEnrichment = [...new Set(result.needsEnrichment)].sort((a, b) => a - b);
  return result;
}
