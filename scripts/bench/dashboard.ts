// npm run bench:dashboard — how light and how fast is the dashboard?
//
// Builds the production bundle and prints each file's size and gzip size (level 9 and Vite's
// default 6); then serves it through the local gateway on a throw-away Postgres with the demo seed
// and measures in headless Chromium (playwright-core + @sparticuz/chromium):
//   - sign-in → the funnel's figures on screen (first visit: login, session, teams, funnel_report),
//   - navigation → figures on screen for a signed-in user (a reload: the "first render" of the funnel),
//   - cumulative layout shift while the numbers load (0 = nothing jumps),
//   - the Ads and Cohorts pages: reload → table on screen, layout shift.
// Postgres on VORONKA_BENCH_PG_PORT (default 54387), the gateway on the next port; BENCH_RUNS reloads (default 20).
import { readdir, readFile, rm, stat } from "node:fs/promises";
import path from "node:path";
import { gzipSync } from "node:zlib";
import chromium from "@sparticuz/chromium";
import { chromium as playwright, type Page } from "playwright-core";
import { parseCommandLine, usageFromHeader } from "../lib/command-line.ts";
import { buildDashboard } from "../lib/dashboard-build.ts";
import { runSqlFile } from "../lib/database-setup.ts";
import { withScratchDatabase } from "../lib/scratch-database.ts";
import { PROJECT_ROOT, SEED_SQL } from "../lib/paths.ts";
import { DEMO_PASSWORD } from "../local/demo-users.ts";
import { LOCAL_JWT_SECRET } from "../local/supabase-api/jwt.ts";
import { serveSupabaseApi } from "../local/supabase-api/server.ts";

parseCommandLine("bench:dashboard", usageFromHeader("bench:dashboard", import.meta.url), {});

const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const port = Number(process.env.VORONKA_BENCH_PG_PORT ?? 54387);
const outDir = path.join(PROJECT_ROOT, ".local/bench-dashboard");
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`;
const ms = (v: number) => `${v.toFixed(0)} ms`;
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

await buildDashboard(outDir);
console.log("Bundle (vite build):");
let total = { raw: 0, gzip9: 0, gzip6: 0 };
for (const file of (await readdir(outDir, { recursive: true })).sort()) {
  const full = path.join(outDir, file);
  if (!(await stat(full)).isFile()) continue;
  const body = await readFile(full);
  const sizes = { raw: body.length, gzip9: gzipSync(body, { level: 9 }).length, gzip6: gzipSync(body).length };
  total = { raw: total.raw + sizes.raw, gzip9: total.gzip9 + sizes.gzip9, gzip6: total.gzip6 + sizes.gzip6 };
  console.log(
    `  ${file.padEnd(32)} ${kb(sizes.raw).padStart(10)}   gzip ${kb(sizes.gzip9).padStart(9)} (level 6: ${kb(sizes.gzip6)})`,
  );
}
console.log(
  `  ${"total".padEnd(32)} ${kb(total.raw).padStart(10)}   gzip ${kb(total.gzip9).padStart(9)} (level 6: ${kb(total.gzip6)})`,
);

async function figuresShown(page: Page) {
  await page.waitForFunction(() => {
    const text = document.querySelector("[data-testid=total_revenue]")?.textContent;
    return text && text !== "—" && !document.querySelector("[aria-busy=true]");
  });
}

await withScratchDatabase(port, async (server) => {
  await runSqlFile(server.url, SEED_SQL);
  const api = await serveSupabaseApi({
    databaseUrl: server.url,
    jwtSecret: LOCAL_JWT_SECRET,
    dashboardDir: outDir,
    port: port + 1,
  });
  const browser = await playwright.launch({
    executablePath: await chromium.executablePath(),
    args: chromium.args.filter((flag) => flag !== "--single-process"),
    headless: true,
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    // Layout shifts from the first paint on, summed as CLS.
    await context.addInitScript(() => {
      (window as unknown as { cls: number }).cls = 0;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries() as (PerformanceEntry & { value: number; hadRecentInput: boolean })[]) {
          if (!entry.hadRecentInput) (window as unknown as { cls: number }).cls += entry.value;
        }
      }).observe({ type: "layout-shift", buffered: true });
    });
    const page = await context.newPage();
    await page.goto(`${api.url}/`);
    await page.fill("input[name=email]", "kenesary@voronka.local");
    await page.fill("input[name=password]", DEMO_PASSWORD);
    const signInStarted = performance.now();
    await page.click("button[type=submit]");
    await figuresShown(page);
    const signIn = performance.now() - signInStarted;

    const reloads: number[] = [];
    const shifts: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      await page.goto(`${api.url}/#/funnel?days=${i % 2 ? 30 : 31}`);
      const started = performance.now();
      await page.reload();
      await figuresShown(page);
      reloads.push(performance.now() - started);
      shifts.push(await page.evaluate(() => (window as unknown as { cls: number }).cls));
    }
    console.log(`\nFunnel in Chromium (local gateway, demo seed, ${RUNS} reloads):`);
    console.log(`  sign-in → figures on screen          ${ms(signIn)}`);
    console.log(
      `  reload → figures on screen           p50 ${ms(percentile(reloads, 50))}   p95 ${ms(percentile(reloads, 95))}`,
    );
    console.log(`  cumulative layout shift while loading max ${Math.max(...shifts).toFixed(3)}`);

    // The table pages: a reload of each → its table on screen, and what moved meanwhile.
    const PAGE_RUNS = Math.max(1, Math.ceil(RUNS / 4));
    console.log(`\nAds and Cohorts in Chromium (${PAGE_RUNS} reloads each):`);
    for (const [name, hash, table] of [
      ["ads (ad level)", "#/ads", "[data-row=totals]"],
      ["cohorts (12 months)", "#/cohorts", "[data-testid=cohorts]"],
    ]) {
      const times: number[] = [];
      const moved: number[] = [];
      for (let i = 0; i < PAGE_RUNS; i++) {
        await page.goto(`${api.url}/${hash}`);
        const started = performance.now();
        await page.reload();
        await page.waitForSelector(table);
        await page.waitForFunction(() => !document.querySelector("[aria-busy=true]"));
        times.push(performance.now() - started);
        moved.push(await page.evaluate(() => (window as unknown as { cls: number }).cls));
      }
      console.log(
        `  ${name.padEnd(20)} reload → table p50 ${ms(percentile(times, 50))}   layout shift max ${Math.max(...moved).toFixed(3)}`,
      );
    }
  } finally {
    await browser.close();
    await api.stop();
    await rm(outDir, { recursive: true, force: true });
  }
});
