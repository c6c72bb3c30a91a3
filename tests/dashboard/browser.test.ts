// The dashboard in a real Chromium against the local gateway (Data API + Auth stand-ins) on the seeded
// demo database: what a team member and an admin see, checked against funnel_report run in SQL for the
// same user. Screenshots of every page go to .local/screenshots (git-ignored) for review.
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDashboard } from "../../scripts/lib/dashboard-build.ts";
import { PROJECT_ROOT } from "../../scripts/lib/paths.ts";
import { DEMO_PASSWORD } from "../../scripts/local/demo-users.ts";
import { LOCAL_JWT_SECRET } from "../../scripts/local/supabase-api/jwt.ts";
import { serveSupabaseApi, type SupabaseApiServer } from "../../scripts/local/supabase-api/server.ts";
import { launchChromium, readRuNumber } from "../support/browser.ts";
import { testPort } from "../support/ports.ts";
import { asApiRole, createTestDatabase, type TestDatabase } from "../support/test-database.ts";

const PORT = testPort("dashboardGateway");
const BUILD_DIR = path.join(PROJECT_ROOT, `.local/test-dashboard-${PORT}`);
const SCREENSHOTS = path.join(PROJECT_ROOT, ".local/screenshots");

let db: TestDatabase;
let api: SupabaseApiServer;
let browser: Browser;

beforeAll(async () => {
  const started = performance.now();
  [db] = await Promise.all([createTestDatabase({ seed: true }), buildDashboard(BUILD_DIR)]);
  api = await serveSupabaseApi({
    databaseUrl: db.url,
    jwtSecret: LOCAL_JWT_SECRET,
    dashboardDir: BUILD_DIR,
    port: PORT,
  });
  browser = await launchChromium();
  await mkdir(SCREENSHOTS, { recursive: true });
  console.log(`dashboard test setup (seed + vite build + Chromium): ${Math.round(performance.now() - started)} ms`);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await api?.stop();
  await db?.drop();
  await rm(BUILD_DIR, { recursive: true, force: true });
});

type Report = Record<string, any>;

async function reportInSql(appMetadata: Record<string, unknown>, team: string | null = null): Promise<Report> {
  return asApiRole(db.sql, { role: "authenticated", app_metadata: appMetadata }, async (tx) => {
    const [row] = await tx`select public.funnel_report(${team}, 30) as r`;
    return row.r;
  });
}

async function signIn(email: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "ru-RU" });
  const page = await context.newPage();
  page.on("pageerror", (error) => console.error(`[page] ${error.message}`));
  await page.goto(`${api.url}/`);
  await page.fill("input[name=email]", email);
  await page.fill("input[name=password]", DEMO_PASSWORD);
  await page.click("button[type=submit]");
  await figuresShown(page);
  return page;
}

/** The funnel's figures have arrived (the spend figure is a number, not the placeholder). */
async function figuresShown(page: Page) {
  await page.waitForFunction(() => {
    const text = document.querySelector("[data-testid=total_revenue]")?.textContent;
    return text && text !== "—" && !document.querySelector("[aria-busy=true]");
  });
}

async function figure(page: Page, id: string): Promise<number | null> {
  return readRuNumber(await page.locator(`[data-testid=${id}]`).innerText());
}

/** Money and counts exactly; ratios as shown (a percent with 2 decimals). */
function expectShown(shown: number | null, expected: number | null, ratio = false) {
  if (expected === null) return expect(shown).toBeNull();
  if (ratio) return expect(Math.abs(shown! - expected)).toBeLessThanOrEqual(0.00005);
  expect(shown).toBe(expected);
}

