#!/usr/bin/env bash
# Memory of a fan-out (docs/PERFORMANCE.md, "Fan-out memory"): a real
# `steadfast serve` runs one `for_each` step over N items, 20 children at
# once, each child two activity steps. The serve process's resident memory
# (VmRSS from /proc) is sampled every 50 ms from before the start until the
# instance completed; each size runs on a fresh serve and database.
#
#   bash tools/bench_fanout.sh [--items 500,5000] [--concurrency 20] [--workers 8]
#
# Prints one line per size: items, seconds, RSS when idle, then how much
# above idle the RSS was when the step was entered (the parent read with its
# input, the list evaluated: as large as the input), when 25, 50, 75 and 100 %
# of the elements had completed (flat: the same whatever the number of
# items), and at its peak over the whole run (the last task collects every
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

# The sampler: every 50 ms the serve process's VmRSS (/proc) and, from a
# read-only connection to the database, how many elements have completed.
# It prints the RSS at the first sample with the parent waiting on its
# children (the step entered) and at the first sample at or past 25, 50, 75
# and 100 % of the elements done, then the peak of the whole run, as KB.
cat > "$WORK/sample.py" <<'PY'
import sqlite3, sys, time
pid, db, parent, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
def rss_kb():
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0
conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
entry, marks, peak = 0, [0, 0, 0, 0], 0
waiting_child, terminal = 12, (6, 7, 8, 9)
for _ in range(12000):
    rss = rss_kb()
    peak = max(peak, rss)
    row = conn.execute("SELECT status FROM instances WHERE id = ?", (parent,)).fetchone()
    status = row[0] if row else 0
    done = conn.execute("SELECT count(*) FROM instances WHERE id > ? AND id < ? AND status = 6",
                        (parent + "~", parent + "~\x7f")).fetchone()[0]
    if status == waiting_child and entry == 0:
        entry = rss
    for i, quarter in enumerate((0.25, 0.5, 0.75, 1.0)):
        if marks[i] == 0 and done >= quarter * n:
            marks[i] = rss
    if status in terminal:
        print(status, entry, *marks, peak)
        sys.exit(0)
    time.sleep(0.05)
print(0, entry, *marks, peak)
PY

printf '%-7s %-8s %-9s %-9s %-8s %-8s %-8s %-8s %-8s\n' items seconds idle_mb entry_mb at_25% at_50% at_75% at_100% peak_mb
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
  idle=$(awk '/^VmRSS:/ { print $2 }' "/proc/$SERVER_PID/status")
  start=$(date +%s.%N)
  "$BIN" start item_return --id "return-$n" --input "@$dir/input.json" --config "$dir/steadfast.yaml" >/dev/null
  read -r status entry q1 q2 q3 q4 peak < <(python3 "$WORK/sample.py" "$SERVER_PID" "$dir/engine.db" "return-$n" "$n")
  end=$(date +%s.%N)
  kill -TERM "$SERVER_PID"
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
  if [ "$status" != 6 ]; then
    echo "bench_fanout: the $n-item fan-out ended with status $status, not completed (6)" >&2
    tail -20 "$dir/serve.log" >&2
    exit 1
  fi
  awk -v n="$n" -v s="$start" -v e="$end" -v i="$idle" -v a="$entry" -v q1="$q1" -v q2="$q2" -v q3="$q3" -v q4="$q4" -v p="$peak" '
    function mb(kb) { return kb == 0 ? "-" : sprintf("%+.1f", (kb - i) / 1024) }
    BEGIN { printf "%-7d %-8.1f %-9.1f %-9s %-8s %-8s %-8s %-8s %-8s\n", n, e - s, i / 1024, mb(a), mb(q1), mb(q2), mb(q3), mb(q4), mb(p) }'
done
