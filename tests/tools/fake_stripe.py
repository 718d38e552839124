#!/usr/bin/python3
# Fake Stripe for tests: the subset of the Stripe API core/payments_stripe.c uses, and signed webhooks back.
"""
Usage: /usr/bin/python3 fake_stripe.py --port 0 --secret-key sk_test_x --webhook-secret whsec_x
                                       [--webhook-url http://127.0.0.1:PORT/paiements/webhook/stripe]

The actual port is printed alone on the first stdout line; then it serves until SIGTERM/SIGINT.
Stdlib only (Debian's /usr/bin/python3). Money is integer cents, as in Stripe.

Stripe API subset (form-encoded bodies, "Authorization: Bearer <secret key>", JSON answers,
errors as {"error": {"type", "message"}} with Stripe's status codes):
  POST /v1/checkout/sessions        mode=payment, success_url, cancel_url, client_reference_id,
                                    customer_email, expires_at (30 min .. 24 h ahead),
                                    line_items[0][quantity], line_items[0][price_data][currency|unit_amount|
                                    product_data][name]], metadata[...], payment_intent_data[metadata][...]
  GET  /v1/checkout/sessions/{id}
  POST /v1/refunds                  payment_intent, amount (<= what is left to refund)
  POST /v1/payment_intents          off-session renewals: amount, currency, customer, payment_method,
                                    confirm=true, off_session=true, metadata[...], expand[]=
                                    latest_charge.balance_transaction; a declined card answers 402
                                    card_error (code card_declined)
A session created with payment_intent_data[setup_future_usage]=off_session (and customer_creation=
always) saves the card when paid: the session gets a customer (cus_...) and its payment intent
a customer and a payment_method (pm_...), as Stripe's.
Idempotency-Key on POST, as Stripe: the first answer (status and body) is replayed for the same key
and the same parameters; the same key with other parameters is a 400 idempotency_error.

Test controls (not Stripe):
  POST /_test/sessions/{id}/pay     the buyer pays: the session becomes complete/paid with a
                                    payment_intent; answers {"event": <raw payload>, "signature":
                                    "t=...,v1=..."} for a checkout.session.completed event (also
                                    POSTed to --webhook-url when given, result in "delivered")
  POST /_test/sessions/{id}/expire  the session expires (event checkout.session.expired likewise)
  POST /_test/event?type=T&session=ID   a signed event of any type about a session (or none)
  POST /_test/fail-next?count=N&status=S  the next N API calls answer S (default 500)
  POST /_test/clock?offset=N        the fake's clock runs N seconds ahead (the C tests' tl_set_clock)
  POST /_test/decline?count=N       the next N off-session charges are declined (a card that fails)
  GET  /_test/state                 counts: sessions, refunds, api calls per route, refunded amounts;
                                    last_session: the id of the session created last; off_session:
                                    off-session charges that succeeded, charged: their sum
"""
import argparse
import hashlib
import hmac
import json
import secrets
import signal
import sys
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class State:
    def __init__(self, secret_key, webhook_secret, webhook_url):
        self.lock = threading.Lock()
        self.secret_key = secret_key
        self.webhook_secret = webhook_secret
        self.webhook_url = webhook_url
        self.sessions = {}
        self.intents = {}  # pi id -> {"amount", "refunded", "currency"}
        self.refunds = {}
        self.idem = {}  # key -> (params, status, body)
        self.fail_next = 0
        self.fail_status = 500
        self.offset = 0
        self.calls = {}
        self.customers = {}  # cus id -> payment method id
        self.decline_next = 0
        self.off_session = 0
        self.charged = 0

    def now(self):
        return int(time.time()) + self.offset

    def sign(self, payload):
        t = str(self.now())
        mac = hmac.new(self.webhook_secret.encode(), (t + ".").encode() + payload, hashlib.sha256)
        return "t=%s,v1=%s" % (t, mac.hexdigest())


def new_id(prefix):
    return prefix + secrets.token_hex(12)


