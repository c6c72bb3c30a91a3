// cohort_report's lag percentiles are percentile_cont's (interpolated between ranks), computed from
// counts per lag rather than one row per person. Values worked out by hand.
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";
import { addTeams, refresh } from "../funnel/fixtures.ts";
import { addPerson, addTaggedSale, cohortReport } from "./fixtures.ts";

let db: TestDatabase;
const ken = { source: "kenesary" };

// Three people enter on 2024-04-01 (Almaty); first Express 1, 2 and 10 business days later.
// Two of them buy a Flagman 5 and 8 days after their Express.
//   lead → Express, ranks 0..2 = [1, 2, 10]: median rank 1 → 2; p90 rank 1.8 → 2 + 0.8 × (10 − 2) = 8.4
//   Express → Flagman, ranks 0..1 = [5, 8]: median rank 0.5 → 6.5; p90 rank 0.9 → 5 + 0.9 × 3 = 7.7
beforeAll(async () => {
  db = await createTestDatabase();
  await addTeams(db.sql, "kenesary");
  const at = (day: number) => `2024-04-${String(day).padStart(2, "0")}T12:00:00+05:00`;
  const buy = (person: string, day: number, product: "express" | "flagman") =>
    addTaggedSale(db.sql, {
      person,
      at: at(day),
      product,
      amount: product === "express" ? "5000" : "490000",
      tags: ken,
    });
  const people = [
    await addPerson(db.sql, at(1), ken),
    await addPerson(db.sql, at(1), ken),
    await addPerson(db.sql, at(1), ken),
  ];
  await buy(people[0], 2, "express");
  await buy(people[1], 3, "express");
  await buy(people[2], 11, "express");
  await buy(people[0], 7, "flagman");
  await buy(people[1], 11, "flagman");
});
afterAll(() => db.drop());

it("interpolates the median and the 90th percentile between ranks, live and from the cache", async () => {
  for (const cached of [false, true]) {
    if (cached) await refresh(db.sql);
    const report = await cohortReport(db.sql, { team: "kenesary", from: "2024-04-01", until: "2024-04-30" });
    expect(report.cohorts).toHaveLength(1);
    expect(report.cohorts[0]).toMatchObject({
      people: 3,
      lead_to_express_days: { median: 2, p90: 8.4 },
      express_to_flagman_days: { median: 6.5, p90: 7.7 },
    });
  }
});
