# Shared helpers for the end-to-end tests: each test file is sourced by
# run.sh and calls `pass`/`fail` (or `check`); run.sh prints the totals.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN="$ROOT/bin"
SAMPLES="$ROOT/exam-packs/samples"
PASSED=${PASSED:-0}
FAILED=${FAILED:-0}
FAILED_NAMES=${FAILED_NAMES:-}

pass() { PASSED=$((PASSED + 1)); printf '  ok   %s\n' "$1"; }
fail() {
    FAILED=$((FAILED + 1)); FAILED_NAMES="$FAILED_NAMES\n  $1"
    printf '  FAIL %s\n' "$1"
    [ -n "${2:-}" ] && printf '       %s\n' "$2"
    return 0
}
# check NAME COMMAND...: passes when COMMAND exits 0
check() { local name=$1; shift; if "$@"; then pass "$name"; else fail "$name" "command: $*"; fi; }

# a fresh scratch directory per test file, removed at exit
new_tmp() { mktemp -d "${TMPDIR:-/tmp}/exame2e.XXXXXX"; }

# run CMD, capturing stdout/stderr/exit into OUT ERR RC
run() { "$@" >"$T/out" 2>"$T/err"; RC=$?; OUT=$(cat "$T/out"); ERR=$(cat "$T/err"); }

# assert helpers used by the tests
expect_rc() { [ "$RC" -eq "$1" ]; }
nonzero() { [ "$RC" -ne 0 ]; }
err_lines() { wc -l <"$T/err" | tr -d ' '; }
