// The analysts' views over the ad and cohort facts (27_ad_cohort_views.sql), against figures
// worked out by hand: money rounded once to two decimals, the rate flags false when every rate
// is there, a campaign-only row's ad account taken from its campaign, the unattributed bucket
// named, and zeros (not nulls) for what a cohort group did not do.
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";
import { addAdAccount, addTeams, refresh } from "../funnel/fixtures.ts";
import { addAdInsight, addPerson, addTaggedLead, addTaggedSale, adReport } from "./fixtures.ts";

let db: TestDatabase;
const ken = { source: "kenesary" };
let p1 = "";
let p3 = "";

// kenesary's KZT account 1002: ad 731 (campaign 531, ad set 631) spent 100.05 on 2024-05-10.
// P1: first lead 05-10 10:00 through ad 731; Express 5,000.05 (05-11) and Flagman 490,000.41
//     (05-12), both on deals tagged with ad 731. Revenue 495,000.46.
// L2: a lead (no person) on 05-10 naming only campaign 531.
// P3: first lead 06-03 from source "nobody" (no team); Express 5,000.00 on 06-04, deal tagged
//     kenesary without an ad: first touch unattributed (P3's lead), last touch kenesary.
beforeAll(async () => {
  db = await createTestDatabase();
  const sql = db.sql;
  await addTeams(sql, "kenesary");
  await addAdAccount(sql, { id: "1002", currency: "KZT", team: "kenesary" });
  await addAdInsight(sql, {
    account: "1002",
    currency: "KZT",
    campaign: ["531", "Spring"],
    adset: ["631", "Wide"],
    ad: ["731", "Reel"],
    day: "2024-05-10",
    spend: "100.05",
  });
  p1 = await addPerson(sql, "2024-05-10T10:00:00+05:00", { ...ken, content: "731" });
  await addTaggedLead(sql, "2024-05-10T11:00:00+05:00", { ...ken, campaign: "531", content: "none" });
  const tags = { ...ken, content: "731" };
  await addTaggedSale(sql, {
    person: p1,
    at: "2024-05-11T12:00:00+05:00",
    product: "express",
    amount: "5000.05",
    tags,
  });
  await addTaggedSale(sql, {
    person: p1,
    at: "2024-05-12T12:00:00+05:00",
    product: "flagman",
    amount: "490000.41",
    tags,
  });
  p3 = await addPerson(sql, "2024-06-03T10:00:00+05:00", { source: "nobody" });
  await addTaggedSale(sql, {
    person: p3,
    at: "2024-06-04T12:00:00+05:00",
    product: "express",
    amount: "5000",
    tags: ken,
  });
});
afterAll(() => db.drop());

const states = ["live", "refreshed"] as const;
const plain = (rows: readonly Record<string, unknown>[]) => rows.map((r) => ({ ...r }));

it("ad_performance: rounded money, rate flags, and the campaign's account for a campaign-only row", async () => {
  for (const state of states) {
    if (state === "refreshed") await refresh(db.sql);
    const rows = await db.sql`
      select day::text, model, team, campaign_id, adset_id, ad_id, ad_name, ad_account_id, spend::float8,
             spend_rate_missing, leads::int, express_revenue::float8, flagman_revenue::float8, revenue_rate_missing
      from analytics.ad_performance
      where day between '2024-05-10' and '2024-05-12'
      order by day, model, ad_id nulls first`;
    const row = (day: string, model: string, figures: Record<string, unknown>) => ({
      day,
      model,
      team: "kenesary",
      campaign_id: "531",
      adset_id: "631",
      ad_id: "731",
      ad_name: "Reel",
      ad_account_id: "1002",
      spend: 0,
      spend_rate_missing: false,
      leads: 0,
      express_revenue: 0,
      flagman_revenue: 0,
      revenue_rate_missing: false,
      ...figures,
    });
    expect(plain(rows), state).toEqual([
      // L2 named only campaign 531: no ad set, no ad, the account through the campaign.
      row("2024-05-10", "any", { adset_id: null, ad_id: null, ad_name: null, leads: 1 }),
      row("2024-05-10", "any", { spend: 100.05, leads: 1 }),
      row("2024-05-11", "first_touch", { express_revenue: 5000.05 }),
      row("2024-05-11", "last_touch", { express_revenue: 5000.05 }),
      row("2024-05-12", "first_touch", { flagman_revenue: 490000.41 }),
      row("2024-05-12", "last_touch", { flagman_revenue: 490000.41 }),
    ]);
  }
});

it("people: first lead's day, cohort, team (unattributed when none) and purchases", async () => {
  const rows = await db.sql`
    select person_id::text, first_lead_day::text, cohort_month::text, first_lead_team, first_lead_ad_id, leads::int,
           express_purchases::int, flagman_purchases::int
    from analytics.people order by first_lead_at`;
  expect(plain(rows)).toEqual([
    {
      person_id: p1,
      first_lead_day: "2024-05-10",
      cohort_month: "2024-05-01",
      first_lead_team: "kenesary",
      first_lead_ad_id: "731",
      leads: 1,
      express_purchases: 1,
      flagman_purchases: 1,
    },
    {
      person_id: p3,
      first_lead_day: "2024-06-03",
      cohort_month: "2024-06-01",
      first_lead_team: "unattributed",
      first_lead_ad_id: null,
      leads: 1,
      express_purchases: 1,
      flagman_purchases: 0,
    },
  ]);
});

it("cohorts: per month, model and team, zeros where a group has no people, buyers or revenue", async () => {
  for (const state of states) {
    if (state === "refreshed") await refresh(db.sql);
    const rows = await db.sql`
      select cohort_month::text, model, team, people::int, express_buyers::int, flagman_buyers::int,
             revenue_to_date::float8
      from analytics.cohorts order by 1, 2, 3`;
    const group = (month: string, model: string, team: string, p: number, e: number, f: number, revenue: number) => ({
      cohort_month: month,
      model,
      team,
      people: p,
      express_buyers: e,
      flagman_buyers: f,
      revenue_to_date: revenue,
    });
    expect(plain(rows), state).toEqual([
      // P1: 5,000.05 + 490,000.41 = 495,000.46 under either model.
      group("2024-05-01", "first_touch", "kenesary", 1, 1, 1, 495000.46),
      group("2024-05-01", "last_touch", "kenesary", 1, 1, 1, 495000.46),
      // P3's Express: first touch the bucket's (P3's lead), last touch kenesary's (the deal's tags).
      group("2024-06-01", "first_touch", "unattributed", 1, 1, 0, 5000),
      group("2024-06-01", "last_touch", "kenesary", 0, 1, 0, 5000),
      group("2024-06-01", "last_touch", "unattributed", 1, 0, 0, 0),
    ]);
  }
});

it("ad_report over the same facts: each row's and the totals' money rounded to two decimals, once", async () => {
  const money = ["spend", "express_revenue", "flagman_revenue", "revenue"];
  const report = await adReport(db.sql, { team: "kenesary", until: "2024-05-31" });
  const pick = (r: Record<string, unknown>) => Object.fromEntries(money.map((k) => [k, r[k]]));
  // Ad 731: 100.05 spent; 5,000.05 + 490,000.41 = 495,000.46 of revenue. (P3's June sale is outside.)
  const expected = { spend: 100.05, express_revenue: 5000.05, flagman_revenue: 490000.41, revenue: 495000.46 };
  expect(pick(report.rows.find((r) => r.ad_id === "731")!)).toEqual(expected);
  expect(pick(report.totals)).toEqual(expected);
});
