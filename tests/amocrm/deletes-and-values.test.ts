// Deletes, restores and leads in every delivery order, and values amoCRM sends that cannot be
// taken as they are. A delete is what amoCRM really sends: id, status and pipeline, no time.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enrichDeals } from "../../supabase/functions/_shared/amocrm/enrichment.ts";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";
import {
  amocrmWithout,
  configure,
  deleteBody,
  dealOf,
  handlerFor,
  PIPELINE,
  post,
  saleOf,
  unix,
  webhookBody,
  type WebhookLead,
} from "./support.ts";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  await configure(db.sql);
});
afterAll(() => db.drop());

async function send(body: string) {
  const response = await handlerFor(db.sql)(post(body));
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, any>;
}

const t = (minute: number) => unix("2026-11-20T10:00:00Z") + minute * 60;

async function leadOf(id: number) {
  const [row] = await db.sql`
    select occurred_at, team_id from voronka.lead where source = 'amocrm' and external_id = ${String(id)}`;
  return row ?? null;
}

async function allRowsOf(id: number) {
  const [deal] = await db.sql`
    select status_id, pipeline_id, price, is_deleted, won_at, amo_updated_at, needs_enrichment, team_id
    from voronka.amocrm_deal where id = ${id}`;
  const sales = await db.sql`
    select product_id, amount, won_at, voided_at, void_reason from voronka.sale where deal_id = ${id}`;
  const leads = await db.sql`select occurred_at, team_id from voronka.lead where amocrm_deal_id = ${id}`;
  return { deal, sales, leads };
}

describe("a deal deleted in the lead pipeline", () => {
  const id = 5100001;
  const created: WebhookLead = {
    id,
    name: "ProfTest",
    status_id: 10,
    pipeline_id: PIPELINE.leads,
    price: 0,
    date_create: t(0),
    last_modified: t(0),
    custom_fields: [{ id: 900001, name: "utm_source", code: "UTM_SOURCE", values: [{ value: "instagram" }] }],
  };

  it("stops counting as a lead once the delete is settled, and counts again when restored", async () => {
    await send(webhookBody([{ action: "add", leads: [created] }]));
    expect(await leadOf(id)).toMatchObject({ occurred_at: new Date(t(0) * 1000), team_id: "traf4" });

    await send(deleteBody(id, 10, PIPELINE.leads));
    // Known deals only: an id nobody sent is not created by a 204.
    const [{ missing }] = await db.sql`
      select voronka.amocrm_apply_api_missing(array[${id}, 5199999]::bigint[], now()) as missing`;
    expect(missing).toBe(1);
    expect(await dealOf(db.sql, 5199999)).toBeNull();
    // The API has no such deal any more: deleted, and no longer a lead.
    await enrichDeals({ sql: db.sql, client: amocrmWithout(), dealIds: [id] });
    expect(await dealOf(db.sql, id)).toMatchObject({ is_deleted: true, needs_enrichment: false });
    expect(await leadOf(id)).toBeNull();

    const restoredAt = Math.ceil(Date.now() / 1000) + 60;
    await send(webhookBody([{ action: "restore", leads: [{ ...created, last_modified: restoredAt }] }]));
    expect(await dealOf(db.sql, id)).toMatchObject({ is_deleted: false });
    expect(await leadOf(id)).toMatchObject({ occurred_at: new Date(t(0) * 1000), team_id: "traf4" });
  });

  it("a delete that carries amoCRM's time applies at once", async () => {
    const other = 5100002;
    await send(webhookBody([{ action: "add", leads: [{ ...created, id: other }] }]));
    await send(
      webhookBody([
        { action: "delete", leads: [{ id: other, status_id: 10, pipeline_id: PIPELINE.leads, last_modified: t(5) }] },
      ]),
    );
    expect(await dealOf(db.sql, other)).toMatchObject({ is_deleted: true, needs_enrichment: false });
    expect(await leadOf(other)).toBeNull();
  });
});

