/* server: the hub's HTTP API (libmicrohttpd), version 1. See README
 * "Results hub API". Listens on 127.0.0.1 unless told otherwise; TLS is
 * left to a reverse proxy. */
#ifndef SERVER_H
#define SERVER_H

#include <signal.h>

#include "tools/hub/hub.h"

#define SERVER_MAX_JSON (16u << 10)
#define SERVER_TIMEOUT_S 30
#define SERVER_THREADS 2

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

/* Serves until *stop becomes non-zero (checked about every 200 ms).
 * LISTEN is "HOST:PORT". Returns 0, or -1 with *why. */
int server_run(hub *h, const char *listen, volatile sig_atomic_t *stop, char **why);

#endif
