// ad_report's spend and leads come from running totals per ad (analytics.ad_running): a window is
// an ad's totals at its last day minus those the day before it opens, corrected for the days
// written since the refresh. Worked out by hand over ads that start, stop, pause and resume
// inside and outside the window, before any refresh (all live), after a refresh, with edits
// since the refresh (live days over cached ones), and after a rebuild.
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";
import { addAdAccount, addTeams, refresh } from "../funnel/fixtures.ts";
import { addAdInsight, addTaggedLead, addTaggedSale, adReport, type AdRow } from "./fixtures.ts";

let db: TestDatabase;

// Account 3001 (KZT, kenesary), campaign 31, ad set 32:
//   ad 901: 100 a day 03-01..03-10, paused, 10 a day 03-20..03-22;
//   ad 902: 50 on 03-05, and a lead on 03-25 (no spend that day);
//   ad 903: 7 on 02-20 (before every window); ad 904: 1,000 on 03-30.
const ad = (id: string) => ({
  account: "3001",
  currency: "KZT",
  campaign: ["31", "Spring"] as [string, string],
  adset: ["32", "All"] as [string, string],
  ad: [id, `Ad ${id}`] as [string, string],
});
const day = (d: number, month = "03") => `2025-${month}-${String(d).padStart(2, "0")}`;

beforeAll(async () => {
  db = await createTestDatabase();
  await addTeams(db.sql, "kenesary");
  await addAdAccount(db.sql, { id: "3001", currency: "KZT", team: "kenesary" });
  for (let d = 1; d <= 10; d++) await addAdInsight(db.sql, { ...ad("901"), day: day(d), spend: "100" });
  for (let d = 20; d <= 22; d++) await addAdInsight(db.sql, { ...ad("901"), day: day(d), spend: "10" });
  await addAdInsight(db.sql, { ...ad("902"), day: day(5), spend: "50" });
  await addTaggedLead(db.sql, `${day(25)}T12:00:00+05:00`, { source: "kenesary", content: "902" });
  await addAdInsight(db.sql, { ...ad("903"), day: day(20, "02"), spend: "7" });
  await addAdInsight(db.sql, { ...ad("904"), day: day(30), spend: "1000" });
});
afterAll(() => db.drop());

const rows = async (until: string, days: number) =>
  (await adReport(db.sql, { until, days })).rows.map((r: AdRow) => [r.ad_id, r.spend, r.leads]);

/** Every window below, by hand, given ad 901's spend on 03-20 and whether ad 902 spent on 03-05. */
async function expectWindows(state: string, spend901On20: number, spend902: number | null) {
  const resumed = spend901On20 + 10; // 901 on 03-20 and 03-21
  // 03-12..03-21: 901 resumes inside the window; 902, 903, 904 have nothing in it.
  expect(await rows(day(21), 10), state).toEqual([["901", resumed, 0]]);
  // 03-05..03-25: 901's last six days before the pause and its three after; 902's spend and its
  // lead on the window's last day.
  const wide = [
    ["901", 600 + resumed + 10, 0],
    ["902", spend902, 1],
  ];
  expect(await rows(day(25), 21), state).toEqual(spend902 === null ? [wide[0], wide[1]] : wide);
  // 02-28..03-04: 901 starts inside the window; 903 (02-20) is before it.
  expect(await rows(day(4), 5), state).toEqual([["901", 400, 0]]);
  // 03-11..03-15: inside 901's pause, nothing at all.
  expect(await rows(day(15), 5), state).toEqual([]);
  // 03-08..03-15: the window ends inside the pause.
  expect(await rows(day(15), 8), state).toEqual([["901", 300, 0]]);
  // 03-02..03-31: 904's one day comes first by spend.
  expect(await rows(day(31), 30), state).toEqual([
    ["904", 1000, 0],
    ["901", 900 + resumed + 10, 0],
    ["902", spend902, 1],
  ]);
}

it("before any refresh every day is live, and the windows are the hand-computed ones", async () => {
  expect(await db.sql`select count(*)::int as n from analytics.ad_running`).toEqual([{ n: 0 }]);
  await expectWindows("live", 10, 50);
});

