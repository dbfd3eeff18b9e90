# End-to-end: the lab PC's disk as an attacker's (issue 10, items 1-3). A
# sitting is interrupted (the test kiosk's crash hook), kiosk.db is edited the
# way someone holding the disk would, and the real kiosk resumes: the journal
# disproves the edits, the invigilator sees an integrity alert, the sitting
# goes on from what the journal proves, and the result carries the finding.
T=$(new_tmp)
. "$(dirname "${BASH_SOURCE[0]}")/kiosk_lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/hub_lib.sh"
need sqlite3
need python3
kiosk_setup "$T"
AUTH="$T/auth"
SHOTS="${KIOSK_SHOTS:-$T/shots}"
"$EP" paper --pub "$AUTH/authority.pub" "$T/theory.pack" --release-code "$THEORY_CODE" --seed "$SEED0" >"$T/paper.tsv"
sq() { sqlite3 -cmd ".timeout 5000" "$1" "$2"; }
ok_or_log() { [ "$RC" -eq 0 ] || { cat "$T/kerr"; false; }; }
# push_to_new_hub DATA DB: a fresh hub on DB (left running), the kiosk enrolled and its results pushed
push_to_new_hub() {
    "$HUBBIN" init --db "$2" --pub "$AUTH/authority.pub" --results-key "$AUTH/results.key" >/dev/null &&
        hub_start "$2" || return 1
    "$SYNC" enroll --data "$1" --hub "$HUB_URL" --token "$("$HUBBIN" token --db "$2" | tail -1)" >"$T/eout" 2>&1
    timeout 60 "$SYNC" push --data "$1" --hub "$HUB_URL" >"$T/pout" 2>&1
}

# ---- 1. answer rows rewritten and the clock set back after a crash -------------------------------------
D="$T/k1"; new_kiosk "$D" "$AUTH" "$T/theory.pack" "$T/room.roster"
{
    script_login "$THEORY_CODE" 1
    script_answers "$T/paper.tsv" wrong 10
    echo "wait 600000"; echo "crash"
} >"$T/s.txt"
KIOSK_SEED=$SEED0 run_kiosk_test "$D" "$T/s.txt"
crash_rc=$RC
saved=$(sq "$D/kiosk.db" "SELECT count(*) FROM answer")
# the attacker: every judge/single item answered right (the key from seed + pack + code), 90 fresh minutes
grep -v '^#' "$T/paper.tsv" | awk -F'\t' '$3 == "judge" || $3 == "single" { printf "INSERT OR REPLACE INTO answer(session, item, response, flagged, mono_ms) SELECT id, %d, %c%s%c, 0, 1 FROM session;\n", $1 - 1, 39, $5, 39 }' >"$T/forge.sql"
echo "UPDATE session SET elapsed_ms=0;" >>"$T/forge.sql"
sq "$D/kiosk.db" ".read $T/forge.sql"
forged=$(sq "$D/kiosk.db" "SELECT count(*) FROM answer")
{
    script_resume "$THEORY_CODE"
    echo "expect 数据完整性警告"; echo "expect 已答 0/90"; echo "expect 剩余时间 01:20:0"; echo "shot disk-01-integrity-alert"
    echo "wait 1200000"; echo "key F10"; echo "expect 确认交卷？"; echo "key Return"; echo "expect 本次考试得分：0 分"
} >"$T/s.txt"
run_kiosk "$D" "$T/s.txt"
check_msg "edited answer rows and clock: integrity alert at resume, the forged answers dropped, the clock from the journal, score 0" \
    "crash=$crash_rc saved=$saved forged=$forged $(cat "$T/kerr")" \
    eval '[ $crash_rc -eq 137 ] && [ "$saved" -eq 10 ] && [ "$forged" -gt 40 ] && [ $RC -eq 0 ]'
check "the findings are sealed in the journal (answers not in the journal, clock rewound)" \
    eval '[ "$(sq "$D/kiosk.db" "SELECT count(*) FROM journal WHERE type='"'integrity'"' AND keyid <> '"''"' AND (data LIKE '"'answers not in the journal%'"' OR data LIKE '"'clock rewound%'"')")" -eq 2 ]'

