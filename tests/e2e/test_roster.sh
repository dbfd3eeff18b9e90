# End-to-end: signed rosters for one site and room (issue 10.5) whose entries
# reveal a name only to the candidate's own ticket + ID number (issue 10.12),
# through exampack roster, examsync init/add/status and the scripted kiosk.
T=$(new_tmp)
. "$(dirname "${BASH_SOURCE[0]}")/kiosk_lib.sh"
need sqlite3 python3
kiosk_setup "$T" # room.roster: site 广州天河考点, room 01, at the KDF floor
AUTH="$T/auth"
SHOTS="${KIOSK_SHOTS:-$T/shots}"
SITE=广州天河考点
ROW1=$(sed -n 2p "$SAMPLES/roster-4.csv")
TICKET1=$(echo "$ROW1" | cut -d, -f1) ID1=$(echo "$ROW1" | cut -d, -f3) NAME1=$(echo "$ROW1" | cut -d, -f2)

# init DIR SITE ROOM [--spare]: a provisioned kiosk
init() { rm -rf "$1"; "$SYNC" init --data "$1" --pub "$AUTH/authority.pub" --site "$2" --room "$3" --seat 1 ${4:-} >/dev/null; }

# ---- the roster names its site and room -------------------------------------------------------
run "$EP" verify --pub "$AUTH/authority.pub" "$T/room.roster"
check_msg "exampack verify shows the roster's site and room" "$OUT$ERR" \
    eval '[ $RC -eq 0 ] && grep -q "30 candidates, site $SITE, room 01" "$T/out"'
{ head -1 "$SAMPLES/roster-4.csv"; sed -n 2,3p "$SAMPLES/roster-4.csv"; sed -n 4p "$SAMPLES/roster-4.csv" | sed 's/,01,\([0-9]*\)$/,02,\1/'; } >"$T/two-rooms.csv"
run "$EP" roster --csv "$T/two-rooms.csv" --key "$AUTH/authority.key" --out "$T/two.roster" $ROSTER_OPTS
check_msg "a CSV row of another room is refused at its line (one roster per room), nothing written" "$ERR" \
    eval '[ $RC -eq 1 ] && grep -q "two-rooms.csv:4: ticket .* is in room 02, but the roster is for room 01" "$T/err" && [ ! -e "$T/two.roster" ]'
run "$EP" roster --csv "$T/two-rooms.csv" --key "$AUTH/authority.key" --out "$T/two.roster" $ROSTER_OPTS --room 02
check_msg "--room 02: the two room-01 rows are the mistakes" "$ERR" \
    eval '[ $RC -eq 1 ] && [ "$(grep -c "is in room 01, but the roster is for room 02" "$T/err")" = 2 ]'

# ---- examsync add: only its own site and room ------------------------------------------------
D="$T/k02"; init "$D" "$SITE" 02
run "$SYNC" add --data "$D" "$T/room.roster"
check_msg "a room-02 kiosk refuses the room-01 roster with a one-line reason" "$ERR" \
    eval '[ $RC -eq 1 ] && [ "$(wc -l <"$T/err")" = 1 ] &&
          grep -qF "roster is for site $SITE room 01; this kiosk is site $SITE room 02" "$T/err"'
check "nothing of it was loaded" bash -c "[ \"\$(sqlite3 '$D/kiosk.db' 'SELECT count(*) FROM roster')\" = 0 ]"
D="$T/kother"; init "$D" 番禺考点 01
run "$SYNC" add --data "$D" "$T/room.roster"
check_msg "a kiosk of another site refuses it, even for the same room" "$ERR" \
    eval '[ $RC -eq 1 ] && grep -qF "roster is for site $SITE room 01; this kiosk is site 番禺考点 room 01" "$T/err"'
D="$T/k01"; init "$D" "$SITE" 01
run "$SYNC" add --data "$D" "$T/room.roster"
check_msg "the room-01 kiosk of the site takes it" "$OUT$ERR" eval '[ $RC -eq 0 ] && grep -q "30 candidates added" "$T/out"'

# ---- a spare PC: every room of its site, never another site -----------------------------------
D="$T/kspare"; init "$D" "$SITE" 02 --spare
run "$SYNC" status --data "$D"
check_msg "examsync status shows the spare" "$OUT" eval '[ $RC -eq 0 ] && grep -q "room 02, seat 1 (spare" "$T/out"'
run "$SYNC" add --data "$D" "$T/room.roster"
check_msg "a spare of the site takes the room-01 roster" "$OUT$ERR" eval '[ $RC -eq 0 ] && grep -q "added" "$T/out"'
{ script_login "$THEORY_CODE" 1; echo "expect 第 1 题"; } >"$T/s.txt"
"$SYNC" add --data "$D" "$T/theory.pack" >/dev/null
run_kiosk "$D" "$T/s.txt"
check "and a room-01 candidate sits at the spare" bash -c "[ $RC -eq 0 ] || { cat '$T/kerr'; false; }"
D="$T/kspare2"; init "$D" 番禺考点 01 --spare
run "$SYNC" add --data "$D" "$T/room.roster"
check_msg "a spare of another site refuses it" "$ERR" \
    eval '[ $RC -eq 1 ] && grep -qF "roster is for site $SITE room 01; this kiosk is a spare of site 番禺考点" "$T/err"'

