-- amoCRM deal state that is right whatever the interleaving of deliveries.
--
-- 1. Serialised per deal. amoCRM sends several webhooks for one deal within a second. Every
--    writer of a deal first takes a transaction-scoped advisory lock on it (all of a body's deals
--    at once, in one global order, so two bodies with the same deals in another order cannot
--    deadlock). Under READ COMMITTED each statement after the lock sees everything the previous
--    holder committed, so the recompute sees every observation stored before it. (Without the
--    lock the last committer won with a state built without the others' observations: a lost
--    sale still counted, a price reverted.)
--
-- 2. Recomputed as an ordered replay. The deal, its sale (with the voided-sale audit row) and its
--    lead are the result of replaying the deal's observations in amoCRM's order, so any delivery
--    order (reversed, shuffled, concurrent) ends in the same rows as the ordered one: won then lost
--    delivered in reverse leaves the same voided sale.
--
-- 3. Bodies without amoCRM's own time (deletes, minimal Digital Pipeline webhooks) cannot be
--    placed among timed ones: their receipt time says when we heard, not when it happened (an
--    amoCRM retry of a delete arrives after a newer restore). They rank below every observation
--    that has amoCRM's time (webhooks with updated_at/last_modified, API reads) and mark the deal
--    for an API read, which settles it (the API's answer is the deal's state at the read time). A
--    deal read as missing through the API (204/404) is deleted. Without an API token such deals
--    stay marked (needs_enrichment) and data health shows them.
--
-- 4. Values that cannot be taken as sent (a price "-5000", "5,000", "1e4"; a unix time in the
--    year 5138) are not guessed: the field counts as unknown, the deal waits for an API read, and
--    the reason is kept in amocrm_deal.data_issues (snapshots: amocrm_snapshots.sql).

-- One lock key per deal. Callers lock every deal they will touch before touching any, in the
-- order of the keys, so two transactions never wait for each other in a cycle.
create function voronka.amocrm_lock_deals(p_deal_ids bigint[])
returns void
language plpgsql
set search_path = ''
as $$
declare
  v_key bigint;
begin
  for v_key in
    select distinct hashtextextended('voronka.amocrm_deal:' || d.id, 0)
    from unnest(p_deal_ids) as d (id)
    where d.id is not null
    order by 1
  loop
    perform pg_advisory_xact_lock(v_key);
  end loop;
end
$$;

comment on function voronka.amocrm_lock_deals(bigint[]) is 'Takes the transaction-scoped lock of each amoCRM deal (in lock-key order: no deadlocks). Every writer of a deal''s observations and state holds it, so concurrent deliveries for one deal are applied one after another.';

-- What an ordered replay of a deal's observations leaves: the deal's state (each key from the
-- latest observation that carries it) and its sale (counted, voided with reason and time, or
-- never made). Computed by voronka.amocrm_replay_deal, written by amocrm_write_deals/_sales/_leads.
create type voronka.amocrm_deal_replay as (
  state jsonb,
  observation_count integer,
  latest_effective_at timestamptz,
  latest_amo_time timestamptz,
  won_at timestamptz,
  sale_seen boolean,
  sale_product text,
  sale_amount numeric,
  sale_won_at timestamptz,
  sale_voided_at timestamptz,
  sale_void_reason text
);
comment on type voronka.amocrm_deal_replay is 'The result of replaying an amoCRM deal''s observations in amoCRM''s order: its state and its sale as an ordered delivery would leave them.';

-- Step 1: the replay. Observations in amoCRM's order (timed ones by amoCRM's time, after every
-- untimed one; equal times by hash, any fixed order); after each one, the sale follows the rules
-- a live delivery in that order would apply.
create function voronka.amocrm_replay_deal(p_deal_id bigint)
returns voronka.amocrm_deal_replay
language plpgsql
stable
set search_path = ''
as $$
declare
  v_observation record;
  v_replay voronka.amocrm_deal_replay := row('{}'::jsonb, 0, null, null, null, false, null, null, null, null, null);
  v_step_time timestamptz;
  v_product text;
