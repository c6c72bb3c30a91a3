// The local stand-in for Supabase Auth (GoTrue): the endpoints supabase-js's email/password session
// uses — `POST /auth/v1/token?grant_type=password | refresh_token`, `GET /auth/v1/user`,
// `POST /auth/v1/logout` — over the `auth.users` and `auth.refresh_tokens` tables as hosted Supabase
// keeps them (bcrypt password hashes, `raw_app_meta_data`). Access tokens are HS256 JWTs with
// GoTrue's claims (sub, role "authenticated", app_metadata, session_id…); errors follow GoTrue's
// two formats (API version 2024-01-01: `{code, message}`; before: `{code: status, error_code, msg}`).
import { randomBytes, randomUUID } from "node:crypto";
import type postgres from "postgres";
import { signJwt, verifyJwt } from "./jwt.ts";

export interface AuthConfig {
  /** A pool with rights on the auth schema (GoTrue's own database login). */
  sql: postgres.Sql;
  jwtSecret: string;
  /** The public URL of the gateway (the tokens' `iss` is `<url>/auth/v1`). */
  siteUrl: string;
  /** Access token lifetime (GoTrue's JWT_EXP, Supabase default 3600 s). */
  jwtExpirySeconds?: number;
}

interface UserRow {
  id: string;
  aud: string;
  role: string;
  email: string;
  email_confirmed_at: Date | null;
  last_sign_in_at: Date | null;
  raw_app_meta_data: Record<string, unknown> | null;
  raw_user_meta_data: Record<string, unknown> | null;
  created_at: Date;
  updated_at: Date;
  banned_until: Date | null;
}

const API_VERSION_HEADER = "x-supabase-api-version";

function authError(request: Request, status: number, errorCode: string, message: string): Response {
  const version = request.headers.get(API_VERSION_HEADER) ?? "";
  const modern = /^\d{4}-\d{2}-\d{2}$/.test(version) && version >= "2024-01-01";
  const body = modern ? { code: errorCode, message } : { code: status, error_code: errorCode, msg: message };
  return new Response(JSON.stringify(body), {
    status,
    headers: {
      "content-type": "application/json",
      ...(modern ? { [API_VERSION_HEADER]: "2024-01-01" } : {}),
    },
  });
}

function ok(body: unknown): Response {
  return new Response(JSON.stringify(body), { status: 200, headers: { "content-type": "application/json" } });
}

function userJson(user: UserRow) {
  const iso = (d: Date | null) => (d ? d.toISOString() : undefined);
  return {
    id: user.id,
    aud: user.aud,
    role: user.role,
    email: user.email,
    email_confirmed_at: iso(user.email_confirmed_at),
    phone: "",
    confirmed_at: iso(user.email_confirmed_at),
    last_sign_in_at: iso(user.last_sign_in_at),
    app_metadata: user.raw_app_meta_data ?? {},
    user_metadata: user.raw_user_meta_data ?? {},
    identities: [],
    created_at: iso(user.created_at),
    updated_at: iso(user.updated_at),
    is_anonymous: false,
  };
}

const USER_COLUMNS = `id::text, aud, role, email, email_confirmed_at, last_sign_in_at, raw_app_meta_data,
  raw_user_meta_data, created_at, updated_at, banned_until`;

