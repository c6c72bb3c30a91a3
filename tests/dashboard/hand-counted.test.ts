// The Ads, Cohorts and Funnel pages in Chromium on a small dataset whose every figure is worked out
// by hand below (the ad-report dataset of tests/ads, plus an ad that sells cheaply and buyers linked
// to their leads): a member of kenesary sees exactly these numbers, sorts by ROI, switches the level,
// the attribution model and the funnel's basis.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addAdAccount, addRate, addTeams } from "../funnel/fixtures.ts";
import { addAdInsight, addPerson, addTaggedLead, addTaggedSale } from "../ads/fixtures.ts";
import { testPort } from "../support/ports.ts";
import type { Sql } from "../support/test-database.ts";
import {
  adTableOnScreen,
  cohortTableOnScreen,
  type DashboardUnderTest,
  loaded,
  openAs,
  shoot,
  shownNumber,
  startDashboard,
} from "./dashboard-setup.ts";

const MEMBER = "kenesary@voronka.local";
const UNTIL = "2024-05-31"; // the 30 days 2024-05-02 … 2024-05-31
let dash: DashboardUnderTest;

// Spend (account 1001 kenesary USD: 450 KZT on 05-10, 460 on 05-11; 1002 traf4 KZT), campaign 501
// "Ken Video", ad set 601 "Broad":
//   ad 701 "Video A" → "Video A v2": 100 USD × 450 + 20 USD × 460 = 54,200.00; 1,500 impressions, 70 clicks
//   ad 702 "Video B": 10 USD × 450 = 4,500.00; 300 impressions, 10 clicks
//   ad 705 "Stories K": 2 USD × 460 = 920.00; 200 impressions, 8 clicks
//   ad 703 (traf4): 30,000.00 KZT — another team's, never on the member's screen
// Leads (kenesary, each a person): L1 → 701 (05-10), L2 → "Video B" (05-11, person P2), L3 names only
//   campaign 501, L4 no tags (unmatched), L7 → 705 (05-13). traf4's L5, instagram's L6.
// Sales: S1 express 5,000 tagged 701 by L1's person on 05-12 (2 days after L1); S2 flagman 490,000
//   tagged "Video A v2" by P2 on 05-20 (9 days after L2, whose tags named 702); S5 express 5,000 tagged
//   705 by L7's person on 05-14 (1 day); S3 traf4's; S4 a lost flagman (never counted).
async function fill(sql: Sql) {
  await addTeams(sql, "kenesary", "traf4");
  await addAdAccount(sql, { id: "1001", currency: "USD", team: "kenesary" });
  await addAdAccount(sql, { id: "1002", currency: "KZT", team: "traf4" });
  await addRate(sql, "2024-05-10", "USD", "450.00");
  await addRate(sql, "2024-05-11", "USD", "460.00");
  const ken = {
    account: "1001",
    currency: "USD",
    campaign: ["501", "Ken Video"] as [string, string],
    adset: ["601", "Broad"] as [string, string],
  };
  const insight = (day: string, spend: string, ad: [string, string], impressions: number, clicks: number) =>
    addAdInsight(sql, { ...ken, day, spend, ad, impressions, clicks });
  await insight("2024-05-10", "100.00", ["701", "Video A"], 1000, 50);
  await insight("2024-05-11", "20.00", ["701", "Video A v2"], 500, 20);
  await insight("2024-05-10", "10.00", ["702", "Video B"], 300, 10);
  await insight("2024-05-11", "2.00", ["705", "Stories K"], 200, 8);
  await addAdInsight(sql, {
    account: "1002",
    currency: "KZT",
    campaign: ["502", "Traf Leads"],
    adset: ["602", "Lookalike"],
    day: "2024-05-12",
    spend: "30000.00",
    ad: ["703", "Carousel"],
    impressions: 2000,
    clicks: 100,
  });
  const p1 = await addPerson(sql, "2024-05-10T10:00:00+05:00", { source: "kenesary", content: "701" });
  const p2 = await addPerson(sql, "2024-05-11T10:00:00+05:00", { source: "kenesary", content: "Video B" });
  await addPerson(sql, "2024-05-12T10:00:00+05:00", { source: "kenesary", content: "unknown", campaign: "501" });
  await addPerson(sql, "2024-05-12T11:00:00+05:00", { source: "kenesary" });
  await addTaggedLead(sql, "2024-05-12T12:00:00+05:00", { source: "traf4", content: "703" });
  await addTaggedLead(sql, "2024-05-13T10:00:00+05:00", { source: "instagram", content: "Video A" });
  const p7 = await addPerson(sql, "2024-05-13T10:00:00+05:00", { source: "kenesary", content: "705" });
  const ken701 = { source: "kenesary", content: "701" };
  await addTaggedSale(sql, {
    at: "2024-05-12T12:00:00+05:00",
    product: "express",
    amount: "5000",
    tags: ken701,
    person: p1,
  });
  await addTaggedSale(sql, {
    at: "2024-05-20T12:00:00+05:00",
    product: "flagman",
    amount: "490000",
    tags: { source: "kenesary", content: "Video A v2" },
    person: p2,
  });
  await addTaggedSale(sql, {
    at: "2024-05-14T12:00:00+05:00",
    product: "express",
    amount: "5000",
    tags: { source: "kenesary", content: "705" },
    person: p7,
  });
  await addTaggedSale(sql, {
    at: "2024-05-14T12:00:00+05:00",
    product: "express",
    amount: "5000",
    tags: { source: "traf4" },
  });
  await addTaggedSale(sql, {
    at: "2024-05-21T12:00:00+05:00",
    product: "flagman",
    amount: "490000",
    tags: ken701,
    voided: "lost",
  });
}

