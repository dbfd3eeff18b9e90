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
