-- The schemas, and what each one holds. Only `public` is exposed through the Data API, and it
-- holds only the RPC functions dashboards call; everything else is reached through them. Every
-- table has RLS enabled and no policies: only service_role and the owner read tables directly.
--
--   inbox      raw requests exactly as received (webhooks, landing captures), stored before
--              anything else happens so a processing bug never loses data. Tables only.
--   voronka    normalized data and the functions that write it: settings, teams, products,
--              exchange rates, Facebook Ads, leads, amoCRM deals and sales.
--   analytics  the funnel's facts, their cache tables, report internals, data health and
--              the analysts' views.

create schema if not exists inbox;
comment on schema inbox is 'Raw requests as received (webhooks, captures), stored before processing. Not exposed through the Data API.';
revoke all on schema inbox from public;
grant usage on schema inbox to service_role;

create schema if not exists voronka;
comment on schema voronka is 'Voronka normalized data: settings, teams, products, Facebook Ads, leads, amoCRM deals and sales, exchange rates. Not exposed through the Data API.';
revoke all on schema voronka from public;
grant usage on schema voronka to service_role;

create schema if not exists analytics;
comment on schema analytics is 'Funnel analytics: the cached facts and report internals. Not exposed through the Data API; dashboards use public.funnel_report / public.funnel_daily.';
revoke all on schema analytics from public;
grant usage on schema analytics to service_role;
