#!/usr/bin/env python3
"""calls-ingest end to end (issue 19), against the running release stack's database, queue and workers: for
each transport (http, grpc), 100 pairs — JSON beside a WAV or an MP3, FreeSWITCH CDRs naming their recording
or found by uuid in the recordings directory, one CDR without a recording — are dropped into a watched
directory while this script's own calls-api is stopped and started twice and calls-ingest is SIGKILLed once
and started again. Then every good pair must exist exactly once as a call (looked up by its unique caller),
with its recording analysed (`ready`), its files in the done directory; the bad pairs (broken JSON, a number
the service refuses, a CDR with a DOCTYPE) in the failed directory with `<name>.error.json`; and a recording
still being written when its metadata appeared must have been taken whole, not early.

Usage: ingest_e2e.py BIN_DIR WORK_DIR. Environment: CALLS_DATABASE_URL, CALLS_REDIS_URL and the rest of the
running stack's settings (inherited by the API started here), CALLS_API_KEY (role write). Exits non-zero on
any failure."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wavgen import write_wav  # noqa: E402

BIN, WORK = sys.argv[1], sys.argv[2]
KEY = os.environ["CALLS_API_KEY"]
PAIRS_PER_TRANSPORT = int(os.environ.get("INGEST_PAIRS", "100"))
DEADLINE_SECONDS = float(os.environ.get("INGEST_DEADLINE", "240"))


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fail(message):
    sys.exit(f"FAILED: {message}")


class API:
    """calls-api on ports of its own over the stack's database and queue, stopped and started at will."""

    def __init__(self):
        self.http, self.grpc, self.process = free_port(), free_port(), None

    def start(self):
        env = dict(os.environ, CALLS_HTTP_PORT=str(self.http), CALLS_GRPC_PORT=str(self.grpc))
        self.process = subprocess.Popen([f"{BIN}/calls-api", "serve"], env=env, stdout=subprocess.DEVNULL,
                                        stderr=open(os.path.join(WORK, "api.log"), "a"))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.http}/readyz", timeout=2):
                    return
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.2)
        fail("the API did not become ready")

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)

    def get(self, path):
        request = urllib.request.Request(f"http://127.0.0.1:{self.http}{path}", headers={"Authorization": f"Bearer {KEY}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())


def rfc3339(epoch):
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(epoch))


def cdr(uuid, caller, receiver, start, record_path=None):
    variables = [("direction", "inbound"), ("uuid", uuid), ("caller_id_number", caller.replace("+", "%2B")),
                 ("destination_number", receiver), ("start_epoch", str(start)), ("answer_epoch", str(start + 2)),
                 ("end_epoch", str(start + 9)), ("duration", "9"), ("billsec", "7"), ("hangup_cause", "NORMAL_CLEARING")]
    if record_path:
        variables.append(("record_path", record_path.replace(" ", "%20")))
    body = "".join(f"    <{name}>{value}</{name}>\n" for name, value in variables)
    return f'<?xml version="1.0"?>\n<cdr core-uuid="e2e" switchname="pbx-e2e">\n  <variables>\n{body}  </variables>\n</cdr>\n'


class Station:
    """One transport's run: the directories, the pairs it wrote and what each should become."""

    def __init__(self, transport, api, fixtures):
        self.transport, self.api, self.fixtures = transport, api, fixtures
        root = os.path.join(WORK, transport)
        self.watch, self.recordings = os.path.join(root, "watch"), os.path.join(root, "fs-recordings")
        self.done, self.failed, self.state = (os.path.join(root, name) for name in ("done", "failed", "state"))
        for directory in (self.watch, self.recordings, self.done, self.failed, self.state):
            os.makedirs(directory)
        self.key_file = os.path.join(root, "key")
        with open(self.key_file, "w") as file:
            file.write(KEY + "\n")
        self.good, self.bad, self.client = {}, [], None
        self.facts = {}  # caller → what the call's `station` object must say
        self.prefix = "+7901" if transport == "http" else "+7902"

    def caller(self, index):
        return f"{self.prefix}{index:07d}"

    def write_pair(self, index):
        """Writes the recording first (under a dot-name, then renamed, as PBXs finish files) and the metadata last."""
        name, caller, kind = f"call-{index:04d}", self.caller(index), index % 5
        start = 1_795_000_000 + index
        recording = {0: "wav", 1: "mp3", 2: "wav", 3: "mp3", 4: None}[kind]
        if kind in (0, 1):
            target = os.path.join(self.watch, f"{name}.{recording}")
            shutil.copyfile(self.fixtures[recording], target + ".part")
            os.rename(target + ".part", target)
            metadata = json.dumps({"caller": caller, "receiver": "+44 20 7946 0958", "tags": ["e2e", self.transport],
                                   "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start)), "direction": "inbound"})
            self.place(f"{name}.json", metadata)
            self.facts[caller] = {"name": f"e2e-{self.transport}", "direction": "inbound", "call_id": None}
        else:
            uuid = f"00000000-0000-4000-8000-{index:012d}"
            record_path = None
            if kind == 2:  # named by the CDR, by absolute path
                record_path = os.path.join(self.recordings, f"rec {index}.wav")
                shutil.copyfile(self.fixtures["wav"], record_path)
            elif kind == 3:  # found by uuid in the recordings directory
                shutil.copyfile(self.fixtures["mp3"], os.path.join(self.recordings, f"{uuid}.mp3"))
            self.place(f"{name}.xml", cdr(uuid, caller, "1001", start, record_path))
            self.facts[caller] = {"name": f"e2e-{self.transport}", "direction": "inbound", "call_id": uuid,
                                  "answered_at": rfc3339(start + 2), "ended_at": rfc3339(start + 9),
                                  "hangup_cause": "NORMAL_CLEARING", "duration_sec": 9, "billable_sec": 7}
        self.good[caller] = recording

    def place(self, name, text):
        temporary = os.path.join(self.watch, "." + name + ".part")
        with open(temporary, "w") as file:
            file.write(text)
        os.rename(temporary, os.path.join(self.watch, name))

    def write_bad_pairs(self):
        self.place("bad-json.json", '{"caller": "+7903000001", "receiver": ')
        shutil.copyfile(self.fixtures["wav"], os.path.join(self.watch, "bad-json.wav"))
        self.place("bad-number.json", json.dumps({"caller": "not a number", "receiver": "+44 20 7946 0958",
                                                  "started_at": "2026-11-30T10:00:00Z"}))
        shutil.copyfile(self.fixtures["wav"], os.path.join(self.watch, "bad-number.wav"))
        self.place("bad-doctype.xml", '<?xml version="1.0"?><!DOCTYPE cdr [<!ENTITY a "aaaa">]><cdr><variables>'
                                      '<uuid>x</uuid></variables></cdr>')
        self.bad = {"bad-json": None, "bad-number": "validation_failed", "bad-doctype": None}

    def start_client(self):
        api = f"http://127.0.0.1:{self.api.http}" if self.transport == "http" else f"127.0.0.1:{self.api.grpc}"
        self.client = subprocess.Popen(
            [f"{BIN}/calls-ingest", "--watch", self.watch, "--api", api, "--transport", self.transport,
             "--key-file", self.key_file, "--station", f"e2e-{self.transport}", "--parallel", "4", "--settle", "1",
             "--done-dir", self.done, "--failed-dir", self.failed, "--recordings-dir", self.recordings,
             "--state", self.state, "--retry-max", "2"],
            stdout=open(os.path.join(WORK, f"ingest-{self.transport}.log"), "a"), stderr=subprocess.STDOUT)

    def delivered(self):
        return sum(1 for name in os.listdir(self.done) if name.endswith((".json", ".xml")))


def growing_recording(station, index):
    """A WAV whose metadata is already there while the recording is still written for 4 s."""
    name, caller = f"slow-{index}", station.caller(index)
    path = os.path.join(station.watch, f"{name}.wav")
    with open(station.fixtures["long_wav"], "rb") as source:
        content = source.read()
    station.place(f"{name}.json", json.dumps({"caller": caller, "receiver": "+44 20 7946 0958",
                                              "started_at": "2026-11-30T10:00:00Z"}))
    with open(path, "wb") as out:
        step = len(content) // 8
        for offset in range(0, len(content), step):
            out.write(content[offset:offset + step])
            out.flush()
            time.sleep(0.5)
    station.good[caller] = "wav"
    return caller, len(content)


def main():
    fixtures = {"wav": os.path.join(WORK, "dialogue.wav"), "mp3": os.path.join(WORK, "dialogue.mp3"),
                "long_wav": os.path.join(WORK, "long.wav")}
    write_wav(fixtures["wav"], [(1.0, "tone"), (1.5, "silence"), (1.0, "tone")])
    write_wav(fixtures["long_wav"], [(3.0, "tone"), (2.0, "silence"), (3.0, "tone")])
    subprocess.run(["lame", "--quiet", "-b", "32", fixtures["wav"], fixtures["mp3"]], check=True)

    api = API()
    api.start()
    stations = [Station("http", api, fixtures), Station("grpc", api, fixtures)]
    per_phase = PAIRS_PER_TRANSPORT // 4
    for station in stations:
        station.write_bad_pairs()
        for index in range(per_phase):
            station.write_pair(index)
    api.stop()  # the first outage: the clients start while the API is away
    for station in stations:
        station.start_client()
    for station in stations:
        for index in range(per_phase, 2 * per_phase):
            station.write_pair(index)
    time.sleep(3)
    api.start()
    wait_for(lambda: all(station.delivered() >= per_phase for station in stations), 120, "the first deliveries")
    for station in stations:  # SIGKILL in the middle of deliveries, then start again
        for index in range(2 * per_phase, 3 * per_phase):
            station.write_pair(index)
        time.sleep(0.3)
        station.client.send_signal(signal.SIGKILL)
        station.client.wait()
        station.start_client()
    slow = [growing_recording(station, 10_000) for station in stations]
    api.stop()  # the second outage, with deliveries under way
    for station in stations:
        for index in range(3 * per_phase, PAIRS_PER_TRANSPORT):
            station.write_pair(index)
    time.sleep(4)
    api.start()
    wait_for(lambda: all(station.delivered() >= len(station.good) for station in stations), DEADLINE_SECONDS,
             "every good pair in the done directory")
    wait_for(lambda: all(len(failed_pairs(station)) >= len(station.bad) for station in stations), 60,
             "every bad pair in the failed directory")
    for station in stations:
        station.client.send_signal(signal.SIGTERM)
        if station.client.wait(timeout=60) != 0:
            print(f"note: calls-ingest ({station.transport}) exited with {station.client.returncode} on SIGTERM")
    check(api, stations, slow)
    api.stop()


def failed_pairs(station):
    return {name[: -len(".error.json")] for name in os.listdir(station.failed) if name.endswith(".error.json")}


def wait_for(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            fail(f"timed out waiting for {what}")
        time.sleep(0.5)


def check(api, stations, slow):
    expected = sum(len(station.good) for station in stations)
    ready = 0
    deadline = time.monotonic() + 180
    for station in stations:
        for caller, recording in station.good.items():
            while True:
                page = api.get("/calls?phone=" + urllib.request.quote(caller) + "&limit=10")
                if page["total"] != 1:
                    fail(f"{station.transport}: {page['total']} calls for {caller}, expected exactly 1")
                call = page["items"][0]
                station_said = call.get("station") or {}
                for field, value in station.facts.get(caller, {}).items():
                    if station_said.get(field) != value:
                        fail(f"{caller}: station.{field} is {station_said.get(field)!r}, expected {value!r}: {call.get('station')}")
                if recording is None:
                    if call["recording"] is not None:
                        fail(f"{caller}: a recording where the CDR named none")
                    break
                if call["status"] == "ready":
                    if call["recording"]["format"] != recording:
                        fail(f"{caller}: recording format {call['recording']['format']}, expected {recording}")
                    ready += 1
                    break
                if call["status"] == "failed" or time.monotonic() > deadline:
                    fail(f"{caller}: status {call['status']} ({call.get('error')})")
                time.sleep(0.3)
        refused = failed_pairs(station)
        if refused != set(station.bad):
            fail(f"{station.transport}: failed directory holds {sorted(refused)}, expected {sorted(station.bad)}")
        for name, code in station.bad.items():
            with open(os.path.join(station.failed, f"{name}.error.json")) as file:
                problem = json.load(file)
            if code and problem.get("code") != code:
                fail(f"{name}.error.json: code {problem.get('code')}, expected {code}: {problem}")
            if not problem.get("detail"):
                fail(f"{name}.error.json has no detail: {problem}")
    for caller, size in slow:
        call = api.get("/calls?phone=" + urllib.request.quote(caller))["items"][0]
        if call["recording"]["size_bytes"] != size:
            fail(f"the growing recording was taken early: {call['recording']['size_bytes']} of {size} bytes")
    print(f"calls-ingest e2e passed: {expected} pairs over http and grpc, each exactly once ({ready} recordings "
          f"analysed), {sum(len(s.bad) for s in stations)} refused pairs with their reasons, growing files taken whole, "
          f"through two API outages and a SIGKILL")


if __name__ == "__main__":
    main()
