# End-to-end (issue 11, items 9-12): what the hub writes cannot hurt the
# people who open it, and the room record of a batch. Real binaries: examhub
# register/pay/rooms/plan/rosters/tickets, a scripted kiosk sitting with the
# invigilator's panel (an absence, an extension, an irregularity, a forced
# hand-in and an essay that is a spreadsheet formula) pushed to a real
# `examhub serve`, then the outputs: marking's essays CSV, door lists, final,
# applications, mailing, results (read back with Python's csv module, as a
# spreadsheet would: formulas neutralised, one row per candidate), the
# registration checks of names, addresses and phones, the files' modes under
# umask 022, and `examhub incidents` as CSV and HTML.
T=$(new_tmp)
. "$(dirname "${BASH_SOURCE[0]}")/kiosk_lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/hub_lib.sh"
WH="$HUBBIN"
ho_ready=1
need curl sqlite3 python3 timeout || ho_ready=0
if [ "$ho_ready" = 1 ]; then
umask 022 # what a careless shell has: examhub must not depend on it

# pycsv FILE EXPR: evaluates the Python expression EXPR with R = the rows of FILE
# (csv.reader, RFC 4180), H = the header, D = the data rows as dicts, E = the
# environment (the expected texts, exported); prints it
pycsv() {
    python3 -c 'import csv, os, sys
E = os.environ
R = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))
H = R[0] if R else []
D = [dict(zip(H, r)) for r in R[1:]]
print(eval(sys.argv[2]))' "$1" "$2"
}
# pyok FILE EXPR: 0 when EXPR is true for FILE (see pycsv)
pyok() { [ "$(pycsv "$1" "$2" 2>&1)" = True ]; }
sqlv() { sqlite3 "$DB" "$1"; }

mkdir -p "$T/auth" "$T/hub" "$T/o"
"$EP" keygen --out "$T/auth" >/dev/null
AUTH="$T/auth" DB="$T/hub/hub.db"
run "$WH" init --db "$DB" --pub "$AUTH/authority.pub" --results-key "$AUTH/results.key"
check_msg "examhub init" "rc=$RC $ERR" expect_rc 0

# ---- item 11: names, addresses and phones checked at registration ----------------------------------
HDR="id_number,name,applied_level,work_years,education,major_related,cert,cert_years,training,graduated_years,received,address,phone"
A=$(gbid 44010619900101001) B=$(gbid 44010619910202002) C=$(gbid 44010619920303003) D=$(gbid 44010619930404004)
long=$(printf '陈%.0s' $(seq 1 22)) # 66 bytes: more than a roster's 64
ok21=$(printf '陈%.0s' $(seq 1 21)) # 63 bytes
SOH=$'\x01'
{
    echo "$HDR"
    echo "$(gbid 44010619800101011),\"陈	明\",4,2,none,no,,,,,2026-03-01,广州市1号,13800000011"
    echo "$(gbid 44010619800101012),$long,4,2,none,no,,,,,2026-03-01,广州市2号,13800000012"
    echo "$(gbid 44010619800101013),王五,4,2,none,no,,,,,2026-03-01,广州市${SOH}3号,13800000013"
    echo "$(gbid 44010619800101014),赵六,4,2,none,no,,,,,2026-03-01,广州市4号,138-0000-00a1"
    echo "$(gbid 44010619800101015),$(printf 'a\xe2\x80\xaeb'),4,2,none,no,,,,,2026-03-01,广州市5号,13800000015"
    echo "$(gbid 44010619800101016),$ok21,4,2,none,no,,,,,2026-03-01,广州市6号,+86 138 0000 0016"
    echo "$(gbid 44010619800101017),\"陈
2,2026034401009,假考生,440106********0000,4\",4,2,none,no,,,,,2026-03-01,广州市7号,13800000017"
} >"$T/apps-bad.csv"
run "$WH" register --db "$DB" --csv "$T/apps-bad.csv"
"$WH" applications --db "$DB" >"$T/apps.csv"
reasons_ok() {
    local f="$T/apps-bad.csv" l
    for l in "2:name holds a control character" "3:name is too long (at most 64 bytes" "4:mailing address holds a control character" \
        "5:phone may hold only digits" "6:name holds a line separator or a bidirectional control" "8:name holds a control character"; do
        grep -qF "$f:${l%%:*}: ${l#*:}" "$T/err" || { echo "no '$f:$l' in: $ERR"; return 1; }
    done
    grep -q "$f:7:" "$T/err" && { echo "the valid row 7 (63 bytes, +86 phone) was refused: $ERR"; return 1; }
    grep -q "nothing registered" "$T/err" && [ "$(tail -n +2 "$T/apps.csv" | grep -c .)" = 0 ]
}
check_msg "register: a tab, a newline, 66 bytes, a control character in the address, a bad phone, a bidi override: each FILE:LINE, nothing stored" \
    "$(reasons_ok)" eval '[ $RC -ne 0 ] && reasons_ok'

