#!/usr/bin/env bash
# run-all.sh: what `make test` runs: unit and HTTP suites on SQLite and PostgreSQL, the same under
# ASan+UBSan, then the browser journeys; one throwaway PostgreSQL cluster serves them all.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

jobs=$(nproc 2>/dev/null || echo 2)
make -s -j"$jobs" kiosque || exit 1
make -s -j"$jobs" $(ls tests/unit/test_*.c | sed 's|tests/unit/\(.*\)\.c|build/tests/\1|') || exit 1

pgdir=$(mktemp -d /tmp/kiosque-pg.XXXXXX) && chmod 755 "$pgdir" || exit 1
cleanup() { bash tests/tools/pgcluster.sh stop "$pgdir" >/dev/null 2>&1 || rm -rf "$pgdir"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
if ! url=$(bash tests/tools/pgcluster.sh start "$pgdir"); then
	echo "tests: could not start PostgreSQL: the PostgreSQL suites cannot run" >&2
	exit 1
fi
export KIOSQUE_TEST_PG_DIR=$pgdir
export KIOSQUE_TEST_PG_URL=$url

summary=()
total_pass=0 total_fail=0
run() { # name, command...
	local name=$1 out rc line p f
	shift
	out=$(mktemp /tmp/kiosque-suite.XXXXXX)
	"$@" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	line=$(grep -aE '[0-9]+ (tests )?passed, [0-9]+ failed' "$out" | tail -n 1)
	p=$(sed -nE 's/.* ([0-9]+) (tests )?passed, ([0-9]+) failed.*/\1/p' <<<"$line")
	f=$(sed -nE 's/.* ([0-9]+) (tests )?passed, ([0-9]+) failed.*/\3/p' <<<"$line")
	p=${p:-0} f=${f:-0}
	[ "$rc" -eq 0 ] || [ "$f" -gt 0 ] || f=1
	total_pass=$((total_pass + p)) total_fail=$((total_fail + f))
	summary+=("$(printf '%-22s %4d passed, %d failed' "$name" "$p" "$f")")
	rm -f "$out"
}

run "unit (both backends)" bash tests/unit/run.sh build
run "http/sqlite" env KIOSQUE_TEST_DB_BACKEND=sqlite bash tests/http/run.sh
run "http/pg" env KIOSQUE_TEST_DB_BACKEND=pg bash tests/http/run.sh

# The same suites built with AddressSanitizer and UndefinedBehaviorSanitizer.
if make -s -j"$jobs" asan >/dev/null; then
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
	run "unit asan" bash tests/unit/run.sh build-asan
	run "http/sqlite asan" env KIOSQUE_BIN=build-asan/kiosque KIOSQUE_TEST_DB_BACKEND=sqlite bash tests/http/run.sh
	run "http/pg asan" env KIOSQUE_BIN=build-asan/kiosque KIOSQUE_TEST_DB_BACKEND=pg bash tests/http/run.sh
	unset ASAN_OPTIONS UBSAN_OPTIONS
else
	summary+=("asan build FAILED")
	total_fail=$((total_fail + 1))
fi

run "browser" bash tests/browser/run.sh

echo
echo "== summary"
printf '%s\n' "${summary[@]}"
echo "tests: $total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
