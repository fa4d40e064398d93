#!/usr/bin/env bash
# calls-ingest's memory while it uploads a 1 GB WAV to a local calls-api (private PostgreSQL and Redis):
# peak VmHWM, and the peaks of its private (RssAnon) and file-backed (RssFile, shared library code) parts,
# sampled from /proc every 0.1 s. Build first: swift build -c release --product calls-ingest --product calls-api
# (BIN=DIR for both binaries, API_BIN=DIR for the API alone). Usage: scripts/bench_ingest_rss.sh
set -u
cd "$(dirname "$0")/.." || exit 2
bin=${BIN:-.build/release}
api_bin=${API_BIN:-$bin}
source scripts/lib.sh
calls_use_work_directory ingest-rss-$$
calls_start_private_services
work=$(mktemp -d /tmp/ingest-rss.XXXX)
mkdir -p "$work/watch" "$work/recordings" "$work/state"
port=$(calls_free_port)

CALLS_AUTH=off CALLS_HTTP_HOST=127.0.0.1 CALLS_HTTP_PORT=$port CALLS_GRPC_PORT=$(calls_free_port) CALLS_RECORDINGS_DIR="$work/recordings" \
  "$api_bin/calls-api" serve --migrate > "$work/api.log" 2>&1 &
api=$!
calls_wait_http "http://127.0.0.1:$port/healthz" 60 || { echo api did not start; cat "$work/api.log"; }
python3 - "$work/watch/big.wav" <<'PY'
import struct, sys
size = 1 << 30
data = size - 44
with open(sys.argv[1], "wb") as f:
    f.write(b"RIFF" + struct.pack("<I", 36 + data) + b"WAVEfmt " + struct.pack("<IHHIIHH", 16, 1, 1, 8000, 16000, 2, 16) + b"data" + struct.pack("<I", data))
    block = bytes(range(256)) * 4096
    left = data
    while left > 0:
        n = min(left, len(block)); f.write(block[:n]); left -= n
PY
echo '{"caller": "+15550100", "receiver": "+15550101", "started_at": "2026-11-21T09:30:00Z"}' > "$work/watch/big.json"
echo dummy > "$work/key"
start=$(date +%s.%N)
"$bin/calls-ingest" --once --watch "$work/watch" --api "http://127.0.0.1:$port" --key-file "$work/key" \
  --station rss --state "$work/state" --settle 0.5 > "$work/ingest.log" 2>&1 &
ingest=$!
hwm=0; anon=0; file=0
while kill -0 $ingest 2>/dev/null; do
  v=$(awk '/VmHWM/ {print $2}' /proc/$ingest/status 2>/dev/null)
  [ -n "$v" ] && hwm=$v
  a=$(awk '/RssAnon/ {print $2}' /proc/$ingest/status 2>/dev/null)
  [ -n "$a" ] && [ "$a" -gt "$anon" ] && anon=$a
  f=$(awk '/RssFile/ {print $2}' /proc/$ingest/status 2>/dev/null)
  [ -n "$f" ] && [ "$f" -gt "$file" ] && file=$f
  sleep 0.1
done
wait $ingest; status=$?
end=$(date +%s.%N)
echo "exit=$status VmHWM=${hwm} kB peak RssAnon=${anon} kB peak RssFile=${file} kB elapsed=$(python3 -c "print(round($end - $start, 2))") s"
tail -2 "$work/ingest.log"
kill $api; wait $api 2>/dev/null
calls_stop_started 2>/dev/null
rm -rf "$work"
