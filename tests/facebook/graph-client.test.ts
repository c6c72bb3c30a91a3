// The Graph client and the pure Facebook pieces at their edges, with an injected fetch (the Graph
// API is the thing faked here; no database is involved): URLs and paging, retries and their
// backoff, the budget, timeouts, error bodies, classification limits, usage headers, day
// arithmetic. Every expected value is worked out by hand in the comments.
import { createHmac } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  ConfigError,
  missingFacebookSettings,
  readFacebookConfig,
} from "../../supabase/functions/_shared/facebook/config.ts";
import { daysBetween, maxDay, minDay, addDays } from "../../supabase/functions/_shared/facebook/dates.ts";
import {
  appSecretProof,
  BudgetExceededError,
  GraphClient,
  type GraphClientOptions,
} from "../../supabase/functions/_shared/facebook/graph-client.ts";
import { classifyGraphError, GraphError, redact } from "../../supabase/functions/_shared/facebook/graph-errors.ts";
import { insightsRange } from "../../supabase/functions/_shared/facebook/insights.ts";
import { decideThrottle, parseUsage } from "../../supabase/functions/_shared/facebook/usage.ts";

const TOKEN = "EAAtokenForClientTests";

interface Answer {
  status?: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** A fetch that answers from a list and records every URL it was asked for. */
function scriptedFetch(answers: (Answer | Error)[]) {
  const urls: URL[] = [];
  const fetchImpl = (async (input: string | URL | Request) => {
    urls.push(new URL(String(input)));
    const next = answers.shift();
    if (!next) throw new Error("no more answers");
    if (next instanceof Error) throw next;
    const text = typeof next.body === "string" ? next.body : JSON.stringify(next.body);
    return new Response(text, { status: next.status ?? 200, headers: next.headers });
  }) as typeof fetch;
  return { fetchImpl, urls };
}

function client(fetchImpl: typeof fetch, overrides: Partial<GraphClientOptions> = {}) {
  const sleeps: number[] = [];
  const graph = new GraphClient({
    graphUrl: "https://graph.test/base/",
    version: "v26.0",
    accessToken: TOKEN,
    fetch: fetchImpl,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    now: () => 1_000_000,
    requestTimeoutMs: 30_000,
    maxRetries: 3,
    retryBaseMs: 100,
    ...overrides,
  });
  return { graph, sleeps };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("GraphClient requests", () => {
  it("builds the URL under the base path, adds the token and, with an app secret, its HMAC proof", async () => {
    const { fetchImpl, urls } = scriptedFetch([{ body: { id: "1" } }, { body: { id: "2" } }]);
    const { graph } = client(fetchImpl, { appSecret: "s3cret" });
    const { body } = await graph.get<{ id: string }>("/act_42/insights", { level: "ad", limit: "5" });
    expect(body).toEqual({ id: "1" });
    const url = urls[0];
    expect(`${url.origin}${url.pathname}`).toBe("https://graph.test/base/v26.0/act_42/insights");
    expect(url.searchParams.get("level")).toBe("ad");
    expect(url.searchParams.get("limit")).toBe("5");
    expect(url.searchParams.get("access_token")).toBe(TOKEN);
    const proof = createHmac("sha256", "s3cret").update(TOKEN).digest("hex");
    expect(url.searchParams.get("appsecret_proof")).toBe(proof);
    expect(await appSecretProof(TOKEN, "s3cret")).toBe(proof);
    // The proof is computed once and reused.
    await graph.get("me", {});
    expect(urls[1].searchParams.get("appsecret_proof")).toBe(proof);
    expect(graph.requests).toBe(2);
  });

  it("without an app secret sends no proof", async () => {
    const { fetchImpl, urls } = scriptedFetch([{ body: {} }]);
    await client(fetchImpl).graph.get("me", {});
    expect(urls[0].searchParams.has("appsecret_proof")).toBe(false);
  });

  it("follows paging.next on the configured host without Graph's token or proof, to the last page", async () => {
    const { fetchImpl, urls } = scriptedFetch([
      {
        body: {
          data: [{ n: 1 }, { n: 2 }],
          paging: {
            next: "https://graph.facebook.com/v26.0/act_42/insights?after=C1&access_token=LEAK&appsecret_proof=P",
          },
        },
        headers: { "x-ad-account-usage": '{"acc_id_util_pct":12}' },
      },
      { body: { paging: { next: "https://graph.facebook.com/v26.0/act_42/insights?after=C2" } } },
      { body: { data: [{ n: 3 }] } },
    ]);
    const { graph } = client(fetchImpl);
    const pages = [];
    for await (const page of graph.pages<{ n: number }>("act_42/insights", { limit: "2" }, { accountId: "42" })) {
      pages.push(page);
    }
    expect(pages).toEqual([
      { data: [{ n: 1 }, { n: 2 }], usage: { maxPct: 12, regainMinutes: 0 }, hasNext: true },
      { data: [], usage: { maxPct: 0, regainMinutes: 0 }, hasNext: true },
      { data: [{ n: 3 }], usage: { maxPct: 0, regainMinutes: 0 }, hasNext: false },
    ]);
    expect(urls[1].host).toBe("graph.test");
    expect(urls[1].pathname).toBe("/v26.0/act_42/insights");
    expect(urls[1].searchParams.get("after")).toBe("C1");
    expect(urls[1].searchParams.get("access_token")).toBe(TOKEN);
    expect(urls[1].searchParams.has("appsecret_proof")).toBe(false);
    expect(urls[1].search).not.toContain("LEAK");
    expect(urls[2].searchParams.get("after")).toBe("C2");
  });
});

describe("GraphClient retries", () => {
  const transient = { status: 500, body: { error: { code: 2, message: "Service temporarily unavailable" } } };

  it("retries a transient error maxRetries times with doubling backoff, then throws it", async () => {
    vi.spyOn(Math, "random").mockReturnValue(0.5); // jitter factor 0.75 + 0.5 × 0.5 = 1
    const { fetchImpl, urls } = scriptedFetch([transient, transient, transient, transient, { body: {} }]);
    let onRequest = 0;
    const { graph, sleeps } = client(fetchImpl);
    const error = await graph.get("me", {}, { onRequest: () => onRequest++ }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphError);
    expect((error as GraphError).kind).toBe("transient");
    // 1 try + 3 retries; waits 100 × 2^0, 100 × 2^1, 100 × 2^2.
    expect(urls).toHaveLength(4);
    expect(onRequest).toBe(4);
    expect(graph.requests).toBe(4);
    expect(sleeps).toEqual([100, 200, 400]);
  });

  it("the jitter spans 0.75 to 1.25 of the backoff", async () => {
    const random = vi.spyOn(Math, "random").mockReturnValueOnce(0).mockReturnValueOnce(0.999999);
    const { fetchImpl } = scriptedFetch([transient, transient, { body: { ok: 1 } }]);
    const { graph, sleeps } = client(fetchImpl);
    expect((await graph.get("me", {})).body).toEqual({ ok: 1 });
    // round(100 × 1 × 0.75) = 75; round(100 × 2 × 1.2499995) = 250.
    expect(sleeps).toEqual([75, 250]);
    expect(random).toHaveBeenCalledTimes(2);
  });

  it("succeeds after a retry, and does not retry what is not transient", async () => {
    const { fetchImpl, urls } = scriptedFetch([
      new TypeError(`connect ECONNREFUSED at https://graph.test/?access_token=${TOKEN}`),
      { body: { ok: true } },
      { status: 400, body: { error: { code: 100, error_subcode: 33, message: "Unsupported get request" } } },
    ]);
    const { graph } = client(fetchImpl);
    expect((await graph.get("me", {})).body).toEqual({ ok: true });
    const error = (await graph.get("act_1", {}).catch((e: unknown) => e)) as GraphError;
    expect(error.kind).toBe("invalid");
    expect(urls).toHaveLength(3);
  });

  it("stops with BudgetExceededError when the wait would reach the deadline, not one millisecond before", async () => {
    vi.spyOn(Math, "random").mockReturnValue(0.5);
    // now 1,000,000 + delay 100 = 1,000,100: a deadline of 1,000,100 is reached; 1,000,101 is not.
    const reached = scriptedFetch([transient, { body: {} }]);
    const at = await client(reached.fetchImpl)
      .graph.get("me", {}, { deadline: 1_000_100 })
      .catch((e: unknown) => e);
    expect(at).toBeInstanceOf(BudgetExceededError);
    const notReached = scriptedFetch([transient, { body: { ok: 1 } }]);
    const { graph, sleeps } = client(notReached.fetchImpl);
    expect((await graph.get("me", {}, { deadline: 1_000_101 })).body).toEqual({ ok: 1 });
    expect(sleeps).toEqual([100]);
  });

  it("starts no request once the deadline has passed, and starts one with a millisecond left", async () => {
    const none = scriptedFetch([{ body: {} }]);
    await expect(client(none.fetchImpl).graph.get("me", {}, { deadline: 1_000_000 })).rejects.toBeInstanceOf(
      BudgetExceededError,
    );
    expect(none.urls).toHaveLength(0);
    const one = scriptedFetch([{ body: { ok: 1 } }]);
    expect((await client(one.fetchImpl).graph.get("me", {}, { deadline: 1_000_001 })).body).toEqual({ ok: 1 });
  });
});

describe("GraphClient timeouts", () => {
  /** A fetch that never answers but honours the abort signal. */
  const hanging = (async (_input: unknown, init?: RequestInit) =>
    new Promise<Response>((_, reject) => {
      init?.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
    })) as typeof fetch;

  it("a request longer than requestTimeoutMs is a transient timeout (retried)", async () => {
    const { graph, sleeps } = client(hanging, { requestTimeoutMs: 20, maxRetries: 1, retryBaseMs: 1 });
    const error = (await graph.get("me", {}).catch((e: unknown) => e)) as GraphError;
    expect(error.kind).toBe("transient");
    expect(error.message).toBe("GET /base/v26.0/me timed out after 20 ms");
    expect(sleeps).toHaveLength(1);
  });

  it("the timeout shrinks to what is left of the budget, and running into the budget is BudgetExceededError", async () => {
    let now = 1_000_000;
    const { graph } = client(
      (async (input: unknown, init?: RequestInit) => {
        now += 30; // the request takes the 30 ms that were left
        return hanging(input as string, init);
      }) as typeof fetch,
      { now: () => now, requestTimeoutMs: 60_000 },
    );
    await expect(graph.get("me", {}, { deadline: 1_000_030 })).rejects.toBeInstanceOf(BudgetExceededError);
  });

  it("a timeout well before the deadline is a timeout, not the budget", async () => {
    let now = 1_000_000;
    const { graph } = client(
      (async (input: unknown, init?: RequestInit) => {
        now += 20; // the clock reads 1,000,020: 6 ms before the deadline's 5 ms margin... not reached
        return hanging(input as string, init);
      }) as typeof fetch,
      { now: () => now, requestTimeoutMs: 20, maxRetries: 0 },
    );
    // deadline 1,000,026: at 1,000,020 the budget is not within 5 ms of running out (1,000,021 would be).
    const error = (await graph.get("me", {}, { deadline: 1_000_026 }).catch((e: unknown) => e)) as GraphError;
    expect(error).toBeInstanceOf(GraphError);
    expect(error.message).toBe("GET /base/v26.0/me timed out after 20 ms");
    now = 1_000_000;
    const edge = client(
      (async (input: unknown, init?: RequestInit) => {
        now += 21; // 1,000,021 = deadline − 5: counts as the budget
        return hanging(input as string, init);
      }) as typeof fetch,
      { now: () => now, requestTimeoutMs: 20, maxRetries: 0 },
    );
    await expect(edge.graph.get("me", {}, { deadline: 1_000_026 })).rejects.toBeInstanceOf(BudgetExceededError);
  });
});

describe("GraphClient error bodies", () => {
  it("a body that is not JSON: transient from 500 on, invalid below (including a 200)", async () => {
    const cases: [number, string][] = [
      [500, "transient"],
      [503, "transient"],
      [499, "invalid"],
      [200, "invalid"],
    ];
    for (const [status, kind] of cases) {
      const { fetchImpl } = scriptedFetch([{ status, body: "<html>oops</html>" }]);
      const error = (await client(fetchImpl, { maxRetries: 0 })
        .graph.get("me", {})
        .catch((e: unknown) => e)) as GraphError;
      expect(error.kind, String(status)).toBe(kind);
      expect(error.message).toBe(`GET /base/v26.0/me: HTTP ${status} with a body that is not JSON`);
      expect(error.details).toEqual({ path: "/base/v26.0/me", status });
    }
  });

  it("an error body: its code and subcode in the message, the token redacted, the throttle's regain time", async () => {
    const { fetchImpl } = scriptedFetch([
      {
        status: 400,
        body: {
          error: { code: 80004, error_subcode: 2446079, message: `too many calls for ${TOKEN}`, fbtrace_id: "T1" },
        },
        headers: { "x-business-use-case-usage": '{"42":[{"call_count":100,"estimated_time_to_regain_access":7}]}' },
      },
      { status: 400, body: { error: { code: 100, message: "bad field" } } },
      { status: 404, body: { nothing: true } },
      { status: 400, body: { error: {} } },
    ]);
    const { graph } = client(fetchImpl, { maxRetries: 0 });
    const throttle = (await graph
      .get("act_42/insights", {}, { accountId: "42" })
      .catch((e: unknown) => e)) as GraphError;
    expect(throttle.kind).toBe("throttle");
    expect(throttle.message).toBe("GET /base/v26.0/act_42/insights: (#80004/2446079) too many calls for [redacted]");
    expect(throttle.details).toEqual({
      path: "/base/v26.0/act_42/insights",
      status: 400,
      code: 80004,
      subcode: 2446079,
      fbtraceId: "T1",
      regainMinutes: 7,
    });
    const invalid = (await graph.get("me", {}).catch((e: unknown) => e)) as GraphError;
    expect(invalid.message).toBe("GET /base/v26.0/me: (#100) bad field");
    expect(invalid.details.regainMinutes).toBeUndefined();
    // Not ok, and no error object: classified by the status alone.
    const notFound = (await graph.get("me", {}).catch((e: unknown) => e)) as GraphError;
    expect(notFound.kind).toBe("invalid");
    expect(notFound.message).toBe("GET /base/v26.0/me: (HTTP 404) no error message");
    const empty = (await graph.get("me", {}).catch((e: unknown) => e)) as GraphError;
    expect(empty.message).toBe("GET /base/v26.0/me: (HTTP 400) no error message");
  });

  it("a network failure names the path, never the token", async () => {
    const { fetchImpl } = scriptedFetch([new TypeError(`fetch failed for https://x/?access_token=${TOKEN}`)]);
    const error = (await client(fetchImpl, { maxRetries: 0 })
      .graph.get("me", {})
      .catch((e: unknown) => e)) as GraphError;
    expect(error.kind).toBe("transient");
    expect(error.message).toBe("GET /base/v26.0/me failed: fetch failed for https://x/?access_token=[redacted]");
  });
});

describe("Graph error classification at its limits", () => {
  it("throttle codes 80000–80014 and no neighbours; permission 10 and 200–299 and no neighbours", () => {
    expect(classifyGraphError(400, { code: 80000 })).toBe("throttle");
    expect(classifyGraphError(400, { code: 80014 })).toBe("throttle");
    expect(classifyGraphError(400, { code: 79999 })).toBe("invalid");
    expect(classifyGraphError(400, { code: 80015 })).toBe("invalid");
    expect(classifyGraphError(400, { code: 10 })).toBe("permission");
    expect(classifyGraphError(400, { code: 200 })).toBe("permission");
    expect(classifyGraphError(400, { code: 299 })).toBe("permission");
    expect(classifyGraphError(400, { code: 199 })).toBe("invalid");
    expect(classifyGraphError(400, { code: 300 })).toBe("invalid");
  });

  it("auth codes, transient statuses and the reduce-data signals", () => {
    for (const code of [190, 102, 463, 467]) expect(classifyGraphError(400, { code }), String(code)).toBe("auth");
    expect(classifyGraphError(400, { code: 100, message: "needs an APPSECRET_PROOF" })).toBe("auth");
    expect(classifyGraphError(400, { code: 100, message: "bad parameter" })).toBe("invalid");
    expect(classifyGraphError(429, undefined)).toBe("transient");
    expect(classifyGraphError(500, undefined)).toBe("transient");
    expect(classifyGraphError(499, undefined)).toBe("invalid");
    expect(classifyGraphError(400, { code: 1, message: "An unknown error occurred" })).toBe("transient");
    expect(classifyGraphError(400, { code: 2 })).toBe("transient");
    expect(classifyGraphError(400, { code: 2, error_subcode: 1504038 })).toBe("reduce_data");
    expect(classifyGraphError(400, { code: 100, error_subcode: 1504018 })).toBe("reduce_data");
    expect(classifyGraphError(400, { code: 1, message: "please REDUCE THE AMOUNT OF DATA" })).toBe("reduce_data");
    expect(classifyGraphError(400, { code: 3, is_transient: true })).toBe("transient");
    expect(classifyGraphError(400, { code: 3, is_transient: false })).toBe("invalid");
  });

  it("only throttles with code 4 or 17 stop the whole run", () => {
    expect(new GraphError("throttle", "m", { code: 4 }).appWide).toBe(true);
    expect(new GraphError("throttle", "m", { code: 17 }).appWide).toBe(true);
    expect(new GraphError("throttle", "m", { code: 32 }).appWide).toBe(false);
    expect(new GraphError("throttle", "m", {}).appWide).toBe(false);
    expect(new GraphError("transient", "m", { code: 4 }).appWide).toBe(false);
    expect(new GraphError("throttle", "m", { code: 4, path: "/p" }).toJSON()).toEqual({
      kind: "throttle",
      message: "m",
      code: 4,
      path: "/p",
    });
  });

  it("redacts secrets of four characters or more, and token parameters up to a quote or space", () => {
    expect(redact("abcd and abc", ["abcd"])).toBe("[redacted] and abc");
    expect(redact("abc stays", ["abc"])).toBe("abc stays");
    expect(redact(`"ACCESS_TOKEN=xyz" next`, [undefined])).toBe(`"ACCESS_TOKEN=[redacted]" next`);
  });
});

describe("usage headers and throttle policy at their edges", () => {
  const policy = { slowdownAtPct: 75, stopAtPct: 95, maxThrottleDelayMs: 10_000 };

  it("reads every account's entries without an account, only its own with one; the longest regain time", () => {
    const headers = new Headers({
      "x-business-use-case-usage": JSON.stringify({
        "111": [
          { call_count: 20, estimated_time_to_regain_access: 12 },
          { total_cputime: 35, estimated_time_to_regain_access: 5 },
        ],
        "222": [{ total_time: 88, estimated_time_to_regain_access: "soon" }],
        "333": { call_count: 99 },
      }),
    });
    expect(parseUsage(headers)).toEqual({ maxPct: 88, regainMinutes: 12 });
    expect(parseUsage(headers, "111")).toEqual({ maxPct: 35, regainMinutes: 12 });
    expect(parseUsage(headers, "222")).toEqual({ maxPct: 88, regainMinutes: 0 });
    expect(parseUsage(new Headers({ "x-app-usage": '{"call_count":"n/a","total_time":3}' }))).toEqual({
      maxPct: 3,
      regainMinutes: 0,
    });
    expect(parseUsage(new Headers({ "x-app-usage": "42" }))).toEqual({ maxPct: 0, regainMinutes: 0 });
    expect(parseUsage(new Headers())).toEqual({ maxPct: 0, regainMinutes: 0 });
  });

  it("delays linearly between the thresholds, rounded to the millisecond", () => {
    // (94 − 75) / (95 − 75) × 10,000 = 9,500; (75.5 − 75) / 20 × 10,000 = 250; 75.00001 → 0.005 → 0.
    expect(decideThrottle({ maxPct: 94, regainMinutes: 0 }, policy)).toEqual({ action: "continue", delayMs: 9_500 });
    expect(decideThrottle({ maxPct: 75.5, regainMinutes: 0 }, policy)).toEqual({ action: "continue", delayMs: 250 });
    expect(decideThrottle({ maxPct: 74.9, regainMinutes: 0 }, policy)).toEqual({ action: "continue", delayMs: 0 });
    expect(decideThrottle({ maxPct: 94.99, regainMinutes: 0 }, policy)).toEqual({ action: "continue", delayMs: 9_995 });
    // Thresholds one apart: (80.5 − 80) / max(1, 1) × 1,000 = 500.
    expect(
      decideThrottle(
        { maxPct: 80.5, regainMinutes: 0 },
        { slowdownAtPct: 80, stopAtPct: 81, maxThrottleDelayMs: 1_000 },
      ),
    ).toEqual({ action: "continue", delayMs: 500 });
    // Thresholds half a point apart: the divisor is at least 1 → (80.25 − 80) / 1 × 1,000 = 250.
    expect(
      decideThrottle(
        { maxPct: 80.25, regainMinutes: 0 },
        { slowdownAtPct: 80, stopAtPct: 80.5, maxThrottleDelayMs: 1_000 },
      ),
    ).toEqual({ action: "continue", delayMs: 250 });
  });
});

describe("calendar days", () => {
  it("counts both ends, and nothing for a range that ends before it starts", () => {
    expect(daysBetween("2026-03-01", "2026-03-01")).toBe(1);
    expect(daysBetween("2024-02-01", "2024-03-01")).toBe(30); // 29 days of a leap February + 1
    expect(daysBetween("2026-03-02", "2026-03-01")).toBe(0);
    expect(daysBetween("2026-03-10", "2026-03-01")).toBe(0);
    expect(minDay("2026-01-02", "2026-01-10")).toBe("2026-01-02");
    expect(minDay("2026-01-10", "2026-01-02")).toBe("2026-01-02");
    expect(maxDay("2026-01-02", "2026-01-10")).toBe("2026-01-10");
    expect(maxDay("2026-01-10", "2026-01-02")).toBe("2026-01-10");
    expect(addDays("2026-01-01", -1)).toBe("2025-12-31");
  });

  it("a resume point after today reads today only; history stops 37 × 30 = 1,110 days back", () => {
    const cfg = { backfillDays: 90, lookbackDays: 28 };
    expect(
      insightsRange({ insights_synced_until: null, insights_resume_from: "2026-04-05" }, "2026-03-31", cfg),
    ).toEqual({ since: "2026-03-31", until: "2026-03-31" });
    // 2026-03-31 − 1,110 days = 2023-03-17.
    expect(
      insightsRange({ insights_synced_until: null, insights_resume_from: null }, "2026-03-31", {
        backfillDays: 2000,
        lookbackDays: 28,
      }),
    ).toEqual({ since: "2023-03-17", until: "2026-03-31" });
    expect(
      insightsRange({ insights_synced_until: null, insights_resume_from: null }, "2026-03-31", {
        backfillDays: 1,
        lookbackDays: 28,
      }),
    ).toEqual({ since: "2026-03-31", until: "2026-03-31" });
  });
});

describe("Facebook configuration at its limits", () => {
  it("whole numbers from 1 to each maximum; blank means the default; text around values is trimmed", () => {
    const base = { FB_ACCESS_TOKEN: "t", FB_SYNC_SECRET: "s" };
    expect(readFacebookConfig({ ...base, FB_SYNC_BUDGET_SECONDS: "1" }).budgetMs).toBe(1_000);
    expect(readFacebookConfig({ ...base, FB_SYNC_BUDGET_SECONDS: "3600" }).budgetMs).toBe(3_600_000);
    for (const bad of ["0", "3601", "2.5", "ten"]) {
      expect(() => readFacebookConfig({ ...base, FB_SYNC_BUDGET_SECONDS: bad }), bad).toThrow(
        new ConfigError(`FB_SYNC_BUDGET_SECONDS must be a whole number between 1 and 3600, got "${bad}"`),
      );
    }
    expect(readFacebookConfig({ ...base, FB_SYNC_CHUNK_DAYS: "   " }).chunkDays).toBe(10);
    expect(readFacebookConfig({ ...base, FB_SYNC_CHUNK_DAYS: " 90 " }).chunkDays).toBe(90);
    expect(() => readFacebookConfig({ ...base, FB_SYNC_CHUNK_DAYS: "91" })).toThrow(ConfigError);
    const config = readFacebookConfig({
      FB_GRAPH_VERSION: " v25.0 ",
      FB_APP_SECRET: " app-secret ",
      FB_GRAPH_URL: " http://127.0.0.1:9/graph// ",
      FB_SYNC_PAGE_SIZE: "5000",
      FB_SYNC_CONCURRENCY: "50",
      FB_SYNC_MAX_RETRIES: "20",
      FB_SYNC_RETRY_BASE_MS: "60000",
      FB_SYNC_BACKFILL_DAYS: "1100",
      FB_SYNC_LOOKBACK_DAYS: "400",
    });
    expect(config).toEqual({
      syncSecret: null,
      accessToken: null,
      appSecret: "app-secret",
      graphVersion: "v25.0",
      graphUrl: "http://127.0.0.1:9/graph",
      budgetMs: 100_000,
      backfillDays: 1100,
      lookbackDays: 400,
      chunkDays: 10,
      pageSize: 5000,
      concurrency: 50,
      requestTimeoutMs: 30_000,
      maxRetries: 20,
      retryBaseMs: 60_000,
      slowdownAtPct: 75,
      stopAtPct: 95,
      maxThrottleDelayMs: 10_000,
    });
    expect(readFacebookConfig({ FB_APP_SECRET: "  " }).appSecret).toBeUndefined();
    expect(missingFacebookSettings(config)).toEqual(["FB_ACCESS_TOKEN", "FB_SYNC_SECRET"]);
    expect(missingFacebookSettings(readFacebookConfig(base))).toEqual([]);
    expect(missingFacebookSettings(readFacebookConfig({ FB_SYNC_SECRET: "s" }))).toEqual(["FB_ACCESS_TOKEN"]);
  });
});
