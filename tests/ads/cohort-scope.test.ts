// cohort_report over every team (no team given: a direct session, or an admin), and the edges of
// the cohorts it reads from analytics.cohort_summary: a cohort whose first day is p_until, a
// cached entry day on the period's last day after the cut, spend rows only on a period's last
// day, an ad account without a team, and a cohort outside the window with a sale lacking a rate.
// Worked out by hand.
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";
import { addAdAccount, addTeams, refresh } from "../funnel/fixtures.ts";
import { addAdInsight, addPerson, addTaggedSale, cohortReport } from "./fixtures.ts";

let db: TestDatabase;
const ken = { source: "kenesary" };
const tol = { source: "tolebi" };

// All times Almaty (+05). June 2024:
//   P (kenesary): lead 06-01 12:00 (June's first day), Express 5,000 on 06-03;
//   Q (tolebi): lead 06-10 12:00, Express 5,000 the same day;
//   R (kenesary): lead 06-30 12:00 (June's last day), no purchase.
// May: S (kenesary): lead 05-20 12:00, Express 10 USD on 05-21 — no USD rate.
// Spend: kenesary's account 1101 (KZT) 1,000 on 06-30 only; account 1102 (KZT, no team) 500 on 06-15.
// All refreshed: every entry day is cached.
beforeAll(async () => {
  db = await createTestDatabase();
  const sql = db.sql;
  await addTeams(sql, "kenesary", "tolebi");
  await addAdAccount(sql, { id: "1101", currency: "KZT", team: "kenesary" });
  await addAdAccount(sql, { id: "1102", currency: "KZT", team: null });
  await addAdInsight(sql, {
    account: "1101",
    currency: "KZT",
    day: "2024-06-30",
    spend: "1000",
    campaign: ["541", "C"],
    adset: ["641", "S"],
    ad: ["741", "A"],
  });
  await addAdInsight(sql, {
    account: "1102",
    currency: "KZT",
    day: "2024-06-15",
    spend: "500",
    campaign: ["542", "C2"],
    adset: ["642", "S2"],
    ad: ["742", "B"],
  });
  const p = await addPerson(sql, "2024-06-01T12:00:00+05:00", ken);
  await addTaggedSale(sql, {
    tags: ken,
    product: "express",
    amount: "5000",
    person: p,
    at: "2024-06-03T12:00:00+05:00",
  });
  const q = await addPerson(sql, "2024-06-10T12:00:00+05:00", tol);
  await addTaggedSale(sql, {
    tags: tol,
    product: "express",
    amount: "5000",
    person: q,
    at: "2024-06-10T15:00:00+05:00",
  });
  await addPerson(sql, "2024-06-30T12:00:00+05:00", ken);
  const s = await addPerson(sql, "2024-05-20T12:00:00+05:00", ken);
  await addTaggedSale(sql, {
    tags: ken,
    product: "express",
    amount: "10",
    currency: "USD",
    person: s,
    at: "2024-05-21T12:00:00+05:00",
  });
  await refresh(sql);
});
afterAll(() => db.drop());

const june = async (until = "2024-06-30", team: string | null = null) =>
  (await cohortReport(db.sql, { team, from: "2024-06-01", until })).cohorts[0];

it("every team: the cached cohorts of every team, cut at p_until, and a cohort whose first day is p_until", async () => {
  // June: P, Q, R; Express P and Q, 10,000. Spend 1,000 + 500 (the account without a team too).
  expect(await june()).toMatchObject({
    cohort: "2024-06-01",
    period_end: "2024-06-30",
    people: 3,
    leads: 3,
    spend: 1500,
    spend_complete: true,
    to_date: { express_buyers: 2, flagman_buyers: 0, revenue: 10000 },
  });
  // Cut at 06-20: R (06-30, cached: the period's last day) is left out.
  expect(await june("2024-06-20")).toMatchObject({ period_end: "2024-06-20", people: 2, leads: 2 });
  expect(await june("2024-06-20", "kenesary")).toMatchObject({ period_end: "2024-06-20", people: 1, leads: 1 });
  // Cut at 06-01, June's first day: P alone.
  expect(await june("2024-06-01")).toMatchObject({ period_end: "2024-06-01", people: 1, leads: 1 });
});

it("a live entry day counts for every team; spend on the period's last day only, and an account without a team", async () => {
  // T (tolebi): lead 06-12 12:00, written since the refresh.
  await addPerson(db.sql, "2024-06-12T12:00:00+05:00", tol);
  for (const state of ["live", "refreshed"]) {
    if (state === "refreshed") await refresh(db.sql);
    expect(await june(), state).toMatchObject({ people: 4, leads: 4 });
    expect(await june("2024-06-20"), state).toMatchObject({ people: 3, leads: 3 });
  }
  // kenesary's only spend row is on 06-30, the period's last day: complete, 1,000.
  expect(await june("2024-06-30", "kenesary")).toMatchObject({ people: 2, spend: 1000, spend_complete: true });
  // The account without a team is the unattributed bucket's: 500 on 06-15, complete.
  expect(await june("2024-06-30", "unattributed")).toMatchObject({ people: 0, spend: 500, spend_complete: true });
});

it("a sale without a rate in a cohort outside the window does not warn", async () => {
  const may = await cohortReport(db.sql, { from: "2024-05-01", until: "2024-05-31" });
  expect(may.warnings.map((w) => w.code)).toContain("missing_exchange_rate");
  const report = await cohortReport(db.sql, { from: "2024-06-01", until: "2024-06-30" });
  expect(report.warnings.map((w) => w.code)).not.toContain("missing_exchange_rate");
});
