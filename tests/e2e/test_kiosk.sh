# End-to-end: the real kiosk binary in scripted mode, through its real screens.
T=$(new_tmp)
. "$(dirname "${BASH_SOURCE[0]}")/kiosk_lib.sh"
need sqlite3
kiosk_setup "$T"
AUTH="$T/auth"
SHOTS="${KIOSK_SHOTS:-$T/shots}"

# ---- a full theory sitting: every answer right → 100 ----------------------
D="$T/k1"; new_kiosk "$D" "$AUTH" "$T/theory.pack" "$T/room.roster"
"$EP" paper --pub "$AUTH/authority.pub" "$T/theory.pack" --release-code "$THEORY_CODE" --seed "$SEED0" >"$T/paper.tsv"
{
    echo "expect 本机试卷（未解锁）"; echo "shot kiosk-01-start"
    script_login "$THEORY_CODE" 1
    echo "expect 剩余时间 01:30:00"; echo "shot kiosk-02-question"
    script_answers "$T/paper.tsv" right
    echo "wait 1800000"
    echo "key F10"; echo "expect 确认交卷？"; echo "shot kiosk-03-confirm"; echo "key Return"
    echo "expect 您已成功交卷"; echo "expect 本次考试得分：100 分"; echo "shot kiosk-04-done"
} >"$T/s.txt"
KIOSK_SEED=$SEED0 run_kiosk "$D" "$T/s.txt"
check "theory sitting, all answers right: score 100 on screen" bash -c "[ $RC -eq 0 ] || { cat '$T/kerr'; false; }"
run "$SYNC" status --data "$D"
check "the result waits in the outbox; journal verifies" bash -c "grep -q '1 pending upload' '$T/out' && grep -q 'hash chain verified' '$T/out' && grep -q 'submitted' '$T/out'"

# ---- partial: first 30 right, the rest wrong → exactly their points -----------------
D="$T/k2"; new_kiosk "$D" "$AUTH" "$T/theory.pack" "$T/room.roster"
want=$(paper_points "$T/paper.tsv" 30)
wantpts=$((want / 10))
{
    script_login "$THEORY_CODE" 2
    script_answers "$T/paper.tsv" right 30 | head -n 1000 >"$T/right.txt"; cat "$T/right.txt"
} >"$T/s.txt"
# answer the rest wrongly: regenerate for items after 30
grep -v '^#' "$T/paper.tsv" | tail -n +31 >"$T/rest.tsv"
{ echo "# rest"; cat "$T/rest.tsv"; } >"$T/rest2.tsv"
script_answers "$T/rest2.tsv" wrong >>"$T/s.txt"
{ echo "wait 1800000"; echo "key F10"; echo "key Return"; echo "expect 本次考试得分：${wantpts} 分"; } >>"$T/s.txt"
KIOSK_SEED=$SEED0 run_kiosk "$D" "$T/s.txt"
check "theory sitting, first 30 right: score is exactly their ${wantpts} points" bash -c "[ $RC -eq 0 ] || { cat '$T/kerr'; false; }"

# ---- practical: objective items right, essays pending ------------------------------
D="$T/k3"; new_kiosk "$D" "$AUTH" "$T/practical.pack" "$T/room.roster"
"$EP" paper --pub "$AUTH/authority.pub" "$T/practical.pack" --release-code "$PRACTICAL_CODE" --seed "$SEED0" >"$T/ppaper.tsv"
pwant=$(( $(paper_points "$T/ppaper.tsv") / 10 ))
{
    script_login "$PRACTICAL_CODE" 3
    echo "shot kiosk-05-practical-first"
    script_answers "$T/ppaper.tsv" right
    echo "wait 1800000"; echo "key F10"; echo "key Return"
    echo "expect 客观题得分：${pwant} 分（另有2道题待人工评阅）"; echo "shot kiosk-06-practical-done"
} >"$T/s.txt"
KIOSK_SEED=$SEED0 run_kiosk "$D" "$T/s.txt"
check "practical sitting: fill/numeric/order/match right = ${pwant}, essays pending" bash -c "[ $RC -eq 0 ] || { cat '$T/kerr'; false; }"

