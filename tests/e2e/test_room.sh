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
    eval '[ $RC -eq 1 ] && grep -q "refused the hello (HTTP 403): wrong room" "$T/err"'
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
check "the page's one script is its own (/console.js), no external asset, a strict CSP, a no-script reload" \
    bash -c "[ \"\$(grep -oiE '<script[^>]*>' '$T/map.html')\" = '<script src=\"/console.js\">' ] &&
        ! grep -qiE 'src=\"http|href=\"http|@import|<script>' '$T/map.html' &&
        grep -qi \"content-security-policy: default-src 'none'; script-src 'self'; connect-src 'self';\" '$T/map.h' &&
        grep -q '<noscript><meta http-equiv=\"refresh\" content=\"2\"></noscript>' '$T/map.html'"
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

# =====================================================================================
# Part 2: the room protocol (contract §3, §4, §6). A second console with the room's
# pack and roster; simulated seats (tests/tools/room_seat: reports signed with each
# kiosk's device key, the console's frames decoded with the content key, which the
# test gets from the pack and its release code); curl for the invigilators' page.
# =====================================================================================
SEATSIM="${TEST_TOOLS_DIR:-$ROOT/build/release/testtools}/room_seat"
PIN=918273645
"$EP" build --bank "$SAMPLES/theory-4.csv" --blueprint "$SAMPLES/theory-4.ini" --key "$T/auth/authority.key" \
    --out "$T/theory.pack" --kdf-ops 2 --kdf-mem 64 >"$T/theory.out"
RCODE=$(tail -1 "$T/theory.out")
"$EP" roster --csv "$SAMPLES/roster-4.csv" --key "$T/auth/authority.key" --out "$T/room.roster" \
    --site "$SITE" --room 01 --kdf-ops 1 --kdf-mem 16 >/dev/null
sed 's/,01,/,02,/' "$SAMPLES/roster-4.csv" >"$T/r02.csv"
"$EP" roster --csv "$T/r02.csv" --key "$T/auth/authority.key" --out "$T/room02.roster" \
    --site "$SITE" --room 02 --kdf-ops 1 --kdf-mem 16 >/dev/null
"$EP" keygen --out "$T/auth2" >/dev/null
"$EP" build --bank "$SAMPLES/theory-4.csv" --blueprint "$SAMPLES/theory-4.ini" --key "$T/auth2/authority.key" \
    --out "$T/other.pack" --kdf-ops 2 --kdf-mem 64 >"$T/other.out"
WRONGCODE=$(tail -1 "$T/other.out") # well-formed, but another pack's
read -r CKEY PACKID < <("$SEATSIM" key "$T/theory.pack" "$RCODE")

R2="$T/room2"
"$ROOMBIN" init --data "$R2" --pub "$T/auth/authority.pub" --site "$SITE" --room 01 <<<"$PW" >/dev/null
run "$ROOMBIN" add --data "$R2" "$T/theory.pack" "$T/room.roster"
check_msg "examroom add: the pack and the roster verify and are added" "rc=$RC $OUT $ERR" \
    eval '[ $RC -eq 0 ] && grep -q "pack $PACKID .* added" "$T/out" && grep -q "roster .*30 candidates added" "$T/out"'
run "$ROOMBIN" add --data "$R2" "$T/theory.pack"
check_msg "adding the pack again: already loaded" "rc=$RC $OUT" eval '[ $RC -eq 0 ] && grep -q "already loaded" "$T/out"'
run "$ROOMBIN" add --data "$R2" "$T/room02.roster"
check_msg "a roster of another room is refused with the reason" "rc=$RC $ERR" \
    eval '[ $RC -ne 0 ] && grep -q "roster is for site .* room 02; this console is site .* room 01" "$T/err"'
run "$ROOMBIN" add --data "$R2" "$T/other.pack"
check_msg "a pack of another authority is refused" "rc=$RC $ERR" eval '[ $RC -ne 0 ] && [ -s "$T/err" ]'
check "room.db holds one pack and one roster" test "$(sqlite3 "$R2/room.db" 'SELECT COUNT(*) FROM pack; SELECT COUNT(*) FROM roster' | tr '\n' ' ')" = "1 1 "

# seats 1-4 and two kiosks claiming seat 5
for s in 1 2 3 4 5; do "$SYNC" init --data "$T/s$s" --pub "$T/auth/authority.pub" --site "$SITE" --room 01 --seat "$s" >/dev/null; done
"$SYNC" init --data "$T/s5b" --pub "$T/auth/authority.pub" --site "$SITE" --room 01 --seat 5 >/dev/null
S1=$(kid "$T/s1") S2=$(kid "$T/s2") S3=$(kid "$T/s3") S4=$(kid "$T/s4") S5=$(kid "$T/s5")
check "the second console serves" room_start "$R2"
for d in s1 s2 s3 s4 s5 s5b; do hello "$T/$d"; done

