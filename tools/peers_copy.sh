# Sourced by tools/bench_peers.sh and tools/bench_pg.sh: a writable copy of
# the peers (../shared/peers is read-only). Sources are refreshed every
# run; node_modules, data and results stay between runs.
#   PEERS_SRC  where the peers are (default ../shared/peers)
#   PEERS_DIR  where the copy goes (default /var/tmp/steadfast-peers)
# shellcheck shell=bash
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
