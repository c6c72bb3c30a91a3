-- pg_cron exists on hosted Supabase, not in a plain Postgres: schedule only where it is installed
-- (`create extension pg_cron` from the dashboard), so this migration applies everywhere.
do $$
begin
  if exists (select 1 from pg_extension where extname = 'pg_cron') then
    perform cron.schedule('voronka-refresh-funnel-analytics', '*/5 * * * *',
      'select analytics.refresh_funnel_analytics()');
  else
    raise notice 'pg_cron is not installed: funnel_analytics is not scheduled (the local stack refreshes it on a timer)';
  end if;
end
$$;

-- Scheduling on hosted Supabase needs pg_cron (the scheduler) and pg_net (HTTP calls to Edge
-- Functions). Enable them where the server offers them, so `supabase db push` alone schedules the
-- analytics refresh, the Facebook sync and the amoCRM reconciliation. A plain Postgres (the local
-- stack) does not offer them: nothing happens here and the local stack runs the same jobs on timers.
do $$
begin
  if exists (select 1 from pg_available_extensions where name = 'pg_cron') then
    create extension if not exists pg_cron with schema pg_catalog;
  end if;
  if exists (select 1 from pg_available_extensions where name = 'pg_net') then
    create extension if not exists pg_net with schema extensions;
  end if;
  -- The refresh job of 20261126000500 was skipped if pg_cron arrived only now.
  if exists (select 1 from pg_extension where extname = 'pg_cron') then
    perform cron.schedule('voronka-refresh-funnel-analytics', '*/5 * * * *',
      'select analytics.refresh_funnel_analytics()');
  end if;
end
$$;

-- Schedules amoCRM reconciliation on hosted Supabase: pg_cron calls the amocrm-reconcile Edge
-- Function through pg_net every 10 minutes. The function URL and its bearer secret live in
-- Vault (never in a migration):
--
--   select vault.create_secret('https://<project>.supabase.co/functions/v1/amocrm-reconcile', 'amocrm_reconcile_url');
--   select vault.create_secret('<AMOCRM_RECONCILE_SECRET>', 'amocrm_reconcile_secret');
--
-- Where pg_cron or pg_net is not installed (the local stack, which runs its own timer) this
-- migration only says so, so it applies everywhere.
do $$
begin
  if exists (select 1 from pg_extension where extname = 'pg_cron')
     and exists (select 1 from pg_extension where extname = 'pg_net')
     and exists (select 1 from pg_namespace where nspname = 'vault') then
    perform cron.schedule('voronka-amocrm-reconcile', '*/10 * * * *', $job$
      select net.http_post(
               url := secrets.url,
               headers := jsonb_build_object('Authorization', 'Bearer ' || secrets.secret,
                                             'Content-Type', 'application/json'),
               body := '{}'::jsonb,
               timeout_milliseconds := 120000)
      from (
        select (select s.decrypted_secret from vault.decrypted_secrets as s where s.name = 'amocrm_reconcile_url') as url,
               (select s.decrypted_secret from vault.decrypted_secrets as s where s.name = 'amocrm_reconcile_secret') as secret
      ) as secrets
      where secrets.url is not null and secrets.secret is not null
    $job$);
  else
    raise notice 'pg_cron, pg_net or vault missing: amoCRM reconciliation is not scheduled in the database (the local stack runs a timer)';
  end if;
end
$$;

-- Calls the facebook-sync Edge Function every 15 minutes on hosted Supabase: pg_cron runs
-- pg_net's http_post with the function URL and the shared secret read from Vault at call time
-- (nothing secret is stored in this migration or in cron.job). Where pg_cron or pg_net is not
-- installed (the local stack, which runs the same sync on a timer) this migration only says so.
--
-- Once per project (SQL editor), store the two secrets the job reads:
--   select vault.create_secret('https://<project-ref>.supabase.co/functions/v1/facebook-sync', 'facebook_sync_url');
--   select vault.create_secret('<the FB_SYNC_SECRET of the function>', 'facebook_sync_secret');
do $$
begin
  if exists (select 1 from pg_extension where extname = 'pg_cron')
     and exists (select 1 from pg_extension where extname = 'pg_net') then
    perform cron.schedule(
      'voronka-facebook-sync',
      '*/15 * * * *',
      $job$
      with secrets as (
        select max(s.decrypted_secret) filter (where s.name = 'facebook_sync_url') as url,
               max(s.decrypted_secret) filter (where s.name = 'facebook_sync_secret') as secret
        from vault.decrypted_secrets as s
        where s.name in ('facebook_sync_url', 'facebook_sync_secret')
      )
      select net.http_post(
               url := secrets.url,
               headers := jsonb_build_object('content-type', 'application/json',
                                             'authorization', 'Bearer ' || secrets.secret),
               body := '{"trigger": "cron"}'::jsonb,
               timeout_milliseconds := 150000)
      from secrets
      where secrets.url is not null and secrets.secret is not null
      $job$);
  else
    raise notice 'pg_cron or pg_net is not installed: facebook-sync is not scheduled here (the local stack runs it on a timer; on hosted Supabase enable both extensions and re-run this statement)';
  end if;
end
$$;

-- Daily at 03:17 UTC where pg_cron exists (hosted Supabase); the local stack runs a timer.
do $$
begin
  if exists (select 1 from pg_extension where extname = 'pg_cron') then
    perform cron.schedule('voronka-apply-retention', '17 3 * * *', 'select voronka.apply_retention()');
  else
    raise notice 'pg_cron missing: retention is not scheduled in the database (the local stack runs a timer)';
  end if;
end
$$;
