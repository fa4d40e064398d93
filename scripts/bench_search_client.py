#!/usr/bin/env python3
"""Times the typical GET /calls queries against a seeded database (see bench_search.sh) and prints, for
each, p50/p95 over REQUESTS sequential keep-alive requests and the plan PostgreSQL chose for its page query
(EXPLAIN ANALYZE of the same SQL the API runs, values inlined). Markdown on stdout. Needs BASE_URL,
CALLS_DATABASE_URL and CALLS_API_KEY (a read key: requests go through API keys and the rate limit as in
production); with OPEN_BASE_URL, a second API over the same database with CALLS_AUTH=off, it also prints
what keys cost per request."""

import http.client
import json
import os
import statistics
import subprocess
import time
import urllib.parse

REQUESTS = int(os.environ.get("REQUESTS", "200"))
BASE = urllib.parse.urlparse(os.environ["BASE_URL"])
DATABASE = os.environ["CALLS_DATABASE_URL"]
AUTHORIZATION = {"Authorization": f"Bearer {os.environ['CALLS_API_KEY']}"}


def psql(sql):
    return subprocess.run(["psql", "-AtX", DATABASE, "-c", sql], check=True, capture_output=True, text=True).stdout


def sample_number():
    return psql("SELECT caller_digits FROM calls ORDER BY started_at DESC LIMIT 1 OFFSET 777").strip()


def timed(connection, path, headers=AUTHORIZATION):
    started = time.perf_counter()
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status == 200, (path, response.status, body[:300])
    return elapsed, json.loads(body)


def page_sql(where, order="DESC"):
    return (f"SELECT c.*, r.*, a.* FROM calls c LEFT JOIN recordings r ON r.call_id = c.id "
            f"LEFT JOIN recording_archives a ON a.recording_id = r.id {where} "
            f"ORDER BY c.started_at {order}, c.id {order} LIMIT 51")


def plan(sql):
    lines = psql("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) " + sql).splitlines()
    keep = [line for line in lines if line.strip() and not line.strip().startswith(
        ("Rows Removed", "Heap Blocks", "Buffers", "Cache Key", "Cache Mode", "Hits:", "Heap Fetches", "Sort Method"))]
    return "\n".join("    " + line for line in keep[:20])


def main():
    number = sample_number()
    middle = number[4:10]
    connection = http.client.HTTPConnection(BASE.hostname, BASE.port, timeout=30)
    _, first = timed(connection, "/calls?limit=50")
    cursor = first["next_cursor"]
    week = ("2026-06-01T00:00:00Z", "2026-06-08T00:00:00Z")
    queries = [
        ("newest 50", "/calls?limit=50", page_sql("")),
        ("next page by cursor", f"/calls?limit=50&cursor={cursor}",
         page_sql(f"WHERE (c.started_at, c.id) < (SELECT started_at, id FROM calls ORDER BY started_at DESC, id DESC "
                  f"LIMIT 1 OFFSET 49)")),
        ("oldest 50", "/calls?limit=50&sort=started_at", page_sql("", "ASC")),
        (f"exact number (`phone={number}`)", f"/calls?phone={number}",
         page_sql(f"WHERE (c.caller_digits = '{number}' OR c.receiver_digits = '{number}')")),
        (f"6 digits anywhere (`query={middle}`)", f"/calls?query={middle}",
         page_sql(f"WHERE (c.caller_digits LIKE '%{middle}%' OR c.receiver_digits LIKE '%{middle}%')")),
        ("prefix `query=+7 912`", "/calls?query=%2B7%20912",
         page_sql("WHERE (c.caller_digits LIKE '%7912%' OR c.receiver_digits LIKE '%7912%')")),
        ("one week", f"/calls?from={week[0]}&to={week[1]}",
         page_sql(f"WHERE c.started_at >= '{week[0]}' AND c.started_at < '{week[1]}'")),
        ("failed calls", "/calls?status=failed", page_sql("WHERE c.status = ANY('{failed}')")),
        ("tag vip", "/calls?tag=vip", page_sql("WHERE c.tags @> '{vip}'::text[]")),
        ("failed in one week", f"/calls?status=failed&from={week[0]}&to={week[1]}",
         page_sql(f"WHERE c.status = ANY('{{failed}}') AND c.started_at >= '{week[0]}' AND c.started_at < '{week[1]}'")),
        (f"digits and a week (`query={middle[:4]}`)", f"/calls?query={middle[:4]}&from={week[0]}&to={week[1]}",
         page_sql(f"WHERE (c.caller_digits LIKE '%{middle[:4]}%' OR c.receiver_digits LIKE '%{middle[:4]}%') "
                  f"AND c.started_at >= '{week[0]}' AND c.started_at < '{week[1]}'")),
    ]
    rows, plans = [], []
    for label, path, sql in queries:
        for _ in range(20):
            timed(connection, path)
        times = []
        body = None
        for _ in range(REQUESTS):
            elapsed, body = timed(connection, path)
            times.append(elapsed)
        times.sort()
        p95 = times[int(len(times) * 0.95) - 1]
        total = f"{body['total']}{' (estimated)' if body['total_estimated'] else ''}"
        rows.append(f"| {label} | `{path[:70]}` | {len(body['items'])} | {total} | "
                    f"{statistics.median(times):.2f} ms | {p95:.2f} ms |")
        plans.append(f"**{label}**\n\n{plan(sql)}\n")
    print("| Query | Request | Items | total | p50 | p95 |")
    print("| --- | --- | --- | --- | --- | --- |")
    print("\n".join(rows))
    print()
    print("Plans of the page queries (`EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF)` of the API's SQL with the values")
    print("inlined; the count query uses the same filter with `LIMIT 1001`):")
    print()
    print("\n".join(plans))
    if os.environ.get("OPEN_BASE_URL"):
        print_key_cost(connection, first["items"][0]["id"])


def print_key_cost(connection, call_id):
    """GET /calls/{id} with a key (its lookup is cached; the token bucket is a Redis round trip every time)
    against the same request to an API with CALLS_AUTH=off, interleaved so both see the same machine."""
    open_base = urllib.parse.urlparse(os.environ["OPEN_BASE_URL"])
    open_connection = http.client.HTTPConnection(open_base.hostname, open_base.port, timeout=30)
    path = f"/calls/{call_id}"
    with_key, without = [], []
    for index in range(20 + REQUESTS * 5):
        keyed = timed(connection, path)[0]
        bare = timed(open_connection, path, headers={})[0]
        if index >= 20:
            with_key.append(keyed)
            without.append(bare)
    print()
    print(f"What API keys cost: `GET {path[:16]}…` {len(with_key)} times each, interleaved, with a read key")
    print("(cached key lookup, token bucket in Redis) and against a second API with `CALLS_AUTH=off`:")
    print()
    print("| | p50 | p95 |")
    print("| --- | --- | --- |")
    for label, times in (("with a key", with_key), ("CALLS_AUTH=off", without)):
        times.sort()
        print(f"| {label} | {statistics.median(times):.3f} ms | {times[int(len(times) * 0.95) - 1]:.3f} ms |")
    print(f"| difference | {statistics.median(with_key) - statistics.median(without):+.3f} ms | |")


if __name__ == "__main__":
    main()
