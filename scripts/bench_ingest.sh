#!/usr/bin/env bash
# Station client benchmark (issue 19): a private PostgreSQL and Redis, the release API with its gRPC server and
# one worker; scripts/bench_ingest_client.py runs calls-ingest --once over 1 000 small pairs and, BIG_RUNS rounds
# (default 3), over one 1 GiB recording on each transport, with curl's upload of the same file in the same
# round as the baseline. Prints Markdown.
# Usage: bench_ingest.sh BIN_DIR
source "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.."
bin=$1
calls_use_work_directory calls-bench-ingest

calls_start_private_services
export CALLS_STORAGE=local CALLS_RECORDINGS_DIR="$work/recordings" CALLS_LOG_LEVEL=warning CALLS_ARCHIVE_MP3=false
export CALLS_RATE_LIMIT_PER_SECOND=100000
calls_start_api_stack "$bin"
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
n = r["big_runs"]
runs = lambda values, unit="": " / ".join(f"{v}{unit}" for v in values)
print(f"| one {r['big_mib']} MiB ({r['big_mb']} MB) WAV, `calls-ingest --once`, start to exit (median of {n}; runs) | "
      f"{h['seconds']} s = {h['mb_s']} MB/s ({runs(h['all_s'])} s) | {g['seconds']} s = {g['mb_s']} MB/s ({runs(g['all_s'])} s) |")
print(f"| baseline: `curl -F` of the same file, each round (median; runs) | {r['curl_s']} s = {r['curl_mb_s']} MB/s "
      f"({runs(r['curl_all_s'])} s) | |")
print(f"| rate / curl's rate of the same round (median; runs; target ≥ 0.8) | **{h['of_curl']}** ({runs(h['all_of_curl'])}) | "
      f"**{g['of_curl']}** ({runs(g['all_of_curl'])}) |")
print(f"| client CPU time, user + system (median; curl's: {r['curl_cpu_s']} s) | {h['cpu_s']} s | {g['cpu_s']} s |")
print(f"| client peak RSS during the {r['big_mib']} MiB upload (VmHWM, highest of {n}; runs; target ≤ 32 MB) | "
      f"**{h['peak_rss_mb']} MB** ({runs(h['all_peak_rss_mb'])}) | **{g['peak_rss_mb']} MB** ({runs(g['all_peak_rss_mb'])}) |")
PY
