// The Ads, Cohorts and Funnel (lead date) pages in Chromium on the seeded demo database: what a team
// member and an admin see is exactly ad_report's, cohort_report's and funnel_report's JSON, run in SQL
// for the same user and arguments; sorting by ROI, the level, model and grain switches; a forbidden
// team. Screenshots of the new pages go to .local/screenshots (git-ignored).
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AdReport, AdRow, CohortReport, FunnelReport } from "../../supabase/types/api.ts";
import { testPort } from "../support/ports.ts";
import { asApiRole } from "../support/test-database.ts";
import {
  adTableOnScreen,
  cohortTableOnScreen,
  type DashboardUnderTest,
  openAs,
  shoot,
  shownNumber,
  startDashboard,
} from "./dashboard-setup.ts";

type User = { email: string; appMetadata: Record<string, unknown> };
const MEMBER: User = { email: "kenesary@voronka.local", appMetadata: { teams: ["kenesary"] } };
const ADMIN: User = { email: "admin@voronka.local", appMetadata: { role: "admin" } };
let dash: DashboardUnderTest;

beforeAll(async () => {
  dash = await startDashboard(testPort("dashboardReportsGateway"), { seed: true });
}, 180_000);
afterAll(() => dash?.stop());

/** An RPC run in SQL as the user's JWT would run it (PostgREST's role and claims). */
async function inSql<T>(appMetadata: Record<string, unknown>, call: string, args: unknown[]): Promise<T> {
  return asApiRole(dash.db.sql, { role: "authenticated", app_metadata: appMetadata }, async (tx) => {
    const [row] = await tx.unsafe(`select ${call} as r`, args as never[]);
    return row.r as T;
  });
}
const adReport = (who: User, level: string, model = "last_touch") =>
  inSql<AdReport>(who.appMetadata, "public.ad_report(null, 30, null, $1, $2)", [level, model]);
const cohortReport = (who: User, grain: string, model = "first_touch") =>
  inSql<CohortReport>(who.appMetadata, "public.cohort_report(null, null, null, $1, $2)", [grain, model]);

const FIGURES = [
  "spend",
  "leads",
  "cpl",
  "revenue",
  "roi",
  "roas",
  "express_purchases",
  "express_revenue",
  "flagman_purchases",
  "flagman_revenue",
  "cost_per_express",
  "cost_per_flagman",
  "impressions",
  "clicks",
] as const;

/** What the Ads table must show for a report: its rows in the given order, the unmatched rows, the totals. */
function expectedAdTable(report: AdReport, rows: AdRow[] = report.rows) {
  const figures = (f: AdReport["totals"]) => ({
    ...Object.fromEntries(FIGURES.map((k) => [k, f[k]])),
    roas: f.roas === null ? null : Math.round(f.roas * 100) / 100, // shown as 1,49×
  });
  const id = (r: AdRow) => (r.level === "ad" ? r.ad_id : r.level === "adset" ? r.adset_id : r.campaign_id);
  return [
    ...rows.map((r) => ({ row: `${r.level}:${id(r)}:${r.team}`, ...figures(r) })),
    ...(report.unmatched ?? []).map((r) => ({ row: `unmatched:unmatched::${r.team}`, ...figures(r) })),
    { row: "totals", ...figures(report.totals) },
  ];
}

/** ROI, highest first (or lowest first), rows without ROI last, ties in the report's order. */
function byRoi(rows: AdRow[], direction: 1 | -1): AdRow[] {
  const rank = (r: AdRow) => (r.roi === null ? Infinity : direction * r.roi);
  return rows
    .map((r, i) => [r, i] as const)
    .sort(([a, i], [b, j]) => rank(a) - rank(b) || i - j)
    .map(([r]) => r);
}

/** What the Cohorts table must show for a report. */
function expectedCohorts(report: CohortReport) {
  return report.cohorts.map((c) => ({
    cohort: c.cohort,
    people: c.people,
    leads: c.leads,
    spend: c.spend,
    payback: c.payback_day === null ? "" : String(c.payback_day),
    toDate: c.to_date,
    horizons:
      c.people === 0
        ? [] // "no leads" across the horizons
        : c.horizons.map((h) => ({
            days: h.days,
            tooYoung: h.too_young,
            figures: {
              express_buyers: h.express_buyers,
              express_revenue: h.express_revenue,
              flagman_buyers: h.flagman_buyers,
              flagman_revenue: h.flagman_revenue,
              roi: h.roi,
            },
          })),
    lags: {
      lead_to_express_median: c.lead_to_express_days.median,
      lead_to_express_p90: c.lead_to_express_days.p90,
      express_to_flagman_median: c.express_to_flagman_days.median,
      express_to_flagman_p90: c.express_to_flagman_days.p90,
    },
  }));
}

async function click(page: Page, choice: string, value: string) {
  await page.click(`[data-choice=${choice}] button[data-value=${value}]`);
}

