-- The funnel report: public.funnel_report (one JSON object) and public.funnel_daily (rows for
-- charts). Both are security definer with an empty search_path, check the caller's teams
-- (access.sql), and are granted to authenticated and service_role only (anon gets nothing).

-- Every day's facts from the view, except days written since its refresh: those come live from
-- the tables, one analytics.funnel_facts call per run of consecutive days.
create function analytics.funnel_rows(p_from date, p_until date)
returns setof analytics.funnel_analytics
language sql
stable
set search_path = ''
as $$
  with live_days as (
    select distinct sd.day
    from analytics.stale_day as sd
    where sd.day between p_from and p_until
  ),

  live_runs as (
    select min(islands.day) as run_from, max(islands.day) as run_until
    from (select live_days.day, live_days.day - (row_number() over (order by live_days.day))::integer as island
          from live_days) as islands
    group by islands.island
  ),

  from_view as (
    select fa.*
    from analytics.funnel_analytics as fa
    where fa.day between p_from and p_until
      and not exists (select 1 from live_days where live_days.day = fa.day)
  ),

  from_tables as (
    select facts.*
    from live_runs
    cross join lateral analytics.funnel_facts(live_runs.run_from, live_runs.run_until) as facts
  )

  select * from from_view
  union all
  select * from from_tables
$$;

comment on function analytics.funnel_rows(date, date) is 'Funnel facts per day and team for a range of business days: from funnel_analytics where it is current, computed live where it is not. Never lags behind committed data.';

create function analytics.ratio(p_numerator numeric, p_denominator numeric, p_digits integer)
returns numeric
language sql
immutable
set search_path = ''
as $$
  select case when p_denominator is null or p_denominator = 0 or p_numerator is null then null
              else round(p_numerator / p_denominator, p_digits) end
$$;

comment on function analytics.ratio(numeric, numeric, integer) is 'numerator / denominator rounded, or null when undefined (no division by zero, no made-up zeros).';

