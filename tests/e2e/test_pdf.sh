# End-to-end: printing (issue 14, item 5) with the real binaries on a real
# workflow: a batch registered, paid, planned and sat on real kiosks, marked
# and certified; then its admission tickets (examhub tickets --pdf) and
# certificates (examhub print-certificates) as PDF, checked as a printer and
# a clerk would: pdfinfo (one A4 page each), pdffonts (every font embedded),
# pdftotext (the Chinese text, the fields, no full ID number, data never
# read as markup), pdftoppm (the page as PNG, for a person to look at:
# $KIOSK_SHOTS or the scratch dir) and zbarimg (the QR code decodes), then
# examhub verify-certificate accepting the scanned code (--db, --pub) and
# refusing a tampered one with a one-line reason.
T=$(new_tmp)
. "$(dirname "${BASH_SOURCE[0]}")/kiosk_lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/hub_lib.sh"
WH="$HUBBIN"

pdf_ready=1
# poppler-utils and zbar-tools are in tools/deps.txt (`make deps`); a test never installs them
need curl sqlite3 timeout pdfinfo pdffonts pdftotext pdftoppm zbarimg || pdf_ready=0
if [ "$pdf_ready" = 1 ]; then

SHOTDIR="${KIOSK_SHOTS:-$T/shots}"; mkdir -p "$SHOTDIR"
mkdir -p "$T/auth"
"$EP" keygen --out "$T/auth" >/dev/null
AUTH="$T/auth"
DB="$T/hub.db"
"$WH" init --db "$DB" --pub "$AUTH/authority.pub" --results-key "$AUTH/results.key" >/dev/null

# ---- a batch: three candidates, two rooms -------------------------------------------------------
A=$(gbid 44010619900101001)   # 陈志明: sits and passes
L=$(gbid 44010619910202002)   # a 60-byte name (the register's limit is 64): sits and passes
X=$(gbid 44010619920303003)   # a name with markup in it: a ticket only
LN="阿卜杜热合曼·买买提艾力·阿不都克力木·热西"
XN="王<i>小</i>&amp;明"
LONGSITE="广州市天河区华南师范大学石牌校区信息技术实验中心第三教学楼北座考点（东门进入）"
cat >"$T/apps.csv" <<CSV
id_number,name,applied_level,work_years,education,major_related,cert,cert_years,training,graduated_years,received,address,phone
$A,陈志明,4,2,none,no,,,,,2026-03-01,广州市天河区天河路100号,13800000001
$L,$LN,4,2,none,no,,,,,2026-03-02,乌鲁木齐市天山区解放南路1号,13800000002
$X,$XN,4,2,none,no,,,,,2026-03-03,广州市越秀区中山五路8号,13800000003
CSV
printf 'id_number,batch,amount\n%s,2026-03,410\n%s,2026-03,410\n%s,2026-03,410\n' "$A" "$L" "$X" >"$T/pay.csv"
printf 'site,site_code,room,capacity\n广州天河考点,440106,01,2\n%s,440106,第二考场,2\n' "$LONGSITE" >"$T/rooms.csv"
run eval '"$WH" register --db "$DB" --csv "$T/apps.csv" && "$WH" pay --db "$DB" --csv "$T/pay.csv" &&
          "$WH" rooms --db "$DB" --csv "$T/rooms.csv" &&
          "$WH" plan --db "$DB" --batch 2026-03 --theory "2026-03-28 09:00" --practical "2026-03-28 14:00"'
check_msg "a batch registered, paid and planned (3 candidates, 2 rooms, one at a 117-byte site)" "rc=$RC $OUT $ERR" \
    eval '[ $RC -eq 0 ] && grep -q "3 candidates given" "$T/out"'
TA=2026034401001 TL=2026034401002 TX=2026034402001
"$WH" applications --db "$DB" --batch 2026-03 >"$T/apps.out"
check_msg "tickets in the plan's order: 陈志明 $TA, the long name $TL, the markup name $TX (room 2)" "$(cat "$T/apps.out")" \
    eval 'grep -q ",$A,.*,$TA$" "$T/apps.out" && grep -q ",$L,.*,$TL$" "$T/apps.out" && grep -q ",$X,.*,$TX$" "$T/apps.out"'

