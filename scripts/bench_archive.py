#!/usr/bin/env python3
"""MP3 archive benchmark (issue 5): converting a 60-minute stereo recording to the archive MP3 with the
worker's encoder (`calls-bench mp3`: libsndfile decode + LAME, default settings: CBR 48 kbit/s, stereo) against
the `lame` command-line encoder on the same file with the same settings. Every run is its own process pinned
to one core; the best of RUNS is reported. Writes the table to stdout as Markdown.

Usage: bench_archive.py BIN_DIR WORK_DIR"""

import json
import os
import subprocess
import sys
import time

BIN, WORK = sys.argv[1], sys.argv[2]
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
MINUTES = int(os.environ.get("BENCH_MINUTES", "60"))
SECONDS = MINUTES * 60


def make_files():
    os.makedirs(WORK, exist_ok=True)
    files = []
    for rate in (8000, 16000):
        path = os.path.join(WORK, f"stereo-{rate // 1000}k-{MINUTES}min.wav")
        if not os.path.exists(path):
            subprocess.run(["sox", "-n", "-r", str(rate), "-c", "2", "-b", "16", path, "synth", str(SECONDS),
                            "sine", "440", "sine", "600", "tremolo", "0.15", "95", "gain", "-6"], check=True)
        files.append((f"60-minute {rate // 1000} kHz stereo WAV (16-bit PCM)", path, rate))
    return files


def ours(path, out):
    best = None
    for _ in range(RUNS):
        result = json.loads(subprocess.run(["taskset", "-c", "0", os.path.join(BIN, "calls-bench"), "mp3", path, out],
                                           check=True, capture_output=True, text=True).stdout)
        if best is None or result["seconds"] < best["seconds"]:
            best = result
    return best


def lame(path, out, rate):
    # The same encoding: constant 48 kbit/s, independent stereo channels, the same output rate, LAME's default
    # quality (-q 3, as the library's), and no ReplayGain analysis (the command's default, not the library's).
    command = ["taskset", "-c", "0", "lame", "--quiet", "-b", "48", "--cbr", "-m", "s", "--noreplaygain",
               "--resample", str(rate / 1000), path, out]
    best = None
    for _ in range(RUNS):
        started = time.monotonic()
        subprocess.run(command, check=True)
        elapsed = time.monotonic() - started
        best = elapsed if best is None else min(best, elapsed)
    return best


def main():
    rows = []
    for label, path, rate in make_files():
        our_out, lame_out = path + ".calls.mp3", path + ".lame.mp3"
        result = ours(path, our_out)
        reference = lame(path, lame_out, rate)
        ratio = result["seconds"] / reference
        speed = SECONDS / result["seconds"]
        rows.append(f"| {label} | {os.path.getsize(path) / 1e6:.1f} MB | {result['seconds']:.2f} s "
                    f"({speed:.0f}× real time) | {reference:.2f} s | {ratio:.2f}× | "
                    f"{os.path.getsize(our_out) / 1e6:.1f} MB / {os.path.getsize(lame_out) / 1e6:.1f} MB | "
                    f"{result['peak_rss_kb'] / 1024:.1f} MB |")
        for out in (our_out, lame_out):
            os.remove(out)
    print("| File | Size | Archive conversion (`calls-bench mp3`) | `lame` itself | Ratio | MP3 size (ours / lame) | Peak RSS (ours) |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
