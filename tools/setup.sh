#!/usr/bin/env bash
# Installs what is missing (Debian 12 packages), configures and builds.
# Sourced by tools/demo.sh and tools/test.sh; safe to run again.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${STEADFAST_BUILD_DIR:-$ROOT/build}"

PACKAGES=(
  build-essential pkg-config meson ninja-build python3
  libsqlite3-dev sqlite3 libasio-dev libcereal-dev libfmt-dev libyaml-cpp-dev
  libhowardhinnant-date-dev tzdata   # IANA time zones for schedules (cmake finds the date library)
  cmake
  libgtest-dev libgmock-dev libbenchmark-dev
  librestinio-dev libhttp-parser-dev libcurl4-openssl-dev libssl-dev nlohmann-json3-dev
  libcli11-dev
  curl chromium prometheus
  clang libclang-rt-14-dev   # the sanitizer and fuzz builds (tools/test_sanitizers.sh)
  libpq-dev postgresql-15    # the PostgreSQL backend; its tests run on a throwaway cluster (tools/pg_cluster.sh)
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
# Node.js and npm run the browser test (tests/browser); any Node >= 18 will do.
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  if [[ " ${missing[*]} " == *" postgresql-15 "* ]]; then
    # The server package is only for the tests' throwaway clusters: Debian
    # would create (and, where services start, run) a "main" cluster on port
    # 5432. This drop-in of postgresql-common says not to; it must exist
    # before the package installs.
    $SUDO mkdir -p /etc/postgresql-common/createcluster.d
    echo "create_main_cluster = false" |
      $SUDO tee /etc/postgresql-common/createcluster.d/steadfast-no-main-cluster.conf >/dev/null
  fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  if [[ " ${missing[*]} " == *" postgresql-15 "* ]] && command -v pg_lsclusters >/dev/null; then
    # Belt and braces: stop any cluster the package left running (none with
    # the drop-in above; in a container without systemd, policy-rc.d usually
    # forbids starting services anyway). Nothing else is touched.
    pg_lsclusters --no-header 2>/dev/null | while read -r ver name _ status _; do
      if [ "$status" = online ]; then $SUDO pg_ctlcluster "$ver" "$name" stop || true; fi
    done
  fi
fi

# The Node.js test tools, exactly as pinned in their lock files: playwright-core
# for the browser test (it drives Debian's /usr/bin/chromium; no browser is
# downloaded) and @apidevtools/swagger-parser, the OpenAPI 3 validator.
for NODE_DIR in "$ROOT/tests/browser" "$ROOT/tests/openapi"; do
  if [ ! -f "$NODE_DIR/node_modules/.package-lock.json" ] ||
     [ "$NODE_DIR/package-lock.json" -nt "$NODE_DIR/node_modules/.package-lock.json" ]; then
    echo "setup: npm ci in ${NODE_DIR#"$ROOT"/}"
    (cd "$NODE_DIR" && npm ci --no-audit --no-fund >/dev/null) ||
      echo "setup: npm ci failed in ${NODE_DIR#"$ROOT"/}; its tests will fail until it succeeds"
  fi
done

if [ ! -f "$BUILD/build.ninja" ]; then
  # -g1 (line tables and function names: enough for a backtrace) instead of
  # full debug info: a third less compile time, which is most of CI's run.
  # For gdb with locals: meson configure "$BUILD" -Dcpp_args= -Dc_args=
  meson setup "$BUILD" "$ROOT" --buildtype=debugoptimized -Dcpp_args=-g1 -Dc_args=-g1 >/dev/null
fi
echo "setup: building in $BUILD"
ninja -C "$BUILD" >/dev/null
