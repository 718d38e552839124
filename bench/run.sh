#!/usr/bin/env bash
# run.sh: what `make bench` runs: seed a large territory, load the real server with wrk, record the figures in BENCHMARKS.md.
#
# For each backend (SQLite always; PostgreSQL too with BENCH_PG=1, in a throwaway cluster from
# tests/tools/pgcluster.sh): create the schema with `kiosque migrate`, load bench/seed.sql (8 communes,
# 50,000 accounts, 10,000 organisations, 25,000 memberships) and bench/seed-events.sql (20,000 events
# around the date of the run, a quarter ticketed; the flash-sale and check-in events), add the box
# office's API token, start `kiosque serve` on a free port, run wrk on /healthz (the reference), /,
# /organisations/<2,000 random slugs>, /annuaire, a static asset, the agenda /evenements, the agenda
# with one filter and /evenements/<2,000 random slugs>; then the flash sales (bench/checkout.lua:
# BENCH_BUYERS connections post the event page's real checkout form as guests, a free type then a
# paid one, 2,000 seats each; the seats are counted in the database afterwards) and the check-in
# rush (bench/checkin.lua: scans of the 10,000 tickets of one event through the JSON API; skipped,
# with a line in the summary, while the route answers 404 or 405). Then read the server's peak
# memory (VmHWM) and stop it with SIGTERM, expecting exit 0. bench/report.py then writes the run on
# top of BENCHMARKS.md and prints the summary.
# Crowdfunding (bench/seed-campaigns.sql), on a second start of the server with the demo card
# (KIOSQUE_DEMO=1): wrk on the page of a campaign with 50 backers and 5 tiers, then the
# contribution rush (bench/contribute.lua: BENCH_BACKERS connections post the campaign page's real
# contribute form as guests, each then pressing the demo card's button, going for a tier limited to
# 500); afterwards the tier's counter and the ledger are checked in the database, and
# bench/campaign.py prints the figures ("0 over the limit" when the tier held).
#
# Quiet except for the summary; everything else is under bench/results/<UTC stamp>/ (git-ignored).
#
# Settings (environment):
#   BENCH_PG=1            also measure PostgreSQL
#   BENCH_DURATION=10     seconds of each measured wrk run      BENCH_WARMUP=2   seconds of warm-up before it
#   BENCH_CONNECTIONS=64  wrk connections                       BENCH_THREADS=2  wrk threads
#   BENCH_SLUGS=2000      organisation pages (and event pages) drawn at random for their scenarios
#   BENCH_BUYERS=200      wrk connections of the flash sales (each a buyer posting the checkout form)
#   BENCH_SALE_PAID=0     skip the second flash sale (paid type, paid on site)
#   BENCH_BACKERS=200     wrk connections of the contribution rush (each a backer)
#   BENCH_ONLY=...        only these groups of scenarios, comma-separated: pages, sales, checkin,
#                         campaign (e.g. BENCH_ONLY=campaign). A partial run never touches
#                         BENCHMARKS.md and prints only the figures of what ran
#   BENCH_SCANNERS=16     wrk connections of the check-in rush: phones scanning at once. A phone sends a
#                         scan and waits for the next person, so 16 is a rush at a large festival
#   BENCH_ACCESS_LOG=file where the server's stderr (one access-log line per request) goes: "file" (a
#                         file in the results directory, on the same disk; default) or "null" (/dev/null,
#                         which also loses the per-status counts, taken from that log)
#   BENCH_PERF=1          also `perf record -g` the server during the organisation-page run (perf-<backend>.txt)
#   BENCH_KEEP=1          keep the databases and the full access logs
#   BENCH_NO_REPORT=1     do not touch BENCHMARKS.md (the summary is still printed)
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD

DURATION=${BENCH_DURATION:-10}
WARMUP=${BENCH_WARMUP:-2}
CONNS=${BENCH_CONNECTIONS:-64}
THREADS=${BENCH_THREADS:-2}
NSLUGS=${BENCH_SLUGS:-2000}
BUYERS=${BENCH_BUYERS:-200}
SCANNERS=${BENCH_SCANNERS:-16}
BACKERS=${BENCH_BACKERS:-200}
ACCESS_LOG=${BENCH_ACCESS_LOG:-file}
ONLY=${BENCH_ONLY:-}

die() {
	echo "bench: $*" >&2
	exit 1
}

for v in DURATION:BENCH_DURATION WARMUP:BENCH_WARMUP CONNS:BENCH_CONNECTIONS THREADS:BENCH_THREADS \
	NSLUGS:BENCH_SLUGS BUYERS:BENCH_BUYERS SCANNERS:BENCH_SCANNERS BACKERS:BENCH_BACKERS; do
	name=${v%%:*}
	val=${!name}
	if ! [[ $val =~ ^[0-9]+$ ]] || [ "$val" -eq 0 ]; then
		die "${v#*:} must be a positive integer, not \"$val\""
	fi
done
[ "$ACCESS_LOG" = file ] || [ "$ACCESS_LOG" = null ] || die "BENCH_ACCESS_LOG is file or null"
for g in ${ONLY//,/ }; do
	case $g in pages | sales | checkin | campaign) ;; *) die "BENCH_ONLY: unknown group \"$g\" (pages, sales, checkin, campaign)" ;; esac
