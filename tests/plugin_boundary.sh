#!/usr/bin/env bash
# The plugin boundary, checked over the tree (docs/plugins.md, "What a
# plugin sees"):
#  - a file under plugins/ includes only public engine headers
#    (engine/include/steadfast/...), its own plugin's files and system or
#    third-party headers: never another engine header;
#  - nothing under tools/steadfast includes a plugin's header: the CLI knows
#    plugins only through the built-in plugin list and the public API.
# Usage: plugin_boundary.sh [ROOT] (default: the repository of this script).
# Exit 0 when clean, 1 listing each offending include.
set -euo pipefail
ROOT="${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
problems=0

# "file:line:target" for every #include in the given tree.
includes() {
  grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*["<][^">]+[">]' \
      --include='*.h' --include='*.hh' --include='*.hpp' --include='*.cc' --include='*.cpp' --include='*.in' "$1" |
    sed -E 's/^([^:]+):([0-9]+):[[:space:]]*#[[:space:]]*include[[:space:]]*["<]([^">]+)[">].*/\1:\2:\3/'
}

report() {
  echo "$1"
  problems=$((problems + 1))
}

if [ -d "$ROOT/plugins" ]; then
  while IFS=: read -r file line target; do
    [ -n "$target" ] || continue
    case "$target" in
      steadfast/*)
        [ -f "$ROOT/engine/include/$target" ] && continue
        report "${file#"$ROOT"/}:$line: includes \"$target\", which is not a public header (engine/include/steadfast)"
        continue ;;
    esac
    # An engine header by any path the engine's include directories give it.
    if [ -e "$ROOT/engine/$target" ] || [ -e "$ROOT/engine/include/$target" ]; then
      report "${file#"$ROOT"/}:$line: includes engine header \"$target\": plugins see only engine/include/steadfast"
    fi
  done < <(includes "$ROOT/plugins")
fi

if [ -d "$ROOT/tools/steadfast" ]; then
  while IFS=: read -r file line target; do
    [ -n "$target" ] || continue
    if [ -e "$ROOT/plugins/$target" ]; then
      report "${file#"$ROOT"/}:$line: includes plugin header \"$target\": the CLI reaches plugins only through the plugin API"
    fi
  done < <(includes "$ROOT/tools/steadfast")
fi

if [ "$problems" -gt 0 ]; then
  echo "plugin boundary: $problems include(s) cross it"
  exit 1
fi
echo "plugin boundary: clean"
