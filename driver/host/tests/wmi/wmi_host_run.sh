#!/usr/bin/env bash
# wmi_host_run.sh - scripts/host-run --wmi, the shell's WMI client, against wmi_driver:
# each request's output and exit status as the script's help gives them.
#
#   wmi_host_run.sh HOST_RUN WMI_DRIVER.so
#
# KMDFHOST_HOST_DIR (in the environment) names the host build that has kmdfhost-wmi.
set -uo pipefail
host_run=$1
driver=$2
passed=0
failed=0
check() { # check DESCRIPTION COMMAND...
    local what=$1
    shift
    if "$@"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAILED: $what" >&2
    fi
}
counter=3F1D7A20-5B6C-4E8F-9A0B-1C2D3E4F5A60
run() { # run REQUEST...: sets out, err, status
    out=$("$host_run" --driver "$driver" --hardware-id 'Root\KhWmi' --wmi "$@" 2>"$tmp/err")
    status=$?
    err=$(cat "$tmp/err")
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "-- list"
run list
check "list exits 0 (got $status: $err)" test "$status" -eq 0
check "list names the counter block with its two instances" \
    grep -qxF "{$counter} instances 2 flags 0x20" <<<"$out"
check "list has three blocks" test "$(wc -l <<<"$out")" -eq 3
echo "-- query, all, set, method"
run query "{$counter}" 1
check "query prints the instance's bytes (got '$out', status $status)" test "$out" = "14 00 00 00 01 00 00 00"
run all "$counter"
check "all prints each instance" test "$out" = $'0: 0a 00 00 00 01 00 00 00\n1: 14 00 00 00 01 00 00 00'
run set "$counter" 0 "2a000000 02000000"
check "set exits 0 (got $status: $err)" test "$status" -eq 0
run method "$counter" 0 1 05000000
check "method Add(5) prints Value + 5 * Scale = 15 (got '$out')" test "$out" = "0f 00 00 00"
echo "-- failures"
run query 3F1D7A2F-5B6C-4E8F-9A0B-1C2D3E4F5A60
check "an unknown GUID exits 1 (got $status)" test "$status" -eq 1
check "... naming the status" grep -qF "STATUS 0xC0000295 (STATUS_WMI_GUID_NOT_FOUND)" <<<"$err"
run set-item "$counter" 0 9 01000000
check "an unknown item exits 1 (got $status)" test "$status" -eq 1
check "... STATUS_WMI_ITEMID_NOT_FOUND" grep -qF "STATUS_WMI_ITEMID_NOT_FOUND" <<<"$err"
run query "$counter" x
check "a bad index is a usage error (got $status)" test "$status" -eq 2
run set "$counter" 0 "2a0"
check "odd hexadecimal is a usage error (got $status)" test "$status" -eq 2
out=$("$host_run" --driver "$driver" --wmi 2>&1)
status=$?
check "--wmi without a request is a usage error (got $status)" test "$status" -eq 2
echo "$passed passed, $failed failed"
((failed == 0))
