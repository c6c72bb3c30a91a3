-- The funnel's daily facts (business-local day x team) and their cache, the table
-- analytics.funnel_analytics. The cache may lag; reports must not. So every write to a fact
-- table records the business days it touched in analytics.stale_day, reports compute those days
-- live from the tables and every other day from the cache (see analytics.funnel_rows), and a
-- refresh recomputes just those days.

-- The funnel's facts are three daily series, one per source, joined by funnel_facts below. Each
-- is one definition, for any range of business days; money is in the reporting currency, and
-- rows whose day has no exchange rate are counted (never converted at an assumed rate).

-- The business days of a range that can hold a lead or a sale, each with the instants it spans
-- ([start, next start) in the business zone). The range is clamped to the data, so a
-- rebuild can ask for -infinity..infinity; no leads and no sales: no days.
-- rows 7: the planner's guess for a call (windows and refreshes are days to weeks; the default
-- 1000 made it hash-join whole tables for a one-day refresh).
create function analytics.instant_days(p_from date, p_until date)
returns table (day date, starts_at timestamptz, ends_at timestamptz)
language plpgsql
stable
rows 7
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
#variable_conflict use_column
begin
  return query
  with instants as (
    select least((select min(l.occurred_at) from voronka.lead as l),
                 (select min(s.won_at) from voronka.sale as s)) as first_at,
           greatest((select max(l.occurred_at) from voronka.lead as l),
                    (select max(s.won_at) from voronka.sale as s)) as last_at
  ),

  -- Clamped to plausible instants too: a lead dated 1970 or a sale "won in 5138" is a data error
  -- (data health names it), and would otherwise make millions of empty days to join.
  span as (
    select greatest(p_from, analytics.business_day(greatest(instants.first_at, (analytics.plausible_instants()).earliest))) as first_day,
           least(p_until, analytics.business_day(least(instants.last_at, (analytics.plausible_instants()).latest))) as last_day
    from instants
    where instants.first_at is not null
  ),

  final as (
    select d::date as day,
           analytics.business_day_start(d::date) as starts_at,
           analytics.business_day_start(d::date + 1) as ends_at
    from span
    cross join generate_series(span.first_day::timestamp, span.last_day::timestamp, interval '1 day') as d
  )

  select * from final;
end
$$;
comment on function analytics.instant_days(date, date) is 'The business days of p_from..p_until that hold a lead or a sale, with the instants each spans in the business zone.';

-- Spend: Facebook days are days in the ad account's zone; they are placed on the business day
-- with the same date (a day cannot be split). Reports warn when an account's zone differs.
create function analytics.daily_spend(p_from date, p_until date)
returns table (day date, team_id text, spend numeric, spend_rows_missing_rate bigint, impressions bigint, clicks bigint)
language plpgsql
stable
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
#variable_conflict use_column
begin
  return query
  with spend_by_currency as (
    select i.date_start as day,
           coalesce(a.team_id, 'unattributed') as team_id,
           i.currency,
           count(*) as spend_rows,
           sum(i.spend) as spend,
           sum(i.impressions) as impressions,
           sum(i.clicks) as clicks
    from voronka.fb_ad_insight as i
    join voronka.fb_ad_account as a on a.id = i.ad_account_id
    where i.date_start between p_from and p_until
    group by 1, 2, 3
  ),

  final as (
    select sbc.day,
           sbc.team_id,
           sum(sbc.spend * fx.rate) as spend,
           coalesce(sum(sbc.spend_rows) filter (where fx.rate is null), 0)::bigint as spend_rows_missing_rate,
           sum(sbc.impressions)::bigint as impressions,
           sum(sbc.clicks)::bigint as clicks
    from spend_by_currency as sbc
    cross join lateral (select analytics.reporting_rate(sbc.currency, sbc.day) as rate) as fx
    group by 1, 2
  )

  select * from final;
end
$$;
comment on function analytics.daily_spend(date, date) is 'Facebook spend (reporting currency; null part for rows without a rate, counted in spend_rows_missing_rate), impressions and clicks per account-local day and team.';

