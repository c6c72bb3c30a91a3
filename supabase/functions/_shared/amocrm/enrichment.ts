// Completes minimal webhooks (no price, no custom fields, no time) and settles time-less deletes
// by reading the deals through API v4 and applying them through the same SQL path as webhooks.
// Runs after the webhook reply, and in every reconciliation.
import { jsonb, type Sql } from "../database.ts";
import { AmocrmApiError, type AmocrmClient } from "./api-client.ts";

export interface EnrichmentResult {
  enriched: number;
  missing: number;
  error: string | null;
}

export async function enrichDeals(deps: {
  sql: Sql;
  client: AmocrmClient;
  dealIds: readonly number[];
  log?: (line: string) => void;
}): Promise<EnrichmentResult> {
  const result: EnrichmentResult = { enriched: 0, missing: 0, error: null };
  for (const id of deps.dealIds) {
    try {
      const found = await deps.client.getLead(id);
      if (!found) {
        // amoCRM has no such deal any more (deleted): that answer settles a time-less delete.
        await deps.sql`select voronka.amocrm_apply_api_missing(${[id]}::bigint[], ${new Date()})`;
        result.missing++;
        continue;
      }
      await deps.sql`select voronka.amocrm_apply_api_leads(${jsonb(deps.sql, [found.lead])}, ${found.readAt})`;
      result.enriched++;
    } catch (error) {
      result.error = (error as Error).message;
      deps.log?.(`amoCRM enrichment of deal ${id} failed: ${result.error}`);
      // A token or account problem will fail every deal: stop; reconciliation retries later.
      if (error instanceof AmocrmApiError && error.isFatal) break;
    }
  }
  return result;
}
