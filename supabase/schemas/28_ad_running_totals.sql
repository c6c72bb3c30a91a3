-- Running totals of the ad facts, so that ad_report reads two rows per ad for any window instead of
-- one per ad and day (ad_report.sql keeps the daily facts and their cache, analytics.ad_analytics).
--
-- analytics.ad_running holds, per team and ad key, spend, impressions, clicks and leads summed from
-- the key's first day through each day; the refresh keeps it in step with ad_analytics for the ads
-- whose figures changed. analytics.ad_running_window reads a window from it, and
-- analytics.ad_live_corrections replaces the days written since the refresh (computed live), as
-- every report does with analytics.stale_day.

-- Running totals of the model-independent ad facts (spend, impressions, clicks, leads) per team and
-- ad key: the sums from the key's first day through each day. A window's figures are then the
-- difference of two rows per ad (its row at the window's last day minus its row the day before the
-- window opens): 2 × the ads read, not ads × days (30 days of 5,000 ads: 10 k rows, not 150 k).
-- Rows are dense from a key's first to its last day with facts (a day without facts repeats the
-- previous totals), so both rows are read by day, never searched for per ad; is_last marks a key's
-- final row, for ads that stopped inside the window. Sales are not here: they are sparse per ad
-- (a window holds a few thousand) and are summed from ad_analytics. Derived from ad_analytics in
-- the same transaction (analytics.recompute_ad_running), so the two always agree.
create table analytics.ad_running (
  day date not null,
  team_id text not null,
  campaign_id text not null,
  adset_id text not null,
  ad_id text not null,
  -- Days with an ad_analytics row so far: a key is in a window when this grew inside it.
  fact_days bigint not null,
  spend numeric not null,
  spend_rows bigint not null,
  spend_rows_missing_rate bigint not null,
  impressions bigint not null,
  clicks bigint not null,
  leads bigint not null,
  -- The key's latest day with facts up to this one (this day, or the one a filler row repeats).
  last_fact_day date not null,
  is_last boolean not null,
  primary key (day, team_id, campaign_id, adset_id, ad_id)
);

create index ad_running_last_idx on analytics.ad_running (day) where is_last;

comment on table analytics.ad_running is 'Running totals of ad_analytics''s model-independent rows (spend, impressions, clicks, leads) per team and ad key through each day, dense from the key''s first to its last day (is_last); a window is the difference of two rows per ad. Recomputed with ad_analytics.';
alter table analytics.ad_running enable row level security;
grant select on analytics.ad_running to service_role;

-- For running totals by ad (the maintenance below): a key's rows in day order.
create index ad_running_key_idx on analytics.ad_running (team_id, campaign_id, adset_id, ad_id, day);

