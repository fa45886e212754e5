#!/usr/bin/env bash
# Memory of a fan-out (docs/PERFORMANCE.md, "Fan-out memory"): a real
# `steadfast serve` runs one `for_each` step over N items, 20 children at
# once, each child two activity steps. The serve process's resident memory
# (VmRSS from /proc) is sampled every 50 ms from before the start until the
# instance completed; each size runs on a fresh serve and database.
#
#   bash tools/bench_fanout.sh [--items 500,5000] [--concurrency 20] [--workers 8]
#
# Prints one line per size: items, seconds, RSS when idle, what entering
# the step added (the parent read with its input, the list evaluated: as
# large as the input), how much the RSS then grew while the elements ran
# (the parent waiting_child: flat is ~0 whatever the number of items), and
# the peak of the whole run less the idle RSS (the last task collects every
# element's output, in order, into the step's output: as large as the output).
#
# Sets up and builds first (tools/setup.sh) unless STEADFAST_BIN names the binary.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=tools/steadfast_bin.sh
source "$ROOT/tools/steadfast_bin.sh"

SIZES="500,5000"
CONCURRENCY=20
WORKERS=8
while [ $# -gt 0 ]; do
  case "$1" in
    --items) SIZES="$2"; shift 2 ;;
    --concurrency) CONCURRENCY="$2"; shift 2 ;;
    --workers) WORKERS="$2"; shift 2 ;;
    *) echo "bench_fanout: unknown argument $1" >&2; exit 2 ;;
  esac
done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/steadfast-bench-fanout.XXXXXX")"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  [ "${KEEP_BENCH_DIR:-0}" = 1 ] || rm -rf "$WORK"
}
trap cleanup EXIT

mkdir -p "$WORK/workflows"
cat > "$WORK/workflows/inspect_item.yaml" <<'YAML'
name: inspect_item
input: { item: map, index: int }
steps:
  - id: inspect
    activity: std.echo
    with: { sku: "${input.item.sku}", index: "${input.index}" }
  - id: restock
    activity: std.echo
    with: { sku: "${steps.inspect.sku}", restocked: true }
YAML
cat > "$WORK/workflows/item_return.yaml" <<YAML
name: item_return
input: { items: list }
steps:
  - id: inspect_items
    workflow: inspect_item
    for_each: "\${input.items}"
    concurrency: $CONCURRENCY
    input: { item: "\${item}", index: "\${index}" }
output: { inspected: "\${steps.inspect_items}" }
YAML

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

printf '%-8s %-9s %-12s %-13s %-15s %-15s\n' items seconds idle_rss_mb entry_mb growth_while_mb total_growth_mb
IFS=',' read -r -a sizes <<<"$SIZES"
for n in "${sizes[@]}"; do
  dir="$WORK/run-$n"
  mkdir -p "$dir"
  cat > "$dir/steadfast.yaml" <<YAML
database: $dir/engine.db
workers: $WORKERS
node_name: bench-fanout
poll_interval: 100ms
workflows_dir: $WORK/workflows
log_level: warn
YAML
  python3 -c "import json,sys; print(json.dumps({'items': [{'sku': 'SKU-%05d' % i} for i in range(int(sys.argv[1]))]}))" \
    "$n" >"$dir/input.json"
  "$BIN" serve --config "$dir/steadfast.yaml" 2>"$dir/serve.log" &
  SERVER_PID=$!
  sleep 1
  idle=$(rss_kb "$SERVER_PID")
  peak=$idle
  run_peak=0
  entry=0
  start=$(date +%s.%N)
  "$BIN" start item_return --id "return-$n" --input "@$dir/input.json" --config "$dir/steadfast.yaml" >/dev/null
  status=""
  for _ in $(seq 1 12000); do
    rss=$(rss_kb "$SERVER_PID")
    [ "$rss" -gt "$peak" ] && peak=$rss
    status="$("$BIN" status "return-$n" --json --config "$dir/steadfast.yaml" 2>/dev/null |
      python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])' 2>/dev/null || true)"
    if [ "$status" = waiting_child ]; then
      [ "$entry" -eq 0 ] && entry=$rss
      [ "$rss" -gt "$run_peak" ] && run_peak=$rss
    fi
    case "$status" in completed|failed|compensated|cancelled) break ;; esac
    sleep 0.05
  done
  end=$(date +%s.%N)
  kill -TERM "$SERVER_PID"
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
  if [ "$status" != completed ]; then
    echo "bench_fanout: the $n-item fan-out ended '$status'" >&2
    tail -20 "$dir/serve.log" >&2
    exit 1
  fi
  awk -v n="$n" -v s="$start" -v e="$end" -v i="$idle" -v a="$entry" -v r="$run_peak" -v p="$peak" \
    'BEGIN { if (a == 0) a = i; if (r < a) r = a
            printf "%-8d %-9.1f %-12.1f %-13.1f %-15.1f %-15.1f\n", n, e - s, i / 1024, (a - i) / 1024, (r - a) / 1024, (p - i) / 1024 }'
done
