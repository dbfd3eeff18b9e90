# End-to-end: the kiosk data directory at rest (issue 10.13): 0700 and every
# file 0600 whatever the umask, a kiosk that refuses to start otherwise, and
# no PIN verifier left in kiosk.db, kiosk.db-wal or kiosk.db-shm once the
# paper is locked.
T=$(new_tmp)
. "$(dirname "${BASH_SOURCE[0]}")/kiosk_lib.sh"
need sqlite3 python3
kiosk_setup "$T"
AUTH="$T/auth"
SHOTS="${KIOSK_SHOTS:-$T/shots}"

# modes_ok DIR: the directory 0700 and every file in it 0600 (names the first that is not)
modes_ok() {
    local f
    [ "$(stat -c %a "$1")" = 700 ] || { echo "$1 is $(stat -c %a "$1")"; return 1; }
    for f in "$1"/*; do [ "$(stat -c %a "$f")" = 600 ] || { echo "$f is $(stat -c %a "$f")"; return 1; }; done
}

# ---- modes after init and after a sitting, with umask 022 ----------------------------------------
D="$T/k1"
mkdir -m 0755 "$D" # an existing directory, as a technician's mkdir leaves it
(umask 022; new_kiosk "$D" "$AUTH" "$T/theory.pack" "$T/room.roster")
check_msg "examsync init (umask 022, existing 0755 directory): directory 0700, every file 0600" "$(modes_ok "$D"; ls -la "$D")" modes_ok "$D"

# an idle reader keeps kiosk.db-wal and -shm in place after the kiosk exits (as examsync watch would)
mkfifo "$T/hold"
python3 -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute("SELECT count(*) FROM meta").fetchall()
open(sys.argv[2], "w").close(); sys.stdin.read()' "$D/kiosk.db" "$T/held" <"$T/hold" &
HOLDER=$!
exec 9>"$T/hold"
wait_for 10 test -e "$T/held"
at_exit "exec 9>&-; wait $HOLDER 2>/dev/null"
(umask 022; { script_unlock; } >"$T/s.txt"; run_kiosk "$D" "$T/s.txt"; echo $RC >"$T/rc")
check "the kiosk unlocks the paper (umask 022)" bash -c "[ \"\$(cat '$T/rc')\" = 0 ] || { cat '$T/kerr'; false; }"
check_msg "after the kiosk ran: kiosk.db-wal and -shm exist, every file 0600" "$(modes_ok "$D"; ls -la "$D")" \
    eval '[ -e "$D/kiosk.db-wal" ] && [ -e "$D/kiosk.db-shm" ] && modes_ok "$D"'

# the unlock row's PIN verifier while unlocked, and where its bytes are
SALT=$(sqlite3 "$D/kiosk.db" "SELECT hex(pin_salt) FROM unlock")
HASH=$(sqlite3 "$D/kiosk.db" "SELECT hex(pin_hash) FROM unlock")
# found HEX...: 0 when the bytes of any HEX are in kiosk.db, kiosk.db-wal or kiosk.db-shm (prints where)
found() {
    python3 - "$D" "$@" <<'PY'
import os, sys
d, hexes = sys.argv[1], sys.argv[2:]
hits = []
for name in ("kiosk.db", "kiosk.db-wal", "kiosk.db-shm"):
    p = os.path.join(d, name)
    data = open(p, "rb").read() if os.path.exists(p) else b""
    hits += ["%s in %s" % (h[:8], name) for h in hexes if bytes.fromhex(h) in data]
if hits: sys.stderr.write(" ".join(hits) + "\n")
sys.exit(0 if hits else 1)
PY
}
check_msg "while unlocked the verifier is in the database files (the search works)" "salt '$SALT' hash '$HASH'" \
    eval '[ ${#SALT} -ge 16 ] && [ ${#HASH} -ge 32 ] && found "$SALT" "$HASH" 2>/dev/null'

# a sitting, then lock through the panel: resume with the code and PIN, a
# candidate logs in, answers, is handed in; reset (panel 6), lock (panel 8)
ROW=$(sed -n 2p "$SAMPLES/roster-4.csv")
{
    script_resume "$THEORY_CODE"
    echo "expect 考生登录"
    echo "text $(echo "$ROW" | cut -d, -f1)"; echo "key Tab"; echo "text $(echo "$ROW" | cut -d, -f3)"; echo "key Return"
    echo "expect 核对考生信息"; echo "key Return"; echo "expect 考生须知"; echo "key Return"
    echo "key a"; echo "expect 已保存"
    script_panel; echo "key 3"; echo "expect 确认强制收卷"; echo "key Return"; echo "expect 监考员已为您收卷"
    script_panel; echo "key 6"; echo "expect 考生登录"
    script_panel; echo "key 8"; echo "expect 本机试卷（未解锁）"
} >"$T/s.txt"
(umask 022; run_kiosk "$D" "$T/s.txt"; echo $RC >"$T/rc")
check "a sitting (handed in), then the invigilator locks the paper from the panel" bash -c "[ \"\$(cat '$T/rc')\" = 0 ] || { cat '$T/kerr'; false; }"
check "the unlock row is gone" bash -c "[ \"\$(sqlite3 '$D/kiosk.db' 'SELECT count(*) FROM unlock')\" = 0 ]"
not_found() { ! found "$@"; }
check_msg "after the lock no byte string of the PIN verifier is in kiosk.db, kiosk.db-wal or kiosk.db-shm" \
    "$(found "$SALT" "$HASH" 2>&1)" not_found "$SALT" "$HASH"
check_msg "after a sitting (umask 022): directory 0700, every file 0600" "$(modes_ok "$D"; ls -la "$D")" modes_ok "$D"
exec 9>&-
wait "$HOLDER" 2>/dev/null

# ---- the kiosk refuses a data directory others can read ----------------------------------------
chmod 0644 "$D/kiosk.db"
echo "expect 本机试卷（未解锁）" >"$T/s.txt"
run_kiosk "$D" "$T/s.txt"
check_msg "kiosk.db 0644: the kiosk refuses to start, one line naming the file and the fix" "$(cat "$T/kerr")" \
    eval '[ $RC -eq 1 ] && [ "$(wc -l <"$T/kerr")" = 1 ] &&
          grep -q "^kiosk: refusing to start: kiosk.db is 0644: group/others can read it (must be 0600); fix: chmod 600 $D/kiosk.db" "$T/kerr"'
chmod 0600 "$D/kiosk.db"
chmod 0750 "$D"
run_kiosk "$D" "$T/s.txt"
check_msg "data directory 0750: refused too" "$(cat "$T/kerr")" \
    eval '[ $RC -eq 1 ] && grep -q "^kiosk: refusing to start: $D is 0750: group/others can .* (must be 0700: chmod 700 $D)" "$T/kerr"'
run "$SYNC" check --data "$D"
check_msg "examsync check reports the same directory mode" "$OUT$ERR" eval 'grep -q "FAIL data-dir: $D is 0750" "$T/out"'
chmod 0700 "$D"
run_kiosk "$D" "$T/s.txt"
check "0700 and 0600 again: the kiosk starts" bash -c "[ $RC -eq 0 ] || { cat '$T/kerr'; false; }"
