-- What a telephony station (a PBX feeding `calls-ingest`) says about a call beyond caller, receiver and start
-- (issue 19): all null for calls created without a `station` object. Kept apart from the imported calls'
-- `direction`/`ended_at` (an import's origin), because a station also reports `internal` calls and its own
-- call id is text (a FreeSWITCH channel uuid), not a source's number.
--
-- The constraints are added NOT VALID, so this takes its exclusive lock only for a moment however many calls
-- there are; 0024 validates them under a lock that lets reads and writes go on.
ALTER TABLE calls
    ADD COLUMN station_name         text,
    ADD COLUMN station_call_id      text,
    ADD COLUMN station_direction    text,
    ADD COLUMN station_answered_at  timestamptz,
    ADD COLUMN station_ended_at     timestamptz,
    ADD COLUMN station_hangup_cause text,
    ADD COLUMN station_duration_sec integer,
    ADD COLUMN station_billable_sec integer,
    ADD CONSTRAINT calls_station_direction CHECK (station_direction IN ('inbound', 'outbound', 'internal')) NOT VALID,
    ADD CONSTRAINT calls_station_seconds CHECK (station_duration_sec >= 0 AND station_billable_sec >= 0) NOT VALID,
    -- Facts without the station that reported them are meaningless.
    ADD CONSTRAINT calls_station_named CHECK (
        station_name IS NOT NULL
        OR num_nulls(station_call_id, station_direction, station_answered_at, station_ended_at, station_hangup_cause,
                     station_duration_sec, station_billable_sec) = 7) NOT VALID;
