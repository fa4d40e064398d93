#!/usr/bin/env bash
# Search benchmark (issue 6): a private PostgreSQL seeded with 1 000 000 calls, the release API, and
# scripts/bench_search_client.py timing the typical GET /calls queries over HTTP and printing their plans.
# Prints Markdown. Usage: bench_search.sh BIN_DIR
source "$(dirname "$0")/lib.sh"
# No gRPC server unless asked for: a benchmark may run several APIs, and 9090 may be taken.
export CALLS_GRPC_PORT=${CALLS_GRPC_PORT:-off}
cd "$(dirname "$0")/.."
bin=$1
calls_use_work_directory calls-bench-search

calls_start_private_services
# A rate limit the benchmark never reaches, so every request still pays for the token bucket.
export CALLS_LOG_LEVEL=warning CALLS_RECORDINGS_DIR="$work/recordings" CALLS_HTTP_PORT CALLS_RATE_LIMIT_PER_SECOND=1000000
CALLS_HTTP_PORT=$(calls_free_port)
"$bin/calls-api" migrate >/dev/null 2>>"$work/api.log"

# A year of calls between Russian mobile numbers (+7 9xx…), a call in 20 failed, 1 in 20 tagged vip.
seed_started=$(date +%s)
psql -q "$CALLS_DATABASE_URL" <<'SQL'
INSERT INTO calls (id, caller, receiver, caller_digits, receiver_digits, started_at, status, tags, created_at, updated_at)
SELECT gen_random_uuid(), '+' || caller, '+' || receiver, caller, receiver, started, status, tags, started, started
FROM (
    SELECT '79' || lpad((floor(random() * 1e9))::bigint::text, 9, '0') AS caller,
           '79' || lpad((floor(random() * 1e9))::bigint::text, 9, '0') AS receiver,
           timestamptz '2025-11-21' + random() * interval '365 days' AS started,
           CASE WHEN random() < 0.05 THEN 'failed' WHEN random() < 0.01 THEN 'processing' ELSE 'ready' END AS status,
           CASE WHEN random() < 0.05 THEN ARRAY['vip'] ELSE '{}'::text[] END AS tags
    FROM generate_series(1, 1000000)
) AS generated;
VACUUM ANALYZE calls;
SQL
seed_seconds=$(( $(date +%s) - seed_started ))

"$bin/calls-api" serve >/dev/null 2>>"$work/api.log" &
calls_track "$!" calls-api
calls_wait_http "http://127.0.0.1:$CALLS_HTTP_PORT/readyz" 60 || calls_die "the API did not become ready"
open_port=$(calls_free_port)
CALLS_AUTH=off CALLS_HTTP_PORT=$open_port "$bin/calls-api" serve >/dev/null 2>>"$work/api.log" &
calls_track "$!" calls-api-without-keys
calls_wait_http "http://127.0.0.1:$open_port/readyz" 60 || calls_die "the second API did not become ready"
CALLS_API_KEY=$("$bin/calls-api" keys create --role read --name "search benchmark" | tail -n 1)
export CALLS_API_KEY OPEN_BASE_URL="http://127.0.0.1:$open_port"
echo "Seeding 1 000 000 calls (with every index in place) took ${seed_seconds} s."
echo
BASE_URL="http://127.0.0.1:$CALLS_HTTP_PORT" python3 scripts/bench_search_client.py
