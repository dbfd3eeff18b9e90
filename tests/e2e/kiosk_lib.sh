# Helpers for the kiosk end-to-end tests: a provisioned kiosk with the sample
# packs, and scripts generated from the candidate's real paper.
KIOSK="$BIN/kiosk"
# the test kiosk (built with -DEXAM_TEST_HOOKS; `make e2e` exports its path):
# only for the checks that need the crash/fail_writes script commands, which
# the shipped bin/kiosk refuses
KIOSK_TEST=${KIOSK_TEST:-$BIN/../build/release/test/bin/kiosk}
SYNC="$BIN/examsync"
EP="$BIN/exampack"
PIN=918273645
# exampack roster for new_kiosk's site, at the roster KDF floor (fast tests; FORMAT.md 7)
ROSTER_OPTS="--site 广州天河考点 --kdf-ops 1 --kdf-mem 16"
SEED0=$(printf '%064d' 0 | sed 's/0$/7/')

# kiosk_setup DIR: keys, packs (the kiosks' KDF floor, 2 passes and 64 MiB: the
# cheapest a kiosk accepts), roster, provisioned data dir in DIR
kiosk_setup() {
    local d=$1
    mkdir -p "$d/auth"
    "$EP" keygen --out "$d/auth" >/dev/null
    "$EP" build --bank "$SAMPLES/theory-4.csv" --blueprint "$SAMPLES/theory-4.ini" --key "$d/auth/authority.key" \
        --out "$d/theory.pack" --kdf-ops 2 --kdf-mem 64 >"$d/theory.out"
    "$EP" build --bank "$SAMPLES/practical-4.csv" --blueprint "$SAMPLES/practical-4.ini" --key "$d/auth/authority.key" \
        --out "$d/practical.pack" --kdf-ops 2 --kdf-mem 64 >"$d/practical.out"
    "$EP" roster --csv "$SAMPLES/roster-4.csv" --key "$d/auth/authority.key" --out "$d/room.roster" $ROSTER_OPTS >/dev/null
    THEORY_CODE=$(tail -1 "$d/theory.out"); PRACTICAL_CODE=$(tail -1 "$d/practical.out")
    rm -f "$d/theory.out" "$d/practical.out"
}

# new_kiosk DATA AUTHDIR FILES...: a fresh kiosk data directory
new_kiosk() {
    local data=$1 auth=$2; shift 2
    rm -rf "$data"
    "$SYNC" init --data "$data" --pub "$auth/authority.pub" --site 广州天河考点 --room 01 --seat 1 >/dev/null &&
        "$SYNC" add --data "$data" "$@" >/dev/null
}

# run_kiosk DATA SCRIPT [SIZE]: the kiosk on SCRIPT, screenshots into $SHOTS,
# output in $T/kout and $T/kerr; sets RC
run_kiosk() {
    "$KIOSK" --data "$1" --script "$2" --shots "$SHOTS" ${3:+--size "$3"} >"$T/kout" 2>"$T/kerr"
    RC=$?
}

# run_kiosk_test DATA SCRIPT [SIZE]: run_kiosk with the test kiosk (test hooks)
run_kiosk_test() {
    "$KIOSK_TEST" --data "$1" --script "$2" --shots "$SHOTS" ${3:+--size "$3"} >"$T/kout" 2>"$T/kerr"
    RC=$?
}

# script lines that open the invigilator's panel (Ctrl+Alt+I and the PIN)
script_panel() { echo "key ctrl+alt+i"; echo "text $PIN"; echo "key Return"; }

# script lines of the resume screen after a restart: release code CODE and the PIN
script_resume() { printf '%s\n' "expect 恢复考试" "text $1" "key Return" "text $PIN" "key Return"; }

# script lines that unlock the start screen with CODE (default: the theory
# pack's code from kiosk_setup) and set the PIN, up to the login screen
script_unlock() {
    printf '%s\n' "text ${1:-$THEORY_CODE}" "key Return" "text $PIN" "key Return" "text $PIN" "key Return" "expect 考生登录"
}

# script lines that unlock with CODE, set the PIN, log candidate N in (line N+1
# of ROSTER.csv, the sample roster by default) and start
script_login() {
    local code=$1 n=${2:-1} roster=${3:-$SAMPLES/roster-4.csv}
    local row; row=$(sed -n "$((n + 1))p" "$roster")
    local ticket id; ticket=$(echo "$row" | cut -d, -f1); id=$(echo "$row" | cut -d, -f3)
    script_unlock "$code"
    cat <<S
text $ticket
key Tab
text $id
key Return
expect 核对考生信息
key Return
expect 考生须知
key Return
S
}

# script_answers PAPER.tsv MODE [N]: answer lines for each item; MODE right|wrong|skip;
# N: only the first N items get MODE, the rest are skipped
script_answers() {
    local paper=$1 mode=$2 limit=${3:-100000}
    local i=0
    grep -v '^#' "$paper" | while IFS=$'\t' read -r n id type pts ans; do
        i=$((i + 1))
        if [ "$i" -le "$limit" ] && [ "$mode" != skip ]; then
            case "$type" in
            judge|single)
                if [ "$mode" = wrong ]; then [ "$ans" = A ] && ans=B || ans=A; fi
                echo "key $(echo "$ans" | tr 'A-Z' 'a-z')" ;;
            multi|order)
                [ "$mode" = wrong ] && ans=${ans:0:1}
                for ((k = 0; k < ${#ans}; k++)); do echo "key $(echo "${ans:k:1}" | tr 'A-Z' 'a-z')"; done ;;
            match)
                for ((k = 0; k < ${#ans}; k++)); do echo "key ${ans:k:1}"; done ;;
            fill)
                IFS=$'\t' read -r -a blanks <<<"$(echo "$ans" | tr '\t' '\t')"
                first=1
                echo "$ans" | tr '\t' '\n' | while read -r b; do
                    [ "$first" = 1 ] || echo "key Tab"
                    first=0
                    echo "text $b"
                done ;;
            numeric) echo "text $ans" ;;
            essay) echo "text 参考作答：提高商品标题与卖点的相关性。" ;;
            esac
        fi
        echo "key PageDown"
    done
}

# points of the first N items of PAPER.tsv (objective items), in tenths
paper_points() {
    local paper=$1 limit=${2:-100000}
    grep -v '^#' "$paper" | head -n "$limit" | awk -F'\t' '$3 != "essay" { split($4, p, "."); s += p[1] * 10 + (p[2] ? p[2] : 0) } END { print s + 0 }'
}