create function analytics.daily_leads(p_from date, p_until date)
returns table (day date, team_id text, leads bigint)
language plpgsql
stable
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
#variable_conflict use_column
begin
  return query
  select bd.day, coalesce(l.team_id, 'unattributed') as team_id, count(*) as leads
  from analytics.instant_days(p_from, p_until) as bd
  join voronka.lead as l on l.occurred_at >= bd.starts_at and l.occurred_at < bd.ends_at
  group by 1, 2;
end
$$;
comment on function analytics.daily_leads(date, date) is 'Leads per business day (of occurred_at) and team.';

-- Counted sales (voided ones are kept for audit only), on the business day of their win.
-- Each day's sales and each sale's deal are lookups ("offset 0" keeps them so): a SQL function is
-- planned without its arguments, so a join over "some range of days" is planned for a large share
-- of all sales and read every deal (a scan of the deals per report), even when a report computes
-- one day live. Per-day index scans cost the same for a rebuild of every day.
create function analytics.daily_sales(p_from date, p_until date)
returns table (
  day date, team_id text, express_purchases bigint, express_revenue numeric,
  flagman_purchases bigint, flagman_revenue numeric, sale_rows_missing_rate bigint
)
language plpgsql
stable
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
#variable_conflict use_column
begin
  return query
  with sales_by_currency as (
    select bd.day,
           coalesce(d.team_id, 'unattributed') as team_id,
           s.product_id,
           s.currency,
           count(*) as purchases,
           sum(s.amount) as amount
    from analytics.instant_days(p_from, p_until) as bd
    cross join lateral (
      select sale.deal_id, sale.product_id, sale.currency, sale.amount
      from voronka.sale as sale
      where sale.won_at >= bd.starts_at and sale.won_at < bd.ends_at and sale.voided_at is null
      offset 0
    ) as s
    cross join lateral (select deal.team_id from voronka.amocrm_deal as deal where deal.id = s.deal_id offset 0) as d
    group by 1, 2, 3, 4
  ),

  final as (
    select sbc.day,
           sbc.team_id,
           coalesce(sum(sbc.purchases) filter (where sbc.product_id = 'express'), 0)::bigint as express_purchases,
           sum(sbc.amount * fx.rate) filter (where sbc.product_id = 'express') as express_revenue,
           coalesce(sum(sbc.purchases) filter (where sbc.product_id = 'flagman'), 0)::bigint as flagman_purchases,
           sum(sbc.amount * fx.rate) filter (where sbc.product_id = 'flagman') as flagman_revenue,
           coalesce(sum(sbc.purchases) filter (where fx.rate is null), 0)::bigint as sale_rows_missing_rate
    from sales_by_currency as sbc
    cross join lateral (select analytics.reporting_rate(sbc.currency, sbc.day) as rate) as fx
    group by 1, 2
  )

  select * from final;
end
$$;
comment on function analytics.daily_sales(date, date) is 'Counted Express and Flagman purchases and revenue (reporting currency) per business day (of won_at) and team; sale_rows_missing_rate counts sales left out of revenue for want of a rate.';

-- One definition of every funnel number, for any range of business days: the three series on one
-- row per day and team. The cache (analytics.funnel_analytics) holds this function over all days;
-- reports call it for the days the cache does not have yet.
create function analytics.funnel_facts(p_from date, p_until date)
returns table (
  day date,
  team_id text,
  spend numeric,
  spend_rows_missing_rate bigint,
  impressions bigint,
  clicks bigint,
  leads bigint,
  express_purchases bigint,
  express_revenue numeric,
  flagman_purchases bigint,
  flagman_revenue numeric,
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
    select sp.day, sp.team_id, sp.spend, sp.spend_rows_missing_rate, sp.impressions, sp.clicks,
           0::bigint as leads, 0::bigint as express_purchases, null::numeric as express_revenue,
           0::bigint as flagman_purchases, null::numeric as flagman_revenue, 0::bigint as sale_rows_missing_rate
    from analytics.daily_spend(p_from, p_until) as sp
    union all
    select dl.day, dl.team_id, null, 0, 0, 0, dl.leads, 0, null, 0, null, 0
    from analytics.daily_leads(p_from, p_until) as dl
    union all
    select ds.day, ds.team_id, null, 0, 0, 0, 0, ds.express_purchases, ds.express_revenue,
           ds.flagman_purchases, ds.flagman_revenue, ds.sale_rows_missing_rate
    from analytics.daily_sales(p_from, p_until) as ds
  ),

  final as (
    select all_facts.day,
           all_facts.team_id,
           coalesce(sum(all_facts.spend), 0) as spend,
           sum(all_facts.spend_rows_missing_rate)::bigint as spend_rows_missing_rate,
           sum(all_facts.impressions)::bigint as impressions,
           sum(all_facts.clicks)::bigint as clicks,
           sum(all_facts.leads)::bigint as leads,
           sum(all_facts.express_purchases)::bigint as express_purchases,
           coalesce(sum(all_facts.express_revenue), 0) as express_revenue,
           sum(all_facts.flagman_purchases)::bigint as flagman_purchases,
           coalesce(sum(all_facts.flagman_revenue), 0) as flagman_revenue,
           sum(all_facts.sale_rows_missing_rate)::bigint as sale_rows_missing_rate
    from all_facts
    group by all_facts.day, all_facts.team_id
  )

  select * from final;
