#!/usr/bin/env bash
# Runs every unit-test binary BUILD_DIR/tests/test_* (cmocka) and prints one summary line:
#   unit: N tests passed, M failed
# preceded, when there are any, by the names of the skipped and failed tests. Exits non-zero on any failure.
#
# Usage: tests/unit/run.sh BUILD_DIR        (make unit: build; make asan then tests/unit/run.sh build-asan)
#   KIOSQUE_TEST_PG_URL     PostgreSQL database the DB tests may create schemas in. When unset, a throwaway
#                           cluster is started with tests/tools/pgcluster.sh and stopped at exit, even on failure.
#   KIOSQUE_ALLOW_SKIP_PG=1 if PostgreSQL cannot be started, run the SQLite halves only and name the skip;
#                           without it, a PostgreSQL that cannot be started fails the run.
#   KIOSQUE_TEST_TIMEOUT    seconds allowed per binary (default 600)
#   KIOSQUE_UNIT_VERBOSE=1  print every binary's whole output, not only that of failing ones
set -uo pipefail

[ $# -eq 1 ] || { echo "usage: tests/unit/run.sh BUILD_DIR" >&2; exit 2; }
build=$(cd "$1" 2>/dev/null && pwd) || { echo "unit: no build directory $1" >&2; echo "unit: 0 tests passed, 1 failed"; exit 1; }
cd "$(dirname "$0")/../.." || exit 1

export CMOCKA_MESSAGE_OUTPUT=stdout
export KIOSQUE_FAST_HASH=1
# ASan/UBSan builds: report leaks, stop at the first UB report, and keep their exit status non-zero.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

work=$(mktemp -d /tmp/kiosque-unit.XXXXXX) || exit 1
pgdir= pgparent=
cleanup() {
    if [ -n "$pgdir" ]; then bash tests/tools/pgcluster.sh stop "$pgdir" || true; fi
    [ -z "$pgparent" ] || rm -rf "$pgparent"
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bins=("$build"/tests/test_*)
[ -e "${bins[0]}" ] || { echo "unit: no test binaries in $build/tests (make unit builds them)" >&2; echo "unit: 0 tests passed, 1 failed"; exit 1; }

if [ -z "${KIOSQUE_TEST_PG_URL:-}" ]; then
    if [ -f tests/tools/pgcluster.sh ]; then
        pgparent=$(mktemp -d /tmp/kiosque-unit-pg.XXXXXX) && chmod 755 "$pgparent" || exit 1
        pgdir=$pgparent/cluster
        if url=$(bash tests/tools/pgcluster.sh start "$pgdir" 2>"$work/pg.err"); then
            export KIOSQUE_TEST_PG_URL=$url
        else
            cat "$work/pg.err" >&2
            bash tests/tools/pgcluster.sh stop "$pgdir" >/dev/null 2>&1
            pgdir=
        fi
    fi
    if [ -z "${KIOSQUE_TEST_PG_URL:-}" ]; then
        if [ "${KIOSQUE_ALLOW_SKIP_PG:-}" = 1 ]; then
            echo "unit: PostgreSQL could not be started: the PostgreSQL groups are skipped (KIOSQUE_ALLOW_SKIP_PG=1)"
        else
            echo "unit: PostgreSQL could not be started (set KIOSQUE_TEST_PG_URL, or KIOSQUE_ALLOW_SKIP_PG=1 to skip)" >&2
            echo "unit: 0 tests passed, 1 failed"
            exit 1
        fi
    fi
fi

passed=0 failed=0 skipped=0
failed_names=() skipped_names=()
for bin in "${bins[@]}"; do
    [ -x "$bin" ] || continue
    name=$(basename "$bin")
    out=$work/$name.out err=$work/$name.err
    start=$SECONDS
    timeout -k 10 "${KIOSQUE_TEST_TIMEOUT:-600}" "$bin" >"$out" 2>"$err" </dev/null
    rc=$?
    # stdout holds, in order, "[  GROUP   ] g" (testlib.h), "[ RUN      ] t" then "[       OK ] t", "[  FAILED  ] t" or "[  SKIPPED ] t"
    # (a RUN with no result crashed); testlib.h adds "[  SKIPPED ] group g/pg: why" and "[  ERROR   ] group ...".
    # stderr holds cmocka's group fixture failures: "[  FAILED  ] GROUP SETUP" then "[  ERROR   ] group".
    read -r p f s fnames snames < <(
        awk -v prog="$name" '
            function done_fail(n) { f++; fn = fn "|" prog ":" n }
            FILENAME == ARGV[1] && /^\[  GROUP   \] / { if (cur != "") done_fail(cur "(crashed)"); cur = ""; grp = $4 ":"; next }
            FILENAME == ARGV[1] && /^\[ RUN      \] / { if (cur != "") done_fail(cur "(crashed)"); cur = grp $4; next }
            FILENAME == ARGV[1] && /^\[       OK \] / { if (cur != "") { p++; cur = "" } next }
            FILENAME == ARGV[1] && /^\[  FAILED  \] / { if (cur != "") { done_fail(cur); cur = "" } next }
            FILENAME == ARGV[1] && /^\[  SKIPPED \] group / { s++; g = $5; sub(/:$/, "", g); sn = sn "|" prog ":" g; next }
            FILENAME == ARGV[1] && /^\[  SKIPPED \] / { if (cur != "") { s++; sn = sn "|" prog ":" cur; cur = "" } next }
            FILENAME == ARGV[1] && /^\[  ERROR   \] group / { g = $5; sub(/:$/, "", g); done_fail(g "(not-run)"); next }
            FILENAME == ARGV[2] && /^\[  FAILED  \] GROUP (SETUP|TEARDOWN)/ { fixture = tolower($5); next }
            FILENAME == ARGV[2] && fixture != "" && /^\[  ERROR   \] / { done_fail($4 "(group-" fixture "-failed)"); fixture = ""; next }
            END {
                if (cur != "") done_fail(cur "(crashed)")
                printf "%d %d %d %s %s\n", p, f, s, (fn == "" ? "-" : substr(fn, 2)), (sn == "" ? "-" : substr(sn, 2))
            }' "$out" "$err"
    )
    if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1
        if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then fnames="$name:(timed-out)"; else fnames="$name:(exit-status-$rc)"; fi
    fi
    passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
    [ "$fnames" = - ] || failed_names+=(${fnames//|/ })
    [ "$snames" = - ] || skipped_names+=(${snames//|/ })
    status=ok
    [ "$f" -eq 0 ] || status=FAIL
    detail="$p passed"
    [ "$f" -eq 0 ] || detail="$detail, $f failed"
    [ "$s" -eq 0 ] || detail="$detail, $s skipped"
    printf '%-4s %s (%s, %ss)\n' "$status" "$name" "$detail" "$((SECONDS - start))"
    if [ "$f" -ne 0 ] || [ "${KIOSQUE_UNIT_VERBOSE:-}" = 1 ]; then
        echo "---- $name: stdout"
        cat "$out"
        echo "---- $name: stderr"
        tail -n 200 "$err"
        echo "----"
    fi
done

[ ${#skipped_names[@]} -eq 0 ] || echo "unit: skipped: ${skipped_names[*]}"
[ ${#failed_names[@]} -eq 0 ] || echo "unit: failed: ${failed_names[*]}"
echo "unit: $passed tests passed, $failed failed"
[ "$failed" -eq 0 ]
