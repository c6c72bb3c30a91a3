-- The write path of the Facebook sync (supabase/functions/facebook-sync): every write is one SQL
-- function call, so a discovery result or an insights page is stored all-or-nothing, and Graph's
-- decimal strings become numeric in SQL (never through a JavaScript float). The run record
-- (voronka.fb_sync_run) and each account's checkpoint are kept here too.

-- Starts a run unless another one is running. A run left `running` longer than p_stale_after
-- (its function was killed) is closed as failed first. Returns null when another run is active.
create function voronka.start_fb_sync_run(p_trigger text, p_stale_after interval)
returns bigint
language plpgsql
set search_path = ''
as $$
declare
  v_id bigint;
begin
  lock table voronka.fb_sync_run in share row exclusive mode;
  update voronka.fb_sync_run as r
     set status = 'failed', finished_at = now(),
         message = coalesce(r.message, 'abandoned: the run did not finish (function stopped or timed out)')
   where r.status = 'running' and r.started_at < now() - p_stale_after;
  if exists (select 1 from voronka.fb_sync_run as r where r.status = 'running') then
    return null;
  end if;
  insert into voronka.fb_sync_run (trigger) values (coalesce(p_trigger, 'http')) returning id into v_id;
  return v_id;
end
$$;

comment on function voronka.start_fb_sync_run(text, interval) is 'Opens a fb_sync_run (status running) and returns its id, or null when another run is still running. Runs older than p_stale_after are closed as failed first.';

create function voronka.finish_fb_sync_run(p_run_id bigint, p_summary jsonb)
returns void
language sql
set search_path = ''
as $$
  update voronka.fb_sync_run as r
     set finished_at = now(),
         status = p_summary ->> 'status',
         accounts_total = coalesce((p_summary ->> 'accounts_total')::integer, 0),
         accounts_done = coalesce((p_summary ->> 'accounts_done')::integer, 0),
         accounts_throttled = coalesce((p_summary ->> 'accounts_throttled')::integer, 0),
         accounts_failed = coalesce((p_summary ->> 'accounts_failed')::integer, 0),
         rows_read = coalesce((p_summary ->> 'rows_read')::bigint, 0),
         rows_upserted = coalesce((p_summary ->> 'rows_upserted')::bigint, 0),
         requests = coalesce((p_summary ->> 'requests')::integer, 0),
         errors = coalesce(p_summary -> 'errors', '[]'::jsonb),
         accounts = coalesce(p_summary -> 'accounts', '[]'::jsonb),
         message = p_summary ->> 'message'
   where r.id = p_run_id
$$;

comment on function voronka.finish_fb_sync_run(bigint, jsonb) is 'Closes a run with its summary {status, accounts_*, rows_*, requests, errors, accounts, message}.';

-- Discovery: businesses and ad accounts as Graph lists them (accounts already de-duplicated by
-- the caller, but a repeated id is harmless here too). When p_complete (every discovery edge was
-- read), visible accounts missing from the list are marked invisible; nothing is deleted.
-- Longer than most: three statements (businesses, accounts, disappeared accounts) that must
-- commit together, each a plain upsert.
create function voronka.sync_fb_discovery(p_businesses jsonb, p_accounts jsonb, p_complete boolean)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_businesses integer;
  v_accounts integer;
  v_new integer;
  v_hidden integer := 0;
