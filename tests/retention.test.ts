// voronka.apply_retention(): processed raw requests and finished sync runs older than
// voronka.setting.raw_retention are deleted; pending, failed and rejected events, deal
// observations, the latest sync run and the latest successful one never are; and what every
// deal, sale and lead recomputes to is the same before and after.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLeadCaptureHandler } from "../supabase/functions/_shared/lead-capture/handler.ts";
import { runRetention } from "../scripts/local/scheduled-jobs.ts";
import { configure, handlerFor, PIPELINE, post, webhookBody } from "./amocrm/support.ts";
import { createTestDatabase, type TestDatabase } from "./support/test-database.ts";

const LEAD_SECRET = "retention-lead-secret";
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
  await configure(db.sql);
});
afterAll(() => db.drop());

const day = 86_400;
const now = Math.floor(Date.now() / 1000);

async function amo(requestId: string, groups: Parameters<typeof webhookBody>[0]) {
  const response = await handlerFor(db.sql)(
    post(webhookBody(groups), { headers: { "x-amocrm-requestid": requestId } }),
  );
  expect(response.status).toBe(200);
  return (await response.json()) as { event_id: number; status: string };
}

async function lead(submission: Record<string, string>) {
  const handler = createLeadCaptureHandler({ sql: db.sql, config: { secret: LEAD_SECRET, deadlineMs: 60_000 } });
  return handler(
    new Request("http://localhost/", {
      method: "POST",
      headers: { authorization: `Bearer ${LEAD_SECRET}`, "content-type": "application/json" },
      body: JSON.stringify(submission),
    }),
  );
}

/** Every computed row of deals, sales and leads, minus the bookkeeping timestamp of the write. */
async function computedState() {
  const rows = async (table: string, key: string) =>
    (await db.sql.unsafe(`select to_jsonb(t) - 'updated_at' as row from ${table} as t order by ${key}`)).map(
      (r) => r.row,
    );
  return {
    deals: await rows("voronka.amocrm_deal", "id"),
    sales: await rows("voronka.sale", "deal_id"),
    leads: await rows("voronka.lead", "source, external_id"),
  };
}

