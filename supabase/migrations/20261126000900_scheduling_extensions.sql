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
