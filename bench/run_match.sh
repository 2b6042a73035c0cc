#!/usr/bin/env bash
# Triage and matching at national scale, as pure functions (docs/benchmarks.md): runs
# bench/match_bench with a realistic on-call list (8 per region) and with a long one (40), then
# puts the figure beside one Redis round trip measured in the same run (redis-benchmark PING and
# a no-op FCALL, one client, against a throw-away redis-server on a free loopback port), so the
# CPU a report costs can be read as "so many Redis round trips".
#
#   bench/run_match.sh [-n N] [--build-dir DIR]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
N=20000
BUILD_DIR="$ROOT/build"
while [ $# -gt 0 ]; do
  case "$1" in
    -n) N="$2"; shift 2 ;;
    --build-dir) BUILD_DIR="$(cd "$2" && pwd)"; shift 2 ;;
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run_match: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -x "$BUILD_DIR/bench/match_bench" ] || { echo "run_match: build first ($BUILD_DIR/bench/match_bench is missing)" >&2; exit 1; }

DIR="$(mktemp -d "${TMPDIR:-/tmp}/piket-match-bench.XXXXXX")"
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$DIR"; }
trap cleanup EXIT

echo "run_match: $(date -u '+%Y-%m-%d %H:%M:%S UTC'), commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'), load before: $(cut -d' ' -f1-3 /proc/loadavg)"
SMALL="$("$BUILD_DIR/bench/match_bench" -n "$N" --on-call 8 --json)"
LARGE="$("$BUILD_DIR/bench/match_bench" -n "$((N / 4 > 0 ? N / 4 : 1))" --on-call 40 --json)"

# A Redis round trip on this machine now: no persistence, so it is the network and the loop only.
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
redis-server --port "$PORT" --bind 127.0.0.1 --dir "$DIR" --save '' --appendonly no \
  --daemonize no --logfile "$DIR/redis.log" &
PID=$!
for _ in $(seq 100); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
redis-cli -p "$PORT" function load "#!lua name=bench
redis.register_function{function_name='bench_noop', callback=function() return 1 end, flags={'no-writes'}}" >/dev/null
PING_CSV="$(redis-benchmark -h 127.0.0.1 -p "$PORT" -n 20000 -c 1 --csv PING)"
FCALL_CSV="$(redis-benchmark -h 127.0.0.1 -p "$PORT" -n 20000 -c 1 --csv FCALL bench_noop 0)"

python3 - "$SMALL" "$LARGE" "$PING_CSV" "$FCALL_CSV" <<'PY'
import csv, io, json, sys
small, large = json.loads(sys.argv[1]), json.loads(sys.argv[2])
def redis(text):
    row = list(csv.DictReader(io.StringIO(text)))[-1]
    return {k: float(row[v]) * 1000 for k, v in (("p50", "p50_latency_ms"), ("p99", "p99_latency_ms"))}
ping, fcall = redis(sys.argv[3]), redis(sys.argv[4])
print(f"scale: {small['regions']} regions, {small['municipalities']} municipalities, {small['workers']} workers")
print(f"{'':48}{'p50 (us)':>10}{'p90 (us)':>10}{'p99 (us)':>10}{'max (us)':>10}")
for label, r in ((f"match_bench, on call {small['on_call']} ({small['candidates_per_report']:.1f} cand.), n={small['reports']}", small),
                 (f"match_bench, on call {large['on_call']} ({large['candidates_per_report']:.1f} cand.), n={large['reports']}", large)):
    t = r["total"]
    print(f"{label:48}{t['p50_us']:10.1f}{t['p90_us']:10.1f}{t['p99_us']:10.1f}{t['max_us']:10.1f}")
    for stage in ("triage", "rank", "ladder"):
        s = r[stage]
        print(f"{'  ' + stage:48}{s['p50_us']:10.1f}{s['p90_us']:10.1f}{s['p99_us']:10.1f}{s['max_us']:10.1f}")
print(f"{'redis PING, 1 client':48}{ping['p50']:10.1f}{'':10}{ping['p99']:10.1f}")
print(f"{'redis FCALL (no-op function), 1 client':48}{fcall['p50']:10.1f}{'':10}{fcall['p99']:10.1f}")
t = small["total"]
print(f"ratio: one report's triage and matching (on call {small['on_call']}) = "
      f"{t['p50_us'] / ping['p50']:.1f} PING round trips at p50, {t['p99_us'] / ping['p99']:.1f} at p99; "
      f"target p99 <= 1000 us: {'met' if t['p99_us'] <= 1000 else 'MISSED'}")
PY
