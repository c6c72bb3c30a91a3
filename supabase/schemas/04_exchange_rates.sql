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
