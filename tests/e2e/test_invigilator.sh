# End-to-end (issue 10, items 8 and 9): the invigilator PIN against guessing
# and the capped time extensions, through the real kiosk in scripted mode
# (its virtual clock times the delays), examsync, exampack and examhub.
T=$(new_tmp)
. "$(dirname "${BASH_SOURCE[0]}")/kiosk_lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/hub_lib.sh"
need sqlite3 curl || return 0
kiosk_setup "$T"
AUTH="$T/auth"
SHOTS="${KIOSK_SHOTS:-$T/shots}"
jcount() { sqlite3 "$1/kiosk.db" "SELECT count(*) FROM journal WHERE type='$2'"; }

# ---- 8. wrong PINs: delays in virtual time, the lockout, the release code, a crash ----------
D="$T/k1"; new_kiosk "$D" "$AUTH" "$T/theory.pack" "$T/room.roster"
{
    script_login "$THEORY_CODE" 1
    echo "key a"; echo "wait 10000"
    # three wrong PINs cost nothing; the third makes the next try wait 1 s
    echo "key ctrl+alt+i"
    for i in 1 2 3; do echo "text 111111"; echo "key Return"; echo "expect 密码错误"; done
    echo "expect 监考密码已连续输错 3 次：请等待 1 秒后再输入"; echo "shot invig-01-pin-delay"
    # during the delay the field takes nothing: the right PIN typed now is lost
    echo "text $PIN"; echo "key Return"; echo "expect 密码错误次数过多，请稍候再输入"
    echo "wait 999"; echo "expect 请等待 1 秒"
    echo "wait 1"; echo "absent 请等待"
    echo "text $PIN"; echo "key Return"; echo "expect 暂停考试"; echo "expect 监考密码输错 3 次"; echo "shot invig-02-panel-count"
    echo "key Escape"
    # ten wrong PINs in a row: 1 s, 2 s, 4 s … 60 s between them, then the lockout
    echo "key ctrl+alt+i"
    d=0
    for n in 1 2 3 4 5 6 7 8 9; do
        echo "text 111111"; echo "key Return"
        if [ "$n" -ge 3 ]; then
            d=$((n == 3 ? 1 : d * 2)); [ "$d" -gt 60 ] && d=60
            echo "expect 监考密码已连续输错 $n 次：请等待 $d 秒后再输入"
            echo "wait $((d * 1000 - 1))"; echo "expect 请等待 1 秒"; echo "wait 1"
        fi
    done
    echo "text 111111"; echo "key Return"
    echo "expect 监考密码已锁定"; echo "expect 监考密码已连续输错 10 次（共输错 13 次）"; echo "shot invig-03-lockout"
    # the lockout screen stays: Esc does not close it, the PIN does not open it
    echo "key Escape"; echo "expect 监考密码已锁定"
    echo "text $PIN"; echo "key Return"; echo "expect 开考码输入有误"; echo "expect 监考密码已锁定"
    echo "wait 600000"; echo "expect 监考密码已锁定"
    echo "crash"
} >"$T/s.txt"
run_kiosk_test "$D" "$T/s.txt"
check_msg "wrong PINs: 3 free, then 1 s, 2 s … 60 s in virtual time (input refused meanwhile), lockout after 10 that neither Esc nor the PIN lifts" \
    "exit $RC: $(grep -v '^INFO' "$T/kerr" | tail -3 | tr '\n' ' ')" test "$RC" -eq 137
check_msg "the lockout is kept in kiosk.db across the crash (meta pin_guard)" \
    "pin_guard: $(sqlite3 "$D/kiosk.db" "SELECT value FROM meta WHERE key='pin_guard'")" \
    test "$(sqlite3 "$D/kiosk.db" "SELECT value FROM meta WHERE key='pin_guard'")" = "10 13 1"
# after the crash (the shipped kiosk, on the test kiosk's data): the lockout
# holds at the resume screen; the release code lifts it; the PIN resumes
{
    echo "expect 恢复考试"; echo "expect 监考密码已锁定"; echo "expect 已连续输错 10 次（共输错 13 次）"
    echo "shot invig-04-resume-locked"
    echo "text $PRACTICAL_CODE"; echo "key Return"; echo "expect 开考码不正确"; echo "expect 监考密码已锁定"
    for i in $(seq 1 30); do echo "key Backspace"; done
    echo "text $THEORY_CODE"; echo "key Return"; echo "expect 已解除锁定，请输入开考码和监考密码"
    echo "text $THEORY_CODE"; echo "key Return"; echo "text 222222"; echo "key Return"; echo "expect 密码错误"
    echo "text $PIN"; echo "key Return"; echo "expect 剩余时间"
    script_panel; echo "expect 监考密码输错 14 次"; echo "key Escape"
} >"$T/s.txt"
run_kiosk "$D" "$T/s.txt"
check_msg "after the crash: the resume screen is locked, a wrong code refused, the release code lifts it, the PIN resumes; the count goes on" \
    "exit $RC: $(grep -v '^INFO' "$T/kerr" | tail -3 | tr '\n' ' ')" test "$RC" -eq 0
