#!/usr/bin/env bash
# The intake benchmark (docs/benchmarks.md): starts its own Piket stack the way scripts/demo.sh
# does (redis-server with appendonly yes / appendfsync always, the webhook receiver, the four
# daemons), but on its own ports and in a fresh temporary data directory; POSTs N reports at
# concurrency C with bench/intake_bench; then runs redis-benchmark XADD with the same N and C
# against a second fresh redis-server with the same fsync settings on the same file system, and
# prints both and their ratio. Stops everything it started on exit. All on 127.0.0.1.
#
#   bench/run_intake.sh [-n N] [-c C] [--build-dir DIR] [--data-parent DIR] [--keep]
#
# Build first (scripts/build.sh, or any CMake build dir passed with --build-dir).
# Ports (override with the environment): gateway 18080, redis 16390, XADD redis 16391,
# webhook receiver 18099, ZeroMQ 17101/17102/17111/17112.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"

N=2000
C=16
BUILD_DIR="$ROOT/build"
DATA_PARENT="${TMPDIR:-/tmp}"
KEEP=0
usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    -n) N="$2"; shift 2 ;;
    -c) C="$2"; shift 2 ;;
    --build-dir) BUILD_DIR="$(cd "$2" && pwd)"; shift 2 ;;
    --data-parent) DATA_PARENT="$2"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run_intake: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
done
[[ "$N" =~ ^[1-9][0-9]*$ && "$C" =~ ^[1-9][0-9]*$ ]] || { echo "run_intake: -n and -c must be positive integers" >&2; exit 2; }

GATEWAY_PORT="${BENCH_GATEWAY_PORT:-18080}"
REDIS_PORT="${BENCH_REDIS_PORT:-16390}"
XADD_REDIS_PORT="${BENCH_XADD_REDIS_PORT:-16391}"
WEBHOOK_PORT="${BENCH_WEBHOOK_PORT:-18099}"
ZMQ_DISPATCHER_RPC="${BENCH_ZMQ_DISPATCHER_RPC:-17101}"
ZMQ_SCHEDULER_RPC="${BENCH_ZMQ_SCHEDULER_RPC:-17102}"
ZMQ_EVENTS="${BENCH_ZMQ_EVENTS:-17111}"
ZMQ_SCHEDULER_EVENTS="${BENCH_ZMQ_SCHEDULER_EVENTS:-17112}"
GATEWAY="http://127.0.0.1:$GATEWAY_PORT"

BENCH_NAME=run_intake
source "$ROOT/bench/lib.sh"
require_built scheduler/piket-scheduler dispatcher/piket-dispatcher notifier/piket-notifier \
  gateway/piket-gateway admin/piket-admin bench/intake_bench
require_tools redis-server redis-cli redis-benchmark curl python3
require_free_ports $GATEWAY_PORT $REDIS_PORT $XADD_REDIS_PORT $WEBHOOK_PORT \
            $ZMQ_DISPATCHER_RPC $ZMQ_SCHEDULER_RPC $ZMQ_EVENTS $ZMQ_SCHEDULER_EVENTS

