// The analysts' views agree with the report's rules: business days in Almaty, named buckets,
// voided sales flagged, spend converted with that day's rate or marked missing.
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";
import { addAdAccount, addInsight, addLead, addRate, addSale, addTeams } from "./fixtures.ts";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  await addTeams(db.sql, "kenesary");
  await addSale(db.sql, { at: "2024-05-02T23:30:00+05:00", product: "express", amount: "5000", utmSource: "kenesary" });
  await addSale(db.sql, {
    at: "2024-02-28T18:30:00Z",
    product: "flagman",
    amount: "490000",
    utmSource: "other",
    voided: "lost",
  });
  await addLead(db.sql, "2024-05-01T19:30:00Z", null);
  await addAdAccount(db.sql, { id: "1001", currency: "USD", team: "kenesary" });
  await addRate(db.sql, "2024-05-10", "USD", "450.00");
  await addInsight(db.sql, { account: "1001", ad: "11", day: "2024-05-10", spend: "10.10", currency: "USD" });
  await addInsight(db.sql, { account: "1001", ad: "11", day: "2024-05-11", spend: "20.00", currency: "USD" });
  // An account no team owns, at a rate with four decimals: 3.33 × 450.1234 = 1498.910922 → 1498.91.
  await addAdAccount(db.sql, { id: "1002", currency: "USD", team: null });
  await addRate(db.sql, "2024-05-12", "USD", "450.1234");
  await addInsight(db.sql, { account: "1002", ad: "12", day: "2024-05-12", spend: "3.33", currency: "USD" });
});
afterAll(() => db.drop());

it("analytics.sales: business day, team and whether the sale counts", async () => {
  const rows = await db.sql`
    select product_id, business_day::text, team, counts, void_reason from analytics.sales order by won_at`;
  expect(rows).toEqual([
    // 18:30 UTC on Feb 28 is 00:30 on Feb 29 at UTC+6 (before 2024-03-01).
    { product_id: "flagman", business_day: "2024-02-29", team: "unattributed", counts: false, void_reason: "lost" },
    { product_id: "express", business_day: "2024-05-02", team: "kenesary", counts: true, void_reason: null },
  ]);
});

it("analytics.leads: a lead at 00:30 Almaty is on that Almaty day, not the UTC one", async () => {
  const rows = await db.sql`select business_day::text, team from analytics.leads`;
  expect(rows).toEqual([{ business_day: "2024-05-02", team: "unattributed" }]);
});

it("analytics.ad_spend: converted with that day's rate, missing rates flagged", async () => {
  const rows = await db.sql`
    select day::text, team, spend::float8, spend_reporting::float8, rate_missing from analytics.ad_spend order by day`;
  expect(rows).toEqual([
    { day: "2024-05-10", team: "kenesary", spend: 10.1, spend_reporting: 4545, rate_missing: false },
    { day: "2024-05-11", team: "kenesary", spend: 20, spend_reporting: null, rate_missing: true },
    { day: "2024-05-12", team: "unattributed", spend: 3.33, spend_reporting: 1498.91, rate_missing: false },
  ]);
});
