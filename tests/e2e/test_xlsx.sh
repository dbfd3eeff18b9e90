# End-to-end: .xlsx workbooks wherever a CSV file is read (issue 16).
# The sample banks and roster give the same pack (the same paper from the same
# seed) from an .xlsx twin as from the CSV file; every bad-input case of
# test_bad_input.sh has a twin whose message names FILE:SHEET!CELL; the
# refusals only a workbook can need (numbers in identifier columns, merged
# header cells, zip bombs, .xls); exampack template; the hub's imports.
# The twins are written by tests/tools/csv2xlsx (libxlsxwriter, as Excel saves).
T=$(new_tmp)
EP="$BIN/exampack"
WH="$BIN/examhub"
C2X="${TEST_TOOLS_DIR:-$ROOT/build/release/testtools}/csv2xlsx"
FAST="--kdf-ops 2 --kdf-mem 64"
RFAST="--kdf-ops 1 --kdf-mem 16"
SEED=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
mkdir -p "$T/auth" && "$EP" keygen --out "$T/auth" >/dev/null
KEY="$T/auth/authority.key"
PUB="$T/auth/authority.pub"
if [ ! -x "$C2X" ]; then fail "test_xlsx needs $C2X: run make e2e (it builds the test tools)"; exit 0; fi

# ---- 1. the samples: the same paper from the .xlsx twin as from the CSV -------------------------------
# build BANK BP OUT: the pack, and its release code in $T/OUT.code
build() { "$EP" build --bank "$1" --blueprint "$2" --key "$KEY" --out "$T/$3" $FAST >"$T/$3.out" 2>"$T/$3.err" &&
          tail -1 "$T/$3.out" >"$T/$3.code"; }
paper() { "$EP" paper --pub "$PUB" "$T/$1" --release-code "$(cat "$T/$1.code")" --seed "$SEED" 2>&1; }
same_paper() { # NAME CSV XLSX BP [SHEET...]
    local name=$1 csv=$2 xlsx=$3 bp=$4
    if ! build "$csv" "$bp" a.pack; then fail "$name" "CSV build: $(cat "$T/a.pack.err")"; return; fi
    if ! build "$xlsx" "$bp" b.pack; then fail "$name" "xlsx build: $(head -3 "$T/b.pack.err")"; return; fi
    paper a.pack >"$T/a.paper"; paper b.pack >"$T/b.paper"
    # the summary lines but the pack's size and id (random nonces and salt) are the same too
    grep -v '^pack:\|^id:\|^[A-Z0-9]\{4\}-' "$T/a.pack.out" >"$T/a.sum"; grep -v '^pack:\|^id:\|^[A-Z0-9]\{4\}-' "$T/b.pack.out" >"$T/b.sum"
    if [ "$(wc -l <"$T/a.paper")" -gt 3 ] && cmp -s "$T/a.paper" "$T/b.paper" && cmp -s "$T/a.sum" "$T/b.sum"; then pass "$name"
    else fail "$name" "$(diff "$T/a.paper" "$T/b.paper" | head -4 | tr '\n' '|') $(diff "$T/a.sum" "$T/b.sum" | tr '\n' '|')"; fi
}
for s in theory-4 practical-4 practice; do
    "$C2X" "$SAMPLES/$s.csv" "$T/$s.xlsx" --sheet 题库
    same_paper "sample $s: the .xlsx twin builds the same paper from the same seed" "$SAMPLES/$s.csv" "$T/$s.xlsx" "$SAMPLES/$s.ini"
