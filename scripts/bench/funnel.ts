// npm run bench:funnel [-- --scale N] — how fast is the report on a large history?
//
// Generates 5 teams x 400 days: 2,000,000 ad-day insight rows (20 ad accounts, USD and KZT),
// 500,000 leads and 50,000 sales (--scale N: N times as many days, and leads and sales with them;
// 0.1 = 200,000 insight rows); rebuilds the caches; then measures
//   - funnel_report p50/p95 for all teams and for one team (30 days, as service_role),
//   - the same with 1 and with 3 days written after the refresh (computed live),
//   - the refresh after a day's writes (recomputes that day) and a rebuild of every day,
//   - the old system's way: pull the window's raw rows into Node and sum them in JS.
// Runs on its own throw-away Postgres (port VORONKA_BENCH_PG_PORT, default 54386). Prints
// machine-readable figures for `npm run bench` (scripts/bench/figures.ts).
import postgres from "postgres";
import { asApiRole } from "../../supabase/functions/_shared/api-role.ts";
import { withScratchDatabase } from "../lib/scratch-database.ts";
import { parseCommandLine, usageFromHeader } from "../lib/command-line.ts";
import { percentile, reportFigures } from "./figures.ts";

const line = parseCommandLine("bench:funnel", usageFromHeader("bench:funnel", import.meta.url), {
  scale: { type: "string" },
});
const SCALE = Number(line.values.scale ?? 1);
if (!(SCALE > 0 && SCALE <= 20))
  line.fail(`--scale must be a number above 0 and at most 20, got "${line.values.scale}"`);
const DAYS = Math.max(30, Math.round(400 * SCALE));
const LEADS = Math.round(500_000 * SCALE);
const SALES = Math.round(50_000 * SCALE);

const RUNS = Number(process.env.BENCH_RUNS ?? 40);
const port = Number(process.env.VORONKA_BENCH_PG_PORT ?? 54386);

const ms = (v: number) => `${v.toFixed(1)} ms`;

async function timeRuns(runs: number, fn: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  await fn(); // warm-up
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await fn();
    times.push(performance.now() - started);
  }
  return times;
}

async function generate(sql: postgres.Sql) {
  const started = performance.now();
  await sql.unsafe(`
    insert into voronka.team (id, name) select 'team' || t, 'Team ' || t from generate_series(1, 5) t;
    insert into voronka.team_utm_rule (team_id, utm_source) select 'team' || t, 'team' || t from generate_series(1, 5) t;
    insert into voronka.fb_ad_account (id, name, currency, timezone_name, team_id)
      select (900000 + a)::text, 'Account ' || a, case when a % 2 = 0 then 'USD' else 'KZT' end, 'Asia/Almaty', 'team' || (1 + a % 5)
      from generate_series(1, 20) a;
    insert into voronka.exchange_rate (day, currency, quote_currency, rate)
      select current_date - d, 'USD', 'KZT', 480 + (d % 40) from generate_series(0, ${DAYS}) d;
  `);
  // 20 accounts x 250 ads x 400 days = 2,000,000 rows (at scale 1).
  await sql.unsafe(`
    insert into voronka.fb_ad_insight (ad_id, date_start, ad_account_id, ad_name, adset_id, campaign_id, currency, spend, impressions, clicks)
    select (a * 1000 + ad)::text, current_date - d, (900000 + a)::text, 'Ad ' || ad, (a * 100 + ad % 10)::text, a::text,
           case when a % 2 = 0 then 'USD' else 'KZT' end,
           case when a % 2 = 0 then round((1 + (ad * 7 + d) % 50)::numeric, 2) else (500 + (ad * 13 + d) % 20000) end,
           1000 + (ad * 31 + d) % 5000, 10 + (ad + d) % 90
    from generate_series(1, 20) a, generate_series(1, 250) ad, generate_series(0, ${DAYS - 1}) d`);
  await sql.unsafe(`
    insert into voronka.lead (source, external_id, occurred_at, utm_source, utm_campaign)
    select 'proftest', 'b' || i, now() - (i % ${DAYS}) * interval '1 day' - (i % 86400) * interval '1 second',
           case when i % 10 = 0 then null else 'team' || (1 + i % 5) end, 'campaign_' || (i % 7)
    from generate_series(1, ${LEADS}) i`);
  await sql.unsafe(`
    -- The deal carries its team as the amoCRM write path resolves it from utm_source.
    insert into voronka.amocrm_deal (id, pipeline_id, status_id, price, amo_updated_at, won_at, utm_source, team_id)
    select 50000000 + i, 1, 142, case when i % 25 = 0 then 490000 else 5000 end,
           now() - (i % ${DAYS}) * interval '1 day' - (i % 80000) * interval '1 second',
           now() - (i % ${DAYS}) * interval '1 day' - (i % 80000) * interval '1 second',
           case when i % 10 = 0 then null else 'team' || (1 + i % 5) end,
           case when i % 10 = 0 then null else 'team' || (1 + i % 5) end
    from generate_series(1, ${SALES}) i;
    insert into voronka.sale (deal_id, product_id, amount, won_at, voided_at, void_reason)
    select id, case when price > 100000 then 'flagman' else 'express' end, price, won_at,
           case when id % 50 = 0 then won_at end, case when id % 50 = 0 then 'lost' end
    from voronka.amocrm_deal;
    analyze;
  `);
  return performance.now() - started;
}

