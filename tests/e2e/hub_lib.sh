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