# the result carries the findings to the hub as integrity irregularities
DB="$T/hub.db"
if push_to_new_hub "$D" "$DB"; then
    json=$(sq "$DB" "SELECT json FROM result")
    check_msg "the hub's copy of the result names both findings as irregularities of category integrity" \
        "$(cat "$T/eout" "$T/pout") ${json:0:300}" \
        eval 'echo "$json" | grep -q "\"category\":\"integrity\",\"note\":\"answers not in the journal" && echo "$json" | grep -q "\"category\":\"integrity\",\"note\":\"clock rewound"'
    hub_stop
else
    fail "a hub for the integrity result" "$(cat "$T/hub.log")"
fi

# ---- 1b. the sitting handed to another candidate: the session row's ticket rewritten ----------------------
D="$T/k1b"; new_kiosk "$D" "$AUTH" "$T/theory.pack" "$T/room.roster"
{
    script_login "$THEORY_CODE" 4
    script_answers "$T/paper.tsv" right 20
    echo "wait 600000"; echo "crash"
} >"$T/s.txt"
KIOSK_SEED=$SEED0 run_kiosk_test "$D" "$T/s.txt"
crash_rc=$RC
t_sat=$(sed -n 5p "$SAMPLES/roster-4.csv" | cut -d, -f1); t_other=$(sed -n 8p "$SAMPLES/roster-4.csv" | cut -d, -f1)
sq "$D/kiosk.db" "UPDATE session SET ticket='$t_other', ticket_tag=NULL"
{
    script_resume "$THEORY_CODE"
    echo "expect 数据完整性警告"; echo "expect 已答 20/90"
    echo "wait 1200000"; echo "key F10"; echo "expect 确认交卷？"; echo "key Return"; echo "expect 您已成功交卷"
} >"$T/s.txt"
run_kiosk "$D" "$T/s.txt"
check_msg "the session row's ticket rewritten to another candidate: found at resume, the candidate who started restored" \
    "crash=$crash_rc $(cat "$T/kerr")" eval '[ $crash_rc -eq 137 ] && [ $RC -eq 0 ]'
if push_to_new_hub "$D" "$T/hub1b.db"; then
    rticket=$(sq "$T/hub1b.db" "SELECT ticket FROM result")
    check_msg "the result names the candidate who sat ($t_sat), not the one written into the row ($t_other), with the finding" \
        "ticket $rticket; $(cat "$T/pout")" \
        eval '[ "$rticket" = "$t_sat" ] && sq "$T/hub1b.db" "SELECT json FROM result" | grep -q "candidate rewritten"'
    hub_stop
else
    fail "a hub for the rewritten-candidate result" "$(cat "$T/hub.log")"
fi

# ---- 2. journal entries deleted and the chain recomputed -------------------------------------------------
D="$T/k2"; new_kiosk "$D" "$AUTH" "$T/theory.pack" "$T/room.roster"
{
    script_login "$THEORY_CODE" 2
    echo "key a"
    for i in 1 2 3; do script_panel; echo "key 2"; echo "text 5"; echo "key Return"; echo "key 1"; echo "expect 已延长5分钟"; echo "key Escape"; done
    echo "expect 剩余时间 01:4"
    echo "wait 60000"; echo "crash"
} >"$T/s.txt"
run_kiosk_test "$D" "$T/s.txt"
crash_rc=$RC
ext=$(sq "$D/kiosk.db" "SELECT count(*) FROM journal WHERE type='extend'")
# the attacker drops the extensions from the journal and chains every entry again
python3 - "$D/kiosk.db" <<'PY'
import hashlib, sqlite3, struct, sys
db = sqlite3.connect(sys.argv[1])
db.execute("DELETE FROM journal WHERE type='extend'")
rows = db.execute("SELECT seq, mono_ms, wall, session, type, data FROM journal ORDER BY seq").fetchall()
db.execute("DELETE FROM journal")
prev = bytes(32)
for n, (seq, mono, wall, session, typ, data) in enumerate(rows, 1):
    h = hashlib.blake2b(digest_size=32)
    h.update(prev + struct.pack("<qqq", n, mono, wall))
    for s in (session, typ, data):
        h.update(s.encode() + b"\0")
    prev = h.digest()
    db.execute("INSERT INTO journal(seq, mono_ms, wall, session, type, data, hash, keyid) VALUES(?,?,?,?,?,?,?,'')",
               (n, mono, wall, session, typ, data, prev))
