-- Who may see what. PostgREST runs every request as `set local role <role>` (the role it verified
-- in the JWT) with the claims in request.jwt.claims. The database role decides; a JWT's `role`
-- claim is only data and can only narrow what the role allows, so a session running as
-- `authenticated` with a claim `"role": "service_role"` sees nothing more. Members cannot tell an
-- unknown team from another team's: both are `you may not see team "x"` (42501); callers who see
-- every team get `unknown team` (22023).

-- The teams the caller may see: null = every team (and the unattributed bucket).
create function analytics.visible_teams()
returns text[]
language plpgsql
stable
set search_path = ''
as $$
declare
  v_claims jsonb := coalesce(auth.jwt(), '{}'::jsonb);
  -- Inside a security definer function current_user is the owner; the `role` setting is still
  -- the caller's (`set local role authenticated` by PostgREST). No `set role`: the session user.
  v_db_role text := coalesce(nullif(current_setting('role'), 'none'), session_user);
  v_claim_role text := v_claims ->> 'role';
  v_teams text[];
begin
  if v_db_role = 'anon' or v_claim_role = 'anon' then
    raise exception 'funnel reports need a signed-in user' using errcode = '42501';
  end if;
  -- The authenticated database role is a user whatever its claims say; a more powerful session
  -- (service_role, a direct SQL session) carrying a user's claims is narrowed to that user.
  if v_db_role = 'authenticated' or v_claim_role = 'authenticated' then
    if v_claims -> 'app_metadata' ->> 'role' = 'admin' then
      return null;
    end if;
    select array_agg(t.id order by t.id) into v_teams
    from voronka.team as t
    where t.id in (select jsonb_array_elements_text(
      case when jsonb_typeof(v_claims -> 'app_metadata' -> 'teams') = 'array'
           then v_claims -> 'app_metadata' -> 'teams' else '[]'::jsonb end));
    if v_teams is null then
      raise exception 'this user has no teams: set app_metadata.teams (e.g. ["kenesary"]) or app_metadata.role = "admin"'
        using errcode = '42501';
    end if;
    return v_teams;
  end if;
  -- service_role, and direct database sessions (analysts, the owner) see everything.
  return null;
end
$$;

comment on function analytics.visible_teams() is 'Teams the caller may see (null = every team and the unattributed bucket). The database role decides (PostgREST''s `set local role`): anon nothing, authenticated the teams in app_metadata.teams or everything with app_metadata.role = "admin", service_role and direct sessions everything. A JWT role claim can only narrow it.';

-- Validates a report's arguments and the caller's right to them; returns the teams in scope
-- (null = every team and the unattributed bucket).
create function analytics.report_scope(p_team text, p_days integer)
returns text[]
language plpgsql
stable
set search_path = ''
as $$
declare
  v_visible text[];
begin
  if p_days is null or p_days < 1 or p_days > 366 then
    raise exception 'p_days must be between 1 and 366, got %', coalesce(p_days::text, 'null')
      using errcode = '22023';
  end if;
  v_visible := analytics.visible_teams();
  if p_team is null then
    return v_visible;
  end if;
  -- A member gets the same answer for a team that does not exist and for another team's, so
  -- the error does not reveal which team ids exist.
  if v_visible is not null and not (p_team = any (v_visible)) then
    raise exception 'you may not see team "%"', p_team using errcode = '42501';
  end if;
  if p_team <> 'unattributed' and not exists (select 1 from voronka.team as t where t.id = p_team) then
    raise exception 'unknown team "%"', p_team using errcode = '22023',
      hint = 'p_team is a team id such as "kenesary", "unattributed", or null for all teams';
  end if;
  return array[p_team];
end
$$;

comment on function analytics.report_scope(text, integer) is 'Validates a report''s p_team and p_days and the caller''s right to them; returns the teams in scope (null = every team and the unattributed bucket). Members get 42501 `you may not see team "x"` for unknown and forbidden teams alike; callers who see every team get 22023 `unknown team "x"`.';

-- Only callers who see every team may change ownership.
create function analytics.require_admin()
returns void
language plpgsql
stable
set search_path = ''
as $$
begin
  if analytics.visible_teams() is not null then
    raise exception 'only admins (app_metadata.role = "admin") may assign ad accounts to teams'
      using errcode = '42501';
  end if;
end
$$;

comment on function analytics.require_admin() is 'Raises 42501 unless the caller sees every team (admin JWT, service_role or a direct SQL session).';

-- The teams a report covers: the given ones, or every team and the unattributed bucket (null).
create function analytics.teams_in_scope(p_teams text[])
returns table (team_id text)
language plpgsql
stable
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
#variable_conflict use_column
begin
  return query
  select t.id from voronka.team as t where p_teams is null or t.id = any (p_teams)
  union
  select 'unattributed' where p_teams is null or 'unattributed' = any (p_teams);
end
$$;
comment on function analytics.teams_in_scope(text[]) is 'The team buckets of a report scope: the teams of p_teams, or every team and "unattributed" when p_teams is null.';
-- A report's choice arguments (funnel_report's p_basis, ad_report's p_level and p_model,
-- cohort_report's p_grain and p_model): 22023 naming what is allowed.
create function analytics.check_report_choice(p_name text, p_value text, p_allowed text[])
returns text
language plpgsql
immutable
set search_path = ''
as $$
begin
  if p_value is null or not (p_value = any (p_allowed)) then
    raise exception '% must be one of %, got %', p_name, array_to_string(p_allowed, ', '),
      coalesce('"' || p_value || '"', 'null') using errcode = '22023';
  end if;
  return p_value;
end
$$;
comment on function analytics.check_report_choice(text, text, text[]) is 'Returns p_value when it is one of p_allowed; raises 22023 naming the argument and the allowed values otherwise.';

revoke execute on function analytics.visible_teams(), analytics.report_scope(text, integer), analytics.require_admin(),
  analytics.teams_in_scope(text[]), analytics.check_report_choice(text, text, text[]) from public;
grant execute on function analytics.teams_in_scope(text[]), analytics.check_report_choice(text, text, text[]) to service_role;
