#!/usr/bin/env python3
"""Times the subscriber activity reads against the data bench_activity_reads.sh seeded. Each case is requested
20 times to warm up, then REQUESTS times in a row over one keep-alive connection with a read key; p50/p95 are of
the whole HTTP request (key check, token bucket in Redis, the read, JSON). Cached cases go to the API with
CALLS_ACTIVITY_CACHE_SECONDS=2 (the same query repeated: a miss every 2 s, hits between), uncached ones to the
API with 0. Markdown on stdout. Needs CACHED_URL, UNCACHED_URL and CALLS_API_KEY."""

import http.client
import json
import os
import random
import statistics
import time
import urllib.parse

REQUESTS = int(os.environ.get("REQUESTS", "500"))
AUTHORIZATION = {"Authorization": f"Bearer {os.environ['CALLS_API_KEY']}"}


def connect(url):
    base = urllib.parse.urlparse(url)
    return http.client.HTTPConnection(base.hostname, base.port)


def timed(connection, path):
    started = time.perf_counter()
    connection.request("GET", path, headers=AUTHORIZATION)
    response = connection.getresponse()
    body = response.read()
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status == 200, (path, response.status, body[:300])
    return elapsed, body


def describe(body):
    document = json.loads(body)
    size = f"{len(body) / 1024:.0f} KiB" if len(body) >= 10240 else f"{len(body)} B"
    return f"{len(document['items'])} items, {size}"


def run(connection, label, paths):
    """`paths`: a function giving the path of request i."""
    for index in range(20):
        timed(connection, paths(index))
    times, last = [], None
    for index in range(REQUESTS):
        elapsed, last = timed(connection, paths(index))
        times.append(elapsed)
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    return f"| {label} | `{paths(0)[:90]}` | {describe(last)} | {statistics.median(times):.2f} ms | {p95:.2f} ms |"


def main():
    cached, uncached = connect(os.environ["CACHED_URL"]), connect(os.environ["UNCACHED_URL"])
    year = "/api/v1/aggregates?period=day&from=2025-11-01&to=2026-10-31&user_id=bench-heavy"
    rng = random.Random(20261130)
    users = [f"u{rng.randint(1, 100000):06d}" for _ in range(REQUESTS + 20)]
    # A cursor 20 000 events deep into the heavy user's 50 000: 200 pages of 100 walked first.
    deep_path = "/api/v1/users/bench-heavy/detail?limit=100"
    for _ in range(int(os.environ.get("DEEP_PAGES", "200"))):
        _, body = timed(uncached, deep_path)
        deep_path = f"/api/v1/users/bench-heavy/detail?limit=100&cursor={json.loads(body)['next_cursor']}"
    rows = [
        "| Case | Request | Answer | p50 | p95 |",
        "| --- | --- | --- | --- | --- |",
        run(cached, "aggregates, cached: one user, a year of days", lambda i: year),
        run(cached, "aggregates, cached: everyone, 31 days", lambda i: "/api/v1/aggregates?period=day&from=2026-03-01&to=2026-03-31"),
        run(cached, "aggregates, cached: one user, 12 months", lambda i: "/api/v1/aggregates?period=month&from=2025-11&to=2026-10&user_id=u004242"),
        run(uncached, "aggregates, uncached: one user, a year of days", lambda i: year),
        run(uncached, "aggregates, uncached: everyone, a year of days (8 stripes summed)",
            lambda i: "/api/v1/aggregates?period=day&from=2025-11-01&to=2026-10-31"),
        run(uncached, "aggregates, uncached: a different user each time, 12 months",
            lambda i: f"/api/v1/aggregates?period=month&from=2025-10&to=2026-10&user_id={users[i]}"),
        run(uncached, "detail, first page: a different user each time", lambda i: f"/api/v1/users/{users[i]}/detail"),
        run(uncached, "detail, first page: the heavy user", lambda i: "/api/v1/users/bench-heavy/detail"),
        run(uncached, "detail, 100 after 20 000 events (cursor)", lambda i: deep_path),
        run(uncached, "detail, one type in a month: the heavy user",
            lambda i: "/api/v1/users/bench-heavy/detail?type=DATA&from=2026-06-01T00:00:00Z&to=2026-07-01T00:00:00Z"),
        run(uncached, "detail, 1000 per page: the heavy user", lambda i: "/api/v1/users/bench-heavy/detail?limit=1000"),
    ]
    print("\n".join(rows))


main()
