-- Ad-level facts and public.ad_report: spend, leads, Express and Flagman purchases and revenue per
-- Facebook campaign, ad set and ad (ad_attribution.sql says how leads and deals are matched).
--
-- The facts are the funnel's facts split by ad: the same insight rows, leads and counted sales,
-- converted with the same rule (analytics.reporting_rate, per day and currency), on the same
-- business days. So per team and window their sums are funnel_report's (a test checks it), and the
-- unmatched leads and sales are a row of their own rather than missing. Cached like the funnel:
-- analytics.ad_analytics is the facts over all days, refreshed with funnel_analytics; the days
-- written since come live from the tables (the same analytics.stale_day bookkeeping). A report
-- reads spend and leads from their running totals (ad_running_totals.sql), sales from the cache.
--
-- Two attribution models, for sales only (spend belongs to the ad that spent, a lead to the ad
-- its own tags name): last touch credits a sale to the deal's own tags (team and ad), first touch
-- to the person's first lead (people.sql). Rows that do not depend on the model carry model 'any'.

-- Spend per ad, converted with the rate of its day and currency (analytics.reporting_rate, the
-- funnel's rule): exact numerics, so the sum over a team's ads is that team's spend exactly.
create function analytics.daily_ad_spend(p_from date, p_until date)
returns table (
  day date, team_id text, campaign_id text, adset_id text, ad_id text,
  spend numeric, spend_rows bigint, spend_rows_missing_rate bigint, impressions bigint, clicks bigint
)
language plpgsql
stable
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
#variable_conflict use_column
begin
  return query
  with insights as (
    select i.date_start as day, coalesce(a.team_id, 'unattributed') as team_id,
           coalesce(i.campaign_id, '') as campaign_id, coalesce(i.adset_id, '') as adset_id, i.ad_id, i.currency,
           i.spend, i.impressions, i.clicks
    from voronka.fb_ad_insight as i
    join voronka.fb_ad_account as a on a.id = i.ad_account_id
    where i.date_start between p_from and p_until
  ),

  -- One rate lookup per day and currency, not per ad.
  rates as materialized (
    select d.day, d.currency, analytics.reporting_rate(d.currency, d.day) as rate
    from (select distinct ins.day, ins.currency from insights as ins) as d
  ),

  -- One grouping (a second one per currency first sorted a live day's 5,000 ads twice).
  final as (
    select ins.day, ins.team_id, ins.campaign_id, ins.adset_id, ins.ad_id,
           sum(ins.spend * rates.rate) as spend,
           count(*) as spend_rows,
           count(*) filter (where rates.rate is null) as spend_rows_missing_rate,
           sum(ins.impressions)::bigint as impressions,
           sum(ins.clicks)::bigint as clicks
    from insights as ins
    join rates on rates.day = ins.day and rates.currency = ins.currency
    group by 1, 2, 3, 4, 5
  )

  select * from final;
end
$$;
comment on function analytics.daily_ad_spend(date, date) is 'Facebook spend (reporting currency), insight rows, impressions and clicks per account-local day, team and ad (with its campaign and ad set).';

create function analytics.daily_ad_leads(p_from date, p_until date)
returns table (day date, team_id text, campaign_id text, adset_id text, ad_id text, leads bigint)
language plpgsql
stable
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
#variable_conflict use_column
begin
  return query
  select bd.day, coalesce(l.team_id, 'unattributed'), coalesce(l.fb_campaign_id, ''), coalesce(l.fb_adset_id, ''),
         coalesce(l.fb_ad_id, ''), count(*)
  from analytics.instant_days(p_from, p_until) as bd
  join voronka.lead as l on l.occurred_at >= bd.starts_at and l.occurred_at < bd.ends_at
  group by 1, 2, 3, 4, 5;
end
$$;
comment on function analytics.daily_ad_leads(date, date) is 'Leads per business day, team and the Facebook objects their UTM tags name ('''' = none).';

-- Counted sales per model: analytics.daily_sales split by ad. Last touch credits the deal's own
-- team and tags; first touch the person's first lead's (when it came no later than the win; a
-- buyer without an earlier lead is their own first touch: the deal's tags). Both models in one
-- pass over the sales (the business days are generated once).
create function analytics.daily_ad_sales(p_from date, p_until date)
returns table (
  model text, day date, team_id text, campaign_id text, adset_id text, ad_id text, express_purchases bigint,
  express_revenue numeric, flagman_purchases bigint, flagman_revenue numeric, sale_rows_missing_rate bigint
)
language plpgsql
stable
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
#variable_conflict use_column
begin
  return query
  -- Each day's sales, and per sale the deal and the first lead, are lookups ("offset 0" keeps
  -- them so): the planner cannot tell how many sales a range of days holds, and joins planned for
  -- many read every sale, deal and person even when a report computes one day live.
  with sales as (
    select bd.day, s.product_id, s.currency, s.amount, d.team_id, d.fb_campaign_id, d.fb_adset_id, d.fb_ad_id, fl.id as fl_id,
           fl.team_id as fl_team_id, fl.fb_campaign_id as fl_campaign_id, fl.fb_adset_id as fl_adset_id, fl.fb_ad_id as fl_ad_id
    from analytics.instant_days(p_from, p_until) as bd
    cross join lateral (
      select sale.deal_id, sale.product_id, sale.currency, sale.amount, sale.won_at
      from voronka.sale as sale
      where sale.won_at >= bd.starts_at and sale.won_at < bd.ends_at and sale.voided_at is null
      offset 0
    ) as s
    cross join lateral (
      select deal.team_id, deal.fb_campaign_id, deal.fb_adset_id, deal.fb_ad_id, deal.person_id
      from voronka.amocrm_deal as deal where deal.id = s.deal_id offset 0
    ) as d
    left join lateral (
      select lead.id, lead.team_id, lead.fb_campaign_id, lead.fb_adset_id, lead.fb_ad_id
      from voronka.person as p
      join voronka.lead as lead on lead.id = p.first_lead_id
      where p.id = d.person_id and lead.occurred_at <= s.won_at
      offset 0
    ) as fl on true
  ),

  credited as (
    select m.model, s.day, s.product_id, s.currency, s.amount,
           case when m.model = 'first_touch' and s.fl_id is not null then coalesce(s.fl_team_id, 'unattributed')
                else coalesce(s.team_id, 'unattributed') end as team_id,
           case when m.model = 'first_touch' and s.fl_id is not null then array[s.fl_campaign_id, s.fl_adset_id, s.fl_ad_id]
                else array[s.fb_campaign_id, s.fb_adset_id, s.fb_ad_id] end as ads
    from sales as s
    cross join (values ('last_touch'), ('first_touch')) as m (model)
  ),

  by_currency as (
    select c.model, c.day, c.team_id, coalesce(c.ads[1], '') as campaign_id, coalesce(c.ads[2], '') as adset_id,
           coalesce(c.ads[3], '') as ad_id, c.product_id, c.currency, count(*) as purchases, sum(c.amount) as amount
    from credited as c
    group by 1, 2, 3, 4, 5, 6, 7, 8
  ),

  final as (
    select bc.model, bc.day, bc.team_id, bc.campaign_id, bc.adset_id, bc.ad_id,
           coalesce(sum(bc.purchases) filter (where bc.product_id = 'express'), 0)::bigint,
           sum(bc.amount * fx.rate) filter (where bc.product_id = 'express'),
           coalesce(sum(bc.purchases) filter (where bc.product_id = 'flagman'), 0)::bigint,
           sum(bc.amount * fx.rate) filter (where bc.product_id = 'flagman'),
           coalesce(sum(bc.purchases) filter (where fx.rate is null), 0)::bigint
    from by_currency as bc
    join (select distinct b.day, b.currency, analytics.reporting_rate(b.currency, b.day) as rate
          from by_currency as b) as fx on fx.day = bc.day and fx.currency = bc.currency
    group by 1, 2, 3, 4, 5, 6
  )

  select * from final;
end
$$;
comment on function analytics.daily_ad_sales(date, date) is 'Counted purchases and revenue (reporting currency) per attribution model, business day of the win, team and Facebook objects: last_touch by the deal''s own team and objects, first_touch by those of the buyer''s first lead (no later than the win; else the deal''s own).';

-- One row per model, day, team and ad key: spend and leads (model 'any') and sales per model.
create function analytics.ad_facts(p_from date, p_until date)
returns table (
  model text, day date, team_id text, campaign_id text, adset_id text, ad_id text,
  spend numeric, spend_rows bigint, spend_rows_missing_rate bigint, impressions bigint, clicks bigint, leads bigint,
  express_purchases bigint, express_revenue numeric, flagman_purchases bigint, flagman_revenue numeric,
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
  with all_facts as (
    select 'any' as model, sp.day, sp.team_id, sp.campaign_id, sp.adset_id, sp.ad_id, sp.spend, sp.spend_rows,
           sp.spend_rows_missing_rate, sp.impressions, sp.clicks, 0::bigint as leads, 0::bigint as express_purchases,
           null::numeric as express_revenue, 0::bigint as flagman_purchases, null::numeric as flagman_revenue,
           0::bigint as sale_rows_missing_rate
    from analytics.daily_ad_spend(p_from, p_until) as sp
    union all
    select 'any', dl.day, dl.team_id, dl.campaign_id, dl.adset_id, dl.ad_id, null, 0, 0, 0, 0, dl.leads, 0, null, 0, null, 0
    from analytics.daily_ad_leads(p_from, p_until) as dl
    union all
    select ds.model, ds.day, ds.team_id, ds.campaign_id, ds.adset_id, ds.ad_id, null, 0, 0, 0, 0, 0,
           ds.express_purchases, ds.express_revenue, ds.flagman_purchases, ds.flagman_revenue, ds.sale_rows_missing_rate
    from analytics.daily_ad_sales(p_from, p_until) as ds
  ),

  final as (
    select f.model, f.day, f.team_id, f.campaign_id, f.adset_id, f.ad_id,
           coalesce(sum(f.spend), 0) as spend, sum(f.spend_rows)::bigint as spend_rows,
           sum(f.spend_rows_missing_rate)::bigint as spend_rows_missing_rate,
           sum(f.impressions)::bigint as impressions, sum(f.clicks)::bigint as clicks, sum(f.leads)::bigint as leads,
           sum(f.express_purchases)::bigint as express_purchases, coalesce(sum(f.express_revenue), 0) as express_revenue,
           sum(f.flagman_purchases)::bigint as flagman_purchases, coalesce(sum(f.flagman_revenue), 0) as flagman_revenue,
           sum(f.sale_rows_missing_rate)::bigint as sale_rows_missing_rate
    from all_facts as f
    group by 1, 2, 3, 4, 5, 6
  )

  select * from final;
end
$$;
comment on function analytics.ad_facts(date, date) is 'Funnel facts per attribution model (''any'' for spend and leads), business day, team and Facebook campaign / ad set / ad ('''' = none), computed from the tables. Per day and team their sums are analytics.funnel_facts''s.';

-- The cache: ad_facts over every day, recomputed day by day with the funnel's cache
-- (analytics.recompute_cached_days).
create table analytics.ad_analytics (
  model text not null,
  day date not null,
  team_id text not null,
  campaign_id text not null,
  adset_id text not null,
  ad_id text not null,
  spend numeric,
  spend_rows bigint,
  spend_rows_missing_rate bigint,
  impressions bigint,
  clicks bigint,
  leads bigint,
  express_purchases bigint,
  express_revenue numeric,
  flagman_purchases bigint,
  flagman_revenue numeric,
  sale_rows_missing_rate bigint,
  primary key (day, model, team_id, campaign_id, adset_id, ad_id)
);

-- A window's sales rows (a few per cent of the cache) without walking every ad-day of the window.
create index ad_analytics_sales_idx on analytics.ad_analytics (model, day) where model <> 'any';

comment on table analytics.ad_analytics is 'Cache of analytics.ad_facts over all days, refreshed with funnel_analytics by analytics.refresh_funnel_analytics(); days written since are in analytics.stale_day.';
alter table analytics.ad_analytics enable row level security;
grant select on analytics.ad_analytics to service_role;

-- Every day's ad facts from the cache, except days written since its refresh: those live.
create function analytics.ad_rows(p_from date, p_until date)
returns setof analytics.ad_analytics
language plpgsql
stable
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
begin
  return query
  with live_runs as (
    select * from analytics.live_day_runs(p_from, p_until, analytics.fact_kinds())
  ),

  from_cache as (
    select aa.*
    from analytics.ad_analytics as aa
    where aa.day between p_from and p_until
      and not exists (select 1 from live_runs as lr where aa.day between lr.run_from and lr.run_until)
  ),

  from_tables as (
    select facts.*
    from live_runs as lr
    cross join lateral analytics.ad_facts(lr.run_from, lr.run_until) as facts
  )

  select * from from_cache
  union all
  select * from from_tables;
end
$$;
comment on function analytics.ad_rows(date, date) is 'Ad facts per model, day, team and ad key for a range of business days: from ad_analytics where it is current, live from the tables where it is not.';

-- The window's sums of one report row: a team bucket and a Facebook object (null: unmatched).
create type analytics.ad_figures as (
  team_id text, object_level text, object_id text, spend numeric, spend_rows bigint, spend_rows_missing_rate bigint,
  impressions bigint, clicks bigint, leads bigint, express_purchases bigint, express_revenue numeric,
  flagman_purchases bigint, flagman_revenue numeric, sale_rows_missing_rate bigint
);
comment on type analytics.ad_figures is 'Sums of one ad_report row over its window (money unrounded, reporting currency).';

-- The window's sums per report row: the object at p_level (or the nearest level known: a lead
-- matched only to a campaign is a campaign row in an ad-level report), and per team bucket.
-- enable_sort off and work_mem: a few thousand keys with a dozen sums each are grouped in memory
-- by hashing (planned as a sort on text keys, or spilled, they took several times longer).
create function analytics.ad_row_figures(p_from date, p_until date, p_teams text[], p_level text, p_model text)
returns setof analytics.ad_figures
language plpgsql
stable
set search_path = ''
set plan_cache_mode = force_generic_plan
set enable_sort = off
set work_mem = '32MB'
as $$
begin
  return query
  -- The rule of analytics.ad_rows (cached days, unless written since the refresh: those live),
  -- in three parts: spend and leads from the running totals (every cached day); sales (per
  -- model) from the cached rows of the window's days not written since; and the corrections for
  -- the days that were. fact_days counts each key's rows, so a key is shown when it has any.
  with window_rows as (
    -- Nulls, not zeros, for the measures a part does not have: sum() skips them for free, and
    -- the sums over the window's few thousand keys are most of this function's time.
    select rw.team_id, rw.campaign_id, rw.adset_id, rw.ad_id, rw.fact_days, rw.spend, rw.spend_rows,
           rw.spend_rows_missing_rate, rw.impressions, rw.clicks, rw.leads, null::bigint as express_purchases,
           null::numeric as express_revenue, null::bigint as flagman_purchases, null::numeric as flagman_revenue,
           null::bigint as sale_rows_missing_rate
    from analytics.ad_running_window(p_from, p_until, p_teams) as rw
    union all
    select aa.team_id, aa.campaign_id, aa.adset_id, aa.ad_id, 1, null, null, null, null, null, null,
           aa.express_purchases, aa.express_revenue, aa.flagman_purchases, aa.flagman_revenue,
           aa.sale_rows_missing_rate
    from analytics.ad_analytics as aa
    where aa.model = p_model and aa.model <> 'any' and aa.day between p_from and p_until
      and (p_teams is null or aa.team_id = any (p_teams))
      and not exists (select 1 from analytics.stale_day as sd where sd.day = aa.day and sd.kind = any (analytics.series_kinds('sales')))
    union all
    select * from analytics.ad_live_corrections(p_from, p_until, p_teams, p_model)
  ),

  -- Each row's report object: the object at p_level, or the nearest level its key knows.
  scoped as (
    select w.*, nullif(w.campaign_id, '') as c, nullif(w.adset_id, '') as s, nullif(w.ad_id, '') as a
    from window_rows as w
  ),

  keyed as (
    select scoped.*,
           case p_level when 'ad' then coalesce(scoped.a, scoped.s, scoped.c)
                        when 'adset' then coalesce(scoped.s, scoped.c, scoped.a)
                        else coalesce(scoped.c, scoped.s, scoped.a) end as object_id,
           case p_level when 'ad' then case when scoped.a is not null then 'ad' when scoped.s is not null then 'adset'
                                            when scoped.c is not null then 'campaign' end
                        when 'adset' then case when scoped.s is not null then 'adset' when scoped.c is not null then 'campaign'
                                               when scoped.a is not null then 'ad' end
                        else case when scoped.c is not null then 'campaign' when scoped.s is not null then 'adset'
                                  when scoped.a is not null then 'ad' end end as object_level
    from scoped
  ),

  -- A key whose live days lost their facts nets to zero everywhere: shown only with facts left.
  final as (
    select k.team_id, k.object_level, k.object_id, coalesce(sum(k.spend), 0),
           coalesce(sum(k.spend_rows), 0)::bigint, coalesce(sum(k.spend_rows_missing_rate), 0)::bigint,
           coalesce(sum(k.impressions), 0)::bigint, coalesce(sum(k.clicks), 0)::bigint,
           coalesce(sum(k.leads), 0)::bigint, coalesce(sum(k.express_purchases), 0)::bigint,
           coalesce(sum(k.express_revenue), 0), coalesce(sum(k.flagman_purchases), 0)::bigint,
           coalesce(sum(k.flagman_revenue), 0), coalesce(sum(k.sale_rows_missing_rate), 0)::bigint
    from keyed as k
    group by 1, 2, 3
    having sum(k.fact_days) > 0
  )

  select * from final;
end
$$;
comment on function analytics.ad_row_figures(date, date, text[], text, text) is 'Sums of the ad facts over a window per team bucket and Facebook object at p_level (or the nearest level the match knows; object null = unmatched), money unrounded in the reporting currency.';

-- One report row as JSON: ids and current names, the money (null where a rate is missing or the
-- row has no spend rows: no data is not spend 0) and its ratios.
create function analytics.ad_row_json(
  p_figures analytics.ad_figures, p_object voronka.fb_ad_object, p_campaign_name text, p_adset_name text,
  p_account_name text
)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  -- Money shown only when complete: no spend rows is not spend 0, a missing rate is no figure.
  v_spend numeric := case when p_figures.spend_rows > 0 and p_figures.spend_rows_missing_rate = 0
                          then p_figures.spend end;
  v_express_revenue numeric := case when p_figures.sale_rows_missing_rate = 0 then p_figures.express_revenue end;
  v_flagman_revenue numeric := case when p_figures.sale_rows_missing_rate = 0 then p_figures.flagman_revenue end;
begin
  -- Plain expressions, no query: this runs once per report row, and a query per call (as a CTE
  -- here was) cost 0.1 ms each, a tenth of the report.
  return jsonb_build_object(
    'level', p_figures.object_level,
    'campaign_id', case when p_figures.object_level = 'campaign' then p_figures.object_id else p_object.campaign_id end,
    'campaign_name', p_campaign_name,
    'adset_id', case when p_figures.object_level = 'adset' then p_figures.object_id else p_object.adset_id end,
    'adset_name', p_adset_name,
    'ad_id', case when p_figures.object_level = 'ad' then p_figures.object_id end,
    'ad_name', case when p_figures.object_level = 'ad' then p_object.name end,
    'ad_account_id', p_object.ad_account_id, 'ad_account_name', p_account_name,
    'team', p_figures.team_id,
    'spend', round(v_spend, 2), 'spend_complete', v_spend is not null,
    'impressions', p_figures.impressions, 'clicks', p_figures.clicks, 'leads', p_figures.leads,
    'express_purchases', p_figures.express_purchases, 'express_revenue', round(v_express_revenue, 2),
    'flagman_purchases', p_figures.flagman_purchases, 'flagman_revenue', round(v_flagman_revenue, 2),
    'revenue', round(v_express_revenue + v_flagman_revenue, 2),
    'cpl', analytics.ratio(v_spend, p_figures.leads, 2),
    'cost_per_express', analytics.ratio(v_spend, p_figures.express_purchases, 2),
    'cost_per_flagman', analytics.ratio(v_spend, p_figures.flagman_purchases, 2),
    'roi', analytics.ratio(v_express_revenue + v_flagman_revenue - v_spend, v_spend, 4),
    'roas', analytics.ratio(v_express_revenue + v_flagman_revenue, v_spend, 4));
end
$$;
comment on function analytics.ad_row_json(analytics.ad_figures, voronka.fb_ad_object, text, text, text) is 'One row of ad_report as JSON (see README: ad_report).';

-- The totals object: the funnel's totals rule (spend only when every row converted and there are
-- spend rows; revenue only when every sale converted), rounded once. PL/pgSQL with plain
-- expressions, as ad_row_json: a SQL function with a CTE is planned as a query on every call.
create function analytics.ad_totals_json(
  p_spend numeric, p_spend_complete boolean, p_revenue_complete boolean, p_impressions numeric, p_clicks numeric,
  p_leads numeric, p_express_purchases numeric, p_express_revenue numeric, p_flagman_purchases numeric,
  p_flagman_revenue numeric
)
returns jsonb
language plpgsql
immutable
set search_path = ''
as $$
declare
  v_spend numeric := case when p_spend_complete then p_spend end;
  v_express_revenue numeric := case when p_revenue_complete then p_express_revenue end;
  v_flagman_revenue numeric := case when p_revenue_complete then p_flagman_revenue end;
