// POST /functions/v1/lead-capture — a ProfTest submission from the landing page.
// Authenticated by LEAD_CAPTURE_SECRET (Authorization: Bearer, or ?secret= for form services
// that only take a URL). The raw body is stored first; a valid submission becomes a lead in the
// same transaction; an invalid one is kept as rejected and answered 400 with what is wrong.
import type { Sql } from "../database.ts";
import { withDeadline } from "../deadline.ts";
import {
  databaseUnavailable,
  errorResponse,
  type Handler,
  isDatabaseUnavailable,
  json,
  secretsEqual,
} from "../http.ts";
import { BodyTooLargeError, readBodyWithLimit } from "../request-body.ts";
import { parseSubmission } from "./submission.ts";

export interface LeadCaptureConfig {
  secret: string;
  maxBodyBytes?: number;
  /** Deadline of the storing transaction, ms (default 1500; see _shared/deadline.ts). */
  deadlineMs?: number;
}

const ACCEPTED_TYPES = ["application/json", "application/x-www-form-urlencoded"];

export function createLeadCaptureHandler(deps: { sql: Sql; config: LeadCaptureConfig; now?: () => Date }): Handler {
  const maxBytes = deps.config.maxBodyBytes ?? 64 * 1024;
  const now = deps.now ?? (() => new Date());

  return async (request) => {
    if (request.method !== "POST") {
      return errorResponse(405, "method_not_allowed", "Send submissions with POST.");
    }
    if (!deps.config.secret) {
      return errorResponse(500, "not_configured", "LEAD_CAPTURE_SECRET is not set for this function.");
    }
    const url = new URL(request.url);
    const bearer = request.headers.get("authorization")?.match(/^Bearer\s+(.+)$/i)?.[1];
    if (!secretsEqual(bearer ?? url.searchParams.get("secret"), deps.config.secret)) {
      return errorResponse(
        401,
        "unauthorized",
        "Missing or wrong secret (Authorization: Bearer <secret> or ?secret=).",
      );
    }
    const contentType = (request.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
    if (!ACCEPTED_TYPES.includes(contentType)) {
      return errorResponse(415, "unsupported_media_type", `Send ${ACCEPTED_TYPES.join(" or ")}, not "${contentType}".`);
    }
    let bytes: Uint8Array;
    try {
      bytes = await readBodyWithLimit(request, maxBytes);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        return errorResponse(413, "body_too_large", `The body is larger than ${maxBytes} bytes.`);
      }
      return errorResponse(400, "unreadable_body", `The body could not be read: ${(error as Error).message}`);
    }
    const body = new TextDecoder().decode(bytes).replaceAll("\u0000", "\uFFFD");

    let fields: unknown;
    let parseError: string | undefined;
    if (contentType === "application/json") {
      try {
        fields = JSON.parse(body);
      } catch (error) {
        parseError = `The body is not valid JSON: ${(error as Error).message}`;
      }
    } else {
      fields = Object.fromEntries(new URLSearchParams(body));
    }
    const parsed = parseError
      ? ({ ok: false, issues: [{ path: "(body)", message: parseError }] } as const)
      : parseSubmission(fields, now());

    try {
      const outcome = await withDeadline(
        deps.sql.begin(async (tx) => {
          const [event] = await tx`
          insert into inbox.lead_capture_event (content_type, user_agent, body)
          values (${request.headers.get("content-type")}, ${request.headers.get("user-agent")}, ${body})
          returning id`;
          if (!parsed.ok) {
            await tx`
            update inbox.lead_capture_event set status = 'rejected', error = ${tx.json(parsed.issues as never)}, processed_at = now()
            where id = ${event.id}`;
            return { eventId: event.id as string };
          }
          const [lead] = await tx`
          select lead_id, created from voronka.record_proftest_lead(${event.id}, ${tx.json(parsed.submission as never)})`;
          return { eventId: event.id as string, leadId: lead.lead_id as string, created: lead.created as boolean };
        }),
        deps.config.deadlineMs,
      );
      if (!parsed.ok) {
        return errorResponse(
          400,
          "invalid_submission",
          "The submission is not valid; nothing was recorded as a lead.",
          {
            issues: parsed.issues,
            event_id: Number(outcome.eventId),
          },
        );
      }
      return json(outcome.created ? 201 : 200, {
        status: outcome.created ? "recorded" : "duplicate",
        lead_id: Number(outcome.leadId),
        event_id: Number(outcome.eventId),
      });
    } catch (error) {
      if (isDatabaseUnavailable(error)) {
        return databaseUnavailable("The submission could not be stored; send it again later.");
      }
      return errorResponse(500, "internal_error", `The submission could not be stored: ${(error as Error).message}`);
    }
  };
}
