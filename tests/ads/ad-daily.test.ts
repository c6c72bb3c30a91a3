// public.ad_daily (one Facebook object per business day, for charts) and the ad_match_rate data
// health check, against figures worked out by hand. The days of an object add up to its
// ad_report row at the same level.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asApiRole, createTestDatabase, type TestDatabase } from "../support/test-database.ts";
import { addAdAccount, addRate, addTeams, refresh } from "../funnel/fixtures.ts";
import { addAdInsight, addTaggedLead, addTaggedSale, adReport } from "./fixtures.ts";

let db: TestDatabase;
const UNTIL = "2024-05-12"; // 3 days: 2024-05-10 … 2024-05-12

// kenesary's USD account 1001, campaign 501:
//   ad 701 (ad set 601): 100.00 USD on 05-10 at 450 = 45,000; 20.00 USD on 05-11 at 460 = 9,200
//   ad 702 (ad set 602): 10.00 USD on 05-11 at 460 = 4,600
// Leads: L1 05-10 content 701 (ad); L2 05-11 utm_campaign 501 only (campaign); L3 05-11 no tags.
// Sales: express 5,000 on 05-12 on 701; a Flagman on 701 on 05-12, lost (not counted).
beforeAll(async () => {
  db = await createTestDatabase();
  const sql = db.sql;
  await addTeams(sql, "kenesary", "traf4");
  await addAdAccount(sql, { id: "1001", currency: "USD", team: "kenesary" });
  await addRate(sql, "2024-05-10", "USD", "450");
  await addRate(sql, "2024-05-11", "USD", "460");
  const campaign: [string, string] = ["501", "Video"];
  const add = (day: string, spend: string, adset: [string, string], ad: [string, string]) =>
    addAdInsight(sql, { account: "1001", currency: "USD", campaign, adset, ad, day, spend, clicks: 10 });
  await add("2024-05-10", "100.00", ["601", "Broad"], ["701", "A"]);
  await add("2024-05-11", "20.00", ["601", "Broad"], ["701", "A"]);
  await add("2024-05-11", "10.00", ["602", "Narrow"], ["702", "B"]);
  await addTaggedLead(sql, "2024-05-10T10:00:00+05:00", { source: "kenesary", content: "701" });
  await addTaggedLead(sql, "2024-05-11T10:00:00+05:00", { source: "kenesary", campaign: "501", content: "x" });
  await addTaggedLead(sql, "2024-05-11T11:00:00+05:00", { source: "kenesary" });
  const tags = { source: "kenesary", content: "701" };
  await addTaggedSale(sql, { at: "2024-05-12T09:00:00+05:00", product: "express", amount: "5000", tags });
  await addTaggedSale(sql, {
    at: "2024-05-12T10:00:00+05:00",
    product: "flagman",
    amount: "490000",
    tags,
    voided: "lost",
  });
});
afterAll(() => db.drop());

async function adDaily(level: string, id: string | null, team: string | null = "kenesary", model = "last_touch") {
  const rows = await db.sql`
    select day::text, spend::float8, spend_complete, impressions::int, clicks::int, leads::int, express_purchases::int,
           express_revenue::float8, flagman_purchases::int, flagman_revenue::float8, revenue_complete
    from public.ad_daily(${level}, ${id}, ${team}, 3, ${UNTIL}::date, ${model})`;
  return rows.map((r) => ({ ...r }));
}

const day = (d: string, figures: Record<string, unknown> = {}) => ({
  day: d,
  spend: 0,
  spend_complete: true,
  impressions: 0,
  clicks: 0,
  leads: 0,
  express_purchases: 0,
  express_revenue: 0,
  flagman_purchases: 0,
  flagman_revenue: 0,
  revenue_complete: true,
  ...figures,
});

