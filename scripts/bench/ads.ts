// npm run bench:ads — how fast are ad_report and cohort_report on a large history?
//
// The scale of bench:funnel: 5 teams x 400 days, 2,000,000 ad-day insight rows (20 ad accounts x 250
// ads, USD and KZT), 500,000 ProfTest leads (85 % with their ad's id in utm_content, as Facebook's
// {{ad.id}} fills it), each lead a person, and about 51,000 sales (Express, one in 25 a Flagman) bought by
// those people 0-60 days after their lead (scripts/bench/ads-dataset.ts). Rebuilds the caches, then
// measures (as service_role)
//   - ad_report at ad level, 30 days (its default 100 rows): all teams and one team, both models,
//   - cohort_report by month (the default 12 months): all teams and one team,
//   - analytics.refresh_funnel_analytics() after a lead and a sale today (recomputes their days),
//   - the reports again with those days written since the refresh (computed live).
// Runs on its own throw-away Postgres (port VORONKA_BENCH_PG_PORT, default 54389). BENCH_RUNS runs each.
import postgres from "postgres";
import { asApiRole } from "../../supabase/functions/_shared/api-role.ts";
import { parseCommandLine, usageFromHeader } from "../lib/command-line.ts";
import { withScratchDatabase } from "../lib/scratch-database.ts";
import { generateAdsDataset as generate } from "./ads-dataset.ts";
import { percentile, reportFigures } from "./figures.ts";

parseCommandLine("bench:ads", usageFromHeader("bench:ads", import.meta.url), {});

const RUNS = Number(process.env.BENCH_RUNS ?? 40);
const port = Number(process.env.VORONKA_BENCH_PG_PORT ?? 54389);
const TARGET_P95_MS = 30;

async function timeRuns(fn: () => Promise<unknown>): Promise<number[]> {
  // Each run in its own transaction, as the Data API runs a request.
  const times: number[] = [];
  await fn(); // warm-up
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await fn();
    times.push(performance.now() - started);
  }
  return times;
}

