#!/usr/bin/env bash
# Sets up, builds and runs every test: unit, integration (real redis-server and ZeroMQ) and
# end-to-end (the four daemons as processes).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
cd build
ctest --output-on-failure --timeout 600
