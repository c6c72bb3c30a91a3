// runFacebookSync's own decisions, with Graph answers scripted in-process and the real database:
// which accounts a run skips (throttled until later, after an app-wide limit, out of budget, after a
// rejected token), the order and counts of its summary, its status and message. Expected by hand.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FACEBOOK_DEFAULTS, type FacebookSyncConfig } from "../../supabase/functions/_shared/facebook/config.ts";
import type { RunSummary } from "../../supabase/functions/_shared/facebook/run-record.ts";
import { runFacebookSync } from "../../supabase/functions/_shared/facebook/sync.ts";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";

let db: TestDatabase;
beforeEach(async () => {
  db = await createTestDatabase();
});
afterEach(() => db.drop());

// 2026-03-10T20:30Z is 2026-03-11 in Almaty: with a 2-day backfill an account reads 03-10 and 03-11.
const NOW = Date.parse("2026-03-10T20:30:00Z");

const config = (overrides: Partial<FacebookSyncConfig> = {}): FacebookSyncConfig => ({
  ...FACEBOOK_DEFAULTS,
  syncSecret: "s",
  accessToken: "EAAsyncEdgesToken",
  graphUrl: "https://graph.test",
  backfillDays: 2,
  chunkDays: 10,
  budgetMs: 60_000,
  concurrency: 1,
  ...overrides,
});

/** Graph with the given accounts on /me/adaccounts and one row per day of insights, unless `fail` answers. */
function graph(accountIds: string[], fail?: (accountId: string) => { status: number; body: unknown } | undefined) {
  const paths: string[] = [];
  const fetchImpl = (async (input: string | URL | Request) => {
    const url = new URL(String(input));
    const path = url.pathname.replace("/v26.0/", "");
    paths.push(path);
    const answer = (status: number, body: unknown) => new Response(JSON.stringify(body), { status });
    if (path === "me/adaccounts") {
      return answer(200, {
        data: accountIds.map((id) => ({
          id: `act_${id}`,
          name: `A${id}`,
          currency: "USD",
          timezone_name: "Asia/Almaty",
        })),
      });
    }
    const insights = /^act_(\d+)\/insights$/.exec(path);
    if (insights) {
      const failure = fail?.(insights[1]);
      if (failure) return answer(failure.status, failure.body);
      const range = JSON.parse(url.searchParams.get("time_range")!) as { since: string; until: string };
      const days = range.since === range.until ? [range.since] : [range.since, range.until];
      return answer(200, {
        data: days.map((day) => ({
          account_id: insights[1],
          account_currency: "USD",
          campaign_id: "1",
          adset_id: "2",
          ad_id: `${insights[1]}1`,
          ad_name: "Ad",
          spend: "2.00",
          impressions: "10",
          clicks: "1",
          date_start: day,
          date_stop: day,
        })),
      });
    }
    return answer(200, { data: [] });
  }) as typeof fetch;
  return { fetchImpl, paths };
}

async function run(fetchImpl: typeof fetch, overrides: Partial<FacebookSyncConfig> = {}, now = () => NOW) {
  const lines: string[] = [];
  const summary = (await runFacebookSync({
    sql: db.sql,
    config: config(overrides),
    fetch: fetchImpl,
    now,
    sleep: async () => {},
    log: (line) => lines.push(line),
    trigger: "test",
  })) as RunSummary;
  return { summary, lines };
}

