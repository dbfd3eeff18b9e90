# End-to-end: the hub's HTTP server under abuse (issue 11, item 13). A real
# `examhub serve` on 127.0.0.1 is attacked from 127.0.0.1 by
# tests/tools/slowloris.c: 300 connections that send their headers a byte
# at a time, 100 connections that each announce a 4 MiB result and send it
# slowly (from one address, then from ten), and one Content-Length of 10^12.
# Meanwhile the legitimate side, from another address of lo (127.0.0.2:
# curl --interface for health checks, and real kiosks' `examsync push`
# through slowloris's relay bound to 127.0.0.2), keeps being served. Prints
# the share of health checks answered, the pushes that succeeded and the
# hub's peak RSS (VmHWM) for each attack. Limits: tools/hub/server.h.
T=$(new_tmp)
. "$(dirname "${BASH_SOURCE[0]}")/kiosk_lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/hub_lib.sh"
SLOW="${TEST_TOOLS_DIR:-$ROOT/build/release/testtools}/slowloris"
ATTACK_S=14        # each attack; longer than the header deadline (10 s)
HEALTH_MIN=95      # % of health checks from the other address that must succeed
RSS_MAX_KB=65536   # the hub's peak RSS through every attack (64 MiB)
PER_ADDR=16        # SERVER_PER_ADDR
HEADER_MS=10000    # SERVER_HEADER_S
RELAY_PID="" ATTACK_PID=""
bg_stop() {
    local p
    for p in $ATTACK_PID $RELAY_PID; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    ATTACK_PID="" RELAY_PID=""
}
at_exit bg_stop

ok=1
need curl sqlite3 timeout || ok=0
[ -x "$SLOW" ] || { fail "abuse tests need $SLOW (make e2e builds it)"; ok=0; }
if [ "$ok" = 1 ] && ! curl -fsS -m 2 --interface 127.0.0.2 -o /dev/null "http://127.0.0.1:1/" 2>"$T/if.err" &&
    grep -qi "interface\|bind" "$T/if.err"; then
    fail "abuse tests need 127.0.0.2 on lo (Linux routes 127/8 there)" "$(cat "$T/if.err")"; ok=0
fi

