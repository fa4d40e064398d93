#!/usr/bin/env bash
# gRPC benchmark (issue 19): a private PostgreSQL and Redis, the release API with its gRPC server (local
# storage, keys off) and one worker; scripts/bench_grpc_client.py uploads the same 230 MiB WAV over REST and
# over gRPC and times `GetCall` against `GET /calls/{id}`. Prints Markdown. Usage: bench_grpc.sh BIN_DIR
source "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.."
bin=$1
calls_use_work_directory calls-bench-grpc

calls_start_private_services
export CALLS_STORAGE=local CALLS_RECORDINGS_DIR="$work/recordings" CALLS_LOG_LEVEL=warning CALLS_AUTH=off
export CALLS_ARCHIVE_MP3=false
calls_start_api_stack "$bin"

result=$(BASE_URL="http://127.0.0.1:$CALLS_HTTP_PORT" GRPC_TARGET="127.0.0.1:$CALLS_GRPC_PORT" \
  python3 scripts/bench_grpc_client.py "$work")
python3 - "$result" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
n = r["runs"]
print("| Measurement | Median of " + str(n) + " | Runs |")
print("| --- | --- | --- |")
print(f"| REST upload of a {r['size_mib']} MiB ({r['size_mb']} MB) WAV (`curl -F`) | {r['rest_s']} s = {r['rest_mb_s']} MB/s | "
      f"{' / '.join(map(str, r['rest_all_s']))} s |")
print(f"| gRPC `UploadRecording` of the same file (grpcio, {r['chunk_kib']} KiB chunks) | {r['grpc_s']} s = {r['grpc_mb_s']} MB/s | "
      f"{' / '.join(map(str, r['grpc_all_s']))} s |")
print(f"| gRPC time / REST time | **{r['ratio']}×** (target ≤ 1.2×) | |")
print(f"| `GET /calls/{{id}}` (http.client, keep-alive), {r['requests']} sequential | p50 {r['rest_p50_ms']} ms, p95 {r['rest_p95_ms']} ms | |")
print(f"| `GetCall` (grpcio channel), the same call, interleaved | p50 {r['grpc_p50_ms']} ms, p95 {r['grpc_p95_ms']} ms | |")
PY
