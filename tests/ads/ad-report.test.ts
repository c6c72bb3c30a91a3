// ad_report checked against figures worked out by hand (see the comments), and its totals against
// funnel_report's for every team, level and state of the cache.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asApiRole, createTestDatabase, type TestDatabase } from "../support/test-database.ts";
import { addAdAccount, addRate, addTeams, funnelReport, refresh, stage } from "../funnel/fixtures.ts";
import { addAdInsight, addTaggedLead, addTaggedSale, adReport, type AdReport } from "./fixtures.ts";

let db: TestDatabase;
const UNTIL = "2024-05-31"; // window 2024-05-02 … 2024-05-31
const KEN_VIDEO: [string, string] = ["501", "Ken Video"];
const BROAD: [string, string] = ["601", "Broad"];
const TRAF_LEADS: [string, string] = ["502", "Traf Leads"];
const LOOKALIKE: [string, string] = ["602", "Lookalike"];

// Spend (account 1001 kenesary USD, 1002 traf4 KZT):
//   ad 701 (campaign 501, ad set 601): 100.00 USD on 05-10 at 450 = 45,000 + 20.00 USD on 05-11 at 460 = 9,200
//          → 54,200.00 KZT; renamed "Video A" → "Video A v2" on 05-11 (the current name); 1,500 impressions, 70 clicks
//   ad 702 (501/601) "Video B": 10.00 USD on 05-10 = 4,500.00
//   ad 703 (502/602) "Carousel": 30,000.00 KZT on 05-12 (traf4)
// Leads: L1 kenesary utm_content=701 (ad by id); L2 kenesary "Video B" (ad by name); L3 kenesary content
//   "unknown", utm_campaign=501 (campaign only); L4 kenesary, no tags (unmatched); L5 traf4 content 703;
//   L6 utm_source instagram (unattributed) content "Video A" (the ad's old name still matches).
// Sales: S1 kenesary express 5,000 (content 701); S2 kenesary flagman 490,000 (content "Video A v2");
//   S3 traf4 express 5,000 without ad tags (unmatched); S4 kenesary flagman 490,000 on 701, lost (excluded).
beforeAll(async () => {
  db = await createTestDatabase();
  const sql = db.sql;
  await addTeams(sql, "kenesary", "traf4");
  await addAdAccount(sql, { id: "1001", currency: "USD", team: "kenesary" });
  await addAdAccount(sql, { id: "1002", currency: "KZT", team: "traf4" });
  await addRate(sql, "2024-05-10", "USD", "450.00");
  await addRate(sql, "2024-05-11", "USD", "460.00");
  const ken = { account: "1001", currency: "USD", campaign: KEN_VIDEO, adset: BROAD };
  await addAdInsight(sql, {
    ...ken,
    day: "2024-05-10",
    spend: "100.00",
    ad: ["701", "Video A"],
    impressions: 1000,
    clicks: 50,
  });
  await addAdInsight(sql, {
    ...ken,
    day: "2024-05-11",
    spend: "20.00",
    ad: ["701", "Video A v2"],
    impressions: 500,
    clicks: 20,
  });
  await addAdInsight(sql, {
    ...ken,
    day: "2024-05-10",
    spend: "10.00",
    ad: ["702", "Video B"],
    impressions: 300,
    clicks: 10,
  });
  await addAdInsight(sql, {
    account: "1002",
    currency: "KZT",
    campaign: TRAF_LEADS,
    adset: LOOKALIKE,
    day: "2024-05-12",
    spend: "30000.00",
    ad: ["703", "Carousel"],
    impressions: 2000,
    clicks: 100,
  });
  await addTaggedLead(sql, "2024-05-10T10:00:00+05:00", { source: "kenesary", content: "701" });
  await addTaggedLead(sql, "2024-05-11T10:00:00+05:00", { source: "kenesary", content: "Video B" });
  await addTaggedLead(sql, "2024-05-12T10:00:00+05:00", { source: "kenesary", content: "unknown", campaign: "501" });
  await addTaggedLead(sql, "2024-05-12T11:00:00+05:00", { source: "kenesary" });
  await addTaggedLead(sql, "2024-05-12T12:00:00+05:00", { source: "traf4", content: "703" });
  await addTaggedLead(sql, "2024-05-13T10:00:00+05:00", { source: "instagram", content: "Video A" });
  const sale = { tags: { source: "kenesary", content: "701" } };
  await addTaggedSale(sql, { ...sale, at: "2024-05-12T12:00:00+05:00", product: "express", amount: "5000" });
  await addTaggedSale(sql, {
    at: "2024-05-20T12:00:00+05:00",
    product: "flagman",
    amount: "490000",
    tags: { source: "kenesary", content: "Video A v2" },
  });
  await addTaggedSale(sql, {
    at: "2024-05-14T12:00:00+05:00",
    product: "express",
    amount: "5000",
    tags: { source: "traf4" },
  });
  await addTaggedSale(sql, {
    ...sale,
    at: "2024-05-21T12:00:00+05:00",
    product: "flagman",
    amount: "490000",
    voided: "lost",
  });
});
afterAll(() => db.drop());