# ---- admission tickets: HTML by default, PDF with --pdf -------------------------------------------
run "$WH" tickets --db "$DB" --batch 2026-03 --out "$T/html"
check_msg "tickets without --pdf: the HTML tickets as before" "rc=$RC $OUT $ERR" \
    eval '[ $RC -eq 0 ] && [ $(ls "$T/html" | grep -c "\.html$") -eq 3 ] && ! ls "$T/html" | grep -q "\.pdf$"'
run "$WH" tickets --db "$DB" --batch 2026-03 --out "$T/tickets" --pdf
check_msg "tickets --pdf: one PDF per planned candidate, named by ticket" "rc=$RC $OUT $ERR" \
    eval '[ $RC -eq 0 ] && grep -q "3 admission tickets (PDF) written" "$T/out" && [ $(ls "$T/tickets" | wc -l) -eq 3 ] &&
          [ -f "$T/tickets/$TA.pdf" ] && [ -f "$T/tickets/$TL.pdf" ] && [ -f "$T/tickets/$TX.pdf" ]'
check_msg "ticket PDFs are 0600 in a 0700 directory (personal data)" "$(stat -c '%a %n' "$T/tickets" "$T/tickets"/*)" \
    eval '[ "$(stat -c %a "$T/tickets")" = 700 ] && [ -z "$(stat -c %a "$T/tickets"/* | grep -vx 600)" ]'

# pdf_ok FILE: one A4 page (595.276 x 841.89 pt), every font embedded, and a CJK font among them
pdf_ok() {
    local info fonts
    info=$(pdfinfo "$1" 2>&1) || { echo "pdfinfo: $info"; return 1; }
    grep -qx 'Pages: *1' <<<"$info" || { echo "$1: $(grep Pages <<<"$info")"; return 1; }
    grep -Eq '^Page size: *595(\.[0-9]+)? x 841\.89 pts \(A4\)' <<<"$info" || { echo "$1: $(grep 'Page size' <<<"$info")"; return 1; }
    fonts=$(pdffonts "$1" 2>&1) || { echo "pdffonts: $fonts"; return 1; }
    # columns: name type encoding emb sub uni object ID; every row after the two header lines embedded
    [ -z "$(tail -n +3 <<<"$fonts" | awk '$(NF-4) != "yes"')" ] || { echo "$1: a font not embedded: $fonts"; return 1; }
    grep -q 'NotoSansCJK' <<<"$fonts" || { echo "$1: no Noto Sans CJK: $fonts"; return 1; }
}
# text_of FILE: the page's text without blanks and line breaks (pango may wrap a long field)
text_of() { pdftotext -enc UTF-8 "$1" - 2>/dev/null | tr -d ' \n\t\f'; }
# qr_of PNG: the QR code's text as zbarimg reads it from the rendered page
qr_of() { zbarimg --quiet --raw -Sdisable -Sqrcode.enable "$1" 2>/dev/null | tr -d '\n'; }
# render FILE.pdf NAME: the page as $SHOTDIR/NAME.png at 100 dpi (827 x 1170 px)
render() { pdftoppm -r 100 -png -singlefile "$1" "$SHOTDIR/$2" 2>"$T/ppm.err"; }

for t in "$TA" "$TL" "$TX"; do
    check_msg "ticket $t.pdf: one A4 page, fonts embedded (Noto Sans CJK)" "$(pdf_ok "$T/tickets/$t.pdf")" pdf_ok "$T/tickets/$t.pdf"
done
ticket_text_ok() { # ticket_text_ok TICKET NAME ID
    local txt want; txt=$(text_of "$T/tickets/$1.pdf")
    for want in 准考证 "$2" "$1" "${3:0:6}********${3:14:4}" 电子商务师 四级/中级工 "理论知识考试：2026-03-2809:00" \
        "操作技能考核：2026-03-2814:00" 考生须知 广东省电子商务协会 准考证核验码; do
        [[ "$txt" == *"$want"* ]] || { echo "$1.pdf lacks '$want': $txt"; return 1; }
    done
    [[ "$txt" != *"$3"* ]] || { echo "$1.pdf has the full ID number"; return 1; }
}
check_msg "ticket of 陈志明: 准考证, name, ticket, masked ID (never the full one), level, both times, rules, centre" \
    "$(ticket_text_ok "$TA" 陈志明 "$A")" ticket_text_ok "$TA" 陈志明 "$A"
check_msg "ticket of 陈志明: site 广州天河考点, 第01考场 1号座" "$(text_of "$T/tickets/$TA.pdf")" \
    eval '[[ "$(text_of "$T/tickets/$TA.pdf")" == *广州天河考点*第01考场1号座* ]]'
