# End-to-end: the room console, first slice (issue 12). A real `examroom
# serve` on 127.0.0.1 (started and stopped by its PID, as hub_lib.sh), kiosk
# data directories made by `examsync init` saying hello with their device
# keys (tests/tools/room_hello signs, curl posts), the invigilators' log-in,
# seat map and confirm through curl with a cookie jar, and the logged-in
# page rendered by headless Chromium at 1366x768 (the screenshot is kept in
# build/e2e-shots/room_console.png).
T=$(new_tmp)
ROOMBIN="$BIN/examroom"
EP="$BIN/exampack"
SYNC="$BIN/examsync"
HELLO="${TEST_TOOLS_DIR:-$ROOT/build/release/testtools}/room_hello"
SITE=广州天河考点
PW='jiankao-2026'
ROOM_PID="" ROOM_WD="" ROOM_URL=""
SHOTDIR="$ROOT/build/e2e-shots"

room_stop() {
    if [ -n "$ROOM_PID" ]; then kill -TERM "$ROOM_PID" 2>/dev/null; wait "$ROOM_PID" 2>/dev/null; fi
    if [ -n "$ROOM_WD" ]; then kill "$ROOM_WD" 2>/dev/null; wait "$ROOM_WD" 2>/dev/null; fi
    ROOM_PID="" ROOM_WD=""
}
at_exit room_stop
room_answers() {
    kill -0 "$ROOM_PID" 2>/dev/null || return 0
    curl -fsS -m 2 "http://127.0.0.1:$1/v1/health" >"$T/health" 2>/dev/null
}
# room_start DIR: serves DIR on a free port of 127.0.0.1; sets ROOM_PID, ROOM_URL;
# a watchdog kills it if this shell dies or after 240 s
room_start() {
    local port try
    for try in $(seq 1 25); do
        port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
        "$ROOMBIN" serve --data "$1" --listen "127.0.0.1:$port" >>"$T/room.log" 2>&1 &
        ROOM_PID=$!
        if wait_for 5 room_answers "$port" && kill -0 "$ROOM_PID" 2>/dev/null; then
            sleep 0.1
            if kill -0 "$ROOM_PID" 2>/dev/null; then
                ROOM_URL="http://127.0.0.1:$port"
                local pid=$ROOM_PID parent=$$
                ( end=$((SECONDS + 240))
                  while kill -0 "$parent" 2>/dev/null && [ "$SECONDS" -lt "$end" ]; do sleep 1; done
                  kill -9 "$pid" 2>/dev/null ) &
                ROOM_WD=$!
                return 0
            fi
        fi
        kill "$ROOM_PID" 2>/dev/null; wait "$ROOM_PID" 2>/dev/null; ROOM_PID=""
    done
    return 1
}

# hello DIR [room_hello options]: posts DIR's hello; sets CODE (HTTP status) and BODY
hello() {
    local d=$1; shift
    "$HELLO" "$d" "$@" >"$T/hello.json" || { CODE=000 BODY=""; return; }
    CODE=$(curl -s -o "$T/hello.out" -w '%{http_code}' -H 'Content-Type: application/json' \
        --data-binary @"$T/hello.json" "$ROOM_URL/v1/seat/hello")
    BODY=$(cat "$T/hello.out")
}
has() { grep -qF -- "$2" "$1"; }

"$EP" keygen --out "$T/auth" >/dev/null