begin
  return jsonb_build_object(
    'spend', round(v_spend, 2), 'spend_complete', p_spend_complete,
    'impressions', p_impressions, 'clicks', p_clicks, 'leads', p_leads,
    'express_purchases', p_express_purchases, 'express_revenue', round(v_express_revenue, 2),
    'flagman_purchases', p_flagman_purchases, 'flagman_revenue', round(v_flagman_revenue, 2),
    'revenue', round(v_express_revenue + v_flagman_revenue, 2),
    'cpl', analytics.ratio(v_spend, p_leads, 2),
    'cost_per_express', analytics.ratio(v_spend, p_express_purchases, 2),
    'cost_per_flagman', analytics.ratio(v_spend, p_flagman_purchases, 2),
    'roi', analytics.ratio(v_express_revenue + v_flagman_revenue - v_spend, v_spend, 4),
    'roas', analytics.ratio(v_express_revenue + v_flagman_revenue, v_spend, 4));
end
$$;
comment on function analytics.ad_totals_json(numeric, boolean, boolean, numeric, numeric, numeric, numeric, numeric, numeric, numeric) is 'The totals object of ad_report (and cohort figures): money rounded once, null where incomplete.';

-- The ad_report object: the first p_limit rows (by spend), the omitted rest summed, the unmatched
-- row, totals (the funnel's, by construction), match rates, warnings (the funnel's) and freshness.
-- Long only for the JSON shape it assembles.
create function analytics.ad_report_json(
  p_from date, p_until date, p_teams text[], p_level text, p_model text, p_limit integer
)
returns jsonb
language plpgsql
stable
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
begin
  return (
  with figures as (
    select * from analytics.ad_row_figures(p_from, p_until, p_teams, p_level, p_model)
  ),

  -- The report's order: rows with spend first, by spend, then revenue and leads. Only the first
  -- p_limit matched rows are shown, so a bounded sort keeps those and the other few thousand are
  -- only summed (omitted, below). Unmatched rows (object null) have no position: listed apart.
  first_rows as (
    select f.*, coalesce(f.spend_rows > 0 and f.spend_rows_missing_rate = 0, false) as spend_known,
           f.express_revenue + f.flagman_revenue as revenue
    from figures as f
    where f.object_id is not null
    order by spend_known desc, f.spend desc, revenue desc, f.leads desc, f.team_id, f.object_id
    limit p_limit
  ),

  -- Names are looked up (and JSON built) only for the rows shown and the unmatched ones.
  shown as (
    select row_number() over (order by r.spend_known desc, r.spend desc, r.revenue desc, r.leads desc, r.team_id,
                                       r.object_id) as position,
           row(r.team_id, r.object_level, r.object_id, r.spend, r.spend_rows, r.spend_rows_missing_rate,
               r.impressions, r.clicks, r.leads, r.express_purchases, r.express_revenue,
               r.flagman_purchases, r.flagman_revenue, r.sale_rows_missing_rate)::analytics.ad_figures as f
    from first_rows as r
    union all
    select null, row(f.team_id, f.object_level, f.object_id, f.spend, f.spend_rows, f.spend_rows_missing_rate,
                     f.impressions, f.clicks, f.leads, f.express_purchases, f.express_revenue,
                     f.flagman_purchases, f.flagman_revenue, f.sale_rows_missing_rate)::analytics.ad_figures
    from figures as f
    where f.object_id is null
  ),

  report_rows as (
    select sh.position is null as unmatched, sh.position,
           analytics.ad_row_json(sh.f, o, c.name, s.name, a.name) as row
    from shown as sh
    left join voronka.fb_ad_object as o on o.level = (sh.f).object_level and o.id = (sh.f).object_id
    left join voronka.fb_ad_object as c
      on c.level = 'campaign'
     and c.id = case when (sh.f).object_level = 'campaign' then (sh.f).object_id else o.campaign_id end
    left join voronka.fb_ad_object as s
      on s.level = 'adset' and s.id = case when (sh.f).object_level = 'adset' then (sh.f).object_id else o.adset_id end
    left join voronka.fb_ad_account as a on a.id = o.ad_account_id
  ),

  -- The matched rows not shown: every matched row's sums less the shown rows' (counts and money
  -- are exact, so the difference is the sum of the rest).
  matched_sums as (
    select count(*) as row_count, sum(f.spend) as spend, sum(f.spend_rows) as spend_rows,
           sum(f.spend_rows_missing_rate) as spend_rows_missing_rate,
           sum(f.sale_rows_missing_rate) as sale_rows_missing_rate, sum(f.impressions) as impressions,
           sum(f.clicks) as clicks, sum(f.leads) as leads, sum(f.express_purchases) as express_purchases,
           sum(f.express_revenue) as express_revenue, sum(f.flagman_purchases) as flagman_purchases,
           sum(f.flagman_revenue) as flagman_revenue
    from figures as f
    where f.object_id is not null
    union all
    select -count(*), -sum(r.spend), -sum(r.spend_rows), -sum(r.spend_rows_missing_rate),
           -sum(r.sale_rows_missing_rate), -sum(r.impressions), -sum(r.clicks), -sum(r.leads),
           -sum(r.express_purchases), -sum(r.express_revenue), -sum(r.flagman_purchases), -sum(r.flagman_revenue)
    from first_rows as r
  ),

  omitted as (
    select sum(m.row_count) as row_count, sum(m.spend) as spend,
           coalesce(sum(m.spend_rows_missing_rate), 0) = 0 and coalesce(sum(m.spend_rows), 0) > 0 as spend_complete,
           coalesce(sum(m.sale_rows_missing_rate), 0) = 0 as revenue_complete,
           coalesce(sum(m.impressions), 0) as impressions, coalesce(sum(m.clicks), 0) as clicks,
           coalesce(sum(m.leads), 0) as leads, coalesce(sum(m.express_purchases), 0) as express_purchases,
           coalesce(sum(m.express_revenue), 0) as express_revenue,
           coalesce(sum(m.flagman_purchases), 0) as flagman_purchases,
           coalesce(sum(m.flagman_revenue), 0) as flagman_revenue
    from matched_sums as m
  ),

  totals as (
    select sum(f.spend) as spend,
           coalesce(sum(f.spend_rows_missing_rate), 0) = 0 and coalesce(sum(f.spend_rows), 0) > 0 as spend_complete,
           coalesce(sum(f.spend_rows_missing_rate), 0) = 0 as rate_complete,
           coalesce(sum(f.sale_rows_missing_rate), 0) = 0 as revenue_complete,
           coalesce(sum(f.impressions), 0) as impressions, coalesce(sum(f.clicks), 0) as clicks,
           coalesce(sum(f.leads), 0) as leads,
           coalesce(sum(f.leads) filter (where f.object_level = p_level), 0) as leads_matched,
           coalesce(sum(f.express_purchases + f.flagman_purchases), 0) as sales,
           coalesce(sum(f.express_purchases + f.flagman_purchases) filter (where f.object_level = p_level), 0)
             as sales_matched,
           coalesce(sum(f.express_revenue + f.flagman_revenue), 0) as revenue,
           coalesce(sum(f.express_revenue + f.flagman_revenue) filter (where f.object_level = p_level), 0)
             as revenue_matched,
           coalesce(sum(f.express_purchases), 0) as express_purchases,
           coalesce(sum(f.express_revenue), 0) as express_revenue,
           coalesce(sum(f.flagman_purchases), 0) as flagman_purchases,
           coalesce(sum(f.flagman_revenue), 0) as flagman_revenue
    from figures as f
  ),

  warnings as (
    select 1 as position, w.ordinality, w.warning
    from totals
    cross join analytics.funnel_rate_warnings(p_from, p_until, p_teams, totals.rate_complete, totals.revenue_complete)
         with ordinality as w
    union all
    select 2, w.ordinality, w.warning from analytics.funnel_zone_warnings(p_from, p_until, p_teams) with ordinality as w
    union all
    select 3, c.ordinality, c.detail
    from analytics.data_health_checks(p_from, p_until, p_teams, analytics.visible_teams() is null) with ordinality as c
    where c.in_report and c.severity <> 'ok'
  ),

  final as (
    select jsonb_build_object(
      'team', case when p_teams is not null and cardinality(p_teams) = 1 then p_teams[1] end,
      'teams', (select jsonb_agg(tis.team_id order by tis.team_id = 'unattributed', tis.team_id)
                from analytics.teams_in_scope(p_teams) as tis),
      'window', jsonb_build_object('from', p_from, 'until', p_until, 'days', p_until - p_from + 1,
                                   'time_zone', st.business_time_zone),
      'currency', st.reporting_currency, 'level', p_level, 'model', p_model,
      'rows', coalesce((select jsonb_agg(r.row order by r.position) from report_rows as r where not r.unmatched),
                       '[]'::jsonb),
      'omitted', (select jsonb_build_object('rows', om.row_count)
                         || analytics.ad_totals_json(om.spend, om.spend_complete, om.revenue_complete, om.impressions,
                                                     om.clicks, om.leads, om.express_purchases, om.express_revenue,
                                                     om.flagman_purchases, om.flagman_revenue)
                  from omitted as om where om.row_count > 0),
      'unmatched', (select jsonb_agg(r.row order by r.row ->> 'team' = 'unattributed', r.row ->> 'team')
                    from report_rows as r where r.unmatched),
      'totals', analytics.ad_totals_json(t.spend, t.spend_complete, t.revenue_complete, t.impressions, t.clicks,
                                         t.leads, t.express_purchases, t.express_revenue, t.flagman_purchases,
                                         t.flagman_revenue),
      'match', jsonb_build_object(
        'leads', jsonb_build_object('total', t.leads, 'matched', t.leads_matched,
                                    'rate', analytics.ratio(t.leads_matched, t.leads, 4)),
        'sales', jsonb_build_object('total', t.sales, 'matched', t.sales_matched,
                                    'rate', analytics.ratio(t.sales_matched, t.sales, 4)),
        'revenue', jsonb_build_object('total', case when t.revenue_complete then round(t.revenue, 2) end,
                                      'matched', case when t.revenue_complete then round(t.revenue_matched, 2) end,
                                      'rate', case when t.revenue_complete
                                                   then analytics.ratio(t.revenue_matched, t.revenue, 4) end)),
      'warnings', coalesce((select jsonb_agg(w.warning order by w.position, w.ordinality) from warnings as w),
                           '[]'::jsonb),
      'freshness', analytics.funnel_freshness(p_from, p_until, p_teams, analytics.fact_kinds())) as report
    from totals as t
    cross join voronka.setting as st
  )

  select final.report from final
  );
