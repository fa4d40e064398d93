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
