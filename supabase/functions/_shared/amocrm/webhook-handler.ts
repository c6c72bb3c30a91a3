// POST /functions/v1/amocrm-webhook?secret=...: amoCRM's account webhooks.
//
// amoCRM waits 2 s, treats any 1xx/2xx as delivered, retries anything else (5 min, 15 min, 15 min,
// 1 h) and disables a hook after 100 failures in 2 hours. So: refuse (401/413/415) only what
// must never be stored, answer 503 only when the request could not be stored (then a retry is
// what we want), and acknowledge with 2xx everything stored, even when it could not be processed
// (a malformed body does not improve on retry; `npm run amocrm:replay` re-processes it).
import { authorize } from "../authorize.ts";
import { jsonb, type Sql } from "../database.ts";
import { withDeadline } from "../deadline.ts";
import { errorResponse, failureResponse, type Handler, json } from "../http.ts";
import { accountMismatch } from "./account-check.ts";
import type { AmocrmClient } from "./api-client.ts";
import type { AmocrmConfig } from "./config.ts";
import { enrichDeals } from "./enrichment.ts";
import { type FormObject, parseFormBody } from "./form-body.ts";
import { BodyTimeoutError, BodyTooLargeError, readBodyWithLimit } from "../request-body.ts";

export interface AmocrmWebhookDeps {
  sql: Sql;
  config: AmocrmConfig;
  /** API client for enrichment of minimal payloads; absent = deals stay marked for reconciliation. */
  amocrmClient?: AmocrmClient | null;
  /** Keeps work alive after the reply (EdgeRuntime.waitUntil on Supabase). Default: fire and forget. */
  defer?: (work: Promise<unknown>) => void;
  log?: (line: string) => void;
  /** Deadline of the storing call, ms (default 1500; see _shared/deadline.ts). */
  deadlineMs?: number;
}

export interface ReceiveResult {
  event_id: number;
  status: "processed" | "ignored" | "failed";
  error: string | null;
  deals_applied: number;
  needs_enrichment: number[];
  duplicate: boolean;
}

const FORM_TYPE = "application/x-www-form-urlencoded";

export function createAmocrmWebhookHandler(deps: AmocrmWebhookDeps): Handler {
  const log = deps.log ?? ((line: string) => console.error(line));
  const defer = deps.defer ?? ((work: Promise<unknown>) => void work.catch((e) => log(`deferred work failed: ${e}`)));

  return async (request) => {
    if (request.method !== "POST") {
      return errorResponse("method_not_allowed", "amoCRM webhooks are POST requests.");
    }
    const { config } = deps;
    // Unset secret: 503, so amoCRM retries once it is configured.
    const refused = authorize(request, {
      secret: config.webhookSecret,
      setting: "AMOCRM_WEBHOOK_SECRET",
      places: ["query"],
    });
    if (refused) return refused;
    const contentType = request.headers.get("content-type");
    if ((contentType ?? "").split(";")[0].trim().toLowerCase() !== FORM_TYPE) {
      return errorResponse(
        "unsupported_media_type",
        `amoCRM webhooks are ${FORM_TYPE}, not ${contentType ?? "(none)"}.`,
      );
    }
    let bytes: Uint8Array;
    try {
      bytes = await readBodyWithLimit(request, config.maxBodyBytes, { timeoutMs: config.bodyTimeoutMs });
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        return errorResponse("payload_too_large", `The body exceeds ${config.maxBodyBytes} bytes.`);
      }
      if (error instanceof BodyTimeoutError) {
        // amoCRM retries: the next delivery may arrive whole.
        return errorResponse("request_timeout", `The body was not received in time: ${error.message}.`);
      }
      return errorResponse("unreadable_body", `The body could not be read: ${(error as Error).message}`);
    }
    const body = new TextDecoder().decode(bytes);

    let payload: FormObject | null = null;
    let parseError: string | null = null;
    try {
      payload = parseFormBody(body);
    } catch (error) {
      parseError = `unparseable body: ${(error as Error).message}`;
    }
    const mismatch = payload ? accountMismatch(payload, config) : null;
    if (mismatch) return errorResponse("wrong_account", mismatch);

    let result: ReceiveResult;
    try {
      // The one SQL call: raw request stored, then processed, in one transaction.
      const [row] = await withDeadline(
        deps.sql<{ result: ReceiveResult }[]>`
        select voronka.amocrm_receive_webhook(
          ${body.replaceAll("\u0000", "\uFFFD")}, ${contentType}, ${request.headers.get("x-amocrm-requestid")},
          ${request.headers.get("user-agent")}, ${payload === null ? null : jsonb(deps.sql, payload)}, ${parseError}
        ) as result`,
        deps.deadlineMs,
      );
      result = row.result;
    } catch (error) {
      return failureResponse(error, {
        log,
        context: "amocrm-webhook: storing failed",
        unavailableMessage: "The event could not be stored; amoCRM will retry.",
      });
    }

    if (result.needs_enrichment.length > 0 && deps.amocrmClient) {
      // After the reply: amoCRM's 2 s are for storing, not for calling its API back.
      defer(enrichDeals({ sql: deps.sql, client: deps.amocrmClient, dealIds: result.needs_enrichment, log }));
    }
    return json(200, {
      ok: true,
      stored: true,
      event_id: result.event_id,
      status: result.status,
      processed: result.status === "processed",
      duplicate: result.duplicate,
      deals_applied: result.deals_applied,
      needs_enrichment: result.needs_enrichment,
      ...(result.status === "failed"
        ? { message: `Stored unprocessed: ${result.error}`, error: result.error }
        : result.status === "ignored"
          ? { message: "Stored; no deals in this event (acknowledged, not processed)." }
          : {}),
    });
  };
}
