#!/usr/bin/env bash
# explore_expect.sh TOOL DRIVER SCENARIO STRATEGY BUDGET RULE [TEXT]
#
# The explorer must catch the mutant DRIVER in SCENARIO within BUDGET schedules of
# STRATEGY (seed 1): exit status 1, a "VERIFIER: RULE:" line, a "seed: S" line and a
# schedule (and TEXT in the VERIFIER line, when given); then --replay S must reproduce
# the same report (pointer values aside, as they depend on where the process was loaded).
set -euo pipefail
tool=$1 driver=$2 scenario=$3 strategy=$4 budget=$5 rule=$6 text=${7:-}
first=$(mktemp) second=$(mktemp)
trap 'rm -f "$first" "$second"' EXIT
status=0
"$tool" --driver "$driver" --scenario "$scenario" --strategy "$strategy" --schedules "$budget" --seed 1 \
    --label mutant >"$first" || status=$?
cat "$first"
if ((status != 1)); then
    echo "FAIL: expected exit status 1 (a finding) within $budget schedules, got $status" >&2
    exit 1
fi
grep -q "^VERIFIER: $rule: " "$first" || { echo "FAIL: no VERIFIER: $rule: line" >&2; exit 1; }
if [[ -n $text ]]; then
    grep "^VERIFIER: $rule: " "$first" | grep -qF -- "$text" || { echo "FAIL: the VERIFIER line lacks: $text" >&2; exit 1; }
fi
grep -q '^schedule: ' "$first" || { echo "FAIL: no schedule printed" >&2; exit 1; }
seed=$(sed -n 's/^seed: \([0-9][0-9]*\)$/\1/p' "$first")
[[ -n $seed ]] || { echo "FAIL: no seed: line" >&2; exit 1; }
status=0
"$tool" --driver "$driver" --scenario "$scenario" --strategy "$strategy" --replay "$seed" --label mutant \
    >"$second" || status=$?
if ((status != 1)); then
    echo "FAIL: --replay $seed exited with $status, not 1" >&2
    exit 1
fi
mask() { grep -v '^scenario: ' "$1" | sed -e 's/0x[0-9a-fA-F]*/0x?/g'; }
if ! diff <(mask "$first") <(mask "$second"); then
    echo "FAIL: --replay $seed did not reproduce the report" >&2
    exit 1
fi
echo "caught within $budget schedules; --replay $seed reproduces the report"