printf 'site,site_code,room,capacity\n广州天河考点,440106,"0\t1",4\n' >"$T/rooms-bad.csv"
run "$WH" rooms --db "$DB" --csv "$T/rooms-bad.csv"
check_msg "rooms: a room name with a tab is refused with FILE:LINE, nothing stored" "rc=$RC $ERR" \
    eval '[ $RC -ne 0 ] && grep -qF "rooms-bad.csv:2: room holds a control character" "$T/err" && [ "$(sqlv "SELECT count(*) FROM room")" = 0 ]'

# the candidates of the batch: names a spreadsheet would run as formulas are
# legal names for registration (no control characters); the outputs must defuse them
NB="=1+2" NC="=cmd|' /C calc'!A0"
export NB NC
{
    echo "$HDR"
    echo "$A,陈志明,4,2,none,no,,,,,2026-03-01,广州市天河区天河路100号,13800000001"
    echo "$B,$NB,4,2,none,no,,,,,2026-03-02,@SUM(1),+8613800000002"
    echo "$C,\"$NC\",4,2,none,no,,,,,2026-03-03,-2+3,13800000003"
    echo "$D,李四,4,2,none,no,,,,,2026-03-04,佛山市禅城区祖庙路3号,13800000004"
} >"$T/apps.in.csv"
run "$WH" register --db "$DB" --csv "$T/apps.in.csv"
check_msg "register: four applications, formula-like names and an address kept as given" "rc=$RC $ERR" \
    eval '[ $RC -eq 0 ] && grep -q "4 registered" "$T/err" && [ "$(sqlv "SELECT name FROM person WHERE id_number='"'$C'"'")" = "$NC" ]'
{ echo "id_number,batch,amount"; for p in "$A" "$B" "$C" "$D"; do echo "$p,2026-03,410"; done; } >"$T/pay.csv"
printf 'site,site_code,room,capacity\n广州天河考点,440106,01,4\n' >"$T/rooms.csv"
"$WH" pay --db "$DB" --csv "$T/pay.csv" >/dev/null && "$WH" rooms --db "$DB" --csv "$T/rooms.csv" >/dev/null &&
    "$WH" plan --db "$DB" --batch 2026-03 --theory "2026-03-28 09:00" --practical "2026-03-28 14:00" >/dev/null
"$WH" applications --db "$DB" --batch 2026-03 >"$T/apps.csv"
tk() { pycsv "$T/apps.csv" "[d['ticket'] for d in D if d['id_number'] == '$1'][0]"; }
TA=$(tk "$A") TB=$(tk "$B") TC=$(tk "$C") TD=$(tk "$D")
check_msg "plan: four tickets in room 01" "$TA $TB $TC $TD" test "$TA $TB $TC $TD" = "2026034401001 2026034401002 2026034401003 2026034401004"

# ---- item 12: an output folder open to others is refused; new ones are 0700 ---------------------------------
mkdir -m 755 "$T/open"
run "$WH" tickets --db "$DB" --batch 2026-03 --out "$T/open"
check_msg "tickets into an existing folder of mode 0755: refused with the fix (chmod 700), nothing written" "rc=$RC $ERR" \
    eval '[ $RC -ne 0 ] && grep -qF "is open to other users (mode 0755)" "$T/err" && grep -qF "chmod 700" "$T/err" && [ -z "$(ls -A "$T/open")" ]'
