# End-to-end: what the hub checks before a result counts (issue 11, items
# 4-8; README "What the hub checks"), through the real binaries and a real
# `examhub serve` on 127.0.0.1: genuine sittings on scripted kiosks, and
# results forged with an enrolled kiosk's device key (tests/tools/forge_result):
#   4 the score: unscored until `examhub papers --add`, then rescored from the
#     answers and the paper drawn from its seed; a differing claim is flagged
#   5 the paper: a pack that is not a registered paper of the batch is flagged
#   6 the candidate and the place: roster, level, the kiosk's enrolled room
#   7 formats refused with 422; report paths and HTML never taken from a field
#   8 kiosks, revoke (403 for its results, examsync push shows it), admit
T=$(new_tmp)
. "$(dirname "${BASH_SOURCE[0]}")/kiosk_lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/hub_lib.sh"
WH="$HUBBIN"
FORGE="${TEST_TOOLS_DIR:-$ROOT/build/release/testtools}/forge_result"

csvget() { # csvget FILE KEY VALUE NAME (columns by header name)
    awk -F, -v k="$2" -v v="$3" -v n="$4" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } $c[k] == v { print $c[n] }' "$1"
}
sqlv() { sqlite3 "$DB" "$1"; }
flags_of() { sqlv "SELECT group_concat(reason, ' | ') FROM result_flag WHERE result_id='$1'"; }
# post FILE KIOSK: POST a sealed result; prints "HTTP-STATUS BODY"
post() {
    curl -sS -m 10 -o "$T/post.body" -w '%{http_code}' -H "X-Kiosk-Id: $2" -H 'Content-Type: application/octet-stream' \
        --data-binary "@$1" "$HUB_URL/v1/results" >"$T/post.code" 2>"$T/post.err"
    echo "$(cat "$T/post.code") $(cat "$T/post.body")"
}
json_of() { sqlv "SELECT json FROM result WHERE result_id='$1'" >"$2"; }

ready=1
need curl sqlite3 timeout || ready=0
[ -x "$FORGE" ] || { fail "forge_result is built (make e2e builds tests/tools)" "$FORGE missing"; ready=0; }
if [ "$ready" = 1 ]; then

mkdir -p "$T/auth"
"$EP" keygen --out "$T/auth" >/dev/null
AUTH="$T/auth"
DB="$T/hub.db"
"$WH" init --db "$DB" --pub "$AUTH/authority.pub" --results-key "$AUTH/results.key" >/dev/null

# ---- the batch: four level-4 candidates, rooms 01 (A, B) and 02 (C, D) ------------------------------
A=$(gbid 44010619900101001); B=$(gbid 44010619910202002); C=$(gbid 44010619920303003); D=$(gbid 44010619930404004)
{
    echo "id_number,name,applied_level,work_years,education,major_related,cert,cert_years,training,graduated_years,received,address,phone,extra_minutes"
    echo "$A,陈志明,4,2,none,no,,,,,2026-03-01,广州市天河区天河路100号,13800000001,"
    echo "$B,林美玲,4,1,none,no,,,,,2026-03-02,广州市越秀区中山五路8号,13800000002,0"
    echo "$C,黄国强,4,2,none,no,,,,,2026-03-03,深圳市福田区深南大道6号,13800000003,30" # planned extra time (issue 12)
    echo "$D,张丽,4,2,none,no,,,,,2026-03-04,佛山市禅城区祖庙路3号,13800000004,"
} >"$T/apps.csv"
# planned extra time that is negative, over the cap or not a number: the whole file refused at FILE:LINE
awk -F, -v OFS=, 'NR == 2 { $14 = "-5" } NR == 3 { $14 = "241" } NR == 4 { $14 = "abc" } { print }' "$T/apps.csv" >"$T/apps-bad.csv"
run "$WH" register --db "$DB" --csv "$T/apps-bad.csv"
check_msg "register: bad extra_minutes (-5, 241, abc) refused at FILE:LINE, nothing registered" "rc=$RC $ERR" \
    eval '[ $RC -ne 0 ] && grep -q "apps-bad.csv:2: extra_minutes (延长时间) .-5. must be a whole number of minutes, 0-240" "$T/err" &&
          grep -q "apps-bad.csv:3: extra_minutes (延长时间) .241." "$T/err" && grep -q "apps-bad.csv:4: extra_minutes (延长时间) .abc." "$T/err" &&
          [ "$(sqlv "SELECT count(*) FROM application")" = 0 ]'
{ echo "id_number,batch,amount"; for p in "$A" "$B" "$C" "$D"; do echo "$p,2026-03,410"; done; } >"$T/pay.csv"
printf 'site,site_code,room,capacity\n广州天河考点,440106,01,2\n广州天河考点,440106,02,2\n' >"$T/rooms.csv"
# registered first without C's accommodation, then the file with it: the approval later sets it
awk -F, -v OFS=, 'NR == 4 { $14 = "" } { print }' "$T/apps.csv" >"$T/apps-first.csv"
"$WH" register --db "$DB" --csv "$T/apps-first.csv" >/dev/null 2>&1
run "$WH" register --db "$DB" --csv "$T/apps.csv"
check_msg "register again with C's 30 planned minutes: nothing registered twice, C's planned extra time set, rosters to be rewritten" \
    "rc=$RC $ERR" eval '[ $RC -eq 0 ] && grep -q "0 registered, 0 refused as not eligible, 4 already registered" "$T/err" &&
        grep -q "planned extra time changed for 1 already registered application(s): run examhub rosters again" "$T/err" &&
        [ "$(sqlv "SELECT group_concat(extra_minutes) FROM (SELECT extra_minutes FROM application ORDER BY received)")" = "0,0,30,0" ]'
