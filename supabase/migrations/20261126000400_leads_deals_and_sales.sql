-- Leads, amoCRM deals and sales. Instants are timestamptz (the old system compared a
-- timestamp-without-time-zone column with a UTC date string and showed 0 sales); business days
-- are derived in SQL with the business time zone.

create table voronka.lead (
  id bigint generated always as identity primary key,
  source text not null check (source in ('proftest', 'amocrm')),
  external_id text not null,
  occurred_at timestamptz not null,
  utm_source text,
  utm_medium text,
  utm_campaign text,
  utm_content text,
  utm_term text,
  team_id text references voronka.team (id) on delete set null,
  amocrm_deal_id bigint,
  received_at timestamptz not null default now(),
  unique (source, external_id)
);
create index lead_occurred_at_idx on voronka.lead (occurred_at);
create index lead_team_id_idx on voronka.lead (team_id);
comment on table voronka.lead is 'A lead: a ProfTest landing submission or a new deal in a configured amoCRM lead pipeline. team_id is derived from the UTM tags (null = unattributed).';
comment on column voronka.lead.external_id is 'Id in the source system (amoCRM lead id, landing submission id), as received.';
comment on column voronka.lead.occurred_at is 'When the lead happened (instant).';

create table voronka.amocrm_deal (
  id bigint primary key,
  account_id bigint,
  name text,
  pipeline_id bigint,
  status_id bigint,
  price numeric(14, 2),
  currency char(3) not null default 'KZT' check (currency ~ '^[A-Z]{3}$'),
  responsible_user_id bigint,
  amo_created_at timestamptz,
  amo_updated_at timestamptz not null,
  won_at timestamptz,
  is_deleted boolean not null default false,
  utm_source text,
  utm_medium text,
  utm_campaign text,
  utm_content text,
  utm_term text,
  team_id text references voronka.team (id) on delete set null,
  custom_fields jsonb not null default '[]'::jsonb,
  needs_enrichment boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index amocrm_deal_team_id_idx on voronka.amocrm_deal (team_id);
create index amocrm_deal_needs_enrichment_idx on voronka.amocrm_deal (id) where needs_enrichment;
comment on table voronka.amocrm_deal is 'Latest known state of each amoCRM deal (amoCRM calls them leads). Updated only by events with a newer amoCRM modification time.';
comment on column voronka.amocrm_deal.id is 'amoCRM lead id.';
comment on column voronka.amocrm_deal.status_id is 'amoCRM status: 142 = won, 143 = lost, in every pipeline.';
comment on column voronka.amocrm_deal.amo_updated_at is 'amoCRM''s own modification time of the state stored here: the guard that keeps older events from overwriting newer state.';
comment on column voronka.amocrm_deal.won_at is 'When amoCRM moved the deal to 142 (won), for its latest win.';
comment on column voronka.amocrm_deal.needs_enrichment is 'The last event was a minimal payload; the deal must be read through the amoCRM API.';

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

-- Team attribution happens where the UTM tags are written, so every reader sees one answer.
create function voronka.set_team_from_utm()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.team_id := voronka.resolve_team(new.utm_source, new.utm_campaign);
  return new;
end
$$;

create trigger lead_set_team
before insert or update of utm_source, utm_campaign on voronka.lead
for each row execute function voronka.set_team_from_utm();

create trigger amocrm_deal_set_team
before insert or update of utm_source, utm_campaign on voronka.amocrm_deal
for each row execute function voronka.set_team_from_utm();

-- When the rules change, history follows: re-attribute every lead and deal.
create function voronka.reattribute_teams()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  update voronka.lead as l
     set team_id = voronka.resolve_team(l.utm_source, l.utm_campaign)
   where l.team_id is distinct from voronka.resolve_team(l.utm_source, l.utm_campaign);
  update voronka.amocrm_deal as d
     set team_id = voronka.resolve_team(d.utm_source, d.utm_campaign)
   where d.team_id is distinct from voronka.resolve_team(d.utm_source, d.utm_campaign);
  return null;
end
$$;

create trigger team_utm_rule_reattribute
after insert or update or delete on voronka.team_utm_rule
for each statement execute function voronka.reattribute_teams();

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

alter table voronka.lead enable row level security;
alter table voronka.amocrm_deal enable row level security;
alter table voronka.sale enable row level security;
alter table voronka.exchange_rate enable row level security;
grant select, insert, update, delete on voronka.lead, voronka.amocrm_deal, voronka.sale, voronka.exchange_rate to service_role;
revoke execute on function voronka.set_team_from_utm(), voronka.reattribute_teams() from public;
