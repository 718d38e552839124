# t0010-server.py: the server itself: command line, headers, error pages, limits, static files, shutdown.
import os
import re
import socket
import subprocess
import threading
import time
import unittest

from kiosque_test import Server, Client, csrf, kiosque_bin

SECURITY_HEADERS = ["Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy"]


class CommandLine(unittest.TestCase):
    def run_bin(self, *args, env=None):
        e = dict(os.environ)
        e.update(env or {})
        return subprocess.run([kiosque_bin(), *args], capture_output=True, text=True, timeout=30, env=e)

    def test_help_lists_every_command(self):
        r = self.run_bin("--help")
        self.assertEqual(r.returncode, 0)
        for word in ["serve", "migrate", "admin create", "--listen", "--db", "--smtp", "--base-url", "--demo"]:
            self.assertIn(word, r.stdout)

    def test_unknown_flag_exits_non_zero_with_one_sentence(self):
        r = self.run_bin("serve", "--bogus")
        self.assertNotEqual(r.returncode, 0)
        self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)
        self.assertIn("--bogus", r.stderr)

    def test_bad_listen_value_is_refused(self):
        r = self.run_bin("serve", "--listen", "nonsense")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("ADDR:PORT", r.stderr)

    def test_unreachable_database_exits_non_zero_with_one_sentence(self):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        r = self.run_bin("migrate", "--db", "postgres://nobody@127.0.0.1:%d/none" % port)
        self.assertNotEqual(r.returncode, 0)
        self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)
        self.assertIn("PostgreSQL", r.stderr)

    def test_unknown_database_scheme_is_refused(self):
        r = self.run_bin("migrate", "--db", "mysql://x")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("sqlite:PATH", r.stderr)

    def test_admin_create_prints_a_link_to_choose_the_password(self):
        import tempfile
        with tempfile.TemporaryDirectory() as d:
            db = "sqlite:%s/k.db" % d
            r = self.run_bin("admin", "create", "maire@example.org", "--db", db,
                             "--base-url", "https://kiosque.example.org")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertRegex(r.stdout, r"https://kiosque\.example\.org/mot-de-passe/nouveau\?jeton=[0-9a-f]{64}")
            r = self.run_bin("admin", "create", "not-an-address", "--db", db)
            self.assertNotEqual(r.returncode, 0)
            self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)
            r = self.run_bin("admin", "delete", "x@example.org", "--db", db)
            self.assertNotEqual(r.returncode, 0)

    def test_settings_come_from_the_environment(self):
        r = self.run_bin("migrate", env={"KIOSQUE_DB": "bogus:x"})
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("bogus:x", r.stderr)