# ---- early hand-in refused, then allowed ------------------------------------------------
D="$T/k4"; new_kiosk "$D" "$AUTH" "$T/theory.pack" "$T/room.roster"
{
    script_login "$THEORY_CODE" 4
    echo "key a"; echo "wait 60000"; echo "key F10"; echo "expect 开考未满规定时间，暂不能交卷"; echo "shot kiosk-07-early"
    echo "wait 1740000"; echo "key F10"; echo "expect 确认交卷？"; echo "key Escape"; echo "expect 剩余时间 01:00:00"
} >"$T/s.txt"
run_kiosk "$D" "$T/s.txt"
check "hand-in refused before min_submit, offered after it" bash -c "[ $RC -eq 0 ] || { cat '$T/kerr'; false; }"

# ---- timeout: automatic hand-in ----------------------------------------------------------
D="$T/k5"; new_kiosk "$D" "$AUTH" "$T/theory.pack" "$T/room.roster"
{
    script_login "$THEORY_CODE" 5
    echo "key a"; echo "wait 4500000"; echo "expect 距离考试结束还有15分钟"; echo "shot kiosk-08-warning15"
    echo "wait 600000"; echo "expect 距离考试结束还有5分钟"
    echo "wait 300000"; echo "expect 考试时间到，系统已自动交卷"; echo "shot kiosk-09-timeout"
} >"$T/s.txt"
run_kiosk "$D" "$T/s.txt"
run "$SYNC" status --data "$D"
check "time up: warnings at 15 and 5 minutes, automatic hand-in with status timeout" bash -c "[ $RC -eq 0 ] && grep -q timeout '$T/out' && grep -q '1 pending upload' '$T/out'"

# ---- release codes ---------------------------------------------------------------------------
D="$T/k6"; new_kiosk "$D" "$AUTH" "$T/theory.pack" "$T/room.roster"
typo=$(echo "$THEORY_CODE" | awk '{c=substr($0,1,1); r=(c=="Z")?"Y":"Z"; print r substr($0,2)}')
{
    echo "text $typo"; echo "key Return"; echo "expect 开考码输入有误"; echo "shot kiosk-10-typo"
    for i in $(seq 1 30); do echo "key Backspace"; done
    echo "text $PRACTICAL_CODE"; echo "key Return"; echo "expect 开考码不正确"
    echo "expect 本机试卷（未解锁）"
} >"$T/s.txt"
run_kiosk "$D" "$T/s.txt"
check "mistyped code refused at once; another pack's code refused" bash -c "[ $RC -eq 0 ] || { cat '$T/kerr'; false; }"

# ---- level mismatch and unknown candidate ---------------------------------------------------------------
{ echo "ticket,name,id_number,level,room,seat"; echo "2026114401099,王五,11010519491231002X,3,01,9"; } >"$T/l3.csv"
"$EP" roster --csv "$T/l3.csv" --key "$AUTH/authority.key" --out "$T/l3.roster" $ROSTER_OPTS >/dev/null
D="$T/k7"; new_kiosk "$D" "$AUTH" "$T/theory.pack" "$T/room.roster" "$T/l3.roster"
{
    echo "text $THEORY_CODE"; echo "key Return"; echo "text $PIN"; echo "key Return"; echo "text $PIN"; echo "key Return"
    echo "text 2026114401099"; echo "key Tab"; echo "text 11010519491231002X"; echo "key Return"
    echo "expect 报考级别与本场考试不符"; echo "shot kiosk-11-level"
    echo "key Backspace"; echo "text 110105194912310021"; echo "key Return"; echo "expect 身份证号码有误"
    echo "text 441900199304211169"; echo "key Return"
    echo "expect 准考证号与身份证号不匹配"
} >"$T/s.txt"
run_kiosk "$D" "$T/s.txt"
check "level mismatch, bad ID checksum and wrong ID refused at login" bash -c "[ $RC -eq 0 ] || { cat '$T/kerr'; false; }"

