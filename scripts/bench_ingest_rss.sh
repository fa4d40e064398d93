#!/usr/bin/env bash
# calls-ingest's memory while it uploads a 1 GiB WAV to a local calls-api (private PostgreSQL and Redis, keys
# off, no worker): per transport, RUNS runs (default 3) alternating between the transports, each run's VmHWM,
# peak RssAnon and RssFile, and where the resident memory was at its highest sample, kB per mapping
# (/proc/PID/smaps: the binary, each shared library, heap, stacks and other anonymous memory).
# Build first: swift build -c release --product calls-ingest --product calls-api (BIN=DIR for both binaries,
# API_BIN=DIR for the API alone). Usage: scripts/bench_ingest_rss.sh [http|grpc ...] (default: both)
source "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.."
bin=${BIN:-.build/release}
api_bin=${API_BIN:-$bin}
calls_use_work_directory ingest-rss

calls_start_private_services
export CALLS_AUTH=off CALLS_STORAGE=local CALLS_RECORDINGS_DIR="$work/recordings" CALLS_LOG_LEVEL=warning
export CALLS_ARCHIVE_MP3=false
calls_start_api_stack "$api_bin" --no-worker
python3 scripts/bench_ingest_rss.py "$bin/calls-ingest" "http://127.0.0.1:$CALLS_HTTP_PORT" \
  "127.0.0.1:$CALLS_GRPC_PORT" "$work" "$@"
