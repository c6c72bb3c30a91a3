-- Demo data for the local stack: ~60 days of a realistic online school, relative to today in
-- Asia/Almaty so the 30-day report is always populated. Deterministic: "random" numbers come
-- from hashes of stable keys, so every load gives the same figures for the same day.
--
-- Three teams (kenesary, traf4, nurlan) and unattributed traffic; two Business Managers; four ad
-- accounts (USD and KZT, one in America/Los_Angeles, one owned by no team); ad-level insights
-- with names; ProfTest leads with UTMs (ad ids in utm_content, as Facebook's {{ad.id}} fills it;
-- nurlan's by {{ad.name}}; about one in ten without: unmatched), each lead a person with a phone;
-- Express and Flagman sales from amoCRM deals of those people (Flagman buyers bought the Express
-- first; one reopened, one lost: both voided); daily USD->KZT rates with one day missing 45 days ago.

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
),
-- The ad a lead came through: one of its team's five ads, the first ones more often; kenesary and
-- traf4 put {{ad.id}} in utm_content, nurlan {{ad.name}}; one lead in ten lost its tag.
tagged as (
  select counts.*, i, 1 + floor(5 * pg_temp.noise('ad' || counts.day || i) ^ 2)::integer as ad_no,
         pg_temp.noise('tag' || counts.day || i) < 0.1 as untagged,
         case counts.utm_source when 'kenesary' then 200000000000001 when 'traf4' then 200000000000002
                                when 'nurlan' then 200000000000003 end as account_id
  from counts, generate_series(1, counts.n) as i
)
insert into voronka.lead (source, external_id, occurred_at, utm_source, utm_medium, utm_campaign, utm_content)
select 'proftest', format('pt-%s-%s-%s', to_char(t.day, 'YYYYMMDD'), coalesce(t.utm_source, 'none'), t.i),
       (t.day + time '08:00' + (t.i - 1) * (interval '13 hours' / greatest(t.n, 1))
         + (pg_temp.noise('m' || t.day || t.i) * interval '10 minutes'))::timestamp at time zone 'Asia/Almaty',
       t.utm_source, t.utm_medium, t.utm_campaign,
       case when t.account_id is null or t.untagged then null
            when t.utm_source = 'nurlan' then format('Nurlan | Video %s', t.ad_no)
            else (t.account_id * 10 + t.ad_no)::text end
from tagged as t
where (t.day + time '08:00' + (t.i - 1) * (interval '13 hours' / greatest(t.n, 1)))::timestamp at time zone 'Asia/Almaty' <= now();

-- Every lead is a person with a phone of their own. Set-based here (a ProfTest request goes
-- through voronka.link_lead_person); the phone is kept only as its keyed hash, as there.
with people as (
  insert into voronka.person (first_lead_id, first_lead_at)
  select l.id, l.occurred_at from voronka.lead as l order by l.id
  returning id, first_lead_id
),
linked as (
  update voronka.lead as l set person_id = people.id from people where l.id = people.first_lead_id
  returning l.id, l.person_id
)
insert into voronka.person_identity (kind, value, person_id)
select 'phone', voronka.identity_hash('phone', voronka.normalize_phone(format('8 701 %s', lpad(linked.id::text, 7, '0')))),
       linked.person_id
from linked;

-- Deals and sales: ~6 % of leads buy the Express Course within two days; a fifth of those buyers
-- (the same person, in another deal) buy the Integrator Flagman 3-40 days later. Each deal
-- carries its lead's UTM tags. Only sales already in the past are created.
with candidates as (
  select l.*, pg_temp.noise('buy' || l.external_id) as p
  from voronka.lead as l
),
express as (
  select c.id as lead_id, c.person_id, c.utm_source, c.utm_medium, c.utm_campaign, c.utm_content, c.occurred_at, c.p,
         c.occurred_at + interval '2 hours' + pg_temp.noise('w' || c.id) * interval '46 hours' as won_at
  from candidates as c
  where c.p < 0.06
),
purchases as (
  select 40000000 + e.lead_id as deal_id, e.*, 'express' as product_id, 7000002 as pipeline_id,
         case when pg_temp.noise('d' || e.lead_id) < 0.2 then 4900 else 5000 end as price, e.won_at as won
  from express as e
  union all
  select 41000000 + e.lead_id, e.*, 'flagman', 7000003,
         case when pg_temp.noise('f' || e.lead_id) < 0.3 then 450000 else 490000 end,
         e.won_at + interval '3 days' + pg_temp.noise('fw' || e.lead_id) * interval '37 days'
  from express as e
  where e.p < 0.012
)
insert into voronka.amocrm_deal (id, account_id, name, pipeline_id, status_id, price, amo_created_at, amo_updated_at,
                                 won_at, utm_source, utm_medium, utm_campaign, utm_content, person_id)
select p.deal_id, 31000001, format('%s — lead %s', p.product_id, p.lead_id), p.pipeline_id, 142, p.price,
       p.occurred_at, p.won, p.won, p.utm_source, p.utm_medium, p.utm_campaign, p.utm_content, p.person_id
from purchases as p
where p.won <= now();

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