run "$WH" rosters --db "$DB" --batch 2026-03 --key "$AUTH/authority.key" --out "$T/o/rosters" --kdf-ops 1 --kdf-mem 16
check_msg "rosters: one roster and door list" "rc=$RC $OUT $ERR" eval '[ $RC -eq 0 ] && [ -f "$T/o/rosters/广州天河考点-01-door.csv" ]'
R1="$T/o/rosters/广州天河考点-01.roster" DOOR="$T/o/rosters/广州天河考点-01-door.csv"
run "$WH" tickets --db "$DB" --batch 2026-03 --out "$T/o/tickets"
check_msg "tickets: four admission tickets" "rc=$RC $OUT $ERR" eval '[ $RC -eq 0 ] && [ $(ls "$T/o/tickets" | wc -l) = 4 ]'

# ---- item 10: the door list ------------------------------------------------------------------------
check_msg "door list: the names =1+2 and =cmd|' /C calc'!A0 are text cells ('=…), four rows, the others as they are" \
    "$(cat "$DOOR")" pyok "$DOOR" "len(D) == 4 and [d['name'] for d in D] == ['陈志明', \"'\" + E['NB'], \"'\" + E['NC'], '李四'] and D[0]['ticket'] == '$TA'"

# ---- the sitting: an absence, an essay that is a formula, an extension, an irregularity, a forced hand-in -----
CP4=$("$EP" build --bank "$SAMPLES/practical-4.csv" --blueprint "$SAMPLES/practical-4.ini" --key "$AUTH/authority.key" \
    --out "$T/practical-4.pack" --kdf-ops 2 --kdf-mem 64 | tail -1)
"$EP" paper --pub "$AUTH/authority.pub" "$T/practical-4.pack" --release-code "$CP4" --seed "$SEED0" >"$T/practical-4.tsv"
ESSAY='=HYPERLINK("http://x"&A2,"y")' NOTE='<b>鼠标失灵</b>，已更换'
export ESSAY NOTE
{
    script_unlock "$CP4"
    script_panel; echo "key 4"; echo "text $TC"; echo "key Return"; echo "expect 已登记 $TC 缺考"; echo "key Escape"; echo "expect 考生登录"
    echo "text $TA"; echo "key Tab"; echo "text $A"; echo "key Return"; echo "expect 核对考生信息"; echo "expect 陈志明"
    echo "key Return"; echo "expect 考生须知"; echo "key Return"
    script_answers "$T/practical-4.tsv" right | awk -v e="text $ESSAY" '/^text 参考作答/ && !done { print e; done = 1; next } { print }'
    echo "wait 60000"
    script_panel; echo "key 2"; echo "text 5"; echo "key Return"; echo "key 1"; echo "expect 已延长5分钟"
    echo "key 5"; echo "key 2"; echo "text $NOTE"; echo "key Return"; echo "expect 异常情况已记录"
    echo "key Escape"
    script_panel; echo "key 3"; echo "expect 确认强制收卷"; echo "key Return"; echo "expect 监考员已为您收卷"
} >"$T/s.txt"
K="$T/ka"
"$SYNC" init --data "$K" --pub "$AUTH/authority.pub" --site 广州天河考点 --room 01 --seat 1 >/dev/null &&
    "$SYNC" add --data "$K" "$T/practical-4.pack" "$R1" >/dev/null
KIOSK_SEED=$SEED0 "$KIOSK" --data "$K" --script "$T/s.txt" >"$T/kout" 2>"$T/kerr"; RC=$?
check_msg "sitting: 黄国强's ticket marked absent, 陈志明 answers (one essay a formula), 5 minutes more, an irregularity, forced hand-in" \
    "exit $RC: $(grep -v '^INFO' "$T/kerr" | tail -3 | tr '\n' ' ')" test "$RC" -eq 0

if hub_start "$DB"; then
    "$SYNC" enroll --data "$K" --hub "$HUB_URL" --token "$("$WH" token --db "$DB")" >"$T/up.out" 2>&1
    run timeout 60 "$SYNC" push --data "$K" --hub "$HUB_URL"
    check_msg "examsync push: both results reach the hub" "rc=$RC $OUT $ERR" eval '[ $RC -eq 0 ] && [ "$(sqlv "SELECT count(*) FROM result")" = 2 ]'
    # while the hub serves, its database has its -wal and -shm
    modes_live=$(stat -c '%a %n' "$DB" "$DB-wal" "$DB-shm" 2>&1)
    check_msg "hub.db, hub.db-wal and hub.db-shm are 0600 while the hub serves (umask 022)" "$modes_live" \
        eval '[ "$(echo "$modes_live" | grep -c "^600 ")" = 3 ]'
    hub_stop
else
    fail "examhub serve starts on a free 127.0.0.1 port" "$(tail -3 "$T/hub.log")"
