#!/usr/bin/env python3
"""The independent gRPC client of `make test`: Python grpcio, its stubs generated here from the repo's
proto/calls/v1/calls.proto with grpcio-tools, and grpcio-health-checking's own health stubs, against the
running release stack. Every RPC of calls.v1.Calls, the refusals (UNAUTHENTICATED, PERMISSION_DENIED,
RESOURCE_EXHAUSTED, NOT_FOUND, DEADLINE_EXCEEDED), a 100 MB streamed upload, and the same data as REST.

GRPC_TARGET (host:port), BASE_URL (the same API over REST), CALLS_API_KEY (role write), CALLS_READ_KEY (role
read), GRPC_SMALL_TARGET (a second API over the same database whose CALLS_MAX_UPLOAD_BYTES is 1 MiB).
Exits non-zero on any failure."""

import hashlib
import json
import math
import os
import struct
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

import grpc
from google.protobuf import json_format
from google.protobuf.timestamp_pb2 import Timestamp
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_tools import protoc

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("GRPC_TARGET", "127.0.0.1:9090")
SMALL_TARGET = os.environ.get("GRPC_SMALL_TARGET")
BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:8000").rstrip("/")
WRITE_KEY = os.environ["CALLS_API_KEY"]
READ_KEY = os.environ["CALLS_READ_KEY"]
BIG_UPLOAD_BYTES = int(os.environ.get("GRPC_BIG_UPLOAD_BYTES", str(100 * 1024 * 1024)))


def generated_stubs():
    out = tempfile.mkdtemp(prefix="calls-grpc-stubs-")
    well_known = os.path.join(os.path.dirname(protoc.__file__), "_proto")
    status = protoc.main(["grpc_tools.protoc", f"-I{ROOT}/proto", f"-I{well_known}", f"--python_out={out}",
                          f"--grpc_python_out={out}", "calls/v1/calls.proto"])
    if status != 0:
        sys.exit(f"grpc_tools.protoc failed with {status}")
    sys.path.insert(0, out)
    from calls.v1 import calls_pb2, calls_pb2_grpc
    return calls_pb2, calls_pb2_grpc


pb, pb_grpc = generated_stubs()


def bearer(key):
    return [("authorization", f"Bearer {key}")] if key else []


def expect(condition, message):
    if not condition:
        sys.exit(f"FAILED: {message}")


def expect_refusal(code, problem, call):
    try:
        call()
    except grpc.RpcError as error:
        expect(error.code() == code, f"expected {code}, got {error.code()}: {error.details()}")
        if problem:
            expect(error.details().startswith(f"{problem}: "), f"expected the problem code {problem}: {error.details()}")
            trailing = dict(error.trailing_metadata() or ())
            expect(trailing.get("calls-problem-code") == problem, f"calls-problem-code {trailing}")
        return
    sys.exit(f"FAILED: expected {code} ({problem}), the call succeeded")


def rest(path, key=WRITE_KEY, raw=False):
    request = urllib.request.Request(BASE_URL + path, headers={"Authorization": f"Bearer {key}"} if key else {})
    with urllib.request.urlopen(request, timeout=60) as response:
        body = response.read()
        return body if raw else json.loads(body)


def new_call(caller="+7 900 555-01-02", key=None):
    request = pb.CreateCallRequest(caller=caller, receiver="+44 20 7946 0958", tags=["grpc"])
    request.started_at.FromJsonString("2026-11-30T10:00:00Z")
    if key:
        request.idempotency_key = key
        # What a PBX says of the call: kept with it, the same through REST.
        request.station.name = "pbx-python"
        request.station.call_id = key
        request.station.direction = "outbound"
        request.station.answered_at.FromJsonString("2026-11-30T10:00:04.5Z")
        request.station.ended_at.FromJsonString("2026-11-30T10:01:00Z")
        request.station.hangup_cause = "NORMAL_CLEARING"
        request.station.duration_sec = 60
        request.station.billable_sec = 55
    return request


def wav_header(data_bytes, sample_rate=8000):
    return (b"RIFF" + struct.pack("<I", 36 + data_bytes) + b"WAVEfmt " + struct.pack("<IHHIIHH", 16, 1, 1, sample_rate,
            sample_rate * 2, 2, 16) + b"data" + struct.pack("<I", data_bytes))


def dialogue_wav():
    """1 s of tone, 2 s of near-silence, 1 s of tone: one silence mark from 1.0 to 3.0 s."""
    frames = bytearray()
    for second, tone in enumerate([True, False, False, True]):
        for index in range(8000):
            value = 0.4 * math.sin(2 * math.pi * 440 * index / 8000) if tone else ((index * 7919) % 61 - 30) / 30 * 0.002
            frames += struct.pack("<h", int(value * 32767))
    return wav_header(len(frames)) + bytes(frames)


def upload_messages(call_id, content_chunks, filename="call.wav"):
    yield pb.UploadRecordingRequest(header=pb.UploadHeader(call_id=call_id, filename=filename))
    for chunk in content_chunks:
        yield pb.UploadRecordingRequest(chunk=chunk)


