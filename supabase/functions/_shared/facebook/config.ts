// Configuration of the Facebook sync, read from an environment map (Deno.env in the function,
// process.env in the CLI and tests). Only the entry files touch the real environment.
import { ConfigError, type Env, httpUrl, positiveInteger, text } from "../config.ts";

export { ConfigError };

export interface FacebookSyncConfig {
  /** Shared secret the caller sends as `Authorization: Bearer <secret>`; null: unset (503). */
  syncSecret: string | null;
  /** System-user access token of the Business Manager. Never logged, never stored. Null: unset (503). */
  accessToken: string | null;
  /** When set, every Graph call carries appsecret_proof = HMAC-SHA256(token, app secret). */
  appSecret?: string;
  graphVersion: string;
  graphUrl: string;
  /** Wall-clock budget of one run; it stops (status partial) and the next run resumes. */
  budgetMs: number;
  /** Days read on an account's first sync (ending today in its zone, inclusive). */
  backfillDays: number;
  /** Days re-read before the checkpoint on every run (attribution keeps changing them). */
  lookbackDays: number;
  /** Days per insights request (a range is split into chunks; each chunk is checkpointed). */
  chunkDays: number;
  /** `limit` of each insights request. */
  pageSize: number;
  /** Accounts synced at the same time. */
  concurrency: number;
  requestTimeoutMs: number;
  /** Retries of a transient error (code 1/2, is_transient, 5xx, network) per request. */
  maxRetries: number;
  retryBaseMs: number;
  /** Usage (any x-*-usage percentage) at which requests are slowed down... */
  slowdownAtPct: number;
  /** ...and at which the account is stopped for this run. */
  stopAtPct: number;
  maxThrottleDelayMs: number;
}

export const FACEBOOK_DEFAULTS = {
  graphVersion: "v26.0",
  graphUrl: "https://graph.facebook.com",
  budgetMs: 100_000,
  backfillDays: 90,
  lookbackDays: 28,
  chunkDays: 10,
  pageSize: 500,
  concurrency: 4,
  requestTimeoutMs: 30_000,
  maxRetries: 4,
  retryBaseMs: 1_000,
  slowdownAtPct: 75,
  stopAtPct: 95,
  maxThrottleDelayMs: 10_000,
} as const;

/** FB_* settings (see ../config.ts: unset is null or the default, malformed throws ConfigError). */
export function readFacebookConfig(env: Env): FacebookSyncConfig {
  const version = text(env, "FB_GRAPH_VERSION") ?? FACEBOOK_DEFAULTS.graphVersion;
  if (!/^v\d+\.\d+$/.test(version)) throw new ConfigError(`FB_GRAPH_VERSION must look like v26.0, got "${version}"`);
  return {
    syncSecret: text(env, "FB_SYNC_SECRET"),
    accessToken: text(env, "FB_ACCESS_TOKEN"),
    appSecret: text(env, "FB_APP_SECRET") ?? undefined,
    graphVersion: version,
    graphUrl: httpUrl(env, "FB_GRAPH_URL", FACEBOOK_DEFAULTS.graphUrl)!,
    budgetMs: positiveInteger(env, "FB_SYNC_BUDGET_SECONDS", FACEBOOK_DEFAULTS.budgetMs / 1000, 3600) * 1000,
    backfillDays: positiveInteger(env, "FB_SYNC_BACKFILL_DAYS", FACEBOOK_DEFAULTS.backfillDays, 1100),
    lookbackDays: positiveInteger(env, "FB_SYNC_LOOKBACK_DAYS", FACEBOOK_DEFAULTS.lookbackDays, 400),
    chunkDays: positiveInteger(env, "FB_SYNC_CHUNK_DAYS", FACEBOOK_DEFAULTS.chunkDays, 90),
    pageSize: positiveInteger(env, "FB_SYNC_PAGE_SIZE", FACEBOOK_DEFAULTS.pageSize, 5000),
    concurrency: positiveInteger(env, "FB_SYNC_CONCURRENCY", FACEBOOK_DEFAULTS.concurrency, 50),
    requestTimeoutMs: FACEBOOK_DEFAULTS.requestTimeoutMs,
    maxRetries: positiveInteger(env, "FB_SYNC_MAX_RETRIES", FACEBOOK_DEFAULTS.maxRetries, 20),
    retryBaseMs: positiveInteger(env, "FB_SYNC_RETRY_BASE_MS", FACEBOOK_DEFAULTS.retryBaseMs, 60_000),
    slowdownAtPct: FACEBOOK_DEFAULTS.slowdownAtPct,
    stopAtPct: FACEBOOK_DEFAULTS.stopAtPct,
    maxThrottleDelayMs: FACEBOOK_DEFAULTS.maxThrottleDelayMs,
  };
}

/** Names of required settings that are empty. */
export function missingFacebookSettings(config: FacebookSyncConfig): string[] {
  const missing: string[] = [];
  if (!config.accessToken) missing.push("FB_ACCESS_TOKEN");
  if (!config.syncSecret) missing.push("FB_SYNC_SECRET");
  return missing;
}
