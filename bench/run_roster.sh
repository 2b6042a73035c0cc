#!/usr/bin/env bash
# The scheduler at national scale: runs bench/roster_bench (on-call query latency, a year's
# coverage report) and starts the real piket-scheduler daemon on the same national data to read
# its resident memory. Everything on 127.0.0.1; everything it starts is stopped on exit.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="${1:-$ROOT/build}"
DIR="$(mktemp -d /tmp/piket-roster-bench-XXXXXX)"
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$DIR"; }
trap cleanup EXIT

"$BUILD/bench/roster_bench" --queries 20000
"$BUILD/bench/roster_bench" --write-data "$DIR" >/dev/null
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cat > "$DIR/piket.toml" <<TOML
log_level = "warn"
[data]
regions_file = "regions.toml"
workers_file = "workers.toml"
[redis]
port = $(port)
[zmq]
dispatcher_rpc = "tcp://127.0.0.1:$(port)"
scheduler_rpc = "tcp://127.0.0.1:$(port)"
dispatcher_events = "tcp://127.0.0.1:$(port)"
[gateway]
public_url = "http://127.0.0.1:1"
[dispatcher]
triage_file = "$ROOT/config/demo/triage.toml"
[scheduler]
rotations_file = "rotations.toml"
working_time_file = "$ROOT/config/demo/working_time.toml"
holidays_file = "$ROOT/config/demo/holidays.toml"
[notifier]
webhook_secret_env = "PIKET_UNUSED"
TOML
"$BUILD/scheduler/piket-scheduler" --config "$DIR/piket.toml" >"$DIR/scheduler.log" 2>&1 &
PID=$!
sleep 3
if ! kill -0 "$PID" 2>/dev/null; then cat "$DIR/scheduler.log"; exit 1; fi
echo "piket-scheduler on the national data (no Redis: rotations only): $(grep -E 'VmRSS|VmHWM' /proc/$PID/status | tr -s ' \n' ' ')"
