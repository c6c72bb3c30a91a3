-- Only the business time zone and the reporting currency change the cached numbers; other
-- settings (e.g. the stale-sync threshold) must not trigger a full rebuild of funnel_analytics.
drop trigger setting_refresh_analytics on voronka.setting;
create trigger setting_refresh_analytics
  after update of business_time_zone, reporting_currency on voronka.setting
  for each statement execute function analytics.refresh_on_settings_change();