def chunks_of(data, size=64 * 1024):
    for offset in range(0, len(data), size):
        yield data[offset:offset + size]


def big_wav_chunks(total_bytes, digest):
    """A WAV of total_bytes made on the fly, one 1 MiB block at a time (tone, then quiet, then tone…)."""
    data_bytes = total_bytes - 44
    block = bytearray()
    for index in range(8000):
        block += struct.pack("<h", int(0.3 * math.sin(2 * math.pi * 300 * index / 8000) * 32767))
    quiet = bytes(len(block))
    header = wav_header(data_bytes)
    digest.update(header)
    yield header
    sent = 0
    second = 0
    while sent < data_bytes:
        piece = (bytes(block) if second % 5 != 4 else quiet)[: data_bytes - sent]
        digest.update(piece)
        sent += len(piece)
        second += 1
        yield piece


def watch_until_final(calls, call_id, timeout=300):
    statuses = [call.status for call in calls.WatchCall(pb.WatchCallRequest(id=call_id), metadata=bearer(READ_KEY),
                                                         timeout=timeout)]
    expect(statuses and statuses[-1] == pb.CALL_STATUS_READY, f"watch ended with {statuses}")
    return statuses


def same_as_rest(call):
    twin = rest(f"/calls/{call.id}")
    expect(call.id == twin["id"] and call.caller == twin["caller"] and list(call.tags) == twin["tags"], "call fields")
    expect(pb.CallStatus.Name(call.status) == "CALL_STATUS_" + twin["status"].upper(), "status")
    expect(call.started_at.ToJsonString()[:19] == twin["started_at"][:19], "started_at")
    recording = twin["recording"]
    expect(call.recording.sha256 == recording["sha256"] and call.recording.size_bytes == recording["size_bytes"], "recording")
    expect(abs(call.recording.duration_sec - recording["duration_sec"]) < 1e-9, "duration")
    marks = [{"start": m.start, "end": m.end} for m in call.recording.silence_marks]
    expect(marks == [{"start": m["start"], "end": m["end"]} for m in recording["silence_marks"]], f"marks {marks}")
    expect(call.recording.transcription == recording["transcription"], "transcription")
    expect(json_format.MessageToDict(call.recording.analysis) == recording["analysis"], "analysis")
    station = twin["station"]
    expect(call.HasField("station") == (station is not None), "station present on both or neither")
    if station is not None:
        facts = call.station
        expect((facts.name, facts.call_id, facts.direction, facts.hangup_cause, facts.duration_sec, facts.billable_sec)
               == (station["name"], station["call_id"], station["direction"], station["hangup_cause"],
                   station["duration_sec"], station["billable_sec"]), f"station {station}")
        expect(facts.answered_at.ToJsonString() == station["answered_at"] == "2026-11-30T10:00:04.500Z", "answered_at")
        expect(facts.ended_at.ToJsonString()[:19] == station["ended_at"][:19], "ended_at")


