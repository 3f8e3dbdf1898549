#!/usr/bin/env bash
# fuzz_run.sh pass|catch FUZZER DRIVER CORPUS SECONDS -
#
# Runs the libFuzzer target FUZZER against DRIVER for at most SECONDS, starting from the
# seed corpus CORPUS (copied: new inputs go to a scratch directory, not the repository).
#   pass   the run must end without a finding
#   catch  the run must end with a finding (a VERIFIER line and a crash input), and
#          running the crash input again must give the same VERIFIER rule
set -euo pipefail
mode=$1 fuzzer=$2 driver=$3 corpus=$4 seconds=$5
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/corpus"
export KMDFHOST_FUZZ_DRIVER=$driver
status=0
"$fuzzer" -max_total_time="$seconds" -timeout=60 -print_final_stats=1 -artifact_prefix="$work/" \
    "$work/corpus" "$corpus" >"$work/log" 2>&1 || status=$?
grep -E '^(VERIFIER:|seed:|stat::number_of_executed_units|stat::peak_rss|Done|INFO: Running with entropic)' \
    "$work/log" || true
case $mode in
    pass)
        if ((status != 0)); then
            tail -40 "$work/log"
            echo "FAIL: the fuzzer found something (exit $status)" >&2
            exit 1
        fi
        echo "no finding in ${seconds}s"
        ;;
    catch)
        rule=$(sed -n 's/^VERIFIER: \([A-Z_]*\):.*/\1/p' "$work/log" | head -1)
        crash=$(find "$work" -maxdepth 1 -name 'crash-*' | head -1)
        if ((status == 0)) || [[ -z $rule || -z $crash ]]; then
            tail -40 "$work/log"
            echo "FAIL: the fuzzer did not catch the mutant within ${seconds}s" >&2
            exit 1
        fi
        again=0
        "$fuzzer" "$crash" >"$work/replay" 2>&1 || again=$?
        if ((again == 0)) || ! grep -q "^VERIFIER: $rule: " "$work/replay"; then
            tail -20 "$work/replay"
            echo "FAIL: the crash input did not reproduce VERIFIER: $rule" >&2
            exit 1
        fi
        echo "caught: VERIFIER: $rule, and the crash input reproduces it"
        ;;
    *)
        echo "usage: fuzz_run.sh pass|catch FUZZER DRIVER CORPUS SECONDS -" >&2
        exit 2
        ;;
esac
