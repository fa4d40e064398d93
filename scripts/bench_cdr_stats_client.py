#!/usr/bin/env python3
"""Times the statistics and CDR endpoints against the database bench_cdr_stats.sh seeded (1 000 000 CDRs from
2025-12-01 over a year). Each case is requested 20 times to warm up, then REQUESTS times in a row over one
keep-alive connection with a read key, each request over a different period of the same length (start drawn at
random, seeded, within the year; "unaligned" periods start and end off the hour, to the millisecond).
Then the CSV export: a month and the whole year, rows/s, MB/s and the API's peak resident memory (sampled
every 20 ms). Markdown on stdout. Needs BASE_URL, CALLS_API_KEY and API_PID."""

import http.client
import json
import os
import random
import statistics
import threading
import time
import urllib.parse
from datetime import datetime, timedelta, timezone

REQUESTS = int(os.environ.get("REQUESTS", "200"))
BASE = urllib.parse.urlparse(os.environ["BASE_URL"])
AUTHORIZATION = {"Authorization": f"Bearer {os.environ['CALLS_API_KEY']}"}
YEAR_START = datetime(2025, 12, 1, tzinfo=timezone.utc)
DAY = timedelta(days=1)


def iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def timed(connection, path, headers=AUTHORIZATION):
    started = time.perf_counter()
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status == 200, (path, response.status, body[:300])
    return elapsed, body


def periods(length, aligned, rng):
    """An endless supply of periods of `length` within the seeded year."""
    room = (365 * DAY - length).total_seconds()
    while True:
        start = YEAR_START + timedelta(seconds=rng.uniform(0, max(room, 0)))
        if aligned == "day":
            start = start.replace(hour=0, minute=0, second=0, microsecond=0)
        elif aligned == "hour":
            start = start.replace(minute=0, second=0, microsecond=0)
        else:
            start = start.replace(microsecond=(start.microsecond // 1000) * 1000)
        yield start, start + length


def describe(body):
    document = json.loads(body)
    if "buckets" in document:
        entries = sum(len(bucket.get("operators", [1])) for bucket in document["buckets"])
        return f"{len(document['buckets'])} buckets, {entries} entries"
    if "operators" in document:
        return f"{len(document['operators'])} operators"
    return f"{document['total_calls']} calls"


def run_case(connection, rng, label, path, length, aligned, extra=""):
    supply = periods(length, aligned, rng)
    def next_path():
        start, end = next(supply)
        return f"{path}?from={iso(start)}&to={iso(end)}{extra}"
    for _ in range(20):
        timed(connection, next_path())
    times, last = [], None
    for _ in range(REQUESTS):
        elapsed, last = timed(connection, next_path())
        times.append(elapsed)
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    return f"| {label} | `{path}{extra}` | {describe(last)} (last) | {statistics.median(times):.2f} ms | {p95:.2f} ms |"


def list_cases(connection):
    rows = []
    _, first = timed(connection, "/cdrs?limit=100")
    cursor = json.loads(first)["next_cursor"]
    # A cursor deep in the year: the 100th page of 1000.
    deep = None
    path = "/cdrs?limit=1000"
    for _ in range(100):
        _, body = timed(connection, path)
        deep = json.loads(body)["next_cursor"]
        path = f"/cdrs?limit=1000&cursor={deep}"
    cases = [
        ("newest 100", "/cdrs?limit=100"),
        ("next page by cursor", f"/cdrs?limit=100&cursor={cursor}"),
        ("100 after 100 000 rows", f"/cdrs?limit=100&cursor={deep}"),
        ("1000 of one operator", "/cdrs?limit=1000&operator_id=77"),
        ("100 of one source in a week", "/cdrs?limit=100&source=legacy&from=2026-06-01T00:00:00Z&to=2026-06-08T00:00:00Z"),
    ]
    for label, path in cases:
        for _ in range(20):
            timed(connection, path)
        times = sorted(timed(connection, path)[0] for _ in range(REQUESTS))
        rows.append(f"| {label} | `{path[:60]}` | {statistics.median(times):.2f} ms | {times[int(len(times) * 0.95) - 1]:.2f} ms |")
    return rows


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def csv_export(label, query):
    pid = os.environ["API_PID"]
    peak = [rss_kib(pid)]
    before = peak[0]
    done = threading.Event()
    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], rss_kib(pid))
            time.sleep(0.02)
    sampler = threading.Thread(target=sample)
    sampler.start()
    connection = http.client.HTTPConnection(BASE.hostname, BASE.port, timeout=600)
    started = time.perf_counter()
    connection.request("GET", "/cdrs" + query, headers={**AUTHORIZATION, "Accept": "text/csv"})
    response = connection.getresponse()
    assert response.status == 200, response.status
    size, lines, last = 0, 0, b""
    while True:
        chunk = response.read(1 << 20)
        if not chunk:
            break
        size += len(chunk)
        # A CRLF may straddle two reads.
        lines += (last + chunk).count(b"\r\n") - last.count(b"\r\n")
        last = chunk[-1:]
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    rows = lines - 1
    return (f"| {label} | {rows} | {size / 1e6:.1f} MB | {elapsed:.2f} s | {rows / elapsed:,.0f} rows/s | "
            f"{size / 1e6 / elapsed:.1f} MB/s | {before / 1024:.0f} → {peak[0] / 1024:.0f} MB |")


