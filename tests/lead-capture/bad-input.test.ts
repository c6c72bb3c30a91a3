// Lead capture under bad input: whatever a client sends, the answer is never a 500, and every
// authenticated request is kept in inbox.lead_capture_event (rejected with a 400 saying why).
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLeadCaptureHandler } from "../../supabase/functions/_shared/lead-capture/handler.ts";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";

const SECRET = "s3cret-landing-key-0123456789";
const NOW = new Date("2024-05-10T07:00:00Z");
let db: TestDatabase;
let handler: (request: Request) => Promise<Response>;
const logged: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  handler = createLeadCaptureHandler({
    sql: db.sql,
    // Generous deadline: these tests are about what is stored (the default: ingestion-deadline.test.ts).
    config: { secret: SECRET, deadlineMs: 60_000 },
    now: () => NOW,
    log: (line) => logged.push(line),
  });
});
afterAll(() => db.drop());

function post(body: string | ReadableStream<Uint8Array>, contentType = "application/json") {
  return handler(
    new Request("http://localhost/functions/v1/lead-capture", {
      method: "POST",
      headers: { authorization: `Bearer ${SECRET}`, "content-type": contentType },
      body,
      ...(typeof body === "string" ? {} : { duplex: "half" }),
    } as RequestInit),
  );
}
const eventCount = async () => (await db.sql`select count(*)::int as n from inbox.lead_capture_event`)[0].n as number;

async function expectRejected(response: Response, issue: { path: string; message: RegExp }) {
  expect(response.status).toBe(400);
  const answer = await response.json();
  expect(answer.error.code).toBe("invalid_submission");
  expect(answer.error.details.issues).toContainEqual({
    path: issue.path,
    message: expect.stringMatching(issue.message),
  });
  const [event] =
    await db.sql`select status, error, body from inbox.lead_capture_event where id = ${answer.error.details.event_id}`;
  expect(event.status).toBe("rejected");
  expect(event.error).toEqual(answer.error.details.issues);
  return event;
}

describe("content Postgres cannot hold: 400, kept as rejected", () => {
  it("a NUL in a JSON field (escaped), in a form value, and as a raw byte", async () => {
    const escaped = '{"submission_id":"pt-nul-1","name":"a\\u0000b"}';
    const event = await expectRejected(await post(escaped), { path: "name", message: /NUL/ });
    expect(event.body).toBe(escaped);

    await expectRejected(await post("submission_id=pt-nul-2&name=a%00b", "application/x-www-form-urlencoded"), {
      path: "name",
      message: /NUL/,
    });
    await expectRejected(await post('{"submission_id":"pt-nul-\\u0000"}'), { path: "submission_id", message: /NUL/ });

    // A raw NUL byte is not JSON; the stored text has U+FFFD in its place.
    const raw = await expectRejected(await post('{"submission_id":"pt-nul-3","name":"a\u0000b"}'), {
      path: "(body)",
      message: /not valid JSON/,
    });
    expect(raw.body).toBe('{"submission_id":"pt-nul-3","name":"a\uFFFDb"}');
    // A UTM read from page_url is decoded in SQL, which never makes a NUL: %00 stays as sent.
    const fromUrl = await post(
      JSON.stringify({ submission_id: "pt-nul-4", page_url: "https://x.kz/?utm_source=a%00b" }),
    );
    expect(fromUrl.status).toBe(201);
    const [lead] = await db.sql`select utm_source from voronka.lead where external_id = 'pt-nul-4'`;
    expect(lead.utm_source).toBe("a%00b");
  });

  it("a lone surrogate (an emoji cut in half), in a value or a field name", async () => {
    await expectRejected(await post('{"submission_id":"pt-sur-1","utm_source":"\\ud83d"}'), {
      path: "utm_source",
      message: /lone surrogate/,
    });
    await expectRejected(await post('{"submission_id":"pt-sur-2","x\\udc00":"1","nested":{"a":["\\udfff"]}}'), {
      path: "nested.a.0",
      message: /lone surrogate/,
    });
    // Invalid UTF-8 bytes are decoded to U+FFFD: storable, so a valid submission.
    const bytes = new Uint8Array([
      ...new TextEncoder().encode('{"submission_id":"pt-sur-3","name":"'),
      0xed,
      0xa0,
      0xbd,
      0x22,
      0x7d,
    ]);
    const response = await post(new Blob([bytes]).stream());
    expect(response.status).toBe(201);
  });

  it("an occurred_at zod accepts but no landing could have sent", async () => {
    for (const occurredAt of [
      "0000-01-01T00:00:00Z",
      "1999-12-31T23:59:59Z",
      "2024-05-12T07:00:00Z",
      "9999-12-31T23:59:59Z",
    ]) {
      await expectRejected(
        await post(JSON.stringify({ submission_id: `pt-at-${occurredAt}`, occurred_at: occurredAt })),
        {
          path: "occurred_at",
          message: /between 2000-01-01T00:00:00Z and one day after/,
        },
      );
    }
    await expectRejected(
      await post(JSON.stringify({ submission_id: "pt-at-offset", occurred_at: "2024-05-10T07:00:00+23:59" })),
      { path: "occurred_at", message: /offset/ },
    );
    expect(
      (await post(JSON.stringify({ submission_id: "pt-at-ok", occurred_at: "2024-05-11T06:00:00Z" }))).status,
    ).toBe(201);
  });

  it("JSON nested 15,000 levels deep: 400 before any work on it, the raw body kept", async () => {
    const deep = `{"submission_id":"pt-deep","x":${"[".repeat(15_000)}${"]".repeat(15_000)}}`;
    const event = await expectRejected(await post(deep), { path: "(body)", message: /nested more than 32 levels/ });
    expect(event.body).toBe(deep);
    // Deep and broken at once: the same answer.
    await expectRejected(await post(`{"a":${"{".repeat(15_000)}`), { path: "(body)", message: /nested more than/ });
  });
});