describe("apply_retention", () => {
  let failedId: number;
  let pendingId: number;

  beforeAll(async () => {
    const old = now - 500 * day;
    // Deal 1 (old): won, lost, re-won, price changed — a sale with a void history.
    await amo("d1-won", [
      {
        action: "status",
        leads: [
          { id: 1, status_id: 142, old_status_id: 1, pipeline_id: PIPELINE.express, price: 5000, last_modified: old },
        ],
      },
    ]);
    await amo("d1-lost", [
      {
        action: "status",
        leads: [
          {
            id: 1,
            status_id: 143,
            old_status_id: 142,
            pipeline_id: PIPELINE.express,
            price: 5000,
            last_modified: old + day,
          },
        ],
      },
    ]);
    await amo("d1-rewon", [
      {
        action: "status",
        leads: [
          {
            id: 1,
            status_id: 142,
            old_status_id: 143,
            pipeline_id: PIPELINE.express,
            price: 5000,
            last_modified: old + 2 * day,
          },
        ],
      },
    ]);
    await amo("d1-price", [
      {
        action: "update",
        leads: [{ id: 1, status_id: 142, pipeline_id: PIPELINE.express, price: 5500, last_modified: old + 3 * day }],
      },
    ]);
    // Deal 2: old history, last change recent (flagman won long ago, lost now).
    await amo("d2-won", [
      {
        action: "status",
        leads: [
          { id: 2, status_id: 142, old_status_id: 1, pipeline_id: PIPELINE.flagman, price: 490000, last_modified: old },
        ],
      },
    ]);
    await amo("d2-lost", [
      {
        action: "status",
        leads: [
          {
            id: 2,
            status_id: 143,
            old_status_id: 142,
            pipeline_id: PIPELINE.flagman,
            price: 490000,
            last_modified: now - day,
          },
        ],
      },
    ]);
    // Deal 3: a lead-pipeline deal (a lead), old.
    await amo("d3-add", [
      {
        action: "add",
        leads: [{ id: 3, status_id: 10, pipeline_id: PIPELINE.leads, price: 0, last_modified: old, created_at: old }],
      },
    ]);
    // An ignored event (no deals), old. (Contacts are processed since people.sql: a task is not.)
    const ignored = await amo("task", [{ entity: "task", action: "add", leads: [{ id: 77 }] }]);
    expect(ignored.status).toBe("ignored");
    // A failed and a pending event, old: never deleted.
    [{ id: failedId }] = await db.sql`
      insert into inbox.amocrm_webhook_event (body, body_sha256, status, error, request_id)
      values ('broken', sha256('broken'), 'failed', 'unparseable', 'failed-1') returning id`;
    [{ id: pendingId }] = await db.sql`
      insert into inbox.amocrm_webhook_event (body, body_sha256, status, request_id)
      values ('pending', sha256('pending'), 'pending', 'pending-1') returning id`;
    // Everything above was received 500 days ago, except deal 2's recent change.
    await db.sql`
      update inbox.amocrm_webhook_event
      set received_at = now() - interval '500 days', last_received_at = now() - interval '500 days'
      where request_id is distinct from 'd2-lost'`;

    // ProfTest: two old processed submissions, one recent, one old rejected, one old pending.
    expect((await lead({ submission_id: "old-1", utm_source: "facebook", utm_campaign: "kenesary_x" })).status).toBe(
      201,
    );
    expect((await lead({ submission_id: "old-2" })).status).toBe(201);
    expect((await lead({ submission_id: "new-1" })).status).toBe(201);
    expect((await lead({ occurred_at: "not a date" })).status).toBe(400);
    await db.sql`insert into inbox.lead_capture_event (body) values ('{"submission_id":"stuck"}')`;
    await db.sql`
      update inbox.lead_capture_event set received_at = now() - interval '450 days'
      where body not like '%new-1%'`;

    // Facebook sync runs, all older than the window: the latest successful and the latest stay.
    await db.sql`
      insert into voronka.fb_sync_run (started_at, finished_at, status, message)
      values (now() - interval '600 days', now() - interval '600 days', 'succeeded', 'r1'),
             (now() - interval '550 days', now() - interval '550 days', 'failed', 'r2'),
             (now() - interval '500 days', now() - interval '500 days', 'succeeded', 'r3'),
             (now() - interval '450 days', now() - interval '450 days', 'failed', 'r4')`;
  });

  it("deletes only processed/ignored raw events and old runs, and recomputes the same deals, sales and leads", async () => {
    await db.sql`select voronka.amocrm_refresh_all_deals()`;
    const before = await computedState();
    expect(before.sales.length).toBe(2);
    const observationsBefore = (await db.sql`select count(*)::int as n from voronka.amocrm_deal_observation`)[0].n;

    const deleted = await db.sql`select table_name, deleted::int from voronka.apply_retention()`;
    expect(Object.fromEntries(deleted.map((r) => [r.table_name, r.deleted]))).toEqual({
      // d1 ×4, d2-won, d3-add, contacts
      "inbox.amocrm_webhook_event": 7,
      // old-1, old-2
      "inbox.lead_capture_event": 2,
      // r1, r2
      "voronka.fb_sync_run": 2,
    });

    const amoLeft = await db.sql`select request_id, status from inbox.amocrm_webhook_event order by id`;
    expect(amoLeft.map((r) => r.request_id).sort()).toEqual(["d2-lost", "failed-1", "pending-1"]);
    expect(
      (await db.sql`select id from inbox.amocrm_webhook_event where id in (${failedId}, ${pendingId})`).length,
    ).toBe(2);
    const leadLeft = await db.sql`select status, body from inbox.lead_capture_event order by id`;
    expect(leadLeft.map((r) => r.status).sort()).toEqual(["pending", "processed", "rejected"]);
    expect(leadLeft.find((r) => r.status === "processed")!.body).toContain("new-1");
    expect((await db.sql`select message from voronka.fb_sync_run order by id`).map((r) => r.message)).toEqual([
      "r3",
      "r4",
    ]);

    // Observations are all kept; the deleted events' links become null.
    const observations = await db.sql`
      select count(*)::int as n, count(inbox_event_id)::int as linked from voronka.amocrm_deal_observation`;
    expect(observations[0].n).toBe(observationsBefore);
    expect(observations[0].linked).toBe(1); // d2-lost

    // A replay from what is left gives exactly the same deals, sales (with void history) and leads.
    await db.sql`select voronka.amocrm_refresh_all_deals()`;
    expect(await computedState()).toEqual(before);

    // Run again: nothing more to do.
    const again = await db.sql`select sum(deleted)::int as n from voronka.apply_retention()`;
    expect(again[0].n).toBe(0);
  });

  it("a newer successful run releases the older ones", async () => {
    await db.sql`insert into voronka.fb_sync_run (finished_at, status, message) values (now(), 'succeeded', 'r5')`;
    await db.sql`select voronka.apply_retention()`;
    expect((await db.sql`select message from voronka.fb_sync_run order by id`).map((r) => r.message)).toEqual(["r5"]);
  });

  it("the setting: null keeps everything, below 30 days is refused, the default is 400 days", async () => {
    expect((await db.sql`select raw_retention::text from voronka.setting`)[0].raw_retention).toBe("400 days");
    await expect(db.sql`update voronka.setting set raw_retention = interval '1 day'`).rejects.toThrow(
      /setting_raw_retention_sane/,
    );
    await db.sql`update voronka.setting set raw_retention = null`;
    await db.sql`update inbox.lead_capture_event set received_at = now() - interval '5000 days'`;
    expect(await db.sql`select * from voronka.apply_retention()`).toEqual([]);
    expect((await db.sql`select count(*)::int as n from inbox.lead_capture_event`)[0].n).toBe(3);
    await db.sql`update voronka.setting set raw_retention = default`;
  });

  it("the local stack's scheduled job runs it and logs what it deleted", async () => {
    await db.sql`update inbox.amocrm_webhook_event set last_received_at = now() - interval '450 days' where request_id = 'd2-lost'`;
    const lines: string[] = [];
    await runRetention(db.sql, (line) => lines.push(line));
    expect(lines).toEqual([
      "[retention] deleted raw data older than 400 days: inbox.amocrm_webhook_event 1, inbox.lead_capture_event 1, voronka.fb_sync_run 0",
    ]);
  });
});

