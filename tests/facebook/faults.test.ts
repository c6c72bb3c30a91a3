// Faults: throttling (error and usage headers), expired tokens, transient errors, "reduce the
// amount of data", the time budget, appsecret_proof, and the token never leaking.
import { createHmac } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { demoScenario } from "../../scripts/fakes/facebook-graph/scenario.ts";
import { type FakeGraph, startFakeGraph } from "../../scripts/fakes/facebook-graph/server.ts";
import { appSecretProof } from "../../supabase/functions/_shared/facebook/graph-client.ts";
import { createFacebookSyncHandler } from "../../supabase/functions/_shared/facebook/handler.ts";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";
import { APP_SECRET, clockAt, insightRows, sync, testConfig, TOKEN } from "./support.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup(options: { appSecret?: string; latencyMs?: number } = {}) {
  const db = await createTestDatabase();
  const fake = await startFakeGraph({ scenario: demoScenario(), accessToken: TOKEN, ...options });
  cleanups.push(
    () => db.drop(),
    () => fake.stop(),
  );
  return { db, fake };
}

const T0 = "2026-03-10T20:30:00Z";
const later = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();
const accountOf = (summary: { accounts: unknown[] }, id: string) =>
  (summary.accounts as { account_id: string; outcome: string; rows_read: number }[]).find((a) => a.account_id === id);

async function snapshot(db: TestDatabase) {
  const [row] = await db.sql`
    select (select md5(string_agg(i::text, ',' order by i.ad_id, i.date_start)) from voronka.fb_ad_insight as i) as insights,
           (select md5(string_agg(a::text, ',' order by a.id)) from voronka.fb_ad_account as a) as accounts,
           (select md5(string_agg(b::text, ',' order by b.id)) from voronka.fb_business as b) as businesses`;
  return row;
}

describe("throttling", () => {
  it("stops a throttled account for this run, finishes the others, and resumes it once access returns", async () => {
    const { db, fake } = await setup();
    fake.inject({ kind: "throttle", path: "act_111/insights", times: 1, regainMinutes: 10 });
    const first = await sync(db.sql, testConfig(fake), { now: clockAt(T0) });
    expect(first.status).toBe("partial");
    expect(first).toMatchObject({ accounts_total: 5, accounts_done: 4, accounts_throttled: 1 });
    expect(accountOf(first, "111")).toMatchObject({ outcome: "throttled", rows_read: 0 });
    expect(first.errors).toEqual([
      expect.objectContaining({
        stage: "insights",
        account_id: "111",
        kind: "throttle",
        code: 80004,
        subcode: 2446079,
        regainMinutes: 10,
      }),
    ]);
    const [state] = await db.sql`
      select insights_synced_until, insights_resume_from::text as resume, throttled_until, last_sync_error
      from voronka.fb_ad_account where id = '111'`;
    expect(state.insights_synced_until).toBeNull();
    expect(state.resume).toBe("2026-03-07");
    expect(Math.abs(state.throttled_until.getTime() - Date.parse(later(10)))).toBeLessThan(5_000);
    expect(state.last_sync_error).toMatch(/^throttled: .*80004/);
    expect((await insightRows(db.sql, "222")).length).toBe(10);

    // Five minutes later Graph's regain time has not passed: the account is skipped, no request.
    fake.requests.length = 0;
    const second = await sync(db.sql, testConfig(fake), { now: clockAt(later(5)) });
    expect(second.status).toBe("partial");
    expect(accountOf(second, "111")).toMatchObject({ outcome: "throttled", rows_read: 0 });
    expect(fake.requests.filter((r) => r.path.includes("act_111/insights"))).toEqual([]);

    // Eleven minutes later it resumes from where it stopped and the run succeeds.
    const third = await sync(db.sql, testConfig(fake), { now: clockAt(later(11)) });
    expect(third.status).toBe("succeeded");
    expect(accountOf(third, "111")).toMatchObject({ outcome: "done", rows_read: 15 });
    const [after] = await db.sql`
      select insights_synced_until::text as until, insights_resume_from, throttled_until, last_sync_error
      from voronka.fb_ad_account where id = '111'`;
    expect(after).toEqual({
      until: "2026-03-11",
      insights_resume_from: null,
      throttled_until: null,
      last_sync_error: null,
    });
  });

  it("slows down as usage approaches the limit and stops the account at 95 %", async () => {
    const { db, fake } = await setup();
    fake.scenario.usage_pct = { "444": 85, "222": 96 };
    const sleeps: number[] = [];
    const summary = await sync(db.sql, testConfig(fake, { concurrency: 1 }), {
      now: clockAt(T0),
      sleep: async (ms) => void sleeps.push(ms),
    });
    // 444: 5 rows over 2 chunks (3 + 2 rows, one page each) at 85 %: (85 - 75) / (95 - 75) x 50 ms each.
    expect(accountOf(summary, "444")).toMatchObject({ outcome: "done", rows_read: 5 });
    expect(sleeps).toEqual([25, 25]);
    // 222 at 96 %: its first page (4 rows) is stored, then it stops and resumes from its first chunk.
    expect(accountOf(summary, "222")).toMatchObject({ outcome: "throttled", rows_read: 4 });
    expect((await insightRows(db.sql, "222")).length).toBe(4);
    expect(summary.status).toBe("partial");
  });
});

