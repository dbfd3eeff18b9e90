# End-to-end: the readiness check of a lab PC (`examsync check`, `kiosk
# --check`, F2 on the kiosk's start screen) on a good PC — a real Xvfb
# display of 1366x768, a D-Bus session with fcitx5 on it, the practice pack
# and roster loaded — and on broken ones: data directory 0777, kiosk.db 0644,
# a tampered pack, no fcitx5, a 1024x600 display, no DISPLAY, no kiosk beside
# examsync, a full filesystem (a tiny tmpfs, when it can be mounted). Then the
# practice pack of exam-packs/samples, built with its published release code,
# sat by a practice candidate in scripted mode to a score of 100.
T=$(new_tmp)
. "$(dirname "${BASH_SOURCE[0]}")/kiosk_lib.sh"
PRACTICE_CODE=PRAC-T1CE-EXAM-2026-000G
CK_X="" CK_X2="" CK_BUS_PID="" CK_FCITX="" CK_MNT="" CK_DISPLAY="" CK_DISPLAY2="" CK_BUS=""
ck_stop() { # ck_stop PID: stops one process this file started
    [ -n "$1" ] || return 0
    kill "$1" 2>/dev/null
    wait "$1" 2>/dev/null
}
ck_cleanup() {
    ck_stop "$CK_FCITX"; ck_stop "$CK_BUS_PID"; ck_stop "$CK_X"; ck_stop "$CK_X2"
    CK_FCITX="" CK_BUS_PID="" CK_X="" CK_X2=""
    if [ -n "$CK_MNT" ]; then umount "$CK_MNT" 2>/dev/null; CK_MNT=""; fi
    rm -rf "$T"
}
at_exit ck_cleanup

# xrun COMMAND...: COMMAND on the test's display and session bus, nothing else from ours
xrun() { env -u WAYLAND_DISPLAY DISPLAY="$CK_DISPLAY" DBUS_SESSION_BUS_ADDRESS="$CK_BUS" "$@"; }
nodisp() { env -u DISPLAY -u WAYLAND_DISPLAY DBUS_SESSION_BUS_ADDRESS="$CK_BUS" "$@"; }
line() { grep -E "^(OK  |FAIL) $1: " "$T/out"; } # line NAME: the report line of check NAME

# ck_xvfb SIZE: starts Xvfb on a free display; sets CK_XPID and CK_XDISP
ck_xvfb() {
    CK_XPID="" CK_XDISP=""
    local n tries
    for tries in 1 2 3 4 5; do
        n=$((90 + RANDOM % 100))
        [ -e "/tmp/.X$n-lock" ] || [ -e "/tmp/.X11-unix/X$n" ] && continue
        Xvfb ":$n" -screen 0 "$1" -nolisten tcp >/dev/null 2>&1 &
        local pid=$! i
        for i in $(seq 50); do
            [ -S "/tmp/.X11-unix/X$n" ] && { CK_XPID=$pid CK_XDISP=":$n"; return 0; }
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        ck_stop "$pid"
    done
    return 1
}
fcitx_up() { # 0 once org.fcitx.Fcitx5 has an owner on our bus
    xrun dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.NameHasOwner string:org.fcitx.Fcitx5 2>/dev/null | grep -q 'boolean true'
}

# ---- the practice pack and roster, with the published code ----------------------------------
mkdir -p "$T/auth"
"$EP" keygen --out "$T/auth" >/dev/null
run "$EP" build --bank "$SAMPLES/practice.csv" --blueprint "$SAMPLES/practice.ini" --key "$T/auth/authority.key" \
    --out "$T/practice.pack" --release-code "$PRACTICE_CODE" --kdf-ops 2 --kdf-mem 64
check_msg "practice pack builds with its published release code (last line), 5 questions, 100 points, 10 minutes" "$OUT$ERR" \
    eval '[ $RC -eq 0 ] && [ "$(tail -1 "$T/out")" = "$PRACTICE_CODE" ] && grep -q "10 minutes, 5 questions, 100 points" "$T/out"'
