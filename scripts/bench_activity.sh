#!/usr/bin/env bash
# Subscriber activity end to end (issue 18): a private PostgreSQL and Redis, the release API (keys on) and one
# release worker with the roles activity-ingest and activity-aggregate, all on this machine; calls-loadgen
# sends events at RATE per second for 60 s and verifies every one in the database and every day and month
# aggregate. Records events/s sent (202) and applied (verified), the latency to the database (measured on the
# load generator's latency probe: a fixed sample of subscribers polled often) and the CPU of each process (utime + stime from
# /proc/PID/stat before and after the run; PostgreSQL's backends and reaped children included). Prints Markdown.
# Also samples the streams' backlog (scripts/activity_stream_lag.py) and the CPU of the sending phase alone.
# Usage: bench_activity.sh BIN_DIR [RATE]  (RATE default 20000; BENCH_ACTIVITY_SECONDS overrides the 60 s;
# BENCH_ACTIVITY_ARGS replaces the load generator's extra options, by default
# `--check-global --poll-interval 0.5 --verify after`)
source "$(dirname "$0")/lib.sh"
# No gRPC server unless asked for: a benchmark may run several APIs, and 9090 may be taken.
export CALLS_GRPC_PORT=${CALLS_GRPC_PORT:-off}
cd "$(dirname "$0")/.."
bin=$1
rate=${2:-${BENCH_ACTIVITY_RATE:-20000}}
seconds=${BENCH_ACTIVITY_SECONDS:-60}
calls_use_work_directory calls-bench-activity

calls_start_private_services
# A rate limit the load generator never reaches; the limiter itself still runs on every request.
export CALLS_LOG_LEVEL=warning CALLS_RECORDINGS_DIR="$work/recordings" CALLS_HTTP_PORT CALLS_RATE_LIMIT_PER_SECOND=1000000
CALLS_HTTP_PORT=$(calls_free_port)
"$bin/calls-api" serve --migrate >/dev/null 2>>"$work/api.log" &
api_pid=$!
calls_track "$api_pid" calls-api
calls_wait_http "http://127.0.0.1:$CALLS_HTTP_PORT/readyz" 60 || calls_die "the API did not become ready"
"$bin/calls-api" keys create --role write --name "activity benchmark" | tail -n 1 >"$work/key"
CALLS_WORKER_ROLES=activity-ingest,activity-aggregate "$bin/calls-worker" >/dev/null 2>>"$work/worker.log" &
worker_pid=$!
calls_track "$worker_pid" calls-worker
sleep 2
kill -0 "$worker_pid" 2>/dev/null || calls_die "calls-worker stopped (see $work/worker.log: are the activity roles built?)"