-- The ad keys whose model-independent facts changed when ad_analytics's days in the runs were
-- recomputed, each with the first such day: the days' facts as cached now against the same days
-- as the running totals have them (a day's totals minus the day before's; rows are dense). A
-- refresh recomputes whole days, often for the cohorts' sake alone (a sale marks its buyer's
-- first-lead day), and then no ad's spend or leads changed: nothing to redo.
create function analytics.ad_running_changes(p_run_from date[], p_run_until date[])
returns table (team_id text, campaign_id text, adset_id text, ad_id text, from_day date)
language plpgsql
stable
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
#variable_conflict use_column
begin
  return query
  with runs as (
    select r.run_from, r.run_until from unnest(p_run_from, p_run_until) as r (run_from, run_until)
  ),

  cached_now as (
    select aa.day, aa.team_id, aa.campaign_id, aa.adset_id, aa.ad_id, aa.spend, aa.spend_rows,
           aa.spend_rows_missing_rate, aa.impressions, aa.clicks, aa.leads
    from runs
    cross join lateral (
      select x.* from analytics.ad_analytics as x
      where x.day between runs.run_from and runs.run_until and x.model = 'any' offset 0
    ) as aa
  ),

  -- The runs' days and the day before each run, by day ("offset 0": planned without its
  -- arguments, a join on the runs read all of ad_running, joined to itself).
  running_days as (
    select runs.run_from, r.*
    from runs
    cross join lateral (
      select x.* from analytics.ad_running as x where x.day between runs.run_from - 1 and runs.run_until offset 0
    ) as r
  ),

  as_running as (
    select r.day, r.team_id, r.campaign_id, r.adset_id, r.ad_id,
           r.spend - coalesce(p.spend, 0) as spend, r.spend_rows - coalesce(p.spend_rows, 0) as spend_rows,
           r.spend_rows_missing_rate - coalesce(p.spend_rows_missing_rate, 0) as spend_rows_missing_rate,
           r.impressions - coalesce(p.impressions, 0) as impressions, r.clicks - coalesce(p.clicks, 0) as clicks,
           r.leads - coalesce(p.leads, 0) as leads
    from running_days as r
    left join running_days as p
      on p.day = r.day - 1 and p.team_id = r.team_id and p.campaign_id = r.campaign_id and p.adset_id = r.adset_id
     and p.ad_id = r.ad_id
    -- A day repeating the day before (no facts) is no row of ad_analytics.
    where r.day >= r.run_from and r.fact_days > coalesce(p.fact_days, 0)
  ),

  differences as (
    select coalesce(n.team_id, o.team_id) as team_id, coalesce(n.campaign_id, o.campaign_id) as campaign_id,
           coalesce(n.adset_id, o.adset_id) as adset_id, coalesce(n.ad_id, o.ad_id) as ad_id,
           coalesce(n.day, o.day) as day
    from cached_now as n
    full join as_running as o
      on o.day = n.day and o.team_id = n.team_id and o.campaign_id = n.campaign_id and o.adset_id = n.adset_id
     and o.ad_id = n.ad_id
    where (n.spend, n.spend_rows, n.spend_rows_missing_rate, n.impressions, n.clicks, n.leads)
          is distinct from (o.spend, o.spend_rows, o.spend_rows_missing_rate, o.impressions, o.clicks, o.leads)
  ),

  final as (
    select d.team_id, d.campaign_id, d.adset_id, d.ad_id, min(d.day) as from_day
    from differences as d
    group by 1, 2, 3, 4
  )

  select * from final;
end
$$;
comment on function analytics.ad_running_changes(date[], date[]) is 'The ad keys whose spend, impressions, clicks or leads in ad_analytics differ from analytics.ad_running on the days of the runs, with the first such day.';

