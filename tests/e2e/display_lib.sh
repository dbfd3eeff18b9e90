# Helpers for the real-display end-to-end tests: the lab PC's graphical
# stack on a private X display, and ways to look at it from outside.
#
#   dl_start DIR    Xvfb (1366x768x24, -nolisten tcp, on a free display
#                   number), a D-Bus session bus, openbox with its default
#                   configuration (it binds Alt+Tab and friends: the hostile
#                   window manager) and fcitx5 with the lab PC's pinyin
#                   configuration (tools/labpc/fcitx5), HOME and XDG dirs in
#                   DIR. Sets DL_ENV (the environment for clients, as
#                   NAME=VALUE words), DL_DISPLAY and DL_PIDS; exports
#                   nothing, so the rest of the test run is not touched.
#   dl_stop         stops what dl_start started, by PID, newest first.
#   dlx CMD...      runs CMD in the stack's environment.
#
# Everything else takes window ids as decimal or 0x hex numbers.
DL_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DL_W=1366 DL_H=768
DL_ENV=() DL_PIDS=() DL_DISPLAY="" DL_DIR=""
DL_TOOLS="Xvfb dbus-daemon openbox fcitx5 fcitx5-remote xdotool wmctrl xwininfo xprop xev xmessage import sqlite3 gdbus dbus-monitor"

# the tools this file needs that are not installed (empty when all are)
dl_missing() {
    local t m=""
    for t in $DL_TOOLS; do command -v "$t" >/dev/null 2>&1 || m="$m $t"; done
    echo "${m# }"
}

# (start background services with `env "${DL_ENV[@]}" CMD &`, not `dlx CMD &`:
# then $! is CMD's own PID, which dl_stop and kill can stop)
dlx() { env "${DL_ENV[@]}" "$@"; }

# dl_wait_for SECONDS COMMAND...: polls COMMAND every 50 ms until it succeeds
dl_wait_for() {
    local limit=$1; shift
    local end=$(($(dl_ms) + $(awk -v s="$limit" 'BEGIN{printf "%d", s * 1000}')))
    while :; do
        "$@" && return 0
        [ "$(dl_ms)" -ge "$end" ] && return 1
        sleep 0.05
    done
}

dl_ms() { echo $(($(date +%s%N) / 1000000)); }