def main():
    rng = random.Random(20261130)
    connection = http.client.HTTPConnection(BASE.hostname, BASE.port, timeout=60)
    summary, operators = "/statistics/calls/summary", "/statistics/operators"
    hour = timedelta(hours=1)
    cases = [
        ("summary, a day (UTC midnight to midnight)", summary, DAY, "day", ""),
        ("summary, 24 h unaligned", summary, DAY, "none", ""),
        ("summary, a month unaligned", summary, 30 * DAY, "none", ""),
        ("summary, a year unaligned", summary, 365 * DAY - 3 * hour, "none", ""),
        ("summary, a year, one source and type", summary, 365 * DAY - 3 * hour, "none", "&source=pbx2&call_type=inbound"),
        ("summary by hour, a day unaligned", summary, DAY, "none", "&group_by=hour"),
        ("summary by hour, a month", summary, 30 * DAY, "none", "&group_by=hour"),
        ("summary by day, a month unaligned", summary, 30 * DAY, "none", "&group_by=day"),
        ("summary by day, a year unaligned", summary, 365 * DAY - 3 * hour, "none", "&group_by=day"),
        ("operators, a day unaligned", operators, DAY, "none", ""),
        ("operators, a month unaligned", operators, 30 * DAY, "none", ""),
        ("operators, a year unaligned", operators, 365 * DAY - 3 * hour, "none", ""),
        ("operators by hour, a day unaligned", operators, DAY, "none", "&group_by=hour"),
        ("operators by day, a week unaligned", operators, 7 * DAY, "none", "&group_by=day"),
        ("operators by day, a month unaligned", operators, 30 * DAY, "none", "&group_by=day"),
    ]
    print("| Statistics | Request | Answer | p50 | p95 |")
    print("| --- | --- | --- | --- | --- |")
    for label, path, length, aligned, extra in cases:
        print(run_case(connection, rng, label, path, length, aligned, extra), flush=True)
    print()
    print("| CDR page | Request | p50 | p95 |")
    print("| --- | --- | --- | --- |")
    print("\n".join(list_cases(connection)))
    print()
    print("| CSV export (`Accept: text/csv`) | Rows | Size | Time | Rows/s | Throughput | API RSS before → peak |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    print(csv_export("June 2026", "?from=2026-06-01T00:00:00Z&to=2026-07-01T00:00:00Z"))
    print(csv_export("the whole year", ""))


if __name__ == "__main__":
    main()
