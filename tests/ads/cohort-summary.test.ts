// cohort_report reads analytics.cohort_summary (the cohort cache summed per month and week) and
// corrects it for the entry days written since the last refresh. Worked out by hand: a cohort
// whose cached days and live days mix, a rate added later for a USD sale whose entry day stays
// cached, the current period cut at p_until while later days of it are cached, week and month.
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";
import { addAdAccount, addRate, addTeams, refresh } from "../funnel/fixtures.ts";
import { addAdInsight, addPerson, addTaggedSale, cohortReport, type Cohort } from "./fixtures.ts";

let db: TestDatabase;
const ken = { source: "kenesary" };
const people: Record<string, string> = {};
const deals: Record<string, number> = {};

// kenesary's KZT account: spend 20,000 on 2024-05-03 (week of 2024-04-29). All times Almaty (+05).
// A: lead 05-06 12:00, Express 5,000 on 05-06 (lag 0).
// B: lead 05-08 12:00, Express 5,000 on 05-10 (lag 2).
// C: lead 05-14 12:00, Express 10 USD on 05-20 (lag 6); no USD rate on 05-20 at first.
// All refreshed: every entry day is cached.
beforeAll(async () => {
  db = await createTestDatabase();
  const sql = db.sql;
  await addTeams(sql, "kenesary");
  await addAdAccount(sql, { id: "1003", currency: "KZT", team: "kenesary" });
  await addAdInsight(sql, {
    account: "1003",
    currency: "KZT",
    day: "2024-05-03",
    spend: "20000",
    campaign: ["531", "C"],
    adset: ["631", "S"],
    ad: ["731", "A"],
  });
  people.a = await addPerson(sql, "2024-05-06T12:00:00+05:00", ken);
  people.b = await addPerson(sql, "2024-05-08T12:00:00+05:00", ken);
  people.c = await addPerson(sql, "2024-05-14T12:00:00+05:00", ken);
  const buy = { tags: ken, product: "express" as const, amount: "5000" };
  deals.a = await addTaggedSale(sql, { ...buy, person: people.a, at: "2024-05-06T15:00:00+05:00" });
  deals.b = await addTaggedSale(sql, { ...buy, person: people.b, at: "2024-05-10T12:00:00+05:00" });
  deals.c = await addTaggedSale(sql, {
    ...buy,
    person: people.c,
    at: "2024-05-20T12:00:00+05:00",
    amount: "10",
    currency: "USD",
  });
  await refresh(sql);
});
afterAll(() => db.drop());

const liveDays = async () =>
  (await db.sql`select distinct day::text as day from analytics.stale_day order by 1`).map((r) => r.day);
const may = async (until = "2024-05-31") =>
  (await cohortReport(db.sql, { team: "kenesary", from: "2024-05-01", until })).cohorts[0];
const horizon = (cohort: Cohort, days: number) => cohort.horizons.find((h) => h.days === days);

it("reads the cached cohort: a USD sale without a rate leaves the revenue unknown", async () => {
  expect(await liveDays()).toEqual([]);
  const cohort = await may();
  expect(cohort).toMatchObject({ people: 3, leads: 3, spend: 20000, spend_complete: true });
  expect(horizon(cohort, 7)).toMatchObject({ express_buyers: 3, express_revenue: null, revenue: null, roi: null });
  expect(cohort.to_date).toEqual({ express_buyers: 3, flagman_buyers: 0, revenue: null, roi: null });
  const report = await cohortReport(db.sql, { team: "kenesary", from: "2024-05-01", until: "2024-05-31" });
  expect(report.warnings.map((w) => w.code)).toContain("missing_exchange_rate");
});

it("converts the USD sale with a rate added later, before the refresh (its entry day stays cached) and after", async () => {
  await addRate(db.sql, "2024-05-20", "USD", "500");
  // The rate marks its own day stale, not C's entry day (05-14): C's sale is still read from the summary.
  expect(await liveDays()).toEqual(["2024-05-20"]);
  for (const state of ["live", "refreshed"]) {
    if (state === "refreshed") await refresh(db.sql);
    const cohort = await may();
    // 5,000 + 5,000 + 10 USD × 500; ROI (15,000 − 20,000) / 20,000.
    expect(horizon(cohort, 7), state).toMatchObject({ express_buyers: 3, express_revenue: 15000, roi: -0.25 });
    expect(cohort.to_date, state).toEqual({ express_buyers: 3, flagman_buyers: 0, revenue: 15000, roi: -0.25 });
  }
  expect(await liveDays()).toEqual([]);
});

