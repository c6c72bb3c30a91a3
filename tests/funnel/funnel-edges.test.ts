// Edge cases the other fixtures never contain, each with figures computed by hand: instants
// exactly at local midnight on both ends of a window (on both sides of Almaty's 2024-03-01
// change), sales in USD at each day's rate, fractional money rounded once at the end, competing
// UTM rules, and spend of an ad account no team owns.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";
import {
  addAdAccount,
  addInsight,
  addLead,
  addRate,
  addSale,
  addTeams,
  funnelReport,
  refresh,
  stage,
} from "./fixtures.ts";

let db: TestDatabase;
beforeEach(async () => {
  db = await createTestDatabase();
  await addTeams(db.sql, "kenesary", "traf4");
});
afterEach(() => db.drop());

for (const source of ["live", "view"] as const) {
  describe(`instants exactly at local midnight (${source})`, () => {
    it("UTC+5 window: 00:00 of the first day is in, 00:00 of the day after is out", async () => {
      // Window 2026-11-20 .. 2026-11-21 in Almaty (UTC+5): [2026-11-19T19:00Z, 2026-11-21T19:00Z).
      await addLead(db.sql, "2026-11-19T19:00:00Z", "kenesary"); // 11-20 00:00:00 local: in
      await addLead(db.sql, "2026-11-19T18:59:59Z", "kenesary"); // 11-19 23:59:59: out
      await addLead(db.sql, "2026-11-21T18:59:59Z", "kenesary"); // 11-21 23:59:59: in
      await addLead(db.sql, "2026-11-21T19:00:00Z", "kenesary"); // 11-22 00:00:00: out
      await addSale(db.sql, { at: "2026-11-19T19:00:00Z", product: "express", amount: "1", utmSource: "kenesary" });
      await addSale(db.sql, { at: "2026-11-19T18:59:59Z", product: "express", amount: "10", utmSource: "kenesary" });
      await addSale(db.sql, { at: "2026-11-21T18:59:59Z", product: "express", amount: "100", utmSource: "kenesary" });
      await addSale(db.sql, { at: "2026-11-21T19:00:00Z", product: "express", amount: "1000", utmSource: "kenesary" });
      if (source === "view") await refresh(db.sql);

      const report = await funnelReport(db.sql, { until: "2026-11-21", days: 2 });
      expect(stage(report, "leads")).toMatchObject({ count: 2 });
      expect(stage(report, "express")).toMatchObject({ purchases: 2, revenue: 101 });
      const daily = await db.sql`
        select day::text, leads::int, express_revenue::float8 from public.funnel_daily('kenesary', 2, '2026-11-21')
        order by day`;
      expect(daily).toEqual([
        { day: "2026-11-20", leads: 1, express_revenue: 1 },
        { day: "2026-11-21", leads: 1, express_revenue: 100 },
      ]);
    });

    it("UTC+6 window: the same edges an hour earlier in UTC", async () => {
      // Window 2024-02-27 .. 2024-02-28 in Almaty (UTC+6): [2024-02-26T18:00Z, 2024-02-28T18:00Z).
      await addLead(db.sql, "2024-02-26T18:00:00Z", "kenesary"); // 02-27 00:00 (+6): in
      await addLead(db.sql, "2024-02-26T17:59:59Z", "kenesary"); // 02-26 23:59:59: out
      await addLead(db.sql, "2024-02-28T17:59:59Z", "kenesary"); // 02-28 23:59:59: in
      await addLead(db.sql, "2024-02-28T18:00:00Z", "kenesary"); // 02-29 00:00: out
      await addSale(db.sql, { at: "2024-02-26T18:00:00Z", product: "flagman", amount: "1", utmSource: "kenesary" });
      await addSale(db.sql, { at: "2024-02-26T17:59:59Z", product: "flagman", amount: "10", utmSource: "kenesary" });
      await addSale(db.sql, { at: "2024-02-28T17:59:59Z", product: "flagman", amount: "100", utmSource: "kenesary" });
      await addSale(db.sql, { at: "2024-02-28T18:00:00Z", product: "flagman", amount: "1000", utmSource: "kenesary" });
      if (source === "view") await refresh(db.sql);

      const report = await funnelReport(db.sql, { until: "2024-02-28", days: 2 });
      expect(stage(report, "leads")).toMatchObject({ count: 2 });
      expect(stage(report, "flagman")).toMatchObject({ purchases: 2, revenue: 101 });
    });

    it("across the change: a window ending 2024-03-01 starts at UTC+6 and ends at UTC+5", async () => {
      // Window 2024-02-29 .. 2024-03-01: from 2024-02-28T18:00Z (+6) until 2024-03-01T19:00Z (+5).
      await addLead(db.sql, "2024-02-28T18:00:00Z", "kenesary"); // in (first instant)
      await addLead(db.sql, "2024-02-28T17:59:59Z", "kenesary"); // out
      await addLead(db.sql, "2024-03-01T18:59:59Z", "kenesary"); // in (last second)
      await addLead(db.sql, "2024-03-01T19:00:00Z", "kenesary"); // out (03-02 00:00 at +5)
      if (source === "view") await refresh(db.sql);
      const report = await funnelReport(db.sql, { until: "2024-03-01", days: 2 });
      expect(stage(report, "leads")).toMatchObject({ count: 2 });
    });
  });

  describe(`money (${source})`, () => {
    it("converts a USD sale at the rate of its own business day", async () => {
      await addRate(db.sql, "2026-11-19", "USD", "480");
      await addRate(db.sql, "2026-11-20", "USD", "500");
      await addRate(db.sql, "2026-11-21", "USD", "520");
      // 11-20 23:30 Almaty (18:30Z, also 11-20 in UTC): 100 USD × 500 = 50,000.
      await addSale(db.sql, {
        at: "2026-11-20T18:30:00Z",
        product: "express",
        amount: "100",
        currency: "USD",
        utmSource: "kenesary",
      });
      // 11-21 00:30 Almaty (11-20 19:30Z in UTC): 10 USD × 520 = 5,200 — on the 21st's rate.
      await addSale(db.sql, {
        at: "2026-11-20T19:30:00Z",
        product: "express",
        amount: "10",
        currency: "USD",
        utmSource: "kenesary",
      });
      if (source === "view") await refresh(db.sql);
      const report = await funnelReport(db.sql, { until: "2026-11-21", days: 2 });
      expect(stage(report, "express")).toMatchObject({ purchases: 2, revenue: 55200 });
      expect(report.totals).toMatchObject({ revenue: 55200 });
    });

    it("sums fractional spend exactly and rounds once, at the end", async () => {
      await addAdAccount(db.sql, { id: "200000000000101", currency: "USD", team: "kenesary" });
      await addRate(db.sql, "2026-11-20", "USD", "481.2345");
      await addRate(db.sql, "2026-11-21", "USD", "480.0001");
      // 10.01 × 481.2345 = 4817.157345; 0.07 × 481.2345 = 33.686415; 3.33 × 480.0001 = 1598.400333
      // total 6449.244093 → 6449.24 (rounding each row first would give 4817.16 + 33.69 + 1598.40 = 6449.25).
      await addInsight(db.sql, {
        account: "200000000000101",
        ad: "300000000000001",
        day: "2026-11-20",
        spend: "10.01",
        currency: "USD",
      });
      await addInsight(db.sql, {
        account: "200000000000101",
        ad: "300000000000002",
        day: "2026-11-20",
        spend: "0.07",
        currency: "USD",
      });
      await addInsight(db.sql, {
        account: "200000000000101",
        ad: "300000000000001",
        day: "2026-11-21",
        spend: "3.33",
        currency: "USD",
      });
      if (source === "view") await refresh(db.sql);
      const report = await funnelReport(db.sql, { until: "2026-11-21", days: 2 });
      expect(stage(report, "spend")).toMatchObject({ spend: 6449.24, spend_complete: true });
      expect(report.totals).toMatchObject({ spend: 6449.24 });
    });

    it("counts spend of an ad account no team owns as unattributed, and in the total", async () => {
      await addAdAccount(db.sql, { id: "200000000000102", currency: "KZT", team: "kenesary" });
      await addAdAccount(db.sql, { id: "200000000000103", currency: "KZT", team: null });
      await addInsight(db.sql, {
        account: "200000000000102",
        ad: "300000000000003",
        day: "2026-11-21",
        spend: "1000.10",
        currency: "KZT",
      });
      await addInsight(db.sql, {
        account: "200000000000103",
        ad: "300000000000004",
        day: "2026-11-21",
        spend: "250.05",
        currency: "KZT",
      });
      if (source === "view") await refresh(db.sql);
      const report = await funnelReport(db.sql, { until: "2026-11-21", days: 1 });
      expect(stage(report, "spend")).toMatchObject({ spend: 1250.15 });
      const byTeam = Object.fromEntries(report.by_team.map((t) => [t.team, t.spend]));
      expect(byTeam).toMatchObject({ kenesary: 1000.1, unattributed: 250.05 });
    });
  });
}

