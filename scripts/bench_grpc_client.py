#!/usr/bin/env python3
"""gRPC benchmark client (issue 19): against a running API with its gRPC server (BASE_URL, GRPC_TARGET), in
one run and on the same file:

- RUNS uploads of a SIZE_MB MiB WAV over REST (`curl -F`, curl's own total time) and over gRPC
  (`UploadRecording` from grpcio, 1 MiB chunks read from the file, start to answer), alternating, each to a
  new call, each followed by the analysis before the next starts (so no upload competes with it);
- `GetCall` against REST `GET /calls/{id}`: REQUESTS sequential requests of the same ready call on one
  connection each (grpcio's channel, http.client keep-alive), after WARMUP of each; p50 and p95.

Prints one JSON line of medians. Usage: bench_grpc_client.py WORK_DIR"""

import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

import grpc
from grpc_tools import protoc

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wavgen import write_large_wav  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = sys.argv[1]
BASE_URL = os.environ["BASE_URL"].rstrip("/")
TARGET = os.environ["GRPC_TARGET"]
SIZE_MB = int(os.environ.get("SIZE_MB", "230"))
RUNS = int(os.environ.get("RUNS", "5"))
REQUESTS = int(os.environ.get("REQUESTS", "2000"))
WARMUP = 200
CHUNK = 1 << 20


def stubs():
    out = tempfile.mkdtemp(prefix="calls-grpc-bench-")
    well_known = os.path.join(os.path.dirname(protoc.__file__), "_proto")
    if protoc.main(["grpc_tools.protoc", f"-I{ROOT}/proto", f"-I{well_known}", f"--python_out={out}",
                    f"--grpc_python_out={out}", "calls/v1/calls.proto"]) != 0:
        sys.exit("grpc_tools.protoc failed")
    sys.path.insert(0, out)
    from calls.v1 import calls_pb2, calls_pb2_grpc
    return calls_pb2, calls_pb2_grpc


pb, pb_grpc = stubs()


def new_call():
    request = urllib.request.Request(
        BASE_URL + "/calls", method="POST", headers={"Content-Type": "application/json"},
        data=json.dumps({"caller": "+15550001", "receiver": "+15550002", "started_at": "2026-11-21T10:00:00Z"}).encode())
    return json.loads(urllib.request.urlopen(request, timeout=60).read())["id"]


def wait_until_ready(call_id):
    deadline = time.perf_counter() + 300
    while True:
        with urllib.request.urlopen(f"{BASE_URL}/calls/{call_id}?wait=30", timeout=40) as response:
            if json.loads(response.read())["status"] == "ready":
                return
        if time.perf_counter() > deadline:
            sys.exit(f"call {call_id} did not become ready")


def rest_upload(path):
    call_id = new_call()
    result = subprocess.run(
        ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code} %{time_total}", "-F", f"file=@{path};type=audio/wav",
         f"{BASE_URL}/calls/{call_id}/recording"], capture_output=True, text=True, timeout=600, check=True)
    code, seconds = result.stdout.split()
    if code != "202":
        sys.exit(f"REST upload answered {code}")
    wait_until_ready(call_id)
    return float(seconds)


def grpc_upload(calls, path):
    call_id = new_call()

    def parts():
        yield pb.UploadRecordingRequest(header=pb.UploadHeader(call_id=call_id, filename="bench.wav"))
        with open(path, "rb") as file:
            while chunk := file.read(CHUNK):
                yield pb.UploadRecordingRequest(chunk=chunk)

    started = time.perf_counter()
    accepted = calls.UploadRecording(parts(), timeout=600)
    seconds = time.perf_counter() - started
    if accepted.size_bytes != os.path.getsize(path):
        sys.exit(f"gRPC upload stored {accepted.size_bytes} bytes")
    wait_until_ready(call_id)
    return seconds


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def get_latencies(calls, call_id):
    url = urllib.parse.urlparse(BASE_URL)
    connection = http.client.HTTPConnection(url.hostname, url.port)
    request = pb.GetCallRequest(id=call_id)
    rest_ms, grpc_ms = [], []
    for index in range(WARMUP + REQUESTS):
        started = time.perf_counter()
        connection.request("GET", f"/calls/{call_id}")
        response = connection.getresponse()
        body = response.read()
        rest_elapsed = time.perf_counter() - started
        if response.status != 200 or not body:
            sys.exit(f"GET /calls/{call_id} answered {response.status}")
        started = time.perf_counter()
        calls.GetCall(request, timeout=10)
        grpc_elapsed = time.perf_counter() - started
        if index >= WARMUP:
            rest_ms.append(rest_elapsed * 1000)
            grpc_ms.append(grpc_elapsed * 1000)
    return rest_ms, grpc_ms


def main():
    path = os.path.join(WORK, f"bench-{SIZE_MB}mib.wav")
    write_large_wav(path, SIZE_MB * 1024 * 1024)
    size = os.path.getsize(path)
    channel = grpc.insecure_channel(TARGET)
    calls = pb_grpc.CallsStub(channel)
    rest_s, grpc_s = [], []
    for _ in range(RUNS):
        rest_s.append(round(rest_upload(path), 3))
        grpc_s.append(round(grpc_upload(calls, path), 3))
    os.remove(path)

    small = os.path.join(WORK, "small.wav")
    write_large_wav(small, 100 * 1024)
    call_id = new_call()
    subprocess.run(["curl", "-sS", "-o", "/dev/null", "-F", f"file=@{small};type=audio/wav",
                    f"{BASE_URL}/calls/{call_id}/recording"], check=True, timeout=60)
    wait_until_ready(call_id)
    rest_ms, grpc_ms = get_latencies(calls, call_id)

    rest_median, grpc_median = statistics.median(rest_s), statistics.median(grpc_s)
    print(json.dumps({
        "runs": RUNS, "size_mb": round(size / 1e6), "size_mib": SIZE_MB,
        "rest_s": rest_median, "rest_all_s": rest_s, "rest_mb_s": round(size / 1e6 / rest_median),
        "grpc_s": grpc_median, "grpc_all_s": grpc_s, "grpc_mb_s": round(size / 1e6 / grpc_median),
        "ratio": round(grpc_median / rest_median, 2),
        "requests": REQUESTS,
        "rest_p50_ms": round(percentile(rest_ms, 0.5), 3), "rest_p95_ms": round(percentile(rest_ms, 0.95), 3),
        "grpc_p50_ms": round(percentile(grpc_ms, 0.5), 3), "grpc_p95_ms": round(percentile(grpc_ms, 0.95), 3),
    }))


if __name__ == "__main__":
    main()
