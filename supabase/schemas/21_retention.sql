create function voronka.apply_retention(p_limit integer default 100000)
returns table (table_name text, deleted bigint)
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_retention interval;
  v_cutoff timestamptz;
  v_count bigint;
begin
  select s.raw_retention into v_retention from voronka.setting as s;
  if v_retention is null then
    return; -- retention off: keep everything
  end if;
  v_cutoff := now() - v_retention;

  -- amoCRM: only events that are done (processed, or ignored = no deals in them). A redelivery
  -- racing with this delete either commits first (last_received_at moves into the window and the
  -- row is re-checked and kept) or inserts the body afresh after it.
  with doomed as (
    select e.id from inbox.amocrm_webhook_event as e
    where e.status in ('processed', 'ignored') and e.last_received_at < v_cutoff
    order by e.id
    limit p_limit
  )
  delete from inbox.amocrm_webhook_event as e
  using doomed
  where e.id = doomed.id
    and e.status in ('processed', 'ignored') and e.last_received_at < v_cutoff;
  get diagnostics v_count = row_count;
  table_name := 'inbox.amocrm_webhook_event'; deleted := v_count; return next;

  with doomed as (
    select e.id from inbox.lead_capture_event as e
    where e.status = 'processed' and e.received_at < v_cutoff
    order by e.id
    limit p_limit
  )
  delete from inbox.lead_capture_event as e
  using doomed
  where e.id = doomed.id and e.status = 'processed' and e.received_at < v_cutoff;
  get diagnostics v_count = row_count;
  table_name := 'inbox.lead_capture_event'; deleted := v_count; return next;

  delete from voronka.fb_sync_run as r
  where r.status <> 'running'
    and r.finished_at < v_cutoff
    and r.id <> coalesce((select max(x.id) from voronka.fb_sync_run as x), -1)
    and r.id <> coalesce((select max(x.id) from voronka.fb_sync_run as x where x.status in ('succeeded', 'partial')), -1);
  get diagnostics v_count = row_count;
  table_name := 'voronka.fb_sync_run'; deleted := v_count; return next;
end
$$;

comment on function voronka.apply_retention(integer) is 'Deletes processed raw requests (inbox.amocrm_webhook_event processed/ignored, inbox.lead_capture_event processed) and finished Facebook sync runs older than voronka.setting.raw_retention, at most p_limit rows per table per call; returns the rows deleted per table. Never deletes pending, failed or rejected events, deal observations, the latest sync run or the latest successful one.';

revoke execute on function voronka.apply_retention(integer) from public, anon, authenticated;

grant execute on function voronka.apply_retention(integer) to service_role;
