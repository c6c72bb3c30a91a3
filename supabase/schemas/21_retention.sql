-- Retention of raw data: processed raw requests and finished sync runs are deleted once they are
-- older than voronka.setting.raw_retention (default 400 days: more than 13 months, so a year-on-
-- year comparison of the same month still has its raw data). Run daily by pg_cron on hosted
-- Supabase and by a timer in `npm start`; run by hand with `select * from voronka.apply_retention();`.
--
-- What is deleted, and why it is safe:
--   * inbox.amocrm_webhook_event with status processed or ignored whose last delivery is older
--     than the window (~3.8 KB each: the bulk of the growth). Their content lives on in
--     voronka.amocrm_deal_observation, from which every deal, sale and lead is computed; the
--     observations' inbox_event_id becomes null (on delete set null). Pending and failed events
--     are never deleted: they are what `npm run amocrm:replay` still has to process.
--   * inbox.lead_capture_event with status processed older than the window (the lead row stays;
--     the raw body with name and phone goes, which is also what a retention policy is for).
--     Pending and rejected ones are kept (rejected = the sender got 400: evidence of what was
--     refused, and not represented anywhere else).
--   * voronka.fb_sync_run finished before the window, except the latest successful/partial run
--     (funnel_report's "last successful sync" warning reads it) and the latest run of all.
--
-- What is NOT deleted: voronka.amocrm_deal_observation. A deal's state, its sale, the sale's
-- winning streak (won_at) and its void history are recomputed from the deal's whole observation
-- history (voronka.amocrm_refresh_deal / amocrm_refresh_all_deals), so deleting any observation —
-- even of a deal settled long ago — can change what a replay or a mapping change recomputes. No
-- pruning rule is provably state-preserving for every future version of that fold, so
-- observations are kept entirely; they are small next to the raw bodies (a normalized snapshot,
-- no raw form body), and the raw body is what this retention removes.

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
