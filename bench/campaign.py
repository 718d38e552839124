#!/usr/bin/env python3
"""campaign.py: the figures and the checks of the crowdfunding scenarios of `make bench`.

Usage: campaign.py RESULTS_DIR BACKEND... (the backends bench/run.sh measured)

For each backend, reads what bench/run.sh left in RESULTS_DIR:
  <backend>-campaign.wrk   wrk on the page of a campaign with 50 backers and 5 tiers (bench/wrk.lua)
  <backend>-contrib.wrk    the contribution rush (bench/contribute.lua: BENCH_JSON, BENCH_CONTRIB)
  <backend>-contrib.check  one row from the database after the rush: the limited tier's quantity and
                           taken counter, its contributions pending or paid, its paid ones, the
                           campaign's paid contributions, their sum (what the page shows as raised)
                           and the sum of the ledger's payment rows of those contributions
and prints a summary. Exits 1 when a check fails: the tier taken past its quantity, its counter
not equal to its live contributions (INVARIANT(tier)), or the raised sum not equal to the ledger
(INVARIANT(ledger)); "0 over the limit" is printed only when the tier held.
"""
import json
import os
import re
import sys


def read(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def line_json(text, tag):
    m = re.search(r"^%s (\{.*\})$" % tag, text, re.M)
    return json.loads(m.group(1)) if m else None


def ms(us):
    return "%.1f ms" % (us / 1000.0)


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    out, ok = argv[1], True
    for backend in argv[2:]:
        page = line_json(read(os.path.join(out, "%s-campaign.wrk" % backend)), "BENCH_JSON")
        if page:
            rps = page["requests"] / (page["duration_us"] / 1e6)
            lat = page["latency_us"]
            errs = page["errors"]
            print("campaign page (%s): %.0f requests/s, p50 %s, p99 %s, non-2xx/3xx %d, socket errors %d"
                  % (backend, rps, ms(lat["p50"]), ms(lat["p99"]), errs["status"],
                     errs["connect"] + errs["read"] + errs["write"] + errs["timeout"]))
        else:
            print("campaign page (%s): no results" % backend)
            ok = False
        wrk = read(os.path.join(out, "%s-contrib.wrk" % backend))
        run, c = line_json(wrk, "BENCH_JSON"), line_json(wrk, "BENCH_CONTRIB")
        backers = read(os.path.join(out, "%s-contrib.backers" % backend)).strip() or "?"
        if not run or not c:
            print("contributions (%s): no results" % backend)
            ok = False
            continue
        span = (c["last_ms"] - c["first_ms"]) / 1000.0
        cps = c["paid"] / span if c["paid"] > 1 and span > 0 else 0.0
        lat = run["latency_us"]
        others = ", ".join("%s: %d" % kv for kv in sorted(c["others"].items())) or "none"
        print("contributions (%s, %s backers): %.0f paid contributions/s (%d paid, %d started, %d"
              " \"tier full\" answers, other answers: %s); %.0f requests/s, p50 %s, p99 %s"
              % (backend, backers, cps, c["paid"], c["started"], c["full"], others,
                 run["requests"] / (run["duration_us"] / 1e6), ms(lat["p50"]), ms(lat["p99"])))
        row = read(os.path.join(out, "%s-contrib.check" % backend)).strip().split("|")
        if len(row) != 7 or not all(x.strip().lstrip("-").isdigit() for x in row):
            print("  check (%s): could not read the database (%r)" % (backend, row))
            ok = False
            continue
        quantity, taken, live, tier_paid, paid, raised, ledger = (int(x) for x in row)
        over = max(0, taken - quantity)
        print("  limited tier: %d taken of %d (%d paid, %d pending or paid): %d over the limit"
              % (taken, quantity, tier_paid, live, over))
        print("  campaign: %d paid contributions, raised %d cents, ledger %d cents: %s"
              % (paid, raised, ledger, "equal" if raised == ledger else "NOT EQUAL"))
        if over or taken != live:
            print("  FAILED: the tier's counter does not hold (INVARIANT(tier))")
            ok = False
        if raised != ledger:
            print("  FAILED: the raised sum differs from the ledger (INVARIANT(ledger))")
            ok = False
        if c["paid"] and paid < c["paid"]:
            print("  FAILED: wrk saw %d payments captured, the database has %d" % (c["paid"], paid))
            ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
