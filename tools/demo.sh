#!/usr/bin/env bash
# make demo: builds the sample packs and roster with a demo authority in
# demo/, verifies them, provisions a demo kiosk, prints the release code and a
# demo candidate's ticket and ID number, and starts the kiosk: in a window
# when a display exists, otherwise a scripted sitting that writes screenshots.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
EP="$ROOT/bin/exampack"
S="$ROOT/exam-packs/samples"
D="$ROOT/demo"
mkdir -p "$D/authority"
if [ ! -f "$D/authority/authority.key" ]; then
    "$EP" keygen --out "$D/authority"
fi
echo
echo "== building the sample packs (bank + blueprint → signed, encrypted pack)"
"$EP" build --bank "$S/theory-4.csv" --blueprint "$S/theory-4.ini" --key "$D/authority/authority.key" \
    --out "$D/theory-4.pack" | tee "$D/.theory.out" | grep -v '^[0-9A-Z]\{4\}-'
"$EP" build --bank "$S/practical-4.csv" --blueprint "$S/practical-4.ini" --key "$D/authority/authority.key" \
    --out "$D/practical-4.pack" | tee "$D/.practical.out" | grep -v '^[0-9A-Z]\{4\}-'
"$EP" roster --csv "$S/roster-4.csv" --key "$D/authority/authority.key" --site 广州天河考点 --out "$D/room-01.roster"
THEORY_CODE=$(tail -1 "$D/.theory.out")
PRACTICAL_CODE=$(tail -1 "$D/.practical.out")
rm -f "$D/.theory.out" "$D/.practical.out" # release codes are never kept on disk
echo
echo "== verifying signatures against authority.pub"
for f in "$D/theory-4.pack" "$D/practical-4.pack" "$D/room-01.roster"; do
    "$EP" verify --pub "$D/authority/authority.pub" "$f"
done
echo
echo "== what anyone can see without the release code"
"$EP" inspect --pub "$D/authority/authority.pub" "$D/theory-4.pack"
echo
echo "== the paper, opened with the release code (--release-code -: read from standard input, not the command line)"
echo "$PRACTICAL_CODE" | "$EP" inspect --pub "$D/authority/authority.pub" "$D/practical-4.pack" --release-code - | sed -n '/^paper:/,$p'
echo
echo "== release codes (announce in the exam room at exam start; printed here only for the demo)"
echo "theory-4.pack     $THEORY_CODE"
echo "practical-4.pack  $PRACTICAL_CODE"
echo
echo "== provisioning a demo kiosk in demo/kiosk (examsync init + add)"
rm -rf "$D/kiosk"
"$ROOT/bin/examsync" init --data "$D/kiosk" --pub "$D/authority/authority.pub" --site 广州天河考点 --room 01 --seat 1
"$ROOT/bin/examsync" add --data "$D/kiosk" "$D/theory-4.pack" "$D/practical-4.pack" "$D/room-01.roster"
ROW=$(sed -n 2p "$S/roster-4.csv")
TICKET=$(echo "$ROW" | cut -d, -f1); NAME=$(echo "$ROW" | cut -d, -f2); IDN=$(echo "$ROW" | cut -d, -f3)
echo
echo "== sit the exam"
echo "invigilator: type the release code, Return; set a PIN (6+ digits) twice, Return after each"
echo "candidate:   $NAME, ticket $TICKET, ID number $IDN (ticket, Tab, ID, Return)"
echo "keys:        A-H answer, PageDown/PageUp, F9 flag, F10 hand in, Ctrl+Alt+I invigilator panel (PIN)"
echo "             (closing the window is refused: exit through the panel, item 7)"
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -z "${DEMO_SCRIPTED:-}" ]; then
    echo "starting the kiosk in a window (theory code $THEORY_CODE) ..."
    "$ROOT/bin/kiosk" --data "$D/kiosk" --windowed
else
    echo "no display: running a scripted demo sitting of the theory paper instead"
    SEED=$(printf '%064d' 42)
    "$EP" paper --pub "$D/authority/authority.pub" "$D/theory-4.pack" --release-code "$THEORY_CODE" --seed "$SEED" >"$D/.paper.tsv"
    {
        echo "shot 01-start"
        echo "text $THEORY_CODE"; echo "key Return"; echo "shot 02-pin"
        echo "text 20261127"; echo "key Return"; echo "text 20261127"; echo "key Return"
        echo "text $TICKET"; echo "key Tab"; echo "text $IDN"; echo "shot 03-login"; echo "key Return"
        echo "shot 04-confirm"; echo "key Return"; echo "shot 05-instructions"; echo "key Return"
        echo "shot 06-question"
        # answer every question as the key says, except every seventh
        grep -v '^#' "$D/.paper.tsv" | while IFS=$'\t' read -r n id type pts ans; do
            if [ $((n % 7)) -ne 0 ]; then
                for ((k = 0; k < ${#ans}; k++)); do echo "key $(echo "${ans:k:1}" | tr 'A-Z' 'a-z')"; done
            fi
            [ "$n" = 3 ] && echo "shot 07-answered"
            [ "$n" = 81 ] && { echo "key F9"; echo "shot 08-multi-flagged"; }
            echo "key PageDown"
        done
        echo "wait 2400000"; echo "key F10"; echo "shot 09-confirm-handin"; echo "key Return"
        echo "expect 您已成功交卷"; echo "shot 10-done"
        # the invigilator locks the kiosk again (panel item 8), so that a later
        # `bin/kiosk --data demo/kiosk` opens on the start screen, not on a
        # resume screen asking for this run's PIN
        echo "key ctrl+alt+i"; echo "text 20261127"; echo "key Return"; echo "key 8"
        echo "expect 未解锁"; echo "shot 11-locked-again"
    } >"$D/.demo.script"
    rm -f "$D/.paper.tsv"
    KIOSK_SEED=$SEED "$ROOT/bin/kiosk" --data "$D/kiosk" --script "$D/.demo.script" --shots "$D/shots"
    rm -f "$D/.demo.script"
    echo "scripted sitting done and the kiosk locked again; screenshots of every screen are in demo/shots/"
    echo "to sit it yourself on a display: bin/kiosk --data demo/kiosk --windowed (theory code $THEORY_CODE)"
    "$ROOT/bin/examsync" status --data "$D/kiosk" | tail -4
fi
echo
echo "demo files are in demo/ (authority keys, packs, roster, kiosk data directory)"
