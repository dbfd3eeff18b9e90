#!/usr/bin/env bash
# Crash torture for the kiosk (README "Exam day": every answer durable, crashes resume): runs scripted sittings of the
# sample theory paper and kills the kiosk with SIGKILL from outside at random
# real-time moments until KILLS kills have happened.
#
#   bash tests/torture/torture.sh [KILLS]        (make torture TORTURE_KILLS=N)
#
# After each kill the database is copied and read with the sqlite3 CLI
# (answers, session clock). The kiosk is then restarted with a resume script
# (release code, PIN) that first expects the remaining time computed from that
# snapshot (the exact hh:mm:ss, or the adjacent second), the question saved in
# session.current and the answered count, and then answers the remaining
# items; it is killed again at random or allowed to finish. The script never
# changes an answer once given, so every answer seen in any snapshot must be
# in the final answer table, unchanged.
#
# Checks, one per kill:
#   - the database passes integrity_check; the committed answers are exactly
#     the first M items of the paper in the order the script gave them, each
#     with the response an uninterrupted sitting stores, and M never shrinks;
#   - session.elapsed_ms never goes back, is at least the scripted time of the
#     last committed answer less 1 s (the clock is saved once a second) and at
#     most the scripted time of the first answer not committed;
#   - the restart journals its resume with remaining = duration − elapsed and,
#     unless it is killed again first, shows that time, the question and the
#     count on screen.
# and per sitting (when it is handed in): every snapshot answer is in the final
# table and the final table holds every answer; the session is submitted with
# the scripted elapsed time (no downtime charged, none lost after the last
# resume) and the expected score; exactly one outbox row for it; `examsync
# status` reports the hash chain verified.
#
# Also a failure: a snapshot whose session.current is behind the last question
# answered, i.e. a restart that would not put the candidate back on the
# question they were on (README "Exam day").
#
# The programs in bin/ are copied once at the start; packs are built once with
# the cheapest KDF kiosks accept (2 passes, 64 MiB); each sitting gets a fresh
# data directory.
#
# Environment: TORTURE_SEED (bash RANDOM seed, printed), TORTURE_ITEM_MS
# (virtual time per question, 20000), TORTURE_MAX_PER_SITTING (kills before a
# sitting is allowed to finish, 8), TORTURE_KEEP (directory for the data of
# failed sittings; default a new ${TMPDIR:-/tmp}/torture-failed.XXXXXX).
# Prints progress and ends with "N passed, N failed"; exits 1 on any failure.
set -u
KILLS=${1:-100}
case "$KILLS" in '' | *[!0-9]*) echo "usage: torture.sh KILLS (a number)" >&2; exit 2 ;; esac

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SAMPLES="$ROOT/exam-packs/samples"
command -v sqlite3 >/dev/null || { echo "torture: the sqlite3 CLI is needed" >&2; exit 2; }
for b in kiosk examsync exampack; do [ -x "$ROOT/bin/$b" ] || { echo "torture: bin/$b missing (run make)" >&2; exit 2; }; done

SEED=${TORTURE_SEED:-$(( ${EPOCHREALTIME/./} % 32768 ))}
RANDOM=$SEED
ITEM_MS=${TORTURE_ITEM_MS:-20000}
MAX_PER_SITTING=${TORTURE_MAX_PER_SITTING:-8}
WATCHDOG=120 # seconds: a run that is not killed must end by then
export KIOSK_FONTS_DIR=${KIOSK_FONTS_DIR:-$ROOT/fonts}

