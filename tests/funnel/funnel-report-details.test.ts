// The parts of funnel_report and funnel_daily the money tests only touch in passing, each figure
// computed by hand: what the warnings say exactly (which days, amounts and sales are missing a
// rate, for which teams), which accounts are flagged for their time zone, figures rounded once to
// cents, teams and days with no rows at all, and the default window end.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";
import { addAdAccount, addInsight, addRate, addSale, addTeams, funnelReport, refresh } from "./fixtures.ts";

let db: TestDatabase;
beforeEach(async () => {
  db = await createTestDatabase();
  await addTeams(db.sql, "kenesary", "traf4", "aidana");
});
afterEach(() => db.drop());

const A = "200000000000401"; // USD, kenesary, Almaty
const B = "200000000000402"; // USD, traf4, Los Angeles
const C = "200000000000403"; // EUR, no team
const D = "200000000000404"; // USD, kenesary, Los Angeles: spend only outside the window

async function missingRatesDataset() {
  await addAdAccount(db.sql, { id: A, currency: "USD", team: "kenesary" });
  await addAdAccount(db.sql, { id: B, currency: "USD", team: "traf4", timezone: "America/Los_Angeles" });
  await addAdAccount(db.sql, { id: C, currency: "EUR", team: null });
  await addAdAccount(db.sql, { id: D, currency: "USD", team: "kenesary", timezone: "America/Los_Angeles" });
  await addRate(db.sql, "2026-11-20", "USD", "500");
  // A rate of another currency on the 21st: it must not stand in for USD.
  await addRate(db.sql, "2026-11-21", "EUR", "550");
  const spend = [
    { account: A, ad: "300000000000401", day: "2026-11-19", spend: "5.00", currency: "USD" }, // before the window
    { account: A, ad: "300000000000401", day: "2026-11-20", spend: "10.00", currency: "USD" }, // rate 500
    { account: A, ad: "300000000000401", day: "2026-11-21", spend: "2.50", currency: "USD" }, // no rate
    { account: A, ad: "300000000000401", day: "2026-11-22", spend: "7.00", currency: "USD" }, // after the window
    { account: B, ad: "300000000000402", day: "2026-11-21", spend: "1.25", currency: "USD" }, // no rate
    { account: C, ad: "300000000000403", day: "2026-11-20", spend: "3.00", currency: "EUR" }, // no rate that day
    { account: D, ad: "300000000000404", day: "2026-11-10", spend: "4.00", currency: "USD" }, // outside
  ];
  for (const row of spend) await addInsight(db.sql, row);

  const usd = { product: "express" as const, currency: "USD" };
  // Missing: traf4, 23:30 on the last day (Almaty); kenesary, 00:30 on the 21st (still the 20th in
  // UTC, which has a USD rate — the business day's is what counts).
  await addSale(db.sql, { ...usd, at: "2026-11-21T18:30:00Z", amount: "20.00", utmSource: "traf4" });
  await addSale(db.sql, { ...usd, at: "2026-11-20T19:30:00Z", amount: "70.00", utmSource: "kenesary" });
  // Not missing: voided; before the window; 00:00 after it; in KZT; on a day with a USD rate.
  await addSale(db.sql, {
    ...usd,
    at: "2026-11-21T10:00:00+05:00",
    amount: "30.00",
    utmSource: "traf4",
    voided: "lost",
  });
  await addSale(db.sql, { ...usd, at: "2026-11-19T18:30:00Z", amount: "40.00", utmSource: "traf4" });
  await addSale(db.sql, { ...usd, at: "2026-11-21T19:00:00Z", amount: "50.00", utmSource: "traf4" });
  await addSale(db.sql, {
    ...usd,
    at: "2026-11-21T10:00:00+05:00",
    amount: "5000",
    currency: "KZT",
    utmSource: "traf4",
  });
  await addSale(db.sql, { ...usd, at: "2026-11-20T10:00:00+05:00", amount: "60.00", utmSource: "traf4" });
}

const warningsOf = (report: { warnings: Array<Record<string, unknown> & { code: string }> }, code: string) =>
  report.warnings
    .filter((w) => w.code === code)
    .map(({ message: _message, ...rest }) => rest)
    .sort((a, b) => String(a.currency ?? a.ad_account_id).localeCompare(String(b.currency ?? b.ad_account_id)));

