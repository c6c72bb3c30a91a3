// The local Data API stand-in against PostgREST's documented behaviour, called through the real
// supabase-js client (and raw fetch where the wire format itself is the point): the JWT decides the
// role (`set local role`, `request.jwt.claims`), functions are called with named arguments, and
// errors come back as {code, details, hint, message} with PostgREST's status for their SQLSTATE.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD, DEMO_USERS } from "../../scripts/local/demo-users.ts";
import { LOCAL_JWT_SECRET, signJwt } from "../../scripts/local/supabase-api/jwt.ts";
import { serveSupabaseApi, type SupabaseApiServer } from "../../scripts/local/supabase-api/server.ts";
import { testPort } from "../support/ports.ts";
import { asApiRole, createTestDatabase, type TestDatabase } from "../support/test-database.ts";
import { claimsOf, supabaseClient } from "./support.ts";

let db: TestDatabase;
let api: SupabaseApiServer;

beforeAll(async () => {
  db = await createTestDatabase({ seed: true });
  api = await serveSupabaseApi({
    databaseUrl: db.url,
    jwtSecret: LOCAL_JWT_SECRET,
    dashboardDir: "/nonexistent",
    port: testPort("dataApi"),
  });
});

afterAll(async () => {
  await api?.stop();
  await db?.drop();
});

const member = DEMO_USERS.find((u) => u.email.startsWith("kenesary"))!;
const admin = DEMO_USERS.find((u) => u.appMetadata.role === "admin")!;

async function signedIn(email: string) {
  const client = supabaseClient(api.url, api.anonKey);
  const { data, error } = await client.auth.signInWithPassword({ email, password: DEMO_PASSWORD });
  expect(error).toBeNull();
  return { client, token: data.session!.access_token };
}

/** funnel_report run in SQL as PostgREST would for these claims: the independent value. */
async function reportInSql(claims: Parameters<typeof asApiRole>[1], team: string | null, days: number) {
  return asApiRole(db.sql, claims, async (tx) => {
    const [row] = await tx`select public.funnel_report(${team}, ${days}) as r`;
    return row.r as Record<string, any>;
  });
}

const withoutClock = (report: Record<string, any>) => {
  const { generated_at: _, ...freshness } = report.freshness;
  return { ...report, freshness };
};

function rpc(
  name: string,
  init: { token?: string; body?: string; method?: string; query?: string; apikey?: string | null },
) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (init.apikey !== null) headers.apikey = init.apikey ?? api.anonKey;
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  return fetch(`${api.url}/rest/v1/rpc/${name}${init.query ?? ""}`, {
    method: init.method ?? "POST",
    headers,
    body: init.method === "GET" ? undefined : (init.body ?? "{}"),
  });
}

