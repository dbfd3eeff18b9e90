#!/usr/bin/env bash
# Runs every tests/e2e/test_*.sh against the real binaries in bin/, each in a
# bash process of its own (lib.sh sourced first: its own T, traps and scratch
# directory), adds up their tallies and prints "N passed, N failed".
# E2E_ONLY=test_x runs only the files whose path contains test_x.
set -u
here=$(cd "$(dirname "$0")" && pwd)
tally=$(mktemp "${TMPDIR:-/tmp}/exame2e-tally.XXXXXX")
trap 'rm -f "$tally"' EXIT
stop="" # Ctrl+C or SIGTERM: the running file cleans up (lib.sh), then no further file starts
trap 'stop=1' INT TERM
passed=0 failed=0 names=""
for t in "$here"/test_*.sh; do
    [ -n "${E2E_ONLY:-}" ] && [[ "$t" != *"$E2E_ONLY"* ]] && continue
    name=$(basename "$t")
    echo "== $name"
    : >"$tally"
    t0=$SECONDS
    E2E_TALLY="$tally" bash -c '. "$1/lib.sh"; . "$2"; e2e_done' e2e "$here" "$t"
    rc=$?
    p=$(grep -c '^ok$' "$tally") f=$(grep -c '^FAIL ' "$tally")
    names="$names$(sed -n 's/^FAIL /\\n  /p' "$tally" | tr -d '\n')"
    if ! grep -q '^END$' "$tally"; then # it exited (or was killed) before its last line
        f=$((f + 1)); names="$names\n  $name stopped before its end (exit $rc)"
        echo "  FAIL $name stopped before its end (exit $rc)"
    fi
    echo "  -- $name: $p ok, $f FAIL, $((SECONDS - t0)) s"
    passed=$((passed + p)) failed=$((failed + f))
    if [ -n "$stop" ]; then failed=$((failed + 1)); names="$names\n  (interrupted after $name)"; break; fi
done
if [ "$failed" -ne 0 ]; then printf 'failed:%b\n' "$names"; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
