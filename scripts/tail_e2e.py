#!/usr/bin/env python3
"""`calls-events tail` against a running stack (make test, release binaries): two PBXs' generated queue_logs,
one rotated (logrotate's `create`: renamed, with lines still written to the old file after the rename) and
one truncated in place (`copytruncate`), each followed by its own tailer, and one tailer restarted mid-way.
Then /queues/status must show, for the queues of this traffic, exactly what the generator says (agents by
state, callers waiting, today's counts), and re-reading everything from the beginning must add nothing.
Usage: BASE_URL=… CALLS_API_KEY=<write key> tail_e2e.py BIN_DIR WORK_DIR
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request

BIN, WORK = sys.argv[1], sys.argv[2]
BASE, KEY = os.environ["BASE_URL"], os.environ["CALLS_API_KEY"]
os.makedirs(WORK, exist_ok=True)


def fail(message):
    print(f"tail end-to-end test FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def status():
    request = urllib.request.Request(f"{BASE}/queues/status", headers={"Authorization": f"Bearer {KEY}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


run = str(int(time.time()))
traffic = f"{WORK}/traffic"
now = int(time.time())
summary = json.loads(subprocess.check_output([
    f"{BIN}/calls-traffic", "--preset", "paced", "--out", traffic, "--events-per-second", "40", "--seconds", "240",
    "--start", str(now - 300), "--seed", run, "--truth", f"{traffic}/truth.json"]))
truth = json.load(open(f"{traffic}/truth.json"))
expected = {q["queue"]: q for q in truth["queues"]
            if q["agents"]["logged_in"] or q["calls"]["waiting"] or q["today"]["offered"] or q["today"]["answered"]}
print(f"ok    {summary['lines']} lines of {len(summary['sources'])} PBXs, {len(expected)} queues with something to show")

key_file = f"{WORK}/key"
with open(key_file, "w") as handle:
    handle.write(KEY + "\n")
tailers = {}


def start_tailer(source, log, *extra):
    # A source name of this run: the generator's PBX names are the same every run.
    output = open(f"{WORK}/{source}.tail.log", "a")
    tailers[source] = subprocess.Popen(
        [f"{BIN}/calls-events", "tail", log, "--source", f"{source}-{run}", "--api", BASE, "--key-file", key_file,
         "--poll-interval", "0.1", *extra], stdout=output, stderr=output)


def stop_tailer(source):
    process = tailers.pop(source)
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        fail(f"the tailer of {source} did not stop on SIGTERM")


def write(path, lines, mode="ab"):
    with open(path, mode) as handle:
        handle.writelines(lines)
        handle.flush()


logs = {}
for source in summary["sources"]:
    with open(f"{traffic}/{source}.log", "rb") as handle:
        logs[source] = handle.readlines()
rotated, truncated = summary["sources"][0], summary["sources"][1]
paths = {source: f"{WORK}/{source}.queue_log" for source in logs}
for source, lines in logs.items():
    write(paths[source], lines[: len(lines) // 3], "wb")
    start_tailer(source, paths[source])
time.sleep(2)

# Rotation (create): rename, a few more lines into the old file, then the new file.
lines = logs[rotated]
third, two_thirds = len(lines) // 3, 2 * len(lines) // 3
os.rename(paths[rotated], paths[rotated] + ".1")
write(paths[rotated] + ".1", lines[third: third + 50])
time.sleep(0.5)
write(paths[rotated], lines[third + 50: two_thirds], "wb")
# copytruncate: copy, truncate in place, go on writing.
lines_b = logs[truncated]
shutil.copy(paths[truncated], paths[truncated] + ".1")
with open(paths[truncated], "r+b") as handle:
    handle.truncate(0)
# The PBX goes on writing a moment later, as it does (a truncation the file outgrows between two of the
# tailer's looks is not seen, as with tail -F: README says so).
time.sleep(1)
write(paths[truncated], lines_b[len(lines_b) // 3: 2 * len(lines_b) // 3])
time.sleep(2)
# A restart of one tailer mid-way: it resumes from its state file.
stop_tailer(rotated)
write(paths[rotated], lines[two_thirds:])
start_tailer(rotated, paths[rotated])
write(paths[truncated], lines_b[2 * len(lines_b) // 3:])


def shown_matches():
    shown = {q["queue"]: q for q in status()["queues"] if q["queue"] in expected}
    mismatches = []
    for name, want in expected.items():
        got = shown.get(name)
        if got is None:
            mismatches.append(f"{name}: missing")
            continue
        if got["agents"] != want["agents"]:
            mismatches.append(f"{name}: agents {got['agents']} != {want['agents']}")
        if got["calls"]["waiting"] != want["calls"]["waiting"]:
            mismatches.append(f"{name}: waiting {got['calls']['waiting']} != {want['calls']['waiting']}")
        for field in ("offered", "answered", "abandoned", "timed_out", "answered_within_sl"):
            if got["today"][field] != want["today"][field]:
                mismatches.append(f"{name}: today.{field} {got['today'][field]} != {want['today'][field]}")
    return mismatches


deadline = time.time() + 90
mismatches = shown_matches()
while mismatches and time.time() < deadline:
    time.sleep(0.5)
    mismatches = shown_matches()
if mismatches:
    for source in list(tailers):
        stop_tailer(source)
    fail("the panel does not show the traffic: " + "; ".join(mismatches[:8]))
print("ok    /queues/status shows the generator's truth for every queue (agents, waiting, today's counts)")
print("ok    across a rename rotation with lines written to the old file after it, a copytruncate, and a tailer restart")

for source in list(tailers):
    stop_tailer(source)
# The current files again from their first byte (the state keeps their base): every line is sent with the
# offset it had, so all are duplicates and nothing changes.
for source in logs:
    start_tailer(source, paths[source], "--start", "beginning")
time.sleep(3)
for source in list(tailers):
    stop_tailer(source)
mismatches = shown_matches()
if mismatches:
    fail("sending the logs again changed the panel: " + "; ".join(mismatches[:8]))
print("ok    the current files sent again from their first byte change nothing (same offsets: duplicates)")
print("tail end-to-end test passed")
