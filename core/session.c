/* session: sitting state machine and exam clock. */
#include "core/session.h"

#include <string.h>

static const char *const NAMES[SS_COUNT] = {"ready", "running", "paused", "submitted", "timeout", "forced", "absent"};

/* names of states older versions had before a sitting started */
static const char *const OLD_READY[] = {"locked", "unlocked", "logged_in", "confirmed"};

const char *session_state_name(session_state st) { return (unsigned)st < SS_COUNT ? NAMES[st] : "?"; }

int session_state_parse(const char *name)
{
    for (int i = 0; i < SS_COUNT; i++)
        if (!strcmp(name, NAMES[i])) return i;
    for (size_t i = 0; i < sizeof OLD_READY / sizeof *OLD_READY; i++)
        if (!strcmp(name, OLD_READY[i])) return SS_READY;
    return -1;
}

int session_is_final(session_state st)
{
    return st == SS_SUBMITTED || st == SS_TIMEOUT || st == SS_FORCED || st == SS_ABSENT;
}

void session_init(session *s, int duration_min, int min_submit_min)
{
    memset(s, 0, sizeof *s);
    s->state = SS_READY;
    s->duration_ms = (int64_t)duration_min * 60000;
    s->min_submit_ms = (int64_t)min_submit_min * 60000;
}

int64_t session_elapsed(const session *s, int64_t now)
{
    int64_t e = s->elapsed_base;
    if (s->state == SS_RUNNING && now > s->run_start) e += now - s->run_start;
    return e;
}

int64_t session_remaining(const session *s, int64_t now)
{
    int64_t r = s->duration_ms + s->extra_ms - session_elapsed(s, now);
    return r > 0 ? r : 0;
}

static int allowed(session_state from, session_state to)
{
    switch (to) {
    case SS_RUNNING: return from == SS_READY || from == SS_PAUSED;
    case SS_PAUSED: return from == SS_RUNNING;
    case SS_SUBMITTED: case SS_TIMEOUT: case SS_FORCED: return from == SS_RUNNING || from == SS_PAUSED;
    case SS_ABSENT: return from == SS_READY;
    default: return 0; /* nothing goes back to ready: a new sitting is session_init */
    }
}

int session_go(session *s, session_state to, int64_t now)
{
    if (!allowed(s->state, to)) return -1;
    if (s->state == SS_RUNNING) s->elapsed_base = session_elapsed(s, now); /* leaving: bank the stretch */
    if (to == SS_RUNNING) s->run_start = now;
    s->state = to;
    return 0;
}

void session_extend(session *s, int64_t ms)
{
    if (ms > 0) s->extra_ms += ms;
    /* warnings are re-armed when extra time lifts the remaining time above them */
}

handin_rc session_can_hand_in(const session *s, int64_t now)
{
    if (s->state != SS_RUNNING) return HANDIN_NOT_RUNNING;
    if (session_elapsed(s, now) < s->min_submit_ms) return HANDIN_TOO_EARLY;
    return HANDIN_OK;
}

int session_tick(session *s, int64_t now)
{
    if (s->state != SS_RUNNING) return 0;
    int64_t left = session_remaining(s, now);
    int ev = 0;
    if (left > 15 * 60000) s->warned &= ~3;
    else if (left > 5 * 60000) s->warned &= ~2;
    if (left == 0) return SESSION_TIMEOUT;
    if (left <= 5 * 60000 && !(s->warned & 2)) {
        s->warned |= 3; /* one warning at a time: 5 minutes covers 15 */
        ev |= SESSION_WARN5;
    } else if (left <= 15 * 60000 && !(s->warned & 1)) {
        s->warned |= 1;
        ev |= SESSION_WARN15;
    }
    return ev;
}

void session_restore(session *s, session_state state, int64_t elapsed, int64_t extra)
{
    s->elapsed_base = elapsed;
    s->extra_ms = extra;
    s->run_start = 0;
    s->state = state == SS_RUNNING ? SS_PAUSED : state;
    int64_t left = s->duration_ms + s->extra_ms - elapsed;
    s->warned = left <= 5 * 60000 ? 3 : left <= 15 * 60000 ? 1 : 0;
}
