-- CDR statistics (issue 17): rollups of `cdrs` by UTC hour and day, kept by statement triggers on `cdrs` in the
-- same transaction as the change, so they can never disagree with it. A change subtracts what its old rows
-- counted and adds what its new rows count.
--
-- Why narrow tables rather than one keyed by hour × source × call_type × operator: with ~200 operators a busy
-- hour's calls nearly all fall into cells of their own, so such a table is about as large as `cdrs` and a
-- year's sum would read a million rows. Keyed by what each statistic groups by, a year is 365 × (sources ×
-- call types) daily rows for the summary and 12 × operators monthly rows for the operators.
-- Counts are bigint; rows whose counts fall to zero stay (the readers skip empty buckets).

CREATE TABLE cdr_calls_hourly (
    hour                  timestamptz NOT NULL,
    source                text        NOT NULL,
    call_type             text        NOT NULL,
    total_calls           bigint      NOT NULL,
    answered_calls        bigint      NOT NULL,
    duration_seconds      bigint      NOT NULL,
    -- Calls with a wait_seconds (answered ones), and the sum of their waits.
    waited_calls          bigint      NOT NULL,
    wait_seconds          bigint      NOT NULL,
    -- talk_seconds of answered calls only.
    answered_talk_seconds bigint      NOT NULL,
    PRIMARY KEY (hour, source, call_type)
);

CREATE TABLE cdr_calls_daily (LIKE cdr_calls_hourly INCLUDING ALL);
ALTER TABLE cdr_calls_daily RENAME COLUMN hour TO day;

-- Only calls with an operator.
CREATE TABLE cdr_operators_hourly (
    hour             timestamptz NOT NULL,
    operator_id      bigint      NOT NULL,
    call_count       bigint      NOT NULL,
    duration_seconds bigint      NOT NULL,
    talk_seconds     bigint      NOT NULL,
    PRIMARY KEY (hour, operator_id)
);

CREATE TABLE cdr_operators_daily (LIKE cdr_operators_hourly INCLUDING ALL);
ALTER TABLE cdr_operators_daily RENAME COLUMN hour TO day;

-- Operators' days barely compress (each of 200 operators takes calls every day): a year would still be
-- 73 000 rows, so operators also have months (UTC calendar months).
CREATE TABLE cdr_operators_monthly (LIKE cdr_operators_hourly INCLUDING ALL);
ALTER TABLE cdr_operators_monthly RENAME COLUMN hour TO month;

