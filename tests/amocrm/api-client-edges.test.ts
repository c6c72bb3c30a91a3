// The amoCRM API v4 client at its edges, with an injected fetch (amoCRM is what is faked; no
// database is involved): every status it answers differently, the retry limit, the backoff cap,
// the request spacing, query parameters, and a next link that points elsewhere. Expected values
// are worked out by hand.
import { describe, expect, it } from "vitest";
import {
  AmocrmApiError,
  type AmocrmClientOptions,
  createAmocrmClient,
} from "../../supabase/functions/_shared/amocrm/api-client.ts";
import { apiConfigProblem, readAmocrmConfig } from "../../supabase/functions/_shared/amocrm/config.ts";
import { ConfigError } from "../../supabase/functions/_shared/config.ts";

type Answer = { status: number; body?: unknown } | Error;

function scripted(answers: Answer[], options: Partial<AmocrmClientOptions> = {}) {
  const urls: URL[] = [];
  const headers: Headers[] = [];
  const sleeps: number[] = [];
  const fetchImpl = (async (input: string | URL | Request, init?: RequestInit) => {
    urls.push(new URL(String(input)));
    headers.push(new Headers(init?.headers));
    const next = answers.shift();
    if (!next) throw new Error("no more answers");
    if (next instanceof Error) throw next;
    const text = next.body === undefined ? null : typeof next.body === "string" ? next.body : JSON.stringify(next.body);
    return new Response(text, { status: next.status });
  }) as typeof fetch;
  const client = createAmocrmClient({
    baseUrl: "https://school.amocrm.test",
    accessToken: "tok-123",
    fetch: fetchImpl,
    // Spacing far below a millisecond: only the backoff shows in `sleeps` (≥ 1 ms).
    requestsPerSecond: 1e9,
    sleep: async (ms) => {
      if (ms >= 1) sleeps.push(ms);
    },
    ...options,
  });
  return { client, urls, headers, sleeps };
}

const deal = { id: 7, updated_at: 1_700_000_000, price: 5000 };