describe("won then lost, in either delivery order", () => {
  const won = (id: number) =>
    webhookBody([
      {
        action: "status",
        leads: [
          {
            id,
            status_id: 142,
            old_status_id: 555,
            pipeline_id: PIPELINE.flagman,
            price: 490000,
            date_create: t(-60),
            last_modified: t(0),
          },
        ],
      },
    ]);
  const lost = (id: number) =>
    webhookBody([
      {
        action: "status",
        leads: [
          {
            id,
            status_id: 143,
            old_status_id: 142,
            pipeline_id: PIPELINE.flagman,
            price: 490000,
            date_create: t(-60),
            last_modified: t(30),
          },
        ],
      },
    ]);

  it("leaves the same voided sale row (the audit trail) both ways", async () => {
    await send(won(5200001));
    await send(lost(5200001));
    await send(lost(5200002));
    await send(won(5200002));
    const inOrder = await allRowsOf(5200001);
    const reversed = await allRowsOf(5200002);
    // By hand: won at t(0) for 490,000, voided as lost at amoCRM's time of the loss, t(30).
    expect(inOrder.sales).toEqual([
      {
        product_id: "flagman",
        amount: "490000.00",
        won_at: new Date(t(0) * 1000),
        voided_at: new Date(t(30) * 1000),
        void_reason: "lost",
      },
    ]);
    expect(reversed).toEqual(inOrder);
  });
});

describe("a time-less delete delivered late (an amoCRM retry) after a newer restore", () => {
  const id = 5300001;
  const wonDeal: WebhookLead = {
    id,
    status_id: 142,
    old_status_id: 555,
    pipeline_id: PIPELINE.express,
    price: 5000,
    date_create: t(-60),
    last_modified: t(0),
  };

  it("does not outrank the restore; the deal waits for an API read, which settles it", async () => {
    await send(webhookBody([{ action: "status", leads: [wonDeal] }]));
    // The delete's first delivery failed; the restore (with amoCRM's time) arrives first.
    await send(
      webhookBody([{ action: "restore", leads: [{ ...wonDeal, old_status_id: undefined, last_modified: t(20) }] }]),
    );
    const retried = await send(deleteBody(id, 142, PIPELINE.express));
    expect(retried.needs_enrichment).toEqual([id]);
    expect(await dealOf(db.sql, id)).toMatchObject({ is_deleted: false, needs_enrichment: true });
    expect(await saleOf(db.sql, id)).toMatchObject({ amount: "5000.00", voided_at: null });

    // The API read: the deal exists, won, restored. Settled: nothing waits any more.
    const apiLead = {
      id,
      name: "Express",
      price: 5000,
      status_id: 142,
      pipeline_id: PIPELINE.express,
      created_at: t(-60),
      updated_at: t(20),
      closed_at: t(0),
      is_deleted: false,
      custom_fields_values: null,
    };
    await enrichDeals({ sql: db.sql, client: amocrmWithout([apiLead]), dealIds: [id] });
    expect(await dealOf(db.sql, id)).toMatchObject({ is_deleted: false, needs_enrichment: false });
    expect(await saleOf(db.sql, id)).toMatchObject({
      amount: "5000.00",
      won_at: new Date(t(0) * 1000),
      voided_at: null,
    });
  });

  it("reaches the same rows when the delete arrives before the restore", async () => {
    const twin = 5300002;
    await send(webhookBody([{ action: "status", leads: [{ ...wonDeal, id: twin }] }]));
    await send(deleteBody(twin, 142, PIPELINE.express));
    await send(
      webhookBody([
        { action: "restore", leads: [{ ...wonDeal, id: twin, old_status_id: undefined, last_modified: t(20) }] },
      ]),
    );
    const original = await allRowsOf(id);
    // Before the API read of 5300001: both orders leave a won deal waiting for the read.
    expect(await dealOf(db.sql, twin)).toMatchObject({ is_deleted: false, needs_enrichment: true });
    const twinRows = await allRowsOf(twin);
    expect(twinRows.sales).toEqual(original.sales);
    expect(twinRows.deal.won_at).toEqual(original.deal.won_at);
  });
});

