-- amoCRM deals as we know them: the deal table (computed, see amocrm_deal_state.sql), every
-- snapshot observed of a deal (webhook or API read), where an account keeps its UTM tags, and the
-- reconciliation checkpoint. amoCRM calls deals "leads"; we keep "deal" for amoCRM's entity and
-- "lead" for the funnel stage (leads.sql).

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
  updated_at timestamptz not null default now(),
  state_effective_at timestamptz,
  state_observation_count integer not null default 0,
  data_issues jsonb not null default '[]'::jsonb,
  -- The Facebook objects the UTM tags name (voronka.resolve_ad), set where the tags are written.
  fb_campaign_id text,
  fb_adset_id text,
  fb_ad_id text,
  ad_match text check (ad_match in ('ad_id', 'ad_name', 'adset_id', 'adset_name', 'campaign_id', 'campaign_name')),
  -- The person of the deal's contacts (people.sql).
  person_id bigint,
  -- Kept by the sale triggers (sales.sql), so data health finds won deals without a product by an
  -- index instead of probing every won deal of a window for its sale.
  has_mapped_sale boolean not null default false
);

create index amocrm_deal_team_id_idx on voronka.amocrm_deal (team_id);
create index amocrm_deal_person_id_idx on voronka.amocrm_deal (person_id);
create index amocrm_deal_needs_enrichment_idx on voronka.amocrm_deal (id) where needs_enrichment;
-- Data health reads only the few deals each check is about (analytics.amocrm_health_checks):
-- won deals without a mapped sale by the instant they won, and deals with values set aside.
create index amocrm_deal_won_unmapped_idx on voronka.amocrm_deal ((coalesce(won_at, amo_updated_at)))
  where status_id = 142 and not is_deleted and not needs_enrichment and not has_mapped_sale;
create index amocrm_deal_data_issues_idx on voronka.amocrm_deal (id) where data_issues <> '[]'::jsonb;
comment on table voronka.amocrm_deal is 'Latest known state of each amoCRM deal (amoCRM calls them leads). Updated only by events with a newer amoCRM modification time.';
comment on column voronka.amocrm_deal.id is 'amoCRM lead id.';
comment on column voronka.amocrm_deal.fb_ad_id is 'Facebook ad the deal''s UTM tags name (null when none, or only an ad set or campaign); see voronka.resolve_ad.';
comment on column voronka.amocrm_deal.person_id is 'The person of the deal''s amoCRM contacts (voronka.person); a deal without known contacts is a person of its own.';
comment on column voronka.amocrm_deal.has_mapped_sale is 'The deal has a sale row that counts or was voided for a reason other than unmapped (lost, reopened, deleted). Kept by triggers on voronka.sale; recomputed by analytics.rebuild_funnel_analytics.';
comment on column voronka.amocrm_deal.ad_match is 'How the UTM tags were matched to a Facebook object: ad_id, ad_name, adset_id, adset_name, campaign_id, campaign_name; null = unmatched.';
comment on column voronka.amocrm_deal.status_id is 'amoCRM status: 142 = won, 143 = lost, in every pipeline.';
comment on column voronka.amocrm_deal.amo_updated_at is 'amoCRM''s own modification time of the latest observation (the receive time when amoCRM sent none). The guard is the observation order: see voronka.amocrm_deal_observation.';
comment on column voronka.amocrm_deal.won_at is 'When amoCRM moved the deal to 142 (won), for its current winning streak: the status change time of a status webhook, or the API''s closed_at.';
comment on column voronka.amocrm_deal.needs_enrichment is 'The deal must be read through the amoCRM API: an observation received after the last API read had no amoCRM time (delete, minimal payload), no price, or a value set aside (data_issues).';
comment on column voronka.amocrm_deal.state_effective_at is 'Effective time of the latest observation in replay order: amoCRM''s modification time, or the read time of an API read; for a deal seen only without amoCRM''s time, the receive time of the latest such body.';
comment on column voronka.amocrm_deal.state_observation_count is 'Distinct observations (webhook snapshots, API reads) the state is computed from.';
comment on column voronka.amocrm_deal.data_issues is 'Values set aside from the deal''s observations, as [{code, field, value}]: code unparseable_price (negative, thousands separators, exponents...), implausible_time (a unix time outside 2000-01-01 .. 2100-01-01). The field is treated as unknown; data_health counts these deals.';

create trigger amocrm_deal_set_team
before insert or update of utm_source, utm_campaign on voronka.amocrm_deal
for each row execute function voronka.set_team_from_utm();

alter table voronka.amocrm_deal enable row level security;
grant select, insert, update, delete on voronka.amocrm_deal to service_role;

