-- Silent gaps become visible. analytics.data_health_checks is the one definition of every data
-- health check (inbox failures, deals awaiting enrichment, won deals without a product, UTM
-- coverage, spend without leads and leads without spend, values set aside, implausible
-- timestamps, Facebook sync errors, analytics refresh age). public.data_health returns all of
-- them; funnel_report adds the ones that are not ok and bear on its numbers to its warnings.
-- A team with leads but no spend rows in the window does not show spend 0 and a CPL of 0.00
-- (free leads): its spend and every spend-based figure are null, with the warning no_spend_data.
-- The check catalogues below (and lead_source_rows, spend_data_accounts) are PL/pgSQL, one `return
-- query` each, for one reason: PL/pgSQL keeps a statement's plan for the session, where a language
-- sql function's statements are planned again on every call (~1 ms per catalogue, about half the
-- checks' time in every report). force_generic_plan: the plan made without the arguments, as the
-- sql functions had it; custom plans would be made again on every call (a team's list of teams
-- made them look cheaper than the generic one).


-- Leads per business day, team, source and whether their tags name a Facebook object: what the
-- attribution checks count. Cached like the funnel's facts (a report's warnings would otherwise
-- read every lead of the window) and refreshed with them; the lead triggers that mark stale days
-- cover every change (15_analytics_facts.sql).
create function analytics.lead_source_facts(p_from date, p_until date)
returns table (day date, team_id text, source text, ad_matched boolean, leads bigint)
language sql
stable
set search_path = ''
as $$
  select bd.day, coalesce(l.team_id, 'unattributed'), l.source, l.fb_campaign_id is not null, count(*)
  from analytics.instant_days(p_from, p_until) as bd
  join voronka.lead as l on l.occurred_at >= bd.starts_at and l.occurred_at < bd.ends_at
  group by 1, 2, 3, 4
$$;
comment on function analytics.lead_source_facts(date, date) is 'Leads per business day, team ("unattributed" when none), source and whether their UTM tags matched a Facebook campaign, ad set or ad.';

create table analytics.lead_source_analytics (
  day date not null,
  team_id text not null,
  source text not null,
  ad_matched boolean not null,
  leads bigint not null,
  primary key (day, team_id, source, ad_matched)
);

comment on table analytics.lead_source_analytics is 'Cache of analytics.lead_source_facts over all days, refreshed with funnel_analytics; days written since are in analytics.stale_day.';
alter table analytics.lead_source_analytics enable row level security;
grant select on analytics.lead_source_analytics to service_role;

-- Cached days, and the days written since the refresh live (as analytics.funnel_rows).
create function analytics.lead_source_rows(p_from date, p_until date)
returns setof analytics.lead_source_analytics
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
    select ls.*
    from analytics.lead_source_analytics as ls
    where ls.day between p_from and p_until
      and not exists (select 1 from live_runs as lr where ls.day between lr.run_from and lr.run_until)
  ),

  from_tables as (
    select facts.*
    from live_runs as lr
    cross join lateral analytics.lead_source_facts(lr.run_from, lr.run_until) as facts
  )

  select * from from_cache
  union all
  select * from from_tables;
end
$$;
comment on function analytics.lead_source_rows(date, date) is 'Leads per day, team, source and ad match for a range of business days: from lead_source_analytics where it is current, live from the tables where it is not.';
revoke execute on function analytics.lead_source_facts(date, date), analytics.lead_source_rows(date, date) from public;
grant execute on function analytics.lead_source_facts(date, date), analytics.lead_source_rows(date, date) to service_role;

-- Which teams have any Facebook spend rows in a window, and through which ad accounts. No rows
-- at all is not "spend 0": it is no data.
create function analytics.spend_data_accounts(p_from date, p_until date)
returns table (team_id text, ad_account_id text, has_spend boolean)
language plpgsql
stable
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
begin
  return query
  with accounts as (
    select coalesce(a.team_id, 'unattributed') as team_id,
           a.id as ad_account_id,
           -- An account with spend has rows: the second probe only for accounts without spend.
           spending.has_spend
             or exists (select 1 from voronka.fb_ad_insight as i
                        where i.ad_account_id = a.id and i.date_start between p_from and p_until) as has_rows,
           spending.has_spend
    from voronka.fb_ad_account as a
    -- The account's rows in date order until one has spend ("offset 0" keeps the account's
    -- index: planned as one query, the day index was read with the account as a filter).
    cross join lateral (
      select exists (select 1
                     from (select i.spend from voronka.fb_ad_insight as i
                           where i.ad_account_id = a.id and i.date_start between p_from and p_until offset 0)
                          as account_rows
                     where account_rows.spend > 0) as has_spend
      offset 0
    ) as spending
  ),

  final as (
    select accounts.team_id, accounts.ad_account_id, accounts.has_spend
    from accounts
    where accounts.has_rows
  )

  select * from final;