check_msg "ticket of the 60-byte name: the whole name printed (wrapped or shrunk, not cut)" "$(ticket_text_ok "$TL" "$LN" "$L")" \
    ticket_text_ok "$TL" "$LN" "$L"
check_msg "ticket of the markup name: drawn as the text it is (<i>, &amp; literally), room 第二考场 as given, the long site whole" \
    "$(ticket_text_ok "$TX" "$XN" "$X"; text_of "$T/tickets/$TX.pdf")" \
    eval 'ticket_text_ok "$TX" "$XN" "$X" >/dev/null && [[ "$(text_of "$T/tickets/$TX.pdf")" == *"$LONGSITE"*第二考场1号座* ]]'
for t in "$TA" "$TL" "$TX"; do
    render "$T/tickets/$t.pdf" "ticket-$t"
    check_msg "ticket $t rendered to PNG (pdftoppm): $SHOTDIR/ticket-$t.png" "$(cat "$T/ppm.err")" \
        eval '[ "$(file -b "$SHOTDIR/ticket-$t.png" | cut -d, -f2 | tr -d " ")" = 827x1170 ]'
done
run "$WH" tickets --db "$DB" --batch 2026-03 --out "$T/onefile" --one-pdf
check_msg "tickets --one-pdf: the batch in one file, a page per candidate in the plan's order, A4, 0600" \
    "rc=$RC $OUT $ERR $(pdfinfo "$T/onefile/tickets-2026-03.pdf" 2>&1 | grep -E 'Pages|size')" \
    eval '[ $RC -eq 0 ] && grep -q "3 admission tickets (PDF, one file) written" "$T/out" && [ "$(ls "$T/onefile")" = tickets-2026-03.pdf ] &&
          pdfinfo "$T/onefile/tickets-2026-03.pdf" | grep -qx "Pages: *3" && [ "$(stat -c %a "$T/onefile/tickets-2026-03.pdf")" = 600 ] &&
          [ "$(pdfinfo -f 1 -l 3 "$T/onefile/tickets-2026-03.pdf" | grep -c "size: *595.* x 841.89 pts (A4)")" = 3 ] &&
          [[ "$(pdftotext -f 3 -l 3 "$T/onefile/tickets-2026-03.pdf" - | tr -d " \n")" == *"$XN"* ]] &&
          [[ "$(pdftotext -f 1 -l 1 "$T/onefile/tickets-2026-03.pdf" - | tr -d " \n")" == *陈志明* ]]'
QA=$(qr_of "$SHOTDIR/ticket-$TA.png")
check_msg "the QR code of 陈志明's ticket decodes (zbarimg): EXT1:$TA:<103 base32 digits>" "'$QA'" \
    eval '[[ "$QA" =~ ^EXT1:$TA:[0-9A-HJKMNP-TV-Z]{103}$ ]]'
run "$WH" verify-certificate --db "$DB" "$QA"
check_msg "verify-certificate --db accepts the ticket's code and says whose it is (to compare with the ID card)" "rc=$RC $OUT $ERR" \
    eval '[ $RC -eq 0 ] && grep -q "^valid admission ticket $TA: 陈志明 ${A:0:6}\*\*\*\*\*\*\*\*${A:14:4}, batch 2026-03" "$T/out" &&
          grep -q "广州天河考点 第01考场 seat 1" "$T/out"'
QX=$(qr_of "$SHOTDIR/ticket-$TX.png")
zbarimg --quiet "$SHOTDIR/ticket-$TX.png" >"$T/zbar.out" 2>/dev/null
run "$WH" verify-certificate --db "$DB" - <"$T/zbar.out"
check_msg "verify-certificate - reads zbarimg's own line (QR-Code:...) from standard input" "rc=$RC $OUT $ERR; $(cat "$T/zbar.out")" \
    eval '[ $RC -eq 0 ] && grep -q "^valid admission ticket $TX: $XN" "$T/out" && [[ "$QX" == EXT1:$TX:* ]]'

