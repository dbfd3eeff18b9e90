#!/usr/bin/env bash
# make bench: prints the performance figures (README "Measured performance"), with targets.
#   run.sh BENCH_PACK [BENCH_STORE]
set -eu
BENCH=$1
STORE=${2:-}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
EP="$ROOT/bin/exampack"
KIOSK="$ROOT/bin/kiosk"
SYNC="$ROOT/bin/examsync"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
echo "== exam pack benchmarks ($(nproc) cores, $(date -u +%Y-%m-%d))"
"$EP" keygen --out "$T" >/dev/null
"$BENCH" gen "$T" 10000
echo "bank                  10000 questions, $(stat -c %s "$T/bank.csv") bytes of CSV"
best=""
for i in 1 2 3; do
    s=$(date +%s%N)
    "$EP" build --bank "$T/bank.csv" --blueprint "$T/bp.ini" --key "$T/authority.key" --out "$T/big.pack" >"$T/build.out"
    ms=$(( ($(date +%s%N) - s) / 1000000 ))
    if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
    all="${all:-}${all:+, }$ms"
done
verdict=MISSED; [ "$best" -le 2000 ] && verdict=OK
echo "build 10000-question pack (whole exampack run, default KDF)   best ${best} ms of 3 (${all})   [target <= 2000 ms] $verdict"
"$BENCH" open "$T/big.pack" "$T/authority.pub" "$(tail -1 "$T/build.out")" 21
# the invigilator PIN check (issue 10): the shipped Argon2id cost, and what it means for a brute force
"$BENCH" pin 11

# ---- rosters: building (one Argon2id per candidate) and the login's cost ------------
echo "== rosters (default KDF: names sealed under Argon2id of ticket + ID number)"
for n in 40 999; do # a roster is one room: at most 999 seats
    "$BENCH" rostercsv "$T/r$n.csv" "$n"
    s=$(date +%s%N)
    "$EP" roster --csv "$T/r$n.csv" --key "$T/authority.key" --out "$T/r$n.roster" >/dev/null
    ms=$(( ($(date +%s%N) - s) / 1000000 ))
    echo "exampack roster, $n candidates (whole run, $(nproc) cores)   $ms ms = $(( ms / n )) ms a candidate"
done
"$BENCH" login "$T/r40.roster" "$T/authority.pub" "$T/r40.csv" 40

# ---- answer commit ------------------------------------------------------------------
if [ -n "$STORE" ]; then
    echo "== answer commit (store_save_answer vs a bare SQLite upsert, same directory, same run)"
    "$STORE" "$T" 2000
fi

# ---- kiosk: redraw, idle CPU, memory --------------------------------------------------
# A provisioned kiosk with a 10,000-question pack (the KDF floor kiosks accept,
# 2 passes and 64 MiB: the unlock cost
# is not measured here) and the sample level-4 roster; a scripted sitting
# logs in, visits every question once (so the cache of rendered lines is at
# its steady-state size, as after a candidate's first pass), stops on the
# question with the longest stem, then:
#   bench_redraw 200   one warm-up frame, then 200 timed full redraws
#   realtime 60000     the real event loop on the real clock for 60 s
# The kiosk runs under Xvfb when xvfb-run is installed: SDL's x11 driver
# blocks in its event wait, as on a kiosk's X session. Without it SDL's
# offscreen driver is used, whose event wait polls every millisecond (an SDL
# fallback), which inflates the idle CPU figure: the line says which.
echo "== kiosk (scripted sitting at 1920x1080, software renderer, CJK font, 10000-question pack)"
"$EP" build --bank "$T/bank.csv" --blueprint "$T/bp.ini" --key "$T/authority.key" --out "$T/kiosk.pack" \
    --kdf-ops 2 --kdf-mem 64 >"$T/kbuild.out"
