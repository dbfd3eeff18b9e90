# End-to-end: the packs on a kiosk's disk and the codes that open them
# (issue 10.4, 10.6, 10.14), through the real exampack, examsync and kiosk:
# a pack blob swapped in kiosk.db is refused at unlock and at resume and
# reported by examsync check; a release code given by hand needs 80
# random-looking bits; packs below the KDF floor are refused by examsync
# add; --release-code - reads the code from standard input.
T=$(new_tmp)
. "$(dirname "${BASH_SOURCE[0]}")/kiosk_lib.sh"
kiosk_setup "$T"
AUTH="$T/auth"
SHOTS="${KIOSK_SHOTS:-$T/shots}"
KEY="$AUTH/authority.key" PUB="$AUTH/authority.pub"
BUILD_ARGS=(--bank "$SAMPLES/practical-4.csv" --blueprint "$SAMPLES/practical-4.ini" --key "$KEY")
FAST=(--kdf-ops 2 --kdf-mem 64)

# ---- 10.4: a blob swapped for another pack of the same authority -----------------------------
if need sqlite3; then
    # swap_blobs DATA: the theory row gets the practical pack's bytes and the other way round
    swap_blobs() {
        sqlite3 "$1/kiosk.db" "CREATE TEMP TABLE b AS SELECT pack_id, bytes FROM pack;
            UPDATE pack SET bytes = (SELECT bytes FROM b WHERE b.pack_id <> pack.pack_id);"
    }
    refused() { sqlite3 "$1/kiosk.db" "SELECT count(*) FROM journal WHERE type='pack_refused' AND data LIKE '%reason=replaced%'"; }

    # unlock: each of the two packs, with its own right code, is refused
    D="$T/swap"; new_kiosk "$D" "$AUTH" "$T/theory.pack" "$T/practical.pack" "$T/room.roster"
    swap_blobs "$D"
    n=$(sqlite3 "$D/kiosk.db" "SELECT count(DISTINCT bytes) FROM pack")
    check "the swap: two rows, two different blobs, each under the other's id" test "$n" = 2
    {
        echo "expect 本机试卷（未解锁）"
        echo "text $THEORY_CODE"; echo "key Return"
        echo "expect 本机存储的试卷未通过校验"; echo "expect 已拒绝使用：数据与登记的编号不符（被替换）"
        echo "shot guard-01-swapped"
        echo "text $PRACTICAL_CODE"; echo "key Return"
        echo "expect 本机存储的试卷未通过校验"; echo "expect 本机试卷（未解锁）"
    } >"$T/s.txt"
    run_kiosk "$D" "$T/s.txt"
    check_msg "swapped blobs: unlock with either pack's right code is refused, the alert says replaced, nothing unlocks" \
        "$(cat "$T/kerr")" expect_rc 0
    unlocked=$(sqlite3 "$D/kiosk.db" "SELECT count(*) FROM unlock")
    journaled=$(refused "$D")
    results=$(sqlite3 "$D/kiosk.db" "SELECT group_concat(data, ' ') FROM journal WHERE type='unlock'")
    check_msg "the refusals are journaled (pack_refused, 2 per attempt), no unlock row, unlock result=pack_refused" \
        "unlock rows $unlocked, pack_refused $journaled, unlock entries: $results" \
        bash -c "[ '$unlocked' = 0 ] && [ '$journaled' = 4 ] && [ '$(echo "$results" | grep -o 'result=pack_refused' | wc -l)' = 2 ]"
    run "$SYNC" check --data "$D"
    check_msg "examsync check: FAIL packs naming both packs as replaced, exit 1" "$OUT" \
        bash -c "[ $RC -eq 1 ] && grep -q '^FAIL packs: 2 of 2 packs do not verify against authority.pub: pack [0-9a-f]\{8\} «.*»: pack stored as [0-9a-f]\{32\} holds another pack ([0-9a-f]\{32\}, «.*»): refused, it was replaced' '$T/out'"
    run "$SYNC" status --data "$D"
    check_msg "examsync status: both packs marked REFUSED (replaced), exit 1" "$OUT" \
        bash -c "[ $RC -eq 1 ] && [ \$(grep -c '^    REFUSED by the kiosk: pack stored as [0-9a-f]\{32\} holds another pack' '$T/out') -eq 2 ] &&
                 grep -q '^packs: 2 REFUSED' '$T/out' && grep -q 'hash chain verified' '$T/out'"

    # resume: a sitting under way, the blobs swapped while the kiosk is down
    D="$T/swap2"; new_kiosk "$D" "$AUTH" "$T/theory.pack" "$T/practical.pack" "$T/room.roster"
    { script_login "$THEORY_CODE" 1; echo "expect 剩余时间 01:30:00"; echo "wait 60000"; echo "crash"; } >"$T/s.txt"
    run_kiosk_test "$D" "$T/s.txt"
    crash_rc=$RC
    swap_blobs "$D"
    {
        echo "expect 恢复考试"
        echo "text $THEORY_CODE"; echo "key Return"; echo "text $PIN"; echo "key Return"
        echo "expect 本机存储的试卷未通过校验"; echo "expect 已拒绝使用：数据与登记的编号不符（被替换）"
        echo "expect 恢复考试"; echo "shot guard-02-resume-refused"
    } >"$T/s.txt"
    run_kiosk "$D" "$T/s.txt"
    resumes=$(sqlite3 "$D/kiosk.db" "SELECT group_concat(data, '|') FROM journal WHERE type='resume'")
    check_msg "swapped blob at resume: refused with the alert, the sitting is not resumed (journal: resume 'pack refused', pack_refused)" \
        "crash exit $crash_rc, kiosk exit $RC: $(cat "$T/kerr"); resume entries: $resumes; pack_refused $(refused "$D")" \
        bash -c "[ $crash_rc -eq 137 ] && [ $RC -eq 0 ] && [ '$resumes' = 'pack refused' ] && [ '$(refused "$D")' = 1 ]"
    # put the blobs back: the same sitting resumes (the refusal changed nothing)
    swap_blobs "$D"
    {
        echo "expect 恢复考试"
        echo "text $THEORY_CODE"; echo "key Return"; echo "text $PIN"; echo "key Return"
        echo "expect 剩余时间 01:29:00"
    } >"$T/s.txt"
    run_kiosk "$D" "$T/s.txt"
    check_msg "blobs put back: the sitting resumes where it was" "$(cat "$T/kerr")" expect_rc 0
    run "$SYNC" status --data "$D"
    check "examsync status on the mended kiosk: no pack REFUSED, exit 0" bash -c "[ $RC -eq 0 ] && ! grep -q REFUSED '$T/out'"
