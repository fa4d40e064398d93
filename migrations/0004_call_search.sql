-- Indexes behind every filter of GET /calls (see EXPLAIN plans in BENCHMARKS.md).

-- Substring search on either party's digits (`query`): trigram GIN indexes. pg_trgm is a trusted extension:
-- the database owner may create it without being a superuser (PostgreSQL 13+).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX calls_caller_digits_trgm_idx ON calls USING gin (caller_digits gin_trgm_ops);
CREATE INDEX calls_receiver_digits_trgm_idx ON calls USING gin (receiver_digits gin_trgm_ops);

-- Exact number (`phone`).
CREATE INDEX calls_caller_digits_idx ON calls (caller_digits);
CREATE INDEX calls_receiver_digits_idx ON calls (receiver_digits);

-- `status`, newest (or oldest) first.
CREATE INDEX calls_status_started_at_idx ON calls (status, started_at DESC, id DESC);

-- `tag`.
CREATE INDEX calls_tags_idx ON calls USING gin (tags);
