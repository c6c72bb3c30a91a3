// The dashboard's static build (Vite): `npm run build:dashboard`, and `npm start` building it when
// dashboard/dist is missing or older than its sources.
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { PROJECT_ROOT } from "./paths.ts";

export const DASHBOARD_DIR = path.join(PROJECT_ROOT, "dashboard");
export const DASHBOARD_DIST = path.join(DASHBOARD_DIR, "dist");

const SOURCES = [
  path.join(DASHBOARD_DIR, "src"),
  path.join(DASHBOARD_DIR, "index.html"),
  path.join(DASHBOARD_DIR, "vite.config.ts"),
  path.join(PROJECT_ROOT, "supabase/types"),
];

function newestChange(file: string): number {
  const stat = statSync(file);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(file).map((name) => newestChange(path.join(file, name))));
}

/** True when outDir has no build or a source changed after it was built. */
export function dashboardIsStale(outDir = DASHBOARD_DIST): boolean {
  const index = path.join(outDir, "index.html");
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  return SOURCES.some((source) => existsSync(source) && newestChange(source) > built);
}

export async function buildDashboard(outDir = DASHBOARD_DIST): Promise<void> {
  const { build } = await import("vite");
  await build({
    configFile: path.join(DASHBOARD_DIR, "vite.config.ts"),
    build: { outDir, emptyOutDir: true },
    logLevel: "warn",
  });
}

/** Builds into outDir unless it is up to date; says so through log. */
export async function ensureDashboardBuilt(log: (line: string) => void, outDir = DASHBOARD_DIST): Promise<void> {
  if (!dashboardIsStale(outDir)) return;
  log(`• Dashboard: building ${path.relative(PROJECT_ROOT, outDir)} (vite build)`);
  await buildDashboard(outDir);
}