const pick = (row: Record<string, unknown>, keys: string[]) => Object.fromEntries(keys.map((k) => [k, row[k]]));
const FIGURES = ["level", "team", "spend", "leads", "express_purchases", "flagman_purchases", "revenue", "roi"];

describe("ad_report of a window without data", () => {
  it("has zero totals, no rows, and the window it was asked for", async () => {
    const report = await adReport(db.sql, { team: "kenesary", until: "2023-01-31", days: 7 });
    expect(report.window).toEqual({ from: "2023-01-25", until: "2023-01-31", days: 7, time_zone: "Asia/Almaty" });
    expect(report.rows).toEqual([]);
    expect(report.unmatched).toBeNull();
    expect(report.omitted).toBeNull();
    expect(report.totals).toMatchObject({
      spend: null,
      spend_complete: false,
      impressions: 0,
      clicks: 0,
      leads: 0,
      express_purchases: 0,
      express_revenue: 0,
      flagman_purchases: 0,
      flagman_revenue: 0,
      revenue: 0,
    });
    expect(report.match).toEqual({
      leads: { total: 0, matched: 0, rate: null },
      sales: { total: 0, matched: 0, rate: null },
      revenue: { total: 0, matched: 0, rate: null },
    });
  });
});

describe("ad_report at ad level (last touch)", () => {
  it("gives each ad its spend, leads, sales and ROI, with ids and current names", async () => {
    const report = await adReport(db.sql, { team: "kenesary", until: UNTIL });
    expect(report.rows).toHaveLength(3);
    expect(report.rows[0]).toEqual({
      level: "ad",
      campaign_id: "501",
      campaign_name: "Ken Video",
      adset_id: "601",
      adset_name: "Broad",
      ad_id: "701",
      ad_name: "Video A v2",
      ad_account_id: "1001",
      ad_account_name: "Account 1001",
      team: "kenesary",
      spend: 54200.0,
      spend_complete: true,
      impressions: 1500,
      clicks: 70,
      leads: 1,
      express_purchases: 1,
      express_revenue: 5000.0,
      flagman_purchases: 1,
      flagman_revenue: 490000.0,
      revenue: 495000.0,
      cpl: 54200.0,
      cost_per_express: 54200.0,
      cost_per_flagman: 54200.0,
      roi: 8.1328, // (495,000 − 54,200) / 54,200 = 8.13284…
      roas: 9.1328, // 495,000 / 54,200 = 9.13284…
    });
    // Matched by name ("Video B"): spend 4,500, one lead, no sales: ROI −1.
    expect(pick(report.rows[1], [...FIGURES, "ad_id", "cpl", "roas"])).toEqual({
      level: "ad",
      team: "kenesary",
      ad_id: "702",
      spend: 4500.0,
      leads: 1,
      express_purchases: 0,
      flagman_purchases: 0,
      revenue: 0,
      roi: -1,
      cpl: 4500.0,
      roas: 0,
    });
    // L3 names only its campaign: a campaign row in the ad-level report, without spend of its own.
    expect(pick(report.rows[2], [...FIGURES, "campaign_id", "campaign_name", "ad_id", "spend_complete"])).toEqual({
      level: "campaign",
      team: "kenesary",
      campaign_id: "501",
      campaign_name: "Ken Video",
      ad_id: null,
      spend: null,
      spend_complete: false,
      leads: 1,
      express_purchases: 0,
      flagman_purchases: 0,
      revenue: 0,
      roi: null,
    });
  });

  it("reports what matched nothing as the unmatched row, and the match rate", async () => {
    const report = await adReport(db.sql, { team: "kenesary", until: UNTIL });
    expect(report.unmatched).toHaveLength(1);
    expect(pick(report.unmatched![0], [...FIGURES, "ad_id", "campaign_id"])).toEqual({
      level: null,
      team: "kenesary",
      ad_id: null,
      campaign_id: null,
      spend: null,
      leads: 1,
      express_purchases: 0,
      flagman_purchases: 0,
      revenue: 0,
      roi: null,
    });
    // Leads matched to an ad: L1, L2 of 4; both counted sales (S1 by id, S2 by the ad's name).
    expect(report.match).toEqual({
      leads: { total: 4, matched: 2, rate: 0.5 },
      sales: { total: 2, matched: 2, rate: 1 },
      revenue: { total: 495000.0, matched: 495000.0, rate: 1 },
    });
    // Totals: spend 54,200 + 4,500 = 58,700; revenue 495,000; ROI 436,300 / 58,700 = 7.43270…
    expect(report.totals).toMatchObject({
      spend: 58700.0,
      spend_complete: true,
      leads: 4,
      express_purchases: 1,
      flagman_purchases: 1,
      revenue: 495000.0,
      roi: 7.4327,
      roas: 8.4327,
      cpl: 14675.0,
    });
  });

  it("shows the first p_limit rows by spend and sums the rest as omitted; totals keep every row", async () => {
    const all = await adReport(db.sql, { team: "kenesary", until: UNTIL });
    expect(all.rows.map((r) => r.ad_id ?? r.campaign_id)).toEqual(["701", "702", "501"]);
    expect(all.omitted).toBeNull();
    const top = await adReport(db.sql, { team: "kenesary", until: UNTIL, limit: 1 });
    expect(top.rows.map((r) => r.ad_id)).toEqual(["701"]);
    // Omitted: ad 702 (4,500, lead L2) and the campaign-only row 501 (lead L3, no spend rows).
    expect(top.omitted).toMatchObject({
      rows: 2,
      spend: 4500.0,
      spend_complete: true,
      leads: 2,
      express_purchases: 0,
      flagman_purchases: 0,
      revenue: 0,
      cpl: 2250.0,
      roi: -1,
    });
    expect(top.totals).toEqual(all.totals);
    expect(top.unmatched).toEqual(all.unmatched);
    await expect(adReport(db.sql, { until: UNTIL, limit: 0 })).rejects.toMatchObject({
      code: "22023",
      message: "p_limit must be between 1 and 10000, got 0",
    });
  });

  it("shows every team's ads to callers who see every team, the unattributed bucket included", async () => {
    const report = await adReport(db.sql, { until: UNTIL });
    expect(report.teams).toEqual(["kenesary", "traf4", "unattributed"]);
    expect(report.rows.map((r) => [r.team, r.level, r.ad_id ?? r.campaign_id, r.spend])).toEqual([
      ["kenesary", "ad", "701", 54200.0],
      ["traf4", "ad", "703", 30000.0],
      ["kenesary", "ad", "702", 4500.0],
      ["kenesary", "campaign", "501", null],
      // L6 came without a team but through ad 701 by its old name.
      ["unattributed", "ad", "701", null],
    ]);
    expect(report.unmatched!.map((r) => [r.team, r.leads, r.express_purchases])).toEqual([
      ["kenesary", 1, 0],
      ["traf4", 0, 1],
    ]);
    expect(report.match.leads).toEqual({ total: 6, matched: 4, rate: 0.6667 });
    expect(report.match.sales).toEqual({ total: 3, matched: 2, rate: 0.6667 });
  });
});

