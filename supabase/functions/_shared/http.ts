// Small helpers every handler uses to answer in JSON with a clear error shape.

export type Handler = (request: Request) => Promise<Response>;

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });
}

/** `{"error": {"code", "message"}}`: what every non-2xx answer looks like. */
export function errorResponse(status: number, code: string, message: string, details?: unknown): Response {
  return json(status, { error: { code, message, ...(details === undefined ? {} : { details }) } });
}

/** Constant-time comparison of two secrets (no early exit on the first differing byte). */
export function secretsEqual(given: string | null | undefined, expected: string): boolean {
  const encoder = new TextEncoder();
  const a = encoder.encode(given ?? "");
  const b = encoder.encode(expected);
  const length = Math.max(a.length, b.length);
  let diff = a.length ^ b.length;
  for (let i = 0; i < length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0 && b.length > 0;
}

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

/**
 * The one way to answer 500: the detail (often a Postgres message) goes to the log with a
 * correlation id; the client gets only the id, never the error text.
 */
export function internalError(
  log: (line: string) => void,
  context: string,
  error: unknown,
  correlationId: string = crypto.randomUUID(),
): Response {
  const detail = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
  log(`${context}: internal error ${correlationId}: ${detail}`);
  return json(500, {
    error: {
      code: "internal_error",
      message: "Something went wrong on the server; it has been logged. Quote the correlation id when reporting it.",
      correlation_id: correlationId,
    },
  });
}

/** Wraps a handler so that anything it throws becomes internalError (no default 500 page or stack). */
export function withInternalErrors(
  handler: Handler,
  context: string,
  log: (line: string) => void = (line) => console.error(line),
): Handler {
  return async (request) => {
    try {
      return await handler(request);
    } catch (error) {
      return internalError(log, context, error);
    }
  };
}

/** 503 `database_unavailable` with Retry-After: nothing was stored, send the request again later. */
export function databaseUnavailable(message: string, retryAfterSeconds = 5): Response {
  return json(503, { error: { code: "database_unavailable", message } }, { "retry-after": String(retryAfterSeconds) });
}
