// ad_report's row order when figures tie, and the match block's money rounded once, worked out by
// hand. The order is: rows with spend first, then spend (high first), revenue (high first), leads
// (many first); the ids are chosen so that every one of those rules disagrees with id order.
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";
import { addAdAccount, addTeams, refresh } from "../funnel/fixtures.ts";
import { addAdInsight, addTaggedLead, addTaggedSale, adReport } from "./fixtures.ts";

let db: TestDatabase;
const UNTIL = "2024-05-31"; // window 2024-05-02 … 2024-05-31
const ken = { source: "kenesary" };

// kenesary's KZT account 1002, campaign 520, ad set 620 (KZT is the reporting currency: rate 1):
//   ad 901: 1,000.00 on 05-10; no lead, no sale
//   ad 902: 1,000.00 on 05-10; one lead (05-11)
//   ad 903: 1,000.00 on 05-10; one Express of 5,000.55 (05-12)
//   ad 904: 2,000.00 on 05-10
//   ad 905:   500.00 on 05-10
//   ad 906 (campaign 521, ad set 621): a row of 0.00 on 05-10: spend rows, no spend
// A lead that names only campaign 521 (05-13) is a campaign row without spend rows.
// One more Express of 1,000.20 (05-14) names no ad: unmatched.
// Order: 904 (2,000), 903 (1,000, revenue 5,000.55), 902 (1,000, revenue 0, 1 lead), 901 (1,000,
// revenue 0, no lead), 905 (500), 906 (0.00), then campaign 521 (no spend rows, though it has a
// lead and 906 has none).
// Match (ad level): revenue total 5,000.55 + 1,000.20 = 6,000.75, matched 5,000.55,
// rate 5,000.55 / 6,000.75 = 0.83332… → 0.8333. Leads: 2 in all (902's and 521's), 1 at ad level.
beforeAll(async () => {
  db = await createTestDatabase();
  const sql = db.sql;
  await addTeams(sql, "kenesary");
  await addAdAccount(sql, { id: "1002", currency: "KZT", team: "kenesary" });
  const insight = (ad: string, spend: string, campaign = "520", adset = "620", day = "2024-05-10") =>
    addAdInsight(sql, {
      account: "1002",
      currency: "KZT",
      campaign: [campaign, `Campaign ${campaign}`],
      adset: [adset, `Ad set ${adset}`],
      ad: [ad, `Ad ${ad}`],
      day,
      spend,
    });
  await insight("901", "1000.00");
  await insight("902", "1000.00");
  await insight("903", "1000.00");
  await insight("904", "2000.00");
  await insight("905", "500.00");
  await insight("906", "0.00", "521", "621");
  await addTaggedLead(sql, "2024-05-11T10:00:00+05:00", { ...ken, content: "902" });
  await addTaggedLead(sql, "2024-05-13T10:00:00+05:00", { ...ken, campaign: "521", content: "none" });
  await addTaggedSale(sql, {
    at: "2024-05-12T10:00:00+05:00",
    product: "express",
    amount: "5000.55",
    tags: { ...ken, content: "903" },
  });
  await addTaggedSale(sql, { at: "2024-05-14T10:00:00+05:00", product: "express", amount: "1000.20", tags: ken });
});
afterAll(() => db.drop());

it("orders tied rows by revenue, then leads, and rows without spend last: live and refreshed", async () => {
  for (const state of ["live", "refreshed"]) {
    if (state === "refreshed") await refresh(db.sql);
    const report = await adReport(db.sql, { team: "kenesary", until: UNTIL });
    expect(
      report.rows.map((r) => [r.level, r.ad_id ?? r.campaign_id, r.spend, r.revenue, r.leads]),
      state,
    ).toEqual([
      ["ad", "904", 2000, 0, 0],
      ["ad", "903", 1000, 5000.55, 0],
      ["ad", "902", 1000, 0, 1],
      ["ad", "901", 1000, 0, 0],
      ["ad", "905", 500, 0, 0],
      ["ad", "906", 0, 0, 0],
      ["campaign", "521", null, 0, 1],
    ]);
  }
});

it("keeps the same order when the rows are cut at p_limit, and sums the rest", async () => {
  const report = await adReport(db.sql, { team: "kenesary", until: UNTIL, limit: 3 });
  expect(report.rows.map((r) => r.ad_id)).toEqual(["904", "903", "902"]);
  // Omitted: 901 (1,000), 905 (500), 906 (0.00) and campaign 521 (a lead, no spend rows): 1,500.00.
  expect(report.omitted).toMatchObject({ rows: 4, spend: 1500, spend_complete: true, leads: 1, revenue: 0 });
  // Only campaign 521 omitted: no spend rows among them, so no spend figure.
  const last = await adReport(db.sql, { team: "kenesary", until: UNTIL, limit: 6 });
  expect(last.omitted).toMatchObject({ rows: 1, spend: null, spend_complete: false, leads: 1, cpl: null });
});

it("rounds the match block's revenue to two decimals, once", async () => {
  const report = await adReport(db.sql, { team: "kenesary", until: UNTIL });
  expect(report.match).toEqual({
    leads: { total: 2, matched: 1, rate: 0.5 },
    sales: { total: 2, matched: 1, rate: 0.5 },
    revenue: { total: 6000.75, matched: 5000.55, rate: 0.8333 },
  });
  expect(report.totals).toMatchObject({ spend: 5500, express_revenue: 6000.75, revenue: 6000.75 });
});

it("has no warnings when every rate, team and tag is in order: an empty list, not null", async () => {
  // A Facebook sync that just succeeded (otherwise: stale_facebook_sync).
  await db.sql`
    insert into voronka.fb_sync_run (trigger, started_at, finished_at, status) values ('http', now(), now(), 'succeeded')`;
  const report = await adReport(db.sql, { team: "kenesary", until: UNTIL });
  expect(report.warnings).toEqual([]);
});

it("takes p_limit up to 10,000, names a null one, and ends the window today without p_until", async () => {
  const all = await adReport(db.sql, { team: "kenesary", until: UNTIL, limit: 10000 });
  expect(all.rows).toHaveLength(7);
  expect(all.omitted).toBeNull();
  await expect(
    db.sql`select public.ad_report('kenesary', 30, ${UNTIL}::date, 'ad', 'last_touch', null)`,
  ).rejects.toMatchObject({ code: "22023", message: "p_limit must be between 1 and 10000, got null" });
  const [today] = await db.sql`
    select (r -> 'window' ->> 'until') = analytics.business_day(now())::text as today, r -> 'window' ->> 'days' as days
    from public.ad_report('kenesary', 1) as r`;
  expect({ ...today }).toEqual({ today: true, days: "1" });
});
