#!/usr/bin/env bash
# make demo: builds the sample packs and roster with a demo authority in
# demo/, verifies them, shows what a packager sees, and prints the release
# codes. (Later issues add a kiosk sitting to this demo.)
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
"$EP" roster --csv "$S/roster-4.csv" --key "$D/authority/authority.key" --out "$D/room-01.roster"
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
echo "== the paper, opened with the release code"
"$EP" inspect --pub "$D/authority/authority.pub" "$D/practical-4.pack" --release-code "$PRACTICAL_CODE" | sed -n '/^paper:/,$p'
echo
echo "== release codes (announce in the exam room at exam start; printed here only for the demo)"
echo "theory-4.pack     $THEORY_CODE"
echo "practical-4.pack  $PRACTICAL_CODE"
echo
echo "demo files are in demo/ (authority keys, packs, roster)"
