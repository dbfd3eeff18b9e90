#!/bin/bash
# kiosk-session.sh: the whole graphical session of an exam lab PC, run by
# exam-kiosk.service as the unprivileged user `exam`:
#
#   X server (no window manager) -> D-Bus session bus -> fcitx5 (pinyin) -> kiosk
#
# The kiosk is the session: when it exits (crash, or 退出 from the
# invigilator panel) everything else is stopped and the script exits with
# the kiosk's status; systemd (Restart=always) starts a fresh session, and
# the kiosk shows 恢复考试 if a sitting was open. SIGTERM (systemctl stop)
# is passed to the kiosk, which stops in an orderly, resumable way, then
# fcitx5, D-Bus and X are stopped, in that order.
#
# Settings (environment; the defaults are the lab PC's):
#   KIOSK_DATA        kiosk data directory             /var/lib/exam-kiosk
#   KIOSK_BIN         the kiosk program                /usr/local/bin/kiosk
#   KIOSK_DISPLAY     X display; empty: the X server picks a free one   :0
#   KIOSK_XSERVER     X server program                 Xorg
#   KIOSK_XARGS       its arguments after the display
#                     "vt7 -keeptty -novtswitch -nolisten tcp -noreset -s 0 -dpms"
#                     (for a test on Xvfb: KIOSK_XSERVER=Xvfb
#                      KIOSK_XARGS="-screen 0 1366x768x24 -nolisten tcp")
#   KIOSK_FCITX5_CONF fcitx5 configuration to use      fcitx5/ beside this script,
#                                                      else /usr/local/share/exam-kiosk/fcitx5
#   KIOSK_ARGS        extra kiosk arguments            (none)
#   KIOSK_STOP_TIMEOUT seconds the kiosk gets to stop after SIGTERM before
#                     it is killed (its answers are on disk anyway)        5
set -u
KIOSK_DATA=${KIOSK_DATA:-/var/lib/exam-kiosk}
KIOSK_BIN=${KIOSK_BIN:-/usr/local/bin/kiosk}
KIOSK_DISPLAY=${KIOSK_DISPLAY-:0}
KIOSK_XSERVER=${KIOSK_XSERVER:-Xorg}
KIOSK_XARGS=${KIOSK_XARGS-vt7 -keeptty -novtswitch -nolisten tcp -noreset -s 0 -dpms}
KIOSK_ARGS=${KIOSK_ARGS:-}
KIOSK_STOP_TIMEOUT=${KIOSK_STOP_TIMEOUT:-5}
here=$(cd "$(dirname "$0")" && pwd)
if [ -z "${KIOSK_FCITX5_CONF:-}" ]; then
    KIOSK_FCITX5_CONF=/usr/local/share/exam-kiosk/fcitx5
    [ -f "$here/fcitx5/profile" ] && KIOSK_FCITX5_CONF="$here/fcitx5"
fi

log() { echo "kiosk-session: $*" >&2; }
die() { log "$*"; cleanup; exit 1; }
# wait_ready FILE PID TENTHS WHAT: until the program PID has written FILE
# (it is then ready), or it exits, or TENTHS tenths of a second have passed
wait_ready() {
    for _ in $(seq 1 "$3"); do
        [ -s "$1" ] && return 0
        kill -0 "$2" 2>/dev/null || die "$4 exited at start"
        sleep 0.1
    done
    die "$4 did not get ready within $(($3 / 10)) s"
}

x_pid="" bus_pid="" im_pid="" kiosk_pid="" run=""
cleanup() {
    local p
    for p in "$im_pid" "$bus_pid" "$x_pid"; do # newest first; the kiosk is already gone
        [ -n "$p" ] || continue
        kill "$p" 2>/dev/null || continue
        for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    im_pid="" bus_pid="" x_pid=""
    [ -n "$run" ] && rm -rf "$run"
    [ -n "${envfile:-}" ] && rm -f "$envfile"
    run=""
}

for t in "$KIOSK_XSERVER" xauth mcookie dbus-daemon "$KIOSK_BIN"; do
    command -v "$t" >/dev/null 2>&1 || die "$t is not installed (see tools/labpc/README.md)"
done
[ -f "$KIOSK_DATA/kiosk.db" ] || log "warning: $KIOSK_DATA has no kiosk.db yet (examsync init); the kiosk will say so"