describe("ad_report at campaign and ad set level", () => {
  it("sums a campaign's ads and the leads that named only the campaign", async () => {
    const report = await adReport(db.sql, { team: "kenesary", until: UNTIL, level: "campaign" });
    expect(report.rows.map((r) => pick(r, [...FIGURES, "campaign_id", "campaign_name", "adset_id", "ad_id"]))).toEqual([
      {
        level: "campaign",
        team: "kenesary",
        campaign_id: "501",
        campaign_name: "Ken Video",
        adset_id: null,
        ad_id: null,
        spend: 58700.0,
        leads: 3,
        express_purchases: 1,
        flagman_purchases: 1,
        revenue: 495000.0,
        roi: 7.4327,
      },
    ]);
    expect(report.match.leads).toEqual({ total: 4, matched: 3, rate: 0.75 });
  });

  it("puts a lead that named only the campaign on a campaign row at ad set level", async () => {
    const report = await adReport(db.sql, { team: "kenesary", until: UNTIL, level: "adset" });
    expect(report.rows.map((r) => [r.level, r.adset_id ?? r.campaign_id, r.adset_name, r.spend, r.leads])).toEqual([
      ["adset", "601", "Broad", 58700.0, 2],
      ["campaign", "501", null, null, 1],
    ]);
  });
});

