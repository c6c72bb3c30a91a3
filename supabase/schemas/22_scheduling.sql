-- Every scheduled job, in one place. On hosted Supabase pg_cron runs them (and pg_net calls the
-- Edge Functions); a plain Postgres (the local stack, CI) has neither, and scripts/local/ runs the
-- same jobs on timers instead.
--
-- Schedules are rows in cron.job, not schema: migrations cannot diff them. So they are defined
-- here, in a function, and a migration calls `select * from voronka.schedule_jobs();` (the
-- baseline does). Calling it again is harmless: cron.schedule replaces a job of the same name.
--
-- Edge Function URLs and their bearer secrets live in Vault, never in SQL or in cron.job. Once per
-- project (SQL editor):
--   select vault.create_secret('https://<project-ref>.supabase.co/functions/v1/facebook-sync', 'facebook_sync_url');
--   select vault.create_secret('<FB_SYNC_SECRET>', 'facebook_sync_secret');
--   select vault.create_secret('https://<project-ref>.supabase.co/functions/v1/amocrm-reconcile', 'amocrm_reconcile_url');
--   select vault.create_secret('<AMOCRM_RECONCILE_SECRET>', 'amocrm_reconcile_secret');
-- The jobs read them at call time and do nothing while either is missing.

-- One job's command: POST to an Edge Function whose URL and secret are in Vault.
create function voronka.edge_function_call(p_url_secret text, p_bearer_secret text, p_body jsonb, p_timeout_ms integer)
returns text
language sql
immutable
set search_path = ''
as $$
  select format($job$
    select net.http_post(
             url := secrets.url,
             headers := jsonb_build_object('Content-Type', 'application/json',
                                           'Authorization', 'Bearer ' || secrets.secret),
             body := %L::jsonb,
             timeout_milliseconds := %s)
    from (
      select (select s.decrypted_secret from vault.decrypted_secrets as s where s.name = %L) as url,
             (select s.decrypted_secret from vault.decrypted_secrets as s where s.name = %L) as secret
    ) as secrets
    where secrets.url is not null and secrets.secret is not null
  $job$, p_body, p_timeout_ms, p_url_secret, p_bearer_secret)
$$;
comment on function voronka.edge_function_call(text, text, jsonb, integer) is 'The pg_cron command that POSTs p_body to the Edge Function whose URL and bearer secret are the named Vault secrets (nothing secret in cron.job).';

create function voronka.schedule_jobs()
returns table (job text, schedule text, status text)
language plpgsql
set search_path = ''
as $$
declare
  v_has_cron boolean;
  v_has_net boolean;
  v_job record;
begin
  -- Enable the extensions where the server offers them (hosted Supabase does).
  if exists (select 1 from pg_available_extensions where name = 'pg_cron') then
    create extension if not exists pg_cron with schema pg_catalog;
  end if;
  if exists (select 1 from pg_available_extensions where name = 'pg_net') then
    create extension if not exists pg_net with schema extensions;
  end if;
  v_has_cron := exists (select 1 from pg_extension where extname = 'pg_cron');
  v_has_net := exists (select 1 from pg_extension where extname = 'pg_net')
               and exists (select 1 from pg_namespace where nspname = 'vault');

  for v_job in
    select * from (values
      -- The view may lag by this much; reports compute the days written since live anyway.
      ('voronka-refresh-funnel-analytics', '*/5 * * * *', 'select analytics.refresh_funnel_analytics()', false),
      -- 21:47 UTC = 02:47 in Almaty, the quietest hour: every cached day recomputed (a safety net).
      ('voronka-rebuild-analytics', '47 21 * * *', 'select analytics.rebuild_funnel_analytics()', false),
      ('voronka-facebook-sync', '*/15 * * * *',
       voronka.edge_function_call('facebook_sync_url', 'facebook_sync_secret', '{"trigger": "cron"}', 150000), true),
      ('voronka-amocrm-reconcile', '*/10 * * * *',
       voronka.edge_function_call('amocrm_reconcile_url', 'amocrm_reconcile_secret', '{}', 120000), true),
      -- 03:17 UTC: a quiet hour in Almaty (08:17 local is before the school's working day).
      ('voronka-apply-retention', '17 3 * * *', 'select voronka.apply_retention()', false)
    ) as jobs (name, cron_schedule, command, needs_http)
  loop
    job := v_job.name;
    schedule := v_job.cron_schedule;
    if not v_has_cron then
      status := 'not scheduled: pg_cron is not installed (the local stack runs a timer)';
    elsif v_job.needs_http and not v_has_net then
      status := 'not scheduled: pg_net or vault is not installed';
    else
      perform cron.schedule(v_job.name, v_job.cron_schedule, v_job.command);
      status := 'scheduled';
    end if;
    return next;
  end loop;
end
$$;
comment on function voronka.schedule_jobs() is 'Schedules every Voronka job with pg_cron where it is installed (analytics refresh and nightly rebuild, Facebook sync, amoCRM reconciliation, retention) and returns what it did per job. Idempotent.';
revoke execute on function voronka.edge_function_call(text, text, jsonb, integer), voronka.schedule_jobs() from public;
