// The receiver's HTTP contract: what is refused (and not stored), what is stored unprocessed
// with a 2xx, duplicates, a database that goes away mid-request, and a bulk body.
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectDatabase } from "../../supabase/functions/_shared/database.ts";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";
import { MINIMAL_2023, MINIMAL_2023_HEADERS } from "./samples.ts";
import { ACCOUNT, configure, handlerFor, PIPELINE, post, testConfig, webhookBody, wonBody } from "./support.ts";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  await configure(db.sql);
});
afterAll(() => db.drop());

const eventCount = async () => (await db.sql`select count(*)::int as n from inbox.amocrm_webhook_event`)[0].n as number;

describe("refused requests store nothing", () => {
  it.each<[string, Request, number, string]>([
    ["no secret", post(wonBody(1), { secret: "" }), 401, "unauthorized"],
    ["a wrong secret", post(wonBody(1), { secret: "s3cret-Webhook-Value-0123456789abcdeX" }), 401, "unauthorized"],
    [
      "another account's subdomain",
      post(webhookBody([{ action: "status", leads: [{ id: 1 }] }], { subdomain: "evil", id: ACCOUNT.id })),
      401,
      "wrong_account",
    ],
    [
      "another account's id",
      post(webhookBody([{ action: "status", leads: [{ id: 1 }] }], { subdomain: ACCOUNT.subdomain, id: "1" })),
      401,
      "wrong_account",
    ],
    [
      "another account on the lead only (old payloads)",
      post(
        webhookBody([{ action: "status", leads: [{ id: 1, account_id: "999" }] }], { subdomain: ACCOUNT.subdomain }),
      ),
      401,
      "wrong_account",
    ],
    // Any account field that is not exactly the configured account: a list, a map, a plain value.
    ...[
      `account[id][]=${ACCOUNT.id}`,
      "account[id][]=",
      `account[id][x]=${ACCOUNT.id}`,
      `account[subdomain][]=${ACCOUNT.subdomain}`,
      "account=voronka-test",
      `account[]=${ACCOUNT.id}`,
      "leads[status][0][id]=1&leads[status][0][account_id][]=999",
      "leads[status][x][id]=1&leads[status][x][account_id]=999",
      "leads[status][0][id]=1&leads[status][0][account_id]=",
    ].map((body): [string, Request, number, string] => [
      `a non-scalar or wrong account: ${body}`,
      post(`leads[status][0][id]=1&${body}`),
      401,
      "wrong_account",
    ]),
    ["JSON", post(JSON.stringify({ leads: [] }), { contentType: "application/json" }), 415, "unsupported_media_type"],
    ["multipart", post("x", { contentType: "multipart/form-data; boundary=x" }), 415, "unsupported_media_type"],
  ])("%s", async (_name, request, status, code) => {
    const before = await eventCount();
    const response = await handlerFor(db.sql)(request);
    expect(response.status).toBe(status);
    expect((await response.json()).error.code).toBe(code);
    expect(await eventCount()).toBe(before);
  });

  it("an oversized body: 413, by declared length or by the bytes actually sent", async () => {
    const handler = handlerFor(db.sql, { config: testConfig({ AMOCRM_WEBHOOK_MAX_BYTES: "1000" }) });
    const big = wonBody(2) + "&pad=" + "x".repeat(2000);
    expect((await handler(post(big))).status).toBe(413);
    // A chunked body without Content-Length is cut off while reading.
    const stream = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode(big));
        c.close();
      },
    });
    const chunked = new Request(`http://localhost/x?secret=${encodeURIComponent(testConfig().webhookSecret!)}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect((await handler(chunked)).status).toBe(413);
    expect(await eventCount()).toBe(0);
  });

  it("a client trickling the body past the read deadline: 408", async () => {
    const handler = handlerFor(db.sql, { config: { ...testConfig(), bodyTimeoutMs: 200 } });
    const bytes = new TextEncoder().encode(wonBody(4));
    let i = 0;
    const trickle = new ReadableStream<Uint8Array>({
      async pull(controller) {
        await new Promise((r) => setTimeout(r, 50));
        if (i < bytes.length) controller.enqueue(bytes.slice(i, ++i));
        else controller.close();
      },
    });
    const before = await eventCount();
    const started = Date.now();
    const response = await handler(
      new Request(`http://localhost/x?secret=${encodeURIComponent(testConfig().webhookSecret!)}`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: trickle,
        duplex: "half",
      } as RequestInit),
    );
    expect(response.status).toBe(408);
    expect((await response.json()).error.code).toBe("request_timeout");
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(await eventCount()).toBe(before);
  });

  it("an unconfigured secret refuses with 503 (amoCRM retries once it is set)", async () => {
    const handler = handlerFor(db.sql, { config: testConfig({ AMOCRM_WEBHOOK_SECRET: "" }) });
    expect((await handler(post(wonBody(3)))).status).toBe(503);
  });
});

