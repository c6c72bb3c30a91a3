-- Leads: ProfTest landing submissions and new deals in the amoCRM lead pipelines. Instants are
-- timestamptz (the old system compared a timestamp-without-time-zone column with a UTC date
-- string and showed 0 sales); business days are derived in SQL with the business time zone.

create table voronka.lead (
  id bigint generated always as identity primary key,
  source text not null check (source in ('proftest', 'amocrm')),
  external_id text not null,
  occurred_at timestamptz not null,
  utm_source text,
  utm_medium text,
  utm_campaign text,
  utm_content text,
  utm_term text,
  team_id text references voronka.team (id) on delete set null,
  amocrm_deal_id bigint,
  received_at timestamptz not null default now(),
  -- The Facebook objects the UTM tags name (voronka.resolve_ad, ad_attribution.sql), set where the
  -- tags are written, as team_id is.
  fb_campaign_id text,
  fb_adset_id text,
  fb_ad_id text,
  ad_match text check (ad_match in ('ad_id', 'ad_name', 'adset_id', 'adset_name', 'campaign_id', 'campaign_name')),
  -- The person (people.sql): by phone and email for ProfTest, by the deal's contacts for amoCRM.
  person_id bigint,
  unique (source, external_id)
);

-- Covering: the live days of a report count leads per team, source and ad from the index alone.
create index lead_occurred_at_idx on voronka.lead (occurred_at) include (team_id, source, fb_campaign_id, fb_adset_id, fb_ad_id);
create index lead_team_id_idx on voronka.lead (team_id);
create index lead_person_id_idx on voronka.lead (person_id);
comment on table voronka.lead is 'A lead: a ProfTest landing submission or a new deal in a configured amoCRM lead pipeline. team_id is derived from the UTM tags (null = unattributed).';
comment on column voronka.lead.external_id is 'Id in the source system (amoCRM lead id, landing submission id), as received.';
comment on column voronka.lead.occurred_at is 'When the lead happened (instant).';

comment on column voronka.lead.fb_ad_id is 'Facebook ad the UTM tags name (null when they name none, or only an ad set or campaign); see voronka.resolve_ad.';

comment on column voronka.lead.person_id is 'The person who left the lead (voronka.person): by the hashed phone and email of a ProfTest submission, by the contacts of an amoCRM deal.';

comment on column voronka.lead.ad_match is 'How the UTM tags were matched to a Facebook object: ad_id, ad_name, adset_id, adset_name, campaign_id, campaign_name; null = unmatched.';

create trigger lead_set_team
before insert or update of utm_source, utm_campaign on voronka.lead
for each row execute function voronka.set_team_from_utm();

alter table voronka.lead enable row level security;
grant select, insert, update, delete on voronka.lead to service_role;

