// funnel_report's warnings (data-health checks that bear on the numbers), by severity.
import type { HealthCheck } from "../../../supabase/types/api.ts";
import { useI18n } from "../lib/i18n.tsx";

export function Warnings({ warnings }: { warnings: HealthCheck[] | undefined }) {
  const { t } = useI18n();
  return (
    <article className="card" data-testid="warnings">
      <h2>{t.warnings}</h2>
      {warnings === undefined ? (
        <p className="placeholder">{t.loading}</p>
      ) : warnings.length === 0 ? (
        <p>{t.noWarnings}</p>
      ) : (
        <ul className="checks">
          {warnings.map((w, i) => (
            <li key={`${w.code}-${i}`} className={`severity-${w.severity ?? "warning"}`} data-code={w.code}>
              <code>{w.code}</code> {w.message}
            </li>
          ))}
        </ul>
      )}
    </article>
  );
}
