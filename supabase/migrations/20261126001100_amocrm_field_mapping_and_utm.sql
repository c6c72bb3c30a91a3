-- Where an amoCRM deal keeps its UTM tags. amoCRM's own `tracking_data` fields (codes
-- UTM_SOURCE...) are always read; accounts that keep UTMs in hand-made fields ("Источник") or
-- only in a landing URL field map them here, as rows, not code. A mapping change followed by
-- `npm run amocrm:replay` re-attributes history.

create table voronka.amocrm_field_mapping (
  id bigint generated always as identity primary key,
  target text not null check (target in ('utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term', 'url')),
  field_id bigint,
  field_name text check (field_name <> ''),
  priority integer not null default 100,
  created_at timestamptz not null default now(),
  check (field_id is not null or field_name is not null)
);
comment on table voronka.amocrm_field_mapping is 'amoCRM custom fields that carry UTM tags for this account, by field id or name (case-insensitive). target ''url'' is a field holding a URL whose query string has the utm_* parameters. The tracking_data fields (codes UTM_SOURCE...) need no row and take precedence.';
comment on column voronka.amocrm_field_mapping.target is 'utm_source, utm_medium, utm_campaign, utm_content, utm_term, or url (a URL with utm_* query parameters).';
comment on column voronka.amocrm_field_mapping.field_id is 'amoCRM custom field id (ids differ per account). Matches when set.';
comment on column voronka.amocrm_field_mapping.field_name is 'amoCRM custom field name, matched case-insensitively when field_id is null or does not match.';
comment on column voronka.amocrm_field_mapping.priority is 'Among several mapped fields for one target, the lowest priority with a value wins.';

-- Percent-decoding of a URL query component ('+' is a space), byte-wise so Cyrillic survives.
-- Invalid UTF-8 or stray '%' leave the text as it was rather than failing the whole event.
create function voronka.url_decode(p_text text)
returns text
language plpgsql
immutable
set search_path = ''
as $$
declare
  v_bytes bytea := ''::bytea;
  v_part text;
begin
  if p_text is null or p_text !~ '[%+]' then
    return p_text;
  end if;
  -- Split into "%XX" escapes and runs of other characters, in order.
  for v_part in
    select m[1] from regexp_matches(replace(p_text, '+', ' '), '(%[0-9A-Fa-f]{2}|[^%]+|%)', 'g') as m
  loop
    if v_part ~ '^%[0-9A-Fa-f]{2}$' then
      v_bytes := v_bytes || decode(substr(v_part, 2), 'hex');
    else
      v_bytes := v_bytes || convert_to(v_part, 'UTF8');
    end if;
  end loop;
  return convert_from(v_bytes, 'UTF8');
exception when others then
  return p_text;
end
$$;
comment on function voronka.url_decode(text) is 'Percent-decodes a URL query component (+ = space, UTF-8); returns the input unchanged when it is not valid.';

-- The utm_* parameters of a URL (or a bare query string). HTML-escaped ampersands (&amp;), as
-- amoCRM stores URLs typed into fields, are undone first. First occurrence of a key wins.
create function voronka.utm_from_url(p_url text)
returns table (utm_source text, utm_medium text, utm_campaign text, utm_content text, utm_term text)
language sql
immutable
set search_path = ''
as $$
  with query as (
    select split_part(split_part(replace(replace(p_url, '&amp;', '&'), '&#38;', '&'), '#', 1), '?', 2) as q,
           p_url like '%?%' as has_query
  ),
  params as (
    select lower(voronka.url_decode(split_part(kv.pair, '=', 1))) as key,
           nullif(btrim(voronka.url_decode(substr(kv.pair, length(split_part(kv.pair, '=', 1)) + 2))), '') as value,
           kv.n
    from query
    cross join lateral regexp_split_to_table(
      case when query.has_query then query.q else replace(replace(p_url, '&amp;', '&'), '&#38;', '&') end, '&'
    ) with ordinality as kv (pair, n)
  ),
  firsts as (
    select distinct on (params.key) params.key, params.value
    from params
    where params.value is not null
    order by params.key, params.n
  )
  select max(firsts.value) filter (where firsts.key = 'utm_source'),
         max(firsts.value) filter (where firsts.key = 'utm_medium'),
         max(firsts.value) filter (where firsts.key = 'utm_campaign'),
         max(firsts.value) filter (where firsts.key = 'utm_content'),
         max(firsts.value) filter (where firsts.key = 'utm_term')
  from firsts
$$;
comment on function voronka.utm_from_url(text) is 'utm_source..utm_term from the query string of a URL (decodes &amp; and percent-escapes).';

-- UTM tags of a deal from its normalized custom fields ([{id, name, code, values: [text]}]):
-- tracking_data fields first, then mapped fields, then a mapped URL field.
create function voronka.amocrm_utm_from_fields(p_fields jsonb)
returns table (utm_source text, utm_medium text, utm_campaign text, utm_content text, utm_term text)
language sql
stable
set search_path = ''
as $$
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
  from tracking
$$;
comment on function voronka.amocrm_utm_from_fields(jsonb) is 'UTM tags from normalized amoCRM custom fields: tracking_data codes first, then voronka.amocrm_field_mapping fields, then a mapped URL field''s query string.';

alter table voronka.amocrm_field_mapping enable row level security;
grant select, insert, update, delete on voronka.amocrm_field_mapping to service_role;
revoke execute on function voronka.url_decode(text), voronka.utm_from_url(text), voronka.amocrm_utm_from_fields(jsonb) from public;
grant execute on function voronka.url_decode(text), voronka.utm_from_url(text), voronka.amocrm_utm_from_fields(jsonb) to service_role;
