# Stdlib-only helpers for the HTTP tests: run the real kiosque binary on a free port with a fresh DB and SMTP sink.
"""
Run with Debian's /usr/bin/python3 (tests/http/run.sh puts this directory on PYTHONPATH).

    from kiosque_test import Server, Client, csrf, mail_text, first_link

    with Server(["--demo"]) as srv:          # fresh DB + SMTP sink, waits for GET /healthz == 200
        c = srv.client()                      # == Client(srv.url)
        r = c.get("/login")
        r = c.post_form("/login", {"_csrf": csrf(r.body), "email": "a@b.c"})
        m = srv.wait_mail(to="a@b.c", subject_contains="Connexion")
        link = first_link(mail_text(m), srv.url + "/")

Environment:
    KIOSQUE_BIN              binary to run (default ./kiosque, relative to the current directory, else the repo root)
    KIOSQUE_TEST_DB_BACKEND  "sqlite" (default: a fresh sqlite:TMP/kiosque.db per Server) or "pg"
    KIOSQUE_TEST_PG_DIR      with "pg": directory of a running tests/tools/pgcluster.sh cluster; each Server
                             creates its own database in it
    KIOSQUE_TEST_KEEP=1      keep each Server's temp dir (DB, mails, logs) instead of deleting it

Command line: `kiosque_test.py mails MAILDIR` prints the sink's mails as JSON (used by tests/browser/harness.mjs).
"""
import atexit
import ctypes
import email
import email.policy
import email.utils
import html as htmllib
import http.client
import json
import os
import re
import secrets
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SMTP_SINK = os.path.join(REPO, "tests", "tools", "smtp_sink.py")
PGCLUSTER = os.path.join(REPO, "tests", "tools", "pgcluster.sh")
SYS_PYTHON = "/usr/bin/python3"  # Debian's: has aiosmtpd

_live = []  # Servers not stopped yet, killed at exit so that no process outlives the test file


def _kill_leftovers():
    for s in list(_live):
        s._kill()


atexit.register(_kill_leftovers)
if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
    # `timeout` sends SIGTERM: raise KeyboardInterrupt (which unittest does not swallow) so atexit cleanup runs.
    signal.signal(signal.SIGTERM, signal.default_int_handler)


