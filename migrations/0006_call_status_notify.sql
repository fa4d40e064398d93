-- Wakes API nodes waiting on a call (GET /calls/{id}?wait=, /calls/{id}/events): every change of a call's
-- status is announced on the channel `calls_status` as '<call-id>:<status>'. Sent when the transaction
-- commits, so a waiter that re-reads the call sees the new status.
CREATE FUNCTION notify_call_status() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('calls_status', NEW.id::text || ':' || NEW.status);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER calls_status_notify
    AFTER UPDATE OF status ON calls
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION notify_call_status();
