#!/usr/bin/env python3
"""The queue panel benchmark's client (issue 16), run by bench_panel.sh against a running stack.

1. /queues/status with 200 queues, 5 000 agents and over 2 000 waiting callers (the status preset of
   calls-traffic, applied first): 2 000 GETs one after another on one keep-alive connection, client-side.
2. Event -> visible at 1 000 events/s: paced real-time traffic, posted every 100 ms (each PBX its own
   pusher); a reader polls /queues/status every 20 ms; a batch is visible when the sum of `offered` today
   reaches the ENTERQUEUEs sent up to it. Latency = first poll showing it - the batch's POST answered.
3. Sustained ingest -> applied: four PBXs' logs posted as fast as four pushers can (batches of 5 000 lines),
   until PostgreSQL holds every event; events/s and each component's CPU (utime+stime from /proc).
Prints Markdown. Usage: bench_panel_client.py BIN_DIR WORK_DIR
"""
import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from process_memory import cpu_seconds as process_cpu_seconds  # noqa: E402

BIN, WORK = sys.argv[1], sys.argv[2]
BASE = urllib.parse.urlparse(os.environ["BASE_URL"])
PGURL = os.environ["PGURL"]
PIDS = {name: int(os.environ[key]) for name, key in
        [("API", "API_PID"), ("worker", "WORKER_PID"), ("Redis", "REDIS_PID"), ("PostgreSQL", "PG_PID")]}


def connection():
    return http.client.HTTPConnection(BASE.hostname, BASE.port, timeout=60)


def generate(preset, out, **options):
    args = [f"{BIN}/calls-traffic", "--preset", preset, "--out", out]
    for key, value in options.items():
        args += ["--" + key.replace("_", "-"), str(value)]
    return json.loads(subprocess.check_output(args))


def post(conn, source, offset, body):
    conn.request("POST", f"/events?source={source}&offset={offset}", body, {"Content-Type": "text/plain"})
    response = conn.getresponse()
    data = response.read()
    if response.status != 202:
        raise SystemExit(f"POST /events answered {response.status}: {data[:300]!r}")
    return json.loads(data)


def push_file(path, source, batch_lines):
    """Posts the whole log in batches; returns the events accepted (every line must be)."""
    conn = connection()
    offset, accepted = 0, 0
    with open(path, "rb") as log:
        lines = log.readlines()
    for start in range(0, len(lines), batch_lines):
        body = b"".join(lines[start:start + batch_lines])
        answer = post(conn, source, offset, body)
        if answer["rejected"]:
            raise SystemExit(f"{path}: lines refused: {answer['rejected'][:3]}")
        offset += len(body)
        accepted += answer["accepted"]
    conn.close()
    return accepted


def applied_count():
    out = subprocess.check_output(["psql", PGURL, "-Atc", "SELECT count(*) FROM telephony_events"])
    return int(out.strip())


def wait_applied(total, timeout=600):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if applied_count() >= total:
            return time.time()
        time.sleep(0.1)
    raise SystemExit(f"only {applied_count()} of {total} events applied after {timeout} s")


def status(conn):
    conn.request("GET", "/queues/status")
    response = conn.getresponse()
    data = response.read()
    if response.status != 200:
        raise SystemExit(f"/queues/status answered {response.status}")
    return json.loads(data)


def cpu_seconds(pid):
    """utime + stime of pid and, for PostgreSQL's postmaster, every backend it started."""
    pids = [pid]
    if pid == PIDS["PostgreSQL"]:
        pids += [int(p) for p in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()]
    total = 0
    for p in pids:
        try:
            total += process_cpu_seconds(p)
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


# 1. /queues/status at the size the issue names.
status_dir = f"{WORK}/status"
summary = generate("status", status_dir, lines=30000, start=int(time.time()) - 300)
total = 0
for source in summary["sources"]:
    total += push_file(f"{status_dir}/{source}.log", source, 2000)
wait_applied(total)
conn = connection()
shown = status(conn)
queues = len(shown["queues"])
logged_in = sum(q["agents"]["logged_in"] for q in shown["queues"])
waiting = sum(q["calls"]["waiting"] for q in shown["queues"])
for _ in range(200):
    status(conn)
timings = []
for _ in range(2000):
    # The request's round trip: the body read whole, not parsed (Python's JSON parsing is the client's cost).
    started = time.perf_counter()
    conn.request("GET", "/queues/status")
    response = conn.getresponse()
    response.read()
    timings.append((time.perf_counter() - started) * 1000)
    if response.status != 200:
        raise SystemExit(f"/queues/status answered {response.status}")
conn.close()
status_row = (queues, logged_in, waiting, statistics.median(timings), percentile(timings, 95), percentile(timings, 99))

