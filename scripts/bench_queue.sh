#!/usr/bin/env bash
# Queue benchmark (issue 4): a private PostgreSQL + Redis on free ports, the release API and W worker
# processes, and scripts/load_test.py against them. Prints Markdown. Usage: bench_queue.sh BIN_DIR
source "$(dirname "$0")/lib.sh"
# No gRPC server unless asked for: a benchmark may run several APIs, and 9090 may be taken.
export CALLS_GRPC_PORT=${CALLS_GRPC_PORT:-off}
cd "$(dirname "$0")/.."
bin=$1
calls_use_work_directory calls-bench

calls_start_private_services
# The pipeline is measured here, not API keys (the search benchmark measures those): keys off, on loopback.
export CALLS_RECORDINGS_DIR="$work/recordings" CALLS_LOG_LEVEL=warning CALLS_AUTH=off
# These rows measure the analysis pipeline (issue 4); MP3 archiving is switched on for one row only, to show
# what the conversions running alongside cost it (the conversion itself: scripts/bench_archive.py).
export CALLS_ARCHIVE_MP3=false
export CALLS_HTTP_PORT
CALLS_HTTP_PORT=$(calls_free_port)
export PGURL="$CALLS_DATABASE_URL" BASE_URL="http://127.0.0.1:$CALLS_HTTP_PORT"
"$bin/calls-api" serve --migrate >/dev/null 2>>"$work/api.log" &
calls_track "$!" calls-api
calls_wait_http "$BASE_URL/readyz" 60 || calls_die "the API did not become ready"

workers=()
start_workers() {  # count [calls-worker arguments]
  local count=$1 index
  shift
  for index in $(seq 1 "$count"); do
    "$bin/calls-worker" "$@" >/dev/null 2>>"$work/worker.log" &
    workers+=("$!")
  done
}
# is_our_worker PID: the PID is one this script started and is still a calls-worker (not a recycled PID).
is_our_worker() {
  local pid=$1 started
  for started in "${workers[@]}"; do
    [ "$started" = "$pid" ] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "^$bin/calls-worker" && return 0
  done
  return 1
}
stop_workers() {
  local pid
  for pid in "${workers[@]}"; do calls_stop_pid "$pid" calls-worker; done
  workers=()
}

row() {  # label, JSON from load_test.py
  python3 - "$1" "$2" <<'PY'
import json, sys
label, r = sys.argv[1], json.loads(sys.argv[2])
errors = {k: v for k, v in r["statuses"].items() if k != "202"} or "none"
print(f"| {label} | {r['accepted']}/{r['calls']} | {r['uploads_per_s']} | {r['completed_per_s']} | "
      f"{r['p50_ms']} / {r['p95_ms']} / {r['p99_ms']} ms | {r['lost']} | {r['attempts_over_1']} | {errors} |")
PY
}

echo "| Scenario | Accepted | Uploads/s | Completed/s | Upload→ready p50 / p95 / p99 | Lost | Calls analysed more than once | Errors |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
# About five seconds of load each, so start-up and the last stragglers weigh little in completed/s. The
# default deployment (`make run`: 2 worker processes) runs three times: this shared VM's speed varies.
start_workers 1
row "1 worker process, 8 clients, 1500 × 10 s WAV" "$(CLIENTS=8 CALLS=1500 SECONDS_OF_AUDIO=10 python3 scripts/load_test.py)"
stop_workers
for run in 1 2 3; do
  start_workers 2
  row "2 worker processes (run $run of 3), 8 clients, 1500 × 10 s WAV" "$(CLIENTS=8 CALLS=1500 SECONDS_OF_AUDIO=10 python3 scripts/load_test.py)"
  stop_workers
done
start_workers 1 --concurrency 4
row "1 worker process with \`--concurrency 4\`, 8 clients, 1500 × 10 s WAV" "$(CLIENTS=8 CALLS=1500 SECONDS_OF_AUDIO=10 python3 scripts/load_test.py)"
stop_workers
CALLS_ARCHIVE_MP3=true start_workers 2
row "2 worker processes with MP3 archiving on (1 archive slot each besides the 2 analysis slots), 8 clients, 1500 × 10 s WAV" \
  "$(CLIENTS=8 CALLS=1500 SECONDS_OF_AUDIO=10 python3 scripts/load_test.py)"
stop_workers
start_workers 1
row "idle: 1 client, 20 × 30 s WAV, 1 worker" "$(CLIENTS=1 CALLS=20 SECONDS_OF_AUDIO=30 python3 scripts/load_test.py)"
stop_workers

# Chaos: 500 calls (2-minute recordings, so a kill often catches a job in flight) at 25 per second while one
# of the two workers is SIGKILLed every 2 seconds and replaced.
# A short heartbeat TTL, as an operator expecting crashes would set it; recovery time is the upload→ready
# time of the calls whose analysis had to be re-run.
export CALLS_HEARTBEAT_TTL_SECONDS=2
start_workers 2
RATE=25 CLIENTS=4 CALLS=500 SECONDS_OF_AUDIO=120 COUNT_RESULT_WRITES=1 python3 scripts/load_test.py >"$work/chaos.json" &
load=$!
kills=0
while [ "$kills" -lt 60 ] && kill -0 "$load" 2>/dev/null; do
  sleep 2
  kill -0 "$load" 2>/dev/null || break
  slot=$((kills % ${#workers[@]}))
  victim=${workers[slot]}
  if is_our_worker "$victim"; then
    kill -KILL "$victim"
    wait "$victim" 2>/dev/null || true
    kills=$((kills + 1))
  fi
  "$bin/calls-worker" >/dev/null 2>>"$work/worker.log" &
  workers[slot]=$!
done
wait "$load"
stop_workers
echo
echo "| Chaos scenario | Accepted | Worker kills | Lost | Duplicate effects | Calls re-run after a kill | Their upload→ready p50 / max | All calls p50 / p99 | Errors |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
python3 - "$kills" "$(cat "$work/chaos.json")" <<'PY'
import json, sys
kills, r = sys.argv[1], json.loads(sys.argv[2])
errors = {k: v for k, v in r["statuses"].items() if k != "202"} or "none"
recovery = f"{r['rerun_p50_ms']} / {r['rerun_max_ms']} ms" if r["rerun"] else "— (no kill caught a job in flight)"
print(f"| 2 workers, one SIGKILLed every 2 s, 500 × 2-minute WAV at 25/s, heartbeat TTL 2 s | {r['accepted']}/{r['calls']} | "
      f"{kills} | {r['lost']} | {r['duplicate_effects']} | {r['rerun']} | {recovery} | "
      f"{r['p50_ms']} / {r['p99_ms']} ms | {errors} |")
PY
