#!/usr/bin/env bash
# buildscript_test.sh - scripts/build-host-driver builds a KMDF driver that is not part of
# the repository, and rejects bad command lines.
#
#   buildscript_test.sh foreign BUILD_HOST_DRIVER FOREIGN_SOURCE_DIR CLIENT
#       copies the counter driver's sources to a temporary directory outside the
#       repository, builds them there with -I and -D (relative paths, as a user in that
#       directory would type them), and runs CLIENT against the module
#   buildscript_test.sh casewpp BUILD_HOST_DRIVER CASEWPP_SOURCE_DIR LOAD_CLIENT
#       builds casewpp/ (include names in another case, "\" separators, WPP tracing) in a
#       temporary directory and checks the trace lines it prints when loaded
#   buildscript_test.sh usage BUILD_HOST_DRIVER
#       bad arguments exit with status 2 and print the usage line
#
# CC and CFLAGS in the environment reach build-host-driver (the build's compiler and
# sanitizer flags); -Werror is not among them, as for any foreign driver.
set -uo pipefail

passed=0
failed=0
check() { # check DESCRIPTION COMMAND... : the command must succeed
    local what=$1
    shift
    if "$@"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAILED: $what" >&2
    fi
}
finish() {
    echo "$passed passed, $failed failed"
    ((failed == 0))
    exit $?
}

mode=${1:-}
script=${2:-}
[[ -x $script ]] || { echo "usage: $0 foreign|usage BUILD_HOST_DRIVER ..." >&2; exit 2; }

if [[ $mode == usage ]]; then
    out=$(mktemp -d)
    trap 'rm -rf "$out"' EXIT
    expect_usage() { # expect_usage ARGS...: exit status 2 and the usage line on stderr
        local err status
        err=$("$script" "$@" 2>&1 >/dev/null)
        status=$?
        check "build-host-driver $* exits 2 (got $status)" test "$status" -eq 2
        check "build-host-driver $* prints the usage line" \
            grep -q "^usage: build-host-driver" <<<"$err"
    }
    echo "-- bad command lines"
    expect_usage
    expect_usage -o
    expect_usage -o "$out/x.so"
    expect_usage "$out/x.c"
    expect_usage -I
    expect_usage -D
    expect_usage -x -o "$out/x.so" "$out/x.c"
    expect_usage --frobnicate -o "$out/x.so" "$out/x.c"
    check "nothing was written for bad command lines" test ! -e "$out/x.so"
    echo "-- --help"
    help=$("$script" --help 2>&1)
    check "--help exits 0" test $? -eq 0
    check "--help names the options" grep -q -- "-o OUT.so" <<<"$help"
    echo "-- a source that does not exist"
    "$script" -o "$out/x.so" "$out/missing.c" 2>/dev/null
    status=$?
    check "a missing source fails (got $status)" test "$status" -ne 0
    finish
fi

if [[ $mode == casewpp ]]; then
    sources=$3
    client=$4
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/kmdfhost-casewpp.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
    cp -R "$sources"/. "$tmp/"
    echo "-- build a driver whose include names differ in case, traced with WPP"
    (cd "$tmp" && "$script" -o casewpp.so Driver.c Queue.c) >"$tmp/build.log" 2>&1
    status=$?
    cat "$tmp/build.log"
    check "build-host-driver builds it (status $status)" test "$status" -eq 0
    check "no .tmh or other generated file is left in the source directory" \
        test -z "$(cd "$tmp" && find . -iname '*.tmh' -o -iname 'ntddk.h')"
    if [[ -s $tmp/casewpp.so ]]; then
        echo "-- load it: the trace lines reach the debugger output"
        "$client" "$tmp/casewpp.so" CaseWpp 2>"$tmp/run.log"
        status=$?
        cat "$tmp/run.log"
        check "the driver loads and unloads (status $status)" test "$status" -eq 0
        expect() { check "trace line: $1" grep -qxF -- "$1" "$tmp/run.log"; }
        expect "WPP_INIT_TRACING: trace messages of control GUID(s) CaseWppTraceGuid go to the debugger"
        expect "[Information] TRACE_DRIVER: DriverEntry Entry, 100% of \\Registry\\Machine\\System\\CurrentControlSet\\Services\\CaseWpp"
        expect "[Information] TRACE_DRIVER: value 42 from defs.h"
        expect "[Verbose] TRACE_QUEUE: "
        expect "[Verbose] TRACE_QUEUE: CaseWppQueueTrace from the second source"
        expect "[Warning] TRACE_QUEUE: twice 21 is 42"
        expect "[None] TRACE_DRIVER: WdfDriverCreate returned 0x00000000 at line 36 of Driver.c"
        expect "[Information] TRACE_DRIVER: CaseWppEvtDriverUnload unloading"
        expect "WPP_CLEANUP: tracing of control GUID(s) CaseWppTraceGuid stopped"
        check "the error path's trace did not print" test "$(grep -c 'failed' "$tmp/run.log")" -eq 0
    fi
    finish
fi

[[ $mode == foreign ]] || { echo "unknown mode $mode" >&2; exit 2; }
sources=$3
client=$4
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kmdfhost-foreign.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
repo=$(cd "$(dirname "$script")/.." && pwd)
case "$tmp/" in
    "$repo"/*) echo "temporary directory $tmp is inside the repository" >&2; exit 1 ;;
esac
mkdir -p "$tmp/counter"
cp -R "$sources"/. "$tmp/counter/"

echo "-- build the counter driver in $tmp"
(cd "$tmp/counter" &&
    "$script" -I include -D COUNTER_STEP=3 -DCOUNTER_TRACE -o ../counter.so driver.c queue.c)
status=$?
check "build-host-driver builds the counter driver (status $status)" test "$status" -eq 0
check "the module exists" test -s "$tmp/counter.so"

echo "-- the define and the include directory are needed, and reach the compiler"
(cd "$tmp/counter" && "$script" -I include -o ../nostep.so driver.c queue.c) >"$tmp/nostep.log" 2>&1
status=$?
check "without -D COUNTER_STEP the build fails" test "$status" -ne 0
check "... with the driver's own #error" grep -q "COUNTER_STEP must be defined" "$tmp/nostep.log"
(cd "$tmp/counter" && "$script" -D COUNTER_STEP=3 -o ../noinclude.so driver.c queue.c) \
    >"$tmp/noinc.log" 2>&1
status=$?
check "without -I include the build fails" test "$status" -ne 0
check "... on the missing header" grep -q "counter/counter_ioctl.h" "$tmp/noinc.log"

echo "-- load it into the host and use it"
if [[ -s $tmp/counter.so ]]; then
    "$client" "$tmp/counter.so" 3
    status=$?
    check "the client talks to the foreign driver (status $status)" test "$status" -eq 0
fi
finish
