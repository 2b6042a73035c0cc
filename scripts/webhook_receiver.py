#!/usr/bin/env python3
"""A small webhook receiver for Piket alerts: for demos, manual checks and tests.

The notifier POSTs each alert as JSON to <base>/hooks/<worker-id> with
    X-Piket-Timestamp: <Unix seconds when it was signed>
    X-Piket-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<raw body>", keyed with the secret>
    X-Piket-Alert-Id: <alert id>
    X-Piket-Notification-Id: <the same for every retry of one alert to one address>
This receiver checks the signature and (unless --replay-window-s 0) that the timestamp is within
the replay window of its own clock, prints one line per alert and, with --out, appends one JSON
line per request so tests can read what arrived. Standard library only (docs/api.md).

    PIKET_WEBHOOK_SECRET=... scripts/webhook_receiver.py --port 8099 --out /tmp/hooks.jsonl
"""
import argparse
import datetime
import hashlib
import hmac
import json
import os
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOOK_PREFIX = "/hooks/"
MAX_BODY = 1024 * 1024


class State:
    """Shared between handler threads."""

    def __init__(self, secret, out_path, fail_first, replay_window_s):
        self.secret = secret
        self.replay_window_s = replay_window_s
        self.out_path = out_path
        self.fail_left = fail_first
        self.lock = threading.Lock()

    def take_failure(self):
        with self.lock:
            if self.fail_left > 0:
                self.fail_left -= 1
                return True
            return False

    def record(self, entry):
        if not self.out_path:
            return
        line = json.dumps(entry, separators=(",", ":"), ensure_ascii=False) + "\n"
        with self.lock:
            with open(self.out_path, "a", encoding="utf-8") as f:
                f.write(line)
                f.flush()


def signature_ok(secret, body, timestamp, header, window_s):
    if not header or not header.startswith("v1=") or not timestamp or not timestamp.isdigit():
        return False
    if window_s > 0 and abs(datetime.datetime.now().timestamp() - int(timestamp)) > window_s:
        return False  # too old (or from the future): a replay, or a clock far off
    signed = timestamp.encode("ascii") + b"." + body
    expected = "v1=" + hmac.new(secret, signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode("ascii"), header.strip().encode("ascii", "replace"))


def now():
    return datetime.datetime.now(datetime.timezone.utc).astimezone().strftime("%Y-%m-%d %H:%M:%S%z")


class Handler(BaseHTTPRequestHandler):
    server_version = "piket-webhook-receiver/1"
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 - signature from the base class
        pass  # quiet: one line per alert is printed by do_POST

    def reply(self, status, text):
        data = (text + "\n").encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        if status == 503:
            self.send_header("Retry-After", "1")
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/healthz":
            self.reply(200, "ok")
        else:
            self.reply(404, "not found")

    def do_POST(self):
        state = self.server.state
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            self.close_connection = True
            self.reply(413 if length > MAX_BODY else 400, "bad Content-Length")
            return
        body = self.rfile.read(length)

        if not self.path.startswith(HOOK_PREFIX) or len(self.path) == len(HOOK_PREFIX):
            self.reply(404, "not found")
            return
        path_worker = self.path[len(HOOK_PREFIX):]
        header_alert_id = self.headers.get("X-Piket-Alert-Id", "")
        timestamp = self.headers.get("X-Piket-Timestamp", "")
        valid = signature_ok(state.secret, body, timestamp, self.headers.get("X-Piket-Signature"),
                             state.replay_window_s)
        try:
            parsed = json.loads(body.decode("utf-8")) if body else None
        except (UnicodeDecodeError, json.JSONDecodeError):
            parsed = None
        alert = parsed if isinstance(parsed, dict) else {}
        alert_id = alert.get("alert_id") or header_alert_id
        if state.take_failure():
            status = 503
            print(f"{now()}  503 (--fail-first)  worker={path_worker} alert={alert_id}",
                  flush=True)
        elif not valid:
            status = 401
            print(f"{now()}  WARNING: bad or missing signature on {self.path} "
                  f"(alert={alert_id or '?'}): rejected with 401", flush=True)
        elif not isinstance(parsed, dict):
            status = 400
            print(f"{now()}  WARNING: body on {self.path} is not a JSON object: rejected with 400",
                  flush=True)
        elif alert.get("kind") == "handoff":
            status = 200
            print(f"{now()}  HAND-OFF worker={alert.get('worker', path_worker)} "
                  f"region={alert.get('region', '?')} duty={alert.get('duty', '?')} "
                  f"from={alert.get('outgoing', '?')} open_cases={len(alert.get('open_cases') or [])}",
                  flush=True)
        else:
            status = 200
            print(f"{now()}  worker={alert.get('worker', path_worker)} alert={alert_id} "
                  f"urgency={alert.get('urgency', '?')} "
                  f"municipality={alert.get('municipality', '?')} link={alert.get('link', '?')}",
                  flush=True)
        # Written before the reply, so a test that saw the response also sees the line.
        # The raw body and signature let a test check the signature on its own.
        state.record({"path": self.path, "alert_id": alert_id, "signature_valid": valid,
                      "status": status, "body": parsed,
                      "raw": body.decode("utf-8", "replace"),
                      "signature": self.headers.get("X-Piket-Signature", ""),
                      "timestamp": timestamp,
                      "notification_id": self.headers.get("X-Piket-Notification-Id", "")})
        self.reply(status, {200: "ok", 400: "body must be a JSON object", 401: "bad signature",
                            503: "failing on purpose (--fail-first)"}[status])


def main():
    ap = argparse.ArgumentParser(description="Receive and verify Piket webhook alerts.")
    ap.add_argument("--port", type=int, default=8099, help="port to listen on (default 8099)")
    ap.add_argument("--bind", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    ap.add_argument("--secret-env", default="PIKET_WEBHOOK_SECRET",
                    help="environment variable that holds the shared secret")
    ap.add_argument("--out", help="append one JSON line per received request to this file")
    ap.add_argument("--fail-first", type=int, default=0, metavar="N",
                    help="answer 503 to the first N POST requests (to exercise retries)")
    ap.add_argument("--replay-window-s", type=int, default=300, metavar="S",
                    help="refuse timestamps more than S seconds from this machine's clock "
                         "(default 300; 0 turns the check off, for tests on a moved clock)")
    args = ap.parse_args()

    secret = os.environ.get(args.secret_env, "")
    if not secret:
        print(f"webhook_receiver: environment variable {args.secret_env} is not set or empty",
              file=sys.stderr)
        return 2
    if args.fail_first < 0:
        print("webhook_receiver: --fail-first must be 0 or more", file=sys.stderr)
        return 2

    server = ThreadingHTTPServer((args.bind, args.port), Handler)
    server.daemon_threads = True
    server.state = State(secret.encode("utf-8"), args.out, args.fail_first, args.replay_window_s)

    def stop(signum, _frame):
        # shutdown() waits for serve_forever() to return, so it must run on another thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"webhook_receiver listening on http://{args.bind}:{server.server_address[1]}"
          f"{HOOK_PREFIX}<worker-id>", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
    print("webhook_receiver stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
