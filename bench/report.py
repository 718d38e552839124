#!/usr/bin/env python3
"""report.py: turns one bench/run.sh results directory into a BENCHMARKS.md section and a terminal summary.

Usage: report.py RESULTS_DIR [--update BENCHMARKS.md]

With --update, the new run becomes the "latest" section of BENCHMARKS.md (between the
bench:latest markers) and the section it replaces moves, headings demoted one level, to the
top of "## History". A BENCHMARKS.md without markers (hand-written) is kept whole under History.
The text above the markers (title, aims, method) is written only when the file is new, so
edits to it survive later runs.
"""
import json
import os
import re
import sys

SCENARIOS = [  # name in run.sh, label in the tables
    ("healthz", "reference: /healthz"),
    ("home", "home page"),
    ("org", "organisation page"),
    ("annuaire", "directory"),
    ("static", "static asset"),
    ("agenda", "agenda"),
    ("agenda_filter", "agenda, one filter"),
    ("event", "event page"),
    ("home_feed", "home feed, signed in (follows 50)"),
    ("wall", "news wall"),
    ("search", "search (4 connections)"),
]
SALES = [("sale_free", "free registration"), ("sale_paid", "paid, on site")]
BACKENDS = [("sqlite", "SQLite"), ("pg", "PostgreSQL")]
AIM_ORG_RPS = 15000     # issue #2: organisation page on SQLite, 2 cores
AIM_PEAK_MB = 100       # issue #2: peak memory
AIM_AGENDA_RPS = 10000  # issue #3: agenda and event page on SQLite, 2 cores, 20,000 events
AIM_ORDERS_PS = 1000    # issue #3: flash sale, completed orders/s on SQLite
AIM_SCAN_P99_MS = 20    # issue #3: check-in rush, p99
AIM_FEED_RPS = 8000     # issue #4: home feed and organisation page, 200,000 posts
AIM_SEARCH_P50_MS = 5   # issue #4: search latency
AIM_SEARCH_P99_MS = 20
START = "<!-- bench:latest:start -->"
END = "<!-- bench:latest:end -->"
HISTORY = "## History"

