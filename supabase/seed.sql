-- Demo data for the local stack: ~60 days of a realistic online school, relative to today in
-- Asia/Almaty so the 30-day report is always populated. Deterministic: "random" numbers come
-- from hashes of stable keys, so every load gives the same figures for the same day.
--
-- Three teams (kenesary, traf4, nurlan) and unattributed traffic; two Business Managers; four ad
-- accounts (USD and KZT, one in America/Los_Angeles, one owned by no team); ad-level insights
-- with names; ProfTest leads with UTMs; Express and Flagman sales from amoCRM deals (one
-- reopened, one lost: both voided); daily USD->KZT rates with one day missing 45 days ago.

create function pg_temp.noise(p_key text) returns numeric
language sql immutable
as $$ select (abs(hashtext(p_key)) % 10000) / 10000.0 $$;

insert into voronka.team (id, name) values
  ('kenesary', 'Kenesary'),
  ('traf4', 'Traf4'),
  ('nurlan', 'Nurlan');

insert into voronka.team_utm_rule (team_id, utm_source, utm_campaign_pattern, priority) values
  ('kenesary', 'kenesary', null, 100),
  ('traf4', 'traf4', null, 100),
  ('nurlan', 'nurlan', null, 100),
  -- A shared source split by campaign naming.
  ('kenesary', 'facebook', 'ken\_%', 50),
  ('nurlan', 'facebook', 'nur\_%', 50);

insert into voronka.amocrm_lead_pipeline (pipeline_id, name) values (7000001, 'ProfTest leads');
insert into voronka.product_rule (product_id, amocrm_pipeline_id) values
  ('express', 7000002),
  ('flagman', 7000003);

insert into voronka.fb_business (id, name) values
  ('100000000000001', 'Voronka School BM'),
  ('100000000000002', 'Partner Agency BM');

insert into voronka.fb_ad_account (id, business_id, name, currency, timezone_name, account_status, team_id) values
  ('200000000000001', '100000000000001', 'Kenesary | USD', 'USD', 'Asia/Almaty', 1, 'kenesary'),
  ('200000000000002', '100000000000001', 'Traf4 | KZT', 'KZT', 'Asia/Almaty', 1, 'traf4'),
  ('200000000000003', '100000000000002', 'Nurlan | USD | LA', 'USD', 'America/Los_Angeles', 1, 'nurlan'),
  ('200000000000004', '100000000000002', 'Agency test account', 'USD', 'Asia/Almaty', 1, null);

with days as (
  select ((now() at time zone 'Asia/Almaty')::date - n) as day
  from generate_series(0, 59) as n
),
accounts as (
  select a.id, a.currency, a.name,
         case a.currency when 'USD' then 60 else 28000 end as base_spend,
         case a.id when '200000000000004' then 2 else 5 end as ads
  from voronka.fb_ad_account as a
),
ads as (
  select accounts.*, ad_no,
         (accounts.id::bigint * 10 + ad_no)::text as ad_id,
         (accounts.id::bigint * 10 + (ad_no + 1) / 2)::text as adset_id,
         (accounts.id::bigint * 10)::text as campaign_id
  from accounts, generate_series(1, accounts.ads) as ad_no
),
rows as (
  select ads.ad_id, days.day, ads.id as ad_account_id,
         format('%s | Video %s', split_part(ads.name, ' |', 1), ads.ad_no) as ad_name,
         ads.adset_id, format('Adset %s | Almaty 25-45', (ads.ad_no + 1) / 2) as adset_name,
         ads.campaign_id, format('%s | ProfTest | Leads', split_part(ads.name, ' |', 1)) as campaign_name,
         ads.currency,
         round(ads.base_spend * (0.5 + pg_temp.noise(ads.ad_id || days.day)), 2) as spend,
         pg_temp.noise('i' || ads.ad_id || days.day) as n_imp
  from ads, days
)
insert into voronka.fb_ad_insight (ad_id, date_start, ad_account_id, ad_name, adset_id, adset_name, campaign_id,
                                   campaign_name, currency, spend, impressions, clicks, inline_link_clicks)
select ad_id, day, ad_account_id, ad_name, adset_id, adset_name, campaign_id, campaign_name, currency, spend,
       (2500 + n_imp * 6000)::bigint,
       ((2500 + n_imp * 6000) * (0.008 + 0.012 * pg_temp.noise('c' || ad_id || day)))::bigint,
       ((2500 + n_imp * 6000) * (0.006 + 0.010 * pg_temp.noise('c' || ad_id || day)))::bigint
from rows;

-- National Bank style daily USD->KZT rates; the day 45 days ago is missing on purpose, so a
-- 60-day report shows the missing-rate warning (the 30-day one is complete).
insert into voronka.exchange_rate (day, currency, quote_currency, rate, source)
select d, 'USD', 'KZT', round((495 + 20 * sin(extract(doy from d)::float8 / 9.0))::numeric + 5 * pg_temp.noise(d::text), 2), 'demo seed'
from generate_series((now() at time zone 'Asia/Almaty')::date - 61, (now() at time zone 'Asia/Almaty')::date, interval '1 day') as g(d)
where d::date <> (now() at time zone 'Asia/Almaty')::date - 45;