db.commit()
PY
run "$SYNC" status --data "$D"
{
    script_resume "$THEORY_CODE"
    echo "expect 数据完整性警告"; echo "shot disk-02-rechained"
} >"$T/s.txt"
run_kiosk "$D" "$T/s.txt"
check_msg "3 extensions deleted from the journal and the plain chain recomputed: the kiosk's sealed check finds it at resume" \
    "crash=$crash_rc ext=$ext $(cat "$T/kerr")" eval '[ $crash_rc -eq 137 ] && [ "$ext" -eq 3 ] && [ $RC -eq 0 ]'
check "the finding names the journal" \
    eval '[ "$(sq "$D/kiosk.db" "SELECT count(*) FROM journal WHERE type='"'integrity'"' AND data LIKE '"'journal:%'"'")" -ge 1 ]'

# an honest crash leaves no finding
D="$T/k2b"; new_kiosk "$D" "$AUTH" "$T/theory.pack" "$T/room.roster"
{
    script_login "$THEORY_CODE" 2
    script_answers "$T/paper.tsv" right 5
    script_panel; echo "key 2"; echo "text 5"; echo "key Return"; echo "key 1"; echo "expect 已延长5分钟"; echo "key Escape"
    echo "wait 95000"; echo "crash"
} >"$T/s.txt"
KIOSK_SEED=$SEED0 run_kiosk_test "$D" "$T/s.txt"
{
    script_resume "$THEORY_CODE"
    echo "expect 已答 5/90"; echo "expect 剩余时间 01:33:2"
} >"$T/s.txt"
run_kiosk "$D" "$T/s.txt"
check "an honest crash: no integrity finding, answers and clock as saved" \
    eval 'ok_or_log && [ "$(sq "$D/kiosk.db" "SELECT count(*) FROM journal WHERE type='"'integrity'"'")" -eq 0 ]'

# ---- 3. the late-entry window survives a crash during a sitting ------------------------------------------
D="$T/k3"; new_kiosk "$D" "$AUTH" "$T/theory.pack" "$T/room.roster"
{
    script_login "$THEORY_CODE" 3
    echo "key a"; echo "wait 1860000"; echo "crash"
} >"$T/s.txt"
run_kiosk_test "$D" "$T/s.txt"
crash_rc=$RC
row=$(sed -n 5p "$SAMPLES/roster-4.csv")
late_login() {
    echo "text $(echo "$row" | cut -d, -f1)"; echo "key Tab"; echo "text $(echo "$row" | cut -d, -f3)"; echo "key Return"
    echo "expect 已超过开考后允许入场的时间"
}
cp -a "$D" "$T/k3-copy"
{
    script_resume "$THEORY_CODE"
    echo "key F10"; echo "expect 确认交卷？"; echo "key Return"; echo "expect 您已成功交卷"
    script_panel; echo "key 6"; echo "expect 考生登录"
    late_login
} >"$T/s.txt"
run_kiosk "$D" "$T/s.txt"
check_msg "a crash 31 minutes into a sitting: after resume and hand-in, a late candidate is still refused" \
    "crash=$crash_rc $(cat "$T/kerr")" eval '[ $crash_rc -eq 137 ] && [ $RC -eq 0 ]'

# ... and setting the saved unlock age back to 0 does not reopen it
D="$T/k3-copy"
sq "$D/kiosk.db" "UPDATE unlock SET age_ms=0"
run_kiosk "$D" "$T/s.txt"
check "the unlock age set back to 0 on disk: the journal's age counts, the late candidate is refused" ok_or_log
check "... and the rewound unlock time is an integrity finding" \
    eval '[ "$(sq "$D/kiosk.db" "SELECT count(*) FROM journal WHERE type='"'integrity'"' AND data LIKE '"'unlock time rewound%'"'")" -eq 1 ]'