fi

# ---- item 10: the markers' essays CSV ------------------------------------------------------------------
run "$WH" marking --db "$DB" --pack "$T/practical-4.pack" --pub "$AUTH/authority.pub" --release-code "$CP4" --out "$T/o/essays.csv"
check_msg "marking: the essay =HYPERLINK(\"http://x\"&A2,\"y\") reaches essays.csv as the text '=HYPERLINK(…), one row per essay" \
    "rc=$RC $ERR $(head -c 600 "$T/o/essays.csv")" \
    eval '[ $RC -eq 0 ] && pyok "$T/o/essays.csv" "len(D) == 2 and D[0][\"response\"] == chr(39) + E[\"ESSAY\"] and all(d[\"ticket\"] == \"$TA\" for d in D)"'

# ---- item 10: final, applications, mailing, results ---------------------------------------------------------
# a name with a newline (refused at registration since item 11) as an older hub may hold it
sqlv "UPDATE person SET name='李四' || char(10) || '9,2026039999999,假考生,440106********0000,4' WHERE id_number='$D'"
for t in "$TB" "$TD"; do
    sqlv "INSERT INTO certificate VALUES('S00004444010626400000${t: -1}', (SELECT id FROM application WHERE ticket='$t'), 2026, 4, ${t: -1}, 0)"
done
# (two planned candidates have no result: final refuses without --allow-incomplete)
"$WH" final --db "$DB" --csv --batch 2026-03 --allow-incomplete >"$T/o/final.csv"
check_msg "final: four rows (the newline stays inside its cell), =1+2 and =cmd|… as text cells" "$(cat "$T/o/final.csv")" \
    pyok "$T/o/final.csv" "len(D) == 4 and len(R) == 5 and [d['name'] for d in D] == ['陈志明', \"'\" + E['NB'], \"'\" + E['NC'], '李四\n9,2026039999999,假考生,440106********0000,4'] and all(len(r) == len(H) for r in R)"
"$WH" applications --db "$DB" --batch 2026-03 >"$T/o/applications.csv"
check_msg "applications: four rows, the formula names neutralised" "$(cat "$T/o/applications.csv")" \
    pyok "$T/o/applications.csv" "len(D) == 4 and D[1]['name'] == \"'\" + E['NB'] and D[2]['name'] == \"'\" + E['NC'] and D[3]['name'].startswith('李四\n')"
"$WH" mailing --db "$DB" --csv --batch 2026-03 >"$T/o/mailing.csv"
check_msg "mailing: =1+2 and the address @SUM(1) as text, a phone +86… written '+86… (README: CSV exports); two rows" \
    "$(cat "$T/o/mailing.csv")" \
    pyok "$T/o/mailing.csv" "len(D) == 2 and D[0]['name'] == \"'\" + E['NB'] and D[0]['address'] == \"'@SUM(1)\" and D[0]['phone'] == \"'+8613800000002\" and D[1]['name'].startswith('李四\n') and D[1]['phone'] == '13800000004'"
no_raw_formula() { # no cell of FILE starts with = + - @ (after spaces), a tab or a CR
    pyok "$1" "not [c for r in R for c in r if c.lstrip(' ')[:1] in ('=', '+', '-', '@', '\t', '\r')]"
}
check_msg "no cell of essays, door list, final, applications or mailing begins a formula" "" \
    eval 'for f in "$T/o/essays.csv" "$DOOR" "$T/o/final.csv" "$T/o/applications.csv" "$T/o/mailing.csv"; do no_raw_formula "$f" || { echo "$f"; exit 1; }; done'

