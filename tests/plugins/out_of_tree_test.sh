#!/usr/bin/env bash
# The plugin SDK as a stranger uses it: install this build into a temporary
# prefix (`meson install --destdir`), then, with nothing of the checkout but
# a copy of plugins/example:
#   1. pkg-config steadfast-plugin answers with the installed tree;
#   2. every installed header compiles on its own;
#   3. plugins/example builds with its own meson.build (and its unit tests
#      pass, linked with steadfast-plugin-testing), and with the one-line
#      compile docs/plugins.md shows;
#   4. the installed steadfast binary loads each libgreeting.so and runs the
#      greeting workflow to the end.
# usage: out_of_tree_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
BUILD=$(cd "$1" && pwd)
SOURCE=$(cd "$2" && pwd)
WORK=$(mktemp -d /tmp/steadfast_sdk.XXXXXX)
cleanup() {
  local rc=$?
  if [ $rc -ne 0 ] && [ "${STEADFAST_KEEP_TEST_DIRS:-}" = 1 ]; then
    echo "kept $WORK" >&2
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "--- $*"; }

step "meson install --destdir $WORK/stage"
meson install -C "$BUILD" --no-rebuild --destdir "$WORK/stage" >"$WORK/install.log" 2>&1 ||
  { cat "$WORK/install.log" >&2; fail "meson install"; }
PC=$(find "$WORK/stage" -name steadfast-plugin.pc -print -quit)
[ -n "$PC" ] || fail "no steadfast-plugin.pc installed"
find "$WORK/stage" -name steadfast-plugin-testing.pc -print -quit | grep -q . || fail "no steadfast-plugin-testing.pc installed"
export PKG_CONFIG_PATH
PKG_CONFIG_PATH=$(dirname "$PC")

