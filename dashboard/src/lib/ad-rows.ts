// ad_report's rows as the Ads page shows them: a stable key and the object's name per row, and the
// order the user chose (by spend, leads or ROI; a missing figure always last, whatever the direction).
import type { AdLevel, AdRow } from "../../../supabase/types/api.ts";
import { choice } from "./route.ts";

export const AD_LEVELS: readonly AdLevel[] = ["campaign", "adset", "ad"];
export const SORT_COLUMNS = ["spend", "leads", "roi"] as const;
export type SortColumn = (typeof SORT_COLUMNS)[number];
export type SortDirection = "asc" | "desc";
export interface AdSort {
  column: SortColumn | null;
  direction: SortDirection;
}

export function adSort(params: URLSearchParams): AdSort {
  const column = params.get("sort");
  return {
    column: SORT_COLUMNS.includes(column as SortColumn) ? (column as SortColumn) : null,
    direction: choice(params, "dir", ["asc", "desc"], "desc"),
  };
}

/** The URL parameters after a click on a column's header: descending first, then ascending, then back. */
export function nextSort(current: AdSort, column: SortColumn): { sort: string; dir: string | null } {
  if (current.column !== column || current.direction === "asc") return { sort: column, dir: null };
  return { sort: column, dir: "asc" };
}

/** The report's order (highest spend first) unless a column is chosen; ties keep the report's order. */
export function sortRows(rows: AdRow[], sort: AdSort): AdRow[] {
  const { column, direction } = sort;
  if (!column) return rows;
  const sign = direction === "asc" ? 1 : -1;
  return rows
    .map((row, index) => ({ row, index }))
    .sort((a, b) => {
      const x = a.row[column];
      const y = b.row[column];
      if (x === null || y === null) return x === y ? a.index - b.index : x === null ? 1 : -1;
      return x === y ? a.index - b.index : (x - y) * sign;
    })
    .map((entry) => entry.row);
}

/** The id of the row's own object (an ad, ad set or campaign). */
export function objectId(row: AdRow): string | null {
  if (row.level === "ad") return row.ad_id;
  if (row.level === "adset") return row.adset_id;
  return row.campaign_id;
}

/** The row's object name and, above it, where it sits (campaign › ad set). */
export function objectName(row: AdRow): { name: string | null; parents: string[] } {
  if (row.level === "ad") return { name: row.ad_name, parents: [row.campaign_name, row.adset_name].filter(isText) };
  if (row.level === "adset") return { name: row.adset_name, parents: [row.campaign_name].filter(isText) };
  return { name: row.campaign_name, parents: [] };
}

/** One key per row: an object may appear once per team (spend by the account's team, leads by the lead's). */
export function rowKey(row: AdRow): string {
  return `${row.level ?? "unmatched"}:${objectId(row) ?? ""}:${row.team}`;
}

function isText(value: string | null): value is string {
  return value !== null && value !== "";
}
