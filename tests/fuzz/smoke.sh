#!/usr/bin/env bash
# One fuzz target's CI smoke run (tests/fuzz/meson.build, docs/testing.md
# "Fuzzing"): replays the repo's seed corpus, then mutates it for a fixed
# time. Fails on any crash, sanitizer report, leak, timeout or FUZZ_CHECK.
# New interesting inputs go to a scratch directory that is deleted, never
# into the repo; a failing input is kept in the build dir (printed below).
#
# usage: smoke.sh <fuzzer binary> <seed corpus dir> <seconds> <artifact dir> [dictionary]
set -euo pipefail
fuzzer=$(realpath "$1") corpus=$2 seconds=$3 artifacts=$4 dict=${5:-}
scratch=$(mktemp -d "${TMPDIR:-/tmp}/steadfast-fuzz.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
# The store-backed targets make their databases under TMPDIR: in here too,
# so a crash (no atexit) leaves nothing behind.
export TMPDIR="$scratch"
mkdir -p "$artifacts"
# A fixed mutation seed (STEADFAST_FUZZ_SEED overrides it): CI explores the
# same way every run, so a red run is a change's doing, not the dice's;
# tools/fuzz.sh explores with fresh seeds.
args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=512 -print_final_stats=1
      -seed="${STEADFAST_FUZZ_SEED:-1}" -artifact_prefix="$artifacts/")
[[ -n "$dict" ]] && args+=(-dict="$dict")
# Any UBSan report is fatal, with a stack; ASan leaks are on by default.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
# The first directory receives new inputs (the scratch one); the seeds are only read.
cd "$scratch"
mkdir "$scratch/new"
if ! "$fuzzer" "${args[@]}" "$scratch/new" "$corpus"; then
  echo "fuzz smoke FAILED for $(basename "$fuzzer"); reproducer(s) in $artifacts:" >&2
  ls -l "$artifacts" >&2
  echo "replay: $fuzzer $artifacts/<file>" >&2
  exit 1
fi
