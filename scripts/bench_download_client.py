#!/usr/bin/env python3
"""Uploads a large recording (SIZE_MB, default 230) to a running API, asks for its download link and
downloads it with curl, sampling the API process's resident memory meanwhile. Prints one JSON line:
download time and throughput, the API's RSS before and at its peak during the download, where the bytes
came from (the API itself or a presigned bucket URL), and whether the bytes match. BASE_URL and API_PID
select the target."""

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wavgen import write_large_wav  # noqa: E402

BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:8000").rstrip("/")
API_PID = int(os.environ["API_PID"])
SIZE_MB = int(os.environ.get("SIZE_MB", "230"))


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def api(method, path, body=None):
    request = urllib.request.Request(
        BASE_URL + path, method=method, headers={"Content-Type": "application/json"},
        data=json.dumps(body).encode() if body is not None else None)
    return json.loads(urllib.request.urlopen(request, timeout=60).read())


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def main():
    call = api("POST", "/calls", {"caller": "+15550001", "receiver": "+15550002", "started_at": "2026-11-21T10:00:00Z"})
    with tempfile.TemporaryDirectory() as directory:
        source = os.path.join(directory, "large.wav")
        write_large_wav(source, SIZE_MB * 1024 * 1024)
        subprocess.run(["curl", "-sS", "-f", "-o", "/dev/null", "-F", f"file=@{source};type=audio/wav",
                        f"{BASE_URL}/calls/{call['id']}/recording"], check=True, timeout=600)
        link = api("GET", f"/calls/{call['id']}/download")
        # Relative unless the API has a public URL: resolved against the address it was asked at.
        url = urllib.parse.urljoin(BASE_URL + "/", link["url"])
        target = os.path.join(directory, "downloaded.wav")

        baseline = rss_mb(API_PID)
        peak = [baseline]
        done = threading.Event()

        def sample():
            while not done.is_set():
                peak[0] = max(peak[0], rss_mb(API_PID))
                time.sleep(0.02)

        sampler = threading.Thread(target=sample)
        sampler.start()
        started = time.monotonic()
        subprocess.run(["curl", "-sS", "-f", "-o", target, url], check=True, timeout=600)
        elapsed = time.monotonic() - started
        done.set()
        sampler.join()
        size = os.path.getsize(target)
        ranged = subprocess.run(["curl", "-sS", "-f", "-H", "Range: bytes=1000-1999", url], check=True,
                                capture_output=True, timeout=60).stdout
        with open(source, "rb") as file:
            file.seek(1000)
            range_matches = ranged == file.read(1000)
        print(json.dumps({
            "size_mb": round(size / 1048576, 1), "seconds": round(elapsed, 3),
            "mb_per_s": round(size / 1048576 / elapsed, 1),
            "api_rss_before_mb": round(baseline, 1), "api_rss_peak_mb": round(peak[0], 1),
            "served_by": "api" if url.startswith(BASE_URL) else "bucket (presigned URL)",
            "bytes_match": sha256_of(target) == sha256_of(source), "range_matches": range_matches,
        }))


if __name__ == "__main__":
    main()
