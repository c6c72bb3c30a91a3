// Replay of stored webhooks: after a mapping change it re-attributes, it can be limited to
// failed events or a range, and replaying twice changes nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { replayAmocrmEvents } from "../../supabase/functions/_shared/amocrm/replay.ts";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";
import { configure, dealOf, handlerFor, PIPELINE, post, unix, webhookBody } from "./support.ts";

let db: TestDatabase;
const ids: number[] = [];
beforeAll(async () => {
  db = await createTestDatabase();
  await configure(db.sql);
  const handler = handlerFor(db.sql);
  const won = (id: number, source: string) =>
    webhookBody([
      {
        action: "status",
        leads: [
          {
            id,
            status_id: 142,
            old_status_id: 1,
            pipeline_id: PIPELINE.express,
            price: 5000,
            last_modified: unix("2026-11-23T05:00:00Z"),
            custom_fields: [{ id: 66339, name: "Источник", values: [{ value: source }] }],
          },
        ],
      },
    ]);
  for (const body of [
    won(9300001, "instagram"),
    won(9300002, "Instagram"),
    "leads[status][0][name]=no+id",
    won(9300003, "instagram"),
  ]) {
    ids.push((await (await handler(post(body))).json()).event_id);
  }
});
afterAll(() => db.drop());

const snapshot = async () => ({
  deals:
    await db.sql`select id, status_id, price, won_at, utm_source, team_id, updated_at from voronka.amocrm_deal order by id`,
  sales: await db.sql`select * from voronka.sale order by deal_id`,
  observations: await db.sql`select count(*)::int as n from voronka.amocrm_deal_observation`,
});

describe("npm run amocrm:replay", () => {
  it("after adding a field mapping, a range replay attributes only that range", async () => {
    expect(await dealOf(db.sql, 9300001)).toMatchObject({ utm_source: null, team_id: null });
    await db.sql`insert into voronka.amocrm_field_mapping (target, field_id) values ('utm_source', 66339)`;
    const result = await replayAmocrmEvents({ sql: db.sql, filter: { fromId: ids[0], toId: ids[1] } });
    expect(result).toMatchObject({ events: 2, processed: 2, failed: 0 });
    expect(await dealOf(db.sql, 9300001)).toMatchObject({ utm_source: "instagram", team_id: "traf4" });
    expect(await dealOf(db.sql, 9300002)).toMatchObject({ utm_source: "Instagram", team_id: "traf4" });
    expect(await dealOf(db.sql, 9300003)).toMatchObject({ utm_source: null });
  });

  it("--failed replays only events stored unprocessed (and they stay failed with their error)", async () => {
    const result = await replayAmocrmEvents({ sql: db.sql, filter: { failedOnly: true } });
    expect(result).toMatchObject({ events: 1, failed: 1 });
    const [row] =
      await db.sql`select status, error, process_count from inbox.amocrm_webhook_event where id = ${ids[2]}`;
    expect(row).toMatchObject({ status: "failed", process_count: 2 });
    expect(row.error).toMatch(/without a numeric id/);
  });

  it("all, twice: the second replay changes nothing", async () => {
    await replayAmocrmEvents({ sql: db.sql, filter: {} });
    expect(await dealOf(db.sql, 9300003)).toMatchObject({ team_id: "traf4" });
    const before = await snapshot();
    const again = await replayAmocrmEvents({ sql: db.sql, filter: {} });
    expect(again).toMatchObject({ events: 4, processed: 3, failed: 1 });
    expect(await snapshot()).toEqual(before);
  });
});
