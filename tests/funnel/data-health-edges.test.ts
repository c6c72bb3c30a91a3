// data_health on the cases its main dataset does not contain: an empty database (every check ok
// with count 0), and rows exactly at the window's edges — 00:00 Almaty of the first day is in,
// 00:00 of the day after is out — for every check that counts within the window.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";
import { addAdAccount, addInsight, addLead, addSale, addTeams, DATA_HEALTH_CHECK_CODES } from "./fixtures.ts";

let db: TestDatabase;
beforeEach(async () => {
  db = await createTestDatabase();
  await addTeams(db.sql, "kenesary");
});
afterEach(() => db.drop());

interface Check {
  code: string;
  severity: string;
  count: number;
  [key: string]: unknown;
}

async function health(until: string, days: number) {
  const [{ h }] = await db.sql`select public.data_health(null, ${days}, ${until}::date) as h`;
  return h as { status: string; checks: Check[] };
}

const check = (h: { checks: Check[] }, code: string) => {
  const found = h.checks.find((c) => c.code === code);
  if (!found) throw new Error(`no check ${code}`);
  return found;
};

// Window 2026-11-20 .. 2026-11-21 in Almaty (UTC+5): [2026-11-19T19:00Z, 2026-11-21T19:00Z).
const FIRST = "2026-11-19T19:00:00Z"; // 11-20 00:00 local: in
const BEFORE = "2026-11-19T18:59:59Z"; // out
const LAST = "2026-11-21T18:59:59Z"; // in
const AFTER = "2026-11-21T19:00:00Z"; // 11-22 00:00 local: out

