-- The funnel report: public.funnel_report (one JSON object) and public.funnel_daily (rows for
-- charts). Both are security definer with an empty search_path, check the caller's teams
-- (access.sql), and are granted to authenticated and service_role only (anon gets nothing).

-- Every day's facts from the cache, except days written since its refresh: of those, the series
-- that were written (the stale day's kind: spend, leads, sales; 'facts' is all three) come live
-- from the tables, one call per run of consecutive days, and the others stay as cached. A lead
-- today no longer regroups the day's thousands of Facebook insight rows.
create function analytics.funnel_rows(p_from date, p_until date)
returns setof analytics.funnel_analytics
language plpgsql
stable
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
begin
  return query
  with live_days as (
    select sd.day, bool_or(sd.kind = any (analytics.series_kinds('spend'))) as spend_live,
           bool_or(sd.kind = any (analytics.series_kinds('leads'))) as leads_live,
           bool_or(sd.kind = any (analytics.series_kinds('sales'))) as sales_live
    from analytics.stale_day as sd
    where sd.day between p_from and p_until and sd.kind = any (analytics.fact_kinds())
    group by sd.day
  ),

  from_cache as (
    select fa.*
    from analytics.funnel_analytics as fa
    where fa.day between p_from and p_until
      and not exists (select 1 from live_days as ld where ld.day = fa.day)
  ),

  -- A live day's cached row with its live series taken out (zeros; their live rows are added
  -- below). It may leave a row of zeros where a team had only live series: every reader sums.
  cached_series as (
    select fa.day, fa.team_id,
           case when ld.spend_live then 0 else fa.spend end as spend,
           case when ld.spend_live then 0 else fa.spend_rows_missing_rate end as spend_rows_missing_rate,
           case when ld.spend_live then 0 else fa.impressions end as impressions,
           case when ld.spend_live then 0 else fa.clicks end as clicks,
           case when ld.leads_live then 0 else fa.leads end as leads,
           case when ld.sales_live then 0 else fa.express_purchases end as express_purchases,
           case when ld.sales_live then 0 else fa.express_revenue end as express_revenue,
           case when ld.sales_live then 0 else fa.flagman_purchases end as flagman_purchases,
           case when ld.sales_live then 0 else fa.flagman_revenue end as flagman_revenue,
           case when ld.sales_live then 0 else fa.sale_rows_missing_rate end as sale_rows_missing_rate
    from live_days as ld
    join analytics.funnel_analytics as fa on fa.day = ld.day
    where not (ld.spend_live and ld.leads_live and ld.sales_live)
  ),

  live_spend as (
    select sp.day, sp.team_id, coalesce(sp.spend, 0) as spend, sp.spend_rows_missing_rate, sp.impressions, sp.clicks,
           0::bigint as leads, 0::bigint as express_purchases, 0::numeric as express_revenue,
           0::bigint as flagman_purchases, 0::numeric as flagman_revenue, 0::bigint as sale_rows_missing_rate
    from analytics.live_day_runs(p_from, p_until, analytics.series_kinds('spend')) as lr
    cross join lateral analytics.daily_spend(lr.run_from, lr.run_until) as sp
  ),

  live_leads as (
    select dl.day, dl.team_id, 0::numeric, 0::bigint, 0::bigint, 0::bigint, dl.leads, 0::bigint, 0::numeric,
           0::bigint, 0::numeric, 0::bigint
    from analytics.live_day_runs(p_from, p_until, analytics.series_kinds('leads')) as lr
    cross join lateral analytics.daily_leads(lr.run_from, lr.run_until) as dl
  ),

  live_sales as (
    select ds.day, ds.team_id, 0::numeric, 0::bigint, 0::bigint, 0::bigint, 0::bigint, ds.express_purchases,
           coalesce(ds.express_revenue, 0), ds.flagman_purchases, coalesce(ds.flagman_revenue, 0),
           ds.sale_rows_missing_rate
    from analytics.live_day_runs(p_from, p_until, analytics.series_kinds('sales')) as lr
    cross join lateral analytics.daily_sales(lr.run_from, lr.run_until) as ds
  ),

  -- The live days' rows: as funnel_facts would give them (sums per day and team).
  from_tables as (
    select lp.day, lp.team_id, sum(lp.spend), sum(lp.spend_rows_missing_rate)::bigint,
           sum(lp.impressions)::bigint, sum(lp.clicks)::bigint, sum(lp.leads)::bigint,
           sum(lp.express_purchases)::bigint, sum(lp.express_revenue), sum(lp.flagman_purchases)::bigint,
           sum(lp.flagman_revenue), sum(lp.sale_rows_missing_rate)::bigint
    from (select * from cached_series
          union all select * from live_spend
          union all select * from live_leads
          union all select * from live_sales) as lp
    group by lp.day, lp.team_id
  )

  select * from from_cache
  union all
  select * from from_tables;