// The old system: fetch the raw rows of the window and aggregate them in JavaScript.
async function oldWay(sql: postgres.Sql) {
  const [{ from_day, until_day, from_at, until_at }] = await sql`
    select (now() at time zone 'Asia/Almaty')::date - 29 as from_day, (now() at time zone 'Asia/Almaty')::date as until_day,
           (((now() at time zone 'Asia/Almaty')::date - 29)::timestamp at time zone 'Asia/Almaty') as from_at,
           (((now() at time zone 'Asia/Almaty')::date + 1)::timestamp at time zone 'Asia/Almaty') as until_at`;
  const insights = await sql`
    select i.date_start, i.currency, i.spend, i.impressions, i.clicks, a.team_id
    from voronka.fb_ad_insight i join voronka.fb_ad_account a on a.id = i.ad_account_id
    where i.date_start between ${from_day} and ${until_day}`;
  const rates = await sql`select day, rate from voronka.exchange_rate where day between ${from_day} and ${until_day}`;
  const leads =
    await sql`select occurred_at, team_id from voronka.lead where occurred_at >= ${from_at} and occurred_at < ${until_at}`;
  const sales = await sql`
    select s.product_id, s.amount, d.team_id from voronka.sale s join voronka.amocrm_deal d on d.id = s.deal_id
    where s.voided_at is null and s.won_at >= ${from_at} and s.won_at < ${until_at}`;
  const rateByDay = new Map(rates.map((r) => [String(r.day), Number(r.rate)]));
  const totals = new Map<
    string,
    { spend: number; impressions: number; clicks: number; leads: number; revenue: number }
  >();
  const bucket = (team: string | null) => {
    const key = team ?? "unattributed";
    if (!totals.has(key)) totals.set(key, { spend: 0, impressions: 0, clicks: 0, leads: 0, revenue: 0 });
    return totals.get(key)!;
  };
  for (const r of insights) {
    const b = bucket(r.team_id);
    b.spend += Number(r.spend) * (r.currency === "KZT" ? 1 : (rateByDay.get(String(r.date_start)) ?? NaN));
    b.impressions += Number(r.impressions);
    b.clicks += Number(r.clicks);
  }
  for (const l of leads) bucket(l.team_id).leads++;
  for (const s of sales) bucket(s.team_id).revenue += Number(s.amount);
  return { rows: insights.length + leads.length + sales.length, totals };
}

