#!/usr/bin/env bash
# Service bootstrap shared by `make run`, `make test` and `make bench`: installs what is missing, starts a
# private PostgreSQL and Redis on loopback, and stops exactly what it started, by PID.
# Source it; every function is prefixed `calls_`.

set -euo pipefail

CALLS_APT_PACKAGES=(
  pkg-config libhiredis-dev libsndfile1-dev libmp3lame-dev libpq-dev postgresql postgresql-contrib
  postgresql-client redis-server redis-tools python3 curl espeak-ng sox lame openssl
  asterisk-core-sounds-en-wav asterisk-core-sounds-fr-wav asterisk-core-sounds-es-wav
)

calls_log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
calls_die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# Installs the Debian packages that are not installed yet (nothing when all are there).
calls_install_packages() {
  local missing=()
  for package in "${CALLS_APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  calls_log "installing ${missing[*]}"
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || calls_die "need root or sudo to install: ${missing[*]}"
    sudo=(sudo)
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# The Python modules the tests use (botocore: the reference signer for S3 requests; moto: an S3-compatible
# server; schemathesis: the contract test; selenium: drives the wallboard's browser test; grpcio,
# grpcio-tools and grpcio-health-checking: the independent gRPC client, which makes its stubs from proto/),
# installed with pip
# into the python3 on PATH when missing, and that test's browser: Debian's chromium and chromium-driver.
# Exports CALLS_TEST_PYTHON, that interpreter's real path: the tests run it directly, whatever PATH
# `swift test` gives them.
calls_install_python_packages() {
  CALLS_APT_PACKAGES+=(chromium chromium-driver)
  if ! python3 -c 'import botocore, moto.server, schemathesis, selenium, grpc, grpc_tools, grpc_health' 2>/dev/null; then
    calls_log "installing botocore, moto[server], schemathesis, selenium and grpcio with pip"
    python3 -m pip --version >/dev/null 2>&1 || CALLS_APT_PACKAGES+=(python3-pip)
    calls_install_packages
    # Debian's own python3 refuses pip installs without this flag (PEP 668); pyenv's accepts it too.
    local modules=(botocore 'moto[server]' schemathesis selenium grpcio grpcio-tools grpcio-health-checking)
    python3 -m pip install --quiet "${modules[@]}" 2>/dev/null \
      || python3 -m pip install --quiet --break-system-packages "${modules[@]}"
  fi
  calls_install_packages
  CALLS_TEST_PYTHON=$(python3 -c 'import sys; print(sys.executable)')
  export CALLS_TEST_PYTHON
}

calls_pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] || calls_die "PostgreSQL server binaries not found under /usr/lib/postgresql"
  echo "$dir"
}

