# Sourced by tools/bench_peers.sh and tools/bench_pg.sh: the JSON lines a
# run records, and a writable copy of the peers (../shared/peers is
# read-only; sources are refreshed every run, node_modules, data and
# results stay between runs).
#   PEERS_SRC   where the peers are (default ../shared/peers)
#   PEERS_DIR   where the copy goes (default /var/tmp/steadfast-peers)
#   BENCH_NAME  the calling script's name, for messages
#   LINES       the file record/record_error append to (set by the caller)
# record_error sets status=1 (the caller's exit status).
# shellcheck shell=bash
# shellcheck disable=SC2034 # the caller exits with it
status=0

# One JSON line per measurement: {"what": ..., "result": {...}} or {"what": ..., "error": "..."}.
record() { python3 -c 'import json,sys; print(json.dumps({"what": sys.argv[1], "result": json.loads(sys.argv[2])}))' "$1" "$2" >>"$LINES"; }
record_error() {
  python3 -c 'import json,sys; print(json.dumps({"what": sys.argv[1], "error": sys.argv[2]}))' "$1" "$2" >>"$LINES"
  echo "$BENCH_NAME: $1: $2" >&2
  status=1
}
# The last JSON line of a file (what a bench printed last).
last_line() { grep -E '^\{' "$1" | tail -1; }

PEERS_SRC="${STEADFAST_PEERS_SRC:-$ROOT/../shared/peers}"
PEERS_DIR="${STEADFAST_PEERS_DIR:-/var/tmp/steadfast-peers}"

# Copies the peers; on failure prints why (and returns 1).
prepare_peers() {
  [ -d "$PEERS_SRC" ] || { echo "no peers at $PEERS_SRC"; return 1; }
  command -v node >/dev/null || { echo "node is not installed"; return 1; }
  local major
  major="$(node -p 'process.versions.node.split(".")[0]')"
  [ "$major" -ge 20 ] || { echo "node $(node --version) is too old (the peers need >= 20)"; return 1; }
  mkdir -p "$PEERS_DIR"
  chmod 755 "$PEERS_DIR"
  (cd "$PEERS_SRC" && find . -path ./results -prune -o -path '*/node_modules' -prune -o -path ./pgdata -prune \
    -o -path ./restate/data -prune -o -type f -print0) |
    (cd "$PEERS_SRC" && xargs -0 cp --parents -t "$PEERS_DIR")
}
