#!/usr/bin/env python3
"""Smoke test of a running Calls Service (standard library only).

Generates a WAV with a known silent gap, creates a call, uploads the recording, polls until the analysis is
ready, and checks the duration and that a silence mark covers the gap. BASE_URL selects the server
(default http://127.0.0.1:8000); CALLS_API_KEY is a key with the write role (unset when the server runs
with CALLS_AUTH=off). Exits non-zero on any failure."""

import json
import os
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wavgen import write_wav  # noqa: E402

BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:8000").rstrip("/")
TIMEOUT_SECONDS = float(os.environ.get("SMOKE_TIMEOUT", "60"))
TOLERANCE = 0.06
API_KEY = os.environ.get("CALLS_API_KEY")


def request(method, path, body=None, headers=None, key=API_KEY):
    headers = dict(headers or {})
    if key:
        headers["Authorization"] = f"Bearer {key}"
    req = urllib.request.Request(BASE_URL + path, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def multipart(field, filename, content, content_type="audio/wav"):
    boundary = uuid.uuid4().hex
    head = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\n"
        f"Content-Type: {content_type}\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    return head + content + tail, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def main():
    started = time.monotonic()
    report = []

    def check(condition, message):
        report.append(("ok  " if condition else "FAIL") + "  " + message)
        if not condition:
            print("\n".join(report))
            sys.exit(1)

    # 1.5 s tone, 2 s of line noise, 1.5 s tone: the gap is [1.5, 3.5].
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "smoke.wav")
        write_wav(path, [(1.5, "tone"), (2.0, "silence"), (1.5, "tone")])
        with open(path, "rb") as handle:
            audio = handle.read()

    status, call = request(
        "POST", "/calls",
        json.dumps({"caller": "+7 900 123-45-67", "receiver": "+44 20 7946 0958",
                    "started_at": "2026-11-21T09:30:00Z", "tags": ["smoke"]}).encode(),
        {"Content-Type": "application/json"})
    check(status == 201 and call["status"] == "created", f"POST /calls -> {status}")

    body, headers = multipart("file", "smoke.wav", audio)
    status, accepted = request("POST", f"/calls/{call['id']}/recording", body, headers)
    check(status == 202, f"POST /calls/{{id}}/recording -> {status} {accepted}")

    status, again = request("POST", f"/calls/{call['id']}/recording", body, headers)
    check(status == 409 and again["code"] == "recording_already_exists", f"second upload -> {status}")

    deadline = time.monotonic() + TIMEOUT_SECONDS
    while True:
        status, current = request("GET", f"/calls/{call['id']}")
        if current["status"] in ("ready", "failed") or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    check(current["status"] == "ready", f"status -> {current['status']} {current.get('error')}")

    recording = current["recording"]
    check(abs(recording["duration_sec"] - 5.0) < 0.0005, f"duration_sec = {recording['duration_sec']}")
    marks = recording["silence_marks"]
    covering = [m for m in marks if m["start"] <= 1.5 + TOLERANCE and m["end"] >= 3.5 - TOLERANCE]
    check(len(covering) == 1, f"silence marks {marks} cover the gap [1.5, 3.5]")
    check(all(abs(m["start"] - 1.5) <= TOLERANCE and abs(m["end"] - 3.5) <= TOLERANCE for m in covering),
          "the mark's edges are within 60 ms of the gap's")
    check("silence" in recording["transcription"], "the transcript lists the silence")

    if API_KEY:
        status, refused = request("GET", f"/calls/{call['id']}", key=None)
        check(status == 401 and refused["code"] == "authentication_required", f"no API key -> {status}")

    status, found = request("GET", "/calls?query=%2B7900123")
    check(status == 200 and any(item["id"] == call["id"] for item in found["items"]), "search by caller digits")

    report.append(f"smoke test passed in {time.monotonic() - started:.2f} s against {BASE_URL}")
    print("\n".join(report))


if __name__ == "__main__":
    main()
