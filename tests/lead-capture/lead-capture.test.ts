// ProfTest lead capture: the handler on Node against the real database, and once through Deno.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFunctionsServer } from "../../scripts/lib/functions-server.ts";
import { connectDatabase } from "../../supabase/functions/_shared/database.ts";
import { createLeadCaptureHandler } from "../../supabase/functions/_shared/lead-capture/handler.ts";
import { addTeams, funnelReport, stage } from "../funnel/fixtures.ts";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";
import { testPort } from "../support/ports.ts";

const SECRET = "s3cret-landing-key-0123456789";
let db: TestDatabase;
let handler: (request: Request) => Promise<Response>;

beforeAll(async () => {
  db = await createTestDatabase();
  await addTeams(db.sql, "kenesary");
  handler = createLeadCaptureHandler({
    sql: db.sql,
    config: { secret: SECRET, maxBodyBytes: 4096, deadlineMs: 60_000 },
    now: () => new Date("2024-05-10T07:00:00Z"),
  });
});
afterAll(() => db.drop());

function post(body: string, headers: Record<string, string> = {}, query = "") {
  return handler(
    new Request(`http://localhost/functions/v1/lead-capture${query}`, {
      method: "POST",
      headers: { authorization: `Bearer ${SECRET}`, "content-type": "application/json", ...headers },
      body,
    }),
  );
}
const count = async (table: string) => (await db.sql`select count(*)::int as n from ${db.sql(table)}`)[0].n;

describe("valid submissions", () => {
  it("identifies the person by phone and email, keeping only their keyed hashes (form body too)", async () => {
    const json = await post(
      JSON.stringify({ submission_id: "pt-person-1", phone: "8 (701) 222-33-44", email: "Aigerim@Mail.KZ" }),
    );
    expect(json.status).toBe(201);
    const form = await post("submission_id=pt-person-2&phone=%2B7+701+222+3344", {
      "content-type": "application/x-www-form-urlencoded",
    });
    expect(form.status).toBe(201);
    const people = await db.sql`
      select external_id, person_id from voronka.lead where external_id in ('pt-person-1', 'pt-person-2') order by 1`;
    expect(people[0].person_id).not.toBeNull();
    expect(people[1].person_id).toBe(people[0].person_id);
    const identities = await db.sql`
      select kind, value from voronka.person_identity where person_id = ${people[0].person_id} order by kind`;
    expect(identities.map((i) => i.kind)).toEqual(["email", "phone"]);
    // A keyed hash (64 hex digits), never the number or the address. (Not "no 701 in it": a
    // random key's hash holds any three hex digits now and then, and the test failed by chance.)
    for (const { value } of identities) {
      expect(value).toMatch(/^[0-9a-f]{64}$/);
      expect(value).not.toContain("7012223344");
    }
  });

  it("records a JSON submission as a lead of the team its UTM names, once", async () => {
    const body = JSON.stringify({
      submission_id: "pt-1",
      occurred_at: "2024-05-10T23:30:00+05:00",
      utm_source: "Kenesary",
      utm_campaign: "ken_video",
      name: "Айгерим",
      phone: "+7 701 000 00 00",
    });
    const first = await post(body);
    expect(first.status).toBe(201);
    const created = await first.json();
    expect(created).toMatchObject({ status: "recorded" });

    const again = await post(body);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ status: "duplicate", lead_id: created.lead_id });

    const leads =
      await db.sql`select external_id, occurred_at, utm_source, team_id from voronka.lead where external_id = 'pt-1'`;
    expect(leads).toEqual([
      {
        external_id: "pt-1",
        occurred_at: new Date("2024-05-10T18:30:00Z"),
        utm_source: "Kenesary",
        team_id: "kenesary",
      },
    ]);
    const events = await db.sql`select status, lead_id::int from inbox.lead_capture_event where body = ${body}`;
    expect(events).toEqual([
      { status: "processed", lead_id: created.lead_id },
      { status: "processed", lead_id: created.lead_id },
    ]);
    // In the report at once (the 23:30 lead is on 05-10 in Almaty), without a refresh.
    const report = await funnelReport(db.sql, { team: "kenesary", until: "2024-05-10", days: 1 });
    expect(stage(report, "leads")).toMatchObject({ count: 1 });
  });

  it("takes form-encoded fields and reads UTMs from page_url when the fields lack them", async () => {
    const form = new URLSearchParams({
      submission_id: "pt-2",
      page_url: "https://proftest.example.kz/?utm_source=kenesary&amp;utm_medium=cpc&amp;utm_campaign=spring",
    });
    const response = await post(form.toString(), { "content-type": "application/x-www-form-urlencoded" });
    expect(response.status).toBe(201);
    const [lead] =
      await db.sql`select occurred_at, utm_source, utm_medium, utm_campaign, team_id from voronka.lead where external_id = 'pt-2'`;
    // No occurred_at: the time the request arrived.
    expect(lead).toEqual({
      occurred_at: new Date("2024-05-10T07:00:00Z"),
      utm_source: "kenesary",
      utm_medium: "cpc",
      utm_campaign: "spring",
      team_id: "kenesary",
    });
  });

  it("keeps a lead without UTMs in the unattributed bucket", async () => {
    expect(
      (await post(JSON.stringify({ submission_id: "pt-3", occurred_at: "2024-05-10T10:00:00+05:00" }))).status,
    ).toBe(201);
    const [lead] = await db.sql`select team_id from voronka.lead where external_id = 'pt-3'`;
    expect(lead.team_id).toBeNull();
  });
});

