// Silent gaps made visible: public.data_health and the same checks in funnel_report's warnings,
// on a small dataset whose every count is worked out by hand below.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asApiRole, createTestDatabase, type TestDatabase } from "../support/test-database.ts";
import { handlerFor, post, webhookBody } from "../amocrm/support.ts";
import {
  addAdAccount,
  addInsight,
  addLead,
  addSale,
  addTeams,
  DATA_HEALTH_CHECK_CODES,
  funnelReport,
  refresh,
  stage,
  type Report,
} from "./fixtures.ts";

// Window: 2024-05-02 … 2024-05-31 (30 days), Almaty (UTC+5).
// Teams kenesary, traf4, aidana.
// Spend:  account 1001 (kenesary) 30,000 KZT on 05-10; account 1002 (aidana) 12,000 KZT on 05-11.
//         traf4 owns no account: no spend rows at all.                           total 42,000 KZT
// Leads:  proftest kenesary ×3, traf4 ×2, "instagram" (no rule) ×1 → 6, 5 attributed (share 0.8333)
//         amocrm   kenesary ×1, no UTM ×1                          → 2, 1 attributed (share 0.5)
//         kenesary 4, traf4 2, aidana 0, unattributed 2 = 8 in the window.
//         traf4 lead in 1970 (implausible, in no window).
// Sales:  kenesary express 5,000 on 05-20; traf4 express 5,000 on 05-21 (2 of 2 attributed);
//         kenesary express 5,000 "won in 5138" (implausible, in no window).
// Deals:  9001 minimal won webhook, no API token: needs enrichment, won, no sale (no team);
//         9002 kenesary, needs enrichment, not won;
//         9003 traf4 won 05-19 in pipeline 5555 (no product rule); 9004 the same but won 04-01 (outside);
//         9005 kenesary, data_issues unparseable_price; 9006 no team, implausible_time + unparseable_price.
// Inbox:  amoCRM webhooks failed ×2, pending ×1, processed ×1; lead capture rejected ×1 in the window,
//         ×1 on 04-01 (outside), processed ×1.
// Facebook: a failed run on 05-20 ("token expired"), then a successful run now; account 1002 has a sync error.
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  const sql = db.sql;
  await addTeams(sql, "kenesary", "traf4", "aidana");
  await addAdAccount(sql, { id: "1001", currency: "KZT", team: "kenesary" });
  await addAdAccount(sql, { id: "1002", currency: "KZT", team: "aidana" });
  await addInsight(sql, {
    account: "1001",
    ad: "11",
    day: "2024-05-10",
    spend: "30000.00",
    clicks: 100,
    currency: "KZT",
  });
  await addInsight(sql, {
    account: "1002",
    ad: "21",
    day: "2024-05-11",
    spend: "12000.00",
    clicks: 40,
    currency: "KZT",
  });
  for (const day of ["10", "11", "12"]) await addLead(sql, `2024-05-${day}T10:00:00+05:00`, "kenesary");
  for (const day of ["13", "14"]) await addLead(sql, `2024-05-${day}T10:00:00+05:00`, "traf4");
  await addLead(sql, "2024-05-15T10:00:00+05:00", "instagram");
  await addLead(sql, "1970-01-01T00:00:00+00:00", "traf4");
  await sql`insert into voronka.lead (source, external_id, occurred_at, utm_source)
            values ('amocrm', 'a1', '2024-05-16T10:00:00+05:00', 'kenesary'),
                   ('amocrm', 'a2', '2024-05-17T10:00:00+05:00', null)`;
  await addSale(sql, { at: "2024-05-20T12:00:00+05:00", product: "express", amount: "5000", utmSource: "kenesary" });
  await addSale(sql, { at: "2024-05-21T12:00:00+05:00", product: "express", amount: "5000", utmSource: "traf4" });
  await addSale(sql, { at: "5138-01-01T00:00:00+05:00", product: "express", amount: "5000", utmSource: "kenesary" });

  // A minimal "won" webhook and no amoCRM API token: the deal can never be enriched.
  await sql`insert into voronka.product_rule (product_id, amocrm_pipeline_id) values ('express', 7000002)`;
  const answer = await handlerFor(sql)(
    post(
      webhookBody([
        { action: "status", leads: [{ id: 9001, status_id: 142, old_status_id: 555, pipeline_id: 7000002 }] },
      ]),
    ),
  );
  expect(answer.status).toBe(200);
  await sql`
    insert into voronka.amocrm_deal (id, pipeline_id, status_id, price, amo_updated_at, won_at, utm_source,
                                     needs_enrichment, data_issues)
    values (9002, 7000002, 100, null, '2024-05-18T10:00:00+05:00', null, 'kenesary', true, '[]'),
           (9003, 5555, 142, 7000, '2024-05-19T10:00:00+05:00', '2024-05-19T10:00:00+05:00', 'traf4', false, '[]'),
           (9004, 5555, 142, 7000, '2024-04-01T10:00:00+05:00', '2024-04-01T10:00:00+05:00', 'traf4', false, '[]'),
           (9005, 7000002, 100, null, '2024-05-18T10:00:00+05:00', null, 'kenesary', false,
            '[{"code": "unparseable_price", "field": "price", "value": "5,000"}]'),
           (9006, 7000002, 100, null, '2024-05-18T10:00:00+05:00', null, null, false,
            '[{"code": "implausible_time", "field": "created_at", "value": "99999999999"},
              {"code": "unparseable_price", "field": "price", "value": "-5000"}]')`;

  for (const [body, status] of [
    ["f1", "failed"],
    ["f2", "failed"],
    ["p1", "pending"],
    ["ok", "processed"],
  ]) {
    await sql`insert into inbox.amocrm_webhook_event (body, body_sha256, status)
              values (${body}, sha256(convert_to(${body}, 'UTF8')), ${status})`;
  }
  // The failed and pending events above were received now; the one processed by the handler too.
  await sql`insert into inbox.lead_capture_event (received_at, body, status)
            values ('2024-05-20T10:00:00+05:00', '{}', 'rejected'), ('2024-04-01T10:00:00+05:00', '{}', 'rejected'),
                   ('2024-05-20T11:00:00+05:00', '{}', 'processed')`;
  await sql`insert into voronka.fb_sync_run (started_at, finished_at, status, message)
            values ('2024-05-20T10:00:00+05:00', '2024-05-20T10:01:00+05:00', 'failed', 'token expired')`;
  await sql`insert into voronka.fb_sync_run (finished_at, status) values (now(), 'succeeded')`;
  await sql`update voronka.fb_ad_account set last_sync_error = 'Graph error 190' where id = '1002'`;
  await refresh(sql);
});
afterAll(() => db.drop());

