-- Settings and teams: the business time zone and reporting currency every report uses, the
-- traffic teams, and the UTM rules that attribute leads and deals to a team.
--
-- Schemas: `voronka` holds normalized tables (not exposed through the Data API); `analytics`
-- holds the materialized view and report internals; `public` holds only the RPC functions
-- dashboards call. Every table has RLS enabled and no policies: only service_role and the
-- owner read them directly; dashboards go through the team-checked RPCs.

create schema if not exists voronka;
comment on schema voronka is 'Voronka normalized data: settings, teams, products, Facebook Ads, leads, amoCRM deals and sales, exchange rates. Not exposed through the Data API.';
revoke all on schema voronka from public;
grant usage on schema voronka to service_role;

create table voronka.setting (
  id boolean primary key default true check (id),
  business_time_zone text not null default 'Asia/Almaty',
  reporting_currency char(3) not null default 'KZT' check (reporting_currency ~ '^[A-Z]{3}$'),
  facebook_sync_stale_after interval not null default interval '2 hours',
  updated_at timestamptz not null default now(),
  -- A typo here would silently shift every report by hours: reject names the tz database lacks.
  constraint setting_time_zone_known check (now() at time zone business_time_zone is not null)
);
comment on table voronka.setting is 'The single row of business settings every report uses.';
comment on column voronka.setting.business_time_zone is 'IANA zone whose calendar days are the business days (Asia/Almaty: UTC+6 until 2024-03-01, UTC+5 since).';
comment on column voronka.setting.reporting_currency is 'ISO 4217 code all money in reports is converted to (KZT).';
comment on column voronka.setting.facebook_sync_stale_after is 'funnel_report warns when the last successful Facebook sync is older than this.';
insert into voronka.setting default values;

create table voronka.team (
  id text primary key
    -- `unattributed` is the reserved name of the bucket for traffic no team claims.
    check (id ~ '^[a-z0-9][a-z0-9_-]*$' and id <> 'unattributed'),
  name text not null,
  created_at timestamptz not null default now()
);
comment on table voronka.team is 'A traffic team (a traffic buyer such as kenesary or traf4). Traffic no team claims is reported as the reserved team "unattributed".';

create table voronka.team_utm_rule (
  id bigint generated always as identity primary key,
  team_id text not null references voronka.team (id) on delete cascade,
  utm_source text not null check (utm_source = lower(btrim(utm_source)) and utm_source <> ''),
  utm_campaign_pattern text check (utm_campaign_pattern <> ''),
  priority integer not null default 100,
  created_at timestamptz not null default now(),
  unique nulls not distinct (utm_source, utm_campaign_pattern)
);
create index team_utm_rule_team_id_idx on voronka.team_utm_rule (team_id);
comment on table voronka.team_utm_rule is 'Attributes a lead or deal to a team by its UTM tags. The matching rule with the lowest priority wins; at equal priority a rule with a campaign pattern beats one without.';
comment on column voronka.team_utm_rule.utm_source is 'utm_source to match, lower case; matched case-insensitively.';
comment on column voronka.team_utm_rule.utm_campaign_pattern is 'Optional SQL LIKE pattern (case-insensitive) the utm_campaign must match, e.g. ''kenesary_%''.';

-- The single place UTM tags become a team. Null when no rule matches: the caller keeps null and
-- reports show it as "unattributed".
create function voronka.resolve_team(p_utm_source text, p_utm_campaign text)
returns text
language sql
stable
set search_path = ''
as $$
  select r.team_id
  from voronka.team_utm_rule as r
  where r.utm_source = lower(btrim(p_utm_source))
    and (r.utm_campaign_pattern is null or coalesce(p_utm_campaign, '') ilike r.utm_campaign_pattern)
  order by r.priority, (r.utm_campaign_pattern is null), r.id
  limit 1
$$;
comment on function voronka.resolve_team(text, text) is 'Team for a pair of UTM tags by voronka.team_utm_rule, or null (unattributed).';

alter table voronka.setting enable row level security;
alter table voronka.team enable row level security;
alter table voronka.team_utm_rule enable row level security;
grant select, insert, update, delete on voronka.setting, voronka.team, voronka.team_utm_rule to service_role;
revoke execute on function voronka.resolve_team(text, text) from public;
grant execute on function voronka.resolve_team(text, text) to service_role;
