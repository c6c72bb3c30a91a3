-- The SQL entry points of amoCRM ingestion. The webhook receiver makes exactly one call,
-- inbox.amocrm_receive_webhook, per request: the raw request is stored, then processed, in one
-- transaction. Processing errors are caught inside it, so the raw event survives with its
-- error and amoCRM gets a 2xx (a malformed body does not improve on retry).

-- Entities amoCRM sends that are acknowledged and kept, but not processed.
create function inbox.amocrm_other_entities()
returns text[]
language sql
immutable
set search_path = ''
as $$
  select array['contacts', 'companies', 'customers', 'unsorted', 'message', 'talk', 'task', 'catalogs', 'notes']
$$;

create function inbox.amocrm_process_webhook_event(p_event_id bigint)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_event inbox.amocrm_webhook_event;
  v_action text;
  v_leads jsonb;
  v_lead jsonb;
  v_snapshot jsonb;
  v_applied integer := 0;
  v_enrich bigint[] := '{}';
  v_status text;
  v_error text;
begin
  select * into v_event from inbox.amocrm_webhook_event as e where e.id = p_event_id for update;
  if not found then
    raise exception 'amoCRM webhook event % does not exist', p_event_id using errcode = 'P0002';
  end if;

  if v_event.payload is null then
    v_status := 'failed';
    v_error := coalesce(v_event.error, 'the body could not be parsed');
  else
    begin
      if v_event.payload ? 'leads' then
        if jsonb_typeof(v_event.payload -> 'leads') <> 'object' then
          raise exception 'unknown shape: "leads" is not a map of actions';
        end if;
        for v_action, v_leads in select kv.key, kv.value from jsonb_each(v_event.payload -> 'leads') as kv loop
          if v_action not in ('add', 'update', 'status', 'responsible', 'delete', 'restore') then
            continue; -- e.g. leads[note]: kept in the inbox, nothing to apply
          end if;
          if jsonb_typeof(v_leads) <> 'array' then
            raise exception 'unknown shape: leads[%] is not a list of leads', v_action;
          end if;
          for v_lead in select l.value from jsonb_array_elements(v_leads) as l loop
            v_snapshot := voronka.amocrm_snapshot_from_webhook(v_lead, v_action, v_event.payload -> 'account');
            -- Without amoCRM's time, the first receipt stands in (stable across replays).
            perform voronka.amocrm_observe_deal(
              v_snapshot, coalesce((v_snapshot ->> 'amo_time')::timestamptz, v_event.received_at), 'webhook', v_event.id);
            v_applied := v_applied + 1;
            if (v_snapshot ->> 'needs_enrichment')::boolean then
              v_enrich := v_enrich || (v_snapshot ->> 'id')::bigint;
            end if;
          end loop;
        end loop;
      elsif not exists (
        select 1 from jsonb_object_keys(v_event.payload) as k where k = any (inbox.amocrm_other_entities())
      ) then
        raise exception 'unknown shape: no amoCRM entity (leads, contacts, ...) in the body';
      end if;
      v_status := case when v_applied > 0 then 'processed' else 'ignored' end;
    exception when others then
      -- Everything this event changed is rolled back to the block start; the raw row stays.
      v_status := 'failed';
      v_error := sqlerrm;
      v_applied := 0;
      v_enrich := '{}';
    end;
  end if;

  update inbox.amocrm_webhook_event as e
     set status = v_status, error = v_error, deals_applied = v_applied, processed_at = now(),
         process_count = e.process_count + 1
   where e.id = p_event_id;

  return jsonb_build_object(
    'event_id', p_event_id,
    'status', v_status,
    'error', v_error,
    'deals_applied', v_applied,
    'needs_enrichment', to_jsonb(array(select distinct unnest(v_enrich) order by 1))
  );
end
$$;
comment on function inbox.amocrm_process_webhook_event(bigint) is 'Applies a stored amoCRM webhook (its parsed payload) to deals, sales and leads. Errors are caught and recorded on the event (status failed). Idempotent.';

-- The receiver's one call: store the request (once per identical body), then process it.
create function inbox.amocrm_receive_webhook(
  p_body text,
  p_content_type text,
  p_request_id text,
  p_user_agent text,
  p_payload jsonb,
  p_parse_error text
)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_id bigint;
  v_inserted boolean;
