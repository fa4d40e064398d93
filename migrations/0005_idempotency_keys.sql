-- Idempotency-Key of POST /calls: a key names one call, with a fingerprint of the request that made it. The
-- key lives as long as its call (deleting the call frees it).
CREATE TABLE idempotency_keys (
    key         text        PRIMARY KEY,
    fingerprint text        NOT NULL,
    call_id     uuid        NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- For the cascade when a call is deleted.
CREATE INDEX idempotency_keys_call_id_idx ON idempotency_keys (call_id);
