-- Facebook Ads: business managers, ad accounts and ad-level daily insights, as the sync reads
-- them from the Graph API, and the record of each sync run. Ids are kept as the digit strings
-- Facebook sends. The sync's write path is facebook_sync.sql.

create table voronka.fb_business (
  id text primary key check (id ~ '^[0-9]+$'),
  name text not null,
  first_seen_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now()
);

comment on table voronka.fb_business is 'A Facebook Business Manager the sync token can see.';
alter table voronka.fb_business enable row level security;
grant select, insert, update, delete on voronka.fb_business to service_role;

create table voronka.fb_ad_account (
  -- The digits of act_<digits>: the same id insights rows and usage headers carry.
  id text primary key check (id ~ '^[0-9]+$'),
  business_id text references voronka.fb_business (id),
  name text not null,
  currency char(3) not null check (currency ~ '^[A-Z]{3}$'),
  timezone_name text not null,
  account_status integer not null default 1,
  is_visible boolean not null default true,
  team_id text references voronka.team (id) on delete set null,
  insights_synced_until date,
  last_synced_at timestamptz,
  first_seen_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  insights_resume_from date,
  throttled_until timestamptz,
  last_sync_error text
);

create index fb_ad_account_business_id_idx on voronka.fb_ad_account (business_id);
create index fb_ad_account_team_id_idx on voronka.fb_ad_account (team_id);
comment on table voronka.fb_ad_account is 'A Facebook ad account. Its spend belongs to the team that owns it (team_id; null = unattributed).';
comment on column voronka.fb_ad_account.currency is 'Currency of the account''s spend (ISO 4217).';
comment on column voronka.fb_ad_account.timezone_name is 'IANA zone of the account: its insights days are calendar days in this zone, not in the business zone.';
comment on column voronka.fb_ad_account.account_status is 'Graph account_status: 1 active, 2 disabled, 3 unsettled, 7 pending risk review, 9 grace period, 100 pending closure, 101 closed.';
comment on column voronka.fb_ad_account.is_visible is 'False once the token no longer sees the account; it is kept, never deleted, and no longer synced.';
comment on column voronka.fb_ad_account.insights_synced_until is 'Checkpoint: last account-local day whose insights were read completely.';
comment on column voronka.fb_ad_account.insights_resume_from is 'First account-local day still to read when a run stopped mid-range (budget or throttling); the next run resumes here instead of re-reading the lookback. Null when the last range completed.';
comment on column voronka.fb_ad_account.throttled_until is 'Graph throttled this account (estimated_time_to_regain_access): runs skip it until then.';
comment on column voronka.fb_ad_account.last_sync_error is 'Why the last sync of this account did not complete (null when it did). Never contains the access token.';
comment on column voronka.fb_ad_account.last_synced_at is 'When a sync last read this account''s insights up to its local today.';
comment on column voronka.fb_ad_account.team_id is 'Team that owns the account''s spend (null = unattributed). Set with public.assign_facebook_ad_account.';
alter table voronka.fb_ad_account enable row level security;
grant select, insert, update, delete on voronka.fb_ad_account to service_role;

create table voronka.fb_ad_insight (
  ad_id text not null check (ad_id ~ '^[0-9]+$'),
  date_start date not null,
  ad_account_id text not null references voronka.fb_ad_account (id),
  ad_name text,
  adset_id text,
  adset_name text,
  campaign_id text,
  campaign_name text,
  currency char(3) not null check (currency ~ '^[A-Z]{3}$'),
  spend numeric(16, 2) not null default 0 check (spend >= 0),
  impressions bigint not null default 0 check (impressions >= 0),
  clicks bigint not null default 0 check (clicks >= 0),
  inline_link_clicks bigint,
  synced_at timestamptz not null default now(),
  primary key (ad_id, date_start)
);

-- spend included: "does this account have spend in the window" (analytics.spend_data_accounts, on
-- every report) is answered from the index alone.
create index fb_ad_insight_account_day_idx on voronka.fb_ad_insight (ad_account_id, date_start) include (spend);
create index fb_ad_insight_day_idx on voronka.fb_ad_insight (date_start);
comment on table voronka.fb_ad_insight is 'Ad-level daily Facebook insights. One row per ad and account-local day; re-reads overwrite it.';
comment on column voronka.fb_ad_insight.date_start is 'Calendar day in the ad account''s time zone (not the business zone).';
comment on column voronka.fb_ad_insight.spend is 'Spend in the account currency (major units), parsed exactly from Graph''s decimal string.';
comment on column voronka.fb_ad_insight.currency is 'Currency of spend: the account currency when the row was read.';
comment on column voronka.fb_ad_insight.synced_at is 'When the row was last inserted or changed by the sync (re-reads with identical numbers do not touch it).';
alter table voronka.fb_ad_insight enable row level security;
grant select, insert, update, delete on voronka.fb_ad_insight to service_role;

create table voronka.fb_sync_run (
  id bigint generated always as identity primary key,
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  status text not null default 'running' check (status in ('running', 'succeeded', 'partial', 'failed')),
  accounts_total integer not null default 0,
  accounts_done integer not null default 0,
  rows_upserted bigint not null default 0,
  requests integer not null default 0,
  errors jsonb not null default '[]'::jsonb,
  message text,
  trigger text not null default 'http',
  accounts_throttled integer not null default 0,
  accounts_failed integer not null default 0,
  rows_read bigint not null default 0,
  accounts jsonb not null default '[]'::jsonb
);

create index fb_sync_run_started_at_idx on voronka.fb_sync_run (started_at desc);
create index fb_sync_run_finished_at_idx on voronka.fb_sync_run (finished_at desc) where status in ('succeeded', 'partial');
comment on table voronka.fb_sync_run is 'One Facebook sync run: when, outcome, how much it did and what went wrong. partial = some accounts were throttled or out of budget and resume next run.';
comment on column voronka.fb_sync_run.trigger is 'Who started the run: http (the function), cli (npm run sync:facebook), bench.';
comment on column voronka.fb_sync_run.accounts_done is 'Accounts whose insights were read up to their local today in this run.';
comment on column voronka.fb_sync_run.accounts_throttled is 'Accounts stopped by Graph throttling (they resume on a later run).';
comment on column voronka.fb_sync_run.accounts_failed is 'Accounts stopped by an error other than throttling or the time budget.';
comment on column voronka.fb_sync_run.rows_read is 'Insights rows received from Graph.';
comment on column voronka.fb_sync_run.rows_upserted is 'Insights rows inserted or changed (re-reads of unchanged rows are not counted).';
comment on column voronka.fb_sync_run.requests is 'Graph requests made, retries included.';
comment on column voronka.fb_sync_run.errors is 'Array of {account_id?, kind, code?, message}. Never contains the access token or paging URLs.';
comment on column voronka.fb_sync_run.accounts is 'Per-account outcome: [{account_id, name, outcome, since, until, rows_read, rows_upserted, requests}].';
alter table voronka.fb_sync_run enable row level security;
grant select, insert, update, delete on voronka.fb_sync_run to service_role;
