// The one check of a caller's shared secret, for every function that takes one: the landing
// (lead-capture), amoCRM (amocrm-webhook) and the scheduler (facebook-sync, amocrm-reconcile).
import { errorResponse } from "./http.ts";

/** Where a caller may put the secret: `Authorization: Bearer <secret>`, or `?secret=` in the URL. */
export type SecretPlace = "bearer" | "query";

export interface SecretCheck {
  /** The configured secret; null or empty: nothing can be authenticated. */
  secret: string | null;
  /** The variable that holds it, named in the answers (e.g. LEAD_CAPTURE_SECRET). */
  setting: string;
  /** Where the secret is looked for, in this order. */
  places: readonly SecretPlace[];
}

/**
 * Null when the request carries the configured secret; otherwise the answer to send: 503
 * `not_configured` when no secret is set (the sender retries once it is), 401 `unauthorized` when
 * it is missing or wrong. Compared in constant time.
 */
export function authorize(request: Request, check: SecretCheck): Response | null {
  if (!check.secret) return errorResponse("not_configured", `${check.setting} is not set for this function.`);
  for (const place of check.places) {
    if (secretsEqual(givenSecret(request, place), check.secret)) return null;
  }
  const how = check.places.map((p) => (p === "bearer" ? "Authorization: Bearer <secret>" : "?secret=")).join(" or ");
  return errorResponse("unauthorized", `Missing or wrong secret (${check.setting}; send it as ${how}).`);
}

function givenSecret(request: Request, place: SecretPlace): string | null {
  if (place === "query") return new URL(request.url).searchParams.get("secret");
  return (
    // Stryker disable next-line MethodExpression: the Fetch API's Headers already strip a value's leading and trailing whitespace
    request.headers
      .get("authorization")
      ?.match(/^Bearer\s+(.+)$/i)?.[1]
      ?.trim() ?? null
  );
}

/** Constant-time comparison of two secrets (no early exit on the first differing byte). */
export function secretsEqual(given: string | null | undefined, expected: string): boolean {
  const encoder = new TextEncoder();
  const a = encoder.encode(given ?? "");
  const b = encoder.encode(expected);
  // Stryker disable next-line MethodExpression: with lengths that differ, diff is already non-zero from the length xor below
  const length = Math.max(a.length, b.length);
  let diff = a.length ^ b.length;
  for (let i = 0; i < length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0 && b.length > 0;
}