-- Recomputes the running totals of the keys that changed on the days of the runs (after
-- ad_analytics's rows of those days were recomputed), each from its first changed day; a run of
-- -infinity..infinity recomputes every key. Each key continues from its latest row before that
-- day (the row of the day before, or its last row if it had stopped: the gap is filled), and a key
-- whose facts from then on are gone ends on its last day with facts.
create function analytics.recompute_ad_running(p_run_from date[], p_run_until date[])
returns void
language plpgsql
set search_path = ''
as $$
declare
  v_team text[];
  v_campaign text[];
  v_adset text[];
  v_ad text[];
  v_from date[];
begin
  if '-infinity' = any (p_run_from) then
    select array_agg(k.team_id), array_agg(k.campaign_id), array_agg(k.adset_id), array_agg(k.ad_id),
           array_agg('-infinity'::date)
      into v_team, v_campaign, v_adset, v_ad, v_from
      from (select distinct aa.team_id, aa.campaign_id, aa.adset_id, aa.ad_id
            from analytics.ad_analytics as aa where aa.model = 'any'
            union
            select distinct r.team_id, r.campaign_id, r.adset_id, r.ad_id
            from analytics.ad_running as r where r.is_last) as k;
  else
    select array_agg(c.team_id), array_agg(c.campaign_id), array_agg(c.adset_id), array_agg(c.ad_id),
           array_agg(c.from_day)
      into v_team, v_campaign, v_adset, v_ad, v_from
      from analytics.ad_running_changes(p_run_from, p_run_until) as c;
  end if;
  if v_team is null then
    return;
  end if;

  delete from analytics.ad_running as r
   using unnest(v_team, v_campaign, v_adset, v_ad, v_from) as c (team_id, campaign_id, adset_id, ad_id, from_day)
   where r.team_id = c.team_id and r.campaign_id = c.campaign_id and r.adset_id = c.adset_id and r.ad_id = c.ad_id
     and r.day >= c.from_day;

  -- Each changed key's latest row left either goes on (the insert below continues from it), or
  -- now ends the key: then the key ends on its last day with facts, and rows repeating it past
  -- that day (facts since removed) go.
  with changed as (
    select * from unnest(v_team, v_campaign, v_adset, v_ad, v_from) as c (team_id, campaign_id, adset_id, ad_id, from_day)
  ),

  base as (
    select b.*,
           exists (select 1 from analytics.ad_analytics as aa
                   where aa.day >= c.from_day and aa.model = 'any' and aa.team_id = c.team_id
                     and aa.campaign_id = c.campaign_id and aa.adset_id = c.adset_id and aa.ad_id = c.ad_id) as goes_on
    from changed as c
    cross join lateral (
      select r.* from analytics.ad_running as r
      where r.team_id = c.team_id and r.campaign_id = c.campaign_id and r.adset_id = c.adset_id and r.ad_id = c.ad_id
      order by r.day desc limit 1
    ) as b
  ),

  repeats_past_end as (
    delete from analytics.ad_running as r
     using base as e
     cross join generate_series(1, e.day - e.last_fact_day) as d (n)
     where not e.goes_on and r.day = e.last_fact_day + d.n and r.team_id = e.team_id
       and r.campaign_id = e.campaign_id and r.adset_id = e.adset_id and r.ad_id = e.ad_id
  ),

  flags as (
    select b.team_id, b.campaign_id, b.adset_id, b.ad_id, b.last_fact_day as day, true as is_last
    from base as b where not b.goes_on
    union all
    select b.team_id, b.campaign_id, b.adset_id, b.ad_id, b.day, false from base as b where b.goes_on
  )

  update analytics.ad_running as r
     set is_last = f.is_last
    from flags as f
   where r.day = f.day and r.team_id = f.team_id and r.campaign_id = f.campaign_id and r.adset_id = f.adset_id
     and r.ad_id = f.ad_id and r.is_last is distinct from f.is_last;

  insert into analytics.ad_running
  with changed as (
    select * from unnest(v_team, v_campaign, v_adset, v_ad, v_from) as c (team_id, campaign_id, adset_id, ad_id, from_day)
  ),

  -- Each changed key's latest row left (rows are dense: the day before its first changed day,
  -- unless the key had stopped earlier).
  base as (
    select b.* from changed as c
    cross join lateral (
      select r.* from analytics.ad_running as r
      where r.team_id = c.team_id and r.campaign_id = c.campaign_id and r.adset_id = c.adset_id and r.ad_id = c.ad_id
      order by r.day desc limit 1
    ) as b
  ),

  -- The base rows (carrying their totals) and the days with facts, one series per key: summed in
  -- day order they give the running totals without joining every day to the facts.
  steps as (
    select true as is_base, b.day, b.team_id, b.campaign_id, b.adset_id, b.ad_id, b.fact_days, b.spend, b.spend_rows,
           b.spend_rows_missing_rate, b.impressions, b.clicks, b.leads, b.last_fact_day
    from base as b
    union all
    select false, aa.day, aa.team_id, aa.campaign_id, aa.adset_id, aa.ad_id, 1, aa.spend, aa.spend_rows,
           aa.spend_rows_missing_rate, aa.impressions, aa.clicks, aa.leads, aa.day
    from analytics.ad_analytics as aa
    join changed as c
      on c.team_id = aa.team_id and c.campaign_id = aa.campaign_id and c.adset_id = aa.adset_id and c.ad_id = aa.ad_id
     and aa.day >= c.from_day
    where aa.model = 'any' and aa.day >= (select min(changed.from_day) from changed)
  ),

  running as (
    select st.is_base, st.day, st.team_id, st.campaign_id, st.adset_id, st.ad_id,
           sum(st.fact_days) over key_days as fact_days, sum(st.spend) over key_days as spend,
           sum(st.spend_rows) over key_days as spend_rows,
           sum(st.spend_rows_missing_rate) over key_days as spend_rows_missing_rate,
           sum(st.impressions) over key_days as impressions, sum(st.clicks) over key_days as clicks,
           sum(st.leads) over key_days as leads, st.last_fact_day,
           lead(st.day) over key_days as next_day
    from steps as st
    window key_days as (partition by st.team_id, st.campaign_id, st.adset_id, st.ad_id order by st.day)
  ),

  -- Each day with facts, and the days up to the key's next day with facts repeating its totals.
  final as (
    select ru.day + d.n as day, ru.team_id, ru.campaign_id, ru.adset_id, ru.ad_id, ru.fact_days, ru.spend,
           ru.spend_rows, ru.spend_rows_missing_rate, ru.impressions, ru.clicks, ru.leads, ru.last_fact_day,
           d.n = 0 and ru.next_day is null as is_last
    from running as ru
    cross join generate_series(case when ru.is_base then 1 else 0 end,
                               coalesce(ru.next_day - ru.day - 1, 0)) as d (n)
    where ru.next_day is not null or not ru.is_base
  )

  select * from final order by day, team_id, campaign_id, adset_id, ad_id;
