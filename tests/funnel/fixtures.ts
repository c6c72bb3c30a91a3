// Small hand-made datasets for the funnel tests: every insert states its numbers explicitly so
// the expected figures can be computed by hand in the test.
import type { Sql } from "../support/test-database.ts";

export async function addTeams(sql: Sql, ...teams: string[]) {
  for (const team of teams) {
    await sql`insert into voronka.team (id, name) values (${team}, ${team})`;
    await sql`insert into voronka.team_utm_rule (team_id, utm_source) values (${team}, ${team})`;
  }
}

export async function addAdAccount(
  sql: Sql,
  account: { id: string; currency: string; team?: string | null; timezone?: string },
) {
  await sql`
    insert into voronka.fb_ad_account (id, name, currency, timezone_name, team_id)
    values (${account.id}, ${"Account " + account.id}, ${account.currency}, ${account.timezone ?? "Asia/Almaty"},
            ${account.team ?? null})`;
}

export async function addInsight(
  sql: Sql,
  row: {
    account: string;
    ad: string;
    day: string;
    spend: string;
    impressions?: number;
    clicks?: number;
    currency: string;
  },
) {
  await sql`
    insert into voronka.fb_ad_insight (ad_id, date_start, ad_account_id, ad_name, currency, spend, impressions, clicks)
    values (${row.ad}, ${row.day}, ${row.account}, ${"Ad " + row.ad}, ${row.currency}, ${row.spend},
            ${row.impressions ?? 0}, ${row.clicks ?? 0})`;
}

export async function addRate(sql: Sql, day: string, currency: string, rate: string) {
  await sql`insert into voronka.exchange_rate (day, currency, quote_currency, rate) values (${day}, ${currency}, 'KZT', ${rate})`;
}

let leadSeq = 0;
export async function addLead(sql: Sql, at: string, utmSource: string | null) {
  leadSeq++;
  await sql`
    insert into voronka.lead (source, external_id, occurred_at, utm_source)
    values ('proftest', ${"lead-" + leadSeq}, ${at}, ${utmSource})`;
}

let dealSeq = 1000;
/** A won amoCRM deal and its sale. `at` is an ISO instant with an explicit offset. */
export async function addSale(
  sql: Sql,
  sale: {
    at: string;
    product: "express" | "flagman";
    amount: string;
    utmSource?: string | null;
    voided?: "lost" | "reopened" | "deleted";
    currency?: string;
  },
): Promise<number> {
  const dealId = ++dealSeq;
  await sql`
    insert into voronka.amocrm_deal (id, pipeline_id, status_id, price, amo_updated_at, won_at, utm_source)
    values (${dealId}, 1, ${sale.voided === "lost" ? 143 : 142}, ${sale.amount}, ${sale.at}, ${sale.at},
            ${sale.utmSource ?? null})`;
  await sql`
    insert into voronka.sale (deal_id, product_id, amount, currency, won_at, voided_at, void_reason)
    values (${dealId}, ${sale.product}, ${sale.amount}, ${sale.currency ?? "KZT"}, ${sale.at},
            ${sale.voided ? sale.at : null}, ${sale.voided ?? null})`;
  return dealId;
}

export type Stage = Record<string, unknown> & { id: string };
export interface Report {
  team: string | null;
  teams: string[];
  window: { from: string; until: string; days: number; time_zone: string };
  currency: string;
  stages: Stage[];
  totals: Record<string, unknown>;
  by_team: Array<Record<string, unknown>>;
  warnings: Array<Record<string, unknown> & { code: string; message: string }>;
  freshness: Record<string, unknown>;
}

export async function funnelReport(
  sql: Sql,
  args: { team?: string | null; days?: number; until: string },
): Promise<Report> {
  const [row] =
    await sql`select public.funnel_report(${args.team ?? null}, ${args.days ?? 30}, ${args.until}::date) as r`;
  return row.r as Report;
}

export function stage(report: Report, id: string): Stage {
  const found = report.stages.find((s) => s.id === id);
  if (!found) throw new Error(`no stage ${id}`);
  return found;
}

export const refresh = (sql: Sql) => sql`select analytics.refresh_funnel_analytics()`;

/** The checks of public.data_health, in the order it returns them. */
export const DATA_HEALTH_CHECK_CODES = [
  "amocrm_webhook_failed",
  "amocrm_webhook_pending",
  "lead_capture_rejected",
  "amocrm_deal_needs_enrichment",
  "won_deal_without_product",
  "utm_coverage",
  "spend_without_leads",
  "no_spend_data",
  "amocrm_values_set_aside",
  "implausible_time",
  "stale_facebook_sync",
  "facebook_account_errors",
  "facebook_sync_failed",
  "analytics_refresh_age",
  "ad_match_rate",
];
