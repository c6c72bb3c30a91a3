// Revenue keeps its tiyn: a sale of 4,999.99 and one of 489,999.99 KZT are reported to the cent in
// the stages, the totals and by team (rounded once, to 2 digits, at the end).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";
import { addSale, addTeams, funnelReport, stage } from "./fixtures.ts";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  await addTeams(db.sql, "kenesary");
  // 2026-11-20 12:00 Almaty, inside the window 11-20 … 11-21; no team (utm_source unknown).
  await addSale(db.sql, { at: "2026-11-20T12:00:00+05:00", product: "express", amount: "4999.99", utmSource: null });
  await addSale(db.sql, { at: "2026-11-20T13:00:00+05:00", product: "flagman", amount: "489999.99", utmSource: null });
});
afterAll(() => db.drop());

describe("revenue to the cent", () => {
  it("in the stages, the totals and the team's row", async () => {
    const report = await funnelReport(db.sql, { days: 2, until: "2026-11-21" });
    expect(stage(report, "express")).toMatchObject({ purchases: 1, revenue: 4999.99 });
    expect(stage(report, "flagman")).toMatchObject({ purchases: 1, revenue: 489999.99 });
    // 4,999.99 + 489,999.99 = 494,999.98
    expect(report.totals).toMatchObject({ revenue: 494999.98 });
    const unattributed = (report as unknown as { by_team: Record<string, unknown>[] }).by_team.find(
      (t) => t.team === "unattributed",
    );
    expect(unattributed).toMatchObject({
      express_revenue: 4999.99,
      flagman_revenue: 489999.99,
      revenue: 494999.98,
    });
  });
});