describe("the raw request is committed before processing", () => {
  it("a processing failure keeps it (pending) and answers 500 with a correlation id, not Postgres' text", async () => {
    await db.sql.unsafe(`
      create function voronka.test_fail_lead() returns trigger language plpgsql as $$
      begin raise exception 'secret-internal-detail of the database'; end $$;
      create trigger test_fail_lead before insert on voronka.lead
        for each row when (new.external_id = 'pt-boom') execute function voronka.test_fail_lead();`);
    try {
      const before = await eventCount();
      const response = await post(JSON.stringify({ submission_id: "pt-boom" }));
      expect(response.status).toBe(500);
      const text = await response.text();
      expect(text).not.toMatch(/secret-internal-detail/);
      const answer = JSON.parse(text);
      expect(answer.error).toEqual({
        code: "internal_error",
        message: expect.any(String),
        correlation_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      });
      expect(logged.join("\n")).toMatch(new RegExp(`${answer.error.correlation_id}.*secret-internal-detail`, "s"));
      expect(await eventCount()).toBe(before + 1);
      const [event] = await db.sql`select status, error from inbox.lead_capture_event order by id desc limit 1`;
      expect(event).toEqual({
        status: "pending",
        error: [{ path: "(server)", message: `internal error ${answer.error.correlation_id}` }],
      });
    } finally {
      await db.sql.unsafe(`drop trigger test_fail_lead on voronka.lead; drop function voronka.test_fail_lead();`);
    }
  });
});

describe("a slow client", () => {
  it("trickling one byte at a time past the read deadline gets 408 and stores nothing", async () => {
    const slow = createLeadCaptureHandler({ sql: db.sql, config: { secret: SECRET, bodyTimeoutMs: 200 } });
    const bytes = new TextEncoder().encode(JSON.stringify({ submission_id: "pt-slow" }));
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
    const response = await slow(
      new Request("http://localhost/", {
        method: "POST",
        headers: { authorization: `Bearer ${SECRET}`, "content-type": "application/json" },
        body: trickle,
        duplex: "half",
      } as RequestInit),
    );
    expect(response.status).toBe(408);
    expect((await response.json()).error.code).toBe("request_timeout");
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(await eventCount()).toBe(before);
  });
});