# ---- init ---------------------------------------------------------------------------
RD="$T/room"
run "$ROOMBIN" init --data "$RD" --pub "$T/auth/authority.pub" --site "$SITE" --room 01 <<<"$PW"
check "examroom init creates the console" expect_rc 0
check "the data directory is 0700" test "$(stat -c %a "$RD")" = 700
check "room.db and console.key are 0600" test "$(stat -c %a "$RD/room.db") $(stat -c %a "$RD/console.key")" = "600 600"
check "console.pub is there" has "$RD/console.pub" "exam-room-console-pub v1"
pw_stored() {
    sqlite3 "$RD/room.db" "SELECT value FROM config WHERE key='password'" | grep -q '^[$]argon2id[$]' &&
        ! grep -qaF -- "$PW" "$RD/room.db"
}
check_msg "the password is kept as an Argon2id verifier, not in clear" "room.db holds the password or no verifier" pw_stored
run "$ROOMBIN" init --data "$RD" --pub "$T/auth/authority.pub" --site "$SITE" --room 01 <<<"$PW"
check_msg "a second init over the console is refused" "rc $RC: $ERR" bash -c "[ $RC -ne 0 ] && grep -q 'already exists' '$T/err'"
run "$ROOMBIN" init --data "$T/short" --pub "$T/auth/authority.pub" --site "$SITE" --room 01 <<<"short"
check_msg "a password under 8 characters is refused, nothing left behind" "rc $RC: $ERR" \
    bash -c "[ $RC -ne 0 ] && grep -q 'at least 8' '$T/err' && [ ! -e '$T/short' ]"

# ---- kiosks -------------------------------------------------------------------------
for s in 1 2 3; do "$SYNC" init --data "$T/k$s" --pub "$T/auth/authority.pub" --site "$SITE" --room 01 --seat "$s" >/dev/null; done
"$SYNC" init --data "$T/k02" --pub "$T/auth/authority.pub" --site "$SITE" --room 02 --seat 1 >/dev/null
"$SYNC" init --data "$T/kx" --pub "$T/auth/authority.pub" --site "$SITE" --room 01 --seat 9 >/dev/null
kid() { sqlite3 "$1/kiosk.db" "SELECT value FROM meta WHERE key='kiosk_id'"; }
K1=$(kid "$T/k1") K2=$(kid "$T/k2") K3=$(kid "$T/k3")

check "the console serves on 127.0.0.1" room_start "$RD"

for s in 1 2 3; do
    hello "$T/k$s"
    check_msg "seat $s says hello: unconfirmed" "HTTP $CODE: $BODY" bash -c "[ $CODE = 200 ] && grep -q '\"state\":\"unconfirmed\"' '$T/hello.out'"
done
run "$SYNC" room --data "$T/k1" --console "$ROOM_URL" --once
check_msg "examsync room --once: the seat's own hello (its device key), still unconfirmed, exit 0" "rc=$RC $OUT $ERR" \
    eval '[ $RC -eq 0 ] && grep -q "^seat unconfirmed on the room console" "$T/out"'
run "$SYNC" room --data "$T/k02" --console "$ROOM_URL" --once
check_msg "examsync room --once from a room-02 kiosk: refused with the console's reason, exit 1" "rc=$RC $ERR" \
    eval '[ $RC -eq 1 ] && grep -q "refused the seat (HTTP 403): wrong room" "$T/err"'
run timeout 30 "$SYNC" room --data "$T/k1" --console "http://127.0.0.1:9" --once
check_msg "examsync room --once with no console: unreachable, exit 1 (the kiosk never waits for it)" "rc=$RC $ERR" \
    eval '[ $RC -eq 1 ] && grep -q "unreachable" "$T/err"'
hello "$T/k1"
check_msg "a second hello of the same seat keeps it, updates its contact" "HTTP $CODE: $BODY" test "$CODE" = 200
hello "$T/k1" --key "$T/kx/device.key"
check_msg "a hello signed by another key (forged) is refused 403" "HTTP $CODE: $BODY" \
    bash -c "[ $CODE = 403 ] && grep -q 'bad signature' '$T/hello.out'"
hello "$T/k02"
check_msg "a kiosk of room 02 is refused with the reason" "HTTP $CODE: $BODY" \
    bash -c "[ $CODE = 403 ] && grep -q 'wrong room' '$T/hello.out' && grep -q 'room 02' '$T/hello.out'"
