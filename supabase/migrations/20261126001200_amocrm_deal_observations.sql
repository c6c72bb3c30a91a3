-- amoCRM deal state, order-independent. Every deal snapshot amoCRM sends (webhook) or we read
-- (API v4) is kept as an observation; a deal's state is recomputed from the set of its
-- observations: each field from the latest observation that carries it. A set does not care in
-- which order or how often its members arrive, so duplicated and shuffled deliveries reach the
-- same state as the ordered sequence, and an older event never overwrites a newer state.

alter table voronka.amocrm_deal
  add column state_effective_at timestamptz,
  add column state_observation_count integer not null default 0;
comment on column voronka.amocrm_deal.state_effective_at is 'Effective time of the latest observation: amoCRM''s modification time for webhooks that carry one, the receive time for those that do not, the read time for API reads (what the API returns is current at that moment).';
comment on column voronka.amocrm_deal.state_observation_count is 'Distinct observations (webhook snapshots, API reads) the state is computed from.';
comment on column voronka.amocrm_deal.amo_updated_at is 'amoCRM''s own modification time of the latest observation (the receive time when amoCRM sent none). The guard is the observation order: see voronka.amocrm_deal_observation.';
comment on column voronka.amocrm_deal.won_at is 'When amoCRM moved the deal to 142 (won), for its current winning streak: the status change time of a status webhook, or the API''s closed_at.';

create table voronka.amocrm_deal_observation (
  deal_id bigint not null,
  effective_at timestamptz not null,
  state_hash text not null,
  snapshot jsonb not null,
  status_id bigint,
  pipeline_id bigint,
  is_deleted boolean not null default false,
  status_since timestamptz,
  source text not null check (source in ('webhook', 'api')),
  inbox_event_id bigint references inbox.amocrm_webhook_event (id) on delete set null,
  recorded_at timestamptz not null default now(),
  -- The same snapshot at the same time is the same observation: repeats change nothing.
  primary key (deal_id, effective_at, state_hash)
);
create index amocrm_deal_observation_inbox_event_idx on voronka.amocrm_deal_observation (inbox_event_id);
comment on table voronka.amocrm_deal_observation is 'Every distinct snapshot of an amoCRM deal that was observed (webhook or API read). voronka.amocrm_deal is computed from these; ties at equal effective_at are broken by state_hash so every order gives one answer.';
comment on column voronka.amocrm_deal_observation.effective_at is 'When this snapshot was the deal''s state: amoCRM''s updated_at/last_modified, else the receive time (minimal and delete webhooks), or the read time for API reads.';
comment on column voronka.amocrm_deal_observation.state_hash is 'md5 of snapshot: identity of the observation, and the tie-break at equal effective_at.';
comment on column voronka.amocrm_deal_observation.snapshot is 'Normalized deal: id, account_id, name, pipeline_id, status_id, price (absent = unknown), responsible_user_id, created_at, amo_time, is_deleted, status_since, custom_fields ([{id,name,code,values}], absent = unknown), needs_enrichment.';
comment on column voronka.amocrm_deal_observation.status_since is 'When the deal entered status_id, if this observation says so (status webhook with old_status_id, or the API''s closed_at for 142/143).';

-- Text to bigint / instant, tolerating what amoCRM sends: strings, empty strings, numbers.
create function voronka.amocrm_bigint(p_value text)
returns bigint
language sql
immutable
set search_path = ''
as $$
  select case when btrim(p_value) ~ '^-?[0-9]{1,18}$' then btrim(p_value)::bigint end
$$;

create function voronka.amocrm_time(p_unix_seconds text)
returns timestamptz
language sql
immutable
set search_path = ''
as $$
  select case when btrim(p_unix_seconds) ~ '^[0-9]{1,12}$' and btrim(p_unix_seconds)::bigint > 0
              then to_timestamp(btrim(p_unix_seconds)::bigint) end
$$;

create function voronka.amocrm_money(p_value text)
returns numeric
language sql
immutable
set search_path = ''
as $$
  select case when btrim(p_value) ~ '^[0-9]{1,12}(\.[0-9]+)?$' then round(btrim(p_value)::numeric, 2) end
$$;

