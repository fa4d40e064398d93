-- Retention (CALLS_RETENTION_DAYS) looks for the oldest calls by creation time.
CREATE INDEX calls_created_at_idx ON calls (created_at);
