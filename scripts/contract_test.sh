#!/usr/bin/env bash
# The contract test: schemathesis (PyPI) generates requests for every operation of openapi.yaml and sends them
# to a running API with an admin key; any 5xx, any response the contract does not describe (status, content
# type, headers, body), a 405-less unknown method, a request let through without its key, or a deleted call
# still readable fails it. Also fails unless every operation was tested and at least MIN_CASES cases ran.
# Usage: BASE_URL=… CALLS_API_KEY=<admin key> contract_test.sh. Runs in minutes when the API has a short
# CALLS_EVENT_STREAM_MAX_SECONDS: the event streams of calls it created stay open that long.
source "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.."
: "${MAX_EXAMPLES:=60}"
: "${MIN_CASES:=400}"
report=$(mktemp "${TMPDIR:-/tmp}/calls-contract.XXXXXX")
trap 'rm -f "$report"' EXIT

# positive_data_acceptance and negative_data_rejection are left out: whether an upload is audio is decided
# by its content, which no schema can say, and the API accepts more spellings than the contract promises
# (status names in any case, for one). Stateful runs are left out too: they chain a created call into
# `?wait=60` long polls and event streams that rightly stay open.
set +e
python3 -m schemathesis.cli run openapi.yaml --url "$BASE_URL" -H "Authorization: Bearer $CALLS_API_KEY" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance,unsupported_method,missing_required_header,ignored_auth,use_after_free,ensure_resource_availability \
  --phases examples,coverage,fuzzing --max-examples "$MAX_EXAMPLES" --request-timeout 70 --workers 4 \
  --seed "${CONTRACT_SEED:-20261121}" --no-color >"$report" 2>&1
status=$?
set -e
sed -n '/= SUMMARY =/,$p' "$report"
if [ "$status" -ne 0 ]; then
  cat "$report"
  calls_die "schemathesis found responses that break the contract (exit $status)"
fi
selected=$(sed -n 's/^ *Selected: \([0-9]*\)\/.*/\1/p' "$report")
tested=$(sed -n 's/^ *Tested: \([0-9]*\).*/\1/p' "$report")
cases=$(sed -n 's/^ *\([0-9]*\) generated.*/\1/p' "$report")
[ -n "$tested" ] && [ "$tested" = "$selected" ] || calls_die "only ${tested:-?} of ${selected:-?} operations were tested"
[ "${cases:-0}" -ge "$MIN_CASES" ] || calls_die "only ${cases:-0} cases were generated (at least $MIN_CASES expected)"
calls_log "contract test passed: $cases generated cases over $tested operations, none breaking openapi.yaml"
