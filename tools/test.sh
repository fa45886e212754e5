#!/usr/bin/env bash
# Set up everything (packages, configure, build), then run every test suite:
# unit, integration (real processes over loopback HTTP) and crash (kill -9),
# then the suites that matter again under AddressSanitizer + UBSan and
# ThreadSanitizer (tools/test_sanitizers.sh; STEADFAST_SANITIZERS=0 skips
# them for a quick local run). Extra arguments go to the first `meson test`.
# Ends with one line: "tests: N passed, N failed, N skipped" (GoogleTest
# cases, a case counted once per build it ran in).
# The PostgreSQL tests run against a throwaway cluster started here
# (tools/pg_cluster.sh) and stopped on every way out; an
# STEADFAST_TEST_PG_URL already set names a server to use instead.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${STEADFAST_BUILD_DIR:-$ROOT/build}"
# shellcheck source=tools/timed.sh
source "$ROOT/tools/timed.sh"
timed "set-up and build" bash "$ROOT/tools/setup.sh" || { echo "tests: 0 passed, 1 failed"; exit 1; }

# One cluster for the whole run (normal and sanitizer suites); each test
# makes its own database on it. The EXIT trap stops it whatever ends the
# script; INT and TERM become exits so the trap runs for them too.
PG_DIR=""
stop_postgres() {
  if [ -n "$PG_DIR" ]; then
    timed "postgres stop" bash "$ROOT/tools/pg_cluster.sh" stop "$PG_DIR" || true
    PG_DIR=""
  fi
}
trap stop_postgres EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
if [ -z "${STEADFAST_TEST_PG_URL:-}" ]; then
  PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/steadfast-pg.XXXXXX")
  if pg_url=$(timed "postgres start" bash "$ROOT/tools/pg_cluster.sh" start "$PG_DIR"); then
    export STEADFAST_TEST_PG_URL="$pg_url"
  else
    # pg_cluster.sh removed the directory; the postgres tests skip (fail under CI).
    PG_DIR=""
    echo "test: the PostgreSQL cluster did not start; the postgres tests will skip (or fail, when CI is set)"
  fi
fi

sanitizers=0
[ "${STEADFAST_SANITIZERS:-1}" = "0" ] || sanitizers=1
# The ASan build compiles while the normal suites run: they leave most of the
# CPU idle (servers, sleeps, kill -9 loops), and nice keeps the compiler out
# of their way (docs/testing.md, "What it costs").
asan_build=""
if [ "$sanitizers" = 1 ]; then
  SANITIZER_BUILD_NOTE=", beside the normal suites" nice -n 10 bash "$ROOT/tools/test_sanitizers.sh" --build-only asan &
  asan_build=$!
fi
timed "suites" meson test -C "$BUILD" --print-errorlogs --num-processes 2 "$@"
status=$?
logs=("$BUILD/meson-logs")

if [ "$sanitizers" = 1 ]; then
  # Its result is checked when the sanitizer run builds again (a no-op when done).
  wait "$asan_build" || true
  bash "$ROOT/tools/test_sanitizers.sh" || status=1
  logs+=("${STEADFAST_ASAN_BUILD_DIR:-$ROOT/build-asan}/meson-logs" "${STEADFAST_TSAN_BUILD_DIR:-$ROOT/build-tsan}/meson-logs")
fi

# Stopped here rather than by the trap, so the count stays the last line.
stop_postgres
python3 "$ROOT/tools/count_tests.py" "${logs[@]}" || status=1
exit $status
