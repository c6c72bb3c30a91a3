-- amoCRM payloads to normalized snapshots. Webhooks (form-encoded, parsed to JSON by the
-- receiver) and API v4 reads describe a deal in different shapes; both become one snapshot shape
-- ({id, account_id, name, pipeline_id, status_id, price, …, custom_fields}) where an absent key
-- means "unknown", so a minimal payload never erases what a fuller one said.

-- Text to bigint / instant, tolerating what amoCRM sends: strings, empty strings, numbers.
--
-- The helpers on the webhook path are PL/pgSQL, not SQL functions: a SQL function with
-- `set search_path` is never inlined and is planned anew in every transaction (or statement) that
-- calls it, which made up most of a one-deal webhook's time; PL/pgSQL keeps its plans per session.
create function voronka.amocrm_bigint(p_value text)
returns bigint
language plpgsql
immutable
set search_path = ''
as $$
begin
  return case when btrim(p_value) ~ '^-?[0-9]{1,18}$' then btrim(p_value)::bigint end;
end
$$;

-- Plausible instants only: amoCRM's unix seconds for 2000-01-01 .. 2100-01-01. Anything else (a
-- 12-digit value is the year 5138) is unknown, not a date to report on.
create function voronka.amocrm_time(p_unix_seconds text)
returns timestamptz
language plpgsql
immutable
set search_path = ''
as $$
begin
  return case when btrim(p_unix_seconds) ~ '^[0-9]{1,12}$'
                   and btrim(p_unix_seconds)::bigint between 946684800 and 4102444799
              then to_timestamp(btrim(p_unix_seconds)::bigint) end;
end
$$;

comment on function voronka.amocrm_time(text) is 'Unix seconds (as amoCRM sends them, a string) to an instant; null when empty, malformed or outside 2000-01-01 .. 2100-01-01.';

-- amoCRM prices are whole numbers (the API) or their strings (webhooks). A sign, a thousands
-- separator or an exponent is not read as something else: unknown.
create function voronka.amocrm_money(p_value text)
returns numeric
language plpgsql
immutable
set search_path = ''
as $$
begin
  return case when btrim(p_value) ~ '^[0-9]{1,12}(\.[0-9]{1,2})?$' then btrim(p_value)::numeric end;
end
$$;

comment on function voronka.amocrm_money(text) is 'A price as amoCRM sends it (digits, optionally 1-2 decimals) to numeric; null for anything else (negative, "5,000", "1e4").';

-- Webhook custom fields ([{id, name, code?, values: [{value, enum} | "<unix date>"]}]) in the
-- normalized shape [{id, name, code, values: [text]}]. Date fields send values[0]=<unix> with no
-- [value] key: the bare string is the value.
create function voronka.amocrm_fields_from_webhook(p_fields jsonb)
returns jsonb
language plpgsql
immutable
set search_path = ''
as $$
begin
  return (
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
  );
end
$$;

-- API v4 custom_fields_values ([{field_id, field_name, field_code, values: [{value}]}], null when
-- none are set) in the same normalized shape.
create function voronka.amocrm_fields_from_api(p_fields jsonb)
returns jsonb
language plpgsql
immutable
set search_path = ''
as $$
begin
  return (
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
  );
end
$$;

