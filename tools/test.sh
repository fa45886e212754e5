#!/usr/bin/env bash
# Set up everything (packages, configure, build), then run every test suite:
# unit, integration (real processes over loopback HTTP) and crash (kill -9),
# then the suites that matter again under AddressSanitizer + UBSan and
# ThreadSanitizer (tools/test_sanitizers.sh; STEADFAST_SANITIZERS=0 skips
# them for a quick local run). Extra arguments go to the first `meson test`.
# Ends with one line: "tests: N passed, N failed, N skipped" (GoogleTest
# cases, a case counted once per build it ran in).
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${STEADFAST_BUILD_DIR:-$ROOT/build}"
# shellcheck source=tools/timed.sh
source "$ROOT/tools/timed.sh"
timed "set-up and build" bash "$ROOT/tools/setup.sh" || { echo "tests: 0 passed, 1 failed"; exit 1; }

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

python3 "$ROOT/tools/count_tests.py" "${logs[@]}" || status=1
exit $status
