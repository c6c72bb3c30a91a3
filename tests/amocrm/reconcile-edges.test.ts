// Reconciliation's limits and its second step: at most maxPages pages per run, the deals still
// waiting for enrichment read afterwards (at most enrichLimit, lowest id first), an enrichment
// failure recorded as the run's error, a database outage rethrown (the run is not "stopped", the
// process is), and the log line that sums the run up.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeAmocrmApi, type FakeAmocrmApi, type FakeApiLead } from "../../scripts/fakes/amocrm-api.ts";
import {
  AmocrmApiError,
  type AmocrmClient,
  createAmocrmClient,
} from "../../supabase/functions/_shared/amocrm/api-client.ts";
import { enrichDeals } from "../../supabase/functions/_shared/amocrm/enrichment.ts";
import { runAmocrmReconciliation } from "../../supabase/functions/_shared/amocrm/reconcile.ts";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";
import { configure, dealOf, handlerFor, PIPELINE, post, unix, webhookBody } from "./support.ts";

const TOKEN = "fake-token-0123";
let db: TestDatabase;
let fake: FakeAmocrmApi;
const now = new Date("2026-11-25T12:00:00Z"); // first run looks back to 2026-10-26T12:00Z
const client = () => createAmocrmClient({ baseUrl: fake.url, accessToken: TOKEN, sleep: async () => {} });

const lead = (id: number, updatedAt: string, fields: Partial<FakeApiLead> = {}): FakeApiLead => ({
  id,
  price: 5000,
  status_id: 555,
  pipeline_id: PIPELINE.express,
  created_at: unix("2026-10-01T00:00:00Z"),
  updated_at: unix(updatedAt),
  ...fields,
});

// Five deals updated inside the first window: three pages of at most two.
const RECENT = [1, 2, 3, 4, 5].map((n) => lead(9500000 + n, `2026-11-2${n - 1}T10:00:00Z`));

beforeAll(async () => {
  db = await createTestDatabase();
  await configure(db.sql);
  fake = await startFakeAmocrmApi({ token: TOKEN, maxPageSize: 2, leads: RECENT });
});
afterAll(async () => {
  await fake.stop();
  await db.drop();
});
beforeEach(async () => {
  await db.sql`delete from voronka.amocrm_sync_state`;
});

/** A deal known only from a minimal status webhook (no price): it waits for enrichment. */
async function minimalDeal(id: number) {
  const body = webhookBody([
    { action: "status", leads: [{ id, status_id: 142, old_status_id: 555, pipeline_id: PIPELINE.express }] },
  ]);
  const answer = await (await handlerFor(db.sql)(post(body))).json();
  expect(answer.needs_enrichment).toEqual([id]);
}

describe("reconciliation's page limit", () => {
  it("reads at most maxPages pages; without it, every page", async () => {
    const run = (maxPages?: number) =>
      runAmocrmReconciliation({ sql: db.sql, client: client(), now: () => now, maxPages });
    expect(await run(1)).toMatchObject({ ok: true, pages: 1, deals: 2 });
    await db.sql`delete from voronka.amocrm_sync_state`;
    expect(await run(2)).toMatchObject({ ok: true, pages: 2, deals: 4 });
    await db.sql`delete from voronka.amocrm_sync_state`;
    expect(await run()).toMatchObject({ ok: true, pages: 3, deals: 5 });
  });
});

