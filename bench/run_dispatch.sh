#!/usr/bin/env bash
# The dispatch benchmark (docs/benchmarks.md): report in, call-out alert out, end to end.
# Starts its own Piket stack three times (each with a fresh redis-server, appendonly yes /
# appendfsync always, in a temporary data directory, on its own loopback ports), with the demo
# data and the workers' webhooks pointing at bench/dispatch_bench's built-in sink:
#   1. rate:       reports open-loop at --rate per second for --seconds; report -> alert latency
#   2. burst:      --burst reports as fast as -c connections go (or within --burst-within s)
#   3. escalation: --lateness-reports reports nobody answers, with a ladder whose steps are 2 s
#                  apart; how late steps 1 and 2 arrive, and piket_timer_lateness_seconds
# then, after the stacks are stopped, the raw Redis figures on the same disk (redis-benchmark
# XADD with appendfsync always, PING and a no-op FCALL with one client), and the ratios.
# The daemons' clock is set to Wednesday 2026-12-02 14:00 Europe/Amsterdam (PIKET_TEST_CLOCK_FILE)
# so the night rule (two professionals at night) stays out of the figures.
#
#   bench/run_dispatch.sh [--rate R] [--seconds S] [--burst N] [-c C] [--burst-within S]
#                         [--lateness-reports N] [--build-dir DIR] [--data-parent DIR] [--keep]
#                         [--wall-clock]
# --wall-clock: the daemons keep the system clock (no PIKET_TEST_CLOCK_FILE), as in production:
# the test clock costs a stat() per reading of the time. Run it by day (the night rule pages two).
#
# Ports (override with the environment): gateway 18180, redis 16490, raw redis 16491,
# sink 18199, ZeroMQ 17201/17202/17211/17212.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"

RATE=100
SECONDS_=10
BURST=5000
C=16
BURST_WITHIN=0
LATENESS_N=300
BUILD_DIR="$ROOT/build"
DATA_PARENT="${TMPDIR:-/tmp}"
KEEP=0
WALL_CLOCK=0
usage() { sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --rate) RATE="$2"; shift 2 ;;
    --seconds) SECONDS_="$2"; shift 2 ;;
    --burst) BURST="$2"; shift 2 ;;
    -c) C="$2"; shift 2 ;;
    --burst-within) BURST_WITHIN="$2"; shift 2 ;;
    --lateness-reports) LATENESS_N="$2"; shift 2 ;;
    --build-dir) BUILD_DIR="$(cd "$2" && pwd)"; shift 2 ;;
    --data-parent) DATA_PARENT="$2"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --wall-clock) WALL_CLOCK=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run_dispatch: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
done
for v in "$RATE" "$SECONDS_" "$BURST" "$C" "$LATENESS_N"; do
  [[ "$v" =~ ^[1-9][0-9]*$ ]] || { echo "run_dispatch: --rate, --seconds, --burst, -c and --lateness-reports take positive integers" >&2; exit 2; }
done
[[ "$BURST_WITHIN" =~ ^[0-9]+$ ]] || { echo "run_dispatch: --burst-within takes seconds (0 = as fast as possible)" >&2; exit 2; }

GATEWAY_PORT="${BENCH_GATEWAY_PORT:-18180}"
REDIS_PORT="${BENCH_REDIS_PORT:-16490}"
RAW_REDIS_PORT="${BENCH_RAW_REDIS_PORT:-16491}"
SINK_PORT="${BENCH_SINK_PORT:-18199}"
ZMQ_DISPATCHER_RPC="${BENCH_ZMQ_DISPATCHER_RPC:-17201}"
ZMQ_SCHEDULER_RPC="${BENCH_ZMQ_SCHEDULER_RPC:-17202}"
ZMQ_EVENTS="${BENCH_ZMQ_EVENTS:-17211}"
ZMQ_SCHEDULER_EVENTS="${BENCH_ZMQ_SCHEDULER_EVENTS:-17212}"
GATEWAY="http://127.0.0.1:$GATEWAY_PORT"
DAEMONS=(scheduler dispatcher notifier gateway)