end
$$;
comment on function analytics.recompute_ad_running(date[], date[]) is 'Recomputes analytics.ad_running for the ad keys whose facts changed on the business days of the runs (-infinity..infinity: every key, every day) from ad_analytics; called by analytics.recompute_cached_days after it recomputed those days.';

-- The model-independent figures (spend, impressions, clicks, leads) per team and ad key over a
-- window, from the running totals: each key's row at p_until (or its last row, if it stopped
-- earlier in the window) minus its row at p_from - 1. Every day as cached, live days included
-- (ad_row_figures corrects those). Keys without a fact day in the window are left out.
-- enable_nestloop off: planned without its arguments, the teams filter makes each side look like a
-- few dozen rows, and the two rows per ad were matched by an index probe per ad; hashed, half the
-- time.
create function analytics.ad_running_window(p_from date, p_until date, p_teams text[])
returns table (
  team_id text, campaign_id text, adset_id text, ad_id text, fact_days bigint, spend numeric, spend_rows bigint,
  spend_rows_missing_rate bigint, impressions bigint, clicks bigint, leads bigint
)
language plpgsql
stable
rows 5000
set search_path = ''
set plan_cache_mode = force_generic_plan
set enable_nestloop = off
as $$
#variable_conflict use_column
begin
  return query
  with window_end as (
    select r.* from analytics.ad_running as r
    where r.day = p_until and (p_teams is null or r.team_id = any (p_teams))
    union all
    select r.* from analytics.ad_running as r
    where r.is_last and r.day >= p_from and r.day < p_until and (p_teams is null or r.team_id = any (p_teams))
  ),

  window_start as (
    select r.* from analytics.ad_running as r
    where r.day = p_from - 1 and (p_teams is null or r.team_id = any (p_teams))
  ),

  final as (
    select e.team_id, e.campaign_id, e.adset_id, e.ad_id, e.fact_days - coalesce(s.fact_days, 0) as fact_days,
           e.spend - coalesce(s.spend, 0) as spend, e.spend_rows - coalesce(s.spend_rows, 0) as spend_rows,
           e.spend_rows_missing_rate - coalesce(s.spend_rows_missing_rate, 0) as spend_rows_missing_rate,
           e.impressions - coalesce(s.impressions, 0) as impressions, e.clicks - coalesce(s.clicks, 0) as clicks,
           e.leads - coalesce(s.leads, 0) as leads
    from window_end as e
    left join window_start as s
      on s.team_id = e.team_id and s.campaign_id = e.campaign_id and s.adset_id = e.adset_id and s.ad_id = e.ad_id
  )

  select * from final where final.fact_days > 0;
end
$$;
comment on function analytics.ad_running_window(date, date, text[]) is 'Spend, impressions, clicks and leads per team and ad key over the business days p_from..p_until as cached (analytics.ad_running), with the number of days the key has facts.';

