// ad_report's rows as a table: each campaign, ad set or ad with its ids, account and team, then the
// unmatched row per team (set apart), then the totals. Spend, leads and ROI sort on a header click.
import type { AdFigures, AdLevel, AdReport, AdRow } from "../../../supabase/types/api.ts";
import { type AdSort, nextSort, objectId, objectName, rowKey, type SortColumn, sortRows } from "../lib/ad-rows.ts";
import { count, money, percent, times } from "../lib/format.ts";
import { useI18n } from "../lib/i18n.tsx";
import { navigateWith, useRoute } from "../lib/route.ts";
import { teamLabel } from "./ReportControls.tsx";

import type { Dictionary } from "../lib/i18n-ru.ts";

type Figure = { key: keyof AdFigures; show: (f: AdFigures) => string };
/** The figure columns after the object, account and team, most telling first; two figures in a column are stacked. */
function figureColumns(t: Dictionary): { key: keyof AdFigures; label: string; figures: Figure[] }[] {
  const one = (key: keyof AdFigures, label: string, show: (f: AdFigures) => string) => ({
    key,
    label,
    figures: [{ key, show }],
  });
  return [
    one("spend", t.ads.spend, (f) => money(f.spend)),
    one("leads", t.ads.leads, (f) => count(f.leads)),
    one("cpl", t.ads.cpl, (f) => money(f.cpl)),
    one("revenue", t.totals.revenue, (f) => money(f.revenue)),
    one("roi", t.ads.roi, (f) => percent(f.roi)),
    one("roas", t.ads.roas, (f) => times(f.roas)),
    {
      key: "express_purchases",
      label: t.ads.express,
      figures: [
        { key: "express_purchases", show: (f) => count(f.express_purchases) },
        { key: "express_revenue", show: (f) => money(f.express_revenue) },
      ],
    },
    {
      key: "flagman_purchases",
      label: t.ads.flagman,
      figures: [
        { key: "flagman_purchases", show: (f) => count(f.flagman_purchases) },
        { key: "flagman_revenue", show: (f) => money(f.flagman_revenue) },
      ],
    },
    {
      key: "cost_per_express",
      label: t.ads.costPerPurchase,
      figures: [
        { key: "cost_per_express", show: (f) => money(f.cost_per_express) },
        { key: "cost_per_flagman", show: (f) => money(f.cost_per_flagman) },
      ],
    },
    {
      key: "impressions",
      label: t.ads.impressionsClicks,
      figures: [
        { key: "impressions", show: (f) => count(f.impressions) },
        { key: "clicks", show: (f) => count(f.clicks) },
      ],
    },
  ];
}

function Figures({ figures, t }: { figures: AdFigures; t: Dictionary }) {
  return (
    <>
      {figureColumns(t).map((c) => (
        <td key={c.key} data-col={c.key}>
          {c.figures.map((f) => (
            <span key={f.key} className="line" data-fig={f.key}>
              {f.show(figures)}
            </span>
          ))}
        </td>
      ))}
    </>
  );
}

function ObjectCell({ row, level, t }: { row: AdRow; level: AdLevel; t: Dictionary }) {
  const { name, parents } = objectName(row);
  const id = objectId(row);
  return (
    <th scope="row" className="object" data-col="object">
      {parents.length > 0 && <span className="parents">{parents.join(" › ")}</span>}
      <span className="name">{name ?? id}</span>
      {row.level !== level && row.level && <span className="badge">{t.ads.rowLevel[row.level]}</span>}
      {id && <code className="id">{id}</code>}
    </th>
  );
}

export function AdTable({ report, level, sort }: { report: AdReport | undefined; level: AdLevel; sort: AdSort }) {
  const { t } = useI18n();
  const teamColumn = report?.teams.length !== 1;
  const route = useRoute();
  const columns = figureColumns(t);
  const sortable = (key: string): key is SortColumn => key === "spend" || key === "leads" || key === "roi";
  // Until the first answer, a placeholder in the card's reserved height: columns sized by their figures
  // would move the header when the rows arrive.
  if (!report) return <p className="placeholder">{t.loading}</p>;
  const rows = sortRows(report.rows, sort);
  return (
    <div className="table-scroll">
      <table data-testid="ad-rows" className="ad-table">
        <thead>
          <tr>
            <th>{t.ads.levels[level]}</th>
            <th>{t.ads.account}</th>
            {teamColumn && <th>{t.ads.team}</th>}
            {columns.map((c) =>
              sortable(c.key) ? (
                <th
                  key={c.key}
                  data-col={c.key}
                  aria-sort={sort.column !== c.key ? "none" : sort.direction === "asc" ? "ascending" : "descending"}
                >
                  <button
                    type="button"
                    className="sort"
                    title={t.ads.sortBy(c.label)}
                    onClick={() => navigateWith(route, nextSort(sort, c.key as SortColumn))}
                  >
                    {c.label}
                    <span aria-hidden="true">
                      {sort.column === c.key ? (sort.direction === "asc" ? " ▲" : " ▼") : " ↕"}
                    </span>
                  </button>
                </th>
              ) : (
                <th key={c.key} data-col={c.key}>
                  {c.label}
                </th>
              ),
            )}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)} data-row={rowKey(row)} data-level={row.level ?? ""}>
              <ObjectCell row={row} level={level} t={t} />
              <td className="account" data-col="account">
                {row.ad_account_name ?? "—"}
                {row.ad_account_id && <code className="id">{row.ad_account_id}</code>}
              </td>
              {teamColumn && (
                <td className="team" data-col="team">
                  {teamLabel(row.team, t.teams)}
                </td>
              )}
              <Figures figures={row} t={t} />
            </tr>
          ))}
          {rows.length === 0 && !report.unmatched && (
            <tr>
              <td colSpan={columns.length + (teamColumn ? 3 : 2)} className="note">
                {t.ads.empty}
              </td>
            </tr>
          )}
        </tbody>
        {report.omitted && (
          <tbody className="omitted">
            <tr data-row="omitted">
              <th scope="row" className="object" data-col="object" colSpan={teamColumn ? 3 : 2}>
                <span className="name">{t.ads.omitted(report.omitted.rows)}</span>
                <span className="parents">{t.ads.omittedNote}</span>
              </th>
              <Figures figures={report.omitted} t={t} />
            </tr>
          </tbody>
        )}
        {report.unmatched && (
          <tbody className="unmatched">
            {report.unmatched.map((row) => (
              <tr key={rowKey(row)} data-row={rowKey(row)} data-level="">
                <th scope="row" className="object" data-col="object">
                  <span className="name">{t.ads.unmatched}</span>
                  <span className="parents">{t.ads.unmatchedNote}</span>
                </th>
                <td data-col="account">{teamColumn ? "—" : teamLabel(row.team, t.teams)}</td>
                {teamColumn && (
                  <td className="team" data-col="team">
                    {teamLabel(row.team, t.teams)}
                  </td>
                )}
                <Figures figures={row} t={t} />
              </tr>
            ))}
          </tbody>
        )}
        <tfoot>
          <tr data-row="totals">
            <th scope="row" colSpan={teamColumn ? 3 : 2}>
              {t.ads.totals}
            </th>
            <Figures figures={report.totals} t={t} />
          </tr>
        </tfoot>
      </table>
    </div>
  );
}
