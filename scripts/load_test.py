#!/usr/bin/env python3
"""Load driver for a running Calls Service (standard library only).

C client threads each create calls and upload a WAV recording; the driver then waits until every call is
finished and reads the timings from PostgreSQL (recordings.created_at = upload committed, calls.updated_at
= analysis committed), so measuring does not add polling load. Prints one JSON line.

Environment: BASE_URL, PGURL (psql connection string), CLIENTS (default 8), CALLS (default 400),
SECONDS_OF_AUDIO (default 10), TIMEOUT (default 300), RATE (calls started per second across all clients;
default: as fast as they go), COUNT_RESULT_WRITES=1 (a trigger counts every write of a call's analysis
results, so `duplicate_effects` reports results written more than once; used by the chaos run)."""

import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wavgen import write_wav  # noqa: E402

BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:8000").rstrip("/")
PGURL = os.environ["PGURL"]
CLIENTS = int(os.environ.get("CLIENTS", "8"))
CALLS = int(os.environ.get("CALLS", "400"))
SECONDS = float(os.environ.get("SECONDS_OF_AUDIO", "10"))
TIMEOUT = float(os.environ.get("TIMEOUT", "300"))
RATE = float(os.environ.get("RATE", "0"))
COUNT_RESULT_WRITES = os.environ.get("COUNT_RESULT_WRITES") == "1"

RESULT_WRITES_TRIGGER = """
CREATE TABLE IF NOT EXISTS bench_result_writes (call_id uuid NOT NULL, written_at timestamptz NOT NULL DEFAULT now());
CREATE OR REPLACE FUNCTION bench_count_result_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO bench_result_writes (call_id) VALUES (NEW.call_id); RETURN NEW; END $$;
DROP TRIGGER IF EXISTS bench_result_writes ON recordings;
CREATE TRIGGER bench_result_writes AFTER UPDATE ON recordings FOR EACH ROW WHEN (NEW.analysis IS NOT NULL)
  EXECUTE FUNCTION bench_count_result_write();
"""


def psql(sql):
    return subprocess.run(["psql", PGURL, "-tAc", sql], check=True, capture_output=True, text=True).stdout.strip()


class Connection:
    """One keep-alive HTTP/1.1 connection per client thread, as a real integration would hold: reconnects
    after a network error. Requests are written as bytes and responses parsed by hand: http.client parses
    headers with the email package, and the driver shares the machine's two cores with the service it
    measures, so its own CPU per request is kept small."""

    def __init__(self):
        parsed = urllib.parse.urlsplit(BASE_URL)
        self.host, self.port = parsed.hostname, parsed.port or 80
        self.sock = None
        self.buffer = b""

    def post(self, path, body, headers):
        head = f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nContent-Length: {len(body)}\r\n"
        head += "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        request = head.encode() + b"\r\n" + body
        for attempt in (1, 2):
            try:
                if self.sock is None:
                    self.sock = socket.create_connection((self.host, self.port), timeout=60)
                    self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    self.buffer = b""
                self.sock.sendall(request)
                return self.read_response()
            except OSError:
                self.sock.close()
                self.sock = None
                if attempt == 2:
                    return 0, b""

    def receive(self):
        chunk = self.sock.recv(262144)
        if not chunk:
            raise ConnectionResetError("the server closed the connection")
        self.buffer += chunk

    def read_response(self):
        while b"\r\n\r\n" not in self.buffer:
            self.receive()
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        length = 0
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding":
                raise ValueError(f"unexpected Transfer-Encoding: {value.strip()!r}")
        while len(self.buffer) < length:
            self.receive()
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return status, body


