# End-to-end: examhub eligibility --csv checks applicants against the
# notice's 申报条件 (annex 1, section 二) and prints
# id_number,applied_level,eligible,clause, one row per valid applicant.
T=$(new_tmp)
HUB="$BIN/examhub"


# One applicant per line: level work education major cert cert_years training
# graduated_years expected-clause ("-" = empty cell; expected "-" = not eligible).
# Every clause L.N has a row where it is the lowest clause that holds, then a
# row that just fails it.
CASES=$(cat <<'C'
4 1     none                 no  - -    - -    4.1
4 0.99  none                 no  - -    - -    -
4 0.5   secondary_vocational yes - -    - -    4.2
4 0.5   secondary_vocational no  - -    - -    -
4 0.5   none                 no  - -    4 -    4.3
4 0.5   none                 no  - -    3 -    -
3 6     none                 no  - -    - -    3.1
3 5.99  none                 no  - -    - -    -
3 5     higher_vocational    yes - -    - -    3.2
3 5     higher_vocational    no  - -    - -    -
3 4     none                 no  4 4    - -    3.3
3 4     none                 no  4 3.99 - -    -
3 3     none                 no  4 3    3 -    3.4
3 3     none                 no  4 3    4 -    -
3 0     junior_college       yes - -    - -    3.5
3 0.5   junior_college       no  - -    - -    -
3 1     junior_college       no  - -    - -    3.6
3 0.99  junior_college       no  - -    - -    -
3 0.5   bachelor             no  - -    3 -    3.7
3 0.5   higher_vocational    no  - -    3 -    -
2 13    none                 no  - -    - -    2.1
2 12.99 none                 no  - -    - -    -
2 5     none                 no  3 5    - -    2.2
2 5     none                 no  4 5    - -    -
2 4     none                 no  3 4    2 -    2.3
2 4     none                 no  3 3.99 2 -    -
2 4     bachelor             yes 3 4    - -    2.4
2 4     junior_college       yes 3 4    - -    -
2 3     bachelor             yes 3 3    2 -    2.5
2 3     bachelor             no  3 3    2 -    -
2 4     bachelor             no  3 4    2 -    2.3
2 4     bachelor             no  3 4    3 -    -
2 2     master               no  - -    - -    2.7
2 1.99  doctor               no  - -    - -    -
1 19    none                 no  - -    - -    1.1
1 18.99 none                 no  - -    - -    -
1 4     none                 no  2 4    - -    1.2
1 4     none                 no  3 4    - -    -
1 3     none                 no  2 3    1 -    1.3
1 3     none                 no  2 3    2 -    -
1 0     bachelor             no  - -    - 13   1.4
1 0     bachelor             yes - -    - 12.9 -
1 0     master               no  - -    - 8    1.4
1 0     doctor               no  - -    - 7    -
1 0     junior_college       yes - -    - 20   -
3 4     none                 no  2 4    - -    3.3
3 6     junior_college       yes 4 6    3 -    3.1
C
)
# The row with 2.6's facts (非本专业本科, 助理 certificate 4 years, 电子商务师
# training) expects 2.3: 2.3 asks for the same certificate, years and
# training without the degree, so it holds too and is the lower clause.

dash() { [ "$1" = - ] && printf '' || printf '%s' "$1"; }
{
    echo "id_number,name,applied_level,work_years,education,major_related,cert,cert_years,training,graduated_years"
} >"$T/applicants.csv"
echo "id_number,applied_level,eligible,clause" >"$T/expected.csv"
n=0
while read -r lv wk ed mj ce cy tr gr want; do
    [ -z "$lv" ] && continue
    n=$((n + 1))
    id=$(gbid "$(printf '44010619900101%03d' "$n")")
    name="申请人$n"
    [ "$n" -eq 3 ] && name='"Smith, John"'
    printf '%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n' "$id" "$name" "$lv" "$wk" "$ed" "$mj" "$(dash "$ce")" "$(dash "$cy")" \
        "$(dash "$tr")" "$(dash "$gr")" >>"$T/applicants.csv"
    if [ "$want" = - ]; then echo "$id,$lv,0," >>"$T/expected.csv"; else echo "$id,$lv,1,$want" >>"$T/expected.csv"; fi