-- Webhook custom fields ([{id, name, code?, values: [{value, enum} | "<unix date>"]}]) in the
-- normalized shape [{id, name, code, values: [text]}]. Date fields send values[0]=<unix> with no
-- [value] key: the bare string is the value.
create function voronka.amocrm_fields_from_webhook(p_fields jsonb)
returns jsonb
language sql
immutable
set search_path = ''
as $$
  with fields as (
    select f.value as field, f.ordinality as n
    from jsonb_array_elements(case jsonb_typeof(p_fields) when 'array' then p_fields else '[]'::jsonb end)
         with ordinality as f
    where jsonb_typeof(f.value) = 'object'
  ),
  normalized as (
    select fields.n,
           jsonb_build_object(
             'id', fields.field ->> 'id',
             'name', fields.field ->> 'name',
             'code', fields.field ->> 'code',
             'values', coalesce((
               select jsonb_agg(case jsonb_typeof(v.value) when 'object' then to_jsonb(v.value ->> 'value')
                                                           else to_jsonb(v.value #>> '{}') end order by v.ordinality)
               from jsonb_array_elements(case jsonb_typeof(fields.field -> 'values') when 'array' then fields.field -> 'values'
                                                                                     else '[]'::jsonb end)
                    with ordinality as v
             ), '[]'::jsonb)) as field
    from fields
  )
  select coalesce(jsonb_agg(normalized.field order by normalized.n), '[]'::jsonb) from normalized
$$;

-- API v4 custom_fields_values ([{field_id, field_name, field_code, values: [{value}]}], null when
-- none are set) in the same normalized shape.
create function voronka.amocrm_fields_from_api(p_fields jsonb)
returns jsonb
language sql
immutable
set search_path = ''
as $$
  with fields as (
    select f.value as field, f.ordinality as n
    from jsonb_array_elements(case jsonb_typeof(p_fields) when 'array' then p_fields else '[]'::jsonb end)
         with ordinality as f
    where jsonb_typeof(f.value) = 'object'
  ),
  normalized as (
    select fields.n,
           jsonb_build_object(
             'id', fields.field ->> 'field_id',
             'name', fields.field ->> 'field_name',
             'code', fields.field ->> 'field_code',
             'values', coalesce((
               select jsonb_agg(to_jsonb(v.value ->> 'value') order by v.ordinality)
               from jsonb_array_elements(case jsonb_typeof(fields.field -> 'values') when 'array' then fields.field -> 'values'
                                                                                     else '[]'::jsonb end)
                    with ordinality as v
             ), '[]'::jsonb)) as field
    from fields
  )
  select coalesce(jsonb_agg(normalized.field order by normalized.n), '[]'::jsonb) from normalized
$$;

-- One lead of a webhook (`leads[<action>][i]`) as a normalized snapshot. Keys amoCRM did not
-- send stay absent (unknown), so a minimal payload never erases a known price or UTM.
create function voronka.amocrm_snapshot_from_webhook(p_lead jsonb, p_action text, p_account jsonb)
returns jsonb
language plpgsql
immutable
set search_path = ''
as $$
declare
  v_id bigint := voronka.amocrm_bigint(p_lead ->> 'id');
  v_time timestamptz := greatest(voronka.amocrm_time(p_lead ->> 'updated_at'), voronka.amocrm_time(p_lead ->> 'last_modified'));
  v_status bigint := voronka.amocrm_bigint(p_lead ->> 'status_id');
  v_old_status bigint := voronka.amocrm_bigint(p_lead ->> 'old_status_id');
  v_snapshot jsonb;
begin
  if jsonb_typeof(p_lead) is distinct from 'object' or v_id is null then
    raise exception 'amoCRM lead without a numeric id in leads[%]: %', p_action, left(coalesce(p_lead::text, 'null'), 200)
      using errcode = '22023';
  end if;
  v_snapshot := jsonb_strip_nulls(jsonb_build_object(
    'id', v_id,
    'account_id', coalesce(voronka.amocrm_bigint(p_lead ->> 'account_id'), voronka.amocrm_bigint(p_account ->> 'id')),
    'name', p_lead ->> 'name',
    'pipeline_id', voronka.amocrm_bigint(p_lead ->> 'pipeline_id'),
    'status_id', v_status,
    'responsible_user_id', voronka.amocrm_bigint(p_lead ->> 'responsible_user_id'),
    'created_at', coalesce(voronka.amocrm_time(p_lead ->> 'created_at'), voronka.amocrm_time(p_lead ->> 'date_create')),
    'amo_time', v_time,
    -- A status webhook names the status it left: this snapshot is the moment of the change.
    'status_transition', v_old_status is not null and v_status is not null and v_old_status <> v_status,
    'custom_fields', case when p_lead ? 'custom_fields' then voronka.amocrm_fields_from_webhook(p_lead -> 'custom_fields') end
  )) || jsonb_build_object(
    'is_deleted', p_action = 'delete',
    -- No price or no modification time: the minimal (Digital Pipeline) shape. Read the deal.
    'needs_enrichment', p_action <> 'delete' and (v_time is null or not p_lead ? 'price')
  );
  if p_lead ? 'price' then
    -- Present but empty means 0 in amoCRM's UI; absent means unknown (kept absent above).
    v_snapshot := v_snapshot || jsonb_build_object('price', coalesce(voronka.amocrm_money(p_lead ->> 'price'), 0));
  end if;
  return v_snapshot;
end
$$;
comment on function voronka.amocrm_snapshot_from_webhook(jsonb, text, jsonb) is 'Normalized snapshot of one webhook lead (leads[action][i]); absent keys mean unknown.';

-- A lead read through API v4 as a normalized snapshot.
create function voronka.amocrm_snapshot_from_api(p_lead jsonb)
returns jsonb
language plpgsql
immutable
set search_path = ''
as $$
declare
  v_id bigint := voronka.amocrm_bigint(p_lead ->> 'id');
  v_status bigint := voronka.amocrm_bigint(p_lead ->> 'status_id');
begin
  if jsonb_typeof(p_lead) is distinct from 'object' or v_id is null then
    raise exception 'amoCRM API lead without a numeric id: %', left(coalesce(p_lead::text, 'null'), 200)
      using errcode = '22023';
  end if;
  return jsonb_strip_nulls(jsonb_build_object(
    'id', v_id,
    'account_id', voronka.amocrm_bigint(p_lead ->> 'account_id'),
    'name', p_lead ->> 'name',
    'pipeline_id', voronka.amocrm_bigint(p_lead ->> 'pipeline_id'),
    'status_id', v_status,
    'price', coalesce(voronka.amocrm_money(p_lead ->> 'price'), 0),
    'responsible_user_id', voronka.amocrm_bigint(p_lead ->> 'responsible_user_id'),
    'created_at', voronka.amocrm_time(p_lead ->> 'created_at'),
    'amo_time', voronka.amocrm_time(p_lead ->> 'updated_at'),
    -- closed_at is the time of the move to 142/143 (null while open).
    'status_since', case when v_status in (142, 143) then voronka.amocrm_time(p_lead ->> 'closed_at') end,
    -- The API answers null when no field is set: a known empty set, unlike a webhook's absence.
    'custom_fields', voronka.amocrm_fields_from_api(p_lead -> 'custom_fields_values')
  )) || jsonb_build_object(
    'is_deleted', coalesce((p_lead ->> 'is_deleted')::boolean, false),
    'needs_enrichment', false
  );
end
$$;
comment on function voronka.amocrm_snapshot_from_api(jsonb) is 'Normalized snapshot of one lead as API v4 returns it (GET /api/v4/leads).';

alter table voronka.amocrm_deal_observation enable row level security;
grant select, insert, update, delete on voronka.amocrm_deal_observation to service_role;
revoke execute on function voronka.amocrm_bigint(text), voronka.amocrm_time(text), voronka.amocrm_money(text),
  voronka.amocrm_fields_from_webhook(jsonb), voronka.amocrm_fields_from_api(jsonb),
  voronka.amocrm_snapshot_from_webhook(jsonb, text, jsonb), voronka.amocrm_snapshot_from_api(jsonb) from public;
grant execute on function voronka.amocrm_bigint(text), voronka.amocrm_time(text), voronka.amocrm_money(text),
  voronka.amocrm_fields_from_webhook(jsonb), voronka.amocrm_fields_from_api(jsonb),
  voronka.amocrm_snapshot_from_webhook(jsonb, text, jsonb), voronka.amocrm_snapshot_from_api(jsonb) to service_role;
