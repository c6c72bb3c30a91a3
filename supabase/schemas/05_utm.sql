-- UTM tags from URLs: the one parser of query strings, used by the amoCRM field mapping and the
-- ProfTest landing's page_url.

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
revoke execute on function voronka.url_decode(text), voronka.utm_from_url(text) from public;
grant execute on function voronka.url_decode(text), voronka.utm_from_url(text) to service_role;
