// Every figure of the report checked against numbers worked out by hand (see the comments).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";
import { addTaggedLead, addTaggedSale } from "../ads/fixtures.ts";
import {
  addAdAccount,
  addInsight,
  addLead,
  addRate,
  addSale,
  addTeams,
  funnelReport,
  refresh,
  stage,
} from "./fixtures.ts";

let db: TestDatabase;

// Window: 2024-05-02 … 2024-05-31 (30 days).
// Spend: account A (kenesary, USD): 100.00 USD on 05-10 at 450.00 = 45,000.00 KZT
//                                   50.50 USD on 05-11 at 460.00 = 23,230.00 KZT
//        account B (traf4, KZT):    10,000.00 KZT on 05-10 (no rate needed)
//        account A on 04-30 (outside): ignored.           total 78,230.00 KZT
// Impressions 10,000 + 5,000 + 20,000 = 35,000; clicks 150 + 50 + 200 = 400.
// Leads: kenesary 3, traf4 1, unattributed 1 (utm_source "instagram": no rule) = 5.
// Sales: kenesary express 5,000 + 5,000 and flagman 490,000; traf4 express 4,900;
//        unattributed express 5,000; voided (reopened express 5,000, lost flagman 490,000): excluded.
beforeAll(async () => {
  db = await createTestDatabase();
  const sql = db.sql;
  await addTeams(sql, "kenesary", "traf4");
  await addAdAccount(sql, { id: "1001", currency: "USD", team: "kenesary" });
  await addAdAccount(sql, { id: "1002", currency: "KZT", team: "traf4" });
  await addRate(sql, "2024-04-30", "USD", "440.00");
  await addRate(sql, "2024-05-10", "USD", "450.00");
  await addRate(sql, "2024-05-11", "USD", "460.00");
  await addInsight(sql, {
    account: "1001",
    ad: "11",
    day: "2024-05-10",
    spend: "100.00",
    impressions: 10000,
    clicks: 150,
    currency: "USD",
  });
  await addInsight(sql, {
    account: "1001",
    ad: "12",
    day: "2024-05-11",
    spend: "50.50",
    impressions: 5000,
    clicks: 50,
    currency: "USD",
  });
  await addInsight(sql, {
    account: "1002",
    ad: "21",
    day: "2024-05-10",
    spend: "10000.00",
    impressions: 20000,
    clicks: 200,
    currency: "KZT",
  });
  await addInsight(sql, {
    account: "1001",
    ad: "11",
    day: "2024-04-30",
    spend: "999.99",
    impressions: 1,
    clicks: 1,
    currency: "USD",
  });
  for (const at of ["2024-05-10T10:00:00+05:00", "2024-05-11T10:00:00+05:00", "2024-05-12T10:00:00+05:00"]) {
    await addLead(sql, at, "kenesary");
  }
  await addLead(sql, "2024-05-10T12:00:00+05:00", "traf4");
  await addLead(sql, "2024-05-10T13:00:00+05:00", "instagram");
  await addSale(sql, { at: "2024-05-12T12:00:00+05:00", product: "express", amount: "5000", utmSource: "kenesary" });
  await addSale(sql, { at: "2024-05-13T12:00:00+05:00", product: "express", amount: "5000", utmSource: "kenesary" });
  await addSale(sql, { at: "2024-05-20T12:00:00+05:00", product: "flagman", amount: "490000", utmSource: "kenesary" });
  await addSale(sql, { at: "2024-05-14T12:00:00+05:00", product: "express", amount: "4900", utmSource: "traf4" });
  await addSale(sql, { at: "2024-05-15T12:00:00+05:00", product: "express", amount: "5000", utmSource: "instagram" });
  await addSale(sql, {
    at: "2024-05-16T12:00:00+05:00",
    product: "express",
    amount: "5000",
    utmSource: "kenesary",
    voided: "reopened",
  });
  await addSale(sql, {
    at: "2024-05-21T12:00:00+05:00",
    product: "flagman",
    amount: "490000",
    utmSource: "kenesary",
    voided: "lost",
  });
  await refresh(sql);
  // A recent successful sync, so no stale-sync warning muddles these cases.
  await sql`insert into voronka.fb_sync_run (finished_at, status) values (now(), 'succeeded')`;
});
afterAll(() => db.drop());

