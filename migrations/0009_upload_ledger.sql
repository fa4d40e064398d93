-- Recordings stored but not yet attached to a call. An upload registers its storage key before it publishes
-- the file; the statement that attaches the recording deletes the entry in the same commit. An entry older
-- than any statement can run belongs to an upload whose commit never happened, whatever the API was told:
-- the API's upload janitor removes its object, then the entry.
CREATE TABLE upload_ledger (
    storage_key text PRIMARY KEY,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX upload_ledger_created_at_idx ON upload_ledger (created_at);
