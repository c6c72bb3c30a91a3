// The health function: up, database reachable, and the data health counts for monitoring, with
// the handler on Node against a real database.
import { afterAll, beforeAll, expect, it } from "vitest";
import { createHealthHandler } from "../../supabase/functions/_shared/health/handler.ts";
import { addLead, addTeams } from "../funnel/fixtures.ts";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  // Today's gaps, by hand: 1 failed and 1 pending amoCRM webhook, 1 lead-capture request rejected
  // today, 1 won deal from a minimal webhook still waiting for the API (no team), and kenesary with
  // 2 leads today but no spend rows.
  await addTeams(db.sql, "kenesary");
  await addLead(db.sql, new Date().toISOString(), "kenesary");
  await addLead(db.sql, new Date().toISOString(), "kenesary");
  await db.sql`insert into inbox.amocrm_webhook_event (body, body_sha256, status)
               values ('a', sha256('a'), 'failed'), ('b', sha256('b'), 'pending')`;
  await db.sql`insert into inbox.lead_capture_event (body, status) values ('{}', 'rejected')`;
  await db.sql`insert into voronka.amocrm_deal (id, pipeline_id, status_id, amo_updated_at, won_at, needs_enrichment)
               values (77, 1, 142, now(), now(), true)`;
});
afterAll(() => db.drop());

const logged: string[] = [];
const get = () =>
  createHealthHandler({ sql: db.sql, log: (line) => logged.push(line) })(
    new Request("http://localhost/functions/v1/health"),
  );

it("keeps its answer and adds today's data health counts, as service_role sees them", async () => {
  const response = await get();
  expect(response.status).toBe(200);
  const body = await response.json();
  // Backwards compatible: the fields monitoring already reads.
  expect(body).toMatchObject({ status: "ok", schema_version: expect.any(String), database_time: expect.any(String) });
  expect(body.data_health.status).toBe("error");
  expect(body.data_health.window).toMatchObject({ days: 1, time_zone: "Asia/Almaty" });
  expect(body.data_health.checks).toMatchObject({
    amocrm_webhook_failed: { severity: "error", count: 1 },
    amocrm_webhook_pending: { severity: "warning", count: 1 },
    lead_capture_rejected: { severity: "warning", count: 1 },
    amocrm_deal_needs_enrichment: { severity: "error", count: 1 },
    no_spend_data: { severity: "warning", count: 1 },
    won_deal_without_product: { severity: "ok", count: 0 },
  });
  // Counts only: no ids, error texts or messages on a public endpoint.
  expect(JSON.stringify(body.data_health)).not.toMatch(/sample_ids|message|kenesary/);
});

it("still answers 200 with the database up when data_health cannot run", async () => {
  await db.sql`revoke execute on function public.data_health(text, integer, date) from service_role`;
  try {
    const body = await (await get()).json();
    expect(body.status).toBe("ok");
    // The reason (a Postgres error) is logged, not shown on a public endpoint.
    expect(body.data_health).toEqual({ status: "unknown", error: "data_health failed; see the function's log" });
    expect(JSON.stringify(body)).not.toMatch(/permission denied/);
    expect(logged.join("\n")).toMatch(/data_health failed: permission denied/);
  } finally {
    await db.sql`grant execute on function public.data_health(text, integer, date) to service_role`;
  }
});
