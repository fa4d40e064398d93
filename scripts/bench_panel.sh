#!/usr/bin/env bash
# Queue panel benchmark (issue 16): a private PostgreSQL and Redis, the release API and one worker with the
# panel role, all on this machine; scripts/bench_panel_client.py drives them with generated queue_log traffic
# (calls-traffic): /queues/status latency with 200 queues / 5 000 agents / 2 000 waiting, event → visible
# at 1 000 events/s, and sustained ingest → applied with each component's CPU. Prints Markdown.
# Usage: bench_panel.sh BIN_DIR
source "$(dirname "$0")/lib.sh"
# No gRPC server unless asked for: a benchmark may run several APIs, and 9090 may be taken.
export CALLS_GRPC_PORT=${CALLS_GRPC_PORT:-off}
cd "$(dirname "$0")/.."
bin=$1
calls_use_work_directory calls-bench-panel

calls_start_private_services
# The panel is measured here, not API keys: keys off, on loopback. No rate limit to hit.
export CALLS_AUTH=off CALLS_LOG_LEVEL=warning CALLS_RECORDINGS_DIR="$work/recordings"
export CALLS_HTTP_PORT
CALLS_HTTP_PORT=$(calls_free_port)
"$bin/calls-api" serve --migrate >/dev/null 2>>"$work/api.log" &
api_pid=$!
calls_track "$api_pid" calls-api
calls_wait_http "http://127.0.0.1:$CALLS_HTTP_PORT/readyz" 60 || calls_die "the API did not become ready"
CALLS_WORKER_ROLES=panel "$bin/calls-worker" >/dev/null 2>>"$work/worker.log" &
worker_pid=$!
calls_track "$worker_pid" calls-worker

BASE_URL="http://127.0.0.1:$CALLS_HTTP_PORT" API_PID=$api_pid WORKER_PID=$worker_pid PG_PID=$CALLS_PG_PID \
  REDIS_PID=$CALLS_REDIS_PID PGURL="$CALLS_DATABASE_URL" python3 scripts/bench_panel_client.py "$bin" "$work"