run "$EP" roster --csv "$SAMPLES/practice-roster.csv" --key "$T/auth/authority.key" --out "$T/practice.roster" $ROSTER_OPTS
check_msg "practice roster: 3 candidates" "$OUT$ERR" eval '[ $RC -eq 0 ] && grep -q "3 candidates" "$T/out"'
check_msg "samples/README.md publishes that code and the practice candidates" "" \
    eval 'grep -q "$PRACTICE_CODE" "$SAMPLES/README.md" && grep -q "LX-0001" "$SAMPLES/README.md" &&
          grep -q "$(sed -n 2p "$SAMPLES/practice-roster.csv" | cut -d, -f3)" "$SAMPLES/README.md"'
GOOD="$T/good"
new_kiosk "$GOOD" "$T/auth" "$T/practice.pack" "$T/practice.roster"
check_msg "examsync init leaves the data directory 0700 and kiosk.db and device.key 0600" "$(ls -la "$GOOD")" \
    eval '[ "$(stat -c %a "$GOOD")" = 700 ] && [ "$(stat -c %a "$GOOD/kiosk.db")" = 600 ] &&
          [ "$(stat -c %a "$GOOD/device.key")" = 600 ]'

# ---- no display: the core checks pass, the display checks fail with the reason ----------------------
run nodisp "$SYNC" check --data "$GOOD"
check_msg "no DISPLAY: exit 1, the four display checks FAIL 'no display (DISPLAY not set)', 11 checks, 4 failed" "$OUT$ERR" \
    eval '[ $RC -eq 1 ] && [ $(grep -c "^FAIL \(display\|font\|ime\|keyboard-grab\): no display (DISPLAY not set)$" "$T/out") -eq 4 ] &&
          [ "$(tail -1 "$T/out")" = "11 checks, 4 failed" ]'
check_msg "no DISPLAY: clock, disk, fsync, data-dir, data-files, packs and rosters are OK" "$OUT" \
    eval '[ $(grep -c "^OK   \(clock\|disk\|fsync\|data-dir\|data-files\|packs\|rosters\): " "$T/out") -eq 7 ] &&
          line disk | grep -q "free in $GOOD (the sitting needs 200 MB)" && line fsync | grep -q "limit 200 ms" &&
          line packs | grep -q "1 pack verifies against authority.pub: .*«电子商务师机考练习卷（考点演练）»" &&
          line rosters | grep -q "(3 candidates)"'
run nodisp "$KIOSK" --data "$GOOD" --check
check_msg "kiosk --check without DISPLAY: the same lines, exit 1" "$OUT$ERR" \
    eval '[ $RC -eq 1 ] && [ "$(tail -1 "$T/out")" = "11 checks, 4 failed" ] && line ime | grep -q "no display"'

# ---- a good lab PC: Xvfb 1366x768, a session bus, fcitx5 --------------------------------------------
if ! need Xvfb dbus-daemon dbus-send fcitx5; then
    : # (need said which tool is missing)
elif ! ck_xvfb 1366x768x24; then
    fail "Xvfb starts (1366x768)" "no free display or Xvfb failed"