it("after a refresh they come from the running totals, with the same figures", async () => {
  await refresh(db.sql);
  expect(await db.sql`select count(*)::int as n from analytics.stale_day`).toEqual([{ n: 0 }]);
  // Dense per ad from its first to its last day: 901 03-01..03-22, 902 03-05..03-25, 903, 904.
  const [n] = await db.sql`select count(*)::int as n from analytics.ad_running`;
  expect(n.n).toBe(22 + 21 + 1 + 1);
  await expectWindows("refreshed", 10, 50);
});

it("days written since the refresh replace their cached figures (an edit, and a day whose spend is gone)", async () => {
  await db.sql`update voronka.fb_ad_insight set spend = 15 where ad_id = '901' and date_start = ${day(20)}`;
  await db.sql`delete from voronka.fb_ad_insight where ad_id = '902' and date_start = ${day(5)}`;
  expect(await db.sql`select day::text from analytics.stale_day order by day`).toEqual([
    { day: day(5) },
    { day: day(20) },
  ]);
  // 902 keeps its lead, but has no spend rows: spend null, not 0.
  await expectWindows("live over cached", 15, null);
  await refresh(db.sql);
  await expectWindows("refreshed again", 15, null);
  // 902 now starts on its lead's day.
  const [first] = await db.sql`select min(day)::text as d from analytics.ad_running where ad_id = '902'`;
  expect(first.d).toBe(day(25));
});

it("an ad that resumes after a refresh fills its pause; a rebuild gives the same rows", async () => {
  await addAdInsight(db.sql, { ...ad("903"), day: day(3), spend: "7" });
  await refresh(db.sql);
  // 903: 02-20 and 03-03, dense in between (9 + 3 days), its last row on 03-03.
  const rows903 = await db.sql`
    select count(*)::int as n, sum(case when is_last then 1 else 0 end)::int as last, max(spend)::int as total
    from analytics.ad_running where ad_id = '903'`;
  expect(rows903).toEqual([{ n: 12, last: 1, total: 14 }]);
  expect(await rows(day(4), 5)).toEqual([
    ["901", 400, 0],
    ["903", 7, 0],
  ]);
  const before = await db.sql`select * from analytics.ad_running order by day, ad_id`;
  await db.sql`select analytics.rebuild_funnel_analytics()`;
  expect(await db.sql`select * from analytics.ad_running order by day, ad_id`).toEqual(before);
  await db.sql`delete from voronka.fb_ad_insight where ad_id = '903' and date_start = ${day(3)}`;
  await db.sql`select analytics.rebuild_funnel_analytics()`;
  await expectWindows("rebuilt", 15, null);
});

it("a day written since the refresh in one series only takes that series live, the other from the cache", async () => {
  // 901 spent 10 on 03-21 (cached); a lead for it that day: leads live, spend cached.
  await addTaggedLead(db.sql, `${day(21)}T12:00:00+05:00`, { source: "kenesary", content: "901" });
  expect(await db.sql`select day::text, kind from analytics.stale_day`).toEqual([{ day: day(21), kind: "leads" }]);
  expect(await rows(day(21), 10)).toEqual([["901", 15 + 10, 1]]);
  // 902's only fact left is its lead on 03-25: gone, so is 902.
  await db.sql`delete from voronka.lead where utm_content = '902'`;
  expect(await rows(day(25), 21)).toEqual([["901", 600 + 15 + 10 + 10, 1]]);
  // 03-21's spend written too: both series live that day.
  await db.sql`update voronka.fb_ad_insight set spend = 12 where ad_id = '901' and date_start = ${day(21)}`;
  expect(await rows(day(21), 10)).toEqual([["901", 15 + 12, 1]]);
  await refresh(db.sql);
  expect(await rows(day(21), 10)).toEqual([["901", 15 + 12, 1]]);
  expect(await rows(day(25), 21)).toEqual([["901", 600 + 15 + 12 + 10, 1]]);
});

// April, after every window above. Ad 905: a lead on 04-01 (no spend that day), 100 on 04-02;
// ad 906: 30 on 04-01 and 04-02 (its last day); ad 907 (account 3002, USD, no rate; campaign 33,
// ad set 34): 5 on 04-01, so its spend is no figure.
const april = (d: number) => day(d, "04");