done
# the same bank saved otherwise: inline strings, rich text in stems and answers, an empty row and column
# (gaps), points typed as numbers, the bank on the second sheet (chosen with --sheet)
"$C2X" "$SAMPLES/practice.csv" "$T/practice-odd.xlsx" --inline --gap --rich stem --rich answer --number points
same_paper "inline strings, rich-text runs, gaps and numbers: the same paper" "$SAMPLES/practice.csv" "$T/practice-odd.xlsx" "$SAMPLES/practice.ini"
"$C2X" "$SAMPLES/practice.csv" "$T/practice-2nd.xlsx" --before 封面 --sheet 题库
run "$EP" build --bank "$T/practice-2nd.xlsx" --blueprint "$SAMPLES/practice.ini" --key "$KEY" --out "$T/c.pack" $FAST
check_msg "the first sheet is read: a cover sheet in front is a bank with wrong columns" "rc=$RC $(head -2 "$T/err")" \
    eval '[ $RC -ne 0 ] && grep -q "practice-2nd.xlsx:封面!1:1: missing required column id" "$T/err" && [ ! -e "$T/c.pack" ]'
run "$EP" build --bank "$T/practice-2nd.xlsx" --sheet 题库 --blueprint "$SAMPLES/practice.ini" --key "$KEY" --out "$T/c.pack" $FAST
check_msg "--sheet 题库 picks the bank's sheet" "rc=$RC $ERR" eval '[ $RC -eq 0 ] && [ -s "$T/c.pack" ]'
run "$EP" build --bank "$T/practice-2nd.xlsx" --sheet 试题 --blueprint "$SAMPLES/practice.ini" --key "$KEY" --out "$T/d.pack" $FAST
check_msg "--sheet naming no sheet: one line listing the sheets" "rc=$RC $ERR" \
    eval '[ $RC -ne 0 ] && [ "$(err_lines)" -eq 1 ] && grep -q "no sheet named .试题. (its sheets: 封面, 题库)" "$T/err"'
run "$EP" build --bank "$SAMPLES/practice.csv" --sheet 题库 --blueprint "$SAMPLES/practice.ini" --key "$KEY" --out "$T/d.pack" $FAST
check_msg "--sheet with a CSV bank is refused" "rc=$RC $ERR" eval '[ $RC -ne 0 ] && grep -q "not an .xlsx workbook" "$T/err"'

# the roster: the same candidates from the .xlsx twin (ticket and ID number columns as text, seat and level numbers)
"$C2X" "$SAMPLES/roster-4.csv" "$T/roster-4.xlsx" --sheet 考生名单 --number seat --number level
run "$EP" roster --csv "$SAMPLES/roster-4.csv" --key "$KEY" --out "$T/a.roster" $RFAST
sed 's/, id [0-9a-f]*$//; s/a\.roster/X/' "$T/out" >"$T/ra"
run "$EP" roster --csv "$T/roster-4.xlsx" --key "$KEY" --out "$T/b.roster" $RFAST
sed 's/, id [0-9a-f]*$//; s/b\.roster/X/' "$T/out" >"$T/rb"
check_msg "sample roster-4: the .xlsx twin signs the same room roster (30 candidates, room 01)" "$(cat "$T/ra" "$T/rb" "$T/err")" \
    eval '[ $RC -eq 0 ] && cmp -s "$T/ra" "$T/rb" && grep -q "30 candidates" "$T/rb" && "$EP" verify --pub "$PUB" "$T/b.roster" >/dev/null'

