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

-- funnel_report_json stays callable by service_role directly (scripts, analysts): every helper it
-- reaches is granted to that role.
grant execute on function analytics.plausible_instants(), analytics.spend_data_accounts(date, date),
  analytics.visible_teams(), analytics.ratio(numeric, numeric, integer) to service_role;