# ---- the kiosk itself: a roster of another room slipped into kiosk.db -------------------------
D="$T/k02"; "$SYNC" add --data "$D" "$T/theory.pack" >/dev/null
RID=$(python3 -c 'import sys; print(open(sys.argv[1], "rb").read()[16:32].hex())' "$T/room.roster")
sqlite3 "$D/kiosk.db" "INSERT INTO roster(roster_id, candidates, bytes, added) VALUES('$RID', 30, readfile('$T/room.roster'), 0)"
{
    script_unlock
    echo "text $TICKET1"; echo "key Tab"; echo "text $ID1"; echo "key Return"
    echo "expect 准考证号与身份证号不匹配，或不在本考场名单中"
} >"$T/s.txt"
run_kiosk "$D" "$T/s.txt"
check "login refuses a candidate of another room (roster edited into kiosk.db)" bash -c "[ $RC -eq 0 ] || { cat '$T/kerr'; false; }"
check "the refused login is journaled" bash -c \
    "sqlite3 '$D/kiosk.db' \"SELECT data FROM journal WHERE type='login'\" | grep -q 'ticket_tag=[0-9a-f]\\{32\\} result=[1-9]' &&
     ! sqlite3 '$D/kiosk.db' \"SELECT data FROM journal\" | grep -qF '$TICKET1'"

# ---- names sealed under the candidate's own credentials ---------------------------------------
names_or_ids_in() { # FILE: 0 when any name or ID number of roster-4.csv is in FILE's bytes
    python3 - "$1" "$SAMPLES/roster-4.csv" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
rows = [l.split(",") for l in open(sys.argv[2], encoding="utf-8").read().splitlines()[1:]]
hits = [w for r in rows for w in (r[1], r[2], r[2][:17], r[2][6:14]) if w.encode() in data]

sys.exit(0 if hits else 1)
PY
}
no_names_or_ids_in() { ! names_or_ids_in "$1"; }
check "the roster file holds no candidate's name or ID number (nor its first 17 digits or birth date)" \
    no_names_or_ids_in "$T/room.roster"
check "the search finds names in the CSV itself" names_or_ids_in "$SAMPLES/roster-4.csv"
D="$T/k01"; "$SYNC" add --data "$D" "$T/theory.pack" >/dev/null
OTHER_ID=$(sed -n 3p "$SAMPLES/roster-4.csv" | cut -d, -f3)
{
    script_unlock
    echo "text $TICKET1"; echo "key Tab"; echo "text $OTHER_ID"; echo "key Return"
    echo "expect 准考证号与身份证号不匹配"
    echo "text $ID1"; echo "key Return" # the ID field was cleared, the ticket kept
    echo "expect 核对考生信息"; echo "expect $NAME1"; echo "shot roster-confirm-name"
} >"$T/s.txt"
run_kiosk "$D" "$T/s.txt"
check "another candidate's (valid) ID number opens nothing; the candidate's own shows the name" \
    bash -c "[ $RC -eq 0 ] || { cat '$T/kerr'; false; }"

# ---- format version and KDF floor -------------------------------------------------------------
python3 -c 'import sys; b = bytearray(open(sys.argv[1], "rb").read()); b[8] = 1; open(sys.argv[2], "wb").write(b)' \
    "$T/room.roster" "$T/v1.roster"
D="$T/kv1"; init "$D" "$SITE" 01
run "$SYNC" add --data "$D" "$T/v1.roster"
check_msg "a roster of format version 1 is refused: rebuild it from the CSV" "$ERR" \
    eval '[ $RC -eq 1 ] && grep -q "roster format version 1 is no longer accepted.*rebuild the roster from its CSV" "$T/err"'
run "$EP" roster --csv "$SAMPLES/roster-4.csv" --key "$AUTH/authority.key" --out "$T/weak.roster" --site "$SITE" --kdf-mem 8
check_msg "exampack roster refuses a KDF below the kiosks' floor" "$ERR" \
    eval '[ $RC -eq 1 ] && grep -q "below the roster floor of 1 passes, 16 MiB" "$T/err" && [ ! -e "$T/weak.roster" ]'