describe("data_health", () => {
  it("on an empty database: every check ok with a count of 0", async () => {
    // A fresh refresh, so the view's age is not a finding; no Facebook sync ever ran (nothing to
    // call stale: there are no ad accounts).
    await db.sql`select analytics.refresh_funnel_analytics()`;
    const h = await health("2026-11-21", 2);
    expect(h.status).toBe("ok");
    expect(h.checks.map((c) => [c.code, c.severity, c.count])).toEqual(
      DATA_HEALTH_CHECK_CODES.map((code) => [code, "ok", 0]),
    );
    // ...and each says that all is well, not "0 … could not …".
    const problems = h.checks.filter(
      (c) => !/^(Every|No|analytics\.funnel_analytics was refreshed at) /.test(String(c.message)),
    );
    expect(problems.map((c) => [c.code, c.message])).toEqual([]);
    expect(h.checks.filter((c) => /\(s\)|for ,|^0 /.test(String(c.message))).map((c) => c.code)).toEqual([]);
    // ...and every list in the details is empty, not null.
    const details = Object.fromEntries(
      h.checks.map(({ code, severity: _s, count: _c, message: _m, ...rest }) => [code, rest]),
    );
    delete details.analytics_refresh_age;
    expect(details).toEqual({
      ad_match_rate: { total: 0, matched: 0, rate: null, teams: [] },
      amocrm_webhook_failed: { sample_ids: [], oldest_received_at: null },
      amocrm_webhook_pending: { sample_ids: [], oldest_received_at: null },
      lead_capture_rejected: { sample_ids: [] },
      amocrm_deal_needs_enrichment: { sample_ids: [], won_without_sale: 0, oldest_updated_at: null },
      won_deal_without_product: { sample_ids: [], pipeline_ids: [] },
      utm_coverage: { leads: [], sales: { share: null, total: 0, attributed: 0 } },
      spend_without_leads: { teams: [] },
      no_spend_data: { teams: [] },
      amocrm_values_set_aside: { by_code: {}, sample_ids: [] },
      implausible_time: { leads: { count: 0, sample_ids: [] }, sales: { count: 0, sample_deal_ids: [] } },
      stale_facebook_sync: { last_synced_at: null },
      facebook_account_errors: { ad_accounts: [] },
      facebook_sync_failed: { sample_ids: [], last_run_status: null },
    });
  });

  it("counts rows at 00:00 of the first day and not at 00:00 of the day after", async () => {
    for (const at of [FIRST, BEFORE, LAST, AFTER]) {
      await db.sql`insert into inbox.lead_capture_event (received_at, body, status) values (${at}, '{}', 'rejected')`;
      await db.sql`insert into voronka.fb_sync_run (trigger, started_at, finished_at, status, message)
                   values ('http', ${at}, ${at}, 'failed', 'token expired')`;
      // Won in a pipeline no product maps to.
      await db.sql`insert into voronka.amocrm_deal (id, pipeline_id, status_id, price, amo_updated_at, won_at)
                   values (${7000000 + (Math.floor(Date.parse(at) / 1000) % 1000000)}, 5555, 142, 100, ${at}, ${at})`;
      await addLead(db.sql, at, null);
      await addSale(db.sql, { at, product: "express", amount: "5000", utmSource: null });
    }
    const h = await health("2026-11-21", 2);
    expect(check(h, "lead_capture_rejected").count).toBe(2);
    expect(check(h, "facebook_sync_failed").count).toBe(2);
    // Samples: the newest first.
    const captures = await db.sql`
      select id::int from inbox.lead_capture_event where received_at in (${FIRST}, ${LAST}) order by id desc`;
    expect(check(h, "lead_capture_rejected").sample_ids).toEqual(captures.map((r) => r.id));
    const runs =
      await db.sql`select id::int from voronka.fb_sync_run where started_at in (${FIRST}, ${LAST}) order by id desc`;
    expect(check(h, "facebook_sync_failed").sample_ids).toEqual(runs.map((r) => r.id));
    expect(check(h, "won_deal_without_product").count).toBe(2);
    expect(check(h, "utm_coverage")).toMatchObject({
      leads: [{ source: "proftest", total: 2, attributed: 0, share: 0 }],
      sales: { total: 2, attributed: 0, share: 0 },
    });
  });

  it("a sale a few hours ahead of the clock is plausible (clocks differ); one in another year is not", async () => {
    await addSale(db.sql, {
      at: new Date(Date.now() + 6 * 3600_000).toISOString(),
      product: "express",
      amount: "5000",
      utmSource: "kenesary",
    });
    expect(check(await health("2026-11-21", 2), "implausible_time").count).toBe(0);
    await addSale(db.sql, { at: "5138-01-01T00:00:00Z", product: "express", amount: "5000", utmSource: "kenesary" });
    expect(check(await health("2026-11-21", 2), "implausible_time").count).toBe(1);
  });

  it("a sale or lead exactly at 2000-01-01T00:00Z or exactly a day ahead of now is plausible; a microsecond beyond is not", async () => {
    const findings = await db.sql.begin(async (tx) => {
      // now() is the transaction's start: the same instant analytics.plausible_instants() uses. The
      // instants are written in SQL: a JavaScript Date would round them to the millisecond.
      let deal = 9100;
      const sale = async (at: string) => {
        deal++;
        await tx`
          insert into voronka.amocrm_deal (id, pipeline_id, status_id, price, amo_updated_at, won_at)
          values (${deal}, 1, 142, 5000, ${at}::text::timestamptz, ${at}::text::timestamptz)`;
        await tx`
          insert into voronka.sale (deal_id, product_id, amount, currency, won_at)
          values (${deal}, 'express', 5000, 'KZT', ${at}::text::timestamptz)`;
      };
      const lead = (at: string) =>
        tx`insert into voronka.lead (source, external_id, occurred_at) values ('proftest', ${"edge-" + ++deal}, ${at}::text::timestamptz)`;
      const [edge] = await tx`
        select (now() + interval '1 day')::text as ahead, (now() + interval '1 day 0.000001 seconds')::text as beyond`;
      const implausible = async () => {
        const [{ h }] = await tx`select public.data_health(null, 2, '2026-11-21'::date) as h`;
        const found = (h as { checks: Check[] }).checks.find((c) => c.code === "implausible_time")!;
        const { sales, leads } = found as unknown as { sales: { count: number }; leads: { count: number } };
        return [found.count, sales.count, leads.count];
      };
      for (const at of ["2000-01-01 00:00:00+00", edge.ahead]) {
        await sale(at);
        await lead(at);
      }
      const plausible = await implausible();
      await sale("1999-12-31 23:59:59.999999+00");
      await sale(edge.beyond);
      await lead("1999-12-31 23:59:59.999999+00");
      await lead(edge.beyond);
      await lead(edge.beyond);
      return { plausible, beyond: await implausible() };
    });
    expect(findings.plausible).toEqual([0, 0, 0]);
    // 2 sales and 3 leads beyond the limits.
    expect(findings.beyond).toEqual([5, 2, 3]);
  });

  it("a Facebook sync exactly 2 hours old and a refresh exactly 1 hour old are fresh; a microsecond older is not", async () => {
    await addAdAccount(db.sql, { id: "200000000000601", currency: "KZT", team: "kenesary" });
    const ages = await db.sql.begin(async (tx) => {
      // now() is the transaction's start, the instant data_health compares with.
      const at = async (sync: string, refresh: string) => {
        await tx`delete from voronka.fb_sync_run`;
        await tx`delete from analytics.funnel_refresh`;
        await tx`
          insert into voronka.fb_sync_run (trigger, started_at, finished_at, status)
          values ('http', now() - ${sync}::interval, now() - ${sync}::interval, 'succeeded')`;
        await tx`
          insert into analytics.funnel_refresh (refreshed_at, duration_ms, business_time_zone, reporting_currency)
          values (now() - ${refresh}::interval, 1, 'Asia/Almaty', 'KZT')`;
        const [{ h }] = await tx`select public.data_health(null, 2, '2026-11-21'::date) as h`;
        const pick = (code: string) => {
          const c = (h as { checks: Check[] }).checks.find((x) => x.code === code)!;
          return [c.severity, c.count, String(c.message).replace(/ at .*?(,|\.$)/, " at …$1")];
        };
        return [pick("stale_facebook_sync"), pick("analytics_refresh_age")];
      };
      return {
        exact: await at("2 hours", "1 hour"),
        older: await at("2 hours 0.000001 seconds", "1 hour 0.000001 seconds"),
      };
    });
    expect(ages.exact).toEqual([
      ["ok", 0, "The last successful Facebook sync finished at …."],
      ["ok", 0, "analytics.funnel_analytics was refreshed at …."],
    ]);
    expect(ages.older).toEqual([
      [
        "warning",
        1,
        "The last successful Facebook sync finished at …, more than 02:00:00 ago: recent spend may be missing.",
      ],
      [
        "warning",
        1,
        "analytics.funnel_analytics was last refreshed at …, more than an hour ago: reports stay correct (written days are computed live) but get slower. Check the refresh job.",
      ],
    ]);
  });

  it("an ad account throttled until exactly now has no error; until a microsecond later it has", async () => {
    await addAdAccount(db.sql, { id: "200000000000701", currency: "KZT", team: "kenesary" });
    const counts = await db.sql.begin(async (tx) => {
      const errors = async (until: string) => {
        await tx`update voronka.fb_ad_account set throttled_until = now() + ${until}::interval`;
        const [{ h }] = await tx`select public.data_health(null, 2, '2026-11-21'::date) as h`;
        return (h as { checks: Check[] }).checks.find((c) => c.code === "facebook_account_errors")!.count;
      };
      return [await errors("0 seconds"), await errors("0.000001 seconds")];
    });
    expect(counts).toEqual([0, 1]);
  });

  it("failed and pending amoCRM webhooks: counted, samples the newest first", async () => {
    const ids: Record<string, number[]> = { failed: [], pending: [] };
    for (const [i, status] of ["failed", "pending", "failed", "pending", "processed"].entries()) {
      const [{ id }] = await db.sql`
        insert into inbox.amocrm_webhook_event (body, body_sha256, status, request_id)
        values (${"b" + i}, sha256(${"b" + i}::bytea), ${status}, ${"r" + i}) returning id::int`;
      if (status !== "processed") ids[status].push(id);
    }
    const h = await health("2026-11-21", 2);
    expect(check(h, "amocrm_webhook_failed")).toMatchObject({ count: 2, sample_ids: [...ids.failed].reverse() });
    expect(check(h, "amocrm_webhook_pending")).toMatchObject({ count: 2, sample_ids: [...ids.pending].reverse() });
  });

  it("failed Facebook runs: the message quotes the latest; the last run decides error or warning, by id on a tie", async () => {
    // A failed last run before the window: nothing failed in the window, so nothing to report.
    await db.sql`insert into voronka.fb_sync_run (trigger, started_at, finished_at, status, message)
                 values ('http', ${BEFORE}, ${BEFORE}, 'failed', 'old failure')`;
    expect(check(await health("2026-11-21", 2), "facebook_sync_failed")).toMatchObject({
      severity: "ok",
      count: 0,
      last_run_status: "failed",
    });
    for (const message of ["first failure", "second failure"]) {
      await db.sql`insert into voronka.fb_sync_run (trigger, started_at, finished_at, status, message)
                   values ('http', ${LAST}, ${LAST}, 'failed', ${message})`;
    }
    const failed = check(await health("2026-11-21", 2), "facebook_sync_failed");
    expect(failed).toMatchObject({
      severity: "error",
      count: 2,
      message: "2 Facebook sync run(s) in the window failed; the latest: second failure",
      last_run_status: "failed",
    });
    // A success started at the same instant, written after them: the last run, so only a warning.
    await db.sql`insert into voronka.fb_sync_run (trigger, started_at, finished_at, status)
                 values ('http', ${LAST}, ${LAST}, 'succeeded')`;
    expect(check(await health("2026-11-21", 2), "facebook_sync_failed")).toMatchObject({
      severity: "warning",
      last_run_status: "succeeded",
    });
  });

  it("a failed run without a message is quoted as 'no message'", async () => {
    await db.sql`insert into voronka.fb_sync_run (trigger, started_at, finished_at, status)
                 values ('http', ${FIRST}, ${FIRST}, 'failed')`;
    expect(check(await health("2026-11-21", 2), "facebook_sync_failed").message).toBe(
      "1 Facebook sync run(s) in the window failed; the latest: no message",
    );
  });

  it("a won deal without a product: counted when its team is none and the report is for 'unattributed', and by its update time when won_at is unknown", async () => {
    // Won in a pipeline no product maps to; won_at unknown: amo_updated_at places it in the window.
    await db.sql`insert into voronka.amocrm_deal (id, pipeline_id, status_id, price, amo_updated_at, won_at)
                 values (7100001, 5555, 142, 100, ${FIRST}, null), (7100002, 5555, 142, 100, ${AFTER}, null)`;
    const [{ h }] = await db.sql`select public.data_health('unattributed', 2, '2026-11-21'::date) as h`;
    expect(check(h as { checks: Check[] }, "won_deal_without_product")).toMatchObject({
      count: 1,
      sample_ids: [7100001],
    });
    expect(check(await health("2026-11-21", 2), "won_deal_without_product").count).toBe(1);
    // A won deal whose pipeline does map to a product is not "without a product", sale or not.
    await db.sql`insert into voronka.product_rule (product_id, amocrm_pipeline_id) values ('express', 6666)`;
    await db.sql`insert into voronka.amocrm_deal (id, pipeline_id, status_id, price, amo_updated_at, won_at)
                 values (7100003, 6666, 142, 5000, ${FIRST}, ${FIRST})`;
    expect((await db.sql`select count(*)::int as n from voronka.sale where deal_id = 7100003`)[0].n).toBe(0);
    expect(check(await health("2026-11-21", 2), "won_deal_without_product").count).toBe(1);
  });

  it("sales of no team: the 'unattributed' report counts them in the UTM coverage and as implausible", async () => {
    const inWindow = await addSale(db.sql, { at: FIRST, product: "express", amount: "5000", utmSource: null });
    const implausible = await addSale(db.sql, {
      at: "1999-06-01T00:00:00Z",
      product: "express",
      amount: "5000",
      utmSource: null,
    });
    expect(inWindow).not.toBe(implausible);
    const [{ h }] = await db.sql`select public.data_health('unattributed', 2, '2026-11-21'::date) as h`;
    const unattributed = h as { checks: Check[] };
    expect(check(unattributed, "utm_coverage")).toMatchObject({
      count: 1,
      sales: { total: 1, attributed: 0, share: 0 },
    });
    expect(check(unattributed, "implausible_time")).toMatchObject({
      count: 1,
      sales: { count: 1, sample_deal_ids: [implausible] },
    });
  });

  it("leads of no team: the 'unattributed' report counts them, and names the bucket when no team has spend data", async () => {
    await addLead(db.sql, FIRST, null);
    await addLead(db.sql, "1999-06-01T00:00:00Z", null);
    const [{ h }] = await db.sql`select public.data_health('unattributed', 2, '2026-11-21'::date) as h`;
    const unattributed = h as { checks: Check[] };
    expect(check(unattributed, "utm_coverage")).toMatchObject({
      leads: [{ source: "proftest", total: 1, attributed: 0, share: 0 }],
    });
    expect(check(unattributed, "implausible_time").count).toBe(1);
    expect(check(unattributed, "no_spend_data")).toMatchObject({
      count: 1,
      teams: [{ team: "unattributed", leads: 1 }],
    });
    expect(check(await health("2026-11-21", 2), "no_spend_data")).toMatchObject({
      count: 1,
      teams: [{ team: "unattributed", leads: 1 }],
    });
  });

  it("an ad account of no team that failed to sync is listed as 'unattributed', also in the 'unattributed' report", async () => {
    await addAdAccount(db.sql, { id: "200000000000801", currency: "USD", team: null });
    await db.sql`update voronka.fb_ad_account set last_sync_error = 'token expired' where id = '200000000000801'`;
    const expected = {
      count: 1,
      ad_accounts: [
        { ad_account_id: "200000000000801", team: "unattributed", error: "token expired", throttled_until: null },
      ],
    };
    expect(check(await health("2026-11-21", 2), "facebook_account_errors")).toMatchObject(expected);
    const [{ h }] = await db.sql`select public.data_health('unattributed', 2, '2026-11-21'::date) as h`;
    expect(check(h as { checks: Check[] }, "facebook_account_errors")).toMatchObject(expected);
  });

  it("funnel_report's latest sale and lead: one exactly a day ahead of now counts, one a microsecond later does not", async () => {
    const latest = await db.sql.begin(async (tx) => {
      const read = async () => {
        const [row] = await tx`
          select (r -> 'freshness' ->> 'last_sale_at')::timestamptz = now() + interval '1 day' as sale_at_limit,
                 (r -> 'freshness' ->> 'last_lead_at')::timestamptz = now() + interval '1 day' as lead_at_limit,
                 (r -> 'freshness' ->> 'last_sale_at')::timestamptz = '2000-01-01 00:00:00+00' as sale_at_2000,
                 (r -> 'freshness' ->> 'last_lead_at')::timestamptz = '2000-01-01 00:00:00+00' as lead_at_2000
          from (select public.funnel_report(null, 2, '2026-11-21'::date) as r) as report`;
        return row;
      };
      const add = async (deal: number, at: string) => {
        await tx`insert into voronka.amocrm_deal (id, pipeline_id, status_id, price, amo_updated_at, won_at)
                 values (${deal}, 1, 142, 5000, ${at}::text::timestamptz, ${at}::text::timestamptz)`;
        await tx`insert into voronka.sale (deal_id, product_id, amount, currency, won_at)
                 values (${deal}, 'express', 5000, 'KZT', ${at}::text::timestamptz)`;
        await tx`insert into voronka.lead (source, external_id, occurred_at)
                 values ('proftest', ${"fresh-" + deal}, ${at}::text::timestamptz)`;
      };
      const [edge] = await tx`
        select (now() + interval '1 day')::text as ahead, (now() + interval '1 day 0.000001 seconds')::text as beyond`;
      await add(9201, "2000-01-01 00:00:00+00");
      const only2000 = await read();
      await add(9202, edge.ahead);
      await add(9203, edge.beyond);
      return { only2000, ahead: await read() };
    });
    expect(latest.only2000).toEqual({
      sale_at_limit: false,
      lead_at_limit: false,
      sale_at_2000: true,
      lead_at_2000: true,
    });
    expect(latest.ahead).toEqual({
      sale_at_limit: true,
      lead_at_limit: true,
      sale_at_2000: false,
      lead_at_2000: false,
    });
  });

  it("spend rows of 0.00 are spend data, not spend: no 'spend without leads'", async () => {
    await addAdAccount(db.sql, { id: "200000000000501", currency: "KZT", team: "kenesary" });
    // On the last day of the window (between is inclusive at both ends).
    await addInsight(db.sql, {
      account: "200000000000501",
      ad: "300000000000501",
      day: "2026-11-21",
      spend: "0.00",
      currency: "KZT",
    });
    const zero = await health("2026-11-21", 2);
    expect(check(zero, "spend_without_leads").count).toBe(0);
    expect(check(zero, "no_spend_data").count).toBe(0);
    await db.sql`update voronka.fb_ad_insight set spend = 10`;
    expect(check(await health("2026-11-21", 2), "spend_without_leads").count).toBe(1);
  });
});