# ---- exam day: 陈志明 and the long name sit both papers on real kiosks ---------------------------------------
"$WH" rosters --db "$DB" --batch 2026-03 --key "$AUTH/authority.key" --out "$T/rosters" --kdf-ops 1 --kdf-mem 16 >/dev/null
R1=$(ls "$T/rosters"/*-01.roster 2>/dev/null)
build() { # build BANK BLUEPRINT OUT: prints the release code
    "$EP" build --bank "$1" --blueprint "$2" --key "$AUTH/authority.key" --out "$3" --kdf-ops 2 --kdf-mem 64 >"$T/build.out" &&
        tail -1 "$T/build.out"
}
CT=$(build "$SAMPLES/theory-4.csv" "$SAMPLES/theory-4.ini" "$T/theory.pack")
CP=$(build "$SAMPLES/practical-4.csv" "$SAMPLES/practical-4.ini" "$T/practical.pack")
"$EP" paper --pub "$AUTH/authority.pub" "$T/theory.pack" --release-code "$CT" --seed "$SEED0" >"$T/theory.tsv"
"$EP" paper --pub "$AUTH/authority.pub" "$T/practical.pack" --release-code "$CP" --seed "$SEED0" >"$T/practical.tsv"
check_msg "the room roster and both level-4 packs" "$R1 $CT $CP" eval '[ -n "$R1" ] && [ -n "$CT" ] && [ -n "$CP" ]'
pwant=$(paper_points "$T/practical.tsv")
{ script_unlock "$CT"; wf_login "$TA" "$A" 陈志明; script_answers "$T/theory.tsv" right; wf_handin "本次考试得分：100 分"; } >"$T/s.txt"
wsit "sitting: 陈志明 theory = 100" kat 01 1 "$T/theory.pack" "$R1" "$T/s.txt"
{ script_unlock "$CP"; wf_login "$TA" "$A" 陈志明; script_answers "$T/practical.tsv" right
  wf_handin "客观题得分：$((pwant / 10)) 分（另有2道题待人工评阅）"; } >"$T/s.txt"
wsit "sitting: 陈志明 practical, 2 essays to mark" kap 01 1 "$T/practical.pack" "$R1" "$T/s.txt"
{ script_unlock "$CT"; wf_login "$TL" "$L" "阿卜杜热合曼"; script_answers "$T/theory.tsv" right; wf_handin "本次考试得分：100 分"; } >"$T/s.txt"
wsit "sitting: the long name, theory = 100" klt 01 2 "$T/theory.pack" "$R1" "$T/s.txt"
{ script_unlock "$CP"; wf_login "$TL" "$L" "阿卜杜热合曼"; script_answers "$T/practical.tsv" right
  wf_handin "客观题得分：$((pwant / 10)) 分（另有2道题待人工评阅）"; } >"$T/s.txt"
wsit "sitting: the long name, practical, 2 essays to mark" klp 01 2 "$T/practical.pack" "$R1" "$T/s.txt"
check_msg "examhub serve on a free 127.0.0.1 port" "$(tail -3 "$T/hub.log" 2>/dev/null)" hub_start "$DB"
upload() {
    local k
    for k in kat kap klt klp; do
        "$SYNC" enroll --data "$T/$k" --hub "$HUB_URL" --token "$("$WH" token --db "$DB")" >"$T/up.out" 2>&1 || { echo "$k enroll: $(cat "$T/up.out")"; return 1; }
        timeout 60 "$SYNC" push --data "$T/$k" --hub "$HUB_URL" >"$T/up.out" 2>&1 && grep -q " 0 pending" "$T/up.out" ||
            { echo "$k push: $(cat "$T/up.out")"; return 1; }
    done
}
up_why=$(upload); up_rc=$?
hub_stop
check_msg "four kiosks enrol and push their results" "$up_why" eval '[ $up_rc -eq 0 ]'
run eval '"$WH" papers --db "$DB" --add "$T/theory.pack" --batch 2026-03 --release-code - <<<"$CT" &&
          "$WH" papers --db "$DB" --add "$T/practical.pack" --batch 2026-03 --release-code - <<<"$CP" &&
          "$WH" marking --db "$DB" --pack "$T/practical.pack" --pub "$AUTH/authority.pub" --release-code - --out "$T/marking.csv" <<<"$CP"'
{
    echo "result_id,item,marker,points"
    awk -F, 'NR > 1 { print $1 "," $3 ",张老师,8"; print $1 "," $3 ",吴老师,9" }' "$T/marking.csv"
} >"$T/marks.csv"
run eval '"$WH" marks --db "$DB" --csv "$T/marks.csv" && "$WH" certificates --db "$DB" --batch 2026-03 --allow-incomplete'
check_msg "papers registered, 4 essays marked by two markers, 2 certificates issued (the markup name was absent: missing)" \
    "rc=$RC $OUT $ERR" eval '[ $RC -eq 0 ] && grep -q "2 certificates issued" "$T/out"'
"$WH" final --db "$DB" --csv --batch 2026-03 --allow-incomplete >"$T/final.csv"
CA=$(awk -F, -v t="$TA" '$2 == t { print $13 }' "$T/final.csv"); CL=$(awk -F, -v t="$TL" '$2 == t { print $13 }' "$T/final.csv")
check_msg "certificate numbers: 陈志明 $CA, the long name $CL (22 characters each)" "$(cat "$T/final.csv")" \
    eval '[ "$CA" = S000044440106264000001 ] && [ "$CL" = S000044440106264000002 ]'

# ---- certificates as PDF -------------------------------------------------------------------------------
run "$WH" print-certificates --db "$DB" --batch 2026-03 --out "$T/certs"
check_msg "print-certificates: one PDF per certificate issued (2), 0600 in a 0700 directory" \
    "rc=$RC $OUT $ERR $(stat -c '%a %n' "$T/certs" "$T/certs"/* 2>&1)" \
    eval '[ $RC -eq 0 ] && grep -q "2 certificates (PDF) written" "$T/out" && [ $(ls "$T/certs" | wc -l) -eq 2 ] &&
          [ -f "$T/certs/$CA.pdf" ] && [ -f "$T/certs/$CL.pdf" ] && [ "$(stat -c %a "$T/certs")" = 700 ] &&
          [ -z "$(stat -c %a "$T/certs"/* | grep -vx 600)" ]'
TODAY=$(date +%F)
cert_text_ok() { # cert_text_ok NUMBER NAME ID
    local txt want; txt=$(text_of "$T/certs/$1.pdf")
    for want in 职业技能等级证书 "$1" "$2" "${3:0:6}********${3:14:4}" 电子商务师 四级/中级工 "$TODAY" 广东省电子商务协会 \
        评价机构 扫码核验证书; do
        [[ "$txt" == *"$want"* ]] || { echo "$1.pdf lacks '$want': $txt"; return 1; }
    done
    [[ "$txt" != *"$3"* ]] || { echo "$1.pdf has the full ID number"; return 1; }
}
for c in "$CA" "$CL"; do
    check_msg "certificate $c.pdf: one A4 page, fonts embedded (Noto CJK)" "$(pdf_ok "$T/certs/$c.pdf")" pdf_ok "$T/certs/$c.pdf"
done
check_msg "certificate of 陈志明: number, name, masked ID, 电子商务师 四级/中级工, date issued, the centre" \
    "$(cert_text_ok "$CA" 陈志明 "$A")" cert_text_ok "$CA" 陈志明 "$A"
check_msg "certificate of the 60-byte name: the whole name" "$(cert_text_ok "$CL" "$LN" "$L")" cert_text_ok "$CL" "$LN" "$L"
for c in "$CA" "$CL"; do
    render "$T/certs/$c.pdf" "certificate-$c"
    check_msg "certificate $c rendered to PNG: $SHOTDIR/certificate-$c.png" "$(cat "$T/ppm.err")" \
        eval '[ "$(file -b "$SHOTDIR/certificate-$c.png" | cut -d, -f2 | tr -d " ")" = 827x1170 ]'
done
QC=$(qr_of "$SHOTDIR/certificate-$CA.png")
check_msg "the certificate's QR code decodes: EXC1:$CA:<signature>" "'$QC'" eval '[[ "$QC" =~ ^EXC1:$CA:[0-9A-HJKMNP-TV-Z]{103}$ ]]'
run "$WH" verify-certificate --db "$DB" "$QC"
check_msg "verify-certificate --db: valid, with the holder, level and date" "rc=$RC $OUT $ERR" \
    eval '[ $RC -eq 0 ] && grep -qx "valid certificate $CA: 陈志明 ${A:0:6}\*\*\*\*\*\*\*\*${A:14:4}, 电子商务师 四级/中级工, issued $TODAY, batch 2026-03" "$T/out"'
run "$WH" print-certificates --db "$DB" --batch 2026-03 --out "$T/certs2"
check_msg "printing again gives the same signed code (a reprint is the same certificate)" "rc=$RC $ERR" \
    eval '[ $RC -eq 0 ] && render "$T/certs2/$CA.pdf" reprint && [ "$(qr_of "$SHOTDIR/reprint.png")" = "$QC" ]'
rm -f "$SHOTDIR/reprint.png"

run "$WH" print-certificates --db "$DB" --batch 2026-03 --out "$T/certs1" --one-pdf
check_msg "print-certificates --one-pdf: both certificates in one file of 2 pages" \
    "rc=$RC $OUT $ERR $(pdfinfo "$T/certs1/certificates-2026-03.pdf" 2>&1 | grep Pages)" \
    eval '[ $RC -eq 0 ] && [ "$(ls "$T/certs1")" = certificates-2026-03.pdf ] &&
          pdfinfo "$T/certs1/certificates-2026-03.pdf" | grep -qx "Pages: *2" &&
          [[ "$(pdftotext -f 2 -l 2 "$T/certs1/certificates-2026-03.pdf" - | tr -d " \n")" == *"$CL"* ]]'

# an employer has only the hub's public key
"$WH" hub-pub --db "$DB" >"$T/hub.pub"
run "$WH" verify-certificate --pub "$T/hub.pub" "$QC"
check_msg "verify-certificate --pub HUB.pub (from examhub hub-pub): valid" "rc=$RC $OUT $ERR $(cat "$T/hub.pub")" \
    eval '[ $RC -eq 0 ] && grep -q "^valid certificate $CA: signed by hub key" "$T/out" && grep -Eqx "[0-9a-f]{64}" "$T/hub.pub"'
# refusals: each a one-line reason, exit 1
refused() { # refused NAME TEXT REASON-PART [--pub FILE | --db FILE]
    local name=$1 text=$2 want=$3; shift 3
    run "$WH" verify-certificate "${@:---db}" $([ $# -eq 0 ] && echo "$DB") "$text"
    check_msg "verify-certificate refuses $name: exit 1, one line" "rc=$RC out=$OUT err=$ERR" \
        eval '[ $RC -eq 1 ] && [ -z "$OUT" ] && [ "$(err_lines)" = 1 ] && grep -q "^invalid: .*$want" "$T/err"'
}
refused "another serial (…0002 with …0001's signature)" "EXC1:${CA%1}2:${QC##*:}" "does not verify"
refused "the certificate's signature as a ticket's" "EXT1:${QC#EXC1:}" "does not verify"
sig=${QC##*:}; c30=${sig:30:1}; [ "$c30" = A ] && r30=B || r30=A
refused "one signature digit changed" "EXC1:$CA:${sig:0:30}$r30${sig:31}" "does not verify"
refused "a digit short" "${QC%?}" "103 base32 digits"
refused "a web address" "https://example.com/verify?S000044440106264000001" "not the code"
"$EP" keygen --out "$T/other" >/dev/null
"$WH" init --db "$T/other.db" --pub "$T/other/authority.pub" --results-key "$T/other/results.key" >/dev/null
"$WH" hub-pub --db "$T/other.db" >"$T/other.pub"
refused "a genuine code against another hub's key" "$QC" "does not verify" --pub "$T/other.pub"
# a code this hub signed for a number it has no record of (a database restored from before): refused with --db
sqlite3 "$DB" "VACUUM INTO '$T/before.db'"; cp "$DB.receipt-key" "$T/before.db.receipt-key"
sqlite3 "$T/before.db" "DELETE FROM certificate WHERE number='$CL'"
QL=$(qr_of "$SHOTDIR/certificate-$CL.png")
refused "a signed number the hub has no record of" "$QL" "not in its records" --db "$T/before.db"
run "$WH" verify-certificate --db "$DB"
check_msg "verify-certificate without TEXT is misuse (exit 2)" "rc=$RC $ERR" eval '[ $RC -eq 2 ]'

# a batch without certificates, a bad batch
run "$WH" print-certificates --db "$DB" --batch 2026-04 --out "$T/none"
check_msg "print-certificates for a batch without certificates: exit 1 with the reason" "rc=$RC $OUT $ERR" \
    eval '[ $RC -eq 1 ] && grep -q "batch 2026-04 has no certificates issued (examhub certificates)" "$T/err"'
run "$WH" print-certificates --db "$DB" --batch 2026-4 --out "$T/none"
check_msg "print-certificates --batch 2026-4 is misuse (exit 2)" "rc=$RC $ERR" eval '[ $RC -eq 2 ] && grep -q "YYYY-MM" "$T/err"'

fi
