#!/usr/bin/env python3
"""A stand-in for the API's panel endpoints, for developing web/panel.html and its browser test without the
Swift stack (standard library only). A dev aid: nothing in `make test` runs it, and it is not the API; the
real semantics live in Sources/QueuePanel.

It serves web/panel.html at /panel (under a strict Content-Security-Policy), takes queue_log lines at POST /events?source=&offset= (text/plain, each
line keyed by its byte offset, so a retried POST changes nothing), keeps a small in-memory state with enough of
Asterisk's semantics for scripts/panel_browser_test.py, and answers GET /queues/status and
GET /queues/status/stream in the API's shapes. Every API path wants `Authorization: Bearer KEY`.

  python3 scripts/panel_mock_api.py --port 8099 --key dev-key
  BASE_URL=http://127.0.0.1:8099 CALLS_API_KEY=dev-key python3 scripts/panel_browser_test.py

Dev switches: POST /mock/lag?seconds=90 makes the status stale (the banner shows), seconds=0 undoes it;
POST /mock/stream?enabled=0 makes the stream answer 404 so the page falls back to polling;
POST /mock/stream?max_seconds=2 ends each stream after 2 s (as a server with a time limit does)."""

import argparse
import base64
import datetime
import hashlib
import json
import os
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

SERVICE_LEVEL_SECONDS = 20
STALE_SECONDS = 60
PAGE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "web", "panel.html")


