# Sourced by the bench scripts: sets BIN to the steadfast binary. Uses
# $STEADFAST_BIN when set (the test suite's small runs), else sets up and
# builds first (tools/setup.sh) and uses the build's binary. Needs ROOT.
if [ -n "${STEADFAST_BIN:-}" ]; then
  BIN="$STEADFAST_BIN"
else
  # shellcheck source=tools/setup.sh
  source "$ROOT/tools/setup.sh"
  BIN="$BUILD/tools/steadfast/steadfast"
fi