HEADER = """# Kiosque benchmarks

**Aims.** Issue #2: the organisation page serves at least **15,000 requests/s on SQLite on 2
cores**, with the server's **peak memory under 100 MB**. Issue #3 (events and ticketing), on
SQLite on the same 2 cores, with 20,000 events in the database: the **agenda and an event page
serve at least 10,000 requests/s**; a **flash sale** of 2,000 seats to 200 concurrent buyers
completes **at least 1,000 orders/s** and **never oversells** (0 seats past the quota, counted in
the database); a **check-in rush** on an event of 10,000 tickets answers each scan with a **p99
under 20 ms**. Issue #4 (the social network), with 200,000 posts, 500,000 comments and 100,000
follows on top: the **home feed of a signed-in citizen who follows 50 organisations and the
organisation page serve at least 8,000 requests/s**, and **search answers with p50 under 5 ms and
p99 under 20 ms**. Issue #5: a campaign page under load, and contributions per second to one
campaign with 200 concurrent backers **without a reward tier taken past its quantity**. This machine is shared and noisy: raw requests/s move by
tens of percent between runs, so compare each page with the server's own `/healthz` measured in
the same run (the reference row and the ratios to it), not raw figures across runs. For scale
(STYLE.md): a plain libmicrohttpd server on this machine serves about 120,000 requests/s of a
20 KB page, nginx about 105,000.

**Method.** `make bench` runs `bench/run.sh` (`BENCH_PG=1` adds PostgreSQL in a throwaway
cluster). It creates a fresh database with `kiosque migrate`, loads `bench/seed.sql` (8
communes, 50,000 accounts, 10,000 organisations of the four kinds with Markdown descriptions,
1 to 4 members each) and `bench/seed-events.sql` (20,000 events of those organisations spread
from 12 months before the run to 12 months after it, 16 categories over the 8 communes, one
date for most, daily or weekly series for 15 %, about 33,000 dates; a quarter ticketed with 1
to 3 ticket types and a quota per date; plus a festival organisation with the three events of
the ticketing scenarios below, and its box-office member's API token, stored hashed as
`core/apitokens.c` does), starts `kiosque serve` on a free port and runs wrk on the same machine
(2 threads, 64 connections, 10 s after a 2 s warm-up, `--latency`, `--timeout 10s` since the
ticketing scenarios came in: wrk's default of 2 s counted every answer of a page slower than
32 requests/s as a timeout, not as a request). The page scenarios go
through `bench/wrk.lua`, which draws the organisation pages and the event pages from 2,000
random slugs each and the filtered agenda from one filter at a time (each category, each
commune). Since the events seed came in (issue #3), every page is measured with the 20,000
events in the database, the organisation page included (it lists the organisation's upcoming
events): keep that in mind when comparing with older runs. Then the writes, on the same server: the **flash sales** (`bench/checkout.lua`, 200
connections, 10 s, no warm-up since it would buy seats): `bench/form.py` reads the checkout form
of the event page as a browser sees it (hidden fields, shown prices, date, quantity list,
payment method), and every request posts it as a guest with one ticket, its own idempotency key
and buyer, the CSRF token in both the `kq_csrf` cookie and the form, and the right `Origin`.
The first sale is a free registration (the order is complete at once), the second a paid type
paid on site (the order waits for its payment), 2,000 seats each. Completed orders/s are the
sales (303 answers) divided by the time from the first to the last sale, taken in the wrk
threads with the monotonic clock; a 409 page showing the catalog's sold-out message counts as
a clean sold-out, anything else as a failure; after the run the seats are counted in the
database (quota, its sold counter, tickets of live orders: oversold must be 0). Last, the
**check-in rush** (`bench/checkin.lua`, 16 connections, each a phone at a door that scans, waits for
the answer and scans the next person: a rush at a large festival; warm-up with codes no ticket has): the
10,000 ticket codes of one event, in a random arrival order, posted to `POST
/api/v1/events/{slug}/checkins` with the token; each wrk thread scans its share and then starts
again (second scans answer "already used"), and the answers are counted by their `result`;
p50 and p99 are wrk's (a scanner's wait, the queue in front of the server included), with the
server's own time per scan from its log beside them; afterwards the database must show no
ticket with two valid scans.
wrk and the server share the 2 cores, so these figures are lower than with a separate client
machine. The server writes one access-log line per request to stderr and has no switch to turn
it off: stderr goes to a file on the same disk as the database (`BENCH_ACCESS_LOG=null` sends it
to `/dev/null`). The status counts come from that log, for the measured 10 s only; 499 marks
the requests wrk abandoned when its time ran out, not counted as errors. Peak memory is `VmHWM`
of the server process after all scenarios (PostgreSQL's own processes are not included). The
server must then exit 0 on SIGTERM.
"""


def read(path, default=""):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError:
        return default


def fmt_int(n):
    return f"{n:,.0f}"


def fmt_ms(us):
    ms = us / 1000.0
    if ms >= 100:
        return f"{ms:.0f} ms"
    if ms >= 10:
        return f"{ms:.1f} ms"
    return f"{ms:.2f} ms"


def load_scenario(out, backend, name):
    wrk = read(os.path.join(out, f"{backend}-{name}.wrk"))
    if not wrk:
        return None
    m = re.search(r"^BENCH_JSON (\{.*\})$", wrk, re.M)
    if not m:
        return None
    r = json.loads(m.group(1))
    # Requests/s as wrk prints it; computed from the same counts when the line is missing.
    m = re.search(r"^Requests/sec:\s+([0-9.]+)", wrk, re.M)
    r["rps"] = float(m.group(1)) if m else r["requests"] / (r["duration_us"] / 1e6)
    statuses = {}
    for line in read(os.path.join(out, f"{backend}-{name}.status")).splitlines():
        parts = line.split()
        if len(parts) == 2:
            statuses[parts[0]] = int(parts[1])
    r["statuses"] = statuses
    if statuses:
        r["non2xx"] = sum(n for s, n in statuses.items() if not s.startswith("2") and s != "499")
        r["non2xx_src"] = "log"
    else:
        r["non2xx"] = r["errors"]["status"]
        r["non2xx_src"] = "wrk"
    e = r["errors"]
    r["socket_errors"] = e["connect"] + e["read"] + e["write"] + e["timeout"]
    return r


