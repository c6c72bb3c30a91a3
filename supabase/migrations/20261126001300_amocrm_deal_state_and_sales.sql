-- Deal state, sale and lead of one amoCRM deal, recomputed from its observations. This is the
-- only place a sale is created, voided or counted again, so webhooks, API reads, replays and
-- reconciliation all agree.

-- Recompute voronka.amocrm_deal, its voronka.sale and its amoCRM voronka.lead from the deal's
-- observations. Idempotent: rows are only written when a value differs, so re-running it (a
-- duplicate webhook, a replay) leaves no trace, and a mapping or rule change is picked up.
create function voronka.amocrm_refresh_deal(p_deal_id bigint)
returns void
language plpgsql
set search_path = ''
as $$
declare
  v_deal voronka.amocrm_deal;
  v_product text;
  v_reason text;
begin
  with ordered as (
    -- rank 1 = the latest observation; equal times are ordered by the hash (any fixed order).
    select o.*, row_number() over (order by o.effective_at desc, o.state_hash desc) as rank
    from voronka.amocrm_deal_observation as o
    where o.deal_id = p_deal_id
  ),
  latest as (
    select ordered.* from ordered where ordered.rank = 1
  ),
  latest_values as (
    -- Each key from the latest observation that carries it: a minimal webhook (no price, no
    -- fields) leaves the last known price and UTMs in place.
    select jsonb_object_agg(per_key.key, per_key.value) as v
    from (
      select distinct on (kv.key) kv.key, kv.value
      from ordered
      cross join lateral jsonb_each(ordered.snapshot) as kv
      order by kv.key, ordered.rank
    ) as per_key
  ),
  streak_break as (
    -- The latest observation in a status other than won ends the previous winning streak.
    select min(ordered.rank) as rank from ordered where ordered.status_id <> 142
  ),
  won as (
    select min(coalesce(ordered.status_since, ordered.effective_at)) as won_at
    from ordered
    cross join streak_break
    where ordered.status_id = 142 and ordered.rank < coalesce(streak_break.rank, 2147483647)
  ),
  state as (
    select latest_values.v as s,
           latest.effective_at,
           coalesce(latest.snapshot ->> 'amo_time', latest.effective_at::text)::timestamptz as amo_updated_at,
           (select count(*) from ordered)::integer as observations,
           won.won_at
    from latest
    cross join latest_values
    cross join won
  ),
  utm as (
    select u.*
    from state
    cross join lateral voronka.amocrm_utm_from_fields(state.s -> 'custom_fields') as u
  )
  insert into voronka.amocrm_deal as d (
    id, account_id, name, pipeline_id, status_id, price, responsible_user_id, amo_created_at, amo_updated_at,
    won_at, is_deleted, utm_source, utm_medium, utm_campaign, utm_content, utm_term, custom_fields,
    needs_enrichment, state_effective_at, state_observation_count
  )
  select p_deal_id,
         (state.s ->> 'account_id')::bigint,
         state.s ->> 'name',
         (state.s ->> 'pipeline_id')::bigint,
         (state.s ->> 'status_id')::bigint,
         (state.s ->> 'price')::numeric,
         (state.s ->> 'responsible_user_id')::bigint,
         (state.s ->> 'created_at')::timestamptz,
         state.amo_updated_at,
         case when (state.s ->> 'status_id')::bigint = 142 then state.won_at end,
         coalesce((state.s ->> 'is_deleted')::boolean, false),
         utm.utm_source, utm.utm_medium, utm.utm_campaign, utm.utm_content, utm.utm_term,
         coalesce(state.s -> 'custom_fields', '[]'::jsonb),
         coalesce((state.s ->> 'needs_enrichment')::boolean, false),
         state.effective_at,
         state.observations
  from state
  cross join utm
  on conflict (id) do update
    set account_id = excluded.account_id, name = excluded.name, pipeline_id = excluded.pipeline_id,
        status_id = excluded.status_id, price = excluded.price, responsible_user_id = excluded.responsible_user_id,
        amo_created_at = excluded.amo_created_at, amo_updated_at = excluded.amo_updated_at, won_at = excluded.won_at,
        is_deleted = excluded.is_deleted, utm_source = excluded.utm_source, utm_medium = excluded.utm_medium,
        utm_campaign = excluded.utm_campaign, utm_content = excluded.utm_content, utm_term = excluded.utm_term,
        custom_fields = excluded.custom_fields, needs_enrichment = excluded.needs_enrichment,
        state_effective_at = excluded.state_effective_at, state_observation_count = excluded.state_observation_count,
        updated_at = now()
    where (d.account_id, d.name, d.pipeline_id, d.status_id, d.price, d.responsible_user_id, d.amo_created_at,
           d.amo_updated_at, d.won_at, d.is_deleted, d.utm_source, d.utm_medium, d.utm_campaign, d.utm_content,
           d.utm_term, d.custom_fields, d.needs_enrichment, d.state_effective_at, d.state_observation_count)
      is distinct from
          (excluded.account_id, excluded.name, excluded.pipeline_id, excluded.status_id, excluded.price,
           excluded.responsible_user_id, excluded.amo_created_at, excluded.amo_updated_at, excluded.won_at,
           excluded.is_deleted, excluded.utm_source, excluded.utm_medium, excluded.utm_campaign, excluded.utm_content,
           excluded.utm_term, excluded.custom_fields, excluded.needs_enrichment, excluded.state_effective_at,
           excluded.state_observation_count);

  select * into v_deal from voronka.amocrm_deal as d where d.id = p_deal_id;
  if not found then
    return;
  end if;

  -- The sale: exists while the deal is won in a pipeline mapped to a product.
  if v_deal.status_id = 142 and not v_deal.is_deleted then
    v_product := voronka.resolve_product(v_deal.pipeline_id, v_deal.price);
  end if;
  if v_product is not null and v_deal.price is not null and v_deal.won_at is not null then
    insert into voronka.sale as s (deal_id, product_id, amount, currency, won_at)
    values (v_deal.id, v_product, v_deal.price, v_deal.currency, v_deal.won_at)
    on conflict (deal_id) do update
      set product_id = excluded.product_id, amount = excluded.amount, currency = excluded.currency,
          won_at = excluded.won_at, voided_at = null, void_reason = null, updated_at = now()
      where (s.product_id, s.amount, s.currency, s.won_at, s.voided_at)
        is distinct from (excluded.product_id, excluded.amount, excluded.currency, excluded.won_at, null::timestamptz);
  elsif v_product is not null then
    -- Won, price never seen (a minimal webhook for a new deal): enrichment will bring it.
    null;
  else
    v_reason := case
      when v_deal.is_deleted then 'deleted'
      when v_deal.status_id = 143 then 'lost'
      when v_deal.status_id = 142 then 'unmapped'
      else 'reopened'
    end;
    -- voided_at is amoCRM's time of the state that voided it, so every delivery order agrees.
    update voronka.sale as s
       set voided_at = v_deal.amo_updated_at, void_reason = v_reason, updated_at = now()
     where s.deal_id = p_deal_id
       and (s.voided_at, s.void_reason) is distinct from (v_deal.amo_updated_at, v_reason);
  end if;

  -- The lead: a deal seen in a configured lead pipeline counts once, on its creation time.
  if v_deal.amo_created_at is not null and exists (
    select 1
    from voronka.amocrm_deal_observation as o
    join voronka.amocrm_lead_pipeline as p on p.pipeline_id = o.pipeline_id
    where o.deal_id = p_deal_id
  ) then
    insert into voronka.lead as l (source, external_id, occurred_at, utm_source, utm_medium, utm_campaign, utm_content,
                                   utm_term, amocrm_deal_id)
    values ('amocrm', v_deal.id::text, v_deal.amo_created_at, v_deal.utm_source, v_deal.utm_medium,
            v_deal.utm_campaign, v_deal.utm_content, v_deal.utm_term, v_deal.id)
    on conflict (source, external_id) do update
      set occurred_at = excluded.occurred_at, utm_source = excluded.utm_source, utm_medium = excluded.utm_medium,
          utm_campaign = excluded.utm_campaign, utm_content = excluded.utm_content, utm_term = excluded.utm_term,
          amocrm_deal_id = excluded.amocrm_deal_id
      where (l.occurred_at, l.utm_source, l.utm_medium, l.utm_campaign, l.utm_content, l.utm_term, l.amocrm_deal_id)
        is distinct from (excluded.occurred_at, excluded.utm_source, excluded.utm_medium, excluded.utm_campaign,
                          excluded.utm_content, excluded.utm_term, excluded.amocrm_deal_id);
  else
    -- Follows the configuration: a pipeline removed from amocrm_lead_pipeline stops counting.
    delete from voronka.lead as l where l.source = 'amocrm' and l.external_id = p_deal_id::text;
  end if;
