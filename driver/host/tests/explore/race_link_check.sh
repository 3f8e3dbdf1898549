#!/usr/bin/env bash
# race_link_check.sh EXPLORER MODULE...
#
# The data race detector runs without ThreadSanitizer's runtime: the explorer must not
# load it (directly or through a library), each MODULE (built with build-host-driver
# --race) must not either, and every __tsan_* function (and __wrap_* memory function) a
# MODULE imports must be one the explorer exports (else the module would stop at its
# first instrumented access).
set -euo pipefail
explorer=$1
shift
fail() { echo "FAIL: $*" >&2; exit 1; }
if ldd "$explorer" | grep -qi 'libtsan\|libclang_rt.tsan'; then
    fail "$explorer loads a ThreadSanitizer runtime: $(ldd "$explorer" | grep -i tsan)"
fi
exports=$(nm -D --defined-only "$explorer" | awk '$3 ~ /^(__tsan_|__wrap_mem)/ {print $3}' | sort -u)
[[ -n $exports ]] || fail "$explorer exports no __tsan_* function"
for module in "$@"; do
    if readelf -d "$module" | grep NEEDED | grep -qi tsan; then
        fail "$module needs a ThreadSanitizer runtime"
    fi
    imports=$(nm -D --undefined-only "$module" | awk '$2 ~ /^(__tsan_|__wrap_mem)/ {print $2}' | sort -u)
    [[ -n $imports ]] || fail "$module imports no __tsan_* function: it is not instrumented"
    missing=$(comm -23 <(echo "$imports") <(echo "$exports"))
    [[ -z $missing ]] || fail "$module imports what the explorer does not supply: $missing"
    for plain in memcpy memmove memset; do
        if nm -D --undefined-only "$module" | awk '{n = $2; sub(/@.*/, "", n); print n}' | grep -qx "$plain"; then
            fail "$module calls the C library's $plain directly: its copies would not be checked"
        fi
    done
    echo "$(basename "$module"): $(echo "$imports" | wc -l) __tsan_*/__wrap_* imports, all supplied by the explorer"
done
echo "no ThreadSanitizer runtime in the explorer or the modules"
