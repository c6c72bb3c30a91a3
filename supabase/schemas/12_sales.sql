-- Sales: one per won amoCRM deal that maps to a product (voronka.resolve_product), kept for audit
-- when voided. Written only by the deal-state fold (amocrm_deal_state.sql).

create table voronka.sale (
  deal_id bigint primary key references voronka.amocrm_deal (id),
  product_id text not null references voronka.product (id),
  amount numeric(14, 2) not null check (amount >= 0),
  currency char(3) not null default 'KZT' check (currency ~ '^[A-Z]{3}$'),
  won_at timestamptz not null,
  voided_at timestamptz,
  void_reason text check (void_reason in ('lost', 'reopened', 'deleted', 'unmapped')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check ((voided_at is null) = (void_reason is null))
);

create index sale_won_at_idx on voronka.sale (won_at);
create index sale_product_id_idx on voronka.sale (product_id);
comment on table voronka.sale is 'A product sale: one per won amoCRM deal. Kept for audit when voided (lost, reopened, deleted); only rows with voided_at null count. The team is the deal''s.';
comment on column voronka.sale.amount is 'Sale amount: the deal''s price, in currency.';
comment on column voronka.sale.won_at is 'Instant amoCRM moved the deal to won; its business-local day is the sale''s day.';
alter table voronka.sale enable row level security;
grant select, insert, update, delete on voronka.sale to service_role;