describe("enrichment after the pages", () => {
  it("enriches the waiting deals, lowest id first and at most enrichLimit, and logs the count", async () => {
    // Two minimal deals; amoCRM last changed them before the window, so no page carries them.
    await minimalDeal(9510002);
    await minimalDeal(9510001);
    fake.upsert(
      lead(9510001, "2026-09-01T00:00:00Z", { status_id: 142, price: 5100, closed_at: unix("2026-09-01T00:00:00Z") }),
      lead(9510002, "2026-09-01T00:00:00Z", { status_id: 142, price: 5200, closed_at: unix("2026-09-01T00:00:00Z") }),
    );
    const lines: string[] = [];
    const first = await runAmocrmReconciliation({
      sql: db.sql,
      client: client(),
      now: () => now,
      enrichLimit: 1,
      log: (line) => lines.push(line),
    });
    expect(first).toMatchObject({ ok: true, pages: 3, deals: 5, enriched: 1, error: null });
    expect(await dealOf(db.sql, 9510001)).toMatchObject({ price: "5100.00", needs_enrichment: false });
    expect(await dealOf(db.sql, 9510002)).toMatchObject({ price: null, needs_enrichment: true });
    expect(lines).toEqual([
      "amoCRM reconciliation ok: 3 page(s), 5 deal(s) since 2026-10-26T12:00:00.000Z, 1 enriched",
    ]);
    // The next run (from the checkpoint: the last page's deal again) enriches the other one.
    const second = await runAmocrmReconciliation({ sql: db.sql, client: client(), now: () => now });
    expect(second).toMatchObject({ ok: true, pages: 1, deals: 1, enriched: 1 });
    expect(await dealOf(db.sql, 9510002)).toMatchObject({ price: "5200.00", needs_enrichment: false });
    // Nothing waits any more: no enrichment, and the log line says nothing about it.
    lines.length = 0;
    const third = await runAmocrmReconciliation({ sql: db.sql, client: client(), log: (line) => lines.push(line) });
    expect(third).toMatchObject({ ok: true, enriched: 0 });
    expect(lines).toEqual([expect.stringMatching(/^amoCRM reconciliation ok: 1 page\(s\), 1 deal\(s\) since [^,]+$/)]);
  });

  it("records an enrichment failure as the run's error", async () => {
    await minimalDeal(9510003);
    const failing: AmocrmClient = {
      ...client(),
      getLead: async () => {
        throw new Error("socket hang up");
      },
    };
    const lines: string[] = [];
    const result = await runAmocrmReconciliation({
      sql: db.sql,
      client: failing,
      now: () => now,
      log: (line) => lines.push(line),
    });
    expect(result).toMatchObject({ ok: false, pages: 3, deals: 5, enriched: 0, error: "socket hang up" });
    expect(await db.sql`select last_status, last_error, last_pages from voronka.amocrm_sync_state`).toEqual([
      { last_status: "error", last_error: "socket hang up", last_pages: 3 },
    ]);
    expect(lines).toEqual([
      "amoCRM enrichment of deal 9510003 failed: socket hang up",
      "amoCRM reconciliation stopped: 3 page(s), 5 deal(s) since 2026-10-26T12:00:00.000Z: socket hang up",
    ]);
    await db.sql`update voronka.amocrm_deal set needs_enrichment = false where id = 9510003`;
  });
});

describe("enrichment's passing API errors", () => {
  it("an amoCRM error that is not the token's or the account's does not stop the next deal", async () => {
    // Deal 9510004's read fails with a 500 (after the client's retries); 9510005's succeeds.
    await minimalDeal(9510004);
    await minimalDeal(9510005);
    fake.upsert(
      lead(9510005, "2026-09-01T00:00:00Z", { status_id: 142, price: 5500, closed_at: unix("2026-09-01T00:00:00Z") }),
    );
    const real = client();
    const flaky: AmocrmClient = {
      ...real,
      getLead: async (id) => {
        if (id === 9510004) throw new AmocrmApiError("http_error", 500, "amoCRM answered 500");
        return real.getLead(id);
      },
    };
    expect(await enrichDeals({ sql: db.sql, client: flaky, dealIds: [9510004, 9510005] })).toEqual({
      enriched: 1,
      missing: 0,
      error: "amoCRM answered 500",
    });
    expect(await dealOf(db.sql, 9510005)).toMatchObject({ price: "5500.00", needs_enrichment: false });
    await db.sql`update voronka.amocrm_deal set needs_enrichment = false where id = 9510004`;
  });
});

describe("a database outage", () => {
  it("is rethrown, not recorded as the run's error", async () => {
    const outage = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
    const down: AmocrmClient = {
      getLead: async () => null,
      leadsUpdatedSince: async function* () {
        throw outage;
      },
    };
    await expect(runAmocrmReconciliation({ sql: db.sql, client: down, now: () => now })).rejects.toBe(outage);
    // The run never finished: its state still says running.
    expect(await db.sql`select last_status, last_error from voronka.amocrm_sync_state`).toEqual([
      { last_status: "running", last_error: null },
    ]);
  });
});
