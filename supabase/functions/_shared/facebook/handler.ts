// POST /functions/v1/facebook-sync: one sync run, authenticated by a shared secret
// (Authorization: Bearer <FB_SYNC_SECRET>, compared in constant time). Answers when the run ends
// (within its budget) with the run's summary.
import type { Sql } from "../database.ts";
import { errorResponse, type Handler, json, secretsEqual } from "../http.ts";
import { type FacebookSyncConfig, missingFacebookSettings } from "./config.ts";
import { redact } from "./graph-errors.ts";
import { runFacebookSync } from "./sync.ts";

export interface FacebookSyncHandlerDeps {
  sql: Sql;
  config: FacebookSyncConfig;
  fetch?: typeof fetch;
  clock?: { now: () => number; sleep?: (ms: number) => Promise<void> };
  log?: (line: string) => void;
}

export function createFacebookSyncHandler(deps: FacebookSyncHandlerDeps): Handler {
  const log = deps.log ?? ((line: string) => console.log(line));
  return async (request) => {
    if (request.method !== "POST") {
      return errorResponse(405, "method_not_allowed", "POST to start a Facebook sync run");
    }
    const missing = missingFacebookSettings(deps.config);
    if (!deps.config.syncSecret) {
      return errorResponse(503, "not_configured", "The Facebook sync is not configured: set FB_SYNC_SECRET.");
    }
    const authorization = request.headers.get("authorization") ?? "";
    const given = authorization.match(/^Bearer\s+(.+)$/i)?.[1]?.trim();
    if (!secretsEqual(given, deps.config.syncSecret)) {
      return errorResponse(401, "unauthorized", "Send Authorization: Bearer <FB_SYNC_SECRET>.");
    }
    if (missing.length) {
      return errorResponse(503, "not_configured", `The Facebook sync is not configured: set ${missing.join(", ")}.`);
    }
    let trigger = "http";
    try {
      const body = (await request.json()) as { trigger?: unknown };
      if (typeof body?.trigger === "string" && /^[a-z0-9_-]{1,20}$/.test(body.trigger)) trigger = body.trigger;
    } catch {
      // An empty or non-JSON body is fine: the trigger is informational.
    }
    try {
      const summary = await runFacebookSync({
        sql: deps.sql,
        config: deps.config,
        fetch: deps.fetch,
        now: deps.clock?.now,
        sleep: deps.clock?.sleep,
        log,
        trigger,
      });
      if ("already_running" in summary) {
        return errorResponse(409, "already_running", "Another Facebook sync run is still running; try again later.");
      }
      return json(summary.status === "failed" ? 502 : 200, summary);
    } catch (error) {
      const message = redact(error instanceof Error ? error.message : String(error), [
        deps.config.accessToken,
        deps.config.appSecret,
      ]);
      log(`facebook-sync: run could not be recorded: ${message}`);
      return errorResponse(503, "database_unavailable", `The sync could not reach the database: ${message}`);
    }
  };
}