-- funnel_report with the data health warnings and the no-spend-data rule:
-- * warnings: every check of analytics.data_health_checks that is not ok and bears on the report
--   (in_report), the same objects data_health returns; stale_facebook_sync is one of them now.
-- * a team without any spend rows in the window has spend null (not 0), and so do its ROI and,
--   when no team in scope has spend rows, CPL, CPC, CPM, cost per purchase, ROI, ROAS and CAC:
--   spend_complete is false and the warning no_spend_data says why.
-- * freshness.last_sale_at / last_lead_at: the teams in scope only, plausible instants only.
create or replace function analytics.funnel_report_json(p_from date, p_until date, p_teams text[])
returns jsonb
language sql
stable
set search_path = ''
as $$
  with settings as (
    select s.business_time_zone as tz, s.reporting_currency, s.facebook_sync_stale_after
    from voronka.setting as s
  ),

  scoped_rows as (
    select r.*
    from analytics.funnel_rows(p_from, p_until) as r
    where p_teams is null or r.team_id = any (p_teams)
  ),

  teams_in_scope as (
    select t.id as team_id from voronka.team as t where p_teams is null or t.id = any (p_teams)
    union
    select 'unattributed' where p_teams is null or 'unattributed' = any (p_teams)
  ),

  -- Teams with any spend rows in the window. No rows is no data, not spend 0.
  spend_data_teams as (
    select distinct sda.team_id from analytics.spend_data_accounts(p_from, p_until) as sda
  ),

  team_sums as (
    select tis.team_id,
           coalesce(sum(r.spend), 0) as spend,
           coalesce(sum(r.spend_rows_missing_rate), 0) = 0 as rate_complete,
           exists (select 1 from spend_data_teams as sdt where sdt.team_id = tis.team_id) as has_spend_data,
           coalesce(sum(r.impressions), 0) as impressions,
           coalesce(sum(r.clicks), 0) as clicks,
           coalesce(sum(r.leads), 0) as leads,
           coalesce(sum(r.express_purchases), 0) as express_purchases,
           coalesce(sum(r.express_revenue), 0) as express_revenue,
           coalesce(sum(r.flagman_purchases), 0) as flagman_purchases,
           coalesce(sum(r.flagman_revenue), 0) as flagman_revenue,
           coalesce(sum(r.sale_rows_missing_rate), 0) = 0 as revenue_complete
    from teams_in_scope as tis
    left join scoped_rows as r on r.team_id = tis.team_id
    group by tis.team_id
  ),

  -- A team's spend is known when every row converted and it has rows at all. Across teams the
  -- known spend is reported when every row converted and some team has rows; the warnings name
  -- teams with leads but no rows (no_spend_data).
  team_figures as (
    select ts.*, ts.rate_complete and ts.has_spend_data as spend_complete
    from team_sums as ts
  ),

  -- Spend and revenue are only reported when every row could be converted: a partial sum
  -- would understate spend and overstate ROI. The warnings say what is missing.
  totals as (
    select case when bool_and(ts.rate_complete) and bool_or(ts.has_spend_data) then round(sum(ts.spend), 2) end as spend,
           sum(ts.impressions) as impressions,
           sum(ts.clicks) as clicks,
           sum(ts.leads) as leads,
           sum(ts.express_purchases) as express_purchases,
           case when bool_and(ts.revenue_complete) then round(sum(ts.express_revenue), 2) end as express_revenue,
           sum(ts.flagman_purchases) as flagman_purchases,
           case when bool_and(ts.revenue_complete) then round(sum(ts.flagman_revenue), 2) end as flagman_revenue,
           bool_and(ts.rate_complete) and bool_or(ts.has_spend_data) as spend_complete,
           bool_and(ts.rate_complete) as rate_complete,
           bool_and(ts.revenue_complete) as revenue_complete
    from team_sums as ts
  ),

  missing_spend_rates as (
    select i.currency, min(i.date_start) as first_day, max(i.date_start) as last_day,
           count(distinct i.date_start) as days, sum(i.spend) as amount
    from voronka.fb_ad_insight as i
    join voronka.fb_ad_account as a on a.id = i.ad_account_id
    cross join settings
    left join voronka.exchange_rate as r
      on r.day = i.date_start and r.currency = i.currency and r.quote_currency = settings.reporting_currency
    where not (select totals.rate_complete from totals)
      and i.date_start between p_from and p_until
      and i.currency <> settings.reporting_currency
      and r.rate is null
      and (p_teams is null or coalesce(a.team_id, 'unattributed') = any (p_teams))
    group by i.currency
  ),

  missing_sale_rates as (
    select s.currency, count(*) as sales, sum(s.amount) as amount
    from voronka.sale as s
    join voronka.amocrm_deal as d on d.id = s.deal_id
    cross join settings
    left join voronka.exchange_rate as r
      on r.day = (s.won_at at time zone settings.tz)::date
     and r.currency = s.currency and r.quote_currency = settings.reporting_currency
    where not (select totals.revenue_complete from totals)
      and s.voided_at is null
      and s.won_at >= (p_from::timestamp at time zone settings.tz)
      and s.won_at < ((p_until + 1)::timestamp at time zone settings.tz)
      and s.currency <> settings.reporting_currency
      and r.rate is null
      and (p_teams is null or coalesce(d.team_id, 'unattributed') = any (p_teams))
    group by s.currency
  ),

  -- Facebook days are the account's calendar days; when its zone's offset differs from the
  -- business zone's, its spend days are not business days and the report says so.
  other_zone_accounts as (
    select a.id, a.name, a.timezone_name,
           round(extract(epoch from (p_until::timestamp at time zone settings.tz)
                                    - (p_until::timestamp at time zone a.timezone_name)) / 3600, 2) as hours_ahead_of_business
    from voronka.fb_ad_account as a
    cross join settings
    where (p_teams is null or coalesce(a.team_id, 'unattributed') = any (p_teams))
      and (p_until::timestamp at time zone a.timezone_name) <> (p_until::timestamp at time zone settings.tz)
      and exists (select 1 from voronka.fb_ad_insight as i
                  where i.ad_account_id = a.id and i.date_start between p_from and p_until)
  ),

  -- The latest sale and lead of the teams in scope (a member learns nothing about other teams),
  -- among plausible instants only: a sale "won in 5138" is a data error, not the latest sale.
  freshness as (
    select (select max(fr.refreshed_at) from analytics.funnel_refresh as fr) as analytics_refreshed_at,
           (select max(run.finished_at) from voronka.fb_sync_run as run
             where run.status in ('succeeded', 'partial')) as facebook_synced_at,
           (select max(s.won_at)
              from voronka.sale as s
              cross join analytics.plausible_instants() as pi
             where s.voided_at is null and s.won_at between pi.earliest and pi.latest
               and (p_teams is null or exists (select 1 from voronka.amocrm_deal as d
                                               where d.id = s.deal_id
                                                 and coalesce(d.team_id, 'unattributed') = any (p_teams)))) as last_sale_at,
           (select max(l.occurred_at)
              from voronka.lead as l
              cross join analytics.plausible_instants() as pi
             where l.occurred_at between pi.earliest and pi.latest
               and (p_teams is null or coalesce(l.team_id, 'unattributed') = any (p_teams))) as last_lead_at,
           (select count(distinct sd.day) from analytics.stale_day as sd
             where sd.day between p_from and p_until) as live_days
  ),

  warnings as (
    select jsonb_build_object(
             'code', 'missing_exchange_rate',
             'message', format('No %s→%s rate for %s day(s) between %s and %s: %s %s of spend is not converted, so spend, CPC, CPM, CPL, ROI, ROAS and CAC are not shown. Add the rates to voronka.exchange_rate.',
                               m.currency, settings.reporting_currency, m.days, m.first_day, m.last_day, m.amount, m.currency),
             'currency', m.currency, 'first_day', m.first_day, 'last_day', m.last_day,
             'days', m.days, 'amount', m.amount) as warning
    from missing_spend_rates as m cross join settings
    union all
    select jsonb_build_object(
             'code', 'missing_exchange_rate',
             'message', format('No %s→%s rate on the day of %s sale(s) (%s %s): revenue, ROI and ROAS are not shown.',
                               m.currency, settings.reporting_currency, m.sales, m.amount, m.currency),
             'currency', m.currency, 'sales', m.sales, 'amount', m.amount)
    from missing_sale_rates as m cross join settings
    union all
    select jsonb_build_object(
             'code', 'ad_account_time_zone',
             'message', format('Ad account %s (%s) reports its days in %s, %s h %s %s: its daily spend is counted on the business day with the same date, so day boundaries differ by that much.',
                               o.name, o.id, o.timezone_name, abs(o.hours_ahead_of_business),
                               case when o.hours_ahead_of_business < 0 then 'behind' else 'ahead of' end, settings.tz),
             'ad_account_id', o.id, 'timezone_name', o.timezone_name,
             'hours_ahead_of_business', o.hours_ahead_of_business)
    from other_zone_accounts as o cross join settings
    union all
    -- Data health checks that bear on the report (one definition: analytics.data_health_checks).
    -- Checks without a team only for callers who see every team.
    select c.detail
    from analytics.data_health_checks(p_from, p_until, p_teams, analytics.visible_teams() is null) as c
    where c.in_report and c.severity <> 'ok'
  ),

  final as (
    select jsonb_build_object(
      'team', case when p_teams is not null and cardinality(p_teams) = 1 then p_teams[1] end,
      'teams', (select jsonb_agg(tis.team_id order by tis.team_id = 'unattributed', tis.team_id) from teams_in_scope as tis),
      'window', jsonb_build_object('from', p_from, 'until', p_until, 'days', p_until - p_from + 1,
                                   'time_zone', settings.tz),
      'currency', settings.reporting_currency,
      'stages', jsonb_build_array(
        jsonb_build_object('id', 'spend', 'spend', t.spend, 'spend_complete', t.spend_complete,
          'impressions', t.impressions, 'clicks', t.clicks,
          'ctr', analytics.ratio(t.clicks, t.impressions, 6),
          'cpc', analytics.ratio(t.spend, t.clicks, 2),
          'cpm', analytics.ratio(t.spend * 1000, t.impressions, 2)),
        jsonb_build_object('id', 'leads', 'count', t.leads,
          'cpl', analytics.ratio(t.spend, t.leads, 2),
          'click_to_lead', analytics.ratio(t.leads, t.clicks, 6)),
        jsonb_build_object('id', 'express', 'purchases', t.express_purchases, 'revenue', t.express_revenue,
          'lead_to_express', analytics.ratio(t.express_purchases, t.leads, 6),
          'cost_per_purchase', analytics.ratio(t.spend, t.express_purchases, 2)),
        jsonb_build_object('id', 'flagman', 'purchases', t.flagman_purchases, 'revenue', t.flagman_revenue,
          'express_to_flagman', analytics.ratio(t.flagman_purchases, t.express_purchases, 6),
          'cost_per_purchase', analytics.ratio(t.spend, t.flagman_purchases, 2))
      ),
      'totals', jsonb_build_object(
        'revenue', t.express_revenue + t.flagman_revenue,
        'spend', t.spend,
        'roi', analytics.ratio(t.express_revenue + t.flagman_revenue - t.spend, t.spend, 4),
        'roas', analytics.ratio(t.express_revenue + t.flagman_revenue, t.spend, 4),
        'cac', analytics.ratio(t.spend, t.express_purchases, 2)),
      'by_team', (
        select jsonb_agg(jsonb_build_object(
                 'team', ts.team_id,
                 'spend', case when ts.spend_complete then round(ts.spend, 2) end,
                 'impressions', ts.impressions, 'clicks', ts.clicks, 'leads', ts.leads,
                 'express_purchases', ts.express_purchases,
                 'express_revenue', case when ts.revenue_complete then round(ts.express_revenue, 2) end,
                 'flagman_purchases', ts.flagman_purchases,
                 'flagman_revenue', case when ts.revenue_complete then round(ts.flagman_revenue, 2) end,
                 'revenue', case when ts.revenue_complete then round(ts.express_revenue + ts.flagman_revenue, 2) end,
                 'roi', case when ts.spend_complete and ts.revenue_complete
                             then analytics.ratio(ts.express_revenue + ts.flagman_revenue - ts.spend, ts.spend, 4) end)
               order by ts.team_id = 'unattributed', ts.team_id)
        from team_figures as ts),
      'warnings', coalesce((select jsonb_agg(w.warning) from warnings as w), '[]'::jsonb),
      'freshness', jsonb_build_object(
        'analytics_refreshed_at', f.analytics_refreshed_at,
        'live_days', f.live_days,
        'facebook_synced_at', f.facebook_synced_at,
        'last_sale_at', f.last_sale_at,
        'last_lead_at', f.last_lead_at,
        'generated_at', now())
    ) as report
    from totals as t
    cross join settings
    cross join freshness as f
  )

  select report from final
