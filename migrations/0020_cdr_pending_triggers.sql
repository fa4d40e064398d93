-- Fewer rebuilds for nothing (issue 17 review of 0016):
-- * an operator's row re-fetched unchanged, or with a new email or extension, re-queued every call the operator
--   ever took (100 000 rebuilds to the same content for a busy operator): only a new row or a new name does;
-- * a call's `context` is in no CDR field, so a change to it no longer queues a rebuild.

DROP TRIGGER source_operators_cdr_pending ON source_operators;

CREATE TRIGGER source_operators_cdr_pending
    AFTER INSERT ON source_operators
    FOR EACH ROW EXECUTE FUNCTION cdr_mark_operator_calls();

CREATE TRIGGER source_operators_renamed_cdr_pending
    AFTER UPDATE ON source_operators
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION cdr_mark_operator_calls();

DROP TRIGGER calls_cdr_pending ON calls;

CREATE TRIGGER calls_cdr_pending
    AFTER INSERT OR UPDATE OF started_at, ended_at, caller, direction, scenario_id ON calls
    FOR EACH ROW WHEN (NEW.source IS NOT NULL)
    EXECUTE FUNCTION cdr_mark_call_row();

-- Pages of calls, legs and events lock `cdr_pending` rows in call order; the set-based marks below take them in
-- the same order, so an operators page (or a queue batch) and another page cannot deadlock on them.
CREATE OR REPLACE FUNCTION cdr_mark_operator_calls() RETURNS trigger AS $$
BEGIN
    INSERT INTO cdr_pending (kind, source, call_key)
    SELECT 'import', calls.source, calls.call_id::text
    FROM (SELECT DISTINCT e.source, e.call_id FROM call_source_events e
          WHERE e.source = NEW.source AND e.operator_id = NEW.operator_id) AS calls
    ORDER BY calls.call_id
    ON CONFLICT (kind, source, call_key) DO UPDATE SET changed_at = clock_timestamp(), due_at = clock_timestamp();
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION cdr_mark_queue_calls() RETURNS trigger AS $$
BEGIN
    INSERT INTO cdr_pending (kind, source, call_key)
    SELECT 'queue', calls.source, calls.call_id
    FROM (SELECT DISTINCT n.source, n.call_id FROM new_events n
          WHERE n.call_id <> 'NONE' AND n.call_id <> '' AND n.queue <> 'NONE') AS calls
    ORDER BY calls.source, calls.call_id
    ON CONFLICT (kind, source, call_key) DO UPDATE SET changed_at = clock_timestamp(), due_at = clock_timestamp();
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- A leg or an event the source moved to another call changes the CDR of the call it left, too.
CREATE OR REPLACE FUNCTION cdr_mark_imported_call() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.call_id IS DISTINCT FROM NEW.call_id THEN
        PERFORM cdr_mark_pending('import', OLD.source, OLD.call_id::text);
    END IF;
    PERFORM cdr_mark_pending('import', NEW.source, NEW.call_id::text);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- The panel applies ~20 000 queue events a second and most belong to calls still going: queueing every one of
-- them made the builder read calls that cannot have a CDR yet and cost the panel 17 % of its rate. A queue call
-- is queued when it ends (an end event) and, once it has a CDR, on every later event; an event that arrives
-- after the end but before the build is read by that build anyway.
CREATE OR REPLACE FUNCTION cdr_mark_queue_calls() RETURNS trigger AS $$
BEGIN
    INSERT INTO cdr_pending (kind, source, call_key)
    SELECT 'queue', calls.source, calls.call_id
    FROM (SELECT DISTINCT n.source, n.call_id FROM new_events n
          WHERE n.call_id <> 'NONE' AND n.call_id <> '' AND n.queue <> 'NONE'
            AND (n.event IN ('COMPLETECALLER', 'COMPLETEAGENT', 'TRANSFER', 'BLINDTRANSFER', 'ATTENDEDTRANSFER',
                             'ABANDON', 'EXITWITHTIMEOUT', 'EXITWITHKEY', 'EXITEMPTY')
                 OR EXISTS (SELECT 1 FROM cdrs d WHERE d.kind = 'queue' AND d.source = n.source AND d.call_key = n.call_id))
         ) AS calls
    ORDER BY calls.source, calls.call_id
    ON CONFLICT (kind, source, call_key) DO UPDATE SET changed_at = clock_timestamp(), due_at = clock_timestamp();
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
