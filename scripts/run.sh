#!/usr/bin/env bash
# `make run`: everything from a fresh Debian machine to a running API with workers, in the foreground.
# Ctrl-C stops the API, the workers, Redis and PostgreSQL — exactly the processes started here.
source "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.."

: "${CALLS_PG_PORT:=55432}"
: "${CALLS_REDIS_PORT:=56379}"
: "${CALLS_WORKERS:=2}"
: "${CALLS_HTTP_HOST:=127.0.0.1}"
: "${CALLS_HTTP_PORT:=8000}"
: "${CALLS_GRPC_PORT:=9090}"
: "${CALLS_BUILD_CONFIGURATION:=release}"
# Download links are absolute only with a public URL (the API never trusts a client's Host for them).
: "${CALLS_PUBLIC_URL:=http://$CALLS_HTTP_HOST:$CALLS_HTTP_PORT}"

cleanup() {
  trap - EXIT INT TERM
  calls_log "stopping"
  calls_stop_started
}
trap cleanup EXIT
trap 'exit 130' INT TERM

calls_install_packages
calls_start_postgres "$PWD/.data/pg" "$CALLS_PG_PORT"
calls_track "$CALLS_PG_PID" postgres
calls_start_redis "$PWD/.data/redis" "$CALLS_REDIS_PORT"
calls_track "$CALLS_REDIS_PID" redis

export CALLS_DATABASE_URL="postgres://calls:calls@127.0.0.1:$CALLS_PG_PORT/calls"
export CALLS_REDIS_URL="redis://127.0.0.1:$CALLS_REDIS_PORT/0"
export CALLS_HTTP_HOST CALLS_HTTP_PORT CALLS_GRPC_PORT CALLS_PUBLIC_URL

calls_log "building ($CALLS_BUILD_CONFIGURATION)"
swift build -c "$CALLS_BUILD_CONFIGURATION" --product calls-api
swift build -c "$CALLS_BUILD_CONFIGURATION" --product calls-worker
bin=$(swift build -c "$CALLS_BUILD_CONFIGURATION" --show-bin-path)

"$bin/calls-api" migrate
# A development key with every role, made once and kept with the database it lives in.
if [ ! -s .data/dev-api-key ]; then
  # umask: the file is never readable by others, not even between its creation and a chmod.
  (umask 077; "$bin/calls-api" keys create --role admin --name "make run (development)" | tail -n 1 > .data/dev-api-key.new)
  mv .data/dev-api-key.new .data/dev-api-key
fi
"$bin/calls-api" serve &
calls_track "$!" calls-api
for index in $(seq 1 "$CALLS_WORKERS"); do
  CALLS_WORKER_METRICS_PORT=$((9100 + index)) "$bin/calls-worker" &
  calls_track "$!" calls-worker-$index
done

calls_wait_http "http://$CALLS_HTTP_HOST:$CALLS_HTTP_PORT/healthz" 30 || calls_die "the API did not come up"
calls_log "API on http://$CALLS_HTTP_HOST:$CALLS_HTTP_PORT with $CALLS_WORKERS worker process(es); Ctrl-C stops everything"
# Only where the key is: this output often ends up in a terminal log or a CI transcript.
calls_log "development API key (admin): in .data/dev-api-key (mode 0600)"
calls_log "  e.g. curl -H \"Authorization: Bearer \$(cat .data/dev-api-key)\" http://$CALLS_HTTP_HOST:$CALLS_HTTP_PORT/calls"
# Any of them exiting ends the run (and the trap stops the rest).
wait -n
calls_log "a process exited; shutting down"
