#!/usr/bin/env bash
# A long fuzzing run by hand (docs/testing.md, "Fuzzing").
#
#   tools/fuzz.sh                      # every target, 300 s each
#   tools/fuzz.sh http_api 3600        # one target for an hour
#   tools/fuzz.sh all 600              # every target, 600 s each
#
# Builds the targets in build-fuzz/ (clang, ASan + UBSan, -Dfuzzers=enabled;
# STEADFAST_FUZZ_BUILD_DIR to use another dir), then runs each one on its
# seeds in tests/fuzz/corpus/<target>/. New interesting inputs go to a
# scratch corpus, build-fuzz/fuzz-corpus/<target>/, which later runs start
# from too; the repo's seeds are only read. A crash, sanitizer report, leak
# or timeout stops that target and leaves the input in
# build-fuzz/fuzz-artifacts/<target>/; replay it with
#   build-fuzz/tests/fuzz/<target> build-fuzz/fuzz-artifacts/<target>/crash-...
# and, once fixed, keep it as a seed named regress-<what> (docs/testing.md).
# STEADFAST_FUZZ_JOBS=N runs N fuzzing processes per target (default 1).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${STEADFAST_FUZZ_BUILD_DIR:-$ROOT/build-fuzz}"
TARGETS=(json_value value_codec expression workflow_yaml refund_policy risk_rules psp_response config http_api
         stored_row)
target=${1:-all}
seconds=${2:-300}
jobs=${STEADFAST_FUZZ_JOBS:-1}

if [[ "$target" != all ]]; then
  found=0
  for t in "${TARGETS[@]}"; do [[ "$t" == "$target" ]] && found=1; done
  if [[ $found == 0 ]]; then
    echo "unknown target '$target'; one of: all ${TARGETS[*]}" >&2
    exit 2
  fi
  TARGETS=("$target")
fi

if [[ ! -f "$BUILD/build.ninja" ]]; then
  CC=clang CXX=clang++ meson setup "$BUILD" "$ROOT" --buildtype=plain -Doptimization=1 \
    -Db_sanitize=address,undefined -Db_lundef=false \
    -Dcpp_args='-gline-tables-only -fno-omit-frame-pointer' -Dfuzzers=enabled
fi
ninja -C "$BUILD" "${TARGETS[@]/#/tests/fuzz/}"

export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
# The store-backed targets make their databases under TMPDIR; a crash skips
# their cleanup, this does not.
scratch=$(mktemp -d "${TMPDIR:-/tmp}/steadfast-fuzz.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
export TMPDIR="$scratch"
failed=()
for t in "${TARGETS[@]}"; do
  corpus="$BUILD/fuzz-corpus/$t"
  artifacts="$BUILD/fuzz-artifacts/$t"
  mkdir -p "$corpus" "$artifacts"
  extra=()
  [[ -f "$ROOT/tests/fuzz/dict/$t.dict" ]] && extra+=(-dict="$ROOT/tests/fuzz/dict/$t.dict")
  # Several jobs log to fuzz-<n>.log in the artifact directory.
  [[ "$jobs" -gt 1 ]] && extra+=(-jobs="$jobs" -workers="$jobs")
  echo "== $t: ${seconds}s, scratch corpus $corpus"
  if ! (cd "$artifacts" && "$BUILD/tests/fuzz/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
          -malloc_limit_mb=512 -print_final_stats=1 -artifact_prefix="$artifacts/" "${extra[@]}" \
          "$corpus" "$ROOT/tests/fuzz/corpus/$t"); then
    failed+=("$t")
  fi
done
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "FAILED: ${failed[*]} (inputs in $BUILD/fuzz-artifacts/<target>/)" >&2
  exit 1
fi
echo "no findings"
