// Property: amoCRM sends several webhooks for one deal within the same second, and they may be
// processed at the same instant on different connections. Whatever the interleaving, deals,
// sales (voided audit rows included), leads and the funnel report must equal an ordered run.
//
// Two databases get the same generated bodies: one in sequence order, one all at once (every
// body of every deal fired together over a pool of many connections, each deal's bodies in a
// random order). Several rounds, so a race has many chances to show.
import fc from "fast-check";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";
import { configure, dealEventBody, deleteBody, handlerFor, PIPELINE, post } from "./support.ts";

let ordered: TestDatabase;
let concurrent: TestDatabase;
let concurrentPool: postgres.Sql;

beforeAll(async () => {
  [ordered, concurrent] = await Promise.all([createTestDatabase(), createTestDatabase()]);
  await Promise.all([configure(ordered.sql), configure(concurrent.sql)]);
  concurrentPool = postgres(concurrent.url, { onnotice: () => {}, max: 24 });
});
afterAll(async () => {
  await concurrentPool.end({ timeout: 5 });
  await Promise.all([ordered.drop(), concurrent.drop()]);
});

interface Step {
  action: "add" | "status" | "update" | "responsible" | "restore" | "delete";
  status: number;
  pipeline: number;
  price: number | null;
  utm: "facebook" | "instagram" | null;
  /** A delete as amoCRM really sends it: id, status and pipeline only, no time. */
  timeless: boolean;
}

const stepArb: fc.Arbitrary<Step> = fc.record({
  action: fc.constantFrom("status", "status", "update", "responsible", "restore", "delete"),
  status: fc.constantFrom(142, 142, 143, 555),
  pipeline: fc.constantFrom(PIPELINE.leads, PIPELINE.express, PIPELINE.flagman, PIPELINE.other),
  price: fc.option(fc.constantFrom(5000, 7500, 450000, 490000), { nil: null }),
  utm: fc.option(fc.constantFrom("facebook" as const, "instagram" as const), { nil: null }),
  timeless: fc.boolean(),
});

// A deal's life: created in the lead pipeline, then 2-6 changes. At most one time-less body per
// deal: two of them have no order amoCRM vouches for (both wait for an API read).
const lifeArb = fc.array(stepArb, { minLength: 2, maxLength: 6 }).map((steps): Step[] => {
  let timelessSeen = false;
  const changes = steps.map((s) => {
    const timeless = s.action === "delete" && s.timeless && !timelessSeen;
    timelessSeen ||= timeless;
    return { ...s, timeless };
  });
  const add: Step = {
    action: "add",
    status: 10,
    pipeline: PIPELINE.leads,
    price: 0,
    utm: "facebook",
    timeless: false,
  };
  return [add, ...changes];
});

// Inside the report window (the 30 days up to 2026-11-22 in Almaty).
const T0 = Math.floor(Date.parse("2026-11-20T06:00:00Z") / 1000);

function bodyOf(dealId: number, life: Step[], index: number): string {
  const step = life[index];
  if (step.timeless) return deleteBody(dealId, step.status, step.pipeline);
  return dealEventBody({
    action: step.action,
    id: dealId,
    name: `deal ${dealId}`,
    status: step.status,
    pipeline: step.pipeline,
    // amoCRM's own modification times, in sequence order, a minute apart.
    at: T0 + index * 60,
    createdAt: T0 - 3600,
    price: step.price,
    previousStatus: step.action === "status" ? (index > 0 ? life[index - 1].status : 1) : undefined,
    utm: step.utm ? { source: step.utm, campaign: "kenesary_video" } : null,
  });
}

function shuffle<T>(items: T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

async function rows(sql: postgres.Sql, ids: number[]) {
  const deals = await sql`
    select id, status_id, pipeline_id, price, is_deleted, won_at, amo_updated_at, utm_source, utm_campaign, team_id,
           needs_enrichment, data_issues, state_observation_count
    from voronka.amocrm_deal where id = any(${ids}::bigint[]) order by id`;
  const sales = await sql`
    select deal_id, product_id, amount, currency, won_at, voided_at, void_reason
    from voronka.sale where deal_id = any(${ids}::bigint[]) order by deal_id`;
  const leads = await sql`
    select external_id, occurred_at, utm_source, team_id, amocrm_deal_id
    from voronka.lead where source = 'amocrm' and amocrm_deal_id = any(${ids}::bigint[]) order by external_id`;
  return { deals, sales, leads };
}

async function report(sql: postgres.Sql) {
  const [{ r }] = await sql`select public.funnel_report(null, 30, '2026-11-22') as r`;
  const { freshness: _freshness, ...figures } = r as Record<string, unknown>;
  return figures;
}

const ROUNDS = 6;
const DEALS_PER_ROUND = 40;

describe("concurrent delivery of one deal's webhooks", () => {
  it("ends in exactly the ordered run's deals, sales, leads and report, round after round", async () => {
    const orderedHandler = handlerFor(ordered.sql);
    const concurrentHandler = handlerFor(concurrentPool);
    let nextId = 9_100_000;
    for (let round = 0; round < ROUNDS; round++) {
      const lives = fc.sample(lifeArb, { numRuns: DEALS_PER_ROUND, seed: 7001 + round });
      const deals = lives.map((life) => ({ id: nextId++, life }));
      const ids = deals.map((d) => d.id);

      // The truth: every deal's bodies one after another, in amoCRM's order.
      for (const { id, life } of deals) {
        for (let i = 0; i < life.length; i++) {
          expect((await orderedHandler(post(bodyOf(id, life, i)))).status).toBe(200);
        }
      }

      // Everything at once: each deal's bodies shuffled, all deals interleaved, all in flight.
      const random = seededRandom(91 + round);
      const requests = deals.flatMap(({ id, life }) =>
        shuffle(
          life.map((_, i) => bodyOf(id, life, i)),
          random,
        ),
      );
      const answers = await Promise.all(
        shuffle(requests, random).map(async (body) => (await concurrentHandler(post(body))).status),
      );
      expect(answers.every((status) => status === 200)).toBe(true);

      const [truth, raced] = await Promise.all([rows(ordered.sql, ids), rows(concurrent.sql, ids)]);
      expect(raced.deals).toEqual(truth.deals);
      expect(raced.sales).toEqual(truth.sales);
      expect(raced.leads).toEqual(truth.leads);
      const [{ failed }] = await concurrent.sql`
        select count(*)::int as failed from inbox.amocrm_webhook_event where status = 'failed'`;
      expect(failed).toBe(0);
    }
    expect(await report(concurrent.sql)).toEqual(await report(ordered.sql));
    // The test is only as good as its data: it must have contained sales, voids and leads.
    const [mix] = await ordered.sql`
      select count(*) filter (where voided_at is null)::int as counted, count(*) filter (where voided_at is not null)::int as voided,
             (select count(*)::int from voronka.lead where source = 'amocrm') as leads
      from voronka.sale`;
    expect(mix.counted).toBeGreaterThan(20);
    expect(mix.voided).toBeGreaterThan(20);
    expect(mix.leads).toBeGreaterThan(20);
  });
});

/** Deterministic PRNG (mulberry32), so a failing interleaving is one seed away. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