class PanelState:
    """Members, waiting callers, calls and today's counters, changed by queue_log events in order."""

    def __init__(self):
        self.lock = threading.Lock()
        self.seen = set()  # (source, offset)
        self.members = {}  # (source, queue, agent) -> {"paused": bool}
        self.waiting = {}  # (source, call id) -> {"queue", "entered_at"}
        self.calls = {}  # (source, call id) -> {"queue", "agent"}
        self.agent_calls = {}  # (source, agent) -> call id
        self.counters = {}  # (queue, day) -> dict
        self.last_event_at = None
        self.lag_seconds = None
        self.extra_lag = 0.0

    def ingest(self, source, offset, body):
        accepted = duplicates = unknown = 0
        rejected = []
        position = offset
        with self.lock:
            for number, raw in enumerate(body.split(b"\n"), start=1):
                line_offset, position = position, position + len(raw) + 1
                line = raw.rstrip(b"\r").decode("utf-8", "replace")
                if not line:
                    continue
                fields = line.split("|")
                if len(fields) < 5 or not fields[0].isdigit():
                    rejected.append({"line": number, "reason": "expected epoch|callid|queue|agent|EVENT[|data…]"})
                    continue
                if (source, line_offset) in self.seen:
                    duplicates += 1
                    continue
                self.seen.add((source, line_offset))
                accepted += 1
                if not self.apply(source, int(fields[0]), fields[1], fields[2], fields[3], fields[4], fields[5:]):
                    unknown += 1
        return {"accepted": accepted, "duplicates": duplicates, "unknown": unknown, "rejected": rejected}

    def count(self, queue, when, name, amount=1):
        day = datetime.datetime.fromtimestamp(when, datetime.timezone.utc).date()
        counters = self.counters.setdefault((queue, day), {
            "offered": 0, "answered": 0, "abandoned": 0, "timed_out": 0, "answered_within_sl": 0,
            "hold_total": 0, "hold_count": 0, "talk_total": 0, "talk_count": 0})
        counters[name] += amount

    def apply(self, source, when, call_id, queue, agent, event, data):
        def number(index):
            try:
                return int(data[index])
            except (IndexError, ValueError):
                return None

        known = True
        if event in ("ADDMEMBER", "AGENTLOGIN"):
            if queue != "NONE":
                self.members.setdefault((source, queue, agent), {"paused": False})
        elif event == "REMOVEMEMBER" or (event == "AGENTLOGOFF" and queue != "NONE"):
            self.members.pop((source, queue, agent), None)
        elif event == "AGENTLOGOFF":
            for key in [key for key in self.members if key[0] == source and key[2] == agent]:
                del self.members[key]
            self.agent_calls.pop((source, agent), None)
        elif event in ("PAUSE", "UNPAUSE", "PAUSEALL", "UNPAUSEALL"):
            paused = event in ("PAUSE", "PAUSEALL")
            if queue == "NONE" or event.endswith("ALL"):
                for key, member in self.members.items():
                    if key[0] == source and key[2] == agent:
                        member["paused"] = paused
            else:
                self.members.setdefault((source, queue, agent), {"paused": False})["paused"] = paused
        elif event == "ENTERQUEUE":
            self.waiting[(source, call_id)] = {"queue": queue, "entered_at": when}
            self.count(queue, when, "offered")
        elif event == "CONNECT":
            self.waiting.pop((source, call_id), None)
            self.calls[(source, call_id)] = {"queue": queue, "agent": agent}
            self.agent_calls[(source, agent)] = call_id
            self.members.setdefault((source, queue, agent), {"paused": False})
            self.count(queue, when, "answered")
            hold = number(0)
            if hold is not None:
                self.count(queue, when, "hold_total", hold)
                self.count(queue, when, "hold_count")
                if hold <= SERVICE_LEVEL_SECONDS:
                    self.count(queue, when, "answered_within_sl")
        elif event in ("COMPLETEAGENT", "COMPLETECALLER", "TRANSFER", "BLINDTRANSFER", "ATTENDEDTRANSFER"):
            call = self.calls.pop((source, call_id), None)
            talker = call["agent"] if call else agent
            if self.agent_calls.get((source, talker)) == call_id:
                del self.agent_calls[(source, talker)]
            talk = number(1) if event.startswith("COMPLETE") else number(len(data) - 2)
            if talk is not None:
                self.count(queue, when, "talk_total", talk)
                self.count(queue, when, "talk_count")
        elif event == "ABANDON":
            self.waiting.pop((source, call_id), None)
            self.count(queue, when, "abandoned")
        elif event in ("EXITWITHTIMEOUT", "EXITWITHKEY", "EXITEMPTY"):
            self.waiting.pop((source, call_id), None)
            self.count(queue, when, "timed_out")
        else:
            known = False
        self.last_event_at = when
        self.lag_seconds = max(0.0, time.time() - when)
        return known

    def status(self):
        now = time.time()
        today = datetime.datetime.now(datetime.timezone.utc).date()
        with self.lock:
            names = {key[1] for key in self.members} | {w["queue"] for w in self.waiting.values()}
            names |= {queue for queue, day in self.counters if day == today}
            queues = []
            for name in sorted(names):
                members = [(key, m) for key, m in self.members.items() if key[1] == name]
                paused = sum(1 for _, m in members if m["paused"])
                on_call = sum(1 for key, m in members if not m["paused"] and (key[0], key[2]) in self.agent_calls)
                entered = [w["entered_at"] for w in self.waiting.values() if w["queue"] == name]
                c = self.counters.get((name, today), {})
                finished = c.get("answered", 0) + c.get("abandoned", 0) + c.get("timed_out", 0)
                queues.append({
                    "queue": name,
                    "agents": {"logged_in": len(members), "available": len(members) - paused - on_call,
                               "paused": paused, "on_call": on_call},
                    "calls": {"waiting": len(entered),
                              "longest_wait_seconds": round(now - min(entered), 3) if entered else None},
                    "today": {
                        "offered": c.get("offered", 0), "answered": c.get("answered", 0),
                        "abandoned": c.get("abandoned", 0), "timed_out": c.get("timed_out", 0),
                        "answered_within_sl": c.get("answered_within_sl", 0),
                        "service_level": c.get("answered_within_sl", 0) / finished if finished else None,
                        "avg_hold_seconds": c["hold_total"] / c["hold_count"] if c.get("hold_count") else None,
                        "avg_talk_seconds": c["talk_total"] / c["talk_count"] if c.get("talk_count") else None,
                    },
                })
            lag = None if self.lag_seconds is None else self.lag_seconds + self.extra_lag
            last = self.last_event_at
        iso = lambda seconds: datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).isoformat(
            timespec="milliseconds").replace("+00:00", "Z")
        return {
            "generated_at": iso(now),
            "last_event_at": iso(last) if last is not None else None,
            "lag_seconds": lag,
            "stale": lag is not None and lag > STALE_SECONDS,
            "backlog_age_seconds": 0.0 if last is not None else None,
            "queues": queues,
        }


