// cohort_report: the people whose first lead fell in each month or week, and what they bought within
// 7 … 180 days, to date, payback and lags; grain, attribution model and the periods in the URL.
import type { AttributionModel, CohortReport } from "../../../supabase/types/api.ts";
import { Choice } from "../components/Choice.tsx";
import { CohortTable } from "../components/CohortTable.tsx";
import { Problem } from "../components/Problem.tsx";
import { ReportControls, reportParams } from "../components/ReportControls.tsx";
import { Warnings } from "../components/Warnings.tsx";
import { day } from "../lib/format.ts";
import { useI18n } from "../lib/i18n.tsx";
import { choice } from "../lib/route.ts";
import { useRpc } from "../lib/rpc.ts";
import type { PageProps } from "../routes.ts";

const GRAINS = ["month", "week"] as const;
const MODELS: readonly AttributionModel[] = ["first_touch", "last_touch"];

export function CohortsPage({ params, teams }: PageProps) {
  const { t } = useI18n();
  const { team, from, until } = reportParams(params);
  const grain = choice(params, "grain", GRAINS, "month");
  const model = choice(params, "model", MODELS, "first_touch");
  const report = useRpc("cohort_report", {
    p_team: team,
    p_from: from,
    p_until: until,
    p_grain: grain,
    p_model: model,
  });
  const r: CohortReport | undefined = report.problem ? undefined : report.data;

  return (
    <section className={report.loading ? "page busy" : "page"} aria-busy={report.loading}>
      <ReportControls teams={teams} window="range">
        <Choice
          name="grain"
          label={t.cohorts.grain}
          fallback="month"
          options={GRAINS.map((value) => ({ value, label: t.cohorts.grains[value] }))}
        />
        <Choice
          name="model"
          label={t.models.label}
          fallback="first_touch"
          options={MODELS.map((value) => ({ value, label: t.models[value] }))}
        />
      </ReportControls>
      {report.problem ? (
        <Problem problem={report.problem} team={team} onRetry={report.reload} />
      ) : (
        <>
          <p className="window" data-testid="window">
            {r ? `${day(r.window.from)} — ${day(r.window.until)} · ${t.cohorts.explain(day(r.as_of))}` : "\u00a0"}
          </p>
          <article className="card cohorts">
            <CohortTable report={r} />
          </article>
          {r && <Warnings warnings={r.warnings} />}
        </>
      )}
    </section>
  );
}