describe("ad_daily", () => {
  it("gives a campaign's days with everything under it, zeros included", async () => {
    expect(await adDaily("campaign", "501")).toEqual([
      day("2024-05-10", { spend: 45000, clicks: 10, leads: 1 }),
      // 9,200 + 4,600; L2 named only the campaign.
      day("2024-05-11", { spend: 13800, clicks: 20, leads: 1 }),
      day("2024-05-12", { express_purchases: 1, express_revenue: 5000 }),
    ]);
  });

  it("gives an ad set's and an ad's own days", async () => {
    expect(await adDaily("adset", "602")).toEqual([
      day("2024-05-10"),
      day("2024-05-11", { spend: 4600, clicks: 10 }),
      day("2024-05-12"),
    ]);
    expect(await adDaily("ad", "701")).toEqual([
      day("2024-05-10", { spend: 45000, clicks: 10, leads: 1 }),
      day("2024-05-11", { spend: 9200, clicks: 10 }),
      day("2024-05-12", { express_purchases: 1, express_revenue: 5000 }),
    ]);
  });

  it("adds up to the object's ad_report row, from the cache and live", async () => {
    for (const cached of [false, true]) {
      if (cached) await refresh(db.sql);
      const report = await adReport(db.sql, { team: "kenesary", until: UNTIL, days: 3, level: "campaign" });
      const row = report.rows.find((r) => r.campaign_id === "501")!;
      const days = await adDaily("campaign", "501");
      const sum = (k: string) => days.reduce((s, d) => s + Number(d[k]), 0);
      expect([sum("spend"), sum("leads"), sum("express_purchases"), sum("express_revenue")]).toEqual([
        row.spend,
        row.leads,
        row.express_purchases,
        row.express_revenue,
      ]);
      expect(sum("spend")).toBe(58800);
    }
  });

  it("shows no spend on a day whose rate is missing", async () => {
    await addAdInsight(db.sql, {
      account: "1001",
      currency: "USD",
      campaign: ["501", "Video"],
      adset: ["602", "Narrow"],
      ad: ["702", "B"],
      day: "2024-05-12",
      spend: "5.00",
    });
    const days = await adDaily("campaign", "501");
    expect(days[2]).toMatchObject({ day: "2024-05-12", spend: null, spend_complete: false, express_purchases: 1 });
    expect(days[1]).toMatchObject({ spend: 13800, spend_complete: true });
    await db.sql`delete from voronka.fb_ad_insight where date_start = '2024-05-12'`;
  });

  it("rounds money to the tenge's two decimals, once", async () => {
    // Campaign 503 (KZT account 1002): 100.05 spend on 05-10; Express 5,000.05 and Flagman 490,000.45 on 05-11.
    await addAdAccount(db.sql, { id: "1002", currency: "KZT", team: "kenesary" });
    await addAdInsight(db.sql, {
      account: "1002",
      currency: "KZT",
      campaign: ["503", "Fractions"],
      adset: ["603", "F"],
      ad: ["703", "F"],
      day: "2024-05-10",
      spend: "100.05",
    });
    const tags = { source: "kenesary", content: "703" };
    await addTaggedSale(db.sql, { at: "2024-05-11T09:00:00+05:00", product: "express", amount: "5000.05", tags });
    await addTaggedSale(db.sql, { at: "2024-05-11T10:00:00+05:00", product: "flagman", amount: "490000.45", tags });
    const days = await adDaily("campaign", "503");
    expect(days[0]).toMatchObject({ day: "2024-05-10", spend: 100.05 });
    expect(days[1]).toMatchObject({ day: "2024-05-11", express_revenue: 5000.05, flagman_revenue: 490000.45 });
  });

  it("ends the window on today's business day when p_until is not given", async () => {
    // One day (p_days 1): today's business day, with zeros (nothing of campaign 501 is dated today).
    const rows = await db.sql`
      select d.day = analytics.business_day(now()) as today, d.spend::float8, d.leads::int
      from public.ad_daily('campaign', '501', 'kenesary', 1) as d`;
    expect(rows.map((r) => ({ ...r }))).toEqual([{ today: true, spend: 0, leads: 0 }]);
  });

  it("refuses a bad level, model or id, another team, and anon", async () => {
    await expect(adDaily("creative", "501")).rejects.toMatchObject({ code: "22023" });
    await expect(adDaily("campaign", "501", "kenesary", "linear")).rejects.toMatchObject({ code: "22023" });
    await expect(adDaily("campaign", "Video")).rejects.toMatchObject({
      code: "22023",
      message: "p_object_id must be a Facebook campaign id (digits), got Video",
    });
    await expect(adDaily("ad", null)).rejects.toMatchObject({
      code: "22023",
      message: "p_object_id must be a Facebook ad id (digits), got null",
    });
    const member = { role: "authenticated" as const, app_metadata: { teams: ["traf4"] } };
    await expect(
      asApiRole(
        db.sql,
        member,
        (tx) => tx`select * from public.ad_daily('campaign', '501', 'kenesary', 3, ${UNTIL}::date)`,
      ),
    ).rejects.toMatchObject({ code: "42501" });
    // A member's own scope: traf4 has nothing of campaign 501.
    const own = await asApiRole(
      db.sql,
      member,
      (tx) =>
        tx`select coalesce(sum(leads), 0)::int as leads from public.ad_daily('campaign', '501', null, 3, ${UNTIL}::date)`,
    );
    expect(own).toEqual([{ leads: 0 }]);
    await expect(
      asApiRole(db.sql, { role: "anon" }, (tx) => tx`select * from public.ad_daily('campaign', '501')`),
    ).rejects.toMatchObject({ code: "42501" });
  });
});

describe("data health: ad_match_rate", () => {
  const check = async () => {
    const [row] = await db.sql`select public.data_health('kenesary', 3, ${UNTIL}::date) as h`;
    return (row.h.checks as { code: string }[]).find((c) => c.code === "ad_match_rate") as Record<string, unknown>;
  };

  it("is ok while at least half the window's leads name a Facebook object", async () => {
    // L1 (ad) and L2 (campaign) of 3.
    expect(await check()).toMatchObject({
      severity: "ok",
      count: 0,
      total: 3,
      matched: 2,
      rate: 0.6667,
      teams: [{ team: "kenesary", total: 3, matched: 2, rate: 0.6667 }],
    });
  });

  it("warns, with the unmatched count, when fewer than half do", async () => {
    await addTaggedLead(db.sql, "2024-05-12T10:00:00+05:00", { source: "kenesary", content: "nothing" });
    await addTaggedLead(db.sql, "2024-05-12T11:00:00+05:00", { source: "kenesary" });
    // 2 of 5 matched: 3 unmatched.
    const found = await check();
    expect(found).toMatchObject({ severity: "warning", count: 3, total: 5, matched: 2, rate: 0.4 });
    expect(found.message).toMatch(/^Only 2 of 5 lead\(s\) in the window \(40\.0%\) name a known Facebook ad/);
  });
});