end
$$;

comment on function analytics.funnel_facts(date, date) is 'Funnel facts per business-local day and team for the days from p_from to p_until (inclusive), computed from the tables. Money in the reporting currency; *_rows_missing_rate count rows left out of a sum because their day had no exchange rate.';

-- The cache: funnel_facts over every day, kept as a table and recomputed day by day. A refresh
-- recomputes only the days written since the last one (analytics.stale_day), so its cost follows
-- the day's writes, not the length of the history (a materialized view recomputes everything).
create table analytics.funnel_analytics (
  day date not null,
  team_id text not null,
  spend numeric,
  spend_rows_missing_rate bigint,
  impressions bigint,
  clicks bigint,
  leads bigint,
  express_purchases bigint,
  express_revenue numeric,
  flagman_purchases bigint,
  flagman_revenue numeric,
  sale_rows_missing_rate bigint,
  primary key (day, team_id)
);

comment on table analytics.funnel_analytics is 'Cache of analytics.funnel_facts over all days: one row per business-local day and team ("unattributed" for traffic no team claims). Days written since its last refresh are listed in analytics.stale_day (reports compute them live); analytics.refresh_funnel_analytics() recomputes those days.';
alter table analytics.funnel_analytics enable row level security;

-- Days whose facts changed after the caches' last refresh, one row per (day, kind, writing
-- transaction). The kind says what changed, so a report computes live only what it must:
--   spend, leads, sales  that series of the day (an insight, a lead, a sale written; an ad
--                        account's owner moves spend; a deal's owner, ads or person and a
--                        buyer's first touch move sales);
--   facts                any of the day's facts (an exchange rate: spend and sales; the default);
--   cohort               only the cohorts of the people who entered that day (a sale marks its
--                        buyer's first-lead day so); the funnel's and the ads' figures did not.
-- The refresh recomputes every cache for every kind.
create table analytics.stale_day (
  day date not null,
  kind text not null default 'facts' check (kind in ('facts', 'spend', 'leads', 'sales', 'cohort')),
  xact_id xid8 not null,
  primary key (day, kind, xact_id)
);

comment on table analytics.stale_day is 'Business days written since the last refresh of the analytics caches (by transaction); reports compute these days live, the next refresh recomputes them.';

create table analytics.funnel_refresh (
  id bigint generated always as identity primary key,
  refreshed_at timestamptz not null default now(),
  duration_ms numeric not null,
  business_time_zone text not null,
  reporting_currency char(3) not null,
  -- How many business days the refresh recomputed; null: every day (a rebuild).
  days_recomputed integer
);

comment on table analytics.funnel_refresh is 'Each refresh of the analytics caches (funnel_analytics, ad_analytics, cohort_analytics) with the settings it was computed with and how many days it recomputed (null: a rebuild of every day, as after a settings change).';
alter table analytics.stale_day enable row level security;
alter table analytics.funnel_refresh enable row level security;
grant select on analytics.funnel_analytics, analytics.stale_day, analytics.funnel_refresh to service_role;

-- The kinds of stale day that change the funnel's and the ads' daily facts (all but 'cohort').
create function analytics.fact_kinds()
returns text[]
language plpgsql
immutable
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
begin
  return (
  select array['facts', 'spend', 'leads', 'sales']
  );
end
$$;
comment on function analytics.fact_kinds() is 'The kinds of analytics.stale_day that change a day''s funnel and ad facts (every kind but cohort).';
revoke execute on function analytics.fact_kinds() from public;
grant execute on function analytics.fact_kinds() to service_role;

-- The kinds of stale day on which one series (spend, leads or sales) is live: its own, and
-- 'facts' (every series). The one definition of that rule for every reader that reads a live day
-- by series (funnel_rows, ad_row_figures, ad_live_corrections).
create function analytics.series_kinds(p_series text)
returns text[]
language plpgsql
immutable
set search_path = ''
as $$
begin
  return array['facts', p_series];
end
$$;
comment on function analytics.series_kinds(text) is 'The kinds of analytics.stale_day on which the series p_series (spend, leads, sales) of a day is live: its own and facts.';
revoke execute on function analytics.series_kinds(text) from public;
grant execute on function analytics.series_kinds(text) to service_role;

-- The runs of consecutive days written since the last refresh, within a range: of the kinds asked
-- for (null: every kind, as the cohorts and the refresh need).
-- PL/pgSQL, not sql: its plan is kept for the session instead of made again on every call
-- (every report calls it); the generic one, as a sql function's (README: "How to add… a function on a report's path").
create function analytics.live_day_runs(p_from date, p_until date, p_kinds text[] default null)
returns table (run_from date, run_until date)
language plpgsql
stable
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
#variable_conflict use_column
begin
  return query
  with live_days as (
    select distinct sd.day from analytics.stale_day as sd
    where sd.day between p_from and p_until and (p_kinds is null or sd.kind = any (p_kinds))
  ),

  final as (
    select min(islands.day) as run_from, max(islands.day) as run_until
    from (select ld.day, ld.day - (row_number() over (order by ld.day))::integer as island from live_days as ld)
         as islands
    group by islands.island
  )

  select * from final;
end
$$;
comment on function analytics.live_day_runs(date, date, text[]) is 'Runs of consecutive business days in p_from..p_until written since the last refresh (analytics.stale_day), of the kinds p_kinds (null: all): reports compute them live.';
revoke execute on function analytics.live_day_runs(date, date, text[]) from public;
grant execute on function analytics.live_day_runs(date, date, text[]) to service_role;

-- Stale-day bookkeeping runs on every write to the fact tables: one statement trigger function
-- per kind of column, with static SQL whose plans PL/pgSQL caches (a generic trigger with dynamic
-- SQL would be planned on every statement, and amoCRM bulk webhooks write many statements).
create function analytics.mark_stale_instant_days()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  -- tg_argv[0] names the instant column: lead.occurred_at or sale.won_at.
  if tg_op in ('INSERT', 'UPDATE') then
    if tg_argv[0] = 'occurred_at' then
      insert into analytics.stale_day (day, kind, xact_id)
      select distinct analytics.business_day(n.occurred_at), 'leads', pg_current_xact_id() from new_rows as n
      on conflict do nothing;
    else
      insert into analytics.stale_day (day, kind, xact_id)
      select distinct analytics.business_day(n.won_at), 'sales', pg_current_xact_id() from new_rows as n
      on conflict do nothing;
    end if;
  end if;
  if tg_op in ('UPDATE', 'DELETE') then
    if tg_argv[0] = 'occurred_at' then
      insert into analytics.stale_day (day, kind, xact_id)
      select distinct analytics.business_day(o.occurred_at), 'leads', pg_current_xact_id() from old_rows as o
      on conflict do nothing;
    else
      insert into analytics.stale_day (day, kind, xact_id)
      select distinct analytics.business_day(o.won_at), 'sales', pg_current_xact_id() from old_rows as o
      on conflict do nothing;
    end if;
  end if;
  return null;
end
$$;

comment on function analytics.mark_stale_instant_days() is 'Statement trigger: records the business days of the leads (occurred_at; kind leads) or sales (won_at; kind sales) a statement wrote.';

create function analytics.mark_stale_insight_days()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op in ('INSERT', 'UPDATE') then
    insert into analytics.stale_day (day, kind, xact_id)
    select distinct n.date_start, 'spend', pg_current_xact_id() from new_rows as n
    on conflict do nothing;
  end if;
  if tg_op in ('UPDATE', 'DELETE') then
    insert into analytics.stale_day (day, kind, xact_id)
    select distinct o.date_start, 'spend', pg_current_xact_id() from old_rows as o
    on conflict do nothing;
  end if;
  return null;
end
$$;

comment on function analytics.mark_stale_insight_days() is 'Statement trigger: records the days of the Facebook insights a statement wrote (kind spend).';

create function analytics.mark_stale_rate_days()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op in ('INSERT', 'UPDATE') then
    insert into analytics.stale_day (day, xact_id)
    select distinct n.day, pg_current_xact_id() from new_rows as n
    on conflict do nothing;
  end if;
  if tg_op in ('UPDATE', 'DELETE') then
    insert into analytics.stale_day (day, xact_id)
    select distinct o.day, pg_current_xact_id() from old_rows as o
    on conflict do nothing;
  end if;
  return null;
end
$$;

comment on function analytics.mark_stale_rate_days() is 'Statement trigger: records the days of the exchange rates a statement wrote.';

create trigger fb_ad_insight_stale_on_insert after insert on voronka.fb_ad_insight
  referencing new table as new_rows for each statement execute function analytics.mark_stale_insight_days();

create trigger fb_ad_insight_stale_on_update after update on voronka.fb_ad_insight
  referencing new table as new_rows old table as old_rows for each statement execute function analytics.mark_stale_insight_days();

create trigger fb_ad_insight_stale_on_delete after delete on voronka.fb_ad_insight
  referencing old table as old_rows for each statement execute function analytics.mark_stale_insight_days();

create trigger lead_stale_on_insert after insert on voronka.lead
  referencing new table as new_rows for each statement execute function analytics.mark_stale_instant_days('occurred_at');

create trigger lead_stale_on_update after update on voronka.lead
  referencing new table as new_rows old table as old_rows for each statement execute function analytics.mark_stale_instant_days('occurred_at');

create trigger lead_stale_on_delete after delete on voronka.lead
  referencing old table as old_rows for each statement execute function analytics.mark_stale_instant_days('occurred_at');

create trigger sale_stale_on_insert after insert on voronka.sale
  referencing new table as new_rows for each statement execute function analytics.mark_stale_instant_days('won_at');

create trigger sale_stale_on_update after update on voronka.sale
  referencing new table as new_rows old table as old_rows for each statement execute function analytics.mark_stale_instant_days('won_at');

create trigger sale_stale_on_delete after delete on voronka.sale
  referencing old table as old_rows for each statement execute function analytics.mark_stale_instant_days('won_at');

create trigger exchange_rate_stale_on_insert after insert on voronka.exchange_rate
  referencing new table as new_rows for each statement execute function analytics.mark_stale_rate_days();

create trigger exchange_rate_stale_on_update after update on voronka.exchange_rate
  referencing new table as new_rows old table as old_rows for each statement execute function analytics.mark_stale_rate_days();

create trigger exchange_rate_stale_on_delete after delete on voronka.exchange_rate
  referencing old table as old_rows for each statement execute function analytics.mark_stale_rate_days();

-- Ownership changes move facts between teams (and a deal's ad match or person moves its sale
-- between ads and first touches) without touching the fact rows themselves.
create function analytics.mark_stale_days_of_owner_change()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  -- An account's owner moves its spend only (leads and sales have teams of their own); a deal's
  -- owner, ads or person move its sales only.
  if tg_table_name = 'fb_ad_account' then
    insert into analytics.stale_day (day, kind, xact_id)
    select distinct i.date_start, 'spend', pg_current_xact_id()
    from new_rows as n
    join old_rows as o on o.id = n.id
    join voronka.fb_ad_insight as i on i.ad_account_id = n.id
    where n.team_id is distinct from o.team_id
    on conflict do nothing;
  else
    insert into analytics.stale_day (day, kind, xact_id)
    select distinct analytics.business_day(s.won_at), 'sales', pg_current_xact_id()
    from new_rows as n
    join old_rows as o on o.id = n.id
    join voronka.sale as s on s.deal_id = n.id
    where n.team_id is distinct from o.team_id
       or (n.fb_campaign_id, n.fb_adset_id, n.fb_ad_id, n.person_id)
          is distinct from (o.fb_campaign_id, o.fb_adset_id, o.fb_ad_id, o.person_id)
    on conflict do nothing;
  end if;
  return null;
end
$$;

create trigger fb_ad_account_stale_on_team_change after update on voronka.fb_ad_account
  referencing new table as new_rows old table as old_rows for each statement execute function analytics.mark_stale_days_of_owner_change();

create trigger amocrm_deal_stale_on_team_change after update on voronka.amocrm_deal
  referencing new table as new_rows old table as old_rows for each statement execute function analytics.mark_stale_days_of_owner_change();

-- Recompute every cache for runs of business days, in the calling transaction: delete the runs'
-- rows, insert the facts computed from the tables. Readers are not blocked; they see the old rows
-- (and compute the stale days live) until the transaction commits. Runs of -infinity..infinity
-- recompute everything. Rows go in in key order, so a day's rows share pages: a report reads a
-- window's pages, not pages of the whole history (a rebuild in hash order made a 30-day read
-- touch nearly every page of the ad cache).
create function analytics.recompute_cached_days(p_run_from date[], p_run_until date[])
returns void
language plpgsql
set search_path = ''
as $$
begin
  delete from analytics.funnel_analytics as fa
   using unnest(p_run_from, p_run_until) as r (run_from, run_until)
   where fa.day between r.run_from and r.run_until;
  insert into analytics.funnel_analytics
  select f.* from unnest(p_run_from, p_run_until) as r (run_from, run_until)
  cross join lateral analytics.funnel_facts(r.run_from, r.run_until) as f
  order by f.day, f.team_id;

  -- The ad and cohort caches (ad_report.sql, cohort_report.sql) share the stale days.
  delete from analytics.ad_analytics as aa
   using unnest(p_run_from, p_run_until) as r (run_from, run_until)
   where aa.day between r.run_from and r.run_until;
  insert into analytics.ad_analytics
  select f.* from unnest(p_run_from, p_run_until) as r (run_from, run_until)
  cross join lateral analytics.ad_facts(r.run_from, r.run_until) as f
  order by f.day, f.model, f.team_id, f.campaign_id, f.adset_id, f.ad_id;
  -- Its running totals follow, for the ads whose figures changed.
  perform analytics.recompute_ad_running(p_run_from, p_run_until);

  -- And the data-health checks' lead counts (data_health.sql).
  delete from analytics.lead_source_analytics as ls
   using unnest(p_run_from, p_run_until) as r (run_from, run_until)
   where ls.day between r.run_from and r.run_until;
  insert into analytics.lead_source_analytics
  select f.* from unnest(p_run_from, p_run_until) as r (run_from, run_until)
  cross join lateral analytics.lead_source_facts(r.run_from, r.run_until) as f
  order by f.day;

  delete from analytics.cohort_analytics as ca
   using unnest(p_run_from, p_run_until) as r (run_from, run_until)
   where ca.entry_day between r.run_from and r.run_until;
  insert into analytics.cohort_analytics
  select f.* from unnest(p_run_from, p_run_until) as r (run_from, run_until)
  cross join lateral analytics.cohort_facts(r.run_from, r.run_until) as f
  order by f.entry_day, f.kind, f.model;
  perform analytics.recompute_cohort_summary(p_run_from, p_run_until);
end
$$;

comment on function analytics.recompute_cached_days(date[], date[]) is 'Recomputes funnel_analytics, ad_analytics (and the running totals of the ads that changed), lead_source_analytics and cohort_analytics for the runs of business days p_run_from[i]..p_run_until[i] from the tables.';

-- Refresh (p_rebuild false): recompute the days written since the last refresh. Rebuild: every
-- day (after a settings change, and nightly as a safety net). Refreshes take turns (an advisory
-- lock), and each takes its snapshot once it has the lock: stale days written by transactions
-- visible in that snapshot are recomputed (the recomputing statements start later, so they see
-- those transactions too) and cleared; later commits stay stale — extra live work for readers and
-- the next refresh, never a missing sale.
create function analytics.refresh_analytics(p_rebuild boolean)
returns analytics.funnel_refresh
language plpgsql
set search_path = ''
as $$
declare
  v_snapshot pg_snapshot;
  v_started timestamptz;
  v_run_from date[];
  v_run_until date[];
  v_days integer;
  v_refresh analytics.funnel_refresh;
begin
  perform pg_advisory_xact_lock(hashtext('analytics.refresh_analytics'));
  v_snapshot := pg_current_snapshot();
  v_started := clock_timestamp();
  if p_rebuild then
    v_run_from := array['-infinity'::date];
    v_run_until := array['infinity'::date];
  else
    select coalesce(array_agg(r.run_from), '{}'), coalesce(array_agg(r.run_until), '{}'),
           coalesce(sum(r.run_until - r.run_from + 1), 0)
      into v_run_from, v_run_until, v_days
      from analytics.live_day_runs('-infinity', 'infinity') as r;
  end if;
  perform analytics.recompute_cached_days(v_run_from, v_run_until);
  -- The rebuild is the safety net for writes no trigger saw: the deals' sale flags (sales.sql) too.
  if p_rebuild then
    update voronka.amocrm_deal as d
       set has_mapped_sale = not d.has_mapped_sale
     where d.has_mapped_sale is distinct from
           exists (select 1 from voronka.sale as s
                   where s.deal_id = d.id and (s.voided_at is null or s.void_reason <> 'unmapped'));
  end if;
  -- Our own transaction's writes are recomputed too, though not "visible" in the snapshot.
  delete from analytics.stale_day
   where pg_visible_in_snapshot(xact_id, v_snapshot)
      or xact_id = pg_current_xact_id_if_assigned();
  insert into analytics.funnel_refresh (refreshed_at, duration_ms, business_time_zone, reporting_currency,
                                        days_recomputed)
  select v_started,
         round(extract(epoch from clock_timestamp() - v_started) * 1000, 1),
         s.business_time_zone, s.reporting_currency, v_days
  from voronka.setting as s
  returning * into v_refresh;
  delete from analytics.funnel_refresh where id < v_refresh.id - 1000;
  return v_refresh;
end
$$;

comment on function analytics.refresh_analytics(boolean) is 'Brings the analytics caches up to date: the days written since the last refresh, or every day (p_rebuild). One at a time; readers are never blocked.';

create function analytics.refresh_funnel_analytics()
returns analytics.funnel_refresh
language sql
security definer
set search_path = ''
as $$
  select analytics.refresh_analytics(false)
$$;

comment on function analytics.refresh_funnel_analytics() is 'Recomputes the days of the analytics caches (funnel, ad and cohort facts) written since the last refresh; costs what those days cost, not the whole history. Scheduled every 5 minutes by pg_cron on hosted Supabase; every minute by the local stack.';

create function analytics.rebuild_funnel_analytics()
returns analytics.funnel_refresh
language sql
security definer
set search_path = ''
as $$
  select analytics.refresh_analytics(true)
$$;

comment on function analytics.rebuild_funnel_analytics() is 'Recomputes the analytics caches over every day. Runs after a settings change and nightly (pg_cron; a safety net for a write no stale-day trigger saw, such as a hand edit with triggers off).';

-- The dashboards' API: public.funnel_report (one JSON object) and public.funnel_daily (rows for
-- charts). Both are security definer with an empty search_path, check the caller's teams from
-- the JWT, and are granted to authenticated and service_role only (anon gets nothing).

