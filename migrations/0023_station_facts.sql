-- What a telephony station (a PBX feeding `calls-ingest`) says about a call beyond caller, receiver and start
-- (issue 19): all null for calls created without a `station` object. Kept apart from the imported calls'
-- `direction`/`ended_at` (an import's origin), because a station also reports `internal` calls and its own
-- call id is text (a FreeSWITCH channel uuid), not a source's number.
ALTER TABLE calls
    ADD COLUMN station_name         text,
    ADD COLUMN station_call_id      text,
    ADD COLUMN station_direction    text CHECK (station_direction IN ('inbound', 'outbound', 'internal')),
    ADD COLUMN station_answered_at  timestamptz,
    ADD COLUMN station_ended_at     timestamptz,
    ADD COLUMN station_hangup_cause text,
    ADD COLUMN station_duration_sec integer CHECK (station_duration_sec >= 0),
    ADD COLUMN station_billable_sec integer CHECK (station_billable_sec >= 0),
    -- Facts without the station that reported them are meaningless.
    ADD CONSTRAINT calls_station_named CHECK (
        station_name IS NOT NULL
        OR num_nulls(station_call_id, station_direction, station_answered_at, station_ended_at, station_hangup_cause,
                     station_duration_sec, station_billable_sec) = 7);