if [ "$ok" = 1 ]; then
kiosk_setup "$T"
AUTH="$T/auth"
"$EP" paper --pub "$AUTH/authority.pub" "$T/theory.pack" --release-code "$THEORY_CODE" --seed "$SEED0" >"$T/paper.tsv"
DB="$T/hub.db"
"$HUBBIN" init --db "$DB" --pub "$AUTH/authority.pub" --results-key "$AUTH/results.key" >/dev/null
hub_start "$DB" || fail "examhub serve starts on a free 127.0.0.1 port" "$(tail -3 "$T/hub.log")"
sq() { sqlite3 -cmd ".timeout 10000" "$@"; }
hwm_kb() { awk '/^VmHWM:/ { print $2 }' "/proc/$HUB_PID/status"; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$HUB_PID/status"; }
BASE_KB=$(hwm_kb)

# the legitimate client's address: health checks with curl --interface, pushes through the relay
health() { curl -fsS -m 2 --interface 127.0.0.2 -o /dev/null "$HUB_URL/v1/health" 2>/dev/null; }
"$SLOW" relay "$HUB_PORT" 127.0.0.2 200 >"$T/relay.port" 2>"$T/relay.log" &
RELAY_PID=$!
wait_for 5 test -s "$T/relay.port"
RELAY_URL="http://127.0.0.1:$(head -1 "$T/relay.port")"
check "before any attack: GET /v1/health from 127.0.0.2 answers" health

# kiosks with one sitting each, enrolled through the relay (the hub sees 127.0.0.2)
# kiosk_with N: kiosk $T/kN, candidate N's sitting handed in, enrolled
kiosk_with() {
    local d="$T/k$1"
    new_kiosk "$d" "$AUTH" "$T/theory.pack" "$T/room.roster" || return 1
    {
        script_login "$THEORY_CODE" "$1"
        script_answers "$T/paper.tsv" right
        echo "wait 1800000"; echo "key F10"; echo "expect 确认交卷？"; echo "key Return"; echo "expect 本次考试得分：100 分"
    } >"$T/s.txt"
    KIOSK_SEED=$SEED0 "$KIOSK" --data "$d" --script "$T/s.txt" >"$T/kout" 2>"$T/kerr" || { head -3 "$T/kerr"; return 1; }
    "$SYNC" enroll --data "$d" --hub "$RELAY_URL" --token "$("$HUBBIN" token --db "$DB" | tail -1)" >"$T/eout" 2>&1 ||
        { cat "$T/eout"; return 1; }
}
for n in 1 2 3 4 5 6; do check "kiosk $n: a sitting handed in, enrolled from 127.0.0.2" kiosk_with "$n"; done
pending() { sq "$1/kiosk.db" "SELECT count(*) FROM outbox WHERE delivered IS NULL OR receipt IS NULL"; }
hub_has() { [ "$(sq "$DB" "SELECT count(*) FROM result WHERE result_id IN ($(sq "$1/kiosk.db" "SELECT group_concat(quote(result_id)) FROM outbox"))")" -ge 1 ]; }

# attack NAME "KIOSKS" SLOWLORIS-ARGS...: the attack in the background for ATTACK_S s; from its
# 1st second, a health check from 127.0.0.2 every 0.2 s, and each kiosk's push through the relay
# in turn; sets H_OK/H_N, P_OK/P_N (pushes with exit 0, nothing pending, the result at the hub),
# HWM (kB) and ATTACK (the tool's figures)
attack() {
    local name=$1 kiosks=$2; shift 2
    "$SLOW" "$@" >"$T/attack.out" 2>"$T/attack.err" &
    ATTACK_PID=$!
    sleep 1
    H_OK=0 H_N=0 P_OK=0 P_N=0
    local end=$((SECONDS + ATTACK_S - 2)) k next=$((SECONDS + 2))
    while [ "$SECONDS" -lt "$end" ]; do
        H_N=$((H_N + 1)); health && H_OK=$((H_OK + 1))
        if [ -n "$kiosks" ] && [ "$SECONDS" -ge "$next" ]; then
            k=${kiosks%% *}; [ "$k" = "$kiosks" ] && kiosks="" || kiosks=${kiosks#* }
            P_N=$((P_N + 1))
            if timeout 60 "$SYNC" push --data "$T/k$k" --hub "$RELAY_URL" >"$T/pout.$k" 2>&1 && [ "$(pending "$T/k$k")" -eq 0 ] &&
                hub_has "$T/k$k"; then P_OK=$((P_OK + 1)); else echo "  push of kiosk $k: $(tr '\n' ' ' <"$T/pout.$k")"; fi
            next=$((SECONDS + 3))
        fi
        sleep 0.2
    done
    wait "$ATTACK_PID"; ATTACK_PID=""
    HWM=$(hwm_kb)
    ATTACK=$(cat "$T/attack.out")
    echo "  figures, $name: health checks from 127.0.0.2 $H_OK/$H_N ($((100 * H_OK / (H_N ? H_N : 1))) %)," \
        "pushes $P_OK/$P_N, hub peak RSS $((HWM / 1024)) MiB (before the attacks $((BASE_KB / 1024)) MiB); $ATTACK"
}
health_ok() { [ "$H_N" -ge 20 ] && [ $((100 * H_OK)) -ge $((HEALTH_MIN * H_N)) ]; }
fig() { echo "$ATTACK" | awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }'; }

# ---- slowloris: 300 connections, headers a byte every 500 ms ------------------------------------
log0=$(wc -l <"$T/hub.log")
attack "slowloris (300 connections from 127.0.0.1)" "1 2" slow "$HUB_PORT" 300 "$ATTACK_S" 127.0.0.1
check_msg "slowloris: ≥ $HEALTH_MIN % of health checks from 127.0.0.2 answered" "$H_OK/$H_N" health_ok
check_msg "slowloris: both kiosks' examsync push from 127.0.0.2 succeeded" "$P_OK/$P_N" eval '[ $P_OK -eq 2 ] && [ $P_N -eq 2 ]'
check_msg "slowloris: at most $PER_ADDR connections from 127.0.0.1 held at once (per-address limit)" "$ATTACK" \
    eval '[ "$(fig held_max)" -ge 1 ] && [ "$(fig held_max)" -le $PER_ADDR ]'
check_msg "slowloris: no connection lived past the header deadline ($HEADER_MS ms + 1 s), the hub cut them" "$ATTACK" \
    eval '[ "$(fig oldest_ms)" -ge $HEADER_MS ] && [ "$(fig oldest_ms)" -le $((HEADER_MS + 1000)) ] && [ "$(fig cut_by_hub)" -ge $PER_ADDR ]'
log_lines=$(($(wc -l <"$T/hub.log") - log0)) log_max=$((21 * (ATTACK_S / 10 + 2)))
check_msg "slowloris: thousands of refused connections, at most 20 log lines per 10 s (+ one saying how many not shown)" \
    "$log_lines lines (at most $log_max), $ATTACK" eval '[ "$(fig opened)" -ge 1000 ] && [ "$log_lines" -le $log_max ]'

# ---- body flood: 100 × 4 MiB from 127.0.0.1 ----------------------------------------------------------
attack "4 MiB-body flood (100 connections from 127.0.0.1)" "3 4" flood "$HUB_PORT" 100 "$ATTACK_S" 127.0.0.1
check_msg "body flood from one address: ≥ $HEALTH_MIN % of health checks from 127.0.0.2 answered" "$H_OK/$H_N" health_ok
check_msg "body flood from one address: both pushes from 127.0.0.2 succeeded" "$P_OK/$P_N" eval '[ $P_OK -eq 2 ] && [ $P_N -eq 2 ]'
check_msg "body flood from one address: the hub's peak RSS stayed under $((RSS_MAX_KB / 1024)) MiB" "VmHWM $HWM kB" \
    eval '[ "$HWM" -lt $RSS_MAX_KB ]'
check_msg "body flood from one address: bodies past the address's budget answered 503 at their headers, some read whole" \
    "$ATTACK" eval '[ "$(fig s503)" -ge 100 ] && [ "$(fig other)" -ge 1 ]'

# ---- body flood: 100 × 4 MiB from ten addresses (the budget of all bodies) ---------------------------
attack "4 MiB-body flood (100 connections from 127.0.0.10-19)" "5 6" flood "$HUB_PORT" 100 "$ATTACK_S" 127.0.0.10-19
check_msg "body flood from ten addresses: ≥ $HEALTH_MIN % of health checks from 127.0.0.2 answered" "$H_OK/$H_N" health_ok
check_msg "body flood from ten addresses: both pushes from 127.0.0.2 succeeded (the small-body lane)" "$P_OK/$P_N" \
    eval '[ $P_OK -eq 2 ] && [ $P_N -eq 2 ]'
check_msg "body flood from ten addresses: the hub's peak RSS stayed under $((RSS_MAX_KB / 1024)) MiB" "VmHWM $HWM kB" \
    eval '[ "$HWM" -lt $RSS_MAX_KB ]'
check_msg "body flood from ten addresses: 503 once every body's budget was spent" "$ATTACK" eval '[ "$(fig s503)" -ge 100 ]'

# ---- 503 carries Retry-After; 413 at the headers; HEAD ---------------------------------------------------
"$SLOW" flood "$HUB_PORT" 2 6 127.0.0.5 >"$T/attack.out" 2>&1 &
ATTACK_PID=$!
sleep 1
head -c $((4 << 20)) /dev/zero >"$T/4m.bin"
code=$(curl -s -m 10 --interface 127.0.0.5 -D "$T/h503" -o "$T/b503" -w '%{http_code}' -H 'Expect: 100-continue' \
    -H 'X-Kiosk-Id: 0000000000000000' --data-binary @"$T/4m.bin" "$HUB_URL/v1/results")
check_msg "a 4 MiB result from an address already holding 8 MiB of bodies: 503, Retry-After: 5, nothing read" \
    "HTTP $code $(cat "$T/b503") $(tr '\r\n' '  ' <"$T/h503")" \
    eval '[ "$code" = 503 ] && grep -qi "^Retry-After: 5" "$T/h503" && grep -q "retry later" "$T/b503"'
wait "$ATTACK_PID"; ATTACK_PID=""
n0=$(sq "$DB" "SELECT count(*) FROM result")
cl=$("$SLOW" cl "$HUB_PORT" 1000000000000)
cl_ms=${cl##* }
echo "  figures, Content-Length 10^12: $cl"
check_msg "Content-Length: 10^12 → 413 at once (< 1 s), the body never read" "$cl" \
    eval '[ "${cl%% ms*}" = "status 413" ] && [ "$cl_ms" -lt 1000 ] && [ "$(sq "$DB" "SELECT count(*) FROM result")" -eq $n0 ]'
cl=$("$SLOW" cl "$HUB_PORT" $((4 * 1024 * 1024 + 1)))
check_msg "Content-Length: 4 MiB + 1 → 413 at once" "$cl" eval '[ "${cl%% ms*}" = "status 413" ] && [ "${cl##* }" -lt 1000 ]'
head_out=$(curl -s -m 5 --head -o "$T/head" -w '%{http_code} %{size_download}' "$HUB_URL/v1/health")
check_msg "HEAD /v1/health → 200 with the headers of the GET and no body" "$head_out $(cat "$T/head")" \
    eval '[ "$head_out" = "200 0" ] && grep -qi "^Content-Type: application/json" "$T/head"'
check "after the attacks: GET /v1/health from 127.0.0.1 answers again" curl -fsS -m 2 -o /dev/null "$HUB_URL/v1/health"
check_msg "after the attacks: the hub holds exactly the six kiosks' results" "$(sq "$DB" "SELECT count(*) FROM result")" \
    eval '[ "$(sq "$DB" "SELECT count(*) FROM result")" -eq 6 ]'
bg_stop
hub_stop
fi
