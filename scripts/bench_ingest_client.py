#!/usr/bin/env python3
"""calls-ingest benchmark client (issue 19), against a running API (BASE_URL, GRPC_TARGET, CALLS_API_KEY) whose
PostgreSQL is CALLS_DATABASE_URL:

- PAIRS small pairs (a 4-second 8 kHz WAV beside its JSON) delivered by `calls-ingest --once` over each
  transport: the time from its start to its exit (every pair created and uploaded, its files moved to the
  done directory), as pairs per minute;
- one BIG_MIB MiB WAV, BIG_RUNS rounds, the order rotated each round: `curl -F` to a new call (the REST
  upload's own rate, the baseline of the same round) and `calls-ingest --once` over each transport (start to
  exit). Each upload waits until the worker has analysed every call, so none competes with an analysis. Per
  upload: the time, the rate over curl's of the same round, the CPU time (user + system, from wait4) and the
  peak resident memory (VmHWM, read every 10 ms); medians and each round's figures.

Prints one JSON line. Usage: bench_ingest_client.py BIN_DIR WORK_DIR"""

import json
import os
import shutil
import statistics
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
BIG_RUNS = int(os.environ.get("BIG_RUNS", "3"))
DATABASE_URL = os.environ["CALLS_DATABASE_URL"]


def new_call():
    request = urllib.request.Request(
        BASE_URL + "/calls", method="POST", headers={"Content-Type": "application/json", "Authorization": f"Bearer {KEY}"},
        data=json.dumps({"caller": "+15550001", "receiver": "+15550002", "started_at": "2026-11-21T10:00:00Z"}).encode())
    return json.loads(urllib.request.urlopen(request, timeout=60).read())["id"]