KCODE=$(tail -1 "$T/kbuild.out")
ROSTER_CSV="$ROOT/exam-packs/samples/roster-4.csv"
"$EP" roster --csv "$ROSTER_CSV" --key "$T/authority.key" --out "$T/room.roster" --site 基准测试考点 >/dev/null
"$SYNC" init --data "$T/kdata" --pub "$T/authority.pub" --site 基准测试考点 --room 01 --seat 1 >/dev/null
"$SYNC" add --data "$T/kdata" "$T/kiosk.pack" "$T/room.roster" >/dev/null
SEED=$(printf '%063d7' 0)
"$EP" paper --pub "$T/authority.pub" "$T/kiosk.pack" --release-code "$KCODE" --seed "$SEED" >"$T/paper.tsv"
NQ=$(grep -vc '^#' "$T/paper.tsv")
# the item whose stem (bank.csv column 4) is longest
read -r TARGET STEMLEN < <(LC_ALL=C awk -F'\t' 'NR == FNR { if (FNR > 1) { split($0, c, ","); len[c[1]] = length(c[4]) } next }
    !/^#/ && len[$2] > best { best = len[$2]; item = $1 } END { print item, best }' "$T/bank.csv" "$T/paper.tsv")
ROW=$(sed -n 2p "$ROSTER_CSV")
PIN=918273645
{
    echo "text $KCODE"; echo "key Return"
    echo "text $PIN"; echo "key Return"; echo "text $PIN"; echo "key Return"
    echo "expect 考生登录"
    echo "text $(echo "$ROW" | cut -d, -f1)"; echo "key Tab"; echo "text $(echo "$ROW" | cut -d, -f3)"; echo "key Return"
    echo "expect 核对考生信息"; echo "key Return"
    echo "expect 考生须知"; echo "key Return"
    echo "expect 剩余时间 01:30:00"
    # answer the first three items, then page to the last and back to the target
    grep -v '^#' "$T/paper.tsv" | head -3 | while IFS=$'\t' read -r n id type pts ans; do
        echo "expect 第 $n 题"
        case "$type" in
        judge|single|multi) for ((k = 0; k < ${#ans}; k++)); do echo "key $(echo "${ans:k:1}" | tr 'A-Z' 'a-z')"; done ;;
        *) echo "text ${ans%%|*}" ;;
        esac
        echo "key PageDown"
    done
    # (scripted mode draws a frame only when asked: `expect` draws one)
    for ((i = 4; i < NQ; i++)); do echo "expect 第 $i 题"; echo "key PageDown"; done
    echo "expect 第 $NQ 题"
    for ((i = NQ; i > TARGET; i--)); do echo "key PageUp"; echo "expect 第 $((i - 1)) 题"; done
    echo "expect 第 $TARGET 题"
    echo "expect 已答 3/$NQ"
    echo "bench_redraw 200"
    echo "realtime 60000"
    echo "expect 剩余时间 01:29:00" # the timer went on from the virtual clock, without a jump
} >"$T/sitting.txt"
if command -v xvfb-run >/dev/null 2>&1; then
    DRIVER="x11 on Xvfb"
    RUN=(xvfb-run -a -s "-screen 0 1920x1080x24")
else
    DRIVER="SDL offscreen driver: its event wait polls every 1 ms, install xvfb for the x11 figure"
    RUN=(env -u DISPLAY -u WAYLAND_DISPLAY SDL_VIDEODRIVER=offscreen)
fi
if ! KIOSK_SEED=$SEED "${RUN[@]}" "$KIOSK" --data "$T/kdata" --script "$T/sitting.txt" --size 1920x1080 \
    >"$T/kiosk.out" 2>"$T/kiosk.err"; then
    echo "kiosk scripted sitting failed:"; cat "$T/kiosk.out" "$T/kiosk.err"; exit 1
fi
# NAME=VALUE fields of the lines printed by bench_redraw and realtime
field() { sed -n "s/^\(.* \)\{0,1\}$1=\([0-9.]*\).*/\2/p" "$T/kiosk.out" | grep -m1 . || { echo "no $1= in the kiosk's output" >&2; exit 1; }; }
R50=$(field p50); R99=$(field p99); RMAX=$(field max)
CPU=$(field cpu_ms); RSS=$(field rss_kb); PEAK=$(field peak_kb)
echo "question screen        item $TARGET of $NQ (longest stem of the paper, $STEMLEN bytes), 3 answered, every question visited once"
awk -v p50="$R50" -v p99="$R99" -v mx="$RMAX" 'BEGIN {
    printf "redraw 1920x1080 (software renderer, warm cache)   p50 %.2f ms  p99 %.2f ms  max %.2f ms (200 frames)   [target <= 8 ms] %s\n",
        p50, p99, mx, p99 <= 8 ? "OK" : "MISSED" }'
awk -v c="$CPU" -v d="$DRIVER" 'BEGIN {
    printf "idle on the question screen, timer running, 60 s   %d ms CPU = %.2f%% of one core (%s)   [target <= 1%%] %s\n",
        c, c / 600, d, c / 600 <= 1 ? "OK" : "MISSED" }'
awk -v r="$RSS" -v p="$PEAK" 'BEGIN { m = (r > p ? r : p) / 1024
    printf "kiosk RSS, CJK font + 10000-question pack   %.1f MB (VmRSS after the idle minute; peak %.1f MB)   [target <= 150 MB, on the larger] %s\n",
        r / 1024, p / 1024, m <= 150 ? "OK" : "MISSED" }'
echo "for comparison (reference figure from the issue, not measured): a Chromium kiosk showing the exam page takes about 400 MB"
