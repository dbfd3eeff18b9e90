/* session: the state of one sitting and its exam clock, without I/O.
 *
 *   ready → running ⇄ paused
 *   running/paused → submitted | timeout | forced;  ready → absent
 *
 * A sitting exists from the moment the candidate starts (or is marked
 * absent); unlocking, PIN, login and confirmation are the engine's phases
 * (exam.h), not session states. The names of the states are what kiosk.db
 * stores (session.state): session_state_parse also reads the names of older
 * versions, which had pre-start states (locked, unlocked, logged_in,
 * confirmed), as ready.
 *
 * Time comes from an injected monotonic clock (platform.now_ms), virtual in
 * scripted mode, so wall-clock changes never touch the remaining time. After
 * a crash the sitting is restored paused at its last saved elapsed time: the
 * downtime is not charged. */
#ifndef SESSION_H
#define SESSION_H

#include <stddef.h>
#include <stdint.h>

/* Platform services handed to the engine (DESIGN.md): no globals. */
typedef struct platform {
    int64_t (*now_ms)(void *ctx);                           /* monotonic milliseconds */
    int64_t (*wall_s)(void *ctx);                           /* wall clock, Unix seconds: only recorded, never timed by */
    void (*random_bytes)(void *ctx, void *buf, size_t n);
    void (*log)(void *ctx, const char *msg);
    void *ctx;
} platform;

typedef enum session_state {
    SS_READY,     /* not started: the clock stands at 0 (session_init) */
    SS_RUNNING, SS_PAUSED,
    SS_SUBMITTED, SS_TIMEOUT, SS_FORCED, SS_ABSENT, /* final */
    SS_COUNT
} session_state;

typedef struct session {
    session_state state;
    int64_t duration_ms;   /* from the pack */
    int64_t extra_ms;      /* granted by the invigilator */
    int64_t min_submit_ms;
    int64_t elapsed_base;  /* running time before the current stretch */
    int64_t run_start;     /* clock value when the current stretch began (RUNNING only) */
    int warned;            /* bit 0: 15-minute warning given, bit 1: 5-minute */
} session;

enum { SESSION_WARN15 = 1, SESSION_WARN5 = 2, SESSION_TIMEOUT = 4 };

typedef enum handin_rc { HANDIN_OK = 0, HANDIN_TOO_EARLY, HANDIN_NOT_RUNNING } handin_rc;

/* A new sitting, READY, of DURATION_MIN minutes; hand-in allowed after
 * MIN_SUBMIT_MIN minutes of exam time. */
void session_init(session *s, int duration_min, int min_submit_min);

/* Moves to TO if the diagram allows it; RUNNING/PAUSED changes keep the clock
 * right. Returns 0, or -1 (state unchanged) for a transition not allowed. */
int session_go(session *s, session_state to, int64_t now) __attribute__((warn_unused_result));

int64_t session_elapsed(const session *s, int64_t now);
int64_t session_remaining(const session *s, int64_t now); /* ≥ 0 */
void session_extend(session *s, int64_t ms);
handin_rc session_can_hand_in(const session *s, int64_t now);

/* Call often while running: returns SESSION_WARN15 / SESSION_WARN5 once each
 * when those thresholds are crossed, and SESSION_TIMEOUT when time is up
 * (the caller then hands in with status timeout). */
int session_tick(session *s, int64_t now);

/* Restores a sitting saved as STATE with ELAPSED and EXTRA after a restart:
 * a running sitting comes back PAUSED (the invigilator resumes it). */
void session_restore(session *s, session_state state, int64_t elapsed, int64_t extra);

int session_is_final(session_state st);
/* The stored name of ST ("running"); "?" for a value out of range. */
const char *session_state_name(session_state st);
/* The state named NAME: every session_state_name, and the pre-start names of
 * older kiosk.db files as SS_READY; -1 if unknown. */
int session_state_parse(const char *name);

#endif