end
$$;

comment on function analytics.funnel_rows(date, date) is 'Funnel facts per day and team for a range of business days: from funnel_analytics where it is current, computed live where it is not. Never lags behind committed data.';

-- PL/pgSQL, not SQL: the SET clause (which the linter requires) keeps a SQL function from being
-- inlined, so each call ran as a query of its own, about 5 µs; this is about 2 µs, and ad_report
-- calls it five times for each of its rows.
create function analytics.ratio(p_numerator numeric, p_denominator numeric, p_digits integer)
returns numeric
language plpgsql
immutable
set search_path = ''
as $$
begin
  return case when p_denominator is null or p_denominator = 0 or p_numerator is null then null
              else round(p_numerator / p_denominator, p_digits) end;
end
$$;

comment on function analytics.ratio(numeric, numeric, integer) is 'numerator / denominator rounded, or null when undefined (no division by zero, no made-up zeros).';

-- The lead-date basis: the people who left a lead in the window, and everything they bought since
-- that lead (to date), credited to the team of their first lead in the window. A person is their
-- voronka.person (people.sql); a lead without one is a person of its own (and bought nothing).
create function analytics.lead_date_sales(p_from date, p_until date)
returns table (
  team_id text, express_purchases bigint, express_revenue numeric, flagman_purchases bigint, flagman_revenue numeric,
  sale_rows_missing_rate bigint
)
language plpgsql
stable
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
#variable_conflict use_column
begin
  return query
  with window_people as (
    select distinct on (l.person_id) l.person_id, l.occurred_at, coalesce(l.team_id, 'unattributed') as team_id
    from voronka.lead as l
    where l.occurred_at >= analytics.business_day_start(p_from)
      and l.occurred_at < analytics.business_day_start(p_until + 1)
      and l.person_id is not null
    order by l.person_id, l.occurred_at, l.id
  ),

  by_currency as (
    select wp.team_id, s.product_id, s.currency, analytics.business_day(s.won_at) as day,
           count(*) as purchases, sum(s.amount) as amount
    from window_people as wp
    join voronka.amocrm_deal as d on d.person_id = wp.person_id
    join voronka.sale as s on s.deal_id = d.id and s.voided_at is null and s.won_at >= wp.occurred_at
    group by 1, 2, 3, 4
  ),

  final as (
    select bc.team_id,
           coalesce(sum(bc.purchases) filter (where bc.product_id = 'express'), 0)::bigint,
           coalesce(sum(bc.amount * fx.rate) filter (where bc.product_id = 'express'), 0),
           coalesce(sum(bc.purchases) filter (where bc.product_id = 'flagman'), 0)::bigint,
           coalesce(sum(bc.amount * fx.rate) filter (where bc.product_id = 'flagman'), 0),
           coalesce(sum(bc.purchases) filter (where fx.rate is null), 0)::bigint
    from by_currency as bc
    join (select distinct b.day, b.currency, analytics.reporting_rate(b.currency, b.day) as rate
          from by_currency as b) as fx on fx.day = bc.day and fx.currency = bc.currency
    group by 1
  )

  select * from final;
end
$$;
comment on function analytics.lead_date_sales(date, date) is 'Lead-date basis: per team, the counted purchases and revenue (to date, reporting currency) of the people who left a lead on the business days p_from..p_until, made since that lead; credited to the team of their first lead in the window.';

