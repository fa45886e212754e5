# timed LABEL COMMAND...: runs COMMAND and prints, on stderr, one line
# "timing: LABEL: N s wall, N s user, N s sys" (children included), so a CI
# log says where its minutes went (docs/testing.md, "What it costs").
# Returns COMMAND's status. Sourced by tools/test.sh and tools/test_sanitizers.sh.
timed() {
  local label=$1
  shift
  local TIMEFORMAT="timing: $label: %0R s wall, %0U s user, %0S s sys"
  time "$@"
}
