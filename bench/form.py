#!/usr/bin/env python3
"""form.py: reads the checkout form of an event page and writes the body that bench/checkout.lua posts.

Usage: form.py EVENT_PAGE.html CSRF_TOKEN [PROVIDER] > body

The form is the one whose action ends in /commander. Every field it has is sent, as a browser
would send it: hidden fields as they are (the shown prices, the date), except _csrf (CSRF_TOKEN,
also sent as the kq_csrf cookie) and idem (__IDEM__, which checkout.lua replaces with a key of its
own for each request); the first quantity list at 1 and the others at 0; the buyer's name and
e-mail (made unique with __N__); the payment method PROVIDER when the form offers it, else the
one checked; every other text field empty. Prints the form's action on the first line and the
body on the second.
"""
import sys
import urllib.parse
from html.parser import HTMLParser


class Form(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []   # (action, fields)
        self.cur = None
        self.select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.cur = (a.get("action") or "", [])
            self.forms.append(self.cur)
        elif self.cur is None:
            return
        elif tag == "input" and a.get("name"):
            self.cur[1].append(("input", a.get("type") or "text", a["name"], a.get("value") or "",
                                "checked" in a))
        elif tag == "select" and a.get("name"):
            self.select = a["name"]
            self.cur[1].append(("select", "", a["name"], "", False))
        elif tag == "textarea" and a.get("name"):
            self.cur[1].append(("input", "textarea", a["name"], "", False))

    def handle_endtag(self, tag):
        if tag == "form":
            self.cur = None
        elif tag == "select":
            self.select = None


def main(argv):
    if len(argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        html = f.read()
    csrf = argv[2]
    want = argv[3] if len(argv) == 4 else ""
    p = Form()
    p.feed(html)
    forms = [f for f in p.forms if f[0].endswith("/commander")]
    if not forms:
        print("form.py: no checkout form (action .../commander) in the page", file=sys.stderr)
        return 1
    action, fields = forms[0]
    providers = [v for kind, typ, name, v, _ in fields if typ == "radio" and name == "provider"]
    checked = [v for kind, typ, name, v, c in fields if typ == "radio" and name == "provider" and c]
    provider = want if want in providers else (checked[0] if checked else (providers[0] if providers else ""))
    out, seen, qty_done = [], set(), False
    for kind, typ, name, value, _ in fields:
        if name in seen and typ != "hidden":
            continue
        if name == "_csrf":
            if "_csrf" in seen:
                continue
            value = csrf
        elif name == "idem":
            value = "__IDEM__"
        elif kind == "select" and name.startswith("qty-"):
            value = "0" if qty_done else "1"
            qty_done = True
        elif typ == "radio":
            if name == "provider":
                value = provider
            elif name in seen:
                continue
        elif name == "buyer_name":
            value = "Acheteur __N__"
        elif name == "buyer_email":
            value = "acheteur.__N__@example.org"
        elif typ in ("text", "email", "textarea") or kind == "select":
            value = ""
        seen.add(name)
        out.append((name, value))
    if not qty_done:
        print("form.py: the checkout form has no quantity list (sold out or not on sale?)", file=sys.stderr)
        return 1
    body = urllib.parse.urlencode(out, safe="_")
    print(action)
    print(body)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
