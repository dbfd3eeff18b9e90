/* console: the room console's HTTP server (libmicrohttpd, issue 12): the
 * seat API (POST /v1/seat/hello, POST /v1/seat/report?after=N, GET
 * /v1/health) and the invigilators' console page (server-rendered HTML in
 * Chinese, no external asset; one same-origin script re-fetches the live
 * part every second, and without script the page reloads every 2 s):
 * log-in, seat map, confirm, unlock, room-wide actions (each behind the
 * CSRF token and a confirm step), the room record. README "Room console
 * (examroom)", FORMAT.md §15-§17. */
#ifndef ROOM_CONSOLE_H
#define ROOM_CONSOLE_H

#include <signal.h>

#include "tools/room/roomstore.h"

/* Limits (as the hub's server.h): a connection's headers within
 * CONSOLE_HEADER_S, its whole request within CONSOLE_REQUEST_S; at most
 * CONSOLE_PER_ADDR connections per address of CONSOLE_CONNECTIONS; a
 * request body of at most CONSOLE_MAX_BODY bytes (413 past it). */
#define CONSOLE_CONNECTIONS 128u
#define CONSOLE_PER_ADDR 16u
#define CONSOLE_HEADER_S 10
#define CONSOLE_REQUEST_S 30
#define CONSOLE_TIMEOUT_S 30
#define CONSOLE_MAX_BODY 4096u
#define CONSOLE_CONN_MEMORY ((size_t)32 << 10)
#define CONSOLE_THREADS 2
#define CONSOLE_MAX_SEATS 512  /* seats of one room the console tracks for its journal */
#define CONSOLE_MAX_FRAMES 16  /* frames in one answer to a report (FORMAT.md §16) */
#define CONSOLE_SEAT_EVENTS 30 /* journal rows a seat's reports may cause per minute (phase, alerts, focus) */

/* Log-in (README): a session lasts CONSOLE_SESSION_S from its log-in; at
 * most CONSOLE_SESSIONS at once (the oldest goes); CONSOLE_MAX_FAILS wrong
 * passwords in a row lock the log-in for CONSOLE_LOCKOUT_S, for everyone. */
#define CONSOLE_SESSION_S (8 * 3600)
#define CONSOLE_SESSIONS 16
#define CONSOLE_MAX_FAILS 5
#define CONSOLE_LOCKOUT_S 60

typedef struct console_cfg {
    roomstore *rs;
    const char *dir;         /* the console's data directory (console.key, authority.pub) */
    const char *site, *room; /* this console's (room.db config) */
    const char *pwhash;      /* the invigilator password's Argon2id verifier (crypto_pwhash_str) */
    const char *listen;      /* "HOST:PORT" (IPv4) */
} console_cfg;

/* Serves until *stop becomes non-zero (checked every 100 ms). Returns 0,
 * or -1 with *why (caller frees). */
int console_run(const console_cfg *cfg, volatile sig_atomic_t *stop, char **why);

#endif
