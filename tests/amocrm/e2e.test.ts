// End to end: the functions served by the real Deno binary (as on the local stack), amoCRM's
// POST, enrichment and reconciliation through the fake API v4, then funnel_report.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeAmocrmApi, trackingFields, type FakeAmocrmApi } from "../../scripts/fakes/amocrm-api.ts";
import { startFunctionsServer, type FunctionsServer } from "../../scripts/lib/functions-server.ts";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";
import { WON_2018 } from "./samples.ts";
import { ACCOUNT, configure, PIPELINE, SECRET, unix, webhookBody } from "./support.ts";
import { testPort } from "../support/ports.ts";

const RECONCILE_SECRET = "reconcile-secret-0123456789";
let db: TestDatabase;
let fake: FakeAmocrmApi;
let server: FunctionsServer;

beforeAll(async () => {
  db = await createTestDatabase();
  await configure(db.sql);
  fake = await startFakeAmocrmApi({ token: "e2e-token" });
  server = await startFunctionsServer({
    port: testPort("amocrmFunctions"),
    upstreamPort: testPort("amocrmFunctions") + 1,
    only: ["amocrm-webhook", "amocrm-reconcile"],
    env: {
      SUPABASE_DB_URL: db.url,
      AMOCRM_WEBHOOK_SECRET: SECRET,
      AMOCRM_SUBDOMAIN: ACCOUNT.subdomain,
      AMOCRM_ACCOUNT_ID: ACCOUNT.id,
      AMOCRM_ACCESS_TOKEN: "e2e-token",
      AMOCRM_BASE_URL: fake.url,
      AMOCRM_RECONCILE_SECRET: RECONCILE_SECRET,
    },
    log: () => {},
  });
}, 180_000);
afterAll(async () => {
  await server?.stop();
  await fake?.stop();
  await db?.drop();
});

const webhook = (body: string, secret = SECRET) =>
  fetch(`${server.url}/amocrm-webhook?secret=${encodeURIComponent(secret)}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", "user-agent": "amoCRM-Webhooks/3.0" },
    body,
  });

async function report(day: string) {
  const [{ r }] = await db.sql`select public.funnel_report(null, 1, ${day}::date) as r`;
  return r as any;
}

describe("amoCRM through Deno to funnel_report", () => {
  it("a won webhook is a sale in the report, for the UTM's team", async () => {
    const body = webhookBody([
      {
        action: "status",
        leads: [
          {
            id: 9900001,
            name: "Флагман",
            status_id: 142,
            old_status_id: 555,
            pipeline_id: PIPELINE.flagman,
            price: 490000,
            last_modified: unix("2026-11-24T18:30:00Z"), // 23:30 in Almaty (UTC+5): still the 24th there
            custom_fields: [
              { id: 900001, name: "utm_source", code: "UTM_SOURCE", values: [{ value: "facebook" }] },
              { id: 900003, name: "utm_campaign", code: "UTM_CAMPAIGN", values: [{ value: "kenesary_flagman" }] },
            ],
          },
        ],
      },
    ]);
    const response = await webhook(body);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true, status: "processed", deals_applied: 1 });

    const r = await report("2026-11-24");
    expect(r.stages.find((s: any) => s.id === "flagman")).toMatchObject({ purchases: 1 });
    expect(Number(r.stages.find((s: any) => s.id === "flagman").revenue)).toBe(490000);
    expect(r.by_team.find((t: any) => t.team === "kenesary")).toMatchObject({ flagman_purchases: 1 });
    expect((await report("2026-11-25")).stages.find((s: any) => s.id === "flagman")).toMatchObject({ purchases: 0 });

    // Lost an hour later: gone from the report.
    const lost = body
      .replace("status_id%5D=142", "status_id%5D=143")
      .replace(`last_modified%5D=${unix("2026-11-24T18:30:00Z")}`, `last_modified%5D=${unix("2026-11-24T19:30:00Z")}`);
    expect((await webhook(lost)).status).toBe(200);
    expect((await report("2026-11-24")).stages.find((s: any) => s.id === "flagman")).toMatchObject({ purchases: 0 });
  });

  it("refuses a wrong secret and a wrong account; stores a foreign sample body unprocessed", async () => {
    expect((await webhook(webhookBody([]), "nope")).status).toBe(401);
    // The 2018 sample is from another account (apfitness): refused.
    const foreign = await webhook(WON_2018);
    expect(foreign.status).toBe(401);
    expect((await foreign.json()).error.code).toBe("wrong_account");
    const malformed = await webhook("leads=oops");
    expect(malformed.status).toBe(200);
    expect(await malformed.json()).toMatchObject({ stored: true, processed: false });
  });

  it("a minimal webhook is enriched through the API after the reply", async () => {
    fake.upsert({
      id: 9900002,
      price: 5000,
      status_id: 142,
      pipeline_id: PIPELINE.express,
      created_at: unix("2026-11-24T05:00:00Z"),
      updated_at: unix("2026-11-24T06:00:00Z"),
      closed_at: unix("2026-11-24T06:00:00Z"),
      custom_fields_values: trackingFields({ utm_source: "instagram" }),
    });
    const response = await webhook(
      webhookBody([
        {
          action: "status",
          leads: [
            {
              id: 9900002,
              status_id: 142,
              old_status_id: 555,
              pipeline_id: PIPELINE.express,
              old_pipeline_id: PIPELINE.express,
            },
          ],
        },
      ]),
    );
    expect(await response.json()).toMatchObject({ needs_enrichment: [9900002] });
    let sale: any;
    for (let i = 0; i < 50 && !sale; i++) {
      [sale] =
        await db.sql`select amount::text, won_at from voronka.sale where deal_id = 9900002 and voided_at is null`;
      if (!sale) await new Promise((r) => setTimeout(r, 100));
    }
    expect(sale).toEqual({ amount: "5000.00", won_at: new Date("2026-11-24T06:00:00Z") });
    // with=contacts: the deal's contacts identify its buyer (people.sql).
    expect(fake.requests.some((r) => r.url === "/api/v4/leads/9900002?with=contacts")).toBe(true);
  });

  it("the amocrm-reconcile function recovers a deal whose webhook never came", async () => {
    fake.upsert({
      id: 9900003,
      price: 5000,
      status_id: 142,
      pipeline_id: PIPELINE.express,
      created_at: unix("2026-11-24T07:00:00Z"),
      updated_at: unix("2026-11-24T08:00:00Z"),
      closed_at: unix("2026-11-24T08:00:00Z"),
    });
    const call = (secret: string) =>
      fetch(`${server.url}/amocrm-reconcile`, { method: "POST", headers: { authorization: `Bearer ${secret}` } });
    expect((await call("wrong")).status).toBe(401);
    const response = await call(RECONCILE_SECRET);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true, deals: 2 });
    expect(await db.sql`select amount::text from voronka.sale where deal_id = 9900003 and voided_at is null`).toEqual([
      { amount: "5000.00" },
    ]);
  });
});