interface Check extends Record<string, unknown> {
  code: string;
  severity: "ok" | "warning" | "error";
  count: number;
  message: string;
}
interface Health {
  window: Record<string, unknown>;
  teams: string[];
  scope: "all" | "teams";
  status: string;
  checks: Check[];
  generated_at: string;
}

const until = "2024-05-31";
async function healthAs(claims: Parameters<typeof asApiRole>[1], team: string | null = null): Promise<Health> {
  return asApiRole(db.sql, claims, async (tx) => {
    const [row] = await tx`select public.data_health(${team}, 30, ${until}::date) as h`;
    return row.h as Health;
  });
}
const service = { role: "service_role" as const };
const member = (...teams: string[]) => ({ role: "authenticated" as const, app_metadata: { teams } });
const byCode = (h: Health) => Object.fromEntries(h.checks.map((c) => [c.code, c]));

describe("data_health for the whole school", () => {
  it("counts every gap, with samples", async () => {
    const health = await healthAs(service);
    expect(health.window).toEqual({ from: "2024-05-02", until: "2024-05-31", days: 30, time_zone: "Asia/Almaty" });
    expect(health.teams).toEqual(["aidana", "kenesary", "traf4", "unattributed"]);
    expect(health.scope).toBe("all");
    expect(health.status).toBe("error");
    const checks = byCode(health);
    expect(health.checks.map((c) => c.code)).toEqual(DATA_HEALTH_CHECK_CODES);
    expect(checks.amocrm_webhook_failed).toMatchObject({ severity: "error", count: 2 });
    expect(checks.amocrm_webhook_failed.sample_ids).toHaveLength(2);
    expect(checks.amocrm_webhook_pending).toMatchObject({ severity: "warning", count: 1 });
    // Only the rejection on 05-20 is in the window.
    expect(checks.lead_capture_rejected).toMatchObject({ severity: "warning", count: 1 });
    // 9001 (won, no sale: error) and 9002 (not won).
    expect(checks.amocrm_deal_needs_enrichment).toMatchObject({
      severity: "error",
      count: 2,
      won_without_sale: 1,
      sample_ids: [9001, 9002],
    });
    // 9003 only: 9004 was won before the window; the fixtures' sales count, so they are not missing.
    expect(checks.won_deal_without_product).toMatchObject({
      severity: "error",
      count: 1,
      sample_ids: [9003],
      pipeline_ids: [5555],
    });
    expect(checks.utm_coverage).toMatchObject({
      severity: "warning",
      count: 2, // 1 proftest lead + 1 amocrm lead unattributed
      leads: [
        { source: "amocrm", total: 2, attributed: 1, share: 0.5 },
        { source: "proftest", total: 6, attributed: 5, share: 0.8333 },
      ],
      sales: { total: 2, attributed: 2, share: 1 },
    });
    expect(checks.spend_without_leads).toMatchObject({
      severity: "warning",
      count: 1,
      teams: [{ team: "aidana", ad_account_ids: ["1002"] }],
    });
    // traf4 has 2 leads and no spend rows; unattributed is not named while other teams have spend.
    expect(checks.no_spend_data).toMatchObject({ severity: "warning", count: 1, teams: [{ team: "traf4", leads: 2 }] });
    expect(checks.amocrm_values_set_aside).toMatchObject({
      severity: "warning",
      count: 2,
      by_code: { unparseable_price: 2, implausible_time: 1 },
      sample_ids: [9005, 9006],
    });
    expect(checks.implausible_time).toMatchObject({
      severity: "warning",
      count: 2,
      sales: { count: 1 },
      leads: { count: 1 },
    });
    expect(checks.stale_facebook_sync).toMatchObject({ severity: "ok", count: 0 });
    expect(checks.facebook_account_errors).toMatchObject({
      severity: "warning",
      count: 1,
      ad_accounts: [expect.objectContaining({ ad_account_id: "1002", team: "aidana", error: "Graph error 190" })],
    });
    // The failed run is in the window; the latest run succeeded, so a warning, not an error.
    expect(checks.facebook_sync_failed).toMatchObject({ severity: "warning", count: 1, last_run_status: "succeeded" });
    expect(checks.facebook_sync_failed.message).toMatch(/token expired/);
    expect(checks.analytics_refresh_age).toMatchObject({ severity: "ok", count: 0 });
    for (const check of health.checks) expect(check.message.length).toBeGreaterThan(10);
  });

  it("shows a won deal that can never be enriched in every window", async () => {
    for (const [days, day] of [
      [1, "2024-01-01"],
      [366, "2030-12-31"],
    ] as const) {
      const [row] = await db.sql`select public.data_health(null, ${days}, ${day}::date) as h`;
      expect(byCode(row.h as Health).amocrm_deal_needs_enrichment).toMatchObject({ count: 2, won_without_sale: 1 });
    }
  });
});