hello "$T/k2" --time $(( $(date +%s) - 3600 ))
check_msg "a stale (replayed) hello is refused" "HTTP $CODE: $BODY" bash -c "[ $CODE = 403 ] && grep -q 'stale' '$T/hello.out'"
hello "$T/kx"
check_msg "kiosk x (seat 9) says hello: unconfirmed" "HTTP $CODE: $BODY" test "$CODE" = 200
hello "$T/k3" --pk-of "$T/kx"
check_msg "seat 3's kiosk id claimed by another (validly signing) key is refused 409, duplicate" "HTTP $CODE: $BODY" \
    bash -c "[ $CODE = 409 ] && grep -q 'already paired with another device key' '$T/hello.out' && grep -q duplicate '$T/hello.out'"
CODE=$(head -c 6000 /dev/zero | tr '\0' 'a' | curl -s -o /dev/null -w '%{http_code}' --data-binary @- "$ROOM_URL/v1/seat/hello")
check_msg "a body over 4 KiB is refused 413" "HTTP $CODE" test "$CODE" = 413
CODE=$(curl -s -o "$T/hello.out" -w '%{http_code}' --data-binary '{"kiosk_id":1}' "$ROOM_URL/v1/seat/hello")
check_msg "malformed JSON is refused 400 with the expected fields" "HTTP $CODE" bash -c "[ $CODE = 400 ] && grep -q 'kiosk_id, site, room' '$T/hello.out'"

