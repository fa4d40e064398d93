#!/usr/bin/env python3
"""Abuse test of a running API (standard library only): plays the attacks of issue 13 against it, each for a
bounded time, and prints one line per attack with what the API answered and its resident memory before and
after. An attack passes when every answer is the expected status with an RFC 9457 problem+json body (503 only
where a dependency may be saturated, and then with Retry-After), nothing answered 500, the API process is
still alive and its RSS grew by less than MAX_RSS_GROWTH_MB. Exits non-zero when any attack failed.

Environment: BASE_URL (loopback only), API_PID (the calls-api process, for /proc), CALLS_API_KEY (an admin
key), and the settings the stack runs with, which set the expectations (defaults: those of `make test`):
CALLS_HTTP_IDLE_TIMEOUT_SECONDS (3), CALLS_HTTP_MAX_CONNECTIONS (300), CALLS_MAX_WATCHERS_PER_CALL (100),
CALLS_KEY_LOOKUPS_PER_SECOND (10). Every socket goes to 127.0.0.1; the whole run takes about half a minute."""

import base64
import collections
import json
import os
import select
import socket
import statistics
import struct
import sys
import threading
import time
import urllib.parse
import uuid

BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:8000").rstrip("/")
API_KEY = os.environ.get("CALLS_API_KEY")
IDLE_TIMEOUT = float(os.environ.get("CALLS_HTTP_IDLE_TIMEOUT_SECONDS", "3"))
MAX_CONNECTIONS = int(os.environ.get("CALLS_HTTP_MAX_CONNECTIONS", "300"))
WATCHERS_PER_CALL = int(os.environ.get("CALLS_MAX_WATCHERS_PER_CALL", "100"))
KEY_LOOKUPS_PER_SECOND = float(os.environ.get("CALLS_KEY_LOOKUPS_PER_SECOND", "10"))
KEY_LOOKUP_BURST = 3 * KEY_LOOKUPS_PER_SECOND
MAX_RSS_GROWTH_MB = float(os.environ.get("MAX_RSS_GROWTH_MB", "10"))
# Attacks not begun by then are counted as failed: an API that answers that slowly has failed already.
TIME_BUDGET_SECONDS = 120

# Internal targets a callback must never reach: loopback, link-local metadata, their IPv4-mapped, hexadecimal,
# decimal and short spellings, benchmarking, NAT64 of the metadata address, unique-local, the absolute
# `localhost.`, and the reserved 240/4.
SSRF_TARGETS = [
    "http://127.0.0.1/", "http://169.254.169.254/latest/meta-data", "http://[::ffff:127.0.0.1]/",
    "http://0x7f000001/", "http://2130706433/", "http://127.1/", "http://198.18.0.1/",
    "http://[64:ff9b::a9fe:a9fe]/", "http://[fd00::1]/", "http://localhost./", "http://240.0.0.1/",
]


class Closed(Exception):
    """The server closed the connection before the answer was complete."""


# --- the target -------------------------------------------------------------------------------------------

def loopback_target(url):
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme != "http" or parsed.hostname not in ("127.0.0.1", "localhost"):
        sys.exit(f"abuse test: BASE_URL must be http://127.0.0.1:PORT (every attack stays on loopback), got {url}")
    return "127.0.0.1", parsed.port or 80


HOST, PORT = loopback_target(BASE_URL)
# What one attack leaves for the next: the call the resets hammered, whose watcher places must all be free.
SHARED = {}


def api_pid():
    try:
        return int(os.environ["API_PID"])
    except (KeyError, ValueError):
        sys.exit("abuse test: API_PID must be the pid of the calls-api process")


API_PID = api_pid()


