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