async function shoot(page: Page, name: string) {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

describe("the dashboard in Chromium", () => {
  it("a member signs in and sees exactly funnel_report's figures for their team, and only their team to pick", async () => {
    const page = await signIn("kenesary@voronka.local");
    const r = await reportInSql({ teams: ["kenesary"] });
    const [spend, leads, express, flagman] = r.stages;
    expect(spend.spend).toBeGreaterThan(1_000_000);

    expectShown(await figure(page, "spend"), spend.spend);
    expectShown(await figure(page, "impressions"), spend.impressions);
    expectShown(await figure(page, "clicks"), spend.clicks);
    expectShown(await figure(page, "ctr"), spend.ctr, true);
    expectShown(await figure(page, "cpc"), spend.cpc);
    expectShown(await figure(page, "cpm"), spend.cpm);
    expectShown(await figure(page, "leads"), leads.count);
    expectShown(await figure(page, "cpl"), leads.cpl);
    expectShown(await figure(page, "click_to_lead"), leads.click_to_lead, true);
    expectShown(await figure(page, "express_purchases"), express.purchases);
    expectShown(await figure(page, "express_revenue"), express.revenue);
    expectShown(await figure(page, "lead_to_express"), express.lead_to_express, true);
    expectShown(await figure(page, "flagman_purchases"), flagman.purchases);
    expectShown(await figure(page, "flagman_revenue"), flagman.revenue);
    expectShown(await figure(page, "express_to_flagman"), flagman.express_to_flagman, true);
    expectShown(await figure(page, "total_revenue"), r.totals.revenue);
    expectShown(await figure(page, "total_spend"), r.totals.spend);
    expectShown(await figure(page, "roi"), r.totals.roi, true);
    expectShown(await figure(page, "cac"), r.totals.cac);
    expect(await page.locator("[data-testid=spend]").innerText()).toMatch(/^[\d\s\u00a0\u202f]+,\d\d\s₸$/);

    const options = await page
      .locator("select[name=team] option")
      .evaluateAll((els) => els.map((e) => (e as HTMLOptionElement).value));
    expect(options).toEqual(["", "kenesary"]);
    expect(await page.locator("header nav").innerText()).toContain("Качество данных");
    await shoot(page, "funnel-member");

    // The session survives a reload: no login form, the figures again.
    await page.reload();
    await figuresShown(page);
    expect(await page.locator("input[name=password]").count()).toBe(0);

    for (const name of ["daily", "health", "settings"]) {
      await page.goto(`${api.url}/#/${name}`);
      await page.waitForSelector(name === "settings" ? "[data-account]" : "[aria-busy=false]");
      await shoot(page, `${name}-member`);
    }
    // English on request; numbers stay in the ru-KZ style.
    await page.goto(`${api.url}/#/funnel`);
    await page.getByRole("button", { name: "English" }).click();
    await figuresShown(page);
    expect(await page.locator("header nav").innerText()).toContain("Data health");
    expect(await page.locator("[data-testid=spend]").innerText()).toContain("₸");
    await shoot(page, "funnel-member-en");
    await page.context().close();
  });

  it("a team the user may not see, named in the URL, gets a clear message and no figures", async () => {
    const page = await signIn("kenesary@voronka.local");
    await page.goto(`${api.url}/#/funnel?team=traf4&days=30`);
    const problem = page.locator("[data-testid=problem]");
    await problem.waitFor();
    expect(await problem.innerText()).toContain("У вас нет доступа к команде «traf4».");
    expect(await page.locator("[data-testid=spend]").count()).toBe(0);
    await shoot(page, "forbidden-team");
    await page.context().close();
  });

  it("a session whose refresh token was revoked ends on the login page, which says the session expired", async () => {
    const page = await signIn("nurlan@voronka.local");
    await db.sql`update auth.refresh_tokens set revoked = true where user_id = '00000000-0000-4000-8000-000000000004'`;
    // The access token's hour is over: supabase-js refreshes on load, the refused refresh signs it out.
    await page.evaluate(() => {
      const key = Object.keys(localStorage).find((k) => k.endsWith("-auth-token"))!;
      const session = JSON.parse(localStorage.getItem(key)!);
      localStorage.setItem(key, JSON.stringify({ ...session, expires_at: Math.floor(Date.now() / 1000) - 60 }));
    });
    await page.reload();
    const alert = page.locator("[role=alert]");
    await alert.waitFor();
    expect(await alert.innerText()).toBe("Сессия истекла — войдите снова.");
    expect(await page.locator("input[name=password]").count()).toBe(1);
    await shoot(page, "session-expired");
    await page.context().close();
  });

  it("the Settings page refuses a member: their teams' accounts read-only, and the API refuses an assignment", async () => {
    const page = await signIn("kenesary@voronka.local");
    await page.goto(`${api.url}/#/settings`);
    await page.waitForSelector("[data-account]");
    expect(await page.locator("[data-testid=read-only]").innerText()).toContain("Только администратор");
    expect(
      await page.locator("[data-account]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-account"))),
    ).toEqual(["200000000000001"]);
    expect(await page.locator("main select").count()).toBe(0);
    // The member's own session, as the page stores it, asking the API directly.
    const status = await page.evaluate(async (anonKey) => {
      const key = Object.keys(localStorage).find((k) => k.endsWith("-auth-token"))!;
      const { access_token } = JSON.parse(localStorage.getItem(key)!);
      const response = await fetch("/rest/v1/rpc/assign_facebook_ad_account", {
        method: "POST",
        headers: { apikey: anonKey, authorization: `Bearer ${access_token}`, "content-type": "application/json" },
        body: JSON.stringify({ p_ad_account_id: "200000000000002", p_team_id: "kenesary" }),
      });
      return [response.status, (await response.json()).code];
    }, api.anonKey);
    expect(status).toEqual([403, "42501"]);
    const [{ team_id }] = await db.sql`select team_id from voronka.fb_ad_account where id = '200000000000002'`;
    expect(team_id).toBe("traf4");
    await page.context().close();
  });

  it("an admin assigns an ad account to another team and both teams' spend moves", async () => {
    const page = await signIn("admin@voronka.local");
    const spendOf = async (team: string) =>
      readRuNumber(await page.locator(`[data-testid=by-team] tr[data-team=${team}] [data-col=spend]`).innerText());
    const before = await reportInSql({ role: "admin" });
    const row = (r: Report, team: string) => r.by_team.find((t: { team: string }) => t.team === team);
    expect(await spendOf("kenesary")).toBe(row(before, "kenesary").spend);
    expect(await spendOf("traf4")).toBe(row(before, "traf4").spend);
    expect(row(before, "traf4").spend).toBeGreaterThan(0);
    await shoot(page, "funnel-admin");

    await page.goto(`${api.url}/#/settings`);
    await page.waitForSelector("[data-account]");
    await shoot(page, "settings-admin");
    await page.selectOption("select[name=account-200000000000002]", "kenesary");
    await page.waitForSelector("[data-testid=assigned]");

    await page.goto(`${api.url}/#/funnel`);
    await figuresShown(page);
    const after = await reportInSql({ role: "admin" });
    expect(row(after, "traf4").spend).toBeNull(); // no spend rows left: no data, not 0
    expect(row(after, "kenesary").spend).toBeCloseTo(row(before, "kenesary").spend + row(before, "traf4").spend, 1);
    expect(await spendOf("kenesary")).toBe(row(after, "kenesary").spend);
    expect(await spendOf("traf4")).toBeNull();
    await shoot(page, "funnel-admin-after-assignment");
    await page.context().close();
  });
});
