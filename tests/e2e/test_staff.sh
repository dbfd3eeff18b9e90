# End-to-end: the hub's staff pages (README: The staff pages) on a real
# `examhub serve` on 127.0.0.1, driven with curl and a cookie jar per user:
# examhub user add/list/disable/enable, log-in (wrong passwords, unknown
# names, the lock-out per name and overall), the session cookie (HttpOnly,
# SameSite=Strict, Path=/staff/, stored hashed, idle expiry), CSRF refusals,
# log-out, every page and form refused 403 to the roles without it, uploads
# of good and bad applications, payments and rooms CSV files (a bad file:
# every error listed, nothing changed), the batch counts, the results page
# with a conflict decided through its form, the audit log, and the same
# steps in real Chromium (staff_browser.py, screenshots at 1366×768).
T=$(new_tmp)
. "$(dirname "${BASH_SOURCE[0]}")/hub_lib.sh"
WH="$HUBBIN"
SHOTDIR=${E2E_SHOTS:-$T/shots}
mkdir -p "$SHOTDIR"

staff_ready=1
need curl sqlite3 || staff_ready=0
if [ "$staff_ready" = 1 ]; then

mkdir -p "$T/auth"
"$BIN/exampack" keygen --out "$T/auth" >/dev/null
DB="$T/hub.db"
"$WH" init --db "$DB" --pub "$T/auth/authority.pub" --results-key "$T/auth/results.key" >/dev/null
sqlv() { sqlite3 -cmd ".timeout 5000" "$DB" "$1"; }

# ---- 1. accounts ------------------------------------------------------------------------------------
KDF=(--kdf-ops 1 --kdf-mem 16) # the cheapest verifier the kiosks' floor allows: fast log-ins in tests
adduser() { printf '%s\n' "$3" | "$WH" user add "$1" --role "$2" --db "$DB" "${KDF[@]}"; }
PW_ADMIN='Admin-pass-1' PW_CLERK='clerk pass 2' PW_PLANNER='planner&pass=3' PW_MARKER='marker#pass+4'
run adduser admin1 admin "$PW_ADMIN"
check_msg "user add: an admin, the password from one line of stdin" "rc=$RC $OUT $ERR" \
    eval '[ $RC -eq 0 ] && [ "$OUT" = "user admin1 added with role admin" ]'
adduser clerk1 clerk "$PW_CLERK" >/dev/null && adduser planner1 planner "$PW_PLANNER" >/dev/null &&
    adduser marker1 marker "$PW_MARKER" >/dev/null
run "$WH" user list --db "$DB"
check_msg "user list: name,role,state,created of the four users" "$OUT" \
    eval '[ "$(echo "$OUT" | cut -d, -f1-3 | tr "\n" " ")" = "name,role,state admin1,admin,enabled clerk1,clerk,enabled marker1,marker,enabled planner1,planner,enabled " ]'
check_msg "the password is stored as an Argon2id verifier, never in plain text" "$(sqlv 'SELECT name, verifier FROM staff_user')" \
    eval '[ "$(sqlv "SELECT count(*) FROM staff_user WHERE verifier LIKE '"'"'\$argon2id\$%'"'"'")" = 4 ] &&
          ! grep -aq "Admin-pass-1" "$DB" "$DB-wal" 2>/dev/null'
run adduser clerk1 clerk "another-pass"
check_msg "user add: a name that exists is refused" "rc=$RC $ERR" eval '[ $RC -eq 1 ] && grep -q "exists" "$T/err"'
run adduser shorty clerk "short"
check_msg "user add: a password under 8 bytes is refused, nobody added" "rc=$RC $ERR" \
    eval '[ $RC -eq 1 ] && grep -q "at least 8" "$T/err" && [ "$(sqlv "SELECT count(*) FROM staff_user WHERE name='"'"'shorty'"'"'")" = 0 ]'
run adduser boss root "long-enough-pw"
check_msg "user add: an unknown role is misuse (exit 2)" "rc=$RC $ERR" eval '[ $RC -eq 2 ] && grep -q "admin|clerk|planner|marker" "$T/err"'
run adduser 'bad name' clerk "long-enough-pw"
check_msg "user add: a name with a space is misuse" "rc=$RC $ERR" eval '[ $RC -eq 2 ]'
run "$WH" user add nopw --role clerk --db "$DB" </dev/null
check_msg "user add: nothing on stdin is refused" "rc=$RC $ERR" eval '[ $RC -eq 1 ] && grep -q "nothing on standard input" "$T/err"'