describe("faults", () => {
  it("an expired token fails the run with a clear message and changes no data", async () => {
    const { db, fake } = await setup();
    await sync(db.sql, testConfig(fake), { now: clockAt(T0) });
    const before = await snapshot(db);
    fake.setMetrics("1110001", "2026-03-10", { spend: "1.00", impressions: "1", clicks: "1" });
    fake.inject({ kind: "expired_token" });
    const lines: string[] = [];
    const handler = createFacebookSyncHandler({
      sql: db.sql,
      config: testConfig(fake),
      clock: { now: clockAt(later(15)) },
      log: (l) => lines.push(l),
    });
    const response = await handler(
      new Request("http://local/functions/v1/facebook-sync", {
        method: "POST",
        headers: { authorization: "Bearer sync-secret" },
      }),
    );
    expect(response.status).toBe(502);
    const body = await response.json();
    expect(body.status).toBe("failed");
    expect(body.message).toMatch(/access token was rejected .*#190\/463.*Session has expired.*renew FB_ACCESS_TOKEN/);
    expect(fake.requests.at(-1)?.path).toMatch(/me\/businesses$/);
    expect(await snapshot(db)).toEqual(before);
    const [run] =
      await db.sql`select status, message, finished_at is not null as finished from voronka.fb_sync_run order by id desc limit 1`;
    expect(run).toMatchObject({ status: "failed", finished: true });
    // The report keeps using the last good run.
    const [good] =
      await db.sql`select count(*)::int as n from voronka.fb_sync_run where status in ('succeeded', 'partial')`;
    expect(good.n).toBe(1);
  });

  it("retries transient errors (code 2, HTML 502) with backoff and loses nothing", async () => {
    const { db, fake } = await setup();
    fake.inject({ kind: "transient", path: "act_222/insights", times: 2 });
    fake.inject({ kind: "server_error", path: "act_333/insights", times: 1 });
    const summary = await sync(db.sql, testConfig(fake), { now: clockAt(T0) });
    expect(summary.status).toBe("succeeded");
    expect(accountOf(summary, "222")).toMatchObject({ outcome: "done", rows_read: 10 });
    expect(accountOf(summary, "333")).toMatchObject({ outcome: "done", rows_read: 10 });
    // 222: 2 chunks x 3 pages (6 rows: 4 + 2... ) — counted from the fake: every request answered.
    const failed = fake.requests.filter((r) => r.status >= 500);
    expect(failed.length).toBe(3);
    expect(summary.requests).toBe(fake.requests.length);
  });

  it("asks for shorter ranges when Graph says to reduce the amount of data", async () => {
    const { db, fake } = await setup();
    fake.inject({ kind: "reduce_data", path: "act_111/insights", whenDaysOver: 1 });
    const lines: string[] = [];
    const summary = await sync(db.sql, testConfig(fake), { now: clockAt(T0), lines });
    expect(summary.status).toBe("succeeded");
    const singleDays = fake.requests
      .filter((r) => r.path.endsWith("act_111/insights") && r.status === 200 && !r.query.after)
      .map((r) => JSON.parse(r.query.time_range));
    expect(singleDays).toEqual(
      ["2026-03-07", "2026-03-08", "2026-03-09", "2026-03-10", "2026-03-11"].map((d) => ({ since: d, until: d })),
    );
    expect((await insightRows(db.sql, "111")).length).toBe(15);
    expect(lines.some((l) => /asked for less data; splitting 2026-03-07\.\.2026-03-09/.test(l))).toBe(true);

    // A single day that is still too much: a smaller page.
    fake.clearFaults();
    fake.requests.length = 0;
    fake.inject({ kind: "reduce_data", path: "act_222/insights", whenLimitOver: 2 });
    const again = await sync(db.sql, testConfig(fake, { backfillDays: 1, lookbackDays: 1 }), {
      now: clockAt(later(1)),
    });
    expect(again.status).toBe("succeeded");
    const limits = fake.requests
      .filter((r) => r.path.endsWith("act_222/insights") && r.status === 200)
      .map((r) => r.query.limit);
    expect(new Set(limits)).toEqual(new Set(["2"]));
  });

  it("stops within the time budget and resumes from per-account checkpoints until everything is read", async () => {
    const { db, fake } = await setup({ latencyMs: 25 });
    const config = testConfig(fake, { budgetMs: 400, pageSize: 3, concurrency: 1, lookbackDays: 1 });
    const first = await sync(db.sql, config, { now: clockAt(T0) });
    expect(first.status).toBe("partial");
    // Budget plus one request in flight; the slack keeps a loaded CI machine from failing it.
    expect(first.duration_ms).toBeLessThan(400 + 1000);
    const resumes =
      await db.sql`select id, insights_resume_from::text as r from voronka.fb_ad_account where insights_resume_from is not null`;
    expect(resumes.length + first.accounts_budget).toBeGreaterThan(0);
    let runs = 1;
    const checkpointsComplete = async () => {
      const [row] = await db.sql`
        select count(*) filter (where insights_synced_until is null)::int as open from voronka.fb_ad_account`;
      return row.open === 0;
    };
    while (!(await checkpointsComplete()) && runs < 20) {
      const next = await sync(db.sql, config, { now: clockAt(later(runs)) });
      expect(next.duration_ms).toBeLessThan(400 + 1000);
      // Interrupted accounts continue where they stopped, not from the start of their window.
      for (const a of next.accounts as { since?: string; account_id: string }[]) {
        if (a.since && a.account_id === "333") expect(["2026-03-06", "2026-03-09"]).toContain(a.since);
      }
      runs++;
    }
    expect(runs).toBeGreaterThan(2);
    // Everything of the 5-day window (same Almaty/LA days: the clock moved minutes only), once.
    expect((await insightRows(db.sql)).length).toBe(15 + 10 + 10 + 5);
    const partials = await db.sql`select count(*)::int as n from voronka.fb_sync_run where status = 'partial'`;
    expect(partials[0].n).toBe(runs);
    // With room in the budget, a run reads every account's lookback and succeeds.
    const full = await sync(db.sql, { ...config, budgetMs: 10_000 }, { now: clockAt(later(runs)) });
    expect(full.status).toBe("succeeded");
  });
});

describe("secrets", () => {
  it("appsecret_proof is the hex HMAC-SHA256 of the token keyed by the app secret", async () => {
    // RFC-style known answer (HMAC-SHA256, key "key").
    expect(await appSecretProof("The quick brown fox jumps over the lazy dog", "key")).toBe(
      "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8",
    );
    const { db, fake } = await setup({ appSecret: APP_SECRET });
    const expected = createHmac("sha256", APP_SECRET).update(TOKEN).digest("hex");
    const without = await sync(db.sql, testConfig(fake), { now: clockAt(T0) });
    expect(without.status).toBe("failed");
    expect(without.message).toMatch(/appsecret_proof/);
    const summary = await sync(db.sql, testConfig(fake, { appSecret: APP_SECRET }), { now: clockAt(T0) });
    expect(summary.status).toBe("succeeded");
    const proofs = new Set(fake.requests.filter((r) => r.status === 200).map((r) => r.query.appsecret_proof));
    expect(proofs).toEqual(new Set([expected]));
  });

  it("never writes the token to logs or the database, even when errors quote URLs", async () => {
    const { db, fake } = await setup({ appSecret: APP_SECRET });
    const config = testConfig(fake, { appSecret: APP_SECRET });
    let failures = 0;
    // A network failure whose message quotes the full URL (token included), once per account.
    const leakyFetch: typeof fetch = async (input, init) => {
      const url = String(input);
      if (url.includes("/insights") && !url.includes("after=") && failures++ < 5) {
        throw new TypeError(`fetch failed: ${url}`);
      }
      return fetch(input, init);
    };
    fake.inject({ kind: "throttle", path: "act_333/insights", times: 1 });
    const lines: string[] = [];
    await sync(db.sql, config, { now: clockAt(T0), lines, fetch: leakyFetch });
    fake.inject({ kind: "expired_token" });
    await sync(db.sql, config, { now: clockAt(later(1)), lines });
    expect(lines.some((l) => l.includes("fetch failed"))).toBe(true);
    const text = lines.join("\n");
    const stored = await db.sql`
      select (select coalesce(string_agg(r::text, ','), '') from voronka.fb_sync_run as r) ||
             (select coalesce(string_agg(a::text, ','), '') from voronka.fb_ad_account as a) ||
             (select coalesce(string_agg(i::text, ','), '') from voronka.fb_ad_insight as i) as all_text`;
    const proof = createHmac("sha256", APP_SECRET).update(TOKEN).digest("hex");
    for (const secret of [TOKEN, APP_SECRET, proof]) {
      expect(text).not.toContain(secret);
      expect(stored[0].all_text).not.toContain(secret);
    }
    expect(stored[0].all_text).not.toMatch(/access_token=(?!\[redacted\])/);
  });
});
