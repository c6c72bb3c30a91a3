// Small hand-made datasets for the ad and cohort reports: Facebook objects with ids and names,
// leads and deals with the UTM tags Facebook's dynamic parameters fill in.
import type postgres from "postgres";

/** A connection or a transaction: fixtures also write inside one (tests of what a transaction marks). */
type Sql = postgres.Sql | postgres.TransactionSql;

export interface AdInsightRow {
  account: string;
  day: string;
  spend: string;
  currency: string;
  campaign: [id: string, name: string];
  adset: [id: string, name: string];
  ad: [id: string, name: string];
  impressions?: number;
  clicks?: number;
}

export async function addAdInsight(sql: Sql, row: AdInsightRow) {
  await sql`
    insert into voronka.fb_ad_insight (ad_id, date_start, ad_account_id, ad_name, adset_id, adset_name, campaign_id,
                                       campaign_name, currency, spend, impressions, clicks)
    values (${row.ad[0]}, ${row.day}, ${row.account}, ${row.ad[1]}, ${row.adset[0]}, ${row.adset[1]},
            ${row.campaign[0]}, ${row.campaign[1]}, ${row.currency}, ${row.spend}, ${row.impressions ?? 0},
            ${row.clicks ?? 0})`;
}

export interface Tags {
  source?: string | null;
  medium?: string | null;
  campaign?: string | null;
  content?: string | null;
  term?: string | null;
}

let leadSeq = 0;
/** A ProfTest lead with UTM tags; returns its id. */
export async function addTaggedLead(sql: Sql, at: string, tags: Tags) {
  leadSeq++;
  const [row] = await sql`
    insert into voronka.lead (source, external_id, occurred_at, utm_source, utm_medium, utm_campaign, utm_content, utm_term)
    values ('proftest', ${"ad-lead-" + leadSeq}, ${at}, ${tags.source ?? null}, ${tags.medium ?? null},
            ${tags.campaign ?? null}, ${tags.content ?? null}, ${tags.term ?? null})
    returning id`;
  return Number(row.id);
}

/** A ProfTest lead that is a new person (as voronka.record_proftest_lead makes it); returns the person id. */
export async function addPerson(sql: Sql, at: string, tags: Tags): Promise<string> {
  const leadId = await addTaggedLead(sql, at, tags);
  const [row] = await sql`select voronka.link_lead_person(${leadId}, null, null) as person_id`;
  return String(row.person_id);
}

let dealSeq = 70000;
/** A won amoCRM deal with UTM tags and its sale (voided when asked); returns the deal id. */
export async function addTaggedSale(
  sql: Sql,
  sale: {
    at: string;
    product: "express" | "flagman";
    amount: string;
    tags: Tags;
    voided?: "lost" | "reopened" | "deleted";
    currency?: string;
    /** The buyer (voronka.person id), as the deal's contacts would give it. */
    person?: string | null;
  },
): Promise<number> {
  const dealId = ++dealSeq;
  const t = sale.tags;
  await sql`
    insert into voronka.amocrm_deal (id, pipeline_id, status_id, price, amo_updated_at, won_at, utm_source, utm_medium,
                                     utm_campaign, utm_content, utm_term, person_id)
    values (${dealId}, 1, ${sale.voided === "lost" ? 143 : 142}, ${sale.amount}, ${sale.at}, ${sale.at},
            ${t.source ?? null}, ${t.medium ?? null}, ${t.campaign ?? null}, ${t.content ?? null}, ${t.term ?? null},
            ${sale.person ?? null})`;
  await sql`
    insert into voronka.sale (deal_id, product_id, amount, currency, won_at, voided_at, void_reason)
    values (${dealId}, ${sale.product}, ${sale.amount}, ${sale.currency ?? "KZT"}, ${sale.at},
            ${sale.voided ? sale.at : null}, ${sale.voided ?? null})`;
  return dealId;
}

export type AdRow = Record<string, unknown> & { level: string | null; team: string };
export interface AdReport {
  team: string | null;
  teams: string[];
  window: { from: string; until: string; days: number; time_zone: string };
  currency: string;
  level: string;
  model: string;
  rows: AdRow[];
  unmatched: AdRow[] | null;
  /** The rows beyond p_limit, summed (null when every row is shown). */
  omitted: (Record<string, unknown> & { rows: number }) | null;
  totals: Record<string, unknown>;
  match: Record<string, { total: number; matched: number; rate: number | null }>;
  warnings: Array<Record<string, unknown> & { code: string }>;
  freshness: Record<string, unknown>;
}

export async function adReport(
  sql: Sql,
  args: { team?: string | null; days?: number; until: string; level?: string; model?: string; limit?: number },
): Promise<AdReport> {
  const [row] = await sql`
    select public.ad_report(${args.team ?? null}, ${args.days ?? 30}, ${args.until}::date, ${args.level ?? "ad"},
                            ${args.model ?? "last_touch"}, ${args.limit ?? 100}) as r`;
  return row.r as AdReport;
}

export interface Horizon {
  days: number;
  too_young: boolean;
  express_buyers: number;
  express_revenue: number | null;
  flagman_buyers: number;
  flagman_revenue: number | null;
  revenue: number | null;
  roi: number | null;
}
export type Cohort = Record<string, unknown> & {
  cohort: string;
  horizons: Horizon[];
  to_date: Record<string, unknown>;
};
export interface CohortReport {
  team: string | null;
  teams: string[];
  window: { from: string; until: string; time_zone: string };
  grain: string;
  model: string;
  as_of: string;
  horizons: number[];
  cohorts: Cohort[];
  warnings: Array<Record<string, unknown> & { code: string }>;
  freshness: Record<string, unknown>;
}

export async function cohortReport(
  sql: Sql,
  args: { team?: string | null; from?: string | null; until?: string | null; grain?: string; model?: string },
): Promise<CohortReport> {
  const [row] = await sql`
    select public.cohort_report(${args.team ?? null}, ${args.from ?? null}::date, ${args.until ?? null}::date,
                                ${args.grain ?? "month"}, ${args.model ?? "first_touch"}) as r`;
  return row.r as CohortReport;
}
