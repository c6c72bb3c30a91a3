// ad_report: spend, leads, purchases and ROI per campaign, ad set or ad, with the unmatched row,
// totals, the match rate and warnings; level, attribution model and sorting in the URL.
import type { AdReport, AttributionModel } from "../../../supabase/types/api.ts";
import { AdTable } from "../components/AdTable.tsx";
import { Choice } from "../components/Choice.tsx";
import { Problem } from "../components/Problem.tsx";
import { ReportControls, reportParams } from "../components/ReportControls.tsx";
import { Warnings } from "../components/Warnings.tsx";
import { AD_LEVELS, adSort } from "../lib/ad-rows.ts";
import { count, day, money, percent } from "../lib/format.ts";
import { useI18n } from "../lib/i18n.tsx";
import { choice } from "../lib/route.ts";
import { useRpc } from "../lib/rpc.ts";
import type { PageProps } from "../routes.ts";

const MODELS: readonly AttributionModel[] = ["last_touch", "first_touch"];

export function AdsPage({ params, teams }: PageProps) {
  const { t } = useI18n();
  const { team, days, until } = reportParams(params);
  const level = choice(params, "level", AD_LEVELS, "ad");
  const model = choice(params, "model", MODELS, "last_touch");
  const report = useRpc("ad_report", { p_team: team, p_days: days, p_until: until, p_level: level, p_model: model });
  const r: AdReport | undefined = report.problem ? undefined : report.data;

  return (
    <section className={report.loading ? "page busy" : "page"} aria-busy={report.loading}>
      <ReportControls teams={teams}>
        <Choice
          name="level"
          label={t.ads.level}
          fallback="ad"
          options={AD_LEVELS.map((value) => ({ value, label: t.ads.levels[value] }))}
        />
        <Choice
          name="model"
          label={t.models.label}
          fallback="last_touch"
          options={MODELS.map((value) => ({ value, label: t.models[value] }))}
        />
      </ReportControls>
      {report.problem ? (
        <Problem problem={report.problem} team={team} onRetry={report.reload} />
      ) : (
        <>
          <p className="window" data-testid="window">
            {r ? t.window(day(r.window.from), day(r.window.until), r.window.days) : "\u00a0"}
          </p>
          <p className="match" data-testid="match">
            {r ? (
              <>
                {t.ads.match}:{" "}
                {(["leads", "sales", "revenue"] as const).map((kind) => {
                  const m = r.match[kind];
                  const label = { leads: t.ads.matchLeads, sales: t.ads.matchSales, revenue: t.ads.matchRevenue }[kind];
                  const of = kind === "revenue" ? money : count;
                  return (
                    <span key={kind} className="rate" data-match={kind}>
                      {label} <strong>{percent(m.rate)}</strong> ({of(m.matched)} / {of(m.total)})
                    </span>
                  );
                })}
              </>
            ) : (
              "\u00a0"
            )}
          </p>
          <article className="card ads">
            <AdTable report={r} level={level} sort={adSort(params)} />
            {r && !r.totals.spend_complete && <p className="note">{t.spendIncomplete}</p>}
          </article>
          {r && <Warnings warnings={r.warnings} />}
        </>
      )}
    </section>
  );
}