-- The statements that add `changed` (a query giving cdrs columns plus `sign`: 1 to add a row, -1 to subtract
-- it) to each rollup. Returned as text because transition tables are visible only to statements the trigger
-- function runs itself. Rows are upserted in key order, so concurrent writers lock them in the same order.
CREATE FUNCTION cdr_stats_statements(changed text) RETURNS SETOF text AS $$
    SELECT format($sql$
        INSERT INTO %1$I AS t (%2$s, source, call_type, total_calls, answered_calls, duration_seconds, waited_calls,
                               wait_seconds, answered_talk_seconds)
        SELECT * FROM (
            SELECT date_trunc(%3$L, c.start_time, 'UTC'), c.source, c.call_type, sum(c.sign),
                   sum(c.sign * c.answered::int), sum(c.sign * c.duration_seconds),
                   sum(c.sign * (c.wait_seconds IS NOT NULL)::int), sum(c.sign * coalesce(c.wait_seconds, 0)),
                   sum(c.sign * CASE WHEN c.answered THEN c.talk_seconds ELSE 0 END)
            FROM (%4$s) AS c
            GROUP BY 1, 2, 3
        ) AS d (at, source, call_type, calls, answered, duration, waited, wait, talk)
        WHERE (calls, answered, duration, waited, wait, talk) <> (0, 0, 0, 0, 0, 0)
        ORDER BY 1, 2, 3
        ON CONFLICT (%2$s, source, call_type) DO UPDATE SET
            total_calls = t.total_calls + excluded.total_calls,
            answered_calls = t.answered_calls + excluded.answered_calls,
            duration_seconds = t.duration_seconds + excluded.duration_seconds,
            waited_calls = t.waited_calls + excluded.waited_calls,
            wait_seconds = t.wait_seconds + excluded.wait_seconds,
            answered_talk_seconds = t.answered_talk_seconds + excluded.answered_talk_seconds
        $sql$, 'cdr_calls_' || grain.suffix, grain.key, grain.key, changed)
    FROM (VALUES ('hour', 'hourly'), ('day', 'daily')) AS grain (key, suffix)
    UNION ALL
    SELECT format($sql$
        INSERT INTO %1$I AS t (%2$s, operator_id, call_count, duration_seconds, talk_seconds)
        SELECT * FROM (
            SELECT date_trunc(%3$L, c.start_time, 'UTC'), c.operator_id, sum(c.sign), sum(c.sign * c.duration_seconds),
                   sum(c.sign * c.talk_seconds)
            FROM (%4$s) AS c
            WHERE c.operator_id IS NOT NULL
            GROUP BY 1, 2
        ) AS d (at, operator_id, calls, duration, talk)
        WHERE (calls, duration, talk) <> (0, 0, 0)
        ORDER BY 1, 2
        ON CONFLICT (%2$s, operator_id) DO UPDATE SET
            call_count = t.call_count + excluded.call_count,
            duration_seconds = t.duration_seconds + excluded.duration_seconds,
            talk_seconds = t.talk_seconds + excluded.talk_seconds
        $sql$, 'cdr_operators_' || grain.suffix, grain.key, grain.key, changed)
    FROM (VALUES ('hour', 'hourly'), ('day', 'daily'), ('month', 'monthly')) AS grain (key, suffix);
$$ LANGUAGE sql IMMUTABLE;

CREATE FUNCTION cdr_stats_apply() RETURNS trigger AS $$
DECLARE
    columns constant text := 'start_time, source, call_type, operator_id, answered, duration_seconds, wait_seconds, talk_seconds';
    changed text;
    statement text;
BEGIN
    changed := CASE TG_OP
        WHEN 'INSERT' THEN format('SELECT %s, 1 AS sign FROM new_rows', columns)
        WHEN 'DELETE' THEN format('SELECT %s, -1 AS sign FROM old_rows', columns)
        ELSE format('SELECT %1$s, 1 AS sign FROM new_rows UNION ALL SELECT %1$s, -1 AS sign FROM old_rows', columns)
    END;
    FOR statement IN SELECT cdr_stats_statements(changed) LOOP
        EXECUTE statement;
    END LOOP;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- One trigger per event: a trigger with transition tables may name only one.
CREATE TRIGGER cdrs_stats_insert AFTER INSERT ON cdrs
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cdr_stats_apply();
CREATE TRIGGER cdrs_stats_update AFTER UPDATE ON cdrs
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cdr_stats_apply();
CREATE TRIGGER cdrs_stats_delete AFTER DELETE ON cdrs
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cdr_stats_apply();

-- TRUNCATE fires no row or statement trigger of the above.
CREATE FUNCTION cdr_stats_truncate() RETURNS trigger AS $$
BEGIN
    TRUNCATE cdr_calls_hourly, cdr_calls_daily, cdr_operators_hourly, cdr_operators_daily, cdr_operators_monthly;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER cdrs_stats_truncate AFTER TRUNCATE ON cdrs FOR EACH STATEMENT EXECUTE FUNCTION cdr_stats_truncate();

-- CDRs built before this migration: counted once, with writers held off until it commits.
LOCK TABLE cdrs IN SHARE ROW EXCLUSIVE MODE;

DO $$
DECLARE
    statement text;
BEGIN
    FOR statement IN SELECT cdr_stats_statements(
        'SELECT start_time, source, call_type, operator_id, answered, duration_seconds, wait_seconds, talk_seconds, '
        || '1 AS sign FROM cdrs') LOOP
        EXECUTE statement;
    END LOOP;
END;
$$;
