-- Ingestion that stays right under bad input: the lead-capture receiver now stores the raw
-- request in its own statement before processing it, so a request is never lost with a failed
-- processing step; bodies Postgres could not hold as text are stored with replacements. Only
-- documentation changes here: the columns already hold what the receiver now writes.

comment on column inbox.lead_capture_event.body is 'Request body as received (JSON or form-encoded), stored before any processing; NUL characters (U+0000), which text cannot hold, are replaced by U+FFFD, as are invalid UTF-8 bytes. Holds the contact data the lead table does not.';
comment on column inbox.lead_capture_event.status is 'pending (stored; processing not finished: see error), processed (a lead), rejected (invalid: error says why, the sender got 400).';
comment on column inbox.lead_capture_event.error is 'Validation issues when rejected: [{path, message}] (NUL, invalid Unicode, implausible occurred_at, nesting deeper than 32 levels...). On a pending event: the correlation id of the internal error that stopped its processing.';
