// Renders ad_report and cohort_report JSON as terminal tables for `npm start` and `npm run report`.
import { renderTable } from "./funnel-table.ts";
import { textTable } from "./text-table.ts";

type Row = Record<string, unknown>;
export interface AdReportJson {
  currency: string;
  level: string;
  model: string;
  window: { from: string; until: string; days: number };
  rows: Row[];
  unmatched: Row[] | null;
  totals: Row;
  match: Record<string, { total: number | null; matched: number | null; rate: number | null }>;
}
export interface CohortReportJson {
  currency: string;
  model: string;
  grain: string;
  cohorts: Array<Row & { horizons: Row[]; to_date: Row; lead_to_express_days: Row }>;
}

const money = (v: unknown) =>
  v === null || v === undefined ? "n/a" : Number(v).toLocaleString("en-US", { maximumFractionDigits: 0 });
const count = (v: unknown) => (v === null || v === undefined ? "n/a" : Number(v).toLocaleString("en-US"));
const percent = (v: unknown) => (v === null || v === undefined ? "n/a" : `${(Number(v) * 100).toFixed(1)}%`);
const clip = (text: unknown, width: number) => {
  const s = String(text ?? "—");
  return s.length > width ? s.slice(0, width - 1) + "…" : s;
};

/** The ads with spend, best ROI first (at most `limit`), the unmatched total and the match rate. */
export function renderTopAds(report: AdReportJson, limit = 10): string {
  const c = report.currency;
  const ranked = report.rows
    .filter((r) => r.level === "ad" && r.roi !== null)
    .sort((a, b) => Number(b.roi) - Number(a.roi))
    .slice(0, limit);
  const line = (label: string, r: Row) => [
    label,
    clip(r.campaign_name, 28),
    String(r.team ?? ""),
    money(r.spend),
    count(r.leads),
    money(r.cpl),
    count(r.express_purchases),
    count(r.flagman_purchases),
    money(r.revenue),
    percent(r.roi),
  ];
  const unmatchedLeads = (report.unmatched ?? []).reduce((n, r) => n + Number(r.leads ?? 0), 0);
  const m = report.match;
  return [
    `Top ads by ROI, ${report.window.days} days ${report.window.from} … ${report.window.until} (${report.model.replace("_", " ")}), money in ${c}`,
    "",
    renderTable([
      ["ad", "campaign", "team", `spend ${c}`, "leads", `CPL ${c}`, "express", "flagman", `revenue ${c}`, "ROI"],
      ...ranked.map((r) => line(clip(r.ad_name, 28), r)),
      line("all ads and the unmatched", { ...report.totals, campaign_name: "", team: "" }),
    ]),
    "",
    `Matched to an ad: ${percent(m.leads.rate)} of leads (${count(m.leads.matched)} of ${count(m.leads.total)}; ` +
      `${count(unmatchedLeads)} unmatched), ${percent(m.sales.rate)} of sales, ${percent(m.revenue.rate)} of revenue`,
  ].join("\n");
}

/** One team's lead cohorts that have people: revenue by 7, 30 and 60 days and to date, ROI, payback. */
export function renderCohorts(team: string, report: CohortReportJson): string {
  const c = report.currency;
  const cohorts = report.cohorts.filter((k) => Number(k.people) > 0);
  const at = (k: CohortReportJson["cohorts"][number], days: number) => {
    const h = k.horizons.find((x) => x.days === days)!;
    return `${money(h.revenue)}${h.too_young ? "*" : ""}`;
  };
  const rows = cohorts.map((k) => [
    String(k.cohort).slice(0, report.grain === "month" ? 7 : 10),
    count(k.people),
    money(k.spend),
    at(k, 7),
    at(k, 30),
    at(k, 60),
    money(k.to_date.revenue),
    percent(k.to_date.roi),
    k.payback_day === null ? "—" : `day ${k.payback_day}`,
    k.lead_to_express_days.median === null ? "—" : `${k.lead_to_express_days.median} d`,
  ]);
  const header = [
    "cohort",
    "people",
    `spend ${c}`,
    "rev d7",
    "rev d30",
    "rev d60",
    "to date",
    "ROI",
    "payback",
    "→express",
  ];
  return [
    `Lead cohorts of ${team} (${report.model.replace("_", " ")}; * = horizon not reached yet), money in ${c}`,
    "",
    rows.length === 0 ? "  (no leads)" : textTable(header, rows),
  ].join("\n");
}
