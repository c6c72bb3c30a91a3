// The dashboard's pages, in menu order. A page is a component of its route's parameters; adding one
// (the Ads and Cohorts pages, once ad_report and cohort_report exist) is a line here and a file in pages/.
import type { ComponentType } from "react";
import type { Dictionary } from "./lib/i18n-ru.ts";
import { DailyPage } from "./pages/Daily.tsx";
import { FunnelPage } from "./pages/Funnel.tsx";
import { HealthPage } from "./pages/Health.tsx";
import { SettingsPage } from "./pages/Settings.tsx";

export interface PageProps {
  params: URLSearchParams;
  /** Teams the user may see (funnel_report's `teams`), and whether they see every team. */
  teams: string[];
  isAdmin: boolean;
}

export interface PageRoute {
  path: string;
  label: (t: Dictionary) => string;
  component: ComponentType<PageProps>;
  /** Keeps the report controls' team / days / until when switching to this page. */
  reportControls: boolean;
}

export const ROUTES: PageRoute[] = [
  { path: "funnel", label: (t) => t.nav.funnel, component: FunnelPage, reportControls: true },
  { path: "daily", label: (t) => t.nav.daily, component: DailyPage, reportControls: true },
  { path: "health", label: (t) => t.nav.health, component: HealthPage, reportControls: true },
  { path: "settings", label: (t) => t.nav.settings, component: SettingsPage, reportControls: false },
];