beforeAll(async () => {
  dash = await startDashboard(testPort("dashboardHandCountedGateway"), { seed: false, fill: (db) => fill(db.sql) });
}, 180_000);
afterAll(() => dash?.stop());

/** A row as the Ads table shows it: ROAS to the 2 decimals shown (9,13×). */
function adRow(row: string, f: Record<string, number | null | string>) {
  const roas = f.roas as number | null;
  return { ...f, row, roas: roas === null ? null : Math.round(roas * 100) / 100 };
}
const none = { express_purchases: 0, express_revenue: 0, flagman_purchases: 0, flagman_revenue: 0 };

// Last touch, ad level. 701: revenue 5,000 + 490,000 = 495,000; ROI (495,000 − 54,200) / 54,200 = 8.1328.
const AD_701 = adRow("ad:701:kenesary", {
  spend: 54200,
  leads: 1,
  cpl: 54200,
  revenue: 495000,
  roi: 8.1328,
  roas: 9.1328,
  express_purchases: 1,
  express_revenue: 5000,
  flagman_purchases: 1,
  flagman_revenue: 490000,
  cost_per_express: 54200,
  cost_per_flagman: 54200,
  impressions: 1500,
  clicks: 70,
});
// 702: one lead, nothing sold: ROI −1, ROAS 0.
const AD_702 = adRow("ad:702:kenesary", {
  spend: 4500,
  leads: 1,
  cpl: 4500,
  revenue: 0,
  roi: -1,
  roas: 0,
  ...none,
  cost_per_express: null,
  cost_per_flagman: null,
  impressions: 300,
  clicks: 10,
});
// 705: 5,000 on 920: ROI 4,080 / 920 = 4.43478 → 4.4348, ROAS 5.4348.
const AD_705 = adRow("ad:705:kenesary", {
  spend: 920,
  leads: 1,
  cpl: 920,
  revenue: 5000,
  roi: 4.4348,
  roas: 5.4348,
  express_purchases: 1,
  express_revenue: 5000,
  flagman_purchases: 0,
  flagman_revenue: 0,
  cost_per_express: 920,
  cost_per_flagman: null,
  impressions: 200,
  clicks: 8,
});
// L3 named only campaign 501: a campaign row without spend rows of its own (no spend, no ratios).
const CAMPAIGN_ONLY = adRow("campaign:501:kenesary", {
  spend: null,
  leads: 1,
  cpl: null,
  revenue: 0,
  roi: null,
  roas: null,
  ...none,
  cost_per_express: null,
  cost_per_flagman: null,
  impressions: 0,
  clicks: 0,
});
const UNMATCHED = adRow("unmatched:unmatched::kenesary", {
  spend: null,
  leads: 1,
  cpl: null,
  revenue: 0,
  roi: null,
  roas: null,
  ...none,
  cost_per_express: null,
  cost_per_flagman: null,
  impressions: 0,
  clicks: 0,
});
// Totals: spend 54,200 + 4,500 + 920 = 59,620; 5 leads (CPL 11,924); revenue 500,000;
// ROI 440,380 / 59,620 = 7.38645 → 7.3864; cost per express 59,620 / 2 = 29,810.
const TOTALS = adRow("totals", {
  spend: 59620,
  leads: 5,
  cpl: 11924,
  revenue: 500000,
  roi: 7.3864,
  roas: 8.3864,
  express_purchases: 2,
  express_revenue: 10000,
  flagman_purchases: 1,
  flagman_revenue: 490000,
  cost_per_express: 29810,
  cost_per_flagman: 59620,
  impressions: 2000,
  clicks: 88,
});