BENCH_NAME=run_dispatch
source "$ROOT/bench/lib.sh"
require_built scheduler/piket-scheduler dispatcher/piket-dispatcher notifier/piket-notifier \
  gateway/piket-gateway admin/piket-admin bench/dispatch_bench
require_tools redis-server redis-cli redis-benchmark curl python3
require_free_ports $GATEWAY_PORT $REDIS_PORT $RAW_REDIS_PORT $SINK_PORT $ZMQ_DISPATCHER_RPC \
            $ZMQ_SCHEDULER_RPC $ZMQ_EVENTS $ZMQ_SCHEDULER_EVENTS

WORK="$(mktemp -d "$DATA_PARENT/piket-dispatch-bench.XXXXXX")"
stop_all() {
  local rc=$?
  trap - INT TERM EXIT
  stop_started
  if [ "$KEEP" = 1 ] || [ "$rc" != 0 ]; then
    echo "run_dispatch: data and logs kept in $WORK" >&2
  else
    rm -rf "$WORK"
  fi
  exit "$rc"
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$WORK/log"
FSTYPE="$(df -PT "$WORK" | awk 'NR==2 {print $2}')"
if [ "$FSTYPE" = tmpfs ] || [ "$FSTYPE" = ramfs ]; then
  echo "run_dispatch: warning: $WORK is on $FSTYPE, where fsync costs nothing; use --data-parent DIR on disk" >&2
fi

# The daemons' clock: Wednesday 2026-12-02 14:00 in Amsterdam (13:00Z), a weekday afternoon.
# The file holds (target - now) in ms; the daemons add it to the system clock.
TARGET_MS=$(( $(date -u -d '2026-12-02T13:00:00Z' +%s) * 1000 ))
CLOCK_OFFSET_MS=$(( TARGET_MS - $(date +%s%3N) ))
if [ "$WALL_CLOCK" = 1 ]; then
  CLOCK_OFFSET_MS=0
else
  echo "$CLOCK_OFFSET_MS" > "$WORK/clock"
  export PIKET_TEST_CLOCK_FILE="$WORK/clock"
fi

# Every worker's webhook goes to the bench's sink (as tests/support/stack.cpp does).
(umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$WORK/webhook_secret")
sed "s#127\.0\.0\.1:8099#127.0.0.1:$SINK_PORT#g" "$ROOT/config/demo/workers.toml" > "$WORK/workers.toml"

# Escalation for the lateness run: steps 2 s apart, nobody answers, no restart within the run.
cat > "$WORK/escalation-fast.toml" <<'TOML'
[[policies]]
region = "*"
restart_after_s = 30
steps = [{after_s = 0, target = "first"},
         {after_s = 2, target = "repeat", channel = "second"},
         {after_s = 4, target = "next"}]
TOML

# config/piket.toml with this run's ports, absolute paths and the escalation file given; the
# rest (timer_poll_ms, time-outs, retries) stays as deployed.
write_config() {  # escalation_file output
  python3 - "$ROOT" "$WORK" "$1" "$2" <<PY
import re, sys
root, work, escalation, dst = sys.argv[1:5]
text = open(f"{root}/config/piket.toml", encoding="utf-8").read()
text = text.replace('"demo/', f'"{root}/config/demo/')
edits = [
    (r'(?m)^workers_file = .*$', f'workers_file = "{work}/workers.toml"'),
    (r'(?m)^escalation_file = .*$', f'escalation_file = "{escalation}"'),
    (r'(?m)^webhook_secret_env = .*$', 'webhook_secret_env = "PIKET_DISPATCH_BENCH_UNSET"'),
    (r'(?m)^webhook_secret_file = .*$', f'webhook_secret_file = "{work}/webhook_secret"'),
    (r'(?m)^port = 6390\b.*$', 'port = $REDIS_PORT'),
    (r'(?m)^port = 8080\b.*$', 'port = $GATEWAY_PORT'),
    (r'(?m)^public_url = .*$', 'public_url = "$GATEWAY"'),
    (r'tcp://127\.0\.0\.1:7101\b', 'tcp://127.0.0.1:$ZMQ_DISPATCHER_RPC'),
    (r'tcp://127\.0\.0\.1:7102\b', 'tcp://127.0.0.1:$ZMQ_SCHEDULER_RPC'),
    (r'tcp://127\.0\.0\.1:7111\b', 'tcp://127.0.0.1:$ZMQ_EVENTS'),
    (r'tcp://127\.0\.0\.1:7112\b', 'tcp://127.0.0.1:$ZMQ_SCHEDULER_EVENTS'),
    # The bench is one client sending far faster than any one desk: no per-client limit.
    (r'(?m)^per_client_requests_per_s = .*$', 'per_client_requests_per_s = 1000000'),
    (r'(?m)^per_client_burst = .*$', 'per_client_burst = 1000000'),
]
for pattern, replacement in edits:
    text, count = re.subn(pattern, replacement, text)
    if count != 1:
        sys.exit(f"run_dispatch: config/piket.toml changed: {pattern} matched {count} times, not once")
if '"demo/' in text or '../' in text:
    sys.exit("run_dispatch: config/piket.toml has a relative path this script does not know")
open(dst, "w", encoding="utf-8").write(text)
PY
}

start_redis() {  # port dir log: appendonly yes / appendfsync always, as deployed
  redis-server --port "$1" --bind 127.0.0.1 --dir "$2" --appendonly yes \
    --appendfsync always --save '' --daemonize no --logfile "$3" &
  PIDS+=($!)
  REDIS_PID=$!
  for _ in $(seq 100); do redis-cli -p "$1" ping >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "run_dispatch: redis-server on port $1 did not start; see $3" >&2
  return 1
}

declare -A DAEMON_PID
start_stack() {  # phase escalation_file
  local phase="$1" d
  mkdir -p "$WORK/$phase/redis"
  write_config "$2" "$WORK/$phase/piket.toml"
  start_redis "$REDIS_PORT" "$WORK/$phase/redis" "$WORK/log/$phase-redis.log"
  for d in "${DAEMONS[@]}"; do
    "$BUILD_DIR/$d/piket-$d" --config "$WORK/$phase/piket.toml" >>"$WORK/log/$phase-$d.log" 2>&1 &
    PIDS+=($!)
    DAEMON_PID[$d]=$!
  done
  for _ in $(seq 200); do
    curl -fs -m 2 "$GATEWAY/healthz" >/dev/null 2>&1 && { bench_sign_in "$WORK/$phase/piket.toml"; return; }
    for d in "${DAEMONS[@]}"; do
      kill -0 "${DAEMON_PID[$d]}" 2>/dev/null || { echo "run_dispatch: piket-$d exited; see $WORK/log/$phase-$d.log" >&2; return 1; }
    done
    sleep 0.1
  done
  echo "run_dispatch: the stack did not become healthy; see $WORK/log/$phase-*.log" >&2
  return 1
}

cpu_ticks() {  # user+system clock ticks of each daemon and of redis: "name=ticks ..."
  local d out="redis=$(awk '{print $14 + $15}' "/proc/$REDIS_PID/stat")"
  for d in "${DAEMONS[@]}"; do out+=" $d=$(awk '{print $14 + $15}' "/proc/${DAEMON_PID[$d]}/stat")"; done
  echo "$out"
}

# One phase: a fresh stack, the bench, what Redis holds afterwards, the CPU each daemon used.
run_phase() {  # phase escalation_file dispatch_bench-arguments...
  local phase="$1" escalation="$2" rc
  shift 2
  start_stack "$phase" "$escalation"
  echo
  echo "== $phase: dispatch_bench $*"
  local before after
  before="$(cpu_ticks)"
  set +e
  "$BUILD_DIR/bench/dispatch_bench" --url "$GATEWAY" --sink-port "$SINK_PORT" --json "$@" \
    >"$WORK/$phase.json" 2>"$WORK/$phase.err"
  rc=$?
  set -e
  after="$(cpu_ticks)"
  cat "$WORK/$phase.err" >&2
  echo "{\"stored\": $(redis-cli -p "$REDIS_PORT" zcard piket:reports), \"cpu_before\": \"$before\", \"cpu_after\": \"$after\", \"rc\": $rc}" \
    > "$WORK/$phase.extra.json"
  curl -fs -m 5 "$GATEWAY/metrics" > "$WORK/$phase.metrics" || true
  stop_started
  [ -s "$WORK/$phase.json" ] || { echo "run_dispatch: dispatch_bench printed nothing in $phase" >&2; return 1; }
  python3 "$ROOT/bench/dispatch_report.py" phase "$phase" "$WORK"
  FAILED=$(( FAILED + (rc != 0) ))
}

echo "run_dispatch: rate=$RATE/s for ${SECONDS_}s, burst=$BURST (c=$C, within ${BURST_WITHIN}s; 0 = as fast as possible), lateness reports=$LATENESS_N"
echo "run_dispatch: build=$BUILD_DIR data=$WORK ($FSTYPE), commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet 2>/dev/null || echo ' (with uncommitted changes)')"
echo "run_dispatch: machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "run_dispatch: $(date -u '+%Y-%m-%d %H:%M:%S UTC'), $(redis-server --version | awk '{print $3}'); $([ "$WALL_CLOCK" = 1 ] && echo "daemons on the system clock (--wall-clock)" || echo "daemons' clock offset ${CLOCK_OFFSET_MS} ms (2026-12-02 14:00 Europe/Amsterdam)")"

FAILED=0
run_phase rate "$ROOT/config/demo/escalation.toml" --rate "$RATE" --seconds "$SECONDS_" --linger 30 --verify 20
if [ "$BURST_WITHIN" = 0 ]; then
  run_phase burst "$ROOT/config/demo/escalation.toml" -n "$BURST" --rate 0 -c "$C" --linger 300 --verify 20
else
  run_phase burst "$ROOT/config/demo/escalation.toml" -n "$BURST" \
    --rate "$(python3 -c "print($BURST / $BURST_WITHIN)")" --linger 300 --verify 20
fi
# 50 reports a second: a few hundred ladders whose steps overlap, not an overload.
LATENESS_RATE=50
run_phase escalation "$WORK/escalation-fast.toml" -n "$LATENESS_N" --rate "$LATENESS_RATE" --steps 3 \
  --linger 30 --verify 5 --metrics --clock-offset-ms "$CLOCK_OFFSET_MS"

# Raw Redis, the same disk, nothing else of ours running.
mkdir -p "$WORK/raw-redis"
start_redis "$RAW_REDIS_PORT" "$WORK/raw-redis" "$WORK/log/raw-redis.log"
redis-cli -p "$RAW_REDIS_PORT" function load "#!lua name=bench
redis.register_function{function_name='bench_noop', callback=function() return 1 end, flags={'no-writes'}}" >/dev/null
RAW_N=$(( BURST > 10000 ? BURST : 10000 ))
echo
echo "== raw redis (appendonly yes, appendfsync always, data in $WORK/raw-redis)"
mkdir -p "$WORK/raw"
rb() {  # name redis-benchmark-arguments...: the CSV goes to $WORK/raw/name.csv
  local name="$1"
  shift
  echo "   redis-benchmark $*"
  redis-benchmark -h 127.0.0.1 -p "$RAW_REDIS_PORT" --csv "$@" > "$WORK/raw/$name.csv"
}
rb xadd_c -n "$RAW_N" -c "$C" XADD bench:stream '*' field value
rb xadd_1 -n 10000 -c 1 XADD bench:stream '*' field value
rb ping_1 -n 10000 -c 1 PING
rb fcall_1 -n 10000 -c 1 FCALL bench_noop 0
stop_started

echo
python3 "$ROOT/bench/dispatch_report.py" summary all "$WORK" "$C"
if [ "$FAILED" != 0 ]; then
  echo "run_dispatch: $FAILED phase(s) incomplete (errors, reports without an alert, or failed read-backs); see $WORK/log" >&2
  exit 1
fi
