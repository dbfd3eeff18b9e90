# End-to-end: PNG images in stems ([图:name.png]) travel in the pack and are
# drawn by the kiosk; missing, non-PNG and malformed references are refused.
T=$(new_tmp)
. "$(dirname "${BASH_SOURCE[0]}")/kiosk_lib.sh"
need python3 # draws the test image
mkdir -p "$T/auth" "$T/bank/images"
"$EP" keygen --out "$T/auth" >/dev/null
# a bar chart: seven days of visitors, Wednesday the highest
python3 - "$T/bank/images/week.png" <<'PY'
import struct, sys, zlib
W, H = 420, 220
bars = [60, 90, 170, 120, 80, 110, 70]
px = [[(255, 255, 255)] * W for _ in range(H)]
for i, h in enumerate(bars):
    x0 = 20 + i * 56
    for y in range(H - 10 - h, H - 10):
        for x in range(x0, x0 + 40):
            px[y][x] = (22, 93, 180) if i != 2 else (220, 90, 30)
for x in range(10, W - 10):
    px[H - 10][x] = (0, 0, 0)
raw = b"".join(b"\x00" + bytes(c for p in row for c in p) for row in px)
def chunk(t, d): return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", W, H, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
open(sys.argv[1], "wb").write(png)
PY
cat >"$T/bank/bank.csv" <<'CSV'
id,type,stem,A,B,C,D,answer
IMG1,single,"下图为某网店一周七天（周一至周日，从左到右）的访客数柱状图：
[图:week.png]
访客数最多的是哪一天？",周一,周三,周五,周日,B
J1,judge,网店的转化率等于成交人数除以访客数。,,,,,T
CSV
printf '[exam]\ntitle = 图片题测试\nlevel = 4\nkind = theory\nduration = 30\nshuffle_options = no\n[draw]\nrule = type=single count=1 points=50\nrule = type=judge count=1 points=50\n' >"$T/bp.ini"
run "$EP" build --bank "$T/bank/bank.csv" --blueprint "$T/bp.ini" --key "$T/auth/authority.key" --out "$T/img.pack" --kdf-ops 2 --kdf-mem 64
CODE=$(tail -1 "$T/out")
check "a stem image is read from images/ beside the bank and packed" bash -c "[ $RC -eq 0 ] && ! grep -qa 'IHDR' '$T/img.pack'"
"$EP" roster --csv "$SAMPLES/roster-4.csv" --key "$T/auth/authority.key" --out "$T/room.roster" $ROSTER_OPTS >/dev/null
new_kiosk "$T/k" "$T/auth" "$T/img.pack" "$T/room.roster"
{
    script_login "$CODE" 1
    echo "expect 访客数最多的是哪一天"; echo "shot kiosk-image-question"
    echo "key b"; echo "expect 已保存"; echo "expect 下面还有内容"
    echo "key Down"; echo "key Down"; echo "key Down"; echo "shot kiosk-image-scrolled"
} >"$T/s.txt"
"$KIOSK" --data "$T/k" --script "$T/s.txt" --shots "${KIOSK_SHOTS:-$T/shots}" >"$T/kout" 2>"$T/kerr"
RC=$?
check "the kiosk shows the image question; a question taller than the screen scrolls with ↓" \
    bash -c "[ $RC -eq 0 ] && [ -s '${KIOSK_SHOTS:-$T/shots}/kiosk-image-question.png' ] || { cat '$T/kerr'; false; }"
# refusals, each naming the bank line
rm "$T/bank/images/week.png"
run "$EP" build --bank "$T/bank/bank.csv" --blueprint "$T/bp.ini" --key "$T/auth/authority.key" --out "$T/x.pack" --kdf-ops 2 --kdf-mem 64
check "a missing image: bank.csv:2, no pack" bash -c "[ $RC -ne 0 ] && grep -q 'bank.csv:2: question IMG1: image .*week.png' '$T/err' && [ ! -e '$T/x.pack' ]"
echo "not a png" >"$T/bank/images/week.png"
run "$EP" build --bank "$T/bank/bank.csv" --blueprint "$T/bp.ini" --key "$T/auth/authority.key" --out "$T/x.pack" --kdf-ops 2 --kdf-mem 64
check "a file that is not a PNG is refused" bash -c "[ $RC -ne 0 ] && grep -q 'is not a PNG file' '$T/err' && [ ! -e '$T/x.pack' ]"
sed -i 's/\[图:week.png\]/[图:..\/secret.png]/' "$T/bank/bank.csv"
run "$EP" build --bank "$T/bank/bank.csv" --blueprint "$T/bp.ini" --key "$T/auth/authority.key" --out "$T/x.pack" --kdf-ops 2 --kdf-mem 64
check "an image name with a path is refused at its line" bash -c "[ $RC -ne 0 ] && grep -q 'bank.csv:2: question IMG1: an image line must be' '$T/err'"
rm -rf "$T"
