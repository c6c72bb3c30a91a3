// cohort_report's payback day and last-touch team at their edges, worked out by hand: revenue that
// reaches the spend exactly pays it back (on that lag), a cohort whose period had spend rows of
// 0.00 has nothing to pay back (no payback day, not lag 0), and under last touch a purchase whose
// deal has no team is the "unattributed" bucket's.
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";
import { addAdAccount, addTeams, refresh } from "../funnel/fixtures.ts";
import { addAdInsight, addPerson, addTaggedSale, cohortReport } from "./fixtures.ts";

let db: TestDatabase;
const ken = { source: "kenesary" };

// kenesary's KZT account 1002: spend 10,000.00 on 2024-05-10; a row of 0.00 on 2024-06-05 (spend
// data, no spend); nothing in July.
// May:  A lead 05-10 12:00, Express 5,000 on 05-10 (lag 0); B lead 05-12, Express 5,000 on 05-15 (lag 3).
//       Cumulative revenue by lag: 0 → 5,000; 3 → 10,000 = the spend exactly: payback day 3.
// June: D lead 06-10, Express 5,000 on 06-11 (lag 1). Spend 0.00 (complete): no payback day.
// July: C lead 07-10 (kenesary), Flagman 490,000 on 07-12 through a deal without tags: no team.
// August: nothing (no people, no leads, no spend rows).
//       First touch: kenesary's (C's first lead); last touch: the "unattributed" bucket's.
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
  await addAdInsight(sql, { ...ad, day: "2024-05-10", spend: "10000.00" });
  await addAdInsight(sql, { ...ad, day: "2024-06-05", spend: "0.00" });
  const a = await addPerson(sql, "2024-05-10T12:00:00+05:00", ken);
  const b = await addPerson(sql, "2024-05-12T12:00:00+05:00", ken);
  const d = await addPerson(sql, "2024-06-10T12:00:00+05:00", ken);
  const c = await addPerson(sql, "2024-07-10T12:00:00+05:00", ken);
  const express = (person: string, at: string) =>
    addTaggedSale(sql, { person, at, product: "express", amount: "5000", tags: ken });
  await express(a, "2024-05-10T15:00:00+05:00");
  await express(b, "2024-05-15T12:00:00+05:00");
  await express(d, "2024-06-11T12:00:00+05:00");
  await addTaggedSale(sql, {
    person: c,
    at: "2024-07-12T12:00:00+05:00",
    product: "flagman",
    amount: "490000",
    tags: {},
  });
});
afterAll(() => db.drop());

it("pays back on the lag where revenue equals the spend, and never where the spend is 0: live, refreshed", async () => {
  for (const state of ["live", "refreshed"]) {
    if (state === "refreshed") await refresh(db.sql);
    const report = await cohortReport(db.sql, { team: "kenesary", from: "2024-05-01", until: "2024-08-31" });
    expect(
      report.cohorts.map((x) => [x.cohort, x.people, x.leads, x.spend, x.spend_complete, x.payback_day]),
      state,
    ).toEqual([
      ["2024-05-01", 2, 2, 10000, true, 3],
      ["2024-06-01", 1, 1, 0, true, null],
      ["2024-07-01", 1, 1, null, false, null],
      // Nothing in August: zeros, not nulls.
      ["2024-08-01", 0, 0, null, false, null],
    ]);
    // A window ending on C's entry day (07-10) has C.
    const edge = await cohortReport(db.sql, { team: "kenesary", from: "2024-07-01", until: "2024-07-10" });
    expect(
      edge.cohorts.map((x) => [x.cohort, x.people]),
      state,
    ).toEqual([["2024-07-01", 1]]);
    // ROI to date in May: (10,000 − 10,000) / 10,000 = 0.
    expect(report.cohorts[0].to_date, state).toMatchObject({ express_buyers: 2, revenue: 10000, roi: 0 });
    expect(report.cohorts[2].to_date, state).toMatchObject({ flagman_buyers: 1, revenue: 490000 });
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
