# Shell pieces the bench/run_*.sh scripts share. Source it after setting BENCH_NAME (for
# messages) and BUILD_DIR; the scripts keep started processes in PIDS.

PIDS=()

# require_built BIN...: each a path under $BUILD_DIR.
require_built() {
  local bin
  for bin in "$@"; do
    [ -x "$BUILD_DIR/$bin" ] || { echo "$BENCH_NAME: $BUILD_DIR/$bin is missing: build first (scripts/build.sh, or --build-dir DIR)" >&2; exit 1; }
  done
}

# require_tools TOOL...
require_tools() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "$BENCH_NAME: $tool is not installed" >&2; exit 1; }
  done
}

# require_free_ports PORT...: refuses to run beside an earlier run or a demo.
require_free_ports() {
  local port
  for port in "$@"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$BENCH_NAME: port $port is in use (an earlier run still going?)" >&2
      exit 1
    fi
  done
}

# Stops what PIDS holds, newest first; anything still there after 10 s gets SIGKILL.
stop_started() {
  local i pid
  for ((i=${#PIDS[@]}-1; i>=0; i--)); do kill -TERM "${PIDS[i]}" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
    wait "$pid" 2>/dev/null || true
  done
  PIDS=()
}

# A bench user (operator and admin, every region) and an API token for it, exported as
# PIKET_BENCH_TOKEN for the bench programs (the gateway answers nobody without one).
bench_sign_in() {  # config
  "$BUILD_DIR/admin/piket-admin" --config "$1" add-user --id bench --role operator --role admin \
    --region '*' --if-missing >/dev/null
  PIKET_BENCH_TOKEN="$("$BUILD_DIR/admin/piket-admin" --config "$1" add-token --id bench --name bench \
    | sed -n 's/^token: //p')"
  export PIKET_BENCH_TOKEN
  [ -n "$PIKET_BENCH_TOKEN" ] || { echo "$BENCH_NAME: piket-admin gave no token" >&2; return 1; }
}