# ---- 2. every bad-input case of test_bad_input.sh, as .xlsx: FILE:SHEET!CELL -------------------------
good_bank() {
    echo "id,type,section,stem,A,B,C,D,answer,explanation"
    for i in $(seq 1 10); do echo "J$i,judge,基础,判断题第${i}题：网店需要办理营业执照。,,,,,T,"; done
    for i in $(seq 1 10); do echo "S$i,single,营销,单选题第${i}题：下列哪项是搜索引擎优化的英文缩写？,SEO,SEM,CPC,CPM,A,"; done
}
good_bp() {
    printf '[exam]\ntitle = 测试试卷\nlevel = 4\nkind = theory\nduration = 60\n\n[draw]\n'
    printf 'rule = type=judge count=10 points=5\nrule = type=single count=10 points=5\n'
}
# xbad_case NAME REGEX [LINES]: $T/bank.csv as $T/bank.xlsx (sheet 题库), built with $T/bp.ini
xbad_case() {
    local name=$1 re=$2 lines=${3:-1}
    rm -f "$T/out.pack"
    "$C2X" "$T/bank.csv" "$T/bank.xlsx" --sheet 题库
    run "$EP" build --bank "$T/bank.xlsx" --blueprint "$T/bp.ini" --key "$KEY" --out "$T/out.pack" $FAST
    if [ "$RC" -ne 0 ] && [ "$(err_lines)" -eq "$lines" ] && grep -Eq "$re" "$T/err" && [ ! -e "$T/out.pack" ] &&
        [ -z "$(ls "$T" | grep '\.tmp\.')" ]; then pass "$name"
    else fail "$name" "rc=$RC lines=$(err_lines) stderr: $(head -3 "$T/err" | tr '\n' '|')"; fi
}
good_bank >"$T/bank.csv"; good_bp >"$T/bp.ini"
"$C2X" "$T/bank.csv" "$T/bank.xlsx" --sheet 题库
run "$EP" build --bank "$T/bank.xlsx" --blueprint "$T/bp.ini" --key "$KEY" --out "$T/out.pack" $FAST
check "the small fixture bank builds from .xlsx" expect_rc 0
good_bank | sed '5s/^J4,/J2,/' >"$T/bank.csv"
xbad_case "duplicate id → bank.xlsx:题库!A5, names the first row" 'bank\.xlsx:题库!A5: duplicate id .J2. \(first used on line 3\)'
good_bank | sed '7s/,judge,/,truefalse,/' >"$T/bank.csv"
xbad_case "unknown type → 题库!B7" 'bank\.xlsx:题库!B7: question J6: unknown type .truefalse.'
good_bank | sed '14s/,CPM,A,/,CPM,E,/' >"$T/bank.csv"
xbad_case "answer naming a missing option → 题库!I14" 'bank\.xlsx:题库!I14: question S3: answer names option E, which does not exist'
good_bank | sed '1s/,answer,/,reply,/' >"$T/bank.csv"
xbad_case "missing required column → the header row 题库!1:1, one line" 'bank\.xlsx:题库!1:1: missing required column answer .*unknown columns: reply'
good_bank | sed '3s/,T,$/,maybe,/' >"$T/bank.csv"
xbad_case "judge answer not T/F → 题库!I3" 'bank\.xlsx:题库!I3: question J2: judge answer must be T or F'
good_bank | sed -e '3s/,T,$/,X,/' -e '13s/,A,$/,AB,/' -e '20s/^S9,single/S9,quiz/' >"$T/bank.csv"
xbad_case "three bad rows → three lines (I3, I13, B20), no cascade" '(bank\.xlsx:题库!I3:.*)|(bank\.xlsx:题库!I13:.*)|(bank\.xlsx:题库!B20:.*)' 3
good_bank | sed '4s/^J3,judge,基础,[^,]*,/J3,judge,基础,,/' >"$T/bank.csv"
xbad_case "empty stem (an empty cell) → 题库!D4" 'bank\.xlsx:题库!D4: question J3: stem is empty'
good_bank >"$T/bank.csv"; good_bp | sed 's/type=judge count=10 points=5$/type=judge count=10 points=4/' >"$T/bp.ini"
xbad_case "points not totalling 100 → [draw] line of the blueprint" 'bp\.ini:7: the paper totals 90 points; it must total exactly 100'
good_bp | sed 's/type=single count=10 points=5/type=single count=12 points=5/' >"$T/bp.ini"
xbad_case "rule asking for more questions than the workbook has" 'bp\.ini:9: rule 2 asks for 12 single questions but the bank has only 10'
good_bp | sed 's/^level = 4/level = 0/' >"$T/bp.ini"; good_bank | sed '5s/^J4,/J2,/' >"$T/bank.csv"
xbad_case "bank and blueprint mistakes reported together" '(bank\.xlsx:题库!A5)|(bp\.ini:3)' 2
good_bp >"$T/bp.ini"
echo "old pack" >"$T/keep.pack"
run "$EP" build --bank "$T/bank.xlsx" --blueprint "$T/bp.ini" --key "$KEY" --out "$T/keep.pack" $FAST
check "failed build from .xlsx leaves an existing output untouched" bash -c "[ $RC -ne 0 ] && [ \"\$(cat '$T/keep.pack')\" = 'old pack' ]"
# the CSV-only mistakes (quotes) have no twin; a broken workbook is the workbook's own
good_bank >"$T/bank.csv"; "$C2X" "$T/bank.csv" "$T/whole.xlsx" --sheet 题库
head -c 3000 "$T/whole.xlsx" >"$T/bank.xlsx"
run "$EP" build --bank "$T/bank.xlsx" --blueprint "$T/bp.ini" --key "$KEY" --out "$T/out.pack" $FAST
check_msg "a workbook cut short: one line, not a readable .xlsx" "rc=$RC $ERR" \
    eval '[ $RC -ne 0 ] && [ "$(err_lines)" -eq 1 ] && grep -q "bank.xlsx: not a readable .xlsx workbook" "$T/err" && [ ! -e "$T/out.pack" ]'