end
$$;

comment on function analytics.spend_data_accounts(date, date) is 'Ad accounts with Facebook insight rows on the days p_from..p_until (account-local days, as reports count them), their team ("unattributed" when none) and whether any row has spend > 0. A team absent here has no spend data for the window.';

-- Checks of the pipeline itself, without a team: amoCRM webhooks that failed or wait, lead-capture requests rejected, the analytics refresh age.
-- A catalogue: each check is one CTE and one branch of `checks`, so the function is as long as
-- its checks are many; a check is read (and changed) in one place.
create function analytics.operations_health_checks(p_from date, p_until date, p_global boolean)
returns table (check_order integer, code text, applies boolean, in_report boolean, severity text, count bigint, message text, extra jsonb)
language plpgsql
stable
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
begin
  return query
  with bounds as materialized (
    -- Materialized: inlined, the two function calls would run once per row they filter.
    select analytics.business_day_start(p_from) as from_at, analytics.business_day_start(p_until + 1) as until_at
  ),

  -- Global checks (no team): only for callers who see every team.
  webhook_failed as (
    select count(*) as n, min(e.received_at) as oldest,
           (array_agg(e.id order by e.id desc))[1:10] as sample_ids
    from inbox.amocrm_webhook_event as e
    where p_global and e.status = 'failed'
  ),

  webhook_pending as (
    select count(*) as n, min(e.received_at) as oldest,
           (array_agg(e.id order by e.id desc))[1:10] as sample_ids
    from inbox.amocrm_webhook_event as e
    where p_global and e.status = 'pending'
  ),

  capture_rejected as (
    select count(*) as n, (array_agg(e.id order by e.id desc))[1:10] as sample_ids
    from inbox.lead_capture_event as e
    cross join bounds
    where p_global and e.status = 'rejected'
      and e.received_at >= bounds.from_at and e.received_at < bounds.until_at
  ),

  refresh_log as (
    select max(fr.refreshed_at) as refreshed_at from analytics.funnel_refresh as fr where p_global
  ),

  checks as (
    select 1 as position, 'amocrm_webhook_failed' as code, p_global as applies, true as in_report,
           case when w.n > 0 then 'error' else 'ok' end as severity,
           w.n as count,
           case when w.n > 0
                then format('%s amoCRM webhook(s) could not be processed (oldest received %s): their deal changes are missing. Fix the cause, then npm run amocrm:replay -- --failed.', w.n, w.oldest)
                else 'Every stored amoCRM webhook was processed.' end as message,
           jsonb_build_object('sample_ids', coalesce(to_jsonb(w.sample_ids), '[]'::jsonb), 'oldest_received_at', w.oldest) as extra
    from webhook_failed as w
    union all
    select 2, 'amocrm_webhook_pending', p_global, true,
           case when w.n > 0 then 'warning' else 'ok' end, w.n,
           case when w.n > 0
                then format('%s amoCRM webhook(s) are stored but not processed (oldest received %s). Run npm run amocrm:replay.', w.n, w.oldest)
                else 'No amoCRM webhook is waiting to be processed.' end,
           jsonb_build_object('sample_ids', coalesce(to_jsonb(w.sample_ids), '[]'::jsonb), 'oldest_received_at', w.oldest)
    from webhook_pending as w
    union all
    select 3, 'lead_capture_rejected', p_global, true,
           case when c.n > 0 then 'warning' else 'ok' end, c.n,
           case when c.n > 0
                then format('%s lead-capture request(s) in the window were rejected as invalid (the sender got 400): those leads are not counted. See inbox.lead_capture_event.error.', c.n)
                else 'No lead-capture request in the window was rejected.' end,
           jsonb_build_object('sample_ids', coalesce(to_jsonb(c.sample_ids), '[]'::jsonb))
    from capture_rejected as c
    union all
    select 14, 'analytics_refresh_age', p_global, false,
           case when r.refreshed_at is null or r.refreshed_at < now() - interval '1 hour' then 'warning' else 'ok' end,
           case when r.refreshed_at is null or r.refreshed_at < now() - interval '1 hour' then 1 else 0 end,
           case when r.refreshed_at is null
                then 'analytics.funnel_analytics has never been refreshed: reports compute every day live (slower, still correct). Schedule analytics.refresh_funnel_analytics().'
                when r.refreshed_at < now() - interval '1 hour'
                then format('analytics.funnel_analytics was last refreshed at %s, more than an hour ago: reports stay correct (written days are computed live) but get slower. Check the refresh job.', r.refreshed_at)
                else format('analytics.funnel_analytics was refreshed at %s.', r.refreshed_at) end,
           jsonb_build_object('refreshed_at', r.refreshed_at,
                              'age_seconds', round(extract(epoch from now() - r.refreshed_at)))
    from refresh_log as r
  )

  select * from checks;
