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
