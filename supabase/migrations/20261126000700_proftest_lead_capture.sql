-- ProfTest lead capture: the landing page (or its form service) posts each submission to the
-- lead-capture function. The raw request is stored first; then one SQL call records the lead.
-- Re-sending the same submission id is idempotent.

create schema if not exists inbox;
revoke all on schema inbox from public;
grant usage on schema inbox to service_role;

create table inbox.lead_capture_event (
  id bigint generated always as identity primary key,
  received_at timestamptz not null default now(),
  content_type text,
  user_agent text,
  body text not null,
  status text not null default 'pending' check (status in ('pending', 'processed', 'rejected')),
  error jsonb,
  lead_id bigint references voronka.lead (id) on delete set null,
  processed_at timestamptz
);
create index lead_capture_event_lead_id_idx on inbox.lead_capture_event (lead_id);
create index lead_capture_event_received_at_idx on inbox.lead_capture_event (received_at);
comment on table inbox.lead_capture_event is 'Every authenticated lead-capture request, verbatim, with its outcome: processed (a lead), or rejected (invalid; error says why, the sender got 400).';
comment on column inbox.lead_capture_event.body is 'Request body exactly as received (JSON or form-encoded); holds the contact data the lead table does not.';
comment on column inbox.lead_capture_event.error is 'Validation issues when rejected: [{path, message}].';

-- Records one validated submission as a ProfTest lead. p_submission keys: submission_id,
-- occurred_at (ISO 8601 with offset), utm_source … utm_term. Returns the lead id and whether
-- this call created it (false: the submission was already recorded).
create function voronka.record_proftest_lead(p_event_id bigint, p_submission jsonb, out lead_id bigint, out created boolean)
language plpgsql
set search_path = ''
as $$
declare
  v_lead_id bigint;
begin
  with new_lead as (
    insert into voronka.lead (source, external_id, occurred_at, utm_source, utm_medium, utm_campaign, utm_content, utm_term)
    values ('proftest',
            p_submission ->> 'submission_id',
            (p_submission ->> 'occurred_at')::timestamptz,
            nullif(btrim(p_submission ->> 'utm_source'), ''),
            nullif(btrim(p_submission ->> 'utm_medium'), ''),
            nullif(btrim(p_submission ->> 'utm_campaign'), ''),
            nullif(btrim(p_submission ->> 'utm_content'), ''),
            nullif(btrim(p_submission ->> 'utm_term'), ''))
    on conflict (source, external_id) do nothing
    returning id
  )
  select id into v_lead_id from new_lead;

  created := v_lead_id is not null;
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

alter table inbox.lead_capture_event enable row level security;
grant select, insert, update on inbox.lead_capture_event to service_role;
revoke execute on function voronka.record_proftest_lead(bigint, jsonb) from public;
grant execute on function voronka.record_proftest_lead(bigint, jsonb) to service_role;