printf '\xff\xfe\xfd\x00bad' >"$T/bank.xlsx"
run "$EP" build --bank "$T/bank.xlsx" --blueprint "$T/bp.ini" --key "$KEY" --out "$T/out.pack" $FAST
check_msg "binary garbage named .xlsx: refused as a workbook" "rc=$RC $ERR" \
    eval '[ $RC -ne 0 ] && [ "$(err_lines)" -eq 1 ] && grep -q "bank.xlsx: not a readable .xlsx workbook" "$T/err"'
printf '\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest of an old workbook' >"$T/bank.xls"
run "$EP" build --bank "$T/bank.xls" --blueprint "$T/bp.ini" --key "$KEY" --out "$T/out.pack" $FAST
check_msg "an Excel 97-2003 .xls: told to save it as .xlsx" "rc=$RC $ERR" \
    eval '[ $RC -ne 0 ] && grep -q "bank.xls: an Excel 97-2003 workbook (.xls)" "$T/err"'
# a merged stem cell over two rows and merged header cells
good_bank >"$T/bank.csv"
"$C2X" "$T/bank.csv" "$T/bank.xlsx" --sheet 题库 --merge D3:D4
run "$EP" build --bank "$T/bank.xlsx" --blueprint "$T/bp.ini" --key "$KEY" --out "$T/out.pack" $FAST
check_msg "merged cells → 题库!D3, unmerge them" "rc=$RC $ERR" \
    eval '[ $RC -ne 0 ] && [ "$(err_lines)" -eq 1 ] && grep -q "bank.xlsx:题库!D3: cells D3:D4 are merged" "$T/err"'
"$C2X" "$T/bank.csv" "$T/bank.xlsx" --sheet 题库 --merge A1:B1
run "$EP" build --bank "$T/bank.xlsx" --blueprint "$T/bp.ini" --key "$KEY" --out "$T/out.pack" $FAST
check_msg "merged header cells → 题库!A1, refused" "rc=$RC $ERR" \
    eval '[ $RC -ne 0 ] && [ "$(err_lines)" -eq 1 ] && grep -q "bank.xlsx:题库!A1: header cells A1:B1 are merged" "$T/err"'
# a zip bomb: 150 MiB of spaces in the sheet, deflated to a small file
need python3 && /usr/bin/python3 - "$T/whole.xlsx" "$T/bomb.xlsx" <<'P'
import sys, zipfile
src, dst = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(src) as a, zipfile.ZipFile(dst, 'w', zipfile.ZIP_DEFLATED) as b:
    for i in a.infolist():
        data = a.read(i.filename)
        if i.filename == 'xl/worksheets/sheet1.xml':
            data = data.replace(b'<sheetData>', b'<sheetData>' + b' ' * (150 << 20), 1)
        b.writestr(i.filename, data)