done

# want GROUP: true when GROUP's scenarios run (all of them without BENCH_ONLY).
want() {
	[ -z "$ONLY" ] || [[ ",$ONLY," == *",$1,"* ]]
}

PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3) || true

# A fresh Debian 12 machine: scripts/deps.sh installs wrk, sqlite3, curl, python3 and PostgreSQL.
if ! command -v wrk >/dev/null || ! command -v sqlite3 >/dev/null || ! command -v curl >/dev/null ||
	[ -z "$PY" ]; then
	bash scripts/deps.sh || die "scripts/deps.sh failed"
	PY=/usr/bin/python3
fi
for t in wrk sqlite3 curl timeout sha256sum; do
	command -v "$t" >/dev/null || die "$t not found (install it: apt-get install $t)"
done
[ -x "$PY" ] || die "python3 not found"
if [ ! -x ./kiosque ]; then
	make -s kiosque >/dev/null || die "make kiosque failed"
fi

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=$ROOT/bench/results/$STAMP
mkdir -p "$OUT"
# Keep the ten newest runs.
{ ls -1d "$ROOT"/bench/results/20*Z 2>/dev/null || true; } | sort | head -n -10 | while read -r old; do rm -rf "$old"; done

# The moment the events are spread around (both backends get the same rows).
CLOCK=$(date +%s)
echo "CREATE TEMP TABLE bench_clock AS SELECT CAST($CLOCK AS BIGINT) AS now;" >"$OUT/clock.sql"
# The box office's API token (account 49,992, box office of the festival, organisation 10,001),
# stored as core/apitokens.c stores one: SHA-256 of the whole "kq_..." string, and its first 8 hex.
TOKEN="kq_$(printf 'kiosque bench box office %s' "$STAMP" | sha256sum | cut -c1-64)"
TOKEN_HASH=$(printf '%s' "$TOKEN" | sha256sum | cut -c1-64)
echo "INSERT INTO api_tokens (account_id, name, prefix, token_hash, created_at)
	VALUES (49992, 'Contrôle des entrées (bench)', '${TOKEN:3:8}', '$TOKEN_HASH', $CLOCK);" >"$OUT/token.sql"
# The session of the bench citizen (account 49,990, who follows 50 organisations: bench/seed-social.sql),
# stored as core/sessions.c stores one: SHA-256 of the cookie's token.
SESSION=$(printf 'kiosque bench session %s' "$STAMP" | sha256sum | cut -c1-64)
SESSION_HASH=$(printf '%s' "$SESSION" | sha256sum | cut -c1-64)
echo "INSERT INTO sessions (token_hash, account_id, created_at, last_seen_at, expires_at, user_agent)
	VALUES ('$SESSION_HASH', 49990, $CLOCK, $CLOCK, $((CLOCK + 30 * 86400)), 'bench');" >"$OUT/session.sql"
# The double-submit CSRF token the buyers send in the kq_csrf cookie and the _csrf field.
CSRF=$(printf 'kiosque bench csrf %s' "$STAMP" | sha256sum | cut -c1-64)
# A sold-out answer is a 409 page that shows the catalog's sold-out message: its longest piece
# that HTML escaping leaves as it is.
SOLDOUT=$("$PY" - "$ROOT/src/base/messages.def" <<'PYEOF'
import re, sys
m = re.search(r'^MSG\("err\.tickets\.sold_out",\s*"((?:[^"\\]|\\.)*)"', open(sys.argv[1], encoding="utf-8").read(), re.M)
print(max(re.split(r"[&<>\"']", m.group(1)), key=len).strip() if m else "")
PYEOF
) || SOLDOUT=
[ -n "$SOLDOUT" ] || die "no err.tickets.sold_out message in src/base/messages.def"
# The same for a reward tier that is gone (the contribution rush).
TIERFULL=$("$PY" - "$ROOT/src/base/messages.def" <<'PYEOF'
import re, sys
m = re.search(r'^MSG\("err\.campaigns\.tier_full",\s*"((?:[^"\\]|\\.)*)"', open(sys.argv[1], encoding="utf-8").read(), re.M)
print(max(re.split(r"[&<>\"']", m.group(1)), key=len).strip() if m else "")
PYEOF
) || TIERFULL=
[ -n "$TIERFULL" ] || die "no err.campaigns.tier_full message in src/base/messages.def"

