// Replay's counts and lists for each kind of stored event: a body that no longer parses (failed,
// with the parser's reason), a body without deals or contacts (ignored), and minimal webhooks whose
// deals wait for enrichment (listed once each, in id order across events).
import { afterAll, beforeAll, expect, it } from "vitest";
import { replayAmocrmEvents } from "../../supabase/functions/_shared/amocrm/replay.ts";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";
import { configure, handlerFor, PIPELINE, post, webhookBody } from "./support.ts";

let db: TestDatabase;
const ids: number[] = [];
const minimal = (...dealIds: number[]) =>
  webhookBody([
    {
      action: "status",
      leads: dealIds.map((id) => ({ id, status_id: 142, old_status_id: 555, pipeline_id: PIPELINE.express })),
    },
  ]);

// Events in receipt order: minimal deal 9600009; minimal deals 9600005 and 9600001 (and 9600009
// again); a task only (no deal, no contact); a body whose `x[y]` nests under the plain `x`.
beforeAll(async () => {
  db = await createTestDatabase();
  await configure(db.sql);
  const handler = handlerFor(db.sql);
  for (const body of [
    minimal(9600009),
    minimal(9600005, 9600001, 9600009),
    webhookBody([{ action: "add", entity: "task", leads: [{ id: 77 }] }]),
    "leads[status][0][id]=9600002&x=1&x[y]=2",
  ]) {
    ids.push((await (await handler(post(body))).json()).event_id);
  }
});
afterAll(() => db.drop());

it("counts processed, ignored and failed events, and lists the deals to enrich once each, in id order", async () => {
  const progress: [number, number][] = [];
  const result = await replayAmocrmEvents({
    sql: db.sql,
    filter: { fromId: ids[0] },
    batchSize: 3,
    onProgress: (done, total) => progress.push([done, total]),
  });
  expect(result).toEqual({
    events: 4,
    processed: 2,
    ignored: 1,
    failed: 1,
    needsEnrichment: [9600001, 9600005, 9600009],
  });
  // Two batches (3 + 1), each reported with the total.
  expect(progress).toEqual([
    [3, 4],
    [4, 4],
  ]);
  const events = await db.sql`
    select status, error from inbox.amocrm_webhook_event where id = any (${ids}) order by id`;
  expect(events.map((e) => e.status)).toEqual(["processed", "processed", "ignored", "failed"]);
  // The replay's own parse error replaces the stored one, prefixed so the operator can tell.
  expect(events[3].error).toMatch(/^unparseable body: parameter .*x\[y\].* nests under a plain value$/);
});