got="wrong=$(jcount "$D" pin_wrong) delay=$(jcount "$D" pin_delay) lockout=$(jcount "$D" pin_lockout) release=$(jcount "$D" pin_release) refused=$(jcount "$D" pin_release_refused) guard=$(sqlite3 "$D/kiosk.db" "SELECT value FROM meta WHERE key='pin_guard'")"
check_msg "journal: 14 wrong PINs, 8 delays, 1 lockout, 1 release, 2 refused release codes; guard 0 14 0" "$got" \
    test "$got" = "wrong=14 delay=8 lockout=1 release=1 refused=2 guard=0 14 0"
delays=$(sqlite3 "$D/kiosk.db" "SELECT group_concat(data, ',') FROM (SELECT data FROM journal WHERE type='pin_delay' ORDER BY seq)")
check_msg "journal: the delays doubled from 1 s to the 60 s cap" "$delays" \
    test "$delays" = "ms=1000 fails=3,ms=1000 fails=3,ms=2000 fails=4,ms=4000 fails=5,ms=8000 fails=6,ms=16000 fails=7,ms=32000 fails=8,ms=60000 fails=9"
run "$SYNC" status --data "$D"
check "examsync status: the journal with the PIN entries verifies" grep -q 'hash chain verified' "$T/out"

# ---- 10. the PIN verifier: Argon2id, the real cost in the shipped kiosk ---------------------
row=$(sqlite3 "$D/kiosk.db" "SELECT pin_ops || ' ' || pin_mem || ' ' || length(pin_salt) || ' ' || length(pin_hash) FROM unlock")
check_msg "the test kiosk's verifier carries its own (low) cost, which the shipped kiosk checked" "$row" test "$row" = "1 65536 16 32"
D2="$T/k2"; new_kiosk "$D2" "$AUTH" "$T/theory.pack" "$T/room.roster"
script_unlock >"$T/s.txt"
run_kiosk "$D2" "$T/s.txt"
row=$(sqlite3 "$D2/kiosk.db" "SELECT pin_ops || ' ' || pin_mem FROM unlock")
ks=$(sqlite3 "$D2/kiosk.db" "SELECT length(value) FROM meta WHERE key='pin_salt'")
check_msg "the shipped kiosk makes the verifier with Argon2id 12 passes over 48 MiB, and a per-kiosk salt" "$row / salt $ks" \
    test "$RC:$row:$ks" = "0:12 50331648:32"
check_msg "two kiosks have different kiosk salts" "$(sqlite3 "$D/kiosk.db" "SELECT value FROM meta WHERE key='pin_salt'")" \
    test "$(sqlite3 "$D/kiosk.db" "SELECT value FROM meta WHERE key='pin_salt'")" != "$(sqlite3 "$D2/kiosk.db" "SELECT value FROM meta WHERE key='pin_salt'")"

# ---- 9. extensions: a cap from the blueprint, any minutes up to it, a reason required --------
sed 's/^late_entry = 30$/late_entry = 30\nmax_extra = 12/' "$SAMPLES/theory-4.ini" >"$T/capped.ini"
"$EP" build --bank "$SAMPLES/theory-4.csv" --blueprint "$T/capped.ini" --key "$AUTH/authority.key" \
    --out "$T/capped.pack" --kdf-ops 2 --kdf-mem 64 >"$T/capped.out"
CAPPED_CODE=$(tail -1 "$T/capped.out")
run "$EP" inspect --pub "$AUTH/authority.pub" "$T/capped.pack"
check "exampack inspect: the blueprint's max_extra is in the signed metadata (12 minutes)" \
    grep -q 'extensions: at most 12 minutes per sitting' "$T/out"
