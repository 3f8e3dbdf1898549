#!/usr/bin/env bash
# build_fails.sh BUILD-HOST-APP OUT-DIR REGEX SOURCE [OPTION...] - build-host-app must
# refuse to build SOURCE, and its messages must match REGEX (grep -E).
set -uo pipefail
tool=$1 outdir=$2 regex=$3 src=$4
shift 4
out="$outdir/$(basename "${src%.*}")-refused"
rm -f "$out"
if messages=$("$tool" "$@" -o "$out" "$src" 2>&1); then
    echo "build-host-app built $src, which it must refuse"
    exit 1
fi
printf '%s\n' "$messages"
if ! grep -Eq -- "$regex" <<<"$messages"; then
    echo "build-host-app refused $src, but without a message that matches: $regex"
    exit 1
fi
echo "refused as expected"