W=$(mktemp -d "${TMPDIR:-/tmp}/torture.XXXXXX")
KP="" SP=""
cleanup() {
    [ -n "$KP" ] && kill -9 "$KP" 2>/dev/null
    [ -n "$SP" ] && kill "$SP" 2>/dev/null
    rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# the programs are copied once, so a rebuild during a long run changes nothing
BIN="$W/bin"
mkdir -p "$BIN"
for b in kiosk examsync exampack; do
    for try in 1 2 3 4 5; do
        cp "$ROOT/bin/$b" "$BIN/$b" 2>/dev/null && "$BIN/$b" --help >/dev/null 2>&1 && break
        sleep 2
    done
    "$BIN/$b" --help >/dev/null 2>&1 || { echo "torture: bin/$b does not run (being rebuilt?)" >&2; exit 2; }
done
. "$ROOT/tests/e2e/kiosk_lib.sh" # KIOSK SYNC EP PIN SEED0 kiosk_setup new_kiosk script_login
export KIOSK_SEED=$SEED0 # the paper of `exampack paper --seed $SEED0`

PASSED=0 FAILED=0 NOTES=0
KEEP=""
keep_dir() { # keep_dir DIR: copy a failed sitting's files for a post-mortem
    if [ -z "$KEEP" ]; then
        KEEP=${TORTURE_KEEP:-$(mktemp -d "${TMPDIR:-/tmp}/torture-failed.XXXXXX")}
        mkdir -p "$KEEP"
    fi
    cp -a "$1" "$KEEP/" && echo "       data kept in $KEEP/$(basename "$1")"
}
now_us() { echo "${EPOCHREALTIME/./}"; }
hms() { # hms MS: the timer as the question screen shows it (whole seconds, rounded up)
    local s=$(( ($1 + 999) / 1000 ))
    printf '%02d:%02d:%02d' $((s / 3600)) $((s / 60 % 60)) $((s % 60))
}
hms_s() { local s=$1; printf '%02d:%02d:%02d' $((s / 3600)) $((s / 60 % 60)) $((s % 60)); }
elapsed_str() { printf '%s.%d' "$(hms_s $(($1 / 1000)))" $(($1 % 1000 / 100)); }

# ---- keys, the cheap-KDF theory pack, roster, the paper: once ------------------------
kiosk_setup "$W/k" || { echo "torture: cannot build the packs" >&2; exit 1; }
CODE=$THEORY_CODE
AUTH="$W/k/auth"
"$EP" paper --pub "$AUTH/authority.pub" "$W/k/theory.pack" --release-code "$CODE" --seed "$SEED0" >"$W/paper.tsv" ||
    { echo "torture: exampack paper failed" >&2; exit 1; }
KEY=() EXPECT_SCORE=0
while IFS=$'\t' read -r n id type pts ans; do
    case "$n" in '#'* | '') continue ;; esac
    case "$type" in judge | single | multi) ;; *) echo "torture: unexpected item type $type" >&2; exit 1 ;; esac
    # one key per question, so an answer never changes once it is given:
    # judge/single the right letter, multi only the first right letter
    KEY+=("$(echo "${ans:0:1}" | tr 'A-Z' 'a-z')")
    pt=$(awk -v p="$pts" 'BEGIN { printf "%d", p * 10 + 0.5 }')
    if [ "$type" != multi ] || [ ${#ans} -eq 1 ]; then EXPECT_SCORE=$((EXPECT_SCORE + pt)); fi
done <"$W/paper.tsv"
N=${#KEY[@]}
[ "$N" -gt 0 ] || { echo "torture: empty paper" >&2; exit 1; }
if [ $((EXPECT_SCORE % 10)) -eq 0 ]; then SCORE_TEXT=$((EXPECT_SCORE / 10)); else SCORE_TEXT="$((EXPECT_SCORE / 10)).$((EXPECT_SCORE % 10))"; fi
MIN_SUBMIT_MS=$(( $(awk -F= '/^[[:space:]]*min_submit[[:space:]]*=/ { print $2 + 0 }' "$SAMPLES/theory-4.ini") * 60000 ))
ROW=$(sed -n 2p "$SAMPLES/roster-4.csv")
TICKET=$(echo "$ROW" | cut -d, -f1)
IDNUM=$(echo "$ROW" | cut -d, -f3)

# ---- scripts ---------------------------------------------------------------------------
# The schedule of the run being generated: TC[i] = session elapsed (ms) when
# item i's answer is typed; END_E = elapsed at hand-in; FROM = first item.
declare -a TC
FROM=0 END_E=0 TLINE=0 est_us=0

resume_lines() {
    echo "expect 恢复考试"
    echo "text $CODE"; echo "key Return"
    echo "text $PIN"; echo "key Return"
}
login_lines() {
    echo "expect 考生登录"
    echo "text $TICKET"; echo "key Tab"; echo "text $IDNUM"; echo "key Return"
    echo "expect 核对考生信息"; echo "key Return"
    echo "expect 考生须知"; echo "key Return"
}
# answer_lines FIRST E0: items FIRST..N-1 one after another, then the hand-in
answer_lines() {
    local first=$1 t=$2 i
    FROM=$first
    for ((i = first; i < N; i++)); do
        TC[i]=$t
        echo "key ${KEY[i]}"
        echo "expect 已保存"
        echo "expect 已答 $((i + 1))/$N"
        echo "wait $ITEM_MS"
        t=$((t + ITEM_MS))
        [ $((i + 1)) -lt "$N" ] && echo "key PageDown"
    done
    # hand-in only after min_submit (a minute to spare)
    local fin=$((MIN_SUBMIT_MS + 60000 - t))
    [ "$fin" -lt 5000 ] && fin=5000
    echo "wait $fin"
    END_E=$((t + fin))
    echo "key F10"; echo "expect 确认交卷？"; echo "key Return"
    echo "expect 您已成功交卷"; echo "expect 本次考试得分：$SCORE_TEXT 分"
}
# gen_fresh FILE: unlock, PIN, login, the whole paper
gen_fresh() {
    {
        script_login "$CODE" 1
        echo "expect 剩余时间 $(hms "$DUR_MS")"; echo "expect 第 1 题（"
        answer_lines 0 0
    } >"$1"
    TLINE=0
}
# gen_resume_login FILE: after a kill between PIN and start: resume, login, the whole paper
gen_resume_login() {
    {
        resume_lines; login_lines
        echo "expect 剩余时间 $(hms "$DUR_MS")"; echo "expect 第 1 题（"
        answer_lines 0 0
    } >"$1"
    TLINE=0
}
# gen_resume FILE TIMER: resume the running sitting of the last snapshot (P_*)
gen_resume() {
    local f=$1 timer=$2 k
    {
        resume_lines
        echo "expect 剩余时间 $timer"
        echo "expect 第 $((P_CUR + 1)) 题（"
        echo "expect 已答 $P_M/$N"
        if [ "$P_M" -lt "$N" ]; then
            for ((k = P_CUR; k < P_M; k++)); do echo "key PageDown"; done
            for ((k = P_CUR; k > P_M; k--)); do echo "key PageUp"; done
            echo "expect 第 $((P_M + 1)) 题（"
        fi
        answer_lines "$P_M" "$P_E"
    } >"$f"
    TLINE=6 # the line of the timer expect
}

# ---- running the kiosk -----------------------------------------------------------------
# run_kiosk DATA SCRIPT DELAY_MS (-1: no kill): sets RC (137 = killed by us),
# RUN_US (real time), HUNG
run_kiosk() {
    local data=$1 script=$2 delay=$3 who st t0
    HUNG=0
    t0=$(now_us)
    "$KIOSK" --data "$data" --script "$script" >"$W/kout" 2>"$W/kerr" &
    KP=$!
    if [ "$delay" -ge 0 ]; then sleep "$((delay / 1000)).$(printf '%03d' $((delay % 1000)))" &
    else sleep "$WATCHDOG" &
    fi
    SP=$!
    wait -n -p who "$KP" "$SP"
    st=$?
    if [ "${who:-}" = "$KP" ]; then
        RC=$st
        kill "$SP" 2>/dev/null; wait "$SP" 2>/dev/null
    else
        wait "$SP" 2>/dev/null
        kill -9 "$KP" 2>/dev/null # SIGKILL from outside, like a power cut
        wait "$KP" 2>/dev/null
        RC=$?
        [ "$delay" -lt 0 ] && [ "$RC" -eq 137 ] && HUNG=1
    fi
    KP="" SP=""
    RUN_US=$(($(now_us) - t0))
}

# ---- snapshots -----------------------------------------------------------------------------
# snapshot DATA OUT: copies the database (and its WAL; the -shm is rebuilt) as
# it is on disk after the kill and reads it, leaving DATA for the kiosk to recover.
# Sets S_HAS S_STATE S_E S_X S_CUR S_ID S_UNLOCK S_OUTBOX S_M S_INTEGRITY S_PREFIX_OK
# S_RESUMES (journal resume entries "seq|data" after SEQ_SEEN), S_MAXSEQ; OUT/answers.
snapshot() {
    local data=$1 out=$2
    rm -rf "$out"; mkdir -p "$out"
    cp "$data/kiosk.db" "$out/"
    [ -f "$data/kiosk.db-wal" ] && cp "$data/kiosk.db-wal" "$out/"
    read_db "$out/kiosk.db" "$out"
}
read_db() {
    local db=$1 out=$2
    mkdir -p "$out"
    sqlite3 -batch -noheader -separator '|' "$db" \
        "SELECT 'I', (SELECT group_concat(integrity_check, ' ') FROM pragma_integrity_check);
         SELECT 'S', state, elapsed_ms, extra_ms, current, id FROM session ORDER BY rowid;
         SELECT 'U', count(*) FROM unlock;
         SELECT 'O', count(*) FROM outbox;
         SELECT 'Q', coalesce(max(seq), 0) FROM journal;
         SELECT 'R', seq, data FROM journal WHERE type = 'resume' AND seq > $SEQ_SEEN ORDER BY seq;
         " >"$out/db.txt" 2>"$out/db.err"
    # scores and answers are sealed in kiosk.db: read through examsync with the release code
    "$SYNC" show --data "$(dirname "$db")" --release-code "$CODE" --answers >"$out/show.txt" 2>>"$out/db.err" ||
        echo "examsync show failed" >>"$out/db.err"
    awk '/^  [^ ]/ { n++ } /^    item / && n == last { split($2, a, " "); printf "A|%d|%s\n", a[1] - 1, $3 }' FS='\t' \
        last="$(grep -c '^  [^ ]' "$out/show.txt")" "$out/show.txt" >>"$out/db.txt"
    S_INTEGRITY=$(awk -F'|' '$1 == "I" { print $2 }' "$out/db.txt")
    [ -s "$out/db.err" ] && S_INTEGRITY="sqlite3: $(head -1 "$out/db.err")"
    local sessions; sessions=$(grep -c '^S|' "$out/db.txt")
    S_HAS=0 S_STATE="" S_E=0 S_X=0 S_CUR=0 S_ID="" S_SCORE=""
    if [ "$sessions" -ge 1 ]; then
        S_HAS=$sessions
        IFS='|' read -r _ S_STATE S_E S_X S_CUR S_ID < <(grep '^S|' "$out/db.txt" | tail -1)
        S_SCORE=$(grep "session $S_ID\$" "$out/show.txt" | sed -n 's/.* (\([0-9]*\) tenths).*/\1/p')
    fi
    S_UNLOCK=$(awk -F'|' '$1 == "U" { print $2 }' "$out/db.txt")
    S_OUTBOX=$(awk -F'|' '$1 == "O" { print $2 }' "$out/db.txt")
    S_MAXSEQ=$(awk -F'|' '$1 == "Q" { print $2 }' "$out/db.txt")
    S_RESUMES=$(awk -F'|' '$1 == "R" { print $2 "|" $3 }' "$out/db.txt")
    grep '^A|' "$out/db.txt" | cut -d'|' -f2- >"$out/answers"
    S_M=$(wc -l <"$out/answers" | tr -d ' ')
    # the answers must be items 0..M-1 with the responses of the reference sitting
    S_PREFIX_OK=1 S_PREFIX_WHY=""
    if [ -n "${REF_ANSWERS:-}" ]; then
        if ! head -n "$S_M" "$REF_ANSWERS" | cmp -s - "$out/answers"; then
            S_PREFIX_OK=0
            S_PREFIX_WHY=$(head -n "$S_M" "$REF_ANSWERS" | diff - "$out/answers" | grep '^[<>]' | head -4 | tr '\n' ' ')
        fi
    fi
}

# ---- the reference sitting: uninterrupted; its answers are what every sitting must store ----
echo "crash torture: $KILLS kills, seed $SEED (TORTURE_SEED), $N questions, ${ITEM_MS} ms per question"
SEQ_SEEN=0
SD="$W/s0"; mkdir -p "$SD"
new_kiosk "$SD/data" "$AUTH" "$W/k/theory.pack" "$W/k/room.roster" || { echo "torture: examsync init/add failed" >&2; exit 1; }
DUR_MS=$(( $(sqlite3 "$SD/data/kiosk.db" "SELECT duration FROM pack") * 60000 ))
gen_fresh "$SD/script.txt"
run_kiosk "$SD/data" "$SD/script.txt" -1
T_FULL_US=$RUN_US
REF_ANSWERS=""
read_db "$SD/data/kiosk.db" "$SD/final"
cp "$SD/final/answers" "$W/ref_answers"
"$SYNC" status --data "$SD/data" >"$SD/status.out" 2>&1 && grep -q 'hash chain verified' "$SD/status.out"; src=$?
ref_ok=1
if [ "$RC" -ne 0 ] || [ "$src" -ne 0 ] || [ "$S_M" -ne "$N" ] || [ "$S_STATE" != submitted ] || [ "$S_E" -ne "$END_E" ] ||
    [ "$S_SCORE" != "$EXPECT_SCORE" ] || [ "$S_OUTBOX" -ne 1 ] || [ "$S_INTEGRITY" != ok ]; then ref_ok=0; fi
if [ "$ref_ok" = 1 ]; then
    PASSED=$((PASSED + 1))
    printf '  ok   reference sitting without kills: %d answers, submitted at %s, score %s, %.2f s real time\n' \
        "$N" "$(elapsed_str "$S_E")" "$SCORE_TEXT" "$(awk -v u="$T_FULL_US" 'BEGIN { print u / 1e6 }')"
else
    FAILED=$((FAILED + 1))
    echo "  FAIL reference sitting without kills (rc $RC, status $src, $S_M answers, state '$S_STATE', elapsed $S_E of $END_E, score '$S_SCORE', outbox $S_OUTBOX, integrity '$S_INTEGRITY')"
    sed 's/^/       /' "$W/kerr" | tail -5
    keep_dir "$SD"
    echo "0 passed, $FAILED failed"
    exit 1
fi
rm -rf "$SD"
REF_ANSWERS="$W/ref_answers"
# real time of the kiosk start (for the kill-moment estimate)
echo "expect 本机试卷（未解锁）" >"$W/probe.txt"
new_kiosk "$W/p" "$AUTH" "$W/k/theory.pack" "$W/k/room.roster"
run_kiosk "$W/p" "$W/probe.txt" -1
T0_US=$RUN_US
rm -rf "$W/p"
T_ITEM_US=$(( (T_FULL_US - T0_US) / (N + 3) ))
[ "$T_ITEM_US" -lt 1000 ] && T_ITEM_US=1000

# ---- sittings with kills ---------------------------------------------------------------------
ok() { PASSED=$((PASSED + 1)); printf '  ok   %s\n' "$1"; }
bad() { FAILED=$((FAILED + 1)); printf '  FAIL %s\n' "$1"; [ -n "${2:-}" ] && printf '       %s\n' "$2"; return 0; }

kills=0 sitting=0 T_START=$(now_us)
while [ "$kills" -lt "$KILLS" ]; do
    sitting=$((sitting + 1))
    SD="$W/s$sitting"; mkdir -p "$SD"
    new_kiosk "$SD/data" "$AUTH" "$W/k/theory.pack" "$W/k/room.roster" || { bad "sitting $sitting: examsync init/add failed"; break; }
    : >"$SD/snap_answers"
    SEQ_SEEN=0
    P_HAS=0 P_M=0 P_E=0 P_X=0 P_CUR=0 P_UNLOCK=0   # the previous snapshot
    s_kills=0 run_no=0 finished=0 abandoned=0
    PEND="" PEND_WHY="" PEND_DESC=""  # the kill whose restart is being judged
    RESUMED_FROM_E=""                 # elapsed the current run resumes from (journal check)
    while :; do
        run_no=$((run_no + 1))
        # the next script follows from the last snapshot
        cands=("")
        if [ "$P_HAS" -eq 0 ] && [ "$P_UNLOCK" -eq 0 ]; then kind=fresh
        elif [ "$P_HAS" -eq 0 ]; then kind=resume_login
        else
            kind=resume
            rem=$((DUR_MS + P_X - P_E))
            exact=$(( (rem + 999) / 1000 ))
            cands=("$(hms_s "$exact")" "$(hms_s $((exact - 1)))" "$(hms_s $((exact + 1)))")
        fi
        ci=0 note="" RUN_OFF=0
        while :; do
            case $kind in
            fresh) gen_fresh "$SD/script.txt"; RESUMED_FROM_E="" ;;
            resume_login) gen_resume_login "$SD/script.txt"; RESUMED_FROM_E=login ;;
            resume) gen_resume "$SD/script.txt" "${cands[ci]}"; RESUMED_FROM_E=$P_E ;;
            esac
            left=$((N - FROM))
            # a restart is killed again at random or, one time in six, allowed to finish
            # (a retry with the adjacent second is not killed, so its outcome is known)
            if [ "$kills" -ge "$KILLS" ] || [ "$s_kills" -ge "$MAX_PER_SITTING" ] || [ "$ci" -gt 0 ] ||
                { [ "$kind" = resume ] && [ $((RANDOM % 6)) -eq 0 ]; }; then delay=-1
            else
                est_us=$((T0_US + (left + 3) * T_ITEM_US))
                r30=$(( (RANDOM << 15) | RANDOM ))
                delay=$(( est_us * 11 / 10 * r30 / 1073741824 / 1000 ))
            fi
            run_kiosk "$SD/data" "$SD/script.txt" "$delay"
            # keep the kill-moment estimate in step with the machine's current speed
            if [ "$RC" -eq 0 ] && [ "$left" -gt 5 ]; then
                sample=$(( (RUN_US - T0_US) / (left + 3) ))
                [ "$sample" -gt 1000 ] && T_ITEM_US=$(( (3 * T_ITEM_US + sample) / 4 ))
            fi
            [ -n "${TORTURE_DEBUG:-}" ] && echo "    [run $kind left=$left delay=$delay ms real=$((RUN_US / 1000)) ms rc=$RC est=$((est_us/1000))]"
            # a wrong timer on resume: try the adjacent seconds before calling it a failure
            if [ "$kind" = resume ] && [ "$RC" -eq 1 ] && [ "$ci" -lt 2 ] &&
                grep -q "script.txt:$TLINE: expected text not on screen: 剩余时间" "$W/kerr"; then
                [ "$ci" -eq 0 ] && cp "$W/kerr" "$SD/kerr.timer"
                ci=$((ci + 1)); note=" (timer showed the adjacent second ${cands[ci]}, not ${cands[0]})"
                continue
            fi
            break
        done
        if [ "$kind" = resume ] && [ "$ci" -gt 0 ] && [ "$RC" -eq 1 ] && grep -q "script.txt:$TLINE:" "$W/kerr"; then
            PEND_WHY="$PEND_WHY; on restart the timer was not within 1 s of ${cands[0]} ($(hms "$((DUR_MS + P_X - P_E))") = duration − elapsed $(elapsed_str "$P_E"))"
            note=""
        fi
        [ -n "$note" ] && PEND_DESC="$PEND_DESC$note"
        if [ "$RC" -eq 137 ] && [ "$HUNG" = 0 ]; then
            kills=$((kills + 1)) s_kills=$((s_kills + 1))
            snapshot "$SD/data" "$SD/snap"
        elif [ "$RC" -eq 0 ]; then
            read_db "$SD/data/kiosk.db" "$SD/snap"
        else
            why="kiosk exit $RC"; [ "$HUNG" = 1 ] && why="kiosk still running after ${WATCHDOG}s (hung?), killed"
            why="$why: $(tail -2 "$W/kerr" | tr '\n' ' ')"
            if [ -n "$PEND" ]; then PEND_WHY="$PEND_WHY; restart failed: $why"
            else bad "sitting $sitting run $run_no ($kind)" "$why"; keep_dir "$SD"; fi
            read_db "$SD/data/kiosk.db" "$SD/snap"
            abandoned=1
        fi
        # the resume this run journaled (kiosk's own figures) must match the last snapshot
        if [ -n "$PEND" ] && [ -n "$S_RESUMES" ]; then
            while IFS='|' read -r seq rdata; do
                # the kiosk journals "elapsed_ms=E remaining_ms=R" when it resumes a sitting
                jrem=$(echo "$rdata" | sed -n 's/.*remaining_ms=\([0-9]*\).*/\1/p')
                jel=$(echo "$rdata" | sed -n 's/.*elapsed_ms=\([0-9]*\).*/\1/p')
                if [ "$RESUMED_FROM_E" = login ] || [ -z "$RESUMED_FROM_E" ]; then
                    [ -z "$jrem" ] || PEND_WHY="$PEND_WHY; journal resume #$seq resumed a sitting ('$rdata') where none had started"
                elif [ -n "$jrem" ]; then
                    want=$((DUR_MS + P_X - RESUMED_FROM_E)) diff=$((jrem - (DUR_MS + P_X - RESUMED_FROM_E)))
                    [ "${diff#-}" -le 1000 ] ||
                        PEND_WHY="$PEND_WHY; journal resume #$seq says '$rdata': remaining should be $want ms (duration − elapsed $RESUMED_FROM_E)"
                    # a resume within the allowed second shifts this run's schedule
                    [ -n "$jel" ] && [ "${diff#-}" -le 1000 ] && RUN_OFF=$((jel - RESUMED_FROM_E))
                fi
            done <<<"$S_RESUMES"
        fi
        resumed=""
        if [ -n "$PEND" ]; then
            case "$RC" in
            0) resumed="restart resumed, finished" ;;
            137) if [ -n "$S_RESUMES" ]; then resumed="restart resumed, killed again"; else resumed="restart killed before resuming"; fi ;;
            esac
            if [ -z "$PEND_WHY" ]; then ok "$PEND_DESC; $resumed"
            else bad "$PEND_DESC" "${PEND_WHY#; }"; keep_dir "$SD"; abandoned=1; fi
            PEND="" PEND_WHY="" PEND_DESC=""
        fi
        [ "$abandoned" = 1 ] && break
        [ -n "$S_MAXSEQ" ] && SEQ_SEEN=$S_MAXSEQ

        if [ "$RC" -eq 137 ]; then
            # ---- checks of this kill's snapshot ----
            why=""
            [ "$S_INTEGRITY" = ok ] || why="$why; integrity_check: $S_INTEGRITY"
            [ "$S_HAS" -le 1 ] || why="$why; $S_HAS session rows"
            [ "$P_HAS" -eq 1 ] && [ "$S_HAS" -eq 0 ] && why="$why; the session vanished"
            [ "$S_PREFIX_OK" = 1 ] || why="$why; answers are not the first $S_M of the paper as given: $S_PREFIX_WHY"
            [ "$S_M" -ge "$P_M" ] || why="$why; answers went from $P_M to $S_M"
            if [ "$S_HAS" -ge 1 ]; then
                case "$S_STATE" in running | submitted) ;; *) why="$why; session state '$S_STATE'" ;; esac
                [ "$S_E" -ge "$P_E" ] || why="$why; elapsed went back from $P_E to $S_E"
                hi=$((S_M - 1))
                # the scripted times of this run, shifted by what its resume restored
                if [ "$hi" -ge "$FROM" ] && [ "$S_E" -lt $((TC[hi] + RUN_OFF - 999)) ]; then
                    why="$why; elapsed $S_E ms is more than 1 s behind answer $((hi + 1)) typed at $((TC[hi] + RUN_OFF)) ms"
                fi
                if [ "$S_M" -lt "$N" ] && [ "$S_M" -ge "$FROM" ] && [ "$S_E" -gt $((TC[S_M] + RUN_OFF)) ]; then
                    why="$why; elapsed $S_E ms is past answer $((S_M + 1)) (typed at $((TC[S_M] + RUN_OFF)) ms) which is not saved"
                fi
                [ "$S_M" -eq "$N" ] && [ "$S_E" -gt $((END_E + RUN_OFF)) ] && why="$why; elapsed $S_E ms past the hand-in at $((END_E + RUN_OFF)) ms"
                [ "$S_STATE" = submitted ] && [ "$S_E" -ne $((END_E + RUN_OFF)) ] && why="$why; handed in at $S_E ms, scripted $((END_E + RUN_OFF)) ms"
            fi
            # the candidate continues on the question they were on; at the kill
            # they were on the last question answered or the next one
            qnote=""
            if [ "$S_HAS" -ge 1 ] && [ "$S_STATE" = running ] && [ "$S_M" -ge 1 ] && [ "$S_CUR" -lt $((S_M - 1)) ] &&
                { [ "$S_M" -ne "$P_M" ] || [ "$S_CUR" -ne "$P_CUR" ]; }; then
                why="$why; the restart would show question $((S_CUR + 1)) but question $S_M had been answered"
            fi
            sed "s/^/$kills|/" "$SD/snap/answers" >>"$SD/snap_answers"
            desc="kill $kills at $(awk -v d="$delay" 'BEGIN { printf "%.3f", d / 1000 }') s (sitting $sitting, run $run_no, $kind): "
            if [ "$S_HAS" -eq 0 ]; then desc="${desc}no sitting yet$([ "$S_UNLOCK" -gt 0 ] && echo ', unlocked')"
            else desc="$desc$S_M/$N answers, $S_STATE, elapsed $(elapsed_str "$S_E")"; fi
            if [ -n "$why" ]; then bad "$desc" "${why#; }"; keep_dir "$SD"; break; fi
            if [ "$S_HAS" -ge 1 ] && [ "$S_STATE" = submitted ]; then
                ok "$desc; nothing to resume"
                finished=1; LAST_END_E=$((END_E + RUN_OFF)); break
            fi
            if [ -n "$qnote" ]; then NOTES=$((NOTES + 1)); printf '  note kill %d: %s\n' "$kills" "${qnote#note: }"; fi
            PEND=$kills PEND_DESC=$desc PEND_WHY=""
            P_HAS=$S_HAS P_M=$S_M P_E=$S_E P_X=$S_X P_CUR=$S_CUR P_UNLOCK=$S_UNLOCK
            continue
        fi
        # RC 0: the sitting was handed in
        finished=1; LAST_END_E=$((END_E + RUN_OFF))
        break
    done
    if [ "$finished" = 1 ]; then
        # ---- per-sitting checks on the final database ----
        failed_before=$FAILED
        D="$SD/data"
        read_db "$D/kiosk.db" "$SD/final"
        missing=$(cut -d'|' -f2- "$SD/snap_answers" | sort -u | grep -vxFf "$SD/final/answers" | head -3 | tr '\n' ' ')
        if [ -z "$missing" ] && cmp -s "$REF_ANSWERS" "$SD/final/answers"; then
            ok "sitting $sitting ($s_kills kills): all $N answers in the final table, every snapshot answer unchanged"
        else
            bad "sitting $sitting: answers" "snapshot answers missing or changed: ${missing:-none}; final differs from reference: $(diff "$REF_ANSWERS" "$SD/final/answers" | grep '^[<>]' | head -3 | tr '\n' ' ')"
        fi
        # handed in at the scripted time of the last run: nothing charged or lost after its resume
        if [ "$S_HAS" -eq 1 ] && [ "$S_STATE" = submitted ] && [ "$S_E" -eq "$LAST_END_E" ] && [ "$S_SCORE" = "$EXPECT_SCORE" ]; then
            ok "sitting $sitting: submitted at elapsed $(elapsed_str "$S_E") as scripted, score $SCORE_TEXT"
        else
            bad "sitting $sitting: session" "sessions $S_HAS, state '$S_STATE', elapsed $S_E ms (scripted $LAST_END_E), score '$S_SCORE' (expected $EXPECT_SCORE)"
        fi
        nout=$(sqlite3 "$D/kiosk.db" "SELECT count(*) FROM outbox WHERE session = '$S_ID'")
        if [ "$nout" = 1 ] && [ "$S_OUTBOX" = 1 ]; then ok "sitting $sitting: exactly one outbox row"
        else bad "sitting $sitting: outbox" "$nout rows for the session, $S_OUTBOX in all"; fi
        "$SYNC" status --data "$D" >"$SD/status.out" 2>&1; src=$?
        if [ "$src" -eq 0 ] && grep -q 'hash chain verified' "$SD/status.out"; then
            ok "sitting $sitting: examsync status: $(grep 'journal:' "$SD/status.out" | sed 's/^ *//')"
        else
            bad "sitting $sitting: examsync status exit $src" "$(tr '\n' ' ' <"$SD/status.out")"
        fi
        [ "$FAILED" -gt "$failed_before" ] && keep_dir "$SD"
    fi
    rm -rf "$SD"
done
T_END=$(now_us)
awk -v k="$kills" -v s="$sitting" -v u=$((T_END - T_START)) \
    'BEGIN { printf "%d kills in %d sittings, %.1f s (%.2f s per kill)\n", k, s, u / 1e6, k ? u / 1e6 / k : 0 }'
[ "$NOTES" -gt 0 ] && echo "notes: $NOTES restarts put the candidate back on an earlier question than the last one answered"
[ -n "$KEEP" ] && echo "data of failed sittings: $KEEP"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