# everything of this session lives in a fresh private directory, removed at
# the end: the X cookie, fcitx5's configuration and its pinyin memory (what
# one candidate typed never ranks candidates for the next session)
base=${XDG_RUNTIME_DIR:-/tmp}
run=$(mktemp -d "$base/exam-kiosk-session.XXXXXX") || die "cannot make a session directory in $base"
chmod 700 "$run"
export XDG_CONFIG_HOME="$run/config" XDG_DATA_HOME="$run/data" XDG_CACHE_HOME="$run/cache"
mkdir -p "$XDG_CONFIG_HOME/fcitx5/conf" "$XDG_DATA_HOME" "$XDG_CACHE_HOME"
if [ -f "$KIOSK_FCITX5_CONF/profile" ]; then
    cp "$KIOSK_FCITX5_CONF/profile" "$XDG_CONFIG_HOME/fcitx5/"
    [ -f "$KIOSK_FCITX5_CONF/config" ] && cp "$KIOSK_FCITX5_CONF/config" "$XDG_CONFIG_HOME/fcitx5/"
    cp "$KIOSK_FCITX5_CONF"/conf/*.conf "$XDG_CONFIG_HOME/fcitx5/conf/" 2>/dev/null
else
    log "warning: no fcitx5 configuration in $KIOSK_FCITX5_CONF: fcitx5 will start with English only"
fi

# ---- stop requests: to the kiosk first (an orderly, resumable stop) ----------
stopping=0
stop_kiosk() { kill -TERM "$kiosk_pid" 2>/dev/null; }
on_stop() {
    [ "$stopping" = 1 ] && return
    stopping=1
    if [ -n "$kiosk_pid" ]; then stop_kiosk
    else cleanup; exit 0; fi
}
trap on_stop TERM INT HUP

# ---- X, with a cookie only this session knows ---------------------------
export XAUTHORITY="$run/Xauthority"
: >"$XAUTHORITY"
cookie=$(mcookie)
: >"$run/displayfd"
# -displayfd: the server writes its display number there once it accepts clients
# shellcheck disable=SC2086  # KIOSK_XARGS is a list of words
"$KIOSK_XSERVER" $KIOSK_DISPLAY -auth "$XAUTHORITY" -displayfd 3 $KIOSK_XARGS 3>"$run/displayfd" </dev/null &
x_pid=$!
wait_ready "$run/displayfd" "$x_pid" 200 "the X server ($KIOSK_XSERVER)"
DISPLAY=":$(tr -dc 0-9 <"$run/displayfd")"
export DISPLAY
xauth -q -f "$XAUTHORITY" add "$DISPLAY" . "$cookie" || die "xauth failed"
log "X server ready on $DISPLAY (pid $x_pid, XAUTHORITY=$XAUTHORITY)"

# ---- D-Bus session bus (fcitx5 and the kiosk talk over it) ----------------
: >"$run/bus"
dbus-daemon --session --nofork --nopidfile --print-address=3 3>"$run/bus" </dev/null &
bus_pid=$!
wait_ready "$run/bus" "$bus_pid" 100 "dbus-daemon --session"
DBUS_SESSION_BUS_ADDRESS=$(head -1 "$run/bus")
[ -n "$DBUS_SESSION_BUS_ADDRESS" ] || die "dbus-daemon --session gave no address"
export DBUS_SESSION_BUS_ADDRESS
log "D-Bus session bus $DBUS_SESSION_BUS_ADDRESS (pid $bus_pid)"

# ---- fcitx5 with pinyin (restarted if it ever dies) --------------------------
export XMODIFIERS=@im=fcitx SDL_IM_MODULE=fcitx GTK_IM_MODULE=fcitx QT_IM_MODULE=fcitx
if command -v fcitx5 >/dev/null 2>&1; then
    session=$$
    (
        trap 'kill -TERM $p 2>/dev/null; wait $p; exit 0' TERM
        while kill -0 "$session" 2>/dev/null; do # never outlives the session
            fcitx5 -D </dev/null >&2 &
            p=$!
            wait $p
            sleep 1
        done
    ) &
    im_pid=$!
    log "fcitx5 started (pid $im_pid keeps it running)"
    for _ in $(seq 1 100); do
        dbus-send --session --print-reply --dest=org.fcitx.Fcitx5 /controller org.fcitx.Fcitx.Controller1.State \
            >/dev/null 2>&1 && break
        sleep 0.1
    done
    dbus-send --session --print-reply --dest=org.fcitx.Fcitx5 /controller org.fcitx.Fcitx.Controller1.State >/dev/null 2>&1 ||
        log "warning: fcitx5 does not answer on the session bus: no pinyin input"
else
    log "warning: fcitx5 is not installed: no pinyin input (apt-get install fcitx5 fcitx5-chinese-addons)"
fi

# the session's coordinates, for a technician's tools (same user, over ssh):
#   . $XDG_RUNTIME_DIR/exam-kiosk-session.env; xwininfo -root -tree
envfile="$base/exam-kiosk-session.env"
(umask 077; printf 'export DISPLAY=%q XAUTHORITY=%q DBUS_SESSION_BUS_ADDRESS=%q\n' \
    "$DISPLAY" "$XAUTHORITY" "$DBUS_SESSION_BUS_ADDRESS" >"$envfile")

# ---- the kiosk ---------------------------------------------------------------
cd "$run" || die "cannot enter $run"
# shellcheck disable=SC2086
"$KIOSK_BIN" --data "$KIOSK_DATA" $KIOSK_ARGS &
kiosk_pid=$!
log "kiosk running (pid $kiosk_pid) on $DISPLAY with data $KIOSK_DATA"
[ "$stopping" = 1 ] && stop_kiosk
while :; do
    wait "$kiosk_pid"
    status=$?
    kill -0 "$kiosk_pid" 2>/dev/null || break # wait was only interrupted by a signal
    if [ "$stopping" = 1 ]; then
        # a kiosk that does not stop in time is killed (nothing is lost: every answer is committed)
        for _ in $(seq 1 $((KIOSK_STOP_TIMEOUT * 10))); do kill -0 "$kiosk_pid" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$kiosk_pid" 2>/dev/null; then
            log "the kiosk did not stop within $KIOSK_STOP_TIMEOUT s after SIGTERM: killing it"
            kill -KILL "$kiosk_pid" 2>/dev/null
        fi
    fi
done
log "kiosk exited with status $status"
kiosk_pid=""
cleanup
exit "$status"
