// POST /functions/v1/lead-capture — a ProfTest submission from the landing page.
// Authenticated by LEAD_CAPTURE_SECRET (Authorization: Bearer, or ?secret= for form services
// that only take a URL). The raw body is stored first, in its own statement (committed whatever
// happens next); then a valid submission becomes a lead, and an invalid one is kept as rejected
// and answered 400 with what is wrong. Nothing a client sends can make it answer 500.
import type { Sql } from "../database.ts";
import { DEFAULT_DEADLINE_MS, withDeadline } from "../deadline.ts";
import {
  databaseUnavailable,
  errorResponse,
  type Handler,
  internalError,
  isDatabaseUnavailable,
  json,
  secretsEqual,
} from "../http.ts";
import { BodyTimeoutError, BodyTooLargeError, readBodyWithLimit } from "../request-body.ts";
import { jsonNestingDepth, MAX_JSON_DEPTH, parseSubmission, storableText, type ValidationIssue } from "./submission.ts";

export interface LeadCaptureConfig {
  secret: string;
  maxBodyBytes?: number;
  /** Time allowed to receive the whole body (408 after it); default 10 s. */
  bodyTimeoutMs?: number;
  /** Deadline of the database work of one request, ms (default 1500; see _shared/deadline.ts). */
  deadlineMs?: number;
}

const ACCEPTED_TYPES = ["application/json", "application/x-www-form-urlencoded"];
// The fields record_proftest_lead reads: the rest of the body stays in the raw inbox only.
const LEAD_FIELDS = [
  "submission_id",
  "occurred_at",
  "utm_source",
  "utm_medium",
  "utm_campaign",
  "utm_content",
  "utm_term",
  // Hashed in SQL (voronka.link_lead_person) to identify the person; only the raw inbox keeps them.
  "phone",
  "email",
] as const;

export function createLeadCaptureHandler(deps: {
  sql: Sql;
  config: LeadCaptureConfig;
  now?: () => Date;
  log?: (line: string) => void;
}): Handler {
  const maxBytes = deps.config.maxBodyBytes ?? 64 * 1024;
  const now = deps.now ?? (() => new Date());
  const log = deps.log ?? ((line: string) => console.error(line));
  const { sql } = deps;

  const unavailable = () => databaseUnavailable("The submission could not be stored; send it again later.");

  return async (request) => {
    if (request.method !== "POST") {
      return errorResponse(405, "method_not_allowed", "Send submissions with POST.");
    }
    if (!deps.config.secret) {
      return errorResponse(503, "not_configured", "LEAD_CAPTURE_SECRET is not set for this function.");
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
      return errorResponse(
        415,
        "unsupported_media_type",
        `Send ${ACCEPTED_TYPES.join(" or ")}, not ${JSON.stringify(contentType)}.`,
      );
    }
    let bytes: Uint8Array;
    try {
      bytes = await readBodyWithLimit(request, maxBytes, { timeoutMs: deps.config.bodyTimeoutMs });
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        return errorResponse(413, "body_too_large", `The body is larger than ${maxBytes} bytes.`);
      }
      if (error instanceof BodyTimeoutError) {
        return errorResponse(408, "request_timeout", `The body was not received in time: ${error.message}.`);
      }
      return errorResponse(400, "unreadable_body", `The body could not be read: ${(error as Error).message}`);
    }
    // Invalid UTF-8 becomes U+FFFD here; NUL, which text cannot hold, is replaced when stored.
    const body = new TextDecoder().decode(bytes);

    // One deadline for the request's database work (amoCRM-style senders wait about 2 s).
    const deadlineAt = Date.now() + (deps.config.deadlineMs ?? DEFAULT_DEADLINE_MS);
    const inTime = <T>(work: PromiseLike<T>) => withDeadline(work, Math.max(1, deadlineAt - Date.now()));

    // 1. The raw request, in its own statement: committed before anything can go wrong with it.
    let eventId: string;
    try {
      const [event] = await inTime(sql`
        insert into inbox.lead_capture_event (content_type, user_agent, body)
        values (${storableText(request.headers.get("content-type") ?? "")},
                ${storableText(request.headers.get("user-agent") ?? "") || null}, ${storableText(body)})
        returning id`);
      eventId = event.id as string;
    } catch (error) {
      if (isDatabaseUnavailable(error)) return unavailable();
      return internalError(log, "lead-capture: storing the raw request failed", error);
    }

    // 2. What it says. Everything Postgres could choke on is an issue here, never a jsonb error.
    const parsed = parseBody(contentType, body, now());
    try {
      if (!parsed.ok) {
        await inTime(sql`
          update inbox.lead_capture_event set status = 'rejected', error = ${sql.json(parsed.issues as never)}, processed_at = now()
          where id = ${eventId}`);
        return errorResponse(
          400,
          "invalid_submission",
          "The submission is not valid; nothing was recorded as a lead.",
          {
            issues: parsed.issues,
            event_id: Number(eventId),
          },
        );
      }
      const lead = Object.fromEntries(LEAD_FIELDS.map((key) => [key, parsed.submission[key] ?? null]));
      const [row] = await inTime(sql`
        select lead_id, created from voronka.record_proftest_lead(${eventId}, ${sql.json(lead as never)})`);
      return json(row.created ? 201 : 200, {
        status: row.created ? "recorded" : "duplicate",
        lead_id: Number(row.lead_id),
        event_id: Number(eventId),
      });
    } catch (error) {
      // The raw request is kept (pending): a retry or a replay can still make it a lead.
      if (isDatabaseUnavailable(error)) return unavailable();
      const correlationId = crypto.randomUUID();
      await sql`
        update inbox.lead_capture_event
           set error = ${sql.json([{ path: "(server)", message: `internal error ${correlationId}` }] as never)}
         where id = ${eventId}`.catch(() => {});
      return internalError(log, `lead-capture: processing event ${eventId} failed`, error, correlationId);
    }
  };
}

function parseBody(
  contentType: string,
  body: string,
  receivedAt: Date,
): ReturnType<typeof parseSubmission> | { ok: false; issues: ValidationIssue[] } {
  if (contentType !== "application/json")
    return parseSubmission(Object.fromEntries(new URLSearchParams(body)), receivedAt);
  // JSON.parse copes with deep nesting, but nothing after it should have to.
  if (jsonNestingDepth(body, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
    return {
      ok: false,
      issues: [{ path: "(body)", message: `The JSON body is nested more than ${MAX_JSON_DEPTH} levels deep.` }],
    };
  }
  let fields: unknown;
  try {
    fields = JSON.parse(body);
  } catch (error) {
    return {
      ok: false,
      issues: [{ path: "(body)", message: storableText(`The body is not valid JSON: ${(error as Error).message}`) }],
    };
  }
  return parseSubmission(fields, receivedAt);
}
