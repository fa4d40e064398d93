-- The MP3 archive of each analysed recording, made by its own job after the analysis. Its lease columns
-- work like the call's: every claim increments lease_token, and only the current token may commit.

CREATE TABLE recording_archives (
    recording_id     uuid        PRIMARY KEY REFERENCES recordings (id) ON DELETE CASCADE,
    call_id          uuid        NOT NULL UNIQUE REFERENCES calls (id) ON DELETE CASCADE,
    status           text        NOT NULL DEFAULT 'pending'
                                 CHECK (status IN ('pending', 'archiving', 'done', 'failed')),
    storage_key      text        UNIQUE,
    format           text,
    bitrate_kbps     integer,
    bitrate_mode     text,
    size_bytes       bigint      CHECK (size_bytes >= 0),
    sha256           text,
    error            text,
    attempts         integer     NOT NULL DEFAULT 0,
    lease_token      bigint      NOT NULL DEFAULT 0,
    lease_owner      text,
    lease_expires_at timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CHECK (status <> 'done' OR (storage_key IS NOT NULL AND size_bytes IS NOT NULL AND sha256 IS NOT NULL))
);

-- The reconciler's question: which archives are due but held by no live worker.
CREATE INDEX recording_archives_unfinished_idx ON recording_archives (updated_at)
    WHERE status IN ('pending', 'archiving');

-- False once the uploaded original was removed in favour of its archive (CALLS_KEEP_ORIGINAL=false).
ALTER TABLE recordings ADD COLUMN original_kept boolean NOT NULL DEFAULT true;