# A TCP port nobody listens on right now.
calls_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# PostgreSQL refuses to run as root: as root, the cluster belongs to the `postgres` system user.
calls_as_pg_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# calls_start_postgres DATA_DIR PORT: initialises DATA_DIR on first use (user and password `calls`, database
# `calls`), starts the server on 127.0.0.1:PORT, and sets CALLS_PG_PID.
calls_start_postgres() {
  local data=$1 port=$2 bin
  bin=$(calls_pg_bin)
  mkdir -p "$(dirname "$data")"
  if [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$(dirname "$data")"; then
    # The work tree is not reachable by the postgres user (e.g. under /root): keep the cluster in /var/tmp
    # and link it into place.
    local outside
    outside=/var/tmp/calls-pg-$(echo "$data" | md5sum | cut -c1-12)
    [ -e "$data" ] || ln -s "$outside" "$data"
    data=$outside
  fi
  if [ ! -s "$data/PG_VERSION" ]; then
    calls_log "initialising PostgreSQL in $data"
    mkdir -p "$data"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$data"
    chmod 700 "$data"
    local pwfile
    pwfile=$(mktemp)
    echo calls >"$pwfile"
    chmod 644 "$pwfile"
    calls_as_pg_owner "$bin/initdb" -D "$data" -U calls --pwfile="$pwfile" --auth-local=trust \
      --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
    rm -f "$pwfile"
  fi
  calls_log "starting PostgreSQL on 127.0.0.1:$port"
  calls_as_pg_owner "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 \
    -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=on ${CALLS_PG_OPTIONS:-}" start >/dev/null \
    || { tail -n 20 "$data/server.log" >&2; calls_die "PostgreSQL did not start"; }
  CALLS_PG_PID=$(head -n 1 "$data/postmaster.pid")
  CALLS_PG_DATA=$data
  PGPASSWORD=calls psql -h 127.0.0.1 -p "$port" -U calls -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = 'calls'" | grep -q 1 \
    || PGPASSWORD=calls psql -q -h 127.0.0.1 -p "$port" -U calls -d postgres -c "CREATE DATABASE calls"
}

# calls_start_redis DATA_DIR PORT: starts Redis with the production durability settings on 127.0.0.1:PORT
# and sets CALLS_REDIS_PID.
calls_start_redis() {
  local data=$1 port=$2
  mkdir -p "$data"
  calls_log "starting Redis on 127.0.0.1:$port"
  redis-server --bind 127.0.0.1 --port "$port" --dir "$data" --daemonize yes --pidfile "$data/redis.pid" \
    --logfile "$data/redis.log" --appendonly yes --appendfsync everysec --maxmemory-policy noeviction \
    --save "" >/dev/null
  for _ in $(seq 1 100); do
    redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG && break
    sleep 0.1
  done
  redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG || calls_die "Redis did not start"
  CALLS_REDIS_PID=$(cat "$data/redis.pid")
}

# calls_use_work_directory NAME: sets $work to a new directory (readable by the postgres user) that goes, with
# every process calls_track recorded, when the script exits or is interrupted.
calls_use_work_directory() {
  work=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
  chmod 755 "$work"
  trap 'trap - EXIT INT TERM; calls_stop_started; rm -rf "$work"' EXIT
  trap 'exit 130' INT TERM
}

# calls_start_private_services: a PostgreSQL and a Redis of their own under $work on free loopback ports,
# stopped with everything else calls_track recorded; exports CALLS_DATABASE_URL and CALLS_REDIS_URL.
calls_start_private_services() {
  local pg_port redis_port
  pg_port=$(calls_free_port)
  redis_port=$(calls_free_port)
  calls_start_postgres "$work/pg" "$pg_port" 2>/dev/null
  calls_track "$CALLS_PG_PID" postgres
  calls_start_redis "$work/redis" "$redis_port" 2>/dev/null
  calls_track "$CALLS_REDIS_PID" redis
  export CALLS_DATABASE_URL="postgres://calls:calls@127.0.0.1:$pg_port/calls"
  export CALLS_REDIS_URL="redis://127.0.0.1:$redis_port/0"
}

# calls_start_api_stack BIN_DIR [--no-worker]: the API of BIN_DIR (`serve --migrate`, its gRPC server on) on
# free loopback ports, ready, and one calls-worker unless --no-worker; both log to $work and are stopped with
# the rest. Exports CALLS_HTTP_PORT and CALLS_GRPC_PORT. Run it after calls_start_private_services, with the
# stack's other CALLS_ settings exported.
calls_start_api_stack() {
  local bin=$1 worker=${2:-}
  export CALLS_HTTP_PORT CALLS_GRPC_PORT
  CALLS_HTTP_PORT=$(calls_free_port)
  CALLS_GRPC_PORT=$(calls_free_port)
  "$bin/calls-api" serve --migrate >/dev/null 2>>"$work/api.log" &
  calls_track "$!" calls-api
  calls_wait_http "http://127.0.0.1:$CALLS_HTTP_PORT/readyz" 60 \
    || { tail -n 20 "$work/api.log" >&2; calls_die "the API did not become ready"; }
  [ "$worker" = --no-worker ] && return 0
  "$bin/calls-worker" >/dev/null 2>>"$work/worker.log" &
  calls_track "$!" calls-worker
}

# calls_start_s3 LOGFILE PORT: an S3-compatible server (moto, from PyPI) on loopback for the tests; sets
# CALLS_S3_PID.
calls_start_s3() {
  local log=$1 port=$2
  calls_log "starting an S3-compatible server (moto) on 127.0.0.1:$port"
  "${CALLS_TEST_PYTHON:-python3}" -m moto.server -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
  CALLS_S3_PID=$!
  calls_wait_http "http://127.0.0.1:$port/" 30 || calls_die "the S3 server did not start (see $log)"
}

# calls_stop_pid PID [NAME]: SIGTERM, wait up to 30 s, then SIGKILL. Only for processes this script started.
calls_stop_pid() {
  local pid=$1 name=${2:-process}
  [ -n "$pid" ] || return 0
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 300); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  calls_log "$name ($pid) did not stop in time; killing it"
  kill -KILL "$pid" 2>/dev/null || true
}

# calls_wait_http URL SECONDS: waits until URL answers 200.
calls_wait_http() {
  local url=$1 seconds=$2
  for _ in $(seq 1 $((seconds * 10))); do
    curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# Processes started by this script, stopped in reverse order by calls_stop_started.
CALLS_STARTED=()
calls_track() { CALLS_STARTED+=("$1:$2"); }
# calls_started_pid NAME: the PID calls_track recorded for NAME.
calls_started_pid() {
  local entry
  for entry in "${CALLS_STARTED[@]}"; do
    [ "${entry#*:}" = "$1" ] && { echo "${entry%%:*}"; return 0; }
  done
  return 1
}
calls_stop_started() {
  local index
  for ((index = ${#CALLS_STARTED[@]} - 1; index >= 0; index--)); do
    calls_stop_pid "${CALLS_STARTED[index]%%:*}" "${CALLS_STARTED[index]#*:}"
  done
  CALLS_STARTED=()
}
