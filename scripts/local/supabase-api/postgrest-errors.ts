// PostgREST's error answers: the body `{code, details, hint, message}` and the HTTP status it gives
// each PostgreSQL SQLSTATE (docs: PostgREST "Errors", HTTP Status Codes) or its own PGRST code.

export interface PostgrestErrorBody {
  code: string;
  details: string | null;
  hint: string | null;
  message: string;
}

export function postgrestError(
  status: number,
  body: PostgrestErrorBody,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });
}

/** PostgREST's own errors (PGRSTxxx). */
export function pgrst(
  status: number,
  code: string,
  message: string,
  details: string | null = null,
  hint: string | null = null,
) {
  return postgrestError(status, { code, details, hint, message });
}

/** The status PostgREST answers a database error with; `anonymous` decides 401 vs 403 for 42501. */
export function statusForSqlState(code: string, anonymous: boolean): number {
  if (code === "42501") return anonymous ? 401 : 403;
  const exact: Record<string, number> = {
    "23503": 409,
    "23505": 409,
    "25006": 405,
    "53400": 500,
    P0001: 400,
    "42883": 404,
    "42P01": 404,
    "42P17": 500,
  };
  if (exact[code]) return exact[code];
  if (/^PT\d{3}$/.test(code)) return Number(code.slice(2));
  const byClass: Record<string, number> = {
    "08": 503,
    "09": 500,
    "0L": 403,
    "0P": 403,
    "25": 500,
    "28": 403,
    "2D": 500,
    "38": 500,
    "39": 500,
    "3B": 500,
    "40": 500,
    "53": 503,
    "54": 500,
    "55": 500,
    "57": 500,
    "58": 500,
    F0: 500,
    HV: 500,
    P0: 500,
    XX: 500,
  };
  return byClass[code.slice(0, 2)] ?? 400;
}

interface DatabaseError {
  code?: string;
  message?: string;
  detail?: string;
  hint?: string;
}

/** A database error as PostgREST forwards it. Errors without a SQLSTATE (connection lost) are 503 PGRST000-like. */
export function fromDatabaseError(error: unknown, anonymous: boolean): Response {
  const e = (error ?? {}) as DatabaseError;
  const code = e.code ?? "";
  if (!/^[0-9A-Z]{5}$/.test(code)) {
    return pgrst(503, "PGRST000", "Could not connect to the database", e.message ?? String(error));
  }
  return postgrestError(statusForSqlState(code, anonymous), {
    code,
    details: e.detail ?? null,
    hint: e.hint ?? null,
    message: e.message ?? "",
  });
}
