// cohort_report at the edges of its instants, worked out by hand: a first lead exactly at local
// midnight opens its day (and not the day before), a purchase at the lead's own instant counts at
// lag 0, and a Flagman bought the same day as the first Express is an Express → Flagman lag of 0.
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";
import { addTeams, refresh } from "../funnel/fixtures.ts";
import { addPerson, addTaggedSale, cohortReport } from "./fixtures.ts";

let db: TestDatabase;
const ken = { source: "kenesary" };

// A: lead at 2024-05-01 00:00 Almaty, Express at that very instant (lag 0).
// D: lead 2024-05-10 12:00, Express 2024-05-12 10:00 (lag 2), Flagman 2024-05-12 15:00 (same day: lag 0).
// C: lead at 2024-06-01 00:00 Almaty exactly: June's, not May 31st's; buys nothing.
// May: people A, D; lead → Express lags [0, 2]: median 1, p90 0 + 0.9 × 2 = 1.8; Express → Flagman [0].
// Revenue to date 5,000 + 5,000 + 490,000 = 500,000.
beforeAll(async () => {
  db = await createTestDatabase();
  await addTeams(db.sql, "kenesary");
  const a = await addPerson(db.sql, "2024-05-01T00:00:00+05:00", ken);
  const d = await addPerson(db.sql, "2024-05-10T12:00:00+05:00", ken);
  await addPerson(db.sql, "2024-06-01T00:00:00+05:00", ken);
  const buy = (person: string, at: string, product: "express" | "flagman") =>
    addTaggedSale(db.sql, { person, at, product, amount: product === "express" ? "5000" : "490000", tags: ken });
  await buy(a, "2024-05-01T00:00:00+05:00", "express");
  await buy(d, "2024-05-12T10:00:00+05:00", "express");
  await buy(d, "2024-05-12T15:00:00+05:00", "flagman");
});
afterAll(() => db.drop());

it("puts midnight leads on their own day and counts purchases at the lead's instant: live, refreshed, rebuilt", async () => {
  // The rebuild computes every day (May 31st too, which no write touched and a refresh leaves alone).
  for (const state of ["live", "refreshed", "rebuilt"]) {
    if (state === "refreshed") await refresh(db.sql);
    if (state === "rebuilt") await db.sql`select analytics.rebuild_funnel_analytics()`;
    const report = await cohortReport(db.sql, { team: "kenesary", from: "2024-05-01", until: "2024-06-30" });
    expect(report.cohorts.map((c) => [c.cohort, c.people])).toEqual([
      ["2024-05-01", 2],
      ["2024-06-01", 1],
    ]);
    expect(report.cohorts[0]).toMatchObject({
      to_date: { express_buyers: 2, flagman_buyers: 1, revenue: 500000 },
      lead_to_express_days: { median: 1, p90: 1.8 },
      express_to_flagman_days: { median: 0, p90: 0 },
    });
  }
});