describe("values that cannot be taken as sent", () => {
  const won = (id: number, fields: Partial<WebhookLead>): string =>
    webhookBody([
      {
        action: "status",
        leads: [
          {
            id,
            status_id: 142,
            old_status_id: 555,
            pipeline_id: PIPELINE.express,
            date_create: t(-60),
            last_modified: t(0),
            ...fields,
          },
        ],
      },
    ]);

  it.each([
    ["-5000", 5400001],
    ["5,000", 5400002],
    ["1e4", 5400003],
    ["5000abc", 5400004],
  ])("price %s: no sale of a guessed amount; set aside with its reason, waiting for the API", async (price, id) => {
    const answer = await send(won(id, { price }));
    expect(answer.needs_enrichment).toEqual([id]);
    expect(await saleOf(db.sql, id)).toBeNull();
    const [deal] = await db.sql`select price, needs_enrichment, data_issues from voronka.amocrm_deal where id = ${id}`;
    expect(deal).toEqual({
      price: null,
      needs_enrichment: true,
      data_issues: [{ code: "unparseable_price", field: "price", value: price }],
    });
  });

  it("an API read at the very second of the body settles it", async () => {
    const id = 5400031;
    await send(won(id, { price: "5,000" }));
    const apiLead = {
      id,
      price: 5000,
      status_id: 142,
      pipeline_id: PIPELINE.express,
      created_at: t(-60),
      updated_at: t(0),
      closed_at: t(0),
      is_deleted: false,
      custom_fields_values: null,
    };
    // Read at exactly t(0): the answer is the state at that instant, the body's change included.
    const [{ applied }] = await db.sql`
      select voronka.amocrm_apply_api_leads(${db.sql.json([apiLead])}, ${new Date(t(0) * 1000)}) as applied`;
    expect(applied).toEqual({
      deals_applied: 1,
      max_updated_at: new Date(t(0) * 1000).toISOString().replace(".000Z", "+00:00"),
    });
    const [deal] = await db.sql`select price, needs_enrichment, data_issues from voronka.amocrm_deal where id = ${id}`;
    expect(deal).toEqual({ price: "5000.00", needs_enrichment: false, data_issues: [] });
    expect(await saleOf(db.sql, id)).toMatchObject({ amount: "5000.00", voided_at: null });
  });

  it("an empty price is 0 (amoCRM's UI), and 5000.50 is 5000.50", async () => {
    await send(won(5400011, { price: "" }));
    await send(won(5400012, { price: "5000.50" }));
    expect(await dealOf(db.sql, 5400011)).toMatchObject({ price: "0.00", needs_enrichment: false });
    expect(await saleOf(db.sql, 5400012)).toMatchObject({ amount: "5000.50", voided_at: null });
  });

  it("a 12-digit timestamp (the year 5138) is not a time: set aside, never a sale in the far future", async () => {
    const id = 5400021;
    await send(won(id, { price: 5000, last_modified: t(0) }));
    await send(won(id, { price: 7000, last_modified: 99999999999 }));
    const [deal] = await db.sql`select price, needs_enrichment, data_issues from voronka.amocrm_deal where id = ${id}`;
    // The timed state stands; the body without a usable time waits for the API.
    expect(deal).toEqual({
      price: "5000.00",
      needs_enrichment: true,
      data_issues: [{ code: "implausible_time", field: "last_modified", value: "99999999999" }],
    });
    const [{ latest }] = await db.sql`select max(won_at) as latest from voronka.sale`;
    expect(latest.getTime()).toBeLessThan(Date.now() + 86_400_000);
  });
});
