#!/usr/bin/env bash
# make test: runs every suite, shows its output, and ends with one line of
# totals over all of them, "N passed, N failed", for people and CI alike.
set -u
cd "$(dirname "$0")/.."
MAKE=${MAKE:-make}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
passed=0 failed=0 broken=""
stage() { # stage NAME TARGET: runs make TARGET, counts its results
    local name=$1 target=$2
    echo "==== $name"
    $MAKE --no-print-directory "$target" 2>&1 | tee "$log"
    local rc=${PIPESTATUS[0]}
    # cmocka: "[  PASSED  ] N test(s)." / "[  FAILED  ] N test(s), listed below:"
    local p f
    p=$(grep -E '^\[  PASSED  \] [0-9]+ test' "$log" | awk '{s+=$4} END{print s+0}')
    f=$(grep -E '^\[  FAILED  \] [0-9]+ test' "$log" | awk '{s+=$4} END{print s+0}')
    # e2e: "N passed, N failed"; fuzz replay: one "Done" per target
    local ep ef
    ep=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | awk '{s+=$1} END{print s+0}')
    ef=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | awk '{s+=$3} END{print s+0}')
    p=$((p + ep + $(grep -c '^Done [0-9]* runs' "$log")))
    f=$((f + ef))
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi # a stage that broke without counting
    [ "$rc" -ne 0 ] && broken="$broken $name"
    passed=$((passed + p)); failed=$((failed + f))
}
stage "unit tests (cmocka)" unit-run
stage "end-to-end tests (real binaries)" e2e
stage "unit tests under ASan+UBSan" asan
stage "fuzz corpus replay" fuzz-replay
[ -n "$broken" ] && echo "failed stages:$broken"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ -z "$broken" ]
