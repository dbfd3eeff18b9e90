# End-to-end on a real display (issue 8): bin/kiosk without --script on Xvfb,
# under openbox (a window manager that does what it is asked: Alt+Tab,
# minimise, un-fullscreen), with a D-Bus session and fcitx5 pinyin, driven
# by xdotool keystrokes like a candidate at the keyboard. Checks the
# lockdown (focus, keyboard, covering the screen), one kiosk per data
# directory, SIGTERM and resume, pinyin answers and their score, open
# compositions, the essay caret, ASCII-only fields and the focus-loss count
# after a crash. Screenshots: build/display-shots/.
T=$(new_tmp)
. "$(dirname "${BASH_SOURCE[0]}")/kiosk_lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/display_lib.sh"
at_exit dl_stop
# the test kiosk: it takes KIOSK_SEED on the display (the shipped one only in
# scripted mode), so the checks know the paper; the rest of the program is the same
KIOSK=${TD_KIOSK:-$KIOSK_TEST} # TD_KIOSK=/path/to/kiosk: run these checks against another build
TD_SHOTS="$T/shots"
TD_OUT="$ROOT/build/display-shots"
mkdir -p "$TD_SHOTS"

# kiosk.db seals answers and scores: read them through examsync with the release code
td_show() { "$BIN/examsync" show --data "$TD_D" --release-code "$TD_CODE" --answers 2>/dev/null; }
td_answers() { td_show | grep '^    item '; }
td_resp() { # the saved response of item $1 (0-based), unescaped
    local r; r=$(td_show | awk -F'\t' -v want="    item $(($1 + 1))" '$1 == want { print $3 }')
    printf '%b\n' "$r" # (a line, as sqlite3 printed it)
}
td_score() { td_show | sed -n 's/.* (\([0-9]*\) tenths).*/\1/p' | tail -1; }
td_sql() { sqlite3 "$TD_D/kiosk.db" "$1" 2>/dev/null; }
td_shot() { dl_shot "$TD_SHOTS/$1.png"; }

# td_start_kiosk: the kiosk as the lab PC runs it (no --script, no --windowed)
td_start_kiosk() {
    (cd "$ROOT" && exec env "${DL_ENV[@]}" KIOSK_SEED="$SEED0" "$KIOSK" --data "$TD_D") >>"$T/kiosk.log" 2>&1 &
    TD_KPID=$!
    TD_KW=$(dl_wait_window 10 --classname kiosk)
    [ -n "$TD_KW" ]
}

# td_wait_exit PID SECONDS: 0 and TD_RC set when PID ended within SECONDS
td_wait_exit() {
    local pid=$1
    _td_gone() { ! kill -0 "$pid" 2>/dev/null; }
    if dl_wait_for "$2" _td_gone; then wait "$pid"; TD_RC=$?; return 0; fi
    TD_RC=-1
    return 1
}

# td_kbd ITEM MARK: MARK typed now ends up in answer ITEM within a second
# (the kiosk has the keyboard and shows question ITEM); sets TD_WHY
td_kbd() {
    local item=$1 mark=$2 before want
    before=$(td_resp "$item"); want="$before$mark"
    dl_type "$mark"
    _td_saved() { [ "$(td_resp "$item")" = "$want" ]; }
    if dl_wait_for 1.5 _td_saved; then return 0; fi
    TD_WHY="typed '$mark' into question $((item + 1)): answer is '$(td_resp "$item")', wanted '$want'"
    return 1
}

# td_held: the kiosk covers the screen and has the focus within a second
# (TD_TOOK: how long it took in ms); sets TD_WHY
td_held() {
    local t0; t0=$(dl_ms)
    _td_ok() { dl_covers "$TD_KW" >/dev/null && dl_has_focus "$TD_KW"; }
    if dl_wait_for 1.0 _td_ok; then TD_TOOK=$(($(dl_ms) - t0)); return 0; fi
    TD_WHY="after 1 s: $(dl_covers "$TD_KW")$(dl_has_focus "$TD_KW" || echo " focus is on $(dl_describe "$(dl_focus_toplevel)")")"
    return 1
}

td_xev_keys() { grep -c '^KeyPress' "$T/xev.log" 2>/dev/null; }

