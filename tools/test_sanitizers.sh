#!/usr/bin/env bash
# The suites again under the sanitizers, each build in its own directory
# (docs/testing.md, "Sanitizers"). Called by tools/test.sh after the normal
# run; by hand: `bash tools/test_sanitizers.sh [asan|tsan]...`;
# `--build-only [asan|tsan]...` builds and runs nothing (tools/test.sh builds
# ASan that way while the normal suites run).
#
#  - build-asan: clang, AddressSanitizer + UndefinedBehaviorSanitizer (a
#    report fails the test: halt_on_error, leaks checked). Every unit,
#    integration and crash suite that runs the engine's code, the
#    simulation's fixed seeds, and the fuzz smoke run: the same build has
#    the libFuzzer targets (-Dfuzzers=enabled, docs/testing.md "Fuzzing").
#  - build-tsan: clang, ThreadSanitizer, only where threads meet: the store's
#    group commit, the engine's workers/scheduler/watchdog, the HTTP server.
#
# Line tables only, and no optimisation for ASan: here a sanitizer build
# costs more to compile than its tests cost to run (an ASan+UBSan file at -O1
# takes 2.4x the CPU of -O0), and reports still name file:line. TSan keeps
# -O1: unoptimised, its instrumented threads run too slowly.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ASAN_BUILD="${STEADFAST_ASAN_BUILD_DIR:-$ROOT/build-asan}"
TSAN_BUILD="${STEADFAST_TSAN_BUILD_DIR:-$ROOT/build-tsan}"
# shellcheck source=tools/timed.sh
source "$ROOT/tools/timed.sh"

# What the browser, packaging and compile-only tests check is not the
# engine's memory or threads: they run in the normal build only.
# postgres: the libpq layer and schema against the cluster tools/test.sh
# started (STEADFAST_TEST_PG_URL is inherited; run by hand without it, its
# cluster cases skip, or fail when CI is set).
ASAN_TESTS=(
  core cli definition schedule store postgres runtime runtime_layers refund psp sandbox_core http_unit
  observability_unit tracing greeting
  sandbox http metrics_scrape traces refund_workflows marketplace_order settlement claim_settlement disputes plugin_routes graph_cli
  migrate_cli plugin_cli
  plugin_load greeting_plugin
  crash marketplace_crash
  sim_regressions sim_determinism sim_self_test
)
TSAN_TESTS=(store runtime http_unit http)

configure() {  # dir sanitizer optimization [meson options...]
  local dir=$1 sanitize=$2 optimization=$3
  shift 3
  [ -f "$dir/build.ninja" ] && return 0
  CC=clang CXX=clang++ meson setup "$dir" "$ROOT" --buildtype=plain -Doptimization="$optimization" \
    -Db_sanitize="$sanitize" -Db_lundef=false \
    -Dcpp_args='-gline-tables-only -fno-omit-frame-pointer' -Dc_args='-gline-tables-only' "$@" >/dev/null
}

targets_of() {  # dir tests...: the ninja targets those tests depend on, one per line
  local dir=$1
  shift
  python3 - "$dir" "$@" <<'PY'
import json, os, subprocess, sys
build, wanted = sys.argv[1], set(sys.argv[2:])
def introspect(what):
    return json.loads(subprocess.run(["meson", "introspect", what, build], check=True,
                                     capture_output=True, text=True).stdout)
files = {t["id"]: t["filename"] for t in introspect("--targets")}
tests = [t for t in introspect("--tests") if t["name"] in wanted]
missing = wanted - {t["name"] for t in tests}
if missing:
    sys.exit("sanitizers: no such test: " + " ".join(sorted(missing)))
for target in sorted({f for t in tests for d in t["depends"] for f in files.get(d, [])}):
    print(os.path.relpath(target, build))
PY
}

build_logged() {  # dir targets...: ninja, its output kept in <dir>.build.log
  ninja -C "$1" "${@:2}" >"$1.build.log" 2>&1
}

# The settings of each phase: build directory, sanitizer, optimisation,
# extra meson options.
declare -A DIR=([asan]="$ASAN_BUILD" [tsan]="$TSAN_BUILD")
declare -A SANITIZER=([asan]=address,undefined [tsan]=thread)
declare -A OPTIMIZATION=([asan]=0 [tsan]=1)
declare -A OPTIONS=([asan]="-Dfuzzers=enabled" [tsan]="")