describe("bad input", () => {
  it("answers 400 with the issues, keeps the request as rejected and records no lead", async () => {
    const leadsBefore = await count("voronka.lead");
    const response = await post(JSON.stringify({ occurred_at: "yesterday", utm_source: "kenesary" }));
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body.error.code).toBe("invalid_submission");
    expect(body.error.details.issues).toEqual([
      { path: "submission_id", message: expect.stringMatching(/expected string|required/i) },
      { path: "occurred_at", message: "occurred_at must be an ISO 8601 instant with an offset" },
    ]);
    const [event] =
      await db.sql`select status, error from inbox.lead_capture_event where id = ${body.error.details.event_id}`;
    expect(event.status).toBe("rejected");
    expect(await count("voronka.lead")).toBe(leadsBefore);

    const notJson = await post("{not json");
    expect(notJson.status).toBe(400);
    expect((await notJson.json()).error.details.issues[0].message).toMatch(/not valid JSON/);
  });

  it("refuses a wrong secret, a wrong content type, an oversized body and GET — storing nothing", async () => {
    const eventsBefore = await count("inbox.lead_capture_event");
    const wrong = await post(JSON.stringify({ submission_id: "x" }), { authorization: "Bearer nope" });
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).error.code).toBe("unauthorized");
    const viaQuery = await post(JSON.stringify({ submission_id: "pt-q" }), { authorization: "" }, `?secret=${SECRET}`);
    expect(viaQuery.status).toBe(201);

    expect((await post("a", { "content-type": "text/plain" })).status).toBe(415);
    expect((await post(JSON.stringify({ submission_id: "x".repeat(5000) }))).status).toBe(413);
    const get = await handler(new Request("http://localhost/", { method: "GET" }));
    expect(get.status).toBe(405);
    expect(await count("inbox.lead_capture_event")).toBe(eventsBefore + 1);
  });

  it("answers 503 when the database cannot be reached, so the sender retries", async () => {
    const unreachable = connectDatabase("postgresql://postgres:postgres@127.0.0.1:9/postgres", { max: 1 });
    const offline = createLeadCaptureHandler({ sql: unreachable, config: { secret: SECRET } });
    const response = await offline(
      new Request("http://localhost/", {
        method: "POST",
        headers: { authorization: `Bearer ${SECRET}`, "content-type": "application/json" },
        body: JSON.stringify({ submission_id: "pt-offline" }),
      }),
    );
    expect(response.status).toBe(503);
    expect((await response.json()).error.code).toBe("database_unavailable");
    await unreachable.end();
  });
});

it("runs under Deno behind /functions/v1/lead-capture", async () => {
  const server = await startFunctionsServer({
    port: testPort("leadCaptureFunctions"),
    upstreamPort: testPort("leadCaptureFunctions") + 1,
    only: ["lead-capture"],
    env: { SUPABASE_DB_URL: db.url, LEAD_CAPTURE_SECRET: SECRET },
    log: () => {},
  });
  try {
    const response = await fetch(`${server.url}/lead-capture`, {
      method: "POST",
      headers: { authorization: `Bearer ${SECRET}`, "content-type": "application/json" },
      body: JSON.stringify({ submission_id: "pt-deno", utm_source: "kenesary" }),
    });
    expect(response.status).toBe(201);
    const [lead] = await db.sql`select team_id from voronka.lead where external_id = 'pt-deno'`;
    expect(lead.team_id).toBe("kenesary");
  } finally {
    await server.stop();
  }
}, 120_000);