# report DIR [room_seat options]: posts one report with ?after=$AFTER (default 0);
# sets CODE, and the answer in $T/frames
AFTER=0
report() {
    local d=$1; shift
    "$SEATSIM" report "$T/$d" "$@" >"$T/report.bin" || { CODE=000; return; }
    CODE=$(curl -s -o "$T/frames" -w '%{http_code}' -H 'Content-Type: application/octet-stream' \
        --data-binary @"$T/report.bin" "$ROOM_URL/v1/seat/report?after=$AFTER")
}
# decode DIR [options]: the frames of the last answer as seat DIR reads them (into $T/dec)
decode() { local d=$1; shift; "$SEATSIM" decode "$T/$d" --content-key "$CKEY" --pack-id "$PACKID" --pin "$PIN" "$@" <"$T/frames" >"$T/dec" 2>&1; }
# the same without the PIN check (one Argon2id run of the shipped cost, ~0.3 s, per unlock)
decode_nopin() { local d=$1; shift; "$SEATSIM" decode "$T/$d" --content-key "$CKEY" --pack-id "$PACKID" "$@" <"$T/frames" >"$T/dec" 2>&1; }
declare -A CTR
# rep DIR [options]: report with the seat's next counter
rep() { local d=$1; shift; CTR[$d]=$(( ${CTR[$d]:-0} + 1 )); report "$d" --counter "${CTR[$d]}" "$@"; }

rep s1
check_msg "an unconfirmed seat's report: 403 with the reason, no commands" "HTTP $CODE $(cat "$T/frames")" \
    bash -c "[ $CODE = 403 ] && grep -q '^unconfirmed seat' '$T/frames'"
rep s5
check_msg "a duplicate seat's report: 403 duplicate" "HTTP $CODE $(cat "$T/frames")" \
    bash -c "[ $CODE = 403 ] && grep -q '^duplicate seat' '$T/frames'"
"$SYNC" init --data "$T/s9" --pub "$T/auth/authority.pub" --site "$SITE" --room 01 --seat 9 >/dev/null
report s9 --counter 1
check_msg "a seat that never said hello: 404 unknown seat" "HTTP $CODE $(cat "$T/frames")" \
    bash -c "[ $CODE = 404 ] && grep -q '^unknown seat' '$T/frames'"
report s1 --counter 50 --sign-key "$T/s2/device.key"
check_msg "a report signed by another key: 400 with roomproto's reason" "HTTP $CODE $(cat "$T/frames")" \
    bash -c "[ $CODE = 400 ] && [ -s '$T/frames' ]"
CODE=$(printf 'garbage' | curl -s -o "$T/frames" -w '%{http_code}' --data-binary @- "$ROOM_URL/v1/seat/report?after=0")
check_msg "garbage: 400 with a one-line reason" "HTTP $CODE" bash -c "[ $CODE = 400 ] && [ \$(wc -l <'$T/frames') = 1 ]"

# log in and confirm seats 1-3 (not 4)
J3="$T/jar3"
login() {
    rm -f "$J3"
    curl -s -c "$J3" -b "$J3" -o "$T/login.html" "$ROOM_URL/login"
    curl -s -c "$J3" -b "$J3" -o /dev/null -w '%{http_code}' --data-urlencode "csrf=$(csrf_of "$T/login.html")" \
        --data-urlencode "password=$PW" "$ROOM_URL/login" >"$T/login.code"
    curl -s -b "$J3" -o "$T/map.html" "$ROOM_URL/"
    C3=$(csrf_of "$T/map.html")
}
login
for k in $S1 $S2 $S3; do curl -s -b "$J3" -o /dev/null --data "kiosk_id=$k&csrf=$C3" "$ROOM_URL/seat/confirm"; done
rep s1
check_msg "a confirmed seat before the unlock: 200, no frames" "HTTP $CODE $(wc -c <"$T/frames") bytes" \
    bash -c "[ $CODE = 200 ] && [ ! -s '$T/frames' ]"

