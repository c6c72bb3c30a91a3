-- People: the ProfTest taker, the Express buyer and the Flagman buyer are one person across
-- sources. A person is a set of identities — an amoCRM contact id, a phone, an email — and every
-- lead and deal that carries one of them. Identities are linked as they arrive: a lead or contact
-- whose identities belong to several people merges them into the oldest (persons never split).
--
-- Privacy: voronka.* keeps no phone or email, only a keyed hash of the normalised value
-- (HMAC-SHA-256 with the key in voronka.identity_key; the raw inbox keeps what was sent). Without
-- the key, a hash cannot be tested against the ~10^10 Kazakh phone numbers. Rotating the key:
-- voronka.rotate_identity_key() (README: People).

-- Normalised phone, E.164. Kazakh numbers are written 8 7xx…, +7 (7xx)…, 7 7xx… or 7xx… (ten
-- digits without the country code); other numbers count only as written with their + code.
-- Anything else (too short, too long, letters only) is no phone: it matches nothing.
create function voronka.normalize_phone(p_phone text)
returns text
language plpgsql
immutable
set search_path = ''
as $$
declare
  v_digits text := regexp_replace(coalesce(p_phone, ''), '[^0-9]', '', 'g');
  v_plus boolean := btrim(coalesce(p_phone, '')) ~ '^\+';
begin
  if coalesce(p_phone, '') !~ '^[0-9\s()+.\-]+$' then
    return null; -- letters or other signs: not a phone number
  end if;
  return case when not v_plus and length(v_digits) = 11 and v_digits ~ '^8[67]' then '+7' || substr(v_digits, 2)
              when not v_plus and length(v_digits) = 11 and v_digits ~ '^7[67]' then '+' || v_digits
              when not v_plus and length(v_digits) = 10 and v_digits ~ '^7' then '+7' || v_digits
              when v_plus and length(v_digits) between 8 and 15 and v_digits !~ '^0' then '+' || v_digits
         end;
end
$$;
comment on function voronka.normalize_phone(text) is 'A phone number in E.164 (+77011234567), or null: Kazakh numbers as 8 7xx…, +7 (7xx)…, 7 7xx… or 7xx… (10 digits); others only with their + country code.';

create function voronka.normalize_email(p_email text)
returns text
language sql
immutable
set search_path = ''
as $$
  select case when lower(btrim(p_email)) ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' then lower(btrim(p_email)) end
$$;
comment on function voronka.normalize_email(text) is 'A lower-cased, trimmed email address, or null when it is not one.';

-- The HMAC key as the two padded blocks HMAC-SHA-256 uses (RFC 2104), so that hashing is two
-- calls of the built-in sha256 (no extension needed on any Postgres). One row.
create table voronka.identity_key (
  id boolean primary key default true check (id),
  inner_pad bytea not null check (length(inner_pad) = 64),
  outer_pad bytea not null check (length(outer_pad) = 64),
  created_at timestamptz not null default now()
);
comment on table voronka.identity_key is 'The key of the phone and email hashes (HMAC-SHA-256), as its inner and outer padded blocks. service_role only; rotate with voronka.rotate_identity_key().';
alter table voronka.identity_key enable row level security;
grant select, insert, update, delete on voronka.identity_key to service_role;

