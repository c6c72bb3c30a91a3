// What the dashboard's page tests share: the built dashboard served by the local gateway on a test
// database (seeded or empty), a Chromium, a signed-in page per demo user, screenshots, and the tables
// of the Ads and Cohorts pages read back as numbers (ru-KZ text → values; "—" is null).
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { buildDashboard } from "../../scripts/lib/dashboard-build.ts";
import { PROJECT_ROOT } from "../../scripts/lib/paths.ts";
import { DEMO_PASSWORD } from "../../scripts/local/demo-users.ts";
import { LOCAL_JWT_SECRET } from "../../scripts/local/supabase-api/jwt.ts";
import { serveSupabaseApi, type SupabaseApiServer } from "../../scripts/local/supabase-api/server.ts";
import { launchChromium, readRuNumber } from "../support/browser.ts";
import { createTestDatabase, type TestDatabase } from "../support/test-database.ts";

export const SCREENSHOTS = path.join(PROJECT_ROOT, ".local/screenshots");

export interface DashboardUnderTest {
  db: TestDatabase;
  api: SupabaseApiServer;
  browser: Browser;
  stop(): Promise<void>;
}

/** A test database (plus `fill`, before the gateway serves it), the dashboard built and served on `port`, a Chromium. */
export async function startDashboard(
  port: number,
  options: { seed: boolean; fill?: (db: TestDatabase) => Promise<void> },
): Promise<DashboardUnderTest> {
  const buildDir = path.join(PROJECT_ROOT, `.local/test-dashboard-${port}`);
  const [db] = await Promise.all([createTestDatabase({ seed: options.seed }), buildDashboard(buildDir)]);
  await options.fill?.(db);
  const api = await serveSupabaseApi({
    databaseUrl: db.url,
    jwtSecret: LOCAL_JWT_SECRET,
    dashboardDir: buildDir,
    port,
  });
  const browser = await launchChromium();
  await mkdir(SCREENSHOTS, { recursive: true });
  return {
    db,
    api,
    browser,
    async stop() {
      await browser.close();
      await api.stop();
      await db.drop();
      await rm(buildDir, { recursive: true, force: true });
    },
  };
}

/** Signs a demo user in and opens `hash` (e.g. `#/ads?level=campaign`), its figures loaded. */
export async function openAs(dash: DashboardUnderTest, email: string, hash: string): Promise<Page> {
  const context = await dash.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "ru-RU" });
  const page = await context.newPage();
  page.on("pageerror", (error) => console.error(`[page] ${error.message}`));
  await page.goto(`${dash.api.url}/`);
  await page.fill("input[name=email]", email);
  await page.fill("input[name=password]", DEMO_PASSWORD);
  await page.click("button[type=submit]");
  await page.waitForSelector("section[aria-busy=false]");
  await page.goto(`${dash.api.url}/${hash}`);
  await loaded(page);
  return page;
}

/** The page's report has arrived (not busy, and the window line filled in), or the page says why not. */
export async function loaded(page: Page) {
  await page.waitForFunction(() => {
    const window = document.querySelector("[data-testid=window]")?.textContent ?? "";
    const answered = window.trim() !== "" || document.querySelector("[data-testid=problem]") !== null;
    return answered && !document.querySelector("[aria-busy=true]");
  });
}

export async function shoot(page: Page, name: string) {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** A shown number as a value: money and counts exactly, a percent as a ratio (rounded like the RPC's). */
export function shownNumber(text: string): number | null {
  const value = readRuNumber(text);
  return value === null ? null : Math.round(value * 1e6) / 1e6;
}

export type ShownRow = { row: string } & Record<string, number | null | string>;

/** The Ads table as shown: every row (`data-row`: level:id:team, unmatched:…:team, totals) with its figures. */
export async function adTableOnScreen(page: Page): Promise<ShownRow[]> {
  const rows = await page.locator("[data-testid=ad-rows] tr[data-row]").evaluateAll((trs) =>
    trs.map((tr) => ({
      row: tr.getAttribute("data-row")!,
      unmatched: tr.closest("tbody.unmatched") !== null,
      figures: Object.fromEntries(
        [...tr.querySelectorAll("[data-fig]")].map((el) => [el.getAttribute("data-fig"), el.textContent ?? ""]),
      ),
    })),
  );
  return rows.map((r) => ({
    row: r.unmatched ? `unmatched:${r.row}` : r.row,
    ...Object.fromEntries(Object.entries(r.figures as Record<string, string>).map(([k, v]) => [k, shownNumber(v)])),
  }));
}

export interface ShownCohort {
  cohort: string;
  people: number | null;
  leads: number | null;
  spend: number | null;
  payback: string;
  toDate: Record<string, number | null>;
  /** Per horizon: too young or not, and its figures; empty when the row shows "no leads" instead. */
  horizons: { days: number; tooYoung: boolean; figures: Record<string, number | null> }[];
  lags: Record<string, number | null>;
}

/** The Cohorts table as shown. */
export async function cohortTableOnScreen(page: Page): Promise<ShownCohort[]> {
  const rows = await page.locator("[data-testid=cohorts] tr[data-cohort]").evaluateAll((trs) => {
    const figures = (el: Element | null) =>
      Object.fromEntries(
        [...(el?.querySelectorAll("[data-fig]") ?? [])].map((f) => [f.getAttribute("data-fig"), f.textContent ?? ""]),
      );
    const text = (tr: Element, col: string) => tr.querySelector(`[data-col=${col}]`)?.textContent ?? "";
    return trs.map((tr) => ({
      cohort: tr.getAttribute("data-cohort")!,
      people: text(tr, "people"),
      leads: text(tr, "leads"),
      spend: text(tr, "spend"),
      payback: tr.querySelector("[data-col=payback]")?.getAttribute("data-value") ?? "",
      toDate: figures(tr.querySelector("[data-col=to_date]")),
      horizons: [...tr.querySelectorAll("td[data-horizon]")].map((td) => ({
        days: Number(td.getAttribute("data-horizon")),
        tooYoung: td.getAttribute("data-too-young") === "true",
        figures: figures(td),
      })),
      lags: figures(tr.querySelector("[data-col=lags]")),
    }));
  });
  const numbers = (o: Record<string, string>) =>
    Object.fromEntries(Object.entries(o).map(([k, v]) => [k, shownNumber(v)]));
  return rows.map((r) => ({
    ...r,
    people: shownNumber(r.people),
    leads: shownNumber(r.leads),
    spend: shownNumber(r.spend),
    toDate: numbers(r.toDate),
    horizons: r.horizons.map((h) => ({ ...h, figures: numbers(h.figures) })),
    lags: numbers(r.lags),
  }));
}
