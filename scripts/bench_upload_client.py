#!/usr/bin/env python3
"""Upload benchmark client (issue 15): against a running API (BASE_URL, API_PID, PGURL), in one run:

- RUNS uploads of a SIZE_MB MiB WAV with `curl -F`, each to a new call; the API's resident memory is
  sampled every 5 ms during each upload, and the next upload waits until the worker analysed the last;
- the floor, each part alone on the same file and machine: loopback TCP (the same curl command against a
  sink that reads the body and discards it), SHA-256 (`calls-bench sha256`, swift-crypto as the upload uses
  it, on the file already in memory), the page-cache write (the file's bytes written in 256 KiB blocks to a
  new file in RECORDINGS_DIR, no fsync); and, for information, the fsync of that file (the upload syncs it
  before it answers);
- RUNS uploads of a 60-minute 8 kHz mono WAV (LONG_WAV) each followed at once by a long poll
  (`GET /calls/{id}?wait=30`) until `ready`: the client's view (end of the 202 to the answer that says
  ready, and start of the upload to that answer) and PostgreSQL's (`calls.updated_at -
  recordings.created_at`, the upload's commit to the analysis's commit).

Prints one JSON line of medians. Usage: bench_upload_client.py BIN_DIR WORK_DIR"""

import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from process_memory import PeakRSS  # noqa: E402
from wavgen import write_large_wav  # noqa: E402

BIN, WORK = sys.argv[1], sys.argv[2]
BASE_URL = os.environ["BASE_URL"].rstrip("/")
API_PID = int(os.environ["API_PID"])
PGURL = os.environ["PGURL"]
RECORDINGS_DIR = os.environ["RECORDINGS_DIR"]
LONG_WAV = os.environ["LONG_WAV"]
SIZE_MB = int(os.environ.get("SIZE_MB", "230"))
RUNS = int(os.environ.get("RUNS", "5"))
BLOCK = 256 * 1024


def api(method, path, body=None, timeout=60):
    request = urllib.request.Request(
        BASE_URL + path, method=method, headers={"Content-Type": "application/json"},
        data=json.dumps(body).encode() if body is not None else None)
    return json.loads(urllib.request.urlopen(request, timeout=timeout).read())


def new_call():
    return api("POST", "/calls", {"caller": "+15550001", "receiver": "+15550002", "started_at": "2026-11-21T10:00:00Z"})


def curl_upload(url, path):
    """curl's own total time (connection to the last byte of the answer) and the HTTP status."""
    result = subprocess.run(
        ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code} %{time_total}", "-F", f"file=@{path};type=audio/wav", url],
        capture_output=True, text=True, timeout=600, check=True)
    code, seconds = result.stdout.split()
    return code, float(seconds)


def upload_runs(path):
    seconds, growths = [], []
    for _ in range(RUNS):
        call = new_call()
        with PeakRSS(API_PID, 0.005) as memory:
            code, elapsed = curl_upload(f"{BASE_URL}/calls/{call['id']}/recording", path)
        if code != "202":
            sys.exit(f"upload answered {code}")
        seconds.append(elapsed)
        growths.append(memory.growth_mb)
        # The worker analyses the recording now: the next upload must not compete with that for the cores.
        wait_until_ready(call["id"])
    return seconds, growths


def wait_until_ready(call_id):
    deadline = time.perf_counter() + 120
    while api("GET", f"/calls/{call_id}?wait=30", timeout=40)["status"] != "ready":
        if time.perf_counter() > deadline:
            sys.exit(f"call {call_id} did not become ready")


def sink_server():
    """An HTTP sink on loopback: reads each request's body into one reused buffer, answers 202."""
    listener = socket.create_server(("127.0.0.1", 0))

    def serve():
        buffer = bytearray(1 << 20)
        view = memoryview(buffer)
        while True:
            connection, _ = listener.accept()
            with connection:
                head = b""
                while b"\r\n\r\n" not in head:
                    received = connection.recv(4096)
                    if not received:
                        break
                    head += received
                if b"\r\n\r\n" not in head:
                    continue
                head, _, rest = head.partition(b"\r\n\r\n")
                headers = {line.split(b":", 1)[0].strip().lower(): line.split(b":", 1)[1].strip()
                           for line in head.split(b"\r\n")[1:] if b":" in line}
                if headers.get(b"expect", b"").lower() == b"100-continue":
                    connection.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
                remaining = int(headers[b"content-length"]) - len(rest)
                while remaining > 0:
                    got = connection.recv_into(view, min(len(buffer), remaining))
                    if got == 0:
                        break
                    remaining -= got
                connection.sendall(b"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")

    threading.Thread(target=serve, daemon=True).start()
    return listener.getsockname()[1]