end
$$;
comment on function analytics.operations_health_checks(date, date, boolean) is 'Data health checks (operations) as rows of analytics.data_health_checks: check_order, code, whether it applies, in_report, severity, count, message and extra detail.';

-- Checks of amoCRM deals in scope: deals waiting for an API read, won deals without a product, values set aside.
-- A catalogue: each check is one CTE and one branch of `checks`, so the function is as long as
-- its checks are many; a check is read (and changed) in one place.
create function analytics.amocrm_health_checks(p_from date, p_until date, p_teams text[])
returns table (check_order integer, code text, applies boolean, in_report boolean, severity text, count bigint, message text, extra jsonb)
language plpgsql
stable
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
begin
  return query
  with bounds as materialized (
    -- Materialized: inlined, the two function calls would run once per row they filter.
    select analytics.business_day_start(p_from) as from_at, analytics.business_day_start(p_until + 1) as until_at
  ),

  -- Team-scoped checks. Each reads only the deals it is about, through its own partial index
  -- (amocrm_deals.sql): a scan of every deal for three checks cost more than the rest of a report.
  counting_sale as (
    select s.deal_id from voronka.sale as s where s.voided_at is null
  ),

  enrichment as (
    select count(*) as n,
           count(*) filter (where d.status_id = 142 and not d.is_deleted
                              and not exists (select 1 from counting_sale as cs where cs.deal_id = d.id)) as won_without_sale,
           min(d.amo_updated_at) as oldest,
           (array_agg(d.id order by d.id))[1:10] as sample_ids
    from voronka.amocrm_deal as d
    where d.needs_enrichment and (p_teams is null or coalesce(d.team_id, 'unattributed') = any (p_teams))
  ),

  -- Won, not waiting for the API, yet no product: the pipeline (or price band) maps to none.
  -- A sale voided for another reason (lost, reopened, deleted) is not a missing product.
  won_in_window as materialized (
    select d.id, d.pipeline_id, d.price
    from voronka.amocrm_deal as d
    -- not has_mapped_sale: the index of won deals without one (sales.sql keeps the flag), so the
    -- window's few such deals are read instead of every won deal probed for its sale. The
    -- probe stays: the flag narrows what is read, the sale table decides.
    where d.status_id = 142 and not d.is_deleted and not d.needs_enrichment and not d.has_mapped_sale
      and coalesce(d.won_at, d.amo_updated_at) >= (select bounds.from_at from bounds)
      and coalesce(d.won_at, d.amo_updated_at) < (select bounds.until_at from bounds)
      and (p_teams is null or coalesce(d.team_id, 'unattributed') = any (p_teams))
      and not exists (select 1 from voronka.sale as s
                      where s.deal_id = d.id and (s.voided_at is null or s.void_reason <> 'unmapped'))
  ),

  -- A separate step so the product rules are looked up only for the window's won deals.
  won_unmapped as (
    select count(*) as n,
           (array_agg(w.id order by w.id))[1:10] as sample_ids,
           to_jsonb(array_agg(distinct w.pipeline_id)) as pipeline_ids
    from won_in_window as w
    where voronka.resolve_product(w.pipeline_id, w.price) is null
  ),

  deals_with_issues as (
    select d.id, d.data_issues
    from voronka.amocrm_deal as d
    where d.data_issues <> '[]'::jsonb
      and jsonb_typeof(d.data_issues) = 'array' and jsonb_array_length(d.data_issues) > 0
      and (p_teams is null or coalesce(d.team_id, 'unattributed') = any (p_teams))
  ),

  issue_codes as (
    select issue ->> 'code' as code, count(distinct dwi.id) as deals
    from deals_with_issues as dwi
    cross join lateral jsonb_array_elements(dwi.data_issues) as issue
    group by 1
  ),

  set_aside as (
    select count(*) as n,
           (array_agg(dwi.id order by dwi.id))[1:10] as sample_ids,
           (select jsonb_object_agg(ic.code, ic.deals) from issue_codes as ic) as by_code
    from deals_with_issues as dwi
  ),

  checks as (
    select 4, 'amocrm_deal_needs_enrichment', true, true,
           case when e.won_without_sale > 0 then 'error' when e.n > 0 then 'warning' else 'ok' end, e.n,
           case when e.n > 0
                then format('%s amoCRM deal(s) arrived as minimal webhooks and still wait to be read through the amoCRM API (since %s); %s of them won without a sale yet. Check the amoCRM API token and the reconciliation.', e.n, e.oldest, e.won_without_sale)
                else 'No amoCRM deal waits to be read through the API.' end,
           jsonb_build_object('won_without_sale', e.won_without_sale, 'sample_ids', coalesce(to_jsonb(e.sample_ids), '[]'::jsonb),
                              'oldest_updated_at', e.oldest)
    from enrichment as e
    union all
    select 5, 'won_deal_without_product', true, true,
           case when u.n > 0 then 'error' else 'ok' end, u.n,
           case when u.n > 0
                then format('%s amoCRM deal(s) won in the window are in a pipeline (or price band) that maps to no product (pipelines %s): they are not counted as sales. Add a voronka.product_rule.', u.n, u.pipeline_ids)
                else 'Every deal won in the window maps to a product.' end,
           jsonb_build_object('sample_ids', coalesce(to_jsonb(u.sample_ids), '[]'::jsonb), 'pipeline_ids', coalesce(u.pipeline_ids, '[]'::jsonb))
    from won_unmapped as u
    union all
    select 9, 'amocrm_values_set_aside', true, true,
           case when v.n > 0 then 'warning' else 'ok' end, v.n,
           case when v.n > 0
                then format('%s amoCRM deal(s) carry values that were set aside as unusable (%s): those fields are treated as unknown. See voronka.amocrm_deal.data_issues.', v.n, v.by_code)
                else 'No amoCRM value was set aside.' end,
           jsonb_build_object('by_code', coalesce(v.by_code, '{}'::jsonb), 'sample_ids', coalesce(to_jsonb(v.sample_ids), '[]'::jsonb))
    from set_aside as v
  )

  select * from checks;
