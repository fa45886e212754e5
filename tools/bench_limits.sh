#!/usr/bin/env bash
# Activity limits under a backlog (docs/PERFORMANCE.md, "Activity limits"):
# a real `steadfast serve` with `activity_limits` on refund.psp_refund, the
# real sandbox PSP answering refunds after a latency, and N refunds parked
# at the psp step behind a hold, then released at once. What the PSP saw is
# read from the sandbox's own call log (table `calls`: arrival time and
# duration of every POST /v1/refunds): the calls per second and the most
# calls in flight at any instant.
#
#   bash tools/bench_limits.sh [--refunds 2000] [--per-second 50] [--burst 2] [--max-in-flight 20]
#                              [--latency-ms 150] [--latency-jitter-ms 100] [--workers 32]
#                              [--fair-by customer_id] [--flood-share 0.9]
#
# --flood-share F: the oldest F of the refunds are one customer's, the rest
# are spread over 20 others; the output says when each group completed.
# --fair-by KEY declares `fair_by: KEY` on the limited activity.
#
# Sets up and builds first (tools/setup.sh) unless STEADFAST_BIN names the
# binary (the sandbox is then found beside it in the build tree). Exit 1 when
# the observed rate strays more than 5% from per_second (while the limit
# binds) or the calls in flight ever exceed max_in_flight.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=tools/steadfast_bin.sh
source "$ROOT/tools/steadfast_bin.sh"
SANDBOX="${STEADFAST_SANDBOX_BIN:-$(dirname "$BIN")/../sandbox/steadfast-sandbox}"

REFUNDS=2000
PER_SECOND=50
BURST=2
MAX_IN_FLIGHT=20
LATENCY=150
JITTER=100
WORKERS=32
FAIR_BY=""
FLOOD_SHARE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --refunds) REFUNDS="$2"; shift 2 ;;
    --per-second) PER_SECOND="$2"; shift 2 ;;
    --burst) BURST="$2"; shift 2 ;;
    --max-in-flight) MAX_IN_FLIGHT="$2"; shift 2 ;;
    --latency-ms) LATENCY="$2"; shift 2 ;;
    --latency-jitter-ms) JITTER="$2"; shift 2 ;;
    --workers) WORKERS="$2"; shift 2 ;;
    --fair-by) FAIR_BY="$2"; shift 2 ;;
    --flood-share) FLOOD_SHARE="$2"; shift 2 ;;
    *) echo "bench_limits: unknown argument $1" >&2; exit 2 ;;
  esac
done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/steadfast-bench-limits.XXXXXX")"
SERVER_PID=""
SANDBOX_PID=""
cleanup() {
  for pid in "$SERVER_PID" "$SANDBOX_PID"; do
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  [ "${KEEP_BENCH_DIR:-0}" = 1 ] || rm -rf "$WORK"
}
trap cleanup EXIT

export STEADFAST_SANDBOX_SECRET_KEY="sk_test_bench_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
export STEADFAST_PSP_SECRET_KEY="$STEADFAST_SANDBOX_SECRET_KEY"
"$SANDBOX" --port 0 --db "$WORK/sandbox.sqlite3" --latency-ms "$LATENCY" --latency-jitter-ms "$JITTER" \
  --fault-scope /v1/refunds >"$WORK/sandbox.out" 2>"$WORK/sandbox.err" &
SANDBOX_PID=$!
for _ in $(seq 1 100); do
  grep -q '^listening on ' "$WORK/sandbox.out" 2>/dev/null && break
  kill -0 "$SANDBOX_PID" 2>/dev/null || { cat "$WORK/sandbox.err" >&2; exit 3; }
  sleep 0.1
done
PSP="http://$(sed -n 's/^listening on //p' "$WORK/sandbox.out")"

OPS_TOKEN="$(openssl rand -hex 32)"
sha() { printf %s "$1" | sha256sum | cut -d' ' -f1; }
cat > "$WORK/steadfast.yaml" <<YAML
database: engine.db
workers: $WORKERS
node_name: bench-limits
poll_interval: 200ms
workflows_dir: $ROOT/workflows
log_level: info
activity_limits:
  refund.psp_refund: { max_in_flight: $MAX_IN_FLIGHT, per_second: $PER_SECOND, burst: $BURST${FAIR_BY:+, fair_by: $FAIR_BY} }
http:
  listen: 127.0.0.1:0
  rate_limit: { per_principal_per_s: 0, burst: 1 }
  tokens:
    - { name: bench-ops, sha256: $(sha "$OPS_TOKEN"), roles: [operator] }
plugin_config:
  refund:
    policies: $ROOT/config/refund_policies.yaml
    risk_rules: $ROOT/config/risk_rules.yaml
    psp: { base_url: "$PSP", secret_key_env: STEADFAST_PSP_SECRET_KEY, timeout: 10s, breaker_failures: 1000 }
    inventory_url: "$PSP"
    notification_url: "$PSP"
YAML
"$BIN" serve --config "$WORK/steadfast.yaml" 2>"$WORK/serve.log" &
SERVER_PID=$!
URL=""
for _ in $(seq 1 200); do
  URL="$(grep -o 'listening on http://[0-9.]*:[0-9]*' "$WORK/serve.log" | head -1 | sed 's/listening on //')" || true
  [ -n "$URL" ] && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/serve.log" >&2; exit 3; }
  sleep 0.05
done
[ -n "$URL" ] || { echo "bench_limits: the server did not report its port" >&2; exit 3; }

python3 "$ROOT/tools/bench/limits_load.py" --server "$URL" --token "$OPS_TOKEN" --psp "$PSP" \
  --engine-db "$WORK/engine.db" --sandbox-db "$WORK/sandbox.sqlite3" --refunds "$REFUNDS" \
  --per-second "$PER_SECOND" --burst "$BURST" --max-in-flight "$MAX_IN_FLIGHT" --flood-share "$FLOOD_SHARE" \
  --example "$ROOT/workflows/examples/reservation.json"
