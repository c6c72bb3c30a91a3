-- Views for SQL analysts over the ad and cohort facts and the people, like analyst_views.sql:
-- business days and team buckets already computed, names current, security_invoker (a view reads
-- with its caller's rights). They read the caches plus the days written since (never stale);
-- for a narrow range of days, analytics.ad_rows(from, until) and analytics.cohort_rows(from,
-- until) read only those days.

create view analytics.ad_performance with (security_invoker = true) as
  with facts as (
    select * from analytics.ad_rows('-infinity', 'infinity')
  ),

  final as (
    select f.day,
           f.model,
           f.team_id as team,
           nullif(f.campaign_id, '') as campaign_id,
           c.name as campaign_name,
           nullif(f.adset_id, '') as adset_id,
           s.name as adset_name,
           nullif(f.ad_id, '') as ad_id,
           a.name as ad_name,
           coalesce(a.ad_account_id, s.ad_account_id, c.ad_account_id) as ad_account_id,
           round(f.spend, 2) as spend,
           f.spend_rows_missing_rate > 0 as spend_rate_missing,
           f.impressions,
           f.clicks,
           f.leads,
           f.express_purchases,
           round(f.express_revenue, 2) as express_revenue,
           f.flagman_purchases,
           round(f.flagman_revenue, 2) as flagman_revenue,
           f.sale_rows_missing_rate > 0 as revenue_rate_missing
    from facts as f
    left join voronka.fb_ad_object as c on c.level = 'campaign' and c.id = f.campaign_id
    left join voronka.fb_ad_object as s on s.level = 'adset' and s.id = f.adset_id
    left join voronka.fb_ad_object as a on a.level = 'ad' and a.id = f.ad_id
  )

  select * from final;

comment on view analytics.ad_performance is 'ad_report''s facts per day, model, team and Facebook ad (ad set, campaign; null ids = what the UTM tags did not name): spend (model ''any'') and leads (''any''), purchases and revenue per model (last_touch, first_touch), in the reporting currency with each day''s rate. Sum per model in (''any'', <model>) to get a report''s figures.';

create view analytics.people with (security_invoker = true) as
  with final as (
    select p.id as person_id,
           p.first_lead_at,
           analytics.business_day(p.first_lead_at) as first_lead_day,
           date_trunc('month', analytics.business_day(p.first_lead_at)::timestamp)::date as cohort_month,
           coalesce(fl.team_id, 'unattributed') as first_lead_team,
           fl.fb_ad_id as first_lead_ad_id,
           (select count(*) from voronka.lead as l where l.person_id = p.id) as leads,
           (select array_agg(distinct pi.kind order by pi.kind) from voronka.person_identity as pi
            where pi.person_id = p.id) as identified_by,
           (select count(*) from voronka.amocrm_deal as d join voronka.sale as s on s.deal_id = d.id
            where d.person_id = p.id and s.voided_at is null and s.product_id = 'express') as express_purchases,
           (select count(*) from voronka.amocrm_deal as d join voronka.sale as s on s.deal_id = d.id
            where d.person_id = p.id and s.voided_at is null and s.product_id = 'flagman') as flagman_purchases
    from voronka.person as p
    left join voronka.lead as fl on fl.id = p.first_lead_id
  )

  select * from final;

comment on view analytics.people is 'Every person (voronka.person): first lead (instant, business day, cohort month, team, ad), how many leads, what identifies them (phone, email, amocrm_contact: hashes only, never the values) and their counted Express and Flagman purchases.';

create view analytics.cohorts with (security_invoker = true) as
  with facts as (
    select date_trunc('month', r.entry_day::timestamp)::date as cohort_month, r.*
    from analytics.cohort_rows('-infinity', 'infinity') as r
  ),

  final as (
    select f.cohort_month,
           m.model,
           f.team_id as team,
           coalesce(sum(f.persons) filter (where f.kind = 'people'), 0) as people,
           coalesce(sum(f.persons) filter (where f.kind = 'first_buy' and f.product_id = 'express'
                                                  and f.model = m.model), 0) as express_buyers,
           coalesce(sum(f.persons) filter (where f.kind = 'first_buy' and f.product_id = 'flagman'
                                                  and f.model = m.model), 0) as flagman_buyers,
           -- A sale without a rate makes the sum unknown, never a partial sum.
           case when bool_and(fx.rate is not null) filter (where f.kind = 'revenue' and f.model = m.model) is not false
                then coalesce(round(sum(f.amount * fx.rate) filter (where f.kind = 'revenue' and f.model = m.model), 2), 0)
           end as revenue_to_date
    from facts as f
    cross join lateral (select case when f.kind = 'revenue' then analytics.reporting_rate(f.currency, f.sale_day) end
                        as rate) as fx
    cross join (values ('first_touch'), ('last_touch')) as m (model)
    where f.model in ('any', m.model)
    group by 1, 2, 3
  )

  select * from final;

comment on view analytics.cohorts is 'Monthly lead cohorts per attribution model and team: people whose first lead was that month (business zone), Express and Flagman buyers and revenue to date (reporting currency; null when a sale''s day has no rate). public.cohort_report adds spend, horizons, payback and lags.';

revoke all on analytics.ad_performance, analytics.people, analytics.cohorts from public, anon, authenticated;
grant select on analytics.ad_performance, analytics.people, analytics.cohorts to service_role;
