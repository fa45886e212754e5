#!/usr/bin/env bash
# tests/plugin_boundary.sh catches what it is for: on a small tree with one
# of each crossing (tests/data/plugin_boundary) it must fail and name exactly
# those includes; on the repository it must pass.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CHECK="$HERE/plugin_boundary.sh"

set +e
out="$(bash "$CHECK" "$HERE/data/plugin_boundary")"
code=$?
set -e
expected="plugins/leaky/leaky.cc:5: includes engine header \"metrics/registry.h\": plugins see only engine/include/steadfast
plugins/leaky/leaky.cc:7: includes \"steadfast/no_such_header.h\", which is not a public header (engine/include/steadfast)
tools/steadfast/main.cc:2: includes plugin header \"leaky/own.h\": the CLI reaches plugins only through the plugin API
plugin boundary: 3 include(s) cross it"
if [ "$code" -ne 1 ] || [ "$out" != "$expected" ]; then
  echo "FAIL: on the fixture tree expected exit 1 and:"
  echo "$expected"
  echo "got exit $code and:"
  echo "$out"
  exit 1
fi
bash "$CHECK" "$HERE/.."
