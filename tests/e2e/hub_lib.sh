# Helpers for the end-to-end tests that talk to a real `examhub serve`
# (test_hub.sh, test_workflow.sh): a hub process that never outlives the
# test file. Needs lib.sh (T, at_exit) and curl.
HUBBIN="$BIN/examhub"
HUB_PID="" HUB_WD="" HUB_PORT="" HUB_URL="" HUB_DB=""
HUB_MAX_SECONDS=${HUB_MAX_SECONDS:-240}

# hub_stop [SIGNAL]: stops the hub (SIGTERM, or e.g. KILL) and waits for it
hub_stop() {
    if [ -n "$HUB_PID" ]; then kill -"${1:-TERM}" "$HUB_PID" 2>/dev/null; wait "$HUB_PID" 2>/dev/null; fi
    if [ -n "$HUB_WD" ]; then kill "$HUB_WD" 2>/dev/null; wait "$HUB_WD" 2>/dev/null; fi
    HUB_PID="" HUB_WD=""
}
at_exit hub_stop

# hub_start DB [PORT]: serves DB on 127.0.0.1:PORT (default: a free port found by
# trying random ones), with the further serve options in HUB_SERVE_ARGS, logging to $T/hub.log and saving the first health answer
# in $T/health; sets HUB_PID, HUB_PORT, HUB_URL, HUB_DB. A watchdog kills the
# hub if this shell dies or after HUB_MAX_SECONDS, whatever happens.
hub_start() {
    local db=$1 want=${2:-} port try
    for try in $(seq 1 25); do
        port=${want:-$((20000 + (RANDOM * 32768 + RANDOM) % 40000))}
        # shellcheck disable=SC2086 # HUB_SERVE_ARGS: words, e.g. "--staff-idle 2"
        "$HUBBIN" serve --db "$db" --listen "127.0.0.1:$port" ${HUB_SERVE_ARGS:-} >>"$T/hub.log" 2>&1 &
        HUB_PID=$!
        if wait_for 5 hub_answers "$port" && kill -0 "$HUB_PID" 2>/dev/null; then
            sleep 0.1
            if kill -0 "$HUB_PID" 2>/dev/null; then # else a foreign server on that port answered
                HUB_PORT=$port HUB_URL="http://127.0.0.1:$port" HUB_DB=$db
                local pid=$HUB_PID parent=$$
                (
                    end=$((SECONDS + HUB_MAX_SECONDS))
                    while kill -0 "$parent" 2>/dev/null && [ "$SECONDS" -lt "$end" ]; do sleep 1; done
                    kill -9 "$pid" 2>/dev/null
                ) &
                HUB_WD=$!
                return 0
            fi
        fi
        kill "$HUB_PID" 2>/dev/null; wait "$HUB_PID" 2>/dev/null; HUB_PID=""
        # a fixed port may still be held by the hub killed a moment ago
        [ -n "$want" ] && sleep 0.3
    done
    return 1
}
# hub_answers PORT: 0 once our hub answers GET /v1/health, or once it has died
# (the wait ends either way; hub_start then sees which)
hub_answers() {
    kill -0 "$HUB_PID" 2>/dev/null || return 0
    curl -fsS -m 2 "http://127.0.0.1:$1/v1/health" >"$T/health" 2>/dev/null
}

# ---- exam day for the workflow tests (test_workflow.sh, test_pdf.sh): kiosks provisioned with the
# hub's rosters, running scripts (kiosk_lib.sh: script_unlock, script_panel, script_answers), with
# $AUTH the hub's authority keys
wf_login() { # wf_login TICKET ID NAME
    echo "text $1"; echo "key Tab"; echo "text $2"; echo "key Return"; echo "expect 核对考生信息"; echo "expect $3"
    echo "key Return"; echo "expect 考生须知"; echo "key Return"
}
wf_absent() { script_panel; echo "key 4"; echo "text $1"; echo "key Return"; echo "expect 已登记 $1 缺考"; echo "key Escape"; echo "expect 考生登录"; }
wf_handin() { echo "wait 1800000"; echo "key F10"; echo "expect 确认交卷？"; echo "key Return"; echo "expect $1"; }
# wf_kiosk NAME ROOM SEAT PACK ROSTER SCRIPT: a lab PC provisioned with the hub's roster, running SCRIPT
wf_kiosk() {
    local d="$T/$1"
    "$SYNC" init --data "$d" --pub "$AUTH/authority.pub" --site 广州天河考点 --room "$2" --seat "$3" >/dev/null &&
        "$SYNC" add --data "$d" "$4" "$5" >/dev/null || { echo "cannot provision $d"; return 1; }
    KIOSK_SEED=$SEED0 "$KIOSK" --data "$d" --script "$6" >"$T/kout" 2>"$T/kerr" || { echo "kiosk $1: $(head -3 "$T/kerr")"; return 1; }
}

# wsit NAME KIOSK-ARGS...: passes when the kiosk ran its whole script
wsit() { local name=$1 msg; shift; if msg=$(wf_kiosk "$@" 2>&1); then pass "$name"; else fail "$name" "$msg"; fi; }