def run_measured(command, log):
    """Runs `command`; (seconds from start to exit, peak RSS MiB from VmHWM, CPU seconds, exit status)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log)
    peak_kb = 0
    # VmHWM is the kernel's own peak, so sampling it often enough to catch the last value before exit suffices.
    while True:
        try:
            with open(f"/proc/{process.pid}/status") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        peak_kb = max(peak_kb, int(line.split()[1]))
        except (FileNotFoundError, ProcessLookupError):
            pass
        # wait4 reaps the process and gives its own CPU time (not the sampler's).
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        time.sleep(0.01)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    return seconds, peak_kb / 1024, usage.ru_utime + usage.ru_stime, process.returncode


def ingest_once(transport, watch, name):
    """Runs calls-ingest --once over `watch`; (seconds, peak RSS MiB from VmHWM, CPU seconds)."""
    root = os.path.join(WORK, name)
    for sub in ("done", "failed", "state"):
        os.makedirs(os.path.join(root, sub), exist_ok=True)
    key_file = os.path.join(root, "key")
    with open(key_file, "w") as file:
        file.write(KEY)
    api = BASE_URL if transport == "http" else GRPC_TARGET
    command = [
        f"{BIN}/calls-ingest", "--watch", watch, "--api", api, "--transport", transport, "--key-file", key_file,
        "--station", name, "--parallel", "8", "--settle", "0", "--once", "--done-dir", os.path.join(root, "done"),
        "--failed-dir", os.path.join(root, "failed"), "--state", os.path.join(root, "state")]
    with open(os.path.join(WORK, f"{name}.log"), "w") as log:
        seconds, peak, cpu, code = run_measured(command, log)
    if code != 0:
        sys.exit(f"calls-ingest {name} exited with {code}; see {name}.log")
    failed = os.listdir(os.path.join(root, "failed"))
    if failed:
        sys.exit(f"calls-ingest {name} refused pairs: {failed[:5]}")
    return seconds, peak, cpu


def wait_until_analysed():
    """Waits until no call is waiting for or in its analysis, then drops the stored recordings (1 GiB each)."""
    deadline = time.monotonic() + 600
    while True:
        pending = subprocess.run(
            ["psql", DATABASE_URL, "-tAc", "SELECT count(*) FROM calls WHERE status IN ('created', 'processing')"],
            capture_output=True, text=True, check=True).stdout.strip()
        if pending == "0":
            break
        if time.monotonic() > deadline:
            sys.exit(f"{pending} calls still not analysed after 10 minutes")
        time.sleep(0.2)
    recordings = os.path.join(WORK, "recordings")
    for name in os.listdir(recordings) if os.path.isdir(recordings) else []:
        path = os.path.join(recordings, name)
        if os.path.isfile(path):
            os.remove(path)


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
    seconds, peak, _ = ingest_once(transport, watch, f"small-{transport}")
    return {"seconds": round(seconds, 2), "per_minute": round(PAIRS / seconds * 60), "peak_rss_mb": round(peak, 1)}


def big_upload(transport, wav, round_index):
    name = f"big-{transport}-{round_index}"
    watch = os.path.join(WORK, name + "-watch")
    os.makedirs(watch)
    os.link(wav, os.path.join(watch, "big.wav"))
    with open(os.path.join(watch, "big.json"), "w") as file:
        json.dump({"caller": f"+7900{round_index:07d}", "receiver": "+44 20 7946 0958",
                   "started_at": "2026-11-30T10:00:00Z"}, file)
    seconds, peak, cpu = ingest_once(transport, watch, name)
    return {"seconds": seconds, "peak_rss_mb": peak, "cpu_s": cpu}


def curl_upload(wav):
    call_id = new_call()
    command = ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code} %{time_total}", "-H", f"Authorization: Bearer {KEY}",
               "-F", f"file=@{wav};type=audio/wav", f"{BASE_URL}/calls/{call_id}/recording"]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0 or time.perf_counter() - started > 900:
        sys.exit(f"curl upload failed ({process.returncode})")
    code, seconds = output.split()
    if code != "202":
        sys.exit(f"curl upload answered {code}")
    return {"seconds": float(seconds), "cpu_s": usage.ru_utime + usage.ru_stime}


def main():
    result = {"pairs": PAIRS, "big_mib": BIG_MIB, "big_runs": BIG_RUNS}
    for transport in ("http", "grpc"):
        result[f"small_{transport}"] = small_pairs(transport)
    wav = os.path.join(WORK, "big.wav")
    write_large_wav(wav, BIG_MIB * 1024 * 1024)
    size_mb = os.path.getsize(wav) / 1e6
    result["big_mb"] = round(size_mb)
    rounds = []
    uploaders = ["curl", "http", "grpc"]
    for round_index in range(BIG_RUNS):
        figures = {}
        # Rotated each round, so no uploader is always the one after the page cache or the disk was busiest.
        for uploader in uploaders[round_index % 3:] + uploaders[:round_index % 3]:
            wait_until_analysed()
            figures[uploader] = curl_upload(wav) if uploader == "curl" else big_upload(uploader, wav, round_index)
        for transport in ("http", "grpc"):
            figures[transport]["of_curl"] = figures["curl"]["seconds"] / figures[transport]["seconds"]
        rounds.append(figures)
    wait_until_analysed()

    def median(uploader, field):
        return statistics.median(figures[uploader][field] for figures in rounds)

    def each(uploader, field, digits):
        return [round(figures[uploader][field], digits) for figures in rounds]

    result["curl_s"] = round(median("curl", "seconds"), 2)
    result["curl_all_s"] = each("curl", "seconds", 2)
    result["curl_mb_s"] = round(size_mb / median("curl", "seconds"))
    result["curl_cpu_s"] = round(median("curl", "cpu_s"), 2)
    for transport in ("http", "grpc"):
        result[f"big_{transport}"] = {
            "seconds": round(median(transport, "seconds"), 2), "all_s": each(transport, "seconds", 2),
            "mb_s": round(size_mb / median(transport, "seconds")),
            "of_curl": round(median(transport, "of_curl"), 2), "all_of_curl": each(transport, "of_curl", 2),
            "cpu_s": round(median(transport, "cpu_s"), 2), "all_cpu_s": each(transport, "cpu_s", 2),
            "peak_rss_mb": round(max(figures[transport]["peak_rss_mb"] for figures in rounds), 1),
            "all_peak_rss_mb": each(transport, "peak_rss_mb", 1)}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
