// How custom fields are kept: a field without values has an empty list, and a body that carries
// the field list (even empty, or an API read with none set) replaces what was known, while a body
// without it keeps it. Duplicate deliveries keep the first request id they were given.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";
import { configure, handlerFor, PIPELINE, post, unix, webhookBody } from "./support.ts";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  await configure(db.sql);
});
afterAll(() => db.drop());

const t = (minute: number) => unix("2026-11-20T10:00:00Z") + minute * 60;
const utmField = { id: 900001, name: "utm_source", code: "UTM_SOURCE", values: [{ value: "instagram" }] };

async function send(body: string, headers: Record<string, string> = {}) {
  const response = await handlerFor(db.sql)(post(body, { headers }));
  expect(response.status).toBe(200);
  return response.json();
}

async function deal(id: number) {
  const [row] = await db.sql`select utm_source, team_id, custom_fields from voronka.amocrm_deal where id = ${id}`;
  return row;
}

describe("custom fields", () => {
  it("a field sent without values has an empty list of values", async () => {
    const body = webhookBody([
      {
        action: "add",
        leads: [
          {
            id: 6100001,
            status_id: 10,
            pipeline_id: PIPELINE.leads,
            price: 0,
            last_modified: t(0),
            custom_fields: [utmField, { id: 900050, name: "Комментарий", values: [] }],
          },
        ],
      },
    ]);
    // webhookBody drops an empty list; amoCRM sends the field's id and name only.
    await send(`${body}&leads[add][0][custom_fields][1][id]=900050&leads[add][0][custom_fields][1][name]=Note`);
    expect((await deal(6100001)).custom_fields).toEqual([
      { id: "900001", name: "utm_source", code: "UTM_SOURCE", values: ["instagram"] },
      { id: "900050", name: "Note", values: [] },
    ]);
  });

  it("an API read with no fields set clears the UTMs a webhook had brought", async () => {
    await send(
      webhookBody([
        {
          action: "add",
          leads: [
            {
              id: 6100002,
              status_id: 10,
              pipeline_id: PIPELINE.leads,
              price: 0,
              last_modified: t(0),
              custom_fields: [utmField],
            },
          ],
        },
      ]),
    );
    expect(await deal(6100002)).toMatchObject({ utm_source: "instagram", team_id: "traf4" });
    const apiLead = {
      id: 6100002,
      name: "ProfTest",
      price: 0,
      status_id: 10,
      pipeline_id: PIPELINE.leads,
      created_at: t(-10),
      updated_at: t(5),
      closed_at: null,
      is_deleted: false,
      custom_fields_values: null,
    };
    await db.sql`select voronka.amocrm_apply_api_leads(${db.sql.json([apiLead])}, ${new Date(t(6) * 1000)})`;
    expect(await deal(6100002)).toEqual({ utm_source: null, team_id: null, custom_fields: [] });

    // A field the API returns without values: an empty list, not null.
    const withEmptyField = {
      ...apiLead,
      updated_at: t(7),
      custom_fields_values: [{ field_id: 900050, field_name: "Note", field_code: null, values: [] }],
    };
    await db.sql`select voronka.amocrm_apply_api_leads(${db.sql.json([withEmptyField])}, ${new Date(t(8) * 1000)})`;
    expect((await deal(6100002)).custom_fields).toEqual([{ id: "900050", name: "Note", values: [] }]);
  });

  it("a webhook whose field list is present but empty clears them; one without the list keeps them", async () => {
    const lead = { id: 6100003, status_id: 10, pipeline_id: PIPELINE.leads, price: 0 };
    await send(webhookBody([{ action: "add", leads: [{ ...lead, last_modified: t(0), custom_fields: [utmField] }] }]));
    await send(webhookBody([{ action: "update", leads: [{ ...lead, last_modified: t(1) }] }]));
    expect(await deal(6100003)).toMatchObject({ utm_source: "instagram" });
    await send(
      `${webhookBody([{ action: "update", leads: [{ ...lead, last_modified: t(2) }] }])}&leads[update][0][custom_fields]=`,
    );
    expect(await deal(6100003)).toEqual({ utm_source: null, team_id: null, custom_fields: [] });
  });
});

describe("the deal's account", () => {
  it("comes from the lead's account_id, else from the body's account[id]", async () => {
    const lead = { status_id: 10, pipeline_id: PIPELINE.leads, price: 0, last_modified: t(0) };
    await send(webhookBody([{ action: "add", leads: [{ ...lead, id: 6300001 }] }]));
    await send(webhookBody([{ action: "add", leads: [{ ...lead, id: 6300002, account_id: "32000001" }] }], null));
    const rows = await db.sql`
      select id::int, account_id::text from voronka.amocrm_deal where id in (6300001, 6300002) order by id`;
    expect(rows).toEqual([
      { id: 6300001, account_id: "32000001" },
      { id: 6300002, account_id: "32000001" },
    ]);
  });
});

describe("repeated deliveries", () => {
  it("keep the first request id amoCRM gave the body, and take one when the first had none", async () => {
    const body = (id: number) =>
      webhookBody([
        { action: "update", leads: [{ id, status_id: 10, pipeline_id: PIPELINE.leads, last_modified: t(0) }] },
      ]);
    await send(body(6200001));
    await send(body(6200001), { "x-amocrm-requestid": "req-later" });
    await send(body(6200002), { "x-amocrm-requestid": "req-first" });
    await send(body(6200002), { "x-amocrm-requestid": "req-retry" });
    const rows = await db.sql`
      select payload #>> '{leads,update,0,id}' as deal, request_id, deliveries
      from inbox.amocrm_webhook_event where payload #>> '{leads,update,0,id}' in ('6200001', '6200002') order by 1`;
    expect(rows).toEqual([
      { deal: "6200001", request_id: "req-later", deliveries: 2 },
      { deal: "6200002", request_id: "req-first", deliveries: 2 },
    ]);
  });
});
