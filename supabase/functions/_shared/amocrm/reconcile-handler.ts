// POST /functions/v1/amocrm-reconcile with `Authorization: Bearer $AMOCRM_RECONCILE_SECRET`:
// what pg_cron (through pg_net) and the local stack's timer call every few minutes.
import { authorize } from "../authorize.ts";
import type { Sql } from "../database.ts";
import { errorResponse, failureResponse, type Handler, json } from "../http.ts";
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
    if (request.method !== "POST") return errorResponse("method_not_allowed", "Use POST.");
    const refused = authorize(request, {
      secret: deps.config.reconcileSecret,
      setting: "AMOCRM_RECONCILE_SECRET",
      places: ["bearer"],
    });
    if (refused) return refused;
    const problem = apiConfigProblem(deps.config);
    if (problem || !deps.amocrmClient) {
      return errorResponse("not_configured", `amoCRM API is not configured: ${problem ?? "no client"}.`);
    }
    // One run at a time per instance: a slow run and the next tick must not page twice.
    if (running) return errorResponse("already_running", "A run is in progress.");
    const client = deps.amocrmClient;
    running = (async () => {
      try {
        const result = await runAmocrmReconciliation({ sql: deps.sql, client, log: deps.log });
        return json(result.ok ? 200 : 502, result);
      } catch (error) {
        return failureResponse(error, {
          log,
          context: "amocrm-reconcile: run failed",
          unavailableMessage: "The database cannot be reached; the next scheduled run resumes from the checkpoint.",
        });
      }
    })();
    try {
      return await running;
    } finally {
      running = null;
    }
  };
}
