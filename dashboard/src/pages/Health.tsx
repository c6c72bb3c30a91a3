// data_health: every check with its severity, count and message, details on demand.
import { Problem } from "../components/Problem.tsx";
import { ReportControls, reportParams } from "../components/ReportControls.tsx";
import { count, day, instant } from "../lib/format.ts";
import { useI18n } from "../lib/i18n.tsx";
import { useRpc } from "../lib/rpc.ts";
import type { PageProps } from "../routes.ts";

export function HealthPage({ params, teams }: PageProps) {
  const { t } = useI18n();
  const { team, days, until } = reportParams(params);
  const health = useRpc("data_health", { p_team: team, p_days: days, p_until: until });
  const h = health.problem ? undefined : health.data;
  return (
    <section className={health.loading ? "page busy" : "page"} aria-busy={health.loading}>
      <ReportControls teams={teams} />
      {health.problem ? (
        <Problem problem={health.problem} team={team} onRetry={health.reload} />
      ) : (
        <article className="card">
          <h2>
            {t.health.title}:{" "}
            <span className={`badge severity-${h?.status ?? "ok"}`} data-testid="health-status">
              {h ? t.health.severity[h.status] : "…"}
            </span>
          </h2>
          <p className="window">
            {h
              ? `${day(h.window.from)} — ${day(h.window.until)} · ${instant(h.generated_at, h.window.time_zone)}`
              : "\u00a0"}
          </p>
          {h?.scope === "teams" && <p className="note">{t.health.scopeTeams}</p>}
          <ul className="checks" data-testid="checks">
            {h?.checks.map(({ code, severity, count: n, message, ...details }) => (
              <li key={code} className={`severity-${severity}`} data-code={code}>
                <span className="badge">{t.health.severity[severity]}</span> <code>{code}</code>{" "}
                <span className="count">{count(n)}</span> — {message}
                {severity !== "ok" && Object.keys(details).length > 0 && (
                  <details>
                    <summary>{t.health.details}</summary>
                    <pre>{JSON.stringify(details, null, 2)}</pre>
                  </details>
                )}
              </li>
            ))}
          </ul>
        </article>
      )}
    </section>
  );
}
