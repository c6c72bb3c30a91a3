// cohort_report's payback day, horizons and last-touch team at their edges, worked out by hand:
// revenue that reaches the spend exactly pays it back (on that lag), a cohort whose period had
// spend rows of 0.00 has nothing to pay back (no payback day, not lag 0), cohorts without purchases
// (or without anything) show zeros rather than nulls, money is rounded once, and under last touch
// a purchase whose deal has no team is the "unattributed" bucket's.
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";
import { addAdAccount, addTeams, refresh } from "../funnel/fixtures.ts";
import { addAdInsight, addPerson, addTaggedSale, cohortReport, type Horizon } from "./fixtures.ts";

let db: TestDatabase;
const ken = { source: "kenesary" };

// kenesary's KZT account 1002: spend 10,000.03 on 2024-05-10; a row of 0.00 on 2024-06-05 (spend
// data, no spend); nothing in July; 500.05 on 2024-08-05; nothing in September.
// May:  A lead 05-10 12:00, Express 5,000.05 on 05-10 (lag 0), Flagman 490,000.41 on 05-15 (lag 5);
//       B lead 05-12, Express 4,999.98 on 05-15 (lag 3).
//       Cumulative revenue by lag: 0 → 5,000.05; 3 → 10,000.03 = the spend exactly: payback day 3.
//       Every horizon (7 … 180) holds all of it: Express 10,000.03, Flagman 490,000.41, revenue
//       500,000.44, ROI (500,000.44 − 10,000.03) / 10,000.03 = 490,000.41 / 10,000.03 = 48.99989…
//       (10,000.03 × 49 = 490,001.47, 1.06 more) → 48.9999. Lead → Express lags [0, 3]: median 1.5,
//       p90 0 + 0.9 × 3 = 2.7; Express → Flagman [5].
// June: D lead 06-10, Express 5,000 on 06-11 (lag 1). Spend 0.00 (complete): no payback day.
// July: C lead 07-10 (kenesary), Flagman 490,000 on 07-12 through a deal without tags: no team.
//       First touch: kenesary's (C's first lead); last touch: the "unattributed" bucket's.
// August: E lead 08-10, buys nothing; spend 500.05: ROI (0 − 500.05) / 500.05 = −1 at every horizon.
// September: nothing at all (no people, no leads, no spend rows).
beforeAll(async () => {
  db = await createTestDatabase();
  const sql = db.sql;
  await addTeams(sql, "kenesary");
  await addAdAccount(sql, { id: "1002", currency: "KZT", team: "kenesary" });
  const ad = {
    account: "1002",
    currency: "KZT",
    campaign: ["511", "C"] as [string, string],
    adset: ["611", "S"] as [string, string],
    ad: ["711", "A"] as [string, string],
  };
  await addAdInsight(sql, { ...ad, day: "2024-05-10", spend: "10000.03" });
  await addAdInsight(sql, { ...ad, day: "2024-06-05", spend: "0.00" });
  await addAdInsight(sql, { ...ad, day: "2024-08-05", spend: "500.05" });
  const a = await addPerson(sql, "2024-05-10T12:00:00+05:00", ken);
  const b = await addPerson(sql, "2024-05-12T12:00:00+05:00", ken);
  const d = await addPerson(sql, "2024-06-10T12:00:00+05:00", ken);
  const c = await addPerson(sql, "2024-07-10T12:00:00+05:00", ken);
  await addPerson(sql, "2024-08-10T12:00:00+05:00", ken);
  const buy = (person: string, at: string, product: "express" | "flagman", amount: string, tags = ken) =>
    addTaggedSale(sql, { person, at, product, amount, tags });
  await buy(a, "2024-05-10T15:00:00+05:00", "express", "5000.05");
  await buy(b, "2024-05-15T12:00:00+05:00", "express", "4999.98");
  await buy(a, "2024-05-15T13:00:00+05:00", "flagman", "490000.41");
  await buy(d, "2024-06-11T12:00:00+05:00", "express", "5000");
  await buy(c, "2024-07-12T12:00:00+05:00", "flagman", "490000", {} as typeof ken);
});
afterAll(() => db.drop());

const horizons = (figures: Omit<Horizon, "days" | "too_young">) =>
  [7, 30, 60, 90, 180].map((days) => ({ days, too_young: false, ...figures }));
const nothing = { express_buyers: 0, express_revenue: 0, flagman_buyers: 0, flagman_revenue: 0, revenue: 0 };

