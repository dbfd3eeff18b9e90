/* server: the hub's HTTP API (libmicrohttpd), version 1. See README
 * "Results hub API". Listens on 127.0.0.1 unless told otherwise; TLS is
 * left to a reverse proxy. */
#ifndef SERVER_H
#define SERVER_H

#include "hub.h"

#define SERVER_MAX_JSON (16u << 10)
#define SERVER_TIMEOUT_S 30

/* Serves until *stop becomes non-zero (checked about every 200 ms).
 * LISTEN is "HOST:PORT". Returns 0, or -1 with *why. */
int server_run(hub *h, const char *listen, volatile int *stop, char **why);

#endif
