// Deal state and sales from real and derived webhooks, through the in-process handler and the
// real Postgres. Every expected value is computed by hand from the bodies.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";
import { DEAL_CREATED_2016, MINIMAL_2023, WON_2018 } from "./samples.ts";
import { enrichDeals } from "../../supabase/functions/_shared/amocrm/enrichment.ts";
import {
  amocrmWithout,
  configure,
  dealOf,
  handlerFor,
  PIPELINE,
  post,
  saleOf,
  testConfig,
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

async function send(body: string, config = testConfig()) {
  const response = await handlerFor(db.sql, { config })(post(body));
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, any>;
}

describe("the real samples", () => {
  it("won (2018): a sale of the deal's price at last_modified, in the mapped pipeline", async () => {
    await db.sql`insert into voronka.product_rule (product_id, amocrm_pipeline_id) values ('express', 9217056)`;
    const config = testConfig({ AMOCRM_SUBDOMAIN: "apfitness", AMOCRM_ACCOUNT_ID: "17769199" });
    const answer = await send(WON_2018, config);
    expect(answer).toMatchObject({ ok: true, status: "processed", deals_applied: 1, duplicate: false });
    expect(await saleOf(db.sql, 10701093)).toEqual({
      product_id: "express",
      amount: "22500.00",
      currency: "KZT",
      won_at: new Date(1539782664 * 1000),
      voided_at: null,
      void_reason: null,
    });
    const deal = await dealOf(db.sql, 10701093);
    expect(deal).toMatchObject({ status_id: 142, pipeline_id: 9217056, price: "22500.00", needs_enrichment: false });

    // Lost, derived from the won sample: status 143 a minute later.
    const lost = WON_2018.replace("[status_id]=142", "[status_id]=143")
      .replace("[old_status_id]=20067736", "[old_status_id]=142")
      .replace("[last_modified]=1539782664", "[last_modified]=1539782724");
    expect((await send(lost, config)).status).toBe("processed");
    expect(await saleOf(db.sql, 10701093)).toMatchObject({
      voided_at: new Date(1539782724 * 1000),
      void_reason: "lost",
      amount: "22500.00",
    });
  });

  it("deal created (2016) and minimal shape (2023) are stored and applied", async () => {
    const created = await send(
      DEAL_CREATED_2016,
      testConfig({ AMOCRM_SUBDOMAIN: "test000002", AMOCRM_ACCOUNT_ID: "10216991" }),
    );
    expect(created.status).toBe("processed");
    expect(await dealOf(db.sql, 31926529)).toMatchObject({
      status_id: 10216993,
      price: "24234.00",
      needs_enrichment: false,
    });

    const minimal = await send(MINIMAL_2023, testConfig({ AMOCRM_SUBDOMAIN: "anyor", AMOCRM_ACCOUNT_ID: "30307558" }));
    expect(minimal).toMatchObject({ status: "processed", needs_enrichment: [10754147] });
    expect(await dealOf(db.sql, 10754147)).toMatchObject({ status_id: 54423922, price: null, needs_enrichment: true });
  });
});

describe("a deal's life: won, reopened, re-won, re-priced, deleted, restored", () => {
  const id = 4100001;
  const t = (minute: number) => unix("2026-11-20T10:00:00Z") + minute * 60;
  const lead = (fields: Partial<WebhookLead>): WebhookLead => ({
    id,
    name: "Express: Айгерим",
    pipeline_id: PIPELINE.express,
    price: 5000,
    date_create: t(-60),
    ...fields,
  });

  it("follows every step, with one sale row throughout", async () => {
    await send(
      webhookBody([{ action: "status", leads: [lead({ status_id: 142, old_status_id: 555, last_modified: t(0) })] }]),
    );
    expect(await saleOf(db.sql, id)).toMatchObject({
      product_id: "express",
      amount: "5000.00",
      won_at: new Date(t(0) * 1000),
      voided_at: null,
    });

    // Reopened: back to an open stage.
    await send(
      webhookBody([{ action: "status", leads: [lead({ status_id: 555, old_status_id: 142, last_modified: t(10) })] }]),
    );
    expect(await saleOf(db.sql, id)).toMatchObject({
      void_reason: "reopened",
      voided_at: new Date(t(10) * 1000),
      won_at: new Date(t(0) * 1000),
    });

    // Re-won: counts again, won at the new time.
    await send(
      webhookBody([{ action: "status", leads: [lead({ status_id: 142, old_status_id: 555, last_modified: t(20) })] }]),
    );
    expect(await saleOf(db.sql, id)).toMatchObject({
      void_reason: null,
      voided_at: null,
      won_at: new Date(t(20) * 1000),
    });

    // Price changed on the won deal (an update, not a status change): revenue follows.
    await send(
      webhookBody([{ action: "update", leads: [lead({ status_id: 142, price: 4500, last_modified: t(30) })] }]),
    );
    expect(await saleOf(db.sql, id)).toMatchObject({
      amount: "4500.00",
      won_at: new Date(t(20) * 1000),
      voided_at: null,
    });

    // Deleted: amoCRM sends only id, status and pipeline (no time). A time-less body cannot outrank
    // the timed state (a late retry of it may follow a newer restore): the deal waits for an API read.
    await send(webhookBody([{ action: "delete", leads: [{ id, status_id: 142, pipeline_id: PIPELINE.express }] }]));
    expect(await saleOf(db.sql, id)).toMatchObject({ void_reason: null, amount: "4500.00" });
    expect(await dealOf(db.sql, id)).toMatchObject({ is_deleted: false, needs_enrichment: true });

    // The API read finds no such deal (204): deleted as of the read, the sale voided.
    const enrichment = await enrichDeals({ sql: db.sql, client: amocrmWithout(), dealIds: [id] });
    expect(enrichment).toMatchObject({ missing: 1, error: null });
    expect(await saleOf(db.sql, id)).toMatchObject({ void_reason: "deleted", amount: "4500.00" });
    expect(await dealOf(db.sql, id)).toMatchObject({ is_deleted: true, needs_enrichment: false });

    // Restored (after the delete was received): counts again, same won time and amount.
    const restoredAt = Math.ceil(Date.now() / 1000) + 5;
    await send(
      webhookBody([{ action: "restore", leads: [lead({ status_id: 142, price: 4500, last_modified: restoredAt })] }]),
    );
    expect(await saleOf(db.sql, id)).toMatchObject({
      void_reason: null,
      voided_at: null,
      amount: "4500.00",
      won_at: new Date(t(20) * 1000),
    });
    expect(await dealOf(db.sql, id)).toMatchObject({ is_deleted: false });

    const [{ n }] = await db.sql`select count(*)::int as n from voronka.sale where deal_id = ${id}`;
    expect(n).toBe(1);
  });

  it("ignores an older event that arrives late, and a repeat changes nothing", async () => {
    const before = await saleOf(db.sql, id);
    const [{ updated_at: dealUpdated }] = await db.sql`select updated_at from voronka.amocrm_deal where id = ${id}`;
    // The t(10) reopening again (a retry, out of order).
    await send(
      webhookBody([{ action: "status", leads: [lead({ status_id: 555, old_status_id: 142, last_modified: t(10) })] }]),
    );
    expect(await saleOf(db.sql, id)).toEqual(before);
    const [{ updated_at: after }] = await db.sql`select updated_at from voronka.amocrm_deal where id = ${id}`;
    expect(after).toEqual(dealUpdated);
  });

  it("voids a won deal moved to a pipeline without a product as unmapped", async () => {
    const other = 4100002;
    await send(
      webhookBody([
        {
          action: "status",
          leads: [{ ...lead({ status_id: 142, old_status_id: 1, last_modified: t(0) }), id: other }],
        },
      ]),
    );
    await send(
      webhookBody([
        {
          action: "update",
          leads: [{ ...lead({ status_id: 142, pipeline_id: PIPELINE.other, last_modified: t(5) }), id: other }],
        },
      ]),
    );
    expect(await saleOf(db.sql, other)).toMatchObject({ void_reason: "unmapped" });
  });

  it("a minimal status webhook does not outrank the timed state; the API read settles it", async () => {
    const known = 4100003;
    await send(
      webhookBody([
        {
          action: "update",
          leads: [
            {
              ...lead({ status_id: 555, last_modified: t(0), price: 490000 }),
              id: known,
              pipeline_id: PIPELINE.flagman,
            },
          ],
        },
      ]),
    );
    const answer = await send(
      webhookBody([
        {
          action: "status",
          leads: [
            {
              id: known,
              status_id: 142,
              old_status_id: 555,
              pipeline_id: PIPELINE.flagman,
              old_pipeline_id: PIPELINE.flagman,
            },
          ],
        },
      ]),
    );
    expect(answer.needs_enrichment).toEqual([known]);
    // No amoCRM time: when it happened is unknown, so no sale on a guessed day; data health shows it.
    expect(await saleOf(db.sql, known)).toBeNull();
    expect(await dealOf(db.sql, known)).toMatchObject({ status_id: 555, needs_enrichment: true });
  });
});

describe("a refresh of deals never observed", () => {
  it("writes nothing for them, and refreshes the observed deals beside them", async () => {
    const known = 4100001; // observed above (the deal's life)
    const unknown = 4199999;
    const [{ before }] = await db.sql`select count(*)::int as before from voronka.amocrm_deal`;
    // An operator's call with an id amoCRM never sent: nothing to replay, so no deal, no error.
    await db.sql`select voronka.amocrm_refresh_deal(${unknown})`;
    await db.sql`select voronka.amocrm_refresh_deals(array[${unknown}, ${known}]::bigint[])`;
    expect(await dealOf(db.sql, unknown)).toBeNull();
    expect(await saleOf(db.sql, unknown)).toBeNull();
    const [{ after }] = await db.sql`select count(*)::int as after from voronka.amocrm_deal`;
    expect(after).toBe(before);
    expect(await dealOf(db.sql, known)).toMatchObject({ status_id: 142, is_deleted: false });
  });
});

describe("observations as stored", () => {
  const id = 4100200;
  const at = unix("2026-11-21T08:00:00Z");

  it("a status webhook's observation entered its status at amoCRM's time; an update's says nothing", async () => {
    // A pipeline without a product: no sale, so the funnel below is unchanged.
    const base = { id, name: "x", pipeline_id: PIPELINE.other, price: 5000, date_create: at - 3600 };
    await send(webhookBody([{ action: "update", leads: [{ ...base, status_id: 555, last_modified: at }] }]));
    await send(
      webhookBody([
        { action: "status", leads: [{ ...base, status_id: 142, old_status_id: 555, last_modified: at + 60 }] },
      ]),
    );
    const rows = await db.sql`
      select effective_at, status_id::int, status_since, is_deleted from voronka.amocrm_deal_observation
      where deal_id = ${id} order by effective_at`;
    expect(rows).toEqual([
      { effective_at: new Date(at * 1000), status_id: 555, status_since: null, is_deleted: false },
      {
        effective_at: new Date((at + 60) * 1000),
        status_id: 142,
        status_since: new Date((at + 60) * 1000),
        is_deleted: false,
      },
    ]);
  });

  it("voronka.amocrm_refresh_all_deals recomputes every observed deal and says how many", async () => {
    const [{ deals }] = await db.sql`
      select count(distinct deal_id)::int as deals from voronka.amocrm_deal_observation`;
    expect(deals).toBeGreaterThan(3);
    const [{ refreshed }] = await db.sql`select voronka.amocrm_refresh_all_deals() as refreshed`;
    expect(refreshed).toBe(deals);
  });

  it("an empty page of API leads applies nothing and says 0", async () => {
    const [{ result }] = await db.sql`select voronka.amocrm_apply_api_leads('[]'::jsonb, now()) as result`;
    expect(result).toEqual({ deals_applied: 0, max_updated_at: null });
  });

  it("an event stored without a payload or an error (by hand) fails with a message that says why", async () => {
    const [{ id }] = await db.sql`
      insert into inbox.amocrm_webhook_event (body, body_sha256) values ('garbled', sha256('garbled')) returning id`;
    const [{ result }] = await db.sql`select voronka.amocrm_process_webhook_event(${id}) as result`;
    expect(result).toMatchObject({ status: "failed", error: "the body could not be parsed", deals_applied: 0 });
    const [event] = await db.sql`select status, error from inbox.amocrm_webhook_event where id = ${id}`;
    expect(event).toEqual({ status: "failed", error: "the body could not be parsed" });
  });

  it("voronka.amocrm_observe_deal says true for a new observation and false for a repeat", async () => {
    const snapshot = { id: id + 1, status_id: 555, pipeline_id: PIPELINE.other, is_deleted: false };
    const effective = new Date((at + 120) * 1000);
    const observe = async () => {
      const [{ fresh }] = await db.sql`
        select voronka.amocrm_observe_deal(${db.sql.json(snapshot)}, ${effective}, 'webhook', null) as fresh`;
      return fresh;
    };
    expect(await observe()).toBe(true);
    expect(await observe()).toBe(false);
    const [{ n }] =
      await db.sql`select count(*)::int as n from voronka.amocrm_deal_observation where deal_id = ${id + 1}`;
    expect(n).toBe(1);
  });
});

describe("team attribution from UTM tags", () => {
  const base = {
    status_id: 142,
    old_status_id: 1,
    pipeline_id: PIPELINE.express,
    price: 5000,
    last_modified: unix("2026-11-21T08:00:00Z"),
  };

  it("reads amoCRM's tracking_data fields (codes UTM_*)", async () => {
    await send(
      webhookBody([
        {
          action: "status",
          leads: [
            {
              ...base,
              id: 4200001,
              custom_fields: [
                { id: 900001, name: "utm_source", code: "UTM_SOURCE", values: [{ value: "facebook" }] },
                { id: 900003, name: "utm_campaign", code: "UTM_CAMPAIGN", values: [{ value: "kenesary_nov" }] },
                { id: 900002, name: "utm_medium", code: "UTM_MEDIUM", values: [{ value: "cpc" }] },
              ],
            },
          ],
        },
      ]),
    );
    expect(await dealOf(db.sql, 4200001)).toMatchObject({
      utm_source: "facebook",
      utm_campaign: "kenesary_nov",
      utm_medium: "cpc",
      team_id: "kenesary",
    });
  });

  it("reads the account's own fields by name, and re-attributes on replay-free refresh after a mapping", async () => {
    const body = webhookBody([
      {
        action: "status",
        leads: [
          {
            ...base,
            id: 4200002,
            custom_fields: [{ id: 66339, name: "Источник", values: [{ value: "Instagram", enum: "139517" }] }],
          },
        ],
      },
    ]);
    await send(body);
    expect(await dealOf(db.sql, 4200002)).toMatchObject({ utm_source: null, team_id: null });
    await db.sql`insert into voronka.amocrm_field_mapping (target, field_name) values ('utm_source', 'источник')`;
    await db.sql`select voronka.amocrm_refresh_all_deals()`;
    expect(await dealOf(db.sql, 4200002)).toMatchObject({ utm_source: "Instagram", team_id: "traf4" });
  });

  it("reads UTMs only present in a URL field (HTML-escaped &amp;, percent-encoded Cyrillic)", async () => {
    await db.sql`insert into voronka.amocrm_field_mapping (target, field_id) values ('url', 777001)`;
    await send(
      webhookBody([
        {
          action: "status",
          leads: [
            {
              ...base,
              id: 4200003,
              custom_fields: [
                {
                  id: 777001,
                  name: "Страница заявки",
                  values: [
                    {
                      value:
                        "https://school.kz/proftest?utm_source=facebook&amp;utm_medium=cpc&amp;utm_campaign=kenesary_%D1%82%D0%B5%D1%81%D1%82&amp;utm_content=ad+7#form",
                    },
                  ],
                },
              ],
            },
          ],
        },
      ]),
    );
    expect(await dealOf(db.sql, 4200003)).toMatchObject({
      utm_source: "facebook",
      utm_medium: "cpc",
      utm_campaign: "kenesary_тест",
      utm_content: "ad 7",
      utm_term: null,
      team_id: "kenesary",
    });
  });
});

describe("leads from amoCRM", () => {
  it("counts a deal created in the lead pipeline once, at its creation time, with its team", async () => {
    const created = unix("2026-11-22T04:30:00Z");
    const add = {
      id: 4300001,
      name: "ProfTest",
      status_id: 10,
      pipeline_id: PIPELINE.leads,
      price: 0,
      date_create: created,
      last_modified: created,
      custom_fields: [{ id: 900001, name: "utm_source", code: "UTM_SOURCE", values: [{ value: "instagram" }] }],
    };
    await send(webhookBody([{ action: "add", leads: [add] }]));
    await send(webhookBody([{ action: "update", leads: [{ ...add, status_id: 11, last_modified: created + 60 }] }]));
    // A deal created elsewhere does not count.
    await send(webhookBody([{ action: "add", leads: [{ ...add, id: 4300002, pipeline_id: PIPELINE.express }] }]));
    const leads =
      await db.sql`select external_id, occurred_at, team_id, utm_source, amocrm_deal_id::int from voronka.lead where source = 'amocrm' order by external_id`;
    expect(leads).toEqual([
      {
        external_id: "4300001",
        occurred_at: new Date(created * 1000),
        team_id: "traf4",
        utm_source: "instagram",
        amocrm_deal_id: 4300001,
      },
    ]);
  });
});

describe("funnel_report", () => {
  it("shows the sales of the window, per team, and not the voided ones", async () => {
    const report = async () => {
      const [{ r }] = await db.sql`select public.funnel_report(null, 3, '2026-11-22') as r`;
      return r as any;
    };
    // Hand count for 2026-11-20..22 (Almaty): 4100001 (4500, unattributed), 4200001..3 (5000 each:
    // kenesary, traf4, kenesary); 4100002 voided (unmapped). 4100003 (flagman) was won by a minimal
    // webhook without a time: no sale until an API read says when.
    const r = await report();
    const express = r.stages.find((s: any) => s.id === "express");
    const flagman = r.stages.find((s: any) => s.id === "flagman");
    expect(express).toMatchObject({ purchases: 4 });
    expect(Number(express.revenue)).toBe(4500 + 5000 * 3);
    expect(flagman).toMatchObject({ purchases: 0 });
    expect(await saleOf(db.sql, 4100003)).toBeNull();
    const kenesary = r.by_team.find((t: any) => t.team === "kenesary");
    expect(kenesary).toMatchObject({ express_purchases: 2 });
    expect(r.stages.find((s: any) => s.id === "leads")).toMatchObject({ count: 1 });
  });
});