tests_of() {  # phase: its tests, one per line (asan: with the fuzz suite's targets the build has)
  case "$1" in
    asan)
      printf '%s\n' "${ASAN_TESTS[@]}"
      meson test -C "${DIR[asan]}" --no-rebuild --list --suite fuzz 2>/dev/null | sed -n 's|.*fuzz / ||p'
      ;;
    tsan) printf '%s\n' "${TSAN_TESTS[@]}" ;;
  esac
}

# Configures the phase's build directory and builds what its tests run
# (compiling is most of a sanitizer phase). `label` names it in the timing line.
build_phase() {  # phase label
  local name=$1 label=$2 dir=${DIR[$1]}
  echo "sanitizers: $name: configuring and building in $dir"
  # shellcheck disable=SC2086 # options is a word list
  configure "$dir" "${SANITIZER[$name]}" "${OPTIMIZATION[$name]}" ${OPTIONS[$name]} ||
    { echo "sanitizers: $name: meson setup failed"; return 1; }
  local tests targets
  mapfile -t tests < <(tests_of "$name")
  mapfile -t targets < <(targets_of "$dir" "${tests[@]}") && [ ${#targets[@]} -gt 0 ] ||
    { echo "sanitizers: $name: cannot tell which targets the tests need"; return 1; }
  if ! timed "$label" build_logged "$dir" "${targets[@]}"; then
    tail -n 40 "$dir.build.log" 2>/dev/null
    echo "sanitizers: $name: the build failed (full log: $dir.build.log)"
    return 1
  fi
}

# Runs the phase's tests in its (built) directory; the JUnit log it leaves in
# <dir>/meson-logs is what tools/count_tests.py counts. A phase whose build
# failed leaves no log, which counts as a failure.
test_phase() {  # phase
  local name=$1 dir=${DIR[$1]} tests
  mapfile -t tests < <(tests_of "$name")
  echo "sanitizers: $name: running ${tests[*]}"
  # Reports go to files, one per process: a server started by a test may die
  # of a report (or leak at exit) while the test itself passes.
  local reports="$dir/meson-logs/sanitizer-reports"
  mkdir -p "$reports"
  ASAN_OPTIONS="$ASAN_OPTIONS:log_path=$reports/asan" UBSAN_OPTIONS="$UBSAN_OPTIONS:log_path=$reports/ubsan" \
    TSAN_OPTIONS="$TSAN_OPTIONS:log_path=$reports/tsan" \
    timed "$name suites" meson test -C "$dir" --no-rebuild --print-errorlogs --num-processes 2 --timeout-multiplier 4 "${tests[@]}"
  local rc=$?
  if compgen -G "$reports/*" >/dev/null; then
    for f in "$reports"/*; do
      echo "sanitizers: $name: report $f:"
      head -n 60 "$f"
    done
    rc=1
  fi
  return $rc
}

export ASAN_OPTIONS="halt_on_error=1:abort_on_error=0:detect_leaks=1:detect_stack_use_after_return=0:strict_string_checks=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1"

build_only=0
if [ "${1:-}" = "--build-only" ]; then
  build_only=1
  shift
fi
phases=("$@")
[ ${#phases[@]} -gt 0 ] || phases=(asan tsan)
for phase in "${phases[@]}"; do
  [ -n "${DIR[$phase]:-}" ] || { echo "sanitizers: unknown phase '$phase' (asan, tsan)"; exit 2; }
done
status=0
if [ "$build_only" = 1 ]; then
  for phase in "${phases[@]}"; do build_phase "$phase" "$phase build${SANITIZER_BUILD_NOTE:-}" || status=1; done
  exit $status
fi
for i in "${!phases[@]}"; do
  phase=${phases[$i]}
  rm -rf "${DIR[$phase]}"/meson-logs/testlog.* "${DIR[$phase]}/meson-logs/sanitizer-reports"
  build_phase "$phase" "$phase build" || { status=1; continue; }
  # The next phase compiles while this one's suites run: they leave most of
  # the CPU idle (waiting on servers, sleeps, kill -9 loops), and nice keeps
  # the compiler out of their way. Its build is checked (and finished) when
  # its turn comes.
  next=${phases[$((i + 1))]:-}
  background=""
  if [ -n "$next" ]; then
    SANITIZER_BUILD_NOTE=", beside the $phase suites" nice -n 10 bash "${BASH_SOURCE[0]}" --build-only "$next" &
    background=$!
  fi
  test_phase "$phase" || status=1
  [ -z "$background" ] || wait "$background" || true
done
exit $status