async function clickHeader(page: Page, column: string) {
  await page.click(`[data-testid=ad-rows] th[data-col=${column}] button`);
}

describe("the Ads page, figures worked out by hand", () => {
  it("shows each ad's figures, the campaign-only row, the unmatched row and the totals; sorts by ROI both ways", async () => {
    const page = await openAs(dash, MEMBER, `#/ads?until=${UNTIL}`);
    // The report's order: spend first, highest spend first; then the row without spend.
    expect(await adTableOnScreen(page)).toEqual([AD_701, AD_702, AD_705, CAMPAIGN_ONLY, UNMATCHED, TOTALS]);
    expect(await page.locator("[data-row='campaign:501:kenesary'] .badge").innerText()).toBe("кампания");
    expect(await page.locator("[data-row='ad:701:kenesary'] .name").innerText()).toBe("Video A v2");
    expect((await page.locator("[data-match=leads]").innerText()).replace(/\s/g, " ")).toBe("лиды 60,0 % (3 / 5)"); // 701, 702, 705 of 5
    await shoot(page, "ads-hand-counted");

    await clickHeader(page, "roi"); // highest ROI first, no ROI last
    await expect.poll(() => adTableOnScreen(page)).toEqual([AD_701, AD_705, AD_702, CAMPAIGN_ONLY, UNMATCHED, TOTALS]);
    expect(page.url()).toContain("sort=roi");
    expect(await page.locator("th[data-col=roi]").getAttribute("aria-sort")).toBe("descending");
    await clickHeader(page, "roi"); // lowest first; still no ROI last
    await expect.poll(() => adTableOnScreen(page)).toEqual([AD_702, AD_705, AD_701, CAMPAIGN_ONLY, UNMATCHED, TOTALS]);
    expect(page.url()).toContain("dir=asc");
    // The sorting is in the URL: a reload keeps it.
    await page.reload();
    await loaded(page);
    await expect.poll(() => adTableOnScreen(page)).toEqual([AD_702, AD_705, AD_701, CAMPAIGN_ONLY, UNMATCHED, TOTALS]);
    await clickHeader(page, "spend"); // spend, highest first
    await expect.poll(() => adTableOnScreen(page)).toEqual([AD_701, AD_702, AD_705, CAMPAIGN_ONLY, UNMATCHED, TOTALS]);
    await page.context().close();
  });

  it("the level switch shows campaigns: campaign 501 sums its ads and the lead that named only it", async () => {
    const page = await openAs(dash, MEMBER, `#/ads?until=${UNTIL}`);
    await page.click("[data-choice=level] button[data-value=campaign]");
    // 501: every kenesary ad plus L3: 4 leads, CPL 59,620 / 4 = 14,905; the rest as the totals.
    const campaign = { ...TOTALS, row: "campaign:501:kenesary", leads: 4, cpl: 14905 };
    await expect.poll(() => adTableOnScreen(page)).toEqual([campaign, UNMATCHED, TOTALS]);
    expect(page.url()).toContain("level=campaign");
    await shoot(page, "ads-hand-counted-campaigns");
    await page.context().close();
  });

  it("first touch credits P2's Flagman to ad 702, where P2 came from; ROI order changes", async () => {
    const page = await openAs(dash, MEMBER, `#/ads?until=${UNTIL}&sort=roi`);
    await page.click("[data-choice=model] button[data-value=first_touch]");
    // 701 keeps the Express: ROI (5,000 − 54,200) / 54,200 = −0.90775 → −0.9077, ROAS 0.0923.
    const ad701 = adRow("ad:701:kenesary", {
      ...AD_701,
      flagman_purchases: 0,
      flagman_revenue: 0,
      revenue: 5000,
      roi: -0.9077,
      roas: 0.0923,
      cost_per_flagman: null,
    });
    // 702 gets 490,000: ROI (490,000 − 4,500) / 4,500 = 107.8889, ROAS 108.8889.
    const ad702 = adRow("ad:702:kenesary", {
      ...AD_702,
      flagman_purchases: 1,
      flagman_revenue: 490000,
      revenue: 490000,
      roi: 107.8889,
      roas: 108.8889,
      cost_per_flagman: 4500,
    });
    await expect.poll(() => adTableOnScreen(page)).toEqual([ad702, AD_705, ad701, CAMPAIGN_ONLY, UNMATCHED, TOTALS]);
    expect(page.url()).toContain("model=first_touch");
    await page.context().close();
  });
});

