#!/usr/bin/env bash
# Sets up, builds and runs the whole of Piket on this machine with the demo data:
# its own redis-server (AOF, fsync always) in var/redis, the four daemons, and a webhook
# receiver that prints the alerts it gets. Submits one demo crisis report. Ctrl-C stops all.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
CONFIG="$ROOT/config/piket.toml"
VAR="$ROOT/var"
GATEWAY="http://127.0.0.1:8080"
REDIS_PORT=6390
WEBHOOK_PORT=8099

scripts/setup.sh
scripts/build.sh

mkdir -p "$VAR/redis" "$VAR/log"
if [ ! -s "$VAR/webhook_secret" ]; then
  (umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$VAR/webhook_secret")
fi
export PIKET_WEBHOOK_SECRET
PIKET_WEBHOOK_SECRET="$(cat "$VAR/webhook_secret")"

for port in 8080 $REDIS_PORT $WEBHOOK_PORT 7101 7102 7111 7112; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "demo: port $port is in use (an earlier demo still running?). Stop it and try again." >&2
    exit 1
  fi
done

PIDS=()
stop_all() {
  trap - INT TERM EXIT
  echo
  echo "demo: stopping"
  for ((i=${#PIDS[@]}-1; i>=0; i--)); do kill -TERM "${PIDS[i]}" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "demo: stopped. Data stays in var/redis; run scripts/demo.sh again to continue."
}
trap stop_all INT TERM EXIT

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$VAR/redis" --appendonly yes \
  --appendfsync always --save '' --daemonize no --logfile "$VAR/log/redis.log" &
PIDS+=($!)
for _ in $(seq 100); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done

python3 scripts/webhook_receiver.py --port "$WEBHOOK_PORT" --secret-env PIKET_WEBHOOK_SECRET &
PIDS+=($!)

for daemon in scheduler dispatcher notifier gateway; do
  "build/$daemon/piket-$daemon" --config "$CONFIG" >>"$VAR/log/$daemon.log" 2>&1 &
  PIDS+=($!)
done

for _ in $(seq 100); do curl -fs "$GATEWAY/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
if ! curl -fs "$GATEWAY/healthz" >/dev/null; then
  echo "demo: the gateway did not become healthy; see var/log/*.log" >&2
  exit 1
fi

# Demo users: one password for all (made at the first run, kept in var/), a fresh API token
# for each at every run. Nobody gets anything from the gateway without signing in.
ADMIN="build/admin/piket-admin --config $CONFIG"
if [ ! -s "$VAR/demo-password" ]; then
  (umask 077; echo "demo-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')" > "$VAR/demo-password")
fi
DEMO_PASSWORD="$(cat "$VAR/demo-password")"
add_demo_user() {  # id, piket-admin flags...
  local id="$1"; shift
  $ADMIN add-user --id "$id" "$@" --if-missing --password-stdin <<<"$DEMO_PASSWORD" >/dev/null
}
add_demo_user demo-operator --role operator --region '*'
add_demo_user demo-lead --role team_lead --team em-a --team em-b
add_demo_user demo-manager --role manager --region '*'
add_demo_user demo-admin --role admin --role privacy_officer
for w in w-em-01 w-em-02 w-em-03 w-em-04; do add_demo_user "demo-$w" --role worker --worker "$w"; done
# Roles that read report details sign in with a second factor: each demo user of those gets a
# TOTP secret at the first run, kept in var/ (oathtool makes the codes an authenticator app would).
enrol_demo_totp() {  # id
  local file="$VAR/demo-totp-$1"
  if [ ! -s "$file" ]; then
    (umask 077; $ADMIN enrol-totp --id "$1" | sed -n 's/^secret: //p' > "$file")
  fi
}
for id in demo-operator demo-admin demo-w-em-01 demo-w-em-02 demo-w-em-03 demo-w-em-04; do
  enrol_demo_totp "$id"
done
token_for() { $ADMIN add-token --id "$1" --name demo | sed -n 's/^token: //p'; }
OPERATOR_TOKEN="$(token_for demo-operator)"
MANAGER_TOKEN="$(token_for demo-manager)"

echo
echo "demo: submitting a demo crisis report (a weapon involved, Amersfoort: two professionals):"
REPORT=$(curl -s -X POST "$GATEWAY/api/v1/reports" -H 'Content-Type: application/json' \
  -H "Authorization: Bearer $OPERATOR_TOKEN" \
  -H "Idempotency-Key: demo-$(date +%s)" \
  -d '{"source":"police","municipality":"Amersfoort","indicators":["weapon"],
       "narrative":"Demo report: fictional.","people":[{"role":"child","age":4}]}')
echo "$REPORT"
REPORT_ID=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])' <<<"$REPORT")
sleep 1
# The two alerted workers, each with a token of their own: only they can answer their call-out.
ASSIGNED=$(curl -s "$GATEWAY/api/v1/reports/$REPORT_ID" -H "Authorization: Bearer $OPERATOR_TOKEN" |
  python3 -c 'import json,sys; print(" ".join(a["worker"] for a in json.load(sys.stdin).get("assignments", [])))')
W1="$(echo "$ASSIGNED" | awk '{print $1}')"; W2="$(echo "$ASSIGNED" | awk '{print $2}')"
W1_TOKEN="$(token_for "demo-${W1:-w-em-01}")"; W2_TOKEN="$(token_for "demo-${W2:-w-em-02}")"

cat <<HELP

Piket is running. The webhook receiver above prints every alert the notifier sends.

The web console: open $GATEWAY/ in a browser and sign in as one of these.

Sign in: every request needs a session or an API token. Demo users (password: $DEMO_PASSWORD):
  demo-operator (the desk), demo-w-em-01 .. demo-w-em-04 (workers), demo-lead (team lead),
  demo-manager (manager), demo-admin (admin, privacy officer). A browser session:
  curl -s -c var/cookies -X POST $GATEWAY/api/v1/session \
    -d '{"user":"demo-operator","password":"$DEMO_PASSWORD","otp":"'\$(oathtool --totp -b \$(cat var/demo-totp-demo-operator))'"}'
  (operators, workers and the privacy officer give a second factor: the TOTP secrets are in
  var/demo-totp-<user>; the managers and team leads sign in with the password alone)
  (changes then need the answer's csrf_token as X-CSRF-Token). API tokens for this run:
  export OP="Authorization: Bearer $OPERATOR_TOKEN"
  export MGR="Authorization: Bearer $MANAGER_TOKEN"
  export W1="Authorization: Bearer $W1_TOKEN"    # ${W1:-w-em-01}
  export W2="Authorization: Bearer $W2_TOKEN"    # ${W2:-w-em-02}
  More users and tokens: build/admin/piket-admin --config config/piket.toml --help

Try:
  curl -s -H "\$OP" $GATEWAY/api/v1/reports/$REPORT_ID | python3 -m json.tool
  # the ranking with reasons, the escalation ladder and the timeline are in the report above.
  # each alerted worker accepts their own call-out (assignment ids are in the report and in each alert):
  curl -s -H "\$W1" -X POST $GATEWAY/api/v1/assignments/$REPORT_ID-1/accept
  curl -s -H "\$W2" -X POST $GATEWAY/api/v1/assignments/$REPORT_ID-2/accept
  # or decline one, and watch the ladder move on to the next step at once:
  curl -s -H "\$W1" -X POST $GATEWAY/api/v1/assignments/$REPORT_ID-1/decline -d '{"reason":"on another call"}'
  # a worker of the visit checks in (as themselves), then records the outcome with the family's consent:
  curl -s -H "\$W1" -X POST $GATEWAY/api/v1/visits/$REPORT_ID-v/checkin -d '{"status":"arrived"}'
  curl -s -H "\$W1" -X POST $GATEWAY/api/v1/reports/$REPORT_ID/outcome -d '{"safety_agreements":true,"police_involved":false,"route":"local_team","consent":[{"step":"visit","given":true}]}'
  # the worker sees their own case (no reporter); another worker gets 404, and that is logged:
  curl -s -H "\$W1" $GATEWAY/api/v1/reports/$REPORT_ID
  # an anonymous advice contact (never dispatched), and a regular report with its working-day deadline:
  curl -s -H "\$OP" -X POST $GATEWAY/api/v1/reports -d '{"kind":"advice","source":"citizen","indicators":[]}'
  curl -s -H "\$OP" -X POST $GATEWAY/api/v1/reports -d '{"source":"school","municipality":"Houten","indicators":["concern"]}'
  # a new report (same Idempotency-Key twice gives the same report):
  curl -s -H "\$OP" -X POST $GATEWAY/api/v1/reports -H 'Idempotency-Key: my-key-1' \\
       -d '{"source":"professional","municipality":"Utrecht","indicators":["child_alone"]}'
  curl -s $GATEWAY/healthz
  curl -s -H "Authorization: Bearer \$(build/admin/piket-admin --config config/piket.toml add-token --id demo-admin | sed -n 's/^token: //p')" $GATEWAY/metrics

Logs: var/log/{scheduler,dispatcher,notifier,gateway,redis}.log   Data: var/redis (AOF)
Stop: Ctrl-C
HELP

wait
