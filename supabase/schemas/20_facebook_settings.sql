-- Settings page API for Facebook ad accounts: list the businesses and ad accounts the sync found
-- (with currency, time zone, status, team and last sync), and assign an account (or every account
-- of a business) to a team. Assigning is for admins (app_metadata.role = "admin"), service_role
-- and direct SQL sessions; team members see the accounts of their own teams.
create function public.facebook_ad_accounts()
returns table (
  business_id text,
  business_name text,
  ad_account_id text,
  name text,
  currency text,
  timezone_name text,
  account_status integer,
  is_visible boolean,
  team_id text,
  insights_synced_until date,
  last_synced_at timestamptz,
  last_sync_error text,
  throttled_until timestamptz
)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_teams text[] := analytics.visible_teams();
begin
  return query
    with accounts as (
      select a.*
      from voronka.fb_ad_account as a
      where v_teams is null or a.team_id = any (v_teams)
    )
    select a.business_id, b.name, a.id, a.name, a.currency::text, a.timezone_name, a.account_status, a.is_visible,
           a.team_id, a.insights_synced_until, a.last_synced_at, a.last_sync_error, a.throttled_until
    from accounts as a
    left join voronka.fb_business as b on b.id = a.business_id
    order by b.name nulls last, a.business_id, a.name, a.id;
end
$$;

comment on function public.facebook_ad_accounts() is 'Facebook ad accounts the sync found, with their business, currency, time zone, Graph account_status, visibility, owning team and last sync: every account for admins and service_role, the accounts of the caller''s teams otherwise.';

create function public.assign_facebook_ad_account(p_ad_account_id text, p_team_id text)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_id text := regexp_replace(btrim(coalesce(p_ad_account_id, '')), '^act_', '');
begin
  perform analytics.require_admin();
  if p_team_id is not null and not exists (select 1 from voronka.team as t where t.id = p_team_id) then
    raise exception 'unknown team "%"', p_team_id using errcode = '22023',
      hint = 'create it first: insert into voronka.team (id, name) values (...)';
  end if;
  update voronka.fb_ad_account as a
     set team_id = p_team_id, updated_at = now()
   where a.id = v_id and a.team_id is distinct from p_team_id;
  if not found and not exists (select 1 from voronka.fb_ad_account as a where a.id = v_id) then
    raise exception 'unknown ad account "%"', p_ad_account_id using errcode = '22023',
      hint = 'ad accounts appear after the first Facebook sync; the id is act_<digits> or the digits';
  end if;
end
$$;

comment on function public.assign_facebook_ad_account(text, text) is 'Makes a team the owner of an ad account''s spend (p_team_id null = unattributed). p_ad_account_id: act_<digits> or the digits. Admins only. Reports move the account''s past spend to the team at once.';

create function public.assign_facebook_business(p_business_id text, p_team_id text)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_count integer;
begin
  perform analytics.require_admin();
  if p_team_id is not null and not exists (select 1 from voronka.team as t where t.id = p_team_id) then
    raise exception 'unknown team "%"', p_team_id using errcode = '22023';
  end if;
  if not exists (select 1 from voronka.fb_business as b where b.id = p_business_id) then
    raise exception 'unknown business "%"', p_business_id using errcode = '22023';
  end if;
  update voronka.fb_ad_account as a
     set team_id = p_team_id, updated_at = now()
   where a.business_id = p_business_id and a.team_id is distinct from p_team_id;
  get diagnostics v_count = row_count;
  return v_count;
end
$$;

comment on function public.assign_facebook_business(text, text) is 'Assigns every ad account of a Business Manager to a team (null = unattributed); returns how many changed. Admins only.';
revoke execute on function public.facebook_ad_accounts(), public.assign_facebook_ad_account(text, text),
  public.assign_facebook_business(text, text) from public, anon;

grant execute on function public.facebook_ad_accounts(), public.assign_facebook_ad_account(text, text),
  public.assign_facebook_business(text, text) to authenticated, service_role;