begin
  for v_observation in
    select o.snapshot, o.status_id, o.status_since, o.effective_at
    from voronka.amocrm_deal_observation as o
    where o.deal_id = p_deal_id
    order by o.has_amo_time, o.effective_at, o.state_hash
  loop
    v_replay.observation_count := v_replay.observation_count + 1;
    v_replay.state := v_replay.state || v_observation.snapshot;
    v_replay.latest_effective_at := v_observation.effective_at;
    v_step_time := coalesce((v_observation.snapshot ->> 'amo_time')::timestamptz, v_observation.effective_at);
    v_replay.latest_amo_time := v_step_time;

    -- A winning streak starts at the first won observation after any other status; won_at is
    -- its earliest status change (or observation) time.
    if v_observation.status_id = 142 then
      v_replay.won_at := least(v_replay.won_at, coalesce(v_observation.status_since, v_observation.effective_at));
    elsif v_observation.status_id is not null then
      v_replay.won_at := null;
    end if;

    -- The sale after this step: counts while won in a product pipeline with a known price.
    v_product := null;
    if (v_replay.state ->> 'status_id')::bigint = 142 and not (v_replay.state ->> 'is_deleted')::boolean then
      v_product := voronka.resolve_product((v_replay.state ->> 'pipeline_id')::bigint, (v_replay.state ->> 'price')::numeric);
    end if;
    if v_product is not null and v_replay.state ? 'price' and v_replay.won_at is not null then
      v_replay.sale_seen := true;
      v_replay.sale_product := v_product;
      v_replay.sale_amount := (v_replay.state ->> 'price')::numeric;
      v_replay.sale_won_at := v_replay.won_at;
      v_replay.sale_voided_at := null;
      v_replay.sale_void_reason := null;
    elsif v_product is not null then
      null; -- won, price never seen (a minimal webhook for a new deal): an API read will bring it
    elsif v_replay.sale_seen then
      -- Voided at amoCRM's time of the step that voided it; the reason follows the latest state.
      v_replay.sale_voided_at := coalesce(v_replay.sale_voided_at, v_step_time);
      v_replay.sale_void_reason := case
        when (v_replay.state ->> 'is_deleted')::boolean then 'deleted'
        when (v_replay.state ->> 'status_id')::bigint = 143 then 'lost'
        when (v_replay.state ->> 'status_id')::bigint = 142 then 'unmapped'
        else 'reopened'
      end;
    end if;
  end loop;
  return v_replay;
end
$$;
comment on function voronka.amocrm_replay_deal(bigint) is 'Replays an amoCRM deal''s observations in amoCRM''s order and returns the state and sale an ordered delivery would leave (observation_count 0: no observations).';

