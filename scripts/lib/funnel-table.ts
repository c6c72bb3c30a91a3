// Renders funnel_report JSON as terminal tables: one row per team plus the all-teams total.

export interface FunnelReport {
  team: string | null;
  window: { from: string; until: string; days: number; time_zone: string };
  currency: string;
  stages: Array<Record<string, number | string | boolean | null>>;
  totals: { revenue: number | null; spend: number | null; roi: number | null; roas: number | null; cac: number | null };
  warnings: Array<{ code: string; message: string }>;
  freshness: Record<string, string | number | null>;
}

const money = (v: unknown) =>
  v === null || v === undefined ? "n/a" : Number(v).toLocaleString("en-US", { maximumFractionDigits: 0 });
const count = (v: unknown) => (v === null || v === undefined ? "n/a" : Number(v).toLocaleString("en-US"));
const percent = (v: unknown) => (v === null || v === undefined ? "n/a" : `${(Number(v) * 100).toFixed(1)}%`);

function stage(report: FunnelReport, id: string): Record<string, unknown> {
  return report.stages.find((s) => s.id === id) ?? {};
}

export function funnelRow(label: string, report: FunnelReport): string[] {
  const spend = stage(report, "spend");
  const leads = stage(report, "leads");
  const express = stage(report, "express");
  const flagman = stage(report, "flagman");
  return [
    label,
    money(spend.spend),
    count(spend.clicks),
    percent(spend.ctr),
    count(leads.count),
    money(leads.cpl),
    `${count(express.purchases)} / ${money(express.revenue)}`,
    `${count(flagman.purchases)} / ${money(flagman.revenue)}`,
    money(report.totals.revenue),
    percent(report.totals.roi),
    report.totals.roas === null ? "n/a" : `${Number(report.totals.roas).toFixed(2)}x`,
  ];
}

export function renderTable(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  const rule = widths.map((w) => "─".repeat(w)).join("──");
  return [line(rows[0]), rule, ...rows.slice(1, -1).map(line), rule, line(rows[rows.length - 1])].join("\n");
}

/** The whole printout: header, team rows, total row, warnings and freshness. */
export function renderFunnel(
  all: FunnelReport,
  perTeam: Array<[string, FunnelReport]>,
  totalLabel = "all teams",
): string {
  const c = all.currency;
  const header = [
    "team",
    `spend ${c}`,
    "clicks",
    "CTR",
    "leads",
    `CPL ${c}`,
    `express # / ${c}`,
    `flagman # / ${c}`,
    `revenue ${c}`,
    "ROI",
    "ROAS",
  ];
  const rows = [header, ...perTeam.map(([team, r]) => funnelRow(team, r)), funnelRow(totalLabel, all)];
  const w = all.window;
  const out = [
    `Funnel for ${w.days} days ${w.from} … ${w.until} (${w.time_zone}), money in ${c}`,
    "",
    renderTable(rows),
    "",
  ];
  if (all.warnings.length) {
    out.push("Warnings:");
    for (const warning of all.warnings) out.push(`  ! [${warning.code}] ${warning.message}`);
    out.push("");
  }
  const f = all.freshness;
  out.push(
    `Freshness: analytics refreshed ${f.analytics_refreshed_at ?? "never"}, ${f.live_days} day(s) computed live; ` +
      `last Facebook sync ${f.facebook_synced_at ?? "never"}; last sale ${f.last_sale_at ?? "none"}`,
  );
  return out.join("\n");
}
