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
#   buildscript_test.sh mof BUILD_HOST_DRIVER MOF_SOURCE_DIR LOAD_CLIENT
#       builds mof/ with --mof Types.mof=TypesMof.h (the header's layout is asserted at
#       compile time in moftest.c), loads it and checks the GUIDs it prints; a MOF with
#       a syntax error or an unknown type fails the build with FILE:LINE
#   buildscript_test.sh msdialect BUILD_HOST_DRIVER MSDIALECT_SOURCE_DIR LOAD_CLIENT
#       msdialect/ ("text" __FUNCTION__, a comma before an empty __VA_ARGS__) does not
#       build in GNU C, builds with --ms-dialect (clang 19 or later), and prints its
#       function names when loaded
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
    expect_usage --mof "$out/x.mof" -o "$out/x.so" "$out/x.c"
    expect_usage --mof "=x.h" -o "$out/x.so" "$out/x.c"
    expect_usage -o "$out/x.so" "$out/x.c" --mof
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

if [[ $mode == msdialect ]]; then
    sources=$3
    client=$4
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/kmdfhost-msdialect.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
    cp -R "$sources"/. "$tmp/"
    echo "-- GNU C rejects Microsoft's dialect"
    (cd "$tmp" && "$script" -o gnu.so msdialect.c) >"$tmp/gnu.log" 2>&1
    status=$?
    check "the GNU build fails (status $status)" test "$status" -ne 0
    echo "-- --ms-dialect builds it"
    (cd "$tmp" && "$script" --ms-dialect -o msdialect.so msdialect.c) >"$tmp/build.log" 2>&1
    status=$?
    cat "$tmp/build.log"
    check "build-host-driver --ms-dialect builds it (status $status)" test "$status" -eq 0
    if [[ -s $tmp/msdialect.so ]]; then
        "$client" "$tmp/msdialect.so" MsDialect 2>"$tmp/run.log"
        status=$?
        cat "$tmp/run.log"
        check "the driver loads and unloads (status $status)" test "$status" -eq 0
        expect() { check "printed: $1" grep -qxF -- "$1" "$tmp/run.log"; }
        expect "[msdialect] Entering DriverEntry"
        expect "[msdialect] Leaving DriverEntry: 0x00000000"
        expect "[msdialect] Entering MsUnload"
    fi
    finish
fi

if [[ $mode == mof ]]; then
    sources=$3
    client=$4
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/kmdfhost-mof.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
    cp -R "$sources"/. "$tmp/"
    echo "-- build a driver that includes the header generated from its MOF"
    (cd "$tmp" && "$script" --mof Types.mof=TypesMof.h -o moftest.so moftest.c) >"$tmp/build.log" 2>&1
    status=$?
    cat "$tmp/build.log"
    check "build-host-driver --mof builds it, the layout assertions hold (status $status)" test "$status" -eq 0
    check "no generated header is left in the source directory" test ! -e "$tmp/TypesMof.h"
    if [[ -s $tmp/moftest.so ]]; then
        "$client" "$tmp/moftest.so" MofTest 2>"$tmp/run.log"
        status=$?
        cat "$tmp/run.log"
        check "the driver loads and unloads (status $status)" test "$status" -eq 0
        expect() { check "printed: $1" grep -qxF -- "$1" "$tmp/run.log"; }
        expect "KhTypesAll_GUID 6e2d3a11-1b2c-4d5e-8ff6"
        expect "KhTypesAllGuid equal 1"
        expect "KH_POINT_GUID 6e2d3a10"
        expect "KhTypesAll_SIZE 180"
    fi
    echo "-- without --mof the header is missing"
    (cd "$tmp" && "$script" -o nomof.so moftest.c) >"$tmp/nomof.log" 2>&1
    check "the build fails" test $? -ne 0
    check "... on the header" grep -qi "typesmof.h" "$tmp/nomof.log"
    echo "-- a MOF with a syntax error"
    printf '[WMI, guid("{6E2D3A13-1B2C-4D5E-8F90-A1B2C3D4E5F6}")]\nclass Broken\n{\n    [WmiDataId(1)] uint32 A\n};\n' >"$tmp/Broken.mof"
    (cd "$tmp" && "$script" --mof Broken.mof=BrokenMof.h -o broken.so moftest.c) >"$tmp/broken.log" 2>&1
    check "the build fails" test $? -ne 0
    check "... naming the file and line" grep -q "Broken.mof:5: expected ';'" "$tmp/broken.log"
    printf '[WMI, guid("{6E2D3A13-1B2C-4D5E-8F90-A1B2C3D4E5F6}")]\nclass Odd\n{\n    [WmiDataId(1)] NoSuchClass A;\n};\n' >"$tmp/Odd.mof"
    (cd "$tmp" && "$script" --mof Odd.mof=OddMof.h -o odd.so moftest.c) >"$tmp/odd.log" 2>&1
    check "a MOF with an unknown type fails" test $? -ne 0
    check "... naming the type" grep -q "Odd.mof:4: A has type NoSuchClass" "$tmp/odd.log"
    (cd "$tmp" && "$script" --mof Missing.mof=M.h -o m.so moftest.c) >"$tmp/missing.log" 2>&1
    check "a MOF that does not exist fails" test $? -eq 1
    check "... naming it" grep -q "no such MOF file: Missing.mof" "$tmp/missing.log"
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
