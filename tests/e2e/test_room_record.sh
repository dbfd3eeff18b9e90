# End-to-end: the hub and the room record (考场记录; issue 12, FORMAT.md §17),
# through the real binaries: genuine sittings on scripted kiosks whose results
# carry their journal (FORMAT.md §8), a room record signed with a console key
# and holding the journal heads of each seat as a console mirrors them
# (tests/tools/room_record, until examroom report writes the real one), and
# the attacker with a seat's disk, device key and release code who rewrites
# its journal after the console saw it and re-makes the sealed result:
#   - examhub consoles --add registers a console key; a record of another
#     console, or altered, is refused with nothing stored
#   - an untouched journal extends every mirrored head: no flag
#   - a rewritten journal is flagged "room record: journal rewritten …",
#     whichever of record, paper and result reaches the hub last
#   - the record's absences count as absences (examhub progress), and an
#     absence never overrides a real sitting
#   - results made with a kiosk's key (tests/tools/forge_result) that carry no
#     journal, or a journal edited without chaining it again, are flagged
T=$(new_tmp)
. "$(dirname "${BASH_SOURCE[0]}")/kiosk_lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/hub_lib.sh"
WH="$HUBBIN"
RR="${TEST_TOOLS_DIR:-$ROOT/build/release/testtools}/room_record"
FORGE="${TEST_TOOLS_DIR:-$ROOT/build/release/testtools}/forge_result"

csvget() { # csvget FILE KEY VALUE NAME (columns by header name)
    awk -F, -v k="$2" -v v="$3" -v n="$4" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } $c[k] == v { print $c[n] }' "$1"
}
sqlv() { sqlite3 "$DB" "$1"; }
other_flags() { sqlv "SELECT count(*) FROM result_flag WHERE result_id='$1' AND reason NOT LIKE 'room record: %'"; }
flags_of() { sqlv "SELECT group_concat(reason, ' | ') FROM result_flag WHERE result_id='$1'"; }
result_of() { sqlv "SELECT result_id FROM result WHERE ticket='$1' AND kiosk_id='$2' ORDER BY received_at DESC LIMIT 1"; }
kiosk_id() { sqlv "SELECT kiosk_id FROM kiosk WHERE room='01' AND seat=$1"; }
room_rows() { sqlv "SELECT count(*) FROM room_record"; }
progress_theory() { # progress_theory COLUMN: the theory row of room 01
    "$WH" progress --db "$DB" --batch 2026-03 --csv | awk -F, -v col="$1" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
        $3 == "theory" && $5 == "01" { print $c[col] }'
}

ready=1
need curl sqlite3 timeout || ready=0
[ -x "$RR" ] || { fail "room_record is built (make e2e builds tests/tools)" "$RR missing"; ready=0; }
if [ "$ready" = 1 ]; then

mkdir -p "$T/auth"
"$EP" keygen --out "$T/auth" >/dev/null
AUTH="$T/auth"
DB="$T/hub.db"
"$WH" init --db "$DB" --pub "$AUTH/authority.pub" --results-key "$AUTH/results.key" >/dev/null

