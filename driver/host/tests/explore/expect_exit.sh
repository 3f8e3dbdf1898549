#!/usr/bin/env bash
# expect_exit.sh STATUS PROGRAM [ARGS...]: PROGRAM must exit with STATUS.
expected=$1
shift
status=0
"$@" || status=$?
if ((status != expected)); then
    echo "FAIL: $* exited with $status, not $expected" >&2
    exit 1
fi
echo "exit status $status, as expected"