describe("authenticated bodies are stored and acknowledged", () => {
  it.each([
    ["NUL bytes", "leads[status][0][id]=1%00&account[subdomain]=voronka-test", /NUL/],
    ["a value and a map under one key", "leads=1&leads[status][0][id]=2", /nests under a plain value/],
    ["no amoCRM entity", "hello=world", /unknown shape/],
    ["leads that are not a map of actions", "leads=7&account[subdomain]=voronka-test", /unknown shape/],
    ["a lead without an id", "leads[status][0][name]=x&account[subdomain]=voronka-test", /without a numeric id/],
    ["an empty body", "", /unknown shape/],
  ])("malformed (%s): 200, stored unprocessed with its error", async (_name, body, error) => {
    const response = await handlerFor(db.sql)(post(body));
    expect(response.status).toBe(200);
    const answer = await response.json();
    expect(answer).toMatchObject({ ok: true, stored: true, processed: false, status: "failed" });
    expect(answer.message).toMatch(/^Stored unprocessed/);
    const [row] =
      await db.sql`select status, error, body from inbox.amocrm_webhook_event where id = ${answer.event_id}`;
    expect(row.status).toBe("failed");
    expect(row.error).toMatch(error);
    expect(row.body).toBe(body.replaceAll("\u0000", "\uFFFD"));
  });

  it.each([5_000, 8_000])("a key nested %i levels deep: 200, stored unprocessed with its error", async (depth) => {
    const body = `leads${"[a]".repeat(depth)}=1&account[subdomain]=voronka-test`;
    const response = await handlerFor(db.sql)(post(body));
    expect(response.status).toBe(200);
    const answer = await response.json();
    expect(answer).toMatchObject({ stored: true, processed: false, status: "failed" });
    const [row] =
      await db.sql`select status, error, payload, body from inbox.amocrm_webhook_event where id = ${answer.event_id}`;
    expect(row).toEqual({ status: "failed", error: expect.stringMatching(/nested more than 64/), payload: null, body });
  });

  it("a storage failure: 500 internal_error with a correlation id; the database's text only in the log", async () => {
    await db.sql.unsafe(`
      create function inbox.test_fail_store() returns trigger language plpgsql as $$
      begin raise exception 'secret-internal-detail of the database'; end $$;
      create trigger test_fail_store before insert on inbox.amocrm_webhook_event
        for each row when (new.body like '%boom=1%') execute function inbox.test_fail_store();`);
    try {
      const lines: string[] = [];
      const response = await handlerFor(db.sql, { log: (line) => lines.push(line) })(post("boom=1"));
      expect(response.status).toBe(500);
      const text = await response.text();
      expect(text).not.toMatch(/secret-internal-detail/);
      const { error } = JSON.parse(text);
      expect(error).toEqual({
        code: "internal_error",
        message: expect.any(String),
        correlation_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      });
      expect(lines.join("\n")).toMatch(new RegExp(`${error.correlation_id}.*secret-internal-detail`, "s"));
    } finally {
      await db.sql.unsafe(
        `drop trigger test_fail_store on inbox.amocrm_webhook_event; drop function inbox.test_fail_store();`,
      );
    }
  });

  it("a failure in one lead rolls back the whole event's changes, not the raw row", async () => {
    const body = webhookBody([
      {
        action: "status",
        leads: [
          {
            id: 5500001,
            status_id: 142,
            old_status_id: 1,
            pipeline_id: PIPELINE.express,
            price: 5000,
            last_modified: 1764000000,
          },
          { id: "x" as never },
        ],
      },
    ]);
    const answer = await (await handlerFor(db.sql)(post(body))).json();
    expect(answer.status).toBe("failed");
    expect(await db.sql`select 1 from voronka.amocrm_deal where id = 5500001`).toHaveLength(0);
  });

  it("contacts are applied to people (issue 9); tasks and talks are stored and acknowledged, not processed", async () => {
    const contacts =
      webhookBody([{ entity: "contacts", action: "add", leads: [{ id: 77, name: "Айдана" } as never] }]) +
      "&task[add][0][id]=5";
    const applied = await (await handlerFor(db.sql)(post(contacts))).json();
    expect(applied).toMatchObject({ status: "processed", processed: true });
    expect(await db.sql`select 1 from voronka.amocrm_deal`).toHaveLength(0);
    const tasks = webhookBody([]) + "&task[add][0][id]=6&talk[add][0][talk_id]=7";
    const answer = await (await handlerFor(db.sql)(post(tasks))).json();
    expect(answer).toMatchObject({ status: "ignored", processed: false, deals_applied: 0 });
  });

  it("keeps the headers, and an identical body delivered twice is one event, counted twice", async () => {
    const handler = handlerFor(db.sql, {
      config: testConfig({ AMOCRM_SUBDOMAIN: "anyor", AMOCRM_ACCOUNT_ID: "30307558" }),
    });
    const first = await (await handler(post(MINIMAL_2023, { headers: MINIMAL_2023_HEADERS }))).json();
    const second = await (await handler(post(MINIMAL_2023, { headers: MINIMAL_2023_HEADERS }))).json();
    expect(second).toMatchObject({ event_id: first.event_id, duplicate: true, status: "processed" });
    const [row] =
      await db.sql`select deliveries, request_id, user_agent, content_type, account_id::text, account_subdomain, process_count
                               from inbox.amocrm_webhook_event where id = ${first.event_id}`;
    expect(row).toEqual({
      deliveries: 2,
      request_id: "4deb1687-f69f-4f06-930e-95c2947134ca",
      user_agent: "amoCRM-Webhooks/3.0",
      content_type: "application/x-www-form-urlencoded",
      account_id: "30307558",
      account_subdomain: "anyor",
      process_count: 2,
    });
    const [{ n }] =
      await db.sql`select count(*)::int as n from voronka.amocrm_deal_observation where deal_id = 10754147`;
    // No time in the minimal shape: the first receipt stands in, so the repeat is the same observation.
    expect(n).toBe(1);
  });

  // How fast is measured by `npm run bench:webhook` (bulk bodies included), not asserted here.
  it("a bulk change of 200 deals x 30 custom fields is stored and applied in one request", async () => {
    const leads = Array.from({ length: 200 }, (_, i) => ({
      id: 6000000 + i,
      status_id: 142,
      old_status_id: 1,
      pipeline_id: PIPELINE.express,
      price: 5000,
      last_modified: 1764000000,
      custom_fields: Array.from({ length: 30 }, (_, f) => ({
        id: 500 + f,
        name: `Поле ${f}`,
        values: [{ value: `значение ${i}-${f}` }],
      })),
    }));
    const body = webhookBody([{ action: "status", leads }]);
    const answer = await (await handlerFor(db.sql)(post(body))).json();
    expect(answer).toMatchObject({ status: "processed", deals_applied: 200 });
    const [{ n }] =
      await db.sql`select count(*)::int as n from voronka.sale where deal_id between 6000000 and 6000199 and voided_at is null`;
    expect(n).toBe(200);
  });
});

