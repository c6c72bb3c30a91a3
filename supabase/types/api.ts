// The typed API for dashboards: what the public RPCs' jsonb looks like (README → "The API for
// dashboards"), on top of the generated `Database` type. Use `createClient<VoronkaDatabase>(url, key)`:
// `supabase.rpc("funnel_report", { p_team: null })` then accepts null and returns a FunnelReport.
// Hand-written shapes, checked against the generated argument lists below (a changed RPC signature
// fails `tsc` until this file follows it).
import type { Database } from "./database.types.ts";

type Public = Database["public"];
type Generated = Public["Functions"];

/** Arguments of every report RPC: p_team null = every team the caller may see; p_until null = today (Almaty). */
export type ReportArgs = {
  p_team?: string | null;
  p_days?: number;
  p_until?: string | null;
};

/** funnel_report's arguments: the report window, and the basis of its purchases (README → p_basis). */
export type FunnelReportArgs = ReportArgs & { p_basis?: "sale_date" | "lead_date" };

export interface ReportWindow {
  from: string;
  until: string;
  days: number;
  time_zone: string;
}

export interface SpendStage {
  id: "spend";
  spend: number | null;
  spend_complete: boolean;
  impressions: number;
  clicks: number;
  ctr: number | null;
  cpc: number | null;
  cpm: number | null;
}
export interface LeadsStage {
  id: "leads";
  count: number;
  cpl: number | null;
  click_to_lead: number | null;
}
export interface ExpressStage {
  id: "express";
  purchases: number;
  revenue: number | null;
  lead_to_express: number | null;
  cost_per_purchase: number | null;
}
export interface FlagmanStage {
  id: "flagman";
  purchases: number;
  revenue: number | null;
  express_to_flagman: number | null;
  cost_per_purchase: number | null;
}
export type FunnelStage = SpendStage | LeadsStage | ExpressStage | FlagmanStage;

export interface TeamRow {
  team: string;
  spend: number | null;
  impressions: number;
  clicks: number;
  leads: number;
  express_purchases: number;
  express_revenue: number | null;
  flagman_purchases: number;
  flagman_revenue: number | null;
  revenue: number | null;
  roi: number | null;
}

/** A data-health check (also a funnel_report warning): code, severity, count, message and its own details. */
export interface HealthCheck {
  code: string;
  severity?: "ok" | "warning" | "error";
  count?: number;
  message: string;
  [detail: string]: unknown;
}

export interface FunnelReport {
  team: string | null;
  teams: string[];
  window: ReportWindow;
  currency: string;
  stages: [SpendStage, LeadsStage, ExpressStage, FlagmanStage];
  totals: { revenue: number | null; spend: number | null; roi: number | null; roas: number | null; cac: number | null };
  by_team: TeamRow[];
  warnings: HealthCheck[];
  freshness: Freshness;
  basis: "sale_date" | "lead_date";
}

export interface Freshness {
  analytics_refreshed_at: string | null;
  live_days: number;
  facebook_synced_at: string | null;
  last_sale_at: string | null;
  last_lead_at: string | null;
  generated_at: string;
}

export type AdLevel = "campaign" | "adset" | "ad";
export type AttributionModel = "last_touch" | "first_touch";
/** p_limit: rows shown (default 100, by spend); the rest are summed in `omitted`. */
export type AdReportArgs = ReportArgs & { p_level?: AdLevel; p_model?: AttributionModel; p_limit?: number };
/** One Facebook object per day (public.ad_daily), for a chart next to its ad_report row. */
export type AdDailyArgs = ReportArgs & { p_level: AdLevel; p_object_id: string; p_model?: AttributionModel };

/** Money and ratios of an ad_report row or its totals (null where unknown: see README → ad_report). */
export interface AdFigures {
  spend: number | null;
  spend_complete: boolean;
  impressions: number;
  clicks: number;
  leads: number;
  express_purchases: number;
  express_revenue: number | null;
  flagman_purchases: number;
  flagman_revenue: number | null;
  revenue: number | null;
  cpl: number | null;
  cost_per_express: number | null;
  cost_per_flagman: number | null;
  roi: number | null;
  roas: number | null;
}

export interface AdRow extends AdFigures {
  /** The row's object: p_level, or coarser when the UTM tags named only an ad set or campaign; null = unmatched. */
  level: AdLevel | null;
  campaign_id: string | null;
  campaign_name: string | null;
  adset_id: string | null;
  adset_name: string | null;
  ad_id: string | null;
  ad_name: string | null;
  ad_account_id: string | null;
  ad_account_name: string | null;
  team: string;
}