# a roster below the floor, signed with the authority's key, is refused by examsync add
python3 - "$T/room.roster" "$T/low.roster" "$AUTH/authority.key" <<'PY'
import sys, base64, ctypes, ctypes.util
b = bytearray(open(sys.argv[1], "rb").read())
b[64:72] = (8 << 20).to_bytes(8, "little")  # memlimit 8 MiB
sk = None
for line in open(sys.argv[3]):
    if line.startswith("sign "): sk = base64.b64decode(line.split()[1])
na = ctypes.CDLL(ctypes.util.find_library("sodium"))
na.sodium_init()
sig = ctypes.create_string_buffer(64)
body = bytes(b[:-64])
na.crypto_sign_detached(sig, None, body, ctypes.c_ulonglong(len(body)), sk)
open(sys.argv[2], "wb").write(body + sig.raw)
PY
run "$SYNC" add --data "$D" "$T/low.roster"
check_msg "examsync add refuses a signed roster below the KDF floor" "$ERR" \
    eval '[ $RC -eq 1 ] && grep -q "below the floor of 1 passes, 16 MiB" "$T/err"'
run "$EP" roster --csv "$SAMPLES/roster-4.csv" --key "$AUTH/authority.key" --out "$T/default.roster"
check_msg "without options: site 考点 (examsync init's default), the production cost 2 passes, 64 MiB" "$OUT$ERR" \
    eval '[ $RC -eq 0 ] && grep -q "site 考点, room 01" "$T/out" &&
          python3 -c "import sys; b = open(sys.argv[1], \"rb\").read(); sys.exit(not (int.from_bytes(b[56:64], \"little\") == 2 and int.from_bytes(b[64:72], \"little\") == 64 << 20))" "$T/default.roster"'

# ---- planned extra time (extra_minutes 延长时间, issue 12) ------------------------------------
# candidate 1 with 30 planned minutes, candidate 2 with an empty cell, the rest without
awk -F, 'NR == 1 { print $0 ",extra_minutes"; next } NR == 2 { print $0 ",30"; next } { print $0 "," }' \
    "$SAMPLES/roster-4.csv" >"$T/extra.csv"
run "$EP" roster --csv "$T/extra.csv" --key "$AUTH/authority.key" --out "$T/extra.roster" $ROSTER_OPTS
check_msg "exampack roster takes the optional extra_minutes column" "$OUT$ERR" \
    eval '[ $RC -eq 0 ] && grep -q "30 candidates, site $SITE, room 01" "$T/out"'
check "the minutes are signed into the body in clear (format 3): ticket, level, seat, 30" bash -c \
    "python3 -c 'import sys; b = open(sys.argv[1], \"rb\").read(); sys.exit(not (b[8] == 3 and (sys.argv[2] + \"\\t4\\t1\\t30\\t\").encode() in b))' '$T/extra.roster' '$TICKET1'"
sed 's/^\(ticket,name,id_number,level,room,seat\),extra_minutes$/准考证号,姓名,身份证号,级别,考场,座号,延长时间/' "$T/extra.csv" >"$T/extra-zh.csv"
run "$EP" roster --csv "$T/extra-zh.csv" --key "$AUTH/authority.key" --out "$T/extra-zh.roster" $ROSTER_OPTS
check_msg "the Chinese header 延长时间 is the same column" "$OUT$ERR" \
    eval '[ $RC -eq 0 ] && head -1 "$T/extra-zh.csv" | grep -q 延长时间'
python3 - "$T/extra.csv" "$T/extra-bad.csv" <<'PY'
import sys
rows = open(sys.argv[1], encoding="utf-8").read().splitlines()
bad = {2: "-5", 3: "241", 4: "abc", 5: "30.5"}
out = [r.rsplit(",", 1)[0] + "," + bad[i] if i in bad else r for i, r in enumerate(rows, 1)]
open(sys.argv[2], "w", encoding="utf-8").write("\n".join(out) + "\n")
PY
run "$EP" roster --csv "$T/extra-bad.csv" --key "$AUTH/authority.key" --out "$T/extra-bad.roster" $ROSTER_OPTS
check_msg "negative, over the cap (240), not a number, a fraction: each refused at FILE:LINE, nothing written" "$ERR" \
    eval '[ $RC -eq 1 ] && [ ! -e "$T/extra-bad.roster" ] &&
          [ "$(grep -c "extra_minutes (延长时间) must be a whole number of minutes, 0-240" "$T/err")" = 4 ] &&
          grep -q "extra-bad.csv:2: ticket $TICKET1: extra_minutes" "$T/err" && grep -q "extra-bad.csv:3: " "$T/err" &&
          grep -q "extra-bad.csv:4: " "$T/err" && grep -q "extra-bad.csv:5: " "$T/err"'
run "$EP" verify --pub "$AUTH/authority.pub" "$T/extra.roster"
check_msg "exampack verify: the roster with extra time is intact" "$OUT$ERR" eval '[ $RC -eq 0 ]'

