#!/usr/bin/env python3
"""gRPC benchmark client (issue 19): against a running API with its gRPC server (BASE_URL, GRPC_TARGET), in
one run and on the same file:

- RUNS uploads of a SIZE_MB MiB WAV over REST (`curl -F`, curl's own total time) and over gRPC
  (`UploadRecording` from grpcio, CHUNK_BYTES chunks read from the file, 256 KiB by default as in the README's
  example, start to answer), alternating, each to a new call, each followed by the analysis before the next
  starts (so no upload competes with it) and the call's deletion;
- `GetCall` against REST `GET /calls/{id}`: REQUESTS sequential requests of the same ready call on one
  connection each (grpcio's channel, http.client keep-alive), after WARMUP of each; p50 and p95.

Each upload also records the CPU time it cost the API (API_PID's user + system time, from /proc) and its client
(curl, or this process for grpcio): on a small machine the two share the cores, so a client's own cost shows in
the upload's time. UPLOADS_ONLY=1 leaves out the latencies. Prints one JSON line of medians. Usage: bench_grpc_client.py WORK_DIR"""

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
from process_memory import cpu_seconds  # noqa: E402
from wavgen import write_large_wav  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = sys.argv[1]
BASE_URL = os.environ["BASE_URL"].rstrip("/")
TARGET = os.environ["GRPC_TARGET"]
SIZE_MB = int(os.environ.get("SIZE_MB", "230"))
RUNS = int(os.environ.get("RUNS", "9"))
REQUESTS = int(os.environ.get("REQUESTS", "2000"))
WARMUP = 200
CHUNK = int(os.environ.get("CHUNK_BYTES", str(256 * 1024)))
API_PID = int(os.environ["API_PID"])
# The uploads alone, without the GetCall latencies (the second, CPU-split pass of bench_grpc.sh).
UPLOADS_ONLY = os.environ.get("UPLOADS_ONLY") == "1"


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


def client_cpu_seconds():
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


class CPUCost:
    """The API's and the client's CPU time spent inside a `with` block."""

    def __enter__(self):
        self.api, self.client = cpu_seconds(API_PID), client_cpu_seconds()
        return self

    def __exit__(self, *_):
        self.api, self.client = cpu_seconds(API_PID) - self.api, client_cpu_seconds() - self.client


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


def analysed_then_deleted(call_id):
    """Waits for the analysis, then deletes the call with its recording: with all 36 recordings of 241 MB kept,
    later uploads in a run took up to 1.8 times as long as the first (the page cache filling, by all signs:
    deleting them made the runs steady)."""
    wait_until_ready(call_id)
    request = urllib.request.Request(f"{BASE_URL}/calls/{call_id}", method="DELETE")
    with urllib.request.urlopen(request, timeout=60) as response:
        if response.status != 204:
            sys.exit(f"DELETE /calls/{call_id} answered {response.status}")


def rest_upload(path):
    call_id = new_call()
    with CPUCost() as cost:
        result = subprocess.run(
            ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code} %{time_total}", "-F", f"file=@{path};type=audio/wav",
             f"{BASE_URL}/calls/{call_id}/recording"], capture_output=True, text=True, timeout=600, check=True)
    code, seconds = result.stdout.split()
    if code != "202":
        sys.exit(f"REST upload answered {code}")
    analysed_then_deleted(call_id)
    return float(seconds), cost


def grpc_upload(calls, path):
    call_id = new_call()

    def parts():
        yield pb.UploadRecordingRequest(header=pb.UploadHeader(call_id=call_id, filename="bench.wav"))
        with open(path, "rb") as file:
            while chunk := file.read(CHUNK):
                yield pb.UploadRecordingRequest(chunk=chunk)

    with CPUCost() as cost:
        started = time.perf_counter()
        accepted = calls.UploadRecording(parts(), timeout=600)
        seconds = time.perf_counter() - started
    if accepted.size_bytes != os.path.getsize(path):
        sys.exit(f"gRPC upload stored {accepted.size_bytes} bytes")
    analysed_then_deleted(call_id)
    return seconds, cost


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
    rest, grpc_runs = [], []
    # Alternating which goes first, so neither always meets the page cache the other just filled.
    for run in range(RUNS):
        if run % 2 == 0:
            rest.append(rest_upload(path))
            grpc_runs.append(grpc_upload(calls, path))
        else:
            grpc_runs.append(grpc_upload(calls, path))
            rest.append(rest_upload(path))
    rest_s = [round(seconds, 3) for seconds, _ in rest]
    grpc_s = [round(seconds, 3) for seconds, _ in grpc_runs]
    median_cost = lambda runs, part: round(statistics.median(getattr(cost, part) for _, cost in runs), 3)
    os.remove(path)
    rest_median, grpc_median = statistics.median(rest_s), statistics.median(grpc_s)
    result = {
        "runs": RUNS, "size_mb": round(size / 1e6), "size_mib": SIZE_MB,
        "rest_s": rest_median, "rest_all_s": rest_s, "rest_mb_s": round(size / 1e6 / rest_median),
        "grpc_s": grpc_median, "grpc_all_s": grpc_s, "grpc_mb_s": round(size / 1e6 / grpc_median),
        "ratio": round(grpc_median / rest_median, 2), "chunk_kib": CHUNK // 1024,
        "rest_api_cpu_s": median_cost(rest, "api"), "grpc_api_cpu_s": median_cost(grpc_runs, "api"),
        "api_cpu_ratio": round(median_cost(grpc_runs, "api") / median_cost(rest, "api"), 2),
        "rest_client_cpu_s": median_cost(rest, "client"), "grpc_client_cpu_s": median_cost(grpc_runs, "client"),
    }
    if UPLOADS_ONLY:
        print(json.dumps(result))
        return

    small = os.path.join(WORK, "small.wav")
    write_large_wav(small, 100 * 1024)
    call_id = new_call()
    subprocess.run(["curl", "-sS", "-o", "/dev/null", "-F", f"file=@{small};type=audio/wav",
                    f"{BASE_URL}/calls/{call_id}/recording"], check=True, timeout=60)
    wait_until_ready(call_id)
    rest_ms, grpc_ms = get_latencies(calls, call_id)

    result.update({
        "requests": REQUESTS,
        "rest_p50_ms": round(percentile(rest_ms, 0.5), 3), "rest_p95_ms": round(percentile(rest_ms, 0.95), 3),
        "grpc_p50_ms": round(percentile(grpc_ms, 0.5), 3), "grpc_p95_ms": round(percentile(grpc_ms, 0.95), 3),
    })
    print(json.dumps(result))


if __name__ == "__main__":
    main()
