// The materialized view may lag; the report must not: what was committed before the call is in it.
import { afterEach, beforeEach, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";
import { addAdAccount, addInsight, addSale, addTeams, funnelReport, refresh, stage } from "./fixtures.ts";

let db: TestDatabase;
beforeEach(async () => {
  db = await createTestDatabase();
  await addTeams(db.sql, "kenesary", "traf4");
  await addSale(db.sql, { at: "2024-05-10T12:00:00+05:00", product: "express", amount: "5000", utmSource: "kenesary" });
  await refresh(db.sql);
});
afterEach(() => db.drop());

const expressOf = async (team: string | null = null) =>
  stage(await funnelReport(db.sql, { team, until: "2024-05-31" }), "express");

it("includes a sale written after the last refresh, and the same after the next one", async () => {
  await addSale(db.sql, { at: "2024-05-20T12:00:00+05:00", product: "express", amount: "4900", utmSource: "kenesary" });
  const live = await funnelReport(db.sql, { until: "2024-05-31" });
  expect(stage(live, "express")).toMatchObject({ purchases: 2, revenue: 9900 });
  expect(live.freshness.live_days).toBe(1);

  await refresh(db.sql);
  const cached = await funnelReport(db.sql, { until: "2024-05-31" });
  expect(stage(cached, "express")).toMatchObject({ purchases: 2, revenue: 9900 });
  expect(cached.freshness.live_days).toBe(0);
  const [view] = await db.sql`select count(*)::int as n from analytics.funnel_analytics where day = '2024-05-20'`;
  expect(view.n).toBe(1);
});

it("drops a sale voided after the refresh at once, and moves a sale whose deal changed team", async () => {
  const [sale] = await db.sql`select deal_id from voronka.sale`;
  await db.sql`update voronka.amocrm_deal set utm_source = 'traf4' where id = ${sale.deal_id}`;
  expect(await expressOf("kenesary")).toMatchObject({ purchases: 0 });
  expect(await expressOf("traf4")).toMatchObject({ purchases: 1, revenue: 5000 });

  await db.sql`update voronka.sale set voided_at = now(), void_reason = 'lost' where deal_id = ${sale.deal_id}`;
  expect(await expressOf()).toMatchObject({ purchases: 0, revenue: 0 });
});

it("re-attributes history when a UTM rule changes, and spend when an account changes owner", async () => {
  await db.sql`delete from voronka.team_utm_rule where utm_source = 'kenesary'`;
  await db.sql`insert into voronka.team_utm_rule (team_id, utm_source) values ('traf4', 'kenesary')`;
  expect(await expressOf("traf4")).toMatchObject({ purchases: 1 });

  await addAdAccount(db.sql, { id: "1001", currency: "KZT", team: "kenesary" });
  await addInsight(db.sql, { account: "1001", ad: "1", day: "2024-05-10", spend: "700.00", currency: "KZT" });
  await refresh(db.sql);
  await db.sql`update voronka.fb_ad_account set team_id = 'traf4' where id = '1001'`;
  const traf4 = await funnelReport(db.sql, { team: "traf4", until: "2024-05-31" });
  expect(stage(traf4, "spend")).toMatchObject({ spend: 700 });
  const kenesary = await funnelReport(db.sql, { team: "kenesary", until: "2024-05-31" });
  // kenesary has no ad account left: no spend rows in the window, so spend is unknown, not 0.
  expect(stage(kenesary, "spend")).toMatchObject({ spend: null, spend_complete: false });
});

it("keeps a transaction that commits during a refresh out of the cleared days", async () => {
  // A writer whose transaction is open while the refresh runs: its day must stay live.
  const writer = await db.sql.reserve();
  try {
    await writer`begin`;
    await writer`insert into voronka.lead (source, external_id, occurred_at, utm_source)
                 values ('proftest', 'late-1', '2024-05-15T10:00:00+05:00', 'kenesary')`;
    await refresh(db.sql);
    await writer`commit`;
  } finally {
    writer.release();
  }
  const report = await funnelReport(db.sql, { until: "2024-05-31" });
  expect(stage(report, "leads")).toMatchObject({ count: 1 });
  expect(report.freshness.live_days).toBe(1);
});

it("recomputes everything when the business time zone changes", async () => {
  await addSale(db.sql, { at: "2024-05-31T23:30:00+05:00", product: "express", amount: "5000", utmSource: "kenesary" });
  await refresh(db.sql);
  expect(await expressOf()).toMatchObject({ purchases: 2 });
  // The 23:30 Almaty sale is 2024-06-01 03:30 in Asia/Tokyo (UTC+9): outside a window ending 05-31.
  await db.sql`update voronka.setting set business_time_zone = 'Asia/Tokyo'`;
  const report = await funnelReport(db.sql, { until: "2024-05-31" });
  expect(report.window.time_zone).toBe("Asia/Tokyo");
  expect(stage(report, "express")).toMatchObject({ purchases: 1 });
});

it("rejects an unknown business time zone", async () => {
  await expect(db.sql`update voronka.setting set business_time_zone = 'Asia/Almatyy'`).rejects.toMatchObject({
    code: "22023",
  });
});

it("rebuilds the view for a new zone or currency, not for other settings", async () => {
  const refreshes = async () => (await db.sql`select count(*)::int as n from analytics.funnel_refresh`)[0].n as number;
  const before = await refreshes();
  await db.sql`update voronka.setting set facebook_sync_stale_after = interval '30 minutes'`;
  expect(await refreshes()).toBe(before);
  await db.sql`update voronka.setting set reporting_currency = 'USD'`;
  expect(await refreshes()).toBe(before + 1);
});
