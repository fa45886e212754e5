#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests (docs/testing.md, "PostgreSQL").
#
#   bash tools/pg_cluster.sh start DIR   # prints the connection URL
#   bash tools/pg_cluster.sh stop DIR    # stops it and deletes DIR
#
#   bash tools/pg_cluster.sh start-pair DIR    # a primary and a synchronous standby
#   bash tools/pg_cluster.sh kill-primary DIR  # the primary stops at once
#   bash tools/pg_cluster.sh promote DIR       # the standby becomes the primary
#
# start-pair prints a URL naming both servers with
# target_session_attrs=read-write (the failover test, tests/soak/
# pg_failover_test.cc); stop stops both.
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
# /usr/lib/postgresql/*/bin). PG_CLUSTER_LISTEN adds addresses to listen on
# beside 127.0.0.1 (comma-separated; they must exist) and
# PG_CLUSTER_TRUST_NET a network whose clients are trusted as loopback's
# are (the partition test's veth links, tests/soak/pg_partition_test.cc).
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

stop_server() {  # data: stops the server of that data directory, if one runs
  local data=$1 bin pid
  [ -f "$data/postmaster.pid" ] || return 0
  pid=$(head -n 1 "$data/postmaster.pid" 2>/dev/null || true)
  bin=$(pg_bin) || bin=""
  if [ -n "$bin" ]; then
    as_owner "$bin/pg_ctl" -D "$data" -m fast -w -t 30 stop >/dev/null 2>&1 || true
  fi
  # Still there (pg_ctl missing or hung): kill this server's postmaster,
  # and only it (its PID is the first line of its own pid file).
  if [ -f "$data/postmaster.pid" ]; then
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      log "postmaster $pid did not stop; killing it"
      kill -KILL "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
  fi
  # The stopped postmaster is not our child (pg_ctl detached it), so it
  # stays a zombie until init reaps it: about 2 s in a container whose
  # PID 1 reaps lazily. Wait (at most 10 s) so that once stop returns no
  # postgres process of this server is listed at all.
  if [ -n "$pid" ]; then
    for _ in $(seq 100); do [ -n "$(ps -o pid= -p "$pid" 2>/dev/null)" ] || break; sleep 0.1; done
  fi
}

stop_cluster() {  # dir: a cluster from start, or a pair from start-pair
  local dir=$1 data
  [ -d "$dir" ] || return 0
  if [ ! -e "$dir/$MARKER" ]; then
    log "$dir was not made by pg_cluster.sh start; not touching it"
    return 1
  fi
  for data in "$dir/data" "$dir/standby/data" "$dir/primary/data"; do stop_server "$data"; done
  rm -rf "$dir"
}

cleanup_failed_start() {  # EXIT trap of start: undoes a start that did not finish
  local status=$?
  [ "$status" -ne 0 ] && [ -n "$STARTING_DIR" ] || return 0
  log "start failed; cleaning up $STARTING_DIR"
  for f in "$STARTING_DIR/log" "$STARTING_DIR/primary/log" "$STARTING_DIR/standby/log"; do
    if [ -f "$f" ]; then tail -n 20 "$f" >&2; fi
  done
  stop_cluster "$STARTING_DIR" || true
  return "$status"
}

