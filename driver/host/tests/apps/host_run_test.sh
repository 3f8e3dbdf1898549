#!/usr/bin/env bash
# host_run_test.sh - scripts/host-run from the outside: bad input, a life cycle without
# a program, the truth about --timer-ms, programs that are missing, and signals.
#
#   host_run_test.sh HOST_RUN SIGNAL_PROGRAM W32_TEST_DRIVER
#
# KMDFHOST_HOST_DIR names the host build (its echo drivers and kmdfhost-lifecycle).
set -uo pipefail
host_run=$1
signal_program=$2
w32_driver=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# run EXPECTED_STATUS DESCRIPTION -- host-run arguments...; stdout and stderr of the run
# are left in $work/out and $work/err.
run() {
    local expected=$1 what=$2
    shift 3
    "$host_run" "$@" >"$work/out" 2>"$work/err"
    local status=$?
    if ((status != expected)); then
        fail "$what: exit status $status, expected $expected"
        sed 's/^/    /' "$work/err" >&2
    fi
}

expect_err() {
    grep -qF -- "$2" "$work/err" || { fail "$1: stderr lacks '$2'"; sed 's/^/    /' "$work/err" >&2; }
}

no_verifier() {
    if grep -q "VERIFIER:" "$work/err"; then fail "$1: a verifier report"; sed 's/^/    /' "$work/err" >&2; fi
}

# --- usage: exit 2
run 2 "no arguments" --
expect_err "no arguments" "usage:"
run 2 "--driver without a value" -- --driver
run 2 "an unknown option" -- --driver autosync --frobnicate
run 2 "a --timer-ms that is not a number" -- --driver autosync --timer-ms soon
run 2 "a --timer-ms beyond a DWORD" -- --driver autosync --timer-ms 4294967296
run 2 "a hardware ID with a space" -- --driver autosync --hardware-id 'Root\a b'
run 2 "a --child-driver without =" -- --driver autosync --child-driver child.so
run 2 "a --child-driver without an ID" -- --driver autosync --child-driver =child.so
run 2 "--child-driver without a value" -- --driver autosync --child-driver
run 0 "--help" -- --help
grep -q "host-run --driver" "$work/out" || fail "--help: no usage text on stdout"

# --- the driver does not load: exit 3
run 3 "a missing driver module" -- --driver "$work/missing.so"
expect_err "a missing driver module" "no such module"
: >"$work/empty.so"
run 3 "a file that is not a module" -- --driver "$work/empty.so"
expect_err "a file that is not a module" "loading the driver"
run 3 "a missing child driver module" -- --driver autosync --child-driver "Root\\Toy=$work/missing.so"
expect_err "a missing child driver module" "the child driver does not load"
run 3 "a child driver that is not a module" -- --driver autosync --child-driver "Root\\Toy=$work/empty.so"
expect_err "a child driver that is not a module" "loading the child driver"

# --- a whole life cycle without a program: exit 0, nothing reported
for variant in autosync driversync; do
    run 0 "$variant without a program" -- --driver "$variant"
    no_verifier "$variant without a program"
    run 0 "$variant with --timer-ms" -- --driver "$variant" --timer-ms 25
    if grep -q "has no effect" "$work/err"; then fail "$variant reads TimerPeriodMs, yet host-run says it did not"; fi
done
# A driver that never reads TimerPeriodMs: host-run says so instead of ignoring it.
run 0 "a driver that does not read TimerPeriodMs" -- --driver "$w32_driver" --hardware-id W32TEST --timer-ms 25
expect_err "a driver that does not read TimerPeriodMs" \
    "--timer-ms 25 has no effect: the driver did not read TimerPeriodMs"
run 0 "the same driver without --timer-ms" -- --driver "$w32_driver" --hardware-id W32TEST
if grep -q "has no effect" "$work/err"; then fail "a message about --timer-ms without --timer-ms"; fi

# --- PROGRAM: its status; not found 127; not executable 126
run 5 "a program's exit status" -- --driver autosync -- sh -c 'exit 5'
run 127 "a program not on PATH" -- --driver autosync -- no-such-program-kmdfhost
expect_err "a program not on PATH" "no-such-program-kmdfhost: not found"
run 127 "a program path that does not exist" -- --driver autosync -- "$work/nothing"
: >"$work/plain"
run 126 "a program that is not executable" -- --driver autosync -- "$work/plain"

# --- signals. Job control on, so that background jobs do not ignore SIGINT.
set -m
# signal_run MODE SIGNAL: starts signal_program MODE under host-run, waits for its READY
# line, sends SIGNAL, and leaves the exit status in $status.
signal_run() {
    local mode=$1 signal=$2 line=""
    rm -f "$work/fifo"
    mkfifo "$work/fifo"
    "$host_run" --driver autosync --timer-ms 10000 -- "$signal_program" "$mode" >"$work/fifo" 2>"$work/err" &
    local pid=$!
    exec 3<"$work/fifo"
    if ! read -r -t 120 line <&3 || [[ $line != READY ]]; then
        fail "signal_program $mode did not get ready (read '$line')"
        kill -KILL "$pid" 2>/dev/null
    else
        kill -s "$signal" "$pid"
    fi
    cat <&3 >"$work/out"
    exec 3<&-
    wait "$pid"
    status=$?
}

signal_run wait KILL
((status == 128 + 9)) || fail "SIGKILL: exit status $status, expected 137"

signal_run wait TERM
((status == 128 + 15)) || fail "SIGTERM: exit status $status, expected 143 (killed by SIGTERM)"
expect_err "SIGTERM" "closing the program's handles, removing the device and unloading the driver"
no_verifier "SIGTERM"

signal_run wait INT
((status == 128 + 2)) || fail "SIGINT without a handler: exit status $status, expected 130"
no_verifier "SIGINT without a handler"

signal_run ctrl INT
((status == 42)) || fail "SIGINT with a console control handler: exit status $status, expected 42"
grep -q "handled console control event 0; the read was cancelled" "$work/out" ||
    fail "SIGINT with a console control handler: stdout was: $(cat "$work/out")"
no_verifier "SIGINT with a console control handler"

if ((failures)); then
    echo "$failures check(s) failed" >&2
    exit 1
fi
echo "host-run: all checks passed"