async function expectTotalsEqualFunnel() {
  for (const team of [null, "kenesary", "traf4", "unattributed"]) {
    const funnel = await funnelReport(db.sql, { team, until: UNTIL });
    for (const level of ["campaign", "adset", "ad"]) {
      const ads: AdReport = await adReport(db.sql, { team, until: UNTIL, level });
      const label = `${team ?? "all"} / ${level}`;
      expect({ label, ...ads.totals }).toMatchObject({
        label,
        spend: stage(funnel, "spend").spend,
        impressions: stage(funnel, "spend").impressions,
        clicks: stage(funnel, "spend").clicks,
        leads: stage(funnel, "leads").count,
        express_purchases: stage(funnel, "express").purchases,
        express_revenue: stage(funnel, "express").revenue,
        flagman_purchases: stage(funnel, "flagman").purchases,
        flagman_revenue: stage(funnel, "flagman").revenue,
        revenue: funnel.totals.revenue,
        roi: funnel.totals.roi,
        roas: funnel.totals.roas,
      });
    }
  }
}

describe("ad_report's totals are funnel_report's", () => {
  it("for every team and level, computed live and from the refreshed cache", async () => {
    await expectTotalsEqualFunnel(); // nothing refreshed yet: every day is live
    await refresh(db.sql);
    const [{ n }] = await db.sql`select count(*)::int as n from analytics.stale_day`;
    expect(n).toBe(0);
    await expectTotalsEqualFunnel();
  });

  it("with today's writes: a new ad found after its lead matches the lead at once", async () => {
    await refresh(db.sql);
    // A lead names ad 704 before the sync has seen it: unmatched…
    await addTaggedLead(db.sql, "2024-05-14T10:00:00+05:00", { source: "kenesary", content: "704" });
    let report = await adReport(db.sql, { team: "kenesary", until: UNTIL });
    expect(report.unmatched![0].leads).toBe(2);
    // …then the sync brings ad 704 (traf4's account): the lead is matched, its row is kenesary's.
    await addAdInsight(db.sql, {
      account: "1002",
      currency: "KZT",
      campaign: TRAF_LEADS,
      adset: LOOKALIKE,
      day: "2024-05-14",
      spend: "1000.00",
      ad: ["704", "Stories"],
    });
    report = await adReport(db.sql, { team: "kenesary", until: UNTIL });
    expect(report.unmatched![0].leads).toBe(1);
    expect(report.rows.find((r) => r.ad_id === "704")).toMatchObject({
      team: "kenesary",
      ad_name: "Stories",
      ad_account_id: "1002",
      leads: 1,
      spend: null,
    });
    await expectTotalsEqualFunnel();
    await refresh(db.sql);
    await expectTotalsEqualFunnel();
  });

  it("shows no spend, and warns, when a USD day has no rate", async () => {
    await addAdInsight(db.sql, {
      account: "1001",
      currency: "USD",
      campaign: KEN_VIDEO,
      adset: BROAD,
      day: "2024-05-15",
      spend: "5.00",
      ad: ["702", "Video B"],
    });
    const report = await adReport(db.sql, { team: "kenesary", until: UNTIL });
    expect(report.totals).toMatchObject({ spend: null, spend_complete: false, roi: null, revenue: 495000.0 });
    expect(report.rows.find((r) => r.ad_id === "702")).toMatchObject({ spend: null, spend_complete: false, roi: null });
    // Ad 701 has every rate: its figures stand.
    expect(report.rows.find((r) => r.ad_id === "701")).toMatchObject({ spend: 54200.0, roi: 8.1328 });
    expect(report.warnings.find((w) => w.code === "missing_exchange_rate")).toMatchObject({
      currency: "USD",
      first_day: "2024-05-15",
      days: 1,
      amount: 5.0,
    });
    await expectTotalsEqualFunnel();
    await db.sql`delete from voronka.fb_ad_insight where date_start = '2024-05-15'`;
  });
});