# ---- the unlock ---------------------------------------------------------------------
post() { curl -s -b "$J3" -o "$T/post.html" -w '%{http_code}' "$@"; }
CODE=$(post --data-urlencode "csrf=$C3" --data "pack=$PACKID&code=XXXX-XXXX-XXXX-XXXX-XXXX&pin=$PIN&pin2=$PIN&confirm=1" "$ROOM_URL/unlock")
check_msg "a mistyped release code is refused before the KDF" "HTTP $CODE" grep -q '发布码有误' "$T/post.html"
CODE=$(post --data-urlencode "csrf=$C3" --data-urlencode "code=$WRONGCODE" --data "pack=$PACKID&pin=$PIN&pin2=$PIN&confirm=1" "$ROOM_URL/unlock")
check_msg "another pack's code is refused after the KDF" "HTTP $CODE" grep -q '发布码不正确' "$T/post.html"
CODE=$(post --data-urlencode "csrf=$C3" --data-urlencode "code=$RCODE" --data "pack=$PACKID&pin=$PIN&pin2=12345678&confirm=1" "$ROOM_URL/unlock")
check_msg "two different PINs are refused" "HTTP $CODE" grep -q '两次输入的监考密码不一致' "$T/post.html"
CODE=$(post --data-urlencode "csrf=$C3" --data-urlencode "code=$RCODE" --data "pack=$PACKID&pin=$PIN&pin2=$PIN" "$ROOM_URL/unlock")
check_msg "an unlock without its confirm box ticked is refused" "HTTP $CODE" grep -q '请勾选' "$T/post.html"
CODE=$(post --data-urlencode "code=$RCODE" --data "pack=$PACKID&pin=$PIN&pin2=$PIN&confirm=1" "$ROOM_URL/unlock")
check_msg "an unlock without the CSRF token is refused 403" "HTTP $CODE" test "$CODE" = 403
check "nothing unlocked yet: no command" test "$(sqlite3 "$R2/room.db" 'SELECT COUNT(*) FROM command')" = 0
t0=$(date +%s%N)
CODE=$(post --data-urlencode "csrf=$C3" --data-urlencode "code=$RCODE" --data "pack=$PACKID&pin=$PIN&pin2=$PIN&confirm=1" "$ROOM_URL/unlock")
t1=$(date +%s%N)
check_msg "the release code typed once unlocks the room ($(( (t1 - t0) / 1000000 )) ms: one KDF, one PIN verifier)" \
    "HTTP $CODE $(grep -o 'class="msg">[^<]*' "$T/post.html")" test "$CODE" = 303
check "one UNLOCK per confirmed seat (1-3), none for the unconfirmed or duplicate seats" \
    test "$(sqlite3 "$R2/room.db" "SELECT group_concat(target, ' ') FROM (SELECT target FROM command WHERE type='unlock' ORDER BY target)")" = \
    "$(printf '%s\n' "$S1" "$S2" "$S3" | sort | tr '\n' ' ' | sed 's/ $//')"
check_msg "the content key is nowhere in room.db in clear" "found it" bash -c "! sqlite3 '$R2/room.db' .dump | grep -qi '$CKEY'"
for d in s1 s2 s3; do
    rep "$d"
    decode "$d"
    check_msg "seat $d: the active tickets first, then its unlock: the box opens with its key only, the key opens the pack, the PIN verifier matches, the MAC holds" \
        "HTTP $CODE $(cat "$T/dec")" bash -c "[ $CODE = 200 ] && head -1 '$T/dec' | grep -q '^active mac=ok' &&
            grep -q '^#[0-9]* unlock target=$(kid "$T/$d") mac=ok box=ok key=ok pin=ok$' '$T/dec' && grep -q '^frames 2 ' '$T/dec'"
done
cp "$T/frames" "$T/s3.frames"
"$SEATSIM" decode "$T/s1" --content-key "$CKEY" --pack-id "$PACKID" <"$T/s3.frames" >"$T/dec"
check_msg "seat 3's unlock read by seat 1: the box does not open, the MAC is not for it" "$(cat "$T/dec")" \
    grep -q "unlock target=$S3 mac=meant for another seat.* box=sealed unlock does not open" "$T/dec"
rep s4
check "the unconfirmed seat 4 still gets nothing after the unlock (403)" test "$CODE" = 403
curl -s -b "$J3" -o /dev/null --data "kiosk_id=$S4&csrf=$C3" "$ROOM_URL/seat/confirm"
rep s4
decode s4
check_msg "seat 4 confirmed after the unlock gets its own unlock" "HTTP $CODE $(cat "$T/dec")" \
    grep -q "unlock target=$S4 mac=ok box=ok key=ok pin=ok" "$T/dec"

# ---- live seat map: logged-in candidates, names, answered counts ------------------------
rep s1 --phase 5 --pack-id "$PACKID" --content-key "$CKEY" --ticket 2026114401001 --name 李嘉欣 --answered 5 --total 40 \
    --left 3000000 --count 20 --last-command 1