# td_take NAME CMD...: CMD does something hostile; within a second the kiosk
# covers the screen again, has the focus and gets the next keystroke
# (question 1, a numeric answer: digits pass any input-method state), and
# the foreign xev window sees no key
td_take() {
    local name=$1; shift
    local keys0; keys0=$(td_xev_keys)
    TD_WHY=""
    "$@"
    sleep 0.05
    if td_held && td_kbd 0 "$((TD_MARK % 10))" && [ "$(td_xev_keys)" = "$keys0" ]; then
        pass "$name (back after ${TD_TOOK} ms)"
    else
        [ -z "$TD_WHY" ] && TD_WHY="the foreign xev window received $(($(td_xev_keys) - keys0)) key presses"
        fail "$name" "$TD_WHY"
    fi
    TD_MARK=$((TD_MARK + 1))
}

td_ensure_ime() { # td_ensure_ime 1|2: English or pinyin in the kiosk's input context
    local want=$1
    [ "$(dl_ime_state)" = "$want" ] && return 0
    dl_key ctrl+space; sleep 0.3
    [ "$(dl_ime_state)" = "$want" ]
}

td_main() {
    local miss; miss=$(dl_missing)
    if [ -n "$miss" ]; then
        fail "real-display test: missing tools: $miss" "install tools/deps.txt (make deps): xvfb openbox dbus-x11 fcitx5 fcitx5-chinese-addons xdotool wmctrl x11-utils imagemagick sqlite3"
        return
    fi
    local t_start; t_start=$(dl_ms)

    # ---- a practical paper that may be handed in at once (min_submit = 0)
    mkdir -p "$T/auth"
    "$EP" keygen --out "$T/auth" >/dev/null
    sed 's/^min_submit *=.*/min_submit = 0/' "$SAMPLES/practical-4.ini" >"$T/practical.ini"
    "$EP" build --bank "$SAMPLES/practical-4.csv" --blueprint "$T/practical.ini" --key "$T/auth/authority.key" \
        --out "$T/practical.pack" --kdf-ops 2 --kdf-mem 64 >"$T/build.out" || { fail "real-display test: build the pack" "$(cat "$T/build.out")"; return; }
    local code; code=$(tail -1 "$T/build.out")
    TD_CODE=$code
    "$EP" roster --csv "$SAMPLES/roster-4.csv" --key "$T/auth/authority.key" --out "$T/room.roster" $ROSTER_OPTS >/dev/null
    "$EP" paper --pub "$T/auth/authority.pub" "$T/practical.pack" --release-code "$code" --seed "$SEED0" >"$T/paper.tsv"
    TD_D="$T/data"
    new_kiosk "$TD_D" "$T/auth" "$T/practical.pack" "$T/room.roster"
    local row ticket id
    row=$(sed -n 2p "$SAMPLES/roster-4.csv"); ticket=$(echo "$row" | cut -d, -f1); id=$(echo "$row" | cut -d, -f3)
    # the paper this seed draws: 1-5 numeric, 6-10 fill, 11-13 order, 14-16 match, 17-18 essay
    local types; types=$(grep -v '^#' "$T/paper.tsv" | cut -f3 | tr '\n' ' ')
    if [ "$types" != "numeric numeric numeric numeric numeric fill fill fill fill fill order order order match match match essay essay " ]; then
        fail "real-display test: the sample paper changed" "types: $types"
        return
    fi

    # ---- the lab PC's stack
    if ! dl_start "$T/stack" 2>"$T/stack.err"; then
        fail "real-display stack: Xvfb, D-Bus, openbox, fcitx5 pinyin" "$(cat "$T/stack.err")"
        return
    fi
    pass "real-display stack up on $DL_DISPLAY: Xvfb 1366x768, D-Bus, openbox, fcitx5 with pinyin ($(($(dl_ms) - t_start)) ms)"

    if ! td_start_kiosk; then
        fail "the kiosk opens a window on the display" "$(tail -5 "$T/kiosk.log")"
        return
    fi
    sleep 0.5
    td_shot display-01-start
    TD_WHY=""
    if td_held; then pass "the kiosk comes up covering the screen, on top, with the focus"
    else fail "the kiosk comes up covering the screen, on top, with the focus" "$TD_WHY"; fi

    # ---- ASCII-only field with the IME left on: the release code stays Latin
    dlx fcitx5-remote -o >/dev/null 2>&1; sleep 0.2
    local ime_on; ime_on=$(dl_ime_state)
    local lower; lower=$(echo "$code" | tr 'A-Z' 'a-z')
    dl_type "${lower:0:9}"; sleep 0.3
    local cand=no; dl_candidates_shown && cand=yes
    td_shot display-02-code-with-ime-on
    dl_type "${lower:9}"; sleep 0.2
    dl_candidates_shown && cand=yes
    dl_key Return; sleep 0.5
    dl_type "$PIN"; dl_key Return; sleep 0.2; dl_type "$PIN"; dl_key Return
    _td_unlocked() { [ "$(td_sql 'SELECT count(*) FROM unlock')" = 1 ]; }
    if dl_wait_for 3 _td_unlocked && [ "$cand" = no ]; then
        pass "release code typed with pinyin switched on (state $ime_on) stays ASCII: no candidates, paper unlocked"
    else
        fail "release code typed with pinyin switched on (state $ime_on) stays ASCII: no candidates, paper unlocked" \
            "candidate window seen: $cand; unlocked: $(td_sql 'SELECT count(*) FROM unlock')"
        # carry on with the IME off
        dlx fcitx5-remote -c >/dev/null 2>&1; dl_key Escape
        for _ in $(seq 1 40); do dl_key BackSpace; done
        dl_type "$code"; dl_key Return; sleep 0.5
        dl_type "$PIN"; dl_key Return; sleep 0.2; dl_type "$PIN"; dl_key Return
        dl_wait_for 3 _td_unlocked
    fi
    sleep 0.3
    dl_type "$ticket"; dl_key Tab; dl_type "$id"; dl_key Return; sleep 0.4
    dl_key Return; sleep 0.4; dl_key Return
    _td_running() { [ "$(td_sql "SELECT state FROM session WHERE active=1")" = running ]; }
    if dl_wait_for 3 _td_running; then pass "the candidate logs in with the keyboard and the clock starts"
    else fail "the candidate logs in with the keyboard and the clock starts" "no running session: $(td_sql 'SELECT id,state FROM session')"; return; fi
    sleep 0.5
    td_shot display-03-question-1

    # ---- the keyboard, foreign windows, Alt+Tab, window-manager requests
    TD_MARK=1
    TD_WHY=""
    if td_kbd 0 "$TD_MARK"; then pass "keys typed on the display reach the kiosk (question 1)"
    else fail "keys typed on the display reach the kiosk (question 1)" "$TD_WHY"; fi
    TD_MARK=$((TD_MARK + 1))

    env "${DL_ENV[@]}" xmessage -name foreignmsg -geometry 520x160+200+200 "a foreign window that wants the focus" >/dev/null 2>&1 &
    local xm=$!
    DL_PIDS+=("$xm")
    _td_msg() { [ -n "$(dl_find --classname foreignmsg)" ]; }
    dl_wait_for 5 _td_msg
    td_take "a foreign window (xmessage) mapped over the kiosk: the kiosk takes focus, keyboard and top back within 1 s" true
    td_shot display-04-after-xmessage

    : >"$T/xev.log"
    env "${DL_ENV[@]}" xev -name foreignxev -geometry 420x300+120+120 >"$T/xev.log" 2>&1 &
    local xv=$!
    DL_PIDS+=("$xv")
    _td_xev() { [ -n "$(dl_find --name foreignxev)" ]; }
    dl_wait_for 5 _td_xev
    td_take "a foreign window that reads keys (xev) mapped: the kiosk takes it all back within 1 s, xev gets no key" true
    td_take "Alt+Tab (Alt held, Tab twice) with foreign windows open changes nothing" \
        dlx xdotool keydown alt key --delay 60 Tab Tab keyup alt
    td_take "Ctrl+Alt+Tab changes nothing" dl_key ctrl+alt+Tab
    td_take "Alt+Shift+Tab changes nothing" dl_key alt+shift+Tab
    td_take "a foreign client focusing its window (xdotool windowfocus + windowraise) is undone within 1 s" \
        dlx xdotool search --name foreignxev windowraise windowfocus
    td_take "window-manager minimise (xdotool windowminimize) is undone within 1 s" dlx xdotool windowminimize "$TD_KW"
    td_take "window-manager un-fullscreen (wmctrl -b remove,fullscreen) is undone within 1 s" \
        dlx wmctrl -i -r "$(dl_hex "$TD_KW")" -b remove,fullscreen
    td_take "another client unmapping, moving and shrinking the kiosk window is undone within 1 s" \
        dlx xdotool windowunmap "$TD_KW" windowmove "$TD_KW" 200 150 windowsize "$TD_KW" 640 400
    td_shot display-05-after-wm-requests
    kill "$xm" "$xv" 2>/dev/null; wait "$xm" "$xv" 2>/dev/null

    # ---- one kiosk per data directory
    local t0 rc2; t0=$(dl_ms)
    (cd "$ROOT" && exec timeout -k 2 8 env "${DL_ENV[@]}" "$KIOSK" --data "$TD_D") >"$T/second.out" 2>"$T/second.err"
    rc2=$?
    local took=$(($(dl_ms) - t0)) nwin
    nwin=$(dlx xdotool search --onlyvisible --classname kiosk 2>/dev/null | wc -l)
    if [ "$rc2" -ne 0 ] && [ "$rc2" -ne 124 ] && [ "$rc2" -ne 137 ] && [ "$took" -lt 5000 ] && [ "$nwin" -eq 1 ] &&
        grep -qiE 'already running|another kiosk' "$T/second.err" && kill -0 "$TD_KPID" 2>/dev/null; then
        pass "a second kiosk on the same data directory refuses to start (exit $rc2, ${took} ms): $(head -1 "$T/second.err")"
    else
        fail "a second kiosk on the same data directory refuses to start with a clear message" \
            "exit $rc2 after ${took} ms, kiosk windows: $nwin, stderr: $(head -3 "$T/second.err" | tr '\n' ' ')"
    fi
    TD_WHY=""
    if td_kbd 0 "$((TD_MARK % 10))"; then pass "the first kiosk still has the keyboard after the refused second one"
    else fail "the first kiosk still has the keyboard after the refused second one" "$TD_WHY"; fi

    # ---- pinyin into fill answers; an open composition does not leak
    for _ in 1 2 3 4 5; do dl_key Next; done; sleep 0.4           # question 6 (fill)
    td_ensure_ime 2
    local st; st=$(dl_ime_state)
    dl_type taobao; sleep 0.4
    local shown=no; dl_candidates_shown && shown=yes
    td_shot display-06-pinyin-candidates
    dl_key space; sleep 0.4
    if [ "$(td_resp 5)" = "淘宝" ]; then pass "pinyin (fcitx5 state $st): 'taobao' + Space gives 淘宝 in a fill answer, saved (candidates shown: $shown)"
    else fail "pinyin: 'taobao' + Space gives 淘宝 in a fill answer, saved" "fcitx5 state $st, candidates shown: $shown, answer 6: '$(td_resp 5)'"; fi

    dl_key Next; sleep 0.4                                          # question 7 (fill)
    td_ensure_ime 2
    dl_type zheng; sleep 0.4
    local open=no; dl_candidates_shown && open=yes
    dl_key Next                                                     # question 8, composition still open
    _td_nocand() { ! dl_candidates_shown; }
    local gone=no; dl_wait_for 1.0 _td_nocand && gone=yes
    td_shot display-07-after-pagedown-with-open-composition
    dl_key space; sleep 0.5
    local r8; r8=$(td_resp 7)
    if [ "$open" = yes ] && [ "$gone" = yes ] && [ -z "$(echo "$r8" | tr -d ' ')" ]; then
        pass "an open composition ('zheng', not committed) does not follow PageDown: candidate window gone, Space adds nothing to question 8"
    else
        fail "an open composition does not follow PageDown into the next question" \
            "composition open before: $open; candidate window gone after PageDown: $gone; answer 8 after Space: '$r8'; answer 7: '$(td_resp 6)'"
    fi
    [ -n "$r8" ] && for _ in $(seq 1 ${#r8}); do dl_key BackSpace; done

    dl_key Next Next; sleep 0.4                                     # question 10 (fill): 数字证书
    td_ensure_ime 2
    dl_type shuzizhengshu; sleep 0.3; dl_key space; sleep 0.4
    if [ "$(td_resp 9)" = "数字证书" ]; then pass "pinyin: 'shuzizhengshu' + Space gives the right answer 数字证书 to question 10"
    else fail "pinyin: 'shuzizhengshu' + Space gives the right answer 数字证书 to question 10" "answer 10: '$(td_resp 9)'"; fi

    # ---- the essay: a long text, the caret at its end, the box scrolled
    for _ in 1 2 3 4 5 6 7; do dl_key Next; done; sleep 0.4          # question 17 (essay)
    td_ensure_ime 2
    env "${DL_ENV[@]}" dbus-monitor --session "type='method_call',interface='org.fcitx.Fcitx.InputContext1',member='SetCursorRect'" >"$T/rects.log" 2>&1 &
    local mon=$!
    DL_PIDS+=("$mon")
    sleep 0.3
    dl_type a; sleep 0.4                                            # composing on the empty essay: where is the caret?
    local rect0; rect0=$(td_last_rect)
    dl_key Escape; sleep 0.3
    td_ensure_ime 1
    local en="The shop improves every product title with the words buyers really search for, writes three clear selling points, answers questions within a minute and ships within a day. "
    local essay="$en$en$en"
    DL_TYPE_DELAY=6 dl_type "$essay"
    # eight empty lines, then one more wrapped paragraph: unscrolled, the end
    # of the text would be below the bottom of the screen
    local k; for k in 1 2 3 4 5 6 7 8; do dl_key Return; essay="$essay"$'\n'; done
    DL_TYPE_DELAY=6 dl_type "$en"; essay="$essay$en"
    td_ensure_ime 2
    dl_type taobao; dl_key space; dl_type ,; dl_type shuzizhengshu; dl_key space; dl_type .
    essay="${essay}淘宝，数字证书。"
    sleep 0.5
    local got; got=$(td_resp 16; echo .); got=${got%?.}
    if [ "$got" = "$essay" ]; then pass "a long essay (${#essay} characters, English and pinyin) is saved exactly as typed"
    else fail "a long essay (${#essay} characters, English and pinyin) is saved exactly as typed" "saved ${#got} characters; end: '${got: -40}'"; fi
    dl_type a; sleep 0.5                                            # composing at the end of the long text
    local rect1; rect1=$(td_last_rect)
    td_shot display-08-essay-long-composing
    dl_key Escape; sleep 0.3
    td_shot display-09-essay-long
    kill "$mon" 2>/dev/null; wait "$mon" 2>/dev/null
    # rect: x y w h in screen coordinates (SDL_SetTextInputRect: the caret)
    local x0 y0 x1 y1 h1
    read -r x0 y0 _ _ <<<"${rect0:-0 0 0 0}"; read -r x1 y1 _ h1 <<<"${rect1:-0 0 0 0}"
    if [ -n "$rect0" ] && [ -n "$rect1" ] && [ "$y1" -ge $((y0 + 60)) ] && [ $((y1 + h1)) -le "$DL_H" ] && [ "$y1" -ge 64 ] &&
        [ "$x1" -ge 0 ] && [ "$x1" -lt 930 ] && [ "$(td_resp 16)" = "$essay" ]; then
        pass "the essay caret follows the text down its lines and the box scrolls to keep it on screen (caret at $x0,$y0 empty, at $x1,$y1 after ${#essay} characters, 18 lines; see display-08)"
    else
        fail "the essay caret follows the text down its wrapped lines and stays on screen (the box scrolls)" \
            "IME caret rect on the empty essay: '${rect0}', after the long text: '${rect1}'; answer changed: $([ "$(td_resp 16)" = "$essay" ] && echo no || echo yes)"
    fi

    # ---- SIGTERM: an orderly stop within 2 s; restart resumes the same question with every answer
    local cur0 ans0; cur0=$(td_sql "SELECT current FROM session WHERE active=1"); ans0=$(td_answers)
    t0=$(dl_ms)
    kill -TERM "$TD_KPID"
    if td_wait_exit "$TD_KPID" 2.5 && [ "$TD_RC" -eq 0 ]; then pass "SIGTERM stops the kiosk cleanly: exit 0 after $(($(dl_ms) - t0)) ms"
    else
        fail "SIGTERM stops the kiosk cleanly: exit 0 within 2 s" "exit status $TD_RC after $(($(dl_ms) - t0)) ms"
        kill -9 "$TD_KPID" 2>/dev/null; wait "$TD_KPID" 2>/dev/null
    fi
    if td_start_kiosk; then
        sleep 0.5
        td_shot display-10-resume
        dl_type "$code"; dl_key Return; sleep 0.3; dl_type "$PIN"; dl_key Return; sleep 0.8
        td_ensure_ime 1
        local cur1 ans1; cur1=$(td_sql "SELECT current FROM session WHERE active=1"); ans1=$(td_answers)
        TD_WHY=""
        if [ "$cur1" = "$cur0" ] && [ "$ans1" = "$ans0" ] && td_kbd 16 " Z9"; then
            pass "restart after SIGTERM: release code + PIN resume on the same question (17) with every answer kept"
        else
            fail "restart after SIGTERM: release code + PIN resume on the same question with every answer kept" \
                "current $cur0 -> $cur1; answers kept: $([ "$ans1" = "$ans0" ] && echo yes || echo no); $TD_WHY"
        fi
        td_shot display-11-resumed
    else
        fail "restart after SIGTERM: the kiosk opens its window again" "$(tail -5 "$T/kiosk.log")"
    fi

    # ---- crash: the focus-loss count in the invigilator panel survives
    local losses; losses=$(td_sql "SELECT count(*) FROM journal WHERE type='focus_lost'")
    kill -9 "$TD_KPID" 2>/dev/null; wait "$TD_KPID" 2>/dev/null
    {
        echo "expect 恢复考试"; echo "text $code"; echo "key Return"; echo "text $PIN"; echo "key Return"
        script_panel
        echo "expect 离开本窗口 $losses 次"; echo "shot display-12-panel-after-crash"; echo "crash"
    } >"$T/panel.txt"
    # the script ends with the crash hook: the test kiosk (TD_KIOSK_TEST to override)
    (cd "$ROOT" && exec env -u DISPLAY "${TD_KIOSK_TEST:-$KIOSK_TEST}" --data "$TD_D" --script "$T/panel.txt" --shots "$TD_SHOTS") >"$T/panel.out" 2>"$T/panel.err"
    local prc=$?
    if [ "${losses:-0}" -ge 1 ] && [ "$prc" -eq 137 ]; then
        pass "after a crash and resume the invigilator panel shows the $losses focus losses of the real display"
    else
        fail "after a crash and resume the invigilator panel shows the focus losses" \
            "journaled focus losses: ${losses:-?}; panel script exit $prc: $(grep -v '^INFO' "$T/panel.err" | tail -2 | tr '\n' ' ')"
    fi
    if td_start_kiosk; then                                         # the same on the display, for the record
        sleep 0.5
        dl_type "$code"; dl_key Return; sleep 0.3; dl_type "$PIN"; dl_key Return; sleep 0.5
        dl_key ctrl+alt+i; sleep 0.3; dl_type "$PIN"; dl_key Return; sleep 0.5
        td_shot display-13-panel-real
        dl_key Escape; sleep 0.3

        # ---- hand in: the score is that of the saved answers
        dl_key F10; sleep 0.4; dl_key Return
        _td_done() { [ "$(td_sql "SELECT state FROM session ORDER BY rowid DESC LIMIT 1")" = submitted ]; }
        dl_wait_for 3 _td_done
        sleep 0.5
        td_shot display-14-done
        local want; want=$(td_expected_score)
        local score pending; score=$(td_score); pending=$(td_sql "SELECT pending FROM session ORDER BY rowid DESC LIMIT 1")
        if _td_done && [ "$score" = "$want" ] && [ "$want" -gt 0 ]; then
            pass "hand-in on the display: score $score (tenths) = the keyed points of the saved answers, pinyin answer included; $pending essays pending"
        else
            fail "hand-in on the display: the score is that of the saved answers" \
                "state $(td_sql "SELECT state FROM session ORDER BY rowid DESC LIMIT 1"), score '$score', expected '$want' (tenths)"
        fi
        # ---- the next candidate starts in Latin mode whatever the last one left on
        dlx fcitx5-remote -o; sleep 0.3
        local before_reset; before_reset=$(dl_ime_state)
        dl_key ctrl+alt+i; sleep 0.3; dl_type "$PIN"; dl_key Return; sleep 0.3; dl_key 6; sleep 0.8
        local after_reset; after_reset=$(dl_ime_state)
        if [ "$before_reset" = 2 ] && [ "$after_reset" = 1 ]; then
            pass "reset for the next candidate turns pinyin off (fcitx5 state $before_reset → $after_reset)"
        else
            fail "reset for the next candidate turns pinyin off" "fcitx5 state $before_reset before the reset, $after_reset after"
        fi

        # ---- a hostile client cannot take the keyboard from the running kiosk
        local xgrab="${TEST_TOOLS_DIR:-$ROOT/build/release/testtools}/xgrab"
        local got; got=$(dlx "$xgrab" 2>&1)
        if [ "$got" = "refused: AlreadyGrabbed" ]; then pass "another client's keyboard grab is refused while the kiosk runs ($got)"
        else fail "another client's keyboard grab is refused while the kiosk runs" "xgrab said: $got"; fi
        kill -TERM "$TD_KPID"; td_wait_exit "$TD_KPID" 3 || { kill -9 "$TD_KPID"; wait "$TD_KPID"; } 2>/dev/null

        # ---- ... and one that holds it before the kiosk starts is shown, journaled and outlasted
        dlx "$xgrab" --hold 3.5 >"$T/xgrab.out" 2>&1 &
        local gpid=$!
        sleep 0.3
        if td_start_kiosk; then
            _td_alerted() { [ "$(td_sql "SELECT count(*) FROM journal WHERE type='keyboard_lock' AND data='held by another program'")" -ge 1 ] 2>/dev/null; }
            dl_wait_for 3 _td_alerted; sleep 0.3 # (a frame to draw the alert)
            td_shot display-16-keyboard-held-elsewhere
            wait "$gpid"
            sleep 0.5
            got=$(dlx "$xgrab" 2>&1)
            local held taken
            held=$(td_sql "SELECT count(*) FROM journal WHERE type='keyboard_lock' AND data='held by another program'")
            taken=$(td_sql "SELECT count(*) FROM journal WHERE type='keyboard_lock' AND data='taken back'")
            if [ "$(cat "$T/xgrab.out")" = grabbed ] && [ "$held" -ge 1 ] && [ "$taken" -ge 1 ] && [ "$got" = "refused: AlreadyGrabbed" ] && td_held; then
                pass "a keyboard held by another program at start: alert journaled, keyboard taken as soon as it is let go (see display-16)"
            else
                fail "a keyboard held by another program at start: alert, then taken back"                     "hostile: $(cat "$T/xgrab.out"); journal held=$held taken=$taken; xgrab afterwards: $got; $TD_WHY"
            fi
            kill -TERM "$TD_KPID"; td_wait_exit "$TD_KPID" 3 || { kill -9 "$TD_KPID"; wait "$TD_KPID"; } 2>/dev/null
        else
            kill "$gpid" 2>/dev/null; wait "$gpid" 2>/dev/null
            fail "a keyboard held by another program at start: the kiosk opens its window" "$(tail -5 "$T/kiosk.log")"
        fi
    else
        fail "restart after the crash: the kiosk opens its window again" "$(tail -5 "$T/kiosk.log")"
    fi

    # ---- the lab PC's session script (tools/labpc/kiosk-session.sh) on Xvfb
    td_session_script

    echo "  (real-display test: $(($(dl_ms) - t_start)) ms; screenshots in build/display-shots/)"
}

# the last SetCursorRect the kiosk sent fcitx5, as "x y w h"
td_last_rect() {
    sleep 0.1
    awk '/member=SetCursorRect/{n=0; v=""; next} /^ *int32 /{v=v " " $2; n++; if (n==4) last=v} END{print substr(last, 2)}' "$T/rects.log"
}

# the points (tenths) the saved answers earn by the paper's keys: objective items only
td_expected_score() {
    local total=0 n id type pts ans item got
    while IFS=$'\t' read -r n id type pts ans; do
        case "$n" in '#'*) continue ;; esac
        item=$((n - 1))
        got=$(td_resp "$item")
        case "$type" in
        fill) got=$(printf '%s' "$got" | tr '\037' '\t') ;;
        numeric|order|match) ;;
        *) continue ;;
        esac
        if [ -n "$got" ] && [ "$got" = "$ans" ]; then
            local whole=${pts%.*} frac=0
            [[ "$pts" == *.* ]] && frac=${pts#*.}
            total=$((total + whole * 10 + frac))
        fi
    done <"$T/paper.tsv"
    echo "$total"
}