end
$$;
comment on function voronka.amocrm_refresh_deal(bigint) is 'Recomputes an amoCRM deal, its sale and its lead from voronka.amocrm_deal_observation (writes only what differs).';

-- Record one normalized snapshot and recompute the deal. p_effective_at orders it among the
-- deal's other observations.
create function voronka.amocrm_observe_deal(p_snapshot jsonb, p_effective_at timestamptz, p_source text, p_inbox_event_id bigint)
returns boolean
language plpgsql
set search_path = ''
as $$
declare
  v_deal_id bigint := (p_snapshot ->> 'id')::bigint;
  v_new boolean;
begin
  insert into voronka.amocrm_deal_observation (deal_id, effective_at, state_hash, snapshot, status_id, pipeline_id,
                                               is_deleted, status_since, source, inbox_event_id)
  values (v_deal_id, p_effective_at, md5(p_snapshot::text), p_snapshot, (p_snapshot ->> 'status_id')::bigint,
          (p_snapshot ->> 'pipeline_id')::bigint, coalesce((p_snapshot ->> 'is_deleted')::boolean, false),
          coalesce((p_snapshot ->> 'status_since')::timestamptz,
                   case when (p_snapshot ->> 'status_transition')::boolean then p_effective_at end),
          p_source, p_inbox_event_id)
  on conflict do nothing;
  v_new := found;
  -- Always recompute: a repeat changes nothing, a replay after a mapping change applies it.
  perform voronka.amocrm_refresh_deal(v_deal_id);
  return v_new;
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
  for v_id in select distinct o.deal_id from voronka.amocrm_deal_observation as o order by 1 loop
    perform voronka.amocrm_refresh_deal(v_id);
    v_count := v_count + 1;
  end loop;
  return v_count;
end
$$;
comment on function voronka.amocrm_refresh_all_deals() is 'Recomputes every amoCRM deal from its observations (after changing product_rule, amocrm_lead_pipeline or amocrm_field_mapping). Returns the number of deals.';

revoke execute on function voronka.amocrm_refresh_deal(bigint), voronka.amocrm_observe_deal(jsonb, timestamptz, text, bigint),
  voronka.amocrm_refresh_all_deals() from public;
grant execute on function voronka.amocrm_refresh_deal(bigint), voronka.amocrm_observe_deal(jsonb, timestamptz, text, bigint),
  voronka.amocrm_refresh_all_deals() to service_role;
