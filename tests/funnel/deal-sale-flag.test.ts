// won_deal_without_product reads only the won deals without a mapped sale, through
// voronka.amocrm_deal.has_mapped_sale, which the sale triggers keep (sales.sql). Every write to a
// sale row — one or many per statement, insert, update, delete, truncate — must leave the flag and
// the check exactly as the sale rows say; the rebuild mends a write no trigger saw.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";
import { addTeams } from "./fixtures.ts";

let db: TestDatabase;
beforeEach(async () => {
  db = await createTestDatabase();
  await addTeams(db.sql, "kenesary");
  // Deals 101..104 won on 2026-11-20 (Almaty) in pipeline 5555, which maps to no product; 105 won
  // the day before the window (never counted).
  await db.sql`
    insert into voronka.amocrm_deal (id, pipeline_id, status_id, price, amo_updated_at, won_at, utm_source)
    values (101, 5555, 142, 7000, '2026-11-20T10:00:00+05:00', '2026-11-20T10:00:00+05:00', 'kenesary'),
           (102, 5555, 142, 7000, '2026-11-20T11:00:00+05:00', '2026-11-20T11:00:00+05:00', 'kenesary'),
           (103, 5555, 142, 7000, '2026-11-20T12:00:00+05:00', '2026-11-20T12:00:00+05:00', null),
           (104, 5555, 142, 7000, '2026-11-20T13:00:00+05:00', '2026-11-20T13:00:00+05:00', 'kenesary'),
           (105, 5555, 142, 7000, '2026-11-19T10:00:00+05:00', '2026-11-19T10:00:00+05:00', 'kenesary')`;
});
afterEach(() => db.drop());

interface Check {
  code: string;
  severity: string;
  count: number;
  sample_ids: number[];
  pipeline_ids: number[];
}

/** won_deal_without_product for 2026-11-20..2026-11-21, every team. */
async function withoutProduct(): Promise<Check> {
  const [{ h }] = await db.sql`select public.data_health(null, 2, '2026-11-21'::date) as h`;
  return (h.checks as Check[]).find((c) => c.code === "won_deal_without_product")!;
}

/** The deals whose flag is set, in id order. */
async function flagged(): Promise<number[]> {
  const rows = await db.sql`select id::int from voronka.amocrm_deal where has_mapped_sale order by id`;
  return rows.map((r) => r.id as number);
}

const sale = (deal: number, voided: "lost" | "reopened" | "deleted" | "unmapped" | null) =>
  db.sql`insert into voronka.sale (deal_id, product_id, amount, won_at, voided_at, void_reason)
         values (${deal}, 'express', 7000, '2026-11-20T10:00:00+05:00',
                 ${voided ? "2026-11-20T15:00:00+05:00" : null}, ${voided})`;

describe("has_mapped_sale and won_deal_without_product", () => {
  it("follow every write to the sale rows", async () => {
    // No sales: the four won deals of the window, not 105 (won the day before).
    expect(await flagged()).toEqual([]);
    expect(await withoutProduct()).toMatchObject({
      severity: "error",
      count: 4,
      sample_ids: [101, 102, 103, 104],
      pipeline_ids: [5555],
    });

    // One statement, four rows: counted, voided unmapped, voided lost, voided deleted.
    await db.sql`insert into voronka.sale (deal_id, product_id, amount, won_at, voided_at, void_reason)
                 values (101, 'express', 7000, '2026-11-20T10:00:00+05:00', null, null),
                        (102, 'express', 7000, '2026-11-20T11:00:00+05:00', '2026-11-20T15:00:00+05:00', 'unmapped'),
                        (103, 'express', 7000, '2026-11-20T12:00:00+05:00', '2026-11-20T15:00:00+05:00', 'lost'),
                        (105, 'express', 7000, '2026-11-19T10:00:00+05:00', '2026-11-19T15:00:00+05:00', 'deleted')`;
    expect(await flagged()).toEqual([101, 103, 105]);
    // 102 (voided as unmapped) and 104 (no sale).
    expect(await withoutProduct()).toMatchObject({ count: 2, sample_ids: [102, 104] });

    // One statement swaps 101 and 102: 101 voided as unmapped, 102 counted again.
    await db.sql`update voronka.sale
                 set voided_at = case deal_id when 101 then '2026-11-20T16:00:00+05:00'::timestamptz end,
                     void_reason = case deal_id when 101 then 'unmapped' end
                 where deal_id in (101, 102)`;
    expect(await flagged()).toEqual([102, 103, 105]);
    expect(await withoutProduct()).toMatchObject({ count: 2, sample_ids: [101, 104] });

    // Another reason than unmapped keeps the flag; unmapped clears it.
    await db.sql`update voronka.sale set void_reason = 'reopened' where deal_id = 103`;
    expect(await flagged()).toEqual([102, 103, 105]);
    await db.sql`update voronka.sale set void_reason = 'unmapped' where deal_id = 103`;
    expect(await flagged()).toEqual([102, 105]);
    expect(await withoutProduct()).toMatchObject({ count: 3, sample_ids: [101, 103, 104] });

    // A new sale for 104, then the sale of 102 deleted.
    await sale(104, null);
    await db.sql`delete from voronka.sale where deal_id = 102`;
    expect(await flagged()).toEqual([104, 105]);
    expect(await withoutProduct()).toMatchObject({ count: 3, sample_ids: [101, 102, 103] });

    // A truncate leaves no sale at all.
    await db.sql`truncate voronka.sale`;
    expect(await flagged()).toEqual([]);
    expect(await withoutProduct()).toMatchObject({ count: 4, sample_ids: [101, 102, 103, 104] });
  });

  it("a sale statement that changes no flag writes no deal", async () => {
    await sale(101, "lost");
    const [before] = await db.sql`select xmin::text as x from voronka.amocrm_deal where id = 101`;
    // lost → deleted: the flag stays true, so the deal row is not rewritten.
    await db.sql`update voronka.sale set void_reason = 'deleted' where deal_id = 101`;
    const [after] = await db.sql`select xmin::text as x from voronka.amocrm_deal where id = 101`;
    expect(after.x).toBe(before.x);
    expect(await flagged()).toEqual([101]);
  });

  it("a write no trigger saw hides the deal until the rebuild mends the flag", async () => {
    await sale(101, null);
    expect(await withoutProduct()).toMatchObject({ count: 3, sample_ids: [102, 103, 104] });
    // A hand edit with the flag's trigger off: the flag still says 101 has a mapped sale, so the
    // check (which reads only unflagged deals) misses it...
    await db.sql`alter table voronka.sale disable trigger sale_deal_flag_on_update`;
    await db.sql`update voronka.sale set voided_at = now(), void_reason = 'unmapped' where deal_id = 101`;
    await db.sql`alter table voronka.sale enable trigger sale_deal_flag_on_update`;
    expect(await flagged()).toEqual([101]);
    expect(await withoutProduct()).toMatchObject({ count: 3 });
    // ...until the nightly rebuild, the safety net for such writes, recomputes every flag.
    await db.sql`select analytics.rebuild_funnel_analytics()`;
    expect(await flagged()).toEqual([]);
    expect(await withoutProduct()).toMatchObject({ count: 4, sample_ids: [101, 102, 103, 104] });
  });
});
