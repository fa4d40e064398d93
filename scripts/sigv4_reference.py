#!/usr/bin/env python3
"""botocore's Signature Version 4 for fixed requests: the reference the Swift signer is tested against.

Reads {"cases": [...]} as JSON from the file named by the first argument (or stdin) and prints a JSON
array with one result per case. A case: method, scheme, host, path
(unencoded), params (list of [name, value], unencoded), headers (object), body (text or null), sign_payload
(false: UNSIGNED-PAYLOAD), region, access_key, secret_key, token (or null), timestamp (YYYYMMDDTHHMMSSZ),
presign_expires (seconds: a presigned URL instead of an Authorization header)."""

import datetime
import json
import sys
import types
import urllib.parse
from unittest import mock

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def sign(case):
    credentials = Credentials(case["access_key"], case["secret_key"], case.get("token"))
    path = urllib.parse.quote(case["path"], safe="/~")  # how botocore puts an S3 key into a URL
    request = AWSRequest(
        method=case["method"], url=f"{case['scheme']}://{case['host']}{path}",
        headers=case.get("headers") or {}, params=[tuple(pair) for pair in case.get("params") or []],
        data=(case.get("body") or "").encode())
    if not case.get("sign_payload", True):
        request.context["client_config"] = types.SimpleNamespace(s3={"payload_signing_enabled": False})
    now = datetime.datetime.strptime(case["timestamp"], "%Y%m%dT%H%M%SZ")
    with mock.patch.object(botocore.auth, "get_current_datetime", return_value=now):
        if case.get("presign_expires") is not None:
            botocore.auth.S3SigV4QueryAuth(credentials, "s3", case["region"], expires=case["presign_expires"]).add_auth(request)
            query = urllib.parse.urlsplit(request.url).query
            return {"presigned_query": dict(urllib.parse.parse_qsl(query, keep_blank_values=True))}
        botocore.auth.S3SigV4Auth(credentials, "s3", case["region"]).add_auth(request)
        return {"headers": {name.lower(): value for name, value in request.headers.items()}}


if __name__ == "__main__":
    source = open(sys.argv[1]) if len(sys.argv) > 1 else sys.stdin
    print(json.dumps([sign(case) for case in json.load(source)["cases"]]))