# the session script did not stop: kill it and whatever it logged having started
td_session_kill() {
    kill -9 "$1" 2>/dev/null; wait "$1" 2>/dev/null
    local p
    for p in $(grep -o '^kiosk-session: .*(pid [0-9]*' "$T/session.log" | grep -o '[0-9]*$' | sort -rn); do
        kill -9 "$p" 2>/dev/null
    done
}

td_session_script() {
    local name="lab-PC session script (tools/labpc/kiosk-session.sh, X server = Xvfb): X, D-Bus, fcitx5 pinyin and the kiosk come up; SIGTERM stops them all"
    local sd="$T/session" sdata="$T/session-data"
    mkdir -p "$sd/run"; chmod 700 "$sd/run"
    new_kiosk "$sdata" "$T/auth" "$T/practical.pack" "$T/room.roster"
    env -i PATH="$PATH" HOME="$sd" XDG_RUNTIME_DIR="$sd/run" LANG=C.UTF-8 \
        KIOSK_XSERVER=Xvfb KIOSK_XARGS="-screen 0 1366x768x24 -nolisten tcp" KIOSK_DISPLAY="" \
        KIOSK_BIN="$KIOSK" KIOSK_DATA="$sdata" \
        bash "$ROOT/tools/labpc/kiosk-session.sh" >"$T/session.log" 2>&1 &
    local spid=$!
    DL_PIDS+=("$spid")
    _td_sess_up() { grep -q '^kiosk-session: kiosk running' "$T/session.log"; }
    local why=""
    if dl_wait_for 20 _td_sess_up; then
        local disp bus xa
        disp=$(sed -n 's/^kiosk-session: X server ready on \(:[0-9]*\).*/\1/p' "$T/session.log" | head -1)
        xa=$(sed -n 's/^kiosk-session: X server ready on .*XAUTHORITY=\([^)]*\)).*/\1/p' "$T/session.log" | head -1)
        bus=$(sed -n 's/^kiosk-session: D-Bus session bus \(.*\)$/\1/p' "$T/session.log" | head -1)
        local kw=""
        _td_skw() { kw=$(DISPLAY=$disp XAUTHORITY=$xa xdotool search --onlyvisible --classname kiosk 2>/dev/null | head -1); [ -n "$kw" ]; }
        dl_wait_for 10 _td_skw || why="$why no kiosk window on $disp;"
        local ic=""
        _td_sic() { ic=$(DBUS_SESSION_BUS_ADDRESS=$bus gdbus call --session -d org.fcitx.Fcitx5 -o /controller \
            -m org.fcitx.Fcitx.Controller1.DebugInfo 2>/dev/null | grep -o 'program:kiosk frontend:dbus'); [ -n "$ic" ]; }
        dl_wait_for 5 _td_sic || why="$why fcitx5 has no D-Bus input context of the kiosk;"
        DBUS_SESSION_BUS_ADDRESS=$bus gdbus call --session -d org.fcitx.Fcitx5 -o /controller \
            -m org.fcitx.Fcitx.Controller1.InputMethodGroupInfo Default 2>/dev/null | grep -q "'pinyin'" || why="$why pinyin not in fcitx5's group;"
        grep -q "DISPLAY=$disp " "$sd/run/exam-kiosk-session.env" 2>/dev/null || why="$why no session env file with DISPLAY=$disp;"
        [ -n "$kw" ] && DISPLAY=$disp XAUTHORITY=$xa import -window root "$T/shots/display-15-session-script.png" 2>/dev/null
        local t0; t0=$(dl_ms)
        kill -TERM "$spid"
        if td_wait_exit "$spid" 6; then
            [ "$TD_RC" -eq 0 ] || why="$why session script exit $TD_RC after SIGTERM;"
            local xp kp
            xp=$(sed -n 's/^kiosk-session: X server ready on .*(pid \([0-9]*\),.*/\1/p' "$T/session.log" | head -1)
            kp=$(sed -n 's/^kiosk-session: kiosk running (pid \([0-9]*\)).*/\1/p' "$T/session.log" | head -1)
            { [ -n "$xp" ] && kill -0 "$xp" 2>/dev/null; } && why="$why X (pid $xp) still running;"
            { [ -n "$kp" ] && kill -0 "$kp" 2>/dev/null; } && why="$why the kiosk (pid $kp) still running;"
            [ -n "$(ls -A "$sd/run" 2>/dev/null | grep exam-kiosk-session)" ] && why="$why its session directory is left behind;"
            grep -q '^kiosk-session: kiosk exited with status 0' "$T/session.log" || why="$why the kiosk did not exit 0;"
        else
            why="$why session script still running 6 s after SIGTERM;"
            td_session_kill "$spid"
        fi
        [ -z "$why" ] && { pass "$name (stopped in $(($(dl_ms) - t0)) ms)"; return; }
    else
        why="the kiosk did not come up within 20 s"
        kill -TERM "$spid" 2>/dev/null; td_wait_exit "$spid" 6 || td_session_kill "$spid"
    fi
    fail "$name" "$why $(tail -4 "$T/session.log" | tr '\n' ' ')"
}

td_main
dl_stop
rm -rf "$TD_OUT"; mkdir -p "$TD_OUT"; cp "$TD_SHOTS"/*.png "$TD_OUT"/ 2>/dev/null
