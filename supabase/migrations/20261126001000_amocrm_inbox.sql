-- Raw inbox of amoCRM webhooks: every authenticated request is stored verbatim before anything
-- else happens, so a processing bug or a missing mapping never loses data (replay re-processes
-- stored events: `npm run amocrm:replay`).

create schema if not exists inbox;
comment on schema inbox is 'Raw requests as received (webhooks, captures), stored before processing. Not exposed through the Data API.';
revoke all on schema inbox from public;
grant usage on schema inbox to service_role;

create table inbox.amocrm_webhook_event (
  id bigint generated always as identity primary key,
  received_at timestamptz not null default now(),
  last_received_at timestamptz not null default now(),
  deliveries integer not null default 1 check (deliveries >= 1),
  content_type text,
  request_id text,
  user_agent text,
  body text not null,
  body_sha256 bytea not null,
  payload jsonb,
  account_id bigint,
  account_subdomain text,
  status text not null default 'pending' check (status in ('pending', 'processed', 'ignored', 'failed')),
  error text,
  deals_applied integer not null default 0,
  processed_at timestamptz,
  process_count integer not null default 0,
  -- Identical bytes are the same delivery (amoCRM retries resend the body; its request id is
  -- not documented as stable): stored once, counted in `deliveries`, processed again (idempotent).
  unique (body_sha256)
);
create index amocrm_webhook_event_status_idx on inbox.amocrm_webhook_event (status) where status in ('pending', 'failed');
create index amocrm_webhook_event_received_at_idx on inbox.amocrm_webhook_event (received_at);
comment on table inbox.amocrm_webhook_event is 'Every authenticated amoCRM webhook request, verbatim, with the outcome of its processing. Kept for audit and replay.';
comment on column inbox.amocrm_webhook_event.received_at is 'First delivery of this body.';
comment on column inbox.amocrm_webhook_event.last_received_at is 'Latest delivery of this body (retries, duplicates).';
comment on column inbox.amocrm_webhook_event.deliveries is 'How many times this exact body was delivered.';
comment on column inbox.amocrm_webhook_event.content_type is 'Content-Type header as received.';
comment on column inbox.amocrm_webhook_event.request_id is 'X-Amocrm-Requestid header (newer deliveries only).';
comment on column inbox.amocrm_webhook_event.user_agent is 'User-Agent header (informational, not a control).';
comment on column inbox.amocrm_webhook_event.body is 'The form-encoded body exactly as received (NUL bytes, which text cannot hold, replaced by U+FFFD).';
comment on column inbox.amocrm_webhook_event.body_sha256 is 'SHA-256 of body: identical bodies are one event.';
comment on column inbox.amocrm_webhook_event.payload is 'The body parsed by the receiver''s bracket walker (PHP-style keys to nested JSON; index-only objects become arrays). Null when it could not be parsed.';
comment on column inbox.amocrm_webhook_event.status is 'pending (stored, not yet processed), processed, ignored (no deals in it: contacts, tasks, talks...), failed (stored unprocessed: see error).';
comment on column inbox.amocrm_webhook_event.error is 'Why the event could not be processed (parse error, unknown shape, SQL error).';
comment on column inbox.amocrm_webhook_event.deals_applied is 'Deal snapshots the last processing applied.';
comment on column inbox.amocrm_webhook_event.process_count is 'How many times the event was processed (deliveries and replays).';

alter table inbox.amocrm_webhook_event enable row level security;
grant select, insert, update, delete on inbox.amocrm_webhook_event to service_role;
