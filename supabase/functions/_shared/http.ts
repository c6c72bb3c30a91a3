// How every function answers: JSON bodies, `{"error": {"code", "message"}}` for every non-2xx with
// the status the catalogue (errors.ts) gives its code, and one mapping of a failure to 503 or 500.
import { ERROR_STATUS, type ErrorCode, isDatabaseUnavailable } from "./errors.ts";

export type Handler = (request: Request) => Promise<Response>;
export type Log = (line: string) => void;

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });
}

/** `{"error": {"code", "message"}}` with the catalogue's status for `code`. */
export function errorResponse(
  code: ErrorCode,
  message: string,
  details?: unknown,
  headers: Record<string, string> = {},
): Response {
  // JSON leaves out `details: undefined`: errors without details have no such key.
  return json(ERROR_STATUS[code], { error: { code, message, details } }, headers);
}

/**
 * The one way to answer 500: the detail (often a Postgres message) goes to the log with a
 * correlation id; the client gets only the id, never the error text.
 */
export function internalError(
  log: Log,
  context: string,
  error: unknown,
  correlationId: string = crypto.randomUUID(),
): Response {
  const detail = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
  log(`${context}: internal error ${correlationId}: ${detail}`);
  return json(ERROR_STATUS.internal_error, {
    error: {
      code: "internal_error",
      message: "Something went wrong on the server; it has been logged. Quote the correlation id when reporting it.",
      correlation_id: correlationId,
    },
  });
}

/** 503 `database_unavailable` with Retry-After: nothing was stored, send the request again later. */
export function databaseUnavailable(message: string, retryAfterSeconds = 5): Response {
  return errorResponse("database_unavailable", message, undefined, { "retry-after": String(retryAfterSeconds) });
}

/**
 * What every function answers when its database work threw: 503 when the database is down or too
 * slow (nothing stored, retry), otherwise 500 with a correlation id (a bug or an unexpected
 * database error; the detail only in the log).
 */
export function failureResponse(
  error: unknown,
  options: {
    log: Log;
    context: string;
    unavailableMessage: string;
    /** Log the 503's cause too (receivers do not: under an outage every request would log). */
    logUnavailable?: boolean;
  },
): Response {
  if (isDatabaseUnavailable(error)) {
    if (options.logUnavailable) {
      // Stryker disable next-line OptionalChaining: isDatabaseUnavailable is false for null and undefined: error is never nullish here
      options.log(`${options.context}: database unavailable: ${(error as Error)?.message ?? String(error)}`);
    }
    return databaseUnavailable(options.unavailableMessage);
  }
  return internalError(options.log, options.context, error);
}

/** Wraps a handler so that anything it throws becomes internalError (no default 500 page or stack). */
export function withInternalErrors(
  handler: Handler,
  context: string,
  log: Log = (line) => console.error(line),
): Handler {
  return async (request) => {
    try {
      return await handler(request);
    } catch (error) {
      return internalError(log, context, error);
    }
  };
}