step "pkg-config steadfast-plugin"
CFLAGS=$(pkg-config --cflags steadfast-plugin)
echo "cflags: $CFLAGS"
INCLUDE=$(pkg-config --variable=includedir steadfast-plugin)
STEADFAST=$(pkg-config --variable=steadfast steadfast-plugin)
LINK_ARGS=$(pkg-config --variable=plugin_link_args steadfast-plugin)
case "$CFLAGS" in *-std=c++20*) ;; *) fail "Cflags lack -std=c++20: $CFLAGS" ;; esac
# The .pc is relocatable: its paths lead into the staged tree, not to the build's prefix.
INCLUDE=$(realpath "$INCLUDE")
STEADFAST=$(realpath "$STEADFAST")
case "$INCLUDE" in "$WORK"/stage/*) ;; *) fail "includedir $INCLUDE is outside the install" ;; esac
case "$STEADFAST" in "$WORK"/stage/*) ;; *) fail "the steadfast variable $STEADFAST is outside the install" ;; esac
[ -x "$STEADFAST" ] || fail "no steadfast binary at $STEADFAST"
[ -n "$(pkg-config --libs steadfast-plugin | tr -d ' ')" ] && fail "steadfast-plugin must link no library"

step "the installed binary exports every symbol of the public API"
# steadfast-plugin-testing holds the API's implementation; a plugin takes
# the same symbols from the binary at dlopen, so each must be exported.
LIBDIR=$(realpath "$(pkg-config --variable=libdir steadfast-plugin-testing)")
nm -g --defined-only "$LIBDIR/libsteadfast_plugin_testing.a" 2>/dev/null |
  awk '$2 ~ /^[TWVDBR]$/ && $3 ~ /steadfast/ {print $3}' | sort -u >"$WORK/api.syms"
nm -D --defined-only "$STEADFAST" | awk '{print $3}' | sort -u >"$WORK/exported.syms"
[ "$(wc -l <"$WORK/api.syms")" -ge 20 ] || fail "too few API symbols found in libsteadfast_plugin_testing.a"
missing=$(comm -23 "$WORK/api.syms" "$WORK/exported.syms" | c++filt)
[ -z "$missing" ] || fail "the steadfast binary does not export: $missing"
echo "$(wc -l <"$WORK/api.syms") API symbols exported"

step "each installed header compiles on its own"
count=0
for header in "$INCLUDE"/steadfast/*.h; do
  echo "#include <steadfast/$(basename "$header")>" |
    c++ $CFLAGS -x c++ -fsyntax-only - || fail "$header does not compile on its own"
  count=$((count + 1))
done
[ "$count" -ge 8 ] || fail "only $count headers installed in $INCLUDE/steadfast"
echo "$count headers"

step "build plugins/example out of tree with meson"
mkdir "$WORK/example"
tar -C "$SOURCE/plugins/example" --exclude=./build --exclude=./outbox -cf - . | tar -C "$WORK/example" -xf -
meson setup "$WORK/example/build" "$WORK/example" >"$WORK/setup.log" 2>&1 ||
  { cat "$WORK/setup.log" >&2; fail "meson setup of the example"; }
grep -q "steadfast-plugin found: YES" "$WORK/setup.log" || { cat "$WORK/setup.log" >&2; fail "steadfast-plugin not found"; }
grep -q "steadfast-plugin-testing found: YES" "$WORK/setup.log" ||
  { cat "$WORK/setup.log" >&2; fail "steadfast-plugin-testing not found"; }
ninja -C "$WORK/example/build" >"$WORK/ninja.log" 2>&1 || { cat "$WORK/ninja.log" >&2; fail "ninja"; }
# Built from the installed headers only.
grep -q -- "-I$SOURCE\|$SOURCE/engine" "$WORK/example/build/compile_commands.json" &&
  fail "the out-of-tree build saw the checkout's headers"
meson test -C "$WORK/example/build" --print-errorlogs >"$WORK/test.log" 2>&1 ||
  { cat "$WORK/test.log" >&2; fail "the example's unit tests"; }
grep -q "Ok: *1" "$WORK/test.log" || { cat "$WORK/test.log" >&2; fail "the example's unit test did not run"; }
# No engine library inside the plugin: the API comes from the binary.
undefined=$(nm -D --undefined-only "$WORK/example/build/libgreeting.so")
grep -q "ActivityRegistry8Register" <<<"$undefined" ||
  fail "libgreeting.so does not take ActivityRegistry::Register from the host"

step "build it with the one-line compile of docs/plugins.md"
mkdir "$WORK/oneline"
(cd "$WORK/example" &&
  c++ $CFLAGS $LINK_ARGS greeting_plugin.cc greeting_activities.cc outbox.cc -o "$WORK/oneline/libgreeting.so") ||
  fail "the one-line compile"

# Runs the greeting workflow with the installed binary in directory $1, whose
# steadfast.yaml loads the plugin, and checks the greeting was delivered once.
run_workflow() {
  local run=$1
  mkdir -p "$run/outbox"
  (cd "$run" && "$STEADFAST" activities --config steadfast.yaml) >"$run/activities.log" 2>&1 ||
    { cat "$run/activities.log" >&2; fail "steadfast activities in $run"; }
  grep -q "greeting.deliver" "$run/activities.log" || { cat "$run/activities.log" >&2; fail "greeting.deliver not registered"; }
  (cd "$run" && "$STEADFAST" run "$WORK/example/workflows/greeting.yaml" --config steadfast.yaml \
     --input '{"name": "Ada", "language": "fr"}' --id greet-ada) >"$run/run.log" 2>&1 ||
    { cat "$run/run.log" >&2; fail "steadfast run in $run"; }
  grep -q "Bonjour, Ada!" "$run/run.log" || { cat "$run/run.log" >&2; fail "no greeting in the output"; }
  [ -f "$run/outbox/greet-ada%2Fdeliver.json" ] || { ls -la "$run/outbox" >&2; fail "nothing delivered"; }
  grep -q '"Bonjour, Ada!"' "$run/outbox/greet-ada%2Fdeliver.json" || fail "the delivery holds another message"
  [ "$(ls "$run/outbox" | wc -l)" -eq 1 ] || fail "more than one delivery"
}

step "the installed steadfast runs the greeting workflow with the example's own steadfast.yaml (build/libgreeting.so)"
run_workflow "$WORK/example"

step "the installed steadfast runs the greeting workflow with the one-line build"
cat >"$WORK/oneline/steadfast.yaml" <<YAML
database: engine.db
node_name: sdk-test
plugins: [libgreeting.so]
plugin_config:
  greeting: { outbox_dir: outbox, greetings: { en: Hello, fr: Bonjour } }
YAML
run_workflow "$WORK/oneline"
echo "plugin SDK out of tree: ok"
