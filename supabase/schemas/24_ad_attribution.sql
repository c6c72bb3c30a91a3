-- Ad attribution: which Facebook campaign, ad set and ad a lead's or a deal's UTM tags name.
--
-- Facebook ads carry dynamic URL parameters ({{ad.id}}, {{adset.name}}, {{campaign.id}}...) in
-- their UTM tags. Which tag carries which object is configuration (voronka.ad_utm_param; default
-- utm_content = ad, utm_term = ad set, utm_campaign = campaign). A tag's value names an object by
-- its id or, failing that, by a name the object has had. The finest level that matches wins (ad,
-- then ad set, then campaign); a lead matched to an ad also has the ad's ad set and campaign.
-- Nothing matched: the lead or deal is "unmatched" — counted, never dropped.
--
-- Like team_id, the match is computed where the tags are written (a trigger on voronka.lead and
-- voronka.amocrm_deal), so every reader sees one answer; when the sync discovers a new object or
-- name, or the configuration changes, the leads and deals whose tags name it are matched again
-- (their rows change, so the analytics' stale-day bookkeeping picks them up).

-- Every campaign, ad set and ad the insights have named, with its current name (the name on its
-- latest day) and its parents. Maintained from voronka.fb_ad_insight by a statement trigger.
create table voronka.fb_ad_object (
  level text not null check (level in ('campaign', 'adset', 'ad')),
  id text not null check (id ~ '^[0-9]+$'),
  name text,
  -- An account deleted by hand takes its objects with it (the sync never deletes accounts).
  ad_account_id text not null references voronka.fb_ad_account (id) on delete cascade,
  campaign_id text,
  adset_id text,
  first_day date not null,
  last_day date not null,
  primary key (level, id)
);

create index fb_ad_object_ad_account_id_idx on voronka.fb_ad_object (ad_account_id);
comment on table voronka.fb_ad_object is 'Facebook campaigns, ad sets and ads seen in the insights: current name (of the latest day), ad account and parents. Maintained from voronka.fb_ad_insight.';
comment on column voronka.fb_ad_object.campaign_id is 'The campaign of an ad set or ad (null for a campaign).';
comment on column voronka.fb_ad_object.adset_id is 'The ad set of an ad (null for campaigns and ad sets).';
comment on column voronka.fb_ad_object.last_day is 'Latest account-local day with an insights row.';
alter table voronka.fb_ad_object enable row level security;
grant select, insert, update, delete on voronka.fb_ad_object to service_role;

-- Every name an object has had: a renamed ad still matches the leads that came with its old name.
create table voronka.fb_ad_object_name (
  level text not null check (level in ('campaign', 'adset', 'ad')),
  name text not null,
  object_id text not null,
  last_day date not null,
  primary key (level, name, object_id)
);

comment on table voronka.fb_ad_object_name is 'Every name a Facebook campaign, ad set or ad has had in the insights, with the latest day it had it (ties between objects sharing a name go to the most recent).';
alter table voronka.fb_ad_object_name enable row level security;
grant select, insert, update, delete on voronka.fb_ad_object_name to service_role;

-- Which UTM tag carries which level's id or name. Rows with a team apply to that team's leads
-- and deals and replace the default rows (team null) of the same level.
create table voronka.ad_utm_param (
  id bigint generated always as identity primary key,
  team_id text references voronka.team (id) on delete cascade,
  level text not null check (level in ('campaign', 'adset', 'ad')),
  utm_param text not null check (utm_param in ('utm_medium', 'utm_campaign', 'utm_content', 'utm_term')),
  priority integer not null default 100,
  unique nulls not distinct (team_id, level, utm_param)
);

create index ad_utm_param_team_id_idx on voronka.ad_utm_param (team_id);
comment on table voronka.ad_utm_param is 'Which UTM tag carries the id or name of a Facebook ad, ad set or campaign. team_id null: the default; a team''s rows for a level replace the defaults of that level for its leads and deals. Among several rows of one level, the lowest priority that matches wins.';
comment on column voronka.ad_utm_param.utm_param is 'utm_medium, utm_campaign, utm_content or utm_term (utm_source names the team).';
alter table voronka.ad_utm_param enable row level security;
grant select, insert, update, delete on voronka.ad_utm_param to service_role;

-- The one definition of the match. Order: finer level first (ad, ad set, campaign), by id before
-- by name, then the configured priority; a name several objects share goes to the team's own ad
-- accounts, then to the object seen most recently.
create function voronka.resolve_ad(
  p_team_id text, p_utm_medium text, p_utm_campaign text, p_utm_content text, p_utm_term text
)
returns table (fb_campaign_id text, fb_adset_id text, fb_ad_id text, ad_match text)
language plpgsql
stable
set search_path = ''
as $$
begin
  -- PL/pgSQL, not SQL: it runs once per written lead or deal, and PL/pgSQL keeps the plan of its
  -- query for the session (a non-inlined SQL function is planned again on every call).
  return query
  with params as (
    select p.level, p.utm_param, p.priority, p.id
    from voronka.ad_utm_param as p
    where p.team_id = p_team_id
       or (p.team_id is null
           and not exists (select 1 from voronka.ad_utm_param as t where t.team_id = p_team_id and t.level = p.level))
  ),

  tag_values as (
    select params.level, params.priority, params.id as param_id,
           nullif(btrim(case params.utm_param when 'utm_medium' then p_utm_medium when 'utm_campaign' then p_utm_campaign
                                              when 'utm_content' then p_utm_content else p_utm_term end), '') as value
    from params
  ),

  candidates as (
    select tv.level, 1 as by_name, tv.priority, tv.param_id, o.id as object_id, o.last_day
    from tag_values as tv
    join voronka.fb_ad_object as o on o.level = tv.level and o.id = tv.value
    union all
    select tv.level, 2, tv.priority, tv.param_id, n.object_id, n.last_day
    from tag_values as tv
    join voronka.fb_ad_object_name as n on n.level = tv.level and n.name = tv.value
  ),

  best as (
    select c.level, c.by_name, o.id, o.campaign_id, o.adset_id
    from candidates as c
    join voronka.fb_ad_object as o on o.level = c.level and o.id = c.object_id
    left join voronka.fb_ad_account as a on a.id = o.ad_account_id
    order by array_position(array['ad', 'adset', 'campaign'], c.level), c.by_name, c.priority, c.param_id,
             (a.team_id is not distinct from p_team_id) desc, c.last_day desc, o.id
    limit 1
  ),

  final as (
    select case best.level when 'campaign' then best.id else best.campaign_id end as fb_campaign_id,
           case best.level when 'adset' then best.id when 'ad' then best.adset_id end as fb_adset_id,
           case best.level when 'ad' then best.id end as fb_ad_id,
           best.level || case when best.by_name = 1 then '_id' else '_name' end as ad_match
    from best
  )

  select final.fb_campaign_id, final.fb_adset_id, final.fb_ad_id, final.ad_match from final;
end
$$;

comment on function voronka.resolve_ad(text, text, text, text, text) is 'The Facebook campaign, ad set and ad that a lead''s or deal''s UTM tags name (voronka.ad_utm_param says which tag carries which level), and how they matched (ad_id, ad_name, adset_id, adset_name, campaign_id, campaign_name). No row: unmatched.';

-- Set where the tags are written (after the team: the team's own parameters apply).
create function voronka.set_ad_from_utm()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.fb_campaign_id := null;
  new.fb_adset_id := null;
  new.fb_ad_id := null;
  new.ad_match := null;
  select r.fb_campaign_id, r.fb_adset_id, r.fb_ad_id, r.ad_match
    into new.fb_campaign_id, new.fb_adset_id, new.fb_ad_id, new.ad_match
  from voronka.resolve_ad(new.team_id, new.utm_medium, new.utm_campaign, new.utm_content, new.utm_term) as r;
  return new;
end
$$;

-- Trigger names sort after lead_set_team / amocrm_deal_set_team: Postgres fires them by name.
create trigger lead_set_utm_ad
before insert or update of utm_medium, utm_campaign, utm_content, utm_term, team_id on voronka.lead
for each row execute function voronka.set_ad_from_utm();

create trigger amocrm_deal_set_utm_ad
before insert or update of utm_medium, utm_campaign, utm_content, utm_term, team_id on voronka.amocrm_deal
for each row execute function voronka.set_ad_from_utm();

-- The tags that can name an object, for finding the rows a new object or name concerns.
create index lead_ad_tags_idx on voronka.lead using gin ((array[utm_medium, utm_campaign, utm_content, utm_term]));
create index amocrm_deal_ad_tags_idx on voronka.amocrm_deal
  using gin ((array[utm_medium, utm_campaign, utm_content, utm_term]));

-- Match again the leads and deals whose tags hold one of p_values (null: all of them). Writes
-- only rows whose match changes.
create function voronka.reattribute_ads(p_values text[])
returns bigint
language plpgsql
set search_path = ''
as $$
declare
  v_leads bigint;
  v_deals bigint;
begin
  update voronka.lead as l
     set fb_campaign_id = r.fb_campaign_id, fb_adset_id = r.fb_adset_id, fb_ad_id = r.fb_ad_id, ad_match = r.ad_match
    from voronka.lead as src
    left join lateral voronka.resolve_ad(src.team_id, src.utm_medium, src.utm_campaign, src.utm_content, src.utm_term)
         as r on true
   where l.id = src.id
     and (p_values is null or array[src.utm_medium, src.utm_campaign, src.utm_content, src.utm_term] && p_values)
     and (l.fb_campaign_id, l.fb_adset_id, l.fb_ad_id, l.ad_match)
         is distinct from (r.fb_campaign_id, r.fb_adset_id, r.fb_ad_id, r.ad_match);
  get diagnostics v_leads = row_count;
  update voronka.amocrm_deal as d
     set fb_campaign_id = r.fb_campaign_id, fb_adset_id = r.fb_adset_id, fb_ad_id = r.fb_ad_id, ad_match = r.ad_match
    from voronka.amocrm_deal as src
    left join lateral voronka.resolve_ad(src.team_id, src.utm_medium, src.utm_campaign, src.utm_content, src.utm_term)
         as r on true
   where d.id = src.id
     and (p_values is null or array[src.utm_medium, src.utm_campaign, src.utm_content, src.utm_term] && p_values)
     and (d.fb_campaign_id, d.fb_adset_id, d.fb_ad_id, d.ad_match)
         is distinct from (r.fb_campaign_id, r.fb_adset_id, r.fb_ad_id, r.ad_match);
  get diagnostics v_deals = row_count;
  return v_leads + v_deals;
end
$$;

comment on function voronka.reattribute_ads(text[]) is 'Matches again the leads and deals whose UTM tags hold one of p_values (null: all) to Facebook objects; returns how many rows changed. Run by triggers when objects, names or voronka.ad_utm_param change; by hand: select voronka.reattribute_ads(null);';

-- The objects and names of the insights rows a statement wrote. The sync re-reads 28 days on
-- every run: only what is new or changed is written, and only new objects or names trigger a
-- new match of the rows that name them. The rows are first folded into one per distinct
-- (ad, ad set, campaign, names, account) with its first and last day — about one per ad of a
-- page instead of three per row — and every level is computed from those (an insights page
-- holds one row per ad and day, so an object's rows on its last day are the last days of
-- these groups: the same answer as from the rows, with a fraction of the sorting).
create function voronka.fb_ad_objects_from_insights()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  with grouped as (
    select n.ad_id, n.ad_name, n.adset_id, n.adset_name, n.campaign_id, n.campaign_name, n.ad_account_id,
           min(n.date_start) as first_day, max(n.date_start) as last_day
    from new_rows as n
    group by n.ad_id, n.ad_name, n.adset_id, n.adset_name, n.campaign_id, n.campaign_name, n.ad_account_id
  ),
  seen as (
    select 'ad' as level, g.ad_id as id, g.ad_name as name, g.ad_account_id, g.campaign_id, g.adset_id, g.first_day,
           g.last_day
    from grouped as g
    union all
    select 'adset', g.adset_id, g.adset_name, g.ad_account_id, g.campaign_id, null, g.first_day, g.last_day
    from grouped as g where g.adset_id ~ '^[0-9]+$'
    union all
    select 'campaign', g.campaign_id, g.campaign_name, g.ad_account_id, null, null, g.first_day, g.last_day
    from grouped as g where g.campaign_id ~ '^[0-9]+$'
  ),
  latest as (
    select distinct on (seen.level, seen.id) seen.level, seen.id, seen.name, seen.ad_account_id, seen.campaign_id,
           seen.adset_id, seen.last_day, min(seen.first_day) over (partition by seen.level, seen.id) as first_day
    from seen
    order by seen.level, seen.id, seen.last_day desc, seen.name
  )
  insert into voronka.fb_ad_object as o (level, id, name, ad_account_id, campaign_id, adset_id, first_day, last_day)
  select latest.level, latest.id, latest.name, latest.ad_account_id, latest.campaign_id, latest.adset_id,
         latest.first_day, latest.last_day
  from latest
  on conflict (level, id) do update
    set name = case when excluded.last_day >= o.last_day then coalesce(excluded.name, o.name) else o.name end,
        ad_account_id = case when excluded.last_day >= o.last_day then excluded.ad_account_id else o.ad_account_id end,
        campaign_id = coalesce(case when excluded.last_day >= o.last_day then excluded.campaign_id end, o.campaign_id),
        adset_id = coalesce(case when excluded.last_day >= o.last_day then excluded.adset_id end, o.adset_id),
        first_day = least(o.first_day, excluded.first_day),
        last_day = greatest(o.last_day, excluded.last_day)
    where (o.name, o.ad_account_id, o.campaign_id, o.adset_id, o.first_day, o.last_day)
      is distinct from (case when excluded.last_day >= o.last_day then coalesce(excluded.name, o.name) else o.name end,
                        case when excluded.last_day >= o.last_day then excluded.ad_account_id else o.ad_account_id end,
                        coalesce(case when excluded.last_day >= o.last_day then excluded.campaign_id end, o.campaign_id),
                        coalesce(case when excluded.last_day >= o.last_day then excluded.adset_id end, o.adset_id),
                        least(o.first_day, excluded.first_day), greatest(o.last_day, excluded.last_day));

  insert into voronka.fb_ad_object_name as o (level, name, object_id, last_day)
  select names.level, names.name, names.id, max(g.last_day)
  from (select n.ad_id, n.ad_name, n.adset_id, n.adset_name, n.campaign_id, n.campaign_name,
               max(n.date_start) as last_day
        from new_rows as n
        group by n.ad_id, n.ad_name, n.adset_id, n.adset_name, n.campaign_id, n.campaign_name) as g
  cross join lateral (values ('ad', g.ad_name, g.ad_id), ('adset', g.adset_name, g.adset_id),
                             ('campaign', g.campaign_name, g.campaign_id)) as names (level, name, id)
  where (names.level = 'ad' or names.id ~ '^[0-9]+$') and nullif(btrim(names.name), '') is not null
  group by 1, 2, 3
  on conflict (level, name, object_id) do update set last_day = excluded.last_day
    where excluded.last_day > o.last_day;
  return null;
end
$$;

comment on function voronka.fb_ad_objects_from_insights() is 'Statement trigger on voronka.fb_ad_insight: keeps voronka.fb_ad_object (current names, parents) and voronka.fb_ad_object_name (every name) up to date.';

create trigger fb_ad_insight_objects_on_insert after insert on voronka.fb_ad_insight
  referencing new table as new_rows for each statement execute function voronka.fb_ad_objects_from_insights();

create trigger fb_ad_insight_objects_on_update after update on voronka.fb_ad_insight
  referencing new table as new_rows for each statement execute function voronka.fb_ad_objects_from_insights();

-- A new object (its id) or a new name can match leads and deals that matched nothing or less.
create function voronka.reattribute_ads_for_new_objects()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_table_name = 'fb_ad_object' then
    perform voronka.reattribute_ads(array(select n.id from new_rows as n));
  else
    perform voronka.reattribute_ads(array(select distinct n.name from new_rows as n));
  end if;
  return null;
end
$$;

create trigger fb_ad_object_reattribute after insert on voronka.fb_ad_object
  referencing new table as new_rows for each statement execute function voronka.reattribute_ads_for_new_objects();

create trigger fb_ad_object_name_reattribute after insert on voronka.fb_ad_object_name
  referencing new table as new_rows for each statement execute function voronka.reattribute_ads_for_new_objects();

-- A configuration change can change any match.
create function voronka.reattribute_ads_on_config_change()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  perform voronka.reattribute_ads(null);
  return null;
end
$$;

create trigger ad_utm_param_reattribute after insert or update or delete on voronka.ad_utm_param
  for each statement execute function voronka.reattribute_ads_on_config_change();

revoke execute on function voronka.resolve_ad(text, text, text, text, text), voronka.set_ad_from_utm(),
  voronka.reattribute_ads(text[]), voronka.fb_ad_objects_from_insights(), voronka.reattribute_ads_for_new_objects(),
  voronka.reattribute_ads_on_config_change() from public;
grant execute on function voronka.resolve_ad(text, text, text, text, text), voronka.reattribute_ads(text[])
  to service_role;
