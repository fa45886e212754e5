#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests (docs/testing.md, "PostgreSQL").
#
#   bash tools/pg_cluster.sh start DIR   # prints the connection URL
#   bash tools/pg_cluster.sh stop DIR    # stops it and deletes DIR
#
# start: initdb in DIR (an empty or missing directory; `mktemp -d` is the
# usual way), a server listening only on 127.0.0.1 on a free port, its
# socket in DIR, fsync on (as in production: tests of durability must mean
# something), a database "steadfast_test". Waits until it accepts
# connections, then prints the URL on stdout, e.g.
#   postgres://steadfast@127.0.0.1:41234/steadfast_test
# and writes it to DIR/url and as `export STEADFAST_TEST_PG_URL=...` to
# DIR/env (source it). Run as root, the server runs as the `postgres` system
# user the Debian package creates (PostgreSQL refuses to run as root), and
# DIR is handed to that user. A start that fails stops what it started and
# deletes DIR.
#
# Authentication: trust for every role on loopback, except members of the
# role steadfast_password_login, which must give a password
# (scram-sha-256): tests create such a role to check wrong-password errors.
#
# stop: stops the server (fast shutdown, then SIGKILL of its postmaster if
# it will not stop), waits until its postmaster has left the process table,
# and deletes DIR. Safe to call on a DIR whose start
# failed or never ran: a trap in the caller can always call it. Refuses to
# delete a directory that start did not make.
#
# PG_BIN overrides where initdb and pg_ctl are (default: the newest
# /usr/lib/postgresql/*/bin).
set -euo pipefail

MARKER=".steadfast-pg-cluster"
STARTING_DIR=""
DB="steadfast_test"
SUPERUSER="steadfast"

log() { echo "pg_cluster: $*" >&2; }

pg_bin() {
  if [ -n "${PG_BIN:-}" ]; then
    echo "$PG_BIN"
    return
  fi
  local dir
  dir=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  if [ -z "$dir" ] || [ ! -x "$dir/initdb" ]; then
    log "no PostgreSQL server found (/usr/lib/postgresql/*/bin/initdb); bash tools/setup.sh installs postgresql-15"
    return 1
  fi
  echo "$dir"
}

# as_owner CMD...: runs CMD as the cluster's owner (postgres when we are root).
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

stop_cluster() {  # dir
  local dir=$1 bin pid
  [ -d "$dir" ] || return 0
  if [ ! -e "$dir/$MARKER" ]; then
    log "$dir was not made by pg_cluster.sh start; not touching it"
    return 1
  fi
  if [ -f "$dir/data/postmaster.pid" ]; then
    pid=$(head -n 1 "$dir/data/postmaster.pid" 2>/dev/null || true)
    bin=$(pg_bin) || bin=""
    if [ -n "$bin" ]; then
      as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null 2>&1 || true
    fi
    # Still there (pg_ctl missing or hung): kill this cluster's postmaster,
    # and only it (its PID is the first line of its own pid file).
    if [ -f "$dir/data/postmaster.pid" ]; then
      if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        log "postmaster $pid did not stop; killing it"
        kill -KILL "$pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      fi
    fi
    # The stopped postmaster is not our child (pg_ctl detached it), so it
    # stays a zombie until init reaps it: about 2 s in a container whose
    # PID 1 reaps lazily. Wait (at most 10 s) so that once stop returns no
    # postgres process of this cluster is listed at all.
    if [ -n "$pid" ]; then
      for _ in $(seq 100); do [ -n "$(ps -o pid= -p "$pid" 2>/dev/null)" ] || break; sleep 0.1; done
    fi
  fi
  rm -rf "$dir"
}

cleanup_failed_start() {  # EXIT trap of start: undoes a start that did not finish
  local status=$?
  [ "$status" -ne 0 ] && [ -n "$STARTING_DIR" ] || return 0
  log "start failed; cleaning up $STARTING_DIR"
  if [ -f "$STARTING_DIR/log" ]; then tail -n 20 "$STARTING_DIR/log" >&2; fi
  stop_cluster "$STARTING_DIR" || true
  return "$status"
}

start_cluster() {  # dir
  local dir=$1 bin port url attempt
  if [ -e "$dir" ] && [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then
    log "$dir is not empty; give a new or empty directory (mktemp -d)"
    return 1
  fi
  bin=$(pg_bin)
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  touch "$dir/$MARKER"
  # From here on a failure undoes everything (the trap runs after this
  # function's locals are gone, hence the global).
  STARTING_DIR=$dir
  trap cleanup_failed_start EXIT
  if [ "$(id -u)" -eq 0 ]; then
    if ! getent passwd postgres >/dev/null; then
      log "running as root needs the postgres system user (from the postgresql package) to own the cluster"
      return 1
    fi
    chown postgres: "$dir"
    chmod 700 "$dir"
    if ! runuser -u postgres -- test -w "$dir"; then
      log "the postgres user cannot reach $dir (a parent directory closed to it?); use a directory under /tmp"
      return 1
    fi
  fi
  # --no-sync: initdb's own files are not flushed (a throwaway cluster);
  # the server itself runs with fsync on.
  as_owner "$bin/initdb" -D "$dir/data" -U "$SUPERUSER" -E UTF8 --locale=C --auth=trust --no-sync \
    >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; return 1; }
  as_owner tee "$dir/data/pg_hba.conf" >/dev/null <<EOF
# pg_cluster.sh: loopback only; passwords only for steadfast_password_login members.
local all all trust
host all +steadfast_password_login 127.0.0.1/32 scram-sha-256
host all all 127.0.0.1/32 trust
EOF
  for attempt in 1 2 3; do
    port=$(free_port)
    as_owner tee "$dir/data/postgresql.auto.conf" >/dev/null <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
fsync = on
synchronous_commit = on
shared_buffers = 32MB
max_connections = 100
password_encryption = 'scram-sha-256'
log_min_messages = warning
EOF
    # -w: returns once the server accepts connections (or fails).
    if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 start >/dev/null 2>&1; then
      break
    fi
    # Most likely the port was taken between free_port and the bind. Should
    # a server be up after all (pg_ctl gave up waiting), stop it first.
    log "server did not start on port $port (attempt $attempt)"
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
    fi
    [ "$attempt" -lt 3 ] || return 1
  done
  as_owner "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U "$SUPERUSER" -d postgres \
    -c "CREATE DATABASE $DB" -c "CREATE ROLE steadfast_password_login NOLOGIN" >/dev/null
  url="postgres://$SUPERUSER@127.0.0.1:$port/$DB"
  # The same check a client makes: over TCP, with the URL.
  as_owner "$bin/pg_isready" -q -d "$url" -t 10
  echo "$url" >"$dir/url"
  echo "export STEADFAST_TEST_PG_URL='$url'" >"$dir/env"
  trap - EXIT
  log "started $url in $dir"
  echo "$url"
}

case "${1:-}" in
  start) [ $# -eq 2 ] || { echo "usage: $0 start DIR" >&2; exit 2; }; start_cluster "$2" ;;
  stop) [ $# -eq 2 ] || { echo "usage: $0 stop DIR" >&2; exit 2; }; stop_cluster "$2" ;;
  *) echo "usage: $0 start DIR | stop DIR" >&2; exit 2 ;;
esac