rep s2 --phase 5 --pack-id "$PACKID" --content-key "$CKEY" --ticket 2026114401002 --answered 1 --total 40 --count 10
curl -s -b "$J3" -o "$T/live.html" "$ROOM_URL/seats"
check "the live seat table (GET /seats): seat 1's ticket, name (from the name box) and answered 5/40" \
    bash -c "grep -q '2026114401001 <span class=\"name\">李嘉欣</span>' '$T/live.html' && grep -q '5/40' '$T/live.html'"
rep s1 --phase 5 --pack-id "$PACKID" --content-key "$CKEY" --ticket 2026114401001 --name 李嘉欣 --answered 6 --total 40 \
    --left 2990000 --count 21 --last-command 1
curl -s -b "$J3" -o "$T/live.html" "$ROOM_URL/seats"
check "the next report moves it to 6/40" grep -q '6/40' "$T/live.html"
CODE=$(curl -s -o /dev/null -w '%{http_code}' "$ROOM_URL/seats")
check "the live table needs a log-in" test "$CODE" = 403
rep s3 --phase 5 --pack-id "$PACKID" --content-key "$CKEY" --ticket 2026114401001 --answered 0 --total 40 --count 5
decode s3
check_msg "a ticket logged in on two seats: both kiosks in the active tickets the seats get" "$(cat "$T/dec")" \
    bash -c "grep '^active mac=ok' '$T/dec' | grep -q '$S1' && grep '^active mac=ok' '$T/dec' | grep -q '$S3'"
curl -s -b "$J3" -o "$T/live.html" "$ROOM_URL/seats"
check "and the seat map shows 同一考生在两个座位 on both" test "$(grep -o '同一考生在两个座位' "$T/live.html" | wc -l)" = 2
rep s3 --phase 2 --pack-id "$PACKID" --count 6
check "the roster's candidates not logged in anywhere are listed (28 of 30)" \
    bash -c "curl -s -b '$J3' '$ROOM_URL/seats' | grep -q '未登录考生（28 / 30）'"

# ---- replays and the head mirror ---------------------------------------------------------
cp "$T/report.bin" "$T/old.bin"
CODE=$(curl -s -o "$T/frames" -w '%{http_code}' --data-binary @"$T/old.bin" "$ROOM_URL/v1/seat/report?after=0")
check_msg "a replayed report is ignored (409, the reason)" "HTTP $CODE $(cat "$T/frames")" \
    bash -c "[ $CODE = 409 ] && grep -q 'not above the last one accepted' '$T/frames'"
report s1 --counter 2 --phase 5 --pack-id "$PACKID" --content-key "$CKEY" --ticket 2026114401001 --answered 40 --total 40 --count 99
check "an old report (lower counter) is ignored: 409" test "$CODE" = 409
curl -s -b "$J3" -o "$T/live.html" "$ROOM_URL/seats"
check "and the seat map still shows 6/40" grep -q '6/40' "$T/live.html"
rep s2 --phase 5 --pack-id "$PACKID" --count 10 --head "$(printf 'ab%.0s' $(seq 32))"
check "a report whose head differs at the same journal count is still recorded (200)" test "$CODE" = 200
curl -s -b "$J3" -o "$T/live.html" "$ROOM_URL/seats"
check "the seat map flags seat 2: 日志分歧" bash -c "grep -o 'id=\"seat-$S2\".*' '$T/live.html' | head -c 3000 | grep -q '日志分歧'"
check "the divergence is in the room journal" bash -c "sqlite3 '$R2/room.db' \"SELECT detail FROM journal WHERE action='diverged'\" | grep -q '$S2'"
check "seat 1's heads are kept one per change of count (20, 21), with the console's time" \
    test "$(sqlite3 "$R2/room.db" "SELECT group_concat(count, ' ') FROM mirror WHERE kiosk_id='$S1' AND count > 0")" = "20 21"

# ---- actions: CSRF, the confirm step, the command each makes ------------------------------
ncmd() { sqlite3 "$R2/room.db" 'SELECT COUNT(*) FROM command'; }
n0=$(ncmd)
CODE=$(post --data "action=pause_all&scope=all&confirm=1" "$ROOM_URL/action")
check "an action without the CSRF token is refused 403, no command" bash -c "[ $CODE = 403 ] && [ $(ncmd) = $n0 ]"
CODE=$(post --data "csrf=$C3&action=pause_all&scope=all" "$ROOM_URL/action")
check_msg "pause all, first step: a confirm page, no command yet" "HTTP $CODE" \
    bash -c "[ $CODE = 200 ] && grep -q '请确认操作' '$T/post.html' && grep -q '全部暂停' '$T/post.html' &&
        grep -q 'name=\"confirm\" value=\"1\"' '$T/post.html' && [ $(ncmd) = $n0 ]"
