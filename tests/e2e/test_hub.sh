# End-to-end: the results hub. A real `examhub serve` on 127.0.0.1, real
# kiosks in scripted mode, `examsync enroll/push/export`, `examhub
# import/results/report`, a link that drops connections mid-request and
# mid-response (tests/tools/flakyproxy.c), SIGKILLs of examsync and of the
# hub during uploads, and every request the hub must refuse.
# E2E_FLAKY_SEED=N replays the flaky-link and kill schedules of a failed run;
# E2E_KEEP=1 keeps the scratch directory.
T=$(new_tmp)
. "$(dirname "${BASH_SOURCE[0]}")/kiosk_lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/hub_lib.sh"
FLAKY="${TEST_TOOLS_DIR:-$ROOT/build/release/testtools}/flakyproxy"
PROXY_PID=""
HUB_SEED=${E2E_FLAKY_SEED:-$(( (RANDOM << 15) | RANDOM ))}
RANDOM=$HUB_SEED

proxy_stop() {
    if [ -n "$PROXY_PID" ]; then kill "$PROXY_PID" 2>/dev/null; wait "$PROXY_PID" 2>/dev/null; fi
    PROXY_PID=""
}
at_exit proxy_stop # (hub_lib stops the hub; lib.sh removes T, or keeps it with E2E_KEEP=1)

# proxy_start MODE SEED: a flakyproxy in front of the hub; sets PROXY_URL
proxy_start() {
    proxy_stop
    : >"$T/proxy.port"
    "$FLAKY" 0 "$HUB_PORT" "$2" "$1" 120 >"$T/proxy.port" 2>>"$T/proxy.log" &
    PROXY_PID=$!
    wait_for 5 test -s "$T/proxy.port"
    PROXY_URL="http://127.0.0.1:$(head -1 "$T/proxy.port")"
    [ -s "$T/proxy.port" ]
}

# ---- kiosks and their results --------------------------------------------------------
ticket_of() { sed -n "$(($1 + 1))p" "$SAMPLES/roster-4.csv" | cut -d, -f1; }
name_of() { sed -n "$(($1 + 1))p" "$SAMPLES/roster-4.csv" | cut -d, -f2; }
# candidate N logs in on an unlocked kiosk
script_candidate() { script_login X "$1" | sed -n '/^expect 考生登录/,$p'; }
# candidate N answers the first K items right; the invigilator hands in and resets
script_forced() {
    script_candidate "$1"
    script_answers "$T/paper.tsv" right "$2"
    script_panel; echo "key 3"; echo "expect 确认强制收卷"; echo "key Return"; echo "expect 监考员已为您收卷"
    script_panel; echo "key 6"; echo "expect 考生登录"
}
script_absent() { script_panel; echo "key 4"; echo "text $(ticket_of "$1")"; echo "key Return"; echo "expect 已登记 $(ticket_of "$1") 缺考"; }

# sqlite3 that waits for a lock (a killed writer's WAL may need recovery first)
sq() { sqlite3 -cmd ".timeout 10000" "$@"; }
# sit DATA SCRIPT: runs the kiosk on SCRIPT; 0 when the script ran to its end
sit() {
    KIOSK_SEED=$SEED0 "$KIOSK" --data "$1" --script "$2" >"$T/kout" 2>"$T/kerr" && return 0
    echo "kiosk: $(head -3 "$T/kerr" | tr '\n' ' ')"
    return 1
}
kiosk_id() { sq "$1/kiosk.db" "SELECT value FROM meta WHERE key='kiosk_id'"; }
outbox_ids() { sq "$1/kiosk.db" "SELECT result_id FROM outbox ORDER BY result_id"; }
outbox_count() { sq "$1/kiosk.db" "SELECT count(*) FROM outbox"; }
outbox_pending() { sq "$1/kiosk.db" "SELECT count(*) FROM outbox WHERE delivered IS NULL OR receipt IS NULL"; }
token() { "$HUBBIN" token --db "$HUB_DB" "$@"; }
enroll() { "$SYNC" enroll --data "$1" --hub "${2:-$HUB_URL}" --token "$(token)" >"$T/eout" 2>&1 || { cat "$T/eout"; false; }; }
push() { timeout 60 "$SYNC" push --data "$1" --hub "${2:-$HUB_URL}"; }

# ---- what the hub has ----------------------------------------------------------------
hub_csv() { "$HUBBIN" results --db "${1:-$HUB_DB}" --csv >"$T/results.csv"; }
hub_count() { # the number of result rows; not a number if examhub results fails
    local csv
    csv=$("$HUBBIN" results --db "${1:-$HUB_DB}" --csv 2>"$T/count.err") ||
        { echo "examhub-results-failed:$(tr ' ' _ <"$T/count.err")"; return 1; }
    echo "$csv" | tail -n +2 | grep -c .
}
# rget RESULT_ID COLUMN: one column of that result's row in $T/results.csv (by header name)
rget() {
    awk -F, -v id="$1" -v n="$2" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } $c["result_id"] == id { print $c[n] }' \
        "$T/results.csv"
}
# exactly_once DATA...: every result in these kiosks' outboxes is at the hub exactly once
exactly_once() {
    hub_csv
    local want got bad=""
    want=$(for d in "$@"; do outbox_ids "$d"; done | sort)
    [ -n "$want" ] || { echo "the outboxes are empty"; return 1; }
    got=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "result_id") c = i; next } { print $c }' "$T/results.csv" | sort)
    local id
    for id in $want; do
        local k; k=$(echo "$got" | grep -cx "$id")
        [ "$k" -eq 1 ] || bad="$bad $id:$k"
    done
    [ -z "$(echo "$got" | uniq -d)" ] || bad="$bad duplicates:$(echo "$got" | uniq -d | tr '\n' ' ')"
    [ -z "$bad" ] || { echo "results not stored exactly once (id:times):$bad"; return 1; }
}
all_delivered() { local d; for d in "$@"; do [ "$(outbox_pending "$d")" -eq 0 ] || { echo "$d: $(outbox_pending "$d") results not delivered"; return 1; }; done; }

