#!/usr/bin/env bash
# Station client benchmark (issue 19): a private PostgreSQL and Redis, the release API with its gRPC server and
# one worker; scripts/bench_ingest_client.py runs calls-ingest --once over 1 000 small pairs and over one 1 GiB
# recording on each transport, with curl's upload of the same file as the baseline. Prints Markdown.
# Usage: bench_ingest.sh BIN_DIR
source "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.."
bin=$1
calls_use_work_directory calls-bench-ingest

calls_start_private_services
export CALLS_STORAGE=local CALLS_RECORDINGS_DIR="$work/recordings" CALLS_LOG_LEVEL=warning CALLS_ARCHIVE_MP3=false
export CALLS_RATE_LIMIT_PER_SECOND=100000
export CALLS_HTTP_PORT CALLS_GRPC_PORT
CALLS_HTTP_PORT=$(calls_free_port)
CALLS_GRPC_PORT=$(calls_free_port)
"$bin/calls-api" serve --migrate >/dev/null 2>>"$work/api.log" &
calls_track "$!" calls-api
calls_wait_http "http://127.0.0.1:$CALLS_HTTP_PORT/readyz" 60 || calls_die "the API did not become ready"
"$bin/calls-worker" >/dev/null 2>>"$work/worker.log" &
calls_track "$!" calls-worker
key=$("$bin/calls-api" keys create --role write --name "ingest benchmark" | tail -n 1)

result=$(BASE_URL="http://127.0.0.1:$CALLS_HTTP_PORT" GRPC_TARGET="127.0.0.1:$CALLS_GRPC_PORT" CALLS_API_KEY=$key \
  python3 scripts/bench_ingest_client.py "$bin" "$work")
python3 - "$result" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
print("| Measurement | HTTP | gRPC |")
print("| --- | --- | --- |")
h, g = r["small_http"], r["small_grpc"]
print(f"| {r['pairs']} small pairs (4 s WAV + JSON), `calls-ingest --once --parallel 8`, start to exit | "
      f"{h['seconds']} s = **{h['per_minute']} pairs/min** | {g['seconds']} s = **{g['per_minute']} pairs/min** |")
print(f"| client peak RSS during those | {h['peak_rss_mb']} MB | {g['peak_rss_mb']} MB |")
h, g = r["big_http"], r["big_grpc"]
print(f"| one {r['big_mib']} MiB ({r['big_mb']} MB) WAV, `calls-ingest --once`, start to exit | "
      f"{h['seconds']} s = {h['mb_s']} MB/s | {g['seconds']} s = {g['mb_s']} MB/s |")
print(f"| baseline: `curl -F` of the same file, the same run | {r['curl_s']} s = {r['curl_mb_s']} MB/s | |")
print(f"| rate / curl's rate (target ≥ 0.8) | **{h['of_curl']}** | **{g['of_curl']}** |")
print(f"| client peak RSS during the {r['big_mib']} MiB upload (VmHWM; target ≤ 32 MB) | **{h['peak_rss_mb']} MB** | **{g['peak_rss_mb']} MB** |")
PY
