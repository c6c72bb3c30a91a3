-- Lead cohorts and public.cohort_report: which month's (or week's) new people paid back, and how
-- fast. A person enters a cohort on the business day of their first lead (people.sql); their
-- purchases from that moment on (voided ones excluded) count at the number of business days after
-- it (lag 0 = the lead's own day). The attribution model decides the team a purchase is credited
-- to (first touch: the team of the person's first lead; last touch: the deal's own team); people,
-- leads and spend are the team's own. Figures are to date: sales keep arriving for old cohorts.
--
-- Cached like the funnel: analytics.cohort_analytics is analytics.cohort_facts over all entry
-- days, refreshed with funnel_analytics. Every write that changes a person's figures marks their
-- entry day stale (sales, voids, deal moves, a new first lead), so a report reads stale entry
-- days live from the tables and every other one from the cache. (Rates are not among them: the
-- cache keeps amounts in the sale's currency, and reports convert them with the current rates.)

-- One row per kind of fact, per model ('any' for people), team, entry day, and:
--   people     persons who entered (lag 0)
--   revenue    purchases and their amount per sale day, product and currency (lag = sale − entry)
--   first_buy  persons whose first purchase of a product came lag days after entering
--   e2f        persons whose first Flagman came lag days after their first Express
-- Sentinels instead of nulls ('' and the entry day): the cache's primary key needs plain values.
create function analytics.cohort_facts(p_from date, p_until date)
returns table (
  kind text, model text, team_id text, entry_day date, sale_day date, product_id text, currency text, lag integer,
  persons bigint, purchases bigint, amount numeric
)
language plpgsql
stable
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
#variable_conflict use_column
begin
  return query
  -- Only the days people entered on (instant_days spans every lead and sale, implausible ones too).
  -- min and max as two index lookups (an aggregate over the rows would read every person).
  with span as (
    select greatest(p_from, analytics.business_day(b.first_at)) as first_day,
           least(p_until, analytics.business_day(b.last_at)) as last_day
    from (select (select min(p.first_lead_at) from voronka.person as p) as first_at,
                 (select max(p.first_lead_at) from voronka.person as p) as last_at) as b
    where b.first_at is not null
  ),

  -- The first lead's team as a lookup per person: a refresh asks for a day or two, and a join
  -- planned for an unknown range would read every lead.
  entries as (
    select p.id as person_id, p.first_lead_at as entry_at, bd.day as entry_day,
           coalesce((select fl.team_id from voronka.lead as fl where fl.id = p.first_lead_id), 'unattributed')
             as entry_team
    from span
    cross join lateral analytics.instant_days(span.first_day, span.last_day) as bd
    join voronka.person as p on p.first_lead_at >= bd.starts_at and p.first_lead_at < bd.ends_at
    where p.first_lead_id is not null
  ),

  -- Their deals and sales as lookups per person ("offset 0"), for the reason above: planned as
  -- joins for an unknown number of people, they read every deal and sale.
  purchases as (
    select e.person_id, e.entry_day, s.product_id, s.currency::text as currency, s.amount,
           analytics.business_day(s.won_at) as sale_day,
           m.model, case m.model when 'first_touch' then e.entry_team else coalesce(d.team_id, 'unattributed') end as team_id
    from entries as e
    cross join lateral (
      select deal.id, deal.team_id from voronka.amocrm_deal as deal where deal.person_id = e.person_id offset 0
    ) as d
    cross join lateral (
      select sale.product_id, sale.currency, sale.amount, sale.won_at
      from voronka.sale as sale
      where sale.deal_id = d.id and sale.voided_at is null and sale.won_at >= e.entry_at
      offset 0
    ) as s
    cross join unnest(array['first_touch', 'last_touch']) as m (model)
  ),

  firsts as (
    select pu.model, pu.team_id, pu.person_id, pu.entry_day, pu.product_id, min(pu.sale_day) as first_day
    from purchases as pu
    group by 1, 2, 3, 4, 5
  ),

  final as (
    select 'people' as kind, 'any' as model, e.entry_team, e.entry_day, e.entry_day, '' as product_id, '' as currency,
           0 as lag, count(*) as persons, 0::bigint as purchases, 0::numeric as amount
    from entries as e group by 3, 4
    union all
    select 'revenue', pu.model, pu.team_id, pu.entry_day, pu.sale_day, pu.product_id, pu.currency,
           pu.sale_day - pu.entry_day, 0, count(*), sum(pu.amount)
    from purchases as pu group by 2, 3, 4, 5, 6, 7
    union all
    select 'first_buy', f.model, f.team_id, f.entry_day, f.first_day, f.product_id, '', f.first_day - f.entry_day,
           count(*), 0, 0
    from firsts as f group by 2, 3, 4, 5, 6
    union all
    select 'e2f', x.model, x.team_id, x.entry_day, fl.first_day, '', '', fl.first_day - x.first_day, count(*), 0, 0
    from firsts as x
    join firsts as fl on fl.model = x.model and fl.team_id = x.team_id and fl.person_id = x.person_id
                     and fl.product_id = 'flagman' and fl.first_day >= x.first_day
    where x.product_id = 'express'
    group by 2, 3, 4, 5, 8
  )

  select * from final;
end
$$;
comment on function analytics.cohort_facts(date, date) is 'Cohort facts of the people whose first lead was on a business day of p_from..p_until: people, purchases and revenue by lag, first purchases by lag, Express → Flagman lags; per model and team (see the kinds in cohort_report.sql).';

-- The cache: cohort_facts over every entry day, recomputed day by day with the funnel's cache
-- (analytics.recompute_cached_days).
create table analytics.cohort_analytics (
  kind text not null,
  model text not null,
  team_id text not null,
  entry_day date not null,
  sale_day date not null,
  product_id text not null,
  currency text not null,
  lag integer not null,
  persons bigint,
  purchases bigint,
  amount numeric,
  primary key (entry_day, kind, model, team_id, sale_day, product_id, currency, lag)
);

comment on table analytics.cohort_analytics is 'Cache of analytics.cohort_facts over all entry days, refreshed with funnel_analytics; entry days written since are in analytics.stale_day.';
alter table analytics.cohort_analytics enable row level security;
grant select on analytics.cohort_analytics to service_role;

-- Cohort facts for a range of entry days: from the cache where current, live where not. Only the
-- models and teams asked for (null: all), filtered as the cache is read: a report needs a third of
-- the rows, and a set-returning function would copy every row before its caller filters them.
create function analytics.cohort_rows(p_from date, p_until date, p_models text[], p_teams text[])
returns setof analytics.cohort_analytics
language plpgsql
stable
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
begin
  return query
  with live_runs as (
    select * from analytics.live_day_runs(p_from, p_until)
  ),

  from_cache as (
    select ca.*
    from analytics.cohort_analytics as ca
    where ca.entry_day between p_from and p_until
      and (p_models is null or ca.model = any (p_models)) and (p_teams is null or ca.team_id = any (p_teams))
      and not exists (select 1 from live_runs as lr where ca.entry_day between lr.run_from and lr.run_until)
  ),

  from_tables as (
    select facts.*
    from live_runs as lr
    cross join lateral analytics.cohort_facts(lr.run_from, lr.run_until) as facts
    where (p_models is null or facts.model = any (p_models)) and (p_teams is null or facts.team_id = any (p_teams))
  )

  select * from from_cache
  union all
  select * from from_tables;
end
$$;
comment on function analytics.cohort_rows(date, date, text[], text[]) is 'Cohort facts for the entry days p_from..p_until, models p_models and teams p_teams (null: all): from cohort_analytics where it is current, live from the tables where it is not.';

create function analytics.cohort_rows(p_from date, p_until date)
returns setof analytics.cohort_analytics
language plpgsql
stable
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
begin
  return query
  select * from analytics.cohort_rows(p_from, p_until, null, null);
end
$$;
comment on function analytics.cohort_rows(date, date) is 'Cohort facts for the entry days p_from..p_until, every model and team: from cohort_analytics where it is current, live from the tables where it is not.';

-- The cohort summary: cohort_analytics summed per cohort (month and week of the entry day), so
-- that a report reads a few hundred rows per cohort instead of one per entry day × sale day.
-- Currency and sale day are kept only where the conversion needs them: revenue in another
-- currency than the reporting one is converted when read, with its day's rate (an exchange-rate
-- write then changes the report at once, with no summary to recompute, as it did when reports
-- read the per-day cache). Every other row has currency '' (amounts already in the reporting
-- currency, whose rate is always 1) and the cohort in sale_day.
-- Team '*' (no team id can be: team.sql) sums every team, so that a report for all teams reads
-- one team's rows, not every team's.
create table analytics.cohort_summary (
  grain text not null check (grain in ('month', 'week')),
  model text not null,
  team_id text not null,
  cohort date not null,
  kind text not null,
  product_id text not null,
  currency text not null,
  sale_day date not null,
  lag integer not null,
  persons bigint not null,
  purchases bigint not null,
  amount numeric not null,
  primary key (grain, model, team_id, cohort, kind, product_id, currency, sale_day, lag)
);

comment on table analytics.cohort_summary is 'cohort_analytics summed per cohort (grain month or week, cohort = its first day), model, team (''*'': every team), kind, product and lag; currency and sale_day are the sale''s for revenue in a currency other than the reporting one (converted when read), '''' and the cohort otherwise (amounts in the reporting currency). Written with cohort_analytics, in the same transaction.';
-- The refresh replaces whole cohorts of a grain (every model and team).
create index cohort_summary_cohort_idx on analytics.cohort_summary (grain, cohort);
alter table analytics.cohort_summary enable row level security;
grant select on analytics.cohort_summary to service_role;

-- The one rule from per-entry-day cohort facts to summary rows: the entry days of the runs
-- p_run_from[i]..p_run_until[i], read from the cache (p_live false) or computed from the tables
-- (p_live true), summed per cohort of p_grain. The refresh writes the summary with it, and a
-- report takes the cached rows of its live days out of the summary and puts their live facts in.
-- The cache is read per run ("offset 0"): planned for unknown arrays, a join reads every row.
create function analytics.cohort_summary_facts(p_grain text, p_run_from date[], p_run_until date[], p_live boolean)
returns setof analytics.cohort_summary
language plpgsql
stable
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
begin
  return query
  with runs as (
    select r.run_from, r.run_until from unnest(p_run_from, p_run_until) as r (run_from, run_until)
  ),

  from_cache as (
    select ca.*
    from runs
    cross join lateral (
      select * from analytics.cohort_analytics as c
      where c.entry_day between runs.run_from and runs.run_until
      offset 0
    ) as ca
    where not p_live
  ),

  from_tables as (
    select facts.*
    from runs
    cross join lateral analytics.cohort_facts(runs.run_from, runs.run_until) as facts
    where p_live
  ),

  facts as (
    select * from from_cache
    union all
    select * from from_tables
  ),

  keyed as (
    select f.model, f.team_id, date_trunc(p_grain, f.entry_day::timestamp)::date as cohort, f.kind, f.product_id,
           case when f.kind = 'revenue' and f.currency <> st.reporting_currency then f.currency else '' end as currency,
           case when f.kind = 'revenue' and f.currency <> st.reporting_currency then f.sale_day
                else date_trunc(p_grain, f.entry_day::timestamp)::date end as sale_day,
           f.lag, f.persons, f.purchases, f.amount
    from facts as f
    cross join voronka.setting as st
  ),

  -- Per team, and per cohort over every team (the second grouping set, team '*').
  final as (
    select p_grain as grain, k.model, coalesce(k.team_id, '*') as team_id, k.cohort, k.kind, k.product_id,
           k.currency, k.sale_day, k.lag,
           sum(k.persons)::bigint as persons, sum(k.purchases)::bigint as purchases, sum(k.amount) as amount
    from keyed as k
    group by grouping sets ((k.model, k.team_id, k.cohort, k.kind, k.product_id, k.currency, k.sale_day, k.lag),
                            (k.model, k.cohort, k.kind, k.product_id, k.currency, k.sale_day, k.lag))
  )

  select * from final;
end
$$;
comment on function analytics.cohort_summary_facts(text, date[], date[], boolean) is 'Summary rows (analytics.cohort_summary''s shape, cohorts of p_grain) of the entry days in the runs p_run_from[i]..p_run_until[i]: from cohort_analytics, or computed from the tables when p_live.';

-- Recompute the summary of every cohort (both grains) that holds a recomputed entry day, from
-- cohort_analytics just written (analytics.recompute_cached_days, same transaction). Runs of
-- -infinity..infinity rebuild everything. The runs' cohorts are merged first: two runs in one
-- month are that month once.
create function analytics.recompute_cohort_summary(p_run_from date[], p_run_until date[])
returns void
language plpgsql
set search_path = ''
as $$
declare
  v_grain text;
  v_from date[];
  v_until date[];
begin
  foreach v_grain in array array['month', 'week'] loop
    with cohort_spans as (
      select range_agg(daterange(date_trunc(v_grain, r.run_from::timestamp)::date,
                                 (date_trunc(v_grain, r.run_until::timestamp) + ('1 ' || v_grain)::interval)::date)) as spans
      from unnest(p_run_from, p_run_until) as r (run_from, run_until)
    )

    select coalesce(array_agg(lower(s.span) order by lower(s.span)), '{}'),
           coalesce(array_agg(upper(s.span) - 1 order by lower(s.span)), '{}')
      into v_from, v_until
      from cohort_spans
      cross join lateral unnest(cohort_spans.spans) as s (span);

    delete from analytics.cohort_summary as cs
     using unnest(v_from, v_until) as r (run_from, run_until)
     where cs.grain = v_grain and cs.cohort between r.run_from and r.run_until;
    insert into analytics.cohort_summary
    select f.* from analytics.cohort_summary_facts(v_grain, v_from, v_until, false) as f
    order by f.model, f.team_id, f.cohort, f.kind, f.product_id, f.currency, f.sale_day, f.lag;
  end loop;
end
$$;
comment on function analytics.recompute_cohort_summary(date[], date[]) is 'Recomputes analytics.cohort_summary (month and week) for every cohort holding an entry day of the runs p_run_from[i]..p_run_until[i], from cohort_analytics.';

-- One cohort's figures at one lag (business days after the entry): people (lag 0), first Express
-- and Flagman buyers, persons whose first Flagman came lag days after their first Express, revenue
-- in the reporting currency (null: none converted) and the purchases left without a rate.
create type analytics.cohort_lag as (
  cohort date, lag integer, people bigint, express_buyers bigint, flagman_buyers bigint, e2f_persons bigint,
  express_revenue numeric, flagman_revenue numeric, purchases_missing_rate bigint
);
comment on type analytics.cohort_lag is 'One cohort''s figures at one lag: people, first buyers, Express → Flagman persons, revenue in the reporting currency and purchases without a rate.';

-- Per cohort and lag of the cohorts p_from..p_until (p_from the first day of a cohort), for the
-- model asked for and the teams p_teams (null: all): people, first buyers, Express → Flagman
-- persons, revenue in the reporting currency and the purchases left without a rate, exact as of
-- now. That is the summary, less the cached rows of the entry days it must not count (live ones,
-- and those after p_until in its cohort: the current period is cut at p_until), plus the live
-- facts of the live days: a live day costs its own rows, not its cohort's. Each correction runs
-- only when there is something to correct (an empty outer row set never calls the lateral
-- function). The figures read one row per lag, not one per kind and product, and the report reads
-- them once for its horizons and its people figures.
-- enable_sort off: the planner sees a few rows and sorts thousands on text keys to group them.
create function analytics.cohort_lags(p_from date, p_until date, p_model text, p_teams text[], p_grain text)
returns setof analytics.cohort_lag
language plpgsql
stable
set search_path = ''
set plan_cache_mode = force_generic_plan
set enable_sort = off
as $$
begin
  return query
  with live_runs as (
    select lr.run_from, lr.run_until from analytics.live_day_runs(p_from, p_until) as lr
  ),

  cut_run as (
    select p_until + 1 as run_from,
           (date_trunc(p_grain, p_until::timestamp) + ('1 ' || p_grain)::interval)::date - 1 as run_until
  ),

  counted_elsewhere as (
    select lr.run_from, lr.run_until from live_runs as lr
    union all
    select cr.run_from, cr.run_until from cut_run as cr
    where exists (select 1 from analytics.cohort_analytics as ca where ca.entry_day between cr.run_from and cr.run_until)
  ),

  from_summary as (
    select cs.*
    from analytics.cohort_summary as cs
    where cs.grain = p_grain and cs.model = any (array['any', p_model]) and cs.team_id = any (coalesce(p_teams, array['*']))
      and cs.cohort between p_from and p_until
  ),

  cached_out as (
    select f.grain, f.model, f.team_id, f.cohort, f.kind, f.product_id, f.currency, f.sale_day, f.lag,
           -f.persons, -f.purchases, -f.amount
    from (select 1 where exists (select 1 from counted_elsewhere)) as any_run
    cross join lateral analytics.cohort_summary_facts(
      p_grain, array(select ce.run_from from counted_elsewhere as ce order by ce.run_from),
      array(select ce.run_until from counted_elsewhere as ce order by ce.run_from), false) as f
    where f.model = any (array['any', p_model]) and f.team_id = any (coalesce(p_teams, array['*']))
  ),

  live_in as (
    select f.*
    from (select 1 where exists (select 1 from live_runs)) as any_run
    cross join lateral analytics.cohort_summary_facts(
      p_grain, array(select lr.run_from from live_runs as lr order by lr.run_from),
      array(select lr.run_until from live_runs as lr order by lr.run_from), true) as f
    where f.model = any (array['any', p_model]) and f.team_id = any (coalesce(p_teams, array['*']))
  ),

  signed as (
    select * from from_summary
    union all
    select * from cached_out
    union all
    select * from live_in
  ),

  by_key as (
    select sg.cohort, sg.lag, sg.currency, sg.sale_day,
           sum(sg.persons) filter (where sg.kind = 'people') as people,
           sum(sg.persons) filter (where sg.kind = 'first_buy' and sg.product_id = 'express') as express_buyers,
           sum(sg.persons) filter (where sg.kind = 'first_buy' and sg.product_id = 'flagman') as flagman_buyers,
           sum(sg.persons) filter (where sg.kind = 'e2f') as e2f_persons,
           sum(sg.purchases) filter (where sg.kind = 'revenue') as purchases,
           sum(sg.amount) filter (where sg.kind = 'revenue' and sg.product_id = 'express') as express_amount,
           sum(sg.amount) filter (where sg.kind = 'revenue' and sg.product_id = 'flagman') as flagman_amount
    from signed as sg
    group by 1, 2, 3, 4
  ),

  -- Materialized: one rate lookup per sale day and currency (inlined, it would run per row).
  rates as materialized (
    select d.sale_day, d.currency, analytics.reporting_rate(d.currency, d.sale_day) as rate
    from (select distinct bk.sale_day, bk.currency from by_key as bk where bk.currency <> '') as d
  ),

  converted as (
    select bk.*, case when bk.currency = '' then 1 else r.rate end as rate
    from by_key as bk
    left join rates as r on r.sale_day = bk.sale_day and r.currency = bk.currency
  ),

  final as (
    select c.cohort, c.lag, coalesce(sum(c.people), 0)::bigint as people,
           coalesce(sum(c.express_buyers), 0)::bigint as express_buyers,
           coalesce(sum(c.flagman_buyers), 0)::bigint as flagman_buyers,
           coalesce(sum(c.e2f_persons), 0)::bigint as e2f_persons,
           sum(c.express_amount * c.rate) as express_revenue, sum(c.flagman_amount * c.rate) as flagman_revenue,
           coalesce(sum(c.purchases) filter (where c.rate is null), 0)::bigint as purchases_missing_rate
    from converted as c
    group by 1, 2
  )

  -- Lags that net to nothing are left out, as the summary itself has none.
  select * from final as f
  where (f.people, f.express_buyers, f.flagman_buyers, f.e2f_persons) <> (0, 0, 0, 0)
     or f.express_revenue <> 0 or f.flagman_revenue <> 0 or f.purchases_missing_rate <> 0;
end
$$;
comment on function analytics.cohort_lags(date, date, text, text[], text) is 'Per cohort (p_grain, p_from to p_until) and lag of p_model and the teams p_teams (null: all): people, first Express and Flagman buyers, Express → Flagman persons, revenue in the reporting currency and purchases without a rate, exact as of now: analytics.cohort_summary corrected for the entry days written since the last refresh and cut at p_until.';

-- The entry days (first-lead days) of the people of these deals, marked stale: their cohorts
-- changed. Deals without a person, or people without a lead, are in no cohort. Kind 'cohort': the
-- funnel's and the ads' figures of those days did not change (the sale's own day is marked by the
-- sale's write), so their reports keep reading them from the cache.
create function analytics.mark_stale_entry_days_of_deals(p_deal_ids bigint[])
returns void
language sql
set search_path = ''
as $$
  insert into analytics.stale_day (day, kind, xact_id)
  select distinct analytics.business_day(p.first_lead_at), 'cohort', pg_current_xact_id()
  from voronka.amocrm_deal as d
  join voronka.person as p on p.id = d.person_id
  where d.id = any (p_deal_ids) and p.first_lead_at is not null
  on conflict do nothing
$$;
comment on function analytics.mark_stale_entry_days_of_deals(bigint[]) is 'Records the entry days of the people of these deals in analytics.stale_day.';

-- Sales written (won, re-priced, voided, removed): their buyers' cohorts changed.
create function analytics.mark_stale_entry_days_of_sales()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op <> 'DELETE' then
    perform analytics.mark_stale_entry_days_of_deals(array(select n.deal_id from new_rows as n));
  end if;
  if tg_op <> 'INSERT' then
    perform analytics.mark_stale_entry_days_of_deals(array(select o.deal_id from old_rows as o));
  end if;
  return null;
end
$$;

-- A deal moved to another person or team: both people's cohorts change.
create function analytics.mark_stale_entry_days_of_deal_moves()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  insert into analytics.stale_day (day, kind, xact_id)
  select distinct analytics.business_day(p.first_lead_at), 'cohort', pg_current_xact_id()
  from new_rows as n
  join old_rows as o on o.id = n.id
  join voronka.person as p on p.id in (n.person_id, o.person_id)
  where (n.person_id, n.team_id) is distinct from (o.person_id, o.team_id) and p.first_lead_at is not null
  on conflict do nothing;
  return null;
end
$$;

create trigger sale_stale_entry_on_insert after insert on voronka.sale
  referencing new table as new_rows for each statement execute function analytics.mark_stale_entry_days_of_sales();
create trigger sale_stale_entry_on_update after update on voronka.sale
  referencing new table as new_rows old table as old_rows for each statement
  execute function analytics.mark_stale_entry_days_of_sales();
create trigger sale_stale_entry_on_delete after delete on voronka.sale
  referencing old table as old_rows for each statement execute function analytics.mark_stale_entry_days_of_sales();
create trigger amocrm_deal_stale_entry_on_update after update on voronka.amocrm_deal
  referencing new table as new_rows old table as old_rows for each statement
  execute function analytics.mark_stale_entry_days_of_deal_moves();

-- The horizons every cohort is measured at, in business days after the lead.
create function analytics.cohort_horizons()
returns integer[]
language plpgsql
immutable
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
begin
  return (
  select array[7, 30, 60, 90, 180]
  );
end
$$;

-- Per cohort (the month or week of the people's first lead) and horizon: buyers and revenue
-- (reporting currency) of the purchases made by then. The horizon 'to_date' (null days) counts
-- everything so far. The per-lag figures are summed for each horizon.
create function analytics.cohort_horizon_figures(p_lags analytics.cohort_lag[])
returns table (
  cohort date, days integer, express_buyers bigint, express_revenue numeric, flagman_buyers bigint,
  flagman_revenue numeric, sales_missing_rate bigint
)
language plpgsql
stable
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
#variable_conflict use_column
begin
  return query
  with by_lag as (
    select * from unnest(p_lags)
  ),

  horizons as (
    select h.days from unnest(analytics.cohort_horizons() || array[null::integer]) as h (days)
  ),

  final as (
    select bl.cohort, h.days,
           sum(bl.express_buyers)::bigint,
           sum(bl.express_revenue),
           sum(bl.flagman_buyers)::bigint,
           sum(bl.flagman_revenue),
           sum(bl.purchases_missing_rate)::bigint
    from by_lag as bl
    cross join horizons as h
    where h.days is null or bl.lag <= h.days
    group by 1, 2
  )

  select * from final;
end
$$;
comment on function analytics.cohort_horizon_figures(analytics.cohort_lag[]) is 'From the per-lag figures of analytics.cohort_lags, per cohort and horizon (7, 30, 60, 90, 180 business days; null = to date): Express and Flagman buyers and revenue in the reporting currency, and the sales left out for want of a rate.';

-- Per cohort: people, the payback day, and the lags lead → first Express and first Express →
-- first Flagman (median and 90th percentile, business days).
create function analytics.cohort_people_figures(p_lags analytics.cohort_lag[], p_spend numeric[], p_cohorts date[])
returns table (
  cohort date, people bigint, payback_day integer, lead_to_express_median numeric, lead_to_express_p90 numeric,
  express_to_flagman_median numeric, express_to_flagman_p90 numeric
)
language plpgsql
stable
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
#variable_conflict use_column
begin
  return query
  with by_lag as (
    select * from unnest(p_lags)
  ),

  spend as (
    select s.cohort, s.spend from unnest(p_cohorts, p_spend) as s (cohort, spend)
  ),

  -- Revenue cumulated by lag: the first lag at which it reaches the cohort's spend.
  payback as (
    select c.cohort, min(c.lag) filter (where c.cumulative >= sp.spend) as payback_day
    from (select b.cohort, b.lag,
                 sum(coalesce(b.express_revenue, 0) + coalesce(b.flagman_revenue, 0))
                   over (partition by b.cohort order by b.lag) as cumulative
          from by_lag as b) as c
    join spend as sp on sp.cohort = c.cohort and sp.spend > 0
    group by 1
  ),

  -- Lag percentiles as percentile_cont computes them, but over (lag, persons) counts instead of
  -- one row per person: the value at 0-based rank k is the smallest lag whose running count
  -- exceeds k; a fraction p interpolates between ranks floor and ceil of p × (n − 1).
  lag_counts as (
    select b.cohort, 'first_buy' as kind, b.lag, b.express_buyers as persons from by_lag as b where b.express_buyers > 0
    union all
    select b.cohort, 'e2f', b.lag, b.e2f_persons from by_lag as b where b.e2f_persons > 0
  ),

  running as (
    select lc.cohort, lc.kind, lc.lag,
           sum(lc.persons) over (partition by lc.cohort, lc.kind order by lc.lag) as running_persons,
           sum(lc.persons) over (partition by lc.cohort, lc.kind) as total_persons
    from lag_counts as lc
  ),

  ranks as (
    select r.cohort, r.kind, q.fraction, q.fraction * (r.total_persons - 1) as position
    from (select distinct running.cohort, running.kind, running.total_persons from running) as r
    cross join (values (0.5), (0.9)) as q (fraction)
    where r.total_persons > 0
  ),

  -- The lags at ranks floor and ceil, in one pass over each cohort's running counts (a lookup
  -- per rank scanned them all for each of them).
  bounds as (
    select rk.cohort, rk.kind, rk.fraction, rk.position,
           min(r.lag) filter (where r.running_persons > floor(rk.position)) as lo_lag,
           min(r.lag) filter (where r.running_persons > ceil(rk.position)) as hi_lag
    from ranks as rk
    join running as r on r.cohort = rk.cohort and r.kind = rk.kind
    group by 1, 2, 3, 4
  ),

  percentiles as (
    select b.cohort, b.kind, b.fraction, b.lo_lag + (b.hi_lag - b.lo_lag) * (b.position - floor(b.position)) as lag
    from bounds as b
  ),

  final as (
    select b.cohort, sum(b.people)::bigint, max(pb.payback_day),
           (select p.lag from percentiles as p where p.cohort = b.cohort and p.kind = 'first_buy' and p.fraction = 0.5),
           (select p.lag from percentiles as p where p.cohort = b.cohort and p.kind = 'first_buy' and p.fraction = 0.9),
           (select p.lag from percentiles as p where p.cohort = b.cohort and p.kind = 'e2f' and p.fraction = 0.5),
           (select p.lag from percentiles as p where p.cohort = b.cohort and p.kind = 'e2f' and p.fraction = 0.9)
    from by_lag as b
    left join payback as pb on pb.cohort = b.cohort
    group by b.cohort
  )

  select * from final;
end
$$;
comment on function analytics.cohort_people_figures(analytics.cohort_lag[], numeric[], date[]) is 'From the per-lag figures of analytics.cohort_lags, per cohort: people who entered, the first business day after the lead by which the cohort''s revenue reached its spend (null: not yet, or no spend), and the median and 90th-percentile days lead → first Express and first Express → first Flagman.';

-- Per cohort period: the teams' leads and spend of those days (the funnel's facts), whether the
-- spend is complete (every row converted, and spend rows at all).
create function analytics.cohort_period_figures(p_from date, p_until date, p_teams text[], p_grain text)
returns table (cohort date, period_end date, leads bigint, spend numeric, spend_complete boolean)
language plpgsql
stable
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
#variable_conflict use_column
begin
  return query
  with periods as (
    select p::date as cohort,
           least((p + ('1 ' || p_grain)::interval)::date - 1, p_until) as period_end
    from generate_series(date_trunc(p_grain, p_from::timestamp), p_until::timestamp, ('1 ' || p_grain)::interval) as p
  ),

  -- The funnel's days summed per period (a join on "day between" would compare every day with
  -- every period).
  by_period as (
    select date_trunc(p_grain, r.day::timestamp)::date as cohort, sum(r.leads) as leads, sum(r.spend) as spend,
           sum(r.spend_rows_missing_rate) as spend_rows_missing_rate
    from analytics.funnel_rows(date_trunc(p_grain, p_from::timestamp)::date, p_until) as r
    where p_teams is null or r.team_id = any (p_teams)
    group by 1
  ),

  final as (
    select pe.cohort, pe.period_end, coalesce(bp.leads, 0)::bigint, coalesce(bp.spend, 0),
           coalesce(bp.spend_rows_missing_rate, 0) = 0
             -- An ad account of the teams with insight rows in the period (the rows test of
             -- analytics.spend_data_accounts), stopping at the first: that function answers for
             -- every account, spend included, 0.6 ms a period, half the report's budget for 12.
             and exists (select 1 from voronka.fb_ad_account as a
                         where (p_teams is null or coalesce(a.team_id, 'unattributed') = any (p_teams))
                           and exists (select 1 from voronka.fb_ad_insight as i
                                       where i.ad_account_id = a.id and i.date_start between pe.cohort and pe.period_end))
    from periods as pe
    left join by_period as bp on bp.cohort = pe.cohort
  )

  select * from final;
end
$$;
comment on function analytics.cohort_period_figures(date, date, text[], text) is 'Per cohort period (month or week starting on or before p_from, up to p_until): leads and spend of its days from the funnel''s facts, and whether the spend is complete.';

-- The cohort_report object: one row per cohort from the three figure sets above. Long only for
-- the JSON shape; every figure comes from the named steps. Money is null where a rate is missing
-- (revenue) or spend is incomplete (spend, ROI, payback), as in funnel_report.
create function analytics.cohort_report_json(p_from date, p_until date, p_teams text[], p_grain text, p_model text)
returns jsonb
language plpgsql
stable
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
begin
  return (
  with periods as (
    select * from analytics.cohort_period_figures(p_from, p_until, p_teams, p_grain)
  ),

  lags as (
    select array_agg(l) as figures
    from analytics.cohort_lags(date_trunc(p_grain, p_from::timestamp)::date, p_until, p_model, p_teams, p_grain) as l
  ),

  horizons as (
    select h.* from lags cross join lateral analytics.cohort_horizon_figures(lags.figures) as h
  ),

  people as (
    select pf.*
    from lags
    cross join lateral analytics.cohort_people_figures(
      lags.figures,
      (select array_agg(case when pe.spend_complete then pe.spend end order by pe.cohort) from periods as pe),
      (select array_agg(pe.cohort order by pe.cohort) from periods as pe)) as pf
  ),

  cohort_rows as (
    select pe.cohort, jsonb_build_object(
             'cohort', pe.cohort, 'period_end', pe.period_end, 'people', coalesce(pp.people, 0), 'leads', pe.leads,
             'spend', case when pe.spend_complete then round(pe.spend, 2) end, 'spend_complete', pe.spend_complete,
             'horizons', (select coalesce(jsonb_agg(jsonb_build_object(
                                  'days', hz.days,
                                  'too_young', pe.period_end + hz.days > analytics.business_day(now()),
                                  'express_buyers', coalesce(f.express_buyers, 0),
                                  'express_revenue', case when coalesce(f.sales_missing_rate, 0) = 0 then round(coalesce(f.express_revenue, 0), 2) end,
                                  'flagman_buyers', coalesce(f.flagman_buyers, 0),
                                  'flagman_revenue', case when coalesce(f.sales_missing_rate, 0) = 0 then round(coalesce(f.flagman_revenue, 0), 2) end,
                                  'revenue', case when coalesce(f.sales_missing_rate, 0) = 0 then round(coalesce(f.express_revenue, 0) + coalesce(f.flagman_revenue, 0), 2) end,
                                  'roi', case when pe.spend_complete and coalesce(f.sales_missing_rate, 0) = 0
                                              then analytics.ratio(coalesce(f.express_revenue, 0) + coalesce(f.flagman_revenue, 0) - pe.spend, pe.spend, 4) end)
                                order by hz.days), '[]'::jsonb)
                          from unnest(analytics.cohort_horizons()) as hz (days)
                          left join horizons as f on f.cohort = pe.cohort and f.days = hz.days),
             'to_date', (select jsonb_build_object(
                                  'express_buyers', coalesce(f.express_buyers, 0),
                                  'flagman_buyers', coalesce(f.flagman_buyers, 0),
                                  'revenue', case when coalesce(f.sales_missing_rate, 0) = 0 then round(coalesce(f.express_revenue, 0) + coalesce(f.flagman_revenue, 0), 2) end,
                                  'roi', case when pe.spend_complete and coalesce(f.sales_missing_rate, 0) = 0
                                              then analytics.ratio(coalesce(f.express_revenue, 0) + coalesce(f.flagman_revenue, 0) - pe.spend, pe.spend, 4) end)
                         from (select 1) as one left join horizons as f on f.cohort = pe.cohort and f.days is null),
             'payback_day', pp.payback_day,
             'lead_to_express_days', jsonb_build_object('median', round(pp.lead_to_express_median, 1), 'p90', round(pp.lead_to_express_p90, 1)),
             'express_to_flagman_days', jsonb_build_object('median', round(pp.express_to_flagman_median, 1), 'p90', round(pp.express_to_flagman_p90, 1))
           ) as row
    from periods as pe
    left join people as pp on pp.cohort = pe.cohort
  ),

  final as (
    select jsonb_build_object(
      'team', case when p_teams is not null and cardinality(p_teams) = 1 then p_teams[1] end,
      'teams', (select jsonb_agg(tis.team_id order by tis.team_id = 'unattributed', tis.team_id)
                from analytics.teams_in_scope(p_teams) as tis),
      'window', jsonb_build_object('from', date_trunc(p_grain, p_from::timestamp)::date, 'until', p_until,
                                   'time_zone', st.business_time_zone),
      'grain', p_grain, 'model', p_model, 'currency', st.reporting_currency,
      'as_of', analytics.business_day(now()),
      'horizons', to_jsonb(analytics.cohort_horizons()),
      'cohorts', coalesce((select jsonb_agg(cr.row order by cr.cohort) from cohort_rows as cr), '[]'::jsonb),
      'warnings', coalesce((select jsonb_agg(w.warning)
                            from analytics.funnel_rate_warnings(date_trunc(p_grain, p_from::timestamp)::date, p_until, p_teams,
                                                                 (select bool_and(pe.spend_complete) from periods as pe), true) as w),
                           '[]'::jsonb)
                  || case when exists (select 1 from horizons as h where h.sales_missing_rate > 0)
                          then jsonb_build_array(jsonb_build_object(
                                 'code', 'missing_exchange_rate',
                                 'message', 'Some of these cohorts'' purchases have no exchange rate on their day: their revenue and ROI are not shown. Add the rates to voronka.exchange_rate.'))
                          else '[]'::jsonb end,
      'freshness', analytics.funnel_freshness(date_trunc(p_grain, p_from::timestamp)::date, p_until, p_teams, null)) as report
    from voronka.setting as st
  )

  select final.report from final
  );
end
$$;
comment on function analytics.cohort_report_json(date, date, text[], text, text) is 'The cohort_report object for the cohorts (month or week of the first lead) from p_from''s period to p_until, the teams p_teams (null = all) and the attribution model. Shape in README.md.';

create function public.cohort_report(
  p_team text default null, p_from date default null, p_until date default null, p_grain text default 'month',
  p_model text default 'first_touch'
)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_until date := coalesce(p_until, analytics.business_day(now()));
  -- Default: the twelve months (or weeks) up to p_until.
  v_from date := coalesce(p_from, (date_trunc(coalesce(p_grain, 'month'), v_until::timestamp)
                                   - ('11 ' || coalesce(p_grain, 'month'))::interval)::date);
  v_teams text[] := analytics.report_scope(p_team, 1); -- access first, as funnel_report (p_days unused)
begin
  perform analytics.check_report_choice('p_grain', p_grain, array['month', 'week']);
  perform analytics.check_report_choice('p_model', p_model, array['first_touch', 'last_touch']);
  if v_from > v_until or v_until - v_from > 3660 then
    raise exception 'p_from must be on or before p_until and at most ten years before it, got % .. %', v_from, v_until
      using errcode = '22023';
  end if;
  return analytics.cohort_report_json(v_from, v_until, v_teams, p_grain, p_model);
end
$$;
comment on function public.cohort_report(text, date, date, text, text) is 'Lead cohorts (month or week of each person''s first lead, p_from''s period to p_until; default the last 12) with people, leads, spend of the period, buyers and revenue at 7/30/60/90/180 days, revenue and ROI to date, payback day, lag percentiles and too-young flags; sales credited by p_model (first_touch default, or last_touch). Same access rules as funnel_report. Shape documented in README.md.';

revoke execute on function analytics.cohort_facts(date, date), analytics.cohort_rows(date, date),
  analytics.cohort_rows(date, date, text[], text[]),
  analytics.cohort_summary_facts(text, date[], date[], boolean), analytics.recompute_cohort_summary(date[], date[]),
  analytics.cohort_lags(date, date, text, text[], text),
  analytics.mark_stale_entry_days_of_deals(bigint[]), analytics.mark_stale_entry_days_of_sales(),
  analytics.mark_stale_entry_days_of_deal_moves(), analytics.cohort_horizons(),
  analytics.cohort_horizon_figures(analytics.cohort_lag[]),
  analytics.cohort_people_figures(analytics.cohort_lag[], numeric[], date[]),
  analytics.cohort_period_figures(date, date, text[], text), analytics.cohort_report_json(date, date, text[], text, text)
  from public;
grant execute on function analytics.cohort_facts(date, date), analytics.cohort_rows(date, date),
  analytics.cohort_rows(date, date, text[], text[]),
  analytics.cohort_summary_facts(text, date[], date[], boolean), analytics.cohort_lags(date, date, text, text[], text),
  analytics.cohort_horizons(), analytics.cohort_horizon_figures(analytics.cohort_lag[]),
  analytics.cohort_people_figures(analytics.cohort_lag[], numeric[], date[]),
  analytics.cohort_period_figures(date, date, text[], text), analytics.cohort_report_json(date, date, text[], text, text)
  to service_role;
revoke execute on function public.cohort_report(text, date, date, text, text) from public, anon;
grant execute on function public.cohort_report(text, date, date, text, text) to authenticated, service_role;
