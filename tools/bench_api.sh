#!/usr/bin/env bash
# Load check of the HTTP API (docs/PERFORMANCE.md): starts a real
# `steadfast serve` on a fresh SQLite file with two principals (an operator
# who starts, a reviewer who approves), then runs `steadfast bench-api`
# against it over loopback: start -> wait for approval -> approve -> finish,
# from concurrent clients while the engine's workers keep checkpointing.
#
#   bash tools/bench_api.sh [--workflows N] [--clients C] [--sync full|normal] [--json]
#
# Sets up and builds first (tools/setup.sh), unless STEADFAST_BIN names the
# binary to use (the test suite's small run does). Exit status is bench-api's:
# non-zero when any workflow did not complete.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=tools/steadfast_bin.sh
source "$ROOT/tools/steadfast_bin.sh"

WORKFLOWS=1000
CLIENTS=16
SYNC=full
JSON=()
while [ $# -gt 0 ]; do
  case "$1" in
    --workflows) WORKFLOWS="$2"; shift 2 ;;
    --clients) CLIENTS="$2"; shift 2 ;;
    --sync) SYNC="$2"; shift 2 ;;
    --json) JSON=(--json); shift ;;
    *) echo "bench_api: unknown argument $1" >&2; exit 2 ;;
  esac
done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/steadfast-bench-api.XXXXXX")"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

mkdir -p "$WORK/workflows"
cp "$ROOT/tools/bench/bench_approval.yaml" "$WORK/workflows/"
OPS_TOKEN="$(openssl rand -hex 32)"
REVIEWER_TOKEN="$(openssl rand -hex 32)"
sha() { printf %s "$1" | sha256sum | cut -d' ' -f1; }
cat > "$WORK/steadfast.yaml" <<EOF
database: bench.db
sync: $SYNC
workers: 8
node_name: bench-api
workflows_dir: workflows
log_level: info      # the "listening on" line tells the port
http:
  listen: 127.0.0.1:0
  threads: 4
  rate_limit: { per_principal_per_s: 0, burst: 1 }   # 0 per second: no limit
  tokens:
    - { name: bench-ops, sha256: $(sha "$OPS_TOKEN"), roles: [operator] }
    - { name: bench-reviewer, sha256: $(sha "$REVIEWER_TOKEN"), roles: [reviewer] }
EOF

"$BIN" serve --config "$WORK/steadfast.yaml" 2>"$WORK/serve.log" &
SERVER_PID=$!
URL=""
for _ in $(seq 1 200); do
  URL="$(grep -o 'listening on http://[0-9.]*:[0-9]*' "$WORK/serve.log" | head -1 | sed 's/listening on //')" || true
  [ -n "$URL" ] && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/serve.log" >&2; exit 3; }
  sleep 0.05
done
if [ -z "$URL" ]; then
  echo "bench_api: the server did not report its port" >&2
  cat "$WORK/serve.log" >&2
  exit 3
fi

STEADFAST_TOKEN="$OPS_TOKEN" STEADFAST_REVIEWER_TOKEN="$REVIEWER_TOKEN" \
  "$BIN" bench-api --server "$URL" --workflows "$WORKFLOWS" --clients "$CLIENTS" "${JSON[@]}"
