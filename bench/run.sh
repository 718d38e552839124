#!/usr/bin/env bash
# run.sh: what `make bench` runs: seed a large territory, load the real server with wrk, record the figures in BENCHMARKS.md.
#
# For each backend (SQLite always; PostgreSQL too with BENCH_PG=1, in a throwaway cluster from
# tests/tools/pgcluster.sh): create the schema with `kiosque migrate`, load bench/seed.sql (8 communes,
# 50,000 accounts, 10,000 organisations, 25,000 memberships), start `kiosque serve` on a free port,
# run wrk on /healthz (the reference), /, /organisations/<2,000 random slugs>, /annuaire and a
# static asset, read the server's peak memory (VmHWM) and stop it with SIGTERM, expecting exit 0.
# bench/report.py then writes the run on top of BENCHMARKS.md and prints the summary.
#
# Quiet except for the summary; everything else is under bench/results/<UTC stamp>/ (git-ignored).
#
# Settings (environment):
#   BENCH_PG=1            also measure PostgreSQL
#   BENCH_DURATION=10     seconds of each measured wrk run      BENCH_WARMUP=2   seconds of warm-up before it
#   BENCH_CONNECTIONS=64  wrk connections                       BENCH_THREADS=2  wrk threads
#   BENCH_SLUGS=2000      organisation pages drawn at random for the organisation scenario
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
ACCESS_LOG=${BENCH_ACCESS_LOG:-file}

die() {
	echo "bench: $*" >&2
	exit 1
}

for v in DURATION:BENCH_DURATION WARMUP:BENCH_WARMUP CONNS:BENCH_CONNECTIONS THREADS:BENCH_THREADS \
	NSLUGS:BENCH_SLUGS; do
	name=${v%%:*}
	val=${!name}
	if ! [[ $val =~ ^[0-9]+$ ]] || [ "$val" -eq 0 ]; then
		die "${v#*:} must be a positive integer, not \"$val\""
	fi
done
[ "$ACCESS_LOG" = file ] || [ "$ACCESS_LOG" = null ] || die "BENCH_ACCESS_LOG is file or null"

PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3) || true

# A fresh Debian 12 machine: scripts/deps.sh installs wrk, sqlite3, curl, python3 and PostgreSQL.
if ! command -v wrk >/dev/null || ! command -v sqlite3 >/dev/null || ! command -v curl >/dev/null ||
	[ -z "$PY" ]; then
	bash scripts/deps.sh || die "scripts/deps.sh failed"
	PY=/usr/bin/python3
fi
for t in wrk sqlite3 curl timeout; do
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
# the server logged during the measured run go to $OUT/<backend>-<name>.{wrk,status}.
scenario() {
	local backend=$1 name=$2 paths=$3 first url pos perf_pid=
	local wrkout=$OUT/$backend-$name.wrk
	first=$(head -n 1 "$paths")
	url=$BASE$first
	BENCH_PATHS=$paths timeout $((WARMUP + 60)) wrk -t"$THREADS" -c"$CONNS" -d"${WARMUP}s" \
		-s bench/wrk.lua "$url" >"$OUT/$backend-$name.warmup" 2>&1 ||
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
	BENCH_PATHS=$paths timeout $((DURATION + 60)) wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" \
		--latency -s bench/wrk.lua "$url" >"$wrkout" 2>&1 ||
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
}

