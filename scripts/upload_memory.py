#!/usr/bin/env python3
"""Uploads a large recording (default 200 MB) to a running API with curl and samples the API process's
resident memory while it streams. Prints the figures; fails if the API's memory grew by more than
MAX_GROWTH_MB, which would mean the upload is being buffered. BASE_URL and API_PID select the target."""

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from process_memory import PeakRSS  # noqa: E402
from wavgen import write_large_wav  # noqa: E402

BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:8000").rstrip("/")
API_PID = int(os.environ["API_PID"])
SIZE_MB = int(os.environ.get("UPLOAD_MB", "200"))
MAX_GROWTH_MB = int(os.environ.get("MAX_GROWTH_MB", "64"))


def main():
    # CALLS_API_KEY: a key with the write role, unless the server runs with CALLS_AUTH=off.
    key = os.environ.get("CALLS_API_KEY")
    auth = {"Authorization": f"Bearer {key}"} if key else {}
    req = urllib.request.Request(
        BASE_URL + "/calls", method="POST", headers={"Content-Type": "application/json", **auth},
        data=json.dumps({"caller": "+15550001", "receiver": "+15550002",
                         "started_at": "2026-11-21T10:00:00Z"}).encode())
    call = json.loads(urllib.request.urlopen(req, timeout=30).read())

    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "large.wav")
        write_large_wav(path, SIZE_MB * 1024 * 1024)
        size = os.path.getsize(path)
        with PeakRSS(API_PID, 0.02) as memory:
            started = time.monotonic()
            result = subprocess.run(
                ["curl", "-sS", "-o", "-", "-w", "\n%{http_code}", "-F", f"file=@{path};type=audio/wav",
                 *[argument for name, value in auth.items() for argument in ("-H", f"{name}: {value}")],
                 f"{BASE_URL}/calls/{call['id']}/recording"],
                capture_output=True, text=True, timeout=600)
            elapsed = time.monotonic() - started

    body, _, code = result.stdout.rpartition("\n")
    growth_mb = memory.growth_mb
    print(f"upload of {size / 1e6:.0f} MB: HTTP {code} in {elapsed:.2f} s "
          f"({size / 1e6 / elapsed:.0f} MB/s); API RSS {memory.before_kb / 1024:.1f} MB before, "
          f"peak {memory.peak_kb / 1024:.1f} MB (+{growth_mb:.1f} MB)")
    if code != "202":
        print(f"upload failed: {body} {result.stderr}")
        sys.exit(1)
    if growth_mb > MAX_GROWTH_MB:
        print(f"API memory grew by {growth_mb:.1f} MB (limit {MAX_GROWTH_MB} MB): the upload is being buffered")
        sys.exit(1)


if __name__ == "__main__":
    main()
