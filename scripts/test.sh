#!/usr/bin/env bash
# `make test`: the bootstrap of `make run` on free ports with throw-away data, the whole Swift test suite
# against the real services, then the smoke test and the upload memory check against a running stack.
source "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.."

# First, so a format error fails in seconds; another toolchain's formatter may lay code out differently.
calls_log "checking the format (.swift-format, swift-format $(swift format --version))"
swift format lint --strict --recursive --parallel Sources Tests Package.swift

work=$(mktemp -d "${TMPDIR:-/tmp}/calls-test.XXXXXX")
chmod 755 "$work"
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  calls_stop_started
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

calls_install_packages
calls_install_python_packages
pg_port=$(calls_free_port)
redis_port=$(calls_free_port)
calls_start_postgres "$work/pg" "$pg_port"
calls_track "$CALLS_PG_PID" postgres
calls_start_redis "$work/redis" "$redis_port"
calls_track "$CALLS_REDIS_PID" redis

s3_port=$(calls_free_port)
calls_start_s3 "$work/s3.log" "$s3_port"
calls_track "$CALLS_S3_PID" s3

export CALLS_TEST_DATABASE_URL="postgres://calls:calls@127.0.0.1:$pg_port/calls"
export CALLS_TEST_S3_ENDPOINT="http://127.0.0.1:$s3_port"
export CALLS_TEST_REDIS_URL="redis://127.0.0.1:$redis_port/0"

calls_log "building the recorded-speech dialogues"
python3 scripts/speech_fixtures.py "$work/speech-fixtures"
export CALLS_TEST_SPEECH_FIXTURES="$work/speech-fixtures"

calls_log "building"
swift build --build-tests --explicit-target-dependency-import-check error
calls_log "running the test suite"
swift test --skip-build 2>&1 | tee "$work/swift-test.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || exit 1

calls_log "fuzzing the decoder entry for ${CALLS_FUZZ_SECONDS:-30}s"
bash scripts/fuzz.sh "${CALLS_FUZZ_SECONDS:-30}"

# The stack runs the release build, as `make run` does: a debug build parses multipart bodies about a
# hundred times slower, which would make the upload figures meaningless.
calls_log "building the release binaries for the smoke test"
swift build -c release --product calls-api
swift build -c release --product calls-worker
swift build -c release --product calls-events
swift build -c release --product calls-traffic
swift build -c release --product calls-loadgen
swift build -c release --product calls-ingest
bin=$(swift build -c release --show-bin-path)

calls_log "smoke test against a running stack"
export CALLS_DATABASE_URL="postgres://calls:calls@127.0.0.1:$pg_port/calls"
export CALLS_REDIS_URL="redis://127.0.0.1:$redis_port/1"
export CALLS_RECORDINGS_DIR="$work/recordings"
export CALLS_HTTP_HOST=127.0.0.1
# Callbacks on, so the contract test can create calls with a callback_url; a limit the runs never reach, so
# every request still passes through the token bucket; event streams of a second, so the contract test's
# streams over calls that never finish end quickly.
export CALLS_CALLBACK_SIGNING_KEY=make-test-callback-signing-key-0123456789
export CALLS_RATE_LIMIT_PER_SECOND=1000 CALLS_EVENT_STREAM_MAX_SECONDS=1
# Short idle timeout and a low connection cap, so the abuse test sees them act within its bounded time.
export CALLS_HTTP_IDLE_TIMEOUT_SECONDS=3 CALLS_HTTP_MAX_CONNECTIONS=300
export CALLS_HTTP_PORT CALLS_GRPC_PORT
CALLS_HTTP_PORT=$(calls_free_port)
CALLS_GRPC_PORT=$(calls_free_port)
"$bin/calls-api" serve --migrate &
api_pid=$!
calls_track "$api_pid" calls-api
for index in 1 2; do
  "$bin/calls-worker" --concurrency 2 &
  calls_track "$!" calls-worker-$index
done
calls_wait_http "http://127.0.0.1:$CALLS_HTTP_PORT/readyz" 60 || calls_die "the API did not become ready"
# The stack runs as in production, with API keys required.
CALLS_API_KEY=$("$bin/calls-api" keys create --role write --name "make test" | tail -n 1)
export CALLS_API_KEY
BASE_URL="http://127.0.0.1:$CALLS_HTTP_PORT" python3 scripts/smoke_test.py
BASE_URL="http://127.0.0.1:$CALLS_HTTP_PORT" API_PID=$api_pid python3 scripts/upload_memory.py

calls_log "gRPC: the Python grpcio client, its stubs made from proto/, against the running stack"
# A second API over the same database and queue, with a 1 MiB upload cap, for the oversize refusal.
small_http=$(calls_free_port)
small_grpc=$(calls_free_port)
CALLS_HTTP_PORT=$small_http CALLS_GRPC_PORT=$small_grpc CALLS_MAX_UPLOAD_BYTES=1048576 "$bin/calls-api" serve &
calls_track "$!" calls-api-small
calls_wait_http "http://127.0.0.1:$small_http/readyz" 60 || calls_die "the second API did not become ready"
CALLS_READ_KEY=$("$bin/calls-api" keys create --role read --name "grpc read" | tail -n 1) \
  GRPC_TARGET="127.0.0.1:$CALLS_GRPC_PORT" GRPC_SMALL_TARGET="127.0.0.1:$small_grpc" \
  BASE_URL="http://127.0.0.1:$CALLS_HTTP_PORT" python3 scripts/grpc_client_test.py

calls_log "calls-ingest: 200 pairs over http and grpc through two API outages and a SIGKILL of the client"
mkdir -p "$work/ingest"
python3 scripts/ingest_e2e.py "$bin" "$work/ingest"

calls_log "wallboard: headless chromium replays queue events through the API and reads /panel"
BASE_URL="http://127.0.0.1:$CALLS_HTTP_PORT" SCREENSHOT="$work/panel.png" python3 scripts/panel_browser_test.py
calls_log "wallboard screenshot: $work/panel.png"

calls_log "calls-events tail: two PBXs' queue_logs, rotated and truncated, pushed to the running stack"
BASE_URL="http://127.0.0.1:$CALLS_HTTP_PORT" python3 scripts/tail_e2e.py "$bin" "$work/tail"

calls_log "calls-loadgen activity: subscriber events through the running stack, every one verified (global rows too: nothing else writes events meanwhile)"
"$bin/calls-loadgen" activity --api "http://127.0.0.1:$CALLS_HTTP_PORT" --rate 2000 --duration 10s --users 200 \
  --workers 4 --duplicates 0.05 --batch 200 --verify-timeout 60s --check-global

calls_log "contract test: schemathesis against the running stack"
CALLS_API_KEY=$("$bin/calls-api" keys create --role admin --name "contract test" | tail -n 1) \
  BASE_URL="http://127.0.0.1:$CALLS_HTTP_PORT" bash scripts/contract_test.sh

calls_log "abuse test: the attacks of issue 13 against the running stack"
CALLS_API_KEY=$("$bin/calls-api" keys create --role admin --name "abuse test" | tail -n 1) \
  BASE_URL="http://127.0.0.1:$CALLS_HTTP_PORT" API_PID=$api_pid python3 scripts/abuse_test.py

# The suite's own closing line is the verdict; repeat it last so it is the final word of the run.
grep -E "^(✔|✘|􀟈|􀢄)? ?Test run with" "$work/swift-test.log" | tail -n 1 || tail -n 1 "$work/swift-test.log"