act() { post --data "csrf=$C3&confirm=1" "$@" "$ROOM_URL/action" >/dev/null; }
act --data "action=pause_all&scope=all"
act --data "action=resume_all&scope=all"
act --data "action=extend&scope=selected&seat=$S1&seat=$S2&minutes=15" --data-urlencode "reason=设备故障 <b>&\"'"
act --data "action=extend&scope=all&minutes=5" --data-urlencode "reason=考场环境干扰"
CODE=$(post --data "csrf=$C3&action=extend&scope=all&minutes=601&confirm=1" --data-urlencode "reason=x" "$ROOM_URL/action")
check "an extension over 600 minutes is refused on the page" grep -q '延长时间须为 1–600 分钟' "$T/post.html"
CODE=$(post --data "csrf=$C3&action=extend&scope=selected&seat=$S5&minutes=5&confirm=1" --data-urlencode "reason=x" "$ROOM_URL/action")
check "an action on a duplicate seat is refused" grep -q '只能对已确认的座位操作' "$T/post.html"
act --data "action=close_entry&scope=all"
act --data "action=force_handin&seat=$S3"
act --data "action=lock&scope=all"
act --data "action=authorise_resume&seat=$S2"
sqlite3 -separator ' ' "$R2/room.db" "SELECT counter, type, CASE target WHEN '' THEN 'all' ELSE target END FROM command WHERE counter > $n0 ORDER BY counter" >"$T/cmds"
cat >"$T/want" <<W
$((n0 + 1)) pause_all all
$((n0 + 2)) resume_all all
$((n0 + 3)) extend $S1
$((n0 + 4)) extend $S2
$((n0 + 5)) extend all
$((n0 + 6)) close_entry all
$((n0 + 7)) force_handin $S3
$((n0 + 8)) lock all
$((n0 + 9)) authorise_resume $S2
W
check_msg "every action made the expected command, one counter each, in order" "$(diff "$T/want" "$T/cmds")" cmp -s "$T/want" "$T/cmds"
check "close entry marked absent exactly the 28 roster candidates never logged in" \
    test "$(sqlite3 "$R2/room.db" "SELECT COUNT(*), SUM(ticket IN ('2026114401001','2026114401002')) FROM absent")" = "28|0"
AFTER=$n0 rep s1 --phase 5 --pack-id "$PACKID" --content-key "$CKEY" --ticket 2026114401001 --answered 6 --total 40 --count 22
AFTER=$n0 decode s1 --last "$n0"
check_msg "seat 1 gets, after=N, the room's commands for it or for all, MAC'd for it: no other seat's" "$(cat "$T/dec")" \
    bash -c "grep -q '^#$((n0 + 1)) pause_all target=all mac=ok$' '$T/dec' && grep -q '^#$((n0 + 2)) resume_all target=all mac=ok$' '$T/dec' &&
        grep -q '^#$((n0 + 3)) extend target=$S1 mac=ok minutes=15 reason=设备故障 <b>&\"'\\''$' '$T/dec' &&
        grep -q '^#$((n0 + 5)) extend target=all mac=ok minutes=5' '$T/dec' && grep -q 'close_entry target=all mac=ok' '$T/dec' &&
        grep -q 'lock target=all mac=ok' '$T/dec' && ! grep -v '^active' '$T/dec' | grep -q '$S2\|$S3' && grep -q '^frames 7 ' '$T/dec'"
AFTER=$((n0 + 8)) rep s2 --phase 8 --flags 32 --pack-id "$PACKID" --count 12
AFTER=$((n0 + 8)) decode s2
check_msg "seat 2's authorised resume carries a box that opens with its key (the content key, the PIN verifier)" "$(cat "$T/dec")" \
    grep -q "^#$((n0 + 9)) authorise_resume target=$S2 mac=ok box=ok key=ok pin=ok" "$T/dec"
post --data "csrf=$C3&action=extend&scope=selected&seat=$S1&minutes=15" --data-urlencode "reason=设备故障 <b>&\"'" "$ROOM_URL/action" >/dev/null
check "every field is escaped (the extension reason's <b> on the confirm page shows as text)" \
    bash -c "grep -q '设备故障 &lt;b&gt;&amp;&quot;&#39;' '$T/post.html' && ! grep -q '设备故障 <b>' '$T/post.html'"

