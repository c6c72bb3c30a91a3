// `npm start`'s ads and cohorts printout on the seed: the top ads by ROI come from ad_report, in
// ROI order, and every team gets its cohort table.
import { afterAll, beforeAll, expect, it } from "vitest";
import { printAdsAndCohorts } from "../../scripts/lib/funnel-printout.ts";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ seed: true });
});
afterAll(() => db.drop());

it("prints the seed's top ads by ROI and a cohort table per team", async () => {
  const text = await printAdsAndCohorts(db.url);
  const [{ report }] = await db.sql`select public.ad_report() as report`;
  const withRoi = (report.rows as Array<{ level: string; ad_name: string; roi: number | null }>)
    .filter((r) => r.level === "ad" && r.roi !== null)
    .sort((a, b) => b.roi! - a.roi!);
  expect(withRoi.length).toBeGreaterThanOrEqual(10);
  const lines = text.split("\n");
  const first = lines.findIndex((l) => l.startsWith("───")) + 1;
  expect(lines[first]).toContain(withRoi[0].ad_name.slice(0, 20));
  expect(lines[first + 1]).toContain(withRoi[1].ad_name.slice(0, 20));
  // The demo's leads name their ads: most are matched, a tenth or so are not.
  expect(report.match.leads.rate).toBeGreaterThan(0.6);
  expect(report.match.leads.rate).toBeLessThan(0.95);
  for (const team of ["kenesary", "traf4", "nurlan", "unattributed"]) expect(text).toContain(`Lead cohorts of ${team}`);
  expect(text).toMatch(/^\d{4}-\d{2} +[\d,]+ +[\d,]+/m); // a month cohort with people and spend
  console.log(text);
});
