// The caches (funnel_analytics, ad_analytics and its running totals ad_running, lead_source_analytics,
// cohort_analytics and its cohort_summary) are tables that a refresh updates
// day by day: it recomputes only the business days written since the last refresh. A write whose
// days no trigger marks would stay wrong in the cache for good (until the nightly rebuild), so
// after every kind of write and one refresh, each cache must equal its facts computed over all
// days from the tables — and the refresh must have recomputed only a few days, not the history.
// One hand-computed figure per step shows the write itself took effect.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type Sql, type TestDatabase } from "../support/test-database.ts";
import { addAdInsight, addTaggedLead, addTaggedSale } from "../ads/fixtures.ts";
import { addAdAccount, addRate, addTeams, funnelReport, stage } from "./fixtures.ts";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  await addTeams(db.sql, "kenesary", "traf4");
  await db.sql`select voronka.set_identity_key(decode(repeat('ab', 32), 'hex'))`;
  await addAdAccount(db.sql, { id: "5001", currency: "USD", team: "kenesary" });
  await addAdAccount(db.sql, { id: "5002", currency: "KZT", team: "traf4" });
  await addRate(db.sql, "2026-11-10", "USD", "500");
  await addRate(db.sql, "2026-11-11", "USD", "510");
  await addAdInsight(db.sql, { ...AD_K, account: "5001", day: "2026-11-10", spend: "10.00", currency: "USD" });
  await addAdInsight(db.sql, { ...AD_T, account: "5002", day: "2026-11-10", spend: "7000", currency: "KZT" });
  // A history far from the days written below: a refresh must leave it alone.
  for (const day of ["2026-06-01", "2026-07-01", "2026-08-01", "2026-09-01"]) {
    await addAdInsight(db.sql, { ...AD_K, account: "5001", day, spend: "1.00", currency: "USD" });
    await addPerson(`${day}T12:00:00+05:00`, { source: "kenesary", content: "71" }, null);
  }
  await rebuild();
});
afterAll(() => db.drop());

type Ad = Record<"campaign" | "adset" | "ad", [id: string, name: string]>;
const AD_K: Ad = { campaign: ["710", "K campaign"], adset: ["711", "K set"], ad: ["71", "K ad"] };
const AD_T: Ad = { campaign: ["820", "T campaign"], adset: ["821", "T set"], ad: ["82", "T ad"] };

async function addPerson(at: string, tags: { source: string; content?: string }, phone: string | null) {
  const lead = await addTaggedLead(db.sql, at, tags);
  const [row] = await db.sql`select voronka.link_lead_person(${lead}, ${phone}, null) as person_id`;
  return { lead, person: Number(row.person_id) };
}

const rebuild = () => db.sql`select analytics.rebuild_funnel_analytics()`;
async function refresh(sql: Sql = db.sql): Promise<number | null> {
  const [row] = await sql`select days_recomputed from analytics.refresh_funnel_analytics()`;
  return row.days_recomputed;
}