describe("ad attribution rules", () => {
  it("lets a team carry ad ids in another tag (voronka.ad_utm_param)", async () => {
    await db.sql`insert into voronka.ad_utm_param (team_id, level, utm_param) values ('traf4', 'ad', 'utm_term')`;
    await addTaggedLead(db.sql, "2024-05-16T10:00:00+05:00", { source: "traf4", term: "703" });
    const report = await adReport(db.sql, { team: "traf4", until: UNTIL });
    // L5's utm_content=703 is no longer read for traf4; the new lead's utm_term=703 is.
    expect(report.rows.map((r) => [r.ad_id, r.leads])).toEqual([
      ["703", 1],
      ["704", 0],
    ]);
    expect(report.unmatched![0].leads).toBe(1);
    await db.sql`delete from voronka.ad_utm_param where team_id = 'traf4'`;
    // Back to the defaults: L5's utm_content matches again; utm_term=703 names no ad set.
    const matched = await db.sql`
      select utm_content, utm_term, fb_ad_id from voronka.lead where team_id = 'traf4' order by occurred_at`;
    expect(matched.map((l) => [l.utm_content, l.utm_term, l.fb_ad_id])).toEqual([
      ["703", null, "703"],
      [null, "703", null],
    ]);
  });

  it("refuses a bad level or model, and another team's ads, as funnel_report does", async () => {
    await expect(adReport(db.sql, { until: UNTIL, level: "creative" })).rejects.toMatchObject({
      code: "22023",
      message: 'p_level must be one of campaign, adset, ad, got "creative"',
    });
    await expect(adReport(db.sql, { until: UNTIL, model: "linear" })).rejects.toMatchObject({ code: "22023" });
    await expect(adReport(db.sql, { until: UNTIL, days: 0 })).rejects.toMatchObject({ code: "22023" });
    await expect(adReport(db.sql, { until: UNTIL, team: "nobody" })).rejects.toMatchObject({ code: "22023" });
    const member = { role: "authenticated" as const, app_metadata: { teams: ["traf4"] } };
    await expect(
      asApiRole(db.sql, member, (tx) => tx`select public.ad_report('kenesary', 30, ${UNTIL}::date)`),
    ).rejects.toMatchObject({ code: "42501", message: 'you may not see team "kenesary"' });
    const own = await asApiRole(db.sql, member, async (tx) => {
      const [row] = await tx`select public.ad_report(null, 30, ${UNTIL}::date) as r`;
      return row.r as AdReport;
    });
    expect(own.teams).toEqual(["traf4"]);
    expect(own.rows.every((r) => r.team === "traf4")).toBe(true);
    await expect(asApiRole(db.sql, { role: "anon" }, (tx) => tx`select public.ad_report()`)).rejects.toMatchObject({
      code: "42501",
    });
  });
});