it("pays back on the lag where revenue equals the spend, and never where the spend is 0: live, refreshed", async () => {
  for (const state of ["live", "refreshed"]) {
    if (state === "refreshed") await refresh(db.sql);
    const report = await cohortReport(db.sql, { team: "kenesary", from: "2024-05-01", until: "2024-09-30" });
    expect(
      report.cohorts.map((x) => [x.cohort, x.people, x.leads, x.spend, x.spend_complete, x.payback_day]),
      state,
    ).toEqual([
      ["2024-05-01", 2, 2, 10000.03, true, 3],
      ["2024-06-01", 1, 1, 0, true, null],
      ["2024-07-01", 1, 1, null, false, null],
      ["2024-08-01", 1, 1, 500.05, true, null],
      ["2024-09-01", 0, 0, null, false, null],
    ]);
    const [may, , july, august, september] = report.cohorts;
    expect(may.horizons, state).toEqual(
      horizons({
        express_buyers: 2,
        express_revenue: 10000.03,
        flagman_buyers: 1,
        flagman_revenue: 490000.41,
        revenue: 500000.44,
        roi: 48.9999,
      }),
    );
    expect(may, state).toMatchObject({
      to_date: { express_buyers: 2, flagman_buyers: 1, revenue: 500000.44, roi: 48.9999 },
      lead_to_express_days: { median: 1.5, p90: 2.7 },
      express_to_flagman_days: { median: 5, p90: 5 },
    });
    expect(july.to_date, state).toMatchObject({ flagman_buyers: 1, revenue: 490000 });
    // No purchases: zeros, and ROI −1 where the spend is known, none where it is not.
    expect(august.horizons, state).toEqual(horizons({ ...nothing, roi: -1 }));
    expect(august.to_date, state).toEqual({ express_buyers: 0, flagman_buyers: 0, revenue: 0, roi: -1 });
    expect(september.horizons, state).toEqual(horizons({ ...nothing, roi: null }));
    expect(september.to_date, state).toEqual({ express_buyers: 0, flagman_buyers: 0, revenue: 0, roi: null });
    expect(report.warnings, state).toEqual([]);
    // A window ending on C's entry day (07-10) has C; so has the one-day window of that day.
    for (const from of ["2024-07-01", "2024-07-10"]) {
      const edge = await cohortReport(db.sql, { team: "kenesary", from, until: "2024-07-10" });
      expect(
        edge.cohorts.map((x) => [x.cohort, x.people]),
        `${state} ${from}`,
      ).toEqual([["2024-07-01", 1]]);
    }
  }
});

it("credits a purchase through a deal without a team to the unattributed bucket under last touch", async () => {
  for (const state of ["live", "refreshed"]) {
    if (state === "refreshed") await refresh(db.sql);
    const args = { from: "2024-07-01", until: "2024-07-31", model: "last_touch" };
    const unattributed = await cohortReport(db.sql, { ...args, team: "unattributed" });
    // C entered kenesary's cohort: the bucket has no people of its own, only C's Flagman.
    expect(
      unattributed.cohorts.map((x) => [x.cohort, x.people, x.to_date]),
      state,
    ).toEqual([["2024-07-01", 0, { express_buyers: 0, flagman_buyers: 1, revenue: 490000, roi: null }]]);
    const kenesary = await cohortReport(db.sql, { ...args, team: "kenesary" });
    expect(
      kenesary.cohorts.map((x) => [x.cohort, x.people, x.to_date]),
      state,
    ).toEqual([["2024-07-01", 1, { express_buyers: 0, flagman_buyers: 0, revenue: 0, roi: null }]]);
  }
});

it("is too young for a horizon only after its last day: a period ending 7 days ago is old enough for 7", async () => {
  // One statement: the window's end and the report's "today" are the same business day.
  const [{ r }] = await db.sql`
    select public.cohort_report('kenesary', analytics.business_day(now()) - 7, analytics.business_day(now()) - 7) as r`;
  expect((r as { cohorts: { horizons: Horizon[] }[] }).cohorts[0].horizons.map((h) => [h.days, h.too_young])).toEqual([
    [7, false],
    [30, true],
    [60, true],
    [90, true],
    [180, true],
  ]);
});

it("takes a window of up to 3,660 days and refuses one day more", async () => {
  const [{ n }] = await db.sql`
    select jsonb_array_length(public.cohort_report('kenesary', '2024-07-10'::date - 3660, '2024-07-10') -> 'cohorts') as n`;
  // 2014-07-03 … 2024-07-10: the months July 2014 … July 2024.
  expect(n).toBe(121);
  await expect(
    db.sql`select public.cohort_report('kenesary', '2024-07-10'::date - 3661, '2024-07-10')`,
  ).rejects.toMatchObject({ code: "22023" });
});