// A TCP proxy in front of Postgres that the test can take down, as if the database went away.
async function startProxy(port: number, target: number) {
  const sockets = new Set<net.Socket>();
  let mode: "forward" | "drop" = "forward";
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    if (mode === "drop") {
      // Accept, then die on the first bytes: the server vanished in the middle of the exchange.
      client.once("data", () => client.destroy());
      return;
    }
    const upstream = net.connect(target, "127.0.0.1");
    sockets.add(upstream);
    upstream.on("close", () => sockets.delete(upstream));
    client.pipe(upstream).pipe(client);
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
  return {
    port: (server.address() as net.AddressInfo).port,
    setMode(m: "forward" | "drop") {
      mode = m;
      sockets.forEach((s) => s.destroy());
    },
    close: () =>
      new Promise<void>((r) => {
        sockets.forEach((s) => s.destroy());
        server.close(() => r());
      }),
  };
}

describe("the database goes away", () => {
  it("503 while it is gone; amoCRM's retry stores the event once", async () => {
    const pgPort = Number(new URL(db.url).port);
    const proxy = await startProxy(0, pgPort);
    const url = new URL(db.url);
    url.port = String(proxy.port);
    const sql = connectDatabase(url.toString(), { max: 1 });
    try {
      const handler = handlerFor(sql);
      const body = wonBody(7000001);
      expect((await handler(post(wonBody(7000000)))).status).toBe(200); // connected and working

      proxy.setMode("drop"); // the open connection dies, new ones die on their first bytes
      const failed = await handler(post(body));
      expect(failed.status).toBe(503);
      expect((await failed.json()).error.code).toBe("database_unavailable");

      await proxy.close(); // nothing listens any more: connection refused
      const refused = await handler(post(body));
      expect(refused.status).toBe(503);
      expect(await db.sql`select 1 from inbox.amocrm_webhook_event where body = ${body}`).toHaveLength(0);

      const back = await startProxy(proxy.port, pgPort);
      try {
        const retry = await handler(post(body));
        expect(retry.status).toBe(200);
        const rows = await db.sql`select deliveries from inbox.amocrm_webhook_event where body = ${body}`;
        expect(rows).toEqual([{ deliveries: 1 }]);
        expect(await db.sql`select amount::text from voronka.sale where deal_id = 7000001`).toEqual([
          { amount: "5000.00" },
        ]);
      } finally {
        await back.close();
      }
    } finally {
      await sql.end({ timeout: 1 }).catch(() => {});
    }
  });
});