# ---- the batch: four level-4 candidates in room 01 ----------------------------------------------------
A=$(gbid 44010619900101001); B=$(gbid 44010619910202002); C=$(gbid 44010619920303003); D=$(gbid 44010619930404004)
{
    echo "id_number,name,applied_level,work_years,education,major_related,cert,cert_years,training,graduated_years,received,address,phone"
    echo "$A,陈志明,4,2,none,no,,,,,2026-03-01,广州市天河区天河路100号,13800000001"
    echo "$B,林美玲,4,1,none,no,,,,,2026-03-02,广州市越秀区中山五路8号,13800000002"
    echo "$C,黄国强,4,2,none,no,,,,,2026-03-03,深圳市福田区深南大道6号,13800000003"
    echo "$D,张丽,4,2,none,no,,,,,2026-03-04,佛山市禅城区祖庙路3号,13800000004"
} >"$T/apps.csv"
{ echo "id_number,batch,amount"; for p in "$A" "$B" "$C" "$D"; do echo "$p,2026-03,410"; done; } >"$T/pay.csv"
printf 'site,site_code,room,capacity\n广州天河考点,440106,01,4\n' >"$T/rooms.csv"
"$WH" register --db "$DB" --csv "$T/apps.csv" >/dev/null 2>&1
"$WH" pay --db "$DB" --csv "$T/pay.csv" >/dev/null 2>&1
"$WH" rooms --db "$DB" --csv "$T/rooms.csv" >/dev/null 2>&1
"$WH" plan --db "$DB" --batch 2026-03 --theory "2026-03-28 09:00" --practical "2026-03-28 14:00" >/dev/null 2>&1
"$WH" applications --db "$DB" --batch 2026-03 >"$T/apps.out" 2>&1
TA=$(csvget "$T/apps.out" id_number "$A" ticket); TB=$(csvget "$T/apps.out" id_number "$B" ticket)
TC=$(csvget "$T/apps.out" id_number "$C" ticket); TD=$(csvget "$T/apps.out" id_number "$D" ticket)
"$WH" rosters --db "$DB" --batch 2026-03 --key "$AUTH/authority.key" --out "$T/rosters" --kdf-ops 1 --kdf-mem 16 >/dev/null 2>&1
R1=$(ls "$T/rosters"/*-01.roster 2>/dev/null)
check_msg "setup: four planned candidates in room 01 ($TA $TB $TC $TD) and its roster" "$(cat "$T/apps.out")" \
    eval '[ -n "$TA" ] && [ -n "$TD" ] && [ -f "$R1" ]'

"$EP" build --bank "$SAMPLES/theory-4.csv" --blueprint "$SAMPLES/theory-4.ini" --key "$AUTH/authority.key" \
    --out "$T/theory.pack" --kdf-ops 2 --kdf-mem 64 >"$T/build.out"
CT=$(tail -1 "$T/build.out")
PACK=$("$EP" inspect --pub "$AUTH/authority.pub" "$T/theory.pack" | sed -n 's/^id: //p')
"$EP" paper --pub "$AUTH/authority.pub" "$T/theory.pack" --release-code "$CT" --seed "$SEED0" >"$T/theory.tsv"

login() { echo "text $1"; echo "key Tab"; echo "text $2"; echo "key Return"; echo "expect 核对考生信息"; echo "key Return"; echo "expect 考生须知"; echo "key Return"; }
handin() { echo "wait 1800000"; echo "key F10"; echo "expect 确认交卷？"; echo "key Return"; echo "expect $1"; }
kiosk() { # kiosk NAME SEAT SCRIPT
    local d="$T/$1"
    [ -d "$d" ] || { "$SYNC" init --data "$d" --pub "$AUTH/authority.pub" --site 广州天河考点 --room 01 --seat "$2" >/dev/null &&
        "$SYNC" add --data "$d" "$T/theory.pack" "$R1" >/dev/null; } || { echo "cannot provision $d"; return 1; }
    KIOSK_SEED=$SEED0 "$KIOSK" --data "$d" --script "$3" >"$T/kout" 2>"$T/kerr" || { echo "kiosk $1: $(head -3 "$T/kerr")"; return 1; }
}
sit() { local name=$1 msg; shift; if msg=$(kiosk "$@" 2>&1); then pass "$name"; else fail "$name" "$msg"; fi; }
{ script_unlock "$CT"; login "$TA" "$A"; script_answers "$T/theory.tsv" right; handin "本次考试得分：100 分"; } >"$T/s.txt"
sit "sitting on kiosk ka (seat 1): A all right" ka 1 "$T/s.txt"
{ script_unlock "$CT"; login "$TB" "$B"; script_answers "$T/theory.tsv" right 20; handin "本次考试得分"; } >"$T/s.txt"
sit "sitting on kiosk kb (seat 2): B 20 right" kb 2 "$T/s.txt"
{ script_unlock "$CT"; login "$TD" "$D"; script_answers "$T/theory.tsv" right 10; handin "本次考试得分"; } >"$T/s.txt"
sit "sitting on kiosk kd (seat 4): D 10 right" kd 4 "$T/s.txt"

# ---- the consoles: one registered at the hub, one not -----------------------------------------------------
# the room's console as examroom init makes it (console.key, console.pub); a stranger's key made by the test tool
"$BIN/examroom" init --data "$T/console" --pub "$AUTH/authority.pub" --site 广州天河考点 --room 01 <<<"correct horse battery" >/dev/null
mkdir -p "$T/stranger"
"$RR" keygen --out "$T/stranger"
run "$WH" consoles --db "$DB" --add "$T/console/console.pub"
CPK=$(sed -n 's/^sign //p' "$T/console/console.pub")
check_msg "examhub consoles --add registers the room console's key (examroom init's console.pub) and lists it" "rc=$RC $OUT $ERR" \
    eval '[ $RC -eq 0 ] && grep -q "^console_pk,added,by,records$" "$T/out" && grep -qF "$CPK," "$T/out"'
printf 'exam-room-console-pub v1\nsign QUJD\n' >"$T/bad.pub"
run "$WH" consoles --db "$DB" --add "$T/bad.pub"
check_msg "consoles --add refuses a file that is not a console key" "rc=$RC $ERR" \
    eval '[ $RC -eq 1 ] && grep -q "not a room console public key" "$T/err" && [ "$(sqlv "SELECT count(*) FROM room_console")" = 1 ]'

# the room record, as the console saw the room: the heads of ka and kb up to their hand-ins, before anybody touched a disk
"$RR" make --key "$T/console/console.key" --site 广州天河考点 --room 01 --pack "$PACK" --seat "$T/ka:1" --seat "$T/kb:2" \
    --candidate "$TA:$PACK:sat:$T/ka:1" --candidate "$TB:$PACK:sat:$T/kb:2" --candidate "$TC:$PACK:absent:-:3" \
    --out "$T/room.record"
# a second record of the same room (another console session): kd's heads, and a "not seen" for A that a real sitting outweighs
"$RR" make --key "$T/console/console.key" --site 广州天河考点 --room 01 --pack "$PACK" --seat "$T/kd:4" \
    --candidate "$TD:$PACK:sat:$T/kd:4" --candidate "$TA:$PACK:absent:-:1" --out "$T/room2.record"
"$RR" make --key "$T/stranger/console.key" --site 广州天河考点 --room 01 --pack "$PACK" --seat "$T/ka:1" \
    --candidate "$TC:$PACK:absent:-:3" --out "$T/stranger.record"
check_msg "the room records are written (exam-room-record v1, JSON, sig)" "$(head -c 300 "$T/room.record")" \
    eval '[ "$(head -1 "$T/room.record")" = "exam-room-record v1" ] && tail -1 "$T/room.record" | grep -q "^sig "'

# ---- the attacker: B's and D's journals rewritten after the console saw them -------------------------------
nB=$(sqlite3 "$T/kb/kiosk.db" "SELECT min(seq) FROM journal WHERE type='answer'")
nD=$(sqlite3 "$T/kd/kiosk.db" "SELECT min(seq) FROM journal WHERE type='answer'")
hb_before=$(sqlite3 "$T/kb/kiosk.db" "SELECT hex(hash) FROM journal ORDER BY seq DESC LIMIT 1")
"$RR" rewrite --data "$T/kb" --pack "$T/theory.pack" --pub "$AUTH/authority.pub" --results-key "$AUTH/results.key" \
    --release-code "$CT" --seq "$nB" >"$T/rw.out" 2>&1
rwb=$?
"$RR" rewrite --data "$T/kd" --pack "$T/theory.pack" --pub "$AUTH/authority.pub" --results-key "$AUTH/results.key" \
    --release-code "$CT" --seq "$nD" >>"$T/rw.out" 2>&1
rwd=$?
hb_after=$(sqlite3 "$T/kb/kiosk.db" "SELECT hex(hash) FROM journal ORDER BY seq DESC LIMIT 1")
"$SYNC" status --data "$T/kb" >"$T/status.out" 2>&1
check_msg "the rewrite leaves a journal that holds together on the disk (re-chained with the real keys, head changed)" \
    "rc=$rwb/$rwd $(cat "$T/rw.out") $(head -5 "$T/status.out")" \
    eval '[ $rwb -eq 0 ] && [ $rwd -eq 0 ] && [ "$hb_before" != "$hb_after" ] && ! grep -qi "altered\|does not match" "$T/status.out"'

# ---- results reach the hub; record and paper in every order ------------------------------------------------
check_msg "examhub serve on a free 127.0.0.1 port" "$(tail -3 "$T/hub.log" 2>/dev/null)" hub_start "$DB"
for k in ka kb kd; do
    "$SYNC" enroll --data "$T/$k" --hub "$HUB_URL" --token "$("$WH" token --db "$DB")" >"$T/enroll.out" 2>&1
done
KA=$(kiosk_id 1); KB=$(kiosk_id 2); KD=$(kiosk_id 4)
timeout 60 "$SYNC" push --data "$T/ka" --hub "$HUB_URL" >"$T/push-ka.out" 2>&1
RA=$(result_of "$TA" "$KA")
sqlv "SELECT json FROM result WHERE result_id='$RA'" >"$T/a.json"
check_msg "A's result carries its sitting's journal: journal_base, then entries from its start to its hand-in" \
    "$(head -c 400 "$T/a.json")" eval 'grep -q "\"journal_base\":{\"count\":[0-9]*,\"head\":\"[0-9a-f]\{64\}\"}" "$T/a.json" &&
        grep -q "\"journal\":\[{\"seq\":" "$T/a.json" && grep -q "\"type\":\"start\"" "$T/a.json" &&
        grep -q "\"type\":\"handin\",\"data\":\"status=submitted[^}]*}\]}$" "$T/a.json"'

run "$WH" import --db "$DB" "$T/stranger.record"
check_msg "a room record of a console the hub does not know is refused, nothing stored" "rc=$RC $OUT $ERR" \
    eval '[ $RC -eq 1 ] && grep -q "not registered at this hub (examhub consoles --add console.pub); nothing stored" "$T/err" &&
        [ "$(room_rows)" = 0 ] && [ "$(sqlv "SELECT count(*) FROM room_candidate")" = 0 ]'
sed 's/"room":"01"/"room":"02"/' "$T/room.record" >"$T/tampered.record"
run "$WH" import --db "$DB" "$T/tampered.record"
check_msg "an altered room record (room 01 made 02) is refused: the signature does not verify, nothing stored" \
    "rc=$RC $OUT $ERR" eval '[ $RC -eq 1 ] && grep -q "signature does not verify with room console .*: the record was altered" "$T/err" &&
        [ "$(room_rows)" = 0 ]'
head -c 200 "$T/room.record" >"$T/cut.record"
run "$WH" import --db "$DB" "$T/cut.record"
check_msg "a truncated room record is refused with its reason" "rc=$RC $ERR" \
    eval '[ $RC -eq 1 ] && grep -q "room record" "$T/err" && [ "$(room_rows)" = 0 ]'

# order 1: result (A), record, then the paper
run "$WH" import --db "$DB" "$T/room.record"
check_msg "the room record is imported: 2 seats, 3 candidates (1 absent); A's result waits for its paper" "rc=$RC $OUT $ERR" \
    eval '[ $RC -eq 0 ] && grep -q "room record of room 01 (广州天河考点): 2 seats, [0-9]* journal heads, 3 candidates (1 absent) stored; 0 results checked, 0 flagged, 1 wait" "$T/out"'
run "$WH" import --db "$DB" "$T/room.record"
check_msg "importing the same record again changes nothing" "rc=$RC $OUT" \
    eval '[ $RC -eq 0 ] && grep -q "was already imported" "$T/out" && [ "$(room_rows)" = 1 ]'
check_msg "examhub progress counts C absent from the room record (no kiosk result for C)" \
    "$("$WH" progress --db "$DB" --batch 2026-03 --csv)" eval '[ "$(progress_theory absent)" = 1 ]'
run "$WH" papers --db "$DB" --add "$T/theory.pack" --batch 2026-03 --release-code - <<<"$CT"
check_msg "papers --add: A's untouched journal extends every head the console mirrored: scored, not flagged" \
    "rc=$RC $OUT $ERR flags: $(flags_of "$RA")" eval '[ $RC -eq 0 ] && [ -z "$(flags_of "$RA")" ] &&
        [ "$(sqlv "SELECT scored FROM result WHERE result_id='"'$RA'"'")" = 1 ]'

# order 2: record, paper, then the result (B, rewritten)
timeout 60 "$SYNC" push --data "$T/kb" --hub "$HUB_URL" >"$T/push-kb.out" 2>&1
RB=$(result_of "$TB" "$KB")
check_msg "B's re-made result (signed by kb's own device key) is accepted: no other check can tell" "$(cat "$T/push-kb.out")" \
    eval '[ -n "$RB" ] && [ "$(other_flags "$RB")" = 0 ]'
check_msg "B's rewritten journal is flagged at ingest: room record: journal rewritten after the console saw it" \
    "flags: $(flags_of "$RB")" eval 'flags_of "$RB" | grep -q "room record: journal rewritten after the room console saw it: at entry [0-9]* of kiosk $KB (seat 2, room 01)"'
run "$WH" flagged --db "$DB" --batch 2026-03
check_msg "examhub flagged says why: the room record" "$OUT" \
    eval 'grep "^$RB,$TB," "$T/out" | grep -q "room record: journal rewritten"'

# order 3: paper, result (D, rewritten), then its record
timeout 60 "$SYNC" push --data "$T/kd" --hub "$HUB_URL" >"$T/push-kd.out" 2>&1
RD=$(result_of "$TD" "$KD")
check_msg "D's rewritten result, before any record covers kd: not flagged (nothing to compare with yet)" \
    "$(cat "$T/push-kd.out") flags: $(flags_of "$RD")" eval '[ -n "$RD" ] && [ -z "$(flags_of "$RD")" ]'
run "$WH" import --db "$DB" "$T/room2.record"
check_msg "the second record flags D's stored result at its import" "rc=$RC $OUT $ERR flags: $(flags_of "$RD")" \
    eval '[ $RC -eq 0 ] && grep -q "1 results checked, 1 flagged, 0 wait" "$T/out" &&
        flags_of "$RD" | grep -q "room record: journal rewritten after the room console saw it: at entry [0-9]* of kiosk $KD (seat 4, room 01)"'
check_msg "A stays unflagged, and its real sitting outweighs the second record's absence for A" \
    "flags: $(flags_of "$RA") $("$WH" progress --db "$DB" --batch 2026-03 --csv)" \
    eval '[ -z "$(flags_of "$RA")" ] && [ "$(progress_theory sat)" = 1 ] && [ "$(progress_theory absent)" = 1 ] &&
        [ "$(progress_theory results)" = 3 ] && [ "$(progress_theory flagged)" = 2 ]'
# results made with ka's device key (tests/tools/forge_result) from A's genuine one: without its journal, and with
# an entry of its journal changed but not chained again
if [ -x "$FORGE" ]; then
    /usr/bin/python3 - "$T/a.json" "$T" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))
b = dict(a); del b["journal"]; del b["journal_base"]
json.dump(b, open(sys.argv[2] + "/nojournal.json", "w"), ensure_ascii=False, separators=(",", ":"))
c = dict(a); c["journal"] = [dict(e) for e in a["journal"]]
c["journal"][1]["data"] = c["journal"][1]["data"] + " "
json.dump(c, open(sys.argv[2] + "/broken.json", "w"), ensure_ascii=False, separators=(",", ":"))
PY
    for f in nojournal broken; do
        "$FORGE" --device "$T/ka" --json "$T/$f.json" --set session=$(printf '%031d%d' 0 ${#f}) --out "$T/$f.sealed" >"$T/$f.id"
        curl -sS -m 10 -o "$T/$f.post" -H "X-Kiosk-Id: $KA" -H 'Content-Type: application/octet-stream' \
            --data-binary "@$T/$f.sealed" "$HUB_URL/v1/results" 2>/dev/null
    done
    check_msg "a result of kiosk ka without its journal is flagged: the console's heads cannot be checked" \
        "$(cat "$T/nojournal.post") flags: $(flags_of "$(cat "$T/nojournal.id")")" \
        eval 'flags_of "$(cat "$T/nojournal.id")" | grep -q "room record: the result carries no journal, so the [0-9]* heads the room console mirrored off kiosk $KA cannot be checked"'
    check_msg "a result whose journal was edited without chaining it again is flagged: it does not recompute" \
        "$(cat "$T/broken.post") flags: $(flags_of "$(cat "$T/broken.id")")" \
        eval 'flags_of "$(cat "$T/broken.id")" | grep -q "room record: the result.s journal does not recompute: it does not end at the signed journal_head"'
fi

run "$WH" consoles --db "$DB"
check_msg "examhub consoles counts the console's two records" "$OUT" eval 'grep -qF "$CPK," "$T/out" && grep -q ",2$" "$T/out"'

hub_stop
fi