describe("data_health for a member", () => {
  it("limits the checks to the member's teams and leaves out the checks without a team", async () => {
    const health = await healthAs(member("traf4"));
    expect(health.teams).toEqual(["traf4"]);
    expect(health.scope).toBe("teams");
    const checks = byCode(health);
    expect(Object.keys(checks)).not.toContain("amocrm_webhook_failed");
    expect(Object.keys(checks)).not.toContain("lead_capture_rejected");
    expect(Object.keys(checks)).not.toContain("facebook_sync_failed");
    expect(Object.keys(checks)).not.toContain("analytics_refresh_age");
    expect(checks.won_deal_without_product).toMatchObject({ count: 1, sample_ids: [9003] });
    expect(checks.no_spend_data).toMatchObject({ count: 1, teams: [{ team: "traf4", leads: 2 }] });
    expect(checks.implausible_time).toMatchObject({ count: 1, sales: { count: 0 }, leads: { count: 1 } });
    expect(checks.amocrm_deal_needs_enrichment).toMatchObject({ severity: "ok", count: 0 });
    expect(checks.amocrm_values_set_aside).toMatchObject({ severity: "ok", count: 0 });
    expect(checks.utm_coverage).toMatchObject({
      severity: "ok",
      count: 0,
      leads: [{ source: "proftest", total: 2, attributed: 2, share: 1 }],
      sales: { total: 1, attributed: 1, share: 1 },
    });
    expect(checks.facebook_account_errors).toMatchObject({ count: 0 });

    const kenesary = byCode(await healthAs(member("kenesary")));
    expect(kenesary.amocrm_deal_needs_enrichment).toMatchObject({ severity: "warning", count: 1, won_without_sale: 0 });
    expect(kenesary.amocrm_values_set_aside).toMatchObject({ count: 1, by_code: { unparseable_price: 1 } });
    expect(kenesary.implausible_time).toMatchObject({ count: 1, sales: { count: 1 }, leads: { count: 0 } });
  });

  it("applies funnel_report's access rules and argument checks", async () => {
    await expect(healthAs(member("traf4"), "kenesary")).rejects.toMatchObject({
      code: "42501",
      message: 'you may not see team "kenesary"',
    });
    await expect(healthAs(member("traf4"), "nobody")).rejects.toMatchObject({
      code: "42501",
      message: 'you may not see team "nobody"',
    });
    await expect(healthAs(service, "nobody")).rejects.toMatchObject({
      code: "22023",
      message: 'unknown team "nobody"',
    });
    await expect(healthAs({ role: "anon" })).rejects.toMatchObject({ code: "42501" });
    await expect(db.sql`select public.data_health(null, 0)`).rejects.toMatchObject({
      code: "22023",
      message: "p_days must be between 1 and 366, got 0",
    });
    const admin = await healthAs({ role: "authenticated", app_metadata: { role: "admin" } });
    expect(admin.scope).toBe("all");
  });
});

