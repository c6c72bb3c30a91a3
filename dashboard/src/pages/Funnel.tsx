// The four stages with their conversions, totals with ROI/ROAS/CAC, each team, warnings and
// freshness: funnel_report as it is, formatted (every number is computed in SQL). Purchases by sale
// date (a cash view, the default) or by lead date (`basis=lead_date`: what the window's leads bought since).
import type { FunnelReport } from "../../../supabase/types/api.ts";
import { Choice } from "../components/Choice.tsx";
import { Problem } from "../components/Problem.tsx";
import { ReportControls, reportParams, teamLabel } from "../components/ReportControls.tsx";
import { Figure } from "../components/Figure.tsx";
import { Warnings } from "../components/Warnings.tsx";
import { count, day, instant, money, percent, times } from "../lib/format.ts";
import { useI18n } from "../lib/i18n.tsx";
import { choice } from "../lib/route.ts";
import { useRpc } from "../lib/rpc.ts";
import type { PageProps } from "../routes.ts";

const BASES = ["sale_date", "lead_date"] as const;

export function FunnelPage({ params, teams }: PageProps) {
  const { t } = useI18n();
  const { team, days, until } = reportParams(params);
  const basis = choice(params, "basis", BASES, "sale_date");
  const report = useRpc("funnel_report", { p_team: team, p_days: days, p_until: until, p_basis: basis });
  const r: FunnelReport | undefined = report.problem ? undefined : report.data;
  const [spend, leads, express, flagman] = r?.stages ?? [];
  const zone = r?.window.time_zone ?? "Asia/Almaty";

  return (
    <section className={report.loading ? "page busy" : "page"} aria-busy={report.loading}>
      <ReportControls teams={teams}>
        <Choice
          name="basis"
          label={t.basis.label}
          fallback="sale_date"
          options={BASES.map((value) => ({ value, label: t.basis[value] }))}
        />
      </ReportControls>
      {report.problem ? (
        <Problem problem={report.problem} team={team} onRetry={report.reload} />
      ) : (
        <>
          <p className="window" data-testid="window">
            {r ? t.window(day(r.window.from), day(r.window.until), r.window.days) : "\u00a0"}
          </p>
          {basis === "lead_date" && (
            <p className="note" data-testid="basis-note">
              {t.basis.leadDateNote}
            </p>
          )}
          <div className="stages">
            <article className="card stage" data-testid="stage-spend">
              <h2>{t.stages.spend}</h2>
              <Figure id="spend" big value={money(spend?.spend)} />
              {spend && !spend.spend_complete && <p className="note">{t.spendIncomplete}</p>}
              <dl>
                <Figure id="impressions" label={t.stages.impressions} value={count(spend?.impressions)} />
                <Figure id="clicks" label={t.stages.clicks} value={count(spend?.clicks)} />
                <Figure id="ctr" label={t.stages.ctr} value={percent(spend?.ctr)} />
                <Figure id="cpc" label={t.stages.cpc} value={money(spend?.cpc)} />
                <Figure id="cpm" label={t.stages.cpm} value={money(spend?.cpm)} />
              </dl>
            </article>
            <article className="card stage" data-testid="stage-leads">
              <h2>{t.stages.leads}</h2>
              <Figure id="leads" big value={count(leads?.count)} />
              <dl>
                <Figure id="cpl" label={t.stages.cpl} value={money(leads?.cpl)} />
                <Figure id="click_to_lead" label={t.stages.clickToLead} value={percent(leads?.click_to_lead)} />
              </dl>
            </article>
            <article className="card stage" data-testid="stage-express">
              <h2>{t.stages.express}</h2>
              <Figure id="express_purchases" big value={count(express?.purchases)} />
              <dl>
                <Figure id="express_revenue" label={t.stages.revenue} value={money(express?.revenue)} />
                <Figure id="lead_to_express" label={t.stages.leadToExpress} value={percent(express?.lead_to_express)} />
                <Figure id="express_cost" label={t.stages.costPerPurchase} value={money(express?.cost_per_purchase)} />
              </dl>
            </article>
            <article className="card stage" data-testid="stage-flagman">
              <h2>{t.stages.flagman}</h2>
              <Figure id="flagman_purchases" big value={count(flagman?.purchases)} />
              <dl>
                <Figure id="flagman_revenue" label={t.stages.revenue} value={money(flagman?.revenue)} />
                <Figure
                  id="express_to_flagman"
                  label={t.stages.expressToFlagman}
                  value={percent(flagman?.express_to_flagman)}
                />
                <Figure id="flagman_cost" label={t.stages.costPerPurchase} value={money(flagman?.cost_per_purchase)} />
              </dl>
            </article>
          </div>
          <article className="card totals" data-testid="totals">
            <h2>{t.totals.title}</h2>
            <dl>
              <Figure id="total_revenue" label={t.totals.revenue} value={money(r?.totals.revenue)} />
              <Figure id="total_spend" label={t.totals.spend} value={money(r?.totals.spend)} />
              <Figure id="roi" label={t.totals.roi} value={percent(r?.totals.roi)} />
              <Figure id="roas" label={t.totals.roas} value={times(r?.totals.roas)} />
              <Figure id="cac" label={t.totals.cac} value={money(r?.totals.cac)} />
            </dl>
          </article>
          {r && r.by_team.length > 1 && (
            <article className="card">
              <h2>{t.byTeam.title}</h2>
              <table data-testid="by-team">
                <thead>
                  <tr>
                    <th>{t.byTeam.team}</th>
                    <th>{t.totals.spend}</th>
                    <th>{t.byTeam.leads}</th>
                    <th>{t.byTeam.express}</th>
                    <th>{t.byTeam.flagman}</th>
                    <th>{t.totals.revenue}</th>
                    <th>{t.totals.roi}</th>
                  </tr>
                </thead>
                <tbody>
                  {r.by_team.map((row) => (
                    <tr key={row.team} data-team={row.team}>
                      <th scope="row">{teamLabel(row.team, t.teams)}</th>
                      <td data-col="spend">{money(row.spend)}</td>
                      <td data-col="leads">{count(row.leads)}</td>
                      <td data-col="express">{count(row.express_purchases)}</td>
                      <td data-col="flagman">{count(row.flagman_purchases)}</td>
                      <td data-col="revenue">{money(row.revenue)}</td>
                      <td data-col="roi">{percent(row.roi)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </article>
          )}
          <Warnings warnings={r?.warnings} />
          <article className="card freshness" data-testid="freshness">
            <h2>{t.freshness.title}</h2>
            <dl>
              <Figure
                id="analytics_refreshed_at"
                label={t.freshness.analytics}
                value={instant(r?.freshness.analytics_refreshed_at, zone)}
              />
              <Figure
                id="facebook_synced_at"
                label={t.freshness.facebook}
                value={instant(r?.freshness.facebook_synced_at, zone)}
              />
              <Figure id="last_sale_at" label={t.freshness.lastSale} value={instant(r?.freshness.last_sale_at, zone)} />
              <Figure id="last_lead_at" label={t.freshness.lastLead} value={instant(r?.freshness.last_lead_at, zone)} />
              <Figure
                id="generated_at"
                label={t.freshness.generated}
                value={instant(r?.freshness.generated_at, zone)}
              />
            </dl>
          </article>
        </>
      )}
    </section>
  );
}