WORK="$(mktemp -d "$DATA_PARENT/piket-bench.XXXXXX")"
stop_all() {
  local rc=$?
  trap - INT TERM EXIT
  stop_started
  if [ "$KEEP" = 1 ] || [ "$rc" != 0 ]; then
    echo "run_intake: data and logs kept in $WORK" >&2
  else
    rm -rf "$WORK"
  fi
  exit "$rc"
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$WORK/redis" "$WORK/redis-xadd" "$WORK/log" "$WORK/data"
FSTYPE="$(df -PT "$WORK" | awk 'NR==2 {print $2}')"
if [ "$FSTYPE" = tmpfs ] || [ "$FSTYPE" = ramfs ]; then
  echo "run_intake: warning: $WORK is on $FSTYPE, where fsync costs nothing; use --data-parent DIR on disk" >&2
fi

# The demo's configuration with this run's ports and absolute paths into $WORK.
(umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$WORK/webhook_secret")
export PIKET_WEBHOOK_SECRET
PIKET_WEBHOOK_SECRET="$(cat "$WORK/webhook_secret")"
cp "$ROOT"/config/demo/{regions,rotations,triage}.toml "$WORK/data/"
sed "s#http://127.0.0.1:8099/#http://127.0.0.1:$WEBHOOK_PORT/#" "$ROOT/config/demo/workers.toml" > "$WORK/data/workers.toml"
python3 - "$ROOT/config/piket.toml" "$WORK/piket.toml" <<PY
import re, sys
src, dst = sys.argv[1], sys.argv[2]
text = open(src, encoding="utf-8").read()
# The other demo files (places, escalation, staffing, working time, holidays) by absolute path:
# relative to \$WORK/piket.toml they would not be found and the daemons would refuse to start.
text = text.replace('"demo/', '"$ROOT/config/demo/')
edits = [
    (r'(?m)^regions_file = .*$', 'regions_file = "$WORK/data/regions.toml"'),
    (r'(?m)^workers_file = .*$', 'workers_file = "$WORK/data/workers.toml"'),
    (r'(?m)^triage_file = .*$', 'triage_file = "$WORK/data/triage.toml"'),
    (r'(?m)^rotations_file = .*$', 'rotations_file = "$WORK/data/rotations.toml"'),
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
    (r'(?m)^webhook_secret_file = .*$', 'webhook_secret_file = "$WORK/webhook_secret"'),
]
for pattern, replacement in edits:
    text, count = re.subn(pattern, replacement, text)
    if count != 1:
        sys.exit(f"run_intake: config/piket.toml changed: {pattern} matched {count} times, not once")
open(dst, "w", encoding="utf-8").write(text)
PY
CONFIG="$WORK/piket.toml"

start_redis() {  # port dir log: the demo's settings, appendonly yes / appendfsync always
  redis-server --port "$1" --bind 127.0.0.1 --dir "$2" --appendonly yes \
    --appendfsync always --save '' --daemonize no --logfile "$3" &
  PIDS+=($!)
  for _ in $(seq 100); do redis-cli -p "$1" ping >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "run_intake: redis-server on port $1 did not start; see $3" >&2
  return 1
}

echo "run_intake: N=$N C=$C build=$BUILD_DIR data=$WORK ($FSTYPE)"
echo "run_intake: machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "run_intake: $(date -u '+%Y-%m-%d %H:%M:%S UTC'), $(redis-server --version | awk '{print $3}')"

start_redis "$REDIS_PORT" "$WORK/redis" "$WORK/log/redis.log"
python3 "$ROOT/scripts/webhook_receiver.py" --port "$WEBHOOK_PORT" --secret-env PIKET_WEBHOOK_SECRET \
  >"$WORK/log/webhook.log" 2>&1 &
PIDS+=($!)
for daemon in scheduler dispatcher notifier gateway; do
  "$BUILD_DIR/$daemon/piket-$daemon" --config "$CONFIG" >>"$WORK/log/$daemon.log" 2>&1 &
  PIDS+=($!)
done
for _ in $(seq 100); do curl -fs "$GATEWAY/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
if ! curl -fs "$GATEWAY/healthz" >/dev/null; then
  echo "run_intake: the gateway did not become healthy; see $WORK/log/*.log" >&2
  exit 1
fi

echo
bench_sign_in "$CONFIG"
echo "== Piket intake: $BUILD_DIR/bench/intake_bench --url $GATEWAY -n $N -c $C"
set +e
PIKET_JSON="$("$BUILD_DIR/bench/intake_bench" --url "$GATEWAY" -n "$N" -c "$C" --max-seconds 600 --json)"
BENCH_RC=$?
set -e
echo "$PIKET_JSON"
if [ -z "$PIKET_JSON" ]; then echo "run_intake: intake_bench printed nothing" >&2; exit 1; fi
STORED="$(redis-cli -p "$REDIS_PORT" zcard piket:reports 2>/dev/null || true)"
stop_started  # the Piket stack is done: the XADD run gets the machine to itself

start_redis "$XADD_REDIS_PORT" "$WORK/redis-xadd" "$WORK/log/redis-xadd.log"
echo
echo "== redis XADD: redis-benchmark -p $XADD_REDIS_PORT -n $N -c $C --csv XADD bench:stream '*' field value"
echo "   (a fresh redis-server, appendonly yes, appendfsync always, data in $WORK/redis-xadd)"
REDIS_CSV="$(redis-benchmark -h 127.0.0.1 -p "$XADD_REDIS_PORT" -n "$N" -c "$C" --csv XADD bench:stream '*' field value)"
echo "$REDIS_CSV"
XLEN="$(redis-cli -p "$XADD_REDIS_PORT" xlen bench:stream)"

echo
python3 - "$PIKET_JSON" "$REDIS_CSV" "$N" "$C" "$XLEN" <<'PY'
import csv, io, json, sys
piket = json.loads(sys.argv[1])
rows = list(csv.DictReader(io.StringIO(sys.argv[2])))
if not rows:
    sys.exit("run_intake: redis-benchmark printed no result")
r = rows[-1]
redis = {"rate": float(r["rps"]), "p50_ms": float(r["p50_latency_ms"]),
         "p99_ms": float(r["p99_latency_ms"]), "max_ms": float(r["max_latency_ms"])}
n, c, xlen = sys.argv[3], sys.argv[4], sys.argv[5]
print(f"== N={n} C={c}")
print(f"{'':16}{'rate (req/s)':>14}{'p50 (ms)':>10}{'p99 (ms)':>10}{'max (ms)':>10}")
print(f"{'Piket intake':16}{piket['rate']:14.1f}{piket['p50_ms']:10.2f}{piket['p99_ms']:10.2f}{piket['max_ms']:10.2f}"
      f"   errors {piket['errors']}")
print(f"{'redis XADD':16}{redis['rate']:14.1f}{redis['p50_ms']:10.3f}{redis['p99_ms']:10.3f}{redis['max_ms']:10.3f}"
      f"   stream length {xlen}")
rate_ratio = redis["rate"] / piket["rate"] if piket["rate"] else float("inf")
p50_ratio = piket["p50_ms"] / redis["p50_ms"] if redis["p50_ms"] else float("inf")
print(f"ratio: redis XADD rate / Piket rate = {rate_ratio:.1f}; Piket p50 / redis XADD p50 = {p50_ratio:.1f}")
PY
echo "run_intake: reports stored in redis: ${STORED:-?}"
if [ "$BENCH_RC" != 0 ]; then
  echo "run_intake: intake_bench reported errors (exit $BENCH_RC); see $WORK/log/*.log" >&2
  exit "$BENCH_RC"
fi