await withScratchDatabase(
  port,
  async (server) => {
    const sql = postgres(server.url, { max: 2, onnotice: () => {} });
    const asService = <T>(fn: (tx: postgres.TransactionSql) => Promise<T>) => asApiRole(sql, "service_role", fn);
    const adReport = (team: string | null, model = "last_touch") =>
      asService((tx) => tx`select public.ad_report(${team}, 30, null, 'ad', ${model}) as r`);
    const cohortReport = (team: string | null) => asService((tx) => tx`select public.cohort_report(${team}) as r`);
    try {
      console.log("Generating 2,000,000 insight rows, 500,000 leads and people, ~51,000 sales (5 teams, 400 days)…");
      let started = performance.now();
      await generate(sql);
      const [counts] = await sql`
        select (select count(*) from voronka.fb_ad_insight)::int as insights, (select count(*) from voronka.lead)::int as leads,
               (select count(*) from voronka.sale)::int as sales,
               (select count(*) from voronka.lead where fb_ad_id is not null)::int as leads_matched`;
      console.log(`  generated in ${((performance.now() - started) / 1000).toFixed(1)} s: ${JSON.stringify(counts)}`);
      console.log("Building the caches (funnel, ad, cohort: every day)…");
      started = performance.now();
      await sql`select analytics.rebuild_funnel_analytics()`;
      const firstRefresh = performance.now() - started;

      const results: Array<[string, number[]]> = [];
      const measure = async (label: string, fn: () => Promise<unknown>) => results.push([label, await timeRuns(fn)]);
      await measure("ad_report ad level, 30 days, all teams", () => adReport(null));
      await measure("ad_report ad level, 30 days, one team", () => adReport("team3"));
      await measure("ad_report ad level, one team, first touch", () => adReport("team3", "first_touch"));
      await measure("cohort_report by month, all teams", () => cohortReport(null));
      await measure("cohort_report by month, one team", () => cohortReport("team3"));
      // Today's writes after the refresh: a lead and a sale, read live from the tables.
      await sql`
        insert into voronka.lead (source, external_id, occurred_at, utm_source, utm_content)
        values ('proftest', 'late', now(), 'team3', '3001')`;
      await sql`
        insert into voronka.amocrm_deal (id, pipeline_id, status_id, price, amo_updated_at, won_at, utm_source, person_id)
        select 99999999, 1, 142, 5000, now(), now(), 'team3', person_id from voronka.lead where external_id = 'b30'`;
      await sql`insert into voronka.sale (deal_id, product_id, amount, won_at) values (99999999, 'express', 5000, now())`;
      const [{ live }] = await sql`select count(distinct day)::int as live from analytics.stale_day`;
      // The lead's and the sale's day (and the buyer's first-lead day) recomputed in every cache.
      started = performance.now();
      const [{ days_recomputed: recomputed }] =
        await sql`select days_recomputed from analytics.refresh_funnel_analytics()`;
      const refreshAfterWrites = performance.now() - started;
      // The same writes again, so the reports below read those days live.
      await sql`update voronka.sale set amount = 5001 where deal_id = 99999999`;
      await sql`update voronka.lead set utm_term = 'again' where external_id = 'late'`;
      await measure(`ad_report all teams, ${live} live day(s)`, () => adReport(null));
      await measure(`ad_report one team, ${live} live day(s)`, () => adReport("team3"));
      await measure(`cohort_report all teams, ${live} live day(s)`, () => cohortReport(null));
      await measure(`cohort_report one team, ${live} live day(s)`, () => cohortReport("team3"));

      const [{ r: ads }] = await adReport(null);
      console.log("");
      console.log(
        `${RUNS} runs each; ad_report answers ${ads.rows.length} ad rows, match rate ${ads.match.leads.rate}`,
      );
      const width = Math.max(...results.map(([label]) => label.length));
      for (const [label, times] of results) {
        const p95 = percentile(times, 95);
        console.log(
          `${label.padEnd(width)}  p50 ${percentile(times, 50).toFixed(1).padStart(6)} ms  p95 ${p95.toFixed(1).padStart(6)} ms` +
            (p95 > TARGET_P95_MS ? `  (over the ${TARGET_P95_MS} ms target)` : ""),
        );
      }
      console.log(
        `caches (funnel + ad + cohort): rebuild of every day ${(firstRefresh / 1000).toFixed(1)} s; ` +
          `refresh after today's writes (${recomputed} days) ${(refreshAfterWrites / 1000).toFixed(2)} s`,
      );
      const p95Of = (label: string) => {
        const found = results.find(([l]) => l.startsWith(label));
        return found ? Math.round(percentile(found[1], 95) * 10) / 10 : null;
      };
      reportFigures("ads", [
        {
          id: "ad-report-all",
          label: "ad_report p95, ad level, 30 days, all teams",
          value: p95Of("ad_report ad level, 30 days, all teams"),
          unit: "ms",
          target: { max: TARGET_P95_MS },
        },
        {
          id: "ad-report-team",
          label: "ad_report p95, ad level, 30 days, one team",
          value: p95Of("ad_report ad level, 30 days, one team"),
          unit: "ms",
          target: { max: TARGET_P95_MS },
        },
        {
          id: "ad-report-team-live",
          label: "ad_report p95, one team, with today's writes live",
          value: p95Of("ad_report one team,"),
          unit: "ms",
          target: { max: TARGET_P95_MS },
        },
        {
          id: "cohort-report-all",
          label: "cohort_report p95, 12 months, all teams",
          value: p95Of("cohort_report by month, all teams"),
          unit: "ms",
          target: { max: TARGET_P95_MS },
        },
        {
          id: "cohort-report-team",
          label: "cohort_report p95, 12 months, one team",
          value: p95Of("cohort_report by month, one team"),
          unit: "ms",
          target: { max: TARGET_P95_MS },
        },
        {
          id: "refresh-after-writes",
          label: `refresh after today's writes (${recomputed} days, every cache)`,
          value: Math.round(refreshAfterWrites) / 1000,
          unit: "s",
          target: { max: 10 },
        },
        { id: "rebuild", label: "rebuild of every cached day", value: Math.round(firstRefresh / 100) / 10, unit: "s" },
      ]);
    } finally {
      await sql.end();
    }
  },
  { shared_buffers: "1GB", work_mem: "64MB", maintenance_work_mem: "1GB", fsync: "off", synchronous_commit: "off" },
);