describe("competing UTM rules", () => {
  it("the lowest priority number wins; at equal priority a campaign pattern beats none", async () => {
    await db.sql`insert into voronka.team (id, name) values ('aidana', 'Aidana')`;
    await db.sql`
      insert into voronka.team_utm_rule (team_id, utm_source, utm_campaign_pattern, priority) values
        ('aidana', 'facebook', null, 50),
        ('traf4', 'facebook', 'tr4\\_%', 50),
        ('kenesary', 'facebook', '%', 10)`;
    const resolve = async (campaign: string | null) =>
      (await db.sql`select voronka.resolve_team('facebook', ${campaign}) as team`)[0].team;
    // kenesary's rule (10, pattern '%') beats both rules at 50, whatever the campaign, even none.
    expect(await resolve("tr4_video")).toBe("kenesary");
    expect(await resolve(null)).toBe("kenesary");
    await db.sql`update voronka.team_utm_rule set priority = 90 where team_id = 'kenesary'`;
    // Now at 50: traf4's pattern beats aidana's catch-all for its campaigns; others go to aidana.
    expect(await resolve("tr4_video")).toBe("traf4");
    expect(await resolve("other")).toBe("aidana");
    expect(await resolve(null)).toBe("aidana");
  });
});

describe("product price bands", () => {
  it("a band includes both of its edges; the lowest priority number wins where bands overlap", async () => {
    await db.sql`
      insert into voronka.product_rule (product_id, amocrm_pipeline_id, min_price, max_price, priority) values
        ('express', 7300001, 1000, 10000, 100),
        ('flagman', 7300001, 10000, null, 50)`;
    const product = async (price: number) =>
      (await db.sql`select voronka.resolve_product(7300001, ${price}) as p`)[0].p;
    expect(await product(999.99)).toBeNull();
    expect(await product(1000)).toBe("express");
    expect(await product(9999.99)).toBe("express");
    // 10,000 is in both bands: flagman's rule (50) is first.
    expect(await product(10000)).toBe("flagman");
    expect(await product(490000)).toBe("flagman");
    await db.sql`update voronka.product_rule set priority = 10 where product_id = 'express'`;
    expect(await product(10000)).toBe("express");
    await db.sql`update voronka.product_rule set max_price = 5000 where product_id = 'express'`;
    expect(await product(5000)).toBe("express");
    expect(await product(5000.01)).toBeNull();
  });
});
