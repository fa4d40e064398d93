#!/usr/bin/env python3
"""calls-ingest's memory while it uploads a 1 GiB WAV (driven by scripts/bench_ingest_rss.sh, which starts the API):
per run, VmHWM and the peaks of RssAnon and RssFile from /proc/PID/status every 20 ms, and at the highest VmRSS
sampled the resident kB per mapping from /proc/PID/smaps. RUNS runs per transport, the transports alternating.
Prints a table per run, the medians and, for each transport's highest run, the mappings.

Usage: bench_ingest_rss.py CALLS_INGEST HTTP_URL GRPC_TARGET WORK_DIR TRANSPORT..."""

import json
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wavgen import write_large_wav  # noqa: E402

INGEST, HTTP_URL, GRPC_TARGET, WORK = sys.argv[1:5]
TRANSPORTS = sys.argv[5:] or ["http", "grpc"]
RUNS = int(os.environ.get("RUNS", "3"))
SIZE_MIB = int(os.environ.get("SIZE_MIB", "1024"))


def status_kb(pid):
    figures = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmHWM", "VmRSS", "RssAnon", "RssFile"):
                figures[key] = int(value.split()[0])
    return figures


def mappings_kb(pid):
    """Resident kB per mapped file (its basename) and for anonymous memory ([heap], [stack], [anon]), split into
    pages shared with the file (`file`) and private copies (`anon`: a library's relocated data, heap...)."""
    usage = {}
    name = None
    with open(f"/proc/{pid}/smaps") as smaps:
        for line in smaps:
            fields = line.split()
            if "-" in fields[0] and len(fields) >= 5 and not fields[0].endswith(":"):
                path = fields[5] if len(fields) >= 6 else "[anon]"
                name = os.path.basename(path) if path.startswith("/") else ("[stack]" if path.startswith("[stack") else path)
                usage.setdefault(name, {"rss": 0, "anon": 0})
            elif fields[0] == "Rss:":
                usage[name]["rss"] += int(fields[1])
            elif fields[0] == "Anonymous:":
                usage[name]["anon"] += int(fields[1])
    return usage


def upload(transport, run, wav):
    name = f"{transport}-{run}"
    root = os.path.join(WORK, name)
    watch = os.path.join(root, "watch")
    os.makedirs(watch)
    os.makedirs(os.path.join(root, "state"))
    os.link(wav, os.path.join(watch, "big.wav"))
    with open(os.path.join(watch, "big.json"), "w") as file:
        json.dump({"caller": f"+7900{run:07d}", "receiver": "+15550101", "started_at": "2026-11-21T09:30:00Z"}, file)
    with open(os.path.join(root, "key"), "w") as file:
        file.write("unused")
    command = [INGEST, "--once", "--watch", watch, "--api", HTTP_URL if transport == "http" else GRPC_TARGET,
               "--transport", transport, "--key-file", os.path.join(root, "key"), "--station", f"rss-{name}",
               "--state", os.path.join(root, "state"), "--settle", "0", "--delete"]
    started = time.perf_counter()
    with open(os.path.join(WORK, f"{name}.log"), "w") as log:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log)
    peak = {"VmHWM": 0, "VmRSS": 0, "RssAnon": 0, "RssFile": 0}
    at_peak = {}
    while process.poll() is None:
        try:
            figures = status_kb(process.pid)
            if figures.get("VmRSS", 0) > peak["VmRSS"]:
                at_peak = mappings_kb(process.pid)
            for key, value in figures.items():
                peak[key] = max(peak[key], value)
        except (FileNotFoundError, ProcessLookupError, KeyError):
            pass
        time.sleep(0.02)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        sys.exit(f"calls-ingest {name} exited with {process.returncode}; see {name}.log")
    for stored in os.listdir(os.path.join(WORK, "recordings")):
        if os.path.isfile(os.path.join(WORK, "recordings", stored)):
            os.remove(os.path.join(WORK, "recordings", stored))
    return {"seconds": seconds, "peak": peak, "mappings": at_peak}


def main():
    wav = os.path.join(WORK, "big.wav")
    write_large_wav(wav, SIZE_MIB * 1024 * 1024)
    results = {transport: [] for transport in TRANSPORTS}
    print(f"| run | transport | VmHWM | peak RssAnon | peak RssFile | seconds |")
    print("| --- | --- | --- | --- | --- | --- |")
    for run in range(RUNS):
        for transport in TRANSPORTS if run % 2 == 0 else list(reversed(TRANSPORTS)):
            result = upload(transport, run, wav)
            results[transport].append(result)
            peak = result["peak"]
            print(f"| {run + 1} | {transport} | {peak['VmHWM'] / 1024:.1f} MB | {peak['RssAnon'] / 1024:.1f} MB | "
                  f"{peak['RssFile'] / 1024:.1f} MB | {result['seconds']:.2f} |", flush=True)
    print()
    for transport, runs in results.items():
        median = {key: statistics.median(run["peak"][key] for run in runs) / 1024 for key in ("VmHWM", "RssAnon", "RssFile")}
        spread = {key: (min(run["peak"][key] for run in runs) / 1024, max(run["peak"][key] for run in runs) / 1024)
                  for key in ("VmHWM", "RssAnon", "RssFile")}
        print(f"{transport}: median of {len(runs)}: " + ", ".join(
            f"{key} {median[key]:.1f} MB ({spread[key][0]:.1f}–{spread[key][1]:.1f})" for key in median))
        highest = max(runs, key=lambda run: run["peak"]["VmHWM"])
        print(f"  mappings at the highest VmRSS sampled of its highest run (kB resident, of which private):")
        for name, usage in sorted(highest["mappings"].items(), key=lambda item: -item[1]["rss"]):
            if usage["rss"] >= 100:
                print(f"    {usage['rss']:7d} {usage['anon']:7d}  {name}")
        total = sum(usage["rss"] for usage in highest["mappings"].values())
        print(f"    {total:7d}          total")


if __name__ == "__main__":
    main()
