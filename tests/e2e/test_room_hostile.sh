# End-to-end (issue 12): a hostile "room console" on the LAN. A stranger who
# answers the seats' reports in the console's place (ARP spoofing, a rogue PC
# on the console's address) holds no content key: whatever it sends must
# change nothing at the seat. A fake console (tests/e2e/fake_console.py)
# answers `examsync room --once` with garbage, cut and oversized frames,
# commands that do not decode, a 20 MiB answer, reasons and states carrying
# terminal escape sequences, and a well-formed command made for another seat
# and pack. Checked: examsync refuses each with a one-line reason and files
# nothing in kiosk.db (the well-formed one is relayed, and the kiosk refuses
# it and stays locked); nothing it prints carries a control character.
T=$(new_tmp)
. "$(dirname "${BASH_SOURCE[0]}")/kiosk_lib.sh"
need sqlite3 curl || return 0
ROOMCMD="${TEST_TOOLS_DIR:-$ROOT/build/release/testtools}/room_cmd"
kiosk_setup "$T"
AUTH="$T/auth"
SHOTS="${KIOSK_SHOTS:-$T/shots}"
D="$T/k1"; new_kiosk "$D" "$AUTH" "$T/theory.pack" "$T/room.roster"
q() { sqlite3 "$D/kiosk.db" "$1"; }
stored() { echo "$(q 'SELECT COUNT(*) FROM room_inbox')/$(q 'SELECT COUNT(*) FROM room_active')"; }

F="$T/fake"; mkdir -p "$F"
/usr/bin/python3 "$(dirname "${BASH_SOURCE[0]}")/fake_console.py" "$T/fake.port" "$F" 2>"$T/fake.log" &
FAKE=$!
at_exit "kill $FAKE 2>/dev/null"
has_port() { [ -s "$T/fake.port" ]; }
wait_for 10 has_port
URL="http://127.0.0.1:$(cat "$T/fake.port")"

# answer WHICH STATUS: the fake console's next answers to WHICH (report|hello); the body from stdin
answer() { echo "$2" >"$F/$1.status"; cat >"$F/$1.body"; }
# round: one examsync room round against the fake console; RC, OUT, ERR
round() { run timeout 30 "$SYNC" room --data "$D" --console "$URL" --once; }
no_controls() { ! LC_ALL=C grep -q '[[:cntrl:]]' <(tr -d '\n' <"$T/out"; tr -d '\n' <"$T/err"); }
# refused NAME PATTERN: examsync said PATTERN in one line, failed, stored nothing, printed no control byte
refused() {
    WANT=$2
    check_msg "$1: refused ($2), nothing filed in kiosk.db" "rc=$RC stored=$(stored) err=$ERR" \
        eval '[ $RC -ne 0 ] && grep -q "$WANT" "$T/err" && [ "$(wc -l <"$T/err")" -le 1 ] && [ "$(stored)" = 0/0 ] && no_controls'
}

printf 'garbage' | answer report 200; round
refused "a 200 answer of garbage" "console answer: a frame of .* does not fit"
printf '\377\377EXRC0123456789' | answer report 200; round
refused "a frame announcing 65535 bytes, 14 sent" "does not fit"
{ printf '\050\000EXRC'; head -c 36 /dev/urandom; } | answer report 200; round
refused "a frame with the command magic and random bytes" "a command that does not decode"
{ printf '\010\000EXRZ'; printf 'abcd'; } | answer report 200; round
refused "a frame of an unknown kind" "a frame of an unknown kind"
head -c $((20 << 20)) /dev/zero | answer report 200
t0=$(date +%s); round; t1=$(date +%s)
check_msg "a 20 MiB answer: the transfer is cut at the seat's bound, nothing filed, within the round's timeout ($((t1 - t0)) s)" \
    "rc=$RC stored=$(stored) err=$ERR" eval '[ $RC -ne 0 ] && [ "$(stored)" = 0/0 ] && [ $((t1 - t0)) -le 15 ]'
printf '\033[2J\033]0;pwned\007 the reason\nsecond line' | answer report 403; round
check_msg "a refusal whose reason carries terminal escapes: printed without a control byte, first line only" \
    "rc=$RC err=$(cat -v "$T/err")" eval '[ $RC -ne 0 ] && no_controls && grep -q "the reason" "$T/err" && ! grep -q "second line" "$T/err"'
printf 'no such seat' | answer report 404
printf '{"state":"\\u001b[31mconfirmed"}' | answer hello 200; round
check_msg "a hello answered with a state carrying escapes: shown as unknown, no control byte" \
    "rc=$RC out=$(cat -v "$T/out") err=$(cat -v "$T/err")" eval 'no_controls && grep -q "seat unknown on the room console" "$T/out" && [ "$(stored)" = 0/0 ]'
printf '{"error":"\\u001b]0;x\\u0007bad seat"}' | answer hello 400; round
check_msg "a hello refused with a reason carrying escapes: printed without a control byte" \
    "rc=$RC err=$(cat -v "$T/err")" eval '[ $RC -ne 0 ] && no_controls && grep -q "refused the hello (HTTP 400): .*bad seat" "$T/err"'

# a well-formed command of another pack, sealed to another seat: relayed, then refused by the kiosk
"$EP" build --bank "$SAMPLES/theory-4.csv" --blueprint "$SAMPLES/theory-4.ini" --key "$AUTH/authority.key" \
    --out "$T/other.pack" --kdf-ops 2 --kdf-mem 64 >"$T/other.out"
new_kiosk "$T/k9" "$AUTH" "$T/other.pack" "$T/room.roster"
tail -1 "$T/other.out" | "$ROOMCMD" "$T/k9" - unlock 1 >/dev/null 2>&1
sqlite3 "$T/k9/kiosk.db" "SELECT writefile('$T/forged.bin', cmd) FROM room_inbox" >/dev/null
{ s=$(stat -c %s "$T/forged.bin"); printf "\\$(printf '%03o' $((s & 255)))\\$(printf '%03o' $((s >> 8)))"; cat "$T/forged.bin"; } |
    answer report 200
round
check_msg "a well-formed command (another pack's unlock, sealed to another seat) is relayed to kiosk.db as it came" \
    "rc=$RC out=$OUT err=$ERR stored=$(stored)" eval '[ $RC -eq 0 ] && grep -q "1 command(s) for the kiosk" "$T/out" && [ "$(stored)" = 1/0 ]'
{ echo "expect 本机试卷（未解锁）"; echo "realtime 3000"; echo "expect 本机试卷（未解锁）"; echo "absent 考生登录"; } >"$T/s.txt"
run_kiosk "$D" "$T/s.txt"
check_msg "the kiosk refuses it with its reason and stays locked; no command counter taken" \
    "exit $RC; $(q "SELECT state || ' ' || coalesce(why, '') FROM room_inbox")" \
    eval '[ $RC -eq 0 ] && [ "$(q "SELECT state FROM room_inbox")" = refused ] && [ -z "$(q "SELECT value FROM meta WHERE key='"'room_last_command'"'")" ]'
