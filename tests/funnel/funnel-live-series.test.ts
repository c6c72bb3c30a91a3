// A day written since the refresh is live only in the series that were written (stale_day.kind):
// funnel_rows keeps the day's other series as cached and computes the written ones from the
// tables. Worked out by hand on one day, 2026-11-20 (Almaty), for two teams:
//   kenesary: spend 10 USD at 450 KZT = 4,500 KZT (100 impressions, 7 clicks), 2 leads,
//             1 Express sale of 5,000 KZT;
//   abai:     1 lead only.
// Each write below changes one series; the figures after it are the old ones with that series
// changed, and a refresh gives the same figures from the cache. A series taken both from the
// cache and from the tables counts twice; a series taken from neither counts zero: both fail.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";
import { addAdAccount, addInsight, addLead, addRate, addSale, addTeams, refresh } from "./fixtures.ts";

let db: TestDatabase;
const DAY = "2026-11-20";
const ACCOUNT = "200000000000301";
const AD = "300000000000301";

beforeAll(async () => {
  db = await createTestDatabase();
  await addTeams(db.sql, "kenesary", "abai");
  await addAdAccount(db.sql, { id: ACCOUNT, currency: "USD", team: "kenesary" });
  await addRate(db.sql, DAY, "USD", "450");
  await addInsight(db.sql, {
    account: ACCOUNT,
    ad: AD,
    day: DAY,
    spend: "10",
    impressions: 100,
    clicks: 7,
    currency: "USD",
  });
  await addLead(db.sql, `${DAY}T10:00:00+05:00`, "kenesary");
  await addLead(db.sql, `${DAY}T11:00:00+05:00`, "kenesary");
  await addLead(db.sql, `${DAY}T12:00:00+05:00`, "abai");
  await addSale(db.sql, { at: `${DAY}T15:00:00+05:00`, product: "express", amount: "5000", utmSource: "kenesary" });
  await refresh(db.sql);
});
afterAll(() => db.drop());

/** funnel_rows for the day, per team, as plain numbers. */
async function rows() {
  return db.sql`
    select team_id, spend::float8, spend_rows_missing_rate::int as missing, impressions::int, clicks::int,
           leads::int, express_purchases::int as express, express_revenue::float8 as revenue
    from analytics.funnel_rows(${DAY}, ${DAY})
    order by team_id`;
}

const kinds = () => db.sql`select distinct kind from analytics.stale_day order by kind`;

const abai = { team_id: "abai", spend: 0, missing: 0, impressions: 0, clicks: 0, leads: 1, express: 0, revenue: 0 };
const kenesary = {
  team_id: "kenesary",
  spend: 4500,
  missing: 0,
  impressions: 100,
  clicks: 7,
  leads: 2,
  express: 1,
  revenue: 5000,
};

