// Reads funnel_report for all teams and each team (as service_role, the way the Data API would
// run it) and renders the terminal printout of `npm start`.
import postgres from "postgres";
import { asApiRole } from "../../supabase/functions/_shared/api-role.ts";
import { type AdReportJson, type CohortReportJson, renderCohorts, renderTopAds } from "./ads-cohorts-table.ts";
import { type FunnelReport, renderFunnel } from "./funnel-table.ts";

export async function funnelReportAsServiceRole(
  sql: postgres.Sql,
  args: { team?: string | null; days?: number; until?: string | null } = {},
): Promise<FunnelReport> {
  return asApiRole(sql, "service_role", async (tx) => {
    const [row] = await tx`
      select public.funnel_report(${args.team ?? null}, ${args.days ?? 30}, ${args.until ?? null}::date) as report`;
    return row.report as FunnelReport;
  });
}

export async function printFunnel(dbUrl: string, days = 30, until: string | null = null): Promise<string> {
  const sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
  try {
    const all = await funnelReportAsServiceRole(sql, { days, until });
    const teams = (all as unknown as { teams: string[] }).teams;
    const perTeam: Array<[string, FunnelReport]> = [];
    for (const team of teams) perTeam.push([team, await funnelReportAsServiceRole(sql, { team, days, until })]);
    return renderFunnel(all, perTeam);
  } finally {
    await sql.end();
  }
}

/** The top ads by ROI (all teams, ad level, last touch) and one cohort table per team. */
export async function printAdsAndCohorts(dbUrl: string, days = 30, until: string | null = null): Promise<string> {
  const sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
  try {
    return await asApiRole(sql, "service_role", async (tx) => {
      const [{ ads }] = await tx`select public.ad_report(null, ${days}, ${until}::date, 'ad') as ads`;
      const out = [renderTopAds(ads as AdReportJson)];
      for (const team of (ads as { teams: string[] }).teams) {
        const [{ cohorts }] = await tx`select public.cohort_report(${team}, null, ${until}::date) as cohorts`;
        out.push("", renderCohorts(team, cohorts as CohortReportJson));
      }
      return out.join("\n");
    });
  } finally {
    await sql.end();
  }
}
