-- Call detail records (issue 17): one per finished call, rebuilt as a new version when its inputs change.

-- Calls whose CDR inputs changed since their CDR was last built (or that have none yet). Triggers fill it, so
-- no writer can forget to; the CDR builder takes rows from it, and removes a row only if `changed_at` is what
-- it read (a change made while it built stays queued).
--   kind 'import': a call from a source; call_key is its id at the source (calls.external_id as text).
--   kind 'queue':  a call seen in the telephony queue events; call_key is the PBX's call id.
CREATE TABLE cdr_pending (
    kind       text        NOT NULL CHECK (kind IN ('import', 'queue')),
    source     text        NOT NULL,
    call_key   text        NOT NULL,
    changed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    -- When the call was first queued (kept on later changes): a finished call missing inputs waits
    -- CALLS_CDR_GRACE_SECONDS from here, not from its end time, so a backfill of old calls still waits for
    -- its legs and operator instead of being built incomplete at once.
    first_seen_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    -- The builder looks at the row again from here on (it postpones a call that must wait); a change makes
    -- the row due at once.
    due_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (kind, source, call_key)
);
CREATE INDEX cdr_pending_due_at_idx ON cdr_pending (due_at);

CREATE FUNCTION cdr_mark_pending(kind text, source text, call_key text) RETURNS void AS $$
    INSERT INTO cdr_pending (kind, source, call_key) VALUES (kind, source, call_key)
    ON CONFLICT (kind, source, call_key) DO UPDATE SET changed_at = clock_timestamp(), due_at = clock_timestamp();
$$ LANGUAGE sql;

CREATE FUNCTION cdr_mark_imported_call() RETURNS trigger AS $$
BEGIN
    PERFORM cdr_mark_pending('import', NEW.source, NEW.call_id::text);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE FUNCTION cdr_mark_call_row() RETURNS trigger AS $$
BEGIN
    PERFORM cdr_mark_pending('import', NEW.source, NEW.external_id::text);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER calls_cdr_pending
    AFTER INSERT OR UPDATE OF started_at, ended_at, caller, direction, scenario_id, context ON calls
    FOR EACH ROW WHEN (NEW.source IS NOT NULL)
    EXECUTE FUNCTION cdr_mark_call_row();

CREATE TRIGGER call_legs_cdr_pending
    AFTER INSERT OR UPDATE ON call_legs
    FOR EACH ROW EXECUTE FUNCTION cdr_mark_imported_call();

CREATE TRIGGER call_source_events_cdr_pending
    AFTER INSERT OR UPDATE ON call_source_events
    FOR EACH ROW EXECUTE FUNCTION cdr_mark_imported_call();

-- An operator's name may arrive after the calls it took.
CREATE FUNCTION cdr_mark_operator_calls() RETURNS trigger AS $$
BEGIN
    INSERT INTO cdr_pending (kind, source, call_key)
    SELECT DISTINCT 'import', e.source, e.call_id::text
    FROM call_source_events e
    WHERE e.source = NEW.source AND e.operator_id = NEW.operator_id
    ON CONFLICT (kind, source, call_key) DO UPDATE SET changed_at = clock_timestamp(), due_at = clock_timestamp();
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER source_operators_cdr_pending
    AFTER INSERT OR UPDATE ON source_operators
    FOR EACH ROW EXECUTE FUNCTION cdr_mark_operator_calls();

-- Queue events arrive by thousands a second in batches: one statement-level trigger per batch.
CREATE FUNCTION cdr_mark_queue_calls() RETURNS trigger AS $$
BEGIN
    INSERT INTO cdr_pending (kind, source, call_key)
    SELECT DISTINCT 'queue', n.source, n.call_id
    FROM new_events n
    WHERE n.call_id <> 'NONE' AND n.call_id <> '' AND n.queue <> 'NONE'
    ON CONFLICT (kind, source, call_key) DO UPDATE SET changed_at = clock_timestamp(), due_at = clock_timestamp();
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER telephony_events_cdr_pending
    AFTER INSERT ON telephony_events
    REFERENCING NEW TABLE AS new_events
    FOR EACH STATEMENT EXECUTE FUNCTION cdr_mark_queue_calls();

CREATE INDEX telephony_events_call_idx ON telephony_events (source, call_id);

-- The current version of every CDR. The consumer schema's fields, then what the CDR API and statistics add.
CREATE TABLE cdrs (
    id                    bigserial   PRIMARY KEY,
    kind                  text        NOT NULL CHECK (kind IN ('import', 'queue')),
    source                text        NOT NULL,
    call_key              text        NOT NULL,
    -- Consumers' `call_id`: the source's call id for imported calls; `id` for queue calls, whose PBX ids
    -- ('1700000000.42') are not integers.
    call_id               bigint      NOT NULL,
    -- The call in `calls` (imported calls), for GET /calls/{id}.
    call_row_id           uuid        REFERENCES calls (id) ON DELETE SET NULL,
    version               integer     NOT NULL DEFAULT 1,
    initiator_phone       text        NOT NULL,
    call_type             text        NOT NULL,
    scenario_id           text        NOT NULL,
    start_time            timestamptz NOT NULL,
    end_time              timestamptz NOT NULL,
    duration_seconds      integer     NOT NULL CHECK (duration_seconds >= 0),
    operator_id           bigint,
    operator_name         text,
    call_result           text,
    number_of_connections integer     NOT NULL,
    number_of_events      integer     NOT NULL,
    -- Null when no leg was answered.
    wait_seconds          integer,
    talk_seconds          integer     NOT NULL,
    hold_seconds          integer     NOT NULL,
    answered              boolean     NOT NULL,
    queue                 text,
    agent                 text,
    -- False when built after the grace period without every input (legs, operator).
    complete              boolean     NOT NULL,
    built_at              timestamptz NOT NULL DEFAULT now(),
    UNIQUE (kind, source, call_key)
);
CREATE INDEX cdrs_start_time_idx ON cdrs (start_time, id);
CREATE INDEX cdrs_operator_start_time_idx ON cdrs (operator_id, start_time, id) WHERE operator_id IS NOT NULL;
CREATE INDEX cdrs_source_start_time_idx ON cdrs (source, start_time, id);

-- Every new CDR and every new version takes the next number, so an exporter keeps one cursor per consumer
-- ("scheduled up to change_seq N") instead of comparing versions over the whole table; a consumer added later
-- starts from 0 and receives every CDR.
CREATE SEQUENCE cdrs_change_seq;
ALTER TABLE cdrs ADD COLUMN change_seq bigint NOT NULL DEFAULT nextval('cdrs_change_seq');
CREATE UNIQUE INDEX cdrs_change_seq_idx ON cdrs (change_seq);

CREATE FUNCTION cdrs_next_change() RETURNS trigger AS $$
BEGIN
    IF NEW.version IS DISTINCT FROM OLD.version THEN
        NEW.change_seq := nextval('cdrs_change_seq');
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER cdrs_change_seq
    BEFORE UPDATE ON cdrs
    FOR EACH ROW EXECUTE FUNCTION cdrs_next_change();