dl_start() {
    DL_DIR=$1
    local home="$DL_DIR/home"
    mkdir -p "$home/.config/fcitx5/conf" "$home/.local/share" "$home/.cache" "$DL_DIR/run" "$DL_DIR/logs"
    chmod 700 "$DL_DIR/run"
    # the lab PC's fcitx5 configuration: keyboard-us + pinyin, unsafe addons off
    cp "$DL_ROOT/tools/labpc/fcitx5/profile" "$DL_ROOT/tools/labpc/fcitx5/config" "$home/.config/fcitx5/"
    cp "$DL_ROOT"/tools/labpc/fcitx5/conf/*.conf "$home/.config/fcitx5/conf/"

    # X: Xvfb picks a free display number itself and writes it to -displayfd once it accepts clients
    : >"$DL_DIR/displayfd"
    Xvfb -displayfd 3 -screen 0 "${DL_W}x${DL_H}x24" -nolisten tcp -noreset \
        3>"$DL_DIR/displayfd" >"$DL_DIR/logs/xvfb.log" 2>&1 &
    DL_PIDS+=($!)
    if ! dl_wait_for 10 test -s "$DL_DIR/displayfd"; then
        echo "display_lib: Xvfb did not start: $(tail -3 "$DL_DIR/logs/xvfb.log")" >&2
        return 1
    fi
    DL_DISPLAY=":$(tr -dc 0-9 <"$DL_DIR/displayfd")"
    DL_ENV=(DISPLAY="$DL_DISPLAY" HOME="$home" XDG_CONFIG_HOME="$home/.config" XDG_DATA_HOME="$home/.local/share"
        XDG_CACHE_HOME="$home/.cache" XDG_RUNTIME_DIR="$DL_DIR/run" XDG_CONFIG_DIRS=/etc/xdg LC_ALL=C.UTF-8
        XMODIFIERS=@im=fcitx SDL_IM_MODULE=fcitx GTK_IM_MODULE=fcitx QT_IM_MODULE=fcitx)

    # D-Bus session bus (fcitx5's frontend, SDL's IME client and the kiosk's controller calls)
    : >"$DL_DIR/bus"
    env "${DL_ENV[@]}" dbus-daemon --session --nofork --nopidfile --print-address=3 3>"$DL_DIR/bus" </dev/null >"$DL_DIR/logs/dbus.log" 2>&1 &
    DL_PIDS+=($!)
    dl_wait_for 10 test -s "$DL_DIR/bus" || { echo "display_lib: dbus-daemon --session did not start" >&2; return 1; }
    DL_ENV+=(DBUS_SESSION_BUS_ADDRESS="$(head -1 "$DL_DIR/bus")")

    # openbox, default rc.xml (A-Tab, A-S-Tab, W-d, C-A-arrows, ...): a window
    # manager that minimises, un-fullscreens and focuses other windows if asked
    env "${DL_ENV[@]}" openbox --sm-disable >"$DL_DIR/logs/openbox.log" 2>&1 &
    DL_PIDS+=($!)
    dl_wait_for 10 dl_wm_running || { echo "display_lib: openbox did not start" >&2; return 1; }

    # fcitx5 (not daemonised, so its PID is ours), with pinyin preloaded
    env "${DL_ENV[@]}" fcitx5 -D --verbose=default=4 >"$DL_DIR/logs/fcitx5.log" 2>&1 &
    DL_PIDS+=($!)
    if ! dl_wait_for 15 dl_fcitx_ready; then
        echo "display_lib: fcitx5 did not come up with pinyin: $(tail -3 "$DL_DIR/logs/fcitx5.log")" >&2
        return 1
    fi
}

dl_stop() {
    local i pid
    for ((i = ${#DL_PIDS[@]} - 1; i >= 0; i--)); do
        pid=${DL_PIDS[i]}
        kill "$pid" 2>/dev/null || continue
        for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
        kill -9 "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    DL_PIDS=()
}

# a window manager owns the screen (EWMH _NET_SUPPORTING_WM_CHECK)
dl_wm_running() { dlx xprop -root _NET_SUPPORTING_WM_CHECK 2>/dev/null | grep -q 'window id'; }

# fcitx5 answers on the bus and has loaded pinyin
dl_fcitx_ready() {
    dlx gdbus call --session -d org.fcitx.Fcitx5 -o /controller -m org.fcitx.Fcitx.Controller1.InputMethodGroupInfo Default \
        2>/dev/null | grep -q "'pinyin'" && grep -q 'Loaded addon pinyin$' "$DL_DIR/logs/fcitx5.log"
}

# fcitx5's state for the focused input context: 0 none, 1 English, 2 pinyin
dl_ime_state() { dlx fcitx5-remote 2>/dev/null; }
# fcitx5's view of its input contexts (program, frontend, focus)
dl_ime_debug() { dlx gdbus call --session -d org.fcitx.Fcitx5 -o /controller -m org.fcitx.Fcitx.Controller1.DebugInfo 2>/dev/null | sed 's/\\n/\n/g'; }

# ---- windows ---------------------------------------------------------------

# dl_find SEARCH-ARGS...: the first visible window xdotool finds (e.g. --classname kiosk)
dl_find() { dlx xdotool search --onlyvisible "$@" 2>/dev/null | head -1; }

# dl_wait_window SECONDS SEARCH-ARGS...: prints the window once it is visible
dl_wait_window() {
    local limit=$1; shift
    local w=""
    _dl_found() { w=$(dl_find "$@"); [ -n "$w" ]; }
    dl_wait_for "$limit" _dl_found "$@" && printf '%d\n' "$w"
}

dl_hex() { printf '0x%x' "$1"; }

# the top-level window (child of the root) that contains WINDOW: the
# window manager's frame for managed windows, the window itself for
# override-redirect ones
dl_toplevel() {
    local w; w=$(printf '%d' "$1")
    local root; root=$(printf '%d' "$(dlx xwininfo -root | awk '/Window id:/{print $4}')")
    local p
    while :; do
        p=$(dlx xwininfo -children -id "$w" 2>/dev/null | awk '/Parent window id:/{print $4}')
        [ -z "$p" ] && break
        p=$(printf '%d' "$p")
        [ "$p" -eq "$root" ] || [ "$p" -eq 0 ] && break
        w=$p
    done
    echo "$w"
}

# the topmost viewable top-level window that counts: not fcitx5's own popups
# (WM_CLASS "fcitx", override-redirect; the candidate list belongs above the
# kiosk) and not 1x1 helper windows (openbox keeps one mapped off-screen)
dl_topmost() {
    local w info
    for w in $(dlx xwininfo -root -children | awk '/^ +0x/{print $1}'); do # listed top to bottom
        info=$(dlx xwininfo -id "$w" 2>/dev/null) || continue
        echo "$info" | grep -q 'Map State: IsViewable' || continue
        local ww hh
        ww=$(echo "$info" | awk '/^  Width:/{print $2}'); hh=$(echo "$info" | awk '/^  Height:/{print $2}')
        [ "${ww:-0}" -le 1 ] && [ "${hh:-0}" -le 1 ] && continue
        dl_is_fcitx "$w" && continue
        printf '%d\n' "$w"
        return 0
    done
    return 1
}

dl_is_fcitx() { dlx xprop -id "$1" WM_CLASS 2>/dev/null | grep -q '"fcitx"'; }

# why WINDOW does not cover the screen (nothing printed and status 0 when it
# does): viewable, at 0,0, the screen's size, and nothing else above it
dl_covers() {
    local w=$1 info why=""
    info=$(dlx xwininfo -id "$w" 2>/dev/null) || { echo "window $(dl_hex "$w") is gone"; return 1; }
    echo "$info" | grep -q 'Map State: IsViewable' || why="$why not viewable ($(echo "$info" | awk '/Map State/{print $3}'));"
    local geo
    geo=$(echo "$info" | awk '/Absolute upper-left X/{x=$4} /Absolute upper-left Y/{y=$4} /^  Width:/{w=$2} /^  Height:/{h=$2} END{print w "x" h "+" x "+" y}')
    [ "$geo" = "${DL_W}x${DL_H}+0+0" ] || why="$why geometry $geo;"
    local top mine
    top=$(dl_topmost); mine=$(dl_toplevel "$w")
    [ "${top:-0}" = "$mine" ] || why="$why another window is on top: $(dl_describe "${top:-0}");"
    [ -z "$why" ] && return 0
    echo "${why% ;}"
    return 1
}

dl_describe() {
    [ "$1" = 0 ] && { echo none; return; }
    local name; name=$(dlx xwininfo -id "$1" 2>/dev/null | sed -n 's/^xwininfo: Window id: [^ ]* //p')
    local kids; kids=$(dlx xwininfo -tree -id "$1" 2>/dev/null | grep -o '"[^"]*": ("[^"]*"' | head -1)
    echo "$(dl_hex "$1") $name ${kids}"
}

# the X input focus, as its top-level window
dl_focus_toplevel() {
    local f; f=$(dlx xdotool getwindowfocus -f 2>/dev/null) || return 1
    dl_toplevel "$f"
}

# WINDOW's top-level has the X input focus
dl_has_focus() { [ "$(dl_focus_toplevel)" = "$(dl_toplevel "$1")" ]; }

# the window manager's idea of the active window (EWMH), for the record
dl_active() { dlx xprop -root _NET_ACTIVE_WINDOW 2>/dev/null | awk '{print $NF}'; }

# fcitx5's candidate window is on screen (viewable, WM_CLASS fcitx, wider
# than the small "en"/"拼" mode popup)
dl_candidates_shown() {
    local w info
    for w in $(dlx xwininfo -root -children | awk '/"Fcitx5 Input Window"/{print $1}'); do
        info=$(dlx xwininfo -id "$w")
        echo "$info" | grep -q 'Map State: IsViewable' || continue
        [ "$(echo "$info" | awk '/^  Width:/{print $2}')" -gt 120 ] && return 0
    done
    return 1
}

# geometry WxH+X+Y of the viewable fcitx5 popup, empty if none
dl_candidate_geometry() {
    local w info
    for w in $(dlx xwininfo -root -children | awk '/"Fcitx5 Input Window"/{print $1}'); do
        info=$(dlx xwininfo -id "$w")
        echo "$info" | grep -q 'Map State: IsViewable' || continue
        echo "$info" | awk '/-geometry/{print $2}'
        return 0
    done
}

# ---- input and pictures ----------------------------------------------------

# keys go to whoever X gives them (the focus, or a keyboard grab), as from a real keyboard
dl_key() { dlx xdotool key --delay 40 "$@"; }
dl_type() { dlx xdotool type --delay "${DL_TYPE_DELAY:-30}" -- "$1"; }

# dl_shot FILE.png: the whole screen as the candidate sees it
dl_shot() { dlx import -window root "$1" 2>/dev/null; }