# ---- a console restart: the queue stays; new commands need a log-in ------------------------
room_stop
check "the second console restarts" room_start "$R2"
AFTER=0 rep s1 --phase 5 --pack-id "$PACKID" --count 23
AFTER=0 decode s1
check_msg "after a restart, without a log-in, the commands already made are still delivered (no key needed)" "$(cat "$T/dec")" \
    bash -c "grep -q 'unlock target=$S1 mac=ok box=ok' '$T/dec' && grep -q 'pause_all target=all mac=ok' '$T/dec' && ! grep -q '^active' '$T/dec'"
CODE=$(post --data "csrf=$C3&action=pause_all&scope=all&confirm=1" "$ROOM_URL/action")
check "the old session is gone: an action is refused 403" test "$CODE" = 403
login
check_msg "the log-in unwraps the content key (journal key-restored), the page is unlocked again" "$(grep -o 'class="msg">[^<]*' "$T/map.html")" \
    bash -c "grep -q '已解锁：' '$T/map.html' && sqlite3 '$R2/room.db' \"SELECT action FROM journal ORDER BY id DESC LIMIT 3\" | grep -q key-restored"
n1=$(ncmd)
act --data "action=pause_all&scope=all"
AFTER=$n1 rep s1 --phase 6 --pack-id "$PACKID" --count 24
AFTER=$n1 decode s1 --last "$n1"
check_msg "a new command after the log-in is MAC'd with the same content key, and the active tickets are back" "$(cat "$T/dec")" \
    bash -c "grep -q '^#$((n1 + 1)) pause_all target=all mac=ok' '$T/dec' && grep -q '^active mac=ok' '$T/dec'"

# ---- the room record -----------------------------------------------------------------------
run "$ROOMBIN" report --data "$R2" --out "$T/room.record"
check_msg "examroom report writes the room record (0600)" "rc=$RC $ERR" \
    bash -c "[ $RC = 0 ] && [ \$(stat -c %a '$T/room.record') = 600 ] && head -1 '$T/room.record' | grep -qx 'exam-room-record v1'"
run "$ROOMBIN" verify-record --pub "$R2/console.pub" "$T/room.record"
check_msg "verify-record: the signature by console.pub holds" "rc=$RC $OUT $ERR" \
    eval '[ $RC -eq 0 ] && grep -q "signature good" "$T/out" && grep -q "28 absent" "$T/out"'
sed -n 2p "$T/room.record" >"$T/body.json"
recq() { /usr/bin/python3 -c "import json,sys; b=json.load(open('$T/body.json')); print($1)"; }
check "the record: seat 2 diverged, seat 1 not; seat 1's heads 0…24 ascending with the console's ms" \
    test "$(recq "[s['diverged'] for s in b['seats'] if s['kiosk_id'] in ('$S1','$S2')] == [False, True] or [s['diverged'] for s in b['seats'] if s['kiosk_id']=='$S2'] == [True]"), $(recq "[h['count'] for s in b['seats'] if s['kiosk_id']=='$S1' for h in s['heads']][-5:]"), $(recq "all(h['at_ms'] > 1.7e12 for s in b['seats'] for h in s['heads'])")" = "True, [20, 21, 22, 23, 24], True"
check "the record: candidates sat (001, 002), 28 absent, console_pk, the pack, the journal's events" \
    test "$(recq "sorted(c['ticket'] for c in b['candidates'] if c['state']=='sat')"), $(recq "sum(c['state']=='absent' for c in b['candidates'])"), $(recq "b['packs']==['$PACKID']"), $(recq "{e['action'] for e in b['events']} >= {'unlock','pause_all','extend','close_entry','force_handin','lock','authorise_resume','diverged','absent'}")" = \
    "['2026114401001', '2026114401002'], 28, True, True"
sed '2s/"seat":1,/"seat":7,/' "$T/room.record" >"$T/tampered.record"
run "$ROOMBIN" verify-record --pub "$R2/console.pub" "$T/tampered.record"
check_msg "a tampered record does not verify" "rc=$RC $OUT" eval '[ $RC -ne 0 ] && grep -q "bad signature" "$T/err" && ! cmp -s "$T/room.record" "$T/tampered.record"'
run "$ROOMBIN" verify-record --pub "$RD/console.pub" "$T/room.record"
check_msg "nor with another console's key" "rc=$RC $ERR" eval '[ $RC -ne 0 ] && grep -q "bad signature" "$T/err"'
CODE=$(curl -s -b "$J3" -o "$T/page.record" -w '%{http_code}' "$ROOM_URL/record")
"$ROOMBIN" verify-record --pub "$R2/console.pub" "$T/page.record" >"$T/out" 2>&1
check_msg "the page's 下载考场记录 (GET /record) gives a record that verifies" "HTTP $CODE $(cat "$T/out")" grep -q 'signature good' "$T/out"
room_stop