-- The days of a window written since the refresh, as corrections to its cached figures, by what
-- was written (the stale day's kind): a day whose spend changed has its cached spend taken away
-- and its spend from the tables added; leads likewise; sales (per model) from the tables (the
-- caller reads cached sales only of days whose sales did not change). A day of kind 'facts'
-- changed in every series. fact_days: -1 for a cached row replaced in every series it has, +1 per
-- live row (it only tells whether a key has facts). ROWS 100: a function scan is planned at its
-- declared size, so a window with no live day is not planned as if every cached row might be one.
-- enable_sort off (for the functions it calls too): a live day is a few thousand ads, grouped by
-- hashing; planned for an unknown range of days, they were sorted on text keys, twice (the
-- refresh keeps the planner's choice: a rebuild groups millions of rows).
create function analytics.ad_live_corrections(p_from date, p_until date, p_teams text[], p_model text)
returns table (
  team_id text, campaign_id text, adset_id text, ad_id text, fact_days bigint, spend numeric, spend_rows bigint,
  spend_rows_missing_rate bigint, impressions bigint, clicks bigint, leads bigint, express_purchases bigint,
  express_revenue numeric, flagman_purchases bigint, flagman_revenue numeric, sale_rows_missing_rate bigint
)
language plpgsql
stable
rows 100
set search_path = ''
set plan_cache_mode = force_generic_plan
set enable_sort = off
as $$
#variable_conflict use_column
begin
  return query
  with spend_runs as (
    select * from analytics.live_day_runs(p_from, p_until, analytics.series_kinds('spend'))
  ),

  lead_runs as (
    select * from analytics.live_day_runs(p_from, p_until, analytics.series_kinds('leads'))
  ),

  sale_runs as (
    select * from analytics.live_day_runs(p_from, p_until, analytics.series_kinds('sales'))
  ),

  -- The cached rows of the days whose spend or leads changed, with which of the two did. Read per
  -- run by day ("offset 0"): as a join, a plan made without statistics (right after a rebuild)
  -- scanned the whole cache.
  cached_rows as (
    select aa.*,
           exists (select 1 from spend_runs as r where aa.day between r.run_from and r.run_until) as spend_live,
           exists (select 1 from lead_runs as r where aa.day between r.run_from and r.run_until) as leads_live
    from (select r.run_from, r.run_until from spend_runs as r union select r.run_from, r.run_until from lead_runs as r)
         as lr
    cross join lateral (
      select x.* from analytics.ad_analytics as x
      where x.day between lr.run_from and lr.run_until and x.model = 'any'
        and (p_teams is null or x.team_id = any (p_teams))
      offset 0
    ) as aa
  ),

  cached as (
    select c.team_id, c.campaign_id, c.adset_id, c.ad_id,
           case when (c.spend_live or c.spend_rows = 0) and (c.leads_live or c.leads = 0) then -1 else 0 end::bigint,
           case when c.spend_live then -c.spend end, case when c.spend_live then -c.spend_rows end,
           case when c.spend_live then -c.spend_rows_missing_rate end, case when c.spend_live then -c.impressions end,
           case when c.spend_live then -c.clicks end, case when c.leads_live then -c.leads end,
           null::bigint, null::numeric, null::bigint, null::numeric, null::bigint
    from cached_rows as c
  ),

  -- ad_facts's three parts, not ad_facts: the caller sums per key anyway, and ad_facts's own
  -- grouping was a third of a live day's cost.
  live_spend as (
    select sp.team_id, sp.campaign_id, sp.adset_id, sp.ad_id, 1::bigint, sp.spend, sp.spend_rows,
           sp.spend_rows_missing_rate, sp.impressions, sp.clicks, null::bigint, null::bigint, null::numeric,
           null::bigint, null::numeric, null::bigint
    from spend_runs as lr
    cross join lateral analytics.daily_ad_spend(lr.run_from, lr.run_until) as sp
    where p_teams is null or sp.team_id = any (p_teams)
  ),

  live_leads as (
    select dl.team_id, dl.campaign_id, dl.adset_id, dl.ad_id, 1::bigint, null::numeric, null::bigint, null::bigint,
           null::bigint, null::bigint, dl.leads, null::bigint, null::numeric, null::bigint, null::numeric, null::bigint
    from lead_runs as lr
    cross join lateral analytics.daily_ad_leads(lr.run_from, lr.run_until) as dl
    where p_teams is null or dl.team_id = any (p_teams)
  ),

  live_sales as (
    select ds.team_id, ds.campaign_id, ds.adset_id, ds.ad_id, 1::bigint, null::numeric, null::bigint, null::bigint,
           null::bigint, null::bigint, null::bigint, ds.express_purchases, ds.express_revenue, ds.flagman_purchases,
           ds.flagman_revenue, ds.sale_rows_missing_rate
    from sale_runs as lr
    cross join lateral analytics.daily_ad_sales(lr.run_from, lr.run_until) as ds
    where ds.model = p_model and (p_teams is null or ds.team_id = any (p_teams))
  )

  select * from cached
  union all
  select * from live_spend
  union all
  select * from live_leads
  union all
  select * from live_sales;
end
$$;
comment on function analytics.ad_live_corrections(date, date, text[], text) is 'For the business days of p_from..p_until written since the refresh, by what was written (spend, leads, sales or all): the cached spend and leads per ad key taken away, and the facts (spend, leads, sales of p_model) from the tables.';

revoke execute on function analytics.recompute_ad_running(date[], date[]), analytics.ad_running_changes(date[], date[]),
  analytics.ad_running_window(date, date, text[]), analytics.ad_live_corrections(date, date, text[], text) from public;
grant execute on function analytics.recompute_ad_running(date[], date[]), analytics.ad_running_changes(date[], date[]),
  analytics.ad_running_window(date, date, text[]), analytics.ad_live_corrections(date, date, text[], text)
  to service_role;