$$;

comment on function analytics.funnel_report_json(date, date, text[]) is 'The funnel_report object for the business days p_from..p_until and the teams p_teams (null = all). Spend is null where rows lack an exchange rate or a team has no spend rows at all; warnings include the data health checks that bear on the report.';

create function public.funnel_report(p_team text default null, p_days integer default 30, p_until date default null)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_teams text[] := analytics.report_scope(p_team, p_days);
  v_until date := coalesce(p_until, (now() at time zone (select s.business_time_zone from voronka.setting as s))::date);
begin
  return analytics.funnel_report_json(v_until - (p_days - 1), v_until, v_teams);
end
$$;

comment on function public.funnel_report(text, integer, date) is 'The funnel (spend -> leads -> Express Course -> Integrator Flagman) with ROI for the p_days business-local days ending p_until (default: today in the business zone), both inclusive; for one team, "unattributed", or all teams the caller may see (p_team null). Shape documented in README.md.';

create function public.funnel_daily(p_team text default null, p_days integer default 30, p_until date default null)
returns table (
  day date,
  team text,
  spend numeric,
  spend_complete boolean,
  impressions bigint,
  clicks bigint,
  leads bigint,
  express_purchases bigint,
  express_revenue numeric,
  flagman_purchases bigint,
  flagman_revenue numeric,
  revenue_complete boolean
)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_teams text[] := analytics.report_scope(p_team, p_days);
  v_until date := coalesce(p_until, (now() at time zone (select s.business_time_zone from voronka.setting as s))::date);
  v_from date := v_until - (p_days - 1);