-- Each team bucket's sums over the window. A team's spend is known when every row converted and
-- it has spend rows at all: no rows is no data, not spend 0 (the no_spend_data warning says so).
create function analytics.funnel_team_figures(p_from date, p_until date, p_teams text[], p_basis text default 'sale_date')
returns table (
  team_id text,
  spend numeric,
  rate_complete boolean,
  has_spend_data boolean,
  spend_complete boolean,
  impressions numeric,
  clicks numeric,
  leads numeric,
  express_purchases numeric,
  express_revenue numeric,
  flagman_purchases numeric,
  flagman_revenue numeric,
  revenue_complete boolean
)
language plpgsql
stable
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
#variable_conflict use_column
begin
  return query
  with scoped_rows as (
    select r.*
    from analytics.funnel_rows(p_from, p_until) as r
    where p_teams is null or r.team_id = any (p_teams)
  ),

  spend_data_teams as (
    select distinct sda.team_id from analytics.spend_data_accounts(p_from, p_until) as sda
  ),

  -- Sales by sale date (the window's wins), or by lead date (what the window's leads bought).
  sales as (
    select r.team_id, r.express_purchases, r.express_revenue, r.flagman_purchases, r.flagman_revenue,
           r.sale_rows_missing_rate
    from scoped_rows as r
    where p_basis = 'sale_date'
    union all
    select lds.*
    from analytics.lead_date_sales(p_from, p_until) as lds
    where p_basis = 'lead_date' and (p_teams is null or lds.team_id = any (p_teams))
  ),

  team_sums as (
    select tis.team_id,
           coalesce(sum(r.spend), 0) as spend,
           coalesce(sum(r.spend_rows_missing_rate), 0) = 0 as rate_complete,
           exists (select 1 from spend_data_teams as sdt where sdt.team_id = tis.team_id) as has_spend_data,
           coalesce(sum(r.impressions), 0) as impressions,
           coalesce(sum(r.clicks), 0) as clicks,
           coalesce(sum(r.leads), 0) as leads,
           (select coalesce(sum(sa.express_purchases), 0) from sales as sa where sa.team_id = tis.team_id) as express_purchases,
           (select coalesce(sum(sa.express_revenue), 0) from sales as sa where sa.team_id = tis.team_id) as express_revenue,
           (select coalesce(sum(sa.flagman_purchases), 0) from sales as sa where sa.team_id = tis.team_id) as flagman_purchases,
           (select coalesce(sum(sa.flagman_revenue), 0) from sales as sa where sa.team_id = tis.team_id) as flagman_revenue,
           (select coalesce(sum(sa.sale_rows_missing_rate), 0) = 0 from sales as sa where sa.team_id = tis.team_id)
             as revenue_complete
    from analytics.teams_in_scope(p_teams) as tis
    left join scoped_rows as r on r.team_id = tis.team_id
    group by tis.team_id
  ),

  final as (
    select ts.team_id, ts.spend, ts.rate_complete, ts.has_spend_data,
           ts.rate_complete and ts.has_spend_data as spend_complete,
           ts.impressions, ts.clicks, ts.leads, ts.express_purchases, ts.express_revenue,
           ts.flagman_purchases, ts.flagman_revenue, ts.revenue_complete
    from team_sums as ts
  )

  select * from final;
end
$$;
comment on function analytics.funnel_team_figures(date, date, text[], text) is 'Per team bucket in scope: the window''s sums from analytics.funnel_rows (money unrounded, in the reporting currency), whether every row converted, and whether the team has any spend rows. p_basis lead_date: purchases and revenue are what the window''s leads bought (analytics.lead_date_sales).';

