#!/usr/bin/env bash
# Runs every tests/e2e/test_*.sh against the real binaries in bin/ and
# prints the totals as "N passed, N failed".
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
for t in "$here"/test_*.sh; do
    [ -n "${E2E_ONLY:-}" ] && [[ "$t" != *"$E2E_ONLY"* ]] && continue
    echo "== $(basename "$t")"
    . "$t"
done
if [ "$FAILED" -ne 0 ]; then printf 'failed:%b\n' "$FAILED_NAMES"; fi
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