it("a change on a run's first day is found against the day before it; other ads' last rows stay last", async () => {
  await addAdAccount(db.sql, { id: "3002", currency: "USD", team: "kenesary" });
  await addAdInsight(db.sql, { ...ad("905"), day: april(2), spend: "100" });
  await addAdInsight(db.sql, { ...ad("906"), day: april(1), spend: "30" });
  await addAdInsight(db.sql, { ...ad("906"), day: april(2), spend: "30" });
  await addAdInsight(db.sql, {
    account: "3002",
    currency: "USD",
    campaign: ["33", "Summer"],
    adset: ["34", "All"],
    ad: ["907", "Ad 907"],
    day: april(1),
    spend: "5",
  });
  await addTaggedLead(db.sql, `${april(1)}T12:00:00+05:00`, { source: "kenesary", content: "905" });
  await refresh(db.sql);
  // 04-01..04-02: by spend, the ad without a rate last (no spend figure, not 0).
  expect(await rows(april(2), 2)).toEqual([
    ["905", 100, 1],
    ["906", 60, 0],
    ["907", null, 0],
  ]);

  // A second lead of 905, on 04-02: its running totals there become 100 spent, 2 leads — which
  // 04-02's facts alone (100, 1 lead) would equal, were they not compared net of 04-01's.
  await addTaggedLead(db.sql, `${april(2)}T12:00:00+05:00`, { source: "kenesary", content: "905" });
  for (const state of ["live", "refreshed"]) {
    if (state === "refreshed") await refresh(db.sql);
    expect(await rows(april(2), 2), state).toEqual([
      ["905", 100, 2],
      ["906", 60, 0],
      ["907", null, 0],
    ]);
    // 04-02..04-03: 905 and 906 end on the window's first day; 907 (04-01) is before it.
    expect(await rows(april(3), 2), state).toEqual([
      ["905", 100, 1],
      ["906", 30, 0],
    ]);
  }

  // 905 resumes on 04-04: its row of 04-02 is its last no more; 906's row of that day still is.
  await addAdInsight(db.sql, { ...ad("905"), day: april(4), spend: "10" });
  await refresh(db.sql);
  expect(await rows(april(5), 5)).toEqual([
    ["905", 110, 2],
    ["906", 60, 0],
    ["907", null, 0],
  ]);
  expect(await rows(april(3), 2)).toEqual([
    ["905", 100, 1],
    ["906", 30, 0],
  ]);
  const last = await db.sql`
    select ad_id, day::text from analytics.ad_running where is_last and day >= ${april(1)} order by ad_id`;
  expect(last).toEqual([
    { ad_id: "905", day: april(4) },
    { ad_id: "906", day: april(2) },
    { ad_id: "907", day: april(1) },
  ]);
});

it("a key whose days since the refresh lost every fact is left out; a row of sales alone has 0 impressions and clicks", async () => {
  // 907's one day (04-01) removed since the refresh: its cached row taken away, nothing live.
  await db.sql`delete from voronka.fb_ad_insight where ad_id = '907'`;
  for (const state of ["live", "refreshed"]) {
    if (state === "refreshed") await refresh(db.sql);
    expect(await rows(april(2), 2), state).toEqual([
      ["905", 100, 2],
      ["906", 60, 0],
    ]);
  }
  // 906 sells on 04-06, four days after its last spend: one Express sale of 1,000 KZT, last touch.
  await addTaggedSale(db.sql, {
    at: `${april(6)}T12:00:00+05:00`,
    product: "express",
    amount: "1000",
    tags: { source: "kenesary", content: "906" },
  });
  for (const state of ["live", "refreshed"]) {
    if (state === "refreshed") await refresh(db.sql);
    const report = await adReport(db.sql, { until: april(6), days: 1 });
    expect(
      report.rows.map((r) => ({
        ad_id: r.ad_id,
        spend: r.spend,
        spend_complete: r.spend_complete,
        impressions: r.impressions,
        clicks: r.clicks,
        leads: r.leads,
        express_purchases: r.express_purchases,
        express_revenue: r.express_revenue,
      })),
      state,
    ).toEqual([
      {
        ad_id: "906",
        spend: null,
        spend_complete: false,
        impressions: 0,
        clicks: 0,
        leads: 0,
        express_purchases: 1,
        express_revenue: 1000,
      },
    ]);
  }
});