"$WH" pay --db "$DB" --csv "$T/pay.csv" >/dev/null 2>&1
"$WH" rooms --db "$DB" --csv "$T/rooms.csv" >/dev/null 2>&1
"$WH" plan --db "$DB" --batch 2026-03 --theory "2026-03-28 09:00" --practical "2026-03-28 14:00" >/dev/null 2>&1
"$WH" applications --db "$DB" --batch 2026-03 >"$T/apps.out" 2>&1
TA=$(csvget "$T/apps.out" id_number "$A" ticket); TB=$(csvget "$T/apps.out" id_number "$B" ticket)
TC=$(csvget "$T/apps.out" id_number "$C" ticket); TD=$(csvget "$T/apps.out" id_number "$D" ticket)
"$WH" rosters --db "$DB" --batch 2026-03 --key "$AUTH/authority.key" --out "$T/rosters" --kdf-ops 1 --kdf-mem 16 >/dev/null 2>&1
R1=$(ls "$T/rosters"/*-01.roster 2>/dev/null); R2=$(ls "$T/rosters"/*-02.roster 2>/dev/null)
check_msg "setup: four planned candidates (01: $TA $TB, 02: $TC $TD) and their rooms' rosters" "$(cat "$T/apps.out")" \
    eval '[ -n "$TA" ] && [ -n "$TD" ] && [ -f "$R1" ] && [ -f "$R2" ]'
check "examhub rosters signs C's planned 30 minutes into room 02's roster (0 for D)" python3 -c '
import sys; b = open(sys.argv[1], "rb").read()
sys.exit(not (b[8] == 3 and (sys.argv[2] + "\t4\t1\t30\t").encode() in b and (sys.argv[3] + "\t4\t2\t0\t").encode() in b))' "$R2" "$TC" "$TD"
check_msg "and its door list shows the 30 minutes (extra_minutes column)" "$(cat "$T/rosters"/*-02-door.csv)" \
    eval 'head -1 "$T/rosters"/*-02-door.csv | grep -qx "seat,ticket,name,id_number,level,extra_minutes" &&
          grep -q "^1,$TC,黄国强,.*,4,30$" "$T/rosters"/*-02-door.csv && grep -q "^2,$TD,.*,4,0$" "$T/rosters"/*-02-door.csv'

build() { # build BANK BLUEPRINT OUT: prints the release code
    "$EP" build --bank "$1" --blueprint "$2" --key "$AUTH/authority.key" --out "$3" --kdf-ops 2 --kdf-mem 64 >"$T/build.out" &&
        tail -1 "$T/build.out"
}
CT=$(build "$SAMPLES/theory-4.csv" "$SAMPLES/theory-4.ini" "$T/theory.pack")
COLD=$(build "$SAMPLES/theory-4.csv" "$SAMPLES/theory-4.ini" "$T/old.pack") # another pack of the same level
CP=$(build "$SAMPLES/practical-4.csv" "$SAMPLES/practical-4.ini" "$T/practical.pack")
"$EP" paper --pub "$AUTH/authority.pub" "$T/theory.pack" --release-code "$CT" --seed "$SEED0" >"$T/theory.tsv"
"$EP" paper --pub "$AUTH/authority.pub" "$T/practical.pack" --release-code "$CP" --seed "$SEED0" >"$T/practical.tsv"

login() { echo "text $1"; echo "key Tab"; echo "text $2"; echo "key Return"; echo "expect 核对考生信息"; echo "key Return"; echo "expect 考生须知"; echo "key Return"; }
handin() { echo "wait 1800000"; echo "key F10"; echo "expect 确认交卷？"; echo "key Return"; echo "expect $1"; }
# kiosk NAME ROOM SEAT ROSTER SCRIPT
kiosk() {
    local d="$T/$1"
    [ -d "$d" ] || { "$SYNC" init --data "$d" --pub "$AUTH/authority.pub" --site 广州天河考点 --room "$2" --seat "$3" >/dev/null &&
        "$SYNC" add --data "$d" "${PACK:-$T/theory.pack}" "$4" >/dev/null; } || { echo "cannot provision $d"; return 1; }
    KIOSK_SEED=$SEED0 "$KIOSK" --data "$d" --script "$5" >"$T/kout" 2>"$T/kerr" || { echo "kiosk $1: $(head -3 "$T/kerr")"; return 1; }
}
sit() { local name=$1 msg; shift; if msg=$(kiosk "$@" 2>&1); then pass "$name"; else fail "$name" "$msg"; fi; }
bwant=$(paper_points "$T/theory.tsv" 30)
{ script_unlock "$CT"; login "$TA" "$A"; script_answers "$T/theory.tsv" right; handin "本次考试得分：100 分"; } >"$T/s.txt"
sit "sitting on kiosk ka (room 01): A all right = 100" ka 01 1 "$R1" "$T/s.txt"
{ script_unlock "$CT"; login "$TB" "$B"; script_answers "$T/theory.tsv" right 30; handin "本次考试得分：$((bwant / 10))"; } >"$T/s.txt"
sit "sitting on kiosk kb (room 01): B 30 right = $((bwant / 10))" kb 01 2 "$R1" "$T/s.txt"
{ script_unlock "$CT"; login "$TC" "$C"; script_answers "$T/theory.tsv" wrong; handin "本次考试得分：0 分"; } >"$T/s.txt"
sit "sitting on kiosk kc (room 02): C all wrong = 0" kc 02 1 "$R2" "$T/s.txt"

check_msg "examhub serve on a free 127.0.0.1 port" "$(tail -3 "$T/hub.log" 2>/dev/null)" hub_start "$DB"
for k in ka kb kc; do
    "$SYNC" enroll --data "$T/$k" --hub "$HUB_URL" --token "$("$WH" token --db "$DB")" >"$T/enroll.out" 2>&1
    timeout 60 "$SYNC" push --data "$T/$k" --hub "$HUB_URL" >"$T/push-$k.out" 2>&1
done
KA=$(sqlv "SELECT kiosk_id FROM kiosk WHERE room='01' AND seat=1"); KC=$(sqlv "SELECT kiosk_id FROM kiosk WHERE room='02'")
RA=$(sqlv "SELECT result_id FROM result WHERE ticket='$TA'"); RB=$(sqlv "SELECT result_id FROM result WHERE ticket='$TB'")
RC_=$(sqlv "SELECT result_id FROM result WHERE ticket='$TC'")
check_msg "the three genuine results are stored" "$(cat "$T"/push-*.out)" eval '[ -n "$RA" ] && [ -n "$RB" ] && [ -n "$RC_" ]'
json_of "$RA" "$T/a.json"; json_of "$RB" "$T/b.json"; json_of "$RC_" "$T/c.json"

# ---- 4. the score -----------------------------------------------------------------------------------
check_msg "before the paper is registered, every result waits unscored (result.scored = 0) and none is flagged" \
    "$(sqlv "SELECT ticket, scored FROM result")" eval '[ "$(sqlv "SELECT count(*) FROM result WHERE scored=0")" = 3 ] &&
        [ "$(sqlv "SELECT count(*) FROM result_flag")" = 0 ]'
# forged before registration: B's wrong answers with a claimed 100
$FORGE --device "$T/ka" --json "$T/b.json" --set score=1000 --set session=$(printf '%032d' 1) --out "$T/f100.sealed" >"$T/f100.id"
F100=$(cat "$T/f100.id")
check_msg "a forged result (B's answers, score 100) is accepted for now: 200, stored unscored" "$(post "$T/f100.sealed" "$KA")" \
    eval '[ "$(cat "$T/post.code")" = 200 ] && [ "$(sqlv "SELECT scored FROM result WHERE result_id='"'$F100'"'")" = 0 ]'

run "$WH" papers --db "$DB" --add "$T/theory.pack" --batch 2026-03 --release-code - <<<"WRONG-CODE-0000"
check_msg "papers --add with a wrong release code (stdin) is refused, nothing registered" "rc=$RC $ERR" \
    eval '[ $RC -ne 0 ] && [ "$(sqlv "SELECT count(*) FROM paper")" = 0 ]'
mkdir -p "$T/other"; "$EP" keygen --out "$T/other" >/dev/null
"$EP" build --bank "$SAMPLES/theory-4.csv" --blueprint "$SAMPLES/theory-4.ini" --key "$T/other/authority.key" \
    --out "$T/foreign.pack" --kdf-ops 2 --kdf-mem 64 >"$T/build.out"
run "$WH" papers --db "$DB" --add "$T/foreign.pack" --batch 2026-03 --release-code - <<<"$(tail -1 "$T/build.out")"
check_msg "papers --add of a pack signed by another authority is refused" "rc=$RC $ERR" \
    eval '[ $RC -ne 0 ] && [ "$(sqlv "SELECT count(*) FROM paper")" = 0 ]'
unscored_theory() { "$WH" progress --db "$DB" --batch 2026-03 --csv | awk -F, '$3 == "theory" { n += $13 } END { print n + 0 }'; }
u_before=$(unscored_theory)
run "$WH" certificates --db "$DB" --batch 2026-03
check_msg "certificates refuse while sittings are unscored (their paper not registered): the kiosks' own scores are not final" \
    "rc=$RC $ERR" eval '[ $RC -eq 1 ] && grep -q "unscored (its paper is not registered: examhub papers --add)" "$T/err" &&
        grep -q "unscored in batch 2026-03" "$T/err" && [ "$(sqlv "SELECT count(*) FROM certificate")" = 0 ]'
run "$WH" papers --db "$DB" --add "$T/theory.pack" --batch 2026-03 --release-code - <<<"$CT"
u_after=$(unscored_theory)
check_msg "examhub progress: the theory sittings count as unscored until the paper is registered, none after" \
    "before $u_before, after $u_after" eval '[ "$u_before" -ge 2 ] && [ "$u_after" = 0 ]'
check_msg "papers --add (code from stdin): registered, the 4 stored results scored by the hub" "rc=$RC $OUT $ERR" \
    eval '[ $RC -eq 0 ] && grep -q "4 stored results scored by the hub, 1 flagged" "$T/out"'
check_msg "hub.db keeps no release code: the content key is sealed to the results key (32 + 48 bytes)" \
    "$(sqlv "SELECT length(sealed_key) FROM paper")" eval '[ "$(sqlv "SELECT length(sealed_key) FROM paper")" = 80 ] &&
        ! sqlite3 "$DB" .dump | grep -qF "$CT"'
check_msg "the genuine results agree with the hub's rescoring: scored, not flagged, same scores" \
    "$(sqlv "SELECT ticket, scored, score_tenths, passed FROM result")" \
    eval '[ "$(sqlv "SELECT score_tenths || passed || scored FROM result WHERE result_id='"'$RA'"'")" = 100011 ] &&
          [ "$(sqlv "SELECT score_tenths FROM result WHERE result_id='"'$RB'"'")" = "$bwant" ] &&
          [ -z "$(flags_of "$RA")$(flags_of "$RB")$(flags_of "$RC_")" ]'
check_msg "the forged 100 is flagged (score differs) and the hub's score is stored" "$(flags_of "$F100")" \
    eval 'flags_of "$F100" | grep -q "score differs from the hub.s rescoring: the kiosk claims 100.0 points, the hub counts" &&
          [ "$(sqlv "SELECT score_tenths FROM result WHERE result_id='"'$F100'"'")" = "$bwant" ]'
run "$WH" papers --db "$DB"
check_msg "examhub papers lists the paper with its batch and counts" "$OUT" \
    eval 'grep -q "^pack_id,batch,level,kind,title,added,by,results,unscored,flagged$" "$T/out" && grep -q ",2026-03,4,theory,.*,4,0,1$" "$T/out"'

# a practical paper with essays: pending, not a difference
{ script_unlock "$CP"; login "$TA" "$A"; script_answers "$T/practical.tsv" right; handin "客观题得分"; } >"$T/s.txt"
PACK="$T/practical.pack" sit "sitting on kiosk kp (room 01): A's practical, objective items right, 2 essays to mark" kp 01 3 "$R1" "$T/s.txt"
"$SYNC" enroll --data "$T/kp" --hub "$HUB_URL" --token "$("$WH" token --db "$DB")" >"$T/enroll.out" 2>&1
timeout 60 "$SYNC" push --data "$T/kp" --hub "$HUB_URL" >"$T/push-kp.out" 2>&1
RP=$(sqlv "SELECT result_id FROM result WHERE ticket='$TA' AND kind='practical'")
check_msg "A's practical arrives unscored, flagged while its pack is not a registered paper of 2026-03" \
    "$(cat "$T/push-kp.out") $(flags_of "$RP")" \
    eval '[ -n "$RP" ] && [ "$(sqlv "SELECT scored FROM result WHERE result_id='"'$RP'"'")" = 0 ] &&
          flags_of "$RP" | grep -q "is not a registered paper of batch 2026-03"'
run "$WH" papers --db "$DB" --add "$T/practical.pack" --batch 2026-03 --release-code - <<<"$CP"
pwant=$(paper_points "$T/practical.tsv")
check_msg "practical paper registered: that flag lifted, A's result rescored (2 essays pending, objective points agree), no flag" \
    "rc=$RC $OUT $ERR; $(sqlv "SELECT score_tenths, pending, passed, scored FROM result WHERE result_id='$RP'") flags: $(flags_of "$RP")" \
    eval '[ $RC -eq 0 ] && grep -q "1 stored results scored by the hub, 0 flagged" "$T/out" &&
          [ "$(sqlv "SELECT score_tenths || \",\" || pending || passed || scored FROM result WHERE result_id='"'$RP'"'")" = "$pwant,201" ] &&
          [ -z "$(flags_of "$RP")" ]'

# forged at ingest, after registration
forge() { # forge NAME KIOSKDIR JSON SETTINGS...: seals into $T/NAME.sealed, prints the result id
    local n=$1 d=$2 j=$3; shift 3
    local a=() s; for s in "$@"; do a+=(--set "$s"); done
    $FORGE --device "$d" --json "$j" "${a[@]}" --out "$T/$n.sealed"
}
F2=$(forge f2 "$T/kc" "$T/c.json" pass=0 session=$(printf '%032d' 2))
check_msg "C's 0 points forged as passed 1: stored (200) but flagged, passed 0 counted" "$(post "$T/f2.sealed" "$KC") $(flags_of "$F2")" \
    eval '[ "$(cat "$T/post.code")" = 200 ] && flags_of "$F2" | grep -q "passed differs from the hub.s rescoring: the kiosk claims 1, the hub finds 0" &&
          [ "$(sqlv "SELECT passed || score_tenths FROM result WHERE result_id='"'$F2'"'")" = 00 ]'
F3=$(forge f3 "$T/ka" "$T/b.json" item_score=1:10 item_response=1:Z session=$(printf '%032d' 3))
post "$T/f3.sealed" "$KA" >/dev/null
check_msg "an item whose claimed score is not its answer's is flagged (per item)" "$(flags_of "$F3")" \
    eval 'flags_of "$F3" | grep -q "item scores differ from the hub.s rescoring: item 1"'

# ---- 5. the paper -----------------------------------------------------------------------------------
OLD=$("$EP" verify --pub "$AUTH/authority.pub" "$T/old.pack" 2>/dev/null | sed -n 's/.*OK, pack \([0-9a-f]\{32\}\) .*/\1/p')
F5=$(forge f5 "$T/ka" "$T/a.json" pack_id="$OLD" session=$(printf '%032d' 5))
check_msg "a result for another pack of the same level (not a registered paper of 2026-03) is flagged" \
    "old=$OLD $(post "$T/f5.sealed" "$KA") $(flags_of "$F5")" \
    eval '[ -n "$OLD" ] && flags_of "$F5" | grep -q "pack $OLD is not a registered paper of batch 2026-03"'

# ---- 6. the candidate and the place ---------------------------------------------------------------------
F6=$(forge f6 "$T/ka" "$T/a.json" ticket=2026034409009 session=$(printf '%032d' 6))
post "$T/f6.sealed" "$KA" >/dev/null
check_msg "a ticket the hub never planned is flagged" "$(flags_of "$F6")" \
    eval 'flags_of "$F6" | grep -q "ticket 2026034409009 is not on a roster the hub made for batch 2026-03"'
F7=$(forge f7 "$T/ka" "$T/c.json" room=01 session=$(printf '%032d' 7))
post "$T/f7.sealed" "$KA" >/dev/null
check_msg "a room-02 candidate's result from a room-01 kiosk is flagged" "$(flags_of "$F7")" \
    eval 'flags_of "$F7" | grep -q "ticket $TC is planned in room 02 of 广州天河考点, the kiosk is enrolled in room 01"'
F8=$(forge f8 "$T/ka" "$T/a.json" room=02 session=$(printf '%032d' 8))
post "$T/f8.sealed" "$KA" >/dev/null
check_msg "a result whose room is not its kiosk's enrolled room is flagged" "$(flags_of "$F8")" \
    eval 'flags_of "$F8" | grep -q "the record.s room 02 is not the kiosk.s enrolled room 01"'

# the planned accommodation (issue 12): outside any cap, but it must be what the hub signed into the roster
check "C's genuine result lists the 30 planned minutes (planned 1, at exam time 0) in its extra time, and is not flagged" \
    eval 'grep -q "\"extra_ms\":1800000," "$T/c.json" &&
          grep -q "\"extensions\":\[{\"minutes\":30,\"reason\":\"planned accommodation\",\"at_ms\":0,\"planned\":1}\]" "$T/c.json" &&
          [ -z "$(flags_of "$RC_")" ]'
planned_json() { # planned_json IN OUT MINUTES: the record's planned extensions replaced by one of MINUTES (0: none)
    python3 - "$1" "$2" "$3" <<'PY'
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
m = int(sys.argv[3])
x = [e for e in r.get("extensions", []) if not e.get("planned")]
r["extensions"] = ([{"minutes": m, "reason": "planned accommodation", "at_ms": 0, "planned": 1}] if m else []) + x
r["extra_ms"] = sum(e["minutes"] for e in r["extensions"]) * 60000
json.dump(r, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False, separators=(",", ":"))
PY
}
planned_json "$T/c.json" "$T/c90.json" 90
FP1=$(forge fp1 "$T/kc" "$T/c90.json" session=$(printf '%032d' 21))
check_msg "C's result claiming 90 planned minutes (the roster has 30) is flagged" "$(post "$T/fp1.sealed" "$KC") $(flags_of "$FP1")" \
    eval '[ "$(cat "$T/post.code")" = 200 ] &&
          flags_of "$FP1" | grep -q "planned extra time differs from the plan: the kiosk granted 90 minutes as planned, the roster of ticket $TC has 30"'
planned_json "$T/a.json" "$T/a30.json" 30
FP2=$(forge fp2 "$T/ka" "$T/a30.json" session=$(printf '%032d' 22))
check_msg "A's result with 30 planned minutes A was never given is flagged" "$(post "$T/fp2.sealed" "$KA") $(flags_of "$FP2")" \
    eval 'flags_of "$FP2" | grep -q "the kiosk granted 30 minutes as planned, the roster of ticket $TA has 0"'

all_listed() { local r; for r in "$@"; do grep -q "^$r," "$T/out" || return 1; done; }
run "$WH" flagged --db "$DB" --batch 2026-03
check_msg "examhub flagged --batch lists each flagged result with its reason" "$OUT" \
    eval 'head -1 "$T/out" | grep -q "^result_id,ticket,name,pack_id,kind,kiosk,scored,received_at,reason,flagged_at$" &&
          all_listed $F100 $F2 $F3 $F5 $F6 $F7 $F8 &&
          ! grep -q "^$RA," "$T/out" && grep "^$F7," "$T/out" | grep -q "planned in room 02"'

# ---- 7. formats -----------------------------------------------------------------------------------------
fmt_case() { # fmt_case NAME WANT SETTINGS...
    local name=$1 want=$2 id; shift 2
    id=$(forge fx "$T/ka" "$T/a.json" "$@")
    local ans; ans=$(post "$T/fx.sealed" "$KA")
    check_msg "format: $name → 422 with the reason, nothing stored" "$ans" \
        eval '[ "$(cat "$T/post.code")" = 422 ] && grep -q "$want" "$T/post.body" &&
              [ "$(sqlv "SELECT count(*) FROM result WHERE result_id='"'$id'"'")" = 0 ]'
}
FY=$(forge fy "$T/ka" "$T/a.json" submitted_at=4102444800 session=$(printf '%032d' 11))
post "$T/fy.sealed" "$KA" >/dev/null
check_msg "submitted_at in 2100 (a kiosk clock far ahead): stored, flagged with the reason, not counted" "$(flags_of "$FY")" \
    eval '[ "$(cat "$T/post.code")" = 200 ] && flags_of "$FY" | grep -q "minutes after the hub.s clock .*: the kiosk.s clock is wrong"'
fmt_case "pack_id ../../../../tmp/x" "pack_id must be 32 lowercase hex digits" "pack_id=../../../../tmp/x"
fmt_case "kind essay" "kind must be theory or practical" kind=essay
fmt_case "a ticket with a slash" "ticket must be 1-32 characters" "ticket=20260344/01"
fmt_case "started_at after submitted_at" "started_at must be between 0 and submitted_at" started_at=4102444800
fmt_case "submitted_at 0" "submitted_at must be a time after 1970" submitted_at=0
fmt_case "a name with a newline" "name must not hold control characters" "name=陈志明
$TB,林美玲"
$FORGE --device "$T/ka" --json "$T/a.json" --set submitted_at=$(( $(date +%s) + 300 )) --set session=$(printf '%032d' 9) --out "$T/skew.sealed" >/dev/null
check_msg "format: submitted_at 5 minutes ahead (within the 10-minute skew) is accepted" "$(post "$T/skew.sealed" "$KA")" \
    eval '[ "$(cat "$T/post.code")" = 200 ]'
FX=$(forge fxss "$T/ka" "$T/a.json" "name=<img src=x onerror=alert(1)>" session=$(printf '%032d' 10))
post "$T/fxss.sealed" "$KA" >/dev/null
hub_stop
# a field an older hub let in: pack_id with ../ straight into hub.db (as a stored row)
sqlv "INSERT INTO result(result_id, kiosk_id, session, ticket, name, level, pack_id, title, kind, status, score_tenths, passed,
      pending, submitted_at, received_at, json, sealed) SELECT 'ffffffffffffffffffffffffffffffff', kiosk_id, session, ticket, name,
      level, '../../../../tmp/x$$', title, kind, status, score_tenths, passed, pending, submitted_at, received_at, json, sealed
      FROM result WHERE result_id='$RA'"
