-- Views for SQL analysts: the facts behind the funnel, one row per sale, lead and ad-day, with the
-- business day already computed in the business time zone (no hand-written time zone arithmetic,
-- the mistake that hid the old system's sales) and the team bucket named as reports name it.
-- security_invoker: a view reads with its caller's rights, so it never widens access.
create view analytics.sales with (security_invoker = true) as
  with final as (
    select s.deal_id,
           s.product_id,
           s.amount,
           s.currency,
           s.won_at,
           analytics.business_day(s.won_at) as business_day,
           coalesce(d.team_id, 'unattributed') as team,
           s.voided_at is null as counts,
           s.voided_at,
           s.void_reason,
           d.pipeline_id,
           d.status_id,
           d.utm_source,
           d.utm_campaign
    from voronka.sale as s
    join voronka.amocrm_deal as d on d.id = s.deal_id
  )
  select * from final;

comment on view analytics.sales is 'Every sale with its business day (business time zone), team ("unattributed" when no rule matched) and whether it counts (voided sales are kept for audit). Filter on business_day, not on won_at::date.';

create view analytics.leads with (security_invoker = true) as
  with final as (
    select l.id,
           l.source,
           l.external_id,
           l.occurred_at,
           analytics.business_day(l.occurred_at) as business_day,
           coalesce(l.team_id, 'unattributed') as team,
           l.utm_source,
           l.utm_medium,
           l.utm_campaign,
           l.utm_content,
           l.utm_term,
           l.amocrm_deal_id
    from voronka.lead as l
  )
  select * from final;

comment on view analytics.leads is 'Every lead with its business day (business time zone) and team ("unattributed" when no rule matched).';

create view analytics.ad_spend with (security_invoker = true) as
  with settings as (
    select s.reporting_currency from voronka.setting as s
  ),
  final as (
    select i.date_start as day,
           a.timezone_name as day_time_zone,
           i.ad_account_id,
           a.name as ad_account_name,
           coalesce(a.team_id, 'unattributed') as team,
           i.campaign_id,
           i.campaign_name,
           i.adset_id,
           i.adset_name,
           i.ad_id,
           i.ad_name,
           i.spend,
           i.currency,
           -- Same rule as the reports: that day's rate, never an assumed one.
           round(i.spend * fx.rate, 2) as spend_reporting,
           settings.reporting_currency,
           fx.rate is null as rate_missing,
           i.impressions,
           i.clicks,
           i.synced_at
    from voronka.fb_ad_insight as i
    join voronka.fb_ad_account as a on a.id = i.ad_account_id
    cross join settings
    cross join lateral (select analytics.reporting_rate(i.currency, i.date_start) as rate) as fx
  )
  select * from final;

comment on view analytics.ad_spend is 'Facebook spend per ad and day with names, owning team, and spend converted to the reporting currency with that day''s rate (null and rate_missing = true when there is none). day is a calendar day in day_time_zone, the ad account''s zone.';
revoke all on analytics.sales, analytics.leads, analytics.ad_spend from public, anon, authenticated;
grant select on analytics.sales, analytics.leads, analytics.ad_spend to service_role;