-- Where an amoCRM deal keeps its UTM tags. amoCRM's own `tracking_data` fields (codes
-- UTM_SOURCE...) are always read; accounts that keep UTMs in hand-made fields ("Источник") or
-- only in a landing URL field map them here, as rows, not code. A mapping change followed by
-- `npm run amocrm:replay` re-attributes history.
create table voronka.amocrm_field_mapping (
  id bigint generated always as identity primary key,
  target text not null check (target in ('utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term', 'url')),
  field_id bigint,
  field_name text check (field_name <> ''),
  priority integer not null default 100,
  created_at timestamptz not null default now(),
  check (field_id is not null or field_name is not null)
);

comment on table voronka.amocrm_field_mapping is 'amoCRM custom fields that carry UTM tags for this account, by field id or name (case-insensitive). target ''url'' is a field holding a URL whose query string has the utm_* parameters. The tracking_data fields (codes UTM_SOURCE...) need no row and take precedence.';
comment on column voronka.amocrm_field_mapping.target is 'utm_source, utm_medium, utm_campaign, utm_content, utm_term, or url (a URL with utm_* query parameters).';
comment on column voronka.amocrm_field_mapping.field_id is 'amoCRM custom field id (ids differ per account). Matches when set.';
comment on column voronka.amocrm_field_mapping.field_name is 'amoCRM custom field name, matched case-insensitively when field_id is null or does not match.';
comment on column voronka.amocrm_field_mapping.priority is 'Among several mapped fields for one target, the lowest priority with a value wins.';
alter table voronka.amocrm_field_mapping enable row level security;
grant select, insert, update, delete on voronka.amocrm_field_mapping to service_role;

-- Observations. Every deal snapshot amoCRM sends (webhook) or we read
-- (API v4) is kept as an observation; a deal's state is recomputed from the set of its
-- observations: each field from the latest observation that carries it. A set does not care in
-- which order or how often its members arrive, so duplicated and shuffled deliveries reach the
-- same state as the ordered sequence, and an older event never overwrites a newer state.
create table voronka.amocrm_deal_observation (
  deal_id bigint not null,
  effective_at timestamptz not null,
  state_hash text not null,
  snapshot jsonb not null,
  status_id bigint,
  pipeline_id bigint,
  is_deleted boolean not null default false,
  status_since timestamptz,
  source text not null check (source in ('webhook', 'api')),
  inbox_event_id bigint references inbox.amocrm_webhook_event (id) on delete set null,
  recorded_at timestamptz not null default now(),
  has_amo_time boolean not null default true,
  -- The same snapshot at the same time is the same observation: repeats change nothing.
  primary key (deal_id, effective_at, state_hash)
);

create index amocrm_deal_observation_inbox_event_idx on voronka.amocrm_deal_observation (inbox_event_id);
comment on table voronka.amocrm_deal_observation is 'Every distinct snapshot of an amoCRM deal that was observed (webhook or API read). voronka.amocrm_deal is computed from these; ties at equal effective_at are broken by state_hash so every order gives one answer.';
comment on column voronka.amocrm_deal_observation.effective_at is 'When this snapshot was the deal''s state: amoCRM''s updated_at/last_modified, else the receive time (minimal and delete webhooks), or the read time for API reads.';
comment on column voronka.amocrm_deal_observation.state_hash is 'md5 of snapshot: identity of the observation, and the tie-break at equal effective_at.';
comment on column voronka.amocrm_deal_observation.snapshot is 'Normalized deal: id, account_id, name, pipeline_id, status_id, price (absent = unknown), responsible_user_id, created_at, amo_time, is_deleted, status_since, custom_fields ([{id,name,code,values}], absent = unknown), needs_enrichment.';
comment on column voronka.amocrm_deal_observation.status_since is 'When the deal entered status_id, if this observation says so (status webhook with old_status_id, or the API''s closed_at for 142/143).';
comment on column voronka.amocrm_deal_observation.has_amo_time is 'The snapshot carries amoCRM''s own modification time (or is an API read). Observations without it (deletes, minimal webhooks) rank below every one with it, whatever their receipt time.';
alter table voronka.amocrm_deal_observation enable row level security;
grant select, insert, update, delete on voronka.amocrm_deal_observation to service_role;

-- Reconciliation checkpoint: resumable paging through deals updated since the last run.
create table voronka.amocrm_sync_state (
  id boolean primary key default true check (id),
  updated_from timestamptz,
  last_started_at timestamptz,
  last_finished_at timestamptz,
  last_status text check (last_status in ('running', 'ok', 'error')),
  last_error text,
  last_pages integer,
  last_deals integer,
  updated_at timestamptz not null default now()
);

comment on table voronka.amocrm_sync_state is 'The single row of amoCRM reconciliation progress: checkpoint and outcome of the last run.';
comment on column voronka.amocrm_sync_state.updated_from is 'Checkpoint: the next run reads deals with updated_at >= this (the latest updated_at applied). Null: start 30 days back.';
comment on column voronka.amocrm_sync_state.last_error is 'Why the last run stopped (401/403 from amoCRM, network...). Data is untouched by a failed page.';
alter table voronka.amocrm_sync_state enable row level security;
grant select, insert, update, delete on voronka.amocrm_sync_state to service_role;
