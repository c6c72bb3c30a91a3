// syncAccountInsights' own decisions, with Graph answers scripted in-process and the real
// database: how a range is cut into chunks and where each chunk is checkpointed, how a range is
// halved when Graph asks for less data (and then the page size), what a throttle, the budget, a
// bad time zone or a database error leave behind, and the counters. Expected values by hand.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FACEBOOK_DEFAULTS, type FacebookSyncConfig } from "../../supabase/functions/_shared/facebook/config.ts";
import { GraphClient } from "../../supabase/functions/_shared/facebook/graph-client.ts";
import {
  type AccountToSync,
  type InsightsContext,
  syncAccountInsights,
} from "../../supabase/functions/_shared/facebook/insights.ts";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());
beforeEach(async () => {
  await db.sql`delete from voronka.fb_ad_insight`;
  await db.sql`delete from voronka.fb_ad_account`;
  await db.sql`
    insert into voronka.fb_ad_account (id, name, currency, timezone_name)
    values ('901', 'Account', 'USD', 'Asia/Almaty')`;
});

// 2026-03-10T20:30Z is 2026-03-11 01:30 in Almaty (UTC+5): the account's today is 2026-03-11.
const NOW = Date.parse("2026-03-10T20:30:00Z");

const account = (fields: Partial<AccountToSync> = {}): AccountToSync => ({
  id: "901",
  name: "Account",
  currency: "USD",
  timezone_name: "Asia/Almaty",
  insights_synced_until: null,
  insights_resume_from: null,
  throttled_until: null,
  ...fields,
});

function row(day: string, ad = "1") {
  return {
    account_id: "901",
    account_currency: "USD",
    campaign_id: "10",
    campaign_name: "C",
    adset_id: "20",
    adset_name: "S",
    ad_id: ad,
    ad_name: `Ad ${ad}`,
    spend: "1.50",
    impressions: "100",
    clicks: "3",
    inline_link_clicks: "2",
    date_start: day,
    date_stop: day,
  };
}

type Reply = { status?: number; body: unknown; headers?: Record<string, string> };

/**
 * A Graph whose insights edge answers `reply(since, until, limit)`: by default one row per day of
 * the range. Records each request's range and limit.
 */
function insightsGraph(reply?: (since: string, until: string, limit: number) => Reply | undefined) {
  const requests: string[] = [];
  const client = new GraphClient({
    graphUrl: "https://graph.test",
    version: "v26.0",
    accessToken: "tok",
    requestTimeoutMs: 5_000,
    maxRetries: 0,
    retryBaseMs: 1,
    now: () => NOW,
    fetch: (async (input: string | URL | Request) => {
      const url = new URL(String(input));
      const range = JSON.parse(url.searchParams.get("time_range")!) as { since: string; until: string };
      const limit = Number(url.searchParams.get("limit"));
      requests.push(`${range.since}..${range.until}/${limit}`);
      const answer = reply?.(range.since, range.until, limit) ?? {
        body: { data: daysOf(range.since, range.until).map((d) => row(d)) },
      };
      return new Response(JSON.stringify(answer.body), { status: answer.status ?? 200, headers: answer.headers });
    }) as typeof fetch,
  });
  return { client, requests };
}

function daysOf(since: string, until: string): string[] {
  const days: string[] = [];
  for (let d = new Date(`${since}T00:00:00Z`); d <= new Date(`${until}T00:00:00Z`); d.setUTCDate(d.getUTCDate() + 1)) {
    days.push(d.toISOString().slice(0, 10));
  }
  return days;
}

function context(client: GraphClient, config: Partial<FacebookSyncConfig> = {}, deadline = NOW + 60_000) {
  const lines: string[] = [];
  const rows: [string, number][] = [];
  const ctx: InsightsContext = {
    client,
    sql: db.sql,
    config: { ...FACEBOOK_DEFAULTS, syncSecret: "", accessToken: "tok", backfillDays: 7, chunkDays: 3, ...config },
    now: () => NOW,
    sleep: async () => {},
    deadline,
    log: (line) => lines.push(line),
    onRows: (id, n) => rows.push([id, n]),
  };
  return { ctx, lines, rows };
}

