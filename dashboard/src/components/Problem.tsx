// What went wrong, in words a person can act on.
import { useI18n } from "../lib/i18n.tsx";
import type { RpcProblem } from "../lib/rpc.ts";
import { href } from "../lib/route.ts";

export function Problem({
  problem,
  team,
  onRetry,
}: {
  problem: RpcProblem;
  team?: string | null;
  onRetry?: () => void;
}) {
  const { t } = useI18n();
  if (problem.kind === "forbidden") {
    const noTeams = /has no teams/.test(problem.message);
    return (
      <div className="problem card" role="alert" data-testid="problem">
        <p>{noTeams ? t.errors.noTeams : team ? t.errors.forbiddenTeam(team) : t.errors.forbidden}</p>
        {team && !noTeams && <a href={href("funnel")}>{t.errors.chooseTeam}</a>}
      </div>
    );
  }
  const text =
    problem.kind === "database-down"
      ? t.errors.databaseDown
      : problem.kind === "network"
        ? t.errors.network
        : `${t.errors.badRequest}: ${problem.message}`;
  return (
    <div className="problem card" role="alert" data-testid="problem">
      <p>{text}</p>
      {onRetry && (
        <button type="button" onClick={onRetry}>
          {t.errors.retry}
        </button>
      )}
    </div>
  );
}