def tcp_floor(path):
    port = sink_server()
    return [curl_upload(f"http://127.0.0.1:{port}/sink", path)[1] for _ in range(RUNS)]


def sha_floor(path):
    runs = []
    for _ in range(RUNS):
        out = subprocess.run([f"{BIN}/calls-bench", "sha256", path], capture_output=True, text=True, check=True).stdout
        runs.append(json.loads(out)["seconds"])
    return runs


def write_floor(path):
    with open(path, "rb") as file:
        data = memoryview(file.read())
    writes, syncs = [], []
    for run in range(RUNS):
        target = os.path.join(RECORDINGS_DIR, f"bench-write-{run}.part")
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
        started = time.perf_counter()
        for offset in range(0, len(data), BLOCK):
            os.write(descriptor, data[offset:offset + BLOCK])
        written = time.perf_counter()
        os.fsync(descriptor)
        synced = time.perf_counter()
        os.close(descriptor)
        os.unlink(target)
        writes.append(written - started)
        syncs.append(synced - written)
    return writes, syncs


def psql(sql):
    return subprocess.run(["psql", PGURL, "-tAc", sql], check=True, capture_output=True, text=True).stdout.strip()


def long_file_runs():
    after_202, from_start, database = [], [], []
    for _ in range(RUNS):
        call = new_call()
        started = time.perf_counter()
        code, _ = curl_upload(f"{BASE_URL}/calls/{call['id']}/recording", LONG_WAV)
        answered = time.perf_counter()
        if code != "202":
            sys.exit(f"upload answered {code}")
        wait_until_ready(call["id"])
        ready = time.perf_counter()
        after_202.append(ready - answered)
        from_start.append(ready - started)
        database.append(float(psql(
            "SELECT extract(epoch FROM c.updated_at - r.created_at) FROM calls c JOIN recordings r ON r.call_id = c.id "
            f"WHERE c.id = '{call['id']}'")))
    return after_202, from_start, database


def main():
    path = os.path.join(WORK, "upload.wav")
    write_large_wav(path, SIZE_MB * 1024 * 1024)
    size = os.path.getsize(path)
    subprocess.run(["cat", path], stdout=subprocess.DEVNULL, check=True)  # in the page cache, as for every run

    median = statistics.median
    upload_seconds, growths = upload_runs(path)
    tcp = tcp_floor(path)
    sha = sha_floor(path)
    write, sync = write_floor(path)
    after_202, from_start, database = long_file_runs()
    floor_seconds = median(tcp) + median(sha) + median(write)
    print(json.dumps({
        "size_mb": round(size / 1e6, 1),
        "size_mib": SIZE_MB,
        "runs": RUNS,
        "upload_s": round(median(upload_seconds), 3),
        "upload_all_s": [round(s, 3) for s in upload_seconds],
        "upload_mb_s": round(size / 1e6 / median(upload_seconds)),
        "rss_growth_max_mb": round(max(growths), 1),
        "rss_growth_all_mb": [round(g, 1) for g in growths],
        "tcp_s": round(median(tcp), 3),
        "sha_s": round(median(sha), 3),
        "write_s": round(median(write), 3),
        "fsync_s": round(median(sync), 3),
        "floor_s": round(floor_seconds, 3),
        "floor_mb_s": round(size / 1e6 / floor_seconds),
        "ratio": round(floor_seconds / median(upload_seconds), 2),
        "long_mb": round(os.path.getsize(LONG_WAV) / 1e6, 1),
        "long_after_202_s": round(median(after_202), 3),
        "long_after_202_all_s": [round(s, 3) for s in after_202],
        "long_from_start_s": round(median(from_start), 3),
        "long_database_s": round(median(database), 3),
        "long_database_all_s": [round(s, 3) for s in database],
    }))


if __name__ == "__main__":
    main()
