#!/usr/bin/env bash
# Steadfast on PostgreSQL beside DBOS Transact on the same PostgreSQL cluster
# (docs/PERFORMANCE.md, "On PostgreSQL"): a throwaway cluster
# (tools/pg_cluster.sh: fsync on, synchronous_commit on), then one after
# another on it: Steadfast sequential (one workflow at a time), Steadfast at
# concurrency 32 with 1, 2 and 3 engine processes (`steadfast bench --db
# --processes N`), and DBOS's bench (../shared/peers/dbos/bench.mjs) with its
# system database on the same server. Prints one table with the ratios, the
# machine's load before and after, and the raw JSON lines.
#
#   bash tools/bench_pg.sh [--seq 500] [--workflows 2000] [--processes 1,2,3] [--no-dbos] [--json FILE]
#
# Run it on a quiet machine: the numbers are only comparable within one run.
# Sets up and builds first (tools/setup.sh) unless STEADFAST_BIN names the binary.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=tools/steadfast_bin.sh
source "$ROOT/tools/steadfast_bin.sh"
BENCH_NAME=bench_pg
# shellcheck source=tools/bench_lib.sh
source "$ROOT/tools/bench_lib.sh"

SEQ=500
WORKFLOWS=2000
PROCESSES="1,2,3"
DBOS=1
JSON_OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --seq) SEQ="$2"; shift 2 ;;
    --workflows) WORKFLOWS="$2"; shift 2 ;;
    --processes) PROCESSES="$2"; shift 2 ;;
    --no-dbos) DBOS=0; shift ;;
    --json) JSON_OUT="$2"; shift 2 ;;
    *) echo "bench_pg: unknown argument $1" >&2; exit 2 ;;
  esac
done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/steadfast-bench-pg.XXXXXX")"
PG_DIR="$(mktemp -d /tmp/steadfast-bench-pg-cluster.XXXXXX)"
cleanup() {
  bash "$ROOT/tools/pg_cluster.sh" stop "$PG_DIR" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
LINES="$WORK/results.jsonl"
: >"$LINES"

URL="$(bash "$ROOT/tools/pg_cluster.sh" start "$PG_DIR")"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
when="$(date -u +%Y-%m-%dT%H:%M:%SZ)"

echo "bench_pg: steadfast on PostgreSQL, sequential ($SEQ workflows)" >&2
"$BIN" bench --db "$URL" --concurrency 1 --workers 1 --workflows "$SEQ" --json >"$WORK/seq.json"
record steadfast_seq "$(last_line "$WORK/seq.json")"
IFS=',' read -r -a counts <<<"$PROCESSES"
for p in "${counts[@]}"; do
  echo "bench_pg: steadfast on PostgreSQL, concurrency 32, $p process(es) ($WORKFLOWS workflows)" >&2
  "$BIN" bench --db "$URL" --processes "$p" --concurrency 32 --workflows "$WORKFLOWS" --json >"$WORK/p$p.json"
  record "steadfast_p$p" "$(last_line "$WORK/p$p.json")"
done

if [ "$DBOS" = 1 ]; then
  echo "bench_pg: dbos on the same cluster (SEQ_N=$SEQ CONC_N=$WORKFLOWS CONC=32)" >&2
  if why="$(prepare_peers 2>&1)" &&
    why="$(cd "$PEERS_DIR/dbos" && { [ -d node_modules/@dbos-inc/dbos-sdk ] || npm install --no-audit --no-fund; } 2>&1)"; then
    # DBOS creates and migrates its system database itself.
    sys_url="${URL%/*}/dbos_bench_sys"
    psql "${URL%/*}/postgres" -qc 'DROP DATABASE IF EXISTS dbos_bench_sys' >/dev/null
    if (cd "$PEERS_DIR/dbos" && DBOS_SYSTEM_DATABASE_URL="$sys_url" SEQ_N="$SEQ" CONC_N="$WORKFLOWS" CONC=32 \
      node --no-deprecation bench.mjs) >"$WORK/dbos.out" 2>"$WORK/dbos.err" &&
      line="$(last_line "$WORK/dbos.out")" && [ -n "$line" ]; then
      record dbos "$line"
    else
      record_error dbos "bench.mjs failed: $(tail -3 "$WORK/dbos.err" | tr '\n' ' ')"
    fi
  else
    record_error dbos "$why"
  fi
fi

load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
[ -z "$JSON_OUT" ] || cp "$LINES" "$JSON_OUT"

python3 - "$LINES" "$when" "$load_before" "$load_after" "$(nproc)" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
when, load_before, load_after, cores = sys.argv[2:6]
got = {l["what"]: l.get("result") for l in lines}
errors = {l["what"]: l["error"] for l in lines if "error" in l}
dbos = got.get("dbos")
dbos_wfs = dbos and dbos["conc"]["wf_per_s"]
dbos_p50 = dbos and dbos["seq"]["p50_ms"]
print(f"# {when}, {cores} cores, load {load_before} before, {load_after} after; one PostgreSQL 15 cluster, fsync on")
print(f"{'engine':<26} {'seq p50 ms':>11} {'c=32 wf/s':>10} {'p99 ms':>8} {'x DBOS wf/s':>12}")
seq = got.get("steadfast_seq")
print(f"{'steadfast, sequential':<26} {seq['p50_ms']:>11.1f} {'-':>10} {seq['p99_ms']:>8.1f} {'-':>12}" if seq else "")
for key in sorted(k for k in got if k.startswith("steadfast_p") and got[k]):
    r = got[key]
    ratio = f"{r['workflows_per_s'] / dbos_wfs:.1f}x" if dbos_wfs else "-"
    name = f"steadfast, {r['processes']} process(es)"
    print(f"{name:<26} {'-':>11} {r['workflows_per_s']:>10.0f} {r['p99_ms']:>8.1f} {ratio:>12}")
if dbos:
    print(f"{'dbos':<26} {dbos_p50:>11.1f} {dbos_wfs:>10.0f} {'-':>8} {'1.0x':>12}")
    if seq:
        print(f"sequential p50: steadfast {seq['p50_ms']:.1f} ms vs dbos {dbos_p50:.1f} ms ({seq['p50_ms'] / dbos_p50:.2f})")
for what, err in errors.items():
    print(f"not measured: {what}: {err}")
PY
echo "--- raw"
cat "$LINES"
exit $status
