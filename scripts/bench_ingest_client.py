#!/usr/bin/env python3
"""calls-ingest benchmark client (issue 19), against a running API (BASE_URL, GRPC_TARGET, CALLS_API_KEY):

- PAIRS small pairs (a 4-second 8 kHz WAV beside its JSON) delivered by `calls-ingest --once` over each
  transport: the time from its start to its exit (every pair created and uploaded, its files moved to the
  done directory), as pairs per minute;
- one BIG_MIB MiB WAV: `curl -F` to a new call (the REST upload's own rate, the baseline of the same run), then
  `calls-ingest --once` over each transport: the time from its start to its exit, the ratio of the rates, and
  the client's peak resident memory (VmHWM, read every 10 ms).

Prints one JSON line. Usage: bench_ingest_client.py BIN_DIR WORK_DIR"""

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wavgen import write_large_wav, write_wav  # noqa: E402

BIN, WORK = sys.argv[1], sys.argv[2]
BASE_URL = os.environ["BASE_URL"].rstrip("/")
GRPC_TARGET = os.environ["GRPC_TARGET"]
KEY = os.environ["CALLS_API_KEY"]
PAIRS = int(os.environ.get("PAIRS", "1000"))
BIG_MIB = int(os.environ.get("BIG_MIB", "1024"))


def new_call():
    request = urllib.request.Request(
        BASE_URL + "/calls", method="POST", headers={"Content-Type": "application/json", "Authorization": f"Bearer {KEY}"},
        data=json.dumps({"caller": "+15550001", "receiver": "+15550002", "started_at": "2026-11-21T10:00:00Z"}).encode())
    return json.loads(urllib.request.urlopen(request, timeout=60).read())["id"]


def ingest_once(transport, watch, name):
    """Runs calls-ingest --once over `watch`; (seconds, peak RSS MiB from VmHWM, exit status)."""
    root = os.path.join(WORK, name)
    for sub in ("done", "failed", "state"):
        os.makedirs(os.path.join(root, sub), exist_ok=True)
    key_file = os.path.join(root, "key")
    with open(key_file, "w") as file:
        file.write(KEY)
    api = BASE_URL if transport == "http" else GRPC_TARGET
    started = time.perf_counter()
    process = subprocess.Popen(
        [f"{BIN}/calls-ingest", "--watch", watch, "--api", api, "--transport", transport, "--key-file", key_file,
         "--station", name, "--parallel", "8", "--settle", "0", "--once", "--done-dir", os.path.join(root, "done"),
         "--failed-dir", os.path.join(root, "failed"), "--state", os.path.join(root, "state")],
        stdout=subprocess.DEVNULL, stderr=open(os.path.join(WORK, f"{name}.log"), "w"))
    peak_kb = 0
    # VmHWM is the kernel's own peak, so sampling it often enough to catch the last value before exit suffices.
    while process.poll() is None:
        try:
            with open(f"/proc/{process.pid}/status") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        peak_kb = max(peak_kb, int(line.split()[1]))
        except (FileNotFoundError, ProcessLookupError):
            pass
        time.sleep(0.01)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        sys.exit(f"calls-ingest {name} exited with {process.returncode}; see {name}.log")
    failed = os.listdir(os.path.join(root, "failed"))
    if failed:
        sys.exit(f"calls-ingest {name} refused pairs: {failed[:5]}")
    return seconds, peak_kb / 1024


def small_pairs(transport):
    watch = os.path.join(WORK, f"small-{transport}")
    os.makedirs(watch)
    wav = os.path.join(WORK, "small.wav")
    if not os.path.exists(wav):
        write_wav(wav, [(1.5, "tone"), (1.0, "silence"), (1.5, "tone")])
    for index in range(PAIRS):
        name = f"pair-{index:05d}"
        shutil.copyfile(wav, os.path.join(watch, name + ".wav"))
        with open(os.path.join(watch, name + ".json"), "w") as file:
            json.dump({"caller": f"+7{3 if transport == 'http' else 4}00{index:07d}", "receiver": "+44 20 7946 0958",
                       "started_at": "2026-11-30T10:00:00Z"}, file)
    seconds, peak = ingest_once(transport, watch, f"small-{transport}")
    return {"seconds": round(seconds, 2), "per_minute": round(PAIRS / seconds * 60), "peak_rss_mb": round(peak, 1)}


def big_upload(transport, wav):
    watch = os.path.join(WORK, f"big-{transport}")
    os.makedirs(watch)
    os.link(wav, os.path.join(watch, "big.wav"))
    with open(os.path.join(watch, "big.json"), "w") as file:
        json.dump({"caller": "+79009999999" if transport == "http" else "+79008888888", "receiver": "+44 20 7946 0958",
                   "started_at": "2026-11-30T10:00:00Z"}, file)
    seconds, peak = ingest_once(transport, watch, f"big-{transport}")
    return {"seconds": round(seconds, 2), "peak_rss_mb": round(peak, 1)}


def curl_upload(wav):
    call_id = new_call()
    result = subprocess.run(
        ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code} %{time_total}", "-H", f"Authorization: Bearer {KEY}",
         "-F", f"file=@{wav};type=audio/wav", f"{BASE_URL}/calls/{call_id}/recording"],
        capture_output=True, text=True, timeout=900, check=True)
    code, seconds = result.stdout.split()
    if code != "202":
        sys.exit(f"curl upload answered {code}")
    return float(seconds)


def main():
    result = {"pairs": PAIRS, "big_mib": BIG_MIB}
    for transport in ("http", "grpc"):
        result[f"small_{transport}"] = small_pairs(transport)
    wav = os.path.join(WORK, "big.wav")
    write_large_wav(wav, BIG_MIB * 1024 * 1024)
    size_mb = os.path.getsize(wav) / 1e6
    result["big_mb"] = round(size_mb)
    rest = curl_upload(wav)
    result["curl_s"] = round(rest, 2)
    result["curl_mb_s"] = round(size_mb / rest)
    for transport in ("http", "grpc"):
        big = big_upload(transport, wav)
        big["mb_s"] = round(size_mb / big["seconds"])
        big["of_curl"] = round(rest / big["seconds"], 2)
        result[f"big_{transport}"] = big
    print(json.dumps(result))


if __name__ == "__main__":
    main()
