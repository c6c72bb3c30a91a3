// cohort_report against figures worked out by hand: cohorts on both sides of Almaty's 2024-03-01
// change from UTC+6 to UTC+5, horizons, payback, lags, a voided Flagman, too-young cohorts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asApiRole, createTestDatabase, type TestDatabase } from "../support/test-database.ts";
import { addAdAccount, addTeams, refresh } from "../funnel/fixtures.ts";
import { addAdInsight, addPerson, addTaggedSale, cohortReport, type Cohort, type CohortReport } from "./fixtures.ts";

let db: TestDatabase;
let p1: string;
let p1Flagman: number;
const ken = { source: "kenesary" };
const adOf = (team: string, id: string) => ({
  campaign: [id + "0", team] as [string, string],
  adset: [id + "1", team] as [string, string],
  ad: [id, team] as [string, string],
});

// kenesary, KZT: spend 100,000 on 2024-02-15 and 50,000 on 2024-03-10.
// P1: ProfTest 2024-02-29 18:30 UTC = 23:30 on Feb 29 in Almaty (UTC+5 from 00:00 Mar 1 +06, i.e.
//     18:00 UTC): the February cohort (UTC+6 would say 00:30 on March 1). Express 5,000 on
//     2024-03-07 (lag 7 business days); Flagman 490,000 on 2024-05-10 (lag 71: Feb 29 → May 10).
// P2: ProfTest 2024-02-29 19:30 UTC = 00:30 on March 1: the March cohort. Express 5,000 on
//     2024-03-02 (lag 1); Flagman 490,000 on 2024-04-15, lost (voided): not counted.
// P3: ProfTest 2024-02-10, nothing bought. P4: traf4's, March, nothing bought (another team).
beforeAll(async () => {
  db = await createTestDatabase();
  const sql = db.sql;
  await addTeams(sql, "kenesary", "traf4");
  await addAdAccount(sql, { id: "1001", currency: "KZT", team: "kenesary" });
  await addAdInsight(sql, {
    account: "1001",
    currency: "KZT",
    day: "2024-02-15",
    spend: "100000.00",
    ...adOf("ken", "71"),
  });
  await addAdInsight(sql, {
    account: "1001",
    currency: "KZT",
    day: "2024-03-10",
    spend: "50000.00",
    ...adOf("ken", "71"),
  });
  p1 = await addPerson(sql, "2024-02-29T18:30:00Z", ken);
  const p2 = await addPerson(sql, "2024-02-29T19:30:00Z", ken);
  await addPerson(sql, "2024-02-10T12:00:00+06:00", ken);
  await addPerson(sql, "2024-03-05T12:00:00+05:00", { source: "traf4" });
  const sale = (person: string, at: string, product: "express" | "flagman", voided?: "lost") =>
    addTaggedSale(sql, {
      person,
      at,
      product,
      amount: product === "express" ? "5000" : "490000",
      tags: ken,
      voided,
    });
  await sale(p1, "2024-03-07T10:00:00+05:00", "express");
  p1Flagman = await sale(p1, "2024-05-10T12:00:00+05:00", "flagman");
  await sale(p2, "2024-03-02T12:00:00+05:00", "express");
  await sale(p2, "2024-04-15T12:00:00+05:00", "flagman", "lost");
});
afterAll(() => db.drop());

const report = (args: Parameters<typeof cohortReport>[1] = {}) =>
  cohortReport(db.sql, { team: "kenesary", from: "2024-02-01", until: "2024-03-31", ...args });
const horizon = (c: Cohort, days: number) => c.horizons.find((h) => h.days === days)!;
const express7 = { express_buyers: 1, express_revenue: 5000.0, flagman_buyers: 0, flagman_revenue: 0.0 };

async function expectHandComputedCohorts(r: CohortReport) {
  expect(r.cohorts.map((c) => c.cohort)).toEqual(["2024-02-01", "2024-03-01"]);
  const [feb, mar] = r.cohorts;
  expect(feb).toMatchObject({
    cohort: "2024-02-01",
    period_end: "2024-02-29",
    people: 2, // P1 (Feb 29, 23:30 local) and P3
    leads: 2,
    spend: 100000.0,
    spend_complete: true,
    payback_day: 71, // 5,000 by day 7, 495,000 by day 71 ≥ 100,000
    lead_to_express_days: { median: 7, p90: 7 },
    express_to_flagman_days: { median: 64, p90: 64 }, // Mar 7 → May 10
    to_date: { express_buyers: 1, flagman_buyers: 1, revenue: 495000.0, roi: 3.95 },
  });
  for (const days of [7, 30, 60]) {
    expect(horizon(feb, days)).toEqual({ days, too_young: false, ...express7, revenue: 5000.0, roi: -0.95 });
  }
  for (const days of [90, 180]) {
    expect(horizon(feb, days)).toMatchObject({ flagman_buyers: 1, revenue: 495000.0, roi: 3.95 }); // (495,000 − 100,000) / 100,000
  }
  expect(mar).toMatchObject({
    cohort: "2024-03-01",
    period_end: "2024-03-31",
    people: 1, // P2 (00:30 on March 1); P4 is traf4's
    leads: 1,
    spend: 50000.0,
    payback_day: null,
    lead_to_express_days: { median: 1, p90: 1 },
    express_to_flagman_days: { median: null, p90: null }, // the Flagman was voided
    to_date: { express_buyers: 1, flagman_buyers: 0, revenue: 5000.0, roi: -0.9 },
  });
  expect(horizon(mar, 180)).toEqual({ days: 180, too_young: false, ...express7, revenue: 5000.0, roi: -0.9 });
}