begin
  with listed_businesses as (
    select b.id, b.name from jsonb_to_recordset(coalesce(p_businesses, '[]'::jsonb)) as b(id text, name text)
  ),

  account_businesses as (
    select a.business_id as id, a.business_name as name
    from jsonb_to_recordset(coalesce(p_accounts, '[]'::jsonb)) as a(business_id text, business_name text)
    where a.business_id is not null
  ),

  all_businesses as (
    select distinct on (u.id) u.id, u.name
    from (select lb.id, lb.name, 0 as pref from listed_businesses as lb
          union all
          select ab.id, ab.name, 1 from account_businesses as ab) as u
    order by u.id, u.pref
  )

  insert into voronka.fb_business as fb (id, name)
  select ab.id, coalesce(ab.name, ab.id) from all_businesses as ab
  on conflict (id) do update set name = excluded.name, last_seen_at = now();
  get diagnostics v_businesses = row_count;

  with listed as (
    select distinct on (a.id)
           regexp_replace(a.id, '^act_', '') as id, a.business_id, a.name, a.currency, a.timezone_name,
           a.account_status
    from jsonb_to_recordset(coalesce(p_accounts, '[]'::jsonb))
         as a(id text, business_id text, name text, currency text, timezone_name text, account_status integer)
    order by a.id
  ),

  upserted as (
    insert into voronka.fb_ad_account as acc (id, business_id, name, currency, timezone_name, account_status)
    select l.id, l.business_id, coalesce(l.name, l.id), upper(l.currency), l.timezone_name, coalesce(l.account_status, 1)
    from listed as l
    on conflict (id) do update
      set business_id = coalesce(excluded.business_id, acc.business_id),
          name = excluded.name,
          currency = excluded.currency,
          timezone_name = excluded.timezone_name,
          account_status = excluded.account_status,
          is_visible = true,
          last_seen_at = now(),
          updated_at = now()
    returning (xmax = 0) as inserted
  )

  select count(*), count(*) filter (where upserted.inserted) into v_accounts, v_new from upserted;

  if p_complete then
    update voronka.fb_ad_account as acc
       set is_visible = false, updated_at = now()
     where acc.is_visible
       and acc.id not in (select regexp_replace(a.id, '^act_', '')
                          from jsonb_to_recordset(coalesce(p_accounts, '[]'::jsonb)) as a(id text));
    get diagnostics v_hidden = row_count;
  end if;

  return jsonb_build_object('businesses', v_businesses, 'accounts', v_accounts, 'new_accounts', v_new,
                            'hidden_accounts', v_hidden);
end
$$;

comment on function voronka.sync_fb_discovery(jsonb, jsonb, boolean) is 'Upserts discovered businesses [{id,name}] and ad accounts [{id (act_<digits> or digits), business_id, business_name, name, currency, timezone_name, account_status}]; with p_complete, marks visible accounts missing from the list invisible (never deletes). Returns counts.';

-- One insights page, one statement: rows exactly as Graph sends them (metrics are strings),
-- parsed as numeric/bigint here. A row that is not this account's, or not a single day, fails
-- the whole page. Unchanged rows are not rewritten (they would only mark report days stale).
-- Longer than most: one statement on purpose (a page is all-or-nothing), whose steps are named
-- CTEs: parse → check → keep the last row per ad and day → upsert what changed.
create function voronka.upsert_fb_ad_insights(p_account_id text, p_rows jsonb)
returns integer
language plpgsql
set search_path = ''
as $$
declare
  v_currency text;
  v_bad text;
  v_count integer;
begin
  select a.currency into v_currency from voronka.fb_ad_account as a where a.id = p_account_id;
  if v_currency is null then
    raise exception 'unknown ad account %', p_account_id using errcode = '22023';
  end if;

  select format('ad %s on %s', r.ad_id, r.date_start) into v_bad
  from jsonb_to_recordset(p_rows) as r(ad_id text, account_id text, date_start date, date_stop date)
  where r.ad_id is null or r.date_start is null
     or (r.account_id is not null and r.account_id <> p_account_id)
     or (r.date_stop is not null and r.date_stop <> r.date_start)
  limit 1;
  if found then
    raise exception 'insights row % is not a single day of ad account %', v_bad, p_account_id using errcode = '22023';
  end if;

  with input as (
    select e.item ->> 'ad_id' as ad_id, e.item ->> 'ad_name' as ad_name, e.item ->> 'adset_id' as adset_id,
           e.item ->> 'adset_name' as adset_name, e.item ->> 'campaign_id' as campaign_id,
           e.item ->> 'campaign_name' as campaign_name, e.item ->> 'account_currency' as account_currency,
           e.item ->> 'spend' as spend, e.item ->> 'impressions' as impressions, e.item ->> 'clicks' as clicks,
           e.item ->> 'inline_link_clicks' as inline_link_clicks, (e.item ->> 'date_start')::date as date_start,
           e.position
    from jsonb_array_elements(p_rows) with ordinality as e(item, position)
  ),

  -- A page should not repeat an (ad, day); if it does, the later row wins.
  latest as (
    select distinct on (input.ad_id, input.date_start) input.*
    from input
    order by input.ad_id, input.date_start, input.position desc
  ),

  parsed as (
    select l.ad_id, l.date_start, l.ad_name, l.adset_id, l.adset_name, l.campaign_id, l.campaign_name,
           upper(coalesce(l.account_currency, v_currency))::char(3) as currency,
           coalesce(l.spend::numeric, 0)::numeric(16, 2) as spend,
           coalesce(l.impressions::bigint, 0) as impressions,
           coalesce(l.clicks::bigint, 0) as clicks,
           l.inline_link_clicks::bigint as inline_link_clicks
    from latest as l
  ),

  written as (
    insert into voronka.fb_ad_insight as i (ad_id, date_start, ad_account_id, ad_name, adset_id, adset_name,
                                           campaign_id, campaign_name, currency, spend, impressions, clicks,
                                           inline_link_clicks)
    select p.ad_id, p.date_start, p_account_id, p.ad_name, p.adset_id, p.adset_name, p.campaign_id, p.campaign_name,
           p.currency, p.spend, p.impressions, p.clicks, p.inline_link_clicks
    from parsed as p
    on conflict (ad_id, date_start) do update
      set ad_account_id = excluded.ad_account_id,
          ad_name = excluded.ad_name,
          adset_id = excluded.adset_id,
          adset_name = excluded.adset_name,
          campaign_id = excluded.campaign_id,
          campaign_name = excluded.campaign_name,
          currency = excluded.currency,
          spend = excluded.spend,
          impressions = excluded.impressions,
          clicks = excluded.clicks,
          inline_link_clicks = excluded.inline_link_clicks,
          synced_at = now()
      where (i.ad_account_id, i.ad_name, i.adset_id, i.adset_name, i.campaign_id, i.campaign_name, i.currency,
             i.spend, i.impressions, i.clicks, i.inline_link_clicks)
            is distinct from
            (excluded.ad_account_id, excluded.ad_name, excluded.adset_id, excluded.adset_name, excluded.campaign_id,
             excluded.campaign_name, excluded.currency, excluded.spend, excluded.impressions, excluded.clicks,
             excluded.inline_link_clicks)
    returning 1
  )

  select count(*)::integer into v_count from written;
  return v_count;
