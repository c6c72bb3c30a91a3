// The typed API for dashboards: what the public RPCs' jsonb looks like (README → "The API for
// dashboards"), on top of the generated `Database` type. Use `createClient<VoronkaDatabase>(url, key)`:
// `supabase.rpc("funnel_report", { p_team: null })` then accepts null and returns a FunnelReport.
// Hand-written shapes, checked against the generated argument lists below (a changed RPC signature
// fails `tsc` until this file follows it). ad_report and cohort_report join here once they exist.
import type { Database } from "./database.types.ts";

type Public = Database["public"];
type Generated = Public["Functions"];

/** Arguments of every report RPC: p_team null = every team the caller may see; p_until null = today (Almaty). */
export type ReportArgs = {
  p_team?: string | null;
  p_days?: number;
  p_until?: string | null;
};

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
  freshness: {
    analytics_refreshed_at: string | null;
    live_days: number;
    facebook_synced_at: string | null;
    last_sale_at: string | null;
    last_lead_at: string | null;
    generated_at: string;
  };
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
export type FacebookAdAccount = Generated["facebook_ad_accounts"]["Returns"][number];

/** The generated Database with the RPCs' jsonb typed and their nullable arguments allowed. */
export type VoronkaDatabase = Omit<Database, "public"> & {
  public: Omit<Public, "Functions"> & {
    Functions: {
      funnel_report: { Args: ReportArgs; Returns: FunnelReport };
      funnel_daily: { Args: ReportArgs; Returns: FunnelDailyRow[] };
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
  assign_facebook_ad_account: true,
  assign_facebook_business: true,
  data_health: true,
  facebook_ad_accounts: true,
  funnel_daily: true,
  funnel_report: true,
};
