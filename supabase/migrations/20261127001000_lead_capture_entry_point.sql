-- lead-capture's one SQL call, as amoCRM has one (inbox.amocrm_receive_webhook): the receiver
-- used to write inbox.lead_capture_event itself in three statements (insert the raw request,
-- then mark it rejected or record the lead, then note an internal error), which spread the inbox's
-- rules over TypeScript. Now the function validates (zod, in TypeScript) and makes this one call;
-- the table is written only here and by voronka.record_proftest_lead.
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
-- are parameters, never SQL text. Like inbox.amocrm_receive_webhook, only service_role may
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