def load_backend(out, backend):
    if not os.path.exists(os.path.join(out, f"exit-{backend}")):
        return None
    b = {"scenarios": {}}
    for name, _ in SCENARIOS:
        b["scenarios"][name] = load_scenario(out, backend, name)
    mem = {}
    for line in read(os.path.join(out, f"mem-{backend}")).splitlines():
        k, _, v = line.partition(":")
        mem[k.strip()] = v.strip()
    b["hwm_kb"] = int(mem.get("VmHWM", "0 kB").split()[0])
    b["rss_kb"] = int(mem.get("VmRSS", "0 kB").split()[0])
    b["anon_kb"] = int(mem.get("RssAnon", "0 kB").split()[0])
    b["file_kb"] = int(mem.get("RssFile", "0 kB").split()[0])
    b["threads"] = mem.get("Threads", "?")
    b["exit"] = read(os.path.join(out, f"exit-{backend}")).strip()
    ds = read(os.path.join(out, f"dataset-{backend}")).split()
    b["dataset"] = [int(x) for x in ds] if len(ds) == 5 else None
    st = read(os.path.join(out, f"seedtime-{backend}")).split()
    b["seed_s"] = float(st[1]) - float(st[0]) if len(st) == 2 else None
    m = re.search(r"(\d+) threads\)", read(os.path.join(out, f"serving-{backend}")))
    b["mhd_threads"] = m.group(1) if m else "?"
    paths = {}
    for name, _ in SCENARIOS:
        p = read(os.path.join(out, f"paths-{name}")).splitlines()
        paths[name] = (f"/organisations/<{len(p):,} random slugs>" if name == "org" else
                       f"/evenements/<{len(p):,} random slugs>" if name == "event" else
                       f"/evenements?<one of {len(p)}: category=…, commune=…>" if name == "agenda_filter" else
                       f"/recherche?q=<one of {len(p)} queries>" if name == "search" else
                       "/ (with a session cookie)" if name == "home_feed" else
                       (p[0] if p else "?"))
    b["paths"] = paths
    de = read(os.path.join(out, f"dataset-events-{backend}")).split()
    b["dataset_events"] = [int(x) for x in de] if len(de) == 6 else None
    ds4 = read(os.path.join(out, f"dataset-social-{backend}")).split()
    b["dataset_social"] = [int(x) for x in ds4] if len(ds4) == 4 else None
    b["sales"] = {}
    for line in read(os.path.join(out, "sales")).splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[0] == backend:
            b["sales"][parts[1]] = load_sale(out, backend, parts[1], parts[2],
                                             parts[3] if len(parts) > 3 else "")
    b["checkin"] = load_checkin(out, backend)
    return b


