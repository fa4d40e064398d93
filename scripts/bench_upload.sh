#!/usr/bin/env bash
# Upload benchmark (issue 15): a private PostgreSQL and Redis, the release API (local storage) and one worker,
# scripts/bench_upload_client.py against them: the 230 MiB upload's throughput and the API's memory, the
# floor measured alone in the same run (loopback TCP, SHA-256, page-cache write), and a 60-minute WAV's
# upload→ready. Prints Markdown. Usage: bench_upload.sh BIN_DIR
source "$(dirname "$0")/lib.sh"
# No gRPC server unless asked for: a benchmark may run several APIs, and 9090 may be taken.
export CALLS_GRPC_PORT=${CALLS_GRPC_PORT:-off}
cd "$(dirname "$0")/.."
bin=$1
calls_use_work_directory calls-bench-upload

calls_start_private_services
# Uploads are measured here, not API keys (the search benchmark measures those): keys off, on loopback.
export CALLS_STORAGE=local CALLS_RECORDINGS_DIR="$work/recordings" CALLS_LOG_LEVEL=warning CALLS_AUTH=off
export CALLS_ARCHIVE_MP3=false
export CALLS_HTTP_PORT
CALLS_HTTP_PORT=$(calls_free_port)
"$bin/calls-api" serve --migrate >/dev/null 2>>"$work/api.log" &
api_pid=$!
calls_track "$api_pid" calls-api
calls_wait_http "http://127.0.0.1:$CALLS_HTTP_PORT/readyz" 60 || calls_die "the API did not become ready"
"$bin/calls-worker" >/dev/null 2>>"$work/worker.log" &
calls_track "$!" calls-worker

# The same 60-minute file as the analysis benchmark's (its analysis alone is in that table).
long_wav="$work/mono-8k-60min.wav"
sox -n -r 8000 -c 1 -b 16 "$long_wav" synth 3600 sine 440 tremolo 0.15 95 gain -6

result=$(BASE_URL="http://127.0.0.1:$CALLS_HTTP_PORT" API_PID=$api_pid PGURL="$CALLS_DATABASE_URL" \
  RECORDINGS_DIR="$CALLS_RECORDINGS_DIR" LONG_WAV="$long_wav" python3 scripts/bench_upload_client.py "$bin" "$work")
python3 - "$result" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
n = r["runs"]
print("| Measurement | Median of " + str(n) + " | Runs |")
print("| --- | --- | --- |")
print(f"| Upload of a {r['size_mib']} MiB ({r['size_mb']} MB) WAV (`curl -F`, local storage) | {r['upload_s']} s = **{r['upload_mb_s']} MB/s** | "
      f"{' / '.join(map(str, r['upload_all_s']))} s |")
print(f"| API RSS growth during an upload (largest of the runs) | {r['rss_growth_max_mb']} MB | "
      f"{' / '.join(map(str, r['rss_growth_all_mb']))} MB |")
print(f"| Floor: loopback TCP alone (same curl command, a sink that discards) | {r['tcp_s']} s | |")
print(f"| Floor: SHA-256 alone (`calls-bench sha256`, file in memory) | {r['sha_s']} s | |")
print(f"| Floor: page-cache write alone (256 KiB writes, no fsync) | {r['write_s']} s | |")
print(f"| Floor: the sum | {r['floor_s']} s = {r['floor_mb_s']} MB/s; the upload's rate / the floor's = **{r['ratio']}×** | |")
print(f"| For information: fsync of that written file (the upload syncs before it answers) | {r['fsync_s']} s | |")
print(f"| 60-minute 8 kHz mono WAV ({r['long_mb']} MB): end of the 202 → long poll answers `ready` | "
      f"**{r['long_after_202_s']} s** | {' / '.join(map(str, r['long_after_202_all_s']))} s |")
print(f"| same, from the start of the upload | {r['long_from_start_s']} s | |")
print(f"| same, in PostgreSQL: `calls.updated_at - recordings.created_at` | {r['long_database_s']} s | "
      f"{' / '.join(map(str, r['long_database_all_s']))} s |")
PY
