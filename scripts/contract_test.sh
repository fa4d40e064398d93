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
reports=$(mktemp -d "${TMPDIR:-/tmp}/calls-contract.XXXXXX")
trap 'rm -rf "$reports"' EXIT

# The operations in groups, each run by a schemathesis process of its own with one worker: with several
# worker threads in one process, Hypothesis' ast.parse calls race on CPython 3.11's AST validator
# ("SystemError: AST constructor recursion depth mismatch"), which fails the run though the API did nothing.
groups=(
  "getCall watchCall getQueueStatus streamQueueStatus getQueue listAgents listSources listSourceRejects"
  "createCall listCalls updateCallTags deleteCall"
  "uploadRecording getDownloadLink downloadContent postEvents postActivityEvents getCdrDeliveries listCdrExports retryCdrExports"
  "getQueueStatistics listDeadJobs retryDeadJob getLiveness getReadiness getMetrics getContract getDocs getPanel"
  "listCdrs getCdr getCallSummary getOperatorStatistics"
  "getActivityDetail getActivityAggregates"
)
# positive_data_acceptance and negative_data_rejection are left out: whether an upload is audio is decided
# by its content, which no schema can say, and the API accepts more spellings than the contract promises
# (status names in any case, for one). Stateful runs are left out to bound the time: every call schemathesis
# creates becomes the subject of long polls that rightly wait up to 60 s.
checks=not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance
checks+=,response_schema_conformance,unsupported_method,missing_required_header,ignored_auth,use_after_free
checks+=,ensure_resource_availability
pids=()
for index in "${!groups[@]}"; do
  include=()
  for operation in ${groups[$index]}; do include+=(--include-operation-id "$operation"); done
  python3 -m schemathesis.cli run openapi.yaml --url "$BASE_URL" -H "Authorization: Bearer $CALLS_API_KEY" \
    "${include[@]}" --checks "$checks" --phases examples,coverage,fuzzing --max-examples "$MAX_EXAMPLES" \
    --request-timeout 70 --workers 1 --seed "${CONTRACT_SEED:-20261121}" --no-color >"$reports/$index" 2>&1 &
  pids+=($!)
done
failed=0
for index in "${!pids[@]}"; do
  wait "${pids[$index]}" || { failed=1; cat "$reports/$index"; }
done
[ "$failed" -eq 0 ] || calls_die "schemathesis found responses that break the contract (reports above)"

documented=$(grep -cE '^    (get|post|put|patch|delete):$' openapi.yaml)
tested=0
cases=0
for report in "$reports"/*; do
  operations=$(sed -n 's/^ *Tested: \([0-9]*\).*/\1/p' "$report")
  generated=$(sed -n 's/^ *\([0-9]*\) generated.*/\1/p' "$report")
  tested=$((tested + ${operations:-0}))
  cases=$((cases + ${generated:-0}))
done
[ "$tested" -eq "$documented" ] || calls_die "only $tested of the $documented operations in openapi.yaml were tested"
[ "$cases" -ge "$MIN_CASES" ] || calls_die "only $cases cases were generated (at least $MIN_CASES expected)"
calls_log "contract test passed: $cases generated cases over $tested operations, none breaking openapi.yaml"