describe("funnel_report shows the same gaps", () => {
  it("lists the checks that bear on the report as warnings, the same objects", async () => {
    const report = await asApiRole(db.sql, service, async (tx) => {
      const [row] = await tx`select public.funnel_report(null, 30, ${until}::date) as r`;
      return row.r as Report;
    });
    const health = byCode(await healthAs(service));
    expect(report.warnings.map((w) => w.code)).toEqual([
      "amocrm_webhook_failed",
      "amocrm_webhook_pending",
      "lead_capture_rejected",
      "amocrm_deal_needs_enrichment",
      "won_deal_without_product",
      "spend_without_leads",
      "no_spend_data",
      "amocrm_values_set_aside",
      "implausible_time",
      "facebook_account_errors",
    ]);
    for (const warning of report.warnings) expect(warning).toEqual(health[warning.code]);
    const traf4 = await asApiRole(db.sql, member("traf4"), async (tx) => {
      const [row] = await tx`select public.funnel_report(null, 30, ${until}::date) as r`;
      return row.r as Report;
    });
    expect(traf4.warnings.map((w) => w.code)).toEqual([
      "won_deal_without_product",
      "no_spend_data",
      "implausible_time",
    ]);
  });

  it("keeps an implausible sale out of last_sale_at", async () => {
    const kenesary = await funnelReport(db.sql, { team: "kenesary", until });
    // The 5138 sale is ignored: the latest plausible kenesary sale is 05-20 12:00 Almaty = 07:00 UTC,
    // the latest lead the amoCRM one on 05-16 10:00 Almaty = 05:00 UTC.
    expect(new Date(kenesary.freshness.last_sale_at as string).toISOString()).toBe("2024-05-20T07:00:00.000Z");
    expect(new Date(kenesary.freshness.last_lead_at as string).toISOString()).toBe("2024-05-16T05:00:00.000Z");
    const traf4 = await funnelReport(db.sql, { team: "traf4", until });
    // The 1970 lead is ignored too: traf4's latest plausible lead is 05-14 10:00 Almaty.
    expect(new Date(traf4.freshness.last_lead_at as string).toISOString()).toBe("2024-05-14T05:00:00.000Z");
  });
});

