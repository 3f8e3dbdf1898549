#!/usr/bin/env bash
# with_tsan_test.sh WITH_TSAN PROGRAM CLEAN_DRIVER RACY_DRIVER
#
# scripts/with-tsan host-run, as the README documents it: PROGRAM (a Win32 program built
# with build-host-app against the TSan host) runs against CLEAN_DRIVER with no
# ThreadSanitizer report and exit status 0, and against RACY_DRIVER (the DriverSync
# mutant whose timer reads and clears the parked request without the spin lock, built
# with -fsanitize=thread) with a data race reported in the timer callback, by the
# driver's own source line, and exit status 66 (TSan's).
set -uo pipefail
with_tsan=$1 program=$2 clean=$3 racy=$4
out=$(mktemp)
trap 'rm -f "$out"' EXIT
fail() { echo "FAIL: $*" >&2; cat "$out" >&2; exit 1; }

"$with_tsan" host-run --driver "$clean" -- "$program" 40 >"$out" 2>&1
status=$?
((status == 0)) || fail "the correct driver: exit status $status, not 0"
grep -q "WARNING: ThreadSanitizer" "$out" && fail "the correct driver: ThreadSanitizer reported"
echo "correct driver: no report, exit status 0"

# ThreadSanitizer reports a race when the two accesses happen with no synchronization
# between them in that run; on real threads, which accesses meet is up to the timing (a
# loaded machine may run the timer and the I/O callbacks in an order in which some
# unrelated lock the host takes in between orders them). So the racy driver gets up to
# five runs, and the first one with a report is checked; every run must end with
# TSan's exit status or 0 (no report), nothing else. Each run makes 400 round trips,
# 400 timer ticks for the accesses to meet in: with 40, a run reported the race about
# one time in three (measured on the idle 2-core machine), with 400 every time of six.
for attempt in 1 2 3 4 5; do
    "$with_tsan" host-run --driver "$racy" -- "$program" 400 >"$out" 2>&1
    status=$?
    ((status == 66 || status == 0)) || fail "the racy driver: exit status $status, not 66 or 0"
    ((status == 66)) && break
done
((status == 66)) || fail "the racy driver: no report in $attempt runs (exit status $status, not 66)"
echo "racy driver: reported in run $attempt"
grep -q "WARNING: ThreadSanitizer: data race" "$out" || fail "the racy driver: no data race reported"
grep -Eq "SUMMARY: ThreadSanitizer: data race .*queue\.c:[0-9]+ in EchoEvtTimerFunc|#[0-9]+ EchoEvtTimerFunc .*queue\.c:[0-9]+" "$out" ||
    fail "the racy driver: the report does not name EchoEvtTimerFunc with its queue.c line"
grep -m2 "SUMMARY: ThreadSanitizer" "$out"
echo "racy driver: data race reported in EchoEvtTimerFunc, exit status 66"