SERVER_PID=
PGDIR=
cleanup() {
	local rc=$?
	if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
		kill -TERM "$SERVER_PID" 2>/dev/null || true
		for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$SERVER_PID" 2>/dev/null || true
	fi
	if [ -n "$PGDIR" ]; then
		bash tests/tools/pgcluster.sh stop "$PGDIR" >/dev/null 2>&1 || rm -rf "$PGDIR"
	fi
	if [ "${BENCH_KEEP:-}" != 1 ]; then
		rm -f "$OUT"/*.db "$OUT"/*.db-wal "$OUT"/*.db-shm "$OUT"/access-*.log
	fi
	[ $rc -eq 0 ] || echo "bench: failed; logs are in ${OUT#"$ROOT"/}/" >&2
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
	"$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# One access-log line per request, written by web_complete(): "<time> info GET /path 200 1.234ms <addr>".
ACCESS_RE='^[^ ]+ info [A-Z]+ [^ ]+ [0-9]{3} [0-9.]+ms '

# start_server BACKEND DBURL: starts kiosque on a free port, waits for /healthz; sets SERVER_PID, BASE.
start_server() {
	local backend=$1 dburl=$2 port log
	log=$OUT/server-$backend.log
	[ "$ACCESS_LOG" = file ] && ACCESS_FILE=$OUT/access-$backend.log || ACCESS_FILE=/dev/null
	for _ in 1 2 3; do
		port=$(free_port)
		# The port was free a moment ago but may be taken before kiosque binds it: retry on a new one.
		./kiosque serve --listen "127.0.0.1:$port" --db "$dburl" 2>"$ACCESS_FILE" >"$log" &
		SERVER_PID=$!
		BASE=http://127.0.0.1:$port
		for _ in $(seq 1 300); do
			if curl -fsS -o /dev/null --max-time 2 "$BASE/healthz" 2>/dev/null; then
				echo "$port" >"$OUT/port-$backend"
				return 0
			fi
			kill -0 "$SERVER_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -TERM "$SERVER_PID" 2>/dev/null || true
		wait "$SERVER_PID" 2>/dev/null || true
		SERVER_PID=
	done
	[ "$ACCESS_FILE" = /dev/null ] || tail -n 20 "$ACCESS_FILE" >&2
	die "kiosque serve ($backend) did not answer /healthz within 30 s"
}

# stop_server BACKEND: SIGTERM, up to 20 s (the server gives requests in flight 10 s), exit code to a file.
stop_server() {
	local backend=$1 rc=timeout
	kill -TERM "$SERVER_PID"
	for _ in $(seq 1 200); do
		kill -0 "$SERVER_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$SERVER_PID" 2>/dev/null; then
		kill -KILL "$SERVER_PID" 2>/dev/null || true
		wait "$SERVER_PID" 2>/dev/null || true
	else
		rc=0
		wait "$SERVER_PID" || rc=$?
	fi
	echo "$rc" >"$OUT/exit-$backend"
	SERVER_PID=
}

# server_alive BACKEND WHEN: dies with the server's exit status if it is gone (a crash under load, or a
# Ctrl-C, which wrk survives: it catches SIGINT to print its results).
server_alive() {
	local rc=0
	kill -0 "$SERVER_PID" 2>/dev/null && return 0
	wait "$SERVER_PID" 2>/dev/null || rc=$?
	SERVER_PID=
	[ "$ACCESS_FILE" = /dev/null ] || grep -avE "$ACCESS_RE" "$ACCESS_FILE" | tail -n 5 >&2 || true
	die "kiosque ($1) exited with status $rc $2"
}

# scenario BACKEND NAME PATHS_FILE: warm-up run, then the measured run; wrk's output and the statuses
# the server logged during the measured run go to $OUT/<backend>-<name>.{wrk,status}. wrk waits up to
# 10 s for an answer (its default, 2 s, drops every answer of a page slower than 32 requests/s at 64
# connections from the figures, as timeouts).
scenario() {
	local backend=$1 name=$2 paths=$3 first url pos perf_pid=
	local cookie=${SCENARIO_COOKIE:-} conns=${SCENARIO_CONNS:-$CONNS}
	local wrkout=$OUT/$backend-$name.wrk
	first=$(head -n 1 "$paths")
	url=$BASE$first
	BENCH_COOKIE=$cookie BENCH_PATHS=$paths timeout $((WARMUP + 60)) wrk -t"$THREADS" -c"$conns" -d"${WARMUP}s" \
		--timeout 10s -s bench/wrk.lua "$url" >"$OUT/$backend-$name.warmup" 2>&1 ||
		die "wrk warm-up of $name ($backend) failed: $(tail -n 3 "$OUT/$backend-$name.warmup")"
	server_alive "$backend" "during the warm-up of $name"
	sleep 0.5 # requests cut off by the end of the warm-up are logged before the offset is taken
	pos=0
	[ "$ACCESS_FILE" = /dev/null ] || pos=$(stat -c %s "$ACCESS_FILE")
	if [ "${BENCH_PERF:-}" = 1 ] && [ "$name" = org ] && command -v perf >/dev/null; then
		perf record -F 499 -g -p "$SERVER_PID" -o "$OUT/perf-$backend.data" -- sleep "$DURATION" \
			>/dev/null 2>&1 &
		perf_pid=$!
	fi
	BENCH_COOKIE=$cookie BENCH_PATHS=$paths timeout $((DURATION + 60)) wrk -t"$THREADS" -c"$conns" -d"${DURATION}s" \
		--timeout 10s --latency -s bench/wrk.lua "$url" >"$wrkout" 2>&1 ||
		die "wrk run of $name ($backend) failed: $(tail -n 3 "$wrkout")"
	server_alive "$backend" "during the run of $name"
	if [ -n "$perf_pid" ]; then
		wait "$perf_pid" || true
		perf report -i "$OUT/perf-$backend.data" --stdio --no-children --percent-limit 0.5 \
			>"$OUT/perf-$backend.txt" 2>/dev/null || true
	fi
	grep -q '^BENCH_JSON ' "$wrkout" || die "no results in wrk's output for $name ($backend): $wrkout"
	sleep 0.5
	if [ "$ACCESS_FILE" != /dev/null ]; then
		# No line matching (the log format changed) leaves the file empty: report.py then falls back
		# on wrk's own count of statuses >= 400.
		tail -c +$((pos + 1)) "$ACCESS_FILE" | { grep -aE "$ACCESS_RE" || true; } |
			awk '{ n[$5]++ } END { for (s in n) printf "%s %d\n", s, n[s] }' | sort >"$OUT/$backend-$name.status"
	else
		: >"$OUT/$backend-$name.status"
	fi
	echo "$backend $name $first" >>"$OUT/scenarios"
	hwm "$backend" "$name"
}

# hwm BACKEND NAME: the server's peak memory so far, after the scenario NAME.
hwm() {
	awk '/^VmHWM:/ { print $2 }' "/proc/$SERVER_PID/status" >"$OUT/$1-$2.hwm" 2>/dev/null || true
}

# log_since POS: the access-log lines written after byte POS (nothing with BENCH_ACCESS_LOG=null).
log_since() {
	[ "$ACCESS_FILE" = /dev/null ] && return 0
	tail -c +$(($1 + 1)) "$ACCESS_FILE" | { grep -aE "$ACCESS_RE" || true; }
}

log_pos() {
	if [ "$ACCESS_FILE" = /dev/null ]; then echo 0; else stat -c %s "$ACCESS_FILE"; fi
}

# flash_sale BACKEND NAME SLUG PROVIDER: BUYERS connections post the checkout form of the event
# page of SLUG as guests, each request with its own idempotency key, for DURATION seconds (no
# warm-up: it would buy seats). Then the seats are counted in the database: quota size, the sold
# counter, tickets of live (pending or paid) orders, live orders.
flash_sale() {
	local backend=$1 name=$2 slug=$3 provider=$4 form action pos
	local page=$OUT/$backend-$name.html wrkout=$OUT/$backend-$name.wrk
	curl -fsS --max-time 10 -o "$page" "$BASE/evenements/$slug" ||
		die "GET /evenements/$slug ($backend) failed"
	form=$("$PY" bench/form.py "$page" "$CSRF" "$provider" 2>"$OUT/$backend-$name.form.err") ||
		die "no checkout form on /evenements/$slug ($backend): $(cat "$OUT/$backend-$name.form.err")"
	action=$(sed -n 1p <<<"$form")
	sed -n 2p <<<"$form" >"$OUT/$backend-$name.body"
	pos=$(log_pos)
	BENCH_BODY=$OUT/$backend-$name.body BENCH_CSRF=$CSRF BENCH_ORIGIN=$BASE BENCH_SOLDOUT=$SOLDOUT \
		BENCH_KEY_PREFIX="bench-$name-$STAMP" timeout $((DURATION + 60)) wrk -t"$THREADS" \
		-c"$BUYERS" -d"${DURATION}s" --timeout 10s --latency -s bench/checkout.lua "$BASE$action" \
		>"$wrkout" 2>&1 || die "wrk run of $name ($backend) failed: $(tail -n 3 "$wrkout")"
	server_alive "$backend" "during the run of $name"
	grep -q '^BENCH_SALE ' "$wrkout" || die "no results in wrk's output for $name ($backend): $wrkout"
	sleep 0.5
	log_since "$pos" >"$OUT/$backend-$name.log"
	awk '{ n[$5]++ } END { for (s in n) printf "%s %d\n", s, n[s] }' "$OUT/$backend-$name.log" |
		sort >"$OUT/$backend-$name.status"
	# Server-side time of each sale (the 303s), for its percentiles.
	awk '$3 == "POST" && $5 == "303" { sub(/ms$/, "", $6); print $6 }' "$OUT/$backend-$name.log" \
		>"$OUT/$backend-$name.sale-ms"
	rm -f "$OUT/$backend-$name.log"
	"${DBQ[@]}" "SELECT q.size, q.sold,
		(SELECT count(*) FROM tickets t JOIN orders o ON o.id = t.order_id
		 WHERE t.event_date_id = q.event_date_id AND o.status IN ('pending', 'paid')),
		(SELECT count(*) FROM orders o WHERE o.event_id = e.id AND o.status IN ('pending', 'paid'))
		FROM events e JOIN event_dates d ON d.event_id = e.id JOIN ticket_quotas q ON q.event_date_id = d.id
		WHERE e.slug = '$slug'" >"$OUT/$backend-$name.seats" 2>&1 ||
		die "counting the seats of $slug ($backend) failed: $(cat "$OUT/$backend-$name.seats")"
	echo "$backend $name $action $provider" >>"$OUT/sales"
	hwm "$backend" "$name"
}

# checkin_rush BACKEND: scans of the check-in event's 10,000 tickets through the API (bench/checkin.lua),
# SCANNERS connections. A probe first: while the route answers 404 or 405 without a "result", the
# scenario is skipped and says so.
checkin_rush() {
	local backend=$1 path=/api/v1/events/controle-entrees/checkins probe code pos
	local wrkout=$OUT/$backend-checkin.wrk
	code=$(head -n 1 "$OUT/checkin-codes" | rev)
	probe=$(curl -sS --max-time 10 -o "$OUT/$backend-checkin.probe" -w '%{http_code}' -X POST \
		-H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
		--data "{\"code\":\"$code\",\"gate\":\"A\"}" "$BASE$path" 2>&1) || probe="curl failed: $probe"
	if ! grep -q '"result"' "$OUT/$backend-checkin.probe" 2>/dev/null &&
		{ [ "$probe" = 404 ] || [ "$probe" = 405 ]; }; then
		echo "POST $path answered $probe (no check-in route in this build yet)" >"$OUT/$backend-checkin.skip"
		return 0
	fi
	BENCH_CODES=$OUT/checkin-codes BENCH_TOKEN=$TOKEN BENCH_THREADS=$THREADS BENCH_SCAN_UNKNOWN=1 \
		timeout $((WARMUP + 60)) wrk -t"$THREADS" -c"$SCANNERS" -d"${WARMUP}s" -s bench/checkin.lua \
		"$BASE$path" >"$OUT/$backend-checkin.warmup" 2>&1 ||
		die "wrk warm-up of checkin ($backend) failed: $(tail -n 3 "$OUT/$backend-checkin.warmup")"
	server_alive "$backend" "during the warm-up of checkin"
	sleep 0.5
	pos=$(log_pos)
	BENCH_CODES=$OUT/checkin-codes BENCH_TOKEN=$TOKEN BENCH_THREADS=$THREADS \
		timeout $((DURATION + 60)) wrk -t"$THREADS" -c"$SCANNERS" -d"${DURATION}s" --timeout 10s --latency \
		-s bench/checkin.lua "$BASE$path" >"$wrkout" 2>&1 ||
		die "wrk run of checkin ($backend) failed: $(tail -n 3 "$wrkout")"
	server_alive "$backend" "during the run of checkin"
	grep -q '^BENCH_SCAN ' "$wrkout" || die "no results in wrk's output for checkin ($backend): $wrkout"
	sleep 0.5
	log_since "$pos" >"$OUT/$backend-checkin.log"
	awk '{ n[$5]++ } END { for (s in n) printf "%s %d\n", s, n[s] }' "$OUT/$backend-checkin.log" |
		sort >"$OUT/$backend-checkin.status"
	# Server-side time of each scan, for its percentiles (the queue in front of the workers excluded).
	awk '$3 == "POST" { sub(/ms$/, "", $6); print $6 }' "$OUT/$backend-checkin.log" >"$OUT/$backend-checkin.scan-ms"
	rm -f "$OUT/$backend-checkin.log"
	# Tickets let in, and tickets with more than one "valid" scan in the scan log (checkins, a table
	# of migration 0007: "?" without it). Scans in flight when wrk stopped are let in but not counted
	# by wrk, so the first figure may pass the "valid" answers by a few; the second must be 0.
	"${DBQ[@]}" "SELECT count(*) FROM tickets t JOIN orders o ON o.id = t.order_id
		JOIN events e ON e.id = o.event_id WHERE e.slug = 'controle-entrees' AND t.checked_in_at IS NOT NULL" \
		>"$OUT/$backend-checkin.checked" 2>&1 || echo "?" >"$OUT/$backend-checkin.checked"
	"${DBQ[@]}" "SELECT count(*) FROM (SELECT c.ticket_id FROM checkins c JOIN events e ON e.id = c.event_id
		WHERE e.slug = 'controle-entrees' AND c.result = 'valid' GROUP BY c.ticket_id HAVING count(*) > 1) x" \
		>"$OUT/$backend-checkin.twice" 2>/dev/null || echo "?" >"$OUT/$backend-checkin.twice"
	hwm "$backend" checkin
}

# campaign_bench BACKEND DBURL: the crowdfunding scenarios, on their own start of the server with the
# demo card (KIOSQUE_DEMO=1; files of that start are named <backend>-campaign): the campaign page
# under wrk, then the contribution rush on bench-campagne-ruee (no warm-up: it would take rewards),
# then the database is asked whether the limited tier and the ledger held.
campaign_bench() {
	local backend=$1 dburl=$2 slug=bench-campagne-ruee page form action pos tier tier_open
	local wrkout=$OUT/$backend-contrib.wrk
	export KIOSQUE_DEMO=1
	start_server "$backend-campaign" "$dburl"
	unset KIOSQUE_DEMO
	echo /soutenir/bench-campagne-page >"$OUT/paths-campaign"
	scenario "$backend" campaign "$OUT/paths-campaign"

	page=$OUT/$backend-contrib.html
	curl -fsS --max-time 10 -o "$page" "$BASE/soutenir/$slug" || die "GET /soutenir/$slug ($backend) failed"
	# "id|amount_cents" of the limited tier and of the unlimited one.
	tier=$("${DBQ[@]}" "SELECT t.id || '|' || t.amount_cents FROM campaign_tiers t JOIN campaigns c
		ON c.id = t.campaign_id WHERE c.slug = '$slug' AND t.quantity IS NOT NULL")
	tier_open=$("${DBQ[@]}" "SELECT t.id || '|' || t.amount_cents FROM campaign_tiers t JOIN campaigns c
		ON c.id = t.campaign_id WHERE c.slug = '$slug' AND t.quantity IS NULL")
	[ -n "$tier" ] && [ -n "$tier_open" ] || die "no tiers of $slug in the $backend database"
	form=$("$PY" bench/contribute.py "$page" "$CSRF" "${tier%|*}" "${tier_open%|*}" \
		2>"$OUT/$backend-contrib.form.err") ||
		die "no contribute form on /soutenir/$slug ($backend): $(cat "$OUT/$backend-contrib.form.err")"
	action=$(sed -n 1p <<<"$form")
	sed -n 2p <<<"$form" >"$OUT/$backend-contrib.body"
	echo "$BACKERS" >"$OUT/$backend-contrib.backers"
	pos=$(log_pos)
	BENCH_BODY=$OUT/$backend-contrib.body BENCH_CSRF=$CSRF BENCH_ORIGIN=$BASE BENCH_FULL=$TIERFULL \
		BENCH_TIER=${tier%|*} BENCH_AMOUNT=$((${tier#*|} / 100)) \
		BENCH_TIER_OPEN=${tier_open%|*} BENCH_AMOUNT_OPEN=$((${tier_open#*|} / 100)) \
		BENCH_KEY_PREFIX="bench-contrib-$STAMP" timeout $((DURATION + 60)) wrk -t"$THREADS" \
		-c"$BACKERS" -d"${DURATION}s" --timeout 10s --latency -s bench/contribute.lua "$BASE$action" \
		>"$wrkout" 2>&1 || die "wrk run of contrib ($backend) failed: $(tail -n 3 "$wrkout")"
	server_alive "$backend" "during the contribution rush"
	grep -q '^BENCH_CONTRIB ' "$wrkout" || die "no results in wrk's output for contrib ($backend): $wrkout"
	sleep 0.5
	log_since "$pos" | awk '{ n[$3 " " $5]++ } END { for (s in n) printf "%s %d\n", s, n[s] }' |
		sort >"$OUT/$backend-contrib.status"
	# INVARIANT(tier) and INVARIANT(ledger), read back: quantity, taken, contributions of the tier
	# pending or paid, paid ones, paid contributions of the campaign, their sum, the ledger's sum.
	"${DBQ[@]}" "SELECT t.quantity || '|' || t.taken || '|' ||
		(SELECT count(*) FROM contributions k WHERE k.tier_id = t.id AND k.status IN ('pending', 'paid')) || '|' ||
		(SELECT count(*) FROM contributions k WHERE k.tier_id = t.id AND k.status = 'paid') || '|' ||
		(SELECT count(*) FROM contributions k WHERE k.campaign_id = c.id AND k.status = 'paid') || '|' ||
		(SELECT COALESCE(sum(k.amount_cents), 0) FROM contributions k
		 WHERE k.campaign_id = c.id AND k.status = 'paid') || '|' ||
		(SELECT COALESCE(sum(l.amount_cents), 0) FROM ledger l JOIN payments p ON p.id = l.payment_id
		 JOIN contributions k ON k.id = p.contribution_id WHERE k.campaign_id = c.id AND l.kind = 'payment')
		FROM campaign_tiers t JOIN campaigns c ON c.id = t.campaign_id
		WHERE c.slug = '$slug' AND t.quantity IS NOT NULL" >"$OUT/$backend-contrib.check" 2>&1 ||
		die "checking the tier of $slug ($backend) failed: $(cat "$OUT/$backend-contrib.check")"
	hwm "$backend" contrib
	stop_server "$backend-campaign"
	echo "$backend" >>"$OUT/campaign-backends"
}

# bench_backend BACKEND DBURL: the whole measurement on one database, already migrated and seeded.
bench_backend() {
	local backend=$1 dburl=$2 css
	if ! want pages && ! want sales && ! want checkin; then
		want campaign && campaign_bench "$backend" "$dburl"
		return 0
	fi
	start_server "$backend" "$dburl"

	echo /healthz >"$OUT/paths-healthz"
	echo / >"$OUT/paths-home"
	echo /annuaire >"$OUT/paths-annuaire"
	# The stylesheet the layout links to (its versioned URL), or the stylesheet in assets/.
	css=$(curl -fsS --max-time 5 "$BASE/" 2>/dev/null | grep -oE '/static/[^"?]+\.css(\?v=[0-9a-f]+)?' | head -n 1 || true)
	[ -n "$css" ] || css=/static/css/kiosque.css
	echo "$css" >"$OUT/paths-static"

	if want pages; then
		scenario "$backend" healthz "$OUT/paths-healthz"
		scenario "$backend" home "$OUT/paths-home"
		scenario "$backend" org "$OUT/paths-org"
		scenario "$backend" annuaire "$OUT/paths-annuaire"
		scenario "$backend" static "$OUT/paths-static"
		echo /evenements >"$OUT/paths-agenda"
		scenario "$backend" agenda "$OUT/paths-agenda"
		scenario "$backend" agenda_filter "$OUT/paths-agenda_filter"
		scenario "$backend" event "$OUT/paths-event"
		# Issue #4: the home feed of a signed-in citizen who follows 50 organisations, the news wall,
		# and the search box (at 4 connections: its latency is the figure, not its throughput).
		echo / >"$OUT/paths-home_feed"
		SCENARIO_COOKIE="kq_session=$SESSION" scenario "$backend" home_feed "$OUT/paths-home_feed"
		echo /actualites >"$OUT/paths-wall"
		scenario "$backend" wall "$OUT/paths-wall"
		SCENARIO_CONNS=4 scenario "$backend" search "$OUT/paths-search"
	fi

	# Writes last: the pages above are measured on the seeded database.
	if want sales; then
		flash_sale "$backend" sale_free flash-sale-gratuit onsite
		[ "${BENCH_SALE_PAID:-1}" = 0 ] || flash_sale "$backend" sale_paid flash-sale-payant onsite
	fi
	want checkin && checkin_rush "$backend"

	# Peak (VmHWM) and current (VmRSS) resident memory after every scenario; at the end, what of it is
	# the server's own (RssAnon) and what is the database file mapped in memory (RssFile).
	grep -E '^(VmHWM|VmRSS|RssAnon|RssFile|Threads):' "/proc/$SERVER_PID/status" >"$OUT/mem-$backend"
	grep -oE 'serving on .*' "$OUT/server-$backend.log" "$ACCESS_FILE" 2>/dev/null | head -n 1 |
		sed 's/^[^:]*://' >"$OUT/serving-$backend" || true
	stop_server "$backend"
	if [ "$ACCESS_FILE" != /dev/null ]; then
		# Keep what is not an access-log line (start-up, warnings, errors) for the record.
		grep -avE "$ACCESS_RE" "$ACCESS_FILE" | tail -n 200 >"$OUT/server-$backend.stderr" || true
	fi
	want campaign && campaign_bench "$backend" "$dburl"
	return 0
}

# dataset BACKEND CLIENT...: the dataset's size, counted in the database the server will read.
dataset() {
	local backend=$1
	shift
	"$@" "SELECT (SELECT count(*) FROM communes) || ' ' || (SELECT count(*) FROM accounts) || ' ' ||
		(SELECT count(*) FROM organisations) || ' ' || (SELECT count(*) FROM org_members) || ' ' ||
		(SELECT CAST(avg(length(description)) AS INTEGER) FROM organisations)" >"$OUT/dataset-$backend"
	"$@" "SELECT (SELECT count(*) FROM events) || ' ' || (SELECT count(*) FROM event_dates) || ' ' ||
		(SELECT count(*) FROM events WHERE is_ticketed = 1) || ' ' || (SELECT count(*) FROM ticket_types) || ' ' ||
		(SELECT count(*) FROM tickets) || ' ' || (SELECT count(*) FROM event_dates WHERE ends_at > $CLOCK)" \
		>"$OUT/dataset-events-$backend"
	"$@" "SELECT (SELECT count(*) FROM posts) || ' ' || (SELECT count(*) FROM comments) || ' ' ||
		(SELECT count(*) FROM follows) || ' ' || (SELECT count(*) FROM reactions)" >"$OUT/dataset-social-$backend"
}

# --- SQLite -------------------------------------------------------------------------------------------
DB=$OUT/bench.db
timeout 120 ./kiosque migrate --db "sqlite:$DB" >"$OUT/migrate-sqlite.log" 2>&1 ||
	die "kiosque migrate (sqlite) failed: $(tail -n 3 "$OUT/migrate-sqlite.log")"
SEED_START=$(date +%s.%N)
cat "$OUT/clock.sql" bench/seed.sql bench/seed-events.sql bench/seed-campaigns.sql bench/seed-social.sql \
	"$OUT/token.sql" "$OUT/session.sql" |
	timeout 600 sqlite3 -bail -cmd 'PRAGMA synchronous=OFF' "$DB" >"$OUT/seed-sqlite.log" 2>&1 ||
	die "seeding SQLite failed: $(tail -n 3 "$OUT/seed-sqlite.log")"
echo "$SEED_START $(date +%s.%N)" >"$OUT/seedtime-sqlite"
# A checkpoint so the server starts on a database file, not a 25 MB write-ahead log.
sqlite3 "$DB" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
dataset sqlite sqlite3 "$DB"
# The same random slugs for every backend of the run (the seed is deterministic).
sqlite3 "$DB" "SELECT '/organisations/' || slug FROM organisations ORDER BY random() LIMIT $NSLUGS" \
	>"$OUT/paths-org"
[ -s "$OUT/paths-org" ] || die "no organisation in the seeded database"
sqlite3 "$DB" "SELECT '/evenements/' || slug FROM events WHERE status <> 'draft' AND org_id <> 10001
	ORDER BY random() LIMIT $NSLUGS" >"$OUT/paths-event"
[ -s "$OUT/paths-event" ] || die "no event in the seeded database"
# The agenda with one filter: each category, each commune (by INSEE code, as the form sends it).
sqlite3 "$DB" "SELECT DISTINCT '/evenements?category=' || category FROM events WHERE id <= 20000
	UNION ALL SELECT '/evenements?commune=' || insee FROM communes" >"$OUT/paths-agenda_filter"
# Search queries as people type them (no accents, a prefix, several words).
printf '%s\n' '/recherche?q=marche+de+noel' '/recherche?q=vide+grenier' '/recherche?q=calisson' \
	'/recherche?q=fete+de+la+musique' '/recherche?q=concert+chorale' '/recherche?q=petanque' \
	'/recherche?q=randonnee+dimanche' '/recherche?q=boulangerie' '/recherche?q=assemblee+generale' \
	'/recherche?q=don+du+sang' '/recherche?q=chataignes' '/recherche?q=velo' >"$OUT/paths-search"
# The check-in event's ticket codes, in the order people arrive.
sqlite3 "$DB" "SELECT t.code FROM tickets t JOIN orders o ON o.id = t.order_id JOIN events e ON e.id = o.event_id
	WHERE e.slug = 'controle-entrees' ORDER BY random()" >"$OUT/checkin-codes"
[ -s "$OUT/checkin-codes" ] || die "no ticket for the check-in rush in the seeded database"
DBQ=(sqlite3 "$DB")
bench_backend sqlite "sqlite:$DB"

# --- PostgreSQL ---------------------------------------------------------------------------------------
if [ "${BENCH_PG:-}" = 1 ]; then
	[ -x /usr/lib/postgresql/15/bin/initdb ] || bash scripts/deps.sh || die "scripts/deps.sh failed"
	command -v psql >/dev/null || die "psql not found (apt-get install postgresql-15)"
	PGDIR=$(mktemp -d /tmp/kiosque-bench-pg.XXXXXX)
	chmod 755 "$PGDIR"
	PGURL=$(bash tests/tools/pgcluster.sh start "$PGDIR" 2>"$OUT/pg-start.log") ||
		die "could not start PostgreSQL: $(tail -n 3 "$OUT/pg-start.log")"
	timeout 120 ./kiosque migrate --db "$PGURL" >"$OUT/migrate-pg.log" 2>&1 ||
		die "kiosque migrate (pg) failed: $(tail -n 3 "$OUT/migrate-pg.log")"
	SEED_START=$(date +%s.%N)
	timeout 600 psql -X -q -v ON_ERROR_STOP=1 "$PGURL" -f "$OUT/clock.sql" -f bench/seed.sql \
		-f bench/seed-events.sql -f bench/seed-campaigns.sql -f bench/seed-social.sql -f "$OUT/token.sql" \
		-f "$OUT/session.sql" -f bench/seed.pg.sql \
		>"$OUT/seed-pg.log" 2>&1 || die "seeding PostgreSQL failed: $(tail -n 3 "$OUT/seed-pg.log")"
	echo "$SEED_START $(date +%s.%N)" >"$OUT/seedtime-pg"
	dataset pg psql -X -q -A -t "$PGURL" -c
	DBQ=(psql -X -q -A -t "$PGURL" -c)
	bench_backend pg "$PGURL"
fi

# --- Report -------------------------------------------------------------------------------------------
{
	echo "date $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "nproc $(nproc)"
	echo "cpu $(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
	echo "mem $(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)"
	echo "kernel $(uname -r)"
	echo "load $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
	# Others work in this tree: say when the binary was built from uncommitted sources.
	echo "dirty $(git status --porcelain -- src db assets Makefile 2>/dev/null | wc -l)"
	echo "wrk $(wrk -v 2>&1 | head -n 1 | awk '{ print $2 }')"
	echo "sqlite $(dpkg-query -W -f='${Version}' libsqlite3-0 2>/dev/null || echo '?')"
	echo "mhd $(dpkg-query -W -f='${Version}' libmicrohttpd12 2>/dev/null || echo '?')"
	echo "settings ${THREADS} ${CONNS} ${DURATION} ${WARMUP} ${NSLUGS} ${ACCESS_LOG} ${BUYERS} ${SCANNERS}"
} >"$OUT/meta"

report_args=("$OUT")
[ "${BENCH_NO_REPORT:-}" = 1 ] || [ -n "$ONLY" ] || report_args+=(--update "$ROOT/BENCHMARKS.md")
# The crowdfunding figures first: report.py copies campaign.txt into BENCHMARKS.md.
if want campaign; then
	# shellcheck disable=SC2046
	"$PY" bench/campaign.py "$OUT" $(cat "$OUT/campaign-backends") >"$OUT/campaign.txt" ||
		{ cat "$OUT/campaign.txt"; die "the crowdfunding checks failed (bench/campaign.py)"; }
fi
if want pages && want sales && want checkin; then
	# Its summary ends with the crowdfunding figures.
	"$PY" bench/report.py "${report_args[@]}" || die "bench/report.py failed"
else
	[ ! -s "$OUT/campaign.txt" ] || cat "$OUT/campaign.txt"
fi
