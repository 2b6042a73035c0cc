#!/usr/bin/python3
"""A local SMTP server for tests and demos: every message it receives is written to a file of
its own in --out (<n>.eml, the raw message with the envelope in X-Envelope-* lines first), then
renamed into place, so a reader never sees half a message. Debian's python3-aiosmtpd.

    scripts/smtp_sink.py --port 2525 --out /tmp/mail
"""
import argparse
import itertools
import os
import signal

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, out):
        self.out = out
        self.counter = itertools.count(1)

    async def handle_DATA(self, server, session, envelope):
        n = next(self.counter)
        head = "X-Envelope-From: %s\r\nX-Envelope-To: %s\r\n" % (
            envelope.mail_from, ",".join(envelope.rcpt_tos))
        data = envelope.original_content or envelope.content
        if isinstance(data, str):
            data = data.encode("utf-8")
        tmp = os.path.join(self.out, ".%d.tmp" % n)
        with open(tmp, "wb") as f:
            f.write(head.encode("utf-8") + data)
        os.rename(tmp, os.path.join(self.out, "%06d.eml" % n))
        return "250 OK stored"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    controller = Controller(Sink(args.out), hostname="127.0.0.1", port=args.port)
    controller.start()
    print("smtp sink on 127.0.0.1:%d" % args.port, flush=True)
    signal.sigwait([signal.SIGTERM, signal.SIGINT])
    controller.stop()


if __name__ == "__main__":
    signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGTERM, signal.SIGINT])
    main()