# ---- late login --------------------------------------------------------------------------------------
D="$T/k8"; new_kiosk "$D" "$AUTH" "$T/theory.pack" "$T/room.roster"
row=$(sed -n 2p "$SAMPLES/roster-4.csv")
{
    echo "text $THEORY_CODE"; echo "key Return"; echo "text $PIN"; echo "key Return"; echo "text $PIN"; echo "key Return"
    echo "wait 1860000"
    echo "text $(echo "$row" | cut -d, -f1)"; echo "key Tab"; echo "text $(echo "$row" | cut -d, -f3)"; echo "key Return"
    echo "expect 已超过开考后允许入场的时间"; echo "shot kiosk-12-late"
} >"$T/s.txt"
run_kiosk "$D" "$T/s.txt"
check "login refused after late_entry minutes" bash -c "[ $RC -eq 0 ] || { cat '$T/kerr'; false; }"

# ---- crash and resume: answers kept, downtime not charged -------------------------------------------------
D="$T/k9"; new_kiosk "$D" "$AUTH" "$T/theory.pack" "$T/room.roster"
{
    script_login "$THEORY_CODE" 6
    script_answers "$T/paper.tsv" right 10
    echo "wait 600000"; echo "crash"
} >"$T/s.txt"
KIOSK_SEED=$SEED0 run_kiosk_test "$D" "$T/s.txt"
crash_rc=$RC
{
    echo "expect 恢复考试"; echo "shot kiosk-13-resume"
    echo "text $THEORY_CODE"; echo "key Return"; echo "text 000000"; echo "key Return"; echo "expect 密码错误"
    echo "text $PIN"; echo "key Return"
    echo "expect 剩余时间 01:20:00"; echo "expect 第 90 题"; echo "expect 已答 10/90"; echo "shot kiosk-13b-resumed"
} >"$T/s.txt"
run_kiosk "$D" "$T/s.txt"
check "after a crash: resume with code + PIN, same question (90), 10 answers kept, time not charged" bash -c "[ $crash_rc -eq 137 ] && { [ $RC -eq 0 ] || { cat '$T/kerr'; false; }; }"

# ---- the shipped kiosk has no test hooks: crash and fail_writes are script errors ---------------------------
D="$T/k9h"; new_kiosk "$D" "$AUTH" "$T/theory.pack" "$T/room.roster"
for hook in "crash" "fail_writes 1"; do
    echo "$hook" >"$T/s.txt"
    run_kiosk "$D" "$T/s.txt"
    check "production kiosk refuses the test hook '$hook'" bash -c "[ $RC -ne 0 ] && [ $RC -ne 137 ] && grep -q 'test hook not in this build' '$T/kerr' || { cat '$T/kerr'; false; }"
done

# ---- invigilator panel: pause, extend, irregularity, force hand-in ------------------------------------------
D="$T/k10"; new_kiosk "$D" "$AUTH" "$T/theory.pack" "$T/room.roster"
{
    script_login "$THEORY_CODE" 7
    echo "key a"; echo "wait 10000"
    echo "key ctrl+alt+i"; echo "expect 请输入监考密码"; echo "text 111111"; echo "key Return"; echo "expect 密码错误"
    echo "text $PIN"; echo "key Return"; echo "expect 暂停考试"; echo "shot kiosk-14-panel"
    echo "key 1"; echo "expect 考试已暂停"; echo "wait 120000"; echo "expect 剩余时间 01:29:50"; echo "shot kiosk-15-paused"
    script_panel; echo "key 1"; echo "expect 剩余时间 01:29:50"
    script_panel; echo "key 2"; echo "expect 最多还可延长 30 分钟"; echo "text 5"; echo "key Return"; echo "key 1"
    echo "expect 已延长5分钟"
    echo "key 5"; echo "key 2"; echo "text 鼠标失灵，已更换"; echo "key Return"; echo "expect 异常情况已记录"
    echo "key Escape"; echo "expect 剩余时间 01:34:50"
    script_panel; echo "key 3"; echo "expect 确认强制收卷"; echo "key Return"; echo "expect 监考员已为您收卷"
    script_panel; echo "key 6"; echo "expect 考生登录"
} >"$T/s.txt"
run_kiosk "$D" "$T/s.txt"
run "$SYNC" status --data "$D"
check "panel: wrong PIN refused, pause stops the clock, extend, irregularity, force hand-in, reset" bash -c "[ $RC -eq 0 ] && grep -q forced '$T/out' || { cat '$T/kerr'; false; }"