# =====================================================================================
# Part 3: the exam-day flow in Chromium (selenium) on a third console while three
# simulated seats report every 0.4 s (seat 1's answered count rises; a seat that gets
# pause_all reports itself paused): log in, confirm the seats, unlock with the form,
# watch the count move on the same page, pause all through its confirm step, fetch
# the room record. Screenshots at 1366x768 in build/e2e-shots/room_*.png.
# =====================================================================================
R3="$T/room3"
"$ROOMBIN" init --data "$R3" --pub "$T/auth/authority.pub" --site "$SITE" --room 01 <<<"$PW" >/dev/null
"$ROOMBIN" add --data "$R3" "$T/theory.pack" "$T/room.roster" >/dev/null
for s in 1 2 3; do "$SYNC" init --data "$T/b$s" --pub "$T/auth/authority.pub" --site "$SITE" --room 01 --seat "$s" >/dev/null; done
check "the third console serves" room_start "$R3"
for s in 1 2 3; do hello "$T/b$s"; done
NAMES=(李嘉欣 苏伟雄 蔡燕萍)
# one seat's loop: report, read the frames as the seat would, follow pause/resume
sim_seat() {
    local s=$1 d="$T/b$1" i=0 after=0 phase=2 flags=0 answered=0 code
    while [ ! -e "$T/sim.stop" ]; do
        i=$((i + 1))
        [ "$s" = 1 ] && [ $phase = 5 ] && answered=$(( answered < 40 ? answered + 1 : 40 ))
        "$SEATSIM" report "$d" --counter $i --phase $phase --flags $flags --pack-id "$PACKID" --content-key "$CKEY" \
            --ticket "202611440100$s" --name "${NAMES[$((s - 1))]}" --answered $answered --total 40 \
            --left $(( 3600000 - i * 400 )) --count $((i + 10)) --last-command $after >"$T/sim$s.bin" 2>/dev/null
        code=$(curl -s -m 2 -o "$T/sim$s.frames" -w '%{http_code}' --data-binary @"$T/sim$s.bin" \
            "$ROOM_URL/v1/seat/report?after=$after")
        if [ "$code" = 200 ] && [ -s "$T/sim$s.frames" ]; then
            "$SEATSIM" decode "$d" --content-key "$CKEY" --pack-id "$PACKID" --last $after <"$T/sim$s.frames" >"$T/sim$s.dec" 2>/dev/null
            grep -q ' unlock .*mac=ok box=ok key=ok' "$T/sim$s.dec" && [ $phase = 2 ] && phase=5
            grep -q ' pause_all .*mac=ok' "$T/sim$s.dec" && phase=6 flags=4
            grep -q ' resume_all .*mac=ok' "$T/sim$s.dec" && phase=5 flags=0
            after=$(sed -n 's/^frames [0-9]* last //p' "$T/sim$s.dec")
            echo "$after" >"$T/sim$s.after"
        fi
        sleep 0.4
    done
}
rm -f "$T/sim.stop"
SIMS=()
for s in 1 2 3; do sim_seat $s & SIMS+=($!); done
sim_stop() { touch "$T/sim.stop"; for p in "${SIMS[@]}"; do wait "$p" 2>/dev/null; done; SIMS=(); }
at_exit sim_stop
if /usr/bin/python3 -c "import selenium" 2>/dev/null && command -v chromedriver >/dev/null; then
    mkdir -p "$SHOTDIR"
    if timeout 150 /usr/bin/python3 "$(dirname "${BASH_SOURCE[0]}")/room_browser.py" --room "$ROOM_URL" "$PW" "$RCODE" "$PIN" \
        "$SHOTDIR" "$T/browser.record" >"$T/browser.out" 2>&1; then
        pass "in Chromium: log in, confirm the seats, unlock, seat 1's answered count moves on the same page, pause all (confirm step), the room record ($(grep -o 'answered .* s' "$T/browser.out"))"
    else
        fail "the exam-day flow in Chromium (selenium)" "$(tail -5 "$T/browser.out")"
    fi
    sim_stop
    check "the browser's unlock sent every seat its unlock, and its pause all one pause_all" \
        test "$(sqlite3 "$R3/room.db" "SELECT SUM(type='unlock'), SUM(type='pause_all') FROM command")" = "3|1"
    check_msg "every simulated seat took its unlock and the pause (the commands it read verified)" \
        "$(cat "$T"/sim?.dec 2>/dev/null | head -5)" \
        bash -c "for s in 1 2 3; do [ \"\$(cat '$T'/sim\$s.after)\" -ge 4 ] || exit 1; done"
    "$ROOMBIN" verify-record --pub "$R3/console.pub" "$T/browser.record" >"$T/out" 2>&1
    check_msg "the record fetched in the browser verifies" "$(cat "$T/out")" grep -q 'signature good' "$T/out"
