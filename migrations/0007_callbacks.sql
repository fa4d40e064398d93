-- callback_url of POST /calls: the final call is POSTed there, through the job queue, retried with backoff.
ALTER TABLE calls
    ADD COLUMN callback_url        text,
    ADD COLUMN callback_status     text CHECK (callback_status IN ('pending', 'delivered', 'failed')),
    ADD COLUMN callback_attempts   integer NOT NULL DEFAULT 0,
    ADD COLUMN callback_error      text,
    ADD COLUMN callback_updated_at timestamptz;

-- The reconciler's question: callbacks due that Redis may have lost.
CREATE INDEX calls_callbacks_pending_idx ON calls (callback_updated_at) WHERE callback_status = 'pending';

-- A call that becomes final owes its callback, whichever statement made it final (a result, a failure, a
-- dead-lettered job); a call an operator retries owes none until it is final again, then a fresh one.
CREATE FUNCTION queue_call_callback() RETURNS trigger AS $$
BEGIN
    IF NEW.callback_url IS NOT NULL AND NEW.status IN ('ready', 'failed') THEN
        NEW.callback_status := 'pending';
        NEW.callback_attempts := 0;
        NEW.callback_error := NULL;
        NEW.callback_updated_at := now();
    ELSIF NEW.callback_url IS NOT NULL THEN
        NEW.callback_status := NULL;
        NEW.callback_updated_at := now();
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER calls_callback_due
    BEFORE UPDATE OF status ON calls
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION queue_call_callback();
