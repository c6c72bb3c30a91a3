// POST /functions/v1/facebook-sync: one sync run, authenticated by a shared secret
// (Authorization: Bearer <FB_SYNC_SECRET>, compared in constant time). Answers when the run ends
// (within its budget) with the run's summary.
import { authorize } from "../authorize.ts";
import type { Sql } from "../database.ts";
import { errorResponse, failureResponse, type Handler, json } from "../http.ts";
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
      return errorResponse("method_not_allowed", "POST to start a Facebook sync run");
    }
    const refused = authorize(request, {
      secret: deps.config.syncSecret,
      setting: "FB_SYNC_SECRET",
      places: ["bearer"],
    });
    if (refused) return refused;
    const missing = missingFacebookSettings(deps.config);
    if (missing.length) {
      return errorResponse("not_configured", `The Facebook sync is not configured: set ${missing.join(", ")}.`);
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
        return errorResponse("already_running", "Another Facebook sync run is still running; try again later.");
      }
      return json(summary.status === "failed" ? 502 : 200, summary);
    } catch (error) {
      // Graph errors end up in the summary; what reaches here is the run record's database work.
      // The token never reaches the log: the error is logged with secrets redacted.
      const secrets = [deps.config.accessToken, deps.config.appSecret];
      const redacted = Object.assign(new Error(redact(String((error as Error)?.message ?? error), secrets)), {
        code: (error as { code?: string })?.code,
        name: (error as Error)?.name ?? "Error",
      });
      return failureResponse(redacted, {
        log,
        context: "facebook-sync: the run could not be recorded",
        unavailableMessage: "The sync could not reach the database; the next scheduled run resumes.",
        logUnavailable: true,
      });
    }
  };
}