begin
  return query
    with days as (
      select d::date as day from generate_series(v_from, v_until, interval '1 day') as d
    ),
    teams as (
      select t.id as team_id from voronka.team as t where v_teams is null or t.id = any (v_teams)
      union
      select 'unattributed' where v_teams is null or 'unattributed' = any (v_teams)
    ),
    facts as (
      select * from analytics.funnel_rows(v_from, v_until)
    )
    select days.day, teams.team_id,
           case when coalesce(f.spend_rows_missing_rate, 0) = 0 then round(coalesce(f.spend, 0), 2) end,
           coalesce(f.spend_rows_missing_rate, 0) = 0,
           coalesce(f.impressions, 0), coalesce(f.clicks, 0), coalesce(f.leads, 0),
           coalesce(f.express_purchases, 0),
           case when coalesce(f.sale_rows_missing_rate, 0) = 0 then round(coalesce(f.express_revenue, 0), 2) end,
           coalesce(f.flagman_purchases, 0),
           case when coalesce(f.sale_rows_missing_rate, 0) = 0 then round(coalesce(f.flagman_revenue, 0), 2) end,
           coalesce(f.sale_rows_missing_rate, 0) = 0
    from days
    cross join teams
    left join facts as f on f.day = days.day and f.team_id = teams.team_id
    order by days.day, teams.team_id = 'unattributed', teams.team_id;
end
$$;

comment on function public.funnel_daily(text, integer, date) is 'One row per business-local day and team in scope (zeros included) for charts; same arguments and access rules as funnel_report. Money is null where an exchange rate is missing.';

grant execute on function analytics.funnel_rows(date, date), analytics.funnel_report_json(date, date, text[])
  to service_role;

revoke execute on function public.funnel_report(text, integer, date), public.funnel_daily(text, integer, date)
  from public, anon;

grant execute on function public.funnel_report(text, integer, date), public.funnel_daily(text, integer, date)
  to authenticated, service_role;
revoke execute on function analytics.funnel_rows(date, date), analytics.ratio(numeric, numeric, integer),
  analytics.funnel_report_json(date, date, text[]) from public;
