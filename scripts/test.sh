#!/usr/bin/env bash
# Sets up, builds and runs every test: unit, integration (real redis-server and ZeroMQ) and
# end-to-end (the four daemons as processes).
#   scripts/test.sh              the suite CI runs (-Werror build in build/)
#   scripts/test.sh --sanitize   the same suite built with AddressSanitizer and
#                                UndefinedBehaviorSanitizer in build-sanitize/ (slower)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
if [ "${1:-}" = "--sanitize" ]; then
  export CCACHE_BASEDIR="$(pwd)" CCACHE_NOHASHDIR=true
  cmake -S . -B build-sanitize -DCMAKE_BUILD_TYPE=Debug -DPIKET_WERROR=OFF -DPIKET_TEST_CLOCK=ON \
    -DCMAKE_CXX_FLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer" >/dev/null
  cmake --build build-sanitize -j"${PIKET_JOBS:-2}"
  export ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
  cd build-sanitize
else
  scripts/build.sh
  cd build
fi
# Every test case is a ctest test; most wait on daemons, so three run at once on two cores.
ctest --output-on-failure --timeout 300 -j"${PIKET_TEST_JOBS:-3}"
