// Insights: ranges per account time zone, paging to the end, exact numbers, lookback re-reads
// that correct yesterday without duplicates, names kept current.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoScenario } from "../../scripts/fakes/facebook-graph/scenario.ts";
import { type FakeGraph, startFakeGraph } from "../../scripts/fakes/facebook-graph/server.ts";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";
import { clockAt, insightRows, sync, testConfig, TOKEN } from "./support.ts";

let db: TestDatabase;
let fake: FakeGraph;

beforeAll(async () => {
  db = await createTestDatabase();
  fake = await startFakeGraph({ scenario: demoScenario(), accessToken: TOKEN });
});
afterAll(async () => {
  await fake?.stop();
  await db?.drop();
});

const ranges = (accountId: string) =>
  fake.requests
    .filter((r) => r.path.endsWith(`/act_${accountId}/insights`) && !r.query.after)
    .map((r) => JSON.parse(r.query.time_range));

describe("Facebook insights sync", () => {
  it("reads the backfill up to today in each account's zone, every page, numbers exactly", async () => {
    // 2026-03-10 20:30 UTC is 2026-03-11 01:30 in Almaty (UTC+5) and 13:30 on 2026-03-10 in Los Angeles (PDT).
    fake.setMetrics("1110001", "2026-03-10", {
      spend: "99999999999999.99",
      impressions: "9007199254740993",
      clicks: "3",
    });
    fake.setMetrics("1110001", "2026-03-09", { spend: "0.1", impressions: "10", clicks: "1" });
    fake.setMetrics("1110002", "2026-03-09", { spend: "0.2", impressions: "20", clicks: "2" });
    // An ad without delivery on a day: Graph sends no row.
    fake.setMetrics("1110003", "2026-03-08", null);

    const summary = await sync(db.sql, testConfig(fake), { now: clockAt("2026-03-10T20:30:00Z") });
    expect(summary.status).toBe("succeeded");
    expect(summary.accounts_done).toBe(5);
    // 111: 3 ads x 5 days - 1 without delivery; 222: 2 x 5; 333: 2 x 5; 444: 1 x 5; 555: no ads.
    expect(summary.rows_read).toBe(14 + 10 + 10 + 5);
    expect(summary.rows_upserted).toBe(39);

    // Backfill of 5 days ending today in the account's zone, in chunks of 3 days.
    expect(ranges("111")).toEqual([
      { since: "2026-03-07", until: "2026-03-09" },
      { since: "2026-03-10", until: "2026-03-11" },
    ]);
    expect(ranges("333")).toEqual([
      { since: "2026-03-06", until: "2026-03-08" },
      { since: "2026-03-09", until: "2026-03-10" },
    ]);
    const checkpoints = await db.sql`
      select id, insights_synced_until::text as until, insights_resume_from, last_synced_at is not null as synced
      from voronka.fb_ad_account order by id`;
    expect(checkpoints.map((c) => [c.id, c.until, c.insights_resume_from, c.synced])).toEqual([
      ["111", "2026-03-11", null, true],
      ["222", "2026-03-11", null, true],
      ["333", "2026-03-10", null, true],
      ["444", "2026-03-10", null, true],
      ["555", "2026-03-11", null, true],
    ]);

    // Paging: 111's first chunk has 8 rows (9 minus the no-delivery one) with limit 4: a page with
    // `next`, then the last page without it; the second chunk has 6 rows: 4 + 2, again 2 pages.
    const pages111 = fake.requests.filter((r) => r.path.endsWith("/act_111/insights"));
    expect(pages111.length).toBe(4);
    expect(pages111.map((r) => Boolean(r.query.after))).toEqual([false, true, false, true]);
    const rows111 = await insightRows(db.sql, "111");
    expect(rows111.length).toBe(14);

    // Exact: no float rounding of money or counts.
    const [big] = await db.sql`
      select spend::text, impressions::text from voronka.fb_ad_insight where ad_id = '1110001' and date_start = '2026-03-10'`;
    expect(big).toEqual({ spend: "99999999999999.99", impressions: "9007199254740993" });
    const [sum] = await db.sql`
      select sum(spend)::text as spend from voronka.fb_ad_insight where ad_id in ('1110001', '1110002') and date_start = '2026-03-09'`;
    expect(sum.spend).toBe("0.30");

    // Every row carries its account currency, names and ids.
    const [kzt] = await db.sql`
      select currency, ad_name, adset_id, campaign_name from voronka.fb_ad_insight where ad_account_id = '222' limit 1`;
    expect(kzt).toMatchObject({
      currency: "KZT",
      adset_id: expect.stringMatching(/^222/),
      campaign_name: expect.stringMatching(/^Campaign/),
    });

    // The empty account got `{"data": []}` and is done.
    const empty = fake.requests.filter((r) => r.path.endsWith("/act_555/insights"));
    expect(empty.length).toBe(2);
  });

  it("re-reads the lookback: yesterday's changed spend and renamed ads are updated without duplicates", async () => {
    fake.requests.length = 0;
    fake.setMetrics("1110001", "2026-03-11", { spend: "12.34", impressions: "1000", clicks: "10" });
    for (const ad of fake.scenario.accounts["111"].ads) if (ad.id === "1110002") ad.name = "Renamed ad";
    const before =
      await db.sql`select date_start::text, ad_name from voronka.fb_ad_insight where ad_id = '1110002' order by 1`;
    expect(before.every((r) => r.ad_name === "Ad 2 of 111")).toBe(true);

    // One day later, with a 2-day lookback: 111 re-reads 2026-03-09..2026-03-12.
    const summary = await sync(db.sql, testConfig(fake, { lookbackDays: 2 }), { now: clockAt("2026-03-11T20:30:00Z") });
    expect(summary.status).toBe("succeeded");
    expect(ranges("111")).toEqual([
      { since: "2026-03-09", until: "2026-03-11" },
      { since: "2026-03-12", until: "2026-03-12" },
    ]);
    const account111 = (summary.accounts as { account_id: string; rows_read: number; rows_upserted: number }[]).find(
      (a) => a.account_id === "111",
    );
    // 4 days x 3 ads = 12 rows read; changed: 3 new rows of 03-12, 1110001's spend on 03-11, and
    // 1110002's name on 03-09, 03-10, 03-11.
    expect(account111).toMatchObject({ rows_read: 12, rows_upserted: 7 });

    const [changed] = await db.sql`
      select spend::text from voronka.fb_ad_insight where ad_id = '1110001' and date_start = '2026-03-11'`;
    expect(changed.spend).toBe("12.34");
    const rows111 = await insightRows(db.sql, "111");
    expect(rows111.length).toBe(14 + 3);
    const [dups] = await db.sql`
      select count(*)::int as n from (select ad_id, date_start from voronka.fb_ad_insight group by 1, 2 having count(*) > 1) d`;
    expect(dups.n).toBe(0);
    const names =
      await db.sql`select date_start::text as day, ad_name from voronka.fb_ad_insight where ad_id = '1110002' order by 1`;
    expect(names).toEqual([
      { day: "2026-03-07", ad_name: "Ad 2 of 111" },
      { day: "2026-03-08", ad_name: "Ad 2 of 111" },
      { day: "2026-03-09", ad_name: "Renamed ad" },
      { day: "2026-03-10", ad_name: "Renamed ad" },
      { day: "2026-03-11", ad_name: "Renamed ad" },
      { day: "2026-03-12", ad_name: "Renamed ad" },
    ]);
  });

  it("stores a page all-or-nothing: a row of another account fails the page and writes none of it", async () => {
    await expect(
      db.sql`select voronka.upsert_fb_ad_insights('111', ${JSON.stringify([
        { ad_id: "1110001", date_start: "2026-01-01", date_stop: "2026-01-01", spend: "1" },
        { ad_id: "2220001", account_id: "222", date_start: "2026-01-01", date_stop: "2026-01-01", spend: "1" },
      ])}::text::jsonb)`,
    ).rejects.toThrow(/not a single day of ad account 111/);
    const [row] = await db.sql`select count(*)::int as n from voronka.fb_ad_insight where date_start = '2026-01-01'`;
    expect(row.n).toBe(0);
  });
});