P
run "$EP" build --bank "$T/bomb.xlsx" --blueprint "$T/bp.ini" --key "$KEY" --out "$T/out.pack" $FAST
check_msg "a zip bomb ($(du -k "$T/bomb.xlsx" | cut -f1) KiB inflating to 150 MiB) is refused with one line" "rc=$RC $ERR" \
    eval '[ $RC -ne 0 ] && [ "$(err_lines)" -eq 1 ] && grep -q "xl/worksheets/sheet1.xml would inflate to .* zip bomb" "$T/err"'

# rosters
roster_good() {
    echo "ticket,name,id_number,level,room,seat"
    echo "2026114401001,张三,11010519491231002X,4,01,1"
    echo "2026114401002,李四,$(gbid 44010619900101001),4,01,2"
}
# xroster_case NAME REGEX [csv2xlsx options]: $T/roster.csv as $T/roster.xlsx (sheet 考生名单)
xroster_case() {
    local name=$1 re=$2; shift 2
    rm -f "$T/r.roster"
    "$C2X" "$T/roster.csv" "$T/roster.xlsx" --sheet 考生名单 "$@"
    run "$EP" roster --csv "$T/roster.xlsx" --key "$KEY" --out "$T/r.roster" $RFAST
    if [ "$RC" -ne 0 ] && [ "$(err_lines)" -eq 1 ] && grep -Eq "$re" "$T/err" && [ ! -e "$T/r.roster" ]; then pass "$name"
    else fail "$name" "rc=$RC stderr: $(head -3 "$T/err" | tr '\n' '|')"; fi
}
roster_good >"$T/roster.ok"
bad=$(gbid 44010619900101001); bad=${bad:0:17}$([ "${bad:17}" = 1 ] && echo 2 || echo 1)
sed "3s/,[0-9X]\{18\},/,$bad,/" "$T/roster.ok" >"$T/roster.csv"
xroster_case "ID failing the checksum → 考生名单!C3" 'roster\.xlsx:考生名单!C3: ticket 2026114401002: ID number fails the GB 11643-1999 checksum'
sed '3s/,4,01,2$/,4,01,1/' "$T/roster.ok" >"$T/roster.csv"
xroster_case "two candidates on one seat → 考生名单!F3" 'roster\.xlsx:考生名单!F3: .*seat 1 is already taken'
sed '3s/^2026114401002/2026114401001/' "$T/roster.ok" >"$T/roster.csv"
xroster_case "duplicate ticket → 考生名单!A3" 'roster\.xlsx:考生名单!A3: duplicate ticket 2026114401001 \(first on line 2\)'
sed '1s/id_number/idnr/' "$T/roster.ok" >"$T/roster.csv"
xroster_case "missing roster column → 考生名单!1:1" 'roster\.xlsx:考生名单!1:1: missing required column id_number'
sed '2s/,11010519491231002X,/,1101051949123100,/' "$T/roster.ok" >"$T/roster.csv"
xroster_case "ID number of the wrong length → 考生名单!C2" 'roster\.xlsx:考生名单!C2: .*18 characters'
# what only a workbook can do wrong: an 18-digit ID or a ticket typed as a number
sed '2s/,11010519491231002X,/,110105194912310021,/' "$T/roster.ok" >"$T/roster.csv"
xroster_case "an ID number typed as a number → 考生名单!C2: format the column as text" \
    'roster\.xlsx:考生名单!C2: id_number is a number, and Excel keeps only 15 digits .*format the column as text' --number id_number
roster_good >"$T/roster.csv"
xroster_case "a ticket typed as a number → 考生名单!A2: format the column as text" \
    'roster\.xlsx:考生名单!A2: ticket is a number.*format the column as text' --number ticket
sed '1s/.*/准考证号,姓名,身份证号,级别,考场,座号/' "$T/roster.ok" >"$T/roster.csv"
xroster_case "Chinese headers: a ticket number under 准考证号 is refused too" 'roster\.xlsx:考生名单!A2: 准考证号 is a number' --number 准考证号