-- ProfTest leads: 10-40 a day per source, spread over the Almaty day (08:00-21:00).
with days as (
  select ((now() at time zone 'Asia/Almaty')::date - n) as day
  from generate_series(0, 59) as n
),
sources as (
  select * from (values
    ('kenesary', 'facebook', 'ken_proftest_video'),
    ('traf4', 'traf4', 'traf4_leadform'),
    ('nurlan', 'facebook', 'nur_almaty_25_45'),
    ('instagram_bio', 'instagram', null),
    (null, null, null)
  ) as s(utm_source, utm_medium, utm_campaign)
),
counts as (
  select days.day, sources.*, (10 + 30 * pg_temp.noise(coalesce(sources.utm_source, '-') || days.day))::integer
           / (case when sources.utm_source is null or sources.utm_source = 'instagram_bio' then 4 else 1 end) as n
  from days, sources
)
insert into voronka.lead (source, external_id, occurred_at, utm_source, utm_medium, utm_campaign)
select 'proftest', format('pt-%s-%s-%s', to_char(counts.day, 'YYYYMMDD'), coalesce(counts.utm_source, 'none'), i),
       (counts.day + time '08:00' + (i - 1) * (interval '13 hours' / greatest(counts.n, 1))
         + (pg_temp.noise('m' || counts.day || i) * interval '10 minutes'))::timestamp at time zone 'Asia/Almaty',
       counts.utm_source, counts.utm_medium, counts.utm_campaign
from counts, generate_series(1, counts.n) as i
where (counts.day + time '08:00' + (i - 1) * (interval '13 hours' / greatest(counts.n, 1)))::timestamp at time zone 'Asia/Almaty' <= now();

-- Deals and sales: ~6 % of leads buy the Express Course within two days, ~0.8 % buy the
-- Integrator Flagman 3-10 days later. Only sales already in the past are created.
with candidates as (
  select l.*, pg_temp.noise('buy' || l.external_id) as p
  from voronka.lead as l
),
purchases as (
  select c.id as lead_id, c.utm_source, c.utm_medium, c.utm_campaign, c.occurred_at,
         case when c.p < 0.008 then 'flagman' else 'express' end as product_id,
         case when c.p < 0.008 then 7000003 else 7000002 end as pipeline_id,
         case when c.p < 0.008 then (case when pg_temp.noise('d' || c.id) < 0.3 then 450000 else 490000 end)
              else (case when pg_temp.noise('d' || c.id) < 0.2 then 4900 else 5000 end) end as price,
         c.occurred_at + case when c.p < 0.008 then interval '3 days' + pg_temp.noise('w' || c.id) * interval '7 days'
                              else interval '2 hours' + pg_temp.noise('w' || c.id) * interval '46 hours' end as won_at
  from candidates as c
  where c.p < 0.06
)
insert into voronka.amocrm_deal (id, account_id, name, pipeline_id, status_id, price, amo_created_at, amo_updated_at,
                                 won_at, utm_source, utm_medium, utm_campaign)
select 40000000 + p.lead_id, 31000001, format('%s — lead %s', p.product_id, p.lead_id), p.pipeline_id, 142, p.price,
       p.occurred_at, p.won_at, p.won_at, p.utm_source, p.utm_medium, p.utm_campaign
from purchases as p
where p.won_at <= now();

insert into voronka.sale (deal_id, product_id, amount, currency, won_at)
select d.id, voronka.resolve_product(d.pipeline_id, d.price), d.price, 'KZT', d.won_at
from voronka.amocrm_deal as d;

-- One express deal reopened and one flagman deal lost after winning: kept for audit, not counted.
with reopened as (
  select s.deal_id from voronka.sale as s where s.product_id = 'express' order by s.won_at desc offset 3 limit 1
), lost as (
  select s.deal_id from voronka.sale as s where s.product_id = 'flagman' order by s.won_at desc limit 1
)
update voronka.amocrm_deal as d
   set status_id = case when d.id in (select deal_id from lost) then 143 else 55000001 end,
       amo_updated_at = d.amo_updated_at + interval '1 hour'
 where d.id in (select deal_id from reopened union all select deal_id from lost);

update voronka.sale as s
   set voided_at = d.amo_updated_at,
       void_reason = case d.status_id when 143 then 'lost' else 'reopened' end
  from voronka.amocrm_deal as d
 where d.id = s.deal_id and d.status_id <> 142;

insert into voronka.fb_sync_run (started_at, finished_at, status, accounts_total, accounts_done, rows_upserted, message)
select now(), now(), 'succeeded', 4, 4, (select count(*) from voronka.fb_ad_insight),
       'Demo data loaded by supabase/seed.sql, not a real sync';

select analytics.refresh_funnel_analytics();
