#!/usr/bin/python3
# Test SMTP sink: accepts every mail on 127.0.0.1 and stores it as MAILDIR/<n>.eml (needs Debian's python3-aiosmtpd).
#
# Usage: /usr/bin/python3 smtp_sink.py --port PORT --dir MAILDIR
#   --port 0 picks a free port. The actual port is printed alone on the first stdout line, then it serves
#   until SIGTERM/SIGINT. Each message is written atomically (tmp file + rename) as <n>.eml, n = 1, 2, ...
#   in arrival order, with a first header line "X-Rcpt-To: a@x, b@y" giving the envelope recipients
#   (and "X-Mail-From: ..." giving the envelope sender).
import argparse
import os
import signal
import socket
import sys
import threading

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, maildir):
        self.maildir = maildir
        existing = [int(f[:-4]) for f in os.listdir(maildir) if f.endswith(".eml") and f[:-4].isdigit()]
        self.n = max(existing, default=0)

    async def handle_DATA(self, server, session, envelope):
        self.n += 1
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8")
        head = ("X-Rcpt-To: %s\r\nX-Mail-From: %s\r\n" % (", ".join(envelope.rcpt_tos), envelope.mail_from or ""))
        tmp = os.path.join(self.maildir, ".tmp-%d" % self.n)
        with open(tmp, "wb") as f:
            f.write(head.encode("utf-8") + content)
        os.rename(tmp, os.path.join(self.maildir, "%d.eml" % self.n))
        return "250 Message accepted for delivery"


class BoundController(Controller):
    """Controller serving on an already bound socket, so that port 0 works without a race."""

    def __init__(self, handler, sock, **kwargs):
        self.sock = sock
        super().__init__(handler, hostname="127.0.0.1", port=sock.getsockname()[1], **kwargs)

    def _create_server(self):
        return self.loop.create_server(self._factory_invoker, sock=self.sock, ssl=self.ssl_context)


def main():
    ap = argparse.ArgumentParser(description="SMTP sink for tests")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--dir", required=True)
    args = ap.parse_args()
    os.makedirs(args.dir, exist_ok=True)

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", args.port))
    except OSError as e:
        sys.exit("smtp_sink.py: cannot bind 127.0.0.1:%d: %s" % (args.port, e))
    sock.listen(64)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())

    ctl = BoundController(Sink(args.dir), sock, server_hostname="localhost", enable_SMTPUTF8=True)
    ctl.start()
    print(ctl.port, flush=True)
    while not stop.wait(3600):
        pass
    ctl.stop()


if __name__ == "__main__":
    main()