export interface MatchRate {
  total: number | null;
  matched: number | null;
  rate: number | null;
}

export interface AdReport {
  team: string | null;
  teams: string[];
  window: ReportWindow;
  currency: string;
  level: AdLevel;
  model: AttributionModel;
  rows: AdRow[];
  unmatched: AdRow[] | null;
  /** The rows beyond p_limit, summed; null when every row is shown. */
  omitted: (AdFigures & { rows: number }) | null;
  totals: AdFigures;
  match: { leads: MatchRate; sales: MatchRate; revenue: MatchRate };
  warnings: HealthCheck[];
  freshness: Freshness;
}

export type CohortReportArgs = {
  p_team?: string | null;
  p_from?: string | null;
  p_until?: string | null;
  p_grain?: "month" | "week";
  p_model?: AttributionModel;
};

export interface CohortHorizon {
  days: number;
  too_young: boolean;
  express_buyers: number;
  express_revenue: number | null;
  flagman_buyers: number;
  flagman_revenue: number | null;
  revenue: number | null;
  roi: number | null;
}

export interface Cohort {
  cohort: string;
  period_end: string;
  people: number;
  leads: number;
  spend: number | null;
  spend_complete: boolean;
  horizons: CohortHorizon[];
  to_date: { express_buyers: number; flagman_buyers: number; revenue: number | null; roi: number | null };
  payback_day: number | null;
  lead_to_express_days: { median: number | null; p90: number | null };
  express_to_flagman_days: { median: number | null; p90: number | null };
}

export interface CohortReport {
  team: string | null;
  teams: string[];
  window: { from: string; until: string; time_zone: string };
  grain: "month" | "week";
  model: AttributionModel;
  currency: string;
  as_of: string;
  horizons: number[];
  cohorts: Cohort[];
  warnings: HealthCheck[];
  freshness: Freshness;
}

export interface DataHealth {
  window: ReportWindow;
  teams: string[];
  scope: "all" | "teams";
  status: "ok" | "warning" | "error";
  checks: (HealthCheck & { severity: "ok" | "warning" | "error"; count: number })[];
  generated_at: string;
}

export type FunnelDailyRow = Generated["funnel_daily"]["Returns"][number];
export type AdDailyRow = Generated["ad_daily"]["Returns"][number];
export type FacebookAdAccount = Generated["facebook_ad_accounts"]["Returns"][number];

/** The generated Database with the RPCs' jsonb typed and their nullable arguments allowed. */
export type VoronkaDatabase = Omit<Database, "public"> & {
  public: Omit<Public, "Functions"> & {
    Functions: {
      funnel_report: { Args: FunnelReportArgs; Returns: FunnelReport };
      ad_report: { Args: AdReportArgs; Returns: AdReport };
      cohort_report: { Args: CohortReportArgs; Returns: CohortReport };
      funnel_daily: { Args: ReportArgs; Returns: FunnelDailyRow[] };
      ad_daily: { Args: AdDailyArgs; Returns: AdDailyRow[] };
      data_health: { Args: ReportArgs; Returns: DataHealth };
      facebook_ad_accounts: Generated["facebook_ad_accounts"];
      assign_facebook_ad_account: {
        Args: { p_ad_account_id: string; p_team_id: string | null };
        Returns: Generated["assign_facebook_ad_account"]["Returns"];
      };
      assign_facebook_business: {
        Args: { p_business_id: string; p_team_id: string | null };
        Returns: Generated["assign_facebook_business"]["Returns"];
      };
    };
  };
};

// The hand-written arguments must name exactly the generated ones: a renamed or added argument fails here.
type SameKeys<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never] ? true : false;
type Ours = VoronkaDatabase["public"]["Functions"];
export const argumentsMatchTheGeneratedTypes: {
  [F in keyof Generated]: F extends keyof Ours ? SameKeys<Ours[F]["Args"], Generated[F]["Args"]> : false;
} = {
  ad_daily: true,
  ad_report: true,
  assign_facebook_ad_account: true,
  assign_facebook_business: true,
  cohort_report: true,
  data_health: true,
  facebook_ad_accounts: true,
  funnel_daily: true,
  funnel_report: true,
};