# ---- 3. exampack template --------------------------------------------------------------------------
run "$EP" template --out "$T/tpl-bank.xlsx"
check_msg "template: a bank workbook by default" "rc=$RC $ERR" eval '[ $RC -eq 0 ] && [ -s "$T/tpl-bank.xlsx" ] && [ -z "$(ls "$T" | grep "\.tmp\.")" ]'
printf '[exam]\ntitle = 模板\nlevel = 4\nkind = theory\nduration = 60\n\n[draw]\n' >"$T/tpl.ini"
for ty in judge single multi fill numeric order match essay; do echo "rule = type=$ty count=1 points=12.5" >>"$T/tpl.ini"; done
run "$EP" build --bank "$T/tpl-bank.xlsx" --blueprint "$T/tpl.ini" --key "$KEY" --out "$T/tpl.pack" $FAST
check_msg "template: the bank template builds a pack with one question of each of the 8 types" "rc=$RC $ERR $OUT" \
    eval '[ $RC -eq 0 ] && grep -q "8 questions, 100 points, drawn from 8 bank questions" "$T/out"'
/usr/bin/python3 - "$T/tpl-bank.xlsx" >"$T/tpl.txt" 2>&1 <<'P'
import sys, zipfile, re
z = zipfile.ZipFile(sys.argv[1])
wb = z.read('xl/workbook.xml').decode()
ss = z.read('xl/sharedStrings.xml').decode()
sheet = z.read('xl/worksheets/sheet1.xml').decode()
print(re.findall(r'<sheet name="([^"]*)"', wb))
print('题号' in ss and '题干' in ss and '选项A' in ss and '答案' in ss, '<col ' in sheet)
P
check_msg "template: sheets 题库 and 说明, Chinese headers, column widths" "$(cat "$T/tpl.txt")" \
    eval 'grep -q "\[.题库., .说明.\]" "$T/tpl.txt" && grep -q "^True True$" "$T/tpl.txt"'
run "$EP" template --out "$T/tpl-roster.xlsx" --kind roster
run "$EP" roster --csv "$T/tpl-roster.xlsx" --key "$KEY" --out "$T/tpl.roster" $RFAST
check_msg "template: the roster template signs a roster" "rc=$RC $ERR" eval '[ $RC -eq 0 ] && grep -q "2 candidates" "$T/out"'
run "$EP" template --out "$T/tpl-apps.xlsx" --kind applications
run "$WH" eligibility --csv "$T/tpl-apps.xlsx"
check_msg "template: examhub eligibility reads the applications template" "rc=$RC $ERR $OUT" \
    eval '[ $RC -eq 0 ] && grep -q "^441900199304211169,4,1,4.1$" "$T/out"'
run "$EP" template --out "$T/tpl-x.xlsx" --kind exam
check_msg "template --kind unknown: misuse, nothing written" "rc=$RC $ERR" eval '[ $RC -eq 2 ] && [ ! -e "$T/tpl-x.xlsx" ]'
run "$EP" template --out "$T/no/such/dir/t.xlsx"
check_msg "template into a folder that does not exist: one line, exit 1" "rc=$RC $ERR" eval '[ $RC -eq 1 ] && [ "$(err_lines)" -eq 1 ]'

# ---- 4. the hub's imports -------------------------------------------------------------------------
A=$(gbid 44010619850101001); B=$(gbid 44010619850101002)
HDR="id_number,name,applied_level,work_years,education,major_related,cert,cert_years,training,graduated_years,received,address,phone"
{ echo "$HDR"; echo "$A,陈志明,4,2,none,no,,,,,2026-03-01,广州市天河区天河路100号,13800000001"
  echo "$B,林美玲,4,1,none,no,,,,,2026-03-16,广州市越秀区中山五路8号,13800000002"; } >"$T/apps.csv"
"$C2X" "$T/apps.csv" "$T/apps.xlsx" --sheet 报名表 --date received --number work_years --number applied_level
run "$WH" eligibility --csv "$T/apps.xlsx"
check_msg "eligibility from .xlsx (levels and years as numbers)" "rc=$RC $OUT $ERR" \
    eval '[ $RC -eq 0 ] && grep -q "^$A,4,1,4.1$" "$T/out" && grep -q "^$B,4,1,4.1$" "$T/out"'