await withScratchDatabase(
  port,
  async (server) => {
    const sql = postgres(server.url, { max: 2, onnotice: () => {} });
    const serviceRole = async (team: string | null) =>
      asApiRole(sql, "service_role", async (tx) => tx`select public.funnel_report(${team}, 30) as r`);
    try {
      const n = (v: number) => v.toLocaleString("en-US");
      console.log(
        `Generating ${n(DAYS * 5000)} insight rows, ${n(LEADS)} leads, ${n(SALES)} sales (5 teams, ${DAYS} days; --scale ${SCALE})…`,
      );
      const generated = await generate(sql);
      const [counts] = await sql`
        select (select count(*) from voronka.fb_ad_insight)::int as insights, (select count(*) from voronka.lead)::int as leads,
               (select count(*) from voronka.sale)::int as sales`;
      console.log(`  generated in ${(generated / 1000).toFixed(1)} s: ${JSON.stringify(counts)}`);

      // Every day of the caches (funnel, ad, cohort), as after a settings change or the nightly job.
      const rebuildStarted = performance.now();
      await sql`select analytics.rebuild_funnel_analytics()`;
      const rebuildMs = performance.now() - rebuildStarted;
      // The refresh pg_cron runs every 5 minutes, after a day's writes (a lead and a sale today).
      let written = 0;
      const writeToday = async (daysAgo = 0) => {
        written++;
        await sql`
          insert into voronka.lead (source, external_id, occurred_at, utm_source)
          values ('proftest', ${"bench-" + written}, now() - ${daysAgo} * interval '1 day', 'team1')`;
        await sql`
          insert into voronka.amocrm_deal (id, pipeline_id, status_id, price, amo_updated_at, won_at, utm_source, team_id)
          values (${90000000 + written}, 1, 142, 5000, now() - ${daysAgo} * interval '1 day',
                  now() - ${daysAgo} * interval '1 day', 'team1', 'team1')`;
        await sql`
          insert into voronka.sale (deal_id, product_id, amount, won_at)
          values (${90000000 + written}, 'express', 5000, now() - ${daysAgo} * interval '1 day')`;
      };
      const refreshTimes: number[] = [];
      for (let i = 0; i < 3; i++) {
        await writeToday();
        const started = performance.now();
        await sql`select analytics.refresh_funnel_analytics()`;
        refreshTimes.push(performance.now() - started);
      }

      const allTeams = await timeRuns(RUNS, () => serviceRole(null));
      const oneTeam = await timeRuns(RUNS, () => serviceRole("team3"));
      // Writes after the refresh: those days are computed live from the tables.
      await writeToday();
      const withLiveDay = await timeRuns(RUNS, () => serviceRole(null));
      await writeToday(3);
      await writeToday(7);
      const withThreeLiveDays = await timeRuns(RUNS, () => serviceRole(null));

      let oldRows = 0;
      let oldTotals: Awaited<ReturnType<typeof oldWay>>["totals"] = new Map();
      const old = await timeRuns(Math.max(5, Math.floor(RUNS / 4)), async () => {
        ({ rows: oldRows, totals: oldTotals } = await oldWay(sql));
      });
      // The report's figures against the old way's, computed independently in JavaScript.
      const [{ r: report }] = await serviceRole(null);
      const mismatches = (report.by_team as { team: string; spend: number; leads: number; revenue: number }[]).filter(
        (row) => {
          const expected = oldTotals.get(row.team) ?? { spend: 0, leads: 0, revenue: 0 };
          return (
            Math.abs(Number(row.spend) - expected.spend) > 0.01 ||
            Number(row.leads) !== expected.leads ||
            Math.abs(Number(row.revenue) - expected.revenue) > 0.01
          );
        },
      );

      const p50New = percentile(allTeams, 50);
      const p50Old = percentile(old, 50);
      console.log("");
      console.log(
        `funnel_report, 30 days, all teams      p50 ${ms(p50New)}   p95 ${ms(percentile(allTeams, 95))}   (${RUNS} runs)`,
      );
      console.log(
        `funnel_report, 30 days, one team       p50 ${ms(percentile(oneTeam, 50))}   p95 ${ms(percentile(oneTeam, 95))}`,
      );
      console.log(
        `funnel_report, all teams, 1 live day   p50 ${ms(percentile(withLiveDay, 50))}   p95 ${ms(percentile(withLiveDay, 95))}`,
      );
      console.log(
        `funnel_report, all teams, 3 live days  p50 ${ms(percentile(withThreeLiveDays, 50))}   p95 ${ms(percentile(withThreeLiveDays, 95))}`,
      );
      console.log(
        `refresh after a day's writes (funnel + ad + cohort caches) p50 ${ms(percentile(refreshTimes, 50))}; ` +
          `rebuild of every day ${ms(rebuildMs)}`,
      );
      console.log(
        `old way: ${oldRows.toLocaleString("en-US")} raw rows into Node, summed in JS   p50 ${ms(p50Old)}   p95 ${ms(percentile(old, 95))}`,
      );
      console.log(`ratio: the old way is ${(p50Old / p50New).toFixed(0)}x slower than funnel_report (p50)`);
      console.log(
        mismatches.length === 0
          ? `figures: funnel_report's spend, leads and revenue per team = the old way's, for all ${report.by_team.length} team buckets`
          : `figures DIFFER from the old way for ${mismatches.map((m) => m.team).join(", ")}`,
      );
      const round1 = (v: number) => Math.round(v * 10) / 10;
      reportFigures("funnel", [
        {
          id: "report-p95-no-live-day",
          label: "funnel_report p95, 30 days, no day written since the refresh",
          value: round1(percentile(allTeams, 95)),
          unit: "ms",
          target: { max: 10 },
        },
        {
          id: "report-p95-1-live-day",
          label: "funnel_report p95 with 1 day written since the refresh",
          value: round1(percentile(withLiveDay, 95)),
          unit: "ms",
          target: { max: 10 },
        },
        {
          id: "report-p95-3-live-days",
          label: "funnel_report p95 with 3 days written since the refresh",
          value: round1(percentile(withThreeLiveDays, 95)),
          unit: "ms",
          target: { max: 10 },
        },
        {
          id: "old-way-ratio",
          label: "old way (rows pulled into Node and summed) / funnel_report, p50",
          value: Math.round(p50Old / p50New),
          unit: "x",
          target: { min: 100 },
        },
        {
          id: "refresh",
          label: "refresh after a day's writes (every cache), p50",
          value: round1(percentile(refreshTimes, 50) / 1000),
          unit: "s",
          target: { max: 10 },
        },
        {
          id: "rebuild",
          label: `rebuild of every cached day (${DAYS} days)`,
          value: round1(rebuildMs / 1000),
          unit: "s",
        },
      ]);
      if (mismatches.length > 0) process.exitCode = 1;
    } finally {
      await sql.end();
    }
  },
  { shared_buffers: "1GB", work_mem: "64MB", maintenance_work_mem: "1GB", fsync: "off", synchronous_commit: "off" },
);