fi

# ---- 10.6a: a release code given by hand must not be a pattern --------------------------------
for weak in 0000-0000-0000-0000-0000 1234-5678-9ABC-DEFG-HJKW ABAB-ABAB-ABAB-ABAB-ABAN 7K3Q-7K3Q-7K3Q-7K3Q-7K31; do
    rm -f "$T/weak.pack"
    run "$EP" build "${BUILD_ARGS[@]}" --out "$T/weak.pack" "${FAST[@]}" --release-code "$weak"
    check_msg "build --release-code $weak: exit 2, one line saying why and to omit --release-code, no pack" "$ERR" \
        bash -c "[ $RC -eq 2 ] && [ \$(wc -l <'$T/err') -eq 1 ] && grep -q '^exampack: --release-code: too easy to guess: about [0-9]* random-looking bits, at least 80 needed (.*); omit --release-code to get a random code$' '$T/err' && [ ! -e '$T/weak.pack' ]"
done
run "$EP" build "${BUILD_ARGS[@]}" --out "$T/weak.pack" "${FAST[@]}" --release-code 0000-0000-0000-0000-0000
check "the reason names the pattern (0000…: the same character repeated)" grep -q '(the same character repeated)' "$T/err"
run "$EP" build "${BUILD_ARGS[@]}" --out "$T/weak.pack" "${FAST[@]}" --release-code 1234-5678-9ABC-DEFG-HJKW
check "the reason names the pattern (1234…: counting up)" grep -q '(characters counting up or down in equal steps)' "$T/err"
run "$EP" build "${BUILD_ARGS[@]}" --out "$T/strong.pack" "${FAST[@]}" --release-code "$PRACTICAL_CODE"
check "a generated code given by hand is accepted" bash -c "[ $RC -eq 0 ] && [ \"\$(tail -1 '$T/out')\" = '$PRACTICAL_CODE' ]"