// Bodies a landing, a form service, a bot or a broken proxy might send.
const anyText = fc.oneof(
  fc.string({ unit: "binary" }),
  fc.string(),
  fc.constantFrom("\u0000", "\ud83d", "\udc00", "😀"),
);
const occurredAt = fc.oneof(
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc
    .date({ min: new Date("1990-01-01"), max: new Date("2030-01-01"), noInvalidDate: true })
    .map((d) => d.toISOString()),
  fc.constantFrom(
    "0000-01-01T00:00:00Z",
    "2024-02-29T23:59:59+14:00",
    "2024-05-10T07:00:00-12:00",
    "2024-13-01T00:00:00Z",
  ),
  anyText,
);
const fields = fc.record(
  {
    submission_id: fc.oneof(anyText, fc.integer(), fc.constant(null)),
    occurred_at: occurredAt,
    utm_source: anyText,
    utm_campaign: anyText,
    page_url: fc.oneof(
      anyText,
      fc.webUrl({ withQueryParameters: true }),
      fc.constant("https://x.kz/?utm_source=%00%ED%A0%BD"),
    ),
    name: fc.jsonValue({ maxDepth: 4 }),
    extra: fc.anything({ maxDepth: 3, withNullPrototype: false, withBigInt: false, withMap: false, withSet: false }),
  },
  { requiredKeys: [] },
);
const nested = (depth: number, open: string, close: string) =>
  `{"submission_id":"d","x":${open.repeat(depth)}1${close.repeat(depth)}}`;
const bodies: fc.Arbitrary<{ body: string | Uint8Array; contentType: string }> = fc.oneof(
  fields.map((f) => ({ body: JSON.stringify(f), contentType: "application/json" })),
  fc.jsonValue().map((v) => ({ body: JSON.stringify(v) ?? "null", contentType: "application/json" })),
  fc.integer({ min: 1, max: 20_000 }).map((d) => ({ body: nested(d, "[", "]"), contentType: "application/json" })),
  fc.integer({ min: 1, max: 60 }).map((d) => ({ body: nested(d, '{"a":', "}"), contentType: "application/json" })),
  fields.map((f) => ({
    body: new URLSearchParams(
      Object.entries(f).map(([k, v]) => [k, typeof v === "string" ? v : (JSON.stringify(v) ?? "")]),
    ).toString(),
    contentType: "application/x-www-form-urlencoded",
  })),
  fc
    .array(
      fc.constantFrom(
        "submission_id=",
        "a",
        "%00",
        "%ED%A0%BD",
        "%",
        "&",
        "=",
        "+",
        "%F0%9F",
        "occurred_at=0000-01-01T00:00:00Z",
      ),
      { maxLength: 30 },
    )
    .map((parts) => ({
      body: parts.join(""),
      contentType: "application/x-www-form-urlencoded",
    })),
  fc.uint8Array({ maxLength: 300 }).map((bytes) => ({ body: bytes, contentType: "application/json" })),
);

it("fuzz: 1,200 generated bodies never get a 500, and every one is kept in the inbox", async () => {
  const before = await eventCount();
  let sent = 0;
  const statuses = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(bodies, async ({ body, contentType }) => {
      sent++;
      const response = await handler(
        new Request("http://localhost/functions/v1/lead-capture", {
          method: "POST",
          headers: { authorization: `Bearer ${SECRET}`, "content-type": contentType },
          body: body as BodyInit,
        }),
      );
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      const answer = await response.json();
      expect([200, 201, 400]).toContain(response.status);
      if (response.status === 400) expect(answer.error.details.issues.length).toBeGreaterThan(0);
    }),
    { numRuns: 1_200, seed: 20261127 },
  );
  expect(sent).toBe(1_200);
  expect(await eventCount()).toBe(before + sent);
  expect(statuses.get(400)).toBeGreaterThan(100);
}, 120_000);
