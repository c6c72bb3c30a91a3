// Revenue keeps its tiyn: a sale of 4,999.99 and one of 489,999.99 KZT are reported to the cent in
// the stages, the totals and by team (rounded once, to 2 digits, at the end).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";
import { addAdAccount, addInsight, addSale, addTeams, funnelReport, stage } from "./fixtures.ts";

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

describe("an ad account 45 minutes ahead of the business zone", () => {
  it("is named with the offset to the hundredth of an hour", async () => {
    // Kathmandu is UTC+5:45, Almaty UTC+5: 0.75 h ahead.
    await addAdAccount(db.sql, {
      id: "200000000000901",
      currency: "KZT",
      team: "kenesary",
      timezone: "Asia/Kathmandu",
    });
    await addInsight(db.sql, {
      account: "200000000000901",
      ad: "300000000000901",
      day: "2026-11-21",
      spend: "100.00",
      currency: "KZT",
    });
    const report = await funnelReport(db.sql, { days: 2, until: "2026-11-21" });
    const warning = (report as unknown as { warnings: Record<string, unknown>[] }).warnings.find(
      (w) => w.code === "ad_account_time_zone",
    );
    expect(warning).toMatchObject({ ad_account_id: "200000000000901", hours_ahead_of_business: 0.75 });
  });
});

describe("data_health without an end day", () => {
  it("ends on today in the business zone, not in UTC", async () => {
    // At any instant, UTC+14 or UTC−12 is on another date than UTC: one of the two tells them apart.
    const ends = await db.sql
      .begin(async (tx) => {
        const rows = [];
        for (const zone of ["Etc/GMT-14", "Etc/GMT+12"]) {
          await tx`update voronka.setting set business_time_zone = ${zone}`;
          const [row] = await tx`
          select (h -> 'window' ->> 'until')::date = (now() at time zone ${zone})::date as business_today
          from (select public.data_health(null, 1, null) as h) as health`;
          rows.push(row.business_today);
        }
        await tx`rollback`.catch(() => {});
        return rows;
      })
      .catch((e) => e);
    expect(ends).toEqual([true, true]);
  });
});
