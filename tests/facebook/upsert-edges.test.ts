// The SQL side of the sync on cases the fake Graph API never produces: an (ad, day) repeated
// within one page, and checkpoints across runs of different lengths. Values by hand.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";

let db: TestDatabase;
const ACCOUNT = "200000000000301";

beforeAll(async () => {
  db = await createTestDatabase();
  await db.sql`
    insert into voronka.fb_ad_account (id, name, currency, timezone_name)
    values (${ACCOUNT}, 'Edge account', 'USD', 'Asia/Almaty')`;
});
afterAll(() => db.drop());

const row = (ad: string, day: string, spend: string, clicks: string) => ({
  ad_id: ad,
  ad_name: `Ad ${ad}`,
  account_id: ACCOUNT,
  date_start: day,
  date_stop: day,
  spend,
  impressions: "100",
  clicks,
});

describe("insights page upsert", () => {
  it("keeps the later of two rows for the same ad and day in one page", async () => {
    const page = [
      row("300000000000301", "2026-11-20", "10.00", "1"),
      row("300000000000302", "2026-11-20", "7.77", "2"),
      row("300000000000301", "2026-11-20", "12.50", "4"),
    ];
    await db.sql`select voronka.upsert_fb_ad_insights(${ACCOUNT}, ${db.sql.json(page)})`;
    const stored = await db.sql`
      select ad_id, spend::text, clicks::int from voronka.fb_ad_insight where ad_account_id = ${ACCOUNT} order by ad_id`;
    expect(stored).toEqual([
      { ad_id: "300000000000301", spend: "12.50", clicks: 4 },
      { ad_id: "300000000000302", spend: "7.77", clicks: 2 },
    ]);
  });
});

describe("rows without some metrics", () => {
  it("store 0 for a metric Graph left out", async () => {
    const sparse = [
      { ad_id: "300000000000303", account_id: ACCOUNT, date_start: "2026-11-21", date_stop: "2026-11-21" },
    ];
    await db.sql`select voronka.upsert_fb_ad_insights(${ACCOUNT}, ${db.sql.json(sparse)})`;
    const [row] = await db.sql`
      select spend::text, impressions::int, clicks::int from voronka.fb_ad_insight where ad_id = '300000000000303'`;
    expect(row).toEqual({ spend: "0.00", impressions: 0, clicks: 0 });
  });
});

describe("sync checkpoints", () => {
  const progress = (doneUntil: string | null, resumeFrom: string | null) =>
    db.sql`select voronka.record_fb_account_progress(${ACCOUNT}, ${doneUntil}::date, ${resumeFrom}::date, null, null)`;
  const checkpoint = async () =>
    (
      await db.sql`
        select insights_synced_until::text as until, insights_resume_from::text as resume
        from voronka.fb_ad_account where id = ${ACCOUNT}`
    )[0];

  it("never moves backwards after a shorter run, and an interrupted range resumes where it stopped", async () => {
    await progress("2026-11-20", null);
    expect(await checkpoint()).toEqual({ until: "2026-11-20", resume: null });
    // A later run that only reached the 10th (a lookback re-read) keeps the 20th.
    await progress("2026-11-10", null);
    expect(await checkpoint()).toEqual({ until: "2026-11-20", resume: null });
    // Interrupted at the 15th: remembered, checkpoint unchanged.
    await progress(null, "2026-11-15");
    expect(await checkpoint()).toEqual({ until: "2026-11-20", resume: "2026-11-15" });
    // Interrupted again without a new position: the old one stays.
    await progress(null, null);
    expect(await checkpoint()).toEqual({ until: "2026-11-20", resume: "2026-11-15" });
    // Completed up to the 22nd: the resume point is cleared.
    await progress("2026-11-22", null);
    expect(await checkpoint()).toEqual({ until: "2026-11-22", resume: null });
  });
});