-- The writes below are set-based: one statement per table for every deal a body (or an API page)
-- touched, so a bulk change of 300 deals costs three statements and one firing of each
-- stale-day trigger, not 300 of each (per-deal writes were ~80 % of a bulk body's time).
-- p_deal_ids[i] and p_replays[i] describe one deal; the ids are distinct. PL/pgSQL, not SQL
-- functions: PL/pgSQL keeps each statement's plan for the session, a SQL function called from
-- PL/pgSQL plans its statement on every call. And generic plans: with an array parameter a custom
-- plan (planned for the array at hand) always looks cheaper than the generic one, so PL/pgSQL
-- would re-plan these statements on every call — several ms, more than a one-deal body's work.

-- Step 2: the deal rows. Waiting for the API: anything received after the deal's last API read
-- that needs one. Writes only what differs (long only for the upsert's column lists).
create function voronka.amocrm_write_deals(p_deal_ids bigint[], p_replays voronka.amocrm_deal_replay[])
returns void
language plpgsql
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
begin
  with replayed as (
    select u.deal_id, p_replays[u.i] as replay
    from unnest(p_deal_ids) with ordinality as u (deal_id, i)
  ),

  last_api_read as (
    select o.deal_id, max(o.effective_at) as read_at
    from voronka.amocrm_deal_observation as o
    where o.deal_id = any (p_deal_ids) and o.source = 'api'
    group by o.deal_id
  ),

  -- Webhook observations since the last API read: do they still need one, what was set aside.
  pending as (
    select o.deal_id,
           bool_or((o.snapshot ->> 'needs_enrichment')::boolean) as needs_enrichment,
           jsonb_agg(distinct issue.value) filter (where issue.value is not null) as issues
    from voronka.amocrm_deal_observation as o
    left join last_api_read as a on a.deal_id = o.deal_id
    left join lateral jsonb_array_elements(o.snapshot -> 'data_issues') as issue on true
    where o.deal_id = any (p_deal_ids) and o.source = 'webhook'
      and (a.read_at is null or o.effective_at > a.read_at)
    group by o.deal_id
  )

  insert into voronka.amocrm_deal as d (
    id, account_id, name, pipeline_id, status_id, price, responsible_user_id, amo_created_at, amo_updated_at,
    won_at, is_deleted, utm_source, utm_medium, utm_campaign, utm_content, utm_term, custom_fields,
    needs_enrichment, data_issues, state_effective_at, state_observation_count
  )
  select r.deal_id,
         ((r.replay).state ->> 'account_id')::bigint,
         (r.replay).state ->> 'name',
         ((r.replay).state ->> 'pipeline_id')::bigint,
         ((r.replay).state ->> 'status_id')::bigint,
         ((r.replay).state ->> 'price')::numeric,
         ((r.replay).state ->> 'responsible_user_id')::bigint,
         ((r.replay).state ->> 'created_at')::timestamptz,
         (r.replay).latest_amo_time,
         case when ((r.replay).state ->> 'status_id')::bigint = 142 then (r.replay).won_at end,
         ((r.replay).state ->> 'is_deleted')::boolean,
         utm.utm_source, utm.utm_medium, utm.utm_campaign, utm.utm_content, utm.utm_term,
         coalesce((r.replay).state -> 'custom_fields', '[]'::jsonb),
         coalesce(p.needs_enrichment, false),
         coalesce(p.issues, '[]'::jsonb),
         (r.replay).latest_effective_at,
         (r.replay).observation_count
  from replayed as r
  left join pending as p on p.deal_id = r.deal_id
  cross join lateral voronka.amocrm_utm_from_fields((r.replay).state -> 'custom_fields') as utm
  on conflict (id) do update
    set account_id = excluded.account_id, name = excluded.name, pipeline_id = excluded.pipeline_id,
        status_id = excluded.status_id, price = excluded.price, responsible_user_id = excluded.responsible_user_id,
        amo_created_at = excluded.amo_created_at, amo_updated_at = excluded.amo_updated_at, won_at = excluded.won_at,
        is_deleted = excluded.is_deleted, utm_source = excluded.utm_source, utm_medium = excluded.utm_medium,
        utm_campaign = excluded.utm_campaign, utm_content = excluded.utm_content, utm_term = excluded.utm_term,
        custom_fields = excluded.custom_fields, needs_enrichment = excluded.needs_enrichment,
        data_issues = excluded.data_issues, state_effective_at = excluded.state_effective_at,
        state_observation_count = excluded.state_observation_count, updated_at = now()
    where (d.account_id, d.name, d.pipeline_id, d.status_id, d.price, d.responsible_user_id, d.amo_created_at,
           d.amo_updated_at, d.won_at, d.is_deleted, d.utm_source, d.utm_medium, d.utm_campaign, d.utm_content,
           d.utm_term, d.custom_fields, d.needs_enrichment, d.data_issues, d.state_effective_at,
           d.state_observation_count)
      is distinct from
          (excluded.account_id, excluded.name, excluded.pipeline_id, excluded.status_id, excluded.price,
           excluded.responsible_user_id, excluded.amo_created_at, excluded.amo_updated_at, excluded.won_at,
           excluded.is_deleted, excluded.utm_source, excluded.utm_medium, excluded.utm_campaign, excluded.utm_content,
           excluded.utm_term, excluded.custom_fields, excluded.needs_enrichment, excluded.data_issues,
           excluded.state_effective_at, excluded.state_observation_count);
end
$$;
comment on function voronka.amocrm_write_deals(bigint[], voronka.amocrm_deal_replay[]) is 'Writes replayed amoCRM deals (their UTMs from the custom fields, whether each waits for an API read, the values set aside), one statement for all of them.';

-- Step 3: the sale rows exactly as the replays left them (counted, voided with its reason, or
-- none), in each deal's currency. Runs after amocrm_write_deals (the sale references the deal).
create function voronka.amocrm_write_sales(p_deal_ids bigint[], p_replays voronka.amocrm_deal_replay[])
returns void
language plpgsql
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
declare
  v_changed bigint[];
  v_gone bigint[];
begin
  -- Only deals whose sale row differs from what the replay left are written, and a statement runs
  -- only when it has rows: the stale-day triggers fire once per statement, even of no rows.
  with replayed as (
    select u.deal_id, p_replays[u.i] as replay
    from unnest(p_deal_ids) with ordinality as u (deal_id, i)
  ),

  compared as (
    select r.deal_id, (r.replay).sale_seen as sale_seen, s.deal_id is not null as has_row,
           (s.product_id, s.amount, s.currency, s.won_at, s.voided_at, s.void_reason)
             is distinct from ((r.replay).sale_product, (r.replay).sale_amount, d.currency, (r.replay).sale_won_at,
                               (r.replay).sale_voided_at, (r.replay).sale_void_reason) as differs
    from replayed as r
    join voronka.amocrm_deal as d on d.id = r.deal_id
    -- By key, per deal (offset 0): planned while the table was small, the cached generic plan
    -- scanned every sale on each call.
    left join lateral (select s.* from voronka.sale as s where s.deal_id = r.deal_id offset 0) as s on true
  )

  select array_agg(c.deal_id) filter (where c.sale_seen and c.differs),
         array_agg(c.deal_id) filter (where not c.sale_seen and c.has_row)
    into v_changed, v_gone
  from compared as c;

  if v_changed is not null then
    insert into voronka.sale as s (deal_id, product_id, amount, currency, won_at, voided_at, void_reason)
    select u.deal_id, (p_replays[u.i]).sale_product, (p_replays[u.i]).sale_amount, d.currency,
           (p_replays[u.i]).sale_won_at, (p_replays[u.i]).sale_voided_at, (p_replays[u.i]).sale_void_reason
    from unnest(p_deal_ids) with ordinality as u (deal_id, i)
    join voronka.amocrm_deal as d on d.id = u.deal_id
    where u.deal_id = any (v_changed)
    on conflict (deal_id) do update
      set product_id = excluded.product_id, amount = excluded.amount, currency = excluded.currency,
          won_at = excluded.won_at, voided_at = excluded.voided_at, void_reason = excluded.void_reason,
          updated_at = now();
  end if;
  if v_gone is not null then
    -- No step of the deal's replay made a sale (e.g. a product rule was removed): nothing to keep.
    delete from voronka.sale as s where s.deal_id = any (v_gone);
  end if;
end
$$;
comment on function voronka.amocrm_write_sales(bigint[], voronka.amocrm_deal_replay[]) is 'Writes (or removes) the sales of replayed amoCRM deals, in each deal''s currency, one statement for all of them.';

-- Step 4: the leads. A deal seen in a configured lead pipeline counts once, on its creation time,
-- while it is not deleted (a deleted deal is not a lead; restored, it counts again). Reads the
-- deal rows amocrm_write_deals left.
create function voronka.amocrm_write_leads(p_deal_ids bigint[])
returns void
language plpgsql
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
declare
  v_changed bigint[];
  v_gone bigint[];
begin
  -- As for sales: write only the leads that differ, and run a statement only when it has rows.
  with deals as (
    select d.*,
           d.amo_created_at is not null and not d.is_deleted and exists (
             select 1
             from voronka.amocrm_deal_observation as o
             join voronka.amocrm_lead_pipeline as p on p.pipeline_id = o.pipeline_id
             where o.deal_id = d.id
           ) as is_lead
    from voronka.amocrm_deal as d
    where d.id = any (p_deal_ids)
  ),

  compared as (
    select d.id, d.is_lead, l.id is not null as has_row,
           (l.occurred_at, l.utm_source, l.utm_medium, l.utm_campaign, l.utm_content, l.utm_term, l.amocrm_deal_id)
             is distinct from (d.amo_created_at, d.utm_source, d.utm_medium, d.utm_campaign, d.utm_content, d.utm_term,
                               d.id) as differs
    from deals as d
    left join voronka.lead as l on l.source = 'amocrm' and l.external_id = d.id::text
  )

  select array_agg(c.id) filter (where c.is_lead and c.differs), array_agg(c.id) filter (where not c.is_lead and c.has_row)
    into v_changed, v_gone
  from compared as c;

  if v_changed is not null then
    insert into voronka.lead as l (source, external_id, occurred_at, utm_source, utm_medium, utm_campaign,
                                   utm_content, utm_term, amocrm_deal_id)
    select 'amocrm', d.id::text, d.amo_created_at, d.utm_source, d.utm_medium, d.utm_campaign, d.utm_content,
           d.utm_term, d.id
    from voronka.amocrm_deal as d
    where d.id = any (v_changed)
    on conflict (source, external_id) do update
      set occurred_at = excluded.occurred_at, utm_source = excluded.utm_source, utm_medium = excluded.utm_medium,
          utm_campaign = excluded.utm_campaign, utm_content = excluded.utm_content, utm_term = excluded.utm_term,
          amocrm_deal_id = excluded.amocrm_deal_id;
  end if;
  if v_gone is not null then
    -- Follows the configuration: a pipeline removed from amocrm_lead_pipeline stops counting.
    delete from voronka.lead as l where l.source = 'amocrm' and l.external_id = any (array(select v::text from unnest(v_gone) as v));
  end if;
end
$$;
comment on function voronka.amocrm_write_leads(bigint[]) is 'Writes (or removes) the leads of amoCRM deals: one per deal while it is in a lead pipeline and not deleted.';

-- Deals, their sales and their leads as ordered replays of their observations leave them: each
-- deal replayed once (a fold, deal by deal), then each table written in one statement. Writes only
-- what differs. Callers hold the deals' locks (voronka.amocrm_lock_deals).
create function voronka.amocrm_refresh_deals(p_deal_ids bigint[])
returns void
language plpgsql
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
declare
  v_ids bigint[];
  v_replays voronka.amocrm_deal_replay[];
begin
  with deals as (
    select distinct d.id from unnest(p_deal_ids) as d (id) where d.id is not null
  ),

  replayed as (
    select deals.id, voronka.amocrm_replay_deal(deals.id) as replay from deals
  )

  select array_agg(r.id order by r.id), array_agg(r.replay order by r.id) into v_ids, v_replays
  from replayed as r
  where (r.replay).observation_count > 0;
  if v_ids is null then
    return;
  end if;
  perform voronka.amocrm_write_deals(v_ids, v_replays);
  perform voronka.amocrm_write_sales(v_ids, v_replays);
  perform voronka.amocrm_write_leads(v_ids);
  -- The person of each deal's contacts (people.sql), for cohorts and first touch. Each deal row
  -- by its key (offset 0 keeps the lookup per deal): the generic plan, which guesses 1,000
  -- subscripts, otherwise hashed the whole deal table on every call — a cost growing with it.
  perform voronka.amocrm_write_person(d.deal, (v_replays[i.n]).state -> 'contact_ids')
  from generate_subscripts(v_ids, 1) as i (n)
  cross join lateral (select dd as deal from voronka.amocrm_deal as dd where dd.id = v_ids[i.n] offset 0) as d;
end
$$;

comment on function voronka.amocrm_refresh_deals(bigint[]) is 'Recomputes amoCRM deals, their sales (counted or voided, as an ordered replay of each deal''s observations leaves it) and their leads, one statement per table. Writes only what differs. The caller holds the deals'' locks (voronka.amocrm_lock_deals).';

create function voronka.amocrm_refresh_deal(p_deal_id bigint)
returns void
language plpgsql
set search_path = ''
as $$
begin
  perform voronka.amocrm_refresh_deals(array[p_deal_id]);
end
$$;

comment on function voronka.amocrm_refresh_deal(bigint) is 'Recomputes one amoCRM deal, its sale and its lead (voronka.amocrm_refresh_deals). The caller holds the deal''s lock.';

-- Record normalized snapshots (p_snapshots[i] effective at p_effective_at[i]) as observations,
-- one statement, and recompute their deals, under the deals' locks (all taken at once, in key
-- order; taking a lock the caller already holds is harmless). Returns how many were new.
create function voronka.amocrm_observe_deals(
  p_snapshots jsonb[], p_effective_at timestamptz[], p_source text, p_inbox_event_id bigint)
returns integer
language plpgsql
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
declare
  v_deal_ids bigint[] := array(select distinct (s.snapshot ->> 'id')::bigint from unnest(p_snapshots) as s (snapshot));
  v_new integer;
begin
  perform voronka.amocrm_lock_deals(v_deal_ids);
  with observed as (
    select (o.snapshot ->> 'id')::bigint as deal_id, o.effective_at, md5(o.snapshot::text) as state_hash, o.snapshot
    from unnest(p_snapshots, p_effective_at) as o (snapshot, effective_at)
  )

  insert into voronka.amocrm_deal_observation (deal_id, effective_at, state_hash, snapshot, status_id, pipeline_id,
                                               is_deleted, status_since, source, inbox_event_id, has_amo_time)
  select distinct on (o.deal_id, o.effective_at, o.state_hash)
         o.deal_id, o.effective_at, o.state_hash, o.snapshot, (o.snapshot ->> 'status_id')::bigint,
         (o.snapshot ->> 'pipeline_id')::bigint, coalesce((o.snapshot ->> 'is_deleted')::boolean, false),
         coalesce((o.snapshot ->> 'status_since')::timestamptz,
                  case when (o.snapshot ->> 'status_transition')::boolean then o.effective_at end),
         p_source, p_inbox_event_id,
         p_source = 'api' or o.snapshot ? 'amo_time'
  from observed as o
  on conflict do nothing;
  get diagnostics v_new = row_count;
  -- Always recompute: a repeat changes nothing, a replay after a mapping change applies it.
  perform voronka.amocrm_refresh_deals(v_deal_ids);
  return v_new;
end
$$;

comment on function voronka.amocrm_observe_deals(jsonb[], timestamptz[], text, bigint) is 'Stores normalized deal snapshots as observations (each once) and recomputes their deals, sales and leads, set-based. Returns the number of new observations.';

-- Record one normalized snapshot and recompute the deal, under the deal's lock.
create function voronka.amocrm_observe_deal(p_snapshot jsonb, p_effective_at timestamptz, p_source text, p_inbox_event_id bigint)
returns boolean
language plpgsql
set search_path = ''
as $$
begin
  return voronka.amocrm_observe_deals(array[p_snapshot], array[p_effective_at], p_source, p_inbox_event_id) > 0;
end
$$;

comment on function voronka.amocrm_observe_deal(jsonb, timestamptz, text, bigint) is 'Stores a normalized deal snapshot as an observation (once) and recomputes the deal, sale and lead. Returns true for a new observation.';

-- After a change of product rules, lead pipelines or field mappings: recompute every deal.
create function voronka.amocrm_refresh_all_deals()
returns integer
language plpgsql
set search_path = ''
as $$
declare
  v_id bigint;
  v_count integer := 0;
begin
  -- One deal at a time, each under its lock, in lock-key order (as every other writer).
  for v_id in
    select ids.deal_id
    from (select distinct o.deal_id from voronka.amocrm_deal_observation as o) as ids
    order by hashtextextended('voronka.amocrm_deal:' || ids.deal_id, 0)
  loop
    perform voronka.amocrm_lock_deals(array[v_id]);
    perform voronka.amocrm_refresh_deal(v_id);
    v_count := v_count + 1;
  end loop;
  return v_count;
end
$$;

comment on function voronka.amocrm_refresh_all_deals() is 'Recomputes every amoCRM deal from its observations (after changing product_rule, amocrm_lead_pipeline or amocrm_field_mapping). Returns the number of deals.';

-- API v4 reads (enrichment, reconciliation) go through the same observation path. p_read_at is
-- when the API answered: its answer is the deal's state at that moment.
create function voronka.amocrm_apply_api_leads(p_leads jsonb, p_read_at timestamptz)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_snapshots jsonb[];
  v_effective_at timestamptz[];
  v_max_updated timestamptz;
begin
  if jsonb_typeof(p_leads) <> 'array' then
    raise exception 'amoCRM API leads must be a JSON array' using errcode = '22023';
  end if;
  with snapshots as (
    select voronka.amocrm_snapshot_from_api(l.value) as snapshot, l.n
    from jsonb_array_elements(p_leads) with ordinality as l (value, n)
  )

  select array_agg(s.snapshot order by s.n),
         array_agg(greatest(p_read_at, (s.snapshot ->> 'amo_time')::timestamptz) order by s.n),
         max((s.snapshot ->> 'amo_time')::timestamptz)
    into v_snapshots, v_effective_at, v_max_updated
  from snapshots as s;
  perform voronka.amocrm_observe_deals(coalesce(v_snapshots, '{}'), coalesce(v_effective_at, '{}'), 'api', null);
  return jsonb_build_object('deals_applied', coalesce(cardinality(v_snapshots), 0), 'max_updated_at', v_max_updated);
end
$$;

comment on function voronka.amocrm_apply_api_leads(jsonb, timestamptz) is 'Applies leads read through amoCRM API v4 (GET /api/v4/leads[/id]) as observations at p_read_at.';

-- The API answered 204/404 for these deals: they no longer exist (deleted, trash emptied).
-- That answer is an observation like any read: the deal is deleted as of p_read_at.
create function voronka.amocrm_apply_api_missing(p_deal_ids bigint[], p_read_at timestamptz)
returns integer
language plpgsql
set search_path = ''
as $$
declare
  v_known bigint[];
begin
  perform voronka.amocrm_lock_deals(p_deal_ids);
  -- Only deals we know: a read of an id nobody sent us creates nothing.
  v_known := array(
    select distinct d.id from unnest(p_deal_ids) as d (id)
    where exists (select 1 from voronka.amocrm_deal_observation as o where o.deal_id = d.id)
    order by 1);
  perform voronka.amocrm_observe_deals(
    array(select jsonb_build_object('id', k.id, 'is_deleted', true, 'data_issues', '[]'::jsonb, 'needs_enrichment', false)
          from unnest(v_known) as k (id)),
    array_fill(p_read_at, array[cardinality(v_known)]), 'api', null);
  return cardinality(v_known);
end
$$;

comment on function voronka.amocrm_apply_api_missing(bigint[], timestamptz) is 'Records that amoCRM API v4 no longer returns these known deals (204/404 at p_read_at): each is deleted as of that read.';

-- One page of reconciliation: apply its deals and move the checkpoint, atomically, so a run
-- cut short resumes where it stopped.
create function voronka.amocrm_apply_reconcile_page(p_leads jsonb, p_read_at timestamptz)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_result jsonb := voronka.amocrm_apply_api_leads(p_leads, p_read_at);
begin
  insert into voronka.amocrm_sync_state as s (id, updated_from, last_status, updated_at)
  values (true, (v_result ->> 'max_updated_at')::timestamptz, 'running', now())
  on conflict (id) do update
    set updated_from = greatest(s.updated_from, excluded.updated_from), updated_at = now();
  return v_result;
end
$$;

comment on function voronka.amocrm_apply_reconcile_page(jsonb, timestamptz) is 'Applies one page of GET /api/v4/leads and advances the reconciliation checkpoint in the same transaction.';
revoke execute on function voronka.amocrm_replay_deal(bigint),
  voronka.amocrm_write_deals(bigint[], voronka.amocrm_deal_replay[]),
  voronka.amocrm_write_sales(bigint[], voronka.amocrm_deal_replay[]),
  voronka.amocrm_write_leads(bigint[]) from public;
revoke execute on function voronka.amocrm_lock_deals(bigint[]), voronka.amocrm_refresh_deal(bigint),
  voronka.amocrm_refresh_deals(bigint[]), voronka.amocrm_observe_deals(jsonb[], timestamptz[], text, bigint),
  voronka.amocrm_observe_deal(jsonb, timestamptz, text, bigint), voronka.amocrm_refresh_all_deals(),
  voronka.amocrm_apply_api_leads(jsonb, timestamptz), voronka.amocrm_apply_api_missing(bigint[], timestamptz),
  voronka.amocrm_apply_reconcile_page(jsonb, timestamptz) from public;
grant execute on function voronka.amocrm_lock_deals(bigint[]), voronka.amocrm_refresh_deal(bigint),
  voronka.amocrm_refresh_deals(bigint[]), voronka.amocrm_observe_deals(jsonb[], timestamptz[], text, bigint),
  voronka.amocrm_observe_deal(jsonb, timestamptz, text, bigint), voronka.amocrm_refresh_all_deals(),
  voronka.amocrm_apply_api_leads(jsonb, timestamptz), voronka.amocrm_apply_api_missing(bigint[], timestamptz),
  voronka.amocrm_apply_reconcile_page(jsonb, timestamptz) to service_role;
