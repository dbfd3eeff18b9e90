/* hubstore_staff: the storage of the hub's staff web interface (issue 14),
 * part of the storage module (hubstore): staff accounts with their role and
 * Argon2id verifier, log-in sessions (stored as hashes of their tokens),
 * failed log-ins (for the lock-outs) and the audit log of every change made
 * through the pages (a journal: its rows are never changed or deleted).
 * The rules (who may do what, how long a session lives, how many failures
 * lock) are the caller's (tools/hub/staff.c); this file stores and counts. */
#ifndef HUBSTORE_STAFF_H
#define HUBSTORE_STAFF_H

#include <stdint.h>

#include "tools/hub/hubstore.h"

/* The roles of the staff (README: The staff pages). */
typedef enum staff_role { ROLE_ADMIN = 0, ROLE_CLERK, ROLE_PLANNER, ROLE_MARKER, ROLE_COUNT } staff_role;
/* "admin", "clerk", ... ; staff_role_parse: the role, or -1 */
const char *staff_role_name(staff_role r);
int staff_role_parse(const char *name);

#define STAFF_NAME_MAX 32     /* bytes of a user name: [A-Za-z0-9._-], 1-32 */
#define STAFF_VERIFIER_MAX 128 /* crypto_pwhash_STRBYTES */

typedef struct staff_user {
    char name[STAFF_NAME_MAX + 1], verifier[STAFF_VERIFIER_MAX];
    staff_role role;
    int disabled;
    int64_t created;
} staff_user;

/* Adds user U: 0, 1 when the name is taken, -1 on a storage error. */
int hubstore_staff_user_add(hubstore *s, const staff_user *u) __attribute__((warn_unused_result));
/* Fills U with user NAME: 0, 1 when there is none, -1 on a storage error. */
int hubstore_staff_user_get(hubstore *s, const char *name, staff_user *u) __attribute__((warn_unused_result));
/* Calls FN for every user by name (the verifier left empty); 0 or -1. */
typedef int (*staff_user_fn)(void *ctx, const staff_user *u);
int hubstore_staff_user_each(hubstore *s, staff_user_fn fn, void *ctx) __attribute__((warn_unused_result));
/* Disables (DISABLED 1: and ends the user's sessions) or enables (0: and
 * forgets the user's failed log-ins) user NAME: 0, 1 no such user, -1. */
int hubstore_staff_user_disable(hubstore *s, const char *name, int disabled) __attribute__((warn_unused_result));

/* Sessions: the BLAKE2b-256 hash of the cookie's token, the user, when it
 * began and when it was last used. */
int hubstore_staff_session_add(hubstore *s, const uint8_t hash[32], const char *user, int64_t now)
    __attribute__((warn_unused_result));
/* The session of HASH if it began after BORN_AFTER and was used after
 * SEEN_AFTER, its user enabled: fills U, marks it used at NOW and returns 0;
 * 1 when there is none such (an expired one is deleted), -1 on error. */
int hubstore_staff_session_use(hubstore *s, const uint8_t hash[32], int64_t born_after, int64_t seen_after,
                               int64_t now, staff_user *u) __attribute__((warn_unused_result));
int hubstore_staff_session_end(hubstore *s, const uint8_t hash[32]) __attribute__((warn_unused_result));
/* Forgets the sessions that began before BORN_BEFORE or were last used
 * before SEEN_BEFORE, and the failed log-ins before FAILED_BEFORE (no lock
 * counts them any more): 0 or -1. */
int hubstore_staff_purge(hubstore *s, int64_t born_before, int64_t seen_before, int64_t failed_before)
    __attribute__((warn_unused_result));

/* Failed log-ins: recorded with the name tried (known or not), counted per
 * name (since that name's last successful log-in) and overall, since SINCE. */
int hubstore_staff_failure_add(hubstore *s, const char *name, int64_t at) __attribute__((warn_unused_result));
/* The failures of NAME since SINCE (-1 on error), and the time of the
 * latest in *LAST (0 when none). NAME NULL: of every name. */
int hubstore_staff_failures(hubstore *s, const char *name, int64_t since, int64_t *last);
/* Forgets NAME's failures (a successful log-in). */
int hubstore_staff_failures_clear(hubstore *s, const char *name) __attribute__((warn_unused_result));

/* The audit log: one row per change made through the pages (and per log-in,
 * log-out and refused log-in), with the user. ACTION is a short English
 * word ("login", "upload-applications"); DETAIL a line of text. */
int hubstore_staff_audit(hubstore *s, int64_t at, const char *user, const char *action, const char *detail)
    __attribute__((warn_unused_result));
typedef int (*staff_audit_fn)(void *ctx, long long id, int64_t at, const char *user, const char *action,
                              const char *detail);
/* The latest LIMIT rows, newest first. 0 or -1. */
int hubstore_staff_audit_each(hubstore *s, int limit, staff_audit_fn fn, void *ctx) __attribute__((warn_unused_result));

#endif