/** Rows of a cache that differ from its facts computed over every day from the tables. */
async function cacheDrift() {
  return db.sql`
    with funnel as (
      (select 'funnel: cache only' as side, to_jsonb(c) as row from analytics.funnel_analytics as c
       except all select 'funnel: cache only', to_jsonb(f) from analytics.funnel_facts('-infinity', 'infinity') as f)
      union all
      (select 'funnel: facts only', to_jsonb(f) from analytics.funnel_facts('-infinity', 'infinity') as f
       except all select 'funnel: facts only', to_jsonb(c) from analytics.funnel_analytics as c)
    ),
    ads as (
      (select 'ads: cache only' as side, to_jsonb(c) as row from analytics.ad_analytics as c
       except all select 'ads: cache only', to_jsonb(f) from analytics.ad_facts('-infinity', 'infinity') as f)
      union all
      (select 'ads: facts only', to_jsonb(f) from analytics.ad_facts('-infinity', 'infinity') as f
       except all select 'ads: facts only', to_jsonb(c) from analytics.ad_analytics as c)
    ),
    lead_sources as (
      (select 'lead sources: cache only' as side, to_jsonb(c) as row from analytics.lead_source_analytics as c
       except all select 'lead sources: cache only', to_jsonb(f) from analytics.lead_source_facts('-infinity', 'infinity') as f)
      union all
      (select 'lead sources: facts only', to_jsonb(f) from analytics.lead_source_facts('-infinity', 'infinity') as f
       except all select 'lead sources: facts only', to_jsonb(c) from analytics.lead_source_analytics as c)
    ),
    cohorts as (
      (select 'cohorts: cache only' as side, to_jsonb(c) as row from analytics.cohort_analytics as c
       except all select 'cohorts: cache only', to_jsonb(f) from analytics.cohort_facts('-infinity', 'infinity') as f)
      union all
      (select 'cohorts: facts only', to_jsonb(f) from analytics.cohort_facts('-infinity', 'infinity') as f
       except all select 'cohorts: facts only', to_jsonb(c) from analytics.cohort_analytics as c)
    ),
    -- The ad cache's running totals, recomputed naively: per ad key, every day from its first to its
    -- last cached day, the sums of its cached days up to it.
    running_truth as (
      select k.team_id, k.campaign_id, k.adset_id, k.ad_id, d.day, d.day = k.last_day as is_last,
             (select row(count(*), coalesce(sum(a.spend), 0), coalesce(sum(a.spend_rows), 0),
                         coalesce(sum(a.spend_rows_missing_rate), 0), coalesce(sum(a.impressions), 0),
                         coalesce(sum(a.clicks), 0), coalesce(sum(a.leads), 0), max(a.day))::text
              from analytics.ad_analytics as a
              where a.model = 'any' and a.team_id = k.team_id and a.campaign_id = k.campaign_id
                and a.adset_id = k.adset_id and a.ad_id = k.ad_id and a.day <= d.day) as totals
      from (select team_id, campaign_id, adset_id, ad_id, min(day) as first_day, max(day) as last_day
            from analytics.ad_analytics where model = 'any' group by 1, 2, 3, 4) as k
      cross join lateral (select k.first_day + n as day from generate_series(0, k.last_day - k.first_day) as n) as d
    ),
    running_cache as (
      select r.team_id, r.campaign_id, r.adset_id, r.ad_id, r.day, r.is_last,
             row(r.fact_days, r.spend, r.spend_rows, r.spend_rows_missing_rate, r.impressions, r.clicks, r.leads,
                 r.last_fact_day)::text
               as totals
      from analytics.ad_running as r
    ),
    running as (
      (select 'ad running totals: cache only' as side, to_jsonb(c) as row from running_cache as c
       except all select 'ad running totals: cache only', to_jsonb(t) from running_truth as t)
      union all
      (select 'ad running totals: truth only', to_jsonb(t) from running_truth as t
       except all select 'ad running totals: truth only', to_jsonb(c) from running_cache as c)
    ),
    -- The cohort summary, both grains, against the same rule applied to facts computed from the tables.
    summary_facts as (
      select f.* from unnest(array['month', 'week']) as g (grain)
      cross join lateral analytics.cohort_summary_facts(g.grain, array['-infinity'::date], array['infinity'::date], true) as f
    ),
    cohort_summaries as (
      (select 'cohort summary: cache only' as side, to_jsonb(c) as row from analytics.cohort_summary as c
       except all select 'cohort summary: cache only', to_jsonb(f) from summary_facts as f)
      union all
      (select 'cohort summary: facts only', to_jsonb(f) from summary_facts as f
       except all select 'cohort summary: facts only', to_jsonb(c) from analytics.cohort_summary as c)
    ),
    -- Not a cache but kept like one: each deal's sale flag (sales.sql) against its sale row.
    deal_flags as (
      select 'deal sale flag differs from its sale' as side,
             jsonb_build_object('deal', d.id, 'has_mapped_sale', d.has_mapped_sale) as row
      from voronka.amocrm_deal as d
      left join voronka.sale as s on s.deal_id = d.id
      where d.has_mapped_sale <> (s.deal_id is not null and s.void_reason is distinct from 'unmapped')
    )
    select * from funnel union all select * from ads union all select * from lead_sources
    union all select * from cohorts union all select * from running union all select * from cohort_summaries
    union all select * from deal_flags`;
}