-- UTM tags of a deal from its normalized custom fields ([{id, name, code, values: [text]}]):
-- tracking_data fields first, then mapped fields, then a mapped URL field. PL/pgSQL so that the
-- plan is kept for the session: a SQL function with `set search_path` is never inlined and is
-- planned anew in every statement that calls it (~1 ms, the largest step of a one-deal webhook).
create function voronka.amocrm_utm_from_fields(p_fields jsonb)
returns table (utm_source text, utm_medium text, utm_campaign text, utm_content text, utm_term text)
language plpgsql
stable
set search_path = ''
as $$
begin
  return query
  with mapping as (
    select m.id, m.target, m.field_id::text as field_id, lower(btrim(m.field_name)) as field_name, m.priority
    from voronka.amocrm_field_mapping as m
  ),
  all_fields as (
    select (f.value ->> 'id') as id,
           lower(btrim(coalesce(f.value ->> 'name', ''))) as name,
           upper(coalesce(f.value ->> 'code', '')) as code,
           f.value
    from jsonb_array_elements(case when jsonb_typeof(p_fields) = 'array' then p_fields else '[]'::jsonb end) as f
    where jsonb_typeof(f.value) = 'object'
  ),
  fields as (
    -- Only fields that can carry a UTM: a bulk webhook has hundreds of deals x dozens of fields.
    select all_fields.id, all_fields.name, all_fields.code,
           nullif(btrim(all_fields.value -> 'values' ->> 0), '') as value
    from all_fields
    where all_fields.code like 'UTM\_%'
       or all_fields.name like 'utm\_%'
       or exists (select 1 from mapping where mapping.field_id = all_fields.id or mapping.field_name = all_fields.name)
  ),
  tracking as (
    select max(fields.value) filter (where fields.code = 'UTM_SOURCE' or fields.name = 'utm_source') as utm_source,
           max(fields.value) filter (where fields.code = 'UTM_MEDIUM' or fields.name = 'utm_medium') as utm_medium,
           max(fields.value) filter (where fields.code = 'UTM_CAMPAIGN' or fields.name = 'utm_campaign') as utm_campaign,
           max(fields.value) filter (where fields.code = 'UTM_CONTENT' or fields.name = 'utm_content') as utm_content,
           max(fields.value) filter (where fields.code = 'UTM_TERM' or fields.name = 'utm_term') as utm_term
    from fields
  ),
  mapped as (
    select distinct on (m.target) m.target, fields.value
    from mapping as m
    join fields
      on (m.field_id is not null and fields.id = m.field_id)
      or (m.field_name is not null and fields.name = m.field_name)
    where fields.value is not null
    order by m.target, m.priority, m.id
  ),
  from_url as (
    select u.*
    from mapped
    cross join lateral voronka.utm_from_url(mapped.value) as u
    where mapped.target = 'url'
  )
  select coalesce(tracking.utm_source, (select mapped.value from mapped where mapped.target = 'utm_source'), (select from_url.utm_source from from_url)),
         coalesce(tracking.utm_medium, (select mapped.value from mapped where mapped.target = 'utm_medium'), (select from_url.utm_medium from from_url)),
         coalesce(tracking.utm_campaign, (select mapped.value from mapped where mapped.target = 'utm_campaign'), (select from_url.utm_campaign from from_url)),
         coalesce(tracking.utm_content, (select mapped.value from mapped where mapped.target = 'utm_content'), (select from_url.utm_content from from_url)),
         coalesce(tracking.utm_term, (select mapped.value from mapped where mapped.target = 'utm_term'), (select from_url.utm_term from from_url))
  from tracking;
end
$$;

comment on function voronka.amocrm_utm_from_fields(jsonb) is 'UTM tags from normalized amoCRM custom fields: tracking_data codes first, then voronka.amocrm_field_mapping fields, then a mapped URL field''s query string.';

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
  v_issues jsonb;
  v_price numeric;
  v_snapshot jsonb;
