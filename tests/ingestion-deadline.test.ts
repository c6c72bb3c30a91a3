// Every ingestion request is answered before amoCRM's 2 s timeout, whatever the database does:
// a server that accepts connections but never answers, and a statement stuck behind a lock, both
// give 503 `database_unavailable` with Retry-After well within 2 s — and a statement the deadline
// gave up on is rolled back by statement_timeout, so it cannot commit after the 503.
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectDatabase, isTransactionPooler, type Sql } from "../supabase/functions/_shared/database.ts";
import {
  readDatabaseTimeouts,
  DeadlineExceededError,
  DEFAULT_DEADLINE_MS,
  withDeadline,
} from "../supabase/functions/_shared/deadline.ts";
import { ConfigError } from "../supabase/functions/_shared/config.ts";
import { createHealthHandler } from "../supabase/functions/_shared/health/handler.ts";
import { createLeadCaptureHandler } from "../supabase/functions/_shared/lead-capture/handler.ts";
import { configure, handlerFor, post, wonBody } from "./amocrm/support.ts";
import { createTestDatabase, type TestDatabase } from "./support/test-database.ts";

// amoCRM's timeout; the answers must come well before it.
const AMOCRM_TIMEOUT_MS = 2000;
const LEAD_SECRET = "lead-capture-deadline-secret";

let db: TestDatabase;
let blackhole: net.Server;
let blackholeUrl: string;
const held: net.Socket[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  await configure(db.sql);
  // Accepts TCP connections and never says a word: a database host that hangs.
  blackhole = net.createServer((socket) => void held.push(socket));
  await new Promise<void>((resolve) => blackhole.listen(0, "127.0.0.1", resolve));
  blackholeUrl = `postgresql://postgres:postgres@127.0.0.1:${(blackhole.address() as net.AddressInfo).port}/postgres`;
});
afterAll(async () => {
  held.forEach((s) => s.destroy());
  blackhole.close();
  await db.drop();
});

const leadRequest = (submissionId: string) =>
  new Request("http://localhost/functions/v1/lead-capture", {
    method: "POST",
    headers: { authorization: `Bearer ${LEAD_SECRET}`, "content-type": "application/json" },
    body: JSON.stringify({ submission_id: submissionId, utm_source: "kenesary" }),
  });

async function timed(run: () => Promise<Response>) {
  const started = performance.now();
  const response = await run();
  const ms = performance.now() - started;
  return { response, ms, body: (await response.json()) as { error?: { code: string } } };
}

function expectFast503(result: Awaited<ReturnType<typeof timed>>) {
  expect(result.response.status).toBe(503);
  expect(result.body.error?.code).toBe("database_unavailable");
  expect(Number(result.response.headers.get("retry-after"))).toBeGreaterThan(0);
  expect(result.ms).toBeLessThan(AMOCRM_TIMEOUT_MS);
}

describe("a database host that accepts connections and never answers", () => {
  let hung: Sql;
  beforeAll(() => {
    hung = connectDatabase(blackholeUrl, { max: 2 });
  });
  afterAll(() => hung.end({ timeout: 0 }));

  it("amocrm-webhook: 503 with Retry-After within 2 s", async () => {
    expectFast503(await timed(() => handlerFor(hung, { deadlineMs: DEFAULT_DEADLINE_MS })(post(wonBody(9001)))));
  });

  it("lead-capture: 503 with Retry-After within 2 s", async () => {
    const handler = createLeadCaptureHandler({ sql: hung, config: { secret: LEAD_SECRET } });
    expectFast503(await timed(() => handler(leadRequest("pt-hung"))));
  });

  it("health: 503 within 2 s", async () => {
    expectFast503(await timed(() => createHealthHandler({ sql: hung })(new Request("http://localhost/"))));
  });

  it("many requests at once, more than the pool: each one still within 2 s", async () => {
    const handler = handlerFor(hung, { deadlineMs: DEFAULT_DEADLINE_MS });
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => timed(() => handler(post(wonBody(9100 + i))))),
    );
    results.forEach(expectFast503);
  });
});

describe("a database host that refuses connections (Postgres down)", () => {
  it("every request, again and again, is answered 503 well before the deadline (no 20 s reconnect backoff)", async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const down = connectDatabase(`postgresql://postgres:postgres@127.0.0.1:${port}/postgres`, { max: 2 });
    try {
      const handler = handlerFor(down, { deadlineMs: DEFAULT_DEADLINE_MS });
      for (let round = 0; round < 6; round++) {
        const results = await Promise.all(
          Array.from({ length: 4 }, (_, i) => timed(() => handler(post(wonBody(9300 + round * 10 + i))))),
        );
        for (const result of results) {
          expectFast503(result);
          // Refused means refused: well before the 1.5 s deadline.
          expect(result.ms).toBeLessThan(800);
        }
      }
    } finally {
      await down.end({ timeout: 0 });
    }
  });
});

