#!/usr/bin/env bash
# Runs each browser test (tests/browser/b*.mjs, one node process each, pass = exit 0) and prints a summary.
#
# Usage: tests/browser/run.sh [FILE...]    env: KIOSQUE_BIN, KIOSQUE_TEST_TIMEOUT (seconds per file, default 300)
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 1
if [ $# -gt 0 ]; then files=("$@"); else files=(tests/browser/b*.mjs); fi
[ -e "${files[0]}" ] || files=()

passed=0 failed=0
log=$(mktemp /tmp/kiosque-browser-run.XXXXXX)
trap 'rm -f "$log"' EXIT
for f in "${files[@]}"; do
    start=$SECONDS
    timeout -k 10 "${KIOSQUE_TEST_TIMEOUT:-300}" node "$f" >"$log" 2>&1
    rc=$?
    if [ $rc -eq 0 ]; then
        passed=$((passed + 1))
        echo "ok   $f ($((SECONDS - start))s)"
    else
        failed=$((failed + 1))
        [ $rc -ne 124 ] || echo "(timed out after ${KIOSQUE_TEST_TIMEOUT:-300}s)" >>"$log"
        echo "FAIL $f (exit $rc, $((SECONDS - start))s):"
        sed 's/^/    /' "$log"
    fi
done

echo "browser: $passed passed, $failed failed"
[ $failed -eq 0 ]
