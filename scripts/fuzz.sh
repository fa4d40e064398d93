#!/usr/bin/env bash
# Fuzzes the decoder entry (probe + analysis) with libFuzzer for a bounded time.
#   scripts/fuzz.sh [SECONDS]      default 60; findings land in .build-fuzz/findings/
# Replay a finding with the normal build: swift run calls-fuzz-decoder FILE...
source "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.."
seconds=${1:-60}

calls_log "building the fuzz target (libFuzzer + AddressSanitizer)"
swift build --product calls-fuzz-decoder --build-path .build-fuzz \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING >/dev/null
bin=$(swift build --product calls-fuzz-decoder --build-path .build-fuzz --show-bin-path)/calls-fuzz-decoder

seeds=.build-fuzz/seeds
corpus=.build-fuzz/corpus
findings=.build-fuzz/findings
mkdir -p "$seeds" "$corpus" "$findings"
if [ ! -s "$seeds/tone.wav" ]; then
  sox -n -r 8000 -c 1 -b 16 "$seeds/tone.wav" synth 0.3 sine 440
  sox -n -r 8000 -c 2 -e a-law "$seeds/alaw.wav" synth 0.3 sine 440
  sox -n -r 8000 -c 1 -e u-law "$seeds/ulaw.wav" synth 0.3 sine 440
  sox -n -r 16000 -c 1 "$seeds/tone.flac" synth 0.3 sine 440
  lame --quiet -b 32 "$seeds/tone.wav" "$seeds/tone.mp3"
fi

calls_log "fuzzing for ${seconds}s"
"$bin" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=20 -print_final_stats=1 \
  -artifact_prefix="$findings/" "$corpus" "$seeds" 2>&1 | grep -E "^#[0-9]+ +DONE|stat::number_of_executed_units|ERROR|SUMMARY" || true
if ls "$findings"/crash-* "$findings"/leak-* "$findings"/timeout-* >/dev/null 2>&1; then
  calls_die "the fuzzer found inputs that crash or hang the decoder: $(ls "$findings")"
fi
calls_log "no crash, leak or hang found"