def main():
    channel = grpc.insecure_channel(TARGET, options=[("grpc.max_receive_message_length", 8 * 1024 * 1024)])
    grpc.channel_ready_future(channel).result(timeout=30)
    calls = pb_grpc.CallsStub(channel)
    health = health_pb2_grpc.HealthStub(channel)

    expect(health.Check(health_pb2.HealthCheckRequest()).status == health_pb2.HealthCheckResponse.SERVING, "health")
    expect_refusal(grpc.StatusCode.NOT_FOUND, None, lambda: health.Check(health_pb2.HealthCheckRequest(service="x.Y")))
    expect_refusal(grpc.StatusCode.UNAUTHENTICATED, "authentication_required", lambda: calls.CreateCall(new_call()))
    expect_refusal(grpc.StatusCode.UNAUTHENTICATED, "invalid_api_key",
                   lambda: calls.CreateCall(new_call(), metadata=bearer("calls_forged")))
    expect_refusal(grpc.StatusCode.PERMISSION_DENIED, "insufficient_role",
                   lambda: calls.CreateCall(new_call(), metadata=bearer(READ_KEY)))
    expect_refusal(grpc.StatusCode.NOT_FOUND, "call_not_found",
                   lambda: calls.GetCall(pb.GetCallRequest(id="00000000-0000-4000-8000-000000000000"), metadata=bearer(READ_KEY)))
    expect_refusal(grpc.StatusCode.INVALID_ARGUMENT, "validation_failed",
                   lambda: calls.CreateCall(pb.CreateCallRequest(caller="x"), metadata=bearer(WRITE_KEY)))

    idempotency = f"grpc-client-test-{time.time_ns()}"
    created = calls.CreateCall(new_call(key=idempotency), metadata=bearer(WRITE_KEY))
    replay = calls.CreateCall(new_call(key=idempotency), metadata=bearer(WRITE_KEY))
    expect(not created.replayed and replay.replayed and replay.call.id == created.call.id, "idempotent create")
    call_id = created.call.id

    expect_refusal(grpc.StatusCode.DEADLINE_EXCEEDED, None,
                   lambda: list(calls.WatchCall(pb.WatchCallRequest(id=call_id), metadata=bearer(READ_KEY), timeout=0.5)))
    expect_refusal(grpc.StatusCode.PERMISSION_DENIED, "insufficient_role",
                   lambda: calls.UploadRecording(upload_messages(call_id, [dialogue_wav()]), metadata=bearer(READ_KEY)))
    audio = dialogue_wav()
    accepted = calls.UploadRecording(upload_messages(call_id, chunks_of(audio, 5000), "dialogue.wav"), metadata=bearer(WRITE_KEY))
    expect(accepted.sha256 == hashlib.sha256(audio).hexdigest() and accepted.size_bytes == len(audio), "accepted")
    expect_refusal(grpc.StatusCode.ALREADY_EXISTS, "recording_already_exists",
                   lambda: calls.UploadRecording(upload_messages(call_id, [audio]), metadata=bearer(WRITE_KEY)))
    watch_until_final(calls, call_id)
    call = calls.GetCall(pb.GetCallRequest(id=call_id), metadata=bearer(READ_KEY))
    expect(len(call.recording.silence_marks) == 1 and abs(call.recording.silence_marks[0].start - 1.0) <= 0.06,
           f"the silence of the dialogue: {list(call.recording.silence_marks)}")
    same_as_rest(call)

    listed = calls.ListCalls(pb.ListCallsRequest(phone="+7 (900) 555-01-02", limit=200), metadata=bearer(READ_KEY))
    twin_list = rest("/calls?phone=%2B79005550102&limit=200")
    expect([item.id for item in listed.items] == [item["id"] for item in twin_list["items"]], "list as REST")
    expect(call_id in [item.id for item in listed.items], "listed")

    # The MP3 archive follows the analysis (and replaces the original unless CALLS_KEEP_ORIGINAL).
    deadline = time.monotonic() + 60
    while (rest(f"/calls/{call_id}")["recording"].get("archive") or {}).get("status") != "done":
        expect(time.monotonic() < deadline, "the archive was not made within 60 s")
        time.sleep(0.2)
    archive = rest(f"/calls/{call_id}")["recording"]["archive"]
    link = calls.GetDownloadURL(pb.GetDownloadURLRequest(id=call_id), metadata=bearer(READ_KEY))
    expect(link.format == "mp3" and link.expires_at.seconds > time.time(), f"link {link}")
    pieces = list(calls.StreamRecording(pb.StreamRecordingRequest(id=call_id), metadata=bearer(READ_KEY)))
    streamed = b"".join(piece.data for piece in pieces)
    expect(pieces[0].info.content_type == "audio/mpeg" and pieces[0].info.size_bytes == len(streamed), "stream info")
    downloaded = rest(link.url if link.url.startswith("/") else urllib.parse.urlparse(link.url).path + "?" +
                      urllib.parse.urlparse(link.url).query, key=None, raw=True)
    expect(streamed == downloaded and hashlib.sha256(streamed).hexdigest() == archive["sha256"], "streamed = downloaded")
    expect_refusal(grpc.StatusCode.INVALID_ARGUMENT, "validation_failed",
                   lambda: list(calls.StreamRecording(pb.StreamRecordingRequest(id=call_id, format="wav"),
                                                      metadata=bearer(READ_KEY))))

    digest = hashlib.sha256()
    big = calls.CreateCall(new_call(caller="+7 900 555-09-09"), metadata=bearer(WRITE_KEY)).call.id
    started = time.monotonic()
    accepted = calls.UploadRecording(upload_messages(big, big_wav_chunks(BIG_UPLOAD_BYTES, digest), "long.wav"),
                                     metadata=bearer(WRITE_KEY), timeout=600)
    seconds = time.monotonic() - started
    expect(accepted.size_bytes == BIG_UPLOAD_BYTES and accepted.sha256 == digest.hexdigest(), "the big upload's bytes")
    print(f"grpc: {BIG_UPLOAD_BYTES / 1e6:.0f} MB streamed upload in {seconds:.1f} s "
          f"({BIG_UPLOAD_BYTES / 1e6 / seconds:.0f} MB/s)")
    watch_until_final(calls, big)

    if SMALL_TARGET:
        small = pb_grpc.CallsStub(grpc.insecure_channel(SMALL_TARGET))
        target_call = small.CreateCall(new_call(), metadata=bearer(WRITE_KEY)).call.id
        expect_refusal(grpc.StatusCode.RESOURCE_EXHAUSTED, "payload_too_large",
                       lambda: small.UploadRecording(upload_messages(target_call, chunks_of(bytes(2 * 1024 * 1024))),
                                                     metadata=bearer(WRITE_KEY)))

    calls.DeleteCall(pb.DeleteCallRequest(id=call_id), metadata=bearer(WRITE_KEY))
    calls.DeleteCall(pb.DeleteCallRequest(id=call_id), metadata=bearer(WRITE_KEY))
    expect_refusal(grpc.StatusCode.NOT_FOUND, "call_not_found",
                   lambda: calls.GetCall(pb.GetCallRequest(id=call_id), metadata=bearer(READ_KEY)))
    print("grpc client test passed: every RPC, its refusals and a 100 MB upload, the same data as REST")


if __name__ == "__main__":
    main()