-- A settings change (zone or currency) changes every number: rebuild the caches at once.
create function analytics.refresh_on_settings_change()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  perform analytics.rebuild_funnel_analytics();
  return null;
end
$$;

create trigger setting_refresh_analytics
  after update of business_time_zone, reporting_currency on voronka.setting
  for each statement execute function analytics.refresh_on_settings_change();

revoke execute on function analytics.instant_days(date, date), analytics.daily_spend(date, date),
  analytics.daily_leads(date, date), analytics.daily_sales(date, date) from public;
grant execute on function analytics.instant_days(date, date), analytics.daily_spend(date, date),
  analytics.daily_leads(date, date), analytics.daily_sales(date, date) to service_role;
revoke execute on function analytics.funnel_facts(date, date), analytics.mark_stale_instant_days(),
  analytics.mark_stale_insight_days(), analytics.mark_stale_rate_days(), analytics.mark_stale_days_of_owner_change(),
  analytics.refresh_funnel_analytics(), analytics.refresh_on_settings_change(),
  analytics.recompute_cached_days(date[], date[]), analytics.refresh_analytics(boolean),
  analytics.rebuild_funnel_analytics() from public;
grant execute on function analytics.funnel_facts(date, date), analytics.refresh_funnel_analytics(),
  analytics.rebuild_funnel_analytics() to service_role;