end
$$;
comment on function analytics.ad_report_json(date, date, text[], text, text, integer) is 'The ad_report object for the business days p_from..p_until, the teams p_teams (null = all), the level (campaign, adset, ad), the attribution model (last_touch, first_touch) and the number of rows shown (the rest summed as omitted). Shape in README.md.';

create function public.ad_report(
  p_team text default null, p_days integer default 30, p_until date default null, p_level text default 'ad',
  p_model text default 'last_touch', p_limit integer default 100
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
  perform analytics.check_report_choice('p_level', p_level, array['campaign', 'adset', 'ad']);
  perform analytics.check_report_choice('p_model', p_model, array['last_touch', 'first_touch']);
  if p_limit is null or p_limit < 1 or p_limit > 10000 then
    raise exception 'p_limit must be between 1 and 10000, got %', coalesce(p_limit::text, 'null')
      using errcode = '22023', hint = 'Rows beyond p_limit are summed in "omitted"; totals always cover every row.';
  end if;
  return analytics.ad_report_json(v_until - (p_days - 1), v_until, v_teams, p_level, p_model, p_limit);
end
$$;
comment on function public.ad_report(text, integer, date, text, text, integer) is 'Spend, leads, purchases, revenue, CPL, ROI and ROAS per Facebook campaign, ad set or ad (p_level) for the p_days business days ending p_until (the first p_limit rows by spend, the rest summed as omitted), with the unmatched row, totals equal to funnel_report''s and the match rate; sales credited by p_model (last_touch: the deal''s own UTM tags; first_touch: the person''s first lead). Same access rules as funnel_report. Shape documented in README.md.';

-- Rows for charts: one Facebook object's figures per business day of the window (zeros included),
-- summed over the teams in scope. The object is p_object_id at p_level with everything under it
-- (a campaign's ad sets and ads), so over the window the days add up to that object's row in
-- ad_report at the same level, team and model.
create function public.ad_daily(
  p_level text, p_object_id text, p_team text default null, p_days integer default 30, p_until date default null,
  p_model text default 'last_touch'
)
returns table (
  day date,
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
  perform analytics.check_report_choice('p_level', p_level, array['campaign', 'adset', 'ad']);
  perform analytics.check_report_choice('p_model', p_model, array['last_touch', 'first_touch']);
  if p_object_id is null or p_object_id !~ '^[0-9]+$' then
    raise exception 'p_object_id must be a Facebook % id (digits), got %', p_level, coalesce(p_object_id, 'null')
      using errcode = '22023', hint = 'Take the id from ad_report''s rows (campaign_id, adset_id or ad_id).';
  end if;
  return query
    with days as (
      select d::date as day from generate_series(v_from, v_until, interval '1 day') as d
    ),

    object_facts as (
      select r.day, sum(r.spend) as spend, sum(r.spend_rows) as spend_rows,
             sum(r.spend_rows_missing_rate) as spend_rows_missing_rate, sum(r.impressions) as impressions,
             sum(r.clicks) as clicks, sum(r.leads) as leads, sum(r.express_purchases) as express_purchases,
             sum(r.express_revenue) as express_revenue, sum(r.flagman_purchases) as flagman_purchases,
             sum(r.flagman_revenue) as flagman_revenue, sum(r.sale_rows_missing_rate) as sale_rows_missing_rate
      from analytics.ad_rows(v_from, v_until) as r
      where r.model in ('any', p_model)
        and (v_teams is null or r.team_id = any (v_teams))
        and p_object_id = case p_level when 'campaign' then r.campaign_id when 'adset' then r.adset_id else r.ad_id end
      group by r.day
    ),

    final as (
      select days.day,
             -- As funnel_daily: a day without spend rows is 0 on a chart; a missing rate is no figure.
             case when coalesce(f.spend_rows_missing_rate, 0) = 0 then round(coalesce(f.spend, 0), 2) end,
             coalesce(f.spend_rows_missing_rate, 0) = 0,
             coalesce(f.impressions, 0)::bigint, coalesce(f.clicks, 0)::bigint, coalesce(f.leads, 0)::bigint,
             coalesce(f.express_purchases, 0)::bigint,
             case when coalesce(f.sale_rows_missing_rate, 0) = 0 then round(coalesce(f.express_revenue, 0), 2) end,
             coalesce(f.flagman_purchases, 0)::bigint,
             case when coalesce(f.sale_rows_missing_rate, 0) = 0 then round(coalesce(f.flagman_revenue, 0), 2) end,
             coalesce(f.sale_rows_missing_rate, 0) = 0
      from days
      left join object_facts as f on f.day = days.day
    )

    select * from final order by 1;
end
$$;
comment on function public.ad_daily(text, text, text, integer, date, text) is 'One Facebook campaign, ad set or ad (p_level, p_object_id, with everything under it) per business day of the window, zeros included, for charts (as funnel_daily): spend (null on a day with a missing rate), impressions, clicks, leads, purchases and revenue credited by p_model. Summed over the teams in scope; over the window it equals the object''s ad_report row at that level. Same access rules as ad_report.';

revoke execute on function analytics.daily_ad_spend(date, date), analytics.daily_ad_leads(date, date),
  analytics.daily_ad_sales(date, date), analytics.ad_facts(date, date),
  analytics.ad_rows(date, date), analytics.ad_row_figures(date, date, text[], text, text),
  analytics.ad_row_json(analytics.ad_figures, voronka.fb_ad_object, text, text, text),
  analytics.ad_report_json(date, date, text[], text, text, integer),
  analytics.ad_totals_json(numeric, boolean, boolean, numeric, numeric, numeric, numeric, numeric, numeric, numeric) from public;
grant execute on function analytics.daily_ad_spend(date, date), analytics.daily_ad_leads(date, date),
  analytics.daily_ad_sales(date, date), analytics.ad_facts(date, date),
  analytics.ad_rows(date, date), analytics.ad_row_figures(date, date, text[], text, text),
  analytics.ad_row_json(analytics.ad_figures, voronka.fb_ad_object, text, text, text),
  analytics.ad_report_json(date, date, text[], text, text, integer),
  analytics.ad_totals_json(numeric, boolean, boolean, numeric, numeric, numeric, numeric, numeric, numeric, numeric) to service_role;
revoke execute on function public.ad_report(text, integer, date, text, text, integer),
  public.ad_daily(text, text, text, integer, date, text) from public, anon;
grant execute on function public.ad_report(text, integer, date, text, text, integer),
  public.ad_daily(text, text, text, integer, date, text) to authenticated, service_role;
