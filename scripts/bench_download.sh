#!/usr/bin/env bash
# Download benchmark (issue 5): a 230 MB recording through a private release stack, once with local storage
# and once with S3 storage (moto on loopback). Prints Markdown. Usage: bench_download.sh BIN_DIR
source "$(dirname "$0")/lib.sh"
# No gRPC server unless asked for: a benchmark may run several APIs, and 9090 may be taken.
export CALLS_GRPC_PORT=${CALLS_GRPC_PORT:-off}
cd "$(dirname "$0")/.."
bin=$1
calls_use_work_directory calls-bench-download

calls_install_python_packages
calls_start_private_services
s3_port=$(calls_free_port)
calls_start_s3 "$work/s3.log" "$s3_port" 2>/dev/null
calls_track "$CALLS_S3_PID" s3
"${CALLS_TEST_PYTHON:-python3}" - "$s3_port" <<'PY'
import sys, boto3
boto3.client("s3", endpoint_url=f"http://127.0.0.1:{sys.argv[1]}", aws_access_key_id="bench",
             aws_secret_access_key="bench", region_name="us-east-1").create_bucket(Bucket="bench-recordings")
PY

# Downloads are measured here, not API keys (the search benchmark measures those): keys off, on loopback.
export CALLS_LOG_LEVEL=warning CALLS_AUTH=off CALLS_URL_SIGNING_KEY=bench-signing-key-of-at-least-32-characters

echo "| Storage | Size | Served by | Time | Throughput | API RSS before → peak during the download | Bytes and a range match |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
for storage in local s3; do
  export CALLS_STORAGE=$storage CALLS_RECORDINGS_DIR="$work/recordings-$storage"
  export CALLS_S3_ENDPOINT="http://127.0.0.1:$s3_port" CALLS_S3_BUCKET=bench-recordings
  export CALLS_S3_ACCESS_KEY_ID=bench CALLS_S3_SECRET_ACCESS_KEY=bench
  export CALLS_HTTP_PORT
  CALLS_HTTP_PORT=$(calls_free_port)
  "$bin/calls-api" serve --migrate >/dev/null 2>>"$work/api.log" &
  api_pid=$!
  calls_track "$api_pid" calls-api
  calls_wait_http "http://127.0.0.1:$CALLS_HTTP_PORT/readyz" 60 || calls_die "the API did not become ready"
  result=$(BASE_URL="http://127.0.0.1:$CALLS_HTTP_PORT" API_PID=$api_pid SIZE_MB=230 python3 scripts/bench_download_client.py)
  calls_stop_pid "$api_pid" calls-api
  python3 - "$storage" "$result" <<'PY'
import json, sys
storage, r = sys.argv[1], json.loads(sys.argv[2])
print(f"| {storage} | {r['size_mb']} MB | {r['served_by']} | {r['seconds']} s | {r['mb_per_s']} MB/s | "
      f"{r['api_rss_before_mb']} → {r['api_rss_peak_mb']} MB | {'yes' if r['bytes_match'] and r['range_matches'] else 'NO'} |")
PY
done
