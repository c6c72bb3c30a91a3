// The signed-in frame: menu from the route table, language switch, user, sign-out; loads the teams
// the user may see once (funnel_report's `teams` for one day) for every page's team picker.
import type { Session } from "@supabase/supabase-js";
import { useI18n } from "../lib/i18n.tsx";
import { href, useRoute } from "../lib/route.ts";
import { SIGNING_OUT_FLAG, useRpc } from "../lib/rpc.ts";
import { supabase } from "../lib/supabase.ts";
import { ROUTES } from "../routes.ts";
import { Problem } from "./Problem.tsx";

const REPORT_PARAMS = ["team", "days", "until"];

export function Shell({ session }: { session: Session }) {
  const { t, language, setLanguage } = useI18n();
  const route = useRoute();
  const visible = useRpc("funnel_report", { p_days: 1 });
  const isAdmin = session.user.app_metadata?.role === "admin";
  const current = ROUTES.find((r) => r.path === route.page) ?? ROUTES[0];
  const keep = Object.fromEntries(REPORT_PARAMS.map((k) => [k, route.params.get(k)]));
  const Page = current.component;

  return (
    <div className="shell">
      <header>
        <strong className="brand">{t.appName}</strong>
        <nav>
          {ROUTES.map((r) => (
            <a
              key={r.path}
              href={href(r.path, r.reportControls ? keep : {})}
              aria-current={r === current ? "page" : undefined}
            >
              {r.label(t)}
            </a>
          ))}
        </nav>
        <span className="spacer" />
        <button type="button" className="link" onClick={() => setLanguage(language === "ru" ? "en" : "ru")}>
          {t.language}
        </button>
        <span className="user" data-testid="user-email">
          {session.user.email}
        </span>
        <button
          type="button"
          className="link"
          onClick={() => {
            sessionStorage.setItem(SIGNING_OUT_FLAG, "1");
            void supabase.auth.signOut({ scope: "local" });
          }}
        >
          {t.signOut}
        </button>
      </header>
      <main>
        {visible.problem ? (
          <Problem problem={visible.problem} onRetry={visible.reload} />
        ) : visible.data ? (
          <Page params={route.params} teams={visible.data.teams} isAdmin={isAdmin} key={current.path} />
        ) : (
          <p className="loading">{t.loading}</p>
        )}
      </main>
    </div>
  );
}