# ---- 10.6b: packs below the KDF floor ---------------------------------------------------------
run "$EP" build "${BUILD_ARGS[@]}" --out "$T/cheap.pack" --kdf-ops 1 --kdf-mem 8
check_msg "build --kdf-ops 1 --kdf-mem 8: written, with a warning that kiosks refuse it" "$ERR" \
    bash -c "[ $RC -eq 0 ] && [ -s '$T/cheap.pack' ] && grep -q 'warning: Argon2id 1 passes, 8 MiB is below the floor of 2 passes, 64 MiB: kiosks refuse this pack' '$T/err'"
run "$EP" build "${BUILD_ARGS[@]}" --out "$T/cheap2.pack" --kdf-ops 1 --kdf-mem 256
D="$T/floor"; rm -rf "$D"
"$SYNC" init --data "$D" --pub "$PUB" --site 广州天河考点 --room 01 --seat 1 >/dev/null
for p in cheap cheap2; do
    run "$SYNC" add --data "$D" "$T/$p.pack"
    check_msg "examsync add $p.pack (below the floor): exit 1, one line 'FILE: pack ID unlocks with Argon2id …: below the floor …'" "$ERR" \
        bash -c "[ $RC -eq 1 ] && [ \$(wc -l <'$T/err') -eq 1 ] && grep -q '^$T/$p.pack: pack [0-9a-f]\{32\} unlocks with Argon2id 1 passes, [0-9]* KiB: below the floor of 2 passes, 64 MiB that kiosks accept (rebuild it with the default cost)$' '$T/err'"
done
run "$SYNC" status --data "$D"
check "nothing was stored" grep -q 'none: examsync add' "$T/out"
run "$SYNC" add --data "$D" "$T/practical.pack"
check "a pack at the floor (2 passes, 64 MiB) is added" bash -c "[ $RC -eq 0 ] && grep -q 'added' '$T/out'"

# ---- 10.14: --release-code - reads the code from standard input -------------------------------
rm -f "$T/stdin.pack"
echo "$THEORY_CODE" | "$EP" build --bank "$SAMPLES/theory-4.csv" --blueprint "$SAMPLES/theory-4.ini" --key "$KEY" \
    --out "$T/stdin.pack" "${FAST[@]}" --release-code - >"$T/out" 2>"$T/err"
RC=$?
check_msg "build --release-code - with the code piped in: exit 0, that code printed" "$(cat "$T/err")" \
    bash -c "[ $RC -eq 0 ] && [ \"\$(tail -1 '$T/out')\" = '$THEORY_CODE' ] && [ ! -s '$T/err' ]"
