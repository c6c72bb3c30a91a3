// The API v4 client against the local fake (paging, 204, 429, 401), enrichment of minimal
// webhooks, and reconciliation recovering a sale whose webhook never arrived.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  startFakeAmocrmApi,
  trackingFields,
  type FakeAmocrmApi,
  type FakeApiLead,
} from "../../scripts/fakes/amocrm-api.ts";
import { AmocrmApiError, createAmocrmClient } from "../../supabase/functions/_shared/amocrm/api-client.ts";
import { enrichDeals } from "../../supabase/functions/_shared/amocrm/enrichment.ts";
import { runAmocrmReconciliation } from "../../supabase/functions/_shared/amocrm/reconcile.ts";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";
import { configure, dealOf, handlerFor, PIPELINE, post, saleOf, unix, webhookBody } from "./support.ts";

const TOKEN = "fake-token-0123";
let db: TestDatabase;
let fake: FakeAmocrmApi;
const sleeps: number[] = [];
const client = () =>
  createAmocrmClient({ baseUrl: fake.url, accessToken: TOKEN, sleep: async (ms) => void sleeps.push(ms) });

const lead = (id: number, fields: Partial<FakeApiLead> = {}): FakeApiLead => ({
  id,
  price: 5000,
  status_id: 555,
  pipeline_id: PIPELINE.express,
  created_at: unix("2026-11-20T03:00:00Z"),
  updated_at: unix("2026-11-20T04:00:00Z"),
  ...fields,
});

beforeAll(async () => {
  db = await createTestDatabase();
  await configure(db.sql);
  fake = await startFakeAmocrmApi({ token: TOKEN, maxPageSize: 2 });
});
afterAll(async () => {
  await fake.stop();
  await db.drop();
});

describe("API v4 client", () => {
  it("pages through updated deals oldest first, following _links.next, until the last page", async () => {
    fake.upsert(
      lead(1, { updated_at: 300 }),
      lead(2, { updated_at: 100 }),
      lead(3, { updated_at: 200 }),
      lead(4, { updated_at: 50 }),
    );
    const pages = [];
    for await (const page of client().leadsUpdatedSince(new Date(100_000))) pages.push(page.leads.map((l) => l.id));
    expect(pages).toEqual([[2, 3], [1]]);
    const first = fake.requests.at(-2)!.url;
    expect(decodeURIComponent(first)).toContain("filter[updated_at][from]=100&order[updated_at]=asc");
  });

  it("treats 204 as empty and a missing deal as null", async () => {
    const pages = [];
    for await (const page of client().leadsUpdatedSince(new Date(10_000_000_000))) pages.push(page);
    expect(pages).toEqual([]);
    expect(await client().getLead(424242)).toBeNull();
  });

  it("backs off on 429 (1 s, 2 s, ...) and then succeeds", async () => {
    sleeps.length = 0;
    fake.failNext(429, 2);
    expect((await client().getLead(1))?.lead.id).toBe(1);
    expect(sleeps.filter((ms) => ms >= 1000)).toEqual([1000, 2000]);
  });

  it("stops with a clear error on 401 and 403, without retrying", async () => {
    const before = fake.requests.length;
    const wrong = createAmocrmClient({ baseUrl: fake.url, accessToken: "expired", sleep: async () => {} });
    await expect(wrong.getLead(1)).rejects.toMatchObject({ code: "unauthorized", status: 401, isFatal: true });
    fake.failNext(403);
    await expect(client().getLead(1)).rejects.toBeInstanceOf(AmocrmApiError);
    expect(fake.requests.length - before).toBe(2);
  });

  it("keeps to 7 requests per second", async () => {
    // When the client sends each request (its own clock, around the real fetch to the fake): the
    // fake's arrival times could bunch under load (a late first request shrinks the spread), but a
    // send can only be late, never early, and the first is sent at once.
    const sentAt: number[] = [];
    const real = createAmocrmClient({
      baseUrl: fake.url,
      accessToken: TOKEN,
      fetch: (input, init) => {
        sentAt.push(Date.now());
        return fetch(input, init);
      },
    });
    const start = fake.requests.length;
    await Promise.all(Array.from({ length: 15 }, (_, i) => real.getLead(i + 1)));
    expect(fake.requests.length - start).toBe(15);
    // 15 requests spaced 1000/7 ms apart take at least 14 intervals = 2 s (less a few ms of timer rounding).
    expect(sentAt.at(-1)! - sentAt[0]).toBeGreaterThanOrEqual(1990);
  });
});

describe("enrichment of minimal webhooks", () => {
  it("completes price, UTMs and the sale from GET /api/v4/leads/{id}", async () => {
    const id = 9100001;
    fake.upsert(
      lead(id, {
        status_id: 142,
        price: 490000,
        pipeline_id: PIPELINE.flagman,
        closed_at: unix("2026-11-21T06:00:00Z"),
        updated_at: unix("2026-11-21T06:00:00Z"),
        custom_fields_values: trackingFields({ utm_source: "instagram", utm_campaign: "x" }),
      }),
    );
    const deferred: Promise<unknown>[] = [];
    const handler = handlerFor(db.sql, { amocrmClient: client(), defer: (p) => void deferred.push(p) });
    const body = webhookBody([
      { action: "status", leads: [{ id, status_id: 142, old_status_id: 555, pipeline_id: PIPELINE.flagman }] },
    ]);
    const answer = await (await handler(post(body))).json();
    expect(answer.needs_enrichment).toEqual([id]);
    // Replied before enrichment: the minimal state is stored, the sale waits for a price.
    expect(await dealOf(db.sql, id)).toMatchObject({ status_id: 142, price: null, needs_enrichment: true });
    expect(await saleOf(db.sql, id)).toBeNull();
    await Promise.all(deferred);
    expect(await dealOf(db.sql, id)).toMatchObject({
      price: "490000.00",
      utm_source: "instagram",
      team_id: "traf4",
      needs_enrichment: false,
    });
    expect(await saleOf(db.sql, id)).toMatchObject({
      product_id: "flagman",
      amount: "490000.00",
      won_at: new Date("2026-11-21T06:00:00Z"),
      voided_at: null,
    });
  });

  it("an unauthorized token stops enrichment after the first deal and changes nothing", async () => {
    const wrong = createAmocrmClient({ baseUrl: fake.url, accessToken: "revoked", sleep: async () => {} });
    const before = fake.requests.length;
    const result = await enrichDeals({ sql: db.sql, client: wrong, dealIds: [1, 2, 3] });
    expect(result).toMatchObject({ enriched: 0 });
    expect(result.error).toMatch(/401/);
    expect(fake.requests.length - before).toBe(1);
  });
});

