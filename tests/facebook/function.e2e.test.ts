// End to end: the facebook-sync function served by real Deno (as `npm start` serves it), syncing
// from the fake Graph API over HTTP; then public.funnel_report shows the spend in KZT.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeAds, type FakeScenario } from "../../scripts/fakes/facebook-graph/scenario.ts";
import { type FakeGraph, startFakeGraph } from "../../scripts/fakes/facebook-graph/server.ts";
import { type FunctionsServer, startFunctionsServer } from "../../scripts/lib/functions-server.ts";
import { todayIn, addDays } from "../../supabase/functions/_shared/facebook/dates.ts";
import { asApiRole, createTestDatabase, type TestDatabase } from "../support/test-database.ts";
import { APP_SECRET, TOKEN } from "./support.ts";
import { testPort } from "../support/ports.ts";

const SECRET = "e2e-sync-secret";
let db: TestDatabase;
let fake: FakeGraph;
let server: FunctionsServer;
const today = todayIn("Asia/Almaty", new Date());
const yesterday = addDays(today, -1);
const dayBefore = addDays(today, -2);

beforeAll(async () => {
  db = await createTestDatabase();
  const school = { id: "7001", name: "E2E School" };
  const scenario: FakeScenario = {
    businesses: [{ ...school, owned: ["777"], client: [] }],
    me_adaccounts: [],
    accounts: {
      "777": {
        id: "777",
        name: "Kenesary USD",
        currency: "USD",
        timezone_name: "Asia/Almaty",
        account_status: 1,
        business: school,
        ads: makeAds("777", 2),
      },
    },
    metrics: new Map(),
    generate: false,
  };
  fake = await startFakeGraph({ scenario, accessToken: TOKEN, appSecret: APP_SECRET });
  fake.setMetrics("7770001", yesterday, { spend: "10.25", impressions: "1000", clicks: "40" });
  fake.setMetrics("7770002", yesterday, { spend: "4.75", impressions: "500", clicks: "10" });
  fake.setMetrics("7770001", dayBefore, { spend: "2.5", impressions: "250", clicks: "5" });
  await db.sql`insert into voronka.team (id, name) values ('kenesary', 'Kenesary')`;
  await db.sql`
    insert into voronka.exchange_rate (day, currency, quote_currency, rate)
    values (${yesterday}, 'USD', 'KZT', 500), (${dayBefore}, 'USD', 'KZT', 510)`;
  server = await startFunctionsServer({
    port: testPort("facebookFunctions"),
    upstreamPort: testPort("facebookFunctions") + 1,
    only: ["facebook-sync"],
    env: {
      SUPABASE_DB_URL: db.url,
      FB_SYNC_SECRET: SECRET,
      FB_ACCESS_TOKEN: TOKEN,
      FB_APP_SECRET: APP_SECRET,
      FB_GRAPH_URL: fake.url,
      FB_SYNC_RETRY_BASE_MS: "10",
    },
    log: () => {},
  });
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await fake?.stop();
  await db?.drop();
});

describe("facebook-sync served by Deno", () => {
  it("rejects callers without the shared secret", async () => {
    const none = await fetch(`${server.url}/facebook-sync`, { method: "POST" });
    expect(none.status).toBe(401);
    const wrong = await fetch(`${server.url}/facebook-sync`, {
      method: "POST",
      headers: { authorization: `Bearer ${SECRET}x` },
    });
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).error.code).toBe("unauthorized");
    const get = await fetch(`${server.url}/facebook-sync`, { headers: { authorization: `Bearer ${SECRET}` } });
    expect(get.status).toBe(405);
    const [runs] = await db.sql`select count(*)::int as n from voronka.fb_sync_run`;
    expect(runs.n).toBe(0);
  });

  it("syncs, and funnel_report shows the team's spend in KZT", async () => {
    const response = await fetch(`${server.url}/facebook-sync`, {
      method: "POST",
      headers: { authorization: `Bearer ${SECRET}`, "content-type": "application/json" },
      body: JSON.stringify({ trigger: "e2e" }),
    });
    const summary = await response.json();
    expect(response.status).toBe(200);
    expect(summary).toMatchObject({
      status: "succeeded",
      accounts_total: 1,
      accounts_done: 1,
      rows_read: 3,
      rows_upserted: 3,
    });
    const [run] = await db.sql`select trigger, status, rows_upserted::int as rows from voronka.fb_sync_run`;
    expect(run).toEqual({ trigger: "e2e", status: "succeeded", rows: 3 });

    await db.sql`select public.assign_facebook_ad_account('act_777', 'kenesary')`;
    const report = await asApiRole(
      db.sql,
      { role: "authenticated", app_metadata: { teams: ["kenesary"] } },
      async (tx) => {
        const [row] = await tx`select public.funnel_report(p_team => 'kenesary', p_days => 30) as report`;
        return row.report;
      },
    );
    const spend = report.stages.find((s: { id: string }) => s.id === "spend");
    // (10.25 + 4.75) USD x 500 + 2.50 USD x 510 = 7500.00 + 1275.00 = 8775.00 KZT
    expect(spend.spend).toBe(8775.0);
    expect(spend).toMatchObject({ spend_complete: true, impressions: 1750, clicks: 55 });
    expect(report.currency).toBe("KZT");
    expect(report.freshness.facebook_synced_at).not.toBeNull();
    expect(report.warnings.map((w: { code: string }) => w.code)).not.toContain("stale_facebook_sync");
  });
});
