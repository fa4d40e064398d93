#!/usr/bin/env bash
# CDR API and statistics benchmark (issue 17): a private PostgreSQL seeded with 1 000 000 CDRs over a year
# (inserted through the statistics triggers of migration 0019, as the CDR builder's rows are), the release API,
# and scripts/bench_cdr_stats_client.py timing statistics, CDR pages and CSV exports over HTTP.
# Prints Markdown. Usage: bench_cdr_stats.sh BIN_DIR
source "$(dirname "$0")/lib.sh"
# No gRPC server unless asked for: a benchmark may run several APIs, and 9090 may be taken.
export CALLS_GRPC_PORT=${CALLS_GRPC_PORT:-off}
cd "$(dirname "$0")/.."
bin=$1
calls_use_work_directory calls-bench-cdr

calls_start_private_services
# A rate limit the benchmark never reaches, so every request still pays for the token bucket.
export CALLS_LOG_LEVEL=warning CALLS_RECORDINGS_DIR="$work/recordings" CALLS_HTTP_PORT CALLS_RATE_LIMIT_PER_SECOND=1000000
CALLS_HTTP_PORT=$(calls_free_port)
"$bin/calls-api" migrate >/dev/null 2>>"$work/api.log"

# A year of calls from 2025-12-01: 85 % in working hours (08–20 UTC), sources crm/pbx2/legacy at 50/35/15 %,
# 70 % inbound, 200 operators (10 % of calls without one), 80 % answered (wait 0–120 s, talk 10–900 s).
seed_started=$(date +%s)
psql -q "$CALLS_DATABASE_URL" <<'SQL'
INSERT INTO cdrs (kind, source, call_key, call_id, initiator_phone, call_type, scenario_id, start_time, end_time,
                  duration_seconds, operator_id, operator_name, call_result, number_of_connections, number_of_events,
                  wait_seconds, talk_seconds, hold_seconds, answered, complete)
SELECT 'import', source, i::text, i, '+79' || lpad((floor(random() * 1e9))::bigint::text, 9, '0'), call_type,
       'scenario-' || (i % 7), start_time, start_time + make_interval(secs => wait + talk + 5), wait + talk + 5,
       operator_id, CASE WHEN operator_id IS NULL THEN NULL ELSE 'Operator ' || operator_id END,
       CASE WHEN answered THEN (ARRAY['resolved', 'unresolved'])[1 + (i % 2)] END, CASE WHEN answered THEN 2 ELSE 1 END, 6,
       CASE WHEN answered THEN wait END, talk, 0, answered, true
FROM (
    SELECT i, answered, CASE WHEN answered THEN floor(random() * 121)::int ELSE 0 END AS wait,
           CASE WHEN answered THEN 10 + floor(random() * 891)::int ELSE 0 END AS talk,
           timestamptz '2025-12-01' + floor(random() * 365) * interval '1 day'
               + CASE WHEN random() < 0.85 THEN interval '8 hours' + random() * interval '12 hours'
                      ELSE random() * interval '24 hours' END AS start_time,
           CASE WHEN r < 0.5 THEN 'crm' WHEN r < 0.85 THEN 'pbx2' ELSE 'legacy' END AS source,
           CASE WHEN random() < 0.7 THEN 'inbound' ELSE 'outbound' END AS call_type,
           CASE WHEN random() < 0.1 THEN NULL ELSE 1 + floor(random() * 200)::bigint END AS operator_id
    FROM (SELECT i, random() < 0.8 AS answered, random() AS r FROM generate_series(1, 1000000) AS i) AS base
) AS generated;
VACUUM ANALYZE cdrs, cdr_calls_hourly, cdr_calls_daily, cdr_operators_hourly, cdr_operators_daily, cdr_operators_monthly;
SQL
seed_seconds=$(( $(date +%s) - seed_started ))
rollup_rows=$(psql -AtX "$CALLS_DATABASE_URL" -c "SELECT (SELECT count(*) FROM cdr_calls_hourly) || ' / ' ||
  (SELECT count(*) FROM cdr_calls_daily) || ' / ' || (SELECT count(*) FROM cdr_operators_hourly) || ' / ' ||
  (SELECT count(*) FROM cdr_operators_daily) || ' / ' || (SELECT count(*) FROM cdr_operators_monthly)")

"$bin/calls-api" serve >/dev/null 2>>"$work/api.log" &
api_pid=$!
calls_track "$api_pid" calls-api
calls_wait_http "http://127.0.0.1:$CALLS_HTTP_PORT/readyz" 60 || calls_die "the API did not become ready"
CALLS_API_KEY=$("$bin/calls-api" keys create --role read --name "cdr benchmark" | tail -n 1)
export CALLS_API_KEY API_PID=$api_pid
echo "Seeding 1 000 000 CDRs in one INSERT (rollups kept by the triggers, every index in place) took ${seed_seconds} s;"
echo "rollup rows (calls hourly / daily, operators hourly / daily / monthly): ${rollup_rows}."
echo
BASE_URL="http://127.0.0.1:$CALLS_HTTP_PORT" python3 scripts/bench_cdr_stats_client.py
