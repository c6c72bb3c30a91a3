// Property: amoCRM may repeat and reorder webhooks. Any permutation of an event sequence, with
// any repetitions, must reach the same deal, sale and lead as the ordered sequence.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";
import { configure, dealEventBody, handlerFor, PIPELINE, post } from "./support.ts";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  await configure(db.sql);
});
afterAll(() => db.drop());

interface Event {
  action: "add" | "status" | "update" | "delete" | "restore";
  status: number;
  pipeline: number;
  price: number | null;
  utm: "facebook" | "instagram" | null;
}

const eventArb: fc.Arbitrary<Event> = fc.record({
  action: fc.constantFrom("add", "status", "update", "delete", "restore"),
  status: fc.constantFrom(142, 143, 555, 556),
  pipeline: fc.constantFrom(PIPELINE.leads, PIPELINE.express, PIPELINE.flagman, PIPELINE.other),
  price: fc.option(fc.constantFrom(0, 5000, 7500, 490000), { nil: null }),
  utm: fc.option(fc.constantFrom("facebook" as const, "instagram" as const), { nil: null }),
});

// A sequence, and a delivery: a permutation of it plus repeats, shuffled together.
const scenarioArb = fc.array(eventArb, { minLength: 1, maxLength: 7 }).chain((events) => {
  const n = events.length;
  const indices = [...Array(n).keys()];
  return fc
    .tuple(fc.constant(events), fc.array(fc.integer({ min: 0, max: n - 1 }), { maxLength: n }))
    .chain(([evs, repeats]) => {
      const all = [...indices, ...repeats];
      return fc.tuple(fc.constant(evs), fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }));
    });
});

const T0 = 1764000000;

function body(dealId: number, events: Event[], index: number): string {
  const e = events[index];
  return dealEventBody({
    action: e.action,
    id: dealId,
    status: e.status,
    pipeline: e.pipeline,
    // Distinct amoCRM times in sequence order; deletes carry one too here.
    at: T0 + index * 60,
    createdAt: T0 - 3600,
    price: e.price,
    previousStatus: e.action === "status" ? (index > 0 ? events[index - 1].status : 1) : undefined,
    utm: e.utm ? { source: e.utm } : null,
  });
}

async function finalState(dealId: number) {
  const deal = await db.sql`
    select status_id, pipeline_id, price, is_deleted, won_at, amo_updated_at, utm_source, team_id, needs_enrichment, custom_fields
    from voronka.amocrm_deal where id = ${dealId}`;
  // The sale row, voided ones included: the audit trail is the same in every delivery order.
  const sale = await db.sql`
    select product_id, amount, currency, won_at, voided_at, void_reason from voronka.sale where deal_id = ${dealId}`;
  const lead =
    await db.sql`select occurred_at, utm_source, team_id from voronka.lead where source = 'amocrm' and external_id = ${String(dealId)}`;
  return { deal, sale, lead };
}

let nextId = 8_000_000;

describe("delivery order and repetition", () => {
  it("any permutation with repeats reaches the ordered sequence's final state", async () => {
    const handler = handlerFor(db.sql);
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ([events, delivery]) => {
        const ordered = nextId++;
        const shuffled = nextId++;
        for (let i = 0; i < events.length; i++) {
          expect((await handler(post(body(ordered, events, i)))).status).toBe(200);
        }
        for (const i of delivery) {
          expect((await handler(post(body(shuffled, events, i)))).status).toBe(200);
        }
        expect(await finalState(shuffled)).toEqual(await finalState(ordered));
      }),
      { numRuns: 60 },
    );
  });

  it("the sale follows the last event: won in a product pipeline counts, anything else does not", async () => {
    const handler = handlerFor(db.sql);
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ([events, delivery]) => {
        const id = nextId++;
        for (const i of delivery) await handler(post(body(id, events, i)));
        const last = events[events.length - 1];
        const lastPrice = [...events].reverse().find((e) => e.price !== null)?.price ?? null;
        const [sale] =
          await db.sql`select product_id, amount::float8 as amount, voided_at from voronka.sale where deal_id = ${id}`;
        const counts =
          last.status === 142 &&
          last.action !== "delete" &&
          (last.pipeline === PIPELINE.express || last.pipeline === PIPELINE.flagman);
        if (counts && lastPrice !== null) {
          expect(sale).toMatchObject({
            product_id: last.pipeline === PIPELINE.express ? "express" : "flagman",
            amount: lastPrice,
            voided_at: null,
          });
        } else if (!counts && sale) {
          expect(sale.voided_at).not.toBeNull();
        }
      }),
      { numRuns: 40 },
    );
  });
});