async function checkpoint() {
  const [a] = await db.sql`
    select insights_synced_until::text as done, insights_resume_from::text as resume, last_sync_error as error,
           throttled_until
    from voronka.fb_ad_account where id = '901'`;
  return a;
}

describe("syncAccountInsights", () => {
  it("reads the backfill in chunks of chunkDays, checkpoints the end, and counts rows and requests", async () => {
    const { client, requests } = insightsGraph();
    const { ctx, rows } = context(client);
    const result = await syncAccountInsights(ctx, account());
    // Backfill 7 days ending today (2026-03-11): 03-05 … 03-11, chunks of 3: 05–07, 08–10, 11.
    expect(requests).toEqual([
      "2026-03-05..2026-03-07/500",
      "2026-03-08..2026-03-10/500",
      "2026-03-11..2026-03-11/500",
    ]);
    expect(result).toEqual({
      account_id: "901",
      name: "Account",
      outcome: "done",
      since: "2026-03-05",
      until: "2026-03-11",
      read_until: "2026-03-11",
      rows_read: 7,
      rows_upserted: 7,
      requests: 3,
    });
    expect(rows).toEqual([
      ["901", 3],
      ["901", 3],
      ["901", 1],
    ]);
    expect(await checkpoint()).toEqual({ done: "2026-03-11", resume: null, error: null, throttled_until: null });
    // Next run: the 28-day lookback before the checkpoint, 02-11 … 03-11 = 29 days; the 7 already
    // stored are unchanged, the 22 before them are new.
    const again = await syncAccountInsights(ctx, account({ insights_synced_until: "2026-03-11" }));
    expect([again.since, again.rows_read, again.rows_upserted]).toEqual(["2026-02-11", 29, 22]);
  });

  it("halves a range Graph finds too big (mid = from + ⌊days / 2⌋ − 1), then halves the page size for a single day", async () => {
    const { client, requests } = insightsGraph((since, until, limit) => {
      // Too much for any range of more than 2 days, and for one that includes 2026-03-11 with a page above 125.
      const tooMuch = (until > since && until >= addOne(addOne(since))) || (until === "2026-03-11" && limit > 125);
      return tooMuch
        ? { status: 500, body: { error: { code: 1, message: "Please reduce the amount of data you're asking for" } } }
        : undefined;
    });
    const { ctx, lines } = context(client, { chunkDays: 5, pageSize: 500 });
    const result = await syncAccountInsights(ctx, account());
    expect(result.outcome).toBe("done");
    expect(requests).toEqual([
      // chunk 03-05..03-09 (5 days): mid = 03-05 + 2 − 1 = 03-06 → 05–06 and 07–09; 07–09 (3 days): mid = 07 + 1 − 1 = 07.
      "2026-03-05..2026-03-09/500",
      "2026-03-05..2026-03-06/500",
      "2026-03-07..2026-03-09/500",
      "2026-03-07..2026-03-07/500",
      "2026-03-08..2026-03-09/500",
      // chunk 03-10..03-11 (2 days, includes 03-11): mid = 03-10 + 1 − 1 = 03-10; then 03-11 alone
      // with pages of 500 → 250 → 125.
      "2026-03-10..2026-03-11/500",
      "2026-03-10..2026-03-10/500",
      "2026-03-11..2026-03-11/500",
      "2026-03-11..2026-03-11/250",
      "2026-03-11..2026-03-11/125",
    ]);
    expect(result.rows_read).toBe(7);
    expect(lines.filter((l) => l.includes("page size"))).toEqual([
      "account 901: Graph asked for less data; page size 250",
      "account 901: Graph asked for less data; page size 125",
    ]);
  });

  it("a single day that is too much even one row at a time fails the account and keeps where to resume", async () => {
    const { client, requests } = insightsGraph((since) =>
      since === "2026-03-11"
        ? { status: 400, body: { error: { code: 100, error_subcode: 1504018, message: "too much" } } }
        : undefined,
    );
    const { ctx } = context(client, { pageSize: 4, chunkDays: 7 });
    const result = await syncAccountInsights(ctx, account({ insights_resume_from: "2026-03-11" }));
    expect(requests).toEqual(["2026-03-11..2026-03-11/4", "2026-03-11..2026-03-11/2", "2026-03-11..2026-03-11/1"]);
    expect(result.outcome).toBe("failed");
    expect(result.error).toMatchObject({ kind: "reduce_data", code: 100, subcode: 1504018 });
    expect(await checkpoint()).toMatchObject({ done: null, resume: "2026-03-11" });
  });

  it("throttled in the second chunk: resumes from that chunk's first day, skipped until the regain time", async () => {
    const { client } = insightsGraph((since) =>
      since === "2026-03-08"
        ? {
            status: 400,
            body: { error: { code: 80004, message: "too many calls" } },
            headers: {
              "x-business-use-case-usage": '{"901":[{"call_count":100,"estimated_time_to_regain_access":15}]}',
            },
          }
        : undefined,
    );
    const { ctx } = context(client);
    const result = await syncAccountInsights(ctx, account());
    expect(result).toMatchObject({ outcome: "throttled", read_until: "2026-03-07", rows_read: 3, stop_run: false });
    // NOW + 15 min
    expect(await checkpoint()).toEqual({
      done: null,
      resume: "2026-03-08",
      error: "throttled: GET /v26.0/act_901/insights: (#80004) too many calls",
      throttled_until: new Date(NOW + 15 * 60_000),
    });
  });

  it("usage at the stop threshold stops after the page, without a regain time; an app-wide code stops the run", async () => {
    const { client } = insightsGraph((since, until) => ({
      body: { data: daysOf(since, until).map((d) => row(d)) },
      headers: { "x-app-usage": '{"call_count":95}' },
    }));
    const { ctx } = context(client);
    const result = await syncAccountInsights(ctx, account());
    expect(result).toMatchObject({
      outcome: "throttled",
      rows_read: 3,
      error: { kind: "throttle", message: "usage reached the limit" },
      stop_run: false,
    });
    expect(await checkpoint()).toMatchObject({ resume: "2026-03-05", throttled_until: null });

    const appWide = insightsGraph(() => ({ status: 400, body: { error: { code: 4, message: "app limit" } } }));
    const stopped = await syncAccountInsights(context(appWide.client).ctx, account());
    expect(stopped).toMatchObject({ outcome: "throttled", stop_run: true });
  });

  it("out of budget: outcome budget, resumes from the chunk it could not read", async () => {
    const { client, requests } = insightsGraph();
    // The deadline is now: no request may start.
    const { ctx } = context(client, {}, NOW);
    const result = await syncAccountInsights(ctx, account({ insights_synced_until: "2026-03-09" }));
    expect(requests).toEqual([]);
    // Lookback 28 days before 03-09 = 02-09.
    expect(result).toMatchObject({ outcome: "budget", since: "2026-02-09", until: "2026-03-11", rows_read: 0 });
    expect(await checkpoint()).toMatchObject({
      done: null,
      resume: "2026-02-09",
      error: "stopped by the time budget; resumes next run",
    });
  });

  it("an unknown time zone fails the account before any request", async () => {
    const { client, requests } = insightsGraph();
    const result = await syncAccountInsights(context(client).ctx, account({ timezone_name: "Mars/Olympus" }));
    expect(requests).toEqual([]);
    expect(result).toEqual({
      account_id: "901",
      name: "Account",
      outcome: "failed",
      rows_read: 0,
      rows_upserted: 0,
      requests: 0,
      error: { kind: "invalid", message: 'unknown time zone "Mars/Olympus"' },
    });
    expect(await checkpoint()).toMatchObject({ error: 'unknown time zone "Mars/Olympus"' });
  });

  it("a page the database refuses fails the account with the database's message", async () => {
    const { client } = insightsGraph((since, until) => ({
      body: { data: daysOf(since, until).map((d) => ({ ...row(d), account_id: "902" })) },
    }));
    const result = await syncAccountInsights(context(client).ctx, account());
    expect(result.outcome).toBe("failed");
    expect(result.error?.kind).toBe("database");
    expect(await checkpoint()).toMatchObject({ done: null, resume: "2026-03-05" });
  });
});

function addOne(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}
