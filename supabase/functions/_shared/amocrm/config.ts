// amoCRM configuration from environment variables (read by the entry files, passed in here, so
// tests build it from a plain object). Secrets only; per-account field mappings are table rows
// (voronka.amocrm_field_mapping).

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
export const DEFAULT_BODY_TIMEOUT_MS = 10_000;

function value(env: Record<string, string | undefined>, name: string): string | null {
  const v = env[name]?.trim();
  return v ? v : null;
}

export function amocrmConfigFromEnv(env: Record<string, string | undefined>): AmocrmConfig {
  const subdomain = value(env, "AMOCRM_SUBDOMAIN");
  const maxBytes = Number(value(env, "AMOCRM_WEBHOOK_MAX_BYTES") ?? DEFAULT_MAX_BODY_BYTES);
  const bodyTimeoutMs = Number(value(env, "AMOCRM_WEBHOOK_BODY_TIMEOUT_MS") ?? DEFAULT_BODY_TIMEOUT_MS);
  return {
    webhookSecret: value(env, "AMOCRM_WEBHOOK_SECRET"),
    subdomain,
    accountId: value(env, "AMOCRM_ACCOUNT_ID"),
    accessToken: value(env, "AMOCRM_ACCESS_TOKEN"),
    baseUrl:
      (value(env, "AMOCRM_BASE_URL") ?? (subdomain ? `https://${subdomain}.amocrm.ru` : null))?.replace(/\/+$/, "") ??
      null,
    reconcileSecret: value(env, "AMOCRM_RECONCILE_SECRET"),
    maxBodyBytes: Number.isFinite(maxBytes) && maxBytes > 0 ? maxBytes : DEFAULT_MAX_BODY_BYTES,
    bodyTimeoutMs: Number.isFinite(bodyTimeoutMs) && bodyTimeoutMs > 0 ? bodyTimeoutMs : DEFAULT_BODY_TIMEOUT_MS,
  };
}

/** Why the API cannot be used with this configuration, or null when it can. */
export function apiConfigProblem(config: AmocrmConfig): string | null {
  if (!config.accessToken) return "AMOCRM_ACCESS_TOKEN is not set";
  if (!config.baseUrl) return "neither AMOCRM_BASE_URL nor AMOCRM_SUBDOMAIN is set";
  return null;
}