D="$T/kextra"; init "$D" "$SITE" 01
"$SYNC" add --data "$D" "$T/extra.roster" "$T/theory.pack" >/dev/null
{
    script_unlock
    echo "text $TICKET1"; echo "key Tab"; echo "text $ID1"; echo "key Return"
    echo "expect 核对考生信息"; echo "expect 本场考试为您延长 30 分钟（预先批准）"; echo "shot roster-extra-confirm"
    echo "key Return"; echo "expect 考生须知"; echo "expect 本场考试为您延长 30 分钟（预先批准）"; echo "shot roster-extra-instructions"
    echo "key Return"; echo "expect 第 1 题"; echo "expect 剩余时间 02:00:00" # the paper's 90 minutes + 30
    echo "wait 60000"; echo "expect 剩余时间 01:59:00"
    script_panel; echo "expect 延长考试时间（已延长0分钟，上限" # the invigilator's cap untouched
    echo "key 2"; echo "expect 本场考试延时上限"; echo "expect 另有预先批准的延长时间 30 分钟（不计入上限，开考时已计入）"
    echo "shot roster-extra-panel"; echo "key Escape"
} >"$T/s.txt"
run_kiosk "$D" "$T/s.txt"
check "a candidate with 30 planned minutes: told on the confirm and instructions screens, 90 + 30 minutes on the clock" \
    bash -c "[ $RC -eq 0 ] || { cat '$T/kerr'; false; }"
check "the grant is journaled as its own entry (accommodation minutes=30) and recorded as an extension" bash -c \
    "[ \"\$(sqlite3 '$D/kiosk.db' \"SELECT data FROM journal WHERE type='accommodation'\")\" = 'minutes=30' ] &&
     [ \"\$(sqlite3 '$D/kiosk.db' \"SELECT count(*) FROM journal WHERE type='extend'\")\" = 0 ] &&
     [ \"\$(sqlite3 '$D/kiosk.db' 'SELECT minutes, exam_ms FROM extension')\" = '30|0' ]"
ROW2=$(sed -n 3p "$SAMPLES/roster-4.csv")
TICKET2=$(echo "$ROW2" | cut -d, -f1) ID2=$(echo "$ROW2" | cut -d, -f3)
D="$T/kextra2"; init "$D" "$SITE" 01
"$SYNC" add --data "$D" "$T/extra.roster" "$T/theory.pack" >/dev/null
{
    script_unlock
    echo "text $TICKET2"; echo "key Tab"; echo "text $ID2"; echo "key Return"
    echo "expect 核对考生信息"; echo "absent 预先批准"; echo "key Return"; echo "expect 考生须知"; echo "absent 预先批准"
    echo "key Return"; echo "expect 剩余时间 01:30:00"
} >"$T/s.txt"
run_kiosk "$D" "$T/s.txt"
check "a candidate with an empty cell: no extra time, nothing shown" bash -c "[ $RC -eq 0 ] || { cat '$T/kerr'; false; }"

# a roster of format 2 (before extra_minutes), signed by the authority: still verified and used
python3 - "$T/room.roster" "$T/v2.roster" "$AUTH/authority.key" <<'PY'
import sys, base64, ctypes, ctypes.util
b = open(sys.argv[1], "rb").read()
body = b[272:-64].decode()
lines = [l.split("\t") for l in body.splitlines()]
assert all(len(f) == 6 for f in lines)
v2 = "".join("\t".join(f[:3] + f[4:]) + "\n" for f in lines).encode()
head = bytearray(b[:272])
head[8:12] = (2).to_bytes(4, "little")
head[12:16] = len(v2).to_bytes(4, "little")
sk = next(base64.b64decode(l.split()[1]) for l in open(sys.argv[3]) if l.startswith("sign "))
na = ctypes.CDLL(ctypes.util.find_library("sodium"))
na.sodium_init()
sig = ctypes.create_string_buffer(64)
signed = bytes(head) + v2
na.crypto_sign_detached(sig, None, signed, ctypes.c_ulonglong(len(signed)), sk)
open(sys.argv[2], "wb").write(signed + sig.raw)
PY
run "$EP" verify --pub "$AUTH/authority.pub" "$T/v2.roster"
check_msg "a roster of format version 2 still verifies" "$OUT$ERR" \
    eval '[ $RC -eq 0 ] && grep -q "30 candidates, site $SITE, room 01" "$T/out"'
D="$T/kv2"; init "$D" "$SITE" 01
run "$SYNC" add --data "$D" "$T/v2.roster" "$T/theory.pack"
{ script_login "$THEORY_CODE" 1; echo "expect 剩余时间 01:30:00"; } >"$T/s.txt"
run_kiosk "$D" "$T/s.txt"
check "examsync add takes it and its candidates sit with the paper's time" bash -c "[ $RC -eq 0 ] || { cat '$T/kerr' '$T/err'; false; }"
