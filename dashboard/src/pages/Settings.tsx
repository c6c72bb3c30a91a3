// Facebook Business Managers and ad accounts (facebook_ad_accounts): currency, zone, status, team,
// last sync. Admins assign an account or a whole BM to a team through the existing RPCs; members
// read their teams' accounts only (the RPCs refuse them anyway).
import { useState } from "react";
import type { FacebookAdAccount } from "../../../supabase/types/api.ts";
import { Problem } from "../components/Problem.tsx";
import { teamLabel } from "../components/ReportControls.tsx";
import { instant } from "../lib/format.ts";
import { useI18n } from "../lib/i18n.tsx";
import { callRpc, useRpc, type RpcProblem } from "../lib/rpc.ts";
import type { PageProps } from "../routes.ts";

const ZONE = "Asia/Almaty";

export function SettingsPage({ teams, isAdmin }: PageProps) {
  const { t } = useI18n();
  const accounts = useRpc("facebook_ad_accounts", {});
  const [problem, setProblem] = useState<RpcProblem>();
  const [done, setDone] = useState<string>();
  const assignable = teams.filter((team) => team !== "unattributed");
  const rows: FacebookAdAccount[] = accounts.data ?? [];
  const businesses = [...new Map(rows.map((a) => [a.business_id, a.business_name])).entries()];

  async function assign(kind: "account" | "business", id: string, label: string, team: string | null) {
    setProblem(undefined);
    setDone(undefined);
    const result =
      kind === "account"
        ? await callRpc("assign_facebook_ad_account", { p_ad_account_id: id, p_team_id: team })
        : await callRpc("assign_facebook_business", { p_business_id: id, p_team_id: team });
    if (result.problem) setProblem(result.problem);
    else setDone(t.settings.assigned(label, team ? teamLabel(team, t.teams) : t.settings.noTeam));
    accounts.reload();
  }

  const teamSelect = (value: string | null, onChange: (team: string | null) => void, name: string) => (
    <select name={name} value={value ?? ""} onChange={(e) => onChange(e.target.value || null)}>
      <option value="">{t.settings.noTeam}</option>
      {assignable.map((team) => (
        <option key={team} value={team}>
          {teamLabel(team, t.teams)}
        </option>
      ))}
    </select>
  );

  if (accounts.problem) return <Problem problem={accounts.problem} onRetry={accounts.reload} />;
  return (
    <section className={accounts.loading ? "page busy" : "page"}>
      <h1>{t.settings.title}</h1>
      {!isAdmin && (
        <p className="note" data-testid="read-only">
          {t.settings.readOnly}
        </p>
      )}
      {problem && <Problem problem={problem} />}
      {done && (
        <p className="done" role="status" data-testid="assigned">
          {done}
        </p>
      )}
      {accounts.data && rows.length === 0 && <p>{t.settings.empty}</p>}
      {businesses.map(([businessId, businessName]) => (
        <article className="card" key={businessId ?? "none"} data-business={businessId}>
          <h2>
            {t.settings.business}: {businessName ?? businessId ?? "—"}
            {isAdmin && businessId && (
              <label className="inline">
                {t.settings.assignBusiness}{" "}
                {teamSelect(
                  null,
                  (team) => assign("business", businessId, businessName ?? businessId, team),
                  `business-${businessId}`,
                )}
              </label>
            )}
          </h2>
          <table>
            <thead>
              <tr>
                <th>{t.settings.account}</th>
                <th>{t.settings.currency}</th>
                <th>{t.settings.timezone}</th>
                <th>{t.settings.status}</th>
                <th>{t.settings.team}</th>
                <th>{t.settings.lastSync}</th>
                <th>{t.settings.error}</th>
              </tr>
            </thead>
            <tbody>
              {rows
                .filter((a) => a.business_id === businessId)
                .map((a) => (
                  <tr key={a.ad_account_id} data-account={a.ad_account_id}>
                    <th scope="row">
                      {a.name}
                      <br />
                      <small>act_{a.ad_account_id}</small>
                    </th>
                    <td>{a.currency}</td>
                    <td>{a.timezone_name}</td>
                    <td>{t.settings.statuses[a.account_status] ?? a.account_status}</td>
                    <td data-col="team">
                      {isAdmin
                        ? teamSelect(
                            a.team_id,
                            (team) => assign("account", a.ad_account_id, a.name, team),
                            `account-${a.ad_account_id}`,
                          )
                        : a.team_id
                          ? teamLabel(a.team_id, t.teams)
                          : t.settings.noTeam}
                    </td>
                    <td>{instant(a.last_synced_at, ZONE)}</td>
                    <td>{a.last_sync_error ?? ""}</td>
                  </tr>
                ))}
            </tbody>
          </table>
        </article>
      ))}
    </section>
  );
}
