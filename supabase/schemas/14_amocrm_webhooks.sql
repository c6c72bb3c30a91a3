-- The SQL entry points of amoCRM ingestion. The webhook receiver makes exactly one call,
-- voronka.amocrm_receive_webhook, per request: the raw request is stored, then processed, in one
-- transaction. Processing errors are caught inside it, so the raw event survives with its
-- error and amoCRM gets a 2xx (a malformed body does not improve on retry).

-- Deal ids of a webhook payload's lead actions, to lock them before processing.
create function voronka.amocrm_webhook_deal_ids(p_payload jsonb)
returns bigint[]
language sql
immutable
set search_path = ''
as $$
  select coalesce(array_agg(distinct voronka.amocrm_bigint(lead.value ->> 'id')), '{}')
  from jsonb_each(case jsonb_typeof(p_payload -> 'leads') when 'object' then p_payload -> 'leads' else '{}'::jsonb end)
       as action
  cross join lateral jsonb_array_elements(case jsonb_typeof(action.value) when 'array' then action.value
                                                                            else '[]'::jsonb end) as lead
  where action.key in ('add', 'update', 'status', 'responsible', 'delete', 'restore')
    and jsonb_typeof(lead.value) = 'object'
    and voronka.amocrm_bigint(lead.value ->> 'id') is not null
$$;

comment on function voronka.amocrm_webhook_deal_ids(jsonb) is 'The amoCRM deal ids a webhook payload carries (leads[add|update|status|responsible|delete|restore][i][id]).';

-- Entities amoCRM sends that are acknowledged and kept, but not processed.
create function voronka.amocrm_other_entities()
returns text[]
language sql
immutable
set search_path = ''
as $$
  select array['contacts', 'companies', 'customers', 'unsorted', 'message', 'talk', 'task', 'catalogs', 'notes']
$$;

-- Applies a stored webhook: lock its deals, observe each lead, record the outcome on the event.
-- Longer than most: the outcome bookkeeping (processed / ignored / failed, with the error kept on
-- the event so amoCRM still gets its 2xx) is written once here for every kind of body.
create function voronka.amocrm_process_webhook_event(p_event_id bigint)
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
      -- Every deal of the body, locked before any is touched (see voronka.amocrm_lock_deals).
      perform voronka.amocrm_lock_deals(voronka.amocrm_webhook_deal_ids(v_event.payload));
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
            -- Without amoCRM's time, the first receipt orders it among other untimed bodies
            -- (stable across replays); it ranks below every timed one.
            perform voronka.amocrm_observe_deal(
              v_snapshot, coalesce((v_snapshot ->> 'amo_time')::timestamptz, v_event.received_at), 'webhook', v_event.id);
            v_applied := v_applied + 1;
            if (v_snapshot ->> 'needs_enrichment')::boolean then
              v_enrich := v_enrich || (v_snapshot ->> 'id')::bigint;
            end if;
          end loop;
        end loop;
      elsif not exists (
        select 1 from jsonb_object_keys(v_event.payload) as k where k = any (voronka.amocrm_other_entities())
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

comment on function voronka.amocrm_process_webhook_event(bigint) is 'Applies a stored amoCRM webhook (its parsed payload) to deals, sales and leads. Errors are caught and recorded on the event (status failed). Idempotent.';

-- The receiver's one call: store the request (once per identical body), then process it.
create function voronka.amocrm_receive_webhook(
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
  return voronka.amocrm_process_webhook_event(v_id) || jsonb_build_object('duplicate', not v_inserted);
end
$$;

comment on function voronka.amocrm_receive_webhook(text, text, text, text, jsonb, text) is 'Stores an authenticated amoCRM webhook request (an identical body is stored once and counted) and processes it, in the caller''s transaction.';

-- Replay: the receiver's parser may have changed, so the caller passes the re-parsed payload.
create function voronka.amocrm_reprocess_webhook_event(p_event_id bigint, p_payload jsonb, p_parse_error text)
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
  return voronka.amocrm_process_webhook_event(p_event_id);
end
$$;

comment on function voronka.amocrm_reprocess_webhook_event(bigint, jsonb, text) is 'Replays a stored webhook with a freshly parsed payload (npm run amocrm:replay). Idempotent.';
revoke execute on function voronka.amocrm_webhook_deal_ids(jsonb), voronka.amocrm_other_entities(),
  voronka.amocrm_process_webhook_event(bigint), voronka.amocrm_receive_webhook(text, text, text, text, jsonb, text),
  voronka.amocrm_reprocess_webhook_event(bigint, jsonb, text) from public;
grant execute on function voronka.amocrm_webhook_deal_ids(jsonb), voronka.amocrm_other_entities(),
  voronka.amocrm_process_webhook_event(bigint), voronka.amocrm_receive_webhook(text, text, text, text, jsonb, text),
  voronka.amocrm_reprocess_webhook_event(bigint, jsonb, text) to service_role;