# 2. Event -> visible at 1 000 events/s.
paced_dir = f"{WORK}/paced"
paced_start = int(time.time()) + 3
paced = generate("paced", paced_dir, events_per_second=1000, seconds=60, start=paced_start)
logs = {}
for source in paced["sources"]:
    with open(f"{paced_dir}/{source}.log", "rb") as log:
        logs[source] = log.readlines()
baseline_conn = connection()
baseline = sum(q["today"]["offered"] for q in status(baseline_conn)["queues"])
baseline_conn.close()
sent_marks = []  # (enterqueues sent in total so far, time the POST was answered)
marks_lock = threading.Lock()
enterqueues = [0]
done = threading.Event()


def pusher(source):
    conn = connection()
    lines, index, offset = logs[source], 0, 0
    while index < len(lines):
        now = time.time()
        batch = []
        while index < len(lines) and int(lines[index].split(b"|", 1)[0]) <= now:
            batch.append(lines[index])
            index += 1
        if batch:
            body = b"".join(batch)
            post(conn, source, offset, body)
            offset += len(body)
            answered = time.time()
            with marks_lock:
                enterqueues[0] += sum(1 for line in batch if b"|ENTERQUEUE|" in line)
                sent_marks.append((enterqueues[0], answered))
        time.sleep(max(0, 0.1 - (time.time() - now)))
    conn.close()


seen = []  # (offered today above the baseline, time of the poll)


def reader():
    conn = connection()
    while not done.is_set():
        offered = sum(q["today"]["offered"] for q in status(conn)["queues"]) - baseline
        seen.append((offered, time.time()))
        time.sleep(0.02)
    conn.close()


reading = threading.Thread(target=reader)
reading.start()
pushers = [threading.Thread(target=pusher, args=(source,)) for source in logs]
for thread in pushers:
    thread.start()
for thread in pushers:
    thread.join()
time.sleep(3)
done.set()
reading.join()
latencies = []
position = 0
for needed, answered in sent_marks:
    while position < len(seen) and seen[position][0] < needed:
        position += 1
    if position == len(seen):
        raise SystemExit(f"a batch never became visible ({needed} ENTERQUEUEs)")
    latencies.append(max(0.0, seen[position][1] - answered) * 1000)
paced_lines = sum(len(lines) for lines in logs.values())
paced_rate = paced_lines / max(1, paced["last_epoch"] - paced_start)
paced_row = (paced_rate, len(sent_marks), statistics.median(latencies), percentile(latencies, 99), max(latencies))

# 3. Sustained ingest -> applied.
sustained_dir = f"{WORK}/sustained"
# Hours ago, so every event is in the past (the API refuses events over 10 minutes ahead of its clock).
sustained = generate("sustained", sustained_dir, lines=600000, start=int(time.time()) - 4 * 3600)
before = applied_count()
cpu_before = {name: cpu_seconds(pid) for name, pid in PIDS.items()}
started = time.time()
results = {}
threads = [threading.Thread(target=lambda s=source: results.__setitem__(s, push_file(f"{sustained_dir}/{s}.log", s, 5000)))
           for source in sustained["sources"]]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
posted = time.time()
sent = sum(results.values())
finished = wait_applied(before + sent)
elapsed = finished - started
cpu = {name: (cpu_seconds(pid) - cpu_before[name]) / elapsed for name, pid in PIDS.items()}

print("| Measurement | Result | Target |")
print("| --- | --- | --- |")
print(f"| `GET /queues/status`, {status_row[0]} queues, {status_row[1]} agents logged in (memberships), {status_row[2]} callers waiting; "
      f"2 000 sequential requests on one keep-alive connection, round trip with the whole body read (not parsed) | p50 {status_row[3]:.2f} ms, **p95 {status_row[4]:.2f} ms**, "
      f"p99 {status_row[5]:.2f} ms | p95 ≤ 5 ms |")
print(f"| Event → visible in `/queues/status` at {paced_row[0]:.0f} events/s (2 PBXs pushing every 100 ms, {paced_row[1]} batches; "
      f"status polled every 20 ms) | p50 {paced_row[2]:.0f} ms, **p99 {paced_row[3]:.0f} ms**, max {paced_row[4]:.0f} ms | p99 ≤ 1 s |")
print(f"| Sustained ingest → applied: {sent} queue_log lines of 4 PBXs, 4 pushers, batches of 5 000 lines | "
      f"**{sent / elapsed:,.0f} events/s** applied ({elapsed:.1f} s; all posted after {posted - started:.1f} s = "
      f"{sent / (posted - started):,.0f} events/s accepted) | ≥ 20 000 events/s |")
print(f"| CPU during the sustained run, in cores (of {os.cpu_count()}) | "
      + ", ".join(f"{name} {value:.2f}" for name, value in cpu.items()) + " | |")
