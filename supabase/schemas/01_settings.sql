-- Settings: the single row every report reads — the business time zone whose calendar days are
-- the business days, the reporting currency, and operating thresholds — and the one definition of
-- a business day. The row itself is data: the baseline migration inserts it.

create table voronka.setting (
  id boolean primary key default true check (id),
  business_time_zone text not null default 'Asia/Almaty',
  reporting_currency char(3) not null default 'KZT' check (reporting_currency ~ '^[A-Z]{3}$'),
  facebook_sync_stale_after interval not null default interval '2 hours',
  updated_at timestamptz not null default now(),
  -- Retention of raw requests: see voronka.apply_retention (retention.sql).
  raw_retention interval default interval '400 days'
    constraint setting_raw_retention_sane check (raw_retention is null or raw_retention >= interval '30 days'),
  -- A typo here would silently shift every report by hours: reject names the tz database lacks.
  constraint setting_time_zone_known check (now() at time zone business_time_zone is not null)
);
comment on table voronka.setting is 'The single row of business settings every report uses.';
comment on column voronka.setting.business_time_zone is 'IANA zone whose calendar days are the business days (Asia/Almaty: UTC+6 until 2024-03-01, UTC+5 since).';
comment on column voronka.setting.reporting_currency is 'ISO 4217 code all money in reports is converted to (KZT).';
comment on column voronka.setting.facebook_sync_stale_after is 'funnel_report warns when the last successful Facebook sync is older than this.';
comment on column voronka.setting.raw_retention is 'How long processed raw requests (inbox.*) and finished Facebook sync runs are kept; voronka.apply_retention() deletes older ones daily. Default 400 days (more than 13 months); at least 30 days; null keeps everything. Pending/failed/rejected events and deal observations are never deleted.';
alter table voronka.setting enable row level security;
grant select, insert, update, delete on voronka.setting to service_role;

-- The business day: the one definition every number uses. Business day d runs from d 00:00 to
-- d+1 00:00 in the business zone. Converting local midnights to instants (never comparing dates
-- with UTC strings, the old system's bug) keeps a 23:30 sale on its own day, on both sides of
-- Almaty's 2024-03-01 change from UTC+6 to UTC+5. The two functions are the two directions of the
-- same rule: the day of an instant, and the instant a day starts.
create function analytics.business_day(p_at timestamptz)
returns date
language plpgsql
stable
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
begin
  return (
  select (p_at at time zone s.business_time_zone)::date from voronka.setting as s
  );
end
$$;
comment on function analytics.business_day(timestamptz) is 'The business day of an instant: its calendar date in voronka.setting.business_time_zone.';

create function analytics.business_day_start(p_day date)
returns timestamptz
language plpgsql
stable
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
begin
  return (
  select p_day::timestamp at time zone s.business_time_zone from voronka.setting as s
  );
end
$$;
comment on function analytics.business_day_start(date) is 'The instant business day p_day starts (00:00 in the business zone); day d ends where d + 1 starts.';
revoke execute on function analytics.business_day(timestamptz), analytics.business_day_start(date) from public;
grant execute on function analytics.business_day(timestamptz), analytics.business_day_start(date) to service_role;

-- The one definition of a plausible instant for a sale or a lead: not before 2000, not more than
-- a day ahead of now (clock skew). Anything else is a data error, never the latest sale.
-- One row, not a set: `(analytics.plausible_instants()).latest` is then an expression the planner
-- evaluates when it estimates a condition, so `won_at > (…).latest` is known to be rare and uses
-- the index.
create function analytics.plausible_instants(out earliest timestamptz, out latest timestamptz)
language sql
stable
set search_path = ''
as $$
  select '2000-01-01 00:00:00+00'::timestamptz as earliest, now() + interval '1 day' as latest
$$;

comment on function analytics.plausible_instants() is 'The range of plausible instants for sales and leads: from 2000-01-01 UTC to now() + 1 day. Outside it: the implausible_time check, and never freshness.last_sale_at / last_lead_at.';
revoke execute on function analytics.plausible_instants() from public;
grant execute on function analytics.plausible_instants() to service_role;
