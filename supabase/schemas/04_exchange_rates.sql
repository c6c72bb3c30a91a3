-- Exchange rates: money in another currency than the reporting one is converted with the rate of
-- its own business day. A missing rate is reported, never assumed.

create table voronka.exchange_rate (
  day date not null,
  currency char(3) not null check (currency ~ '^[A-Z]{3}$'),
  quote_currency char(3) not null check (quote_currency ~ '^[A-Z]{3}$'),
  rate numeric(20, 8) not null check (rate > 0),
  source text,
  primary key (day, currency, quote_currency),
  check (currency <> quote_currency)
);

comment on table voronka.exchange_rate is 'Daily rates: 1 unit of currency = rate units of quote_currency. Money in another currency than the reporting one is converted with the rate of its own day; a missing rate is reported, never assumed.';
alter table voronka.exchange_rate enable row level security;
grant select, insert, update, delete on voronka.exchange_rate to service_role;

-- The currency rule, defined once: an amount in p_currency on business day p_day is worth
-- amount × rate in the reporting currency — rate 1 for the reporting currency itself, that day's
-- rate otherwise, and null when the day has none (reports then show the money as unknown and say
-- which rates are missing; a neighbouring day's rate is never assumed). Callers sum amounts per
-- day and currency first and convert the sums: numeric arithmetic is exact, so that equals
-- converting every row, at a fraction of the calls.
create function analytics.reporting_rate(p_currency text, p_day date)
returns numeric
language sql
stable
set search_path = ''
as $$
  select case when p_currency = s.reporting_currency then 1
              else (select r.rate
                    from voronka.exchange_rate as r
                    where r.day = p_day and r.currency = p_currency and r.quote_currency = s.reporting_currency)
         end
  from voronka.setting as s
$$;
comment on function analytics.reporting_rate(text, date) is 'Units of the reporting currency per unit of p_currency on business day p_day: 1 for the reporting currency, voronka.exchange_rate otherwise, null when that day has no rate.';
revoke execute on function analytics.reporting_rate(text, date) from public;
grant execute on function analytics.reporting_rate(text, date) to service_role;
