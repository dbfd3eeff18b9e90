# End-to-end: exampack keygen/build/roster/verify/inspect with the real binary.
T=$(new_tmp)
EP="$BIN/exampack"
FAST="--kdf-ops 2 --kdf-mem 64"
CODE_RE='^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){4}$'

# ---- usage -------------------------------------------------------------
run "$EP" --help
check "exampack --help exits 0 and shows every command" \
    bash -c "[ $RC -eq 0 ] && grep -q 'exampack build' '$T/out' && grep -q 'exampack inspect' '$T/out'"
run "$EP"
check "exampack without a command: exit 2, one-line reason first" bash -c "[ $RC -eq 2 ] && head -1 '$T/err' | grep -q 'no command'"
run "$EP" build --bank x.csv
check "build with missing options: exit 2" expect_rc 2
run "$EP" frobnicate
check "unknown command: exit 2" expect_rc 2

# ---- keys ----------------------------------------------------------------
mkdir -p "$T/auth" "$T/other"
run "$EP" keygen --out "$T/auth"
check "keygen writes three key files" bash -c "[ $RC -eq 0 ] && [ -f '$T/auth/authority.pub' ] && [ -f '$T/auth/authority.key' ] && [ -f '$T/auth/results.key' ]"
check "secret keys are mode 0600" bash -c "[ \$(stat -c %a '$T/auth/authority.key') = 600 ] && [ \$(stat -c %a '$T/auth/results.key') = 600 ]"
sum_before=$(cat "$T/auth"/* | sha256sum)
run "$EP" keygen --out "$T/auth"
check "keygen refuses to overwrite existing keys" bash -c "[ $RC -ne 0 ] && grep -q 'refusing to overwrite' '$T/err' && [ \"\$(cat '$T/auth'/* | sha256sum)\" = '$sum_before' ]"
"$EP" keygen --out "$T/other" >/dev/null
KEY="$T/auth/authority.key"; PUB="$T/auth/authority.pub"

# ---- sample packs ----------------------------------------------------------
run "$EP" build --bank "$SAMPLES/theory-4.csv" --blueprint "$SAMPLES/theory-4.ini" --key "$KEY" --out "$T/theory.pack"
THEORY_CODE=$(tail -1 "$T/out")
check "build theory sample (default KDF) exits 0" expect_rc 0
check "build prints the release code as the last line" bash -c "echo '$THEORY_CODE' | grep -Eq '$CODE_RE'"
run "$EP" verify --pub "$PUB" "$T/theory.pack"
check "verify theory pack" bash -c "[ $RC -eq 0 ] && grep -q 'signature valid' '$T/out'"
run "$EP" inspect --pub "$PUB" "$T/theory.pack"
check "inspect without code shows public facts only" bash -c "[ $RC -eq 0 ] && grep -q '理论知识考试' '$T/out' && grep -q 'questions: 90' '$T/out' && grep -q 'duration: 90 minutes' '$T/out' && ! grep -q 'total:' '$T/out'"
run "$EP" inspect --pub "$PUB" "$T/theory.pack" --release-code "$THEORY_CODE"
check "inspect with code shows the paper" bash -c "[ $RC -eq 0 ] && grep -q '一、判断题  20 × 1 = 20 points' '$T/out' && grep -q '二、单项选择题  60 × 1 = 60 points' '$T/out' && grep -q 'total: 90 questions, 100 points' '$T/out' && grep -q 'judge 20 single 60 multi 10' '$T/out'"
lower=$(echo "$THEORY_CODE" | tr 'A-Z' 'a-z' | tr -d '-')
run "$EP" inspect --pub "$PUB" "$T/theory.pack" --release-code "$lower"
check "release code entry ignores case and dashes" expect_rc 0

run "$EP" build --bank "$SAMPLES/practical-4.csv" --blueprint "$SAMPLES/practical-4.ini" --key "$KEY" --out "$T/practical.pack" $FAST
PCODE=$(tail -1 "$T/out")
run "$EP" inspect --pub "$PUB" "$T/practical.pack" --release-code "$PCODE"
check "practical sample: five parts, 18 questions, 100 points" bash -c "[ $RC -eq 0 ] && grep -q '五、简答题  2 × 10 = 20 points' '$T/out' && grep -q 'total: 18 questions, 100 points' '$T/out'"

# a rule taking its whole pool of mixed points, and a rule limited to a section
printf '%s\n' 'id,type,section,stem,A,B,C,D,answer,points' 'J1,judge,甲,题一。,,,,,T,1' 'J2,judge,甲,题二。,,,,,F,2' \
    'J3,judge,乙,题三。,,,,,T,85' 'S1,single,乙,题四。,a,b,c,d,A,12' 'S2,single,乙,题五。,a,b,c,d,B,12' >"$T/mixed.csv"
printf '%s\n' '[exam]' 'title = 混合分值' 'level = 3' 'kind = theory' 'duration = 10' 'pass = 1' '[draw]' \
    'rule = type=judge count=3' 'rule = type=single count=1 section=乙' >"$T/mixed.ini"
run "$EP" build --bank "$T/mixed.csv" --blueprint "$T/mixed.ini" --key "$KEY" --out "$T/mixed.pack" $FAST
MCODE=$(tail -1 "$T/out")
run "$EP" inspect --pub "$PUB" "$T/mixed.pack" --release-code "$MCODE"
check "inspect: mixed points and a section rule" bash -c "[ $RC -eq 0 ] && sed -n '/^paper:/,\$p' '$T/out' | cmp -s - <(printf '%s\n' 'paper:' \
    '  一、判断题  3 × mixed = 88 points  (judge, drawn from 3)' '  二、单项选择题  1 × 12 = 12 points  (single, section 乙, drawn from 2)' \
    'question types: judge 3 single 1' 'total: 4 questions, 100 points')"

GIVEN=$(tail -1 "$T/out" >/dev/null; echo "$THEORY_CODE")
run "$EP" build --bank "$SAMPLES/practical-4.csv" --blueprint "$SAMPLES/practical-4.ini" --key "$KEY" --out "$T/given.pack" $FAST --release-code "$GIVEN"
check "--release-code is used as given" bash -c "[ $RC -eq 0 ] && [ \"\$(tail -1 '$T/out')\" = '$GIVEN' ]"

# ---- confidentiality ------------------------------------------------------------
stem=$(sed -n 2p "$SAMPLES/theory-4.csv" | cut -d, -f4 | cut -c1-30)
check "pack holds no plaintext stem" bash -c "! grep -qF '$stem' '$T/theory.pack'"
check "pack holds no release code" bash -c "! grep -qF '$THEORY_CODE' '$T/theory.pack' && ! grep -qF '$(echo "$THEORY_CODE" | tr -d -)' '$T/theory.pack'"
check "pack holds no explanation text" bash -c "! grep -qF 'B2C即Business' '$T/theory.pack'"

# ---- release codes ---------------------------------------------------------------
typo=$(echo "$THEORY_CODE" | sed 's/^\(.\)/\1/' | awk '{c=substr($0,1,1); r=(c=="Z")?"Y":"Z"; print r substr($0,2)}')
start=$(date +%s%N)
run "$EP" inspect --pub "$PUB" "$T/theory.pack" --release-code "$typo"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "mistyped code refused as a typo" bash -c "[ $RC -ne 0 ] && grep -q 'mistyped' '$T/err'"
check "mistyped code refused before the KDF (${ms} ms < 150 ms)" test "$ms" -lt 150
run "$EP" inspect --pub "$PUB" "$T/theory.pack" --release-code "$PCODE"
check "well-formed wrong code refused after the KDF" bash -c "[ $RC -ne 0 ] && grep -q 'wrong release code' '$T/err' && ! grep -q 'paper:' '$T/out'"
run "$EP" build --bank "$SAMPLES/practical-4.csv" --blueprint "$SAMPLES/practical-4.ini" --key "$KEY" --out "$T/x.pack" $FAST --release-code "$typo"
check "build refuses a mistyped --release-code, writes nothing" bash -c "[ $RC -ne 0 ] && [ ! -e '$T/x.pack' ]"

# ---- tampering ---------------------------------------------------------------------
size=$(stat -c %s "$T/practical.pack")
for off in 0 9 30 50 70 90 130 180 210 $((size / 2)) $((size - 70)) $((size - 1)); do
    cp "$T/practical.pack" "$T/t.pack"
    printf '\x5a' | dd of="$T/t.pack" bs=1 seek="$off" conv=notrunc status=none
    cmp -s "$T/t.pack" "$T/practical.pack" || true
    # make sure the byte really changed
    if cmp -s "$T/t.pack" "$T/practical.pack"; then printf '\xa5' | dd of="$T/t.pack" bs=1 seek="$off" conv=notrunc status=none; fi
    run "$EP" verify --pub "$PUB" "$T/t.pack"
    r1=$RC
    run "$EP" inspect --pub "$PUB" "$T/t.pack" --release-code "$PCODE"
    check "byte $off changed: verify and inspect fail" bash -c "[ $r1 -ne 0 ] && [ $RC -ne 0 ] && ! grep -q 'paper:' '$T/out'"
done
head -c $((size - 1)) "$T/practical.pack" >"$T/t.pack"
run "$EP" verify --pub "$PUB" "$T/t.pack"
check "truncated pack fails verify" bash -c "[ $RC -ne 0 ] && [ \$(wc -l <'$T/err') -eq 1 ]"
head -c 100 "$T/practical.pack" >"$T/t.pack"
run "$EP" verify --pub "$PUB" "$T/t.pack"
check "pack cut to 100 bytes fails verify" nonzero
{ cat "$T/practical.pack"; printf 'x'; } >"$T/t.pack"
run "$EP" verify --pub "$PUB" "$T/t.pack"
check "pack with a byte appended fails verify" nonzero
run "$EP" verify --pub "$T/other/authority.pub" "$T/practical.pack"
check "pack checked against another authority fails, says so" bash -c "[ $RC -ne 0 ] && grep -q 'different authority' '$T/err'"
run "$EP" inspect --pub "$T/other/authority.pub" "$T/practical.pack" --release-code "$PCODE"
check "inspect against another authority fails" nonzero
"$EP" build --bank "$SAMPLES/practical-4.csv" --blueprint "$SAMPLES/practical-4.ini" --key "$T/other/authority.key" --out "$T/foreign.pack" $FAST >/dev/null
run "$EP" verify --pub "$PUB" "$T/foreign.pack"
check "pack signed by another authority fails verify" bash -c "[ $RC -ne 0 ] && grep -q 'different authority' '$T/err'"

# ---- rosters ------------------------------------------------------------------------
run "$EP" roster --csv "$SAMPLES/roster-4.csv" --key "$KEY" --out "$T/room.roster"
check "sample roster builds" bash -c "[ $RC -eq 0 ] && grep -q '30 candidates' '$T/out'"
run "$EP" verify --pub "$PUB" "$T/room.roster"
check "sample roster verifies" expect_rc 0
id1=$(sed -n 2p "$SAMPLES/roster-4.csv" | cut -d, -f3)
check "signed roster holds no ID number" bash -c "! grep -qF '$id1' '$T/room.roster'"
cp "$T/room.roster" "$T/t.roster"
printf 'Z' | dd of="$T/t.roster" bs=1 seek=80 conv=notrunc status=none
run "$EP" verify --pub "$PUB" "$T/t.roster"
check "altered roster fails verify" bash -c "[ $RC -ne 0 ] && grep -q 'altered' '$T/err'"
head -c 200 "$T/room.roster" >"$T/t.roster"
run "$EP" verify --pub "$PUB" "$T/t.roster"
check "truncated roster fails verify" nonzero
run "$EP" verify --pub "$T/other/authority.pub" "$T/room.roster"
check "roster against another authority fails" bash -c "[ $RC -ne 0 ] && grep -q 'different authority' '$T/err'"

# ---- encodings ------------------------------------------------------------------------
iconv -f UTF-8 -t GB18030 "$SAMPLES/theory-4.csv" >"$T/gb.csv"
run "$EP" build --bank "$T/gb.csv" --blueprint "$SAMPLES/theory-4.ini" --key "$KEY" --out "$T/gb.pack" $FAST
GB_CODE=$(tail -1 "$T/out")
run "$EP" inspect --pub "$PUB" "$T/gb.pack" --release-code "$GB_CODE"
check "GB18030 bank (as Excel writes it) builds" bash -c "[ $RC -eq 0 ] && grep -q 'total: 90 questions, 100 points' '$T/out'"
{ printf '\xef\xbb\xbf'; sed 's/$/\r/' "$SAMPLES/practical-4.csv"; } >"$T/crlf.csv"
run "$EP" build --bank "$T/crlf.csv" --blueprint "$SAMPLES/practical-4.ini" --key "$KEY" --out "$T/crlf.pack" $FAST
check "bank with BOM and CRLF line ends builds" expect_rc 0
