-- Calls, their recordings, and the outbox of jobs committed but not yet pushed to Redis.

CREATE TABLE calls (
    id               uuid        PRIMARY KEY,
    caller           text        NOT NULL,
    receiver         text        NOT NULL,
    -- Digits only, for search: '+7 (900) 123-45-67' is stored as '79001234567'.
    caller_digits    text        NOT NULL,
    receiver_digits  text        NOT NULL,
    started_at       timestamptz NOT NULL,
    status           text        NOT NULL DEFAULT 'created'
                                 CHECK (status IN ('created', 'processing', 'ready', 'failed')),
    tags             text[]      NOT NULL DEFAULT '{}',
    error            text,
    -- How many times a worker has claimed the call's analysis job.
    attempts         integer     NOT NULL DEFAULT 0,
    -- Fencing token: every claim increments it, and a result is committed only with the current token.
    lease_token      bigint      NOT NULL DEFAULT 0,
    lease_owner      text,
    lease_expires_at timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);

-- GET /calls: newest first, keyset-friendly.
CREATE INDEX calls_started_at_idx ON calls (started_at DESC, id DESC);
-- Work that may need to be (re)queued: calls not yet finished.
CREATE INDEX calls_unfinished_idx ON calls (lease_expires_at) WHERE status IN ('created', 'processing');

CREATE TABLE recordings (
    id             uuid        PRIMARY KEY,
    call_id        uuid        NOT NULL UNIQUE REFERENCES calls (id) ON DELETE CASCADE,
    -- The client's file name, for display only; never part of a path.
    filename       text        NOT NULL,
    storage_key    text        NOT NULL UNIQUE,
    format         text        NOT NULL,
    size_bytes     bigint      NOT NULL CHECK (size_bytes >= 0),
    sha256         text        NOT NULL,
    sample_rate    integer     NOT NULL,
    channels       integer     NOT NULL,
    frame_count    bigint,
    duration_ms    bigint,
    silence_marks  jsonb,
    transcription  text,
    analysis       jsonb,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE outbox (
    id          bigserial   PRIMARY KEY,
    call_id     uuid        NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
    payload     text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX outbox_created_at_idx ON outbox (created_at);