describe("cohort_report by month (first touch)", () => {
  it("puts each person in the month of their first lead in Almaty, across the 2024-03-01 change", async () => {
    await expectHandComputedCohorts(await report());
  });

  it("gives the same figures from the refreshed cache", async () => {
    await refresh(db.sql);
    await expectHandComputedCohorts(await report());
  });

  it("drops a voided Flagman from its cohort at once, before any refresh", async () => {
    await refresh(db.sql);
    await db.sql`update voronka.sale set voided_at = won_at, void_reason = 'lost' where deal_id = ${p1Flagman}`;
    const [feb] = (await report()).cohorts;
    expect(feb).toMatchObject({
      payback_day: null,
      express_to_flagman_days: { median: null, p90: null },
      to_date: { flagman_buyers: 0, revenue: 5000.0, roi: -0.95 },
    });
    expect(horizon(feb, 180)).toMatchObject({ flagman_buyers: 0, revenue: 5000.0 });
    await db.sql`update voronka.sale set voided_at = null, void_reason = null where deal_id = ${p1Flagman}`;
    await expectHandComputedCohorts(await report());
  });

  it("by week: ISO weeks starting on Monday", async () => {
    const r = await report({ grain: "week", from: "2024-02-26", until: "2024-03-03" });
    // Week of Monday 2024-02-26: P1 (Feb 29) and P2 (Mar 1) both; spend none that week.
    expect(r.cohorts).toHaveLength(1);
    expect(r.cohorts[0]).toMatchObject({ cohort: "2024-02-26", period_end: "2024-03-03", people: 2, spend: null });
    expect(r.cohorts[0].to_date).toMatchObject({ express_buyers: 2, flagman_buyers: 1, revenue: 500000.0 });
  });

  it("flags horizons that have not elapsed yet", async () => {
    await addPerson(db.sql, new Date(Date.now() - 3 * 86400_000).toISOString(), ken);
    const r = await cohortReport(db.sql, { team: "kenesary" }); // the last 12 months up to today
    expect(r.cohorts).toHaveLength(12);
    const current = r.cohorts[r.cohorts.length - 1];
    expect(current.people).toBe(1);
    expect(current.horizons.map((h) => h.too_young)).toEqual([true, true, true, true, true]);
    expect(r.cohorts[0].horizons.map((h) => h.too_young)).toEqual(
      [false, false, false, false, false].map((_, i) => {
        // The oldest default cohort started 11 months ago: 180 days have passed since its end only
        // if it ended at least 180 days ago.
        const end = new Date(String(r.cohorts[0].period_end));
        return end.getTime() + r.horizons[i] * 86400_000 > Date.parse(r.as_of);
      }),
    );
  });
});

describe("cohort_report arguments and access", () => {
  it("refuses a bad grain, model or range with 22023, and other teams with 42501", async () => {
    await expect(report({ grain: "year" })).rejects.toMatchObject({
      code: "22023",
      message: 'p_grain must be one of month, week, got "year"',
    });
    await expect(report({ model: "linear" })).rejects.toMatchObject({ code: "22023" });
    await expect(report({ from: "2024-04-01", until: "2024-03-01" })).rejects.toMatchObject({ code: "22023" });
    const member = { role: "authenticated" as const, app_metadata: { teams: ["traf4"] } };
    await expect(asApiRole(db.sql, member, (tx) => tx`select public.cohort_report('kenesary')`)).rejects.toMatchObject({
      code: "42501",
    });
    const own = await asApiRole(db.sql, member, async (tx) => {
      const [row] = await tx`select public.cohort_report(null, '2024-03-01', '2024-03-31') as r`;
      return row.r as CohortReport;
    });
    expect(own.teams).toEqual(["traf4"]);
    expect(own.cohorts[0]).toMatchObject({ people: 1, to_date: { revenue: 0 } });
  });
});