# CPU ticks of a process: utime + stime (fields 14, 15 of /proc/PID/stat; the name in parentheses may hold spaces).
ticks() { sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | awk '{print $12 + $13}'; }
# PostgreSQL: the postmaster, every live child, and what reaped children used (cutime + cstime of the postmaster).
postgres_ticks() {
  local total children child
  total=$(sed 's/^.*) //' "/proc/$CALLS_PG_PID/stat" | awk '{print $12 + $13 + $14 + $15}')
  children=$(cat /proc/"$CALLS_PG_PID"/task/*/children 2>/dev/null)
  for child in $children; do
    sample=$(ticks "$child" || true)
    total=$((total + ${sample:-0}))
  done
  echo "$total"
}
snapshot() { echo "$(ticks "$api_pid") $(ticks "$worker_pid") $(postgres_ticks) $(ticks "$CALLS_REDIS_PID")"; }
hz=$(getconf CLK_TCK)

# The streams' backlog (undelivered + unacknowledged entries of each group), sampled over one Redis connection.
redis_port=${CALLS_REDIS_URL##*:}
redis_port=${redis_port%%/*}
python3 scripts/activity_stream_lag.py "$redis_port" "${CALLS_QUEUE_NAME:-calls}" "${CALLS_ACTIVITY_PARTITIONS:-8}" 0.5 >"$work/streams.json" &
sampler_pid=$!
calls_track "$sampler_pid" stream-sampler
before=($(snapshot))
started=$(date +%s.%N)
"$bin/calls-loadgen" activity --api "http://127.0.0.1:$CALLS_HTTP_PORT" --key-file "$work/key" --rate "$rate" \
  --duration "${seconds}s" --users 1000 --workers 8 --duplicates 0.05 --batch 500 --verify-timeout 120s --json ${BENCH_ACTIVITY_ARGS---check-global --poll-interval 0.5 --verify after} \
  >"$work/summary.json" 2>"$work/loadgen.log" &
loadgen_pid=$!
calls_track "$loadgen_pid" calls-loadgen
# calls-loadgen's own CPU, read just before it exits (its /proc entry goes with it): sampled every 0.2 s.
# A second snapshot when the sending ends, so the CPU of the sending phase shows apart from the verification after.
loadgen_ticks=0
send_snapshot=()
send_loadgen_ticks=0
while kill -0 "$loadgen_pid" 2>/dev/null; do
  sample=$(ticks "$loadgen_pid" || true)
  [ -n "$sample" ] && loadgen_ticks=$sample
  if [ ${#send_snapshot[@]} -eq 0 ] && awk -v a="$started" -v b="$(date +%s.%N)" -v s="$seconds" 'BEGIN {exit !(b - a >= s)}'; then
    send_snapshot=($(snapshot))
    send_loadgen_ticks=$loadgen_ticks
  fi
  sleep 0.2
done
kill -TERM "$sampler_pid" 2>/dev/null
wait "$sampler_pid" 2>/dev/null || true
status=0
wait "$loadgen_pid" || status=$?
elapsed=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN {print b - a}')
after=($(snapshot))

cpu() { awk -v a="$1" -v b="$2" -v hz="$hz" -v s="$elapsed" 'BEGIN {printf "%.1f", (b - a) * 100 / hz / s}'; }
python3 - "$work/summary.json" "$status" "$rate" "$seconds" "$work/streams.json" <<'PY'
import json, sys
path, status, rate, seconds, streams_path = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
s = json.load(open(path))
fmt = lambda v: "-" if v is None else f"{v:.0f}"
target = f"{int(float(rate)):,}".replace(",", " ")
print(f"Target {target} events/s for {seconds} s, 1 000 subscribers, 5 % duplicates, batches of 500 over 8 senders "
      f"(source `{s['source_id']}`); exit status {status}.")
print()
sampling = ""
if "latency_users" in s:
    sampling = (f", {s['latency_samples']} events of {s['latency_users']} sampled subscribers; "
                f"other subscribers verified {s['verify_mode']} the send")
global_rows = "-"
if s.get("global_aggregates_checked") is not None:
    global_rows = f"{s['global_aggregates_checked']} / {s['global_aggregates_mismatched']}"
print("| events/s sent (202) | events/s applied (verified) | sent (unique + duplicates) | verified | missing | failed "
      "| latency to the database p50 / p99 | aggregates checked / mismatched | global rows checked / mismatched |")
print("|---|---|---|---|---|---|---|---|---|")
print(f"| {s['events_per_second']:.0f} | {fmt(s.get('applied_per_second'))} | {s['unique_events']} + {s['duplicates_sent']} "
      f"| {s['verified']} | {s['missing']} | {s['failed']} "
      f"| {fmt(s.get('latency_p50_ms'))} / {fmt(s.get('latency_p99_ms'))} ms (poll every {s['poll_interval_ms']:.0f} ms{sampling}) "
      f"| {s['aggregates_checked']} / {s['aggregates_mismatched']} | {global_rows} |")
try:
    streams = json.load(open(streams_path))
except (OSError, ValueError):
    streams = None
if streams:
    largest = streams["largest_backlog"]
    drained = streams["drained_at_seconds"]
    per_second = s["events_per_second"] or 1
    line = (f"Streams (sampled every 0.5 s): largest backlog ingest {largest['ingest']} / aggregate {largest['aggregate']} "
            f"entries (≈ {max(largest.values()) / per_second:.2f} s of the sent traffic)")
    if drained:
        line += (f"; both groups had applied everything {drained:.1f} s after the start (sending took "
                 f"{s['send_seconds']:.1f} s): at least {s['unique_events'] / drained:.0f} unique events/s applied over the whole run")
    if streams.get("lag_unknown"):
        line += f" (Redis could not tell the lag in {streams['lag_unknown']} samples: those counted pending entries only)"
    print()
    print(line + ".")
notes = s["mismatches"][:3] + s["missing_events"][:3] + s["failures"][:3]
if notes:
    print()
    for line in notes:
        print(f"- {line}")
PY
echo
if [ ${#send_snapshot[@]} -gt 0 ]; then
  send_cpu() { awk -v a="$1" -v b="$2" -v hz="$hz" -v s="$seconds" 'BEGIN {printf "%.1f", (b - a) * 100 / hz / s}'; }
  echo "CPU while sending (the first $seconds s), % of one core:"
  echo
  echo "| calls-api | calls-worker | postgres (all processes) | redis-server | calls-loadgen |"
  echo "|---|---|---|---|---|"
  echo "| $(send_cpu "${before[0]}" "${send_snapshot[0]}") | $(send_cpu "${before[1]}" "${send_snapshot[1]}") | $(send_cpu "${before[2]}" "${send_snapshot[2]}") | $(send_cpu "${before[3]}" "${send_snapshot[3]}") | $(send_cpu 0 "$send_loadgen_ticks") |"
  echo
fi
echo "CPU over the whole run ($(printf '%.0f' "$elapsed") s, sending and verifying), % of one core:"
echo
echo "| calls-api | calls-worker | postgres (all processes) | redis-server | calls-loadgen |"
echo "|---|---|---|---|---|"
echo "| $(cpu "${before[0]}" "${after[0]}") | $(cpu "${before[1]}" "${after[1]}") | $(cpu "${before[2]}" "${after[2]}") | $(cpu "${before[3]}" "${after[3]}") | $(cpu 0 "$loadgen_ticks") |"