describe("sync runs", () => {
  it("closes a stale running run as abandoned, keeps a second run out, and records a partial summary as zeros", async () => {
    await db.sql`delete from voronka.fb_sync_run`;
    const start = async (trigger: string | null, staleAfter: string) =>
      (await db.sql`select voronka.start_fb_sync_run(${trigger}, ${staleAfter}::interval) as id`)[0].id;
    const first = await start(null, "1 hour");
    expect(first).not.toBeNull();
    // Still running and not stale: no second run.
    expect(await start("cron", "1 hour")).toBeNull();
    // Younger than the threshold is not stale; older is.
    await db.sql`update voronka.fb_sync_run set started_at = now() - interval '59 minutes' where id = ${first}`;
    expect(await start("cron", "1 hour")).toBeNull();
    await db.sql`update voronka.fb_sync_run set started_at = now() - interval '1 hour 1 second' where id = ${first}`;
    const second = await start("cron", "1 hour");
    expect(second).not.toBeNull();
    const runs = await db.sql`select id, trigger, status, message from voronka.fb_sync_run order by id`;
    expect(runs).toEqual([
      {
        id: first,
        trigger: "http",
        status: "failed",
        message: "abandoned: the run did not finish (function stopped or timed out)",
      },
      { id: second, trigger: "cron", status: "running", message: null },
    ]);

    // A run that failed before counting anything reports only its status and message.
    await db.sql`select voronka.finish_fb_sync_run(${second}, ${db.sql.json({ status: "failed", message: "token expired" })})`;
    const [closed] = await db.sql`
      select status, message, accounts_total, accounts_done, accounts_throttled, accounts_failed,
             rows_read::int, rows_upserted::int, requests, errors, accounts
      from voronka.fb_sync_run where id = ${second}`;
    expect(closed).toEqual({
      status: "failed",
      message: "token expired",
      accounts_total: 0,
      accounts_done: 0,
      accounts_throttled: 0,
      accounts_failed: 0,
      rows_read: 0,
      rows_upserted: 0,
      requests: 0,
      errors: [],
      accounts: [],
    });
  });
});

describe("discovery", () => {
  it("names a business or account without a name by its id, keeps a known business, defaults the status to active", async () => {
    const discover = (businesses: unknown[], accounts: unknown[]) =>
      db.sql`select voronka.sync_fb_discovery(${db.sql.json(businesses as never)}, ${db.sql.json(accounts as never)}, false)`;
    await discover(
      [{ id: "100000000000901" }],
      [
        { id: "act_200000000000901", business_id: "100000000000901", currency: "usd", timezone_name: "Asia/Almaty" },
        {
          id: "act_200000000000902",
          business_id: "100000000000902",
          business_name: "Agency",
          name: "Second",
          currency: "KZT",
          timezone_name: "Asia/Almaty",
          account_status: 2,
        },
      ],
    );
    // Seen again through /me/adaccounts, which does not say which business owns it.
    await discover([], [{ id: "act_200000000000901", name: "First", currency: "USD", timezone_name: "Asia/Almaty" }]);
    const businesses = await db.sql`
      select id, name from voronka.fb_business where id in ('100000000000901', '100000000000902') order by id`;
    expect(businesses).toEqual([
      { id: "100000000000901", name: "100000000000901" },
      { id: "100000000000902", name: "Agency" },
    ]);
    const accounts = await db.sql`
      select id, business_id, name, currency, account_status from voronka.fb_ad_account
      where id in ('200000000000901', '200000000000902') order by id`;
    expect(accounts).toEqual([
      { id: "200000000000901", business_id: "100000000000901", name: "First", currency: "USD", account_status: 1 },
      { id: "200000000000902", business_id: "100000000000902", name: "Second", currency: "KZT", account_status: 2 },
    ]);
    await discover([], [{ id: "act_200000000000903", currency: "USD", timezone_name: "Asia/Almaty" }]);
    const [unnamed] = await db.sql`select name from voronka.fb_ad_account where id = '200000000000903'`;
    expect(unnamed.name).toBe("200000000000903");
  });
});
