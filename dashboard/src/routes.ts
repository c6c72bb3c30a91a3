// The dashboard's pages, in menu order. A page is a component of its route's parameters; adding one
// is a line here and a file in pages/ (with its menu label in lib/i18n-ru.ts and lib/i18n-en.ts).
import type { ComponentType } from "react";
import type { Dictionary } from "./lib/i18n-ru.ts";
import { AdsPage } from "./pages/Ads.tsx";
import { CohortsPage } from "./pages/Cohorts.tsx";
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
  { path: "ads", label: (t) => t.nav.ads, component: AdsPage, reportControls: true },
  { path: "cohorts", label: (t) => t.nav.cohorts, component: CohortsPage, reportControls: true },
  { path: "health", label: (t) => t.nav.health, component: HealthPage, reportControls: true },
  { path: "settings", label: (t) => t.nav.settings, component: SettingsPage, reportControls: false },
];
