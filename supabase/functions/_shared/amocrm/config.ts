// amoCRM configuration from environment variables (read by the entry files, passed in here, so
// tests build it from a plain object). Secrets only; per-account field mappings are table rows
// (voronka.amocrm_field_mapping).
import { type Env, httpUrl, positiveInteger, text } from "../config.ts";
import { DEFAULT_BODY_TIMEOUT_MS } from "../request-body.ts";

export interface AmocrmConfig {
  /** Secret expected in the webhook URL (`?secret=`). Unset: the receiver refuses everything. */
  webhookSecret: string | null;
  /** Expected `account[subdomain]` (case-insensitive); unset = not checked. */
  subdomain: string | null;
  /** Expected `account[id]` / lead `account_id`; unset = not checked. */
  accountId: string | null;
  /** Long-lived API token for enrichment and reconciliation; unset = both disabled. */
  accessToken: string | null;
  /** API origin: AMOCRM_BASE_URL, else https://<subdomain>.amocrm.ru. */
  baseUrl: string | null;
  /** Bearer secret of the amocrm-reconcile function (pg_cron and the local timer send it). */
  reconcileSecret: string | null;
  /** Largest accepted webhook body in bytes (413 above). */
  maxBodyBytes: number;
  /** Time allowed to receive a whole webhook body (AMOCRM_WEBHOOK_BODY_TIMEOUT_MS; 408 after it). */
  bodyTimeoutMs: number;
}

export const DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024;

/** AMOCRM_* settings (see ../config.ts: unset is null or the default, malformed throws ConfigError). */
export function readAmocrmConfig(env: Env): AmocrmConfig {
  const subdomain = text(env, "AMOCRM_SUBDOMAIN");
  return {
    webhookSecret: text(env, "AMOCRM_WEBHOOK_SECRET"),
    subdomain,
    accountId: text(env, "AMOCRM_ACCOUNT_ID"),
    accessToken: text(env, "AMOCRM_ACCESS_TOKEN"),
    baseUrl: httpUrl(env, "AMOCRM_BASE_URL", subdomain ? `https://${subdomain}.amocrm.ru` : null),
    reconcileSecret: text(env, "AMOCRM_RECONCILE_SECRET"),
    maxBodyBytes: positiveInteger(env, "AMOCRM_WEBHOOK_MAX_BYTES", DEFAULT_MAX_BODY_BYTES),
    bodyTimeoutMs: positiveInteger(env, "AMOCRM_WEBHOOK_BODY_TIMEOUT_MS", DEFAULT_BODY_TIMEOUT_MS, 600_000),
  };
}

/** Why the API cannot be used with this configuration, or null when it can. */
export function apiConfigProblem(config: AmocrmConfig): string | null {
  if (!config.accessToken) return "AMOCRM_ACCESS_TOKEN is not set";
  if (!config.baseUrl) return "neither AMOCRM_BASE_URL nor AMOCRM_SUBDOMAIN is set";
  return null;
}