# ---- item 9: the room record ------------------------------------------------------------------------------
run "$WH" incidents --db "$DB" --batch 2026-03 --csv
cp "$T/out" "$T/incidents.csv"
inc_ok() {
    local f="$T/incidents.csv"
    pyok "$f" "H == 'site,room,seat,ticket,name,paper,kind,pack_id,kiosk,result_id,event,category,minutes,exam_time,at_ms,detail'.split(',')" ||
        { echo "header: $(head -1 "$f")"; return 1; }
    pyok "$f" "[(d['seat'], d['ticket'], d['event']) for d in D] == [('1', '$TA', 'irregularity'), ('1', '$TA', 'extension'), ('1', '$TA', 'forced'), ('3', '$TC', 'absent')]" ||
        { echo "rows: $(cat "$f")"; return 1; }
    pyok "$f" "D[0]['category'] == 'technical' and D[0]['detail'] == E['NOTE'] and D[0]['name'] == '陈志明' and D[0]['room'] == '01' and D[0]['kind'] == 'practical'" ||
        { echo "irregularity: $(sed -n 2p "$f")"; return 1; }
    pyok "$f" "D[1]['minutes'] == '5' and D[1]['detail'] == '设备故障' and int(D[1]['at_ms']) > 0" ||
        { echo "extension: $(sed -n 3p "$f")"; return 1; }
    pyok "$f" "int(D[2]['at_ms']) >= int(D[1]['at_ms']) and D[2]['exam_time'].count(':') == 2 and D[3]['name'] == chr(39) + E['NC']" ||
        { echo "forced/absent: $(tail -2 "$f")"; return 1; }
}
check_msg "incidents --csv: the irregularity (technical, its note), the extension (5 min, 设备故障), the forced hand-in, the absence; by room and seat" \
    "rc=$RC $ERR $(inc_ok)" eval '[ $RC -eq 0 ] && inc_ok'
run "$WH" incidents --db "$DB" --batch 2026-03 --html --out "$T/o/incidents.html"
H="$T/o/incidents.html"
NC_HTML=${NC//\'/\&#39;} # (out_html escapes the apostrophe too; \& is a literal & in bash 5.2)
check_msg "incidents --html: one page, the note escaped (&lt;b&gt;), the formula name as text, no raw <b>" "rc=$RC $ERR" \
    eval '[ $RC -eq 0 ] && grep -qF "&lt;b&gt;鼠标失灵&lt;/b&gt;" "$H" && ! grep -qF "<b>鼠标" "$H" && grep -qF "强制收卷" "$H" &&
          grep -qF "延长时间" "$H" && grep -qF "缺考" "$H" && grep -qF "$NC_HTML" "$H" && grep -qF "广州天河考点 · 考场 01" "$H"'
# an integrity finding of the kiosk (FORMAT.md §11) is its own event
sqlite3 "$DB" "VACUUM INTO '$T/integrity.db'"
sqlite3 "$T/integrity.db" "UPDATE result SET json=json_insert(json, '\$.irregularities[#]', json_object('category', 'integrity', 'note', 'answer row 3 disproved by the journal', 'at_ms', 1000)) WHERE ticket='$TA'"
"$WH" incidents --db "$T/integrity.db" --batch 2026-03 --csv >"$T/inc2.csv"
check_msg "incidents: a result carrying the kiosk's integrity finding lists it as event integrity" "$(cat "$T/inc2.csv")" \
    pyok "$T/inc2.csv" "[d['event'] for d in D if d['category'] == 'integrity'] == ['integrity']"
run "$WH" incidents --db "$DB" --batch 2026-03 --csv --html --out "$T/x.html"
check_msg "incidents: --csv and --html together are a usage error (exit 2)" "rc=$RC $ERR" expect_rc 2

# ---- item 12: every file examhub wrote is 0600, every folder 0700, whatever the umask ------------------------------
run "$WH" report --db "$DB" --out "$T/o/report"
check_msg "report: written" "rc=$RC $ERR" expect_rc 0
modes_ok() {
    local bad
    bad=$(find "$T/hub" "$T/o/rosters" "$T/o/tickets" "$T/o/report" "$T/o/essays.csv" "$T/o/incidents.html" \
        \( -type f ! -perm 600 \) -o \( -type d ! -perm 700 ! -path "$T/hub" \) | while read -r f; do stat -c '%a %n' "$f"; done)
    [ -z "$bad" ] || { echo "$bad"; return 1; }
    [ "$(find "$T/hub" "$T/o/rosters" "$T/o/tickets" "$T/o/report" -type f | wc -l)" -ge 8 ] || { echo "too few files"; return 1; }
}
check_msg "umask 022: hub.db, its receipt key, rosters, door lists, tickets, reports, essays.csv, incidents.html are 0600 in 0700 folders" \
    "$(modes_ok)" modes_ok
chmod 644 "$DB"
"$WH" applications --db "$DB" >/dev/null
check_msg "an older hub.db of mode 0644 is made 0600 when examhub opens it" "$(stat -c %a "$DB")" test "$(stat -c %a "$DB")" = 600

fi
hub_stop
