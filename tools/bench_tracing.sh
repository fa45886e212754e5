#!/usr/bin/env bash
# Tracing cost (docs/PERFORMANCE.md): `steadfast bench` with tracing off and
# on, alternating, on the same disk and sync mode. "On" exports every span
# over OTLP/HTTP JSON to tools/bench/otlp_sink.py on loopback (a receiver
# that only counts bytes, so the collector's own CPU is not charged to the
# engine). Prints one line per run and the median of each.
#
#   bash tools/bench_tracing.sh [--runs N] [--workflows N] [--concurrency C] [--sync full|normal] [--dir DIR]
#
# Sets up and builds first (tools/setup.sh), unless STEADFAST_BIN names the
# binary to use.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=tools/steadfast_bin.sh
source "$ROOT/tools/steadfast_bin.sh"

RUNS=3
ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS="$2"; shift 2 ;;
    --workflows|--concurrency|--sync|--dir) ARGS+=("$1" "$2"); shift 2 ;;
    *) echo "bench_tracing: unknown argument $1" >&2; exit 2 ;;
  esac
done

SINK_LOG="$(mktemp "${TMPDIR:-/tmp}/steadfast-otlp-sink.XXXXXX")"
# At nice +10: a real collector runs elsewhere; here it takes idle CPU only.
nice -n 10 python3 "$ROOT/tools/bench/otlp_sink.py" >"$SINK_LOG" 2>&1 &
SINK_PID=$!
trap 'kill "$SINK_PID" 2>/dev/null || true; rm -f "$SINK_LOG"' EXIT
for _ in $(seq 100); do
  grep -q "listening on" "$SINK_LOG" && break
  sleep 0.05
done
ENDPOINT="$(sed -n 's/^listening on //p' "$SINK_LOG")"
[ -n "$ENDPOINT" ] || { echo "bench_tracing: the OTLP sink did not start" >&2; exit 1; }

rate() { python3 -c 'import json,sys; r=json.load(sys.stdin); print("%.0f %.2f %s %s" % (r["workflows_per_s"], r["p50_ms"], r.get("spans_exported","-"), r.get("spans_dropped","-")))'; }
off=(); on=()
for i in $(seq "$RUNS"); do
  o="$("$BIN" bench --json "${ARGS[@]}" | rate)"
  t="$("$BIN" bench --json --otlp-endpoint "$ENDPOINT" "${ARGS[@]}" | rate)"
  echo "run $i  tracing off: ${o%% *} wf/s (p50 $(echo "$o" | cut -d' ' -f2) ms)   on: ${t%% *} wf/s (p50 $(echo "$t" | cut -d' ' -f2) ms, spans exported $(echo "$t" | cut -d' ' -f3), dropped $(echo "$t" | cut -d' ' -f4))"
  exported="$(echo "$t" | cut -d' ' -f3)"
  if [ "$exported" = "-" ] || [ "$exported" -eq 0 ]; then
    echo "bench_tracing: the traced run exported no spans" >&2
    exit 1
  fi
  off+=("${o%% *}"); on+=("${t%% *}")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
MOFF="$(median "${off[@]}")"; MON="$(median "${on[@]}")"
echo "median: off $MOFF wf/s, on $MON wf/s, cost $(python3 -c "print('%.1f%%' % (100.0 * (1 - $MON / $MOFF)))")"