# ---- absent -------------------------------------------------------------------------------------------------------
D="$T/k11"; new_kiosk "$D" "$AUTH" "$T/theory.pack" "$T/room.roster"
{
    echo "text $THEORY_CODE"; echo "key Return"; echo "text $PIN"; echo "key Return"; echo "text $PIN"; echo "key Return"
    script_panel; echo "key 4"; echo "text 2026114401030"; echo "key Return"
    echo "expect 已登记 2026114401030 缺考"
} >"$T/s.txt"
run_kiosk "$D" "$T/s.txt"
run "$SYNC" status --data "$D"
check "absent candidate recorded with a result" bash -c "[ $RC -eq 0 ] && grep -q 'absent' '$T/out' && grep -q '1 pending upload' '$T/out' || { cat '$T/kerr'; false; }"

# ---- disk trouble: alert, nothing lost, saved when writing works again ----------------------------------------------
D="$T/k12"; new_kiosk "$D" "$AUTH" "$T/theory.pack" "$T/room.roster"
{
    script_login "$THEORY_CODE" 8
    echo "fail_writes 1000000"
    script_answers "$T/paper.tsv" right 3 | head -n 6
    echo "key PageUp"; echo "expect 写入失败"; echo "expect 未保存"; echo "shot kiosk-16-disk-alert"
    echo "fail_writes 0"
    echo "wait 3000"
    echo "key PageUp"; echo "expect 已保存"; echo "expect 已答 3/90"
    echo "crash"
} >"$T/s.txt"
KIOSK_SEED=$SEED0 run_kiosk_test "$D" "$T/s.txt"
saved=$(sqlite3 "$D/kiosk.db" "SELECT count(*) FROM answer")
check "write failures: alert shown, answers kept and saved once writing works ($saved saved)" bash -c "[ $RC -eq 137 ] && [ '$saved' -eq 3 ]"