class Pages(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = Server(env={"KIOSQUE_MAX_BODY": str(256 * 1024)})
        cls.c = cls.srv.client()

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()

    def test_home_page_has_the_navigation_and_security_headers(self):
        r = self.c.get("/")
        self.assertEqual(r.status, 200)
        for h in SECURITY_HEADERS:
            self.assertTrue(r.header(h), h)
        csp = r.header("Content-Security-Policy")
        self.assertNotIn("unsafe-inline", csp)
        self.assertIn("frame-ancestors 'none'", csp)
        for label in ["Accueil", "Actualités", "Événements", "Annuaire", "Soutenir", "Adhésions", "Nous contacter"]:
            self.assertIn(">%s</a>" % label, r.body)
        self.assertIn('<html lang="fr"', r.body)
        self.assertIn('href="#main"', r.body)

    def test_every_section_answers(self):
        for path in ["/actualites", "/evenements", "/soutenir", "/adhesions", "/nous-contacter", "/annuaire"]:
            r = self.c.get(path)
            self.assertEqual(r.status, 200, path)
            self.assertIn('aria-current="page"', r.body, path)

    def test_unknown_page_gets_a_404_page_that_says_what_to_do(self):
        r = self.c.get("/nulle-part")
        self.assertEqual(r.status, 404)
        self.assertIn("Page introuvable", r.body)
        self.assertIn('href="/"', r.body)
        self.assertTrue(r.header("Content-Security-Policy"))

    def test_wrong_method_gets_405(self):
        r = self.c.request("DELETE", "/")
        self.assertEqual(r.status, 405)

    def test_post_without_csrf_token_is_refused_with_403(self):
        r = self.c.post_form("/preferences", {"lang": "en", "next": "/"})
        self.assertEqual(r.status, 403)
        self.assertIn("expiré", r.body)

    def test_cross_site_post_is_refused_even_with_the_token(self):
        c = self.srv.client()
        token = csrf(c.get("/").body)
        r = c.post_form("/preferences", {"_csrf": token, "lang": "en", "next": "/"},
                        headers={"Origin": "https://evil.example"})
        self.assertEqual(r.status, 403)

    def test_origin_null_is_ours_only_when_the_browser_says_same_origin(self):
        # A page with Referrer-Policy: no-referrer makes Chromium send "Origin: null" with its own forms.
        c = self.srv.client()
        token = csrf(c.get("/").body)
        fields = {"_csrf": token, "lang": "fr", "next": "/"}
        for fetch_site, status in (("same-origin", 303), ("cross-site", 403), ("same-site", 403), (None, 403)):
            h = {"Origin": "null"}
            if fetch_site:
                h["Sec-Fetch-Site"] = fetch_site
            self.assertEqual(c.post_form("/preferences", fields, headers=h).status, status, fetch_site)

    def test_english_from_accept_language_and_from_the_switch(self):
        c = self.srv.client()
        r = c.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})
        self.assertIn('<html lang="en"', r.body)
        self.assertIn(">Home</a>", r.body)
        c2 = self.srv.client()
        token = csrf(c2.get("/").body)
        r = c2.post_form("/preferences", {"_csrf": token, "lang": "en", "next": "/annuaire"})
        self.assertEqual(r.status, 303)
        self.assertEqual(r.header("Location"), "/annuaire")
        self.assertIn('<html lang="en"', c2.get("/").body)

    def test_large_text_choice_is_remembered(self):
        c = self.srv.client()
        token = csrf(c.get("/").body)
        c.post_form("/preferences", {"_csrf": token, "large_text": "1", "next": "/"})
        self.assertIn('class="large-text"', c.get("/").body)
        self.assertIn('class="large-text"', c.get("/annuaire").body)
        token = csrf(c.get("/").body)
        c.post_form("/preferences", {"_csrf": token, "large_text": "0", "next": "/"})
        self.assertNotIn('class="large-text"', c.get("/").body)

    def test_preferences_never_redirect_off_site(self):
        c = self.srv.client()
        token = csrf(c.get("/").body)
        for bad in ["//evil.example/", "https://evil.example/", "/\\evil.example"]:
            r = c.post_form("/preferences", {"_csrf": token, "lang": "fr", "next": bad})
            self.assertEqual(r.header("Location"), "/", bad)

    def test_body_over_the_limit_gets_a_413_page(self):
        c = self.srv.client()
        token = csrf(c.get("/").body)
        r = c.post_form("/preferences", {"_csrf": token, "next": "/", "big": "x" * (300 * 1024)})
        self.assertEqual(r.status, 413)
        self.assertIn("trop volumineux", r.body)
        self.assertEqual(c.get("/").status, 200)

    def test_refusals_of_the_transport_are_pages_too(self):
        r = self.c.get("/annuaire?q=" + "x" * 3000)
        self.assertEqual(r.status, 414)
        self.assertIn("Adresse trop longue", r.body)
        self.assertIn('href="/"', r.body)
        r = self.c.get("/api/v1/orgs?q=" + "x" * 3000)
        self.assertEqual(r.status, 414)
        self.assertEqual(r.json()["error"]["code"], "uri_too_long")

    def test_static_asset_has_etag_and_answers_304(self):
        home = self.c.get("/").body
        href = re.search(r'href="(/static/css/kiosque\.css\?v=[0-9a-f]+)"', home).group(1)
        r = self.c.get(href)
        self.assertEqual(r.status, 200)
        self.assertIn("text/css", r.header("Content-Type"))
        self.assertIn("immutable", r.header("Cache-Control"))
        etag = r.header("ETag")
        self.assertTrue(etag)
        r2 = self.c.get(href, headers={"If-None-Match": etag})
        self.assertEqual(r2.status, 304)

    def test_malformed_requests_get_4xx_and_the_server_stays_up(self):
        raw = [
            b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
            b"GARBAGE\r\n\r\n",
            b"GET /" + b"a" * 5000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
            b"POST /preferences HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=zz\r\n"
            b"Content-Length: 20\r\n\r\n--zz\r\nbroken!!!!",
            b"POST /connexion HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: 9\r\n\r\n%%%%&&==%",
            b"GET /%00%ff%fe HTTP/1.1\r\nHost: x\r\n\r\n",
        ]
        for payload in raw:
            # No half-close: libmicrohttpd 0.9.75's epoll loop can miss a FIN that
            # arrives with the last bytes, and would wait for its 30 s timeout.
            s = socket.create_connection(("127.0.0.1", self.srv.port), timeout=2)
            s.sendall(payload)
            data = b""
            try:
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    data += chunk
            except (socket.timeout, ConnectionResetError):
                pass
            s.close()
            m = re.match(rb"HTTP/1\.[01] (\d{3})", data)
            if m:
                self.assertTrue(400 <= int(m.group(1)) < 500, (payload[:60], data[:200]))
            self.assertEqual(self.c.get("/healthz").status, 200, payload[:60])

    def test_access_log_has_one_line_per_request(self):
        self.c.get("/annuaire?trace=1")
        time.sleep(0.2)
        self.assertRegex(self.srv.log(), r"GET /annuaire 200 ")


class Shutdown(unittest.TestCase):
    def test_sigterm_lets_a_request_in_flight_finish(self):
        srv = Server()
        # A slow upload keeps a request in flight while SIGTERM arrives.
        s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
        body = b"lang=fr&next=%2F&pad=" + b"x" * 1000
        s.sendall(b"POST /preferences HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                  b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body))
        s.sendall(body[:10])
        time.sleep(0.3)
        srv.proc.terminate()
        time.sleep(0.3)
        s.sendall(body[10:])
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        s.close()
        self.assertRegex(data, rb"^HTTP/1\.1 (403|303)")
        srv.stop()
        self.assertIn("stopped", srv.log())


if __name__ == "__main__":
    unittest.main()
