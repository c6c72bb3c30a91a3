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
  unique (source, external_id)
);

create index lead_occurred_at_idx on voronka.lead (occurred_at);

create index lead_team_id_idx on voronka.lead (team_id);

comment on table voronka.lead is 'A lead: a ProfTest landing submission or a new deal in a configured amoCRM lead pipeline. team_id is derived from the UTM tags (null = unattributed).';

comment on column voronka.lead.external_id is 'Id in the source system (amoCRM lead id, landing submission id), as received.';

comment on column voronka.lead.occurred_at is 'When the lead happened (instant).';

create trigger lead_set_team
before insert or update of utm_source, utm_campaign on voronka.lead
for each row execute function voronka.set_team_from_utm();

alter table voronka.lead enable row level security;

grant select, insert, update, delete on voronka.lead to service_role;

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

revoke execute on function voronka.record_proftest_lead(bigint, jsonb) from public;

grant execute on function voronka.record_proftest_lead(bigint, jsonb) to service_role;