/** Refreshes, then: no drift, and only a handful of days recomputed (never the whole history). */
async function expectRefreshedIncrementally(maxDays = 12) {
  const days = await refresh();
  expect(days).not.toBeNull();
  expect(days).toBeGreaterThan(0);
  expect(days).toBeLessThanOrEqual(maxDays);
  expect(await cacheDrift()).toEqual([]);
  expect(await db.sql`select count(*)::int as n from analytics.stale_day`).toEqual([{ n: 0 }]);
}

/** A cached figure, read straight from the cache table (not through a report). */
async function cached(column: string, day: string, team: string): Promise<number> {
  const [row] = await db.sql`
    select coalesce(sum(${db.sql(column)}), 0)::float8 as v from analytics.funnel_analytics
    where day = ${day} and team_id = ${team}`;
  return row.v;
}

describe("a refresh recomputes the days written since the last one, for every kind of write", () => {
  let buyer: { lead: number; person: number };
  let deal: number;

  it("starts from a rebuild that equals the facts; a refresh with nothing written recomputes 0 days", async () => {
    expect(await cacheDrift()).toEqual([]);
    // 0, not null: null in the refresh log means a rebuild of every day.
    expect(await refresh()).toBe(0);
    // 10 USD at 500 on 2026-11-10.
    expect(await cached("spend", "2026-11-10", "kenesary")).toBe(5000);
  });

  it("leads: insert, move to another day, re-tag to another team, delete", async () => {
    buyer = await addPerson("2026-11-10T00:30:00+05:00", { source: "kenesary", content: "71" }, "+7 701 000 0001");
    await expectRefreshedIncrementally();
    expect(await cached("leads", "2026-11-10", "kenesary")).toBe(1);

    const other = await addTaggedLead(db.sql, "2026-11-11T09:00:00+05:00", { source: "kenesary" });
    await expectRefreshedIncrementally();
    await db.sql`update voronka.lead set occurred_at = '2026-11-12T09:00:00+05:00' where id = ${other}`;
    await expectRefreshedIncrementally();
    expect(await cached("leads", "2026-11-11", "kenesary")).toBe(0);
    expect(await cached("leads", "2026-11-12", "kenesary")).toBe(1);
    await db.sql`update voronka.lead set utm_source = 'traf4' where id = ${other}`;
    await expectRefreshedIncrementally();
    expect(await cached("leads", "2026-11-12", "traf4")).toBe(1);
    await db.sql`delete from voronka.lead where id = ${other}`;
    await expectRefreshedIncrementally();
    expect(await cached("leads", "2026-11-12", "traf4")).toBe(0);
  });

  it("sales: insert in USD, re-price, move, void, un-void, delete", async () => {
    deal = await addTaggedSale(db.sql, {
      at: "2026-11-11T10:00:00+05:00",
      product: "express",
      amount: "10",
      currency: "USD",
      tags: { source: "kenesary", content: "71" },
      person: String(buyer.person),
    });
    await expectRefreshedIncrementally();
    expect(await cached("express_revenue", "2026-11-11", "kenesary")).toBe(5100); // 10 USD at 510
    await db.sql`update voronka.sale set amount = 12 where deal_id = ${deal}`;
    await expectRefreshedIncrementally();
    expect(await cached("express_revenue", "2026-11-11", "kenesary")).toBe(6120);
    await db.sql`update voronka.sale set won_at = '2026-11-10T23:59:59+05:00' where deal_id = ${deal}`;
    await expectRefreshedIncrementally();
    expect(await cached("express_revenue", "2026-11-10", "kenesary")).toBe(6000); // 12 USD at 500
    await db.sql`update voronka.sale set voided_at = now(), void_reason = 'lost' where deal_id = ${deal}`;
    await expectRefreshedIncrementally();
    expect(await cached("express_purchases", "2026-11-10", "kenesary")).toBe(0);
    await db.sql`update voronka.sale set voided_at = null, void_reason = null where deal_id = ${deal}`;
    await expectRefreshedIncrementally();
    expect(await cached("express_purchases", "2026-11-10", "kenesary")).toBe(1);
  });

  it("Facebook insights and exchange rates: insert, update, delete", async () => {
    await addAdInsight(db.sql, { ...AD_K, account: "5001", day: "2026-11-11", spend: "2.00", currency: "USD" });
    await expectRefreshedIncrementally();
    expect(await cached("spend", "2026-11-11", "kenesary")).toBe(1020);
    await db.sql`update voronka.fb_ad_insight set spend = 3 where date_start = '2026-11-11'`;
    await expectRefreshedIncrementally();
    await db.sql`update voronka.exchange_rate set rate = 520 where day = '2026-11-11'`;
    await expectRefreshedIncrementally();
    expect(await cached("spend", "2026-11-11", "kenesary")).toBe(1560);
    await db.sql`delete from voronka.exchange_rate where day = '2026-11-11'`;
    await expectRefreshedIncrementally();
    expect(await cached("spend_rows_missing_rate", "2026-11-11", "kenesary")).toBe(1);
    await addRate(db.sql, "2026-11-11", "USD", "510");
    await expectRefreshedIncrementally();
    await db.sql`delete from voronka.fb_ad_insight where date_start = '2026-11-11'`;
    await expectRefreshedIncrementally();
    expect(await cached("spend", "2026-11-11", "kenesary")).toBe(0);
  });

  it("owners: an ad account, a deal's team, a deal's ad, a deal's buyer", async () => {
    await db.sql`update voronka.fb_ad_account set team_id = 'traf4' where id = '5001'`;
    // Every day of the account's insights (6) is recomputed.
    await expectRefreshedIncrementally();
    expect(await cached("spend", "2026-11-10", "traf4")).toBe(12000); // 7,000 KZT + 10 USD at 500
    await db.sql`update voronka.fb_ad_account set team_id = 'kenesary' where id = '5001'`;
    await expectRefreshedIncrementally();
    await db.sql`update voronka.amocrm_deal set utm_source = 'traf4' where id = ${deal}`;
    await expectRefreshedIncrementally();
    expect(await cached("express_purchases", "2026-11-10", "traf4")).toBe(1);
    await db.sql`update voronka.amocrm_deal set utm_content = '82' where id = ${deal}`;
    await expectRefreshedIncrementally();
    const other = await addPerson("2026-09-15T12:00:00+05:00", { source: "traf4" }, null);
    await db.sql`update voronka.amocrm_deal set person_id = ${other.person} where id = ${deal}`;
    await expectRefreshedIncrementally();
    await db.sql`update voronka.amocrm_deal set person_id = ${buyer.person} where id = ${deal}`;
    await expectRefreshedIncrementally();
  });

  it("people: an earlier first lead, a merge", async () => {
    // The same phone, a month earlier: the buyer's cohort moves from November to October.
    await addPerson("2026-10-05T12:00:00+05:00", { source: "traf4" }, "87010000001");
    await expectRefreshedIncrementally();
    const [first] = await db.sql`select first_lead_at from voronka.person where id = ${buyer.person}`;
    expect(first.first_lead_at.toISOString()).toBe("2026-10-05T07:00:00.000Z");
    const twin = await addPerson("2026-11-12T12:00:00+05:00", { source: "kenesary" }, null);
    await db.sql`select voronka.merge_people(${buyer.person}, array[${twin.person}]::bigint[])`;
    await expectRefreshedIncrementally();
    // The first lead re-tagged: under first touch, the sale (2026-11-10) moves to kenesary.
    await db.sql`update voronka.lead set utm_source = 'kenesary' where occurred_at = '2026-10-05T12:00:00+05:00'`;
    await expectRefreshedIncrementally();
    const [firstTouch] = await db.sql`
      select team_id from analytics.ad_analytics where model = 'first_touch' and day = '2026-11-10' and express_purchases > 0`;
    expect(firstTouch.team_id).toBe("kenesary");
  });

  it("cohorts: a rate written for a USD sale's day, a sale voided in an old cohort", async () => {
    const toDateRevenue = async (from: string, until: string) => {
      const [row] = await db.sql`
        select (public.cohort_report('kenesary', ${from}::date, ${until}::date) -> 'cohorts' -> 0 -> 'to_date' ->> 'revenue')::float8 as v`;
      return row.v;
    };
    // The buyer entered on 2026-10-05 (kenesary's lead, first touch); their sale is 12 USD on 2026-11-10 at 500.
    expect(await toDateRevenue("2026-10-01", "2026-10-31")).toBe(6000);
    await db.sql`update voronka.exchange_rate set rate = 600 where day = '2026-11-10' and currency = 'USD'`;
    // The rate's day is live, the buyer's entry day is not: the cohort follows the rate before the refresh.
    expect(await toDateRevenue("2026-10-01", "2026-10-31")).toBe(7200);
    await expectRefreshedIncrementally();
    expect(await toDateRevenue("2026-10-01", "2026-10-31")).toBe(7200);

    // A sale of a person of the June history (entered 2026-06-01), won, then voided.
    const [june] = await db.sql`select id from voronka.person where first_lead_at = '2026-06-01T12:00:00+05:00'`;
    const old = await addTaggedSale(db.sql, {
      at: "2026-06-03T12:00:00+05:00",
      product: "express",
      amount: "5000",
      tags: { source: "kenesary" },
      person: String(june.id),
    });
    await expectRefreshedIncrementally();
    expect(await toDateRevenue("2026-06-01", "2026-06-30")).toBe(5000);
    await db.sql`update voronka.sale set voided_at = now(), void_reason = 'lost' where deal_id = ${old}`;
    expect(await toDateRevenue("2026-06-01", "2026-06-30")).toBe(0);
    await expectRefreshedIncrementally();
    expect(await toDateRevenue("2026-06-01", "2026-06-30")).toBe(0);
  });

  it("attribution: a new ad discovered after its leads, a UTM rule changed", async () => {
    await addPerson("2026-11-12T12:00:00+05:00", { source: "traf4", content: "93" }, null);
    await expectRefreshedIncrementally();
    await addAdInsight(db.sql, {
      campaign: ["930", "New"],
      adset: ["931", "New set"],
      ad: ["93", "New ad"],
      account: "5002",
      day: "2026-11-12",
      spend: "100",
      currency: "KZT",
    });
    await expectRefreshedIncrementally();
    const [lead] = await db.sql`select fb_ad_id from voronka.lead where utm_content = '93'`;
    expect(lead.fb_ad_id).toBe("93");
    await db.sql`insert into voronka.ad_utm_param (team_id, level, utm_param) values ('traf4', 'ad', 'utm_term')`;
    await expectRefreshedIncrementally();
  });

  it("a settings change rebuilds every day at once", async () => {
    await db.sql`update voronka.setting set business_time_zone = 'Asia/Tashkent'`;
    const [last] = await db.sql`select days_recomputed from analytics.funnel_refresh order by id desc limit 1`;
    expect(last.days_recomputed).toBeNull();
    expect(await cacheDrift()).toEqual([]);
    await db.sql`update voronka.setting set business_time_zone = 'Asia/Almaty'`;
    expect(await cacheDrift()).toEqual([]);
  });
});

describe("refreshes at the same instant as writes and as each other", () => {
  it("a write committed during a refresh stays stale and is in the next one; two refreshes take turns", async () => {
    await refresh();
    const writer = await db.sql.reserve();
    try {
      await writer`begin`;
      await writer`
        insert into voronka.lead (source, external_id, occurred_at, utm_source)
        values ('proftest', 'during-refresh', '2026-11-13T12:00:00+05:00', 'kenesary')`;
      const refreshing = Promise.all([refresh(), refresh()]);
      await writer`commit`;
      await refreshing;
    } finally {
      writer.release();
    }
    // Whether or not a refresh saw it, the lead is either cached or still stale: the report has it.
    const report = await funnelReport(db.sql, { team: "kenesary", days: 1, until: "2026-11-13" });
    expect(stage(report, "leads")).toMatchObject({ count: 1 });
    await refresh();
    expect(await cacheDrift()).toEqual([]);
    expect(await cached("leads", "2026-11-13", "kenesary")).toBe(1);
  });
});
