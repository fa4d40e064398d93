-- Exporting CDRs to the consumers of CALLS_CDR_EXPORTS (issue 17, item 4).

-- Per consumer: every CDR version with change_seq up to here has its delivery scheduled. Rows appear when a
-- worker with the `exports` role first sees the consumer configured: a new consumer starts from 0.
CREATE TABLE cdr_export_cursors (
    consumer   text        PRIMARY KEY,
    change_seq bigint      NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- One POST (and its retries, and the parts a rejected batch is split into) to one consumer. Its id is the
-- `Idempotency-Key` and the export job's payload. The records are kept as sent, so every retry sends the
-- same body under the same key even when a CDR was rebuilt meanwhile.
--   queued: its job must exist (the exports role pushes it again when Redis lost it);
--   done:   every record was settled (sent, rejected, or taken over by a newer version);
--   dead:   given up after CALLS_MAX_ATTEMPTS; its records are `failed` until an operator retries them.
CREATE TABLE cdr_export_batches (
    id               uuid        PRIMARY KEY,
    consumer         text        NOT NULL,
    status           text        NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'done', 'dead')),
    -- Failed attempts (a retryable failure spends one).
    attempts         integer     NOT NULL DEFAULT 0,
    error            text,
    lease_token      bigint      NOT NULL DEFAULT 0,
    lease_owner      text,
    lease_expires_at timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
-- One batch of a consumer in flight at a time (versions reach a consumer in order, and a consumer that is
-- down holds up only its own records); and the reconciler's question.
CREATE UNIQUE INDEX cdr_export_batches_one_queued_idx ON cdr_export_batches (consumer) WHERE status = 'queued';

CREATE TABLE cdr_export_items (
    batch_id uuid    NOT NULL REFERENCES cdr_export_batches (id) ON DELETE CASCADE,
    -- Order in the body; a split's parts are ranges of it, so their derived keys are stable across retries.
    position integer NOT NULL,
    cdr_id   bigint  NOT NULL,
    version  integer NOT NULL,
    -- The consumer record as sent (JSON).
    record   text    NOT NULL,
    PRIMARY KEY (batch_id, position)
);

-- The delivery state of every CDR per consumer: the version owed (or sent), and what became of it.
CREATE TABLE cdr_deliveries (
    cdr_id       bigint      NOT NULL REFERENCES cdrs (id) ON DELETE CASCADE,
    consumer     text        NOT NULL,
    status       text        NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    version      integer     NOT NULL,
    -- The batch carrying this version; null while it waits for one. A newer version detaches it, so the
    -- batch in flight can no longer mark it sent.
    batch_id     uuid        REFERENCES cdr_export_batches (id) ON DELETE SET NULL,
    attempts     integer     NOT NULL DEFAULT 0,
    error        text,
    sent_at      timestamptz,
    sent_version integer,
    pending_since timestamptz,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (cdr_id, consumer)
);
CREATE INDEX cdr_deliveries_waiting_idx ON cdr_deliveries (consumer, cdr_id) WHERE status = 'pending' AND batch_id IS NULL;
CREATE INDEX cdr_deliveries_batch_idx ON cdr_deliveries (batch_id) WHERE batch_id IS NOT NULL;
CREATE INDEX cdr_deliveries_consumer_status_idx ON cdr_deliveries (consumer, status);
