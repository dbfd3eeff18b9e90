# End-to-end: crash torture. The kiosk is killed with SIGKILL at 20 random
# moments of scripted sittings and restarted each time; no committed answer
# may be lost, the timer must resume where it stood, every sitting must end
# submitted with one outbox row and a verified journal chain
# (tests/torture/torture.sh; `make torture` runs it with 1000 kills).
TORTURE_TMP=$(new_tmp)
need sqlite3 # (tests/torture/torture.sh reads kiosk.db with it)
TORTURE_KILLS=${E2E_TORTURE_KILLS:-20}
torture_t0=$SECONDS
if bash "$ROOT/tests/torture/torture.sh" "$TORTURE_KILLS" >"$TORTURE_TMP/log" 2>&1; then
    pass "crash torture, $TORTURE_KILLS kills: $(tail -n 1 "$TORTURE_TMP/log") ($((SECONDS - torture_t0)) s)"
else
    fail "crash torture, $TORTURE_KILLS kills: $(tail -n 1 "$TORTURE_TMP/log")" \
        "$(grep -A3 -e '^  FAIL' -e 'torture:' "$TORTURE_TMP/log" | head -n 40)"
fi
rm -rf "$TORTURE_TMP"
