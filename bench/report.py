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
]
BACKENDS = [("sqlite", "SQLite"), ("pg", "PostgreSQL")]
AIM_ORG_RPS = 15000     # issue #2: organisation page on SQLite, 2 cores
AIM_PEAK_MB = 100       # issue #2: peak memory
START = "<!-- bench:latest:start -->"
END = "<!-- bench:latest:end -->"
HISTORY = "## History"

HEADER = """# Kiosque benchmarks

**Aims.** Issue #2: the organisation page serves at least **15,000 requests/s on SQLite on 2
cores**, with the server's **peak memory under 100 MB**. Issue #4, later: with 200,000 posts
the home feed and the organisation page still serve at least **8,000 requests/s**. This
machine is shared and noisy: raw requests/s move by tens of percent between runs, so compare
each page with the server's own `/healthz` measured in the same run (the reference row and
the "organisation page / healthz" ratio), not raw figures across runs. For scale (STYLE.md):
a plain libmicrohttpd server on this machine serves about 120,000 requests/s of a 20 KB page,
nginx about 105,000.

**Method.** `make bench` runs `bench/run.sh` (`BENCH_PG=1` adds PostgreSQL in a throwaway
cluster). It creates a fresh database with `kiosque migrate`, loads `bench/seed.sql` (8
communes, 50,000 accounts, 10,000 organisations of the four kinds with Markdown descriptions,
1 to 4 members each), starts `kiosque serve` on a free port and runs wrk on the same machine
(2 threads, 64 connections, 10 s after a 2 s warm-up, `--latency`; every scenario goes through
`bench/wrk.lua`, which draws the organisation pages from 2,000 random slugs). wrk and the
server share the 2 cores, so these figures are lower than with a separate client machine.
The server writes one access-log line per request to stderr and has no switch to turn it off:
stderr goes to a file on the same disk as the database (`BENCH_ACCESS_LOG=null` sends it to
`/dev/null`). The status counts come from that log, for the measured 10 s only; 499 marks the
requests wrk abandoned when its time ran out, not counted as errors. Peak memory is `VmHWM`
of the server process after all scenarios (PostgreSQL's own processes are not included).
The server must then exit 0 on SIGTERM.
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
                       (p[0] if p else "?"))
    b["paths"] = paths
    return b


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
    threads, conns, duration, warmup, nslugs, access = (meta.get("settings", "") + " ? ? ? ? ? ?").split()[:6]
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
    return "\n".join(L) + "\n", backends


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
            st = " ".join(f"{s}:{n}" for s, n in sorted(r["statuses"].items())) or "-"
            S.append(f"  {slabel.replace('reference: ', ''):<20} {fmt_int(r['rps']):>9} "
                     f"{fmt_ms(r['latency_us']['p50']):>9} {fmt_ms(r['latency_us']['p99']):>9} "
                     f"{fmt_int(r['non2xx']):>8}  {st}")
        rt = ratio(b, "org")
        S.append(f"  org page / healthz: {rt:.3f}" if rt is not None else "  org page / healthz: n/a")
        S.append(f"  peak memory VmHWM {b['hwm_kb'] / 1024:.1f} MiB, VmRSS {b['rss_kb'] / 1024:.1f} MiB;"
                 f" exit on SIGTERM: {b['exit']}")
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
