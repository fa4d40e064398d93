-- 0023's constraints, checked against the rows that were there before it (all null) in a transaction of
-- their own: VALIDATE CONSTRAINT scans the table under SHARE UPDATE EXCLUSIVE, which blocks no reads or writes.
ALTER TABLE calls VALIDATE CONSTRAINT calls_station_direction;
ALTER TABLE calls VALIDATE CONSTRAINT calls_station_seconds;
ALTER TABLE calls VALIDATE CONSTRAINT calls_station_named;