# ---- 11-13. nothing readable at rest: held sittings leave no name, ID number, typed answer or question ----
D="$T/k11"; new_kiosk "$D" "$AUTH" "$T/practical.pack" "$T/room.roster"
"$EP" paper --pub "$AUTH/authority.pub" "$T/practical.pack" --release-code "$PRACTICAL_CODE" --seed "$SEED0" >"$T/ppaper.tsv"
{
    script_login "$PRACTICAL_CODE" 1
    script_answers "$T/ppaper.tsv" right
    echo "wait 1800000"; echo "key F10"; echo "expect 确认交卷？"; echo "key Return"; echo "expect 您已成功交卷"
    script_panel; echo "key 6"; echo "expect 考生登录"
} >"$T/s.txt"
KIOSK_SEED=$SEED0 run_kiosk "$D" "$T/s.txt"
check "a practical sitting with typed answers (fill, numeric, essay) handed in" ok_or_log
# what must not be anywhere in the data directory's bytes (kiosk.db, -wal, -shm, the rest) or the roster file
row=$(sed -n 2p "$SAMPLES/roster-4.csv")
cand_name=$(echo "$row" | cut -d, -f2); idn=$(echo "$row" | cut -d, -f3)
essay_text="参考作答：提高商品标题与卖点的相关性"
fill_text=$(grep -v '^#' "$T/ppaper.tsv" | awk -F'\t' '$3 == "fill" { print $5; exit }' | cut -f1)
stem="请计算本周的整体转化率" # the stem of P-N01, the paper's first question (exam-packs/samples/practical-4.csv)
grep -qF "$stem" "$SAMPLES/practical-4.csv" || stem="" # (the sample bank changed: the check says so)
leaks=""
for needle in "$cand_name" "$idn" "${idn:0:14}" "$essay_text" "$fill_text" "$stem"; do
    [ -n "$needle" ] || { leaks="$leaks (empty needle)"; continue; }
    for f in "$D"/* "$T/room.roster"; do
        LC_ALL=C grep -qaF -- "$needle" "$f" && leaks="$leaks $needle@$(basename "$f")"
    done
done
check_msg "after the sitting: no name, ID number, typed answer or question text in any file of the data directory or the roster" \
    "found:$leaks" test -z "$leaks"
# the control: the same search finds what is there in clear
check "(the byte search finds plain text: the kiosk's site name is in kiosk.db)" env LC_ALL=C grep -qaF 广州天河考点 "$D/kiosk.db"
run "$SYNC" show --data "$D" --release-code "$PRACTICAL_CODE" --answers
check_msg "with the release code the sitting opens: the name and the essay are there" "$(grep -E 'item 1[78]' "$T/out") $ERR" \
    eval 'grep -qF "$cand_name" "$T/out" && grep -qF "$essay_text" "$T/out"'
modes=$(stat -c '%a %n' "$D" "$D"/* | grep -v '^600 \|^700 ' || true)
check_msg "data directory 0700, every file in it 0600" "$modes" test -z "$modes"

# delivered (the hub's receipt verified) and locked: the answers are purged, the sealed result and receipt stay
push_to_new_hub "$D" "$T/hub11.db"
hub_stop
before=$(sq "$D/kiosk.db" "SELECT count(*) FROM answer")
{
    script_resume "$PRACTICAL_CODE"
    echo "expect 考生登录"; script_panel; echo "key 8"; echo "expect 本机试卷（未解锁）"
} >"$T/s.txt"
run_kiosk "$D" "$T/s.txt"
after=$(sq "$D/kiosk.db" "SELECT count(*) FROM answer")
kept=$(sq "$D/kiosk.db" "SELECT count(*) FROM outbox WHERE delivered IS NOT NULL AND receipt IS NOT NULL AND length(sealed) > 0")
check_msg "delivered, then the paper locked: its answers purged (the sealed result and the receipt kept)" \
    "before=$before after=$after kept=$kept $(cat "$T/pout" "$T/kerr" | tail -3)" \
    eval '[ "$before" -gt 0 ] && [ "$after" -eq 0 ] && [ "$kept" -eq 1 ]'