# ---- log-in ---------------------------------------------------------------------------
JAR="$T/jar"
CODE=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "$ROOM_URL/")
check_msg "the seat map without a session sends to the log-in" "got $CODE" test "$CODE" = "303 $ROOM_URL/login"
csrf_of() { sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$1" | head -1; }
curl -s -c "$JAR" -b "$JAR" -D "$T/login.h" -o "$T/login.html" "$ROOM_URL/login"
LCSRF=$(csrf_of "$T/login.html")
check "the log-in page is in Chinese with a CSRF token" bash -c "grep -q '监考员密码' '$T/login.html' && [ ${#LCSRF} = 64 ]"
CODE=$(curl -s -c "$JAR" -b "$JAR" -o /dev/null -w '%{http_code}' --data-urlencode "password=$PW" "$ROOM_URL/login")
check_msg "a log-in without the form's CSRF token is refused 403" "HTTP $CODE" test "$CODE" = 403
curl -s -c "$JAR" -b "$JAR" -o "$T/login.html" "$ROOM_URL/login"
LCSRF=$(csrf_of "$T/login.html")
CODE=$(curl -s -c "$JAR" -b "$JAR" -D "$T/in.h" -o /dev/null -w '%{http_code}' --data-urlencode "csrf=$LCSRF" \
    --data-urlencode "password=$PW" "$ROOM_URL/login")
check_msg "the right password logs in (303 to the seat map)" "HTTP $CODE" test "$CODE" = 303
check_msg "the session cookie is HttpOnly, SameSite=Strict, with an expiry" "$(grep -i set-cookie "$T/in.h")" \
    bash -c "grep -i 'set-cookie: room_session=' '$T/in.h' | grep -q 'HttpOnly; SameSite=Strict; Max-Age=28800'"
curl -s -b "$JAR" -D "$T/map.h" -o "$T/map.html" "$ROOM_URL/"
check "the seat map lists the 4 seats of room 01" bash -c "[ \$(grep -o 'class=\"seat ' '$T/map.html' | wc -l) = 4 ]"
check "seat 3 is shown as duplicate (重复) with the conflict" bash -c "grep -q 'class=\"seat duplicate\" id=\"seat-$K3\"' '$T/map.html' && grep -q '也声称是此考机' '$T/map.html'"
check "seats 1 and 2 are unconfirmed (未确认) with a confirm button each" \
    bash -c "grep -q 'class=\"seat unconfirmed\" id=\"seat-$K1\"' '$T/map.html' && [ \$(grep -o '确认座位' '$T/map.html' | wc -l) = 3 ]"
check "the page has no script and no external asset, and a strict CSP" \
    bash -c "! grep -qiE '<script|src=|href=\"http|@import' '$T/map.html' && grep -qi \"content-security-policy: default-src 'none'\" '$T/map.h'"
CSRF=$(csrf_of "$T/map.html")
CODE=$(curl -s -b "$JAR" -o /dev/null -w '%{http_code}' --data "kiosk_id=$K2" "$ROOM_URL/seat/confirm")
check_msg "a confirm without the CSRF token is refused 403" "HTTP $CODE" test "$CODE" = 403
CODE=$(curl -s -b "$JAR" -o /dev/null -w '%{http_code}' --data "kiosk_id=$K2&csrf=$LCSRF" "$ROOM_URL/seat/confirm")
check_msg "a confirm with a wrong CSRF token is refused 403" "HTTP $CODE" test "$CODE" = 403
CODE=$(curl -s -o /dev/null -w '%{http_code}' --data "kiosk_id=$K2&csrf=$CSRF" "$ROOM_URL/seat/confirm")
check_msg "a confirm without the session cookie is refused 403" "HTTP $CODE" test "$CODE" = 403
CODE=$(curl -s -b "$JAR" -o /dev/null -w '%{http_code}' --data "kiosk_id=$K2&csrf=$CSRF" "$ROOM_URL/seat/confirm")
check_msg "the confirm with the session's CSRF token is done" "HTTP $CODE" test "$CODE" = 303
CODE=$(curl -s -b "$JAR" -o "$T/c.html" -w '%{http_code}' --data "kiosk_id=$K3&csrf=$CSRF" "$ROOM_URL/seat/confirm")
check_msg "a duplicate seat cannot be confirmed" "HTTP $CODE" grep -q '不是“未确认”状态' "$T/c.html"
hello "$T/k2"
check_msg "seat 2 now hears it is confirmed" "HTTP $CODE: $BODY" grep -q '"state":"confirmed"' "$T/hello.out"
curl -s -b "$JAR" -o "$T/map.html" "$ROOM_URL/"
check "the seat map shows seat 2 confirmed (已确认)" grep -q "class=\"seat confirmed\" id=\"seat-$K2\"" "$T/map.html"

"$SYNC" init --data "$T/k2b" --pub "$T/auth/authority.pub" --site "$SITE" --room 01 --seat 2 >/dev/null
hello "$T/k2b"
check_msg "a second kiosk on seat 2 is answered duplicate" "HTTP $CODE: $BODY" grep -q '"state":"duplicate"' "$T/hello.out"
hello "$T/k2"
check_msg "and the confirmed kiosk of seat 2 becomes duplicate too (nothing goes to either)" "HTTP $CODE: $BODY" \
    grep -q '"state":"duplicate"' "$T/hello.out"
curl -s -b "$JAR" -o "$T/map.html" "$ROOM_URL/"
check "the seat map shows both kiosks of seat 2 as duplicate" \
    bash -c "[ \$(grep -o 'class=\"seat duplicate\"' '$T/map.html' | wc -l) = 3 ] && grep -q '2 号座位也被考机' '$T/map.html'"

# ---- the page in a real browser --------------------------------------------------------
# headless Chromium cannot be handed the session cookie: it renders the saved
# logged-in page (no script, no external asset: the same pixels)
if need chromium; then
    mkdir -p "$SHOTDIR"
    cp "$T/map.html" "$T/console.html"
    timeout 60 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --screenshot="$T/console.png" \
        --window-size=1366,768 "file://$T/console.html" >"$T/chromium.log" 2>&1
    check_msg "Chromium renders the seat map at 1366x768" "$(tail -3 "$T/chromium.log")" \
        bash -c "[ -s '$T/console.png' ] && file '$T/console.png' | grep -q '1366 x 768'"
    cp "$T/console.png" "$SHOTDIR/room_console.png" 2>/dev/null
    cp "$T/login.html" "$T/login_page.html"
    timeout 60 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --screenshot="$SHOTDIR/room_login.png" \
        --window-size=1366,768 "file://$T/login_page.html" >>"$T/chromium.log" 2>&1
fi

# ---- the page in a real browser: Chromium driven by selenium (tools/deps.txt: chromium-driver,
# python3-selenium; Debian's own python3, whatever python3 comes first on PATH) -----------------
if /usr/bin/python3 -c "import selenium" 2>/dev/null && command -v chromedriver >/dev/null; then
    if timeout 90 /usr/bin/python3 "$(dirname "${BASH_SOURCE[0]}")/room_browser.py" "$ROOM_URL" "$PW" \
        "$SHOTDIR/room_browser.png" >"$T/browser.out" 2>&1; then
        pass "in Chromium (selenium): log in with the form, the seat map, one seat confirmed with its button ($(tail -1 "$T/browser.out"))"
    else
        fail "the console page in Chromium (selenium): log in, confirm a seat" "$(tail -3 "$T/browser.out")"
    fi
else
    fail "the console page in Chromium (selenium)" "python3-selenium or chromium-driver missing: make deps (tools/deps.txt)"
fi

# ---- lock-out ---------------------------------------------------------------------------
J2="$T/jar2"
wrong() {
    curl -s -c "$J2" -b "$J2" -o "$T/login.html" "$ROOM_URL/login"
    curl -s -c "$J2" -b "$J2" -o "$T/wrong.html" -w '%{http_code}' --data-urlencode "csrf=$(csrf_of "$T/login.html")" \
        --data-urlencode "password=$1" "$ROOM_URL/login"
}
codes=""
for i in 1 2 3 4 5; do codes="$codes $(wrong nicht-das-passwort)"; done
check_msg "5 wrong passwords: 4 refused 403, the 5th locks the log-in (429)" "got$codes" test "$codes" = " 403 403 403 403 429"
CODE=$(wrong "$PW")
check_msg "while locked, even the right password is refused (429, seconds left shown)" "HTTP $CODE" \
    bash -c "[ $CODE = 429 ] && grep -q '秒后再试' '$T/wrong.html'"
CODE=$(curl -s -b "$JAR" -o /dev/null -w '%{http_code}' "$ROOM_URL/")
check_msg "a session opened before the lock-out stays logged in" "HTTP $CODE" test "$CODE" = 200

# ---- log-out and the journal ---------------------------------------------------------------
CODE=$(curl -s -b "$JAR" -c "$JAR" -o /dev/null -w '%{http_code}' --data "csrf=$CSRF" "$ROOM_URL/logout")
CODE2=$(curl -s -b "$JAR" -o /dev/null -w '%{http_code}' "$ROOM_URL/")
check_msg "log-out ends the session" "logout $CODE, then / $CODE2" test "$CODE $CODE2" = "303 303"
room_stop
J=$(sqlite3 -separator ' | ' "$RD/room.db" "SELECT at, actor, action, detail FROM journal ORDER BY id")
printf '%s\n' "$J" >"$T/journal"
check_msg "the room journal holds every action with its time" "$(cat "$T/journal")" bash -c "
    grep -q '| hello | kiosk $K1 seat 1' '$T/journal' && grep -q '| confirm | kiosk $K2 seat 2' '$T/journal' &&
    grep -q '| duplicate | kiosk $K3' '$T/journal' && grep -q 'hello-refused.*bad signature' '$T/journal' &&
    grep -q 'hello-refused.*wrong room' '$T/journal' && grep -q 'login-failed' '$T/journal' &&
    grep -q 'login-lockout' '$T/journal' && grep -q 'login-locked' '$T/journal' && grep -q '| logout |' '$T/journal' &&
    grep -q 'refused | confirm without a valid CSRF' '$T/journal' &&
    ! grep -qvE '^[0-9]{10} \\| ' '$T/journal'"
check_msg "the journal is append-only" "a journal row could be deleted" \
    bash -c "! sqlite3 '$RD/room.db' 'DELETE FROM journal' 2>/dev/null"