it("mixes live entry days with cached ones in one cohort: the same figures before and after the refresh", async () => {
  const sql = db.sql;
  // A's Express voided (05-06 live); B buys a Flagman 490,000 on 05-25 (B's entry day 05-08 live);
  // D: a new person, lead 05-09 12:00, Express 5,000 the same evening (lag 0; 05-09 live).
  await sql`update voronka.sale set voided_at = '2024-05-26T12:00:00+05:00', void_reason = 'lost' where deal_id = ${deals.a}`;
  await addTaggedSale(sql, {
    tags: ken,
    product: "flagman",
    amount: "490000",
    person: people.b,
    at: "2024-05-25T12:00:00+05:00",
  });
  people.d = await addPerson(sql, "2024-05-09T12:00:00+05:00", ken);
  await addTaggedSale(sql, {
    tags: ken,
    product: "express",
    amount: "5000",
    person: people.d,
    at: "2024-05-09T18:00:00+05:00",
  });
  // The entry days of A, B and D, and the Flagman's sale day (the funnel's); C's entry day (05-14)
  // stays cached.
  expect(await liveDays()).toEqual(["2024-05-06", "2024-05-08", "2024-05-09", "2024-05-25"]);

  for (const state of ["live", "refreshed"]) {
    if (state === "refreshed") {
      await refresh(sql);
      expect(await liveDays()).toEqual([]);
    }
    // May: A, B, C, D. Express buyers B (lag 2), C (lag 6), D (lag 0): 15,000 by day 7; B's
    // Flagman at lag 17 (05-08 → 05-25). Revenue by lag: 0 → 5,000, 2 → 10,000, 6 → 15,000,
    // 17 → 505,000 ≥ 20,000: payback day 17. ROI at 30 days (505,000 − 20,000) / 20,000 = 24.25.
    // Lead → Express lags [0, 2, 6]: median 2, p90 2 + (6 − 2) × 0.8 = 5.2. Express → Flagman:
    // 05-10 → 05-25, 15.
    const cohort = await may();
    expect(cohort, state).toMatchObject({
      cohort: "2024-05-01",
      people: 4,
      leads: 4,
      spend: 20000,
      payback_day: 17,
      to_date: { express_buyers: 3, flagman_buyers: 1, revenue: 505000, roi: 24.25 },
      lead_to_express_days: { median: 2, p90: 5.2 },
      express_to_flagman_days: { median: 15, p90: 15 },
    });
    expect(horizon(cohort, 7), state).toMatchObject({
      express_buyers: 3,
      express_revenue: 15000,
      flagman_buyers: 0,
      flagman_revenue: 0,
      revenue: 15000,
      roi: -0.25,
    });
    expect(horizon(cohort, 30), state).toMatchObject({ flagman_buyers: 1, revenue: 505000, roi: 24.25 });

    // Cut at 05-10: C (05-14, cached) is left out of the period, D (05-09) is in.
    const cut = await may("2024-05-10");
    expect(cut, state).toMatchObject({
      period_end: "2024-05-10",
      people: 3,
      to_date: { express_buyers: 2, flagman_buyers: 1, revenue: 500000, roi: 24 },
      lead_to_express_days: { median: 1, p90: 1.8 },
    });

    // Weeks: 05-06 … 05-12 has A, B, D (Express B and D: 10,000 by day 7, B's Flagman later);
    // 05-13 … 05-19 has C (10 USD at 500). No spend rows in either week.
    const weeks = await cohortReport(sql, { team: "kenesary", from: "2024-05-06", until: "2024-05-19", grain: "week" });
    expect(
      weeks.cohorts.map((w) => [w.cohort, w.people, horizon(w, 7)?.express_revenue, w.to_date]),
      state,
    ).toEqual([
      ["2024-05-06", 3, 10000, { express_buyers: 2, flagman_buyers: 1, revenue: 500000, roi: null }],
      ["2024-05-13", 1, 5000, { express_buyers: 1, flagman_buyers: 0, revenue: 5000, roi: null }],
    ]);
  }
});