# bench_backend BACKEND DBURL: the whole measurement on one database, already migrated and seeded.
bench_backend() {
	local backend=$1 dburl=$2 css
	start_server "$backend" "$dburl"

	echo /healthz >"$OUT/paths-healthz"
	echo / >"$OUT/paths-home"
	echo /annuaire >"$OUT/paths-annuaire"
	# The stylesheet the layout links to (its versioned URL), or the stylesheet in assets/.
	css=$(curl -fsS --max-time 5 "$BASE/" 2>/dev/null | grep -oE '/static/[^"?]+\.css(\?v=[0-9a-f]+)?' | head -n 1 || true)
	[ -n "$css" ] || css=/static/css/kiosque.css
	echo "$css" >"$OUT/paths-static"

	scenario "$backend" healthz "$OUT/paths-healthz"
	scenario "$backend" home "$OUT/paths-home"
	scenario "$backend" org "$OUT/paths-org"
	scenario "$backend" annuaire "$OUT/paths-annuaire"
	scenario "$backend" static "$OUT/paths-static"

	# Peak (VmHWM) and current (VmRSS) resident memory, after every scenario.
	grep -E '^(VmHWM|VmRSS|Threads):' "/proc/$SERVER_PID/status" >"$OUT/mem-$backend"
	grep -oE 'serving on .*' "$OUT/server-$backend.log" "$ACCESS_FILE" 2>/dev/null | head -n 1 |
		sed 's/^[^:]*://' >"$OUT/serving-$backend" || true
	stop_server "$backend"
	if [ "$ACCESS_FILE" != /dev/null ]; then
		# Keep what is not an access-log line (start-up, warnings, errors) for the record.
		grep -avE "$ACCESS_RE" "$ACCESS_FILE" | tail -n 200 >"$OUT/server-$backend.stderr" || true
	fi
}

# dataset BACKEND CLIENT...: the dataset's size, counted in the database the server will read.
dataset() {
	local backend=$1
	shift
	"$@" "SELECT (SELECT count(*) FROM communes) || ' ' || (SELECT count(*) FROM accounts) || ' ' ||
		(SELECT count(*) FROM organisations) || ' ' || (SELECT count(*) FROM org_members) || ' ' ||
		(SELECT CAST(avg(length(description)) AS INTEGER) FROM organisations)" >"$OUT/dataset-$backend"
}

# --- SQLite -------------------------------------------------------------------------------------------
DB=$OUT/bench.db
timeout 120 ./kiosque migrate --db "sqlite:$DB" >"$OUT/migrate-sqlite.log" 2>&1 ||
	die "kiosque migrate (sqlite) failed: $(tail -n 3 "$OUT/migrate-sqlite.log")"
SEED_START=$(date +%s.%N)
timeout 600 sqlite3 -bail -cmd 'PRAGMA synchronous=OFF' "$DB" <bench/seed.sql >"$OUT/seed-sqlite.log" 2>&1 ||
	die "seeding SQLite failed: $(tail -n 3 "$OUT/seed-sqlite.log")"
echo "$SEED_START $(date +%s.%N)" >"$OUT/seedtime-sqlite"
# A checkpoint so the server starts on a database file, not a 25 MB write-ahead log.
sqlite3 "$DB" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
dataset sqlite sqlite3 "$DB"
# The same random slugs for every backend of the run (the seed is deterministic).
sqlite3 "$DB" "SELECT '/organisations/' || slug FROM organisations ORDER BY random() LIMIT $NSLUGS" \
	>"$OUT/paths-org"
[ -s "$OUT/paths-org" ] || die "no organisation in the seeded database"
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
	timeout 600 psql -X -q -v ON_ERROR_STOP=1 "$PGURL" -f bench/seed.sql -f bench/seed.pg.sql \
		>"$OUT/seed-pg.log" 2>&1 || die "seeding PostgreSQL failed: $(tail -n 3 "$OUT/seed-pg.log")"
	echo "$SEED_START $(date +%s.%N)" >"$OUT/seedtime-pg"
	dataset pg psql -X -q -A -t "$PGURL" -c
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
	echo "settings ${THREADS} ${CONNS} ${DURATION} ${WARMUP} ${NSLUGS} ${ACCESS_LOG}"
} >"$OUT/meta"

report_args=("$OUT")
[ "${BENCH_NO_REPORT:-}" = 1 ] || report_args+=(--update "$ROOT/BENCHMARKS.md")
"$PY" bench/report.py "${report_args[@]}" || die "bench/report.py failed"
