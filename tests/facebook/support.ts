// Shared set-up of the Facebook tests: a fake Graph API on an ephemeral port, the sync's config
// pointing at it, and a clock pinned to a chosen instant (but still moving, so budgets work).
import { FACEBOOK_DEFAULTS, type FacebookSyncConfig } from "../../supabase/functions/_shared/facebook/config.ts";
import { runFacebookSync, type SyncDeps } from "../../supabase/functions/_shared/facebook/sync.ts";
import type { RunSummary } from "../../supabase/functions/_shared/facebook/run-record.ts";
import { type FakeGraph } from "../../scripts/fakes/facebook-graph/server.ts";
import type { Sql } from "../support/test-database.ts";

export const TOKEN = "EAAtestTOKENsecret123456789";
export const APP_SECRET = "app-secret-for-tests";

export function testConfig(fake: FakeGraph, overrides: Partial<FacebookSyncConfig> = {}): FacebookSyncConfig {
  return {
    ...FACEBOOK_DEFAULTS,
    syncSecret: "sync-secret",
    accessToken: TOKEN,
    graphUrl: fake.url,
    backfillDays: 5,
    chunkDays: 3,
    pageSize: 4,
    retryBaseMs: 5,
    maxThrottleDelayMs: 50,
    ...overrides,
  };
}

/** A clock that reads `iso` now and advances in real time. */
export function clockAt(iso: string): () => number {
  const offset = Date.parse(iso) - Date.now();
  return () => Date.now() + offset;
}

export async function sync(
  sql: Sql,
  config: FacebookSyncConfig,
  options: Partial<SyncDeps> & { lines?: string[] } = {},
): Promise<RunSummary> {
  const lines = options.lines ?? [];
  const summary = await runFacebookSync({
    sql,
    config,
    now: options.now,
    log: (line) => lines.push(line),
    trigger: "test",
    ...options,
  });
  if ("already_running" in summary) throw new Error("another run is running");
  return summary;
}

export async function insightRows(sql: Sql, accountId?: string) {
  return sql<
    {
      ad_id: string;
      date_start: string;
      spend: string;
      impressions: string;
      clicks: string;
      ad_name: string;
      currency: string;
    }[]
  >`
    select ad_id, date_start::text, spend::text, impressions::text, clicks::text, ad_name, currency
    from voronka.fb_ad_insight
    where ${accountId ?? null}::text is null or ad_account_id = ${accountId ?? null}
    order by ad_account_id, date_start, ad_id`;
}
