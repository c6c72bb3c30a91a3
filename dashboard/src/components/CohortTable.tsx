// cohort_report's cohorts as a table: per cohort its people, leads and spend, then for each horizon
// (7 … 180 days after each person's first lead) the Express and Flagman buyers and revenue and ROI —
// a horizon that has not passed yet greyed and marked, never shown as final; to date and payback first, lags last.
import type { Cohort, CohortHorizon, CohortReport } from "../../../supabase/types/api.ts";
import { count, days, money, percent } from "../lib/format.ts";
import { useI18n } from "../lib/i18n.tsx";
import type { Dictionary } from "../lib/i18n-ru.ts";

function periodLabel(c: Cohort, grain: CohortReport["grain"], language: string): string {
  const [from, until] = [c.cohort, c.period_end].map((d) => new Date(`${d}T00:00:00Z`));
  const locale = language === "ru" ? "ru-RU" : "en-GB";
  if (grain === "month") {
    return new Intl.DateTimeFormat(locale, { month: "long", year: "numeric", timeZone: "UTC" }).format(from);
  }
  const short = new Intl.DateTimeFormat(locale, { day: "2-digit", month: "2-digit", timeZone: "UTC" });
  return `${short.format(from)} — ${short.format(until)}.${c.period_end.slice(0, 4)}`;
}

function Buyers({ label, id, buyers, revenue }: { label: string; id: string; buyers: number; revenue: number | null }) {
  return (
    <span className="line">
      <abbr title={label}>{label.slice(0, 1)}</abbr> <span data-fig={`${id}_buyers`}>{count(buyers)}</span> ·{" "}
      <span data-fig={`${id}_revenue`}>{money(revenue)}</span>
    </span>
  );
}

function Lag({ label, id, lag }: { label: string; id: string; lag: { median: number | null; p90: number | null } }) {
  return (
    <span className="line">
      {label}: <span data-fig={`${id}_median`}>{days(lag.median)}</span> · p90{" "}
      <span data-fig={`${id}_p90`}>{days(lag.p90)}</span>
    </span>
  );
}

function HorizonCell({ h, t }: { h: CohortHorizon; t: Dictionary }) {
  return (
    <td
      className={h.too_young ? "horizon too-young" : "horizon"}
      data-horizon={h.days}
      data-too-young={h.too_young}
      title={h.too_young ? t.cohorts.tooYoungTitle(h.days) : undefined}
    >
      {h.too_young && <span className="badge young">{t.cohorts.tooYoung}</span>}
      <Buyers label={t.cohorts.express} id="express" buyers={h.express_buyers} revenue={h.express_revenue} />
      <Buyers label={t.cohorts.flagman} id="flagman" buyers={h.flagman_buyers} revenue={h.flagman_revenue} />
      <span className="line">
        {t.cohorts.roi} <span data-fig="roi">{percent(h.roi)}</span>
      </span>
    </td>
  );
}

export function CohortTable({ report }: { report: CohortReport | undefined }) {
  const { t, language } = useI18n();
  // Until the first answer, a placeholder in the card's reserved height (no header to move).
  if (!report) return <p className="placeholder">{t.loading}</p>;
  const horizons = report.horizons;
  return (
    <div className="table-scroll">
      <table data-testid="cohorts" className="cohort-table">
        <thead>
          <tr>
            <th>{t.cohorts.cohort}</th>
            <th>{t.cohorts.people}</th>
            <th>{t.cohorts.leads}</th>
            <th>{t.cohorts.spend}</th>
            <th>{t.cohorts.toDate}</th>
            <th>{t.cohorts.payback}</th>
            {horizons.map((d) => (
              <th key={d} data-horizon={d}>
                {t.cohorts.day(d)}
              </th>
            ))}
            <th>{t.cohorts.lags}</th>
          </tr>
        </thead>
        <tbody>
          {report.cohorts.map((c) => (
            <tr key={c.cohort} data-cohort={c.cohort} className={c.people === 0 ? "empty" : undefined}>
              <th scope="row">{periodLabel(c, report.grain, language)}</th>
              <td data-col="people">{count(c.people)}</td>
              <td data-col="leads">{count(c.leads)}</td>
              <td data-col="spend">{money(c.spend)}</td>
              <td className="horizon" data-col="to_date">
                <span className="line">
                  <abbr title={t.cohorts.express}>{t.cohorts.express.slice(0, 1)}</abbr>{" "}
                  <span data-fig="express_buyers">{count(c.to_date.express_buyers)}</span> ·{" "}
                  <abbr title={t.cohorts.flagman}>{t.cohorts.flagman.slice(0, 1)}</abbr>{" "}
                  <span data-fig="flagman_buyers">{count(c.to_date.flagman_buyers)}</span>
                </span>
                <span className="line" data-fig="revenue">
                  {money(c.to_date.revenue)}
                </span>
                <span className="line">
                  {t.cohorts.roi} <span data-fig="roi">{percent(c.to_date.roi)}</span>
                </span>
              </td>
              <td data-col="payback" data-value={c.payback_day ?? ""}>
                {c.payback_day === null ? t.cohorts.notYet : t.cohorts.paybackDay(c.payback_day)}
              </td>
              {c.people === 0 ? (
                <td colSpan={c.horizons.length} className="note" data-col="no-people">
                  {t.cohorts.noPeople}
                </td>
              ) : (
                c.horizons.map((h) => <HorizonCell key={h.days} h={h} t={t} />)
              )}
              <td className="horizon" data-col="lags">
                <Lag label={t.cohorts.lagExpress} id="lead_to_express" lag={c.lead_to_express_days} />
                <Lag label={t.cohorts.lagFlagman} id="express_to_flagman" lag={c.express_to_flagman_days} />
              </td>
            </tr>
          ))}
          {report.cohorts.every((c) => c.people === 0) && (
            <tr>
              <td colSpan={horizons.length + 7} className="note">
                {t.cohorts.empty}
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
