// Discovery: every business, owned and client accounts and /me/adaccounts, de-duplicated,
// upserted, and accounts no longer visible marked inactive (never deleted).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoScenario } from "../../scripts/fakes/facebook-graph/scenario.ts";
import { type FakeGraph, startFakeGraph } from "../../scripts/fakes/facebook-graph/server.ts";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";
import { clockAt, sync, testConfig, TOKEN } from "./support.ts";

let db: TestDatabase;
let fake: FakeGraph;

beforeAll(async () => {
  db = await createTestDatabase();
  fake = await startFakeGraph({ scenario: demoScenario(), accessToken: TOKEN });
});
afterAll(async () => {
  await fake?.stop();
  await db?.drop();
});

describe("Facebook discovery", () => {
  it("finds every business and ad account once, with the owner business, currency, zone and status", async () => {
    const summary = await sync(db.sql, testConfig(fake, { pageSize: 1 }), { now: clockAt("2026-03-10T20:30:00Z") });
    expect(summary.status).toBe("succeeded");
    expect(summary.discovery).toMatchObject({
      businesses: 2,
      accounts: 5,
      new_accounts: 5,
      hidden_accounts: 0,
      complete: true,
    });

    const businesses = await db.sql`select id, name from voronka.fb_business order by id`;
    expect(businesses).toEqual([
      { id: "1001", name: "Voronka School" },
      { id: "1002", name: "Partner Agency BM" },
    ]);
    const accounts = await db.sql`
      select id, business_id, name, currency, timezone_name, account_status, is_visible
      from voronka.fb_ad_account order by id`;
    expect(accounts).toEqual([
      // 111 is owned by 1001, a client account of 1002 and on /me/adaccounts: one row, the owner's.
      {
        id: "111",
        business_id: "1001",
        name: "Kenesary — Instagram",
        currency: "USD",
        timezone_name: "Asia/Almaty",
        account_status: 1,
        is_visible: true,
      },
      {
        id: "222",
        business_id: "1001",
        name: "Traf4 — Reels",
        currency: "KZT",
        timezone_name: "Asia/Almaty",
        account_status: 1,
        is_visible: true,
      },
      // 333 is a client account of 1001 but owned by 1002.
      {
        id: "333",
        business_id: "1002",
        name: "Agency — Los Angeles",
        currency: "USD",
        timezone_name: "America/Los_Angeles",
        account_status: 1,
        is_visible: true,
      },
      // Only on /me/adaccounts, in no business.
      {
        id: "444",
        business_id: null,
        name: "Personal account",
        currency: "USD",
        timezone_name: "America/Los_Angeles",
        account_status: 1,
        is_visible: true,
      },
      {
        id: "555",
        business_id: "1002",
        name: "Empty account",
        currency: "USD",
        timezone_name: "Asia/Almaty",
        account_status: 1,
        is_visible: true,
      },
    ]);
    // pageSize 1 caps discovery pages at one item: every edge with more was followed to the end.
    const businessPages = fake.requests.filter((r) => r.path.endsWith("/me/businesses"));
    expect(businessPages.length).toBe(2);
  });

  it("keeps names and status current and marks accounts that disappeared invisible, keeping their rows", async () => {
    const before = await db.sql`select count(*)::int as n from voronka.fb_ad_insight where ad_account_id = '444'`;
    expect(before[0].n).toBe(5);
    fake.scenario.me_adaccounts = ["111"];
    fake.scenario.accounts["222"].name = "Traf4 — Reels (renamed)";
    fake.scenario.accounts["222"].account_status = 2;
    const summary = await sync(db.sql, testConfig(fake), { now: clockAt("2026-03-10T20:45:00Z") });
    expect(summary.discovery).toMatchObject({ accounts: 4, new_accounts: 0, hidden_accounts: 1 });
    const accounts = await db.sql`select id, name, account_status, is_visible from voronka.fb_ad_account order by id`;
    expect(accounts.find((a) => a.id === "444")).toMatchObject({ is_visible: false });
    expect(accounts.find((a) => a.id === "222")).toMatchObject({
      name: "Traf4 — Reels (renamed)",
      account_status: 2,
      is_visible: true,
    });
    // Invisible accounts are not synced, and their data stays.
    expect(summary.accounts_total).toBe(4);
    const after = await db.sql`select count(*)::int as n from voronka.fb_ad_insight where ad_account_id = '444'`;
    expect(after[0].n).toBe(5);

    // Seen again: visible again.
    fake.scenario.me_adaccounts = ["111", "444"];
    await sync(db.sql, testConfig(fake), { now: clockAt("2026-03-10T21:00:00Z") });
    const [again] = await db.sql`select is_visible from voronka.fb_ad_account where id = '444'`;
    expect(again.is_visible).toBe(true);
  });

  it("does not hide accounts when an edge cannot be read (permission), and says so", async () => {
    fake.inject({ kind: "permission", path: "me/businesses", times: 1 });
    const summary = await sync(db.sql, testConfig(fake), { now: clockAt("2026-03-10T21:15:00Z") });
    expect(summary.status).toBe("partial");
    expect(summary.discovery).toMatchObject({ complete: false, hidden_accounts: 0 });
    expect(summary.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ stage: "discovery", kind: "permission", code: 200 })]),
    );
    const hidden = await db.sql`select id from voronka.fb_ad_account where not is_visible`;
    expect(hidden).toEqual([]);
  });
});
