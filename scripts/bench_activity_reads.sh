#!/usr/bin/env bash
# Subscriber activity reads benchmark (issue 18): a private PostgreSQL seeded with 10 000 000 raw events over
# 13 months for 100 000 users (one generate_series INSERT into the monthly partitions of migration 0021, every
# index in place), the day and month aggregates built from them as the aggregator keeps them (global rows in 8
# stripes), and one heavy user with 50 000 events and a full year (2025-11…2026-10) of daily rows of every
# type. Two release APIs, one with the aggregate cache (CALLS_ACTIVITY_CACHE_SECONDS=2) and one without (0),
# and scripts/bench_activity_reads_client.py timing aggregate and detail reads over HTTP. Prints Markdown.
# Usage: bench_activity_reads.sh BIN_DIR
source "$(dirname "$0")/lib.sh"
# No gRPC server unless asked for: a benchmark may run several APIs, and 9090 may be taken.
export CALLS_GRPC_PORT=${CALLS_GRPC_PORT:-off}
cd "$(dirname "$0")/.."
bin=$1
calls_use_work_directory calls-bench-activity

calls_start_private_services
# A rate limit the benchmark never reaches, so every request still pays for the token bucket.
export CALLS_LOG_LEVEL=warning CALLS_RECORDINGS_DIR="$work/recordings" CALLS_RATE_LIMIT_PER_SECOND=1000000
"$bin/calls-api" migrate >/dev/null 2>>"$work/api.log"

# Events from 2025-10-01 for 13 months (UTC). User i (u000001…u100000) has about 100 events (a Poisson-like
# spread: 20–180), types weighted to calls and data; 'bench-heavy' has 50 000 events over 2025-11-01…2026-10-31
# so that every day of that year has rows of every type.
seed_started=$(date +%s)
psql -q "$CALLS_DATABASE_URL" <<'SQL'
SET synchronous_commit = off;
DO $$ BEGIN PERFORM activity_ensure_partition((date '2025-10-01' + make_interval(months => m))::date) FROM generate_series(0, 12) AS m; END $$;
INSERT INTO activity_events (source_id, event_id, user_id, type, started_at, ended_at, duration_sec, bytes_up, bytes_down,
                             meta, received_at)
SELECT 'provider-' || (1 + k % 3), md5(u::text || '/' || k), 'u' || lpad(u::text, 6, '0'), type, started_at,
       CASE WHEN type IN ('CALL_OUT', 'CALL_IN', 'DATA') THEN started_at + make_interval(secs => duration) END,
       CASE WHEN type IN ('CALL_OUT', 'CALL_IN', 'DATA') THEN duration ELSE 0 END,
       CASE WHEN type = 'DATA' THEN duration * 2000 ELSE 0 END, CASE WHEN type = 'DATA' THEN duration * 30000 ELSE 0 END,
       CASE WHEN k % 4 = 0 THEN jsonb_build_object('cell', 'C' || (u % 977)) END, started_at + interval '2 seconds'
FROM (
    SELECT u, k, (ARRAY['CALL_OUT', 'CALL_OUT', 'CALL_IN', 'CALL_IN', 'SMS_SENT', 'SMS_RECEIVED', 'DATA', 'DATA'])[1 + (k * 7 + u) % 8] AS type,
           timestamptz '2025-10-01' + random() * interval '395 days' AS started_at, 1 + floor(random() * 600)::int AS duration
    FROM generate_series(1, 100000) AS u, generate_series(1, 20 + (u * 7919) % 161) AS k
) AS generated;
INSERT INTO activity_events (source_id, event_id, user_id, type, started_at, ended_at, duration_sec, bytes_up, bytes_down, meta, received_at)
SELECT 'provider-1', 'heavy-' || k, 'bench-heavy', (ARRAY['CALL_OUT', 'CALL_IN', 'SMS_SENT', 'SMS_RECEIVED', 'DATA'])[1 + k % 5],
       timestamptz '2025-11-01' + ((k / 5) % 365) * interval '1 day' + random() * interval '1 day', NULL, k % 300, 0, 0, NULL,
       now()
FROM generate_series(0, 49999) AS k;
INSERT INTO activity_user_daily
SELECT user_id, (started_at AT TIME ZONE 'UTC')::date, type, count(*), sum(duration_sec), sum(bytes_up), sum(bytes_down)
FROM activity_events GROUP BY 1, 2, 3;
INSERT INTO activity_user_monthly
SELECT user_id, date_trunc('month', day)::date, type, sum(count), sum(duration_sec), sum(bytes_up), sum(bytes_down)
FROM activity_user_daily GROUP BY 1, 2, 3;
INSERT INTO activity_global_daily
SELECT day, type, abs(hashtext(user_id)) % 8, sum(count), sum(duration_sec), sum(bytes_up), sum(bytes_down)
FROM activity_user_daily GROUP BY 1, 2, 3;
INSERT INTO activity_global_monthly
SELECT date_trunc('month', day)::date, type, stripe, sum(count), sum(duration_sec), sum(bytes_up), sum(bytes_down)
FROM activity_global_daily GROUP BY 1, 2, 3;
INSERT INTO activity_settings VALUES (true, 'UTC');
VACUUM ANALYZE;
SQL
seed_seconds=$(( $(date +%s) - seed_started ))
sizes=$(psql -AtX "$CALLS_DATABASE_URL" -c "SELECT (SELECT count(*) FROM activity_events) || ' raw events in ' ||
  (SELECT count(*) FROM pg_inherits WHERE inhparent = 'activity_events'::regclass) || ' partitions ('
  || pg_size_pretty((SELECT sum(pg_total_relation_size(inhrelid)) FROM pg_inherits WHERE inhparent = 'activity_events'::regclass))
  || ' with the detail index), ' || (SELECT count(*) FROM activity_user_daily) || ' user-day rows, '
  || (SELECT count(*) FROM activity_user_monthly) || ' user-month rows, ' || (SELECT count(*) FROM activity_global_daily)
  || ' global day rows (8 stripes)'")

start_api() {
  local port
  port=$(calls_free_port)
  CALLS_HTTP_PORT=$port CALLS_ACTIVITY_CACHE_SECONDS=$1 "$bin/calls-api" serve >/dev/null 2>>"$work/api.log" &
  calls_track "$!" calls-api
  calls_wait_http "http://127.0.0.1:$port/readyz" 60 || calls_die "the API did not become ready"
  echo "$port"
}
cached_port=$(start_api 2)
uncached_port=$(start_api 0)
CALLS_API_KEY=$("$bin/calls-api" keys create --role read --name "activity benchmark" | tail -n 1)
export CALLS_API_KEY
echo "Seeding (one INSERT … generate_series for the raw events, the aggregates grouped from them, VACUUM ANALYZE)"
echo "took ${seed_seconds} s: ${sizes}."
echo
CACHED_URL="http://127.0.0.1:$cached_port" UNCACHED_URL="http://127.0.0.1:$uncached_port" \
  python3 scripts/bench_activity_reads_client.py
