#!/usr/bin/env bash
# setup_inf_test.sh HOST_RUN PROGRAM DRIVER INF - host-run --inf with the same INF in
# UTF-16LE (as stampinf writes .inx files), and bad INFs and --device-value arguments:
# each fails with exit 3 (2 for usage) and a message naming the file and the line.
set -u
host_run=$1 program=$2 driver=$3 inf=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# The INF in UTF-16LE with a byte order mark and CRLF line ends.
{ printf '\xff\xfe'; sed 's/$/\r/' "$inf" | iconv -f UTF-8 -t UTF-16LE; } >"$work/utf16.inf"
out=$("$host_run" --driver "$driver" --hardware-id 'Root\SETUPTEST' --inf "$work/utf16.inf" \
    --device-value PortName=REG_SZ:COM7 -- "$program" inf 2>&1) || fail "UTF-16 INF: $out"
out=$("$host_run" --driver "$driver" --hardware-id 'Root\NOMATCH' --inf "$work/utf16.inf" -- "$program" by-service 2>&1) ||
    fail "UTF-16 INF, by service: $out"

# bad NAME LINE TEXT: the INF made of TEXT fails with "NAME.inf:LINE:" and exit 3.
bad() {
    local name=$1 line=$2 text=$3 out status=0
    printf '%s\n' "$text" >"$work/$name.inf"
    out=$("$host_run" --driver "$driver" --hardware-id 'Root\SETUPTEST' --inf "$work/$name.inf" 2>&1) || status=$?
    [[ $status == 3 ]] || fail "$name: exit $status, expected 3: $out"
    [[ $out == *"$work/$name.inf:$line: "* ]] || fail "$name: no message naming $name.inf:$line: $out"
    [[ $out != *VERIFIER* ]] || fail "$name: a verifier report: $out"
}
version='[Version]
Signature="$Windows NT$"'
bad unclosed-quote 3 "$version
Class=\"SetupTest"
bad no-signature 1 '[Version]
Class=SetupTest'
bad section-syntax 3 "$version
[Manufacturer
x=y"
bad class-guid 3 "$version
ClassGuid={3C1D9E27-8A4B-4F60-B1D2}"
bad no-models 5 "$version
ClassGuid={3C1D9E27-8A4B-4F60-B1D2-7E5A9C0F4B18}
[Manufacturer]
Mfg=Missing"
bad no-install 7 "$version
[Manufacturer]
Mfg=Models
[Models]

Device=Missing_Install, Root\\SETUPTEST"
bad addreg-section 8 "$version
[Manufacturer]
Mfg=Models
[Models]
Device=Install, Root\\SETUPTEST
[Install.HW]
AddReg=Nowhere
[Install]"
bad addreg-dword 10 "$version
[Manufacturer]
Mfg=Models
[Models]
Device=Install, Root\\SETUPTEST
[Install]
AddReg=Values
[Values]
HKR,,Number,0x00010001,forty-two"
bad addreg-root 10 "$version
[Manufacturer]
Mfg=Models
[Models]
Device=Install, Root\\SETUPTEST
[Install]
AddReg=Values
[Values]
HKXX,,Number,0x00010001,1"

# A file that is not there; an empty one (no [Version]).
status=0
out=$("$host_run" --driver "$driver" --inf "$work/none.inf" 2>&1) || status=$?
[[ $status == 3 && $out == *"none.inf"* ]] || fail "missing INF: exit $status: $out"
: >"$work/empty.inf"
status=0
out=$("$host_run" --driver "$driver" --inf "$work/empty.inf" 2>&1) || status=$?
[[ $status == 3 && $out == *"empty.inf: no [Version] section"* ]] || fail "empty INF: exit $status: $out"

# --device-value: bad forms are usage errors (2); a bad REG_DWORD or REG_BINARY fails (3).
for value in 'PortName' 'PortName=COM5' 'PortName=REG_QWORD:1' '=REG_SZ:x'; do
    status=0
    out=$("$host_run" --driver "$driver" --device-value "$value" 2>&1) || status=$?
    [[ $status == 2 && $out == *"--device-value takes NAME=TYPE:DATA"* ]] || fail "--device-value '$value': exit $status: $out"
done
for value in 'Number=REG_DWORD:x12' 'Number=REG_DWORD:0x100000000' 'Bytes=REG_BINARY:0g'; do
    status=0
    out=$("$host_run" --driver "$driver" --device-value "$value" 2>&1) || status=$?
    [[ $status == 3 && $out == *"--device-value ${value%%=*}"* ]] || fail "--device-value '$value': exit $status: $out"
done
# The good forms start and stop the device.
"$host_run" --driver "$driver" --device-value 'A=REG_SZ:x y' --device-value 'B=REG_DWORD:0x10' \
    --device-value 'C=REG_MULTI_SZ:a,b' --device-value 'D=REG_BINARY:01,ff' --device-value 'E=REG_EXPAND_SZ:%x%' ||
    fail "good --device-value forms"

# A filter module that is not there: exit 3, naming it; filters without --driver: usage.
status=0
out=$("$host_run" --driver "$driver" --upper-filter "$work/nofilter.so" 2>&1) || status=$?
[[ $status == 3 && $out == *"no such module: $work/nofilter.so"* ]] || fail "missing filter: exit $status: $out"
status=0
out=$("$host_run" --lower-filter "$driver" -- "$program" 2>&1) || status=$?
[[ $status == 2 ]] || fail "filter without --driver: exit $status: $out"

if ((failures)); then
    echo "$failures checks failed"
    exit 1
fi
echo "every check holds"
