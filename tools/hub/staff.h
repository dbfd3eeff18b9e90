/* staff: the staff web interface of the hub (issue 14; README: The staff
 * pages), served by `examhub serve` under /staff/ beside the results API:
 * log-in with the accounts of `examhub user`, sessions, CSRF tokens, the
 * lock-outs, the role of every page and form, and the audit log. The pages
 * themselves are in staff_batches.c and staff_results.c (staff_int.h).
 *
 * Contract: server.c hands every request whose path starts with /staff to
 * staff_handle with its whole body (at most staff_body_limit bytes); the
 * answer is always an HTML page or a redirect, never JSON. */
#ifndef STAFF_H
#define STAFF_H

#include <microhttpd.h>
#include <stddef.h>

#include "tools/hub/hubstore.h"

#define STAFF_PASSWORD_MIN 8   /* bytes */
#define STAFF_PASSWORD_MAX 128
#define STAFF_IDLE_S 1800          /* a session unused this long has ended (serve --staff-idle) */
#define STAFF_SESSION_MAX_S 43200  /* and every session ends this long after its log-in */
#define STAFF_USER_FAILURES 5      /* failed log-ins of one name within STAFF_LOCK_S lock that name ... */
#define STAFF_LOCK_S 900           /* ... for this long after the latest */
#define STAFF_ALL_FAILURES 20      /* failed log-ins of all names within STAFF_ALL_LOCK_S lock every log-in ... */
#define STAFF_ALL_LOCK_S 300       /* ... for this long after the latest */
#define STAFF_MAX_UPLOAD ((size_t)4 << 20) /* bytes of an upload form (a CSV file and a few fields) */
#define STAFF_MAX_FORM ((size_t)16 << 10)  /* bytes of any other form */

/* 1 when NAME can be a user name: 1-32 of [A-Za-z0-9._-]. */
int staff_name_ok(const char *name);
/* Why PW cannot be a password (a static English line), or NULL. */
const char *staff_password_problem(const char *pw);

typedef struct staff staff;
/* The staff interface on the hub's store ST (shared with the API) for the
 * database file DB (the workflow commands open their own connection to
 * it); sessions unused for IDLE_S seconds end. NULL when out of memory. */
staff *staff_new(hubstore *st, const char *db, int idle_s);
void staff_free(staff *sf);

/* 1 when URL is the staff interface's (/staff or below). */
int staff_is_path(const char *url);
/* The largest body URL takes. */
size_t staff_body_limit(const char *url);
/* The page for a body over staff_body_limit (413), sent instead of
 * reading it. */
enum MHD_Result staff_too_large(staff *sf, struct MHD_Connection *c);
/* Answers one request with BODY (LEN bytes; the form of a POST). */
enum MHD_Result staff_handle(staff *sf, struct MHD_Connection *c, const char *url, const char *method, const char *body,
                             size_t len);

#endif