done <<<"$CASES"

run "$HUB" eligibility --csv "$T/applicants.csv"
if [ "$RC" -eq 0 ] && [ ! -s "$T/err" ] && cmp -s "$T/out" "$T/expected.csv"; then
    pass "eligibility: one applicant per clause and just-failing ones, whole output as expected ($n rows)"
else
    fail "eligibility: one applicant per clause and just-failing ones, whole output as expected" \
        "rc=$RC stderr: $(head -2 "$T/err" | tr '\n' '|') diff: $(diff "$T/expected.csv" "$T/out" | head -6 | tr '\n' '|')"
fi
check "eligibility: every clause 4.1-4.3, 3.1-3.7, 2.1-2.5, 2.7, 1.1-1.4 appears in the output" \
    bash -c "for c in 4.1 4.2 4.3 3.1 3.2 3.3 3.4 3.5 3.6 3.7 2.1 2.2 2.3 2.4 2.5 2.7 1.1 1.2 1.3 1.4; do
                 grep -q \",1,\$c\$\" '$T/out' || exit 1; done"

# Chinese header, columns in another order, an extra column, an ID ending in X
IDX=$(gbid 11010519491231002)
ID2=$(gbid 44030419851212456)
cat >"$T/zh.csv" <<EOF
学历,申报级别,备注,身份证号,工作年限,本专业,证书,取证年限,培训,毕业年限,姓名
master,2,研究生,$IDX,2,no,,,,3,张三
none,4,,$ID2,0.5,no,,,,,李四
EOF
run "$HUB" eligibility --csv "$T/zh.csv"
check "eligibility: Chinese header, order free, extra column ignored" \
    bash -c "[ $RC -eq 0 ] && [ ! -s '$T/err' ] && [ \"\$(cat '$T/out')\" = \"\$(printf 'id_number,applied_level,eligible,clause\n%s,2,1,2.7\n%s,4,0,\n' $IDX $ID2)\" ]"

# Two invalid rows (line 3: ID checksum, line 5: unknown education) among
# valid ones: exit 1, exactly those two FILE:LINE: reason lines, valid rows printed.
ID3=$(gbid 31011519780704321)
ID4=$(gbid 44010619900101999)
BADID=${ID3:0:17}$([ "${ID3:17:1}" = 0 ] && echo 1 || echo 0)
F="$T/mixed.csv"
cat >"$F" <<EOF
id_number,name,applied_level,work_years,education,major_related,cert,cert_years,training,graduated_years
$ID2,甲,4,1,none,no,,,,
$BADID,乙,4,1,none,no,,,,
$IDX,丙,3,6,none,no,,,,
$ID4,丁,3,1,phd,no,,,,
$ID3,戊,1,0,bachelor,no,,,,13
EOF
run "$HUB" eligibility --csv "$F"
check "eligibility with two invalid rows: exit 1" expect_rc 1
check "eligibility with two invalid rows: stderr has exactly two lines" bash -c "[ \$(wc -l <'$T/err') -eq 2 ]"
check "eligibility with two invalid rows: mixed.csv:3 (ID checksum) then mixed.csv:5 (education)" \
    bash -c "sed -n 1p '$T/err' | grep -Fq '$F:3: ' && sed -n 2p '$T/err' | grep -Fq '$F:5: ' &&
             sed -n 2p '$T/err' | grep -q 'phd' && ! grep -Fq '$F:2:' '$T/err' && ! grep -Fq '$F:4:' '$T/err'"
check "eligibility with two invalid rows: the valid rows are still printed, in input order" \
    bash -c "[ \"\$(cat '$T/out')\" = \"\$(printf 'id_number,applied_level,eligible,clause\n%s,4,1,4.1\n%s,3,1,3.1\n%s,1,1,1.4\n' $ID2 $IDX $ID3)\" ]"

rm -rf "$T"
