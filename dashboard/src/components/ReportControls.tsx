// Team picker (only the teams the user may see), the window — presets of days and an end day, or a
// first and last day (cohorts) — and a page's own switches (children); all in the URL.
import type { ReactNode } from "react";
import { useI18n } from "../lib/i18n.tsx";
import { navigateWith, useRoute } from "../lib/route.ts";

export const PRESETS = [7, 30, 90];
const DAY = /^\d{4}-\d{2}-\d{2}$/;

export interface ReportParams {
  team: string | null;
  days: number;
  until: string | null;
  /** The first day (cohort_report's p_from); null = the report's default. */
  from: string | null;
}

export function reportParams(params: URLSearchParams): ReportParams {
  const days = Number(params.get("days"));
  return {
    team: params.get("team") || null,
    days: Number.isInteger(days) && days >= 1 && days <= 366 ? days : 30,
    until: DAY.test(params.get("until") ?? "") ? params.get("until") : null,
    from: DAY.test(params.get("from") ?? "") ? params.get("from") : null,
  };
}

export function teamLabel(team: string, teams: Record<string, string>): string {
  return teams[team] ?? team;
}

export function ReportControls({
  teams,
  window = "days",
  children,
}: {
  teams: string[];
  /** "days": 7/30/90 days up to an end day; "range": from a first day to an end day. */
  window?: "days" | "range";
  children?: ReactNode;
}) {
  const { t } = useI18n();
  const route = useRoute();
  const current = reportParams(route.params);
  const go = (change: Partial<ReportParams>) => navigateWith(route, change);
  return (
    <div className="controls">
      <label>
        {t.controls.team}
        <select name="team" value={current.team ?? ""} onChange={(e) => go({ team: e.target.value || null })}>
          <option value="">{t.controls.allTeams}</option>
          {teams.map((team) => (
            <option key={team} value={team}>
              {teamLabel(team, t.teams)}
            </option>
          ))}
        </select>
      </label>
      {window === "days" ? (
        <div className="presets" role="group">
          {PRESETS.map((days) => (
            <button key={days} type="button" aria-pressed={current.days === days} onClick={() => go({ days })}>
              {t.controls.days(days)}
            </button>
          ))}
        </div>
      ) : (
        <label>
          {t.controls.from}
          <input
            type="date"
            name="from"
            value={current.from ?? ""}
            onChange={(e) => go({ from: e.target.value || null })}
          />
        </label>
      )}
      <label>
        {t.controls.until}
        <input
          type="date"
          name="until"
          value={current.until ?? ""}
          onChange={(e) => go({ until: e.target.value || null })}
        />
      </label>
      {children}
    </div>
  );
}
