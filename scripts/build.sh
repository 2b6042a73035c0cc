#!/usr/bin/env bash
# Configures and builds Piket into build/ (two jobs: the machines have two cores).
set -euo pipefail
cd "$(dirname "$0")/.."
# Relative paths in the cache key let a fresh clone (CI) reuse earlier compiles.
export CCACHE_BASEDIR="$(pwd)" CCACHE_NOHASHDIR=true
BUILD_TYPE="${PIKET_BUILD_TYPE:-RelWithDebInfo}"
cmake -S . -B build -DCMAKE_BUILD_TYPE="$BUILD_TYPE" -DPIKET_WERROR=ON >/dev/null
cmake --build build -j"${PIKET_JOBS:-2}"
