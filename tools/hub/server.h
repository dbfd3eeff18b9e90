/* server: the hub's HTTP API (libmicrohttpd), version 1. See README
 * "Results hub API". Listens on 127.0.0.1 unless told otherwise; TLS is
 * left to a reverse proxy. */
#ifndef SERVER_H
#define SERVER_H

#include <signal.h>

#include "tools/hub/hub.h"
#include "tools/hub/staff.h"

#define SERVER_MAX_JSON (16u << 10)
#define SERVER_TIMEOUT_S 30 /* no byte in or out for this long: closed */
#define SERVER_THREADS 2

/* Limits under abuse (README "Results hub API", limits). A connection from
 * one address takes at most SERVER_PER_ADDR of the SERVER_CONNECTIONS slots;
 * its request line and headers must be complete within SERVER_HEADER_S of
 * the connection (or of its previous answer), and each request, body and
 * answer included, within SERVER_REQUEST_S, however slowly the bytes trickle
 * in. Request bodies in flight hold at most SERVER_BODY_BUDGET bytes in all
 * and SERVER_ADDR_BUDGET per address (a body's Content-Length is reserved
 * when its headers arrive), plus SERVER_SMALL_LANE bytes kept for bodies of
 * at most SERVER_SMALL_BODY (enrolments and ordinary results: a 100-question
 * theory sitting with its journal is about 70 KB) once the big
 * ones have taken the rest; past them a request is answered 503 with
 * Retry-After: SERVER_RETRY_AFTER_S. A Content-Length over the endpoint's
 * limit is answered 413 at the headers, its body never read. Headers are
 * held in SERVER_CONN_MEMORY bytes per connection. */
#define SERVER_CONNECTIONS 256u
#define SERVER_PER_ADDR 16u
#define SERVER_HEADER_S 10
#define SERVER_REQUEST_S 120
#define SERVER_BODY_BUDGET ((size_t)32 << 20)
#define SERVER_ADDR_BUDGET ((size_t)8 << 20)
#define SERVER_SMALL_BODY ((size_t)512 << 10)
#define SERVER_SMALL_LANE ((size_t)8 << 20)
#define SERVER_RETRY_AFTER_S 5
#define SERVER_CONN_MEMORY ((size_t)32 << 10)

/* A parsed enrolment request; strings point into J (json_decref it). */
typedef struct enroll_req {
    void *j; /* json_t * */
    const char *token, *device_pk, *site, *room;
    long long seat;
} enroll_req;

/* Parses an enrolment body (JSON object with token, device_pk, and optional
 * site, room, seat). Returns 0, or -1 for malformed input. Free with
 * server_enroll_free. Exposed for fuzzing. */
int server_parse_enroll(const char *body, size_t len, enroll_req *out);
void server_enroll_free(enroll_req *r);

/* Serves until *stop becomes non-zero (checked about every 100 ms), with
 * the staff pages of SF under /staff/ (NULL: none).
 * LISTEN is "HOST:PORT". Returns 0, or -1 with *why. */
int server_run(hub *h, staff *sf, const char *listen, volatile sig_atomic_t *stop, char **why);

#endif