begin
  if jsonb_typeof(p_lead) is distinct from 'object' or v_id is null then
    raise exception 'amoCRM lead without a numeric id in leads[%]: %', p_action, left(coalesce(p_lead::text, 'null'), 200)
      using errcode = '22023';
  end if;
  v_issues := voronka.amocrm_webhook_data_issues(p_lead);
  if p_lead ? 'price' then
    -- Present but empty means 0 in amoCRM's UI; unparseable means unknown (an issue above).
    v_price := case when nullif(btrim(p_lead ->> 'price'), '') is null then 0
                    else voronka.amocrm_money(p_lead ->> 'price') end;
  end if;
  v_snapshot := jsonb_strip_nulls(jsonb_build_object(
    'id', v_id,
    'account_id', coalesce(voronka.amocrm_bigint(p_lead ->> 'account_id'), voronka.amocrm_bigint(p_account ->> 'id')),
    'name', p_lead ->> 'name',
    'pipeline_id', voronka.amocrm_bigint(p_lead ->> 'pipeline_id'),
    'status_id', v_status,
    'price', v_price,
    'responsible_user_id', voronka.amocrm_bigint(p_lead ->> 'responsible_user_id'),
    'created_at', coalesce(voronka.amocrm_time(p_lead ->> 'created_at'), voronka.amocrm_time(p_lead ->> 'date_create')),
    'amo_time', v_time,
    -- A status webhook names the status it left: this snapshot is the moment of the change.
    'status_transition', v_old_status is not null and v_status is not null and v_old_status <> v_status,
    'custom_fields', case when p_lead ? 'custom_fields' then voronka.amocrm_fields_from_webhook(p_lead -> 'custom_fields') end
  )) || jsonb_build_object(
    'is_deleted', p_action = 'delete',
    'data_issues', v_issues,
    -- No modification time (deletes, the minimal Digital Pipeline shape), no price where amoCRM
    -- sends one, or a value set aside: only an API read can say what the deal is.
    'needs_enrichment', v_time is null or (p_action <> 'delete' and v_price is null) or v_issues <> '[]'::jsonb
  );
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
    -- The API sends an integer, null when no budget is set (0 in amoCRM's UI).
    'price', case when p_lead ->> 'price' is null then 0 else voronka.amocrm_money(p_lead ->> 'price') end,
    'responsible_user_id', voronka.amocrm_bigint(p_lead ->> 'responsible_user_id'),
    'created_at', voronka.amocrm_time(p_lead ->> 'created_at'),
    'amo_time', voronka.amocrm_time(p_lead ->> 'updated_at'),
    -- closed_at is the time of the move to 142/143 (null while open).
    'status_since', case when v_status in (142, 143) then voronka.amocrm_time(p_lead ->> 'closed_at') end,
    -- The API answers null when no field is set: a known empty set, unlike a webhook's absence.
    'custom_fields', voronka.amocrm_fields_from_api(p_lead -> 'custom_fields_values'),
    -- with=contacts: the deal's contacts (people.sql); absent when the read did not ask for them.
    'contact_ids', (select jsonb_agg(c.value ->> 'id' order by c.ordinality)
                    from jsonb_array_elements(case jsonb_typeof(p_lead #> '{_embedded,contacts}') when 'array'
                                                   then p_lead #> '{_embedded,contacts}' end) with ordinality as c
                    where jsonb_typeof(c.value) = 'object')
  )) || jsonb_build_object(
    'is_deleted', coalesce((p_lead ->> 'is_deleted')::boolean, false),
    'data_issues', '[]'::jsonb,
    'needs_enrichment', false
  );
end
$$;

comment on function voronka.amocrm_snapshot_from_api(jsonb) is 'Normalized snapshot of one lead as API v4 returns it (GET /api/v4/leads).';

-- What of a webhook lead cannot be taken as sent: [{code, field, value}].
create function voronka.amocrm_webhook_data_issues(p_lead jsonb)
returns jsonb
language plpgsql
immutable
set search_path = ''
as $$
begin
  return (
  with time_fields as (
    select f.field, p_lead ->> f.field as value
    from unnest(array['updated_at', 'last_modified', 'created_at', 'date_create']) as f (field)
  ),
  issues as (
    select 'implausible_time' as code, t.field, t.value
    from time_fields as t
    where nullif(btrim(t.value), '') is not null and voronka.amocrm_time(t.value) is null
    union all
    select 'unparseable_price', 'price', p_lead ->> 'price'
    where nullif(btrim(p_lead ->> 'price'), '') is not null and voronka.amocrm_money(p_lead ->> 'price') is null
  ),
  final as (
    select coalesce(jsonb_agg(jsonb_build_object('code', i.code, 'field', i.field, 'value', left(i.value, 100))
                              order by i.code, i.field), '[]'::jsonb) as issues
    from issues as i
  )
  select final.issues from final
  );
end
$$;

comment on function voronka.amocrm_webhook_data_issues(jsonb) is 'Values of one webhook lead set aside as unknown, with the reason: [{code: implausible_time | unparseable_price, field, value}].';
revoke execute on function voronka.amocrm_bigint(text), voronka.amocrm_time(text), voronka.amocrm_money(text),
  voronka.amocrm_fields_from_webhook(jsonb), voronka.amocrm_fields_from_api(jsonb), voronka.amocrm_utm_from_fields(jsonb),
  voronka.amocrm_snapshot_from_webhook(jsonb, text, jsonb), voronka.amocrm_snapshot_from_api(jsonb),
  voronka.amocrm_webhook_data_issues(jsonb) from public;
grant execute on function voronka.amocrm_bigint(text), voronka.amocrm_time(text), voronka.amocrm_money(text),
  voronka.amocrm_fields_from_webhook(jsonb), voronka.amocrm_fields_from_api(jsonb), voronka.amocrm_utm_from_fields(jsonb),
  voronka.amocrm_snapshot_from_webhook(jsonb, text, jsonb), voronka.amocrm_snapshot_from_api(jsonb),
  voronka.amocrm_webhook_data_issues(jsonb) to service_role;
