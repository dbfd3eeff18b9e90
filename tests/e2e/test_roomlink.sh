# End-to-end (issue 12): the kiosk's side of the room console. The real
# kiosk in scripted mode runs its real event loop ("realtime") while
# tests/tools/room_cmd, playing the console and examsync, files commands
# into its kiosk.db: a sealed unlock takes the start screen to the login
# with the console's PIN (no code typed at the seat), a pause-all covers the
# sitting and stops its clock, a resume-all brings it back. The kiosk never
# opens a socket: everything goes through kiosk.db (room_inbox,
# room_status), which the test reads with sqlite3.
T=$(new_tmp)
. "$(dirname "${BASH_SOURCE[0]}")/kiosk_lib.sh"
need sqlite3 || return 0
ROOMCMD="${TEST_TOOLS_DIR:-$ROOT/build/release/testtools}/room_cmd"
kiosk_setup "$T"
AUTH="$T/auth"
SHOTS="${KIOSK_SHOTS:-$T/shots}"
D="$T/k1"; new_kiosk "$D" "$AUTH" "$T/theory.pack" "$T/room.roster"
q() { sqlite3 "$D/kiosk.db" "$1"; }
phase_is() { [ "$(q 'SELECT phase FROM room_status' 2>/dev/null)" = "$1" ]; }
row=$(sed -n 2p "$SAMPLES/roster-4.csv"); TICKET=$(echo "$row" | cut -d, -f1); IDN=$(echo "$row" | cut -d, -f3)

# the console's side, in the background: each command once the seat's
# status shows the phase it is meant for (0 locked, 5 running, 6 paused)
console() {
    wait_for 30 phase_is 0 && echo "$THEORY_CODE" | "$ROOMCMD" "$D" - unlock 1 --pin "$PIN" &&
        wait_for 40 phase_is 5 && sleep 1 && echo "$THEORY_CODE" | "$ROOMCMD" "$D" - pause_all 2 &&
        wait_for 20 phase_is 6 && sleep 5 && echo "$THEORY_CODE" | "$ROOMCMD" "$D" - resume_all 3
    echo "console done rc=$?" >>"$T/console.log"
}
console 2>>"$T/console.log" &
CONSOLE=$!
at_exit "kill $CONSOLE 2>/dev/null"
{
    echo "expect 本机试卷（未解锁）"
    echo "realtime 12000"                      # the unlock arrives meanwhile
    echo "expect 考生登录"; echo "shot roomlink-01-login-after-room-unlock"
    echo "text $TICKET"; echo "key Tab"; echo "text $IDN"; echo "key Return"
    echo "expect 核对考生信息"; echo "key Return"; echo "expect 考生须知"; echo "key Return"
    echo "expect 剩余时间"; echo "key a"
    echo "realtime 7000"                       # pause all arrives
    echo "expect 考试已暂停"; echo "expect 计时已停止"; echo "shot roomlink-02-paused-by-room"
    echo "realtime 10000"                      # resume all arrives
    echo "absent 考试已暂停"; echo "expect 剩余时间"; echo "shot roomlink-03-running-after-resume-all"
    script_panel; echo "expect 暂停考试"; echo "key Escape" # the console's PIN opens the panel
} >"$T/s.txt"
run_kiosk "$D" "$T/s.txt"
wait "$CONSOLE" 2>/dev/null
check_msg "the scripted kiosk: unlocked by the room console's sealed unlock (no code typed), paused and resumed by it on screen, the console's PIN opens the panel" \
    "exit $RC: $(grep -v '^INFO' "$T/kerr" | tail -3 | tr '\n' ' ') console: $(tr '\n' ' ' <"$T/console.log")" test "$RC" -eq 0
check_msg "room_inbox: the three commands done, the last accepted counter 3" \
    "$(q "SELECT group_concat(counter || ':' || state, ' ') FROM room_inbox") last=$(q "SELECT value FROM meta WHERE key='room_last_command'")" \
    test "$(q "SELECT group_concat(counter || ':' || state, ' ') FROM room_inbox") $(q "SELECT value FROM meta WHERE key='room_last_command'")" = "1:done 2:done 3:done 3"
got=$(q "SELECT group_concat(type, ',') FROM (SELECT type FROM journal WHERE type IN ('room_cmd','pin_set','pause','continue') ORDER BY seq)")
check_msg "journal: each command's room_cmd entry just before the effect it committed with (pin_set, pause, continue)" "$got" \
    test "$got" = "room_cmd,pin_set,room_cmd,pause,room_cmd,continue"
# the pause stopped the clock: the sitting's exam time is the real time it ran minus the pause
el=$(q "SELECT elapsed_ms FROM session"); paused=$(q "SELECT (SELECT mono_ms FROM journal WHERE type='continue') - (SELECT mono_ms FROM journal WHERE type='pause')")
check_msg "the clock stood still while paused (paused ${paused} ms, exam time ${el} ms of a 17 s window)" "elapsed=$el paused=$paused" \
    test "$paused" -ge 4500 -a "$el" -le $((17000 - paused + 1500))