# ---- nothing secret in the data directories ---------------------------------------------------------------------------
leak=""
for d in "$T"/k*; do
    for needle in "$THEORY_CODE" "$(echo "$THEORY_CODE" | tr -d -)" "$PRACTICAL_CODE" "$PIN" \
        "SEO是指通过优化网站结构和内容" "B2C即Business" "某网店2024年3月第一周"; do
        if cat "$d"/* 2>/dev/null | grep -qaF "$needle"; then leak="$leak $d:$needle"; fi
    done
done
check "no release code, PIN, question text or explanation in any kiosk data directory" test -z "$leak"

# ---- the screens at 1920x1080 -------------------------------------------------------------------------------------------
D="$T/k13"; new_kiosk "$D" "$AUTH" "$T/practical.pack" "$T/room.roster"
{
    script_login "$PRACTICAL_CODE" 9
    echo "shot kiosk-hd-01-numeric"; echo "text 3.25"
    for i in 1 2 3 4 5; do echo "key PageDown"; done
    echo "text SEO"; echo "key Tab"; echo "compose sou'suo"; echo "expect sou'suo"; echo "shot kiosk-hd-02-fill"
    echo "text 搜索"; echo "expect 搜索"
    for i in 1 2 3 4 5; do echo "key PageDown"; done
    echo "key b"; echo "key a"; echo "shot kiosk-hd-03-order"
    for i in 1 2 3; do echo "key PageDown"; done
    echo "key 2"; echo "shot kiosk-hd-04-match"
    for i in 1 2 3; do echo "key PageDown"; done
    echo "text 标题应包含核心关键词"; echo "shot kiosk-hd-05-essay"
} >"$T/s.txt"
KIOSK_SEED=$SEED0 run_kiosk "$D" "$T/s.txt" 1920x1080
check "practical paper at 1920x1080: every item type drawn" bash -c "[ $RC -eq 0 ] || { cat '$T/kerr'; false; }"

# ---- one kiosk, two papers: theory, then lock and unlock the practical ------------------------
D="$T/k15"; new_kiosk "$D" "$AUTH" "$T/theory.pack" "$T/practical.pack" "$T/room.roster"
{
    script_login "$THEORY_CODE" 11
    script_panel; echo "key 8"; echo "expect 当前不能进行此操作"
    echo "key 3"; echo "expect 确认强制收卷"; echo "key Return"; echo "expect 监考员已为您收卷"
    script_panel; echo "key 6"; echo "expect 考生登录"
    script_panel; echo "key 8"; echo "expect 本机试卷（未解锁）"
    echo "text $PRACTICAL_CODE"; echo "key Return"; echo "expect 设置监考密码"; echo "expect 操作技能考核"
} >"$T/s.txt"
run_kiosk "$D" "$T/s.txt"
check "panel 8 locks the kiosk after a session; the other paper is then unlocked" bash -c "[ $RC -eq 0 ] || { cat '$T/kerr'; false; }"

# ---- the mouse: options, answer card, buttons ---------------------------------------------------
D="$T/k14"; new_kiosk "$D" "$AUTH" "$T/theory.pack" "$T/room.roster"
{
    script_login "$THEORY_CODE" 10
    echo "click 450 322"; echo "expect 已保存"; echo "expect 已答 1/90"
    echo "click 1109 150"; echo "expect 第 5 题"
    echo "click 1230 635"; echo "expect 第 6 题"
    echo "click 1035 690"; echo "expect ★已标记"; echo "shot kiosk-17-mouse"
    echo "wait 1800000"; echo "click 1230 690"; echo "expect 确认交卷？"; echo "click 812 470"; echo "expect 剩余时间 01:00:00"
} >"$T/s.txt"
run_kiosk "$D" "$T/s.txt"
check "the mouse: click an option, a card cell, next, flag, hand in and cancel" bash -c "[ $RC -eq 0 ] || { cat '$T/kerr'; false; }"

# ---- every screen at 1920x1080, larger text and high contrast -------------------------------------
D="$T/k16"; new_kiosk "$D" "$AUTH" "$T/theory.pack" "$T/room.roster"
row=$(sed -n 13p "$SAMPLES/roster-4.csv")
{
    echo "expect 本机试卷（未解锁）"; echo "shot kiosk-hd-10-start"
    echo "text $THEORY_CODE"; echo "key Return"; echo "shot kiosk-hd-11-pin"
    echo "text $PIN"; echo "key Return"; echo "text $PIN"; echo "key Return"
    echo "text $(echo "$row" | cut -d, -f1)"; echo "key Tab"; echo "text $(echo "$row" | cut -d, -f3)"; echo "shot kiosk-hd-12-login"
    echo "key Return"; echo "shot kiosk-hd-13-confirm"; echo "key Return"; echo "shot kiosk-hd-14-instructions"; echo "key Return"
    echo "key b"; echo "key ctrl+="; echo "key ctrl+="; echo "expect 已保存"; echo "shot kiosk-hd-15-larger-text"
    echo "key F11"; echo "expect 剩余时间 01:30:00"; echo "shot kiosk-hd-16-high-contrast"
    echo "key F11"; echo "key ctrl+-"; echo "key ctrl+-"
    script_panel; echo "shot kiosk-hd-17-panel"; echo "key 1"
    echo "expect 考试已暂停"; echo "shot kiosk-hd-18-paused"
    script_panel; echo "key 1"
    echo "wait 1800000"; echo "key F10"; echo "shot kiosk-hd-19-confirm-handin"; echo "key Return"
    echo "expect 您已成功交卷"; echo "shot kiosk-hd-20-done"
} >"$T/s.txt"
run_kiosk "$D" "$T/s.txt" 1920x1080
check "every screen at 1920x1080, with larger text and the high-contrast theme" bash -c "[ $RC -eq 0 ] || { cat '$T/kerr'; false; }"

# ---- script errors name the line --------------------------------------------------------------------------------------
printf 'wait 1\nfrobnicate 1\n' >"$T/bad.txt"
run_kiosk "$T/k1" "$T/bad.txt"
check "a bad script line fails with FILE:LINE" bash -c "[ $RC -ne 0 ] && grep -q 'bad.txt:2:' '$T/kerr'"
printf 'expect 这句话不在屏幕上\n' >"$T/bad.txt"
run_kiosk "$T/k1" "$T/bad.txt"
check "a failed expect names its line" bash -c "[ $RC -ne 0 ] && grep -q 'bad.txt:1: expected text not on screen' '$T/kerr'"