describe("the Ads page on the demo data", () => {
  it("a member sees exactly ad_report's rows, unmatched row and totals for their team; ROI sorting; levels", async () => {
    const page = await openAs(dash, MEMBER.email, "#/ads");
    const ads = await adReport(MEMBER, "ad");
    expect(ads.rows.length).toBeGreaterThanOrEqual(5);
    expect(ads.unmatched).toHaveLength(1);
    expect(await adTableOnScreen(page)).toEqual(expectedAdTable(ads));
    expect(await page.locator("[data-testid=ad-rows] th[data-col=spend]").count()).toBe(1);
    expect(await page.locator("[data-testid=ad-rows] [data-col=team]").count()).toBe(0); // one team: no column
    await shoot(page, "ads-member");

    await page.click("[data-testid=ad-rows] th[data-col=roi] button");
    const roiOrder = byRoi(ads.rows, -1);
    // The demo ads' ROIs differ: the two directions are two different orders.
    expect(byRoi(ads.rows, 1).map((r) => r.ad_id)).not.toEqual(roiOrder.map((r) => r.ad_id));
    await expect.poll(() => adTableOnScreen(page)).toEqual(expectedAdTable(ads, roiOrder));
    await page.click("[data-testid=ad-rows] th[data-col=roi] button");
    await expect.poll(() => adTableOnScreen(page)).toEqual(expectedAdTable(ads, byRoi(ads.rows, 1)));
    expect(page.url()).toMatch(/sort=roi.*dir=asc/);

    for (const level of ["adset", "campaign"]) {
      await click(page, "level", level);
      const report = await adReport(MEMBER, level);
      await expect.poll(() => adTableOnScreen(page)).toEqual(expectedAdTable(report, byRoi(report.rows, 1)));
      await shoot(page, `ads-member-${level}`);
    }
    await page.context().close();
  });

  it("an admin sees every team's ads, the team column, each team's unmatched row, and first touch on request", async () => {
    const page = await openAs(dash, ADMIN.email, "#/ads?model=first_touch");
    const ads = await adReport(ADMIN, "ad", "first_touch");
    expect(new Set(ads.rows.map((r) => r.team)).size).toBeGreaterThan(2);
    expect(await adTableOnScreen(page)).toEqual(expectedAdTable(ads));
    expect(await page.locator("tbody.unmatched tr").count()).toBe(ads.unmatched!.length);
    expect(await page.locator("[data-testid=ad-rows] tbody:not(.unmatched) [data-col=team]").count()).toBe(
      ads.rows.length,
    );
    await shoot(page, "ads-admin-first-touch");
    await page.getByRole("button", { name: "English" }).click();
    await expect.poll(() => page.locator("header nav").innerText()).toContain("Ads");
    expect(await page.locator("tbody.unmatched th .name").first().innerText()).toBe("Unmatched");
    await shoot(page, "ads-admin-en");
    await page.context().close();
  });

  it("a team the member may not see gets the clear message on Ads and Cohorts, and no table", async () => {
    for (const name of ["ads", "cohorts"]) {
      const page = await openAs(dash, MEMBER.email, `#/${name}?team=traf4`);
      const problem = page.locator("[data-testid=problem]");
      await problem.waitFor();
      expect(await problem.innerText()).toContain("У вас нет доступа к команде «traf4».");
      expect(await page.locator("table").count()).toBe(0);
      await page.context().close();
    }
  });
});

describe("the Cohorts page on the demo data", () => {
  it("a member sees exactly cohort_report's cohorts, too-young horizons marked; week grain and last touch", async () => {
    const page = await openAs(dash, MEMBER.email, "#/cohorts");
    const months = await cohortReport(MEMBER, "month");
    expect(months.cohorts.filter((c) => c.people > 0).length).toBeGreaterThanOrEqual(2);
    expect(await cohortTableOnScreen(page)).toEqual(expectedCohorts(months));
    const young = months.cohorts.filter((c) => c.people > 0).flatMap((c) => c.horizons.filter((h) => h.too_young));
    expect(young.length).toBeGreaterThan(0);
    expect(await page.locator("td.too-young .badge").count()).toBe(young.length);
    expect(await page.locator("td.too-young .badge").first().innerText()).toBe("рано");
    await shoot(page, "cohorts-member");

    await click(page, "grain", "week");
    const weeks = await cohortReport(MEMBER, "week");
    await expect.poll(() => cohortTableOnScreen(page)).toEqual(expectedCohorts(weeks));
    expect(page.url()).toContain("grain=week");
    await shoot(page, "cohorts-member-weeks");

    await click(page, "model", "last_touch");
    const lastTouch = await cohortReport(MEMBER, "week", "last_touch");
    await expect.poll(() => cohortTableOnScreen(page)).toEqual(expectedCohorts(lastTouch));
    await page.context().close();
  });
});

describe("the Funnel page's purchases by lead date", () => {
  it("shows funnel_report(p_basis => 'lead_date')'s figures after the switch, and keeps it in the URL", async () => {
    const page = await openAs(dash, MEMBER.email, "#/funnel");
    const ids = ["spend", "leads", "express_purchases", "express_revenue", "flagman_purchases", "flagman_revenue"];
    const shown = async () =>
      Object.fromEntries(
        await Promise.all(
          [...ids, "total_revenue", "roi"].map(async (id) => [
            id,
            shownNumber(await page.locator(`[data-testid=${id}]`).innerText()),
          ]),
        ),
      );
    const expected = (r: FunnelReport) => {
      const [spend, leads, express, flagman] = r.stages;
      return {
        spend: spend.spend,
        leads: leads.count,
        express_purchases: express.purchases,
        express_revenue: express.revenue,
        flagman_purchases: flagman.purchases,
        flagman_revenue: flagman.revenue,
        total_revenue: r.totals.revenue,
        roi: r.totals.roi,
      };
    };
    const funnel = (basis: string) =>
      inSql<FunnelReport>(MEMBER.appMetadata, "public.funnel_report(null, 30, null, $1)", [basis]);
    const [bySale, byLead] = [await funnel("sale_date"), await funnel("lead_date")];
    expect(expected(byLead)).not.toEqual(expected(bySale)); // the switch must change figures
    expect(await shown()).toEqual(expected(bySale));
    await click(page, "basis", "lead_date");
    await expect.poll(shown).toEqual(expected(byLead));
    expect(page.url()).toContain("basis=lead_date");
    expect(await page.locator("[data-testid=basis-note]").count()).toBe(1);
    await shoot(page, "funnel-member-lead-date");
    await page.context().close();
  });
});