end
$$;

comment on function voronka.upsert_fb_ad_insights(text, jsonb) is 'Upserts one Graph insights page (level=ad, time_increment=1) of an ad account by (ad_id, date_start), in one statement. Metrics arrive as strings and are parsed exactly as numeric. Returns the number of rows inserted or changed.';

-- Progress of one account's insights. p_done_until: the range was read up to this day (the
-- account's local today): checkpoint it and clear the resume point. p_resume_from: the run stopped;
-- the next one starts at this day. p_error: why it stopped (null when it completed).
create function voronka.record_fb_account_progress(
  p_account_id text, p_done_until date, p_resume_from date, p_error text, p_throttled_until timestamptz)
returns void
language sql
set search_path = ''
as $$
  update voronka.fb_ad_account as a
     set insights_synced_until = case when p_done_until is not null
                                      then greatest(p_done_until, a.insights_synced_until)
                                      else a.insights_synced_until end,
         insights_resume_from = case when p_done_until is not null then null
                                     else coalesce(p_resume_from, a.insights_resume_from) end,
         last_synced_at = case when p_done_until is not null then now() else a.last_synced_at end,
         last_sync_error = p_error,
         throttled_until = p_throttled_until,
         updated_at = now()
   where a.id = p_account_id
$$;

comment on function voronka.record_fb_account_progress(text, date, date, text, timestamptz) is 'Records how far an account''s insights were read: p_done_until checkpoints a complete range, p_resume_from remembers where an interrupted one continues.';

-- The accounts a run syncs, with what it needs to compute each range.
create function voronka.fb_accounts_to_sync()
returns table (id text, name text, currency text, timezone_name text, insights_synced_until date,
               insights_resume_from date, throttled_until timestamptz)
language sql
stable
set search_path = ''
as $$
  select a.id, a.name, a.currency::text, a.timezone_name, a.insights_synced_until, a.insights_resume_from,
         a.throttled_until
  from voronka.fb_ad_account as a
  where a.is_visible
  order by a.last_synced_at nulls first, a.id
$$;

comment on function voronka.fb_accounts_to_sync() is 'Visible ad accounts, least recently synced first (so a run cut short by its budget serves the others next).';
revoke execute on function voronka.start_fb_sync_run(text, interval), voronka.finish_fb_sync_run(bigint, jsonb),
  voronka.sync_fb_discovery(jsonb, jsonb, boolean), voronka.upsert_fb_ad_insights(text, jsonb),
  voronka.record_fb_account_progress(text, date, date, text, timestamptz), voronka.fb_accounts_to_sync()
  from public;

grant execute on function voronka.start_fb_sync_run(text, interval), voronka.finish_fb_sync_run(bigint, jsonb),
  voronka.sync_fb_discovery(jsonb, jsonb, boolean), voronka.upsert_fb_ad_insights(text, jsonb),
  voronka.record_fb_account_progress(text, date, date, text, timestamptz), voronka.fb_accounts_to_sync()
  to service_role;
