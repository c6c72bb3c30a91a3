// A sale marks two days stale: its own (kind 'sales': the funnel's and the ads' sales changed) and
// its buyer's first-lead day (kind 'cohort': only that day's cohort changed), so funnel_report and
// ad_report keep reading the second from their caches while cohort_report computes it live. Worked out
// by hand: person P enters on 2026-10-05 (kenesary), buys Express 5,000 on 2026-11-10; person Q
// enters and buys on the same day, 2026-11-12, in one transaction (both kinds on one day).
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";
import { addPerson, addTaggedSale, cohortReport } from "../ads/fixtures.ts";
import { addTeams, funnelReport, refresh, stage } from "./fixtures.ts";

let db: TestDatabase;
let p: string;
const ken = { source: "kenesary" };

beforeAll(async () => {
  db = await createTestDatabase();
  await addTeams(db.sql, "kenesary");
  p = await addPerson(db.sql, "2026-10-05T12:00:00+05:00", ken);
  await refresh(db.sql);
});
afterAll(() => db.drop());

const staleDays = () => db.sql`select day::text, kind from analytics.stale_day order by day, kind`;
const runs = (kinds: string[] | null) => db.sql`
  select run_from::text, run_until::text from analytics.live_day_runs('2026-10-01', '2026-11-30', ${kinds})`;
const october = async () => {
  const report = await cohortReport(db.sql, { from: "2026-10-01", until: "2026-11-30" });
  return report.cohorts.find((c) => c.cohort === "2026-10-01")!.to_date;
};

it("a sale marks its own day for every report and its buyer's first-lead day for the cohorts only", async () => {
  await addTaggedSale(db.sql, {
    person: p,
    at: "2026-11-10T12:00:00+05:00",
    product: "express",
    amount: "5000",
    tags: ken,
  });
  expect(await staleDays()).toEqual([
    { day: "2026-10-05", kind: "cohort" },
    { day: "2026-11-10", kind: "sales" },
  ]);
  expect(await runs(["facts", "spend", "leads", "sales"])).toEqual([
    { run_from: "2026-11-10", run_until: "2026-11-10" },
  ]);
  expect(await runs(null)).toEqual([
    { run_from: "2026-10-05", run_until: "2026-10-05" },
    { run_from: "2026-11-10", run_until: "2026-11-10" },
  ]);
  // Live in both reports before the refresh: the funnel's sale day, October's cohort.
  const funnel = await funnelReport(db.sql, { until: "2026-11-30", days: 61 });
  expect(stage(funnel, "leads")).toMatchObject({ count: 1 });
  expect(stage(funnel, "express")).toMatchObject({ purchases: 1, revenue: 5000 });
  expect(await october()).toMatchObject({ express_buyers: 1, revenue: 5000 });
  // freshness.live_days counts what each report computes live: the funnel and the ads the sale
  // day; the cohorts the sale day and the buyer's first-lead day.
  expect(funnel.freshness.live_days).toBe(1);
  const ads = await db.sql`select public.ad_report(null, 61, '2026-11-30') as r`;
  expect(ads[0].r.freshness.live_days).toBe(1);
  const cohorts = await cohortReport(db.sql, { from: "2026-10-01", until: "2026-11-30" });
  expect(cohorts.freshness.live_days).toBe(2);
  await refresh(db.sql);
  expect(await staleDays()).toEqual([]);
  expect(stage(await funnelReport(db.sql, { until: "2026-11-30", days: 61 }), "express")).toMatchObject({
    purchases: 1,
    revenue: 5000,
  });
  expect(await october()).toMatchObject({ express_buyers: 1, revenue: 5000 });
});

it("a first lead and a sale on one day in one transaction mark it for both, and the funnel reads it live", async () => {
  await db.sql.begin(async (tx) => {
    const q = await addPerson(tx, "2026-11-12T09:00:00+05:00", ken);
    await addTaggedSale(tx, {
      person: q,
      at: "2026-11-12T15:00:00+05:00",
      product: "express",
      amount: "5000",
      tags: ken,
    });
  });
  // One row per kind and transaction: keyed by day and transaction alone, the first kind written
  // would hide the others, and a report that reads only some kinds could miss the day.
  expect(await staleDays()).toEqual([
    // The new person (people.sql) marks their entry day for the cohorts and their sales' day
    // 'sales' (first touch may move them): no 'facts', so the day's spend stays cached.
    { day: "2026-11-12", kind: "cohort" },
    { day: "2026-11-12", kind: "leads" },
    { day: "2026-11-12", kind: "sales" },
  ]);
  const funnel = await funnelReport(db.sql, { until: "2026-11-30", days: 61 });
  expect(stage(funnel, "leads")).toMatchObject({ count: 2 });
  expect(stage(funnel, "express")).toMatchObject({ purchases: 2, revenue: 10000 });
});