else
    fail "the exam-day flow in Chromium (selenium)" "python3-selenium or chromium-driver missing: make deps (tools/deps.txt)"
fi
sim_stop
room_stop

# =====================================================================================
# Part 4: a 40-seat room at the console: 40 kiosk data directories say hello, are
# confirmed, and one unlock reaches all of them (each seat's next report gets its box,
# which opens with its own key); the 40-seat map rendered at 1366x768.
# =====================================================================================
R4="$T/room4"
"$ROOMBIN" init --data "$R4" --pub "$T/auth/authority.pub" --site "$SITE" --room 01 <<<"$PW" >/dev/null
"$ROOMBIN" add --data "$R4" "$T/theory.pack" >/dev/null
for s in $(seq 1 40); do "$SYNC" init --data "$T/f$s" --pub "$T/auth/authority.pub" --site "$SITE" --room 01 --seat "$s" >/dev/null; done
check "the 40-seat console serves" room_start "$R4"
for s in $(seq 1 40); do hello "$T/f$s"; done
login
check "no roster yet: the page says so" grep -q '未添加考生名单' "$T/map.html"
"$ROOMBIN" add --data "$R4" "$T/room.roster" >/dev/null
login
check "a roster added while the console runs counts from the next log-in" grep -q '未登录考生（30 / 30）' "$T/map.html"
for s in $(seq 1 40); do curl -s -b "$J3" -o /dev/null --data "kiosk_id=$(kid "$T/f$s")&csrf=$C3" "$ROOM_URL/seat/confirm"; done
check "40 seats confirmed" test "$(sqlite3 "$R4/room.db" "SELECT COUNT(*) FROM seat WHERE state='confirmed'")" = 40
t0=$(date +%s%N)
CODE=$(post --data-urlencode "csrf=$C3" --data-urlencode "code=$RCODE" --data "pack=$PACKID&pin=$PIN&pin2=$PIN&confirm=1" "$ROOM_URL/unlock")
ok=0
t1=$(date +%s%N)
for s in $(seq 1 40); do
    report "f$s" --counter 1 --phase 0
    cp "$T/frames" "$T/f$s.frames"
done
t2=$(date +%s%N)
for s in $(seq 1 40); do
    cp "$T/f$s.frames" "$T/frames"
    decode_nopin "f$s"
    grep -q "unlock target=$(kid "$T/f$s") mac=ok box=ok key=ok$" "$T/dec" && ok=$((ok + 1))
done
check_msg "one unlock for 40 seats ($(( (t1 - t0) / 1000000 )) ms: the KDF, the PIN verifier, 40 boxes), then each seat's next report carries its own box, which opens with its key ($ok of 40; the 40 reports answered in $(( (t2 - t1) / 1000000 )) ms)" \
    "$ok of 40" test "$ok" = 40
for s in $(seq 1 40); do
    t=$(printf '20261144010%02d' "$s")
    report "f$s" --counter 2 --phase 5 --pack-id "$PACKID" --content-key "$CKEY" --ticket "$t" --answered $((s % 41)) --total 40 \
        --left $((3600000 - s * 60000)) --count 30 --focus $((s % 7 == 0 ? 2 : 0)) --flags $((s == 13 ? 1 : s == 27 ? 4 : 0)) --last-command 1
done
curl -s -b "$J3" -o "$T/map40.html" "$ROOM_URL/"
check "the map shows 40 confirmed seats, 40 作答中" \
    bash -c "[ \$(grep -o 'class=\"seat confirmed\"' '$T/map40.html' | wc -l) = 40 ] && grep -q '作答中 <b>40</b>' '$T/map40.html'"
if need chromium; then
    timeout 60 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --screenshot="$SHOTDIR/room_40.png" \
        --window-size=1366,768 "file://$T/map40.html" >"$T/chromium.log" 2>&1
    check "Chromium renders the 40-seat map at 1366x768" bash -c "file '$SHOTDIR/room_40.png' | grep -q '1366 x 768'"
fi
room_stop
