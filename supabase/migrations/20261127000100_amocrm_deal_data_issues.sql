-- Values amoCRM sent that could not be taken as they are (a price like "-5000", "5,000" or "1e4",
-- a timestamp in the year 5138) are not guessed: the field is treated as unknown and the reason
-- is kept on the deal, so data health can count and name them.
alter table voronka.amocrm_deal
  add column data_issues jsonb not null default '[]'::jsonb;
comment on column voronka.amocrm_deal.data_issues is 'Values set aside from the deal''s observations, as [{code, field, value}]: code unparseable_price (negative, thousands separators, exponents...), implausible_time (a unix time outside 2000-01-01 .. 2100-01-01). The field is treated as unknown; data_health counts these deals.';
