// Team picker (only the teams the user may see), window presets and a custom end day; all in the URL.
import { useI18n } from "../lib/i18n.tsx";
import { navigate, useRoute } from "../lib/route.ts";

export const PRESETS = [7, 30, 90];

export interface ReportParams {
  team: string | null;
  days: number;
  until: string | null;
}

export function reportParams(params: URLSearchParams): ReportParams {
  const days = Number(params.get("days"));
  return {
    team: params.get("team") || null,
    days: Number.isInteger(days) && days >= 1 && days <= 366 ? days : 30,
    until: /^\d{4}-\d{2}-\d{2}$/.test(params.get("until") ?? "") ? params.get("until") : null,
  };
}

export function teamLabel(team: string, teams: Record<string, string>): string {
  return teams[team] ?? team;
}

export function ReportControls({ teams }: { teams: string[] }) {
  const { t } = useI18n();
  const route = useRoute();
  const current = reportParams(route.params);
  const go = (change: Partial<ReportParams>) => navigate(route.page, { ...current, ...change });
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
      <div className="presets" role="group">
        {PRESETS.map((days) => (
          <button key={days} type="button" aria-pressed={current.days === days} onClick={() => go({ days })}>
            {t.controls.days(days)}
          </button>
        ))}
      </div>
      <label>
        {t.controls.until}
        <input
          type="date"
          name="until"
          value={current.until ?? ""}
          onChange={(e) => go({ until: e.target.value || null })}
        />
      </label>
    </div>
  );
}
