/* connwatch: the open connections of a libmicrohttpd server and their
 * deadlines, and MHD's log held to a rate — shared by the hub's server
 * (tools/hub/server.c) and the room console (tools/room/console.c).
 *
 * Each connection is listed from MHD's "started" to its "closed" notice
 * (which comes before MHD closes the socket, so FD is the connection's own
 * while it is listed), with the time by which it must have sent its
 * headers or finished its request; connwatch_cut_late shuts down the ones
 * past it. The owner may keep its own accounting per connection (the hub:
 * the body bytes a request reserved) under the same mutex. */
#ifndef CONNWATCH_H
#define CONNWATCH_H

#include <microhttpd.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

typedef struct cw_conn {
    struct cw_conn *prev, *next;
    int fd;
    uint32_t addr;       /* the peer's IPv4 address (0: not IPv4) */
    int64_t deadline_ms; /* CLOCK_MONOTONIC */
    size_t reserved;     /* the owner's: e.g. body bytes reserved */
    int cut;             /* shut down for passing its deadline */
} cw_conn;

typedef struct connwatch {
    pthread_mutex_t mu; /* the list, every cw_conn's fields, and the owner's accounting over them */
    cw_conn *conns;
    int header_s;       /* a new connection's time to send its headers */
    const char *prog;   /* names the log's "N more messages" line */
    /* called under MU when a connection closes (NULL: nothing to do) */
    void (*closed)(void *ctx, const cw_conn *k);
    void *ctx;
    int64_t log_window; /* start of the current 10 s of MHD's messages */
    long logged, unshown;
} connwatch;

/* 0, or -1 when the mutex cannot be made. */
int connwatch_init(connwatch *w, const char *prog, int header_s);
void connwatch_destroy(connwatch *w);

/* MHD_OPTION_NOTIFY_CONNECTION's callback (CLS: the connwatch). */
void connwatch_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                      enum MHD_ConnectionNotificationCode toe);
/* MHD_OPTION_EXTERNAL_LOGGER's callback (CLS: the connwatch): at most 20
 * messages in 10 s, then one line saying how many were left out — an
 * attack's thousands of refused connections must not fill the log's disk. */
void connwatch_log(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* The listed connection of C (NULL: none, e.g. out of memory at its start). */
cw_conn *connwatch_conn(struct MHD_Connection *c);
/* K must be done within SECONDS from now. */
void connwatch_deadline(connwatch *w, cw_conn *k, int seconds);
/* Shuts down every connection past its deadline; MHD then sees the end of
 * the stream and closes it (its own thread, its own bookkeeping). */
void connwatch_cut_late(connwatch *w);

#endif
