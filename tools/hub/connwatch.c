/* connwatch: connections, deadlines and a rate-limited log (connwatch.h). */
#include "tools/hub/connwatch.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int connwatch_init(connwatch *w, const char *prog, int header_s)
{
    memset(w, 0, sizeof *w);
    w->prog = prog;
    w->header_s = header_s;
    return pthread_mutex_init(&w->mu, NULL) ? -1 : 0;
}

void connwatch_destroy(connwatch *w) { pthread_mutex_destroy(&w->mu); }

void connwatch_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                      enum MHD_ConnectionNotificationCode toe)
{
    connwatch *w = cls;
    cw_conn *k = *socket_context;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *fd = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        const union MHD_ConnectionInfo *ad = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        k = fd ? calloc(1, sizeof *k) : NULL; /* none: the owner refuses its first request */
        if (!k) return;
        k->fd = fd->connect_fd;
        if (ad && ad->client_addr && ad->client_addr->sa_family == AF_INET)
            k->addr = ((const struct sockaddr_in *)(const void *)ad->client_addr)->sin_addr.s_addr;
        pthread_mutex_lock(&w->mu);
        k->deadline_ms = mono_ms() + (int64_t)w->header_s * 1000;
        k->next = w->conns;
        if (w->conns) w->conns->prev = k;
        w->conns = k;
        pthread_mutex_unlock(&w->mu);
        *socket_context = k;
    } else if (toe == MHD_CONNECTION_NOTIFY_CLOSED && k) {
        pthread_mutex_lock(&w->mu);
        if (k->prev) k->prev->next = k->next;
        else w->conns = k->next;
        if (k->next) k->next->prev = k->prev;
        if (w->closed) w->closed(w->ctx, k);
        pthread_mutex_unlock(&w->mu);
        free(k);
        *socket_context = NULL;
    }
}

void connwatch_log(void *cls, const char *fmt, va_list ap)
{
    connwatch *w = cls;
    pthread_mutex_lock(&w->mu);
    int64_t now = mono_ms();
    if (now - w->log_window >= 10000) {
        if (w->unshown) fprintf(stderr, "%s: %ld more server messages in 10 s not shown\n", w->prog, w->unshown);
        w->log_window = now;
        w->logged = w->unshown = 0;
    }
    if (w->logged < 20) {
        w->logged++;
        vfprintf(stderr, fmt, ap);
    } else
        w->unshown++;
    pthread_mutex_unlock(&w->mu);
}

cw_conn *connwatch_conn(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *i = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return i ? i->socket_context : NULL;
}

void connwatch_deadline(connwatch *w, cw_conn *k, int seconds)
{
    pthread_mutex_lock(&w->mu);
    k->deadline_ms = mono_ms() + (int64_t)seconds * 1000;
    pthread_mutex_unlock(&w->mu);
}

void connwatch_cut_late(connwatch *w)
{
    int64_t now = mono_ms();
    pthread_mutex_lock(&w->mu);
    for (cw_conn *k = w->conns; k; k = k->next)
        if (!k->cut && now > k->deadline_ms) {
            shutdown(k->fd, SHUT_RDWR);
            k->cut = 1;
        }
    pthread_mutex_unlock(&w->mu);
}