run "$EP" inspect --pub "$AUTH/authority.pub" "$T/theory.pack"
check "exampack inspect: without max_extra the cap is 30 minutes" grep -q 'extensions: at most 30 minutes per sitting' "$T/out"
D3="$T/k3"; new_kiosk "$D3" "$AUTH" "$T/capped.pack" "$T/room.roster"
{
    script_login "$CAPPED_CODE" 2
    echo "key a"; echo "wait 60000"
    script_panel; echo "expect 延长考试时间（已延长0分钟，上限12分钟）"
    echo "key 2"; echo "expect 本场考试延时上限 12 分钟，已延长 0 分钟，最多还可延长 12 分钟"
    echo "text 13"; echo "key Return"; echo "expect 超出延时上限：本场上限12分钟，已延长0分钟，最多还可延长12分钟"
    echo "shot invig-05-over-cap"
    echo "text 5"; echo "key Return"; echo "expect 延长 5 分钟。选择原因"; echo "shot invig-06-reason"
    echo "key 5"; echo "key Return"; echo "expect 请选择或填写延时原因"
    echo "text 考场外施工噪音"; echo "key Return"; echo "expect 已延长5分钟（本场已延长5分钟，上限12分钟）"
    echo "key 2"; echo "text 7"; echo "key Return"; echo "key 1"; echo "expect 已延长7分钟（本场已延长12分钟，上限12分钟）"
    echo "key 2"; echo "expect 本场考试已延长12分钟，达到上限12分钟，不能再延长"; echo "shot invig-07-cap-reached"
    echo "key Escape"; echo "expect 剩余时间 01:41:00"
    script_panel; echo "key 3"; echo "expect 确认强制收卷"; echo "key Return"; echo "expect 监考员已为您收卷"
} >"$T/s.txt"
KIOSK_SEED=$SEED0 run_kiosk "$D3" "$T/s.txt"
check_msg "extensions: over the cap refused with the cap on the panel, a reason required, 5 + 7 minutes granted up to the cap of 12" \
    "exit $RC: $(grep -v '^INFO' "$T/kerr" | tail -3 | tr '\n' ' ')" test "$RC" -eq 0
rows=$(sqlite3 "$D3/kiosk.db" "SELECT group_concat(minutes || '|' || typeof(reason) || '|' || exam_ms, ';') FROM (SELECT * FROM extension ORDER BY id)")
check_msg "kiosk.db: both extensions with their exam time, the reasons sealed" "$rows" \
    test "$rows" = "5|blob|60000;7|blob|60000"
ext_data=$(sqlite3 "$D3/kiosk.db" "SELECT group_concat(data, ';') FROM journal WHERE type='extend'")
check_msg "journal: two extend entries with minutes, total and the reason's keyed tag (not its text)" "$ext_data" \
    eval '[[ "$ext_data" =~ ^minutes=5\ total=5\ reason_tag=[0-9a-f]{16}\;minutes=7\ total=12\ reason_tag=[0-9a-f]{16}$ ]] && ! grep -q 施工 <<<"$ext_data"'

# the result lists them, and the hub takes it
DB="$T/hub.db"
"$BIN/examhub" init --db "$DB" --pub "$AUTH/authority.pub" --results-key "$AUTH/results.key" >/dev/null
if hub_start "$DB"; then
    "$SYNC" enroll --data "$D3" --hub "$HUB_URL" --token "$("$HUBBIN" token --db "$DB")" >"$T/eout" 2>&1
    run timeout 60 "$SYNC" push --data "$D3" --hub "$HUB_URL"
    check_msg "examsync push: the hub accepts the result with its extensions" "rc=$RC $OUT $ERR" \
        test "$RC" -eq 0 -a "$(sqlite3 "$D3/kiosk.db" "SELECT count(*) FROM outbox WHERE receipt IS NOT NULL")" -eq 1
    json=$(sqlite3 "$DB" "SELECT json FROM result")
    want='"extensions":[{"minutes":5,"reason":"其他：考场外施工噪音","at_ms":60000,"planned":0},{"minutes":7,"reason":"设备故障","at_ms":60000,"planned":0}]'
    check_msg "the result at the hub lists each extension (minutes, reason, exam time) and extra_ms 720000" "$json" \
        bash -c '[[ "$1" == *"$2"* && "$1" == *"\"extra_ms\":720000,"* && "$1" == *"\"status\":\"forced\""* ]]' _ "$json" "$want"
    "$HUBBIN" results --db "$DB" --csv >"$T/results.csv"
    check "examhub results lists the sitting" grep -q forced "$T/results.csv"
    hub_stop
else
    fail "examhub serve starts on a free 127.0.0.1 port" "$(tail -3 "$T/hub.log")"
fi