D="$T/stdin"; new_kiosk "$D" "$AUTH" "$T/stdin.pack" "$T/room.roster"
script_unlock "$THEORY_CODE" >"$T/s.txt"
run_kiosk "$D" "$T/s.txt"
check_msg "the pack built from the piped code unlocks on a kiosk with that code" "$(cat "$T/kerr")" expect_rc 0
run bash -c "echo '$THEORY_CODE' | '$EP' inspect --pub '$PUB' '$T/stdin.pack' --release-code -"
check "inspect --release-code - shows the paper" bash -c "[ $RC -eq 0 ] && grep -q 'total: 90 questions, 100 points' '$T/out'"
run bash -c "echo '$THEORY_CODE' | '$EP' paper --pub '$PUB' '$T/stdin.pack' --release-code - --seed $SEED0"
check "paper --release-code - reconstructs the paper" bash -c "[ $RC -eq 0 ] && [ \$(grep -vc '^#' '$T/out') -eq 90 ]"
run bash -c "printf '' | '$EP' inspect --pub '$PUB' '$T/stdin.pack' --release-code -"
check "--release-code - with nothing on stdin: exit 1, says so" \
    bash -c "[ $RC -eq 1 ] && grep -q '^exampack: --release-code: nothing on standard input' '$T/err'"
run bash -c "echo '$PRACTICAL_CODE' | '$EP' inspect --pub '$PUB' '$T/stdin.pack' --release-code -"
check "--release-code - with another pack's code: wrong code" bash -c "[ $RC -eq 1 ] && grep -q 'wrong release code' '$T/err'"
# a code on the command line is wiped from argv once read: exampack is held
# where it opens --key (a FIFO) and its /proc/PID/cmdline is read meanwhile
mkfifo "$T/key.fifo"
"$EP" build --bank "$SAMPLES/practical-4.csv" --blueprint "$SAMPLES/practical-4.ini" --key "$T/key.fifo" \
    --out "$T/argv.pack" "${FAST[@]}" --release-code "$PRACTICAL_CODE" >"$T/out" 2>"$T/err" &
pid=$!
cmdline=""
for _ in $(seq 100); do # until the code is gone (or 5 s: then it was not wiped)
    cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)
    case "$cmdline" in *"$PRACTICAL_CODE"*) sleep 0.05 ;; *) break ;; esac
done
: >"$T/key.fifo" # let it go on: a FIFO is not a key file
wait "$pid"
check_msg "a code given on the command line is gone from /proc/PID/cmdline once read (--release-code still there)" \
    "cmdline: $cmdline" bash -c "case '$cmdline' in *'$PRACTICAL_CODE'*) false ;; *--release-code*) true ;; *) false ;; esac"
# at a terminal (script(1) gives exampack a pty): a prompt on stderr, the code typed without echo
if need script; then
    (sleep 1; printf '%s\n' "$THEORY_CODE") |
        script -qec "'$EP' inspect --pub '$PUB' '$T/stdin.pack' --release-code -" /dev/null >"$T/tty.out" 2>&1
    RC=$?
    check_msg "--release-code - at a terminal: 'release code: ' prompt, no echo of the code, the paper shown" "$(cat -v "$T/tty.out" | head -5)" \
        bash -c "[ $RC -eq 0 ] && grep -q '^release code: ' '$T/tty.out' && ! grep -q '$THEORY_CODE' '$T/tty.out' && grep -q 'total: 90 questions, 100 points' '$T/tty.out'"
fi
# examhub marking takes the code from standard input too: the right code gets past the pack (to the missing
# hub database), another pack's code does not
HUBBIN="$BIN/examhub"
run bash -c "echo '$THEORY_CODE' | '$HUBBIN' marking --db '$T/none.db' --pack '$T/stdin.pack' --pub '$PUB' --release-code - --out '$T/e.csv'"
right_err=$ERR
run bash -c "echo '$PRACTICAL_CODE' | '$HUBBIN' marking --db '$T/none.db' --pack '$T/stdin.pack' --pub '$PUB' --release-code - --out '$T/e.csv'"
check_msg "examhub marking --release-code -: the piped code opens the pack (then: no hub database); another code is wrong" \
    "right code: $right_err; other code: $ERR" \
    bash -c "echo '$right_err' | grep -q 'none.db does not exist' && echo '$ERR' | grep -q 'wrong release code' && [ $RC -eq 1 ]"