describe("all teams, 30 days to 2024-05-31", () => {
  it("converts USD spend with each day's rate and derives every ratio", async () => {
    const report = await funnelReport(db.sql, { until: "2024-05-31" });
    expect(report.currency).toBe("KZT");
    expect(report.warnings).toEqual([]);
    expect(stage(report, "spend")).toEqual({
      id: "spend",
      spend: 78230,
      spend_complete: true,
      impressions: 35000,
      clicks: 400,
      ctr: 0.011429, // 400 / 35,000 = 0.0114285…
      cpc: 195.58, // 78,230 / 400 = 195.575
      cpm: 2235.14, // 78,230 * 1000 / 35,000 = 2235.142…
    });
    expect(stage(report, "leads")).toEqual({ id: "leads", count: 5, cpl: 15646, click_to_lead: 0.0125 });
    expect(stage(report, "express")).toEqual({
      id: "express",
      purchases: 4,
      revenue: 19900, // 5,000 + 5,000 + 4,900 + 5,000
      lead_to_express: 0.8,
      cost_per_purchase: 19557.5,
    });
    expect(stage(report, "flagman")).toEqual({
      id: "flagman",
      purchases: 1,
      revenue: 490000,
      express_to_flagman: 0.25,
      cost_per_purchase: 78230,
    });
    expect(report.totals).toEqual({
      revenue: 509900,
      spend: 78230,
      roi: 5.518, // (509,900 − 78,230) / 78,230 = 5.51796…
      roas: 6.518, // 509,900 / 78,230 = 6.51796…
      cac: 19557.5, // 78,230 / 4 express buyers
    });
  });

  it("breaks the totals down by team, with an explicit unattributed bucket", async () => {
    const report = await funnelReport(db.sql, { until: "2024-05-31" });
    expect(report.teams).toEqual(["kenesary", "traf4", "unattributed"]);
    const byTeam = Object.fromEntries(report.by_team.map((t) => [t.team, t]));
    expect(byTeam.kenesary).toMatchObject({
      spend: 68230, // 45,000 + 23,230
      leads: 3,
      express_purchases: 2,
      express_revenue: 10000,
      flagman_purchases: 1,
      flagman_revenue: 490000,
      revenue: 500000,
      roi: 6.3282, // (500,000 − 68,230) / 68,230 = 6.32815…
    });
    expect(byTeam.traf4).toMatchObject({ spend: 10000, leads: 1, express_purchases: 1, revenue: 4900, roi: -0.51 });
    // No ad account is unattributed: no spend rows, so its spend is unknown (null), not 0.
    expect(byTeam.unattributed).toMatchObject({
      spend: null,
      leads: 1,
      express_purchases: 1,
      revenue: 5000,
      roi: null,
    });
  });

  it("gives one team's funnel on its own", async () => {
    const report = await funnelReport(db.sql, { team: "traf4", until: "2024-05-31" });
    expect(report.team).toBe("traf4");
    expect(stage(report, "spend")).toMatchObject({ spend: 10000, impressions: 20000, clicks: 200, cpc: 50 });
    expect(stage(report, "leads")).toMatchObject({ count: 1, cpl: 10000 });
    expect(report.totals).toEqual({ revenue: 4900, spend: 10000, roi: -0.51, roas: 0.49, cac: 10000 });

    const unattributed = await funnelReport(db.sql, { team: "unattributed", until: "2024-05-31" });
    expect(stage(unattributed, "leads")).toMatchObject({ count: 1 });
    expect(stage(unattributed, "express")).toMatchObject({ purchases: 1, revenue: 5000 });
  });
});

describe("warnings", () => {
  it("reports a missing exchange rate instead of treating it as 0 or 1", async () => {
    // 20.00 USD on 05-12, a day without a USD rate.
    await addInsight(db.sql, {
      account: "1001",
      ad: "11",
      day: "2024-05-12",
      spend: "20.00",
      impressions: 1000,
      clicks: 10,
      currency: "USD",
    });
    try {
      const report = await funnelReport(db.sql, { until: "2024-05-31" });
      expect(stage(report, "spend")).toMatchObject({
        spend: null,
        spend_complete: false,
        impressions: 36000,
        clicks: 410,
      });
      expect(stage(report, "leads")).toMatchObject({ count: 5, cpl: null });
      expect(report.totals).toMatchObject({ revenue: 509900, spend: null, roi: null, roas: null, cac: null });
      expect(report.warnings).toEqual([
        expect.objectContaining({
          code: "missing_exchange_rate",
          currency: "USD",
          days: 1,
          first_day: "2024-05-12",
          last_day: "2024-05-12",
          amount: 20,
        }),
      ]);
      // The team without USD spend is unaffected, and does not see the other team's warning.
      const traf4 = await funnelReport(db.sql, { team: "traf4", until: "2024-05-31" });
      expect(traf4.totals).toMatchObject({ spend: 10000, roi: -0.51 });
      expect(traf4.warnings).toEqual([]);
    } finally {
      await db.sql`delete from voronka.fb_ad_insight where ad_id = '11' and date_start = '2024-05-12'`;
    }
  });

  it("says when an ad account's days are in another time zone", async () => {
    await addAdAccount(db.sql, { id: "1003", currency: "KZT", team: "traf4", timezone: "America/Los_Angeles" });
    await addInsight(db.sql, { account: "1003", ad: "31", day: "2024-05-20", spend: "1000.00", currency: "KZT" });
    try {
      const report = await funnelReport(db.sql, { team: "traf4", until: "2024-05-31" });
      expect(stage(report, "spend")).toMatchObject({ spend: 11000 });
      // On 2024-05-31 Almaty is UTC+5 and Los Angeles UTC−7 (PDT): 12 hours behind.
      expect(report.warnings).toEqual([
        expect.objectContaining({
          code: "ad_account_time_zone",
          ad_account_id: "1003",
          timezone_name: "America/Los_Angeles",
          hours_ahead_of_business: -12,
        }),
      ]);
      const kenesary = await funnelReport(db.sql, { team: "kenesary", until: "2024-05-31" });
      expect(kenesary.warnings).toEqual([]);
    } finally {
      await db.sql`delete from voronka.fb_ad_insight where ad_account_id = '1003'`;
      await db.sql`delete from voronka.fb_ad_account where id = '1003'`;
    }
  });

  it("warns when the last successful Facebook sync is older than the threshold", async () => {
    await db.sql`update voronka.fb_sync_run set finished_at = now() - interval '3 hours'`;
    await db.sql`insert into voronka.fb_sync_run (finished_at, status) values (now(), 'failed')`;
    try {
      const stale = await funnelReport(db.sql, { until: "2024-05-31" });
      expect(stale.warnings.map((w) => w.code)).toEqual(["stale_facebook_sync"]);
      expect(stale.warnings[0].message).toMatch(/more than 02:00:00 ago/);
      await db.sql`insert into voronka.fb_sync_run (finished_at, status) values (now() - interval '5 minutes', 'partial')`;
      const fresh = await funnelReport(db.sql, { until: "2024-05-31" });
      expect(fresh.warnings).toEqual([]);
    } finally {
      await db.sql`delete from voronka.fb_sync_run`;
      await db.sql`insert into voronka.fb_sync_run (finished_at, status) values (now(), 'succeeded')`;
    }
  });
});