mkdir -p "$T/rep" && mkdir -m 700 "$T/rep/out" # (examhub refuses an --out folder others may enter)
run "$WH" report --db "$DB" --out "$T/rep/out"
check_msg "report: a stored pack_id with ../ gets no page, nothing is written outside --out" "rc=$RC $ERR $(ls "$T/rep")" \
    eval '[ $RC -ne 0 ] && grep -q "gets no page" "$T/err" && [ "$(ls "$T/rep")" = out ] && [ ! -e "/tmp/x$$.html" ] &&
          ls "$T/rep/out" | grep -qx "[0-9a-f]\{32\}.html"'
check_msg "report: a flagged result (the forged 100) is listed as flagged and not counted; statuses in Chinese" \
    "$(grep -ho '<tr class=flagged>.\{0,200\}' "$T/rep/out"/*.html | head -2)" \
    eval 'grep -q "<tr class=flagged><td>[^<]*</td><td>[^<]*</td><td>[^<]*</td><td class=n>[^<]*</td><td>已标记，不计入" "$T/rep/out"/*.html &&
          grep -q "<td>已交卷</td>" "$T/rep/out"/*.html && ! grep -q "<td>submitted</td>" "$T/rep/out"/*.html'
check_msg "report: a name <img src=x onerror=...> is escaped in the HTML" "$(grep -o '.img src=x[^<]*' "$T/rep/out"/*.html | head -2)" \
    eval '! grep -q "<img" "$T/rep/out"/*.html && grep -q "&lt;img src=x onerror=alert(1)&gt;" "$T/rep/out"/*.html'
sqlv "DELETE FROM result WHERE result_id='ffffffffffffffffffffffffffffffff'"

# ---- 8. kiosks, revoke, admit ------------------------------------------------------------------------------
check_msg "examhub serve again" "$(tail -3 "$T/hub.log")" hub_start "$DB"
{ script_unlock "$CT"; login "$TD" "$D"; script_answers "$T/theory.tsv" right; handin "本次考试得分：100 分"; } >"$T/s.txt"
sit "kiosk kd (room 02): D all right = 100, its result waiting in the outbox" kd 02 2 "$R2" "$T/s.txt"
"$SYNC" enroll --data "$T/kd" --hub "$HUB_URL" --token "$("$WH" token --db "$DB")" >"$T/enroll.out" 2>&1
KC=$(sqlv "SELECT kiosk_id FROM kiosk WHERE room='02' AND seat=2")
run "$WH" kiosks --db "$DB"
check_msg "examhub kiosks lists the three kiosks, enrolled, with room and result counts" "$OUT" \
    eval 'grep -q "^kiosk,site,room,seat,enrolled,results,state,revoked_at,why,by$" "$T/out" && grep "^$KA," "$T/out" | grep -q ",01,1,.*,enrolled,"'
run "$WH" revoke --db "$DB" "$KC" --why "device key copied during the exam"
check_msg "examhub revoke KIOSK --why" "rc=$RC $OUT $ERR" eval '[ $RC -eq 0 ] && grep -q "revoked" "$T/out"'
run "$WH" revoke --db "$DB" 0000000000000000 --why x
check_msg "revoke: an unknown kiosk is an error" "rc=$RC $ERR" eval '[ $RC -ne 0 ] && grep -q "no such kiosk" "$T/err"'
run "$WH" kiosks --db "$DB"
check_msg "examhub kiosks shows the revocation with why and who" "$OUT" \
    eval 'grep "^$KC," "$T/out" | grep -q ",revoked,.*,device key copied during the exam,"'
run timeout 60 "$SYNC" push --data "$T/kd" --hub "$HUB_URL"
check_msg "examsync push from the revoked kiosk: refused (403) with the reason, the result kept pending" "rc=$RC $OUT $ERR" \
    eval '[ $RC -ne 0 ] && grep -q "403" "$T/out" "$T/err" && grep -q "revoked" "$T/out" "$T/err" && grep -q "1 pending" "$T/out" "$T/err"'
F9=$(forge f9 "$T/kd" "$T/c.json" session=$(printf '%032d' 11))
check_msg "a result signed by the revoked kiosk's key: 403, not stored" "$(post "$T/f9.sealed" "$KC")" \
    eval '[ "$(cat "$T/post.code")" = 403 ] && grep -q "revoked" "$T/post.body" && [ -z "$(sqlv "SELECT 1 FROM result WHERE result_id='"'$F9'"'")" ]'
"$SYNC" export --data "$T/kd" --out "$T/kc.bundle" >/dev/null 2>&1
run "$WH" import --db "$DB" "$T/kc.bundle"
check_msg "examhub import of the revoked kiosk's bundle is refused" "rc=$RC $OUT $ERR" \
    eval '[ $RC -ne 0 ] && grep -q "revoked" "$T/err" && [ "$(sqlv "SELECT count(*) FROM result WHERE ticket='"'$TD'"'")" = 0 ]'
run "$WH" admit --db "$DB" "$T/kc.bundle"
check_msg "admit without --why is a usage error" "rc=$RC $ERR" eval '[ $RC -eq 2 ]'
run "$WH" admit --db "$DB" --why "bundle collected by hand from room 02 before the key was copied" "$T/kc.bundle"
check_msg "examhub admit --why: the staff decision lets D's result in, recorded with who and why, and it is rescored" \
    "rc=$RC $OUT $ERR" eval '[ $RC -eq 0 ] && grep -q "1 stored" "$T/out" &&
        [ "$(sqlv "SELECT r.scored || r.score_tenths || a.why FROM result r JOIN result_admission a USING(result_id) WHERE r.ticket='"'$TD'"'")" = "11000bundle collected by hand from room 02 before the key was copied" ] &&
        [ -n "$(sqlv "SELECT by FROM result_admission")" ]'
$FORGE --device "$T/ka" --json "$T/a.json" --set session=$(printf '%032d' 12) --bundle "$T/ka.bundle" >/dev/null
run "$WH" admit --db "$DB" --why "not needed" "$T/ka.bundle"
check_msg "admit refuses a bundle of a kiosk that is not revoked" "rc=$RC $ERR" eval '[ $RC -ne 0 ] && grep -q "is not revoked" "$T/err"'
hub_stop
fi