describe("a statement that cannot finish in time (table locked)", () => {
  let bounded: Sql;
  beforeAll(() => {
    bounded = connectDatabase(db.url, { max: 2, statementTimeoutMs: 1200 });
  });
  afterAll(() => bounded.end({ timeout: 1 }));

  async function whileLocked(table: string, run: () => Promise<void>) {
    const locker = await db.sql.reserve();
    try {
      await locker`begin`;
      await locker.unsafe(`lock table ${table} in access exclusive mode`);
      await run();
    } finally {
      await locker`rollback`;
      locker.release();
    }
  }

  it("amocrm-webhook: 503 within 2 s, and the event does not appear after the lock is gone", async () => {
    const body = wonBody(9201);
    await whileLocked("inbox.amocrm_webhook_event", async () => {
      expectFast503(
        await timed(() =>
          handlerFor(bounded, { deadlineMs: DEFAULT_DEADLINE_MS })(
            post(body, { headers: { "x-amocrm-requestid": "locked-1" } }),
          ),
        ),
      );
      // Keep the lock past statement_timeout: a statement still waiting would commit on release.
      await new Promise((r) => setTimeout(r, 500));
    });
    await new Promise((r) => setTimeout(r, 300));
    const [row] = await db.sql`select count(*)::int as n from inbox.amocrm_webhook_event where request_id = 'locked-1'`;
    expect(row.n).toBe(0);
    // The retry amoCRM makes is stored and acknowledged.
    const retry = await handlerFor(bounded, { deadlineMs: DEFAULT_DEADLINE_MS })(
      post(body, { headers: { "x-amocrm-requestid": "locked-1" } }),
    );
    expect(retry.status).toBe(200);
  });

  it("lead-capture: 503 within 2 s, and the submission does not appear after the lock is gone", async () => {
    const handler = createLeadCaptureHandler({ sql: bounded, config: { secret: LEAD_SECRET } });
    await whileLocked("inbox.lead_capture_event", async () => {
      expectFast503(await timed(() => handler(leadRequest("pt-locked"))));
      await new Promise((r) => setTimeout(r, 500));
    });
    await new Promise((r) => setTimeout(r, 300));
    const [row] = await db.sql`select count(*)::int as n from voronka.lead where external_id = 'pt-locked'`;
    expect(row.n).toBe(0);
    expect((await handler(leadRequest("pt-locked"))).status).toBe(201);
  });
});

describe("withDeadline", () => {
  it("a call abandoned while its connection is being opened does not wedge the pool", async () => {
    // A database that takes 400 ms to accept a connection (coming back up, or a slow network):
    // the call gives up at 100 ms. postgres.js's cancel() of such a query would leave the
    // connection stuck forever (every later query hangs); withDeadline must not cancel it.
    const pgPort = Number(new URL(db.url).port);
    const slow = net.createServer((client) => {
      client.pause();
      setTimeout(() => {
        const upstream = net.connect(pgPort, "127.0.0.1", () => {
          client.pipe(upstream);
          upstream.pipe(client);
          client.resume();
        });
        upstream.on("error", () => client.destroy());
        client.on("error", () => upstream.destroy());
      }, 400);
    });
    await new Promise<void>((resolve) => slow.listen(0, "127.0.0.1", resolve));
    const url = new URL(db.url);
    url.port = String((slow.address() as net.AddressInfo).port);
    const sql = connectDatabase(url.toString(), { max: 1 });
    try {
      const queued = sql`insert into voronka.team (id, name) values ('deadline-queued', 'x')`;
      await expect(withDeadline(queued, 100)).rejects.toBeInstanceOf(DeadlineExceededError);
      // The connection opens and serves later queries (the abandoned insert may run: idempotent
      // receivers make that harmless; what must not happen is a pool that never answers again).
      expect((await withDeadline(sql`select 1 as one`, 3000))[0].one).toBe(1);
    } finally {
      await sql.end({ timeout: 1 });
      slow.close();
    }
  });

  it("statement_timeout is a connection parameter, except on the transaction pooler", async () => {
    const sql = connectDatabase(db.url, { max: 1, statementTimeoutMs: 1200 });
    try {
      expect((await sql`show statement_timeout`)[0].statement_timeout).toBe("1200ms");
    } finally {
      await sql.end({ timeout: 1 });
    }
    expect(
      isTransactionPooler("postgresql://postgres.ref:pw@aws-0-eu-central-1.pooler.supabase.com:6543/postgres"),
    ).toBe(true);
    expect(isTransactionPooler(db.url)).toBe(false);
  });

  it("timeouts from the environment: defaults, and the statement timeout stays below the deadline", () => {
    expect(readDatabaseTimeouts({})).toEqual({ deadlineMs: DEFAULT_DEADLINE_MS, statementTimeoutMs: 1200 });
    expect(readDatabaseTimeouts({ DB_DEADLINE_MS: "1000", DB_STATEMENT_TIMEOUT_MS: "5000" })).toEqual({
      deadlineMs: 1000,
      statementTimeoutMs: 900,
    });
    // One config style (issue 8): a malformed value is a clear error, not a silent default.
    expect(() => readDatabaseTimeouts({ DB_DEADLINE_MS: "nope" })).toThrow(ConfigError);
    expect(() => readDatabaseTimeouts({ DB_DEADLINE_MS: "nope" })).toThrow(/DB_DEADLINE_MS must be a whole number/);
  });
});