it("returns a day x team grid for charts, zeros included", async () => {
  const rows = await db.sql`
    select day::text, team, spend::float8, leads::int, express_purchases::int
    from public.funnel_daily(null, 2, '2024-05-11')`;
  expect(rows).toEqual([
    { day: "2024-05-10", team: "kenesary", spend: 45000, leads: 1, express_purchases: 0 },
    { day: "2024-05-10", team: "traf4", spend: 10000, leads: 1, express_purchases: 0 },
    { day: "2024-05-10", team: "unattributed", spend: 0, leads: 1, express_purchases: 0 },
    { day: "2024-05-11", team: "kenesary", spend: 23230, leads: 1, express_purchases: 0 },
    { day: "2024-05-11", team: "traf4", spend: 0, leads: 0, express_purchases: 0 },
    { day: "2024-05-11", team: "unattributed", spend: 0, leads: 0, express_purchases: 0 },
  ]);
});

describe("missing_exchange_rate for the unattributed bucket, at the window's first instant", () => {
  // Window 2024-05-02 … 2024-05-31. Account 801 has no team: 10.00 USD on 05-10, no rate. A USD
  // sale of 100.00 (a deal without a team) at 2024-05-02 00:00 Almaty, the window's first instant.
  let own: TestDatabase;
  beforeAll(async () => {
    own = await createTestDatabase();
    await addAdAccount(own.sql, { id: "801", currency: "USD" });
    await addInsight(own.sql, { account: "801", ad: "8011", day: "2024-05-10", spend: "10.00", currency: "USD" });
    // Account 802, no team either, reports its days in London (UTC+1 in May: 4 h behind Almaty).
    await addAdAccount(own.sql, { id: "802", currency: "KZT", timezone: "Europe/London" });
    await addInsight(own.sql, { account: "802", ad: "8021", day: "2024-05-10", spend: "1000.00", currency: "KZT" });
    await addTaggedSale(own.sql, {
      at: "2024-05-02T00:00:00+05:00",
      product: "express",
      amount: "100.00",
      currency: "USD",
      tags: {},
    });
  });
  afterAll(() => own.drop());

  it("names the spend days and the sales without a rate when the unattributed bucket is asked for", async () => {
    const rows = await own.sql`
      select warning from analytics.funnel_rate_warnings('2024-05-02', '2024-05-31', array['unattributed'], false, false)`;
    expect(rows.map((r) => r.warning)).toEqual([
      expect.objectContaining({
        code: "missing_exchange_rate",
        currency: "USD",
        first_day: "2024-05-10",
        last_day: "2024-05-10",
        days: 1,
        amount: 10,
      }),
      expect.objectContaining({ code: "missing_exchange_rate", currency: "USD", sales: 1, amount: 100 }),
    ]);
    // The latest sale and lead of the bucket: the teamless sale above, and a teamless lead.
    await addTaggedLead(own.sql, "2024-05-03T10:00:00+05:00", {});
    const [{ freshness }] = await own.sql`
      select analytics.funnel_freshness('2024-05-02', '2024-05-31', array['unattributed'], null) as freshness`;
    expect(Date.parse(freshness.last_sale_at)).toBe(Date.parse("2024-05-02T00:00:00+05:00"));
    expect(Date.parse(freshness.last_lead_at)).toBe(Date.parse("2024-05-03T10:00:00+05:00"));
    const zones = await own.sql`
      select warning from analytics.funnel_zone_warnings('2024-05-02', '2024-05-31', array['unattributed'])`;
    expect(zones.map((r) => r.warning)).toEqual([
      expect.objectContaining({
        code: "ad_account_time_zone",
        ad_account_id: "802",
        timezone_name: "Europe/London",
        hours_ahead_of_business: -4,
      }),
    ]);
  });
});
