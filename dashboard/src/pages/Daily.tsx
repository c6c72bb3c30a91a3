// funnel_daily as a chart — spend next to revenue (Express + Flagman) per day, and leads per day —
// with each team's rows stacked, and the rows themselves in a table below.
import type { FunnelDailyRow } from "../../../supabase/types/api.ts";
import { Problem } from "../components/Problem.tsx";
import { ReportControls, reportParams, teamLabel } from "../components/ReportControls.tsx";
import { StackedBars, type Series } from "../components/StackedBars.tsx";
import { count, day, money } from "../lib/format.ts";
import { useI18n } from "../lib/i18n.tsx";
import { useRpc } from "../lib/rpc.ts";
import type { PageProps } from "../routes.ts";

const MAX_ROWS = 1000;

export function DailyPage({ params, teams }: PageProps) {
  const { t } = useI18n();
  const { team, days, until } = reportParams(params);
  const daily = useRpc("funnel_daily", { p_team: team, p_days: days, p_until: until });
  const rows: FunnelDailyRow[] = daily.problem ? [] : (daily.data ?? []);
  const dayList = [...new Set(rows.map((r) => r.day))].sort();
  const money2: Series[] = [
    { name: t.daily.spend, color: "#3b6fd8", value: (r) => r.spend },
    { name: t.daily.express, color: "#7cc48a", value: (r) => r.express_revenue, group: 1 },
    { name: t.daily.flagman, color: "#2f8a47", value: (r) => r.flagman_revenue, group: 1 },
  ];
  const leads: Series[] = [{ name: t.daily.leads, color: "#e08a2c", value: (r) => r.leads }];

  return (
    <section className={daily.loading ? "page busy" : "page"} aria-busy={daily.loading}>
      <ReportControls teams={teams} />
      {daily.problem ? (
        <Problem problem={daily.problem} team={team} onRetry={daily.reload} />
      ) : (
        <>
          {rows.length >= MAX_ROWS && <p className="problem">{t.daily.tooMany}</p>}
          <article className="card">
            <h2>{t.daily.spendVsRevenue}</h2>
            <StackedBars days={dayList} rows={rows} series={money2} format={money} testId="chart-money" />
          </article>
          <article className="card">
            <h2>{t.daily.leadsPerDay}</h2>
            <StackedBars days={dayList} rows={rows} series={leads} format={count} testId="chart-leads" />
          </article>
          <article className="card">
            {daily.data && rows.length === 0 && <p>{t.daily.empty}</p>}
            <table data-testid="daily-rows">
              <thead>
                <tr>
                  <th>{t.daily.day}</th>
                  <th>{t.daily.team}</th>
                  <th>{t.daily.spend}</th>
                  <th>{t.daily.leads}</th>
                  <th>{t.daily.express}</th>
                  <th>{t.daily.flagman}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={`${r.day}-${r.team}`}>
                    <td>{day(r.day)}</td>
                    <td>{teamLabel(r.team, t.teams)}</td>
                    <td>{money(r.spend_complete ? r.spend : null)}</td>
                    <td>{count(r.leads)}</td>
                    <td>{money(r.revenue_complete ? r.express_revenue : null)}</td>
                    <td>{money(r.revenue_complete ? r.flagman_revenue : null)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </article>
        </>
      )}
    </section>
  );
}
