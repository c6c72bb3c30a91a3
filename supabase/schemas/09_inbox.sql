-- Raw requests exactly as received, stored before anything else happens, so a processing bug or
-- a missing mapping never loses data: ProfTest landing captures and amoCRM webhooks. Processing
-- lives with the domain it writes (leads.sql, amocrm_webhooks.sql); replays re-process stored
-- events (`npm run amocrm:replay`).

create table inbox.lead_capture_event (
  id bigint generated always as identity primary key,
  received_at timestamptz not null default now(),
  content_type text,
  user_agent text,
  body text not null,
  status text not null default 'pending' check (status in ('pending', 'processed', 'rejected')),
  error jsonb,
  lead_id bigint references voronka.lead (id) on delete set null,
  processed_at timestamptz
);

create index lead_capture_event_lead_id_idx on inbox.lead_capture_event (lead_id);
create index lead_capture_event_received_at_idx on inbox.lead_capture_event (received_at);
comment on table inbox.lead_capture_event is 'Every authenticated lead-capture request, verbatim, with its outcome: processed (a lead), or rejected (invalid; error says why, the sender got 400).';

-- The receiver stores the raw request in its own statement before processing it, so a request
-- is never lost with a failed processing step; bodies Postgres could not hold as text are stored
-- with replacements.
comment on column inbox.lead_capture_event.body is 'Request body as received (JSON or form-encoded), stored before any processing; NUL characters (U+0000), which text cannot hold, are replaced by U+FFFD, as are invalid UTF-8 bytes. Holds the contact data the lead table does not.';
comment on column inbox.lead_capture_event.error is 'Validation issues when rejected: [{path, message}] (NUL, invalid Unicode, implausible occurred_at, nesting deeper than 32 levels...). On a pending event: the correlation id of the internal error that stopped its processing.';
comment on column inbox.lead_capture_event.status is 'pending (stored; processing not finished: see error), processed (a lead), rejected (invalid: error says why, the sender got 400).';
alter table inbox.lead_capture_event enable row level security;
grant select, insert, update on inbox.lead_capture_event to service_role;

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

