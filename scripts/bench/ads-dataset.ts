// The dataset of bench:ads (and of the cost-growth runs): 5 teams x 400 days, 2,000,000 ad-day
// insight rows (20 ad accounts x 250 ads, USD and KZT), 500,000 ProfTest leads (85 % with their
// ad's id in utm_content, as Facebook's {{ad.id}} fills it), each lead a person, and about 51,000
// sales (Express, one in 25 a Flagman) bought by those people 0-60 days after their lead.
import type postgres from "postgres";

export async function generateAdsDataset(sql: postgres.Sql) {
  await sql.unsafe(`
    insert into voronka.team (id, name) select 'team' || t, 'Team ' || t from generate_series(1, 5) t;
    insert into voronka.team_utm_rule (team_id, utm_source) select 'team' || t, 'team' || t from generate_series(1, 5) t;
    insert into voronka.fb_ad_account (id, name, currency, timezone_name, team_id)
      select (900000 + a)::text, 'Account ' || a, case when a % 2 = 0 then 'USD' else 'KZT' end, 'Asia/Almaty', 'team' || (1 + a % 5)
      from generate_series(1, 20) a;
    insert into voronka.exchange_rate (day, currency, quote_currency, rate)
      select current_date - d, 'USD', 'KZT', 480 + (d % 40) from generate_series(0, 400) d;`);
  // 20 accounts x 250 ads x 400 days; ad a*1000+ad in ad set a*100+ad%10 of campaign a.
  await sql.unsafe(`
    insert into voronka.fb_ad_insight (ad_id, date_start, ad_account_id, ad_name, adset_id, adset_name, campaign_id,
                                       campaign_name, currency, spend, impressions, clicks)
    select (a * 1000 + ad)::text, current_date - d, (900000 + a)::text, 'Ad ' || ad, (a * 100 + ad % 10)::text,
           'Ad set ' || ad % 10, a::text, 'Campaign ' || a, case when a % 2 = 0 then 'USD' else 'KZT' end,
           case when a % 2 = 0 then round((1 + (ad * 7 + d) % 50)::numeric, 2) else (500 + (ad * 13 + d) % 20000) end,
           1000 + (ad * 31 + d) % 5000, 10 + (ad + d) % 90
    from generate_series(1, 20) a, generate_series(1, 250) ad, generate_series(0, 399) d`);
  // Lead i is team (1 + i % 5)'s and comes through an ad of one of its accounts (a % 5 = i % 5); one in
  // seven has no ad tag (unmatched).
  await sql.unsafe(`
    insert into voronka.lead (source, external_id, occurred_at, utm_source, utm_campaign, utm_content)
    select 'proftest', 'b' || i, now() - (i % 400) * interval '1 day' - (i % 86400) * interval '1 second',
           case when i % 10 = 0 then null else 'team' || (1 + i % 5) end, 'campaign_' || (i % 7),
           case when i % 7 = 0 then null
                else ((case when i % 5 + 5 * (i % 4) = 0 then 20 else i % 5 + 5 * (i % 4) end) * 1000 + 1 + i % 250)::text end
    from generate_series(1, 500000) i`);
  await sql.unsafe(`
    with people as (
      insert into voronka.person (first_lead_id, first_lead_at)
      select l.id, l.occurred_at from voronka.lead as l order by l.id returning id, first_lead_id
    )
    update voronka.lead as l set person_id = people.id from people where l.id = people.first_lead_id`);
  // About 51,000 buyers: every ninth lead's person (every team's, and one in ten unattributed, as
  // the leads are), 0-60 days after the lead; a sale that would fall in the future is not made. The
  // deal carries its lead's tags and team, as the amoCRM write path resolves them.
  await sql.unsafe(`
    insert into voronka.amocrm_deal (id, pipeline_id, status_id, price, amo_updated_at, won_at, utm_source, utm_content,
                                     team_id, person_id)
    select 50000000 + l.id, 1, 142, case when l.id % 25 = 0 then 490000 else 5000 end,
           l.occurred_at + (l.id % 61) * interval '1 day', l.occurred_at + (l.id % 61) * interval '1 day',
           l.utm_source, l.utm_content, l.team_id, l.person_id
    from voronka.lead as l where l.id % 9 = 0 and l.occurred_at + (l.id % 61) * interval '1 day' <= now();
    insert into voronka.sale (deal_id, product_id, amount, won_at, voided_at, void_reason)
    select id, case when price > 100000 then 'flagman' else 'express' end, price, won_at,
           case when id % 50 = 0 then won_at end, case when id % 50 = 0 then 'lost' end
    from voronka.amocrm_deal;
    analyze;`);
}