def percentile(values, p):
    if not values:
        return None
    v = sorted(values)
    k = max(0, min(len(v) - 1, -(-len(v) * p // 100) - 1))
    return v[int(k)]


def load_sale(out, backend, name, action, provider):
    r = load_scenario(out, backend, name)
    if not r:
        return None
    wrk = read(os.path.join(out, f"{backend}-{name}.wrk"))
    m = re.search(r"^BENCH_SALE (\{.*\})$", wrk, re.M)
    sale = json.loads(m.group(1)) if m else {"sales": 0, "soldout": 0, "others": {},
                                              "first_ms": 0, "last_ms": 0}
    r["action"], r["provider"] = action, provider
    r["sales"], r["soldout"], r["others"] = sale["sales"], sale["soldout"], sale["others"]
    span = (sale["last_ms"] - sale["first_ms"]) / 1000.0
    r["span_s"] = span
    r["orders_ps"] = sale["sales"] / span if sale["sales"] > 1 and span > 0 else None
    ms = []
    for line in read(os.path.join(out, f"{backend}-{name}.sale-ms")).splitlines():
        try:
            ms.append(float(line))
        except ValueError:
            pass
    r["server_sale_p50_ms"] = percentile(ms, 50)
    r["server_sale_p99_ms"] = percentile(ms, 99)
    seats = read(os.path.join(out, f"{backend}-{name}.seats")).strip().split("|")
    if len(seats) == 4 and all(x.strip().lstrip("-").isdigit() for x in seats):
        size, sold, live_tickets, live_orders = (int(x) for x in seats)
        r["seats"] = {"size": size, "sold": sold, "tickets": live_tickets, "orders": live_orders,
                      "oversold": max(0, live_tickets - size, sold - size)}
    else:
        r["seats"] = None
    return r


def load_checkin(out, backend):
    skip = read(os.path.join(out, f"{backend}-checkin.skip")).strip()
    if skip:
        return {"skipped": skip}
    r = load_scenario(out, backend, "checkin")
    if not r:
        return None
    wrk = read(os.path.join(out, f"{backend}-checkin.wrk"))
    m = re.search(r"^BENCH_SCAN (\{.*\})$", wrk, re.M)
    r["results"] = json.loads(m.group(1)) if m else {}
    ms = []
    for line in read(os.path.join(out, f"{backend}-checkin.scan-ms")).splitlines():
        try:
            ms.append(float(line))
        except ValueError:
            pass
    r["server_p50_ms"] = percentile(ms, 50)
    r["server_p99_ms"] = percentile(ms, 99)
    db = read(os.path.join(out, f"{backend}-checkin.checked")).strip()
    r["checked_in"] = int(db) if db.isdigit() else None
    twice = read(os.path.join(out, f"{backend}-checkin.twice")).strip()
    r["twice"] = int(twice) if twice.isdigit() else None
    return r


def statuses_text(r):
    if not r["statuses"]:
        return "(access log off)"
    parts = [f"{s}: {fmt_int(n)}" for s, n in sorted(r["statuses"].items())]
    if r["socket_errors"]:
        e = r["errors"]
        parts.append(f"socket errors: {e['connect']} connect, {e['read']} read, "
                     f"{e['write']} write, {e['timeout']} timeout")
    return ", ".join(parts)


def ratio(b, name):
    ref = b["scenarios"].get("healthz")
    r = b["scenarios"].get(name)
    if not ref or not r or not ref["rps"]:
        return None
    return r["rps"] / ref["rps"]


def section(out):
    meta = {}
    for line in read(os.path.join(out, "meta")).splitlines():
        k, _, v = line.partition(" ")
        meta[k] = v
    threads, conns, duration, warmup, nslugs, access, buyers, scanners = \
        (meta.get("settings", "") + " ? ? ? ? ? ? ? ?").split()[:8]
    backends = [(k, label, load_backend(out, k)) for k, label in BACKENDS]
    backends = [(k, label, b) for k, label, b in backends if b]

    L = []
    L.append(f"## Run of {meta.get('date', '?')}")
    L.append("")
    dirty = int(meta.get("dirty", "0") or 0)
    commit = f"`{meta.get('commit', '?')}`"
    if dirty:
        commit += f" plus {dirty} uncommitted file{'s' if dirty > 1 else ''} in src/, db/, assets/ (others were at work)"
    L.append(f"- Commit: {commit}.")
    L.append(f"- Machine: {meta.get('nproc', '?')} CPUs (`nproc`), {meta.get('cpu', '?')}, "
             f"{meta.get('mem', '?')} RAM, Linux {meta.get('kernel', '?')}; "
             f"load average before the run {meta.get('load', '?')}.")
    L.append(f"- Load: wrk {meta.get('wrk', '?')}, {threads} threads, {conns} connections, "
             f"{duration} s after a {warmup} s warm-up, on the same machine; "
             f"access log to {'a file on the same disk' if access == 'file' else '/dev/null'}.")
    if backends and backends[0][2]["dataset"]:
        c, a, o, m, d = backends[0][2]["dataset"]
        L.append(f"- Dataset: {c} communes, {fmt_int(a)} accounts, {fmt_int(o)} organisations "
                 f"(descriptions {d} bytes on average), {fmt_int(m)} memberships.")
    if backends and backends[0][2].get("dataset_events"):
        ev, dates, tick, types, tickets, upcoming = backends[0][2]["dataset_events"]
        L.append(f"- Agenda: {fmt_int(ev)} events, {fmt_int(dates)} dates ({fmt_int(upcoming)} not over "
                 f"at the start of the run), {fmt_int(tick)} ticketed with {fmt_int(types)} ticket types; "
                 f"{fmt_int(tickets)} tickets (the check-in event's).")
    if backends and backends[0][2].get("dataset_social"):
        po, co, fo, re_ = backends[0][2]["dataset_social"]
        L.append(f"- Social network: {fmt_int(po)} posts, {fmt_int(co)} comments, {fmt_int(fo)} follows, "
                 f"{fmt_int(re_)} likes; the signed-in citizen of the home feed follows 50 organisations.")
    L.append(f"- Versions: libsqlite3 {meta.get('sqlite', '?')}, libmicrohttpd {meta.get('mhd', '?')}.")
    L.append(f"- Raw output: `bench/results/{os.path.basename(out.rstrip('/'))}/` (not committed).")
    for k, label, b in backends:
        L.append("")
        L.append(f"### {label}")
        L.append("")
        L.append("| scenario | path | requests/s | p50 | p99 | non-2xx | statuses logged |")
        L.append("| --- | --- | ---: | ---: | ---: | ---: | --- |")
        for name, slabel in SCENARIOS:
            r = b["scenarios"][name]
            if not r:
                L.append(f"| {slabel} | `{b['paths'][name]}` | (no result) | | | | |")
                continue
            if not r["requests"]:
                L.append(f"| {slabel} | `{b['paths'][name]}` | 0 (no answer within the run) | | | | "
                         f"{statuses_text(r)} |")
                continue
            non2xx = fmt_int(r["non2xx"]) + (" (wrk, ≥ 400)" if r["non2xx_src"] == "wrk" else "")
            L.append(f"| {slabel} | `{b['paths'][name]}` | {fmt_int(r['rps'])} | "
                     f"{fmt_ms(r['latency_us']['p50'])} | {fmt_ms(r['latency_us']['p99'])} | "
                     f"{non2xx} | {statuses_text(r)} |")
        L.append("")
        rt = ratio(b, "org")
        ratios = ", ".join(f"{slabel} {ratio(b, n):.3f}" for n, slabel in SCENARIOS[1:]
                           if ratio(b, n) is not None)
        L.append(f"- **Organisation page / healthz: {rt:.3f}**" if rt is not None else
                 "- Organisation page / healthz: n/a")
        L.append(f"  (all pages / healthz: {ratios}).")
        L.append(f"- Peak memory (VmHWM): **{b['hwm_kb'] / 1024:.1f} MiB**; VmRSS at the end "
                 f"{b['rss_kb'] / 1024:.1f} MiB; {b['threads']} threads "
                 f"({b['mhd_threads']} MHD workers).")
        if b["anon_kb"]:
            L.append(f"  Of the resident memory at the end, {b['anon_kb'] / 1024:.1f} MiB is the server's own"
                     f" (RssAnon: heap, stacks, SQLite's page caches) and {b['file_kb'] / 1024:.1f} MiB"
                     f" pages of files mapped in memory (RssFile: the binary, its libraries, shared memory such as SQLite's WAL index),"
                     f" which the kernel shares with its page cache and can drop.")
        steps = []
        for name, slabel in (SCENARIOS + [(n, f"flash sale ({lab})") for n, lab in SALES]
                             + [("checkin", "check-in")]):
            v = read(os.path.join(out, f"{k}-{name}.hwm")).strip()
            if v.isdigit():
                steps.append(f"{slabel.replace('reference: ', '')} {int(v) / 1024:.1f}")
        if steps:
            L.append(f"  Peak memory after each scenario, MiB: {', '.join(steps)}.")
        ex = b["exit"]
        L.append(f"- SIGTERM: {'exit 0' if ex == '0' else ('no exit within 20 s' if ex == 'timeout' else 'exit ' + ex)}"
                 + (f"; seeding took {b['seed_s']:.1f} s." if b["seed_s"] is not None else "."))
        if k == "sqlite":
            org = b["scenarios"].get("org")
            if org:
                ok2xx = org["non2xx"] == 0 and org["statuses"].get("200", 0) > 0 if org["statuses"] else org["non2xx"] == 0
                met = org["rps"] >= AIM_ORG_RPS and ok2xx
                why = "" if ok2xx else " (the page does not answer 200 yet: see statuses)"
                L.append(f"- Aim #2, organisation page ≥ {fmt_int(AIM_ORG_RPS)} requests/s: "
                         f"{'met' if met else 'not met'}{why}; peak memory < {AIM_PEAK_MB} MB: "
                         f"{'met' if b['hwm_kb'] * 1024 < AIM_PEAK_MB * 1e6 else 'not met'}.")
            feed = b["scenarios"].get("home_feed")
            if feed and org and feed["requests"]:
                ok = feed["rps"] >= AIM_FEED_RPS and org["rps"] >= AIM_FEED_RPS
                L.append(f"- Aim #4, home feed (signed in, follows 50) and organisation page ≥ "
                         f"{fmt_int(AIM_FEED_RPS)} requests/s with 200,000 posts: home feed "
                         f"{fmt_int(feed['rps'])}, organisation page {fmt_int(org['rps'])}: "
                         f"{'met' if ok else 'not met'}.")
            srch = b["scenarios"].get("search")
            if srch and srch["requests"]:
                p50, p99 = srch["latency_us"]["p50"] / 1000, srch["latency_us"]["p99"] / 1000
                ok = p50 < AIM_SEARCH_P50_MS and p99 < AIM_SEARCH_P99_MS
                L.append(f"- Aim #4, search p50 < {AIM_SEARCH_P50_MS} ms and p99 < {AIM_SEARCH_P99_MS} ms "
                         f"(4 connections): p50 {p50:.2f} ms, p99 {p99:.2f} ms: {'met' if ok else 'not met'}.")
        L.extend(ticketing_section(b, k == "sqlite", buyers, scanners))
    camp = read(os.path.join(out, "campaign.txt")).strip()
    if camp:
        L.append("")
        L.append("### Crowdfunding (issue #5: bench/campaign.py)")
        L.append("")
        L.append("```")
        L.extend(camp.splitlines())
        L.append("```")
    return "\n".join(L) + "\n", backends


def all_ok(r):
    """True when every answer the server logged (or wrk saw) was 2xx."""
    if not r:
        return False
    if r["statuses"]:
        return r["non2xx"] == 0 and any(st.startswith("2") for st in r["statuses"])
    return r["non2xx"] == 0


def fmt_opt_ms(ms):
    return "n/a" if ms is None else fmt_ms(ms * 1000)


def sale_answers(r):
    parts = [f"{fmt_int(r['sales'])} sales (303)", f"{fmt_int(r['soldout'])} clean sold-out (409)"]
    for st, n in sorted(r["others"].items()):
        parts.append(f"{fmt_int(n)} other {st}")
    if r["socket_errors"]:
        e = r["errors"]
        parts.append(f"socket errors: {e['connect']} connect, {e['read']} read, {e['write']} write, "
                     f"{e['timeout']} timeout")
    return ", ".join(parts)


def ticketing_section(b, is_sqlite, buyers, scanners):
    """The flash sales and the check-in rush of one backend, and the aims of issue #3 on SQLite."""
    L = []
    ref = b["scenarios"].get("healthz")
    ref_rps = ref["rps"] if ref else None
    sales = [(name, label, b["sales"].get(name)) for name, label in SALES if b["sales"].get(name)]
    if sales:
        r0 = sales[0][2]
        L.append("")
        L.append(f"Flash sale: one event, one ticket type, one quota of "
                 f"{fmt_int(r0['seats']['size']) if r0['seats'] else '?'} seats; {buyers} wrk "
                 f"connections, each a guest posting the event page's checkout form "
                 f"(`POST {r0['action']}`, one ticket, its own idempotency key). Orders/s: sales "
                 f"divided by the time from the first to the last sale (wrk's clock); "
                 f"p99: all answers (wrk), then sales only (server's log).")
        L.append("")
        L.append("| sale | orders/s | orders/s / healthz | sold out after | requests/s | p50 | p99 | "
                 "p99 of sales (server) | answers | seats: quota / sold / live tickets | oversold |")
        L.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: |")
        for name, label, r in sales:
            ops = r["orders_ps"]
            seats = r["seats"]
            complete = seats and seats["tickets"] >= seats["size"]
            after = f"{r['span_s']:.2f} s" if complete else "not sold out"
            L.append(f"| {label} | {fmt_int(ops) if ops else 'n/a'} | "
                     f"{(ops / ref_rps) if ops and ref_rps else 0:.4f} | {after} | {fmt_int(r['rps'])} | "
                     f"{fmt_ms(r['latency_us']['p50'])} | {fmt_ms(r['latency_us']['p99'])} | "
                     f"{fmt_opt_ms(r['server_sale_p99_ms'])} | {sale_answers(r)} | "
                     + (f"{fmt_int(seats['size'])} / {fmt_int(seats['sold'])} / {fmt_int(seats['tickets'])}"
                        f" ({fmt_int(seats['orders'])} orders) | **{seats['oversold']}** |" if seats
                        else "(not counted) | ? |"))
    ci = b.get("checkin")
    if ci:
        L.append("")
        if "skipped" in ci:
            L.append(f"Check-in rush: **skipped**: {ci['skipped']}.")
        else:
            res = ", ".join(f"{k}: {fmt_int(v)}" for k, v in sorted(ci["results"].items()))
            ratio_ = ci["rps"] / ref_rps if ref_rps else 0
            L.append(f"Check-in rush: one event with 10,000 paid tickets; {scanners} connections post "
                     f"the codes in arrival order (`POST /api/v1/events/controle-entrees/checkins`, "
                     f"a box-office member's API token), each thread its share of the codes, then "
                     f"again from the start (already used).")
            L.append("")
            L.append("| scenario | scans/s | scans/s / healthz | p50 | p99 | p50 / p99 (server) | results | "
                     "statuses logged | tickets let in (database) | let in twice |")
            L.append("| --- | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: | ---: |")
            dbn = "?" if ci["checked_in"] is None else fmt_int(ci["checked_in"])
            twice = "?" if ci["twice"] is None else f"**{ci['twice']}**"
            L.append(f"| check-in | {fmt_int(ci['rps'])} | {ratio_:.3f} | {fmt_ms(ci['latency_us']['p50'])} | "
                     f"{fmt_ms(ci['latency_us']['p99'])} | {fmt_opt_ms(ci['server_p50_ms'])} / "
                     f"{fmt_opt_ms(ci['server_p99_ms'])} | {res} | {statuses_text(ci)} | {dbn} | {twice} |")
            L.append("")
            L.append("p50 and p99 are wrk's (what a scanner waits, the queue in front of the server's "
                     "workers included); the server's are its own time per scan, from its log. "
                     "Tickets let in may pass the \"valid\" answers by the scans in flight when wrk "
                     "stopped; no ticket may have two valid scans (\"let in twice\", from the scan log).")
    if not is_sqlite:
        return L
    L.append("")
    aims = []
    for name, label in (("agenda", "agenda"), ("agenda_filter", "agenda with one filter"),
                        ("event", "event page")):
        r = b["scenarios"].get(name)
        if r:
            ok = r["rps"] >= AIM_AGENDA_RPS and all_ok(r)
            aims.append(f"{label} {fmt_int(r['rps'])}: {'met' if ok else 'not met'}"
                        + ("" if all_ok(r) else " (not every answer was 200)"))
    if aims:
        L.append(f"- Aim #3, ≥ {fmt_int(AIM_AGENDA_RPS)} requests/s with 20,000 events: " + "; ".join(aims) + ".")
    r = b["sales"].get("sale_free")
    if r:
        ops = r["orders_ps"] or 0
        seats = r["seats"]
        over = seats["oversold"] if seats else None
        L.append(f"- Aim #3, flash sale ≥ {fmt_int(AIM_ORDERS_PS)} orders/s (free registration): "
                 f"{fmt_int(ops)}, {'met' if ops >= AIM_ORDERS_PS else 'not met'}; oversold seats 0: "
                 + ("not counted" if over is None else ("met" if over == 0 else f"NOT MET ({over})"))
                 + "".join(f"; {lab}: {fmt_int(x['orders_ps'] or 0)} orders/s, oversold "
                           f"{x['seats']['oversold'] if x['seats'] else '?'}"
                           for n, lab, x in sales if n != "sale_free") + ".")
    if ci:
        if "skipped" in ci:
            L.append(f"- Aim #3, check-in p99 < {AIM_SCAN_P99_MS} ms: not measured (skipped).")
        else:
            p99 = ci["latency_us"]["p99"] / 1000.0
            L.append(f"- Aim #3, check-in p99 < {AIM_SCAN_P99_MS} ms ({scanners} scanners at once): "
                     f"{fmt_ms(ci['latency_us']['p99'])}, {'met' if p99 < AIM_SCAN_P99_MS else 'not met'}"
                     f" (server's own p99: {fmt_opt_ms(ci['server_p99_ms'])}).")
    return L


def summary(backends):
    S = []
    for k, label, b in backends:
        S.append(f"{label}:")
        S.append(f"  {'scenario':<20} {'req/s':>9} {'p50':>9} {'p99':>9} {'non-2xx':>8}  statuses")
        for name, slabel in SCENARIOS:
            r = b["scenarios"][name]
            if not r:
                S.append(f"  {slabel:<20} (no result)")
                continue
            if not r["requests"]:
                S.append(f"  {slabel:<20} {0:>9} (no answer within the run)")
                continue
            st = " ".join(f"{s}:{n}" for s, n in sorted(r["statuses"].items())) or "-"
            S.append(f"  {slabel.replace('reference: ', ''):<20} {fmt_int(r['rps']):>9} "
                     f"{fmt_ms(r['latency_us']['p50']):>9} {fmt_ms(r['latency_us']['p99']):>9} "
                     f"{fmt_int(r['non2xx']):>8}  {st}")
        rt = ratio(b, "org")
        S.append(f"  org page / healthz: {rt:.3f}" if rt is not None else "  org page / healthz: n/a")
        S.append(f"  peak memory VmHWM {b['hwm_kb'] / 1024:.1f} MiB, VmRSS {b['rss_kb'] / 1024:.1f} MiB;"
                 f" exit on SIGTERM: {b['exit']}")
        for name, label in SALES:
            r = b["sales"].get(name)
            if not r:
                continue
            seats = r["seats"]
            S.append(f"  flash sale, {label}: {fmt_int(r['orders_ps'] or 0)} orders/s "
                     f"({fmt_int(r['sales'])} sales in {r['span_s']:.2f} s), p99 {fmt_ms(r['latency_us']['p99'])}"
                     f" (sales, server: {fmt_opt_ms(r['server_sale_p99_ms'])}), "
                     f"{fmt_int(r['soldout'])} clean sold-out"
                     + "".join(f", {n} other {st}" for st, n in sorted(r["others"].items()))
                     + (f"; seats {seats['size']}/{seats['sold']}/{seats['tickets']} (quota/sold/live tickets),"
                        f" oversold {seats['oversold']}" if seats else "; seats not counted"))
        ci = b.get("checkin")
        if ci and "skipped" in ci:
            S.append(f"  check-in rush: skipped: {ci['skipped']}")
        elif ci:
            res = " ".join(f"{k}:{v}" for k, v in sorted(ci["results"].items()))
            S.append(f"  check-in rush: {fmt_int(ci['rps'])} scans/s, p50 {fmt_ms(ci['latency_us']['p50'])}, "
                     f"p99 {fmt_ms(ci['latency_us']['p99'])} (server: {fmt_opt_ms(ci['server_p99_ms'])});"
                     f" {res}; let in (database): {ci['checked_in']}, twice: {ci['twice']}")
    return "\n".join(S)


def demote(text):
    return re.sub(r"^(#+) ", lambda m: "#" + m.group(1) + " ", text, flags=re.M)


HIST_INTRO = "Older runs, newest first."


def add_to_history(tail, prev):
    """Puts the section `prev` (demoted) at the top of the History part `tail`."""
    if HISTORY not in tail:
        kept = tail.strip("\n")
        tail = (kept + "\n\n" if kept else "") + f"{HISTORY}\n\n{HIST_INTRO}\n"
    i = tail.index(HISTORY) + len(HISTORY)
    j = tail.find(HIST_INTRO, i)
    if j != -1 and not tail[i:j].strip():
        i = j + len(HIST_INTRO)
    rest = tail[i:].strip("\n")
    return tail[:i] + "\n\n" + demote(prev.strip("\n")) + "\n" + ("\n" + rest + "\n" if rest else "")


def update(path, new):
    old = read(path)
    block = f"{START}\n{new.rstrip(chr(10))}\n{END}\n"
    if not old.strip():
        doc = f"{HEADER}\n{block}\n{HISTORY}\n\n{HIST_INTRO}\n"
    elif START in old and END in old:
        head, rest = old.split(START, 1)
        prev, tail = rest.split(END, 1)
        tail = tail.lstrip("\n")
        doc = head + block + "\n" + add_to_history(tail, prev)
    else:
        # A hand-written file: all of it is kept, below History.
        body = re.sub(r"\A# [^\n]*\n", "", old)
        doc = f"{HEADER}\n{block}\n" + add_to_history("", body)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(doc)
    os.replace(tmp, path)


def main(argv):
    if len(argv) not in (2, 4) or (len(argv) == 4 and argv[2] != "--update"):
        print("usage: report.py RESULTS_DIR [--update BENCHMARKS.md]", file=sys.stderr)
        return 2
    out = argv[1]
    text, backends = section(out)
    with open(os.path.join(out, "section.md"), "w", encoding="utf-8") as f:
        f.write(text)
    if not backends:
        print("bench: no backend produced results", file=sys.stderr)
        return 1
    if len(argv) == 4:
        update(argv[3], text)
    print(summary(backends))
    if len(argv) == 4:
        print(f"Written to {os.path.relpath(argv[3])} (raw output: {os.path.relpath(out)}/).")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