begin
  insert into inbox.amocrm_webhook_event as e (content_type, request_id, user_agent, body, body_sha256, payload,
                                               account_id, account_subdomain, error)
  values (p_content_type, p_request_id, p_user_agent, p_body, sha256(convert_to(p_body, 'UTF8')), p_payload,
          voronka.amocrm_bigint(p_payload #>> '{account,id}'), p_payload #>> '{account,subdomain}', p_parse_error)
  on conflict (body_sha256) do update
    set deliveries = e.deliveries + 1,
        last_received_at = now(),
        request_id = coalesce(e.request_id, excluded.request_id)
  returning e.id, (e.xmax = 0) into v_id, v_inserted;
  return inbox.amocrm_process_webhook_event(v_id) || jsonb_build_object('duplicate', not v_inserted);
end
$$;
comment on function inbox.amocrm_receive_webhook(text, text, text, text, jsonb, text) is 'Stores an authenticated amoCRM webhook request (an identical body is stored once and counted) and processes it, in the caller''s transaction.';

-- Replay: the receiver's parser may have changed, so the caller passes the re-parsed payload.
create function inbox.amocrm_reprocess_webhook_event(p_event_id bigint, p_payload jsonb, p_parse_error text)
returns jsonb
language plpgsql
set search_path = ''
as $$
begin
  update inbox.amocrm_webhook_event as e
     set payload = p_payload, error = p_parse_error,
         account_id = voronka.amocrm_bigint(p_payload #>> '{account,id}'),
         account_subdomain = p_payload #>> '{account,subdomain}'
   where e.id = p_event_id;
  return inbox.amocrm_process_webhook_event(p_event_id);
end
$$;
comment on function inbox.amocrm_reprocess_webhook_event(bigint, jsonb, text) is 'Replays a stored webhook with a freshly parsed payload (npm run amocrm:replay). Idempotent.';

-- API v4 reads (enrichment, reconciliation) go through the same observation path. p_read_at is
-- when the API answered: its answer is the deal's state at that moment.
create function voronka.amocrm_apply_api_leads(p_leads jsonb, p_read_at timestamptz)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_lead jsonb;
  v_snapshot jsonb;
  v_applied integer := 0;
  v_max_updated timestamptz;
begin
  if jsonb_typeof(p_leads) <> 'array' then
    raise exception 'amoCRM API leads must be a JSON array' using errcode = '22023';
  end if;
  for v_lead in select l.value from jsonb_array_elements(p_leads) as l loop
    v_snapshot := voronka.amocrm_snapshot_from_api(v_lead);
    perform voronka.amocrm_observe_deal(
      v_snapshot, greatest(p_read_at, (v_snapshot ->> 'amo_time')::timestamptz), 'api', null);
    v_applied := v_applied + 1;
    v_max_updated := greatest(v_max_updated, (v_snapshot ->> 'amo_time')::timestamptz);
  end loop;
  return jsonb_build_object('deals_applied', v_applied, 'max_updated_at', v_max_updated);
end
$$;
comment on function voronka.amocrm_apply_api_leads(jsonb, timestamptz) is 'Applies leads read through amoCRM API v4 (GET /api/v4/leads[/id]) as observations at p_read_at.';

-- Reconciliation checkpoint: resumable paging through deals updated since the last run.
create table voronka.amocrm_sync_state (
  id boolean primary key default true check (id),
  updated_from timestamptz,
  last_started_at timestamptz,
  last_finished_at timestamptz,
  last_status text check (last_status in ('running', 'ok', 'error')),
  last_error text,
  last_pages integer,
  last_deals integer,
  updated_at timestamptz not null default now()
);
comment on table voronka.amocrm_sync_state is 'The single row of amoCRM reconciliation progress: checkpoint and outcome of the last run.';
comment on column voronka.amocrm_sync_state.updated_from is 'Checkpoint: the next run reads deals with updated_at >= this (the latest updated_at applied). Null: start 30 days back.';
comment on column voronka.amocrm_sync_state.last_error is 'Why the last run stopped (401/403 from amoCRM, network...). Data is untouched by a failed page.';

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

alter table voronka.amocrm_sync_state enable row level security;
grant select, insert, update, delete on voronka.amocrm_sync_state to service_role;
revoke execute on function inbox.amocrm_other_entities(), inbox.amocrm_process_webhook_event(bigint),
  inbox.amocrm_receive_webhook(text, text, text, text, jsonb, text),
  inbox.amocrm_reprocess_webhook_event(bigint, jsonb, text), voronka.amocrm_apply_api_leads(jsonb, timestamptz),
  voronka.amocrm_apply_reconcile_page(jsonb, timestamptz) from public;
grant execute on function inbox.amocrm_other_entities(), inbox.amocrm_process_webhook_event(bigint),
  inbox.amocrm_receive_webhook(text, text, text, text, jsonb, text),
  inbox.amocrm_reprocess_webhook_event(bigint, jsonb, text), voronka.amocrm_apply_api_leads(jsonb, timestamptz),
  voronka.amocrm_apply_reconcile_page(jsonb, timestamptz) to service_role;
