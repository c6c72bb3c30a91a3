// POST /functions/v1/lead-capture — a ProfTest submission from the landing page.
// Authenticated by LEAD_CAPTURE_SECRET (Authorization: Bearer, or ?secret= for form services
// that only take a URL). The body is validated here (zod), then one SQL call,
// voronka.lead_capture_receive, stores the raw request and, in the same transaction, records the
// lead — or keeps the request as rejected, answered 400 with what is wrong. Nothing a client
// sends can make it answer 500.
import { authorize } from "../authorize.ts";
import { jsonb, type Sql } from "../database.ts";
import { withDeadline } from "../deadline.ts";
import { errorResponse, failureResponse, type Handler, internalError, json, type Log } from "../http.ts";
import { BodyTimeoutError, BodyTooLargeError, readBodyWithLimit } from "../request-body.ts";
import { DEFAULT_MAX_BODY_BYTES, type LeadCaptureConfig } from "./config.ts";
import { jsonNestingDepth, MAX_JSON_DEPTH, parseSubmission, storableText, type ValidationIssue } from "./submission.ts";

export type { LeadCaptureConfig } from "./config.ts";

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
  "page_url", // UTM tags the fields lack are read from it in SQL
  // Hashed in SQL (voronka.link_lead_person) to identify the person; only the raw inbox keeps them.
  "phone",
  "email",
] as const;

/** What voronka.lead_capture_receive returns. */
interface ReceiveResult {
  event_id: number;
  outcome: "recorded" | "duplicate" | "rejected" | "failed";
  lead_id?: number;
  /** outcome failed: the id stored on the event (and answered), and the database's text (logged only). */
  correlation_id?: string;
  error?: string;
}

export function createLeadCaptureHandler(deps: {
  sql: Sql;
  config: LeadCaptureConfig;
  now?: () => Date;
  log?: Log;
}): Handler {
  const maxBytes = deps.config.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const now = deps.now ?? (() => new Date());
  const log = deps.log ?? ((line: string) => console.error(line));
  const { sql } = deps;

  return async (request) => {
    if (request.method !== "POST") {
      return errorResponse("method_not_allowed", "Send submissions with POST.");
    }
    const refused = authorize(request, {
      secret: deps.config.secret,
      setting: "LEAD_CAPTURE_SECRET",
      places: ["bearer", "query"],
    });
    if (refused) return refused;
    const contentType = (request.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
    if (!ACCEPTED_TYPES.includes(contentType)) {
      return errorResponse(
        "unsupported_media_type",
        `Send ${ACCEPTED_TYPES.join(" or ")}, not ${JSON.stringify(contentType)}.`,
      );
    }
    let bytes: Uint8Array;
    try {
      bytes = await readBodyWithLimit(request, maxBytes, { timeoutMs: deps.config.bodyTimeoutMs });
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        return errorResponse("payload_too_large", `The body is larger than ${maxBytes} bytes.`);
      }
      if (error instanceof BodyTimeoutError) {
        return errorResponse("request_timeout", `The body was not received in time: ${error.message}.`);
      }
      return errorResponse("unreadable_body", `The body could not be read: ${(error as Error).message}`);
    }
    // Invalid UTF-8 becomes U+FFFD here; NUL, which text cannot hold, is replaced when stored.
    const body = new TextDecoder().decode(bytes);

    // What it says. Everything Postgres could choke on is an issue here, never a jsonb error.
    const parsed = parseBody(contentType, body, now());
    const submission = parsed.ok
      ? Object.fromEntries(LEAD_FIELDS.map((key) => [key, parsed.submission[key] ?? null]))
      : null;

    let result: ReceiveResult;
    try {
      // The one SQL call: the raw request stored and processed in one transaction, within the
      // request's deadline (amoCRM-style senders wait about 2 s).
      const [row] = await withDeadline(
        sql<{ result: ReceiveResult }[]>`
          select voronka.lead_capture_receive(
            ${storableText(body)},
            ${storableText(request.headers.get("content-type") ?? "")},
            ${storableText(request.headers.get("user-agent") ?? "")},
            ${submission === null ? null : jsonb(sql, submission)},
            ${parsed.ok ? null : jsonb(sql, parsed.issues)}
          ) as result`,
        deps.config.deadlineMs,
      );
      result = row.result;
    } catch (error) {
      return failureResponse(error, {
        log,
        context: "lead-capture: storing the request failed",
        unavailableMessage: "The submission could not be stored; send it again later.",
      });
    }

    switch (result.outcome) {
      case "rejected":
        return errorResponse("invalid_submission", "The submission is not valid; nothing was recorded as a lead.", {
          issues: parsed.ok ? [] : parsed.issues,
          event_id: result.event_id,
        });
      case "failed":
        // The raw request is kept (pending, with the correlation id): a replay can still make it a lead.
        return internalError(
          log,
          `lead-capture: processing event ${result.event_id} failed`,
          result.error,
          result.correlation_id,
        );
      default:
        return json(result.outcome === "recorded" ? 201 : 200, {
          status: result.outcome,
          lead_id: result.lead_id,
          event_id: result.event_id,
        });
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
