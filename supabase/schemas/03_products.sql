-- Products of the funnel and how an amoCRM deal maps to one. Configuration rows, not code:
-- a new pipeline or a price band is an insert, not a deploy. The two products are data: the
-- baseline migration inserts them.
create table voronka.product (
  -- The funnel has exactly two purchase stages; the id is the stage.
  id text primary key check (id in ('express', 'flagman')),
  name text not null,
  list_price numeric(14, 2) not null check (list_price >= 0),
  currency char(3) not null default 'KZT' check (currency ~ '^[A-Z]{3}$')
);

comment on table voronka.product is 'The two products of the funnel: express (Express Course, entry, ~5,000 KZT) and flagman (Integrator Flagman, flagship, ~490,000 KZT).';
comment on column voronka.product.list_price is 'Nominal price, for reference; revenue always comes from the deal''s own price.';


create table voronka.product_rule (
  id bigint generated always as identity primary key,
  product_id text not null references voronka.product (id),
  amocrm_pipeline_id bigint not null,
  min_price numeric(14, 2),
  max_price numeric(14, 2),
  priority integer not null default 100,
  created_at timestamptz not null default now(),
  check (min_price is null or max_price is null or min_price <= max_price)
);

create index product_rule_product_id_idx on voronka.product_rule (product_id);
create index product_rule_pipeline_idx on voronka.product_rule (amocrm_pipeline_id);
comment on table voronka.product_rule is 'Maps a won amoCRM deal to a product by its pipeline and, optionally, a price band (inclusive). The matching rule with the lowest priority wins.';

create table voronka.amocrm_lead_pipeline (
  pipeline_id bigint primary key,
  name text,
  created_at timestamptz not null default now()
);

comment on table voronka.amocrm_lead_pipeline is 'amoCRM pipelines whose new deals count as leads (the funnel''s second stage).';

create function voronka.resolve_product(p_pipeline_id bigint, p_price numeric)
returns text
language plpgsql
stable
set search_path = ''
as $$
begin
  return (select r.product_id
  from voronka.product_rule as r
  where r.amocrm_pipeline_id = p_pipeline_id
    and (r.min_price is null or p_price >= r.min_price)
    and (r.max_price is null or p_price <= r.max_price)
  order by r.priority, r.id
  limit 1
  );
end
$$;

comment on function voronka.resolve_product(bigint, numeric) is 'Product of a won deal in a pipeline at a price, or null when the deal is not a product sale.';
alter table voronka.product enable row level security;
alter table voronka.product_rule enable row level security;
alter table voronka.amocrm_lead_pipeline enable row level security;
grant select, insert, update, delete on voronka.product, voronka.product_rule, voronka.amocrm_lead_pipeline to service_role;
revoke execute on function voronka.resolve_product(bigint, numeric) from public;
grant execute on function voronka.resolve_product(bigint, numeric) to service_role;