# ---- the hub, and curl as each user ---------------------------------------------------------------
check_msg "examhub serve with the staff pages" "$(tail -3 "$T/hub.log" 2>/dev/null)" hub_start "$DB"
S="$HUB_URL/staff"
# req JAR URL [CURL ARGS...]: the status code on stdout; body in $T/body, headers in $T/head
req() {
    local jar=$1 url=$2; shift 2
    curl -s -o "$T/body" -D "$T/head" -w '%{http_code}' -b "$jar" -c "$jar" "$@" "$url"
}
# csrf_of JAR [PAGE]: the CSRF token of the forms of PAGE (default the home page)
csrf_of() { req "$1" "$S${2:-/}" >/dev/null; sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$T/body" | head -1; }
# login JAR NAME PASSWORD: the status of the log-in POST (303 when signed in)
login() {
    rm -f "$1"
    req "$1" "$S/login" >/dev/null
    local c; c=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$T/body" | head -1)
    req "$1" "$S/login" --data-urlencode "csrf=$c" --data-urlencode "name=$2" --data-urlencode "password=$3"
}
J_ADMIN="$T/admin.jar" J_CLERK="$T/clerk.jar" J_PLANNER="$T/planner.jar" J_MARKER="$T/marker.jar" J_X="$T/x.jar"

# ---- 2. log-in ----------------------------------------------------------------------------------------
code=$(req "$J_X" "$S/batches")
check_msg "not signed in: a page redirects to the log-in page" "$code $(cat "$T/head")" \
    eval '[ "$code" = 303 ] && grep -qi "^location: /staff/login" "$T/head"'
code=$(req "$J_X" "$S/login")
check_msg "the log-in page: Chinese, a strict CSP (no script, no external source, the style by hash), no-store" "$(cat "$T/head")" \
    eval '[ "$code" = 200 ] && grep -q "工作人员登录" "$T/body" &&
          grep -qi "^content-security-policy: default-src '"'"'none'"'"'; style-src '"'"'sha256-" "$T/head" &&
          grep -qi "frame-ancestors '"'"'none'"'"'" "$T/head" && grep -qi "^cache-control: no-store" "$T/head" &&
          grep -qi "^x-frame-options: DENY" "$T/head" && ! grep -qiE "<script|src=|https?://" "$T/body"'
code=$(login "$J_CLERK" clerk1 "wrong password")
check_msg "a wrong password: 401, 用户名或密码错误, no session" "$code" \
    eval '[ "$code" = 401 ] && grep -q "用户名或密码错误" "$T/body" && ! grep -q examhub_staff "$T/head"'
code=$(login "$J_X" nosuchuser "whatever-pw")
check_msg "an unknown name: the same 401 and message as a wrong password" "$code" \
    eval '[ "$code" = 401 ] && grep -q "用户名或密码错误" "$T/body"'
rm -f "$J_X"
code=$(req "$J_X" "$S/login" --data-urlencode "name=clerk1" --data-urlencode "password=$PW_CLERK")
check_msg "a log-in POST without the form's CSRF token is refused 403 (no session)" "$code" \
    eval '[ "$code" = 403 ] && ! grep -q examhub_staff "$T/head"'
code=$(login "$J_CLERK" clerk1 "$PW_CLERK")
check_msg "clerk1 signs in: 303 to /staff/" "$code $(cat "$T/head")" eval '[ "$code" = 303 ] && grep -qi "^location: /staff/" "$T/head"'
check_msg "the session cookie: HttpOnly, SameSite=Strict, Path=/staff/, an expiry" "$(grep -i set-cookie "$T/head")" \
    eval 'grep -i "^set-cookie: examhub_staff=" "$T/head" | grep -i "HttpOnly" | grep -i "SameSite=Strict" | grep -i "Path=/staff/" | grep -qi "Max-Age=[1-9]"'
TOKEN=$(sed -n 's/.*examhub_staff\t\([0-9A-Z]*\)$/\1/p' "$J_CLERK")
check_msg "the session is stored as a hash: the token is nowhere in hub.db" "token=$TOKEN" \
    eval '[ ${#TOKEN} -eq 32 ] && [ "$(sqlv "SELECT count(*) FROM staff_session")" = 1 ] && ! grep -aq "$TOKEN" "$DB" "$DB-wal" 2>/dev/null'
code=$(req "$J_CLERK" "$S/")
check_msg "clerk1's home page names the user and the role (报名登记员)" "$code" \
    eval '[ "$code" = 200 ] && grep -q "clerk1（报名登记员）" "$T/body" && grep -q "退出登录" "$T/body"'
for who in admin:"$PW_ADMIN":"$J_ADMIN" planner:"$PW_PLANNER":"$J_PLANNER" marker:"$PW_MARKER":"$J_MARKER"; do
    IFS=: read -r r p j <<<"$who"
    code=$(login "$j" "${r}1" "$p")
    check_msg "${r}1 signs in" "$code" eval '[ "$code" = 303 ]'
done

# ---- 3. every page and form refused 403 to the roles without it -------------------------------------------
# route method roles-allowed (admin may use everything; the README's table)
ROUTES="/staff/:GET:admin,clerk,planner,marker
/staff/batches:GET:admin,clerk,planner
/staff/upload/applications:POST:admin,clerk
/staff/upload/payments:POST:admin,clerk
/staff/upload/rooms:POST:admin,planner
/staff/plan:POST:admin,planner
/staff/results:GET:admin,planner
/staff/doorlist:GET:admin,planner
/staff/decide:POST:admin
/staff/users:GET:admin
/staff/audit:GET:admin"
HDR="id_number,name,applied_level,work_years,education,major_related,cert,cert_years,training,graduated_years,received,address,phone"
A=$(gbid 44010619900101001) B=$(gbid 44010619910202002) C=$(gbid 44010619920303003) H=$(gbid 44010620000808008)
{
    echo "$HDR"
    echo "$A,陈志明,4,2,none,no,,,,,2026-03-01,广州市天河区天河路100号,13800000001"
    echo "$B,林美玲,4,1,none,no,,,,,2026-03-02,广州市越秀区中山五路8号,13800000002"
    echo "$C,黄国强,4,0.5,secondary_vocational,yes,,,,,2026-03-03,深圳市福田区深南大道6号,13800000003"
    echo "$H,赵小军,4,0.99,none,no,,,,,2026-03-06,广州市白云区机场路2号,13800000008"
} >"$T/apps.csv"
{ echo "id_number,batch,amount"; echo "$A,2026-03,410"; echo "$B,2026-03,410"; } >"$T/pay.csv"
{ echo "site,site_code,room,capacity"; echo "广州考点,440101,第一考场,30"; } >"$T/rooms.csv"
refusals() {
    local line path method allowed role jar c code bad=""
    while IFS=: read -r path method allowed; do
        for role in admin clerk planner marker; do
            [[ ",$allowed," == *",$role,"* ]] && continue
            jar="$T/$role.jar"
            if [ "$method" = GET ]; then
                code=$(req "$jar" "$HUB_URL$path?batch=2026-03")
            else # a valid form of the user's own session, with a file that would be taken
                c=$(csrf_of "$jar")
                code=$(req "$jar" "$HUB_URL$path" -F "csrf=$c" -F "file=@$T/apps.csv;filename=apps.csv" \
                    -F "result=00000000000000000000000000000000" -F "decision=void" -F "why=test" -F "batch=2026-03")
            fi
            [ "$code" = 403 ] && grep -q "权限不足" "$T/body" || bad="$bad $role:$method:$path=$code"
            N403=$((N403 + 1))
        done
    done <<<"$ROUTES"
    [ -z "$bad" ] || { echo "not refused:$bad"; return 1; }
}
N403=0
check_msg "every page and form answers 403 (权限不足) to each role without it" "$(refusals 2>&1)" refusals
check_msg "... ($N403 refusals checked) and none of the refused forms changed anything" "$(sqlv 'SELECT count(*) FROM application')" \
    eval '[ "$N403" -ge 15 ] && [ "$(sqlv "SELECT count(*) FROM application")" = 0 ] && [ "$(sqlv "SELECT count(*) FROM room")" = 0 ]'
allowed_ok() {
    local path method allowed role code bad=""
    while IFS=: read -r path method allowed; do
        [ "$method" = GET ] || continue
        for role in ${allowed//,/ }; do
            code=$(req "$T/$role.jar" "$HUB_URL$path?batch=2026-03")
            [ "$code" = 200 ] || bad="$bad $role:$path=$code"
        done
    done <<<"$ROUTES"
    [ -z "$bad" ] || { echo "refused:$bad"; return 1; }
}
check_msg "every page answers 200 to each role that has it" "$(allowed_ok 2>&1)" allowed_ok

# ---- 4. CSRF ------------------------------------------------------------------------------------------------
code=$(req "$J_CLERK" "$S/upload/applications" -F "file=@$T/apps.csv;filename=apps.csv")
check_msg "an upload without the CSRF token: 403, nothing registered" "$code" \
    eval '[ "$code" = 403 ] && grep -q "表单已失效" "$T/body" && [ "$(sqlv "SELECT count(*) FROM application")" = 0 ]'
code=$(req "$J_CLERK" "$S/upload/applications" -F "csrf=$(csrf_of "$J_ADMIN")" -F "file=@$T/apps.csv;filename=apps.csv")
check_msg "an upload with another session's CSRF token: 403, nothing registered" "$code" \
    eval '[ "$code" = 403 ] && [ "$(sqlv "SELECT count(*) FROM application")" = 0 ]'
code=$(req "$J_CLERK" "$S/logout" -d "csrf=0123456789abcdef0123456789abcdef")
check_msg "a log-out with a wrong CSRF token is refused: the session goes on" "$code" \
    eval '[ "$code" = 403 ] && [ "$(req "$J_CLERK" "$S/")" = 200 ]'

# ---- 5. uploads: bad files change nothing and list every error; good ones are taken ----------------------------
{
    echo "$HDR"
    echo "$(gbid 44010619880808026),孙丽娟,4,2,none,no,,,,,2026-03-03,广州市荔湾区1号,13900000001"
    echo "${A:0:17}$([ "${A:17}" = 1 ] && echo 2 || echo 1),钱多多,4,2,none,no,,,,,2026-03-03,广州市荔湾区2号,13900000002"
    echo "$(gbid 44010619880808034),冯小刚,4,2,none,no,,,,,<i>2026-02-30</i>,广州市荔湾区3号,13900000003"
} >"$T/apps-bad.csv"
CLERK_CSRF=$(csrf_of "$J_CLERK")
code=$(req "$J_CLERK" "$S/upload/applications" -F "csrf=$CLERK_CSRF" -F "file=@$T/apps-bad.csv;filename=apps-bad.csv")
check_msg "a bad applications file: 422, every bad row named FILE:LINE, 未做任何更改, nothing registered" "$code $(grep -o '<li>[^<]*' "$T/body")" \
    eval '[ "$code" = 422 ] && grep -q "apps-bad.csv:3:" "$T/body" && grep -q "apps-bad.csv:4:" "$T/body" &&
          grep -q "未做任何更改" "$T/body" && [ "$(sqlv "SELECT count(*) FROM application")" = 0 ]'
check_msg "the page escapes what the file said (<i> shown as text)" "$(grep -o 'apps-bad.csv:4:[^<]*' "$T/body")" \
    eval 'grep -q "&lt;i&gt;2026-02-30&lt;/i&gt;" "$T/body" && ! grep -q "<i>2026" "$T/body"'
code=$(req "$J_CLERK" "$S/upload/applications" -F "csrf=$CLERK_CSRF" -F "file=@$T/apps.csv;filename=apps.csv")
check_msg "a good applications file: 200, 3 registered, the ineligible one refused with its line" "$code $(grep -o '<li>[^<]*' "$T/body")" \
    eval '[ "$code" = 200 ] && grep -q "已导入" "$T/body" && grep -q "apps.csv: 3 registered, 1 refused as not eligible" "$T/body" &&
          grep -q "apps.csv:5: refused: $H is not eligible" "$T/body" && [ "$(sqlv "SELECT count(*) FROM application")" = 3 ]'
{ echo "id_number,batch,amount"; echo "$A,2026-03,410"; echo "$C,2026-13,410"; echo "$H,2026-03,410"; echo "$B,2026-03,abc"; } >"$T/pay-bad.csv"
code=$(req "$J_CLERK" "$S/upload/payments" -F "csrf=$CLERK_CSRF" -F "file=@$T/pay-bad.csv;filename=pay-bad.csv")
check_msg "a bad payments file: every one of its three bad rows named (not only the first), nothing paid" "$code $(grep -o '<li>[^<]*' "$T/body")" \
    eval '[ "$code" = 422 ] && grep -q "pay-bad.csv:3: batch" "$T/body" && grep -q "pay-bad.csv:4: no application of $H" "$T/body" &&
          grep -q "pay-bad.csv:5: amount" "$T/body" && [ "$(sqlv "SELECT count(*) FROM payment")" = 0 ]'
code=$(req "$J_CLERK" "$S/upload/payments" -F "csrf=$CLERK_CSRF" -F "file=@$T/pay.csv;filename=pay.csv")
check_msg "a good payments file: 2 payments recorded" "$code $(grep -o '<li>[^<]*' "$T/body")" \
    eval '[ "$code" = 200 ] && grep -q "2 payments recorded" "$T/body" && [ "$(sqlv "SELECT count(*) FROM payment")" = 2 ]'
code=$(req "$J_CLERK" "$S/upload/applications" -F "csrf=$CLERK_CSRF")
check_msg "an upload without a file: the page asks for one, nothing changes" "$code" \
    eval '[ "$code" = 422 ] && grep -q "请选择要上传的报名表文件" "$T/body"'
PLANNER_CSRF=$(csrf_of "$J_PLANNER")
{ echo "site,site_code,room,capacity"; echo "广州考点,44010,第一考场,30"; echo "广州考点,440101,第二考场,0"; } >"$T/rooms-bad.csv"
code=$(req "$J_PLANNER" "$S/upload/rooms" -F "csrf=$PLANNER_CSRF" -F "file=@$T/rooms-bad.csv;filename=rooms-bad.csv")
check_msg "a bad rooms file (planner): both rows named, no room recorded" "$code $(grep -o '<li>[^<]*' "$T/body")" \
    eval '[ "$code" = 422 ] && grep -q "rooms-bad.csv:2: site_code" "$T/body" && grep -q "rooms-bad.csv:3: capacity" "$T/body" &&
          [ "$(sqlv "SELECT count(*) FROM room")" = 0 ]'
code=$(req "$J_PLANNER" "$S/upload/rooms" -F "csrf=$PLANNER_CSRF" -F "file=@$T/rooms.csv;filename=rooms.csv")
check_msg "a good rooms file (planner): 1 room recorded" "$code" \
    eval '[ "$code" = 200 ] && grep -q "1 rooms recorded" "$T/body" && [ "$(sqlv "SELECT count(*) FROM room")" = 1 ]'

# ---- 6. the batch counts, against the commands -----------------------------------------------------------------
code=$(req "$J_PLANNER" "$S/plan" -F "csrf=$PLANNER_CSRF" -F "batch=2026-03" -F "theory=2026-03-40T09:00")
check_msg "plan through the page with a bad exam time: 422, the command's reason, nobody planned" "$code $(grep -o '<li>[^<]*' "$T/body")" \
    eval '[ "$code" = 422 ] && grep -q "YYYY-MM-DD HH:MM" "$T/body" && [ "$(sqlv "SELECT count(*) FROM application WHERE ticket IS NOT NULL")" = 0 ]'
code=$(req "$J_PLANNER" "$S/plan" -F "csrf=$PLANNER_CSRF" -F "batch=2026-03" -F "theory=2026-03-28T09:00" -F "practical=2026-03-28T14:00")
check_msg "plan through the page (planner): the 2 paid candidates get a room, seat and ticket, with the exam times" \
    "$code $(grep -o '<li>[^<]*' "$T/body")" \
    eval '[ "$code" = 200 ] && grep -q "batch 2026-03: 2 candidates given a room, seat and ticket" "$T/body" &&
          [ "$(sqlv "SELECT count(*) FROM application WHERE ticket IS NOT NULL")" = 2 ] &&
          [ "$(sqlv "SELECT starts FROM sitting WHERE batch='"'"'2026-03'"'"' AND level=4 AND kind='"'"'theory'"'"'")" = "2026-03-28 09:00" ]'
code=$(req "$J_PLANNER" "$S/doorlist?batch=2026-03")
check_msg "the door list of the batch (planner): a CSV download, one row per planned candidate, the ID number masked" \
    "$code $(cat "$T/body")" \
    eval '[ "$code" = 200 ] && grep -qi "^content-type: text/csv" "$T/head" &&
          grep -qi "^content-disposition: attachment; filename=\"door-2026-03.csv\"" "$T/head" &&
          [ "$(head -1 "$T/body")" = "site,room,seat,ticket,name,id_number,level,extra_minutes" ] && [ "$(wc -l <"$T/body")" = 3 ] &&
          grep -q "^广州考点,第一考场,1,2026034401001,陈志明,${A:0:6}\*\*\*\*\*\*\*\*${A:14:4},4,0$" "$T/body" && ! grep -q "$A" "$T/body"'
# batch_row B: the cells of batch B's row of the batches page in $T/body (numbers only)
batch_row() { tr -d '\n' <"$T/body" | grep -o "<tr><td>$1</td>.*" | sed -e 's#</tr>.*##' -e 's/<a [^>]*>[^<]*<\/a>//g' -e 's/<[^>]*>/ /g' | tr -s ' '; }
code=$(req "$J_CLERK" "$S/batches")
row=$(batch_row 2026-03)
check_msg "the batches page: 2026-03 with 3 applications, 3 eligible, 2 paid, 2 planned, 0 results, 4 missing (2 candidates × 2 papers)" \
    "code=$code row='$row'" eval '[ "$code" = 200 ] && [ "$row" = " 2026-03 3 3 2 2 0 4 0 0 0 " ]'
check_msg "the clerk sees the applications and payments forms, not the rooms form" "" \
    eval 'grep -q "action=\"/staff/upload/applications\"" "$T/body" && grep -q "action=\"/staff/upload/payments\"" "$T/body" &&
          ! grep -q "action=\"/staff/upload/rooms\"" "$T/body"'

# ---- 6b. the results page: progress, a conflict decided through its form, a flagged result ----------------------------
# The sittings are set up in hub.db directly (as if two kiosks had sent them; test_workflow.sh makes real
# ones): candidate A sat the theory paper twice (a conflict), B's theory result failed a hub check.
TA=$(sqlv "SELECT ticket FROM application WHERE id_number='$A'") TB=$(sqlv "SELECT ticket FROM application WHERE id_number='$B'")
R1=$(printf 'a%.0s' {1..32}) R2=$(printf 'b%.0s' {1..32}) R3=$(printf 'c%.0s' {1..32})
sqlv "INSERT INTO kiosk VALUES('K0000000000000001','00','广州考点','第一考场',1,0);
      INSERT INTO result(result_id,kiosk_id,session,ticket,name,level,pack_id,title,kind,status,score_tenths,passed,pending,
        submitted_at,received_at,json,sealed,scored) VALUES
      ('$R1','K0000000000000001','s1','$TA','陈志明',4,'p1','理论','theory','submitted',800,1,0,1000,1000,'{}',x'00',1),
      ('$R2','K0000000000000001','s2','$TA','陈志明',4,'p1','理论','theory','submitted',600,1,0,2000,2000,'{}',x'00',1),
      ('$R3','K0000000000000001','s3','$TB','林美玲<b>',4,'p1','理论','theory','submitted',900,1,0,1500,1500,'{}',x'00',1);
      INSERT INTO result_flag VALUES('$R3','score differs from the hub''s rescoring',1600);"
code=$(req "$J_ADMIN" "$S/results?batch=2026-03")
check_msg "the results page: progress per paper and room, A's two sittings as an open conflict, B's flagged result with its reason" \
    "$code $(sed 's/<[^>]*>/ /g' "$T/body" | tr -s ' ' | tail -c 1500)" \
    eval '[ "$code" = 200 ] && grep -q "<h2>进度</h2>" "$T/body" && grep -q "待裁决" "$T/body" && grep -q "$R1" "$T/body" &&
          grep -q "$R2" "$T/body" && grep -q "score differs from the hub&#39;s rescoring\|score differs from the hub'"'"'s rescoring" "$T/body" &&
          grep -q "林美玲&lt;b&gt;" "$T/body" && ! grep -q "林美玲<b>" "$T/body"'
check_msg "... and the room record of the batch (examhub incidents): the set-up records, which are no real result JSON, each listed as unreadable" \
    "$(grep -c '记录无法读取' "$T/body")" \
    eval 'grep -q "<h2>考场记录" "$T/body" && [ "$(grep -o "记录无法读取" "$T/body" | wc -l)" = 3 ]'
# final_row TICKET: the cells of TICKET's row of the final results in $T/body
final_row() { tr -d '\n' <"$T/body" | grep -o "<tr><td>$1</td>.*" | sed -e 's#</tr>.*##' -e 's/<[^>]*>/ /g' | tr -s ' '; }
row=$(final_row "$TA")
check_msg "... and the final results: A's theory is a conflict awaiting a decision" "row='$row'" \
    eval '[ "$row" = " $TA 陈志明 4 — — 冲突待裁决 " ]'
ADMIN_CSRF=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$T/body" | head -1)
code=$(req "$J_ADMIN" "$S/decide" -d "csrf=$CLERK_CSRF" -d "result=$R2" -d "decision=keep" -d "why=x" -d "batch=2026-03")
check_msg "decide with another session's CSRF token: 403, no decision" "$code" \
    eval '[ "$code" = 403 ] && [ "$(sqlv "SELECT count(*) FROM result_decision")" = 0 ]'
code=$(req "$J_ADMIN" "$S/decide" -d "csrf=$ADMIN_CSRF" -d "result=$R2" -d "decision=keep" -d "why=" -d "batch=2026-03")
check_msg "decide without a reason: 422, the page asks for one, no decision" "$code" \
    eval '[ "$code" = 422 ] && grep -q "请填写理由" "$T/body" && [ "$(sqlv "SELECT count(*) FROM result_decision")" = 0 ]'
code=$(req "$J_ADMIN" "$S/decide" -d "csrf=$ADMIN_CSRF" -d "result=$R2" -d "decision=keep" --data-urlencode "why=第一次作答因断电中止" -d "batch=2026-03")
check_msg "decide keep with a reason: journaled by admin1, the conflict resolved, A's second sitting counts" \
    "$code $(sqlv 'SELECT * FROM result_decision')" \
    eval '[ "$code" = 200 ] && grep -q "已裁决" "$T/body" &&
          [ "$(sqlv "SELECT result_id||\"|\"||decision||\"|\"||by||\"|\"||why FROM result_decision")" = "$R2|keep|admin1|第一次作答因断电中止" ] &&
          "$WH" conflicts --db "$DB" --batch 2026-03 2>/dev/null | grep -q "^0 conflicts open, 1 resolved"'
row=$(final_row "$TA")
check_msg "... and the final results change: A's theory 60 (the kept sitting), the practical still missing" "row='$row'" \
    eval '[ "$row" = " $TA 陈志明 4 60 — 缺成绩 " ]'
code=$(req "$J_ADMIN" "$S/batches")
row=$(batch_row 2026-03)
check_msg "the batches page now: 3 results, 3 papers missing (B's flagged result counts for nothing), no conflict, 1 flagged" \
    "row='$row'" eval '[ "$row" = " 2026-03 3 3 2 2 3 3 0 1 0 " ]'

# ---- 7. the audit log ----------------------------------------------------------------------------------------------
audit() { sqlv "SELECT user || '|' || action || '|' || detail FROM staff_audit ORDER BY id"; }
check_msg "the audit log: log-ins, the failed ones, every upload (taken or refused) with the user" "$(audit)" \
    eval 'audit | grep -q "^clerk1|login|clerk$" && audit | grep -q "^clerk1|login-failed|wrong password$" &&
          audit | grep -q "^nosuchuser|login-failed|unknown user$" &&
          audit | grep -q "^clerk1|upload-applications|refused: apps-bad.csv: nothing registered$" &&
          audit | grep -q "^clerk1|upload-applications|apps.csv: 3 registered, 1 refused as not eligible, 0 already registered$" &&
          audit | grep -q "^clerk1|upload-payments|pay.csv: 2 payments recorded$" &&
          audit | grep -q "^planner1|upload-rooms|rooms.csv: 1 rooms recorded$" &&
          audit | grep -q "^planner1|plan|batch 2026-03: refused: examhub: --theory" &&
          audit | grep -q "^planner1|plan|batch 2026-03: 2 candidates given a room, seat and ticket$" &&
          audit | grep -q "^planner1|download-doorlist|batch 2026-03$" && audit | grep -q "^(command line: .*)|user-add|admin1 (admin)$" &&
          audit | grep -q "^admin1|decide|result $R2 (ticket $TA theory): keep: 第一次作答因断电中止$"'
code=$(req "$J_ADMIN" "$S/audit")
check_msg "the admin's audit page lists them (escaped)" "$code" \
    eval '[ "$code" = 200 ] && grep -q "upload-payments" "$T/body" && grep -q "login-failed" "$T/body"'
check_msg "the audit log is a journal: SQL cannot change or delete a row" "" \
    eval '! sqlv "DELETE FROM staff_audit" 2>/dev/null && ! sqlv "UPDATE staff_audit SET user='"'"'x'"'"'" 2>/dev/null &&
          [ "$(sqlv "SELECT count(*) FROM staff_audit WHERE user='"'"'x'"'"'")" = 0 ]'

code=$(req "$J_ADMIN" "$S/users")
check_msg "the admin's users page lists the four accounts with their roles" "$code" \
    eval '[ "$code" = 200 ] && grep -q "<td>clerk1</td><td>报名登记员（clerk）</td><td>正常</td>" "$T/body" && [ "$(grep -o "<tr><td>" "$T/body" | wc -l)" = 4 ]'
head -c $((5 << 20)) /dev/zero | tr '\0' 'x' >"$T/big.csv"
code=$(req "$J_CLERK" "$S/upload/applications" -F "csrf=$CLERK_CSRF" -F "file=@$T/big.csv;filename=big.csv")
check_msg "an upload over 4 MiB: 413 with a page saying so (the body never read), nothing registered" "$code" \
    eval '[ "$code" = 413 ] && grep -q "内容过大" "$T/body" && [ "$(sqlv "SELECT count(*) FROM application")" = 3 ]'

# ---- 8. lock-out of one name ---------------------------------------------------------------------------------------
codes=""
for i in 1 2 3 4 5; do codes="$codes $(login "$J_X" marker1 "wrong-$i")"; done
code=$(login "$J_X" marker1 "$PW_MARKER")
check_msg "5 wrong passwords lock the name: the right one is then refused (429, 锁定)" "codes:$codes then $code" \
    eval '[ "$codes" = " 401 401 401 401 401" ] && [ "$code" = 429 ] && grep -q "锁定" "$T/body" && [ "$(audit | grep -c "^marker1|login-locked")" -ge 1 ]'
check_msg "... while the other names still sign in" "" eval '[ "$(login "$T/c2.jar" clerk1 "$PW_CLERK")" = 303 ]'
"$WH" user enable marker1 --db "$DB" >/dev/null
check_msg "examhub user enable lifts the lock-out" "" eval '[ "$(login "$J_MARKER" marker1 "$PW_MARKER")" = 303 ]'

# ---- 9. log-out, disabled users --------------------------------------------------------------------------------------
code=$(req "$T/c2.jar" "$S/logout" -d "csrf=$(csrf_of "$T/c2.jar")")
check_msg "log-out: 303 to the log-in page; the session is gone" "$code" \
    eval '[ "$code" = 303 ] && grep -qi "^location: /staff/login" "$T/head" && [ "$(req "$T/c2.jar" "$S/")" = 303 ]'
"$WH" user disable planner1 --db "$DB" >/dev/null
check_msg "examhub user disable ends the user's sessions and log-ins" "" \
    eval '[ "$(req "$J_PLANNER" "$S/batches")" = 303 ] && [ "$(login "$J_X" planner1 "$PW_PLANNER")" = 401 ]'

# ---- 10. session expiry ------------------------------------------------------------------------------------------------
req "$J_CLERK" "$S/" >/dev/null # used just now
hub_stop
HUB_SERVE_ARGS="--staff-idle 4"
check_msg "examhub serve --staff-idle 4" "$(tail -3 "$T/hub.log")" hub_start "$DB"
S="$HUB_URL/staff"
code=$(req "$J_CLERK" "$S/")
check_msg "a session outlives a restart of the hub" "$code" eval '[ "$code" = 200 ]'
sleep 5
code=$(req "$J_CLERK" "$S/")
check_msg "a session unused for longer than --staff-idle has ended: to the log-in page" "$code" \
    eval '[ "$code" = 303 ] && grep -qi "^location: /staff/login" "$T/head"'
code=$(login "$T/a2.jar" admin1 "$PW_ADMIN")
check_msg "a log-in forgets the sessions that have ended (none older than --staff-idle left in hub.db)" \
    "$code $(sqlv 'SELECT user, created, seen FROM staff_session')" \
    eval '[ "$code" = 303 ] && [ "$(sqlv "SELECT count(*) FROM staff_session WHERE seen < strftime('"'"'%s'"'"','"'"'now'"'"') - 4")" = 0 ] &&
          [ "$(sqlv "SELECT count(*) FROM staff_session")" -ge 1 ]'
HUB_SERVE_ARGS=""

# ---- 11. the browser ---------------------------------------------------------------------------------------------------
if command -v chromedriver >/dev/null 2>&1 && /usr/bin/python3 -c 'import selenium' 2>/dev/null; then
    A2=$(gbid 44010619800707007) B2=$(gbid 44010619850909009)
    {
        echo "$HDR"
        echo "$A2,刘建华,4,3,none,no,,,,,2026-04-03,广州市海珠区新港西路135号,13800000007"
        echo "$B2,周敏,4,1,none,no,,,,,2026-04-10,中山市石岐区孙文路5号,13800000009"
    } >"$T/apps-april.csv"
    { echo "$HDR"; echo "$A2,刘建华,4,3,none,no,,,,,2026-04-31,广州市海珠区新港西路135号,13800000007"; } >"$T/apps-april-bad.csv"
    if timeout 120 /usr/bin/python3 "$(dirname "${BASH_SOURCE[0]}")/staff_browser.py" "$S" clerk1 "$PW_CLERK" \
        "$T/apps-april-bad.csv" "$T/apps-april.csv" "$SHOTDIR" admin1 "$PW_ADMIN" 2026-03 marker1 "$PW_MARKER" >"$T/browser.out" 2>&1; then
        pass "Chromium: clerk1 signs in, a bad upload lists its error, a good one is taken, 2026-04 shows 2 applications; admin1's pages; marker1 refused the batches page"
    else
        fail "Chromium: the clerk's log-in, uploads and batch counts" "$(tail -5 "$T/browser.out")"
    fi
else
    fail "test_staff needs chromium-driver and python3-selenium (make deps)"
fi

# ---- 12. the lock-out of every log-in (last: it locks everyone for minutes) ---------------------------------------------
codes=""
for i in $(seq 1 22); do codes="$codes $(login "$J_X" "someone$i" "guess-$i")"; done
code=$(login "$J_X" admin1 "$PW_ADMIN")
check_msg "20 failed log-ins of any names lock every log-in, even with the right password" "codes:$codes then $code" \
    eval '[ "$code" = 429 ] && echo "$codes" | grep -q " 429"'

fi
