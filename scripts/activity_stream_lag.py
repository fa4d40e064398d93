#!/usr/bin/env python3
"""Samples the subscriber activity streams while a benchmark runs: every INTERVAL seconds, per consumer group, the
entries not yet delivered (XINFO GROUPS `lag`) plus those delivered but not acknowledged (`pending`), summed over
the partitions. On SIGTERM prints one JSON object: the largest backlog seen per group, and when (seconds since the
sampler started) the backlog of both groups last went from non-zero to zero.

Usage: activity_stream_lag.py REDIS_PORT NAMESPACE PARTITIONS [INTERVAL]"""
import json
import signal
import socket
import sys
import time

port, namespace, partitions = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
interval = float(sys.argv[4]) if len(sys.argv) > 4 else 0.5
groups = ("ingest", "aggregate")


class Redis:
    """Just enough RESP2 for XINFO GROUPS, on one connection (no process per sample)."""

    def __init__(self, port):
        self.file = socket.create_connection(("127.0.0.1", port)).makefile("rwb")

    def command(self, *words):
        encoded = [word.encode() for word in words]
        self.file.write(b"*%d\r\n" % len(encoded) + b"".join(b"$%d\r\n%s\r\n" % (len(w), w) for w in encoded))
        self.file.flush()
        return self.reply()

    def reply(self):
        line = self.file.readline().rstrip(b"\r\n")
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            return RuntimeError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            if int(rest) < 0:
                return None
            data = self.file.read(int(rest) + 2)[:-2]
            return data.decode()
        if kind == b"*":
            return None if int(rest) < 0 else [self.reply() for _ in range(int(rest))]
        raise ValueError(line)


redis = Redis(port)
started = time.monotonic()
largest = {group: 0 for group in groups}
samples = 0
drained_at = None
busy = False
unknown = [0]  # samples in which Redis could not tell a group's lag (after a trim of unread entries)


def backlog():
    totals = {group: 0 for group in groups}
    for index in range(partitions):
        rows = redis.command("XINFO", "GROUPS", "{%s:activity:%d}:events" % (namespace, index))
        for row in rows if isinstance(rows, list) else []:  # an error: no stream yet
            fields = dict(zip(row[::2], row[1::2]))
            if fields.get("name") in totals:
                if fields.get("lag") is None:
                    unknown[0] += 1
                totals[fields["name"]] += int(fields.get("lag") or 0) + int(fields.get("pending") or 0)
    return totals


def finish(*_):
    print(json.dumps({"largest_backlog": largest, "samples": samples, "drained_at_seconds": drained_at, "lag_unknown": unknown[0]}))
    sys.exit(0)


signal.signal(signal.SIGTERM, finish)
while True:
    totals = backlog()
    samples += 1
    for group in groups:
        largest[group] = max(largest[group], totals[group])
    if any(totals.values()):
        busy = True
    elif busy:
        busy = False
        drained_at = round(time.monotonic() - started, 2)
    time.sleep(interval)
