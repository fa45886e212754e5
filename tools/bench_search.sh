#!/usr/bin/env bash
# Search benchmark (docs/PERFORMANCE.md, "Finding instances"): fills a fresh
# SQLite file with 1,000,000 refund-like instances through the store's start
# path (search keys indexed as a real start does) and times key lookups,
# filtered first pages, deep pagination and a filtered count on it.
#
#   bash tools/bench_search.sh [--instances N] [--queries Q] [--dir DIR] [--json]
#
# The file (~1.5 GB at 1M) lives in --dir (default: a temporary directory)
# and is removed afterwards. Not part of the test suite: the fill alone takes
# minutes. Sets up and builds first, unless STEADFAST_BIN names the binary.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=tools/steadfast_bin.sh
source "$ROOT/tools/steadfast_bin.sh"

INSTANCES=1000000
QUERIES=200
DIR=""
JSON=()
while [ $# -gt 0 ]; do
  case "$1" in
    --instances) INSTANCES="$2"; shift 2 ;;
    --queries) QUERIES="$2"; shift 2 ;;
    --dir) DIR="$2"; shift 2 ;;
    --json) JSON=(--json); shift ;;
    *) echo "bench_search: unknown argument $1" >&2; exit 2 ;;
  esac
done
if [ -z "$DIR" ]; then
  DIR="$(mktemp -d)"
  trap 'rm -rf "$DIR"' EXIT
fi
echo "bench_search: $INSTANCES instances in $DIR, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
"$BIN" bench-search --db "$DIR/search.db" --instances "$INSTANCES" --queries "$QUERIES" "${JSON[@]}"
