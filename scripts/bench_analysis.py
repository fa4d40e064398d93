#!/usr/bin/env python3
"""Analysis benchmark (issue 3): for 60-minute recordings, the worker's analysis time against a bare
libsndfile decode of the same file (the floor), their ratio, and peak RSS. Every measurement runs in its own
process pinned to one core; the best of RUNS is reported. Writes the table to stdout as Markdown.

Usage: bench_analysis.py BIN_DIR WORK_DIR"""

import json
import os
import subprocess
import sys

BIN, WORK = sys.argv[1], sys.argv[2]
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
MINUTES = int(os.environ.get("BENCH_MINUTES", "60"))
SECONDS = MINUTES * 60


def make_files():
    os.makedirs(WORK, exist_ok=True)
    files = []
    # Amplitude-modulated tones over pink noise: loud and quiet stretches every few seconds, like speech turns.
    mono = os.path.join(WORK, f"mono-8k-{MINUTES}min.wav")
    if not os.path.exists(mono):
        subprocess.run(["sox", "-n", "-r", "8000", "-c", "1", "-b", "16", mono, "synth", str(SECONDS), "sine", "440",
                        "tremolo", "0.15", "95", "gain", "-6"], check=True)
    files.append(("60-minute 8 kHz mono WAV (16-bit PCM)", mono))
    stereo = os.path.join(WORK, f"stereo-16k-{MINUTES}min.wav")
    if not os.path.exists(stereo):
        subprocess.run(["sox", "-n", "-r", "16000", "-c", "2", "-b", "16", stereo, "synth", str(SECONDS), "sine", "440",
                        "sine", "600", "tremolo", "0.15", "95", "gain", "-6"], check=True)
    files.append(("60-minute 16 kHz stereo WAV (16-bit PCM)", stereo))
    mp3 = os.path.join(WORK, f"stereo-16k-{MINUTES}min.mp3")
    if not os.path.exists(mp3):
        subprocess.run(["lame", "--quiet", "-b", "64", stereo, mp3], check=True)
    files.append(("60-minute 16 kHz stereo MP3 (64 kbit/s CBR)", mp3))
    return files


def measure(mode, path):
    best = None
    for _ in range(RUNS):
        output = subprocess.run(["taskset", "-c", "0", os.path.join(BIN, "calls-bench"), mode, path],
                                check=True, capture_output=True, text=True).stdout
        result = json.loads(output)
        if best is None or result["seconds"] < best["seconds"]:
            best = result
        best["peak_rss_kb"] = max(best["peak_rss_kb"], result["peak_rss_kb"])
    return best


def main():
    rows = []
    for label, path in make_files():
        decode = measure("decode", path)
        analyze = measure("analyze", path)
        assert decode["frames"] == analyze["frames"], "analysis and decode disagree on the frame count"
        ratio = analyze["seconds"] / decode["seconds"]
        rows.append(f"| {label} | {os.path.getsize(path) / 1e6:.1f} MB | {decode['seconds']:.3f} s | "
                    f"{analyze['seconds']:.3f} s | {ratio:.2f}× | {analyze['peak_rss_kb'] / 1024:.1f} MB |")
    print("| File | Size | Bare decode (floor) | Analysis | Ratio | Peak RSS (analysis) |")
    print("| --- | --- | --- | --- | --- | --- |")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