def rss_mb():
    try:
        with open(f"/proc/{API_PID}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def api_alive():
    """Whether the API process still runs (a dead child of the caller's shell lingers as a zombie)."""
    try:
        with open(f"/proc/{API_PID}/stat") as stat:
            state = stat.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def open_descriptors():
    try:
        return len(os.listdir(f"/proc/{API_PID}/fd"))
    except OSError:
        return -1


# --- HTTP over plain sockets, so each attack controls every byte and every close --------------------------

class Answer:
    def __init__(self, status, headers, body=b""):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def code(self):
        try:
            value = json.loads(self.body).get("code")
            return value if isinstance(value, str) else None
        except (ValueError, AttributeError):
            return None

    def label(self):
        return f"{self.status} {self.code}" if self.status >= 400 else str(self.status)


class Reader:
    def __init__(self, sock):
        self.sock = sock
        self.buffer = b""

    def _fill(self, deadline):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("no complete answer in time")
        self.sock.settimeout(remaining)
        try:
            data = self.sock.recv(65536)
        except ConnectionResetError as error:
            raise Closed("connection reset") from error
        if not data:
            raise Closed("connection closed")
        self.buffer += data

    def _until(self, marker, deadline, limit=1 << 20):
        while marker not in self.buffer:
            if len(self.buffer) > limit:
                raise ValueError("answer head too large")
            self._fill(deadline)
        found, _, self.buffer = self.buffer.partition(marker)
        return found

    def _exactly(self, count, deadline):
        while len(self.buffer) < count:
            self._fill(deadline)
        found, self.buffer = self.buffer[:count], self.buffer[count:]
        return found

    def answer(self, deadline, stream_head_only=False):
        """The next answer; of a 200 event stream only the head when `stream_head_only`."""
        while True:
            head = self._until(b"\r\n\r\n", deadline).decode("latin-1").split("\r\n")
            status = int(head[0].split(" ", 2)[1])
            if status >= 200:
                break
        headers = {}
        for line in head[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if stream_head_only and status == 200 and headers.get("content-type", "").startswith("text/event-stream"):
            return Answer(status, headers)
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while True:
                size = int(self._until(b"\r\n", deadline).split(b";")[0], 16)
                if size == 0:
                    while self._until(b"\r\n", deadline):
                        pass
                    break
                body += self._exactly(size, deadline)
                self._until(b"\r\n", deadline)
        elif "content-length" in headers:
            body = self._exactly(int(headers["content-length"]), deadline)
        else:
            body = self.buffer
            try:
                while True:
                    self._fill(deadline)
                    body = self.buffer
            except Closed:
                pass
        return Answer(status, headers, body)


def request_head(method, path, headers=None, key=API_KEY, length=None):
    lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{PORT}"]
    if key:
        lines.append(f"Authorization: Bearer {key}")
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def connect(timeout=5.0):
    return socket.create_connection((HOST, PORT), timeout=timeout)


class Connection:
    """A keep-alive connection that reconnects once when the server has closed it meanwhile."""

    def __init__(self):
        self.sock = None
        self.reader = None

    def request(self, method, path, body=None, key=API_KEY, headers=None, timeout=10.0):
        headers = dict(headers or {})
        if body is not None and not isinstance(body, bytes):
            body = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
        data = request_head(method, path, headers, key, None if body is None else len(body)) + (body or b"")
        for attempt in range(2):
            fresh = self.sock is None
            if fresh:
                self.sock = connect(timeout)
                self.reader = Reader(self.sock)
            try:
                self.sock.settimeout(timeout)
                self.sock.sendall(data)
                answer = self.reader.answer(time.monotonic() + timeout)
            except (Closed, BrokenPipeError, ConnectionResetError):
                self.close()
                if fresh or attempt == 1:
                    raise
                continue
            if answer.headers.get("connection", "").lower() == "close":
                self.close()
            return answer
        raise Closed("no answer")

    def close(self):
        if self.sock is not None:
            self.sock.close()
        self.sock = None
        self.reader = None


def api(method, path, body=None, key=API_KEY, timeout=5.0):
    connection = Connection()
    try:
        return connection.request(method, path, body, key, timeout=timeout)
    finally:
        connection.close()


def readable(sock, seconds):
    return bool(select.select([sock], [], [], max(0.0, seconds))[0])


def new_call(tag):
    answer = api("POST", "/calls", {"caller": "+15550001", "receiver": "+15550002",
                                    "started_at": "2026-11-21T10:00:00Z", "tags": ["abuse", tag]})
    if answer.status != 201:
        raise RuntimeError(f"POST /calls -> {answer.status} {answer.body[:200]!r}")
    return json.loads(answer.body)["id"]


def chunked_upload(path, boundary, pieces, seconds):
    """POSTs a chunked multipart body made of `pieces` ((delay before it, bytes)) and stops sending as soon as
    the server answers or closes. Returns the answer (or the transport error), the seconds from the first body
    byte to the answer, and the body bytes sent."""
    deadline = time.monotonic() + seconds
    sock = connect()
    reader = Reader(sock)
    sent = 0
    started = None
    try:
        sock.sendall(request_head("POST", path, {
            "Content-Type": f"multipart/form-data; boundary={boundary}", "Transfer-Encoding": "chunked"}))
        finished = True
        for delay, data in pieces:
            if readable(sock, delay) or time.monotonic() > deadline:
                finished = False
                break
            started = started or time.monotonic()
            try:
                sock.sendall(b"%x\r\n" % len(data) + data + b"\r\n")
            except OSError:
                finished = False
                break
            sent += len(data)
        if finished:
            try:
                sock.sendall(b"0\r\n\r\n")
            except OSError:
                pass
        try:
            answer = reader.answer(max(deadline, time.monotonic() + 2))
        except (Closed, TimeoutError, OSError) as error:
            answer = error
        return answer, time.monotonic() - (started or time.monotonic()), sent
    finally:
        sock.close()


# --- attacks ----------------------------------------------------------------------------------------------

class Attack:
    def __init__(self, name):
        self.name = name
        self.failures = []
        self.notes = []
        self.tally = collections.Counter()
        # Set by an attack that warms up first: its memory is judged from there, so the allocator's
        # high-water mark for the load (which glibc keeps) is not taken for a leak.
        self.settled_rss = None

    def fail(self, message):
        self.failures.append(message)

    def note(self, message):
        self.notes.append(message)

    def expect(self, condition, message):
        if not condition:
            self.fail(message)
        return condition

    def check(self, what, answer, expected):
        """Counts `answer` and records why it is wrong, if it is: `expected` holds (status, code) pairs, code
        None for a success; a 503 is right only where `expected` names it, and then with Retry-After."""
        if isinstance(answer, Exception):
            self.tally[type(answer).__name__] += 1
            self.fail(f"{what}: no answer ({type(answer).__name__}: {answer})")
            return False
        self.tally[answer.label()] += 1
        if answer.status >= 400:
            content_type = answer.headers.get("content-type", "")
            if not content_type.startswith("application/problem+json") or answer.code is None:
                self.fail(f"{what}: {answer.status} is not problem+json with a code "
                          f"({content_type!r}, {answer.body[:160]!r})")
                return False
        if answer.status == 503 and "retry-after" not in answer.headers:
            self.fail(f"{what}: 503 {answer.code} without Retry-After")
            return False
        if (answer.status, answer.code if answer.status >= 400 else None) not in expected:
            self.fail(f"{what}: {answer.status} {answer.code} {answer.body[:200]!r}")
            return False
        return True

    def answers(self):
        return ", ".join(f"{label} ×{count}" for label, count in self.tally.most_common())


def attack_ssrf(attack):
    started = time.monotonic()
    for target in SSRF_TARGETS:
        if time.monotonic() - started > 15:
            attack.fail("out of time before every target was tried")
            break
        answer = api("POST", "/calls", {"caller": "+15550001", "receiver": "+15550002",
                                        "started_at": "2026-11-21T10:00:00Z", "callback_url": target})
        attack.check(f"callback_url {target}", answer, {(422, "validation_failed")})
    attack.note(f"{len(SSRF_TARGETS)} internal callback_urls -> {attack.answers()}")


def part_start(boundary, name="file"):
    return (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"abuse.wav\"\r\n"
            f"Content-Type: audio/wav\r\n\r\n").encode()


def attack_endless_part_header(attack):
    call = new_call("multipart")
    boundary = uuid.uuid4().hex

    def pieces():
        yield 0, (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\n"
                  f"X-Filler: ").encode()
        for _ in range(4096):  # at most 4 MiB, at about 200 KiB/s
            yield 0.005, b"a" * 1024

    answer, seconds, sent = chunked_upload(f"/calls/{call}/recording", boundary, pieces(), 10)
    attack.check("endless part header", answer, {(431, "multipart_headers_too_large")})
    attack.expect(seconds <= 1.0, f"the endless part header was answered after {seconds:.2f} s (limit 1 s)")
    attack.note(f"chunked part header that never ends -> {attack.answers()} after {sent // 1024} KiB "
                f"in {seconds * 1000:.0f} ms")


def attack_many_parts(attack):
    call = new_call("multipart")
    boundary = uuid.uuid4().hex

    def pieces():
        for batch in range(100):
            parts = "".join(f"--{boundary}\r\nContent-Disposition: form-data; name=\"p{batch * 100 + index}\"\r\n\r\nx\r\n"
                            for index in range(100))
            yield 0.002, parts.encode()
        yield 0, f"--{boundary}--\r\n".encode()

    answer, seconds, sent = chunked_upload(f"/calls/{call}/recording", boundary, pieces(), 10)
    attack.check("10 000 tiny parts", answer, {(400, "too_many_parts")})
    attack.note(f"10 000 tiny parts -> {attack.answers()} after {sent // 1024} KiB in {seconds * 1000:.0f} ms")


def attack_slowloris(attack, count=100):
    head = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 200
    limit = IDLE_TIMEOUT + 1.0
    connections = []
    try:
        for _ in range(count):
            sock = connect()
            sock.setblocking(False)
            now = time.monotonic()
            connections.append({"sock": sock, "opened": now, "next": now, "sent": 0, "closed": None, "data": b""})
        deadline = time.monotonic() + limit + 4.0
        while time.monotonic() < deadline:
            open_ones = [c for c in connections if c["closed"] is None]
            if not open_ones:
                break
            ready = select.select([c["sock"] for c in open_ones], [], [], 0.01)[0]
            now = time.monotonic()
            for connection in open_ones:
                if connection["sock"] in ready:
                    try:
                        data = connection["sock"].recv(4096)
                    except (BlockingIOError, InterruptedError):
                        data = None
                    except OSError:
                        data = b""
                    if data == b"":
                        connection["closed"] = now
                        continue
                    if data:
                        connection["data"] += data
                if now >= connection["next"] and connection["sent"] < len(head):
                    try:
                        connection["sock"].send(head[connection["sent"]:connection["sent"] + 1])
                        connection["sent"] += 1
                    except (BlockingIOError, InterruptedError):
                        pass
                    except OSError:
                        connection["closed"] = now
                    connection["next"] += 0.5
    finally:
        for connection in connections:
            connection["sock"].close()
    lifetimes = [c["closed"] - c["opened"] for c in connections if c["closed"] is not None]
    closed = len(lifetimes)
    late = [t for t in lifetimes if t > limit]
    answered = collections.Counter(c["data"].split(b"\r\n", 1)[0].decode("latin-1") for c in connections if c["data"])
    attack.expect(closed == count, f"{count - closed} of {count} slowloris connections still open after "
                                   f"{limit + 4:.0f} s")
    attack.expect(not late, f"{len(late)} slowloris connections closed later than {limit:.1f} s "
                            f"(latest {max(late, default=0):.2f} s)")
    for line in answered:
        attack.expect(line.split(" ")[1:2] != ["500"], f"a slowloris connection was answered {line}")
    spread = f"{min(lifetimes):.2f}-{max(lifetimes):.2f} s" if lifetimes else "never"
    attack.note(f"{count} connections sending a head byte every 0.5 s: {closed} closed by the server after {spread} "
                f"(idle timeout {IDLE_TIMEOUT:g} s, limit {limit:g} s)"
                + (f"; answers before closing: {dict(answered)}" if answered else "; closed without an answer"))


def attack_trickle(attack):
    call = new_call("trickle")
    boundary = uuid.uuid4().hex

    def pieces():
        yield 0, part_start(boundary)
        for _ in range(30):
            yield 0.5, b"\0" * 100

    answer, seconds, sent = chunked_upload(f"/calls/{call}/recording", boundary, pieces(), 12)
    attack.check("trickled upload", answer, {(408, "upload_too_slow")})
    attack.note(f"upload of 100 bytes every 0.5 s -> {attack.answers()} after {seconds:.1f} s ({sent} bytes sent)")


def attack_connection_cap(attack, count=350):
    baseline = open_descriptors()
    sockets = []
    peak = baseline
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setblocking(False)
            sock.connect_ex((HOST, PORT))
            sockets.append(sock)
        pending = {sock.fileno(): sock for sock in sockets}
        poller = select.poll()
        for sock in sockets:
            poller.register(sock, select.POLLOUT)
        # Sampled before the idle timeout closes the accepted ones and lets the backlog in.
        window_ends = time.monotonic() + max(1.0, min(2.5, IDLE_TIMEOUT - 0.5))
        connected = 0
        while time.monotonic() < window_ends:
            for fd, _ in poller.poll(20):
                sock = pending.pop(fd, None)
                if sock is None:
                    continue
                poller.unregister(fd)
                if sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                    connected += 1
            peak = max(peak, open_descriptors())
    finally:
        for sock in sockets:
            sock.close()
    after_close = None
    settle = time.monotonic() + 5
    while time.monotonic() < settle:
        after_close = open_descriptors()
        if after_close <= baseline + 20:
            break
        time.sleep(0.1)
    started = time.monotonic()
    health = None
    while time.monotonic() - started < 5:
        try:
            health = api("GET", "/healthz", key=None, timeout=2)
            break
        except (OSError, Closed, TimeoutError) as error:
            health = error
            time.sleep(0.1)
    attack.check("GET /healthz after closing", health, {(200, None)})
    attack.expect(peak < MAX_CONNECTIONS + 100,
                  f"the API held {peak} descriptors with {count} connections open (limit {MAX_CONNECTIONS + 100})")
    attack.expect(peak - baseline <= MAX_CONNECTIONS + 20,
                  f"the API's descriptors grew by {peak - baseline}, over the cap of {MAX_CONNECTIONS} connections")
    attack.expect(after_close <= baseline + 20, f"{after_close} descriptors 5 s after closing (baseline {baseline})")
    attack.note(f"{count} idle connections ({connected} completed by the kernel): API descriptors {baseline} -> "
                f"peak {peak} (cap {MAX_CONNECTIONS}) -> {after_close} after closing; "
                f"/healthz then {health.status if isinstance(health, Answer) else health} "
                f"in {(time.monotonic() - started) * 1000:.0f} ms")


def timed_create(attack, phase, latencies):
    started = time.monotonic()
    try:
        answer = api("POST", "/calls", {"caller": "+15550001", "receiver": "+15550002",
                                        "started_at": "2026-11-21T10:00:00Z"}, timeout=10)
    except (OSError, Closed, TimeoutError) as error:
        answer = error
    latencies.append(time.monotonic() - started)
    attack.check(f"POST /calls {phase} the flood", answer, {(201, None), (200, None)})


def attack_flood(attack, threads=16, seconds=8.0, per_thread=3000):
    before = []
    for _ in range(8):
        timed_create(attack, "before", before)
    stop = threading.Event()
    lock = threading.Lock()
    counts = collections.Counter()
    problems = []

    def hammer(index):
        connection = Connection()
        done = 0
        try:
            while not stop.is_set() and done < per_thread:
                path = "/metrics" if (index + done) % 2 == 0 else "/readyz"
                try:
                    answer = connection.request("GET", path, key=None, timeout=5)
                except (OSError, Closed, TimeoutError) as error:
                    answer = error
                    connection.close()
                done += 1
                with lock:
                    if isinstance(answer, Exception):
                        counts[f"{path} {type(answer).__name__}"] += 1
                        problems.append(f"GET {path}: {type(answer).__name__}: {answer}")
                        continue
                    counts[f"{path} {answer.label()}"] += 1
                    good = answer.status == 200 or (
                        answer.status == 503 and "retry-after" in answer.headers
                        and answer.headers.get("content-type", "").startswith("application/problem+json"))
                    if not good:
                        problems.append(f"GET {path}: {answer.status} {answer.headers.get('content-type')} "
                                        f"{answer.body[:160]!r}")
        finally:
            connection.close()

    workers = [threading.Thread(target=hammer, args=(index,), daemon=True) for index in range(threads)]
    started = time.monotonic()
    for worker in workers:
        worker.start()
    during = []
    time.sleep(0.5)
    while time.monotonic() - started < seconds:
        timed_create(attack, "during", during)
        time.sleep(0.25)
    stop.set()
    for worker in workers:
        worker.join(timeout=10)
    elapsed = time.monotonic() - started
    total = sum(counts.values())
    for problem in problems[:5]:
        attack.fail(problem)
    if len(problems) > 5:
        attack.fail(f"... and {len(problems) - 5} more")
    attack.expect(max(during, default=0) < 2.0, f"a POST /calls took {max(during):.2f} s during the flood")

    def figures(values):
        return f"p50 {statistics.median(values) * 1000:.0f} ms, max {max(values) * 1000:.0f} ms"

    attack.note(f"{threads} threads, {total} GETs in {elapsed:.1f} s ({total / elapsed:.0f}/s): "
                + ", ".join(f"{label} ×{count}" for label, count in sorted(counts.items()))
                + f"; POST /calls ({attack.answers()}) before: {figures(before)}; during: {figures(during)}")


def attack_event_resets(attack, cycles=5000, warm_up=1000, per_second=800, seconds=12.0):
    """Connect, ask for the event stream and reset at once, paced under the key's rate limit (1000/s) so
    every request reaches the stream handler. A first round of `warm_up` cycles brings the API to its
    steady memory for this load; the `cycles` after it must leave memory where it was."""
    call = new_call("events")
    SHARED["events_call"] = call
    head = request_head("GET", f"/calls/{call}/events")
    reset_cycles(head, warm_up, per_second, seconds)
    time.sleep(1.0)
    attack.settled_rss = rss_mb()
    done, failures, elapsed = reset_cycles(head, cycles, per_second, seconds)
    time.sleep(1.0)
    answer = api("GET", f"/calls/{call}")
    attack.check("GET /calls/{id} after the resets", answer, {(200, None)})
    attack.expect(done == cycles, f"only {done} of {cycles} cycles in {seconds:g} s ({dict(failures)})")
    attack.note(f"{warm_up} warm-up, then {done} connect-send-reset cycles on GET /calls/{{id}}/events in {elapsed:.1f} s"
                + (f", failures {dict(failures)}" if failures else "") + f"; then GET /calls/{{id}} -> {answer.label()}")


def reset_cycles(head, cycles, per_second, seconds):
    """Up to `cycles` connect-send-reset rounds at `per_second`, for `seconds` at most."""
    failures = collections.Counter()
    started = time.monotonic()
    done = 0
    for index in range(cycles):
        now = time.monotonic()
        if now - started > seconds:
            break
        wait = started + index / per_second - now
        if wait > 0:
            time.sleep(wait)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        reset_on_close(sock)
        sock.settimeout(2)
        try:
            sock.connect((HOST, PORT))
            sock.send(head)
            done += 1
        except OSError as error:
            failures[type(error).__name__] += 1
        finally:
            sock.close()
    return done, failures, time.monotonic() - started


def open_streams(call, count, seconds=10.0):
    """`count` event streams on `call`, requested together; returns [(socket, reader, answer or error)]."""
    head = request_head("GET", f"/calls/{call}/events")
    streams = []
    try:
        for _ in range(count):
            sock = connect()
            streams.append((sock, Reader(sock)))
            sock.sendall(head)
    except OSError:
        for sock, _ in streams:
            sock.close()
        raise
    deadline = time.monotonic() + seconds
    opened = []
    for sock, reader in streams:
        try:
            answer = reader.answer(deadline, stream_head_only=True)
        except (Closed, TimeoutError, OSError) as error:
            answer = error
        opened.append((sock, reader, answer))
    return opened


def reset_on_close(sock):
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def stream_ended(sock, reader):
    """Whether the server has ended this stream (its last chunk or a close) by now."""
    sock.setblocking(False)
    try:
        while True:
            data = sock.recv(65536)
            if not data:
                return True
            reader.buffer += data
    except (BlockingIOError, InterruptedError):
        pass
    except OSError:
        return True
    finally:
        sock.setblocking(True)
    return reader.buffer.endswith(b"0\r\n\r\n")


def attack_watchers(attack):
    """The per-call cap, on the call the resets hammered: a place they leaked would refuse one of the first
    streams. With a short CALLS_EVENT_STREAM_MAX_SECONDS a stream may end before the extra one is asked for;
    such a round proves nothing and is played again. The held streams leave with an RST, which the API sees at
    once; a plain close (FIN) is taken for a half-close and seen only at the next keep-alive line, 15 s on, as
    the README allows."""
    call = SHARED.get("events_call") or new_call("events")
    extra = None
    concluded = False
    for round_number in range(1, 4):
        held = open_streams(call, WATCHERS_PER_CALL)
        try:
            admitted = [a for _, _, a in held if isinstance(a, Answer) and a.status == 200]
            for index, (_, _, answer) in enumerate(held):
                if not (isinstance(answer, Answer) and answer.status == 200):
                    attack.check(f"held stream {index + 1} of {WATCHERS_PER_CALL}", answer, {(200, None)})
            if len(admitted) < WATCHERS_PER_CALL:
                attack.fail(f"only {len(admitted)} of {WATCHERS_PER_CALL} streams admitted on a call nobody else "
                            f"watches: places leaked")
                break
            extra_streams = open_streams(call, 1)
            extra = extra_streams[0][2]
            extra_streams[0][0].close()
            ended = sum(stream_ended(sock, reader) for sock, reader, _ in held)
        finally:
            for sock, _, _ in held:
                reset_on_close(sock)
                sock.close()
        if isinstance(extra, Answer) and extra.status == 200 and ended:
            attack.note(f"round {round_number}: {ended} streams ended before stream {WATCHERS_PER_CALL + 1} "
                        f"was asked for (short stream lifetime), again")
            continue
        attack.check(f"stream {WATCHERS_PER_CALL + 1}", extra, {(429, "too_many_watchers")})
        if isinstance(extra, Answer) and extra.status == 429:
            attack.expect("retry-after" in extra.headers, "429 too_many_watchers without Retry-After")
        concluded = True
        break
    if not concluded and not attack.failures:
        attack.fail("every round had streams end before the extra one was asked for: the cap went untested")
    started = time.monotonic()
    again = None
    while time.monotonic() - started < 3:
        sock, _, again = open_streams(call, 1)[0]
        reset_on_close(sock)
        sock.close()
        if not (isinstance(again, Answer) and again.status == 429):
            break
        time.sleep(0.1)
    attack.check("a stream after closing the held ones", again, {(200, None)})
    attack.note(f"{WATCHERS_PER_CALL} held streams on the call of the resets -> 200 ×{len(admitted)}; "
                f"stream {WATCHERS_PER_CALL + 1} -> {extra.label() if isinstance(extra, Answer) else extra}; "
                f"after resetting them a new stream -> "
                f"{again.label() if isinstance(again, Answer) else again} in {time.monotonic() - started:.2f} s")


def cursor(plain):
    return base64.urlsafe_b64encode(plain.encode()).decode().rstrip("=")


def attack_listing_bounds(attack):
    some_id = str(uuid.uuid4())
    probes = [
        ("offset=10001", {(422, "validation_failed")}),
        (f"cursor={cursor(f'v1.d.9223372036854775807.{some_id}')}", {(422, "validation_failed")}),
        (f"cursor={cursor(f'v1.a.-9223372036854775808.{some_id}')}", {(422, "validation_failed")}),
        (f"cursor={cursor(f'v1.d.253402300800000000.{some_id}')}", {(422, "validation_failed")}),
        (f"cursor={'A' * 4000}", {(422, "validation_failed")}),
        ("offset=99999999999999999999", {(422, "validation_failed")}),
        ("limit=1000000", {(422, "validation_failed")}),
        ("offset=10000", {(200, None)}),
        # The first and last microsecond a cursor may hold: PostgreSQL must do its arithmetic on them.
        (f"cursor={cursor(f'v1.d.253402300799999999.{some_id}')}", {(200, None)}),
        (f"cursor={cursor(f'v1.a.-62135596800000000.{some_id}')}", {(200, None)}),
    ]
    started = time.monotonic()
    for query, expected in probes:
        if time.monotonic() - started > 15:
            attack.fail("out of time before every probe was sent")
            break
        attack.check(f"GET /calls?{query[:60]}", api("GET", f"/calls?{query}"), expected)
    attack.note(f"{len(probes)} listing probes (offset 10001 and 10000, Int64-edge and out-of-range cursors, "
                f"huge offset and limit, edge-of-range cursors) -> {attack.answers()}")


def attack_key_guessing(attack, count=2000, seconds=12.0):
    connection = Connection()
    labels = []
    retry_after_missing = 0
    started = time.monotonic()
    try:
        for _ in range(count):
            if time.monotonic() - started > seconds:
                break
            key = f"calls_{os.urandom(16).hex()}_{os.urandom(32).hex()}"
            try:
                answer = connection.request("GET", "/calls", key=key, timeout=5)
            except (OSError, Closed, TimeoutError) as error:
                answer = error
                connection.close()
            if isinstance(answer, Answer) and answer.status == 429 and "retry-after" not in answer.headers:
                retry_after_missing += 1
            if attack.check("made-up key", answer, {(401, "invalid_api_key"), (429, "rate_limited")}):
                labels.append(answer.status)
            else:
                labels.append(None)
    finally:
        connection.close()
    elapsed = time.monotonic() - started
    refused = labels.count(401)
    allowed = KEY_LOOKUP_BURST + KEY_LOOKUPS_PER_SECOND * elapsed + 2
    first = int(KEY_LOOKUP_BURST) - 2
    attack.expect(len(labels) == count, f"only {len(labels)} of {count} requests in {seconds:g} s")
    attack.expect(all(status == 401 for status in labels[:first]), f"the first {first} made-up keys were not all 401")
    attack.expect(refused <= allowed, f"{refused} made-up keys were looked up, over the {allowed:.0f} the "
                                      f"throttle allows in {elapsed:.1f} s")
    attack.expect(retry_after_missing == 0, f"{retry_after_missing} answers 429 without Retry-After")
    first_limited = labels.index(429) + 1 if 429 in labels else None
    guessed = attack.answers()
    # The next user of this address (the contract test) gets a full bucket of lookups back.
    time.sleep(KEY_LOOKUP_BURST / KEY_LOOKUPS_PER_SECOND)
    answer = api("GET", "/calls?limit=1")
    attack.check("the real key afterwards", answer, {(200, None)})
    attack.note(f"{len(labels)} made-up keys in {elapsed:.1f} s -> {guessed}; the first 429 was request "
                f"{first_limited}; then the real key -> {answer.label()}")


# --- the run ----------------------------------------------------------------------------------------------

class MemorySampler(threading.Thread):
    def __init__(self):
        super().__init__(daemon=True)
        self.peak = rss_mb()
        self.stop = threading.Event()

    def run(self):
        while not self.stop.wait(0.05):
            self.peak = max(self.peak, rss_mb())


def run(name, play):
    attack = Attack(name)
    before = rss_mb()
    sampler = MemorySampler()
    sampler.start()
    started = time.monotonic()
    try:
        play(attack)
    except Exception as error:  # an attack that cannot finish is a failed attack, reported as such
        attack.fail(f"the attack stopped: {type(error).__name__}: {error}")
    elapsed = time.monotonic() - started
    time.sleep(0.3)
    sampler.stop.set()
    sampler.join()
    after = rss_mb()
    alive = api_alive()
    if attack.settled_rss is not None:
        before = attack.settled_rss
    growth = after - before
    if alive:
        attack.expect(growth < MAX_RSS_GROWTH_MB, f"RSS grew by {growth:.1f} MB (limit {MAX_RSS_GROWTH_MB:g} MB)")
        memory = f"RSS {before:.1f} -> {after:.1f} MB ({growth:+.1f}, peak {max(sampler.peak, after):.1f})"
    else:
        attack.fail(f"the API process {API_PID} is gone")
        memory = f"RSS {before:.1f} MB -> process gone"
    verdict = "FAIL" if attack.failures else "ok  "
    print(f"{verdict} {name}: {'; '.join(attack.notes)} | {memory} | {elapsed:.1f} s", flush=True)
    for failure in attack.failures[:6]:
        print(f"       ✘ {failure}", flush=True)
    if len(attack.failures) > 6:
        print(f"       ✘ ... and {len(attack.failures) - 6} more", flush=True)
    return attack, alive


def main():
    if not API_KEY:
        sys.exit("abuse test: CALLS_API_KEY must be an admin key")
    if not api_alive():
        sys.exit(f"abuse test: no API process {API_PID}")
    started = time.monotonic()
    plan = [
        ("ssrf callback_url", attack_ssrf),
        ("multipart endless part header", attack_endless_part_header),
        ("multipart 10 000 parts", attack_many_parts),
        ("slowloris", attack_slowloris),
        ("trickled upload", attack_trickle),
        ("connection cap", attack_connection_cap),
        ("metrics/readyz flood", attack_flood),
        ("event stream resets", attack_event_resets),
        ("event stream watchers cap", attack_watchers),
        ("listing bounds", attack_listing_bounds),
        ("made-up keys", attack_key_guessing),
    ]
    passed = failed = 0
    for index, (name, play) in enumerate(plan):
        if time.monotonic() - started > TIME_BUDGET_SECONDS:
            for skipped, _ in plan[index:]:
                print(f"FAIL {skipped}: not played, the test's {TIME_BUDGET_SECONDS} s are spent (the API answers slowly)")
                failed += 1
            break
        attack, alive = run(name, play)
        if attack.failures:
            failed += 1
        else:
            passed += 1
        if not alive:
            for skipped, _ in plan[index + 1:]:
                print(f"FAIL {skipped}: not played, the API process is gone")
                failed += 1
            break
    print(f"abuse test: {passed + failed} attacks, {passed} passed, {failed} failed "
          f"in {time.monotonic() - started:.0f} s against {BASE_URL}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
