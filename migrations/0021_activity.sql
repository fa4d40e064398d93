-- Subscriber activity (issue 18): raw events by month, and the aggregates of them by day and month.
--
-- Two consumer groups apply the activity streams independently: the ingestor stores raw events, the
-- aggregator adds them to the aggregates. Each records the keys of the events it applied, in the same
-- transaction as their effects, so a redelivered event is recognised and changes nothing. The key tables are
-- not partitioned: an event's key is unique over all time, whatever month a copy of it claims to start in.

CREATE TABLE activity_events (
    source_id    text        NOT NULL,
    event_id     text        NOT NULL,
    user_id      text        NOT NULL,
    type         text        NOT NULL,
    started_at   timestamptz NOT NULL,
    ended_at     timestamptz,
    duration_sec bigint      NOT NULL,
    bytes_up     bigint      NOT NULL,
    bytes_down   bigint      NOT NULL,
    -- Null when the event had none.
    meta         jsonb,
    -- When the API took the event.
    received_at  timestamptz NOT NULL
) PARTITION BY RANGE (started_at);

-- The detail query: one user's events, newest first, in keyset pages.
CREATE INDEX activity_events_detail ON activity_events (user_id, started_at DESC, source_id, event_id);

CREATE TABLE activity_ingested_keys (
    source_id text NOT NULL,
    event_id  text NOT NULL,
    PRIMARY KEY (source_id, event_id)
);

CREATE TABLE activity_aggregated_keys (
    source_id text NOT NULL,
    event_id  text NOT NULL,
    PRIMARY KEY (source_id, event_id)
);

-- Days and months in CALLS_ACTIVITY_TIMEZONE (recorded in activity_settings).
CREATE TABLE activity_user_daily (
    user_id      text   NOT NULL,
    day          date   NOT NULL,
    type         text   NOT NULL,
    count        bigint NOT NULL,
    duration_sec bigint NOT NULL,
    bytes_up     bigint NOT NULL,
    bytes_down   bigint NOT NULL,
    PRIMARY KEY (user_id, day, type)
);

CREATE TABLE activity_user_monthly (
    user_id      text   NOT NULL,
    month        date   NOT NULL,
    type         text   NOT NULL,
    count        bigint NOT NULL,
    duration_sec bigint NOT NULL,
    bytes_up     bigint NOT NULL,
    bytes_down   bigint NOT NULL,
    PRIMARY KEY (user_id, month, type)
);

-- The totals over all users, one row per stream partition and cell: the partitions' aggregators never wait on
-- each other's row locks, and a read sums at most K rows per cell.
CREATE TABLE activity_global_daily (
    day          date     NOT NULL,
    type         text     NOT NULL,
    stripe       smallint NOT NULL,
    count        bigint   NOT NULL,
    duration_sec bigint   NOT NULL,
    bytes_up     bigint   NOT NULL,
    bytes_down   bigint   NOT NULL,
    PRIMARY KEY (day, type, stripe)
);

CREATE TABLE activity_global_monthly (
    month        date     NOT NULL,
    type         text     NOT NULL,
    stripe       smallint NOT NULL,
    count        bigint   NOT NULL,
    duration_sec bigint   NOT NULL,
    bytes_up     bigint   NOT NULL,
    bytes_down   bigint   NOT NULL,
    PRIMARY KEY (month, type, stripe)
);

-- Cells are updated far more often than made: room on each page lets an update stay on its page without new
-- index entries (a HOT update).
ALTER TABLE activity_user_daily SET (fillfactor = 70);
ALTER TABLE activity_user_monthly SET (fillfactor = 70);
ALTER TABLE activity_global_daily SET (fillfactor = 50);
ALTER TABLE activity_global_monthly SET (fillfactor = 50);

-- The time zone the aggregates' days were cut in: set by the first aggregator, which refuses to add to
-- aggregates cut in another zone.
CREATE TABLE activity_settings (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    timezone  text    NOT NULL
);

-- Events a consumer group could not apply because the database refused them as data (a bug upstream: the
-- API checks every event against what the tables take), kept with the reason instead of blocking their
-- partition's stream.
CREATE TABLE activity_refused (
    consumer_group text        NOT NULL,
    source_id      text        NOT NULL,
    event_id       text        NOT NULL,
    payload        text        NOT NULL,
    reason         text        NOT NULL,
    refused_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer_group, source_id, event_id)
);

-- The partition of activity_events holding `month` (UTC months), created when missing. Safe to call from
-- several sessions at once; true when this call created it.
CREATE FUNCTION activity_ensure_partition(month date) RETURNS boolean AS $$
DECLARE
    first date := date_trunc('month', month)::date;
    name  text := format('activity_events_%s', to_char(first, 'YYYY_MM'));
BEGIN
    IF to_regclass(name) IS NOT NULL THEN
        RETURN false;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('activity_events partitions'));
    IF to_regclass(name) IS NOT NULL THEN
        RETURN false;
    END IF;
    EXECUTE format(
        'CREATE TABLE %I PARTITION OF activity_events FOR VALUES FROM (%L) TO (%L)',
        name, first::timestamp AT TIME ZONE 'UTC', (first + interval '1 month')::timestamp AT TIME ZONE 'UTC');
    RETURN true;
EXCEPTION WHEN duplicate_table OR unique_violation THEN
    -- Made by another session while this one waited for the lock: an advisory lock does not refresh the
    -- catalog this session sees, so the second look above can miss it.
    RETURN false;
END
$$ LANGUAGE plpgsql;