# ---- raw HTTP -----------------------------------------------------------------------------
# http METHOD PATH [FILE [CURL-ARGS...]]: sets CODE and BODY
http() {
    local m=$1 path=$2 file=${3:-}
    shift 3 2>/dev/null || shift $#
    rm -f "$T/body"
    if [ -n "$file" ]; then
        CODE=$(curl -s -m 30 -o "$T/body" -w '%{http_code}' -X "$m" -H 'Expect:' "$@" --data-binary @"$file" "$HUB_URL$path")
    else
        CODE=$(curl -s -m 30 -o "$T/body" -w '%{http_code}' -X "$m" "$@" "$HUB_URL$path")
    fi
    BODY=$(cat "$T/body" 2>/dev/null)
}
# refused NAME STATUS TEXT: the last request got STATUS with {"error": "...TEXT..."} and the
# hub stores exactly as many results as before ($N0)
refused() {
    local n; n=$(hub_count)
    if [ "$CODE" = "$2" ] && echo "$BODY" | grep -q '"error"' && echo "$BODY" | grep -qiF "$3" && [ "$n" -eq "$N0" ]; then
        pass "$1"
    else
        fail "$1" "want HTTP $2 with an error naming '$3' and $N0 results; got HTTP $CODE $BODY, $n results"
    fi
}
flip_byte() { # flip_byte FILE OFFSET: inverts one byte in place
    local b; b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
    printf "$(printf '\\%03o' $((255 - b)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# ---- prerequisites --------------------------------------------------------------------------
hub_ready=1
need curl sqlite3 b2sum timeout stdbuf || hub_ready=0
[ -x "$FLAKY" ] || fail "hub tests need $FLAKY (make e2e builds it)"

if [ "$hub_ready" = 1 ]; then
echo "  (schedule seed E2E_FLAKY_SEED=$HUB_SEED)"
kiosk_setup "$T"
AUTH="$T/auth"
"$EP" paper --pub "$AUTH/authority.pub" "$T/theory.pack" --release-code "$THEORY_CODE" --seed "$SEED0" >"$T/paper.tsv"
"$EP" paper --pub "$AUTH/authority.pub" "$T/practical.pack" --release-code "$PRACTICAL_CODE" --seed "$SEED0" >"$T/ppaper.tsv"
DB="$T/hub.db"
run "$HUBBIN" init --db "$DB" --pub "$AUTH/authority.pub" --results-key "$AUTH/results.key"
check "examhub init creates the hub database" expect_rc 0
if hub_start "$DB"; then
    check "examhub serve on 127.0.0.1:$HUB_PORT answers GET /v1/health" grep -q '"ok": *true' "$T/health"
else
    fail "examhub serve starts on a free 127.0.0.1 port" "$(tail -3 "$T/hub.log")"
fi

# ---- a. sittings uploaded with examsync push --------------------------------------------------
KA="$T/ka"; new_kiosk "$KA" "$AUTH" "$T/theory.pack" "$T/room.roster"
{
    script_login "$THEORY_CODE" 1
    script_answers "$T/paper.tsv" right
    echo "wait 1800000"; echo "key F10"; echo "expect 确认交卷？"; echo "key Return"; echo "expect 本次考试得分：100 分"
} >"$T/s.txt"
check "kiosk A: theory sitting, every answer right, handed in" sit "$KA" "$T/s.txt"
KB="$T/kb"; new_kiosk "$KB" "$AUTH" "$T/theory.pack" "$T/room.roster"
{
    script_login "$THEORY_CODE" 5
    script_answers "$T/paper.tsv" right 1
    echo "wait 5400000"; echo "expect 考试时间到，系统已自动交卷"
} >"$T/s.txt"
check "kiosk B: theory sitting, one answer, time runs out" sit "$KB" "$T/s.txt"
KP="$T/kp"; new_kiosk "$KP" "$AUTH" "$T/practical.pack" "$T/room.roster"
pwant=$(( $(paper_points "$T/ppaper.tsv") / 10 ))
{
    script_login "$PRACTICAL_CODE" 2
    script_answers "$T/ppaper.tsv" right
    echo "wait 1800000"; echo "key F10"; echo "key Return"; echo "expect 客观题得分：${pwant} 分"
} >"$T/s.txt"
check "kiosk P: practical sitting, objective items right, essays to mark" sit "$KP" "$T/s.txt"

TOK_A=$(token)
run "$SYNC" enroll --data "$KA" --hub "$HUB_URL" --token "$TOK_A"
check_msg "examsync enroll with a token from examhub token" "rc=$RC $OUT $ERR" expect_rc 0
check "kiosks B and P enrol" eval 'enroll "$KB" && enroll "$KP"'
N0=$(hub_count)
run push "$KA"
check_msg "examsync push (kiosk A) exits 0: 1 delivered" "rc=$RC $OUT $ERR" eval '[ $RC -eq 0 ] && grep -q "1 delivered, 0 pending" "$T/out"'
run push "$KB"; rcb=$RC
run push "$KP"
check_msg "examsync push (kiosks B, P) exit 0" "rc=$rcb/$RC $OUT $ERR" eval '[ $rcb -eq 0 ] && [ $RC -eq 0 ]'
hub_csv
RA=$(outbox_ids "$KA"); RB=$(outbox_ids "$KB"); RP=$(outbox_ids "$KP")
theory_id=$(sq "$KA/kiosk.db" "SELECT pack_id FROM pack")
practical_id=$(sq "$KP/kiosk.db" "SELECT pack_id FROM pack")
row_ok() { # row_ok RID COLUMN=VALUE...
    local rid=$1 kv got; shift
    for kv in "$@"; do
        got=$(rget "$rid" "${kv%%=*}")
        [ "$got" = "${kv#*=}" ] || { echo "result $rid: ${kv%%=*} is '$got', want '${kv#*=}'"; return 1; }
    done
}
check "results --csv: the sitting of kiosk A, score 100, submitted, passed" \
    row_ok "$RA" ticket="$(ticket_of 1)" name="$(name_of 1)" level=4 pack_id="$theory_id" kind=theory status=submitted \
    score=100 passed=1 kiosk="$(kiosk_id "$KA")" pending=0
bpts=$(( $(paper_points "$T/paper.tsv" 1) / 10 ))
check "results --csv: the sitting of kiosk B, status timeout, score $bpts, not passed" \
    row_ok "$RB" ticket="$(ticket_of 5)" name="$(name_of 5)" level=4 pack_id="$theory_id" kind=theory status=timeout \
    score="$bpts" passed=0 kiosk="$(kiosk_id "$KB")"
check "results --csv: the practical sitting, score $pwant, essays pending" \
    row_ok "$RP" ticket="$(ticket_of 2)" pack_id="$practical_id" kind=practical status=submitted score="$pwant" pending=2 \
    kiosk="$(kiosk_id "$KP")"
iso_times() {
    head -1 "$T/results.csv" | grep -q '^ticket,name,level,pack_id,kind,status,score,passed,kiosk,submitted_at' &&
        [ "$(awk -F, 'NR > 1 && $10 !~ /^20[0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]Z$/' "$T/results.csv" | wc -l)" -eq 0 ] &&
        [ "$(tail -n +2 "$T/results.csv" | wc -l)" -gt 0 ]
}
check "results --csv: the contract columns; submitted_at an ISO time on every row" iso_times
check "the hub stored the 3 results, each once; every outbox row carries a receipt" \
    eval '[ $(hub_count) -eq $((N0 + 3)) ] && exactly_once "$KA" "$KB" "$KP" && all_delivered "$KA" "$KB" "$KP"'
run push "$KA"
check_msg "a second push sends nothing and exits 0; the hub still has each result once" "rc=$RC $OUT" \
    eval '[ $RC -eq 0 ] && grep -q "0 delivered, 0 pending" "$T/out" && [ $(hub_count) -eq $((N0 + 3)) ]'
run "$SYNC" status --data "$KA"
check "examsync status: 0 pending upload, 1 delivered, the hub named" \
    eval 'grep -q "0 pending upload, 1 delivered" "$T/out" && grep -qF "$HUB_URL" "$T/out"'

# ---- b. the USB path: examsync export, examhub import ------------------------------------------
KU="$T/ku"; new_kiosk "$KU" "$AUTH" "$T/theory.pack" "$T/room.roster"
{
    script_login "$THEORY_CODE" 3
    script_answers "$T/paper.tsv" right
    echo "wait 1800000"; echo "key F10"; echo "expect 确认交卷？"; echo "key Return"; echo "expect 本次考试得分：100 分"
    script_panel; echo "key 6"; echo "expect 考生登录"
    script_absent 4
} >"$T/s.txt"
check "kiosk U: a sitting (100) and an absence" sit "$KU" "$T/s.txt"
enroll "$KU" >/dev/null
run "$SYNC" export --data "$KU" --out "$T/u.bundle"
check_msg "examsync export writes the 2 pending results into a bundle" "rc=$RC $OUT $ERR" \
    eval '[ $RC -eq 0 ] && [ -s "$T/u.bundle" ] && grep -q "2 pending results exported" "$T/out"'
N0=$(hub_count)
size=$(stat -c %s "$T/u.bundle")
cp "$T/u.bundle" "$T/flip.bundle"; flip_byte "$T/flip.bundle" $((size / 2))
run "$HUBBIN" import --db "$DB" "$T/flip.bundle"
check_msg "import: a bundle with one byte changed is refused, nothing stored" "rc=$RC $OUT $ERR" \
    eval '[ $RC -ne 0 ] && grep -q "flip.bundle: .*signature does not verify" "$T/err" && [ $(hub_count) -eq $N0 ]'
head -c $((size - 100)) "$T/u.bundle" >"$T/short.bundle"
run "$HUBBIN" import --db "$DB" "$T/short.bundle"
check_msg "import: a truncated bundle is refused, nothing stored" "rc=$RC $OUT $ERR" \
    eval '[ $RC -ne 0 ] && grep -Eq "short.bundle: .*(truncated|does not verify|inconsistent)" "$T/err" && [ $(hub_count) -eq $N0 ]'
head -c 40 "$T/u.bundle" >"$T/tiny.bundle"
run "$HUBBIN" import --db "$DB" "$T/tiny.bundle"
check_msg "import: a bundle cut inside its header is refused" "rc=$RC $ERR" \
    eval '[ $RC -ne 0 ] && grep -q "tiny.bundle: " "$T/err" && [ $(hub_count) -eq $N0 ]'
KV="$T/kv"; new_kiosk "$KV" "$AUTH" "$T/theory.pack" "$T/room.roster"
{ script_unlock; script_absent 20; } >"$T/s.txt"
sit "$KV" "$T/s.txt" >/dev/null
"$SYNC" export --data "$KV" --out "$T/v.bundle" >/dev/null 2>&1
run "$HUBBIN" import --db "$DB" "$T/v.bundle"
check_msg "import: a bundle from a kiosk that is not enrolled is refused" "rc=$RC $OUT $ERR" \
    eval '[ $RC -ne 0 ] && grep -q "not enrolled" "$T/err" && [ $(hub_count) -eq $N0 ]'
# a bundle rightly signed by an enrolled kiosk, but with a result inside that is not its own
# (enrolled kiosk A's) or that does not decrypt: refused as a whole, its good results included
for bad in foreign flipped; do
    rm -rf "$T/ku-$bad"; cp -r "$KU" "$T/ku-$bad"
    if [ $bad = foreign ]; then sq "$KA/kiosk.db" "SELECT writefile('$T/v.bin', sealed) FROM outbox LIMIT 1" >/dev/null
    else sq "$KV/kiosk.db" "SELECT writefile('$T/v.bin', sealed) FROM outbox LIMIT 1" >/dev/null; flip_byte "$T/v.bin" 200; fi
    sq "$T/ku-$bad/kiosk.db" "INSERT INTO outbox(result_id, session, created, sealed)
        VALUES('ffffffffffffffffffffffffffffffff', 'x', 0, readfile('$T/v.bin'))"
    "$SYNC" export --data "$T/ku-$bad" --out "$T/$bad.bundle" >/dev/null 2>&1
    run "$HUBBIN" import --db "$DB" "$T/$bad.bundle"
    want=$([ $bad = foreign ] && echo "wrong kiosk" || echo "undecryptable")
    check_msg "import: a signed bundle with one $bad result among 2 good ones is refused whole ($want), nothing stored" \
        "rc=$RC $OUT $ERR" eval '[ $RC -ne 0 ] && grep -q "$want" "$T/err" && grep -q "bundle refused" "$T/out" && [ $(hub_count) -eq $N0 ]'
done
run "$HUBBIN" import --db "$DB" "$T/u.bundle"
check_msg "import: the bundle's 2 results are stored" "rc=$RC $OUT $ERR" \
    eval '[ $RC -eq 0 ] && grep -q "2 stored, 0 already there" "$T/out" && [ $(hub_count) -eq $((N0 + 2)) ]'
hub_csv
RU_SUB=$(sq "$KU/kiosk.db" "SELECT o.result_id FROM outbox o JOIN session s ON s.id = o.session WHERE s.state = 'submitted'")
RU_ABS=$(sq "$KU/kiosk.db" "SELECT o.result_id FROM outbox o JOIN session s ON s.id = o.session WHERE s.state = 'absent'")
check "imported: the sitting, score 100, submitted, passed" \
    row_ok "$RU_SUB" ticket="$(ticket_of 3)" name="$(name_of 3)" pack_id="$theory_id" status=submitted score=100 passed=1 kiosk="$(kiosk_id "$KU")"
check "imported: the absence, score 0, absent, not passed" \
    row_ok "$RU_ABS" ticket="$(ticket_of 4)" status=absent score=0 passed=0 kiosk="$(kiosk_id "$KU")"
run "$HUBBIN" import --db "$DB" "$T/u.bundle"
check_msg "importing the same bundle again stores nothing new (already there)" "rc=$RC $OUT $ERR" \
    eval '[ $RC -eq 0 ] && grep -q "0 stored, 2 already there" "$T/out" && [ $(hub_count) -eq $((N0 + 2)) ]'
run push "$KU"
check_msg "a later push of the imported results: acknowledged as duplicates, nothing stored twice" "rc=$RC $OUT $ERR" \
    eval '[ $RC -eq 0 ] && [ $(grep -c "(duplicate)" "$T/out") -eq 2 ] && [ $(hub_count) -eq $((N0 + 2)) ]'

# ---- c. a flaky link ------------------------------------------------------------------------------
KF1="$T/kf1"; new_kiosk "$KF1" "$AUTH" "$T/theory.pack" "$T/room.roster"
{ script_unlock; for k in 0 1 2 3 4 5; do script_forced $((6 + k)) $((k * 3)); done; } >"$T/s.txt"
check "kiosk F1: six sittings handed in by the invigilator" sit "$KF1" "$T/s.txt"
KF2="$T/kf2"; new_kiosk "$KF2" "$AUTH" "$T/theory.pack" "$T/room.roster"
{
    script_login "$THEORY_CODE" 12
    script_answers "$T/paper.tsv" right
    echo "wait 1800000"; echo "key F10"; echo "expect 确认交卷？"; echo "key Return"; echo "expect 本次考试得分：100 分"
    script_panel; echo "key 6"; echo "expect 考生登录"
    for n in 13 14 15 16 17; do script_absent $n; done
} >"$T/s.txt"
check "kiosk F2: a sitting (100) and five absences" sit "$KF2" "$T/s.txt"
enroll "$KF1" >/dev/null; enroll "$KF2" >/dev/null
nflaky=$(( $(outbox_count "$KF1") + $(outbox_count "$KF2") ))
N0=$(hub_count)
if proxy_start cut-request "$HUB_SEED"; then
    run push "$KF1" "$PROXY_URL"
    check_msg "link cut mid-request: push fails, the hub stores nothing" "rc=$RC $OUT $ERR" \
        eval '[ $RC -ne 0 ] && [ $(hub_count) -eq $N0 ] && [ $(outbox_pending "$KF1") -eq 6 ]'
else
    fail "flakyproxy starts (cut-request)" "$(tail -3 "$T/proxy.log")"
fi
if proxy_start cut-response "$HUB_SEED"; then
    run push "$KF1" "$PROXY_URL"
    check_msg "link cut mid-response: push fails; the hub stored the result, the kiosk still has it pending" \
        "rc=$RC $OUT $ERR" eval '[ $RC -ne 0 ] && [ $(hub_count) -eq $((N0 + 1)) ] && [ $(outbox_pending "$KF1") -eq 6 ]'
else
    fail "flakyproxy starts (cut-response)" "$(tail -3 "$T/proxy.log")"
fi
: >"$T/proxy.log"
if proxy_start cut "$HUB_SEED"; then
    tries=0 done1=1 done2=1
    while [ $tries -lt 120 ] && { [ $done1 -ne 0 ] || [ $done2 -ne 0 ]; }; do
        tries=$((tries + 1))
        [ $done1 -ne 0 ] && { push "$KF1" "$PROXY_URL" >>"$T/flaky.out" 2>&1; done1=$?; }
        [ $done2 -ne 0 ] && { push "$KF2" "$PROXY_URL" >>"$T/flaky.out" 2>&1; done2=$?; }
    done
    proxy_stop
    cf=$(grep -c ': forward' "$T/proxy.log"); cq=$(grep -c ': cut-request' "$T/proxy.log"); cr=$(grep -c ': cut-response' "$T/proxy.log")
    check_msg "flaky link: repeated pushes of $nflaky results end with exit 0 ($tries rounds; $cf forwarded, $cq cut mid-request, $cr cut mid-response)" \
        "F1 rc=$done1 F2 rc=$done2; $(tail -3 "$T/flaky.out")" eval '[ $done1 -eq 0 ] && [ $done2 -eq 0 ]'
    check_msg "flaky link: connections were cut both mid-request and mid-response" "$cf/$cq/$cr" \
        eval '[ $cq -gt 0 ] && [ $cr -gt 0 ] && [ $cf -gt 0 ]'
    check "flaky link: every result arrived exactly once, every outbox row delivered" \
        eval '[ $(hub_count) -eq $((N0 + nflaky)) ] && exactly_once "$KF1" "$KF2" && all_delivered "$KF1" "$KF2"'
    hub_csv
    bad=""
    for k in 0 1 2 3 4 5; do
        t=$(ticket_of $((6 + k)))
        # kiosk.db seals tickets: the hub's row of this ticket, which must be one of KF1's results
        rid=$(awk -F, -v t="$t" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } $c["ticket"] == t { print $c["result_id"] }' \
            "$T/results.csv")
        outbox_ids "$KF1" | grep -qx "${rid:-none}" || bad="$bad $t(not-from-F1)"
        want=$(( $(paper_points "$T/paper.tsv" $((k * 3))) / 10 ))
        row_ok "$rid" ticket="$t" status=forced score="$want" passed=0 >/dev/null || bad="$bad $t"
    done
    rid=$(sq "$KF2/kiosk.db" "SELECT o.result_id FROM outbox o JOIN session s ON s.id = o.session WHERE s.state = 'submitted'")
    row_ok "$rid" ticket="$(ticket_of 12)" status=submitted score=100 passed=1 kiosk="$(kiosk_id "$KF2")" >/dev/null || bad="$bad $(ticket_of 12)"
    check_msg "flaky link: the sitting (100, submitted, passed) and the six forced hand-ins arrived with their scores" "wrong rows:$bad" test -z "$bad"
else
    fail "flakyproxy starts (cut)" "$(tail -3 "$T/proxy.log")"
fi

# an enrolment whose answer is lost on the way: the kiosk does not know it is enrolled;
# a new token enrols the same key again and its results go through
KE="$T/ke"; new_kiosk "$KE" "$AUTH" "$T/theory.pack" "$T/room.roster"
{ script_unlock; script_absent 18; } >"$T/s.txt"
sit "$KE" "$T/s.txt" >/dev/null
if proxy_start cut-response "$HUB_SEED"; then
    run "$SYNC" enroll --data "$KE" --hub "$PROXY_URL" --token "$(token)"
    ke_rc=$RC
    proxy_stop
    run enroll "$KE"
    check_msg "enrolment answer cut mid-response: enroll fails; enrolling again with a new token works" "first rc=$ke_rc; $OUT" \
        eval '[ $ke_rc -ne 0 ] && [ $RC -eq 0 ] && [ $(sq "$DB" "SELECT count(*) FROM kiosk WHERE kiosk_id = '"'"'$(kiosk_id "$KE")'"'"'") -eq 1 ]'
    N0=$(hub_count)
    run push "$KE"
    check_msg "... and then its result is delivered" "rc=$RC $OUT $ERR" eval '[ $RC -eq 0 ] && [ $(hub_count) -eq $((N0 + 1)) ]'
else
    fail "flakyproxy starts (cut-response)" "$(tail -3 "$T/proxy.log")"
fi

# ---- d. kills: examsync and examhub die with SIGKILL in the middle of uploads --------------------------
# Kiosks with 28 results each (absences: quick to make). A kill is timed by progress,
# not by the clock, so that it lands inside a push on a fast or a slow machine: after
# a random number of further results got through, plus a random 0-9 ms. examsync
# pushes through a slow link (flakyproxy slow: each answer held 5-30 ms after the
# hub has stored the result), so that many kills land between "stored" and "receipt".
script_28_absent() { script_unlock; for n in $(seq 1 28); do script_absent "$n"; done; }
KK1="$T/kk1" KK2="$T/kk2" KK3="$T/kk3"
for d in "$KK1" "$KK2" "$KK3"; do
    new_kiosk "$d" "$AUTH" "$T/theory.pack" "$T/room.roster"
    script_28_absent >"$T/s.txt"
    sit "$d" "$T/s.txt" >/dev/null || fail "kiosk $(basename "$d"): 28 absences" "$(head -3 "$T/kerr")"
    enroll "$d" >/dev/null
done
delivered_of() { sq "$1/kiosk.db" "SELECT count(*) FROM outbox WHERE delivered IS NOT NULL"; }
stored_at_hub() { sq "$DB" "SELECT count(*) FROM result"; }
# wait_progress PID TARGET COMMAND...: until COMMAND prints ≥ TARGET or PID has ended
wait_progress() {
    local pid=$1 target=$2 n=0; shift 2
    while kill -0 "$pid" 2>/dev/null && [ "$("$@")" -lt "$target" ] && [ $n -lt 3000 ]; do n=$((n + 1)); done
    sleep "0.00$((RANDOM % 10))"
}
N0=$(hub_count)
hits=0 rounds=0
proxy_start slow "$HUB_SEED" || fail "flakyproxy starts (slow)" "$(tail -3 "$T/proxy.log")"
while [ "$(outbox_pending "$KK1")" -gt 0 ] && [ $rounds -lt 40 ]; do
    rounds=$((rounds + 1))
    target=$(( $(delivered_of "$KK1") + RANDOM % 4 ))
    stdbuf -oL "$SYNC" push --data "$KK1" --hub "$PROXY_URL" >>"$T/kill1.out" 2>&1 & # line-buffered: a kill loses no line
    p=$!
    wait_progress "$p" "$target" delivered_of "$KK1"
    kill -9 "$p" 2>/dev/null
    wait "$p" 2>/dev/null
    [ $? -eq 137 ] && hits=$((hits + 1))
done
proxy_stop
left1=$(outbox_pending "$KK1")
dups1=$(grep -c '(duplicate)' "$T/kill1.out")
for i in 1 2 3; do push "$KK1" >>"$T/kill1.out" 2>&1 && break; done
check_msg "examsync killed with SIGKILL in $hits of $rounds pushes of 28 results, then pushed: exit 0 ($dups1 receipts lost to a kill came back as duplicates)" \
    "$left1 pending after the kills; $(tail -3 "$T/kill1.out")" eval '[ $hits -ge 8 ] && [ $(outbox_pending "$KK1") -eq 0 ]'
check "after the examsync kills: every result at the hub exactly once, every outbox row delivered, kiosk.db intact" \
    eval '[ $(hub_count) -eq $((N0 + 28)) ] && exactly_once "$KK1" && all_delivered "$KK1" &&
        [ "$(sq "$KK1/kiosk.db" "PRAGMA integrity_check")" = ok ] && "$SYNC" status --data "$KK1" | grep -q "hash chain verified"'

N0=$(hub_count)
hub_kills=0 broken=0 restarted=1 shrunk=0
while { [ "$(outbox_pending "$KK2")" -gt 0 ] || [ "$(outbox_pending "$KK3")" -gt 0 ]; } && [ $hub_kills -lt 15 ]; do
    before=$(stored_at_hub)
    "$SYNC" push --data "$KK2" --hub "$HUB_URL" >>"$T/kill2.out" 2>&1 &
    p2=$!
    "$SYNC" push --data "$KK3" --hub "$HUB_URL" >>"$T/kill2.out" 2>&1 &
    p3=$!
    wait_progress "$p2" $((before + 1 + RANDOM % 2)) stored_at_hub
    hub_stop KILL
    hub_kills=$((hub_kills + 1))
    wait "$p2" 2>/dev/null; r2=$?
    wait "$p3" 2>/dev/null; r3=$?
    { [ $r2 -ne 0 ] || [ $r3 -ne 0 ]; } && broken=$((broken + 1))
    [ "$(stored_at_hub)" -ge "$before" ] || shrunk=1
    hub_start "$DB" "$HUB_PORT" || { restarted=0; break; }
done
check_msg "examhub killed with SIGKILL $hub_kills times during two concurrent pushes ($broken of them cut short), restarted on port $HUB_PORT each time, losing nothing it had stored" \
    "restarted=$restarted shrunk=$shrunk; $(tail -3 "$T/hub.log")" eval '[ $restarted -eq 1 ] && [ $broken -ge 2 ] && [ $broken -ge $((hub_kills - 1)) ] && [ $shrunk -eq 0 ]'
for i in 1 2 3; do push "$KK2" >>"$T/kill2.out" 2>&1 && push "$KK3" >>"$T/kill2.out" 2>&1 && break; done
check "after the hub kills: every result stored exactly once, every outbox row delivered, hub.db intact" \
    eval '[ $(hub_count) -eq $((N0 + 56)) ] && exactly_once "$KK2" "$KK3" && all_delivered "$KK2" "$KK3" &&
        [ "$(sq "$DB" "PRAGMA integrity_check")" = ok ]'

# ---- e. what the hub refuses, with the reason, storing nothing ----------------------------------------
N0=$(hub_count)
kiosks_before=$(sq "$DB" "SELECT count(*) FROM kiosk")
# bad signature: the kiosk's signing seed is replaced after enrolment; its results carry
# the enrolled public key but a signature that does not verify against it
KS="$T/ks"; new_kiosk "$KS" "$AUTH" "$T/theory.pack" "$T/room.roster"
enroll "$KS" >/dev/null
b64=$(sed -n 's/^sign //p' "$KS/device.key")
{ head -c 32 /dev/urandom; printf '%s' "$b64" | base64 -d | tail -c 32; } >"$T/badkey.bin"
printf 'exam-device-key v1\nsign %s\n' "$(base64 -w0 "$T/badkey.bin")" >"$KS/device.key"
{ script_unlock; script_absent 29; } >"$T/s.txt"
sit "$KS" "$T/s.txt" >/dev/null
run push "$KS"
check_msg "push of a result whose signature does not verify: refused (403, bad signature), kept pending" "rc=$RC $OUT $ERR" \
    eval '[ $RC -ne 0 ] && grep -q "HTTP 403" "$T/err" && grep -q "bad signature" "$T/err" && [ $(outbox_pending "$KS") -eq 1 ] && [ $(hub_count) -eq $N0 ]'
sq "$KS/kiosk.db" "SELECT writefile('$T/badsig.bin', sealed) FROM outbox LIMIT 1" >/dev/null
http POST /v1/results "$T/badsig.bin" -H "X-Kiosk-Id: $(kiosk_id "$KS")" -H 'Content-Type: application/octet-stream'
refused "POST /v1/results, bad signature → 403" 403 "bad signature"
# unknown kiosk: kiosk V never enrolled
sq "$KV/kiosk.db" "SELECT writefile('$T/unknown.bin', sealed) FROM outbox LIMIT 1" >/dev/null
http POST /v1/results "$T/unknown.bin" -H "X-Kiosk-Id: $(kiosk_id "$KV")"
refused "POST /v1/results from a kiosk that is not enrolled → 401" 401 "not enrolled"
http POST /v1/results "$T/unknown.bin"
refused "the same without an X-Kiosk-Id header → 401" 401 "unknown kiosk"
# wrong kiosk: a valid, not yet stored result of an enrolled kiosk, delivered as another kiosk's
KW="$T/kw"; new_kiosk "$KW" "$AUTH" "$T/theory.pack" "$T/room.roster"
{ script_unlock; script_absent 30; } >"$T/s.txt"
sit "$KW" "$T/s.txt" >/dev/null
enroll "$KW" >/dev/null
sq "$KW/kiosk.db" "SELECT writefile('$T/w.bin', sealed) FROM outbox LIMIT 1" >/dev/null
http POST /v1/results "$T/w.bin" -H "X-Kiosk-Id: $(kiosk_id "$KA")"
refused "POST /v1/results with another kiosk's X-Kiosk-Id → 403" 403 "wrong kiosk"
# undecryptable: a byte changed, truncated, empty, or sealed to another authority's results key
cp "$T/w.bin" "$T/flip.bin"; flip_byte "$T/flip.bin" $(( $(stat -c %s "$T/w.bin") / 2 ))
http POST /v1/results "$T/flip.bin" -H "X-Kiosk-Id: $(kiosk_id "$KW")"
refused "POST /v1/results, one byte of the sealed result changed → 422 undecryptable" 422 "undecryptable"
head -c $(( $(stat -c %s "$T/w.bin") - 7 )) "$T/w.bin" >"$T/short.bin"
http POST /v1/results "$T/short.bin" -H "X-Kiosk-Id: $(kiosk_id "$KW")"
refused "POST /v1/results, sealed result truncated → 422 undecryptable" 422 "undecryptable"
head -c 50 "$T/w.bin" >"$T/tiny.bin"
http POST /v1/results "$T/tiny.bin"
refused "POST /v1/results, 50 bytes → 422 undecryptable" 422 "undecryptable"
: >"$T/empty.bin"
http POST /v1/results "$T/empty.bin"
refused "POST /v1/results, empty body → 422 undecryptable" 422 "undecryptable"
saved_codes=("$THEORY_CODE" "$PRACTICAL_CODE")
mkdir -p "$T/other"; kiosk_setup "$T/other" # another authority: its own keys, packs and codes
KO="$T/ko"; new_kiosk "$KO" "$T/other/auth" "$T/other/theory.pack" "$T/other/room.roster"
{ script_unlock "$THEORY_CODE"; script_absent 1; } >"$T/s.txt"
sit "$KO" "$T/s.txt" >/dev/null
THEORY_CODE=${saved_codes[0]} PRACTICAL_CODE=${saved_codes[1]}
sq "$KO/kiosk.db" "SELECT writefile('$T/other.bin', sealed) FROM outbox LIMIT 1" >/dev/null
http POST /v1/results "$T/other.bin" -H "X-Kiosk-Id: $(kiosk_id "$KO")"
refused "POST /v1/results, a result sealed for another authority → 422 undecryptable" 422 "undecryptable"
# oversized
head -c $((4 * 1024 * 1024 + 1)) /dev/zero >"$T/big.bin"
# (the hub answers 413 at the headers and reads no body, so the client waits for that answer with
# Expect: 100-continue; one that sends the body regardless may see the connection reset instead)
http POST /v1/results "$T/big.bin" -H "X-Kiosk-Id: $(kiosk_id "$KW")" -H 'Expect: 100-continue'
refused "POST /v1/results, 4 MiB + 1 byte → 413 at the headers" 413 "too large"
http POST /v1/results "$T/big.bin" -H 'Transfer-Encoding: chunked'
refused "POST /v1/results, 4 MiB + 1 byte chunked (no Content-Length) → 413" 413 "too large"
run "$SYNC" push --data "$KW" --hub "$HUB_URL"
check_msg "after all that, the refused kiosk W's result itself is accepted by push" "rc=$RC $OUT $ERR" \
    eval '[ $RC -eq 0 ] && [ $(hub_count) -eq $((N0 + 1)) ]'
N0=$(hub_count)
# enrolment requests
KR="$T/kr"; new_kiosk "$KR" "$AUTH" "$T/theory.pack" "$T/room.roster"
kr_pk=$(sq "$KR/kiosk.db" "SELECT value FROM meta WHERE key='device_pk'")
kr_enrolled() { sq "$DB" "SELECT count(*) FROM kiosk WHERE kiosk_id='$(kiosk_id "$KR")'"; }
TOK_R=$(token)
{ printf '{"token":"%s","device_pk":"%s","site":"' "$TOK_R" "$kr_pk"; head -c 17000 /dev/zero | tr '\0' x; printf '","room":"01","seat":1}'; } >"$T/bigenroll.json"
http POST /v1/enroll "$T/bigenroll.json" -H 'Content-Type: application/json'
refused "POST /v1/enroll, more than 16 KiB → 413, the token not used up" 413 "too large"
printf '{"token": "%s", "device_pk": ' "$TOK_R" >"$T/bad.json"
http POST /v1/enroll "$T/bad.json" -H 'Content-Type: application/json'
refused "POST /v1/enroll, malformed JSON → 400" 400 "malformed"
printf '[1, 2, 3]' >"$T/bad.json"
http POST /v1/enroll "$T/bad.json"
refused "POST /v1/enroll, JSON that is not an object → 400" 400 "malformed"
printf '{"token": "%s"}' "$TOK_R" >"$T/bad.json"
http POST /v1/enroll "$T/bad.json"
refused "POST /v1/enroll without device_pk → 400, the token not used up" 400 "malformed"
printf '{"token": "%s", "device_pk": "%s", "seat": "twelve"}' "$TOK_R" "$kr_pk" >"$T/bad.json"
http POST /v1/enroll "$T/bad.json"
refused "POST /v1/enroll with a seat that is not a number → 400" 400 "malformed"
check "none of those enrolled the kiosk" test "$(kr_enrolled)" -eq 0
run "$SYNC" enroll --data "$KR" --hub "$HUB_URL" --token "$TOK_A"
check_msg "examsync enroll with a token already used by another kiosk: refused, 'already used'" "rc=$RC $ERR" \
    eval '[ $RC -ne 0 ] && grep -q "HTTP 403" "$T/err" && grep -q "already used" "$T/err" && [ $(kr_enrolled) -eq 0 ]'
printf '{"token":"%s","device_pk":"%s","site":"s","room":"r","seat":2}' "$TOK_A" "$kr_pk" >"$T/e.json"
http POST /v1/enroll "$T/e.json"
refused "POST /v1/enroll with a used token → 403 already used" 403 "already used"
TOK_E=$(token --ttl 1)
hash=$(printf '%s' "$TOK_E" | b2sum -l 256 | cut -d' ' -f1)
expired_set=$(sq "$DB" "UPDATE token SET expires = strftime('%s','now') - 60 WHERE hash = X'$hash'; SELECT changes();")
run "$SYNC" enroll --data "$KR" --hub "$HUB_URL" --token "$TOK_E"
check_msg "examsync enroll with an expired token: refused, 'expired'" "token rows changed: $expired_set; rc=$RC $ERR" \
    eval '[ "$expired_set" = 1 ] && [ $RC -ne 0 ] && grep -q "expired" "$T/err" && [ $(kr_enrolled) -eq 0 ]'
printf '{"token":"%s","device_pk":"%s"}' "$TOK_E" "$kr_pk" >"$T/e.json"
http POST /v1/enroll "$T/e.json"
refused "POST /v1/enroll with an expired token → 403 expired" 403 "expired"
printf '{"token":"%s","device_pk":"%s"}' "0123456789ABCDEFGHJKMNPQRSTVWXYZ" "$kr_pk" >"$T/e.json"
http POST /v1/enroll "$T/e.json"
refused "POST /v1/enroll with a token the hub never issued → 403" 403 "unknown enrolment token"
printf '{"token":"%s","device_pk":"%s"}' "$TOK_R" "not-hex" >"$T/e.json"
http POST /v1/enroll "$T/e.json"
check_msg "POST /v1/enroll with a device key that is not a key → refused" "HTTP $CODE $BODY" \
    eval '[ "$CODE" -ge 400 ] && [ "$CODE" -lt 500 ] && [ $(kr_enrolled) -eq 0 ]'
run "$SYNC" enroll --data "$KR" --hub "$HUB_URL" --token "$TOK_R"
check_msg "the token spared by the refused requests still enrols the kiosk, once" "rc=$RC $OUT $ERR" \
    eval '[ $RC -eq 0 ] && [ $(kr_enrolled) -eq 1 ]'
run "$SYNC" enroll --data "$KR" --hub "$HUB_URL" --token "$TOK_R"
check_msg "the same kiosk retrying its enrolment with the same token (answer lost) is answered again" "rc=$RC $OUT $ERR" \
    eval '[ $RC -eq 0 ] && [ $(kr_enrolled) -eq 1 ]'
printf '{"token":"%s","device_pk":"%s"}' "$TOK_R" "$(sq "$KW/kiosk.db" "SELECT value FROM meta WHERE key='device_pk'")" >"$T/e.json"
http POST /v1/enroll "$T/e.json"
refused "another kiosk using that token → 403 already used" 403 "already used"
http GET /v1/results
check_msg "GET /v1/results → 405" "HTTP $CODE $BODY" eval '[ "$CODE" = 405 ] && echo "$BODY" | grep -q error'
http GET /v2/results
check_msg "unknown endpoint → 404 naming the API" "HTTP $CODE $BODY" eval '[ "$CODE" = 404 ] && echo "$BODY" | grep -q /v1/results'
check "after every refusal: no result stored, only kiosks S, W and R enrolled" \
    eval '[ $(hub_count) -eq $N0 ] && [ $(sq "$DB" "SELECT count(*) FROM kiosk") -eq $((kiosks_before + 3)) ]'

# ---- f. the HTML report ---------------------------------------------------------------------------
run "$HUBBIN" report --db "$DB" --out "$T/report"
hub_csv
rep_bad=""
npacks=0
for pid in $(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "pack_id") c = i; next } { print $c }' "$T/results.csv" | sort -u); do
    npacks=$((npacks + 1))
    f="$T/report/$pid.html"
    rate=$(awk -F, -v p="$pid" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
        $c["pack_id"] == p { n++; s += $c["passed"] } END { printf "%.1f", n ? 100 * s / n : 0 }' "$T/results.csv")
    n=$(grep -c ",$pid," "$T/results.csv")
    { [ -f "$f" ] && grep -q '<svg' "$f" && grep -qF "${rate}%" "$f" && grep -q ">$n<" "$f"; } || rep_bad="$rep_bad $pid(rate $rate%, $n results)"
done
check_msg "examhub report: one HTML file per pack ($npacks), each with an <svg> chart, its count and pass rate" \
    "rc=$RC $ERR; wrong:$rep_bad" eval '[ $RC -eq 0 ] && [ $npacks -ge 2 ] && [ -z "$rep_bad" ] && [ $(ls "$T/report" | grep -c "\.html$") -eq $npacks ]'

# ---- g. the watch daemon: the hub is down, then comes back ---------------------------------------
KWA="$T/kwatch"; new_kiosk "$KWA" "$AUTH" "$T/theory.pack" "$T/room.roster"
{ script_unlock; script_absent 12; script_absent 13; } >"$T/w.txt"
sit "$KWA" "$T/w.txt" && enroll "$KWA"
NW=$(hub_count)
WATCH_PORT=$HUB_PORT
hub_stop
"$SYNC" watch --data "$KWA" --hub "$HUB_URL" --interval 1 >"$T/watch.out" 2>"$T/watch.err" &
WATCH_PID=$!
wait_for 10 grep -q "next try in" "$T/watch.err"
retrying=$(grep -c "next try in" "$T/watch.err")
hub_start "$DB" "$WATCH_PORT"
wait_for 20 eval '[ "$(outbox_pending "$KWA")" -eq 0 ]'
kill -TERM "$WATCH_PID" 2>/dev/null
wait_rc=0; wait "$WATCH_PID" || wait_rc=$?
check_msg "examsync watch: retries with backoff while the hub is down, delivers both results once it is back, stops on SIGTERM" \
    "retries=$retrying pending=$(outbox_pending "$KWA") stored=$(( $(hub_count) - NW )) rc=$wait_rc $(tail -3 "$T/watch.err" | tr '\n' ' ')" \
    eval '[ "$retrying" -ge 1 ] && [ "$(outbox_pending "$KWA")" -eq 0 ] && [ $(( $(hub_count) - NW )) -eq 2 ] && [ "$wait_rc" -eq 0 ] && grep -q stopped "$T/watch.err"'

fi # hub_ready

# ---- leave nothing running --------------------------------------------------------------------------
hub_stop; proxy_stop
