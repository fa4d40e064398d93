#!/usr/bin/env bash
# `make bench`: release build, then the benchmarks; results are written into BENCHMARKS.md with the machine
# and the command.
source "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.."
calls_install_packages
command -v taskset >/dev/null || calls_die "taskset (util-linux) is required"

calls_log "building (release)"
swift build -c release --product calls-bench >/dev/null
swift build -c release --product calls-analyze >/dev/null
swift build -c release --product calls-api >/dev/null
swift build -c release --product calls-worker >/dev/null
swift build -c release --product calls-traffic >/dev/null
swift build -c release --product calls-loadgen >/dev/null
swift build -c release --product calls-ingest >/dev/null
bin=$(swift build -c release --show-bin-path)

calls_log "analysis benchmark"
analysis=$(python3 scripts/bench_analysis.py "$bin" .build-bench)
calls_log "silence accuracy on recorded speech"
speech=$(python3 scripts/bench_speech.py "$bin" .build-bench/speech 0 1 2 3 4 5 6 7)
calls_log "queue benchmark"
queue=$(bash scripts/bench_queue.sh "$bin")
calls_log "download benchmark"
download=$(bash scripts/bench_download.sh "$bin")
calls_log "upload benchmark"
upload=$(bash scripts/bench_upload.sh "$bin")
calls_log "MP3 archive benchmark"
archive=$(python3 scripts/bench_archive.py "$bin" .build-bench)
calls_log "queue panel benchmark"
panel=$(bash scripts/bench_panel.sh "$bin")
calls_log "search benchmark (seeds 1 000 000 calls)"
search=$(bash scripts/bench_search.sh "$bin")
calls_log "CDR API and statistics benchmark (seeds 1 000 000 CDRs)"
cdr_stats=$(bash scripts/bench_cdr_stats.sh "$bin")
calls_log "subscriber activity end to end (60 s of calls-loadgen)"
activity=$(bash scripts/bench_activity.sh "$bin" 22000)
calls_log "subscriber activity reads benchmark (seeds 10 000 000 events)"
activity_reads=$(bash scripts/bench_activity_reads.sh "$bin")
calls_log "gRPC benchmark"
grpc=$(bash scripts/bench_grpc.sh "$bin")
calls_log "station client benchmark"
ingest=$(bash scripts/bench_ingest.sh "$bin")