def content_security_policy(page):
    """The policy the page works under: its one inline style and one inline script allowed by hash, requests
    to its own origin only. The API can serve /panel with the same."""
    def digest(tag):
        body = re.search(rb"<" + tag + rb">(.*?)</" + tag + rb">", page, re.S).group(1)
        return "'sha256-" + base64.b64encode(hashlib.sha256(body).digest()).decode() + "'"
    return (f"default-src 'none'; script-src {digest(b'script')}; style-src {digest(b'style')}; "
            "connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


STATE = PanelState()
OPTIONS = {"key": "dev-key", "stream": True, "stream_seconds": None}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass

    def send_body(self, status, body, content_type, headers=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def send_json(self, status, value, content_type="application/json"):
        self.send_body(status, json.dumps(value).encode(), content_type)

    def authorized(self):
        if self.headers.get("Authorization") == "Bearer " + OPTIONS["key"]:
            return True
        self.send_json(401, {"code": "unauthorized", "title": "Unauthorized", "detail": "A valid API key is required."},
                       "application/problem+json")
        return False

    def do_GET(self):
        url = urlparse(self.path)
        if url.path == "/panel":
            with open(PAGE, "rb") as file:
                page = file.read()
            return self.send_body(200, page, "text/html; charset=utf-8",
                                  [("Content-Security-Policy", content_security_policy(page))])
        if url.path not in ("/queues/status", "/queues/status/stream"):
            return self.send_json(404, {"code": "not_found", "title": "Not Found", "detail": url.path},
                                  "application/problem+json")
        if not self.authorized():
            return
        if url.path == "/queues/status":
            return self.send_json(200, STATE.status())
        if not OPTIONS["stream"]:
            return self.send_json(404, {"code": "not_found", "title": "Not Found", "detail": "stream off"},
                                  "application/problem+json")
        self.stream()

    def stream(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        sent, last_keep_alive, opened = None, time.monotonic(), time.monotonic()
        try:
            while True:
                status = STATE.status()
                # Only changes are sent; generated_at always changes, so it is left out of the comparison.
                comparable = json.dumps({**status, "generated_at": None}, sort_keys=True)
                if comparable != sent:
                    sent = comparable
                    self.wfile.write(b"event: status\ndata: " + json.dumps(status).encode() + b"\n\n")
                    self.wfile.flush()
                elif time.monotonic() - last_keep_alive > 15:
                    last_keep_alive = time.monotonic()
                    self.wfile.write(b": keep-alive\n\n")
                    self.wfile.flush()
                limit = OPTIONS["stream_seconds"]
                if not OPTIONS["stream"] or (limit is not None and time.monotonic() - opened > limit):
                    return
                time.sleep(1)
        except (BrokenPipeError, ConnectionResetError):
            return

    def do_POST(self):
        url = urlparse(self.path)
        query = parse_qs(url.query)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if url.path.startswith("/mock/"):
            if url.path == "/mock/lag":
                STATE.extra_lag = float(query.get("seconds", ["0"])[0])
            elif url.path == "/mock/stream":
                OPTIONS["stream"] = query.get("enabled", ["1"])[0] != "0"
                OPTIONS["stream_seconds"] = float(query["max_seconds"][0]) if "max_seconds" in query else None
            return self.send_json(200, {"ok": True})
        if url.path != "/events":
            return self.send_json(404, {"code": "not_found", "title": "Not Found", "detail": url.path},
                                  "application/problem+json")
        if not self.authorized():
            return
        source = query.get("source", [""])[0]
        offset = int(query.get("offset", ["0"])[0])
        self.send_json(202, STATE.ingest(source, offset, body))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8099)
    parser.add_argument("--key", default="dev-key")
    arguments = parser.parse_args()
    OPTIONS["key"] = arguments.key
    server = ThreadingHTTPServer((arguments.host, arguments.port), Handler)
    server.daemon_threads = True
    print(f"panel mock on http://{arguments.host}:{arguments.port}/panel (key {arguments.key})", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
