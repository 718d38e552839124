#!/usr/bin/env python3
"""contribute.py: reads the contribute form of a campaign page and writes the body that bench/contribute.lua posts.

Usage: contribute.py CAMPAIGN_PAGE.html CSRF_TOKEN TIER_ID... > body

The form is the one whose action ends in /contribuer. Every field it has is sent, as a browser
would send it: _csrf (CSRF_TOKEN, also sent as the kq_csrf cookie); idem (__IDEM__, replaced by
contribute.lua with a key of its own for each request); tier (__TIER__) and amount (__AMOUNT__),
which contribute.lua fills with the tier it goes for and that tier's amount; the backer's name
and e-mail made unique with __N__; "public" checked; the demo card as the payment method (the
form must offer it: the server runs with KIOSQUE_DEMO=1); every other field as the page has it.
Each TIER_ID must be one of the form's reward choices. Prints the form's action on the first line
and the body on the second.
"""
import sys
import urllib.parse
from html.parser import HTMLParser


class Form(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []   # (action, [(tag, type, name, value, checked)])
        self.cur = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.cur = (a.get("action") or "", [])
            self.forms.append(self.cur)
        elif self.cur is not None and tag in ("input", "select", "textarea") and a.get("name"):
            self.cur[1].append((tag, a.get("type") or "text", a["name"], a.get("value") or "",
                                "checked" in a))

    def handle_endtag(self, tag):
        if tag == "form":
            self.cur = None


def main(argv):
    if len(argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        page = f.read()
    csrf, tiers = argv[2], argv[3:]
    p = Form()
    p.feed(page)
    forms = [f for f in p.forms if f[0].endswith("/contribuer")]
    if not forms:
        print("no form posting to .../contribuer on the page", file=sys.stderr)
        return 1
    action, fields = forms[0]
    offered = {v for tag, typ, name, v, _ in fields if name == "tier"}
    for t in tiers:
        if t not in offered:
            print("tier %s is not offered by the form (it has %s)" % (t, sorted(offered)), file=sys.stderr)
            return 1
    providers = {v for tag, typ, name, v, _ in fields if name == "provider"}
    if "demo" not in providers and not any(name == "provider" and tag == "select" for tag, _, name, _, _ in fields):
        print("the form does not offer the demo card (providers: %s)" % sorted(providers), file=sys.stderr)
        return 1
    out, seen = [], set()
    for tag, typ, name, value, checked in fields:
        if name in seen:
            continue
        if name == "_csrf":
            value = csrf
        elif name == "idem":
            value = "__IDEM__"
        elif name == "tier":
            value = "__TIER__"
        elif name == "amount":
            value = "__AMOUNT__"
        elif name == "backer_name":
            value = "Soutien __N__"
        elif name == "backer_email":
            value = "soutien-__N__@example.org"
        elif name == "provider":
            value = "demo"
        elif name == "public":
            value = value or "1"
        elif typ in ("checkbox", "radio") and not checked:
            continue
        seen.add(name)
        out.append((name, value))
    body = urllib.parse.urlencode(out, safe="_")
    for ph in ("__IDEM__", "__TIER__", "__AMOUNT__", "__N__"):
        if ph not in body:
            print("the form has no field for %s" % ph, file=sys.stderr)
            return 1
    print(action)
    print(body)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