else
    CK_X=$CK_XPID CK_DISPLAY=$CK_XDISP
    dbus-daemon --session --nofork --nopidfile --print-address=1 >"$T/bus" 2>/dev/null &
    CK_BUS_PID=$!
    wait_for 5 test -s "$T/bus"
    CK_BUS=$(head -1 "$T/bus")
    mkdir -p "$T/fcitx"
    # env execs fcitx5 in the background job itself: $! is fcitx5's pid
    env -u WAYLAND_DISPLAY HOME="$T/fcitx" XDG_CONFIG_HOME="$T/fcitx/config" XDG_DATA_HOME="$T/fcitx/data" \
        DISPLAY="$CK_DISPLAY" DBUS_SESSION_BUS_ADDRESS="$CK_BUS" fcitx5 --disable=all --enable=dbus,keyboard >"$T/fcitx.log" 2>&1 &
    CK_FCITX=$!
    wait_for 10 fcitx_up
    check_msg "fcitx5 is on the test session bus (org.fcitx.Fcitx5 has an owner)" "$(cat "$T/fcitx.log")" fcitx_up

    run xrun "$SYNC" check --data "$GOOD"
    check_msg "good PC: examsync check exits 0, 11 checks, 0 failed, every line OK" "$OUT$ERR" \
        eval '[ $RC -eq 0 ] && [ "$(tail -1 "$T/out")" = "11 checks, 0 failed" ] && [ $(grep -c "^OK   [a-z-]*: " "$T/out") -eq 11 ] &&
              ! grep -q "^FAIL" "$T/out"'
    check_msg "good PC: display 1366x768, a CJK font, fcitx5, the keyboard grab" "$OUT" \
        eval 'line display | grep -q "^OK   display: 1366x768 (x11 $CK_DISPLAY)" && line font | grep -q "draws 中文考试" &&
              line ime | grep -q "fcitx5 on the session D-Bus" && line keyboard-grab | grep -q "XGrabKeyboard succeeded"'
    check_msg "good PC: the lines come in report order" "$OUT" \
        eval '[ "$(sed "s/^\(OK  \|FAIL\) \([a-z-]*\):.*/\2/" "$T/out" | head -11 | tr "\n" " ")" = "clock disk fsync data-dir data-files packs rosters display font ime keyboard-grab " ]'
    run xrun "$KIOSK" --data "$GOOD" --check
    check_msg "good PC: kiosk --check exits 0 with the same 11 OK lines" "$OUT$ERR" \
        eval '[ $RC -eq 0 ] && [ "$(tail -1 "$T/out")" = "11 checks, 0 failed" ]'

    # F2 on the start screen: the same lines, drawn (scripted mode on the real display)
    printf '%s\n' "expect 本机试卷（未解锁）" "expect F2 本机就绪检查" "key F2" "expect 本机就绪检查（F2 或 Esc 关闭）" \
        "expect OK   data-dir: $T/f2 owned by" "expect OK   packs: 1 pack verifies" "expect OK   ime: fcitx5" \
        "expect OK   keyboard-grab: XGrabKeyboard succeeded" "expect 11 checks, 0 failed" "key Escape" \
        "text $PRACTICE_CODE" "key Return" "expect 设置监考密码" >"$T/f2.txt"
    cp -a "$GOOD" "$T/f2" # unlocking changes the kiosk's state; GOOD stays locked
    run xrun "$KIOSK" --data "$T/f2" --script "$T/f2.txt" --shots "$T"
    check_msg "start screen: F2 draws the readiness lines (11 checks, 0 failed); Esc closes them and the code goes in" "$ERR" expect_rc 0

    # ---- broken PCs, one fault each ------------------------------------------------------------------
    chmod 0777 "$GOOD"
    run xrun "$SYNC" check --data "$GOOD"
    check_msg "data directory 0777: FAIL data-dir with the mode and the fix, exit 1" "$OUT" \
        eval '[ $RC -eq 1 ] && line data-dir | grep -q "^FAIL data-dir: $GOOD is 0777: group/others can .* (must be 0700: chmod 700 $GOOD)" &&
              [ "$(tail -1 "$T/out")" = "11 checks, 1 failed" ]'
    chmod 0700 "$GOOD"
    chmod 0644 "$GOOD/kiosk.db"
    run xrun "$SYNC" check --data "$GOOD"
    check_msg "kiosk.db 0644: FAIL data-files 'kiosk.db is 0644: group/others can read it', exit 1" "$OUT" \
        eval '[ $RC -eq 1 ] && line data-files | grep -q "^FAIL data-files: kiosk.db is 0644: group/others can read it (must be 0600).*chmod 600 $GOOD/kiosk.db" &&
              [ "$(tail -1 "$T/out")" = "11 checks, 1 failed" ]'
    chmod 0600 "$GOOD/kiosk.db"

    if need sqlite3; then
        BAD="$T/tampered"
        cp -a "$GOOD" "$BAD"
        sqlite3 "$BAD/kiosk.db" "UPDATE pack SET bytes = substr(bytes, 1, 299) ||
            CASE WHEN substr(bytes, 300, 1) = X'41' THEN X'42' ELSE X'41' END || substr(bytes, 301)"
        run xrun "$SYNC" check --data "$BAD"
        check_msg "a tampered pack byte: FAIL packs 'pack signature does not verify', rosters still OK, exit 1" "$OUT" \
            eval '[ $RC -eq 1 ] && line packs | grep -q "^FAIL packs: 1 of 1 packs do not verify against authority.pub: pack [0-9a-f]\{8\} «电子商务师机考练习卷（考点演练）»: .*signature" &&
                  line rosters | grep -q "^OK" && [ "$(tail -1 "$T/out")" = "11 checks, 1 failed" ]'
    fi

    # examsync without the kiosk beside it
    mkdir -p "$T/lonely"
    cp "$SYNC" "$T/lonely/examsync"
    run xrun "$T/lonely/examsync" check --data "$GOOD"
    check_msg "no kiosk beside examsync: the display checks FAIL saying so, exit 1" "$OUT" \
        eval '[ $RC -eq 1 ] && [ $(grep -c "^FAIL [a-z-]*: no kiosk program beside examsync ($T/lonely/kiosk" "$T/out") -eq 4 ]'

    # a display of 1024x600
    if ck_xvfb 1024x600x24; then
        CK_X2=$CK_XPID CK_DISPLAY2=$CK_XDISP
        run env -u WAYLAND_DISPLAY DISPLAY="$CK_DISPLAY2" DBUS_SESSION_BUS_ADDRESS="$CK_BUS" "$SYNC" check --data "$GOOD"
        check_msg "a 1024x600 display: FAIL display '1024x600 ... is smaller than 1366x768', exit 1" "$OUT" \
            eval '[ $RC -eq 1 ] && line display | grep -q "^FAIL display: 1024x600 (x11 $CK_DISPLAY2) is smaller than 1366x768" &&
                  [ "$(tail -1 "$T/out")" = "11 checks, 1 failed" ]'
        ck_stop "$CK_X2"; CK_X2=""
    else
        fail "Xvfb starts (1024x600)" "no free display or Xvfb failed"
    fi

    # no input method
    ck_stop "$CK_FCITX"; CK_FCITX=""
    run xrun "$SYNC" check --data "$GOOD"
    check_msg "fcitx5 not running: FAIL ime 'fcitx5 is not running (org.fcitx.Fcitx5 has no owner ...)', exit 1" "$OUT" \
        eval '[ $RC -eq 1 ] && line ime | grep -q "^FAIL ime: fcitx5 is not running (org.fcitx.Fcitx5 has no owner on the session D-Bus)" &&
              [ "$(tail -1 "$T/out")" = "11 checks, 1 failed" ]'
    run env -u WAYLAND_DISPLAY -u DBUS_SESSION_BUS_ADDRESS -u XDG_RUNTIME_DIR DISPLAY="$CK_DISPLAY" "$SYNC" check --data "$GOOD"
    check_msg "no session D-Bus at all: FAIL ime 'no session D-Bus', exit 1" "$OUT" \
        eval '[ $RC -eq 1 ] && line ime | grep -q "^FAIL ime: no session D-Bus (DBUS_SESSION_BUS_ADDRESS not set)"'
