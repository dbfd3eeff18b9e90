# End-to-end (scripted mode, the real kiosk binary): what issue 8 fixed in
# typing and navigation. ASCII-only fields for codes, PINs, tickets and ID
# numbers; an IME composition never outlives the question or blank it was
# typed in; Escape on the instructions explains instead of logging out; the
# confirmation screen's Escape says why the login is back; force hand-in
# asks first. (The same on a real X display with fcitx5: test_display.sh.)
T=$(new_tmp)
. "$(dirname "${BASH_SOURCE[0]}")/kiosk_lib.sh"
kiosk_setup "$T"
AUTH="$T/auth"
SHOTS="${KIOSK_SHOTS:-$T/shots}"
mkdir -p "$SHOTS"
ok_run() { [ "$RC" -eq 0 ] || { cat "$T/kerr" >&2; false; }; }
keys() { # keys STRING: one `key` line per character (what a real keyboard sends with text input off)
    local s=$1 k
    for ((k = 0; k < ${#s}; k++)); do echo "key ${s:k:1}"; done
}
row=$(sed -n 2p "$SAMPLES/roster-4.csv"); TICKET=$(echo "$row" | cut -d, -f1); IDN=$(echo "$row" | cut -d, -f3)

# ---- ASCII-only fields: no IME text, keys type letters and digits ------------------
D="$T/a"; new_kiosk "$D" "$AUTH" "$T/practical.pack" "$T/room.roster"
lower=$(echo "$PRACTICAL_CODE" | tr 'A-Z' 'a-z')
{
    echo "compose kai"; echo "absent kai"            # an IME composition is not shown in the code field
    echo "text 开考码"; echo "text ＡＢ"              # committed IME text (Chinese, full-width) is refused
    keys "$lower"; echo "key Return"                 # typed key by key, lower case, with hyphens
    echo "expect 试卷已解锁"
    echo "compose 九"; echo "absent 九"
    keys "$PIN"; echo "key Return"; keys "$PIN"; echo "key Return"
    echo "expect 考生登录"
    echo "text 准考证"; keys "$TICKET"; echo "key Tab"; echo "compose shenfen"; echo "absent shenfen"; keys "$IDN"
    echo "shot input-01-login-typed"; echo "key Return"
    echo "expect 核对考生信息"
} >"$T/s.txt"
run_kiosk "$D" "$T/s.txt"
check "code, PIN, ticket and ID fields take keys only: no IME composition, no Chinese or full-width text" ok_run

# ---- Escape on the confirmation and instructions screens ----------------------------
{
    echo "text $PRACTICAL_CODE"; echo "key Return"; echo "text $PIN"; echo "key Return"; echo "text $PIN"; echo "key Return"
    echo "text $TICKET"; echo "key Tab"; echo "text $IDN"; echo "key Return"
    echo "expect 核对考生信息"; echo "key Escape"
    echo "expect 考生登录"; echo "expect 已返回登录：信息有误或不是本人"
    echo "text $TICKET"; echo "key Tab"; echo "text $IDN"; echo "key Return"; echo "key Return"
    echo "expect 考生须知"; echo "key Escape"
    echo "expect 考生须知"; echo "expect 阅读完毕后按回车键开始考试"; echo "shot input-02-instructions-escape"
    echo "key Return"; echo "expect 剩余时间"
} >"$T/s.txt"
D="$T/b"; new_kiosk "$D" "$AUTH" "$T/practical.pack" "$T/room.roster"
run_kiosk "$D" "$T/s.txt"
check "Escape on confirmation says why the login is back; Escape on the instructions stays and explains" ok_run

# ---- compositions do not outlive their question or blank ------------------------------
"$EP" paper --pub "$AUTH/authority.pub" "$T/practical.pack" --release-code "$PRACTICAL_CODE" --seed "$SEED0" >"$T/paper.tsv"
fill=$(awk -F'\t' '!/^#/ && $3 == "fill" { print $1; exit }' "$T/paper.tsv")
essay=$(awk -F'\t' '!/^#/ && $3 == "essay" { print $1; exit }' "$T/paper.tsv")
long=""
for i in $(seq 1 30); do long="${long}第${i}句：客服应先安抚买家情绪，说明缺货原因和预计到货时间，"; done
{
    script_login "$PRACTICAL_CODE" 1
    for ((i = 1; i < fill; i++)); do echo "key PageDown"; done
    echo "compose taobao"; echo "expect taobao"; echo "shot input-03-composing"
    echo "key PageDown"; echo "absent taobao"        # left with the question, not carried into the next
    echo "key PageUp"; echo "absent taobao"          # nor kept for when the candidate comes back
    echo "compose dian"; echo "key Tab"; echo "absent dian"   # nor carried into the next blank
    echo "text 店铺"; echo "expect 已保存"
    for ((i = fill; i < essay; i++)); do echo "key PageDown"; done
    echo "text 开头。"; echo "key Return"; echo "text ${long}结尾标记"; echo "compose jieshu"
    echo "expect 结尾标记"; echo "shot input-04-essay-long"
    script_panel; echo "key 3"
    echo "expect 确认强制收卷"; echo "key x"; echo "expect 已取消强制收卷"
    echo "key 3"; echo "key Return"; echo "expect 监考员已为您收卷"
} >"$T/s.txt"
D="$T/c"; new_kiosk "$D" "$AUTH" "$T/practical.pack" "$T/room.roster"
KIOSK_SEED=$SEED0 run_kiosk "$D" "$T/s.txt"
check "a composition is dropped on PageDown, PageUp and Tab; force hand-in asks, cancels on another key" ok_run
# the saved answers, unsealed with the release code (kiosk.db holds them sealed)
"$SYNC" show --data "$D" --release-code "$PRACTICAL_CODE" --answers >"$T/answers.txt"
saved_answer() { awk -F'\t' -v want="    item $1" '$1 == want { sub(/^flagged [01]$/, "", $2); print $3 }' "$T/answers.txt"; }
resp_fill=$(saved_answer "$fill")
resp_next=$(saved_answer "$((fill + 1))" | grep -c taobao)
check "the fill answer holds only what was committed (店铺), nothing of a composition here or in the next question" \
    bash -c "printf '%s' '$resp_fill' | grep -q '店铺' && ! printf '%s' '$resp_fill' | grep -q 'dian\|taobao' && [ '$resp_next' = 0 ]"
resp_essay=$(saved_answer "$essay")
check "a long essay is saved whole (line break and all ${#long} characters)" \
    bash -c "[ '$resp_essay' = '开头。\\n${long}结尾标记' ]"
[ -n "${KIOSK_SHOTS:-}" ] || cp "$SHOTS"/input-*.png "$ROOT/build/" 2>/dev/null || true

# ---- a one-line field longer than its box scrolls inside it, never past it -------------
{
    script_login "$PRACTICAL_CODE" 1
    for ((i = 1; i < fill; i++)); do echo "key PageDown"; done
    echo "text 这是一个很长很长的填空答案，用来检查单行输入框在文字超出宽度时会不会画到框外面去，以及光标是否仍然在最后一个字的后面显示"
    echo "compose pinyin"; echo "shot input-05-fill-long"
} >"$T/s.txt"
D="$T/d"; new_kiosk "$D" "$AUTH" "$T/practical.pack" "$T/room.roster"
KIOSK_SEED=$SEED0 run_kiosk "$D" "$T/s.txt"
# the strip between the question area and the answer card (x 905..925) stays background at the field's height
need convert # (imagemagick)
px() { convert "$SHOTS/input-05-fill-long.png" -crop "1x1+$1+$2" -depth 8 txt:- | tail -1 | grep -o '#[0-9A-F]\{6\}'; }
bg=$(px 915 500)
strip=$( { for x in 904 908 912 916 920 924; do px "$x" 255; done
            for x in 200 300 400 500 600 700 800; do px "$x" 286; done; } | sort -u)
check "a long fill answer scrolls inside its box: nothing drawn past its right or bottom edge (input-05)" \
    bash -c "[ $RC -eq 0 ] && [ '$strip' = '$bg' ]"
cp "$SHOTS"/input-05-*.png "$ROOT/build/" 2>/dev/null || true
