// POST /functions/v1/amocrm-reconcile with `Authorization: Bearer $AMOCRM_RECONCILE_SECRET`:
// what pg_cron (through pg_net) and the local stack's timer call every few minutes.
import type { Sql } from "../database.ts";
import { errorResponse, type Handler, internalError, isDatabaseUnavailable, json, secretsEqual } from "../http.ts";
import type { AmocrmClient } from "./api-client.ts";
import { type AmocrmConfig, apiConfigProblem } from "./config.ts";
import { runAmocrmReconciliation } from "./reconcile.ts";

export function createAmocrmReconcileHandler(deps: {
  sql: Sql;
  config: AmocrmConfig;
  amocrmClient: AmocrmClient | null;
  log?: (line: string) => void;
}): Handler {
  const log = deps.log ?? ((line: string) => console.error(line));
  let running: Promise<Response> | null = null;
  return async (request) => {
    if (request.method !== "POST") return errorResponse(405, "method_not_allowed", "Use POST.");
    if (!deps.config.reconcileSecret) {
      return errorResponse(503, "not_configured", "AMOCRM_RECONCILE_SECRET is not set on the server.");
    }
    const token = (request.headers.get("authorization") ?? "").replace(/^Bearer\s+/i, "");
    if (!secretsEqual(token, deps.config.reconcileSecret)) {
      return errorResponse(401, "bad_secret", "Missing or wrong bearer secret.");
    }
    const problem = apiConfigProblem(deps.config);
    if (problem || !deps.amocrmClient) {
      return errorResponse(503, "not_configured", `amoCRM API is not configured: ${problem ?? "no client"}.`);
    }
    // One run at a time per instance: a slow run and the next tick must not page twice.
    if (running) return json(409, { ok: false, error: { code: "already_running", message: "A run is in progress." } });
    const client = deps.amocrmClient;
    running = (async () => {
      try {
        const result = await runAmocrmReconciliation({ sql: deps.sql, client, log: deps.log });
        return json(result.ok ? 200 : 502, result);
      } catch (error) {
        if (isDatabaseUnavailable(error)) return errorResponse(503, "database_unavailable", (error as Error).message);
        return internalError(log, "amocrm-reconcile: run failed", error);
      }
    })();
    try {
      return await running;
    } finally {
      running = null;
    }
  };
}