def error(status, typ, message, param=None):
    e = {"type": typ, "message": message}
    if param:
        e["param"] = param
    return status, {"error": e}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeStripe/1"

    def log_message(self, fmt, *args):  # quiet: tests read stdout for the port only
        pass

    def reply(self, status, obj):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    # ---- routing ----

    def do_GET(self):
        self.route("GET")

    def do_POST(self):
        self.route("POST")

    def route(self, method):
        st = self.server.state
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        query = dict(urllib.parse.parse_qsl(url.query))
        raw = self.body()
        if path.startswith("/_test/"):
            return self.control(method, path, query)
        parts = path.strip("/").split("/")
        key = "%s %s" % (method, "/".join(p if not p.startswith(("cs_", "re_")) else "{id}" for p in parts))
        with st.lock:
            st.calls[key] = st.calls.get(key, 0) + 1
            if self.headers.get("Authorization") != "Bearer " + st.secret_key:
                return self.reply(*error(401, "invalid_request_error", "Invalid API Key provided"))
            if st.fail_next > 0:
                st.fail_next -= 1
                return self.reply(*error(st.fail_status, "api_error", "Simulated outage"))
            params = dict(urllib.parse.parse_qsl(raw.decode(), keep_blank_values=True))
            idem = self.headers.get("Idempotency-Key") if method == "POST" else None
            if idem:
                seen = st.idem.get(idem)
                if seen:
                    if seen[0] != (path, params):
                        return self.reply(*error(400, "idempotency_error",
                                                 "Keys for idempotent requests can only be used with the same parameters"))
                    return self.reply(seen[1], seen[2])
            if method == "POST" and path == "/v1/checkout/sessions":
                status, obj = self.create_session(params)
            elif method == "GET" and len(parts) == 4 and parts[:3] == ["v1", "checkout", "sessions"]:
                s = st.sessions.get(parts[3])
                status, obj = (200, s) if s else error(404, "invalid_request_error",
                                                       "No such checkout.session: %s" % parts[3])
                if s and query.get("expand[]") == "payment_intent.latest_charge.balance_transaction":
                    obj = self.expanded(s)
            elif method == "POST" and path == "/v1/refunds":
                status, obj = self.create_refund(params)
            elif method == "POST" and path == "/v1/payment_intents":
                status, obj = self.create_intent(params)
            else:
                status, obj = error(404, "invalid_request_error", "Unrecognized request URL")
            if idem:
                st.idem[idem] = ((path, params), status, obj)
            return self.reply(status, obj)

    def create_session(self, p):
        st = self.server.state
        for k in ("mode", "success_url", "line_items[0][price_data][currency]",
                  "line_items[0][price_data][unit_amount]", "line_items[0][quantity]"):
            if not p.get(k):
                return error(400, "invalid_request_error", "Missing required param: " + k, k)
        if p["mode"] != "payment":
            return error(400, "invalid_request_error", "Invalid mode", "mode")
        amount = int(p["line_items[0][price_data][unit_amount]"]) * int(p["line_items[0][quantity]"])
        if amount <= 0:
            return error(400, "invalid_request_error", "Invalid amount", "unit_amount")
        now = st.now()
        expires = int(p.get("expires_at") or now + 86400)
        if expires < now + 1800 - 5 or expires > now + 86400:
            return error(400, "invalid_request_error",
                         "The `expires_at` timestamp must be between 30 minutes and 24 hours from now.",
                         "expires_at")
        sid = new_id("cs_test_")
        port = self.server.server_address[1]
        s = {
            "id": sid, "object": "checkout.session", "mode": "payment",
            "url": "http://127.0.0.1:%d/pay/%s" % (port, sid),
            "status": "open", "payment_status": "unpaid", "payment_intent": None,
            "amount_total": amount, "currency": p["line_items[0][price_data][currency]"],
            "client_reference_id": p.get("client_reference_id"),
            "customer_email": p.get("customer_email"), "expires_at": expires,
            "success_url": p.get("success_url"), "cancel_url": p.get("cancel_url"),
            "metadata": {k[9:-1]: v for k, v in p.items() if k.startswith("metadata[")},
            "created": now, "customer": None,
            "_save": p.get("payment_intent_data[setup_future_usage]") == "off_session",
        }
        st.sessions[sid] = s
        return 200, s

    def expanded(self, s):
        """The session with its payment intent, charge and balance transaction (Stripe's fee) inlined."""
        st = self.server.state
        obj = dict(s)
        pi = st.intents.get(s.get("payment_intent") or "")
        if pi:
            obj["payment_intent"] = {
                "id": s["payment_intent"], "object": "payment_intent", "amount": pi["amount"],
                "currency": pi["currency"], "status": "succeeded",
                "customer": pi.get("customer"), "payment_method": pi.get("payment_method"),
                "latest_charge": {"id": pi["charge"], "object": "charge", "amount": pi["amount"],
                                  "balance_transaction": {
                                      "id": pi["txn"], "object": "balance_transaction", "amount": pi["amount"],
                                      "currency": pi["currency"], "fee": pi["fee"],
                                      "net": pi["amount"] - pi["fee"]}}}
        return obj

    def create_intent(self, p):
        """An off-session payment on a saved card (monthly renewals)."""
        st = self.server.state
        for k in ("amount", "currency", "customer", "payment_method"):
            if not p.get(k):
                return error(400, "invalid_request_error", "Missing required param: " + k, k)
        if p.get("confirm") != "true" or p.get("off_session") != "true":
            return error(400, "invalid_request_error", "Only confirmed off-session intents here", "confirm")
        if st.customers.get(p["customer"]) != p["payment_method"]:
            return error(400, "invalid_request_error", "No such payment_method attached", "payment_method")
        amount = int(p["amount"])
        if amount <= 0:
            return error(400, "invalid_request_error", "Invalid amount", "amount")
        pid = new_id("pi_test_")
        if st.decline_next > 0:
            st.decline_next -= 1
            e = {"type": "card_error", "code": "card_declined", "decline_code": "insufficient_funds",
                 "message": "Your card has insufficient funds.",
                 "payment_intent": {"id": pid, "object": "payment_intent", "status": "requires_payment_method"}}
            return 402, {"error": e}
        fee = (amount * 15 + 500) // 1000 + 25
        pi = {"amount": amount, "refunded": 0, "currency": p["currency"], "fee": fee,
              "charge": new_id("ch_test_"), "txn": new_id("txn_test_"),
              "customer": p["customer"], "payment_method": p["payment_method"]}
        st.intents[pid] = pi
        st.off_session += 1
        st.charged += amount
        obj = {"id": pid, "object": "payment_intent", "amount": amount, "amount_received": amount,
               "currency": p["currency"], "status": "succeeded", "customer": p["customer"],
               "payment_method": p["payment_method"],
               "metadata": {k[9:-1]: v for k, v in p.items() if k.startswith("metadata[")},
               "latest_charge": {"id": pi["charge"], "object": "charge", "amount": amount,
                                 "balance_transaction": {"id": pi["txn"], "object": "balance_transaction",
                                                         "amount": amount, "currency": p["currency"],
                                                         "fee": fee, "net": amount - fee}}}
        return 200, obj

    def create_refund(self, p):
        st = self.server.state
        pi = st.intents.get(p.get("payment_intent", ""))
        if not pi:
            return error(400, "invalid_request_error", "No such payment_intent", "payment_intent")
        amount = int(p.get("amount") or pi["amount"] - pi["refunded"])
        if amount <= 0 or pi["refunded"] + amount > pi["amount"]:
            return error(400, "invalid_request_error",
                         "Refund amount is greater than unrefunded amount on charge", "amount")
        pi["refunded"] += amount
        rid = new_id("re_test_")
        r = {"id": rid, "object": "refund", "amount": amount, "currency": pi["currency"],
             "payment_intent": p["payment_intent"], "status": "succeeded", "created": st.now()}
        st.refunds[rid] = r
        return 200, r

    # ---- test controls ----

    def event(self, typ, obj):
        st = self.server.state
        ev = {"id": new_id("evt_test_"), "object": "event", "type": typ, "created": st.now(),
              "api_version": "2024-06-20", "data": {"object": obj}}
        payload = json.dumps(ev).encode()
        out = {"event": payload.decode(), "signature": st.sign(payload), "id": ev["id"]}
        if st.webhook_url:
            req = urllib.request.Request(st.webhook_url, data=payload, method="POST",
                                         headers={"Content-Type": "application/json",
                                                  "Stripe-Signature": out["signature"]})
            try:
                with urllib.request.urlopen(req, timeout=10) as r:
                    out["delivered"] = r.status
            except urllib.error.HTTPError as e:
                out["delivered"] = e.code
            except OSError as e:
                out["delivered"] = str(e)
        return out

    def control(self, method, path, q):
        st = self.server.state
        parts = path.strip("/").split("/")
        if method == "GET" and path == "/_test/state":
            with st.lock:
                return self.reply(200, {
                    "sessions": len(st.sessions), "refunds": len(st.refunds),
                    "last_session": next(reversed(st.sessions)) if st.sessions else None,
                    "refunded": sum(r["amount"] for r in st.refunds.values()),
                    "calls": st.calls, "off_session": st.off_session, "charged": st.charged,
                })
        if method != "POST":
            return self.reply(404, {})
        if path == "/_test/fail-next":
            with st.lock:
                st.fail_next = int(q.get("count", 1))
                st.fail_status = int(q.get("status", 500))
            return self.reply(200, {"fail_next": st.fail_next})
        if path == "/_test/decline":
            with st.lock:
                st.decline_next = int(q.get("count", 1))
            return self.reply(200, {"decline_next": st.decline_next})
        if path == "/_test/clock":
            with st.lock:
                st.offset = int(q.get("offset", 0))
            return self.reply(200, {"offset": st.offset})
        if path == "/_test/event":
            with st.lock:
                s = st.sessions.get(q.get("session", ""), {"id": q.get("session", ""),
                                                           "object": "checkout.session"})
                obj = dict(s)
            return self.reply(200, self.event(q.get("type", "checkout.session.completed"), obj))
        if len(parts) == 4 and parts[1] == "sessions" and parts[3] in ("pay", "expire"):
            with st.lock:
                s = st.sessions.get(parts[2])
                if not s:
                    return self.reply(404, {"error": "no such session"})
                if parts[3] == "pay":
                    if s["status"] != "open":
                        return self.reply(409, {"error": "session is " + s["status"]})
                    pi = new_id("pi_test_")
                    # Stripe's European card pricing: 1.5 % + 0.25 EUR, rounded to the cent.
                    fee = (s["amount_total"] * 15 + 500) // 1000 + 25
                    st.intents[pi] = {"amount": s["amount_total"], "refunded": 0, "currency": s["currency"],
                                      "fee": fee, "charge": new_id("ch_test_"), "txn": new_id("txn_test_")}
                    if s.get("_save"):
                        cus, pm = new_id("cus_test_"), new_id("pm_test_")
                        st.customers[cus] = pm
                        st.intents[pi].update(customer=cus, payment_method=pm)
                        s["customer"] = cus
                    s.update(status="complete", payment_status="paid", payment_intent=pi)
                    typ = "checkout.session.completed"
                else:
                    s.update(status="expired")
                    typ = "checkout.session.expired"
                obj = dict(s)
            return self.reply(200, self.event(typ, obj))
        return self.reply(404, {})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--secret-key", default="sk_test_kiosque")
    ap.add_argument("--webhook-secret", default="whsec_kiosque")
    ap.add_argument("--webhook-url", default="")
    args = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    srv.daemon_threads = True
    srv.state = State(args.secret_key, args.webhook_secret, args.webhook_url)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=srv.shutdown).start())
    print(srv.server_address[1], flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    srv.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