// The edges, each counted by hand: a row exactly at the cutoff (now() − 400 days, the default) is
// kept, one a microsecond older is deleted; the limit counts only rows that are really deleted; a
// recent run that is not the latest is kept; with no successful run at all only the latest is kept;
// and an event redelivered while retention deletes is re-checked, not deleted.
describe("apply_retention at its edges", () => {
  let edges: TestDatabase;
  beforeAll(async () => {
    edges = await createTestDatabase();
  });
  afterAll(() => edges.drop());

  const deletedBy = (rows: { table_name: string; deleted: number }[]) =>
    Object.fromEntries(rows.map((r) => [r.table_name, r.deleted]));

  it("keeps an event exactly at the cutoff and deletes one a microsecond older, also when the limit is 1", async () => {
    const result = await edges.sql.begin(async (tx) => {
      // now() is the transaction's start: the cutoff apply_retention computes is the same instant.
      await tx`
        insert into inbox.amocrm_webhook_event (body, body_sha256, status, request_id, received_at, last_received_at)
        values ('at', sha256('at'), 'processed', 'at-cutoff', now() - interval '400 days', now() - interval '400 days'),
               ('older', sha256('older'), 'ignored', 'older', now() - interval '400 days 0.000001 seconds',
                now() - interval '400 days 0.000001 seconds')`;
      await tx`
        insert into inbox.lead_capture_event (body, status, received_at)
        values ('{"submission_id":"at"}', 'processed', now() - interval '400 days'),
               ('{"submission_id":"older"}', 'processed', now() - interval '400 days 0.000001 seconds')`;
      // The row at the cutoff has the lower id: a limit of 1 that let it through would delete nothing.
      const deleted = await tx`select table_name, deleted::int from voronka.apply_retention(1)`;
      const amo = await tx`select request_id from inbox.amocrm_webhook_event order by id`;
      const leads = await tx`select body from inbox.lead_capture_event order by id`;
      return { deleted, amo, leads };
    });
    expect(deletedBy(result.deleted as never)).toEqual({
      "inbox.amocrm_webhook_event": 1,
      "inbox.lead_capture_event": 1,
      "voronka.fb_sync_run": 0,
    });
    expect(result.amo.map((r) => r.request_id)).toEqual(["at-cutoff"]);
    expect(result.leads.map((r) => r.body)).toEqual(['{"submission_id":"at"}']);
    await edges.sql`delete from inbox.amocrm_webhook_event`;
    await edges.sql`delete from inbox.lead_capture_event`;
  });

  it("keeps a run finished exactly at the cutoff and a recent one, though neither is the latest", async () => {
    const messages = await edges.sql.begin(async (tx) => {
      await tx`
        insert into voronka.fb_sync_run (started_at, finished_at, status, message)
        values (now() - interval '401 days', now() - interval '400 days 0.000001 seconds', 'succeeded', 'older'),
               (now() - interval '401 days', now() - interval '400 days', 'succeeded', 'at-cutoff'),
               (now() - interval '2 days', now() - interval '2 days', 'failed', 'recent'),
               (now() - interval '1 day', now() - interval '1 day', 'succeeded', 'latest')`;
      await tx`select voronka.apply_retention()`;
      return tx`select message from voronka.fb_sync_run order by id`;
    });
    expect(messages.map((r) => r.message)).toEqual(["at-cutoff", "recent", "latest"]);
    await edges.sql`delete from voronka.fb_sync_run`;
  });

  it("with no successful run at all, deletes every old run but the latest", async () => {
    await edges.sql`
      insert into voronka.fb_sync_run (started_at, finished_at, status, message)
      values (now() - interval '600 days', now() - interval '600 days', 'failed', 'f1'),
             (now() - interval '550 days', now() - interval '550 days', 'failed', 'f2'),
             (now() - interval '500 days', now() - interval '500 days', 'failed', 'f3')`;
    const deleted = await edges.sql`select table_name, deleted::int from voronka.apply_retention()`;
    expect(deletedBy(deleted as never)["voronka.fb_sync_run"]).toBe(2);
    expect((await edges.sql`select message from voronka.fb_sync_run`).map((r) => r.message)).toEqual(["f3"]);
    await edges.sql`delete from voronka.fb_sync_run`;
  });

  it("an event redelivered while retention waits for its row is kept (the delete re-checks it)", async () => {
    await edges.sql`
      insert into inbox.amocrm_webhook_event (body, body_sha256, status, request_id, received_at, last_received_at)
      values ('raced', sha256('raced'), 'processed', 'raced', now() - interval '500 days', now() - interval '500 days')`;
    let retention: Promise<{ table_name: string; deleted: number }[]> | undefined;
    await edges.sql.begin(async (redelivery) => {
      // The redelivery holds the row (as the receiver's upsert does) until it commits.
      await redelivery`
        update inbox.amocrm_webhook_event
        set last_received_at = now(), deliveries = deliveries + 1 where request_id = 'raced'`;
      retention = Promise.resolve(
        edges.sql`select table_name, deleted::int from voronka.apply_retention()`,
      ) as unknown as Promise<{ table_name: string; deleted: number }[]>;
      // Commit only once retention has chosen the row and waits for its lock.
      let waiting = 0;
      for (let i = 0; i < 400 && waiting === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        [{ waiting }] = await edges.sql`
          select count(*)::int as waiting from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock' and query like '%apply_retention%'`;
      }
      expect(waiting).toBe(1);
    });
    const deleted = await retention!;
    expect(deletedBy(deleted)["inbox.amocrm_webhook_event"]).toBe(0);
    expect((await edges.sql`select deliveries from inbox.amocrm_webhook_event where request_id = 'raced'`)[0]).toEqual({
      deliveries: 2,
    });
  });
});