create function voronka.set_identity_key(p_key bytea)
returns void
language sql
set search_path = ''
as $$
  with block as (
    select padded.k || decode(repeat('00', 64 - length(padded.k)), 'hex') as k
    from (select case when length(p_key) > 64 then sha256(p_key) else p_key end as k) as padded
  ),

  pads as (
    select decode(string_agg(lpad(to_hex(get_byte(block.k, i) # 54), 2, '0'), '' order by i), 'hex') as inner_pad,
           decode(string_agg(lpad(to_hex(get_byte(block.k, i) # 92), 2, '0'), '' order by i), 'hex') as outer_pad
    from block cross join generate_series(0, 63) as i
  )

  insert into voronka.identity_key (id, inner_pad, outer_pad)
  select true, pads.inner_pad, pads.outer_pad from pads
  on conflict (id) do update set inner_pad = excluded.inner_pad, outer_pad = excluded.outer_pad, created_at = now()
$$;
comment on function voronka.set_identity_key(bytea) is 'Sets the HMAC key of the identity hashes (at least 32 random bytes). Does not re-hash: use voronka.rotate_identity_key().';

-- HMAC-SHA-256 of "kind:value", hex. Null value: null.
-- (PL/pgSQL keeps its plan for the session: it runs for every phone and email written.)
create function voronka.identity_hash(p_kind text, p_value text)
returns text
language plpgsql
stable
set search_path = ''
as $$
begin
  return (select encode(sha256(k.outer_pad || sha256(k.inner_pad || convert_to(p_kind || ':' || p_value, 'UTF8'))), 'hex')
          from voronka.identity_key as k
          where p_value is not null);
end
$$;
comment on function voronka.identity_hash(text, text) is 'Keyed hash (HMAC-SHA-256, hex) of a normalised phone or email: what voronka keeps instead of the value.';

create table voronka.person (
  id bigint generated always as identity primary key,
  first_lead_id bigint,
  first_lead_at timestamptz,
  created_at timestamptz not null default now()
);
create index person_first_lead_at_idx on voronka.person (first_lead_at);
-- First touch follows a first lead's re-attribution (analytics.mark_stale_days_of_first_touch_change).
create index person_first_lead_id_idx on voronka.person (first_lead_id);
comment on table voronka.person is 'A person across sources (ProfTest submissions, amoCRM contacts and deals), with their first lead: the cohort they belong to and the first touch sales are credited to.';
comment on column voronka.person.first_lead_id is 'The person''s earliest lead (by occurred_at, then id); null while they have none (e.g. a deal without a lead).';
alter table voronka.person enable row level security;
grant select, insert, update, delete on voronka.person to service_role;

create table voronka.person_identity (
  kind text not null check (kind in ('phone', 'email', 'amocrm_contact')),
  value text not null,
  person_id bigint not null references voronka.person (id),
  created_at timestamptz not null default now(),
  primary key (kind, value)
);
create index person_identity_person_id_idx on voronka.person_identity (person_id);
comment on table voronka.person_identity is 'What identifies a person: an amoCRM contact id (as text), or the keyed hash (voronka.identity_hash) of a normalised phone or email — never the phone or email itself.';
alter table voronka.person_identity enable row level security;
grant select, insert, update, delete on voronka.person_identity to service_role;

-- Which amoCRM contacts a deal has: from API reads (_embedded.contacts, with=contacts) and from
-- contact webhooks (linked_leads_id).
create table voronka.amocrm_deal_contact (
  deal_id bigint not null,
  contact_id bigint not null,
  primary key (deal_id, contact_id)
);
create index amocrm_deal_contact_contact_id_idx on voronka.amocrm_deal_contact (contact_id);
comment on table voronka.amocrm_deal_contact is 'amoCRM contacts of a deal, from API reads (with=contacts) and contact webhooks (linked_leads_id).';
alter table voronka.amocrm_deal_contact enable row level security;
grant select, insert, update, delete on voronka.amocrm_deal_contact to service_role;

-- Links identities to one person and returns it: a new person when none is known, the oldest
-- when several are (the others merged into it). p_also: a person these identities also belong to
-- (a deal's person from before its contacts were known). Concurrent links of the same identities
-- are serialised by a lock per identity, taken in one order.
create function voronka.link_person(p_kinds text[], p_values text[], p_also bigint default null)
returns bigint
language plpgsql
set search_path = ''
as $$
declare
  v_ids bigint[];
  v_person bigint;
begin
  perform pg_advisory_xact_lock(k.key)
  from (select distinct hashtextextended('voronka.person_identity:' || x.kind || ':' || x.value, 0) as key
        from unnest(p_kinds, p_values) as x (kind, value) where x.value is not null order by 1) as k;
  select array_agg(distinct ids.person_id order by ids.person_id) into v_ids
  from (select pi.person_id
        from unnest(p_kinds, p_values) as x (kind, value)
        join voronka.person_identity as pi on pi.kind = x.kind and pi.value = x.value
        union
        select p.id from voronka.person as p where p.id = p_also) as ids;
  if v_ids is null then
    insert into voronka.person default values returning id into v_person;
  else
    v_person := v_ids[1];
    if cardinality(v_ids) > 1 then
      perform voronka.merge_people(v_person, v_ids[2:]);
    end if;
  end if;
  insert into voronka.person_identity (kind, value, person_id)
  select distinct x.kind, x.value, v_person from unnest(p_kinds, p_values) as x (kind, value) where x.value is not null
  on conflict do nothing;
  return v_person;
end
$$;
comment on function voronka.link_person(text[], text[], bigint) is 'The person these identities (kinds phone/email/amocrm_contact, values hashes or contact ids) belong to: found, created, or several merged into the oldest.';

-- Moves everything of p_others to p_keep (identities, leads, deals) and deletes them.
create function voronka.merge_people(p_keep bigint, p_others bigint[])
returns void
language plpgsql
set search_path = ''
as $$
begin
  update voronka.person_identity set person_id = p_keep where person_id = any (p_others);
  update voronka.lead set person_id = p_keep where person_id = any (p_others);
  update voronka.amocrm_deal set person_id = p_keep where person_id = any (p_others);
  -- The merged people leave their cohorts (cohort_report.sql).
  insert into analytics.stale_day (day, kind, xact_id)
  select distinct analytics.business_day(p.first_lead_at), 'cohort', pg_current_xact_id()
  from voronka.person as p where p.id = any (p_others) and p.first_lead_at is not null
  on conflict do nothing;
  delete from voronka.person where id = any (p_others);
  perform voronka.refresh_person(p_keep);
end
$$;
comment on function voronka.merge_people(bigint, bigint[]) is 'Merges people into p_keep: their identities, leads and deals move to it.';

-- The person's first lead, kept on the row (cohorts and first touch read it).
create function voronka.refresh_person(p_person_id bigint)
returns void
language plpgsql
set search_path = ''
as $$
declare
  v_first voronka.lead;
begin
  select * into v_first from voronka.lead as l where l.person_id = p_person_id order by l.occurred_at, l.id limit 1;
  -- Checked first: an UPDATE of no rows still runs the table's statement triggers (stale days).
  if exists (select 1 from voronka.person as p
             where p.id = p_person_id
               and (p.first_lead_id, p.first_lead_at) is distinct from (v_first.id, v_first.occurred_at)) then
    update voronka.person as p
       set first_lead_id = v_first.id, first_lead_at = v_first.occurred_at
     where p.id = p_person_id
       and (p.first_lead_id, p.first_lead_at) is distinct from (v_first.id, v_first.occurred_at);
  end if;
end
$$;
comment on function voronka.refresh_person(bigint) is 'Sets a person''s first lead (earliest occurred_at, then lowest id).';

-- A ProfTest lead's person, by its phone and email (normalised, then hashed; a lead with neither
-- is a person of its own).
create function voronka.link_lead_person(p_lead_id bigint, p_phone text, p_email text)
returns bigint
language plpgsql
set search_path = ''
as $$
declare
  v_person bigint;
begin
  v_person := voronka.link_person(
    array['phone', 'email'],
    array[voronka.identity_hash('phone', voronka.normalize_phone(p_phone)),
          voronka.identity_hash('email', voronka.normalize_email(p_email))],
    (select l.person_id from voronka.lead as l where l.id = p_lead_id));
  update voronka.lead set person_id = v_person where id = p_lead_id and person_id is distinct from v_person;
  perform voronka.refresh_person(v_person);
  return v_person;
end
$$;
comment on function voronka.link_lead_person(bigint, text, text) is 'Links a lead to the person its phone and email (raw, normalised and hashed here) identify.';

-- Step 5 of an amoCRM deal's refresh (amocrm_deal_state.sql): its person, by its contacts (the
-- API's with=contacts list, and contact webhooks' links). Its amoCRM lead is the same person.
create function voronka.amocrm_write_person(p_deal voronka.amocrm_deal, p_contact_ids jsonb)
returns void
language plpgsql
set search_path = ''
as $$
declare
  v_person bigint;
begin
  insert into voronka.amocrm_deal_contact (deal_id, contact_id)
  select p_deal.id, voronka.amocrm_bigint(c.value #>> '{}')
  from jsonb_array_elements(case jsonb_typeof(p_contact_ids) when 'array' then p_contact_ids else '[]'::jsonb end) as c
  where voronka.amocrm_bigint(c.value #>> '{}') is not null
  on conflict do nothing;
  v_person := voronka.link_person(
    array(select 'amocrm_contact' from voronka.amocrm_deal_contact as dc where dc.deal_id = p_deal.id),
    array(select dc.contact_id::text from voronka.amocrm_deal_contact as dc where dc.deal_id = p_deal.id),
    p_deal.person_id);
  -- Each UPDATE only when it has a row to change: one of no rows still runs the table's statement
  -- triggers (stale days), per deal — most of a bulk body's cost when every deal keeps its person.
  if exists (select 1 from voronka.amocrm_deal as d where d.id = p_deal.id and d.person_id is distinct from v_person) then
    update voronka.amocrm_deal set person_id = v_person where id = p_deal.id and person_id is distinct from v_person;
  end if;
  if exists (select 1 from voronka.lead as l
             where l.source = 'amocrm' and l.external_id = p_deal.id::text and l.person_id is distinct from v_person) then
    update voronka.lead set person_id = v_person
     where source = 'amocrm' and external_id = p_deal.id::text and person_id is distinct from v_person;
  end if;
  perform voronka.refresh_person(v_person);
end
$$;
comment on function voronka.amocrm_write_person(voronka.amocrm_deal, jsonb) is 'Links an amoCRM deal (and its lead) to the person of its contacts; p_contact_ids: the contact ids the latest API read listed.';

-- A contact from a contact webhook (contacts[add|update][i]): its phones and emails (fields with
-- code PHONE / EMAIL) join its person; its linked deals are refreshed onto that person. The
-- caller holds the linked deals' locks (voronka.amocrm_webhook_deal_ids lists them).
create function voronka.amocrm_observe_contact(p_contact jsonb)
returns integer
language plpgsql
set search_path = ''
as $$
declare
  v_contact_id bigint := voronka.amocrm_bigint(p_contact ->> 'id');
  v_fields jsonb := voronka.amocrm_fields_from_webhook(p_contact -> 'custom_fields');
  v_deal_id bigint;
begin
  if v_contact_id is null then
    raise exception 'amoCRM contact without a numeric id: %', left(p_contact::text, 200) using errcode = '22023';
  end if;
  perform voronka.link_person(
    array['amocrm_contact'] || array(select i.kind from voronka.amocrm_contact_identities(v_fields) as i),
    array[v_contact_id::text] || array(select i.value from voronka.amocrm_contact_identities(v_fields) as i));
  for v_deal_id in select d.id from unnest(voronka.amocrm_contact_deal_ids(p_contact)) as d (id) order by 1 loop
    insert into voronka.amocrm_deal_contact (deal_id, contact_id) values (v_deal_id, v_contact_id)
    on conflict do nothing;
    perform voronka.amocrm_write_person(d, null) from voronka.amocrm_deal as d where d.id = v_deal_id;
  end loop;
  return 1;
end
$$;
comment on function voronka.amocrm_observe_contact(jsonb) is 'Applies one contact of a contact webhook: its hashed phones and emails and its id identify one person; its linked deals join that person.';

-- Hashed phones and emails of a contact's normalised custom fields.
create function voronka.amocrm_contact_identities(p_fields jsonb)
returns table (kind text, value text)
language sql
stable
set search_path = ''
as $$
  select distinct k.kind, voronka.identity_hash(k.kind, k.normalised)
  from jsonb_array_elements(p_fields) as f
  cross join lateral jsonb_array_elements_text(f.value -> 'values') as v (value)
  cross join lateral (select case when upper(f.value ->> 'code') = 'PHONE' then 'phone' else 'email' end as kind,
                             case when upper(f.value ->> 'code') = 'PHONE' then voronka.normalize_phone(v.value)
                                  else voronka.normalize_email(v.value) end as normalised) as k
  where upper(f.value ->> 'code') in ('PHONE', 'EMAIL') and k.normalised is not null
$$;
comment on function voronka.amocrm_contact_identities(jsonb) is 'Identities (hashed normalised phones and emails) of an amoCRM contact''s normalised custom fields (codes PHONE, EMAIL).';

-- Deal ids a contact webhook links the contact to: linked_leads_id is a map {"<id>": {"ID": "<id>"}}
-- or a list of ids.
create function voronka.amocrm_contact_deal_ids(p_contact jsonb)
returns bigint[]
language sql
immutable
set search_path = ''
as $$
  select coalesce(array_agg(distinct ids.id) filter (where ids.id is not null), '{}')
  from (select voronka.amocrm_bigint(coalesce(e.value ->> 'ID', e.value ->> 'id', e.key)) as id
        from jsonb_each(case jsonb_typeof(p_contact -> 'linked_leads_id') when 'object' then p_contact -> 'linked_leads_id'
                                                                            else '{}'::jsonb end) as e
        union all
        select voronka.amocrm_bigint(e.value #>> '{}')
        from jsonb_array_elements(case jsonb_typeof(p_contact -> 'linked_leads_id') when 'array'
                                       then p_contact -> 'linked_leads_id' else '[]'::jsonb end) as e) as ids
$$;
comment on function voronka.amocrm_contact_deal_ids(jsonb) is 'The deal ids in a webhook contact''s linked_leads_id (a map keyed by id or a list).';

-- The webhook's contacts (contacts[add|update][i], companies excluded), as objects.
create function voronka.amocrm_webhook_contacts(p_payload jsonb)
returns setof jsonb
language sql
immutable
set search_path = ''
as $$
  select contact.value
  from jsonb_each(case jsonb_typeof(p_payload -> 'contacts') when 'object' then p_payload -> 'contacts' else '{}'::jsonb end)
       as action
  cross join lateral jsonb_array_elements(case jsonb_typeof(action.value) when 'array' then action.value
                                                                            else '[]'::jsonb end) as contact
  where action.key in ('add', 'update')
    and jsonb_typeof(contact.value) = 'object'
    and coalesce(contact.value ->> 'type', 'contact') = 'contact'
$$;

-- Every deal a webhook body touches, to lock them all at once: its leads and its contacts' linked deals.
create function voronka.amocrm_webhook_locked_deal_ids(p_payload jsonb)
returns bigint[]
language sql
immutable
set search_path = ''
as $$
  select voronka.amocrm_webhook_deal_ids(p_payload)
         || coalesce((select array_agg(ids.id)
                      from voronka.amocrm_webhook_contacts(p_payload) as c
                      cross join lateral unnest(voronka.amocrm_contact_deal_ids(c)) as ids (id)), '{}')
$$;

-- Applies the webhook's contacts; returns how many (voronka.amocrm_process_webhook_event calls it).
create function voronka.amocrm_apply_webhook_contacts(p_payload jsonb)
returns integer
language sql
set search_path = ''
as $$
  select coalesce(sum(voronka.amocrm_observe_contact(c)), 0)::integer
  from voronka.amocrm_webhook_contacts(p_payload) as c
$$;

-- A person's first lead changed (a new earlier lead, a merge): the days of their sales change
-- under first touch and for cohorts (kind 'sales': the funnel credits sales by the deal, not the
-- person, but the ads' first touch does), and the entry days only for cohorts.
create function analytics.mark_stale_days_of_person_change()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  insert into analytics.stale_day (day, kind, xact_id)
  select distinct analytics.business_day(s.won_at), 'sales', pg_current_xact_id()
  from new_rows as n
  join old_rows as o on o.id = n.id
  join voronka.amocrm_deal as d on d.person_id = n.id
  join voronka.sale as s on s.deal_id = d.id
  where n.first_lead_id is distinct from o.first_lead_id
  on conflict do nothing;
  -- The person leaves one cohort (entry day) and joins another (cohort_report.sql).
  insert into analytics.stale_day (day, kind, xact_id)
  select distinct analytics.business_day(entry.at), 'cohort', pg_current_xact_id()
  from new_rows as n
  join old_rows as o on o.id = n.id
  cross join lateral (values (n.first_lead_at), (o.first_lead_at)) as entry (at)
  where n.first_lead_at is distinct from o.first_lead_at and entry.at is not null
  on conflict do nothing;
  return null;
end
$$;

create trigger person_stale_on_first_lead_change after update on voronka.person
  referencing new table as new_rows old table as old_rows for each statement
  execute function analytics.mark_stale_days_of_person_change();

-- The fields of a raw ProfTest body (JSON object or form-encoded), as the receiver read them.
-- A body Postgres cannot read as JSON gives no fields (the receiver rejected it anyway).
create function voronka.lead_capture_fields(p_content_type text, p_body text)
returns jsonb
language plpgsql
immutable
set search_path = ''
as $$
begin
  if coalesce(p_content_type, '') ilike 'application/json%' then
    return case when jsonb_typeof(p_body::jsonb) = 'object' then p_body::jsonb else '{}'::jsonb end;
  end if;
  return coalesce((select jsonb_object_agg(kv.key, kv.value)
                   from (select distinct on (voronka.url_decode(split_part(pair, '=', 1)))
                                voronka.url_decode(split_part(pair, '=', 1)) as key,
                                voronka.url_decode(substr(pair, length(split_part(pair, '=', 1)) + 2)) as value
                         from regexp_split_to_table(p_body, '&') with ordinality as p (pair, n)
                         where pair <> ''
                         order by voronka.url_decode(split_part(pair, '=', 1)), n) as kv), '{}'::jsonb);
exception when others then
  return '{}'::jsonb;
end
$$;
comment on function voronka.lead_capture_fields(text, text) is 'The fields of a raw lead-capture body (JSON object or form-encoded; the first of a repeated form key); {} when unreadable.';

-- Every phone and email hash that can be computed from the raw requests still in the inbox, with
-- the person it belongs to (for key rotation).
create function voronka.raw_identities()
returns table (kind text, value text, person_id bigint)
language sql
stable
set search_path = ''
as $$
  with proftest as (
    select l.person_id, voronka.lead_capture_fields(e.content_type, e.body) as fields
    from inbox.lead_capture_event as e
    join voronka.lead as l on l.id = e.lead_id
    where e.status = 'processed' and l.person_id is not null
  ),

  contacts as (
    select pi.person_id, voronka.amocrm_fields_from_webhook(c.value -> 'custom_fields') as fields
    from inbox.amocrm_webhook_event as e
    cross join lateral jsonb_each(case jsonb_typeof(e.payload -> 'contacts') when 'object' then e.payload -> 'contacts'
                                                                             else '{}'::jsonb end) as action
    cross join lateral jsonb_array_elements(case jsonb_typeof(action.value) when 'array' then action.value
                                                                              else '[]'::jsonb end) as c
    join voronka.person_identity as pi on pi.kind = 'amocrm_contact' and pi.value = (c.value ->> 'id')
    where action.key in ('add', 'update')
  ),

  final as (
    select 'phone' as kind, voronka.identity_hash('phone', voronka.normalize_phone(p.fields ->> 'phone')) as value,
           p.person_id
    from proftest as p
    union all
    select 'email', voronka.identity_hash('email', voronka.normalize_email(p.fields ->> 'email')), p.person_id
    from proftest as p
    union all
    select i.kind, i.value, c.person_id from contacts as c cross join lateral voronka.amocrm_contact_identities(c.fields) as i
  )

  select * from final where final.value is not null
$$;
comment on function voronka.raw_identities() is 'Phone and email hashes (current key) recomputed from the raw ProfTest bodies and amoCRM contact webhooks still in the inbox, with their people.';

-- A first lead re-attributed (team or ad) moves its person's sales under first touch. A row
-- trigger with a WHEN clause: it runs only for leads whose attribution changed (rare), not for
-- every statement that writes leads. No "update of <columns>": team and ad are set by BEFORE
-- triggers from the UTM tags, and a column list only sees the columns an UPDATE names.
create function analytics.mark_stale_days_of_first_touch_change()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  insert into analytics.stale_day (day, kind, xact_id)
  select distinct analytics.business_day(s.won_at), 'sales', pg_current_xact_id()
  from voronka.person as p
  join voronka.amocrm_deal as d on d.person_id = p.id
  join voronka.sale as s on s.deal_id = d.id
  where p.first_lead_id = new.id
  on conflict do nothing;
  return null;
end
$$;

create trigger lead_stale_on_first_touch_change
  after update on voronka.lead
  for each row
  when (old.team_id is distinct from new.team_id or old.fb_campaign_id is distinct from new.fb_campaign_id
        or old.fb_adset_id is distinct from new.fb_adset_id or old.fb_ad_id is distinct from new.fb_ad_id)
  execute function analytics.mark_stale_days_of_first_touch_change();

-- Key rotation: a new key, and every phone and email hash computed again from the raw requests
-- still in the inbox (ProfTest bodies, amoCRM contact webhooks). People stay as they are linked;
-- a hash whose raw request retention has deleted is dropped (it can no longer be recomputed),
-- so later arrivals with that phone or email start a new person.
create function voronka.rotate_identity_key(p_key bytea default null)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_old bigint;
  v_new bigint;
begin
  create temporary table if not exists identity_rehash (kind text, value text, person_id bigint) on commit drop;
  delete from identity_rehash;
  perform voronka.set_identity_key(coalesce(p_key, decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex')));
  insert into identity_rehash (kind, value, person_id)
  select r.kind, r.value, r.person_id from voronka.raw_identities() as r;
  select count(*) into v_old from voronka.person_identity where kind in ('phone', 'email');
  delete from voronka.person_identity where kind in ('phone', 'email');
  insert into voronka.person_identity (kind, value, person_id)
  select distinct on (r.kind, r.value) r.kind, r.value, r.person_id from identity_rehash as r
  where r.value is not null
  order by r.kind, r.value, r.person_id
  on conflict do nothing;
  select count(*) into v_new from voronka.person_identity where kind in ('phone', 'email');
  return jsonb_build_object('hashes_before', v_old, 'hashes_after', v_new);
end
$$;
comment on function voronka.rotate_identity_key(bytea) is 'Replaces the identity hash key (random when p_key is null) and recomputes every phone and email hash from the raw requests still in the inbox; returns the hash counts before and after.';

revoke execute on function voronka.normalize_phone(text), voronka.normalize_email(text), voronka.set_identity_key(bytea),
  voronka.identity_hash(text, text), voronka.link_person(text[], text[], bigint), voronka.merge_people(bigint, bigint[]),
  voronka.refresh_person(bigint), voronka.link_lead_person(bigint, text, text),
  voronka.amocrm_write_person(voronka.amocrm_deal, jsonb), voronka.amocrm_observe_contact(jsonb),
  voronka.amocrm_contact_identities(jsonb), voronka.amocrm_contact_deal_ids(jsonb),
  analytics.mark_stale_days_of_person_change(), analytics.mark_stale_days_of_first_touch_change(),
  voronka.lead_capture_fields(text, text), voronka.raw_identities(),
  voronka.rotate_identity_key(bytea), voronka.amocrm_webhook_contacts(jsonb), voronka.amocrm_webhook_locked_deal_ids(jsonb),
  voronka.amocrm_apply_webhook_contacts(jsonb) from public;
grant execute on function voronka.normalize_phone(text), voronka.normalize_email(text), voronka.identity_hash(text, text),
  voronka.link_person(text[], text[], bigint), voronka.link_lead_person(bigint, text, text),
  voronka.amocrm_observe_contact(jsonb), voronka.rotate_identity_key(bytea) to service_role;
