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

-- voronka.amocrm_deal.has_mapped_sale follows the deal's sale row: true while it counts or was
-- voided for another reason than unmapped. Data health's won_deal_without_product reads only the
-- won deals without one (an index on that flag) instead of probing every won deal of its window.
-- One statement per sale statement, and only when a flag changes: the deal's own statement
-- triggers fire once per statement, even of no rows.
create function voronka.set_deal_sale_flags()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  v_deal_ids bigint[] := '{}';
  v_set bigint[];
  v_clear bigint[];
begin
  if tg_op in ('INSERT', 'UPDATE') then
    v_deal_ids := v_deal_ids || array(select n.deal_id from new_rows as n);
  end if;
  if tg_op in ('UPDATE', 'DELETE') then
    v_deal_ids := v_deal_ids || array(select o.deal_id from old_rows as o);
  end if;

  with flags as (
    select d.id, d.has_mapped_sale as flagged,
           exists (select 1 from voronka.sale as s
                   where s.deal_id = d.id and (s.voided_at is null or s.void_reason <> 'unmapped')) as has_mapped_sale
    from voronka.amocrm_deal as d
    where d.id = any (v_deal_ids)
  )

  select array_agg(f.id) filter (where f.has_mapped_sale and not f.flagged),
         array_agg(f.id) filter (where f.flagged and not f.has_mapped_sale)
    into v_set, v_clear
  from flags as f;

  if v_set is not null then
    update voronka.amocrm_deal as d set has_mapped_sale = true where d.id = any (v_set);
  end if;
  if v_clear is not null then
    update voronka.amocrm_deal as d set has_mapped_sale = false where d.id = any (v_clear);
  end if;
  return null;
end
$$;

comment on function voronka.set_deal_sale_flags() is 'Statement trigger on voronka.sale: sets amocrm_deal.has_mapped_sale of the deals whose sale rows the statement wrote.';

-- A truncate leaves no sale.
create function voronka.clear_deal_sale_flags()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  update voronka.amocrm_deal as d set has_mapped_sale = false where d.has_mapped_sale;
  return null;
end
$$;

comment on function voronka.clear_deal_sale_flags() is 'Truncate trigger on voronka.sale: no deal has a sale any more.';

create trigger sale_deal_flag_on_insert after insert on voronka.sale
  referencing new table as new_rows for each statement execute function voronka.set_deal_sale_flags();

create trigger sale_deal_flag_on_update after update on voronka.sale
  referencing new table as new_rows old table as old_rows for each statement execute function voronka.set_deal_sale_flags();

create trigger sale_deal_flag_on_delete after delete on voronka.sale
  referencing old table as old_rows for each statement execute function voronka.set_deal_sale_flags();

create trigger sale_deal_flag_on_truncate after truncate on voronka.sale
  for each statement execute function voronka.clear_deal_sale_flags();

revoke execute on function voronka.set_deal_sale_flags(), voronka.clear_deal_sale_flags() from public;