describe("supabase.rpc() through the local Data API", () => {
  it("a member's session gets exactly funnel_report as their role and claims get it in SQL", async () => {
    const { client, token } = await signedIn(member.email);
    const claims = claimsOf(token);
    expect(claims).toMatchObject({ role: "authenticated", sub: member.id, app_metadata: { teams: ["kenesary"] } });

    const { data, error, status } = await client.rpc("funnel_report", { p_team: null, p_days: 30 });
    expect(error).toBeNull();
    expect(status).toBe(200);
    const expected = await reportInSql({ role: "authenticated", app_metadata: claims.app_metadata }, null, 30);
    expect(expected.teams).toEqual(["kenesary"]);
    expect(expected.stages[0].spend).toBeGreaterThan(0);
    expect(withoutClock(data as never)).toEqual(withoutClock(expected));
  });

  it("the service_role key sees every team; the anon key is refused as PostgREST refuses anon (401)", async () => {
    const service = supabaseClient(api.url, api.serviceRoleKey);
    const all = await service.rpc("funnel_report", { p_days: 30 });
    expect(all.data?.teams).toEqual(["kenesary", "nurlan", "traf4", "unattributed"]);
    const expected = await reportInSql({ role: "service_role" }, null, 30);
    expect(withoutClock(all.data as never)).toEqual(withoutClock(expected));

    const anon = await supabaseClient(api.url, api.anonKey).rpc("funnel_report", { p_days: 30 });
    expect(anon.status).toBe(401);
    expect(anon.error).toMatchObject({ code: "42501", message: "permission denied for function funnel_report" });
  });

  it("maps SQLSTATEs as PostgREST does: 42501 → 403, 22023 and 22P02 → 400", async () => {
    const { client } = await signedIn(member.email);
    const other = await client.rpc("funnel_report", { p_team: "traf4" });
    expect(other.status).toBe(403);
    expect(other.error).toEqual({ code: "42501", details: null, hint: null, message: 'you may not see team "traf4"' });
    const nobody = await client.rpc("funnel_report", { p_team: "nobody" });
    expect([nobody.status, nobody.error?.message]).toEqual([403, 'you may not see team "nobody"']);

    const days = await client.rpc("funnel_report", { p_days: 0 });
    expect([days.status, days.error?.code, days.error?.message]).toEqual([
      400,
      "22023",
      "p_days must be between 1 and 366, got 0",
    ]);
    const text = await client.rpc("funnel_report", { p_days: "thirty" as never });
    expect([text.status, text.error?.code]).toEqual([400, "22P02"]);

    const { client: adminClient } = await signedIn(admin.email);
    const unknown = await adminClient.rpc("funnel_report", { p_team: "nobody" });
    expect([unknown.status, unknown.error?.code, unknown.error?.message]).toEqual([
      400,
      "22023",
      'unknown team "nobody"',
    ]);
    expect(unknown.error?.hint).toMatch(/p_team is a team id/);
  });

  it("unknown functions and argument names are PGRST202 (404); bad bodies PGRST102 (400); other verbs PGRST101 (405)", async () => {
    const { token } = await signedIn(member.email);
    const missing = await rpc("no_such_function", { token });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({
      code: "PGRST202",
      message: expect.stringContaining("public.no_such_function"),
    });
    const wrongArgument = await rpc("funnel_report", { token, body: '{"p_teams": "kenesary"}' });
    expect(wrongArgument.status).toBe(404);
    expect(await wrongArgument.json()).toMatchObject({
      code: "PGRST202",
      hint: "Perhaps you meant to call the function public.funnel_report",
    });
    for (const body of ["{", "[1]", '"x"', "null"]) {
      const bad = await rpc("funnel_report", { token, body });
      expect(bad.status, body).toBe(400);
      expect((await bad.json()).code, body).toBe("PGRST102");
    }
    const put = await rpc("funnel_report", { token, method: "PUT" });
    expect([put.status, (await put.json()).code]).toEqual([405, "PGRST101"]);
    const xml = await fetch(`${api.url}/rest/v1/rpc/funnel_report`, {
      method: "POST",
      headers: { apikey: api.anonKey, authorization: `Bearer ${token}`, "content-type": "text/xml" },
      body: "<a/>",
    });
    expect([xml.status, (await xml.json()).code]).toEqual([415, "PGRST107"]);
  });

  it("a bad or expired JWT is 401 with PGRST301 / PGRST303 and a WWW-Authenticate header", async () => {
    const forged = signJwt({ role: "service_role" }, "another-secret-that-is-at-least-32-characters");
    const bad = await rpc("funnel_report", { token: forged });
    expect(bad.status).toBe(401);
    expect(bad.headers.get("www-authenticate")).toMatch(/^Bearer error="invalid_token"/);
    expect((await bad.json()).code).toBe("PGRST301");

    const expired = signJwt({ role: "authenticated", exp: Math.floor(Date.now() / 1000) - 10 }, LOCAL_JWT_SECRET);
    const late = await rpc("funnel_report", { token: expired });
    expect(late.status).toBe(401);
    expect(await late.json()).toEqual({ code: "PGRST303", details: null, hint: null, message: "JWT expired" });
    expect((await rpc("funnel_report", { token: "not-a-jwt" })).status).toBe(401);
  });

  it("the role claim is used as PostgREST uses it, and a claim can only narrow a role", async () => {
    // An authenticated token whose claims say admin sees every team (auth.jwt() reads request.jwt.claims).
    const adminish = signJwt(
      { role: "authenticated", app_metadata: { role: "admin" }, exp: Date.now() / 1000 + 60 },
      LOCAL_JWT_SECRET,
    );
    const all = await rpc("funnel_report", { token: adminish });
    expect((await all.json()).teams).toContain("unattributed");
    // A role the authenticator may not switch to.
    const postgresRole = signJwt({ role: "postgres" }, LOCAL_JWT_SECRET);
    const refused = await rpc("funnel_report", { token: postgresRole });
    expect(refused.status).toBe(403);
    expect((await refused.json()).code).toBe("42501");
  });

  it("the gateway wants the project's key in `apikey`", async () => {
    const none = await rpc("funnel_report", { apikey: null });
    expect([none.status, (await none.json()).message]).toEqual([401, "No API key found in request"]);
    const wrong = await rpc("funnel_report", { apikey: "sb-wrong" });
    expect([wrong.status, (await wrong.json()).message]).toEqual([401, "Invalid API key"]);
    const table = await fetch(`${api.url}/rest/v1/voronka_sale?select=*`, { headers: { apikey: api.anonKey } });
    expect([table.status, (await table.json()).code]).toEqual([404, "PGRST205"]);
  });

  it("GET passes the query string as arguments in a read-only transaction; set-returning functions stop at max_rows", async () => {
    const { client, token } = await signedIn(member.email);
    const viaGet = await client.rpc("funnel_daily", { p_days: 7 }, { get: true });
    const viaPost = await client.rpc("funnel_daily", { p_days: 7 });
    expect(viaGet.error).toBeNull();
    expect(viaGet.data).toEqual(viaPost.data);
    const inSql = await asApiRole(
      db.sql,
      { role: "authenticated", app_metadata: { teams: ["kenesary"] } },
      (tx) => tx`select * from public.funnel_daily(null, 7) order by day, team`,
    );
    expect(viaPost.data).toHaveLength(inSql.length);
    expect(viaPost.data!.map((r) => [r.day, r.team, Number(r.spend), r.leads])).toEqual(
      inSql.map((r) => [r.day.toISOString().slice(0, 10), r.team, Number(r.spend), Number(r.leads)]),
    );

    const raw = await rpc("funnel_daily", { token, query: "?p_days=7", method: "GET" });
    expect(raw.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(raw.headers.get("content-range")).toBe(`0-${inSql.length - 1}/*`);

    // Every team for 366 days is 5 × 366 rows: the Data API answers max_rows (1000) of them.
    const service = supabaseClient(api.url, api.serviceRoleKey);
    const year = await service.rpc("funnel_daily", { p_days: 366 });
    expect(year.data).toHaveLength(1000);

    // A volatile function through GET runs read-only: Postgres refuses the write (25006 → 405).
    const write = await rpc("assign_facebook_ad_account", {
      token: api.serviceRoleKey,
      method: "GET",
      query: "?p_ad_account_id=200000000000004&p_team_id=traf4",
    });
    expect([write.status, (await write.json()).code]).toEqual([405, "25006"]);
  });

  it("a void function answers 204; an admin's assignment lands, a member's is refused and changes nothing", async () => {
    const owner = async () =>
      (await db.sql`select team_id from voronka.fb_ad_account where id = '200000000000004'`)[0].team_id;
    const { client: memberClient } = await signedIn(member.email);
    const refused = await memberClient.rpc("assign_facebook_ad_account", {
      p_ad_account_id: "act_200000000000004",
      p_team_id: "kenesary",
    });
    expect([refused.status, refused.error?.code]).toEqual([403, "42501"]);
    expect(await owner()).toBeNull();

    const { client } = await signedIn(admin.email);
    const done = await client.rpc("assign_facebook_ad_account", {
      p_ad_account_id: "act_200000000000004",
      p_team_id: "traf4",
    });
    expect([done.status, done.error, done.data]).toEqual([204, null, null]);
    expect(await owner()).toBe("traf4");
    const count = await client.rpc("assign_facebook_business", {
      p_business_id: "100000000000002",
      p_team_id: "nurlan",
    });
    expect([count.status, count.data]).toEqual([200, 1]);
    expect(await owner()).toBe("nurlan");
  });
});

describe("the database down", () => {
  it("answers 503 (PostgREST's PGRST000, a JSON message for Auth), never a crash", async () => {
    const gatewayPort = testPort("dataApiNoDatabase");
    const down = await serveSupabaseApi({
      databaseUrl: `postgresql://postgres:postgres@127.0.0.1:${gatewayPort + 1}/postgres`,
      jwtSecret: LOCAL_JWT_SECRET,
      dashboardDir: "/nonexistent",
      port: gatewayPort,
    });
    try {
      const client = supabaseClient(down.url, down.serviceRoleKey);
      const report = await client.rpc("funnel_report", { p_days: 30 });
      expect(report.status).toBe(503);
      expect(report.error?.code).toBe("PGRST000");
      const signIn = await supabaseClient(down.url, down.anonKey).auth.signInWithPassword({
        email: member.email,
        password: DEMO_PASSWORD,
      });
      expect(signIn.error?.status).toBe(503);
    } finally {
      await down.stop();
    }
  });
});
