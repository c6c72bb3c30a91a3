-- Traffic teams and the UTM rules that attribute leads and deals to them: the one definition of
-- team resolution (voronka.resolve_team), applied where UTM tags are written.

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
language plpgsql
stable
set search_path = ''
as $$
begin
  return (select r.team_id
  from voronka.team_utm_rule as r
  where r.utm_source = lower(btrim(p_utm_source))
    and (r.utm_campaign_pattern is null or coalesce(p_utm_campaign, '') ilike r.utm_campaign_pattern)
  order by r.priority, (r.utm_campaign_pattern is null), r.id
  limit 1
  );
end
$$;

comment on function voronka.resolve_team(text, text) is 'Team for a pair of UTM tags by voronka.team_utm_rule, or null (unattributed).';
alter table voronka.team enable row level security;
alter table voronka.team_utm_rule enable row level security;
grant select, insert, update, delete on voronka.team, voronka.team_utm_rule to service_role;
revoke execute on function voronka.resolve_team(text, text) from public;
grant execute on function voronka.resolve_team(text, text) to service_role;

-- Team attribution happens where the UTM tags are written, so every reader sees one answer.
create function voronka.set_team_from_utm()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.team_id := voronka.resolve_team(new.utm_source, new.utm_campaign);
  return new;
end
$$;

-- When the rules change, history follows: re-attribute every lead and deal.
create function voronka.reattribute_teams()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  update voronka.lead as l
     set team_id = voronka.resolve_team(l.utm_source, l.utm_campaign)
   where l.team_id is distinct from voronka.resolve_team(l.utm_source, l.utm_campaign);
  update voronka.amocrm_deal as d
     set team_id = voronka.resolve_team(d.utm_source, d.utm_campaign)
   where d.team_id is distinct from voronka.resolve_team(d.utm_source, d.utm_campaign);
  return null;
end
$$;

create trigger team_utm_rule_reattribute
after insert or update or delete on voronka.team_utm_rule
for each statement execute function voronka.reattribute_teams();

revoke execute on function voronka.set_team_from_utm(), voronka.reattribute_teams() from public;
