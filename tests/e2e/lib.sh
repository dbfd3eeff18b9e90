# Shared helpers for the end-to-end tests. run.sh runs each test file in a
# bash process of its own with this file sourced first; the file calls
# `pass`/`fail` (or `check`), and run.sh adds up every file's tally.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN="$ROOT/bin"
SAMPLES="$ROOT/exam-packs/samples"
PASSED=0
FAILED=0
FAILED_NAMES=""
# E2E_TALLY=FILE (set by run.sh): one line per result, "ok" or "FAIL NAME",
# and "END" once the test file has run to its end
E2E_TALLY=${E2E_TALLY:-/dev/null}

pass() { PASSED=$((PASSED + 1)); echo ok >>"$E2E_TALLY"; printf '  ok   %s\n' "$1"; }
fail() {
    FAILED=$((FAILED + 1)); FAILED_NAMES="$FAILED_NAMES\n  $1"
    printf 'FAIL %s\n' "${1//$'\n'/ }" >>"$E2E_TALLY"
    printf '  FAIL %s\n' "$1"
    [ -n "${2:-}" ] && printf '       %s\n' "$2"
    return 0
}
# check NAME COMMAND...: passes when COMMAND exits 0
check() { local name=$1; shift; if "$@"; then pass "$name"; else fail "$name" "command: $*"; fi; }
# check_msg NAME MESSAGE-IF-FAILED COMMAND...: like check, with a reason
check_msg() { local name=$1 why=$2; shift 2; if "$@"; then pass "$name"; else fail "$name" "$why"; fi; }

# need TOOL...: 0 when every TOOL is installed; otherwise one failure naming
# the missing ones and `make deps` (tests never install anything themselves)
need() {
    local t m=""
    for t in "$@"; do command -v "$t" >/dev/null 2>&1 || m="$m $t"; done
    [ -z "$m" ] && return 0
    fail "$(basename "${BASH_SOURCE[1]:-e2e}" .sh) needs${m}, which is not installed: run \`make deps\` (tools/deps.txt)"
    return 1
}

# ---- scratch directories and cleanup ---------------------------------------------
# Every directory new_tmp makes lies under E2E_SCRATCH, which is removed when
# the test file's process exits (E2E_KEEP=1 keeps it and says where).
E2E_SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/exame2e.XXXXXX")
E2E_AT_EXIT=()
# at_exit COMMAND: run COMMAND (a string, eval'd) when the test file exits, newest first
at_exit() { E2E_AT_EXIT+=("$1"); }
e2e_exit() {
    local i
    for ((i = ${#E2E_AT_EXIT[@]} - 1; i >= 0; i--)); do eval "${E2E_AT_EXIT[i]}"; done
    E2E_AT_EXIT=()
    if [ -n "${E2E_KEEP:-}" ]; then echo "  (kept $E2E_SCRATCH)"; else rm -rf "$E2E_SCRATCH"; fi
}
trap e2e_exit EXIT
trap 'echo "  (interrupted)"; exit 130' INT TERM
# a fresh scratch directory (T=$(new_tmp)), removed at exit
new_tmp() { mktemp -d "$E2E_SCRATCH/t.XXXXXX"; }
# e2e_done: the test file ran to its end (run.sh calls it after the file)
e2e_done() { echo END >>"$E2E_TALLY"; }

# wait_for SECONDS COMMAND...: runs COMMAND every 50 ms until it succeeds (0)
# or SECONDS (may be fractional) have passed (1)
wait_for() {
    local end; end=$(($(date +%s%N) / 1000000 + $(awk -v s="$1" 'BEGIN { printf "%d", s * 1000 }')))
    shift
    while :; do
        "$@" && return 0
        [ $(($(date +%s%N) / 1000000)) -ge "$end" ] && return 1
        sleep 0.05
    done
}

# gbid PREFIX17: a GB 11643-1999 ID number (the check character computed here)
gbid() {
    local p=$1 s=0 i w=(7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2) c="10X98765432"
    for ((i = 0; i < 17; i++)); do s=$((s + ${p:i:1} * w[i])); done
    printf '%s%s\n' "$p" "${c:s % 11:1}"
}

# run CMD, capturing stdout/stderr/exit into OUT ERR RC
run() { "$@" >"$T/out" 2>"$T/err"; RC=$?; OUT=$(cat "$T/out"); ERR=$(cat "$T/err"); }

# assert helpers used by the tests
expect_rc() { [ "$RC" -eq "$1" ]; }
nonzero() { [ "$RC" -ne 0 ]; }
err_lines() { wc -l <"$T/err" | tr -d ' '; }