describe("the Cohorts page, figures worked out by hand", () => {
  it("May 2024: five people, spend 59,620; Express by day 7, P2's Flagman by day 30; payback on day 9", async () => {
    const page = await openAs(dash, MEMBER, `#/cohorts?from=2024-05-01&until=${UNTIL}`);
    const [may] = await cohortTableOnScreen(page);
    // Day 7: S1 (day 2) and S5 (day 1): 10,000; ROI (10,000 − 59,620) / 59,620 = −0.83227 → −0.8323.
    const week = { express_buyers: 2, express_revenue: 10000, flagman_buyers: 0, flagman_revenue: 0, roi: -0.8323 };
    // From day 30 on, P2's Flagman (day 9) too: 500,000, ROI 7.3864.
    const month = {
      express_buyers: 2,
      express_revenue: 10000,
      flagman_buyers: 1,
      flagman_revenue: 490000,
      roi: 7.3864,
    };
    expect(may).toEqual({
      cohort: "2024-05-01",
      people: 5,
      leads: 5,
      spend: 59620,
      payback: "9", // 59,620 reached on day 9, with the Flagman
      toDate: { express_buyers: 2, flagman_buyers: 1, revenue: 500000, roi: 7.3864 },
      horizons: [7, 30, 60, 90, 180].map((days) => ({
        days,
        tooYoung: false,
        figures: days === 7 ? week : month,
      })),
      // Lead → Express: 2 and 1 days: median 1.5, p90 1.9; no one bought Express then Flagman.
      lags: {
        lead_to_express_median: 1.5,
        lead_to_express_p90: 1.9,
        express_to_flagman_median: null,
        express_to_flagman_p90: null,
      },
    });
    expect(await page.locator("[data-cohort='2024-05-01'] th").innerText()).toBe("май 2024 г.");
    await shoot(page, "cohorts-hand-counted");
    await page.context().close();
  });
});

describe("the Funnel's purchases by lead date, figures worked out by hand", () => {
  it("May 7–13: by sale date only S1; by lead date everything the window's people bought since", async () => {
    const page = await openAs(dash, MEMBER, "#/funnel?days=7&until=2024-05-13");
    const shown = async () =>
      Object.fromEntries(
        await Promise.all(
          ["spend", "leads", "express_purchases", "express_revenue", "flagman_purchases", "flagman_revenue", "roi"].map(
            async (id) => [id, shownNumber(await page.locator(`[data-testid=${id}]`).innerText())],
          ),
        ),
      );
    // Sale date: S1 only (05-12); ROI (5,000 − 59,620) / 59,620 = −0.91614 → −0.9161.
    const base = { spend: 59620, leads: 5 };
    expect(await shown()).toEqual({
      ...base,
      express_purchases: 1,
      express_revenue: 5000,
      flagman_purchases: 0,
      flagman_revenue: 0,
      roi: -0.9161,
    });
    await page.click("[data-choice=basis] button[data-value=lead_date]");
    // Lead date: S1, S5 (05-14) and S2 (05-20), bought by people whose lead was in the window.
    await expect.poll(shown).toEqual({
      ...base,
      express_purchases: 2,
      express_revenue: 10000,
      flagman_purchases: 1,
      flagman_revenue: 490000,
      roi: 7.3864,
    });
    expect(page.url()).toContain("basis=lead_date");
    await page.reload();
    await loaded(page);
    expect(await shown()).toMatchObject({ flagman_purchases: 1 });
    await shoot(page, "funnel-lead-date-hand-counted");
    await page.context().close();
  });
});