export function createAuthHandler(config: AuthConfig): (request: Request) => Promise<Response> {
  const { sql } = config;
  const expiry = config.jwtExpirySeconds ?? 3600;
  const issuer = `${config.siteUrl.replace(/\/$/, "")}/auth/v1`;

  async function session(request: Request, user: UserRow, sessionId: string, parent: string | null) {
    const refreshToken = randomBytes(24).toString("base64url");
    await sql`insert into auth.refresh_tokens (token, user_id, parent, session_id)
              values (${refreshToken}, ${user.id}, ${parent}, ${sessionId})`;
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      aud: user.aud,
      exp: now + expiry,
      iat: now,
      iss: issuer,
      sub: user.id,
      email: user.email,
      phone: "",
      app_metadata: user.raw_app_meta_data ?? {},
      user_metadata: user.raw_user_meta_data ?? {},
      role: user.role,
      aal: "aal1",
      amr: [{ method: "password", timestamp: now }],
      session_id: sessionId,
      is_anonymous: false,
    };
    return ok({
      access_token: signJwt(claims, config.jwtSecret),
      token_type: "bearer",
      expires_in: expiry,
      expires_at: now + expiry,
      refresh_token: refreshToken,
      user: userJson(user),
    });
  }

  async function readJson(request: Request): Promise<Record<string, unknown> | Response> {
    const text = await request.text();
    try {
      const body = JSON.parse(text);
      if (typeof body === "object" && body !== null && !Array.isArray(body)) return body;
    } catch {
      // answered below
    }
    return authError(request, 400, "bad_json", "Could not parse request body as JSON");
  }

  async function passwordGrant(request: Request): Promise<Response> {
    const body = await readJson(request);
    if (body instanceof Response) return body;
    const email = typeof body.email === "string" ? body.email.trim() : "";
    const password = typeof body.password === "string" ? body.password : "";
    if (!email || !password) {
      return authError(request, 400, "validation_failed", "An email address and a password are required");
    }
    const [found] = await sql<(UserRow & { password_ok: boolean })[]>`
      select ${sql.unsafe(USER_COLUMNS)},
             coalesce(encrypted_password = extensions.crypt(${password}, encrypted_password), false) as password_ok
      from auth.users where lower(email) = lower(${email}) and deleted_at is null`;
    if (!found || !found.password_ok)
      return authError(request, 400, "invalid_credentials", "Invalid login credentials");
    if (found.banned_until && found.banned_until > new Date())
      return authError(request, 400, "user_banned", "User is banned");
    if (!found.email_confirmed_at) return authError(request, 400, "email_not_confirmed", "Email not confirmed");
    const [user] = await sql<UserRow[]>`
      update auth.users set last_sign_in_at = now() where id = ${found.id}::uuid returning ${sql.unsafe(USER_COLUMNS)}`;
    return session(request, user, randomUUID(), null);
  }

  async function refreshGrant(request: Request): Promise<Response> {
    const body = await readJson(request);
    if (body instanceof Response) return body;
    const token = typeof body.refresh_token === "string" ? body.refresh_token : "";
    if (!token) return authError(request, 400, "validation_failed", "refresh_token required");
    const [old] = await sql<{ user_id: string; session_id: string; revoked: boolean }[]>`
      update auth.refresh_tokens as t set revoked = true, updated_at = now()
      from (select id, revoked from auth.refresh_tokens where token = ${token} for update) as before
      where t.id = before.id
      returning t.user_id, t.session_id::text, before.revoked`;
    if (!old)
      return authError(request, 400, "refresh_token_not_found", "Invalid Refresh Token: Refresh Token Not Found");
    if (old.revoked)
      return authError(request, 400, "refresh_token_already_used", "Invalid Refresh Token: Already Used");
    const [user] = await sql<UserRow[]>`
      select ${sql.unsafe(USER_COLUMNS)} from auth.users where id = ${old.user_id}::uuid and deleted_at is null`;
    if (!user) return authError(request, 400, "user_not_found", "User from sub claim in JWT does not exist");
    return session(request, user, old.session_id, token);
  }

  /** The bearer's claims, or GoTrue's 401/403 answer. */
  function bearer(request: Request): { sub: string; session_id?: string } | Response {
    const match = (request.headers.get("authorization") ?? "").match(/^Bearer\s+(\S+)$/i);
    if (!match) return authError(request, 401, "no_authorization", "This endpoint requires a valid Bearer token");
    const result = verifyJwt(match[1], config.jwtSecret);
    if (!result.ok) {
      const why = result.reason === "expired" ? "token has invalid claims: token is expired" : "signature is invalid";
      return authError(request, 403, "bad_jwt", `invalid JWT: unable to parse or verify signature, ${why}`);
    }
    if (typeof result.claims.sub !== "string")
      return authError(request, 403, "bad_jwt", "invalid claim: missing sub claim");
    return { sub: result.claims.sub, session_id: result.claims.session_id as string | undefined };
  }

  return async (request) => {
    const url = new URL(request.url);
    const path = url.pathname.replace(/^\/auth\/v1/, "");
    if (path === "/token" && request.method === "POST") {
      const grant = url.searchParams.get("grant_type");
      if (grant === "password") return passwordGrant(request);
      if (grant === "refresh_token") return refreshGrant(request);
      return authError(request, 400, "invalid_credentials", "unsupported_grant_type");
    }
    if (path === "/user" && request.method === "GET") {
      const who = bearer(request);
      if (who instanceof Response) return who;
      const [user] = await sql<UserRow[]>`
        select ${sql.unsafe(USER_COLUMNS)} from auth.users where id::text = ${who.sub} and deleted_at is null`;
      if (!user) return authError(request, 403, "user_not_found", "User from sub claim in JWT does not exist");
      return ok(userJson(user));
    }
    if (path === "/logout" && request.method === "POST") {
      const who = bearer(request);
      if (who instanceof Response) return who;
      const scope = url.searchParams.get("scope") ?? "global";
      if (scope === "global") {
        await sql`update auth.refresh_tokens set revoked = true, updated_at = now() where user_id = ${who.sub} and not revoked`;
      } else if (who.session_id) {
        const others = scope === "others";
        await sql`update auth.refresh_tokens set revoked = true, updated_at = now()
                  where user_id = ${who.sub} and not revoked
                    and (case when ${others} then session_id <> ${who.session_id}::uuid else session_id = ${who.session_id}::uuid end)`;
      }
      return new Response(null, { status: 204 });
    }
    return authError(
      request,
      404,
      "not_found",
      `${request.method} ${url.pathname} is not part of the local Auth stand-in`,
    );
  };
}
