// HS256 JSON Web Tokens, as Supabase signs them with the project's JWT secret: the local stack's
// API keys (anon, service_role) and the access tokens of the local Auth stand-in. node:crypto only.
import { createHmac, timingSafeEqual } from "node:crypto";

/** The local stack's JWT secret: the same well-known value `supabase start` uses. Never use it hosted. */
export const LOCAL_JWT_SECRET = "super-secret-jwt-token-with-at-least-32-characters-long";

export type JwtClaims = Record<string, unknown> & { role?: unknown; exp?: unknown; sub?: unknown };

export type JwtResult = { ok: true; claims: JwtClaims } | { ok: false; reason: "malformed" | "signature" | "expired" };

const base64url = (data: string | Buffer) => Buffer.from(data).toString("base64url");

export function signJwt(claims: JwtClaims, secret: string): string {
  const head = base64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const body = base64url(JSON.stringify(claims));
  const signature = createHmac("sha256", secret).update(`${head}.${body}`).digest("base64url");
  return `${head}.${body}.${signature}`;
}

/** Verifies signature (HS256 only) and `exp`; `nowSeconds` for tests. */
export function verifyJwt(token: string, secret: string, nowSeconds = Date.now() / 1000): JwtResult {
  const parts = token.split(".");
  if (parts.length !== 3) return { ok: false, reason: "malformed" };
  const [head, body, signature] = parts;
  let header: { alg?: unknown };
  let claims: JwtClaims;
  try {
    header = JSON.parse(Buffer.from(head, "base64url").toString("utf8"));
    claims = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
  } catch {
    return { ok: false, reason: "malformed" };
  }
  if (typeof claims !== "object" || claims === null || Array.isArray(claims)) return { ok: false, reason: "malformed" };
  if (header?.alg !== "HS256") return { ok: false, reason: "signature" };
  const expected = createHmac("sha256", secret).update(`${head}.${body}`).digest();
  const given = Buffer.from(signature, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: "signature" };
  if (claims.exp !== undefined && (typeof claims.exp !== "number" || claims.exp <= nowSeconds)) {
    return { ok: false, reason: "expired" };
  }
  return { ok: true, claims };
}

/** The project's API keys: long-lived JWTs with only a role, like a Supabase project's anon and service_role keys. */
export function apiKeys(secret: string): { anon: string; serviceRole: string } {
  // The claims of `supabase start`'s keys, so with the local secret these are its well-known keys.
  const exp = 1983812996;
  return {
    anon: signJwt({ iss: "supabase-demo", role: "anon", exp }, secret),
    serviceRole: signJwt({ iss: "supabase-demo", role: "service_role", exp }, secret),
  };
}
