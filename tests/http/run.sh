#!/usr/bin/env bash
# Runs the HTTP tests (tests/http/tNNNN-*.py, unittest) against one DB backend and prints a pass/fail summary.
#
# Usage: tests/http/run.sh [FILE...]        (default: every tests/http/t[0-9]*.py)
#   KIOSQUE_TEST_DB_BACKEND  sqlite (default) or pg; with pg a throwaway cluster is started (and stopped at
#                            exit) unless KIOSQUE_TEST_PG_DIR already names a running one
#   KIOSQUE_BIN              binary under test (default ./kiosque)
#   KIOSQUE_TEST_TIMEOUT     seconds allowed per file (default 300)
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 1
backend=${KIOSQUE_TEST_DB_BACKEND:-sqlite}
export KIOSQUE_TEST_DB_BACKEND=$backend
export PYTHONDONTWRITEBYTECODE=1
# Tests create many accounts: argon2id at its minimum cost there (never in production).
export KIOSQUE_FAST_HASH=${KIOSQUE_FAST_HASH:-1}
export PYTHONPATH="$PWD/tests/http${PYTHONPATH:+:$PYTHONPATH}"
bin=${KIOSQUE_BIN:-./kiosque}

if [ $# -gt 0 ]; then files=("$@"); else files=(tests/http/t[0-9]*.py); fi
[ -e "${files[0]}" ] || files=()
if [ ${#files[@]} -gt 0 ] && [ ! -x "$bin" ]; then
    echo "http/$backend: kiosque binary not found or not executable: $bin (run make, or set KIOSQUE_BIN)" >&2
    echo "http/$backend: 0 passed, ${#files[@]} failed"
    exit 1
fi

pgdir=
cleanup() { [ -z "$pgdir" ] || bash tests/tools/pgcluster.sh stop "$pgdir"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
if [ "$backend" = pg ] && [ ${#files[@]} -gt 0 ] && [ -z "${KIOSQUE_TEST_PG_DIR:-}" ]; then
    pgdir=$(mktemp -d /tmp/kiosque-pg.XXXXXX) && chmod 755 "$pgdir" || exit 1
    if ! bash tests/tools/pgcluster.sh start "$pgdir" >/dev/null; then
        echo "http/$backend: could not start a PostgreSQL cluster" >&2
        echo "http/$backend: 0 passed, ${#files[@]} failed"
        exit 1
    fi
    export KIOSQUE_TEST_PG_DIR=$pgdir
fi

passed=0 failed=0 skipped=0
log=$(mktemp /tmp/kiosque-http-run.XXXXXX)
for f in "${files[@]}"; do
    start=$SECONDS
    timeout -k 10 "${KIOSQUE_TEST_TIMEOUT:-300}" /usr/bin/python3 "$f" >"$log" 2>&1
    rc=$?
    # unittest ends with "Ran N tests" then "OK (skipped=K)" or "FAILED (failures=F, errors=E, skipped=K)"
    ran=$(sed -n 's/^Ran \([0-9]*\) tests\? in .*/\1/p' "$log" | tail -n 1)
    bad=$(grep -aE '^(OK|FAILED)( \(|$)' "$log" | tail -n 1 | grep -oE '(failures|errors|unexpected successes)=[0-9]+' |
        awk -F= '{s += $2} END {print s + 0}')
    skip=$(grep -aE '^(OK|FAILED)( \(|$)' "$log" | tail -n 1 | grep -oE 'skipped=[0-9]+' | cut -d= -f2)
    ran=${ran:-0} skip=${skip:-0}
    if [ $rc -eq 0 ] && [ "$ran" -gt 0 ]; then
        passed=$((passed + ran - skip)) skipped=$((skipped + skip))
        detail="$((ran - skip)) passed"
        [ "$skip" -eq 0 ] || detail="$detail, $skip skipped"
        echo "ok   $f ($detail, $((SECONDS - start))s)"
    else
        [ "$bad" -gt 0 ] || bad=1 # crashed, timed out, or ran no test: count the file as one failure
        ok=$((ran - skip - bad)); [ $ok -ge 0 ] || ok=0
        passed=$((passed + ok)) failed=$((failed + bad)) skipped=$((skipped + skip))
        [ $rc -ne 124 ] || echo "(timed out after ${KIOSQUE_TEST_TIMEOUT:-300}s)" >>"$log"
        echo "FAIL $f (exit $rc, $((SECONDS - start))s):"
        sed 's/^/    /' "$log"
    fi
done
rm -f "$log"

summary="http/$backend: $passed passed, $failed failed"
[ $skipped -eq 0 ] || summary="$summary, $skipped skipped"
echo "$summary"
[ $failed -eq 0 ]