describe("getLead", () => {
  it("sends the token, reads the deal, and answers null for 204 and 404", async () => {
    const { client, urls, headers } = scripted([
      { status: 200, body: deal },
      { status: 204 },
      { status: 404, body: { title: "Not found" } },
    ]);
    const found = await client.getLead(7);
    expect(found?.lead).toEqual(deal);
    expect(found?.readAt).toBeInstanceOf(Date);
    // with=contacts: the deal's contacts identify its person (issue 9).
    expect(urls[0].href).toBe("https://school.amocrm.test/api/v4/leads/7?with=contacts");
    expect(headers[0].get("authorization")).toBe("Bearer tok-123");
    expect(await client.getLead(8)).toBeNull();
    expect(await client.getLead(9)).toBeNull();
  });

  it("401, 402 and 403 stop at once and are fatal; a 400 stops at once and is not", async () => {
    const cases: [number, string, boolean][] = [
      [401, "unauthorized", true],
      [402, "payment_required", true],
      [403, "forbidden", true],
      [400, "http_error", false],
    ];
    for (const [status, code, fatal] of cases) {
      const { client, urls, sleeps } = scripted([{ status, body: "x".repeat(300) }]);
      const error = (await client.getLead(1).catch((e: unknown) => e)) as AmocrmApiError;
      expect(error).toBeInstanceOf(AmocrmApiError);
      expect([error.code, error.status, error.isFatal], String(status)).toEqual([code, status, fatal]);
      // The body is quoted, cut at 200 characters.
      expect(error.message.endsWith(" " + "x".repeat(200)) || error.message.endsWith(": " + "x".repeat(200))).toBe(
        true,
      );
      expect(urls).toHaveLength(1);
      expect(sleeps).toEqual([]);
    }
    expect(new AmocrmApiError("rate_limited", 429, "m").isFatal).toBe(false);
    expect(new AmocrmApiError("network", null, "m").isFatal).toBe(false);
  });

  it("retries 429 and 5xx maxRetries times, backing off 1 s, 2 s, 4 s …, capped at 30 s", async () => {
    const busy = Array.from({ length: 8 }, () => ({ status: 429 }));
    const { client, urls, sleeps } = scripted(busy, { maxRetries: 7 });
    const error = (await client.getLead(1).catch((e: unknown) => e)) as AmocrmApiError;
    expect([error.code, error.status]).toEqual(["rate_limited", 429]);
    expect(urls).toHaveLength(8);
    // 1000 × 2^0 … 2^4 = 16,000; 2^5 = 32,000 and 2^6 are capped at 30,000.
    expect(sleeps).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);

    const down = scripted([{ status: 500 }, { status: 503 }, { status: 200, body: deal }]);
    expect((await down.client.getLead(7))?.lead.id).toBe(7);
    expect(down.sleeps).toEqual([1000, 2000]);

    const stillDown = scripted([{ status: 502 }, { status: 500 }], { maxRetries: 1 });
    const failed = (await stillDown.client.getLead(7).catch((e: unknown) => e)) as AmocrmApiError;
    expect([failed.code, failed.status]).toEqual(["http_error", 500]);
    expect(stillDown.urls).toHaveLength(2);
  });

  it("by default retries 5 times", async () => {
    const { client, urls } = scripted(Array.from({ length: 7 }, () => ({ status: 500 })));
    await expect(client.getLead(1)).rejects.toMatchObject({ code: "http_error", status: 500 });
    expect(urls).toHaveLength(6);
  });

  it("network failures are retried, then reported as unreachable", async () => {
    const flaky = scripted([new TypeError("socket hang up"), { status: 200, body: deal }]);
    expect((await flaky.client.getLead(7))?.lead.id).toBe(7);
    expect(flaky.sleeps).toEqual([1000]);
    const gone = scripted([new TypeError("ECONNREFUSED"), new TypeError("ECONNREFUSED")], { maxRetries: 1 });
    const error = (await gone.client.getLead(7).catch((e: unknown) => e)) as AmocrmApiError;
    expect([error.code, error.status, error.message]).toEqual(["network", null, "amoCRM unreachable: ECONNREFUSED"]);
  });

  it("a 200 that is not JSON, or not a deal, is a bad response", async () => {
    const { client } = scripted([
      { status: 200, body: "<html>" },
      { status: 200, body: { id: "seven" } },
    ]);
    await expect(client.getLead(7)).rejects.toMatchObject({
      code: "bad_response",
      message: "amoCRM answered /api/v4/leads/7 with invalid JSON",
    });
    await expect(client.getLead(7)).rejects.toMatchObject({
      code: "bad_response",
      message: "amoCRM lead 7 has an unexpected shape",
    });
  });
});

describe("leadsUpdatedSince", () => {
  it("asks for deals updated since the second (rounded down), oldest first, and follows next only on amoCRM's origin", async () => {
    const { client, urls } = scripted(
      [
        {
          status: 200,
          body: {
            _embedded: { leads: [{ id: 1 }, { id: 2 }] },
            _links: { next: { href: "https://evil.example/api/v4/leads?page=2&limit=3" } },
          },
        },
        { status: 200, body: { _embedded: { leads: [{ id: 3 }] } } },
      ],
      { pageSize: 3 },
    );
    const pages: number[][] = [];
    for await (const page of client.leadsUpdatedSince(new Date(1_700_000_000_999))) {
      pages.push(page.leads.map((l) => l.id));
    }
    expect(pages).toEqual([[1, 2], [3]]);
    expect(Object.fromEntries(urls[0].searchParams)).toEqual({
      limit: "3",
      page: "1",
      "filter[updated_at][from]": "1700000000",
      "order[updated_at]": "asc",
      with: "contacts",
    });
    expect(urls[1].href).toBe("https://school.amocrm.test/api/v4/leads?page=2&limit=3");
  });

  it("pages of 250 by default; 204 ends the listing; a page of another shape is a bad response", async () => {
    const empty = scripted([{ status: 204 }]);
    const pages = [];
    for await (const page of empty.client.leadsUpdatedSince(new Date(0))) pages.push(page);
    expect(pages).toEqual([]);
    expect(empty.urls[0].searchParams.get("limit")).toBe("250");
    const odd = scripted([{ status: 200, body: { leads: [] } }]);
    const error = await (async () => {
      for await (const page of odd.client.leadsUpdatedSince(new Date(0))) void page;
    })().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "bad_response", status: 200 });
  });
});