sed "3s/^$B/${B:0:17}$([ "${B:17}" = 1 ] && echo 2 || echo 1)/" "$T/apps.csv" >"$T/apps-bad.csv"
"$C2X" "$T/apps-bad.csv" "$T/apps-bad.xlsx" --sheet 报名表
run "$WH" eligibility --csv "$T/apps-bad.xlsx"
check_msg "eligibility: a bad ID number → apps-bad.xlsx:报名表!A3" "rc=$RC $ERR" \
    eval '[ $RC -ne 0 ] && grep -q "apps-bad.xlsx:报名表!A3: ID number .* fails the GB 11643-1999 checksum" "$T/err"'
if need sqlite3; then
    DB="$T/hub.db"
    "$WH" init --db "$DB" --pub "$PUB" --results-key "$T/auth/results.key" >/dev/null 2>&1
    run "$WH" register --db "$DB" --csv "$T/apps.xlsx"
    check_msg "register from .xlsx: received as Excel dates (serials) gives the batches (cut-off on the 15th)" "rc=$RC $OUT $ERR" \
        eval '[ $RC -eq 0 ] && grep -q "^$A,4,2026-03,410,4.1$" "$T/out" && grep -q "^$B,4,2026-04,410,4.1$" "$T/out"'
    { echo "id_number,batch,amount"; echo "$A,2026-03,410"; echo "$B,2026-04,lots"; } >"$T/pay.csv"
    "$C2X" "$T/pay.csv" "$T/pay.xlsx" --sheet 缴费 --number amount
    run "$WH" pay --db "$DB" --csv "$T/pay.xlsx"
    check_msg "pay from .xlsx: a bad amount → pay.xlsx:缴费!C3, nothing recorded" "rc=$RC $ERR" \
        eval '[ $RC -ne 0 ] && grep -q "pay.xlsx:缴费!C3: amount .lots. must be a whole number" "$T/err" && grep -q "nothing recorded" "$T/err"'
    { echo "id_number,batch,amount"; echo "$A,2026-03,410"; } >"$T/pay.csv"
    "$C2X" "$T/pay.csv" "$T/pay.xlsx" --number amount
    run "$WH" pay --db "$DB" --csv "$T/pay.xlsx"
    check_msg "pay from .xlsx: the amount as a number is recorded" "rc=$RC $OUT $ERR" eval '[ $RC -eq 0 ] && grep -q "1 payments recorded" "$T/out"'
    printf 'site,site_code,room,capacity\n广州天河考点,440106,01,30\n' >"$T/rooms.csv"
    "$C2X" "$T/rooms.csv" "$T/rooms.xlsx" --sheet 考场 --number site_code --number capacity
    run "$WH" rooms --db "$DB" --csv "$T/rooms.xlsx"
    check_msg "rooms from .xlsx: a site code typed as a number → 考场!B2, format the column as text" "rc=$RC $ERR" \
        eval '[ $RC -ne 0 ] && grep -q "rooms.xlsx:考场!B2: site_code is a number.*format the column as text" "$T/err"'
    "$C2X" "$T/rooms.csv" "$T/rooms.xlsx" --sheet 考场 --number capacity
    run "$WH" rooms --db "$DB" --csv "$T/rooms.xlsx" --sheet 考场
    check_msg "rooms from .xlsx with --sheet: recorded" "rc=$RC $OUT $ERR" eval '[ $RC -eq 0 ] && grep -q "1 rooms recorded" "$T/out"'
    printf 'ticket,score\nNOSUCH,80\n' >"$T/review.csv"
    "$C2X" "$T/review.csv" "$T/review.xlsx" --sheet 评审 --number score
    run "$WH" review --db "$DB" --csv "$T/review.xlsx"
    check_msg "review from .xlsx: an unknown ticket → review.xlsx:评审!A2" "rc=$RC $ERR" \
        eval '[ $RC -ne 0 ] && grep -q "review.xlsx:评审!A2: no planned candidate with ticket NOSUCH" "$T/err"'
fi
