-- Stale-day bookkeeping runs on every write to the fact tables, and amoCRM bulk webhooks write
-- one deal at a time: replace the generic trigger (dynamic SQL, planned on every statement) by
-- one function per table with static SQL, whose plans PL/pgSQL caches.

create function analytics.mark_stale_instant_days()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  v_tz text := (select s.business_time_zone from voronka.setting as s);
begin
  -- tg_argv[0] names the instant column: lead.occurred_at or sale.won_at.
  if tg_op in ('INSERT', 'UPDATE') then
    if tg_argv[0] = 'occurred_at' then
      insert into analytics.stale_day (day, xact_id)
      select distinct (n.occurred_at at time zone v_tz)::date, pg_current_xact_id() from new_rows as n
      on conflict do nothing;
    else
      insert into analytics.stale_day (day, xact_id)
      select distinct (n.won_at at time zone v_tz)::date, pg_current_xact_id() from new_rows as n
      on conflict do nothing;
    end if;
  end if;
  if tg_op in ('UPDATE', 'DELETE') then
    if tg_argv[0] = 'occurred_at' then
      insert into analytics.stale_day (day, xact_id)
      select distinct (o.occurred_at at time zone v_tz)::date, pg_current_xact_id() from old_rows as o
      on conflict do nothing;
    else
      insert into analytics.stale_day (day, xact_id)
      select distinct (o.won_at at time zone v_tz)::date, pg_current_xact_id() from old_rows as o
      on conflict do nothing;
    end if;
  end if;
  return null;
end
$$;
comment on function analytics.mark_stale_instant_days() is 'Statement trigger: records the business days of the leads (occurred_at) or sales (won_at) a statement wrote.';

create function analytics.mark_stale_insight_days()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op in ('INSERT', 'UPDATE') then
    insert into analytics.stale_day (day, xact_id)
    select distinct n.date_start, pg_current_xact_id() from new_rows as n
    on conflict do nothing;
  end if;
  if tg_op in ('UPDATE', 'DELETE') then
    insert into analytics.stale_day (day, xact_id)
    select distinct o.date_start, pg_current_xact_id() from old_rows as o
    on conflict do nothing;
  end if;
  return null;
end
$$;
comment on function analytics.mark_stale_insight_days() is 'Statement trigger: records the days of the Facebook insights a statement wrote.';

create function analytics.mark_stale_rate_days()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op in ('INSERT', 'UPDATE') then
    insert into analytics.stale_day (day, xact_id)
    select distinct n.day, pg_current_xact_id() from new_rows as n
    on conflict do nothing;
  end if;
  if tg_op in ('UPDATE', 'DELETE') then
    insert into analytics.stale_day (day, xact_id)
    select distinct o.day, pg_current_xact_id() from old_rows as o
    on conflict do nothing;
  end if;
  return null;
end
$$;
comment on function analytics.mark_stale_rate_days() is 'Statement trigger: records the days of the exchange rates a statement wrote.';

drop trigger fb_ad_insight_stale_on_insert on voronka.fb_ad_insight;
drop trigger fb_ad_insight_stale_on_update on voronka.fb_ad_insight;
drop trigger fb_ad_insight_stale_on_delete on voronka.fb_ad_insight;
drop trigger lead_stale_on_insert on voronka.lead;
drop trigger lead_stale_on_update on voronka.lead;
drop trigger lead_stale_on_delete on voronka.lead;
drop trigger sale_stale_on_insert on voronka.sale;
drop trigger sale_stale_on_update on voronka.sale;
drop trigger sale_stale_on_delete on voronka.sale;
drop trigger exchange_rate_stale_on_insert on voronka.exchange_rate;
drop trigger exchange_rate_stale_on_update on voronka.exchange_rate;
drop trigger exchange_rate_stale_on_delete on voronka.exchange_rate;
drop function analytics.mark_stale_days();

create trigger fb_ad_insight_stale_on_insert after insert on voronka.fb_ad_insight
  referencing new table as new_rows for each statement execute function analytics.mark_stale_insight_days();
create trigger fb_ad_insight_stale_on_update after update on voronka.fb_ad_insight
  referencing new table as new_rows old table as old_rows for each statement execute function analytics.mark_stale_insight_days();
create trigger fb_ad_insight_stale_on_delete after delete on voronka.fb_ad_insight
  referencing old table as old_rows for each statement execute function analytics.mark_stale_insight_days();

create trigger lead_stale_on_insert after insert on voronka.lead
  referencing new table as new_rows for each statement execute function analytics.mark_stale_instant_days('occurred_at');
create trigger lead_stale_on_update after update on voronka.lead
  referencing new table as new_rows old table as old_rows for each statement execute function analytics.mark_stale_instant_days('occurred_at');
create trigger lead_stale_on_delete after delete on voronka.lead
  referencing old table as old_rows for each statement execute function analytics.mark_stale_instant_days('occurred_at');

create trigger sale_stale_on_insert after insert on voronka.sale
  referencing new table as new_rows for each statement execute function analytics.mark_stale_instant_days('won_at');
create trigger sale_stale_on_update after update on voronka.sale
  referencing new table as new_rows old table as old_rows for each statement execute function analytics.mark_stale_instant_days('won_at');
create trigger sale_stale_on_delete after delete on voronka.sale
  referencing old table as old_rows for each statement execute function analytics.mark_stale_instant_days('won_at');

create trigger exchange_rate_stale_on_insert after insert on voronka.exchange_rate
  referencing new table as new_rows for each statement execute function analytics.mark_stale_rate_days();
create trigger exchange_rate_stale_on_update after update on voronka.exchange_rate
  referencing new table as new_rows old table as old_rows for each statement execute function analytics.mark_stale_rate_days();
create trigger exchange_rate_stale_on_delete after delete on voronka.exchange_rate
  referencing old table as old_rows for each statement execute function analytics.mark_stale_rate_days();

revoke execute on function analytics.mark_stale_instant_days(), analytics.mark_stale_insight_days(),
  analytics.mark_stale_rate_days() from public;