describe("request spacing", () => {
  it("starts requests at least 1000 / requestsPerSecond ms apart", async () => {
    const waits: number[] = [];
    const { fetchImpl } = {
      fetchImpl: (async () => new Response(JSON.stringify(deal), { status: 200 })) as typeof fetch,
    };
    const client = createAmocrmClient({
      baseUrl: "https://school.amocrm.test",
      accessToken: "t",
      fetch: fetchImpl,
      requestsPerSecond: 4, // 250 ms apart
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    await client.getLead(1);
    await client.getLead(2);
    await client.getLead(3);
    // The first starts at once; the fake sleep does not pass time, so the second waits ~250 ms
    // and the third ~500 ms (its slot is two intervals after the first).
    expect(waits).toHaveLength(2);
    expect(waits[0]).toBeGreaterThan(240);
    expect(waits[0]).toBeLessThanOrEqual(250);
    expect(waits[1]).toBeGreaterThan(490);
    expect(waits[1]).toBeLessThanOrEqual(500);
  });
});

describe("amoCRM configuration", () => {
  it("derives the API origin from the subdomain unless a base URL is set, trims slashes, and checks the limits", () => {
    expect(readAmocrmConfig({})).toEqual({
      webhookSecret: null,
      subdomain: null,
      accountId: null,
      accessToken: null,
      baseUrl: null,
      reconcileSecret: null,
      maxBodyBytes: 5 * 1024 * 1024,
      bodyTimeoutMs: 10_000,
    });
    const config = readAmocrmConfig({
      AMOCRM_SUBDOMAIN: " school ",
      AMOCRM_ACCESS_TOKEN: "t",
      AMOCRM_WEBHOOK_MAX_BYTES: "1024",
      AMOCRM_WEBHOOK_BODY_TIMEOUT_MS: "500",
    });
    expect(config).toMatchObject({
      subdomain: "school",
      baseUrl: "https://school.amocrm.ru",
      maxBodyBytes: 1024,
      bodyTimeoutMs: 500,
    });
    expect(apiConfigProblem(config)).toBeNull();
    expect(readAmocrmConfig({ AMOCRM_SUBDOMAIN: "school", AMOCRM_BASE_URL: "http://127.0.0.1:9/api//" }).baseUrl).toBe(
      "http://127.0.0.1:9/api",
    );
    for (const bad of ["0", "-1", "abc", "1.5"]) {
      expect(() => readAmocrmConfig({ AMOCRM_WEBHOOK_MAX_BYTES: bad }), bad).toThrow(ConfigError);
      expect(() => readAmocrmConfig({ AMOCRM_WEBHOOK_BODY_TIMEOUT_MS: bad }), bad).toThrow(ConfigError);
    }
    // The body deadline is at most 600,000 ms.
    expect(readAmocrmConfig({ AMOCRM_WEBHOOK_BODY_TIMEOUT_MS: "600000" }).bodyTimeoutMs).toBe(600_000);
    expect(() => readAmocrmConfig({ AMOCRM_WEBHOOK_BODY_TIMEOUT_MS: "600001" })).toThrow(ConfigError);
    expect(apiConfigProblem(readAmocrmConfig({ AMOCRM_SUBDOMAIN: "school" }))).toBe("AMOCRM_ACCESS_TOKEN is not set");
    expect(apiConfigProblem(readAmocrmConfig({ AMOCRM_ACCESS_TOKEN: "t" }))).toBe(
      "neither AMOCRM_BASE_URL nor AMOCRM_SUBDOMAIN is set",
    );
  });
});