for (const source of ["live", "view"] as const) {
  describe(`missing exchange rates, said exactly (${source})`, () => {
    it("names the currency, the days and the amount of spend, and the sales, for the teams in scope", async () => {
      await missingRatesDataset();
      if (source === "view") await refresh(db.sql);

      const all = await funnelReport(db.sql, { until: "2026-11-21", days: 2 });
      expect(warningsOf(all, "missing_exchange_rate")).toEqual([
        {
          code: "missing_exchange_rate",
          currency: "EUR",
          first_day: "2026-11-20",
          last_day: "2026-11-20",
          days: 1,
          amount: 3,
        },
        {
          code: "missing_exchange_rate",
          currency: "USD",
          first_day: "2026-11-21",
          last_day: "2026-11-21",
          days: 1,
          amount: 3.75,
        },
        { code: "missing_exchange_rate", currency: "USD", sales: 2, amount: 90 },
      ]);
      expect(all.stages[0]).toMatchObject({ spend: null, spend_complete: false });
      expect(all.totals).toMatchObject({ revenue: null, roi: null });

      const traf4 = await funnelReport(db.sql, { team: "traf4", until: "2026-11-21", days: 2 });
      expect(warningsOf(traf4, "missing_exchange_rate")).toEqual([
        {
          code: "missing_exchange_rate",
          currency: "USD",
          first_day: "2026-11-21",
          last_day: "2026-11-21",
          days: 1,
          amount: 1.25,
        },
        { code: "missing_exchange_rate", currency: "USD", sales: 1, amount: 20 },
      ]);

      const kenesary = await funnelReport(db.sql, { team: "kenesary", until: "2026-11-21", days: 2 });
      expect(warningsOf(kenesary, "missing_exchange_rate")).toEqual([
        {
          code: "missing_exchange_rate",
          currency: "USD",
          first_day: "2026-11-21",
          last_day: "2026-11-21",
          days: 1,
          amount: 2.5,
        },
        { code: "missing_exchange_rate", currency: "USD", sales: 1, amount: 70 },
      ]);
    });

    it("flags only accounts in another zone that have spend in the window", async () => {
      await missingRatesDataset();
      if (source === "view") await refresh(db.sql);
      const all = await funnelReport(db.sql, { until: "2026-11-21", days: 2 });
      // Los Angeles is UTC-8 in November, Almaty UTC+5: 13 hours behind.
      expect(warningsOf(all, "ad_account_time_zone")).toEqual([
        {
          code: "ad_account_time_zone",
          ad_account_id: B,
          timezone_name: "America/Los_Angeles",
          hours_ahead_of_business: -13,
        },
      ]);
      const kenesary = await funnelReport(db.sql, { team: "kenesary", until: "2026-11-21", days: 2 });
      expect(warningsOf(kenesary, "ad_account_time_zone")).toEqual([]);
    });
  });

  describe(`rounding once, and rows that are not there (${source})`, () => {
    it("rounds converted money to cents per team and per day, and gives a team without rows zeros", async () => {
      await addAdAccount(db.sql, { id: A, currency: "KZT", team: "kenesary" });
      await addInsight(db.sql, {
        account: A,
        ad: "300000000000401",
        day: "2026-11-20",
        spend: "1000.55",
        currency: "KZT",
      });
      await addRate(db.sql, "2026-11-20", "USD", "500.1234");
      // 10.01 × 500.1234 = 5006.235234 → 5006.24; 1234.56 × 500.1234 = 617432.344704 → 617432.34
      await addSale(db.sql, {
        at: "2026-11-20T12:00:00+05:00",
        product: "express",
        amount: "10.01",
        currency: "USD",
        utmSource: "kenesary",
      });
      await addSale(db.sql, {
        at: "2026-11-20T13:00:00+05:00",
        product: "flagman",
        amount: "1234.56",
        currency: "USD",
        utmSource: "kenesary",
      });
      if (source === "view") await refresh(db.sql);

      const report = await funnelReport(db.sql, { until: "2026-11-21", days: 2 });
      const byTeam = Object.fromEntries(report.by_team.map(({ team, ...rest }) => [team, rest]));
      expect(byTeam.kenesary).toMatchObject({
        spend: 1000.55,
        express_revenue: 5006.24,
        flagman_revenue: 617432.34,
        revenue: 622438.58, // 622438.579938
      });
      expect(byTeam.aidana).toEqual({
        spend: null, // no spend rows at all: unknown, not 0
        impressions: 0,
        clicks: 0,
        leads: 0,
        express_purchases: 0,
        express_revenue: 0,
        flagman_purchases: 0,
        flagman_revenue: 0,
        revenue: 0,
        roi: null,
      });

      const daily = await db.sql`
        select day::text, spend::float8, spend_complete, impressions::int, clicks::int, leads::int,
               express_purchases::int, express_revenue::float8, flagman_purchases::int, flagman_revenue::float8,
               revenue_complete
        from public.funnel_daily('kenesary', 2, '2026-11-21') order by day`;
      expect(daily).toEqual([
        {
          day: "2026-11-20",
          spend: 1000.55,
          spend_complete: true,
          impressions: 0,
          clicks: 0,
          leads: 0,
          express_purchases: 1,
          express_revenue: 5006.24,
          flagman_purchases: 1,
          flagman_revenue: 617432.34,
          revenue_complete: true,
        },
        {
          day: "2026-11-21",
          spend: 0,
          spend_complete: true,
          impressions: 0,
          clicks: 0,
          leads: 0,
          express_purchases: 0,
          express_revenue: 0,
          flagman_purchases: 0,
          flagman_revenue: 0,
          revenue_complete: true,
        },
      ]);
    });
  });
}