-- Which exchange rates the window lacks, for the report's warnings. Only looked up when the
-- figures say something did not convert. (Long only for its two message texts.)
create function analytics.funnel_rate_warnings(
  p_from date, p_until date, p_teams text[], p_spend_converted boolean, p_sales_converted boolean
)
returns table (warning jsonb)
language plpgsql
stable
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
#variable_conflict use_column
begin
  return query
  with settings as (
    select s.reporting_currency from voronka.setting as s
  ),

  spend_days as (
    select i.currency, i.date_start as day, sum(i.spend) as amount
    from voronka.fb_ad_insight as i
    join voronka.fb_ad_account as a on a.id = i.ad_account_id
    where not p_spend_converted
      and i.date_start between p_from and p_until
      and (p_teams is null or coalesce(a.team_id, 'unattributed') = any (p_teams))
    group by 1, 2
  ),

  missing_spend_rates as (
    select sd.currency, min(sd.day) as first_day, max(sd.day) as last_day, count(*) as days, sum(sd.amount) as amount
    from spend_days as sd
    where analytics.reporting_rate(sd.currency, sd.day) is null
    group by sd.currency
  ),

  sale_days as (
    select s.currency, analytics.business_day(s.won_at) as day, count(*) as sales, sum(s.amount) as amount
    from voronka.sale as s
    join voronka.amocrm_deal as d on d.id = s.deal_id
    where not p_sales_converted
      and s.voided_at is null
      and s.won_at >= analytics.business_day_start(p_from)
      and s.won_at < analytics.business_day_start(p_until + 1)
      and (p_teams is null or coalesce(d.team_id, 'unattributed') = any (p_teams))
    group by 1, 2
  ),

  missing_sale_rates as (
    select sd.currency, sum(sd.sales) as sales, sum(sd.amount) as amount
    from sale_days as sd
    where analytics.reporting_rate(sd.currency, sd.day) is null
    group by sd.currency
  ),

  final as (
    select 1 as position, m.currency, jsonb_build_object(
             'code', 'missing_exchange_rate',
             'message', format('No %s→%s rate for %s day(s) between %s and %s: %s %s of spend is not converted, so spend, CPC, CPM, CPL, ROI, ROAS and CAC are not shown. Add the rates to voronka.exchange_rate.',
                               m.currency, settings.reporting_currency, m.days, m.first_day, m.last_day, m.amount, m.currency),
             'currency', m.currency, 'first_day', m.first_day, 'last_day', m.last_day,
             'days', m.days, 'amount', m.amount) as warning
    from missing_spend_rates as m cross join settings
    union all
    select 2, m.currency, jsonb_build_object(
             'code', 'missing_exchange_rate',
             'message', format('No %s→%s rate on the day of %s sale(s) (%s %s): revenue, ROI and ROAS are not shown.',
                               m.currency, settings.reporting_currency, m.sales, m.amount, m.currency),
             'currency', m.currency, 'sales', m.sales, 'amount', m.amount)
    from missing_sale_rates as m cross join settings
  )

  select final.warning from final order by final.position, final.currency;
end
$$;
comment on function analytics.funnel_rate_warnings(date, date, text[], boolean, boolean) is 'missing_exchange_rate warnings of a report window: per currency, the spend days and the sales whose business day has no rate to the reporting currency.';

-- Facebook days are the account's calendar days; when its zone's offset differs from the
-- business zone's, its spend days are not business days and the report says so.
create function analytics.funnel_zone_warnings(p_from date, p_until date, p_teams text[])
returns table (warning jsonb)
language plpgsql
stable
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
#variable_conflict use_column
begin
  return query
  with other_zone_accounts as (
    select a.id, a.name, a.timezone_name,
           round(extract(epoch from analytics.business_day_start(p_until)
                                    - (p_until::timestamp at time zone a.timezone_name)) / 3600, 2) as hours_ahead_of_business
    from voronka.fb_ad_account as a
    where (p_teams is null or coalesce(a.team_id, 'unattributed') = any (p_teams))
      and (p_until::timestamp at time zone a.timezone_name) <> analytics.business_day_start(p_until)
      and exists (select 1 from voronka.fb_ad_insight as i
                  where i.ad_account_id = a.id and i.date_start between p_from and p_until)
  ),

  final as (
    select o.id, jsonb_build_object(
             'code', 'ad_account_time_zone',
             'message', format('Ad account %s (%s) reports its days in %s, %s h %s %s: its daily spend is counted on the business day with the same date, so day boundaries differ by that much.',
                               o.name, o.id, o.timezone_name, abs(o.hours_ahead_of_business),
                               case when o.hours_ahead_of_business < 0 then 'behind' else 'ahead of' end, s.business_time_zone),
             'ad_account_id', o.id, 'timezone_name', o.timezone_name,
             'hours_ahead_of_business', o.hours_ahead_of_business) as warning
    from other_zone_accounts as o cross join voronka.setting as s
  )

  select final.warning from final order by final.id;