-- Records one validated submission as a ProfTest lead. p_submission keys: submission_id,
-- occurred_at (ISO 8601 with offset), utm_source … utm_term, page_url, phone, email (only hashed,
-- people.sql). A UTM tag the landing did not post is read from page_url's query string by the one
-- URL parser (voronka.utm_from_url, as for amoCRM's URL fields); a posted tag always stands.
-- Returns the lead id and whether this call created it (false: the submission was already recorded).
create function voronka.record_proftest_lead(p_event_id bigint, p_submission jsonb, out lead_id bigint, out created boolean)
language plpgsql
set search_path = ''
as $$
declare
  v_lead_id bigint;
begin
  with page_utm as (
    select * from voronka.utm_from_url(nullif(btrim(p_submission ->> 'page_url'), ''))
  ),
  new_lead as (
    insert into voronka.lead (source, external_id, occurred_at, utm_source, utm_medium, utm_campaign, utm_content, utm_term)
    select 'proftest',
           p_submission ->> 'submission_id',
           (p_submission ->> 'occurred_at')::timestamptz,
           coalesce(nullif(btrim(p_submission ->> 'utm_source'), ''), page_utm.utm_source),
           coalesce(nullif(btrim(p_submission ->> 'utm_medium'), ''), page_utm.utm_medium),
           coalesce(nullif(btrim(p_submission ->> 'utm_campaign'), ''), page_utm.utm_campaign),
           coalesce(nullif(btrim(p_submission ->> 'utm_content'), ''), page_utm.utm_content),
           coalesce(nullif(btrim(p_submission ->> 'utm_term'), ''), page_utm.utm_term)
    from page_utm
    on conflict (source, external_id) do nothing
    returning id
  )
  select id into v_lead_id from new_lead;

  created := v_lead_id is not null;
  if created then
    -- The phone and email are hashed on the way in (people.sql); voronka keeps no raw value.
    perform voronka.link_lead_person(v_lead_id, p_submission ->> 'phone', p_submission ->> 'email');
  end if;
  if v_lead_id is null then
    select l.id into v_lead_id
    from voronka.lead as l
    where l.source = 'proftest' and l.external_id = p_submission ->> 'submission_id';
  end if;

  update inbox.lead_capture_event
     set status = 'processed', lead_id = v_lead_id, processed_at = now()
   where id = p_event_id;
  lead_id := v_lead_id;
end
$$;

comment on function voronka.record_proftest_lead(bigint, jsonb) is 'Records a validated ProfTest submission as a lead (idempotent by submission_id) and marks its inbox event processed.';
revoke execute on function voronka.record_proftest_lead(bigint, jsonb) from public;
grant execute on function voronka.record_proftest_lead(bigint, jsonb) to service_role;

-- lead-capture's one SQL call, as amoCRM has one (voronka.amocrm_receive_webhook): the receiver
-- validates the body (zod, in TypeScript) and makes this one call; inbox.lead_capture_event is
-- written only here and by voronka.record_proftest_lead.
--
-- One transaction: the raw request is inserted first and the processing runs in a subtransaction,
-- so a processing error (a bug, a constraint) rolls back only the processing and keeps the raw
-- request `pending` with a correlation id (the receiver answers 500 with it and logs the detail).
-- A database that goes away or a statement_timeout (query_canceled is not caught by `others`)
-- rolls back everything: the receiver answers 503 and the sender's retry is the only copy, so a
-- request is never half stored. 2xx is answered only after this call commits.
--
-- Security: security invoker (the receiver's own connection, or service_role, holds the table
-- privileges); search_path is empty so every name is schema-qualified; the body and the fields
-- are parameters, never SQL text. Like voronka.amocrm_receive_webhook, only service_role may
-- execute it: not anon or authenticated (no API caller may write the inbox).
create function voronka.lead_capture_receive(
  p_body text,
  p_content_type text,
  p_user_agent text,
  p_submission jsonb,
  p_issues jsonb
)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_event_id bigint;
  v_lead record;
  v_correlation_id uuid;
begin
  if (p_submission is null) = (p_issues is null) then
    raise exception 'lead_capture_receive: pass either p_submission (valid) or p_issues (rejected), not both or neither'
      using errcode = '22023';
  end if;

  insert into inbox.lead_capture_event (content_type, user_agent, body, status, error, processed_at)
  values (p_content_type, nullif(p_user_agent, ''), p_body,
          case when p_issues is null then 'pending' else 'rejected' end,
          p_issues,
          case when p_issues is null then null else now() end)
  returning id into v_event_id;

  if p_issues is not null then
    return jsonb_build_object('event_id', v_event_id, 'outcome', 'rejected');
  end if;

  begin
    select r.lead_id, r.created into v_lead from voronka.record_proftest_lead(v_event_id, p_submission) as r;
  exception when others then
    v_correlation_id := pg_catalog.gen_random_uuid();
    update inbox.lead_capture_event
       set error = jsonb_build_array(jsonb_build_object('path', '(server)', 'message', 'internal error ' || v_correlation_id))
     where id = v_event_id;
    return jsonb_build_object('event_id', v_event_id, 'outcome', 'failed', 'correlation_id', v_correlation_id,
                              'error', format('SQLSTATE %s: %s', sqlstate, sqlerrm));
  end;
  return jsonb_build_object('event_id', v_event_id,
                            'outcome', case when v_lead.created then 'recorded' else 'duplicate' end,
                            'lead_id', v_lead.lead_id);
end
$$;
comment on function voronka.lead_capture_receive(text, text, text, jsonb, jsonb) is 'lead-capture''s one call: stores the raw request in inbox.lead_capture_event and, for a valid submission (p_submission), records the lead; for an invalid one (p_issues) keeps it rejected. Returns {event_id, outcome: recorded | duplicate | rejected | failed, lead_id, correlation_id, error}. A processing error keeps the request pending with the correlation id.';

revoke execute on function voronka.lead_capture_receive(text, text, text, jsonb, jsonb) from public, anon, authenticated;
grant execute on function voronka.lead_capture_receive(text, text, text, jsonb, jsonb) to service_role;