def main():
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "call.wav")
        third = SECONDS / 3
        write_wav(path, [(third, "tone"), (third, "silence"), (SECONDS - 2 * third, "tone")])
        audio = open(path, "rb").read()
    boundary = uuid.uuid4().hex
    upload = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"call.wav\"\r\n"
              f"Content-Type: audio/wav\r\n\r\n").encode() + audio + f"\r\n--{boundary}--\r\n".encode()
    upload_headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    call_body = json.dumps({"caller": "+15550001", "receiver": "+15550002", "started_at": "2026-11-21T10:00:00Z"}).encode()

    statuses = {}
    ids = []
    lock = threading.Lock()
    counter = iter(range(CALLS))
    schedule = {"next": time.monotonic()}

    def client():
        connection = Connection()
        while True:
            with lock:
                if next(counter, None) is None:
                    return
                start_at = schedule["next"]
                schedule["next"] = max(start_at, time.monotonic()) + (1 / RATE if RATE > 0 else 0)
            delay = start_at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            status, body = connection.post("/calls", call_body, {"Content-Type": "application/json"})
            if status != 201:
                with lock:
                    statuses[f"create {status}"] = statuses.get(f"create {status}", 0) + 1
                continue
            call_id = json.loads(body)["id"]
            status, _ = connection.post(f"/calls/{call_id}/recording", upload, upload_headers)
            with lock:
                statuses[str(status)] = statuses.get(str(status), 0) + 1
                if status == 202:
                    ids.append(call_id)

    if COUNT_RESULT_WRITES:
        psql(RESULT_WRITES_TRIGGER)
    baseline = int(psql("SELECT count(*) FROM calls"))
    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    upload_seconds = time.monotonic() - started

    id_list = ",".join(f"'{i}'" for i in ids) or "NULL"
    deadline = time.monotonic() + TIMEOUT
    while True:
        finished = int(psql(f"SELECT count(*) FROM calls WHERE id IN ({id_list}) AND status IN ('ready','failed')"))
        if finished == len(ids) or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    total_seconds = time.monotonic() - started

    figures = psql(f"""
        SELECT json_build_object(
          'ready', count(*) FILTER (WHERE c.status = 'ready'),
          'failed', count(*) FILTER (WHERE c.status = 'failed'),
          'analysed_rows', count(r.duration_ms),
          'attempts_over_1', count(*) FILTER (WHERE c.attempts > 1),
          'p50_ms', percentile_cont(0.50) WITHIN GROUP (ORDER BY extract(epoch FROM c.updated_at - r.created_at) * 1000),
          'p95_ms', percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM c.updated_at - r.created_at) * 1000),
          'p99_ms', percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM c.updated_at - r.created_at) * 1000),
          'max_ms', max(extract(epoch FROM c.updated_at - r.created_at) * 1000),
          'first_upload', extract(epoch FROM min(r.created_at)), 'last_ready', extract(epoch FROM max(c.updated_at)))
        FROM calls c JOIN recordings r ON r.call_id = c.id WHERE c.id IN ({id_list})""")
    result = json.loads(figures)
    span = (result.pop("last_ready") or 0) - (result.pop("first_upload") or 0)
    result.update({
        "clients": CLIENTS, "calls": CALLS, "accepted": len(ids), "statuses": statuses,
        "uploads_per_s": round(len(ids) / upload_seconds, 1),
        "completed_per_s": round(result["ready"] / span, 1) if span > 0 else None,
        "lost": len(ids) - result["ready"] - result["failed"],
        "wall_s": round(total_seconds, 2), "baseline_calls": baseline,
    })
    if COUNT_RESULT_WRITES:
        result.update(json.loads(psql(f"""
            SELECT json_build_object(
              'duplicate_effects', coalesce(sum(writes - 1), 0),
              'rerun', (SELECT count(*) FROM calls WHERE id IN ({id_list}) AND attempts > 1),
              'rerun_p50_ms', (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM c.updated_at - r.created_at) * 1000)
                               FROM calls c JOIN recordings r ON r.call_id = c.id WHERE c.id IN ({id_list}) AND c.attempts > 1),
              'rerun_max_ms', (SELECT max(extract(epoch FROM c.updated_at - r.created_at) * 1000)
                               FROM calls c JOIN recordings r ON r.call_id = c.id WHERE c.id IN ({id_list}) AND c.attempts > 1))
            FROM (SELECT count(*) AS writes FROM bench_result_writes WHERE call_id IN ({id_list}) GROUP BY call_id) w""")))
    for key in ("p50_ms", "p95_ms", "p99_ms", "max_ms", "rerun_p50_ms", "rerun_max_ms"):
        if key not in result:
            continue
        result[key] = round(result[key], 1) if result[key] is not None else None
    print(json.dumps(result))


if __name__ == "__main__":
    main()