cpu=$(grep -m1 "model name" /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
{
  echo "# Benchmarks"
  echo
  echo "Written by \`make bench\` ($(date -u +%Y-%m-%d)); rerun it to refresh. Machine: ${cpu:-unknown CPU},"
  echo "$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB RAM, $(uname -sr), $(swift --version 2>/dev/null | head -n1)."
  echo
  echo "## Audio analysis (issue 3)"
  echo
  echo "Command: \`make bench\` (= \`scripts/bench_analysis.py\`): each figure is the best of 5 runs of"
  echo "\`calls-bench decode|analyze FILE\` (release build), each run its own process pinned to one core with"
  echo "\`taskset -c 0\`. *Bare decode* reads every frame with \`sf_readf_float\` in blocks of 4096 frames and"
  echo "does nothing else: the floor. *Analysis* is the worker's full analysis of the same file (decode, frame"
  echo "energies, voice activity, timeline, metrics, transcript). Targets: analysis ≤ 2× the decode for WAV,"
  echo "≤ 1.3× for MP3, peak RSS ≤ 64 MB, 60-minute 8 kHz mono WAV under 0.5 s."
  echo
  echo "$analysis"
  echo
  echo "## Silence accuracy on recorded speech (issue 15)"
  echo
  echo "Command: \`make bench\` (= \`scripts/bench_speech.py BIN .build-bench/speech 0 1 2 3 4 5 6 7\`): release"
  echo "\`calls-analyze\` over the dialogues \`scripts/speech_fixtures.py\` builds from Debian's recorded telephone"
  echo "prompts, eight corpora (seeds) of sixteen dialogues each: per corpus eight over steady line noise (−62…−46"
  echo "dBFS), four over a background swinging by about 2.5 dB and four with clicks; stereo and mono; pauses 0.5–8 s,"
  echo "overlaps, pauses inside utterances; in each encoding. The truth edge of an utterance is its first/last 10 ms"
  echo "frame above the line noise and within 35 dB of its loudest frame, measured on the prompt before mixing. A"
  echo "detected silence matches a true one when both edges are within 100 ms (one to one); a pause within 100 ms of"
  echo "the 500 ms the analysis reports is optional (reporting it or not is no error). Errors are detected minus true,"
  echo "in ms, of matched silences over all seeds: a negative *speech end* error means the silence was marked before"
  echo "the speech really ended. Seed 0 is the corpus \`make test\` checks and the one the detector's constants were"
  echo "chosen on. Target (steady line noise): precision and recall ≥ 0.98 with both edges within 100 ms, per"
  echo "encoding. *Optional silences reported*: detected silences matching an optional pause, counted neither way."
  echo
  echo "$speech"
  echo
  echo "## Job queue (issue 4)"
  echo
  echo "Command: \`make bench\` (= \`scripts/bench_queue.sh\` driving \`scripts/load_test.py\`): a private PostgreSQL"
  echo "and Redis, the release API and worker processes (default concurrency = cores) on this machine, client"
  echo "threads each holding a keep-alive connection, creating calls and uploading WAVs over loopback. Timings come"
  echo "from PostgreSQL: upload→ready is \`calls.updated_at - recordings.created_at\` (upload committed to analysis"
  echo "committed); completed/s is calls ready divided by the span from the first upload to the last ready. *Lost* ="
  echo "accepted uploads not ready or failed when the run ended. Everything (clients, API, workers, PostgreSQL,"
  echo "Redis) shares the 2 cores. Target: ≥ 300 completed/s for 10 s files, idle upload→ready p50 ≤ 15 ms."
  echo "MP3 archiving (issue 5) is off except in the row that says so: there each worker also converts every"
  echo "analysed call to MP3 on a slot of its own, competing for the same 2 cores."
  echo "Runs started within minutes of deleting thousands of files on the same ext4 filesystem (right after"
  echo "\`make test\`, or after another benchmark's clean-up) measure 10–20 % lower: ext4's inode allocator then"
  echo "steps over the freshly freed inodes one by one (\`perf\`: \`find_inode_bit\`, \`recently_deleted\`, about"
  echo "7 % of all CPU in such a run, 0.2 % otherwise). A recordings volume sees no such bursts of deletions."
  echo
  echo "The chaos run SIGKILLs one of two workers every 2 s (only PIDs the script started, checked against"
  echo "\`/proc/PID/cmdline\`) and starts a replacement. *Duplicate effects* counts analysis results written more"
  echo "than once for a call, by a trigger on \`recordings\` that logs every write; *re-run* calls are those whose"
  echo "analysis was claimed more than once (their worker died under them), and their upload→ready time is the"
  echo "recovery time a caller saw."
  echo
  echo "$queue"
  echo
  echo "## Downloads (issue 5)"
  echo
  echo "Command: \`make bench\` (= \`scripts/bench_download.sh\` driving \`scripts/bench_download_client.py\`): a private"
  echo "PostgreSQL, Redis and S3-compatible server (moto) on loopback and the release API, once with local storage"
  echo "and once with S3 storage. A 230 MB WAV is uploaded, its link asked for with \`GET /calls/{id}/download\` and"
  echo "fetched with curl; the API's resident memory is sampled every 20 ms during the download. With S3 the link"
  echo "is a presigned bucket URL, so the bytes come from moto and the API is not in the path (its RSS is shown"
  echo "after it sent the 230 MB upload to the bucket). The downloaded file and a 1000-byte range are compared"
  echo "with the original. Target: API peak RSS ≤ 64 MB."
  echo
  echo "$download"
  echo
  echo "## Uploads (issue 15)"
  echo
  echo "Command: \`make bench\` (= \`scripts/bench_upload.sh\` driving \`scripts/bench_upload_client.py\`): a private"
  echo "PostgreSQL and Redis, the release API with local storage and one worker, on loopback. A 230 MiB WAV is"
  echo "uploaded with \`curl -F\` to a new call 5 times (curl's own total time; the API's resident memory sampled"
  echo "every 5 ms). The floor is measured alone in the same run, on the same file: loopback TCP (the same curl"
  echo "command against a sink that reads the body and discards it), SHA-256 (\`calls-bench sha256\`: swift-crypto"
  echo "as the upload uses it, the file already in memory) and the page-cache write (256 KiB writes to a new file"
  echo "in the recordings directory, no fsync); their sum is the floor. The upload also syncs the file before it"
  echo "answers (its writeback starts as the body arrives); the fsync of the whole file at the end is shown for"
  echo "information. The 60-minute 8 kHz mono WAV (the analysis benchmark's) is uploaded 5 times, each"
  echo "followed at once by a long poll (\`GET /calls/{id}?wait=30\`) until \`ready\`; PostgreSQL's figure is"
  echo "\`calls.updated_at - recordings.created_at\` as in the queue benchmark. Targets: upload ≥ 500 MB/s, API RSS"
  echo "growth ≤ 5 MB, 60-minute upload→ready ≤ 0.1 s."
  echo
  echo "$upload"
  echo
  echo "## MP3 archive (issue 5)"
  echo
  echo "Command: \`make bench\` (= \`scripts/bench_archive.py\`): the worker's archive conversion of a 60-minute"
  echo "stereo recording (\`calls-bench mp3 FILE OUT\`: libsndfile decode and LAME encode in one streaming pass,"
  echo "the default settings: constant 48 kbit/s, each party on its own channel) against the \`lame\` command"
  echo "itself on the same file with the same settings (\`lame -b 48 --cbr -m s --noreplaygain --resample <rate>\`,"
  echo "LAME's default quality for both). Best of 3 runs each, every run its own process pinned to one core. Target: ≤ 1.2×"
  echo "\`lame\`."
  echo
  echo "$archive"
  echo
  echo "## Search (issue 6)"
  echo
  echo "Command: \`make bench\` (= \`scripts/bench_search.sh\` driving \`scripts/bench_search_client.py\`): a private"
  echo "PostgreSQL seeded with 1 000 000 calls over a year (random +7 9xx numbers, 5 % failed, 5 % tagged vip),"
  echo "\`VACUUM ANALYZE\`d, and the release API with API keys on. Each query is requested 20 times to warm up,"
  echo "then 200 times in a row over one keep-alive connection with a read key; p50/p95 are of the whole HTTP"
  echo "request (key check, token bucket in Redis, page query, capped count, JSON)."
  echo "\`total\` is exact up to 1000 matches and the planner's estimate beyond (\`total_estimated: true\`)."
  echo "Target: p95 ≤ 20 ms."
  echo
  echo "$search"
  echo
  echo "## Queue panel (issue 16)"
  echo
  echo "Command: \`make bench\` (= \`scripts/bench_panel.sh\` driving \`scripts/bench_panel_client.py\`): a private"
  echo "PostgreSQL and Redis, the release API (keys off) and one release worker with \`CALLS_WORKER_ROLES=panel\`,"
  echo "all on this machine, fed queue_log files written by \`calls-traffic\` (the generator the tests compare"
  echo "the panel with). In order: the status preset (200 queues, 5 000 agents, over 2 000 callers waiting) is"
  echo "applied and \`GET /queues/status\` timed 2 000 times in a row after 200 to warm up; then 60 s of real-time"
  echo "traffic at 1 000 events/s, two pushers posting what is due every 100 ms while a reader polls the status"
  echo "every 20 ms (a batch is visible when today's \`offered\` reaches the ENTERQUEUEs sent up to it; the 20 ms"
  echo "poll bounds the resolution); then 600 000 lines of four PBXs posted by four pushers as fast as they go,"
  echo "timed until PostgreSQL holds every event, with each process's CPU (utime + stime, PostgreSQL's backends"
  echo "included) over that time."
  echo
  echo "$panel"
  echo
  echo "## CDR API and statistics (issue 17)"
  echo
  echo "Command: \`make bench\` (= \`scripts/bench_cdr_stats.sh\` driving \`scripts/bench_cdr_stats_client.py\`): a"
  echo "private PostgreSQL seeded with 1 000 000 CDRs over a year in one \`generate_series\` INSERT (85 % in working"
  echo "hours, three sources, two call types, 200 operators, 10 % without an operator, 20 % unanswered), the rollups"
  echo "of migration 0019 filled by its triggers as they are for the CDR builder's rows, \`VACUUM ANALYZE\`d; the"
  echo "release API with API keys on. Each statistics case is requested 20 times to warm up, then 200 times in a row"
  echo "over one keep-alive connection with a read key, every request over a different period of the same length"
  echo "(seeded random start; *unaligned*: start and end to the millisecond, off the hour), so no two requests are"
  echo "the same query. p50/p95 are of the whole HTTP request. The CSV exports are read by one client as fast as it"
  echo "goes; the API's resident memory is sampled every 20 ms. Target: statistics p95 ≤ 20 ms."
  echo
  echo "$cdr_stats"
  echo
  echo "## Subscriber activity end to end (issue 18)"
  echo
  echo "Command: \`make bench\` (= \`scripts/bench_activity.sh BIN 22000\`): a private PostgreSQL and Redis, the"
  echo "release API (keys on, a rate limit it never reaches) and one release worker with"
  echo "\`CALLS_WORKER_ROLES=activity-ingest,activity-aggregate\`, all on this machine with the load generator."
  echo "\`calls-loadgen activity --check-global --poll-interval 0.5 --verify after\` sends for 60 s on a fixed schedule"
  echo "(open loop), measures the latency to the database on 50 subscribers polled every 0.5 s, and after the send"
  echo "finds every unique event in \`GET /api/v1/users/{id}/detail\` with every field as sent and checks every day,"
  echo "month and global aggregate. The streams' backlog is sampled every 0.5 s (\`scripts/activity_stream_lag.py\`)."
  echo "CPU is utime + stime from \`/proc/PID/stat\` (PostgreSQL: the postmaster, its backends and reaped children)."
  echo "Target: ≥ 20 000 events/s sustained end to end, 100 % verified."
  echo
  echo "$activity"
  echo "## Subscriber activity reads (issue 18)"
  echo
  echo "Command: \`make bench\` (= \`scripts/bench_activity_reads.sh\` driving \`scripts/bench_activity_reads_client.py\`):"
  echo "a private PostgreSQL seeded with 10 000 000 raw events over 13 months (2025-10…2026-10) for 100 000 users"
  echo "(20–180 each) in one \`generate_series\` INSERT into the monthly partitions, the detail index in place, plus one"
  echo "heavy user with 50 000 events over the last 365 days of them; the day and month aggregates grouped from them (global rows in 8"
  echo "stripes), \`VACUUM ANALYZE\`d. Two release APIs with API keys on: one with the aggregate cache"
  echo "(\`CALLS_ACTIVITY_CACHE_SECONDS=2\`: the same query repeated, so a miss every 2 s and hits between) and one"
  echo "without (\`0\`). Each case is requested 20 times to warm up, then 500 times in a row over one keep-alive"
  echo "connection with a read key; p50/p95 are of the whole HTTP request. Targets: aggregates p95 ≤ 5 ms from the"
  echo "cache, ≤ 50 ms uncached for one user over a year of daily rows; detail page p95 ≤ 20 ms on 10 M raw events."
  echo
  echo "$activity_reads"
  echo
  echo "## gRPC API (issue 19)"
  echo
  echo "Command: \`make bench\` (= \`scripts/bench_grpc.sh\` driving \`scripts/bench_grpc_client.py\`): a private PostgreSQL and"
  echo "Redis, the release API with its gRPC server (local storage, keys off, MP3 archive off) and one worker. The same"
  echo "230 MiB WAV is uploaded 9 times over REST (\`curl -F\`, curl's own total time) and 9 times over gRPC"
  echo "(\`UploadRecording\` from Python grpcio, 256 KiB chunks read from the file; first message sent to answer), in"
  echo "alternating order, each to a new call, each followed by its analysis and the call's deletion before the next"
  echo "upload; the API's and the client's CPU time of each upload are read from /proc. Then the same 9 + 9 uploads with"
  echo "the API's threads held to the first half of the CPUs the script may use and the clients to the other half"
  echo "(\`taskset\`; PostgreSQL, Redis and the worker are not held, and are idle while an upload runs). On this 2-vCPU"
  echo "machine that leaves the API one CPU, which it saturates, so the second ratio is close to the ratio of the API's own"
  echo "CPU cost; the first includes the clients' cost, which comes out of the API's share (grpcio spends about 3 times"
  echo "curl's CPU). Between the two passes, on shared CPUs: \`GET /calls/{id}\` (Python \`http.client\`, keep-alive) and \`GetCall\`"
  echo "(one grpcio channel) of the same ready call, 2 000 times each, interleaved, after 200 of each to warm up. Targets:"
  echo "the gRPC upload within 1.2× the REST time; \`GetCall\` p50/p95 beside REST's."
  echo
  echo "$grpc"
  echo
  echo "## Station client (issue 19)"
  echo
  echo "Command: \`make bench\` (= \`scripts/bench_ingest.sh\` driving \`scripts/bench_ingest_client.py\`): a private PostgreSQL"
  echo "and Redis, the release API with its gRPC server (local storage, keys on, MP3 archive off) and one worker, all on"
  echo "this machine. \`calls-ingest --once --parallel 8 --settle 0\` over 1 000 pairs of a 4-second 8 kHz WAV and its JSON,"
  echo "timed from its start to its exit (every pair created, uploaded and moved to the done directory), once per"
  echo "transport; then one 1 GiB WAV in 3 rounds, their order rotated: \`curl -F\` of it to a new call (the baseline of"
  echo "the same round) and \`calls-ingest --once\` over each transport, each upload after the worker analysed the one"
  echo "before. Peak RSS is the client's VmHWM, CPU time its user + system time. Targets: ≥ 1 000 pairs a minute, the"
  echo "1 GiB upload at ≥ 80 % of the REST upload's rate, RSS ≤ 32 MB."
  echo
  echo "$ingest"
} > BENCHMARKS.md
cat BENCHMARKS.md