end
$$;
comment on function analytics.amocrm_health_checks(date, date, text[]) is 'Data health checks (amocrm) as rows of analytics.data_health_checks: check_order, code, whether it applies, in_report, severity, count, message and extra detail.';

-- Checks that leads, sales and spend meet: UTM coverage, spend without leads, leads without spend data, implausible
-- times, leads matched to Facebook ads.
-- A catalogue: each check is one CTE and one branch of `checks`, so the function is as long as
-- its checks are many; a check is read (and changed) in one place.
create function analytics.attribution_health_checks(p_from date, p_until date, p_teams text[])
returns table (check_order integer, code text, applies boolean, in_report boolean, severity text, count bigint, message text, extra jsonb)
language plpgsql
stable
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
begin
  return query
  with teams_in_scope as (
    select tis.team_id from analytics.teams_in_scope(p_teams) as tis
  ),

  -- Team-scoped checks.
  -- The limits as expressions, not a join: index conditions on won_at / occurred_at (two short
  -- range scans), where a join would filter every row.
  -- Materialized so the sales are found first (through the index), then their deals' teams.
  implausible_sale_rows as materialized (
    select s.deal_id
    from voronka.sale as s
    where s.voided_at is null
      and (s.won_at < (analytics.plausible_instants()).earliest or s.won_at > (analytics.plausible_instants()).latest)
  ),

  implausible_sales as (
    select count(*) as n, (array_agg(s.deal_id order by s.deal_id))[1:10] as sample_ids
    from implausible_sale_rows as s
    join voronka.amocrm_deal as d on d.id = s.deal_id
    where p_teams is null or coalesce(d.team_id, 'unattributed') = any (p_teams)
  ),

  implausible_leads as (
    select count(*) as n, (array_agg(l.id order by l.id))[1:10] as sample_ids
    from voronka.lead as l
    where (l.occurred_at < (analytics.plausible_instants()).earliest or l.occurred_at > (analytics.plausible_instants()).latest)
      and (p_teams is null or coalesce(l.team_id, 'unattributed') = any (p_teams))
  ),

  -- The window's leads as counts per team, source and ad match (cached daily counts).
  window_leads as materialized (
    select ls.source, ls.team_id, ls.ad_matched, ls.leads
    from analytics.lead_source_rows(p_from, p_until) as ls
    where p_teams is null or ls.team_id = any (p_teams)
  ),

  lead_coverage as (
    select wl.source, sum(wl.leads) as total, coalesce(sum(wl.leads) filter (where wl.team_id <> 'unattributed'), 0)
             as attributed
    from window_leads as wl
    group by wl.source
  ),

  -- Counted sales of the window per team: the funnel's cached facts (every sale is an Express or a
  -- Flagman).
  sale_coverage as (
    select coalesce(sum(fr.express_purchases + fr.flagman_purchases), 0)::bigint as total,
           coalesce(sum(fr.express_purchases + fr.flagman_purchases) filter (where fr.team_id <> 'unattributed'), 0)::bigint
             as attributed
    from analytics.funnel_rows(p_from, p_until) as fr
    where p_teams is null or fr.team_id = any (p_teams)
  ),

  coverage as (
    select coalesce((select sum(lc.total - lc.attributed) from lead_coverage as lc), 0)::bigint
             + (select sc.total - sc.attributed from sale_coverage as sc) as n,
           coalesce((select jsonb_agg(jsonb_build_object('source', lc.source, 'total', lc.total,
                                                         'attributed', lc.attributed,
                                                         'share', analytics.ratio(lc.attributed, lc.total, 4))
                                      order by lc.source)
                     from lead_coverage as lc), '[]'::jsonb) as leads,
           (select jsonb_build_object('total', sc.total, 'attributed', sc.attributed,
                                      'share', analytics.ratio(sc.attributed, sc.total, 4))
            from sale_coverage as sc) as sales
  ),

  spend_accounts as (
    select sda.*
    from analytics.spend_data_accounts(p_from, p_until) as sda
    join teams_in_scope as tis on tis.team_id = sda.team_id
  ),

  leads_per_team as materialized (
    select wl.team_id, sum(wl.leads) as leads from window_leads as wl group by wl.team_id
  ),

  team_figures as (
    select tis.team_id,
           coalesce((select lpt.leads from leads_per_team as lpt where lpt.team_id = tis.team_id), 0) as leads,
           exists (select 1 from spend_accounts as sa where sa.team_id = tis.team_id) as has_spend_data,
           (select array_agg(sa.ad_account_id order by sa.ad_account_id) from spend_accounts as sa
             where sa.team_id = tis.team_id and sa.has_spend) as spending_accounts
    from teams_in_scope as tis
  ),

  spend_without_leads as (
    select count(*) as n,
           coalesce(jsonb_agg(jsonb_build_object('team', tf.team_id, 'ad_account_ids', to_jsonb(tf.spending_accounts))
                              order by tf.team_id), '[]'::jsonb) as teams
    from team_figures as tf
    where tf.spending_accounts is not null and tf.leads = 0
  ),

  -- Leads without spend rows. The unattributed bucket is organic traffic as often as not: it is
  -- named only when no team in scope has spend data (then the report's spend figures are null).
  no_spend as (
    select count(*) as n,
           coalesce(jsonb_agg(jsonb_build_object('team', tf.team_id, 'leads', tf.leads)
                              order by tf.team_id = 'unattributed', tf.team_id), '[]'::jsonb) as teams,
           coalesce(string_agg(tf.team_id, ', ' order by tf.team_id = 'unattributed', tf.team_id), '') as names
    from team_figures as tf
    where tf.leads > 0 and not tf.has_spend_data
      and (tf.team_id <> 'unattributed' or not exists (select 1 from team_figures as o where o.has_spend_data))
  ),

  -- Leads whose UTM tags name a Facebook campaign, ad set or ad (ad_attribution.sql), per team.
  -- Below half is a warning: ad_report then credits most leads to no ad (its "unmatched" row).
  ad_match as (
    select coalesce(sum(m.total), 0)::bigint as total, coalesce(sum(m.matched), 0)::bigint as matched,
           coalesce(jsonb_agg(jsonb_build_object('team', m.team_id, 'total', m.total, 'matched', m.matched,
                                                 'rate', analytics.ratio(m.matched, m.total, 4))
                              order by m.team_id = 'unattributed', m.team_id), '[]'::jsonb) as teams
    from (select wl.team_id, sum(wl.leads) as total, coalesce(sum(wl.leads) filter (where wl.ad_matched), 0) as matched
          from window_leads as wl group by wl.team_id) as m
  ),

  checks as (
    select 15, 'ad_match_rate', true, false,
           case when m.total > 0 and m.matched * 2 < m.total then 'warning' else 'ok' end,
           case when m.total > 0 and m.matched * 2 < m.total then m.total - m.matched else 0 end,
           case when m.total = 0 then 'No leads in the window.'
                when m.matched * 2 < m.total
                then format('Only %s of %s lead(s) in the window (%s%%) name a known Facebook ad, ad set or campaign in their UTM tags: ad_report counts the rest as unmatched. Check the ads'' URL parameters ({{ad.id}} in utm_content by default) or voronka.ad_utm_param.',
                            m.matched, m.total, round(100.0 * m.matched / m.total, 1))
                else format('%s of %s lead(s) in the window (%s%%) are matched to a Facebook ad, ad set or campaign.',
                            m.matched, m.total, round(100.0 * m.matched / m.total, 1)) end,
           jsonb_build_object('total', m.total, 'matched', m.matched, 'rate', analytics.ratio(m.matched, m.total, 4),
                              'teams', m.teams)
    from ad_match as m
    union all
    select 6, 'utm_coverage', true, false,
           case when c.n > 0 then 'warning' else 'ok' end, c.n,
           case when c.n > 0
                then format('%s lead(s) and sale(s) in the window match no team''s UTM rule: they are counted as "unattributed". Add voronka.team_utm_rule rows or fix the landing''s UTM tags.', c.n)
                else 'Every lead and sale in the window is attributed to a team.' end,
           jsonb_build_object('leads', c.leads, 'sales', c.sales)
    from coverage as c
    union all
    select 7, 'spend_without_leads', true, true,
           case when s.n > 0 then 'warning' else 'ok' end, s.n,
           case when s.n > 0
                then format('%s team(s) spent in the window but have no leads: %s. Check their UTM tags and lead flow, or the ad accounts'' owners.', s.n,
                            (select string_agg(t ->> 'team', ', ') from jsonb_array_elements(s.teams) as t))
                else 'Every team that spent in the window has leads.' end,
           jsonb_build_object('teams', s.teams)
    from spend_without_leads as s
    union all
    select 8, 'no_spend_data', true, true,
           case when s.n > 0 then 'warning' else 'ok' end, s.n,
           case when s.n > 0
                then format('No Facebook spend rows in the window for %s, which have leads: their spend, CPL and cost per purchase are unknown (null), not 0. Assign their ad accounts (public.assign_facebook_ad_account) or check the sync.', s.names)
                else 'Every team with leads in the window has spend data.' end,
           jsonb_build_object('teams', s.teams)
    from no_spend as s
    union all
    select 10, 'implausible_time', true, true,
           case when s.n + l.n > 0 then 'warning' else 'ok' end, s.n + l.n,
           case when s.n + l.n > 0
                then format('%s sale(s) and %s lead(s) have a time before 2000 or more than a day in the future: they are in no window and never count as the latest sale or lead.', s.n, l.n)
                else 'Every sale and lead has a plausible time.' end,
           jsonb_build_object('sales', jsonb_build_object('count', s.n, 'sample_deal_ids', coalesce(to_jsonb(s.sample_ids), '[]'::jsonb)),
                              'leads', jsonb_build_object('count', l.n, 'sample_ids', coalesce(to_jsonb(l.sample_ids), '[]'::jsonb)))
    from implausible_sales as s cross join implausible_leads as l
  )

  select * from checks;
end
$$;
comment on function analytics.attribution_health_checks(date, date, text[]) is 'Data health checks (attribution) as rows of analytics.data_health_checks: check_order, code, whether it applies, in_report, severity, count, message and extra detail.';

-- Checks of the Facebook sync: its age, accounts that did not sync, failed runs (the last only when p_global).
-- A catalogue: each check is one CTE and one branch of `checks`, so the function is as long as
-- its checks are many; a check is read (and changed) in one place.
create function analytics.facebook_health_checks(p_from date, p_until date, p_teams text[], p_global boolean)
returns table (check_order integer, code text, applies boolean, in_report boolean, severity text, count bigint, message text, extra jsonb)
language plpgsql
stable
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
begin
  return query
  with settings as (
    select s.facebook_sync_stale_after from voronka.setting as s
  ),

  bounds as materialized (
    -- Materialized: inlined, the two function calls would run once per row they filter.
    select analytics.business_day_start(p_from) as from_at, analytics.business_day_start(p_until + 1) as until_at
  ),

  fb_runs_failed as (
    select count(*) as n, (array_agg(r.id order by r.id desc))[1:10] as sample_ids,
           (array_agg(r.message order by r.id desc))[1] as last_message
    from voronka.fb_sync_run as r
    cross join bounds
    where p_global and r.status = 'failed'
      and r.started_at >= bounds.from_at and r.started_at < bounds.until_at
  ),

  fb_last_run as (
    select r.status
    from voronka.fb_sync_run as r
    where r.status <> 'running'
    order by r.started_at desc, r.id desc
    limit 1
  ),

  account_errors as (
    select count(*) as n,
           coalesce(jsonb_agg(jsonb_build_object('ad_account_id', a.id, 'team', coalesce(a.team_id, 'unattributed'),
                                                 'error', a.last_sync_error, 'throttled_until', a.throttled_until)
                              order by a.id), '[]'::jsonb) as accounts
    from voronka.fb_ad_account as a
    where a.is_visible
      and (a.last_sync_error is not null or a.throttled_until > now())
      and (p_teams is null or coalesce(a.team_id, 'unattributed') = any (p_teams))
  ),

  fb_sync as (
    select (select max(run.finished_at) from voronka.fb_sync_run as run
             where run.status in ('succeeded', 'partial')) as last_synced_at,
           exists (select 1 from voronka.fb_ad_account as a where a.is_visible) as has_ad_accounts
  ),

  checks as (
    select 11, 'stale_facebook_sync', true, true,
           case when f.has_ad_accounts
                     and (f.last_synced_at is null or f.last_synced_at < now() - settings.facebook_sync_stale_after)
                then 'warning' else 'ok' end,
           case when f.has_ad_accounts
                     and (f.last_synced_at is null or f.last_synced_at < now() - settings.facebook_sync_stale_after)
                then 1 else 0 end,
           case when not f.has_ad_accounts then 'No Facebook ad account is known yet.'
                when f.last_synced_at is null then 'No successful Facebook sync is recorded: spend may be missing.'
                when f.last_synced_at < now() - settings.facebook_sync_stale_after
                then format('The last successful Facebook sync finished at %s, more than %s ago: recent spend may be missing.',
                            f.last_synced_at, settings.facebook_sync_stale_after)
                else format('The last successful Facebook sync finished at %s.', f.last_synced_at) end,
           jsonb_build_object('last_synced_at', f.last_synced_at)
    from fb_sync as f cross join settings
    union all
    select 12, 'facebook_account_errors', true, true,
           case when a.n > 0 then 'warning' else 'ok' end, a.n,
           case when a.n > 0
                then format('%s ad account(s) did not sync completely (an error, or throttled by Facebook): their recent spend may be missing.', a.n)
                else 'Every visible ad account synced without error.' end,
           jsonb_build_object('ad_accounts', a.accounts)
    from account_errors as a
    union all
    select 13, 'facebook_sync_failed', p_global, false,
           case when r.n > 0 and (select l.status from fb_last_run as l) = 'failed' then 'error'
                when r.n > 0 then 'warning' else 'ok' end,
           r.n,
           case when r.n > 0
                then format('%s Facebook sync run(s) in the window failed; the latest: %s', r.n, coalesce(r.last_message, 'no message'))
                else 'No Facebook sync run failed in the window.' end,
           jsonb_build_object('sample_ids', coalesce(to_jsonb(r.sample_ids), '[]'::jsonb), 'last_run_status', (select l.status from fb_last_run as l))
    from fb_runs_failed as r
  )

  select * from checks;
end
$$;
comment on function analytics.facebook_health_checks(date, date, text[], boolean) is 'Data health checks (facebook) as rows of analytics.data_health_checks: check_order, code, whether it applies, in_report, severity, count, message and extra detail.';

-- The one definition of every data health check: the four catalogues above, in a fixed order,
-- as rows with their detail object.
create function analytics.data_health_checks(p_from date, p_until date, p_teams text[], p_global boolean)
returns table (code text, severity text, in_report boolean, detail jsonb)
language plpgsql
stable
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
begin
  return query
  with checks as (
    select * from analytics.operations_health_checks(p_from, p_until, p_global)
    union all
    select * from analytics.amocrm_health_checks(p_from, p_until, p_teams)
    union all
    select * from analytics.attribution_health_checks(p_from, p_until, p_teams)
    union all
    select * from analytics.facebook_health_checks(p_from, p_until, p_teams, p_global)
  ),

  final as (
    select c.check_order, c.code, c.severity, c.in_report,
           jsonb_build_object('code', c.code, 'severity', c.severity, 'count', c.count, 'message', c.message)
             || c.extra as detail
    from checks as c
    where c.applies
  )

  select final.code, final.severity, final.in_report, final.detail from final order by final.check_order;
end
$$;

comment on function analytics.data_health_checks(date, date, text[], boolean) is 'The one definition of every data health check for the business days p_from..p_until and the teams p_teams (null = all): rows (code, severity ok|warning|error, in_report, detail {code, severity, count, message, ...}). Checks without a team (inbox, lead capture, Facebook runs, refresh age) only when p_global. in_report: funnel_report lists it in warnings when not ok. Used by public.data_health and analytics.funnel_report_json.';

create function public.data_health(p_team text default null, p_days integer default 30, p_until date default null)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_teams text[] := analytics.report_scope(p_team, p_days);
  v_until date := coalesce(p_until, analytics.business_day(now()));
  v_from date := v_until - (p_days - 1);
  v_global boolean := analytics.visible_teams() is null;
begin
  return (
    with teams_in_scope as (
      select tis.team_id from analytics.teams_in_scope(v_teams) as tis
    ),
    checks as (
      select jsonb_agg(c.detail order by c.ordinality) as list,
             case when bool_or(c.severity = 'error') then 'error'
                  when bool_or(c.severity = 'warning') then 'warning' else 'ok' end as status
      from analytics.data_health_checks(v_from, v_until, v_teams, v_global) with ordinality as c
    ),
    final as (
      select jsonb_build_object(
        'window', jsonb_build_object('from', v_from, 'until', v_until, 'days', p_days, 'time_zone', (select s.business_time_zone from voronka.setting as s)),
        'teams', (select jsonb_agg(tis.team_id order by tis.team_id = 'unattributed', tis.team_id) from teams_in_scope as tis),
        'scope', case when v_global then 'all' else 'teams' end,
        'status', checks.status,
        'checks', coalesce(checks.list, '[]'::jsonb),
        'generated_at', now()) as report
      from checks
    )
    select final.report from final
  );
end
$$;

comment on function public.data_health(text, integer, date) is 'What data is missing or suspect for the p_days business-local days ending p_until (default today) and the teams in scope; same arguments and access rules as funnel_report. Checks without a team (inbox, lead capture, Facebook runs, analytics refresh) only for callers who see every team. Shape documented in README.md.';
revoke execute on function analytics.spend_data_accounts(date, date),
  analytics.operations_health_checks(date, date, boolean), analytics.amocrm_health_checks(date, date, text[]),
  analytics.attribution_health_checks(date, date, text[]), analytics.facebook_health_checks(date, date, text[], boolean),
  analytics.data_health_checks(date, date, text[], boolean) from public;
grant execute on function analytics.operations_health_checks(date, date, boolean), analytics.amocrm_health_checks(date, date, text[]),
  analytics.attribution_health_checks(date, date, text[]), analytics.facebook_health_checks(date, date, text[], boolean)
  to service_role;

grant execute on function analytics.data_health_checks(date, date, text[], boolean) to service_role;
revoke execute on function public.data_health(text, integer, date) from public, anon;
grant execute on function public.data_health(text, integer, date) to authenticated, service_role;

-- funnel_report_json stays callable by service_role directly (scripts, analysts): every helper it
-- reaches is granted to that role.
grant execute on function analytics.spend_data_accounts(date, date),
  analytics.visible_teams(), analytics.ratio(numeric, numeric, integer) to service_role;