describe("enrichment's counts", () => {
  it("counts what it enriched and what amoCRM no longer has, and goes on after a passing error", async () => {
    const id = 9300001;
    fake.upsert(lead(id, { updated_at: unix("2026-11-22T06:00:00Z") }));
    expect(await enrichDeals({ sql: db.sql, client: client(), dealIds: [id, 9399999] })).toEqual({
      enriched: 1,
      missing: 1,
      error: null,
    });
    // A passing failure on one deal (not the token, not the account): the next deal is still read.
    let calls = 0;
    const real = client();
    const flaky = {
      ...real,
      getLead: async (dealId: number) => {
        calls++;
        if (calls === 1) throw new Error("socket hang up");
        return real.getLead(dealId);
      },
    };
    expect(await enrichDeals({ sql: db.sql, client: flaky, dealIds: [id, id] })).toEqual({
      enriched: 1,
      missing: 0,
      error: "socket hang up",
    });
  });
});

describe("reconciliation", () => {
  it("recovers a won deal whose webhook was lost, resumes from its checkpoint, and is idempotent", async () => {
    fake.leads.clear();
    await db.sql`delete from voronka.amocrm_sync_state`;
    const now = new Date("2026-11-25T12:00:00Z");
    // Known through a webhook as open; amoCRM then won it, but that webhook never came.
    await handlerFor(db.sql)(
      post(
        webhookBody([
          {
            action: "add",
            leads: [
              {
                id: 9200001,
                status_id: 555,
                pipeline_id: PIPELINE.express,
                price: 5000,
                last_modified: unix("2026-11-24T09:00:00Z"),
                date_create: unix("2026-11-24T09:00:00Z"),
              },
            ],
          },
        ]),
      ),
    );
    fake.upsert(
      lead(9200001, {
        status_id: 142,
        price: 5500,
        closed_at: unix("2026-11-24T10:00:00Z"),
        updated_at: unix("2026-11-24T10:00:00Z"),
      }),
      lead(9200002, {
        status_id: 142,
        price: 5000,
        closed_at: unix("2026-11-24T11:00:00Z"),
        updated_at: unix("2026-11-24T11:00:00Z"),
        custom_fields_values: trackingFields({ utm_source: "facebook", utm_campaign: "kenesary_1" }),
      }),
      lead(9200003, {
        status_id: 143,
        closed_at: unix("2026-11-24T12:00:00Z"),
        updated_at: unix("2026-11-24T12:00:00Z"),
      }),
      lead(9200004, { updated_at: unix("2026-10-01T00:00:00Z") }), // older than the 30-day first window
    );
    const first = await runAmocrmReconciliation({ sql: db.sql, client: client(), now: () => now });
    expect(first).toMatchObject({ ok: true, pages: 2, deals: 3, from: "2026-10-26T12:00:00.000Z" });
    expect(await saleOf(db.sql, 9200001)).toMatchObject({
      amount: "5500.00",
      won_at: new Date("2026-11-24T10:00:00Z"),
      voided_at: null,
    });
    expect(await dealOf(db.sql, 9200002)).toMatchObject({ team_id: "kenesary" });
    expect(await saleOf(db.sql, 9200003)).toBeNull();
    expect(await dealOf(db.sql, 9200004)).toBeNull();
    const [state] =
      await db.sql`select updated_from, last_status, last_pages, last_deals from voronka.amocrm_sync_state`;
    expect(state).toEqual({
      updated_from: new Date("2026-11-24T12:00:00Z"),
      last_status: "ok",
      last_pages: 2,
      last_deals: 3,
    });

    // The next run starts at the checkpoint: only the boundary deal again, nothing changes.
    const salesBefore = await db.sql`select * from voronka.sale order by deal_id`;
    const second = await runAmocrmReconciliation({ sql: db.sql, client: client(), now: () => now });
    expect(second).toMatchObject({ ok: true, pages: 1, deals: 1, from: "2026-11-24T12:00:00.000Z" });
    expect(await db.sql`select * from voronka.sale order by deal_id`).toEqual(salesBefore);
  });

  it("a revoked token: recorded as the run's error, data untouched", async () => {
    const revoked = createAmocrmClient({ baseUrl: fake.url, accessToken: "revoked", sleep: async () => {} });
    const deals = await db.sql`select * from voronka.amocrm_deal order by id`;
    const result = await runAmocrmReconciliation({ sql: db.sql, client: revoked });
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/401/);
    expect(await db.sql`select last_status, last_error from voronka.amocrm_sync_state`).toEqual([
      { last_status: "error", last_error: expect.stringMatching(/access token/) },
    ]);
    expect(await db.sql`select * from voronka.amocrm_deal order by id`).toEqual(deals);
  });
});
