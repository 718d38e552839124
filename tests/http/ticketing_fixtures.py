# ticketing_fixtures.py: a ticketed event set up the way an organiser does it, for the ticketing HTTP tests:
# the event through the JSON API, then its types, quotas, shop, vouchers and questions through the setup page
# (/evenements/{slug}/billetterie), as the demo owner of ORG. Also API tokens of demo accounts.
import re
import secrets

from agenda_test import DEMO_PW, ORG, future
from kiosque_test import csrf
from sql_fixtures import run_sql  # noqa: F401 (re-exported for the tests)

# Roles in ORG (data/demo/territory.json); hugo.mercier is not a member.
OWNER = "pierre.vignal@example.org"
EDITOR = "camille.arnaud@example.org"
TREASURER = "gerard.faure@example.org"
BOX_OFFICE = "jeanne.bonnet@example.org"
OUTSIDER = "hugo.mercier@example.org"
CITIZEN = "lucie.fabre@example.org"


def login(srv, email):
    """A client logged in as a demo account."""
    c = srv.client()
    r = c.get("/connexion")
    r = c.post_form("/connexion", {"_csrf": csrf(r.body), "email": email, "password": DEMO_PW})
    assert r.status == 303, r.body[:2000]
    return c


def token_of(srv, email):
    """A personal API token of a demo account, made on its account page."""
    c = login(srv, email)
    r = c.post_form("/compte/jetons", {"_csrf": csrf(c.get("/compte").body), "name": "ticketing"})
    return re.search(r"\b(kq_[0-9a-f]{64})\b", r.body).group(1)


class Shop:
    """A published ticketed event of ORG with one date (in a month or two) and what its organiser added.
    owner: a logged-in client of OWNER; owner_token: OWNER's API token."""

    def __init__(self, srv, owner, owner_token, title="Bal du 14"):
        self.srv, self.owner = srv, owner
        day = future(7, 14).isoformat()
        r = srv.client().post_json("/api/v1/orgs/%s/events" % ORG, {
            "title": "%s %s" % (title, secrets.token_hex(3)), "category": "concert", "status": "published",
            "summary": "Sur la place.", "commune": "26391", "venue_name": "Place du village",
            "ticketing": "ticketed", "dates": [{"start": day + "T21:00", "end": day + "T23:30"}]},
            token=owner_token)
        assert r.status == 201, r.body[:2000]
        ev = r.json()
        self.slug, self.date_id = ev["slug"], ev["dates"][0]["id"]
        self.types = {}

    def _post(self, tail, fields):
        page = self.owner.get("/evenements/%s/billetterie" % self.slug)
        assert page.status == 200, page.body[:2000]
        action = "/evenements/%s/billetterie%s" % (self.slug, tail)
        data = {"_csrf": csrf(page.body, action)}
        data.update(fields)
        r = self.owner.post_form(action, data)
        assert r.status == 303, "%s: %s" % (tail, r.body[:3000])
        return r

    def _type_ids(self):
        page = self.owner.get("/evenements/%s/billetterie" % self.slug).body
        return {int(i) for i in re.findall(r'name="type_(\d+)"', page)}

    def add_type(self, name, price="15", visibility="public", min_per_order="1", max_per_order="10"):
        """A ticket type (price in euros as the form takes it, "12,50"); returns its id."""
        before = self._type_ids()
        self._post("/types", {"name": name, "price": price, "description": "", "visibility": visibility,
                              "min_per_order": min_per_order, "max_per_order": max_per_order})
        (tid,) = self._type_ids() - before
        self.types[name] = tid
        return tid

    def add_quota(self, size, type_ids=None, name="Place"):
        fields = {"date": str(self.date_id), "name": name, "size": str(size)}
        for tid in (type_ids or self.types.values()):
            fields["type_%d" % tid] = "1"
        self._post("/jauges", fields)

    def set_shop(self, providers=("onsite", "transfer", "demo"), attendee_names="optional"):
        fields = {"attendee_names": attendee_names, "transfer_details": "IBAN FR76 0000"}
        for p in providers:
            fields["provider_" + p] = "1"
        self._post("/boutique", fields)

    def add_voucher(self, kind="percent", amount="50", max_uses="0"):
        code = "CODE-" + secrets.token_hex(3).upper()
        self._post("/codes", {"code": code, "kind": kind, "amount": amount, "max_uses": max_uses,
                              "valid_until": ""})
        return code

    def add_question(self, label, kind="text", options="", required=False):
        fields = {"label": label, "kind": kind, "options": options}
        if required:
            fields["required"] = "1"
        self._post("/questions", fields)