describe("runFacebookSync", () => {
  it("skips an account throttled until later (not one throttled until now), sorts and counts the rest", async () => {
    const { fetchImpl } = graph(["903", "902", "901"]);
    await run(fetchImpl);
    await db.sql`update voronka.fb_ad_account set throttled_until = ${new Date(NOW + 60_000)} where id = '901'`;
    await db.sql`update voronka.fb_ad_account set throttled_until = ${new Date(NOW)} where id = '902'`;
    const second = graph(["903", "902", "901"]);
    const { summary } = await run(second.fetchImpl, { concurrency: 4 });
    // 902 and 903 re-read the lookback: 2026-03-11 − 28 days = 02-11 … 03-11, one request of two days
    // in this fake (since and until) per chunk of 10 days: 02-11..02-20, 02-21..03-02, 03-03..03-11.
    expect(summary.accounts).toEqual([
      {
        account_id: "901",
        name: "A901",
        outcome: "throttled",
        rows_read: 0,
        rows_upserted: 0,
        requests: 0,
        error: { kind: "throttle", message: "throttled until 2026-03-10T20:31:00.000Z" },
      },
      expect.objectContaining({ account_id: "902", outcome: "done", rows_read: 6, requests: 3 }),
      expect.objectContaining({ account_id: "903", outcome: "done", rows_read: 6, requests: 3 }),
    ]);
    expect(summary).toMatchObject({
      status: "partial",
      message: "2/3 accounts up to date, 1 throttled",
      accounts_total: 3,
      accounts_done: 2,
      accounts_throttled: 1,
      accounts_budget: 0,
      accounts_failed: 0,
      rows_read: 12,
      // me/businesses, me/adaccounts, then 3 + 3 insights requests
      requests: 8,
      duration_ms: 0,
      errors: [
        { stage: "insights", account_id: "901", kind: "throttle", message: "throttled until 2026-03-10T20:31:00.000Z" },
      ],
    });
  });

  it("after an app-wide limit the remaining accounts are skipped as throttled", async () => {
    const { fetchImpl, paths } = graph(["901", "902"], (id) =>
      id === "901"
        ? { status: 400, body: { error: { code: 4, message: "Application request limit reached" } } }
        : undefined,
    );
    const { summary } = await run(fetchImpl);
    expect(paths.filter((p) => p.includes("insights"))).toEqual(["act_901/insights"]);
    expect(summary.accounts).toEqual([
      expect.objectContaining({ account_id: "901", outcome: "throttled", stop_run: true }),
      {
        account_id: "902",
        name: "A902",
        outcome: "throttled",
        rows_read: 0,
        rows_upserted: 0,
        requests: 0,
        error: {
          kind: "throttle",
          message: "app-wide rate limit: GET /v26.0/act_901/insights: (#4) Application request limit reached",
        },
      },
    ]);
    expect(summary).toMatchObject({ status: "partial", message: "0/2 accounts up to date, 2 throttled" });
  });

  it("accounts reached after the budget are left for the next run", async () => {
    let now = NOW;
    const { fetchImpl } = graph(["901", "902"]);
    const slow = (async (input: string | URL | Request, init?: RequestInit) => {
      const response = await fetchImpl(input, init);
      // Discovery's last request uses up the whole budget.
      if (String(input).includes("me/adaccounts")) now = NOW + 60_000;
      return response;
    }) as typeof fetch;
    const { summary } = await run(slow, {}, () => now);
    expect(summary.accounts).toEqual([
      {
        account_id: "901",
        name: "A901",
        outcome: "budget",
        rows_read: 0,
        rows_upserted: 0,
        requests: 0,
        error: undefined,
      },
      {
        account_id: "902",
        name: "A902",
        outcome: "budget",
        rows_read: 0,
        rows_upserted: 0,
        requests: 0,
        error: undefined,
      },
    ]);
    expect(summary).toMatchObject({
      status: "partial",
      message: "0/2 accounts up to date, 2 left for the next run (time budget)",
      accounts_budget: 2,
      errors: [],
      duration_ms: 60_000,
    });
  });

  it("a failed account and an incomplete discovery make the run partial and are named in the message", async () => {
    const { fetchImpl } = graph(["901", "902"], (id) =>
      id === "902" ? { status: 400, body: { error: { code: 100, message: "Unsupported get request" } } } : undefined,
    );
    const failingBusinesses = (async (input: string | URL | Request, init?: RequestInit) =>
      String(input).includes("me/businesses")
        ? new Response(JSON.stringify({ error: { code: 200, message: "no business permission" } }), { status: 403 })
        : fetchImpl(input, init)) as typeof fetch;
    const { summary } = await run(failingBusinesses);
    expect(summary).toMatchObject({
      status: "partial",
      message: "1/2 accounts up to date, 1 failed, discovery incomplete",
      accounts_done: 1,
      accounts_failed: 1,
      discovery: { complete: false },
    });
    expect(summary.errors).toEqual([
      expect.objectContaining({ stage: "discovery", kind: "permission" }),
      expect.objectContaining({ stage: "insights", account_id: "902", kind: "invalid" }),
    ]);
  });

  it("every account read: succeeded, and the message says so", async () => {
    const { fetchImpl } = graph(["901"]);
    const { summary } = await run(fetchImpl);
    expect(summary).toMatchObject({
      status: "succeeded",
      message: "1/1 accounts up to date",
      rows_read: 2,
      rows_upserted: 2,
    });
  });

  it("a token rejected while reading insights fails the run and skips the accounts after it", async () => {
    const { fetchImpl } = graph(["901", "902"], () => ({
      status: 400,
      body: { error: { code: 190, error_subcode: 463, message: "Session has expired" } },
    }));
    const { summary, lines } = await run(fetchImpl);
    expect(summary.status).toBe("failed");
    expect(summary.message).toBe(
      "The Facebook access token was rejected (GET /v26.0/act_901/insights: (#190/463) Session has expired). Nothing was changed; renew FB_ACCESS_TOKEN (or check FB_APP_SECRET).",
    );
    expect(summary.errors).toEqual([expect.objectContaining({ stage: "run", kind: "auth", code: 190 })]);
    const [stored] = await db.sql`select status, message from voronka.fb_sync_run order by id desc limit 1`;
    expect(stored).toEqual({ status: "failed", message: summary.message });
    expect(lines.at(-1)).toMatch(/^facebook-sync: run \d+ failed: The Facebook access token was rejected/);
  });

  it("a running run younger than the budget + 60 s keeps a new run out; an older one is abandoned", async () => {
    // budget 60 s: a run is stale after 120 s.
    await db.sql`insert into voronka.fb_sync_run (status, started_at) values ('running', now() - interval '121 seconds')`;
    const { summary } = await run(graph([]).fetchImpl);
    expect(summary.status).toBe("succeeded");
    expect((await db.sql`select status from voronka.fb_sync_run order by id`).map((r) => r.status)).toEqual([
      "failed",
      "succeeded",
    ]);
    await db.sql`delete from voronka.fb_sync_run`;
    await db.sql`insert into voronka.fb_sync_run (status, started_at) values ('running', now() - interval '119 seconds')`;
    const { fetchImpl, paths } = graph(["901"]);
    const result = await runFacebookSync({ sql: db.sql, config: config(), fetch: fetchImpl, now: () => NOW });
    expect(result).toEqual({ already_running: true });
    expect(paths).toEqual([]);
  });
});
