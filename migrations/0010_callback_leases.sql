-- A callback delivery claims its callback with a lease, like an analysis claims its call: one delivery of a
-- callback is in flight at a time, across worker processes (duplicates of its job would otherwise POST at
-- once), and its outcome is recorded only under the claim's token.
ALTER TABLE calls
    ADD COLUMN callback_lease_token      bigint NOT NULL DEFAULT 0,
    ADD COLUMN callback_lease_owner      text,
    ADD COLUMN callback_lease_expires_at timestamptz;

-- The heartbeat renews, and the reaper ends, the leases of one worker.
CREATE INDEX calls_callback_lease_owner_idx ON calls (callback_lease_owner) WHERE callback_lease_owner IS NOT NULL;

-- As in 0007, and a callback owed afresh fences off any delivery still running for the one before.
CREATE OR REPLACE FUNCTION queue_call_callback() RETURNS trigger AS $$
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
    IF NEW.callback_url IS NOT NULL THEN
        NEW.callback_lease_token := OLD.callback_lease_token + 1;
        NEW.callback_lease_owner := NULL;
        NEW.callback_lease_expires_at := NULL;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