fi

# ---- a full filesystem: the data directory on a 2 MB tmpfs --------------------------------------------
mkdir -p "$T/mnt"
if [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o size=2m,mode=0700 tmpfs "$T/mnt" 2>/dev/null; then
    CK_MNT="$T/mnt"
    new_kiosk "$T/mnt/kiosk" "$T/auth" "$T/practice.pack" "$T/practice.roster"
    run nodisp "$SYNC" check --data "$T/mnt/kiosk"
    check_msg "2 MB filesystem: FAIL disk 'only N MB free ..., the sitting needs 200 MB', exit 1" "$OUT" \
        eval '[ $RC -eq 1 ] && line disk | grep -q "^FAIL disk: only [0-9.]* MB free in $T/mnt/kiosk, the sitting needs 200 MB"'
    umount "$T/mnt" && CK_MNT=""
else
    echo "  skip the full-filesystem case (cannot mount a tmpfs here)"
fi

# ---- F2 without a display (offscreen): the non-X11 lines say why ---------------------------------------
printf '%s\n' "key F2" "expect OK   rosters: 1 roster verifies" "expect FAIL keyboard-grab: not an X11 display (video driver offscreen)" \
    "expect checks, " "key F2" "expect 本机试卷（未解锁）" >"$T/f2off.txt"
run nodisp "$KIOSK" --data "$GOOD" --script "$T/f2off.txt" --shots "$T"
check_msg "offscreen start screen: F2 shows the checks, keyboard-grab FAILs (not X11), F2 closes" "$ERR" expect_rc 0

# ---- the practice sitting: a practice candidate to a score ------------------------------------------
D="$T/practice"
new_kiosk "$D" "$T/auth" "$T/practice.pack" "$T/practice.roster"
"$EP" paper --pub "$T/auth/authority.pub" "$T/practice.pack" --release-code "$PRACTICE_CODE" --seed "$SEED0" >"$T/ppaper.tsv"
{
    echo "expect 电子商务师机考练习卷（考点演练）"
    script_login practiceexam2026000g 1 "$SAMPLES/practice-roster.csv"   # the published code, typed loosely
    echo "expect 剩余时间 00:10:00"
    script_answers "$T/ppaper.tsv" right
    echo "key F10"; echo "expect 确认交卷？"; echo "key Return"
    echo "expect 您已成功交卷"; echo "expect 本次考试得分：100 分"
} >"$T/sit.txt"
KIOSK_SEED=$SEED0 run nodisp "$KIOSK" --data "$D" --script "$T/sit.txt" --shots "$T"
check_msg "practice sitting: code typed loosely, LX-0001 logs in, five right answers, hand-in at once: 100 on screen" "$ERR" expect_rc 0
run "$SYNC" status --data "$D"
check_msg "practice sitting: the result waits in the outbox; status shows the sitting sealed" "$OUT" \
    eval 'grep -q "(sealed)  submitted" "$T/out" && ! grep -q "练习考生甲" "$T/out" && grep -q "1 pending upload" "$T/out"'
run "$SYNC" show --data "$D" --release-code "$PRACTICE_CODE"
check_msg "examsync show with the release code: LX-0001, 练习考生甲, submitted, score 100" "$OUT $ERR" \
    eval 'grep -q "LX-0001  练习考生甲  submitted .* score 100 " "$T/out"'
printf '%s\n' "$PRACTICE_CODE" >"$T/code.txt"
run "$SYNC" show --data "$D" --release-code - --answers <"$T/code.txt"
check_msg "examsync show --release-code - (code on standard input) --answers: the five saved answers" "$OUT $ERR" \
    eval '[ "$(grep -c "^    item " "$T/out")" -eq 5 ]'
run "$SYNC" show --data "$D" --release-code ABCD-EFGH-JKMN-PQRS-TVWX
check_msg "examsync show with a code of no pack here: refused, one line, exit 1" "$ERR" \
    eval '[ $RC -eq 1 ] && grep -q "opens none of this kiosk" "$T/err" && [ "$(err_lines)" -eq 1 ]'

# ---- leave nothing running --------------------------------------------------------------------------------
ck_cleanup