describe("funnel_rows on a day written since the refresh", () => {
  it("reads the cache when nothing was written", async () => {
    expect(await kinds()).toEqual([]);
    expect(await rows()).toEqual([abai, kenesary]);
  });

  it("a new lead: leads live (3 for kenesary), spend and sales as cached", async () => {
    await addLead(db.sql, `${DAY}T13:00:00+05:00`, "kenesary");
    expect(await kinds()).toEqual([{ kind: "leads" }]);
    expect(await rows()).toEqual([abai, { ...kenesary, leads: 3 }]);
  });

  it("then a re-priced sale: sales live too (4,000), spend still cached", async () => {
    await db.sql`update voronka.sale set amount = 4000`;
    expect(await kinds()).toEqual([{ kind: "leads" }, { kind: "sales" }]);
    expect(await rows()).toEqual([abai, { ...kenesary, leads: 3, revenue: 4000 }]);
  });

  it("then a re-synced insight: spend live too (12 USD = 5,400 KZT)", async () => {
    await db.sql`update voronka.fb_ad_insight set spend = 12, impressions = 120, clicks = 9`;
    expect(await kinds()).toEqual([{ kind: "leads" }, { kind: "sales" }, { kind: "spend" }]);
    expect(await rows()).toEqual([
      abai,
      { ...kenesary, spend: 5400, impressions: 120, clicks: 9, leads: 3, revenue: 4000 },
    ]);
  });

  it("a refresh gives the same figures from the cache", async () => {
    await refresh(db.sql);
    expect(await kinds()).toEqual([]);
    expect(await rows()).toEqual([
      abai,
      { ...kenesary, spend: 5400, impressions: 120, clicks: 9, leads: 3, revenue: 4000 },
    ]);
  });

  it("a team's only series deleted live sums to nothing (a row of zeros), the others unchanged", async () => {
    await db.sql`delete from voronka.lead where utm_source = 'abai'`;
    expect(await kinds()).toEqual([{ kind: "leads" }]);
    const live = await rows();
    expect(live.find((r) => r.team_id === "kenesary")).toEqual({
      ...kenesary,
      spend: 5400,
      impressions: 120,
      clicks: 9,
      leads: 3,
      revenue: 4000,
    });
    // abai: a row of zeros or no row; either sums to nothing.
    expect(live.filter((r) => r.team_id === "abai").every((r) => r.leads === 0 && r.spend === 0)).toBe(true);
    await refresh(db.sql);
    expect((await rows()).map((r) => r.team_id)).toEqual(["kenesary"]);
  });

  it("a new exchange rate makes the day live in every series", async () => {
    await db.sql`update voronka.exchange_rate set rate = 500`;
    expect(await kinds()).toEqual([{ kind: "facts" }]);
    expect(await rows()).toEqual([{ ...kenesary, spend: 6000, impressions: 120, clicks: 9, leads: 3, revenue: 4000 }]);
  });

  it("an ad account given to another team moves its spend only", async () => {
    await refresh(db.sql);
    await db.sql`update voronka.fb_ad_account set team_id = 'abai'`;
    expect(await kinds()).toEqual([{ kind: "spend" }]);
    const moved = { spend: 6000, missing: 0, impressions: 120, clicks: 9 };
    const none = { spend: 0, missing: 0, impressions: 0, clicks: 0 };
    expect(await rows()).toEqual([
      { ...abai, ...moved, leads: 0 },
      { ...kenesary, ...none, leads: 3, revenue: 4000 },
    ]);
  });

  it("a day with no cached row gives zeros, not nulls, for what a team's live series lack", async () => {
    // 2026-11-22 has nothing cached. kenesary: spend only, 10 USD with no rate that day (spend 0,
    // one row missing a rate); abai: a Flagman only (Express revenue 0); unattributed: an Express
    // only (Flagman revenue 0). As funnel_facts gives them, and as the cache will hold them.
    const day = "2026-11-22";
    await addAdAccount(db.sql, { id: "200000000000302", currency: "USD", team: "kenesary" });
    await addInsight(db.sql, {
      account: "200000000000302",
      ad: "300000000000302",
      day,
      spend: "10",
      impressions: 50,
      clicks: 5,
      currency: "USD",
    });
    await addSale(db.sql, { at: `${day}T12:00:00+05:00`, product: "flagman", amount: "490000", utmSource: "abai" });
    await addSale(db.sql, { at: `${day}T13:00:00+05:00`, product: "express", amount: "5000", utmSource: null });
    const dayRows = () => db.sql`
      select team_id, spend::float8, spend_rows_missing_rate::int as missing, impressions::int, clicks::int,
             express_revenue::float8 as express, flagman_revenue::float8 as flagman
      from analytics.funnel_rows(${day}, ${day})
      order by team_id`;
    const expected = [
      { team_id: "abai", spend: 0, missing: 0, impressions: 0, clicks: 0, express: 0, flagman: 490000 },
      { team_id: "kenesary", spend: 0, missing: 1, impressions: 50, clicks: 5, express: 0, flagman: 0 },
      { team_id: "unattributed", spend: 0, missing: 0, impressions: 0, clicks: 0, express: 5000, flagman: 0 },
    ];
    expect(await dayRows()).toEqual(expected);
    await refresh(db.sql);
    expect(await dayRows()).toEqual(expected);
  });
});
