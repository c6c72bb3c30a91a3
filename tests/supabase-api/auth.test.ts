// The local Auth stand-in against GoTrue's documented behaviour, through supabase-js: password
// sign-in (token response and claims), refresh-token rotation (new app_metadata after a refresh,
// a used token refused), getUser, sign-out, and GoTrue's two error formats.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD, DEMO_USERS } from "../../scripts/local/demo-users.ts";
import { LOCAL_JWT_SECRET, verifyJwt } from "../../scripts/local/supabase-api/jwt.ts";
import { serveSupabaseApi, type SupabaseApiServer } from "../../scripts/local/supabase-api/server.ts";
import { testPort } from "../support/ports.ts";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";
import { claimsOf, supabaseClient } from "./support.ts";

let db: TestDatabase;
let api: SupabaseApiServer;

beforeAll(async () => {
  db = await createTestDatabase();
  api = await serveSupabaseApi({
    databaseUrl: db.url,
    jwtSecret: LOCAL_JWT_SECRET,
    dashboardDir: "/nonexistent",
    port: testPort("authApi"),
    jwtExpirySeconds: 600,
  });
});

afterAll(async () => {
  await api?.stop();
  await db?.drop();
});

const traf4 = DEMO_USERS.find((u) => u.email.startsWith("traf4"))!;

function token(body: unknown, grant: string, headers: Record<string, string> = {}) {
  return fetch(`${api.url}/auth/v1/token?grant_type=${grant}`, {
    method: "POST",
    headers: { apikey: api.anonKey, "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

describe("Auth: email and password", () => {
  it("signs in with GoTrue's token response, an HS256 access token with the user's app_metadata", async () => {
    const before = Date.now() / 1000;
    const response = await token({ email: traf4.email, password: DEMO_PASSWORD }, "password");
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({ token_type: "bearer", expires_in: 600, refresh_token: expect.any(String) });
    expect(body.expires_at).toBeGreaterThanOrEqual(Math.floor(before) + 600);
    expect(body.user).toMatchObject({ id: traf4.id, email: traf4.email, aud: "authenticated", role: "authenticated" });
    expect(body.user.app_metadata).toEqual({ provider: "email", providers: ["email"], teams: ["traf4"] });
    const verified = verifyJwt(body.access_token, LOCAL_JWT_SECRET);
    expect(verified.ok).toBe(true);
    expect(claimsOf(body.access_token)).toMatchObject({
      sub: traf4.id,
      role: "authenticated",
      aud: "authenticated",
      email: traf4.email,
      iss: `${api.url}/auth/v1`,
      app_metadata: { teams: ["traf4"] },
      aal: "aal1",
      session_id: expect.any(String),
    });
    expect(verifyJwt(body.access_token, "a-different-secret-of-at-least-32-chars").ok).toBe(false);
  });

  it("stores bcrypt hashes, never the password", async () => {
    const rows = await db.sql`select encrypted_password from auth.users`;
    expect(rows.length).toBe(DEMO_USERS.length);
    for (const { encrypted_password } of rows) {
      expect(encrypted_password).toMatch(/^\$2[aby]\$10\$/);
      expect(encrypted_password).not.toContain(DEMO_PASSWORD);
    }
  });

  it("answers a wrong password or unknown email with 400 invalid_credentials, in both error formats", async () => {
    const client = supabaseClient(api.url, api.anonKey);
    for (const [email, password] of [
      [traf4.email, "wrong"],
      ["nobody@voronka.local", DEMO_PASSWORD],
    ]) {
      const { data, error } = await client.auth.signInWithPassword({ email, password });
      expect(data.session).toBeNull();
      expect([error?.status, error?.code, error?.message]).toEqual([
        400,
        "invalid_credentials",
        "Invalid login credentials",
      ]);
    }
    const modern = await token({ email: traf4.email, password: "x" }, "password", {
      "x-supabase-api-version": "2024-01-01",
    });
    expect(modern.headers.get("x-supabase-api-version")).toBe("2024-01-01");
    expect(await modern.json()).toEqual({ code: "invalid_credentials", message: "Invalid login credentials" });
    const legacy = await token({ email: traf4.email, password: "x" }, "password");
    expect(await legacy.json()).toEqual({
      code: 400,
      error_code: "invalid_credentials",
      msg: "Invalid login credentials",
    });
    const garbage = await token("{", "password");
    expect([garbage.status, (await garbage.json()).error_code]).toEqual([400, "bad_json"]);
    const empty = await token({}, "password");
    expect([empty.status, (await empty.json()).error_code]).toEqual([400, "validation_failed"]);
    const grant = await token({}, "magic");
    expect(grant.status).toBe(400);
    const noKey = await fetch(`${api.url}/auth/v1/token?grant_type=password`, { method: "POST", body: "{}" });
    expect(noKey.status).toBe(401);
  });

  it("refreshes with a rotated refresh token; the new access token carries app_metadata changed meanwhile", async () => {
    const client = supabaseClient(api.url, api.anonKey);
    const { data } = await client.auth.signInWithPassword({ email: traf4.email, password: DEMO_PASSWORD });
    const first = data.session!;
    await db.sql`update auth.users set raw_app_meta_data = raw_app_meta_data || '{"teams": ["traf4", "nurlan"]}'
                 where id = ${traf4.id}`;
    const refreshed = await client.auth.refreshSession();
    expect(refreshed.error).toBeNull();
    const second = refreshed.data.session!;
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(claimsOf(second.access_token).app_metadata.teams).toEqual(["traf4", "nurlan"]);
    expect(claimsOf(second.access_token).session_id).toBe(claimsOf(first.access_token).session_id);

    const reused = await token({ refresh_token: first.refresh_token }, "refresh_token");
    expect([reused.status, (await reused.json()).error_code]).toEqual([400, "refresh_token_already_used"]);
    const unknown = await token({ refresh_token: "nope" }, "refresh_token");
    expect([unknown.status, (await unknown.json()).error_code]).toEqual([400, "refresh_token_not_found"]);
  });

  it("getUser reads the user behind the token; sign-out revokes the session's refresh tokens", async () => {
    const client = supabaseClient(api.url, api.anonKey);
    const { data } = await client.auth.signInWithPassword({ email: traf4.email, password: DEMO_PASSWORD });
    const user = await client.auth.getUser();
    expect(user.data.user?.id).toBe(traf4.id);
    const noToken = await fetch(`${api.url}/auth/v1/user`, { headers: { apikey: api.anonKey } });
    expect(noToken.status).toBe(401);

    expect((await client.auth.signOut()).error).toBeNull();
    const after = await token({ refresh_token: data.session!.refresh_token }, "refresh_token");
    expect(after.status).toBe(400);
  });
});