describe("defaults and the analysts' function", () => {
  it("funnel_daily without p_until ends today in Almaty", async () => {
    const [{ today }] = await db.sql`select (now() at time zone 'Asia/Almaty')::date::text as today`;
    const rows = await db.sql`select day::text from public.funnel_daily('kenesary', 3) order by day`;
    expect(rows.map((r) => r.day).at(-1)).toBe(today);
    expect(rows).toHaveLength(3);
  });

  it("analytics.funnel_facts gives 0, not null, for money on a day with only leads", async () => {
    await db.sql`
      insert into voronka.lead (source, external_id, occurred_at, utm_source)
      values ('proftest', 'only-a-lead', '2026-11-20T12:00:00+05:00', 'kenesary')`;
    const rows = await db.sql`
      select day::text, team_id, spend::float8, leads::int, express_revenue::float8, flagman_revenue::float8
      from analytics.funnel_facts('2026-11-20', '2026-11-20')`;
    expect(rows).toEqual([
      { day: "2026-11-20", team_id: "kenesary", spend: 0, leads: 1, express_revenue: 0, flagman_revenue: 0 },
    ]);
  });

  it("analytics.funnel_facts gives 0, not null, for the other product's counts on a day with sales of one", async () => {
    // 2026-11-22: one Express sale only; 2026-11-23: one Flagman sale only (23:30 Almaty = 18:30 UTC).
    await addSale(db.sql, {
      at: "2026-11-22T23:30:00+05:00",
      product: "express",
      amount: "5000",
      utmSource: "kenesary",
    });
    await addSale(db.sql, {
      at: "2026-11-23T10:00:00+05:00",
      product: "flagman",
      amount: "490000",
      utmSource: "kenesary",
    });
    const rows = await db.sql`
      select day::text, express_purchases, express_revenue::float8, flagman_purchases, flagman_revenue::float8,
             sale_rows_missing_rate
      from analytics.funnel_facts('2026-11-22', '2026-11-23') order by day`;
    expect(rows).toEqual([
      {
        day: "2026-11-22",
        express_purchases: "1",
        express_revenue: 5000,
        flagman_purchases: "0",
        flagman_revenue: 0,
        sale_rows_missing_rate: "0",
      },
      {
        day: "2026-11-23",
        express_purchases: "0",
        express_revenue: 0,
        flagman_purchases: "1",
        flagman_revenue: 490000,
        sale_rows_missing_rate: "0",
      },
    ]);
  });

  it("analytics.funnel_facts gives 0, not null, for counts on a day with only spend", async () => {
    await db.sql`
      insert into voronka.fb_ad_account (id, name, currency, timezone_name, team_id)
      values ('7700001', 'Only spend', 'KZT', 'Asia/Almaty', 'kenesary')`;
    await db.sql`
      insert into voronka.fb_ad_insight (ad_id, date_start, ad_account_id, currency, spend, impressions, clicks)
      values ('7700001001', '2026-11-21', '7700001', 'KZT', 1500.50, 100, 7)`;
    const rows = await db.sql`
      select day::text, team_id, spend::float8, spend_rows_missing_rate, leads, express_purchases, flagman_purchases,
             sale_rows_missing_rate
      from analytics.funnel_facts('2026-11-21', '2026-11-21')`;
    expect(rows).toEqual([
      {
        day: "2026-11-21",
        team_id: "kenesary",
        spend: 1500.5,
        spend_rows_missing_rate: "0",
        leads: "0",
        express_purchases: "0",
        flagman_purchases: "0",
        sale_rows_missing_rate: "0",
      },
    ]);
  });
});