describe("no spend rows is no data, not free leads", () => {
  it("gives a team with leads and no spend rows null spend, CPL and cost per purchase", async () => {
    const traf4 = await funnelReport(db.sql, { team: "traf4", until });
    expect(stage(traf4, "spend")).toMatchObject({ spend: null, spend_complete: false, cpc: null, cpm: null });
    expect(stage(traf4, "leads")).toMatchObject({ count: 2, cpl: null });
    expect(stage(traf4, "express")).toMatchObject({ purchases: 1, revenue: 5000, cost_per_purchase: null });
    expect(traf4.totals).toEqual({ revenue: 5000, spend: null, roi: null, roas: null, cac: null });
    expect(traf4.by_team).toEqual([expect.objectContaining({ team: "traf4", spend: null, leads: 2, roi: null })]);
    expect(traf4.warnings.find((w) => w.code === "no_spend_data")).toMatchObject({
      severity: "warning",
      count: 1,
      teams: [{ team: "traf4", leads: 2 }],
    });
  });

  it("keeps the known spend of the other teams across teams, and nulls only the team without rows", async () => {
    const all = await funnelReport(db.sql, { until });
    // Spend 30,000 + 12,000 = 42,000 over 8 leads: CPL 5,250; 2 express purchases: 21,000 each.
    expect(stage(all, "spend")).toMatchObject({ spend: 42000, spend_complete: true });
    expect(stage(all, "leads")).toMatchObject({ count: 8, cpl: 5250 });
    expect(stage(all, "express")).toMatchObject({ purchases: 2, cost_per_purchase: 21000 });
    const byTeam = Object.fromEntries(all.by_team.map((t) => [t.team, t]));
    expect(byTeam.kenesary).toMatchObject({ spend: 30000, leads: 4, revenue: 5000, roi: -0.8333 }); // (5,000 − 30,000) / 30,000
    expect(byTeam.aidana).toMatchObject({ spend: 12000, leads: 0, roi: -1 });
    expect(byTeam.traf4).toMatchObject({ spend: null, leads: 2, roi: null });
    expect(byTeam.unattributed).toMatchObject({ spend: null, leads: 2, roi: null });
  });

  it("keeps an explicit 0.00 spend row as spend 0", async () => {
    await addAdAccount(db.sql, { id: "1003", currency: "KZT", team: "traf4" });
    await addInsight(db.sql, { account: "1003", ad: "31", day: "2024-05-12", spend: "0.00", currency: "KZT" });
    try {
      const traf4 = await funnelReport(db.sql, { team: "traf4", until });
      expect(stage(traf4, "spend")).toMatchObject({ spend: 0, spend_complete: true });
      expect(stage(traf4, "leads")).toMatchObject({ count: 2, cpl: 0 });
      expect(traf4.warnings.map((w) => w.code)).not.toContain("no_spend_data");
    } finally {
      await db.sql`delete from voronka.fb_ad_insight where ad_account_id = '1003'`;
      await db.sql`delete from voronka.fb_ad_account where id = '1003'`;
    }
  });
});
