// The one catalogue of error codes every function answers with, and the HTTP status of each.
// One code per meaning: a receiver never invents its own name for "wrong secret" or "too big".
// The codes of HTTP-level refusals are the status's own reason phrase (method_not_allowed,
// payload_too_large, …), so a sender's log reads the same whichever function refused it.
export const ERROR_STATUS = {
  /** A body the server could not read (the connection broke mid-body). */
  unreadable_body: 400,
  /** lead-capture: the submission is not valid (details.issues says why; the request is kept). */
  invalid_submission: 400,
  /** Missing or wrong secret. */
  unauthorized: 401,
  /** amoCRM: an authenticated body that names another amoCRM account. */
  wrong_account: 401,
  method_not_allowed: 405,
  /** The body was not received within the body deadline (the sender retries). */
  request_timeout: 408,
  /** A scheduled run is already in progress. */
  already_running: 409,
  /** The body is larger than the function accepts. */
  payload_too_large: 413,
  unsupported_media_type: 415,
  /** A bug or an unexpected database error: the detail is in the log under correlation_id. */
  internal_error: 500,
  /** A setting the function needs is unset or malformed: the operator must act, a retry may succeed later. */
  not_configured: 503,
  /** Nothing was stored: the database is unreachable or too slow. Retry-After says when to try again. */
  database_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

// Network errors of the driver, and Postgres SQLSTATEs for "server going away / not accepting".
const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "57P01",
  "57P02",
  "57P03",
  "53300",
  "08000",
  "08001",
  "08003",
  "08006",
  // statement_timeout (or our cancel at the request deadline): the statement was rolled back.
  "57014",
  // _shared/deadline.ts: the request deadline passed before the database answered.
  "DEADLINE_EXCEEDED",
]);

/** True for errors meaning the database could not be reached (answer 503: retry later). */
export function isDatabaseUnavailable(error: unknown): boolean {
  const e = error as { code?: string; errno?: string; name?: string } | null;
  if (!e) return false;
  if (UNAVAILABLE_CODES.has(e.code ?? "") || UNAVAILABLE_CODES.has(e.errno ?? "")) return true;
  // Deno reports a refused connection as a ConnectionRefused error without a code.
  return e.name === "ConnectionRefused" || e.name === "ConnectionReset";
}