def _die_with_parent():
    """preexec_fn: the child gets SIGKILL if this test process dies without cleaning up."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:
        pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def kiosque_bin():
    b = os.environ.get("KIOSQUE_BIN")
    if b:
        return os.path.abspath(b)
    for cand in (os.path.abspath("kiosque"), os.path.join(REPO, "kiosque")):
        if os.path.exists(cand):
            return cand
    return os.path.join(REPO, "kiosque")


# ---------------------------------------------------------------------------------------------------- Server


class Server:
    """The kiosque binary serving on 127.0.0.1:<free port>, with its own DB, SMTP sink and temp dir.

    Server(args=(), env=None, backend=None, timeout=20, start=True, db_url=None)
      args     extra command-line arguments (list or one string), e.g. ["--demo"]; "{tmp}" in an argument is
               replaced by the Server's temp dir
      env      extra environment variables for the binary
      backend  "sqlite" or "pg" (default: $KIOSQUE_TEST_DB_BACKEND or "sqlite")
      db_url   serve this existing database (another Server's db_url: two processes on one database)
               instead of a new one
    Attributes: url ("http://127.0.0.1:PORT"), port, db_url, smtp_port, tmp, maildir, proc.
    """

    def __init__(self, args=(), env=None, backend=None, timeout=20, start=True, db_url=None):
        self.args = [args] if isinstance(args, str) else list(args)
        self.env = dict(env or {})
        self.backend = backend or os.environ.get("KIOSQUE_TEST_DB_BACKEND") or "sqlite"
        self.timeout = timeout
        self.bin = kiosque_bin()
        self.proc = None
        self.sink = None
        self._log_text = None
        self._stopped = False
        self.tmp = tempfile.mkdtemp(prefix="kiosque-http-")
        self.maildir = os.path.join(self.tmp, "mail")
        self.logfile = os.path.join(self.tmp, "server.log")  # the binary's stderr (and stdout)
        _live.append(self)
        try:
            self.db_url = db_url or self._make_db()
            self._start_sink()
            if start:
                self.start()
        except BaseException:
            self._kill()
            raise

    # -- setup

    def _make_db(self):
        if self.backend == "sqlite":
            return "sqlite:" + os.path.join(self.tmp, "kiosque.db")
        if self.backend != "pg":
            raise ValueError("KIOSQUE_TEST_DB_BACKEND must be sqlite or pg, not %r" % self.backend)
        pgdir = os.environ.get("KIOSQUE_TEST_PG_DIR")
        if not pgdir:
            raise RuntimeError("backend pg needs KIOSQUE_TEST_PG_DIR (start one with: "
                               "tests/tools/pgcluster.sh start DIR), or run tests/http/run.sh")
        stem = re.sub(r"[^a-z0-9]+", "_", os.path.basename(sys.argv[0]).lower().replace(".py", ""))[:40]
        name = "k_%s_%s" % (stem.strip("_") or "t", secrets.token_hex(4))
        r = subprocess.run(["bash", PGCLUSTER, "createdb", pgdir, name], capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError("pgcluster.sh createdb failed: " + r.stderr.strip())
        return r.stdout.strip().splitlines()[-1]

    def _start_sink(self):
        os.makedirs(self.maildir)
        self._sink_err = open(os.path.join(self.tmp, "smtp_sink.log"), "wb")
        self.sink = subprocess.Popen([SYS_PYTHON, SMTP_SINK, "--port", "0", "--dir", self.maildir],
                                     stdout=subprocess.PIPE, stderr=self._sink_err, stdin=subprocess.DEVNULL,
                                     preexec_fn=_die_with_parent)
        ready, _, _ = select.select([self.sink.stdout], [], [], 15)
        line = self.sink.stdout.readline().strip() if ready else b""
        if not line.isdigit():
            self.sink.kill()
            self._sink_err.flush()
            with open(self._sink_err.name, errors="replace") as f:
                err = f.read()
            raise RuntimeError("smtp_sink.py did not start: %s" % (err.strip() or "no port printed"))
        self.smtp_port = int(line)

    def start(self):
        """Start the binary and wait until /healthz answers 200. A restart keeps the port while it is free."""
        if not os.path.exists(self.bin):
            raise RuntimeError("kiosque binary not found: %s (build it with make, or set KIOSQUE_BIN)" % self.bin)
        for attempt in range(3):
            self.port = getattr(self, "port", None) if attempt == 0 else None
            self.port = self.port or free_port()
            self.url = "http://127.0.0.1:%d" % self.port
            argv = [self.bin, "serve", "--listen", "127.0.0.1:%d" % self.port, "--db", self.db_url,
                    "--smtp", "smtp://127.0.0.1:%d" % self.smtp_port, "--base-url", self.url]
            argv += [a.replace("{tmp}", self.tmp) for a in self.args]
            env = dict(os.environ)
            env.update(self.env)
            with open(self.logfile, "ab") as err:
                self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=err, stderr=err, env=env,
                                             cwd=os.getcwd(), preexec_fn=_die_with_parent)
            self._log_text = None
            if self._wait_healthy():
                return self
            rc = self.proc.poll()
            if rc is not None and attempt < 2 and re.search(r"in use|EADDRINUSE", self.log(), re.I):
                continue  # someone took the port between free_port() and bind(): try another
            break
        rc = self.proc.poll()
        why = "no 200 on /healthz within %ss" % self.timeout if rc is None else "exited with code %s" % rc
        msg = "kiosque did not start: %s\ncommand: %s\n--- stderr:\n%s" % (why, " ".join(argv), self.log())
        sys.stderr.write(msg + "\n")
        self._kill()
        raise RuntimeError(msg)

    def _wait_healthy(self):
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz")
                status = conn.getresponse().status
                conn.close()
                if status == 200:
                    return True
            except OSError:
                pass
            time.sleep(0.05)
        return False

    # -- stopping

    def _stop_server(self, timeout=15):
        """SIGTERM the binary, wait for it, assert it exited 0."""
        p, self.proc = self.proc, None
        if p is None:
            return
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
                raise AssertionError("kiosque did not exit within %ss of SIGTERM\n--- stderr:\n%s"
                                     % (timeout, self.log()))
        if p.returncode != 0:
            raise AssertionError("kiosque exited with code %s\n--- stderr:\n%s" % (p.returncode, self.log()))

    def restart(self, args=None, env=None):
        """Stop the binary (asserting exit 0), start it again on the same DB, sink and (if free) port.
        args/env, when given, replace those of the constructor."""
        self._stop_server()
        if args is not None:
            self.args = [args] if isinstance(args, str) else list(args)
        if env is not None:
            self.env = dict(env)
        return self.start()

    def stop(self):
        """SIGTERM the binary and wait, asserting exit code 0; stop the sink; delete the temp dir."""
        if self._stopped:
            return
        try:
            self._stop_server()
        finally:
            self._kill()

    def _kill(self):
        """Hard cleanup, idempotent: kill whatever still runs, keep the log text, remove the temp dir."""
        if self._stopped:
            return
        self._stopped = True
        for p in (self.proc, self.sink):
            if p is not None and p.poll() is None:
                p.terminate() if p is self.sink else p.kill()
                try:
                    p.wait(5)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        if self.sink is not None:
            self.sink.stdout.close()
            self._sink_err.close()
        self._log_text = self.log()
        if self in _live:
            _live.remove(self)
        if os.environ.get("KIOSQUE_TEST_KEEP") == "1":
            sys.stderr.write("kiosque_test: kept %s\n" % self.tmp)
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.stop()
        else:  # do not hide the test's own error behind a shutdown error
            try:
                self.stop()
            except Exception as e:
                sys.stderr.write("kiosque_test: while stopping after an error: %s\n" % e)

    # -- observing

    def log(self):
        """The server's stderr (and stdout) so far; still available after stop()."""
        if self._log_text is not None:
            return self._log_text
        try:
            with open(self.logfile, encoding="utf-8", errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def client(self):
        return Client(self.url)

    def mails(self):
        """Received mails (email.message.EmailMessage, policy default), in arrival order."""
        return [m for _, m in _read_maildir(self.maildir)]

    def wait_mail(self, to=None, subject_contains=None, timeout=10, since=0):
        """Wait for the first mail (among mails()[since:]) sent to `to` (envelope or To:, case-insensitive)
        whose Subject contains `subject_contains`; return it, or raise AssertionError after timeout seconds."""
        deadline = time.monotonic() + timeout
        while True:
            ms = self.mails()
            for m in ms[since:]:
                if to is not None and to.lower() not in (
                        (m.get("X-Rcpt-To", "") + "," + str(m.get("To", ""))).lower()):
                    continue
                if subject_contains is not None and subject_contains not in str(m.get("Subject", "")):
                    continue
                return m
            if time.monotonic() > deadline:
                got = ["to=%s subject=%r" % (m.get("X-Rcpt-To"), str(m.get("Subject"))) for m in ms]
                raise AssertionError("no mail to=%r subject_contains=%r within %ss; received: %s"
                                     % (to, subject_contains, timeout, got or "none"))
            time.sleep(0.1)


def _read_maildir(maildir):
    try:
        names = [f for f in os.listdir(maildir) if f.endswith(".eml") and f[:-4].isdigit()]
    except FileNotFoundError:
        return []
    out = []
    for f in sorted(names, key=lambda f: int(f[:-4])):
        with open(os.path.join(maildir, f), "rb") as fh:
            out.append((f, email.message_from_bytes(fh.read(), policy=email.policy.default)))
    return out


# ---------------------------------------------------------------------------------------------------- mail


def mail_text(msg):
    """The text/plain body of a mail, transfer-decoded, as str with \\n line ends."""
    part = msg.get_body(preferencelist=("plain",)) if hasattr(msg, "get_body") else None
    if part is None:
        for p in msg.walk():
            if p.get_content_type() == "text/plain":
                part = p
                break
    if part is None:
        raise AssertionError("mail has no text/plain part: %r" % msg.get("Subject"))
    payload = part.get_payload(decode=True) or b""
    text = payload.decode(part.get_content_charset() or "utf-8", errors="replace")
    return text.replace("\r\n", "\n")


def first_link(text, prefix):
    """The first URL in text starting with prefix (e.g. server.url + "/confirm/"); AssertionError if none."""
    m = re.search(re.escape(prefix) + r"[^\s<>\"')\]]*", text)
    if not m:
        raise AssertionError("no link starting with %r in:\n%s" % (prefix, text))
    return m.group(0)


# ---------------------------------------------------------------------------------------------------- HTML

_ATTR = re.compile(r"""([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?""")


def _attrs(tag):
    body = re.sub(r"^<\s*[\w-]+", "", tag).rstrip(">").rstrip("/")
    return {m.group(1).lower(): htmllib.unescape(m.group(2) or m.group(3) or m.group(4) or "")
            for m in _ATTR.finditer(body)}


def forms(html):
    """[(form attributes dict, {input name: value})] for every <form> of the page (inputs only)."""
    out = []
    for fm in re.finditer(r"<form\b[^>]*>(.*?)</form\s*>", html, re.S | re.I):
        fields = {}
        for im in re.finditer(r"<input\b[^>]*>", fm.group(1), re.I):
            a = _attrs(im.group(0))
            if "name" in a:
                fields.setdefault(a["name"], a.get("value", ""))
        out.append((_attrs(re.match(r"<form\b[^>]*>", fm.group(0), re.I).group(0)), fields))
    return out


def csrf(html, action=None):
    """Value of the hidden input named _csrf: in the first form that has one (or the form whose action
    attribute equals `action`). AssertionError if none."""
    for attrs, fields in forms(html):
        if action is not None and attrs.get("action") != action:
            continue
        if "_csrf" in fields:
            return fields["_csrf"]
    raise AssertionError("no _csrf hidden input%s in page:\n%s"
                         % ("" if action is None else " in form action=%r" % action, html[:2000]))


# ---------------------------------------------------------------------------------------------------- HTTP


class Response:
    """status, reason, headers (case-insensitive .get/.get_all), body (str), raw (bytes), json(),
    location, method and path of the request."""

    def __init__(self, method, path, resp, raw, req_body=None, req_headers=None):
        self.method, self.path = method, path
        self.req_body, self.req_headers = req_body, req_headers or {}
        self.status, self.reason = resp.status, resp.reason
        self.headers = resp.headers
        self.raw = raw
        self.body = raw.decode("utf-8", errors="replace")
        if (self.headers.get("Content-Type") or "").startswith("text/html"):
            _assert_unique_ids(self)

    text = property(lambda self: self.body)
    location = property(lambda self: self.headers.get("Location"))

    def header(self, name, default=None):
        return self.headers.get(name, default)

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            raise AssertionError("%s %s: not JSON (status %d): %s" % (self.method, self.path, self.status,
                                                                      self.body[:500]))

    def __repr__(self):
        return "<Response %s %s -> %d>" % (self.method, self.path, self.status)


_ID = re.compile(r'<[a-zA-Z][^>]*?\sid="([^"]*)"')


def _assert_unique_ids(r):
    """Every page the tests load: an id used twice breaks label "for", aria-describedby and error links."""
    seen, dups = set(), set()
    for i in _ID.findall(r.body):
        (dups if i in seen else seen).add(i)
    if dups:
        raise AssertionError("%s %s: ids used more than once: %s" % (r.method, r.path, ", ".join(sorted(dups))))


class Client:
    """One browser-like user: keeps cookies, never follows redirects by itself (see follow())."""

    def __init__(self, base_url, timeout=30):
        u = urllib.parse.urlsplit(base_url)
        self.base_url = base_url.rstrip("/")
        self.host, self.port = u.hostname, u.port or 80
        self.timeout = timeout
        self.cookies = {}

    def request(self, method, path, body=None, headers=None, token=None):
        h = {}
        if self.cookies:
            h["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        if token:
            h["Authorization"] = "Bearer " + token
        h.update(headers or {})
        if isinstance(body, str):
            body = body.encode("utf-8")
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            conn.request(method, path, body=body, headers=h)
            resp = conn.getresponse()
            raw = resp.read()
        finally:
            conn.close()
        self._store_cookies(resp.headers.get_all("Set-Cookie") or [])
        return Response(method, path, resp, raw, body, {k: v for k, v in h.items() if k.lower() != "cookie"})

    def _store_cookies(self, set_cookies):
        for sc in set_cookies:
            parts = [p.strip() for p in sc.split(";")]
            if "=" not in parts[0]:
                continue
            name, value = parts[0].split("=", 1)
            delete = False
            for attr in parts[1:]:
                k, _, v = attr.partition("=")
                k = k.strip().lower()
                if k == "max-age":
                    try:
                        delete = int(v) <= 0
                    except ValueError:
                        pass
                elif k == "expires":
                    try:
                        delete = email.utils.parsedate_to_datetime(v).timestamp() < time.time()
                    except (TypeError, ValueError):
                        pass
            if delete:
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value.strip()

    def get(self, path, headers=None, token=None):
        return self.request("GET", path, headers=headers, token=token)

    def post_form(self, path, fields=(), files=None, headers=None):
        """fields: dict or list of (name, value) pairs (repeat a name for several values).
        files: dict or list of (name, (filename, bytes, content_type)) -> multipart/form-data."""
        pairs = list(fields.items()) if isinstance(fields, dict) else list(fields)
        h = dict(headers or {})
        if files:
            boundary = "----kiosque" + uuid.uuid4().hex
            chunks = []
            for name, value in pairs:
                chunks.append(('--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n'
                               % (boundary, name)).encode() + str(value).encode("utf-8") + b"\r\n")
            for name, f in (files.items() if isinstance(files, dict) else files):
                filename, data, ctype = (tuple(f) + ("application/octet-stream",))[:3]
                if isinstance(data, str):
                    data = data.encode("utf-8")
                chunks.append(('--%s\r\nContent-Disposition: form-data; name="%s"; filename="%s"\r\n'
                               'Content-Type: %s\r\n\r\n' % (boundary, name, filename, ctype)).encode("utf-8")
                              + data + b"\r\n")
            body = b"".join(chunks) + ("--%s--\r\n" % boundary).encode()
            h.setdefault("Content-Type", "multipart/form-data; boundary=" + boundary)
        else:
            body = urllib.parse.urlencode([(k, str(v)) for k, v in pairs]).encode()
            h.setdefault("Content-Type", "application/x-www-form-urlencoded")
        return self.request("POST", path, body=body, headers=h)

    def _json(self, method, path, obj, token, headers):
        h = {"Accept": "application/json"}
        body = None
        if obj is not None:
            body = json.dumps(obj).encode("utf-8")
            h["Content-Type"] = "application/json"
        h.update(headers or {})
        return self.request(method, path, body=body, headers=h, token=token)

    def get_json(self, path, token=None, headers=None):
        return self._json("GET", path, None, token, headers)

    def post_json(self, path, obj, token=None, headers=None):
        return self._json("POST", path, obj, token, headers)

    def put_json(self, path, obj, token=None, headers=None):
        return self._json("PUT", path, obj, token, headers)

    def patch_json(self, path, obj, token=None, headers=None):
        return self._json("PATCH", path, obj, token, headers)

    def delete(self, path, obj=None, token=None, headers=None):
        return self._json("DELETE", path, obj, token, headers)

    def follow(self, resp, max_hops=10):
        """Follow redirects from resp like a browser: GET for 301/302/303, same method and body for 307/308.
        Returns the first non-redirect response."""
        for _ in range(max_hops):
            if resp.status not in (301, 302, 303, 307, 308):
                return resp
            loc = resp.location
            if not loc:
                raise AssertionError("%r: redirect without Location" % resp)
            target = urllib.parse.urljoin(self.base_url + resp.path, loc)
            u = urllib.parse.urlsplit(target)
            if (u.hostname, u.port or 80) != (self.host, self.port):
                raise AssertionError("%r redirects off-site to %s" % (resp, loc))
            path = urllib.parse.urlunsplit(("", "", u.path or "/", u.query, ""))
            if resp.status in (307, 308):
                resp = self.request(resp.method, path, body=resp.req_body, headers=resp.req_headers)
            else:
                resp = self.get(path)
        raise AssertionError("more than %d redirects, last: %r -> %s" % (max_hops, resp, resp.location))


# ---------------------------------------------------------------------------------------------------- CLI


def _cli(argv):
    if len(argv) == 3 and argv[1] == "mails":
        out = []
        for f, m in _read_maildir(argv[2]):
            try:
                text = mail_text(m)
            except AssertionError:
                text = ""
            out.append({"file": f, "to": [a.strip() for a in m.get("X-Rcpt-To", "").split(",") if a.strip()],
                        "from": m.get("X-Mail-From", ""), "subject": str(m.get("Subject", "")), "text": text,
                        "headers": {k: str(v) for k, v in m.items()}})
        json.dump(out, sys.stdout, ensure_ascii=False)
        return 0
    sys.stderr.write("usage: kiosque_test.py mails MAILDIR\n")
    return 2


if __name__ == "__main__":
    sys.exit(_cli(sys.argv))
