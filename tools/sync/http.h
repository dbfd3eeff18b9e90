/* sync/http: examsync's one HTTP call (libcurl): a POST whose answer is
 * read into a bounded buffer. Used for the hub (JSON answers) and the room
 * console (binary frames). Never follows redirects, speaks only http and
 * https, and gives up after a connect timeout and a total timeout, so a
 * dead peer costs one round of waiting and never holds up the kiosk. */
#ifndef SYNC_HTTP_H
#define SYNC_HTTP_H

#include <stddef.h>

#include "core/dynbuf.h"

typedef struct sync_post_opts {
    const char *ctype;     /* Content-Type of DATA */
    const char *kiosk;     /* X-Kiosk-Id header, or NULL */
    long connect_timeout_s, timeout_s;
} sync_post_opts;

/* POSTs LEN bytes of DATA to BASE followed by PATH (one '/' between them).
 * The answer's body goes into ANSWER (an initialised dynbuf: its limit
 * bounds the answer; a longer one fails the transfer). Returns the HTTP
 * status, or 0 when the peer could not be reached or the answer was too
 * long, with *why (caller frees) naming what went wrong. */
long sync_post(const char *base, const char *path, const sync_post_opts *o, const void *data, size_t len,
               dynbuf *answer, char **why);

#endif
