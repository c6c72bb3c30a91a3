// Every kind of write to every fact table, made after a refresh of the materialized view, must
// show in the reports at once: the statement triggers mark the days it touched (old and new) as
// live. Each case states the per-day figures by hand; a missing trigger leaves the view's stale
// figures in place and fails it. Instants are at 00:30 in Almaty (the previous day in UTC), so a
// trigger that placed them on UTC days would mark the wrong day.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";
import { addAdAccount, addInsight, addLead, addRate, addSale, addTeams, refresh } from "./fixtures.ts";

let db: TestDatabase;
beforeEach(async () => {
  db = await createTestDatabase();
  await addTeams(db.sql, "kenesary");
});
afterEach(() => db.drop());

const ACCOUNT = "200000000000201";
const AD = "300000000000201";

/** Non-empty days of kenesary's funnel over 2026-11-18 .. 2026-11-22. */
async function days() {
  return db.sql`
    select day::text, spend::float8, spend_complete, leads::int, express_purchases::int, express_revenue::float8
    from public.funnel_daily('kenesary', 5, '2026-11-22')
    where spend <> 0 or not spend_complete or leads <> 0 or express_purchases <> 0
    order by day`;
}

const zero = { spend: 0, spend_complete: true, leads: 0, express_purchases: 0, express_revenue: 0 };

describe("leads", () => {
  it("insert, update (moved to another day) and delete after a refresh", async () => {
    await refresh(db.sql);
    await addLead(db.sql, "2026-11-20T00:30:00+05:00", "kenesary");
    expect(await days()).toEqual([{ ...zero, day: "2026-11-20", leads: 1 }]);

    await refresh(db.sql);
    await db.sql`update voronka.lead set occurred_at = '2026-11-21T00:30:00+05:00'`;
    expect(await days()).toEqual([{ ...zero, day: "2026-11-21", leads: 1 }]);

    await refresh(db.sql);
    await db.sql`delete from voronka.lead`;
    expect(await days()).toEqual([]);
  });
});

describe("sales", () => {
  it("insert, re-price, move, void and delete after a refresh", async () => {
    await refresh(db.sql);
    const deal = await addSale(db.sql, {
      at: "2026-11-20T00:30:00+05:00",
      product: "express",
      amount: "5000",
      utmSource: "kenesary",
    });
    expect(await days()).toEqual([{ ...zero, day: "2026-11-20", express_purchases: 1, express_revenue: 5000 }]);

    await refresh(db.sql);
    await db.sql`update voronka.sale set amount = 4500 where deal_id = ${deal}`;
    expect(await days()).toEqual([{ ...zero, day: "2026-11-20", express_purchases: 1, express_revenue: 4500 }]);

    await refresh(db.sql);
    await db.sql`update voronka.sale set won_at = '2026-11-22T00:30:00+05:00' where deal_id = ${deal}`;
    expect(await days()).toEqual([{ ...zero, day: "2026-11-22", express_purchases: 1, express_revenue: 4500 }]);

    await refresh(db.sql);
    await db.sql`update voronka.sale set voided_at = now(), void_reason = 'lost' where deal_id = ${deal}`;
    expect(await days()).toEqual([]);

    await db.sql`update voronka.sale set voided_at = null, void_reason = null where deal_id = ${deal}`;
    await refresh(db.sql);
    expect(await days()).toEqual([{ ...zero, day: "2026-11-22", express_purchases: 1, express_revenue: 4500 }]);
    await db.sql`delete from voronka.sale where deal_id = ${deal}`;
    expect(await days()).toEqual([]);
  });
});

describe("Facebook insights", () => {
  it("insert, update (new spend) and delete after a refresh", async () => {
    await addAdAccount(db.sql, { id: ACCOUNT, currency: "KZT", team: "kenesary" });
    await refresh(db.sql);
    await addInsight(db.sql, { account: ACCOUNT, ad: AD, day: "2026-11-19", spend: "1200.50", currency: "KZT" });
    expect(await days()).toEqual([{ ...zero, day: "2026-11-19", spend: 1200.5 }]);

    await refresh(db.sql);
    await db.sql`update voronka.fb_ad_insight set spend = 1300.25`;
    expect(await days()).toEqual([{ ...zero, day: "2026-11-19", spend: 1300.25 }]);

    await refresh(db.sql);
    await db.sql`delete from voronka.fb_ad_insight`;
    expect(await days()).toEqual([]);
  });
});

describe("exchange rates", () => {
  it("a rate added, changed and removed after a refresh re-prices that day's USD spend", async () => {
    await addAdAccount(db.sql, { id: ACCOUNT, currency: "USD", team: "kenesary" });
    await addInsight(db.sql, { account: ACCOUNT, ad: AD, day: "2026-11-21", spend: "10.00", currency: "USD" });
    await refresh(db.sql);
    // No rate: not a figure (null in the report), flagged incomplete.
    expect(await days()).toEqual([{ ...zero, day: "2026-11-21", spend: null, spend_complete: false }]);

    await addRate(db.sql, "2026-11-21", "USD", "500");
    expect(await days()).toEqual([{ ...zero, day: "2026-11-21", spend: 5000 }]);

    await refresh(db.sql);
    await db.sql`update voronka.exchange_rate set rate = 510`;
    expect(await days()).toEqual([{ ...zero, day: "2026-11-21", spend: 5100 }]);

    await refresh(db.sql);
    await db.sql`delete from voronka.exchange_rate`;
    expect(await days()).toEqual([{ ...zero, day: "2026-11-21", spend: null, spend_complete: false }]);
  });
});

describe("owner changes", () => {
  it("a deal moved to another team moves its sale on the sale's business day, not its UTC day", async () => {
    await addTeams(db.sql, "traf4");
    // 2026-11-21 00:30 in Almaty is 2026-11-20 19:30 UTC.
    const deal = await addSale(db.sql, {
      at: "2026-11-20T19:30:00Z",
      product: "express",
      amount: "5000",
      utmSource: "kenesary",
    });
    expect(await days()).toEqual([{ ...zero, day: "2026-11-21", express_purchases: 1, express_revenue: 5000 }]);
    await refresh(db.sql);
    await db.sql`update voronka.amocrm_deal set utm_source = 'traf4' where id = ${deal}`;
    expect(await days()).toEqual([]);
    const traf4 = await db.sql`
      select day::text, express_purchases::int from public.funnel_daily('traf4', 5, '2026-11-22')
      where express_purchases > 0`;
    expect(traf4).toEqual([{ day: "2026-11-21", express_purchases: 1 }]);
  });

  it("an ad account moved to another team moves its spend at once", async () => {
    await addTeams(db.sql, "traf4");
    await addAdAccount(db.sql, { id: ACCOUNT, currency: "KZT", team: "kenesary" });
    await addInsight(db.sql, { account: ACCOUNT, ad: AD, day: "2026-11-22", spend: "700.70", currency: "KZT" });
    await refresh(db.sql);
    await db.sql`update voronka.fb_ad_account set team_id = 'traf4' where id = ${ACCOUNT}`;
    expect(await days()).toEqual([]);
    const traf4 = await db.sql`
      select day::text, spend::float8 from public.funnel_daily('traf4', 5, '2026-11-22') where spend <> 0`;
    expect(traf4).toEqual([{ day: "2026-11-22", spend: 700.7 }]);
  });
});