end
$$;
comment on function analytics.funnel_zone_warnings(date, date, text[]) is 'ad_account_time_zone warnings: ad accounts with spend in the window whose zone''s offset differs from the business zone''s.';

-- The latest sale and lead of the teams in scope (a member learns nothing about other teams),
-- among plausible instants only: a sale "won in 5138" is a data error, not the latest sale.
-- live_days counts the days the report computes live: of the kinds p_kinds (the funnel and the ads
-- read a buyer's first-lead day, kind cohort, from their caches; cohort_report, p_kinds null, does not).
create function analytics.funnel_freshness(p_from date, p_until date, p_teams text[], p_kinds text[])
returns jsonb
language plpgsql
stable
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
begin
  return (
  select jsonb_build_object(
    'analytics_refreshed_at', (select max(fr.refreshed_at) from analytics.funnel_refresh as fr),
    'live_days', (select count(distinct sd.day) from analytics.stale_day as sd
                   where sd.day between p_from and p_until and (p_kinds is null or sd.kind = any (p_kinds))),
    'facebook_synced_at', (select max(run.finished_at) from voronka.fb_sync_run as run
                            where run.status in ('succeeded', 'partial')),
    -- The limits as expressions: an index scan backwards from the latest plausible instant.
    'last_sale_at', (select max(s.won_at)
                       from voronka.sale as s
                      where s.voided_at is null
                        and s.won_at between (analytics.plausible_instants()).earliest
                                         and (analytics.plausible_instants()).latest
                        and (p_teams is null or exists (select 1 from voronka.amocrm_deal as d
                                                        where d.id = s.deal_id
                                                          and coalesce(d.team_id, 'unattributed') = any (p_teams)))),
    'last_lead_at', (select max(l.occurred_at)
                       from voronka.lead as l
                      where l.occurred_at between (analytics.plausible_instants()).earliest
                                              and (analytics.plausible_instants()).latest
                        and (p_teams is null or coalesce(l.team_id, 'unattributed') = any (p_teams))),
    'generated_at', now())
  );
end
$$;
comment on function analytics.funnel_freshness(date, date, text[], text[]) is 'The report''s freshness object: when the caches were refreshed, how many days of the window are computed live (stale days of the kinds p_kinds; null: every kind), the last successful Facebook sync, and the latest plausible sale and lead of the teams in scope.';

-- The four stages with their conversions and costs, from the window's totals.
create function analytics.funnel_stages(
  p_spend numeric, p_spend_complete boolean, p_impressions numeric, p_clicks numeric, p_leads numeric,
  p_express_purchases numeric, p_express_revenue numeric, p_flagman_purchases numeric, p_flagman_revenue numeric
)
returns jsonb
language plpgsql
immutable
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
begin
  return (
  select jsonb_build_array(
    jsonb_build_object('id', 'spend', 'spend', p_spend, 'spend_complete', p_spend_complete,
      'impressions', p_impressions, 'clicks', p_clicks,
      'ctr', analytics.ratio(p_clicks, p_impressions, 6),
      'cpc', analytics.ratio(p_spend, p_clicks, 2),
      'cpm', analytics.ratio(p_spend * 1000, p_impressions, 2)),
    jsonb_build_object('id', 'leads', 'count', p_leads,
      'cpl', analytics.ratio(p_spend, p_leads, 2),
      'click_to_lead', analytics.ratio(p_leads, p_clicks, 6)),
    jsonb_build_object('id', 'express', 'purchases', p_express_purchases, 'revenue', p_express_revenue,
      'lead_to_express', analytics.ratio(p_express_purchases, p_leads, 6),
      'cost_per_purchase', analytics.ratio(p_spend, p_express_purchases, 2)),
    jsonb_build_object('id', 'flagman', 'purchases', p_flagman_purchases, 'revenue', p_flagman_revenue,
      'express_to_flagman', analytics.ratio(p_flagman_purchases, p_express_purchases, 6),
      'cost_per_purchase', analytics.ratio(p_spend, p_flagman_purchases, 2)))
  );
end
$$;
comment on function analytics.funnel_stages(numeric, boolean, numeric, numeric, numeric, numeric, numeric, numeric, numeric) is 'The report''s stages array (spend, leads, express, flagman) with CTR, CPC, CPM, CPL and conversions; null where a figure is undefined.';

-- The funnel_report object: team figures → totals → stages, by team, warnings and freshness.
-- Long only for the JSON shape it assembles; every figure comes from the named steps above.
-- Spend and revenue are only reported when every row could be converted: a partial sum would
-- understate spend and overstate ROI. The warnings say what is missing.
create function analytics.funnel_report_json(p_from date, p_until date, p_teams text[], p_basis text default 'sale_date')
returns jsonb
language plpgsql
stable
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
begin
  return (
  with team_figures as (
    select * from analytics.funnel_team_figures(p_from, p_until, p_teams, p_basis)
  ),

  totals as (
    select case when bool_and(tf.rate_complete) and bool_or(tf.has_spend_data) then round(sum(tf.spend), 2) end as spend,
           sum(tf.impressions) as impressions,
           sum(tf.clicks) as clicks,
           sum(tf.leads) as leads,
           sum(tf.express_purchases) as express_purchases,
           case when bool_and(tf.revenue_complete) then round(sum(tf.express_revenue), 2) end as express_revenue,
           sum(tf.flagman_purchases) as flagman_purchases,
           case when bool_and(tf.revenue_complete) then round(sum(tf.flagman_revenue), 2) end as flagman_revenue,
           bool_and(tf.rate_complete) and bool_or(tf.has_spend_data) as spend_complete,
           bool_and(tf.rate_complete) as rate_complete,
           bool_and(tf.revenue_complete) as revenue_complete
    from team_figures as tf
  ),

  -- Data health checks that bear on the report come from their one definition,
  -- analytics.data_health_checks; checks without a team only for callers who see every team.
  warnings as (
    select 1 as position, w.ordinality, w.warning
    from totals
    cross join analytics.funnel_rate_warnings(p_from, p_until, p_teams, totals.rate_complete, totals.revenue_complete)
         with ordinality as w
    union all
    select 2, w.ordinality, w.warning
    from analytics.funnel_zone_warnings(p_from, p_until, p_teams) with ordinality as w
    union all
    select 3, c.ordinality, c.detail
    from analytics.data_health_checks(p_from, p_until, p_teams, analytics.visible_teams() is null) with ordinality as c
    where c.in_report and c.severity <> 'ok'
  ),

  by_team as (
    select jsonb_agg(jsonb_build_object(
             'team', tf.team_id,
             'spend', case when tf.spend_complete then round(tf.spend, 2) end,
             'impressions', tf.impressions, 'clicks', tf.clicks, 'leads', tf.leads,
             'express_purchases', tf.express_purchases,
             'express_revenue', case when tf.revenue_complete then round(tf.express_revenue, 2) end,
             'flagman_purchases', tf.flagman_purchases,
             'flagman_revenue', case when tf.revenue_complete then round(tf.flagman_revenue, 2) end,
             'revenue', case when tf.revenue_complete then round(tf.express_revenue + tf.flagman_revenue, 2) end,
             'roi', case when tf.spend_complete and tf.revenue_complete
                         then analytics.ratio(tf.express_revenue + tf.flagman_revenue - tf.spend, tf.spend, 4) end)
           order by tf.team_id = 'unattributed', tf.team_id) as list,
           jsonb_agg(tf.team_id order by tf.team_id = 'unattributed', tf.team_id) as teams
    from team_figures as tf
  ),

  final as (
    select jsonb_build_object(
      'team', case when p_teams is not null and cardinality(p_teams) = 1 then p_teams[1] end,
      'teams', by_team.teams,
      'window', jsonb_build_object('from', p_from, 'until', p_until, 'days', p_until - p_from + 1,
                                   'time_zone', s.business_time_zone),
      'currency', s.reporting_currency,
      'basis', p_basis,
      'stages', analytics.funnel_stages(t.spend, t.spend_complete, t.impressions, t.clicks, t.leads,
                                        t.express_purchases, t.express_revenue, t.flagman_purchases, t.flagman_revenue),
      'totals', jsonb_build_object(
        'revenue', t.express_revenue + t.flagman_revenue,
        'spend', t.spend,
        'roi', analytics.ratio(t.express_revenue + t.flagman_revenue - t.spend, t.spend, 4),
        'roas', analytics.ratio(t.express_revenue + t.flagman_revenue, t.spend, 4),
        'cac', analytics.ratio(t.spend, t.express_purchases, 2)),
      'by_team', by_team.list,
      'warnings', coalesce((select jsonb_agg(w.warning order by w.position, w.ordinality) from warnings as w), '[]'::jsonb),
      'freshness', analytics.funnel_freshness(p_from, p_until, p_teams, analytics.fact_kinds())
    ) as report
    from totals as t
    cross join by_team
    cross join voronka.setting as s
  )

  select final.report from final
  );
end
$$;

comment on function analytics.funnel_report_json(date, date, text[], text) is 'The funnel_report object for the business days p_from..p_until and the teams p_teams (null = all). Spend is null where rows lack an exchange rate or a team has no spend rows at all; warnings include the data health checks that bear on the report.';

create function public.funnel_report(
  p_team text default null, p_days integer default 30, p_until date default null, p_basis text default 'sale_date'
)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_teams text[] := analytics.report_scope(p_team, p_days);
  v_until date := coalesce(p_until, analytics.business_day(now()));
begin
  perform analytics.check_report_choice('p_basis', p_basis, array['sale_date', 'lead_date']);
  return analytics.funnel_report_json(v_until - (p_days - 1), v_until, v_teams, p_basis);
end
$$;

comment on function public.funnel_report(text, integer, date, text) is 'The funnel (spend -> leads -> Express Course -> Integrator Flagman) with ROI for the p_days business-local days ending p_until (default: today in the business zone), both inclusive; for one team, "unattributed", or all teams the caller may see (p_team null). p_basis sale_date (default): the window''s sales; lead_date: what the window''s leads bought so far. Shape documented in README.md.';

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
  v_until date := coalesce(p_until, analytics.business_day(now()));
  v_from date := v_until - (p_days - 1);
begin
  return query
    with days as (
      select d::date as day from generate_series(v_from, v_until, interval '1 day') as d
    ),
    teams as (
      select tis.team_id from analytics.teams_in_scope(v_teams) as tis
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
grant execute on function analytics.funnel_rows(date, date), analytics.funnel_report_json(date, date, text[], text)
  to service_role;

revoke execute on function public.funnel_report(text, integer, date, text), public.funnel_daily(text, integer, date)
  from public, anon;

grant execute on function public.funnel_report(text, integer, date, text), public.funnel_daily(text, integer, date)
  to authenticated, service_role;
revoke execute on function analytics.lead_date_sales(date, date) from public;
grant execute on function analytics.lead_date_sales(date, date) to service_role;
revoke execute on function analytics.funnel_rows(date, date), analytics.ratio(numeric, numeric, integer),
  analytics.funnel_team_figures(date, date, text[], text), analytics.funnel_rate_warnings(date, date, text[], boolean, boolean),
  analytics.funnel_zone_warnings(date, date, text[]), analytics.funnel_freshness(date, date, text[], text[]),
  analytics.funnel_stages(numeric, boolean, numeric, numeric, numeric, numeric, numeric, numeric, numeric),
  analytics.funnel_report_json(date, date, text[], text) from public;
-- funnel_report_json stays callable by service_role directly (scripts, analysts): every helper it
-- reaches is granted to that role.
grant execute on function analytics.funnel_team_figures(date, date, text[], text),
  analytics.funnel_rate_warnings(date, date, text[], boolean, boolean), analytics.funnel_zone_warnings(date, date, text[]),
  analytics.funnel_freshness(date, date, text[], text[]),
  analytics.funnel_stages(numeric, boolean, numeric, numeric, numeric, numeric, numeric, numeric, numeric) to service_role;