# claim_dir DIR: makes the new (or empty) directory ours and the cluster
# owner's; from here on a failed start undoes everything (the trap runs
# after the caller's locals are gone, hence the global).
claim_dir() {
  local dir=$1
  if [ -e "$dir" ] && [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then
    log "$dir is not empty; give a new or empty directory (mktemp -d)"
    return 1
  fi
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  touch "$dir/$MARKER"
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
}

# init_primary DATA: initdb, and the client rules (replication included:
# a standby's base backup and stream come over loopback too).
init_primary() {
  local data=$1 bin
  bin=$(pg_bin)
  # --no-sync: initdb's own files are not flushed (a throwaway cluster);
  # the server itself runs with fsync on.
  as_owner "$bin/initdb" -D "$data" -U "$SUPERUSER" -E UTF8 --locale=C --auth=trust --no-sync \
    >"$data.initdb.log" 2>&1 || { cat "$data.initdb.log" >&2; return 1; }
  as_owner tee "$data/pg_hba.conf" >/dev/null <<EOF
# pg_cluster.sh: loopback only; passwords only for steadfast_password_login members.
local all all trust
host all +steadfast_password_login 127.0.0.1/32 scram-sha-256
host all all 127.0.0.1/32 trust
host replication $SUPERUSER 127.0.0.1/32 trust
EOF
  if [ -n "${PG_CLUSTER_TRUST_NET:-}" ]; then
    echo "host all all $PG_CLUSTER_TRUST_NET trust" | as_owner tee -a "$data/pg_hba.conf" >/dev/null
  fi
}

# start_server DATA SOCKDIR [EXTRA_SETTING]: a free port, loopback only,
# the socket and log in SOCKDIR, fsync on; prints the port. Three tries.
start_server() {
  local data=$1 sockdir=$2 extra=${3:-} bin port attempt
  bin=$(pg_bin)
  for attempt in 1 2 3; do
    port=$(free_port)
    # Appended: a base backup's copy of the primary's settings comes first
    # and these override it (the last setting of a name wins).
    as_owner tee -a "$data/postgresql.auto.conf" >/dev/null <<EOF
listen_addresses = '127.0.0.1${PG_CLUSTER_LISTEN:+,$PG_CLUSTER_LISTEN}'
port = $port
unix_socket_directories = '$sockdir'
fsync = on
synchronous_commit = on
shared_buffers = 32MB
max_connections = 100
password_encryption = 'scram-sha-256'
log_min_messages = warning
$extra
EOF
    # -w: returns once the server accepts connections (or fails).
    if as_owner "$bin/pg_ctl" -D "$data" -l "$sockdir/log" -w -t 60 start >/dev/null 2>&1; then
      echo "$port"
      return 0
    fi
    # Most likely the port was taken between free_port and the bind. Should
    # a server be up after all (pg_ctl gave up waiting), stop it first.
    log "server did not start on port $port (attempt $attempt)"
    if [ -f "$data/postmaster.pid" ]; then
      as_owner "$bin/pg_ctl" -D "$data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
    fi
  done
  return 1
}

create_database() {  # sockdir port: the test database and the password-login role
  as_owner "$(pg_bin)/psql" -X -q -v ON_ERROR_STOP=1 -h "$1" -p "$2" -U "$SUPERUSER" -d postgres \
    -c "CREATE DATABASE $DB" -c "CREATE ROLE steadfast_password_login NOLOGIN" >/dev/null
}

finish_start() {  # dir url: the check a client makes (over TCP, with the URL); then the files
  local dir=$1 url=$2
  as_owner "$(pg_bin)/pg_isready" -q -d "$url" -t 10
  echo "$url" >"$dir/url"
  echo "export STEADFAST_TEST_PG_URL='$url'" >"$dir/env"
  trap - EXIT
  log "started $url in $dir"
  echo "$url"
}

start_cluster() {  # dir
  local dir port
  claim_dir "$1"
  dir=$STARTING_DIR
  init_primary "$dir/data"
  port=$(start_server "$dir/data" "$dir")
  create_database "$dir" "$port"
  finish_start "$dir" "postgres://$SUPERUSER@127.0.0.1:$port/$DB"
}

# A primary (DIR/primary) with one synchronous streaming standby
# (DIR/standby): a commit is acknowledged only once the standby has flushed
# it, so promoting the standby loses no acknowledged write. The URL lists
# both hosts with target_session_attrs=read-write: a client connects to
# whichever of them is the primary at the time.
start_pair() {  # dir
  local dir bin pport sport state=""
  bin=$(pg_bin)
  claim_dir "$1"
  dir=$STARTING_DIR
  as_owner mkdir -m 700 "$dir/primary" "$dir/standby"
  init_primary "$dir/primary/data"
  pport=$(start_server "$dir/primary/data" "$dir/primary")
  create_database "$dir/primary" "$pport"
  # -R writes standby.signal and primary_conninfo; its application name is
  # the one synchronous_standby_names waits for.
  as_owner "$bin/pg_basebackup" -D "$dir/standby/data" -d \
    "host=127.0.0.1 port=$pport user=$SUPERUSER application_name=standby" -X stream -R --no-sync --checkpoint=fast \
    >"$dir/standby/basebackup.log" 2>&1 || { cat "$dir/standby/basebackup.log" >&2; return 1; }
  sport=$(start_server "$dir/standby/data" "$dir/standby")
  # Only now does the primary wait for the standby (a commit before it
  # streamed would wait for ever); the standby's copy of the settings has
  # no such wait, so once promoted it commits on its own.
  as_owner "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir/primary" -p "$pport" -U "$SUPERUSER" -d postgres \
    -c "ALTER SYSTEM SET synchronous_standby_names = 'standby'" -c "SELECT pg_reload_conf()" >/dev/null
  for _ in $(seq 150); do
    state=$(as_owner "$bin/psql" -X -qAt -h "$dir/primary" -p "$pport" -U "$SUPERUSER" -d postgres \
      -c "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'standby'" 2>/dev/null || true)
    [ "$state" = "sync" ] && break
    sleep 0.1
  done
  if [ "$state" != "sync" ]; then
    log "the standby did not become synchronous (state '$state')"
    return 1
  fi
  finish_start "$dir" "postgres://$SUPERUSER@127.0.0.1:$pport,127.0.0.1:$sport/$DB?target_session_attrs=read-write"
}

is_pair() {  # dir
  [ -e "$1/$MARKER" ] && [ -d "$1/primary/data" ] && [ -d "$1/standby/data" ] ||
    { log "$1 is not a pair from start-pair"; return 1; }
}

# kill-primary: the primary stops at once (immediate: no shutdown
# checkpoint, every client cut off mid-statement), as when its host is lost.
kill_primary() {  # dir
  is_pair "$1"
  as_owner "$(pg_bin)/pg_ctl" -D "$1/primary/data" -m immediate -w -t 30 stop >/dev/null
}

promote_standby() {  # dir: the standby becomes the read-write primary
  is_pair "$1"
  as_owner "$(pg_bin)/pg_ctl" -D "$1/standby/data" -w -t 60 promote >/dev/null
}

USAGE="usage: $0 start DIR | start-pair DIR | kill-primary DIR | promote DIR | stop DIR"
[ $# -eq 2 ] || { echo "$USAGE" >&2; exit 2; }
case "$1" in
  start) start_cluster "$2" ;;
  start-pair) start_pair "$2" ;;
  kill-primary) kill_primary "$2" ;;
  promote) promote_standby "$2" ;;
  stop) stop_cluster "$2" ;;
  *) echo "$USAGE" >&2; exit 2 ;;
esac
