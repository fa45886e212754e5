#!/usr/bin/env bash
# Set up everything (packages, configure, build), then run every test suite:
# unit, integration (real processes over loopback HTTP) and crash (kill -9).
# Ends with one line: "tests: N passed, N failed, N skipped" (GoogleTest cases).
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${STEADFAST_BUILD_DIR:-$ROOT/build}"
bash "$ROOT/tools/setup.sh" || { echo "tests: 0 passed, 1 failed"; exit 1; }

meson test -C "$BUILD" --print-errorlogs --num-processes 2 "$@"
status=$?
python3 "$ROOT/tools/count_tests.py" "$BUILD/meson-logs" || status=1
exit $status