check_msg "room_status: the seat reports running, its pack, one answer, a ticket tag and a name box, last command 3" \
    "$(q "SELECT phase, answered, length(ticket_tag), length(name_box), last_command, hex(pack_id) FROM room_status")" \
    test "$(q "SELECT phase || ' ' || answered || ' ' || length(name_box) || ' ' || last_command || ' ' || (ticket_tag <> zeroblob(16)) || ' ' || lower(hex(pack_id)) FROM room_status")" = "5 1 104 3 1 $(q 'SELECT pack_id FROM unlock')"
run "$SYNC" status --data "$D"
check "examsync status: the journal with the room entries verifies" grep -q 'hash chain verified' "$T/out"

# ---- the kiosk stopped mid-sitting: the console authorises the resume (no code, no PIN at the seat) ----
{ echo "expect 恢复考试"; echo "realtime 6000"; echo "absent 恢复考试"; echo "expect 剩余时间"; echo "shot roomlink-05-resumed-by-room"; } >"$T/s.txt"
( wait_for 20 phase_is 8 && echo "$THEORY_CODE" | "$ROOMCMD" "$D" - authorise_resume 4 ) 2>>"$T/console.log" &
CONSOLE=$!
run_kiosk "$D" "$T/s.txt"
wait "$CONSOLE" 2>/dev/null
check_msg "after a restart the seat waits at the resume screen (status phase 8); the console's authorise-resume takes it back to its questions" \
    "exit $RC: $(grep -v '^INFO' "$T/kerr" | tail -3 | tr '\n' ' ') inbox: $(q "SELECT counter || ':' || state || ':' || coalesce(why, '') FROM room_inbox WHERE counter = 4")" \
    test "$RC" -eq 0 -a "$(q "SELECT state FROM room_inbox WHERE counter = 4")" = done
check_msg "the resumed sitting kept its answer" "$(q 'SELECT answered FROM room_status')" test "$(q 'SELECT answered FROM room_status')" = 1

# ---- a forged unlock (the code of another pack) opens nothing; a replay is refused ----------
D2="$T/k2"; new_kiosk "$D2" "$AUTH" "$T/theory.pack" "$T/room.roster"
"$EP" build --bank "$SAMPLES/theory-4.csv" --blueprint "$SAMPLES/theory-4.ini" --key "$AUTH/authority.key" \
    --out "$T/other.pack" --kdf-ops 2 --kdf-mem 64 >"$T/other.out"
OTHER_CODE=$(tail -1 "$T/other.out")
new_kiosk "$T/k3" "$AUTH" "$T/other.pack" "$T/room.roster"
echo "$OTHER_CODE" | "$ROOMCMD" "$T/k3" - unlock 1 && sqlite3 "$T/k3/kiosk.db" "SELECT writefile('$T/forged.bin', cmd) FROM room_inbox" >/dev/null
# the other pack's unlock, sealed to kiosk 3's key, replayed into kiosk 2; then kiosk 2's own
sqlite3 "$D2/kiosk.db" "INSERT INTO room_inbox(counter, cmd, received_ms) VALUES(1, readfile('$T/forged.bin'), 0)"
{ echo "expect 本机试卷（未解锁）"; echo "wait 2000"; echo "expect 本机试卷（未解锁）"; } >"$T/s2.txt"
run_kiosk "$D2" "$T/s2.txt"
check_msg "a command made for another seat and pack leaves the kiosk locked, refused with its reason, no counter taken" \
    "exit $RC; $(sqlite3 "$D2/kiosk.db" "SELECT state || ' ' || why FROM room_inbox")" \
    bash -c "[ $RC -eq 0 ] && [ \"\$(sqlite3 '$D2/kiosk.db' \"SELECT state FROM room_inbox WHERE counter=1\")\" = refused ] && [ -z \"\$(sqlite3 '$D2/kiosk.db' \"SELECT value FROM meta WHERE key='room_last_command'\")\" ]"
echo "$THEORY_CODE" | "$ROOMCMD" "$D2" - unlock 1 --pin "$PIN"
echo "$THEORY_CODE" | "$ROOMCMD" "$D2" - close_entry 2
{
    echo "wait 2000"; echo "expect 考生登录"; echo "expect 考场已停止入场（监考台）"
    echo "text $TICKET"; echo "key Tab"; echo "text $IDN"; echo "key Return"
    echo "expect 考场已停止入场，不能登录"; echo "shot roomlink-04-entry-closed"
} >"$T/s2.txt"
run_kiosk "$D2" "$T/s2.txt"
check_msg "the real unlock under the counter the forgery took first replaces it and unlocks; close entry then refuses the login, said on the login screen" \
    "exit $RC: $(grep -v '^INFO' "$T/kerr" | tail -2 | tr '\n' ' ')" test "$RC" -eq 0
check_msg "room_status of the closed seat: flag 0x80 (entry closed), last command 2" "$(sqlite3 "$D2/kiosk.db" "SELECT flags, last_command FROM room_status")" \
    test "$(sqlite3 "$D2/kiosk.db" "SELECT (flags & 128) || ' ' || last_command FROM room_status")" = "128 2"
