#!/usr/bin/env bash
# gRPC benchmark (issue 19): a private PostgreSQL and Redis, the release API with its gRPC server (local
# storage, keys off) and one worker; scripts/bench_grpc_client.py uploads the same 230 MiB WAV over REST and
# over gRPC and times `GetCall` against `GET /calls/{id}`. The uploads run twice: with the clients sharing the
# API's CPUs, then with the API's threads held to the first half of the CPUs and the clients to the other half,
# as when they upload from another machine (a gRPC client costs several times curl's CPU, and on a small
# machine that comes out of the API's share). Prints Markdown. Usage: bench_grpc.sh BIN_DIR
source "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.."
bin=$1
calls_use_work_directory calls-bench-grpc

calls_start_private_services
export CALLS_STORAGE=local CALLS_RECORDINGS_DIR="$work/recordings" CALLS_LOG_LEVEL=warning CALLS_AUTH=off
export CALLS_ARCHIVE_MP3=false
calls_start_api_stack "$bin"

export BASE_URL="http://127.0.0.1:$CALLS_HTTP_PORT" GRPC_TARGET="127.0.0.1:$CALLS_GRPC_PORT"
export API_PID
API_PID=$(calls_started_pid calls-api)
result=$(python3 scripts/bench_grpc_client.py "$work")
# The CPUs this script may use (a container's cpuset need not start at 0), halved; with one, no second pass.
read -r api_cpus client_cpus < <(python3 -c '
import os
cpus = sorted(os.sched_getaffinity(0))
half = len(cpus) // 2
print(",".join(map(str, cpus[:half])) or "-", ",".join(map(str, cpus[half:])))')
split='{}'
if [ "$api_cpus" != - ]; then
  taskset -a -p -c "$api_cpus" "$API_PID" >/dev/null
  split=$(UPLOADS_ONLY=1 taskset -c "$client_cpus" python3 scripts/bench_grpc_client.py "$work")
fi
python3 - "$result" "$split" "$api_cpus" "$client_cpus" <<'PY'
import json, sys
r, split = json.loads(sys.argv[1]), json.loads(sys.argv[2])
api_cpus, client_cpus = sys.argv[3:]
n = r["runs"]
print("| Measurement | Median of " + str(n) + " | Runs |")
print("| --- | --- | --- |")
print(f"| REST upload of a {r['size_mib']} MiB ({r['size_mb']} MB) WAV (`curl -F`) | {r['rest_s']} s = {r['rest_mb_s']} MB/s | "
      f"{' / '.join(map(str, r['rest_all_s']))} s |")
print(f"| gRPC `UploadRecording` of the same file (grpcio, {r['chunk_kib']} KiB chunks) | {r['grpc_s']} s = {r['grpc_mb_s']} MB/s | "
      f"{' / '.join(map(str, r['grpc_all_s']))} s |")
print(f"| gRPC time / REST time | **{r['ratio']}×** (target ≤ 1.2×) | |")
print(f"| the API's CPU time per upload, user + system (median): REST / gRPC | {r['rest_api_cpu_s']} s / {r['grpc_api_cpu_s']} s "
      f"= **{r['api_cpu_ratio']}×** | |")
print(f"| the client's CPU time per upload (median): curl / grpcio | {r['rest_client_cpu_s']} s / {r['grpc_client_cpu_s']} s | |")
if split:
    where = f"API on CPUs {api_cpus}, clients on CPUs {client_cpus}"
    print(f"| REST upload, {where} | {split['rest_s']} s = {split['rest_mb_s']} MB/s | "
          f"{' / '.join(map(str, split['rest_all_s']))} s |")
    print(f"| gRPC upload, {where} | {split['grpc_s']} s = {split['grpc_mb_s']} MB/s | "
          f"{' / '.join(map(str, split['grpc_all_s']))} s |")
    print(f"| gRPC time / REST time, {where} | **{split['ratio']}×** (target ≤ 1.2×) | |")
    print(f"| the API's CPU time per upload there: REST / gRPC | {split['rest_api_cpu_s']} s / {split['grpc_api_cpu_s']} s "
          f"= {split['api_cpu_ratio']}× | |")
else:
    print("| the same with the API and the clients on CPUs of their own | not measured: one CPU | |")
print(f"| `GET /calls/{{id}}` (http.client, keep-alive), {r['requests']} sequential | p50 {r['rest_p50_ms']} ms, p95 {r['rest_p95_ms']} ms | |")
print(f"| `GetCall` (grpcio channel), the same call, interleaved | p50 {r['grpc_p50_ms']} ms, p95 {r['grpc_p95_ms']} ms | |")
PY
