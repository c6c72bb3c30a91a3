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

-- The leads of a webhook payload's deal actions as normalized snapshots, in body order, with the
-- action each came in. A payload whose leads are not a map of lists is an unknown shape.
create function voronka.amocrm_webhook_snapshots(p_payload jsonb)
returns table (snapshot jsonb)
language plpgsql
immutable
set search_path = ''
as $$
declare
  v_bad_action text;
begin
  if jsonb_typeof(p_payload -> 'leads') <> 'object' then
    raise exception 'unknown shape: "leads" is not a map of actions';
  end if;
  select a.key into v_bad_action
  from jsonb_each(p_payload -> 'leads') as a
  where a.key in ('add', 'update', 'status', 'responsible', 'delete', 'restore') and jsonb_typeof(a.value) <> 'array'
  order by a.key
  limit 1;
  if found then
    raise exception 'unknown shape: leads[%] is not a list of leads', v_bad_action;
  end if;
  -- Other actions (e.g. leads[note]) are kept in the inbox, nothing to apply.
  return query
    select voronka.amocrm_snapshot_from_webhook(l.value, a.key, p_payload -> 'account')
    from jsonb_each(p_payload -> 'leads') with ordinality as a (key, value, n)
    cross join lateral jsonb_array_elements(a.value) with ordinality as l (value, m)
    where a.key in ('add', 'update', 'status', 'responsible', 'delete', 'restore')
    order by a.n, l.m;
end
$$;

comment on function voronka.amocrm_webhook_snapshots(jsonb) is 'Normalized snapshots of the deals a webhook payload carries (leads[add|update|status|responsible|delete|restore][i]), in body order; raises on an unknown shape.';

-- Applies a stored webhook: every deal of the body observed in one set-based call (its deals
-- locked at once, in key order), the outcome recorded on the event.
-- Longer than most: the outcome bookkeeping (processed / ignored / failed, with the error kept on
-- the event so amoCRM still gets its 2xx) is written once here for every kind of body.
create function voronka.amocrm_process_webhook_event(p_event_id bigint)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_event inbox.amocrm_webhook_event;
  v_snapshots jsonb[];
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
      perform voronka.amocrm_lock_deals(voronka.amocrm_webhook_locked_deal_ids(v_event.payload));
      if v_event.payload ? 'leads' then
        v_snapshots := array(select s.snapshot from voronka.amocrm_webhook_snapshots(v_event.payload) as s);
        -- Without amoCRM's time, the first receipt orders a snapshot among other untimed bodies
        -- (stable across replays); it ranks below every timed one.
        perform voronka.amocrm_observe_deals(
          v_snapshots,
          array(select coalesce((s.snapshot ->> 'amo_time')::timestamptz, v_event.received_at)
                from unnest(v_snapshots) with ordinality as s (snapshot, n) order by s.n),
          'webhook', v_event.id);
        v_applied := cardinality(v_snapshots);
        v_enrich := array(select distinct (s.snapshot ->> 'id')::bigint from unnest(v_snapshots) as s (snapshot)
                          where (s.snapshot ->> 'needs_enrichment')::boolean order by 1);
      elsif not exists (
        select 1 from jsonb_object_keys(v_event.payload) as k where k = any (voronka.amocrm_other_entities())
      ) then
        raise exception 'unknown shape: no amoCRM entity (leads, contacts, ...) in the body';
      end if;
      -- Contacts (people.sql): their phones and emails identify people; their linked deals join them.
      -- They make the event processed; deals_applied still counts deals only.
      v_status := case when v_applied + voronka.amocrm_apply_webhook_contacts(v_event.payload) > 0 then 'processed'
                       else 'ignored' end;
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
    'needs_enrichment', to_jsonb(v_enrich)
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
revoke execute on function voronka.amocrm_webhook_snapshots(jsonb), voronka.amocrm_other_entities(),
  voronka.amocrm_process_webhook_event(bigint), voronka.amocrm_receive_webhook(text, text, text, text, jsonb, text),
  voronka.amocrm_reprocess_webhook_event(bigint, jsonb, text) from public;
grant execute on function voronka.amocrm_webhook_snapshots(jsonb), voronka.amocrm_other_entities(),
  voronka.amocrm_process_webhook_event(bigint), voronka.amocrm_receive_webhook(text, text, text, text, jsonb, text),
  voronka.amocrm_reprocess_webhook_event(bigint, jsonb, text) to service_role;
