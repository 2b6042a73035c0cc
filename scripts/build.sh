#!/usr/bin/env bash
# Configures and builds Piket (two jobs: the machines have two cores).
#   scripts/build.sh             into build/: tests, demo and benches (the daemons honour
#                                PIKET_TEST_CLOCK_FILE, so tests can move their clock)
#   scripts/build.sh --release   into build-release/: for production (scripts/install-systemd.sh);
#                                the daemons never honour a test clock
set -euo pipefail
cd "$(dirname "$0")/.."
# Relative paths in the cache key let a fresh clone (CI) reuse earlier compiles.
export CCACHE_BASEDIR="$(pwd)" CCACHE_NOHASHDIR=true
BUILD_TYPE="${PIKET_BUILD_TYPE:-RelWithDebInfo}"
if [ "${1:-}" = "--release" ]; then
  dir=build-release test_clock=OFF
else
  dir=build test_clock=ON
fi
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE="$BUILD_TYPE" -DPIKET_WERROR=ON \
  -DPIKET_TEST_CLOCK="$test_clock" >/dev/null
cmake --build "$dir" -j"${PIKET_JOBS:-2}"
