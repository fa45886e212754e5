#!/usr/bin/env bash
# Steadfast beside its peers, in one run on one disk (docs/PERFORMANCE.md,
# "Side by side with the peers"): the disk's fsync floor, then Steadfast
# (`steadfast bench`), DBOS Transact on PostgreSQL and Restate running the
# same 5-step workflow (../shared/peers), one after another, never
# overlapping. Prints one table: sequential p50, workflows/s at concurrency
# 32, and each engine's ratio to the best peer; then Steadfast's throughput
# at concurrency 16/32/64/128, the machine's load before and after, and the
# raw JSON lines.
#
#   bash tools/bench_peers.sh [--seq 500] [--workflows 2000] [--curve 16,32,64,128]
#                             [--peers dbos,restate] [--shards N] [--json FILE]
#
# --shards N runs Steadfast's store spread over N files (docs/store.md "Shards").
#
# The peers are copied from $STEADFAST_PEERS_SRC (default ../shared/peers,
# which is read-only) to $STEADFAST_PEERS_DIR (default ~/.cache/steadfast/peers)
# and their npm packages installed there once. They need Node.js >= 20, and
# DBOS PostgreSQL 15 (tools/setup.sh installs it). A peer that cannot run is
# reported as such and left out of the ratios; the exit status is then 1.
# Run it on a quiet machine: the numbers are only comparable within one run.
#
# Sets up and builds first (tools/setup.sh) unless STEADFAST_BIN names the binary.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=tools/steadfast_bin.sh
source "$ROOT/tools/steadfast_bin.sh"

SEQ=500
WORKFLOWS=2000
CURVE="16,32,64,128"
PEERS="dbos,restate"
SHARDS=1
JSON_OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --seq) SEQ="$2"; shift 2 ;;
    --workflows) WORKFLOWS="$2"; shift 2 ;;
    --curve) CURVE="$2"; shift 2 ;;
    --peers) PEERS="$2"; shift 2 ;;
    --shards) SHARDS="$2"; shift 2 ;;
    --json) JSON_OUT="$2"; shift 2 ;;
    *) echo "bench_peers: unknown argument $1" >&2; exit 2 ;;
  esac
done

BENCH_NAME=bench_peers
# shellcheck source=tools/bench_lib.sh
source "$ROOT/tools/bench_lib.sh"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/steadfast-bench-peers.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
LINES="$WORK/results.jsonl"
: >"$LINES"

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
when="$(date -u +%Y-%m-%dT%H:%M:%SZ)"

echo "bench_peers: disk floor (sqlite_floor.py)" >&2
if [ -f "$PEERS_SRC/sqlite_floor.py" ] &&
  python3 "$PEERS_SRC/sqlite_floor.py" 1000 "$WORK/floor" >"$WORK/floor.json" 2>"$WORK/floor.err"; then
  record floor "$(last_line "$WORK/floor.json")"
else
  # The floor is context for the table, not one of the compared engines.
  echo "bench_peers: no disk floor: sqlite_floor.py did not run ($(tail -1 "$WORK/floor.err" 2>/dev/null || echo "no $PEERS_SRC"))" >&2
fi

echo "bench_peers: steadfast, sequential ($SEQ workflows)" >&2
"$BIN" bench --concurrency 1 --workers 1 --workflows "$SEQ" --shards "$SHARDS" --dir "$WORK/steadfast" --json \
  >"$WORK/seq.json"
record steadfast_seq "$(last_line "$WORK/seq.json")"
IFS=',' read -r -a levels <<<"$CURVE"
for c in "${levels[@]}"; do
  echo "bench_peers: steadfast, concurrency $c ($WORKFLOWS workflows)" >&2
  "$BIN" bench --concurrency "$c" --workflows "$WORKFLOWS" --shards "$SHARDS" --dir "$WORK/steadfast" --json \
    >"$WORK/conc-$c.json"
  record "steadfast_c$c" "$(last_line "$WORK/conc-$c.json")"
done

# The peers' own scripts, on a writable copy of ../shared/peers (bench_lib.sh).
IFS=',' read -r -a peers <<<"$PEERS"
if [ "${#peers[@]}" -gt 0 ] && [ -n "$PEERS" ]; then
  if why="$(prepare_peers 2>&1)"; then
    for peer in "${peers[@]}"; do
      echo "bench_peers: $peer (SEQ_N=$SEQ CONC_N=$WORKFLOWS CONC=32)" >&2
      if SEQ_N="$SEQ" CONC_N="$WORKFLOWS" CONC=32 bash "$PEERS_DIR/$peer/run.sh" >"$WORK/$peer.out" 2>"$WORK/$peer.err" &&
        line="$(last_line "$WORK/$peer.out")" && [ -n "$line" ]; then
        record "$peer" "$line"
      else
        record_error "$peer" "run.sh failed: $(tail -3 "$WORK/$peer.err" | tr '\n' ' ')"
      fi
    done
  else
    for peer in "${peers[@]}"; do record_error "$peer" "$why"; done
  fi
fi

load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
[ -z "$JSON_OUT" ] || cp "$LINES" "$JSON_OUT"

python3 - "$LINES" "$when" "$load_before" "$load_after" "$(nproc)" "$SHARDS" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
when, load_before, load_after, cores, shards = sys.argv[2:7]
got = {l["what"]: l.get("result") for l in lines}
errors = {l["what"]: l["error"] for l in lines if "error" in l}

rows = []  # (engine, seq p50 ms, c=32 wf/s)
seq, c32 = got.get("steadfast_seq"), got.get("steadfast_c32")
rows.append(("steadfast", seq and seq["p50_ms"], c32 and c32["workflows_per_s"]))
for peer in ("dbos", "restate"):
    r = got.get(peer)
    if r:
        rows.append((peer, r["seq"]["p50_ms"], r["conc"]["wf_per_s"]))
peer_rows = [r for r in rows if r[0] != "steadfast" and r[2]]
best = max(peer_rows, key=lambda r: r[2]) if peer_rows else None
best_p50 = min((r[1] for r in peer_rows), default=None)

print(f"# {when}, {cores} cores, load {load_before} before, {load_after} after")
if shards != "1":
    print(f"# steadfast's store spread over {shards} files")
floor = got.get("floor")
if floor:
    f = floor["wal_sync_full"]
    print(f"# disk floor: SQLite WAL synchronous=FULL {f['commits_per_s']:.0f} commits/s, p50 {f['p50_us']:.0f} us")
print(f"{'engine':<10} {'seq p50 ms':>11} {'c=32 wf/s':>10} {'x best peer wf/s':>17} {'p50 / best peer':>16}")
for name, p50, wfs in rows:
    ratio = f"{wfs / best[2]:.1f}x" if best and wfs else "-"
    p50r = f"{p50 / best_p50:.2f}" if best_p50 and p50 else "-"
    p50s = f"{p50:.1f}" if p50 is not None else "-"
    print(f"{name:<10} {p50s:>11} {round(wfs) if wfs else '-':>10} {ratio:>17} {p50r:>16}")
curve = [(int(k[len("steadfast_c"):]), v) for k, v in got.items() if k.startswith("steadfast_c") and v]
if curve:
    print("steadfast by concurrency: " + ", ".join(f"c={c} {v['workflows_per_s']:.0f} wf/s (p50 {v['p50_ms']:.1f} ms)"
                                                   for c, v in sorted(curve)))
for what, err in errors.items():
    print(f"not measured: {what}: {err}")
PY
exit $status
