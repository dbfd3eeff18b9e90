/* server: HTTP API of the results hub on libmicrohttpd. */
#include "tools/hub/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/dynbuf.h"
#include "core/fileio.h"
#include "core/receipt.h"
#include "tools/hub/connwatch.h"
#include "tools/hub/staff.h"

/* The server: the hub, and the connections and body bytes in flight. */
typedef struct srv {
    hub *h;
    staff *sf;       /* the staff pages under /staff/ (NULL: none) */
    connwatch w;     /* the connections, their deadlines; its mutex also guards the budgets */
    size_t reserved; /* body bytes reserved by every request in flight */
} srv;

/* A request's body, as it arrives. Its limit is the endpoint's:
 * HUB_MAX_RESULT_BYTES for a sealed result (the most hub_ingest accepts),
 * SERVER_MAX_JSON for the small JSON of the other endpoints. A
 * Content-Length over it is answered 413 at the headers; a chunked body
 * that passes it is read to its end, discarded and answered 413. */
typedef struct req {
    dynbuf body;  /* a chunked body */
    char *whole;  /* a body of announced length: allocated once, exactly, at its first byte */
    size_t len;   /* of WHOLE, so far */
    size_t size;  /* announced */
    cw_conn *conn;
    size_t reserved; /* of the budgets (reserve) */
    int sized;       /* the body's length was announced and reserved whole */
    int too_large;
    int busy; /* a chunked body found the budget spent: discarded, 503 */
} req;

static const char *body_ptr(const req *q) { return q->sized ? (q->whole ? q->whole : "") : dynbuf_ptr(&q->body); }
static size_t body_len(const req *q) { return q->sized ? q->len : dynbuf_len(&q->body); }

/* A body's block. A large one is mapped on its own, and so given back to the
 * system when freed: from malloc's per-thread arenas, bodies freed on one
 * thread and allocated on the other would leave the process holding the
 * budget once per thread. */
#define BODY_MAP_MIN ((size_t)64 << 10)
static char *body_alloc(size_t n)
{
    if (n < BODY_MAP_MIN) return malloc(n);
    void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

static void body_free(req *q)
{
    if (q->whole) {
        sodium_memzero(q->whole, q->len);
        if (q->size < BODY_MAP_MIN) free(q->whole);
        else munmap(q->whole, q->size);
        q->whole = NULL;
    }
    dynbuf_free(&q->body);
}

/* Reserves N more body bytes for Q: 0, or -1 when that would pass the budget
 * of all requests (a small body may also use the small lane) or of Q's
 * address. */
static int reserve(srv *s, req *q, size_t n)
{
    pthread_mutex_lock(&s->w.mu);
    size_t of_addr = 0;
    for (const cw_conn *k = s->w.conns; k; k = k->next)
        if (k->addr == q->conn->addr) of_addr += k->reserved;
    size_t cap = SERVER_BODY_BUDGET + (q->reserved + n <= SERVER_SMALL_BODY ? SERVER_SMALL_LANE : 0);
    int ok = n <= cap - s->reserved && s->reserved <= cap && n <= SERVER_ADDR_BUDGET - of_addr &&
             of_addr <= SERVER_ADDR_BUDGET;
    if (ok) {
        s->reserved += n;
        q->conn->reserved += n;
        q->reserved += n;
    }
    pthread_mutex_unlock(&s->w.mu);
    return ok ? 0 : -1;
}

static void release(srv *s, req *q)
{
    pthread_mutex_lock(&s->w.mu);
    s->reserved -= q->reserved;
    q->conn->reserved -= q->reserved;
    q->reserved = 0;
    pthread_mutex_unlock(&s->w.mu);
}

/* a closed connection's reserved body bytes go back to the budget (none,
 * once its requests have completed); under the connwatch's mutex */
static void conn_closed(void *ctx, const cw_conn *k)
{
    srv *s = ctx;
    s->reserved -= k->reserved;
}

static enum MHD_Result reply_h(struct MHD_Connection *c, unsigned status, json_t *obj, int retry_after)
{
    char *text = json_dumps(obj, JSON_COMPACT);
    json_decref(obj);
    if (!text) return MHD_NO;
    size_t n = strlen(text);
    struct MHD_Response *r = MHD_create_response_from_buffer(n, text, MHD_RESPMEM_MUST_FREE);
    if (!r) { free(text); return MHD_NO; }
    MHD_add_response_header(r, "Content-Type", "application/json");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    if (retry_after) {
        char ra[16];
        snprintf(ra, sizeof ra, "%d", retry_after);
        MHD_add_response_header(r, "Retry-After", ra);
    }
    enum MHD_Result rc = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, json_t *obj)
{
    return reply_h(c, status, obj, 0);
}

static enum MHD_Result error(struct MHD_Connection *c, unsigned status, const char *msg)
{
    return reply(c, status, json_pack("{s:s}", "error", msg));
}

static int64_t now_s(void) { return (int64_t)time(NULL); }

int server_parse_enroll(const char *body, size_t len, enroll_req *out)
{
    memset(out, 0, sizeof *out);
    out->site = out->room = "";
    json_error_t err;
    json_t *in = json_loadb(body ? body : "", len, JSON_REJECT_DUPLICATES, &err);
    json_int_t seat = 0;
    if (!in || json_unpack_ex(in, &err, 0, "{s:s, s:s, s?s, s?s, s?I}", "token", &out->token, "device_pk",
                              &out->device_pk, "site", &out->site, "room", &out->room, "seat", &seat) ||
        seat < 0 || seat > 999 || strlen(out->site) > 120 || strlen(out->room) > 60) {
        json_decref(in);
        memset(out, 0, sizeof *out);
        return -1;
    }
    out->j = in;
    out->seat = seat;
    return 0;
}

void server_enroll_free(enroll_req *r)
{
    json_decref(r->j);
    memset(r, 0, sizeof *r);
}

static enum MHD_Result do_enroll(hub *h, struct MHD_Connection *c, req *q)
{
    enroll_req er;
    if (server_parse_enroll(body_ptr(q), body_len(q), &er))
        return error(c, MHD_HTTP_BAD_REQUEST, "malformed JSON: expected {token, device_pk, site, room, seat}");
    char kid[17];
    token_rc rc = hub_enroll(h, er.token, er.device_pk, er.site, er.room, (int)er.seat, now_s(), kid);
    server_enroll_free(&er);
    switch (rc) {
    case TOKEN_OK: {
        char hubpk[65];
        sodium_bin2hex(hubpk, sizeof hubpk, h->sign_pk, sizeof h->sign_pk);
        return reply(c, MHD_HTTP_OK, json_pack("{s:i, s:s, s:s}", "api", HUB_API_VERSION, "kiosk_id", kid, "hub_pk", hubpk));
    }
    case TOKEN_USED:
    case TOKEN_EXPIRED:
    case TOKEN_UNKNOWN: return error(c, MHD_HTTP_FORBIDDEN, token_strerror(rc));
    case TOKEN_KIOSK_CONFLICT: return error(c, MHD_HTTP_CONFLICT, token_strerror(rc));
    case TOKEN_ERROR: break;
    }
    return error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, token_strerror(rc));
}

static enum MHD_Result do_result(hub *h, struct MHD_Connection *c, req *q)
{
    const char *kiosk = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Kiosk-Id");
    char rid[33], *why = NULL;
    ingest_rc rc = hub_ingest(h, (const uint8_t *)body_ptr(q), body_len(q), NULL, kiosk, now_s(), rid,
                              &why);
    enum MHD_Result out;
    if (rc == INGEST_STORED || rc == INGEST_DUPLICATE) {
        char receipt[RECEIPT_HEX];
        receipt_sign(h->sign_sk, rid, receipt);
        out = reply(c, MHD_HTTP_OK, json_pack("{s:s, s:s, s:s}", "result_id", rid, "status", ingest_name(rc), "receipt",
                                              receipt));
    } else {
        char msg[512];
        snprintf(msg, sizeof msg, "%s: %s", ingest_name(rc), why ? why : "");
        out = error(c, (unsigned)ingest_http_status(rc), msg);
    }
    free(why);
    return out;
}

static enum MHD_Result busy(struct MHD_Connection *c)
{
    return reply_h(c, MHD_HTTP_SERVICE_UNAVAILABLE,
                   json_pack("{s:s}", "error", "hub busy: too many request bodies in flight, retry later"),
                   SERVER_RETRY_AFTER_S);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    (void)toe;
    srv *s = cls;
    req *q = *con_cls;
    if (q) {
        release(s, q);
        body_free(q);
        free(q);
    }
    *con_cls = NULL;
    cw_conn *k = connwatch_conn(c);
    if (k) connwatch_deadline(&s->w, k, SERVER_HEADER_S); /* for the next request's headers */
}

/* The announced body length: 0 with none, 1 with *N, -1 when unreadable. */
static int content_length(struct MHD_Connection *c, uint64_t *n)
{
    const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (!cl) return 0;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(cl, &end, 10);
    if (end == cl || *end || errno || cl[0] == '-') return -1;
    *n = v;
    return 1;
}

/* The first call of a request: its headers, no body yet. Sets up *Q, or
 * answers at once (413, 503) without reading the body. */
static enum MHD_Result first_call(srv *s, struct MHD_Connection *c, const char *url, req **out)
{
    cw_conn *k = connwatch_conn(c);
    if (!k) return MHD_NO;
    connwatch_deadline(&s->w, k, SERVER_REQUEST_S);
    size_t limit = !strcmp(url, "/v1/results") ? HUB_MAX_RESULT_BYTES
                   : s->sf && staff_is_path(url) ? staff_body_limit(url)
                                                  : SERVER_MAX_JSON;
    uint64_t cl = 0;
    int has = content_length(c, &cl);
    if (has < 0) return error(c, MHD_HTTP_BAD_REQUEST, "malformed Content-Length");
    if (has && cl > limit)
        return s->sf && staff_is_path(url) ? staff_too_large(s->sf, c)
                                           : error(c, MHD_HTTP_CONTENT_TOO_LARGE, "request body too large");
    req *q = calloc(1, sizeof *q);
    if (!q) return MHD_NO;
    q->conn = k;
    dynbuf_init(&q->body, limit);
    if (has) { /* reserved whole, and held in one block of exactly that size */
        q->sized = 1;
        q->size = (size_t)cl;
        if (cl && reserve(s, q, (size_t)cl)) {
            free(q);
            return busy(c);
        }
    }
    *out = q;
    return MHD_YES;
}

/* Reserves for a chunked body as it grows, in steps of 64 KiB. */
static int reserve_for(srv *s, req *q, size_t need)
{
    if (q->sized || need <= q->reserved) return 0;
    size_t step = 64u << 10, want = (need + step - 1) / step * step;
    return reserve(s, q, want - q->reserved);
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                               const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
    (void)version;
    srv *s = cls;
    hub *h = s->h;
    req *q = *con_cls;
    if (!q) { /* first call: headers only */
        req *nq = NULL;
        enum MHD_Result rc = first_call(s, c, url, &nq);
        *con_cls = nq;
        return rc;
    }
    if (*upload_size) { /* body arrives in pieces; keep at most the limit */
        if (q->sized) { /* MHD never hands on more than the Content-Length */
            if (!q->whole && !(q->whole = body_alloc(q->size))) return MHD_NO;
            size_t n = *upload_size < q->size - q->len ? *upload_size : q->size - q->len;
            memcpy(q->whole + q->len, upload, n);
            q->len += n;
        } else if (!q->too_large && !q->busy) {
            size_t len = dynbuf_len(&q->body);
            if (len + *upload_size > q->body.max) { /* chunked, past the limit */
                q->too_large = 1;
                body_free(q);
                release(s, q);
            } else if (reserve_for(s, q, len + *upload_size)) {
                q->busy = 1;
                body_free(q);
                release(s, q);
            } else {
                dynbuf_rc rc = dynbuf_add(&q->body, upload, *upload_size);
                if (rc == DYNBUF_NOMEM) return MHD_NO;
                if (rc == DYNBUF_TOO_BIG) q->too_large = 1; /* the dynbuf is empty again */
            }
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (q->too_large)
        return s->sf && staff_is_path(url) ? staff_too_large(s->sf, c)
                                           : error(c, MHD_HTTP_CONTENT_TOO_LARGE, "request body too large");
    if (q->busy) return busy(c);
    if (s->sf && staff_is_path(url)) return staff_handle(s->sf, c, url, method, body_ptr(q), body_len(q));
    if (!strcmp(url, "/v1/health") && (!strcmp(method, "GET") || !strcmp(method, "HEAD")))
        return reply(c, MHD_HTTP_OK, json_pack("{s:b, s:i, s:i}", "ok", 1, "api", HUB_API_VERSION, "results",
                                                hubstore_count_results(h->st)));
    if (!strcmp(url, "/v1/enroll")) {
        if (strcmp(method, "POST")) return error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use POST");
        return do_enroll(h, c, q);
    }
    if (!strcmp(url, "/v1/results")) {
        if (strcmp(method, "POST")) return error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use POST");
        return do_result(h, c, q);
    }
    return error(c, MHD_HTTP_NOT_FOUND, "no such endpoint (API v1: /v1/health, /v1/enroll, /v1/results)");
}

int server_run(hub *h, staff *sf, const char *listen, volatile sig_atomic_t *stop, char **why)
{
    char host[256];
    const char *colon = strrchr(listen, ':');
    if (!colon || colon == listen || (size_t)(colon - listen) >= sizeof host) {
        *why = fileio_fmt("--listen must be HOST:PORT, e.g. 127.0.0.1:8080");
        return -1;
    }
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = 0;
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port < 1 || port > 65535) {
        *why = fileio_fmt("port must be 1-65535");
        return -1;
    }
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
        *why = fileio_fmt("HOST must be an IPv4 address such as 127.0.0.1");
        return -1;
    }
    srv s = {.h = h, .sf = sf};
    if (connwatch_init(&s.w, "examhub", SERVER_HEADER_S)) {
        *why = fileio_fmt("cannot create a mutex");
        return -1;
    }
    s.w.closed = conn_closed;
    s.w.ctx = &s;
    /* a pool of two threads (one per core of a small server): decryption,
     * signature and JSON checks run in parallel; storage is serialised in
     * hubstore, and every result is committed before its receipt is sent.
     * The limits under abuse: server.h. */
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, (uint16_t)port, NULL, NULL, handler, &s,
        MHD_OPTION_EXTERNAL_LOGGER, connwatch_log, &s.w, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)SERVER_THREADS,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)SERVER_TIMEOUT_S,
        MHD_OPTION_CONNECTION_LIMIT, SERVER_CONNECTIONS, MHD_OPTION_PER_IP_CONNECTION_LIMIT, SERVER_PER_ADDR,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, SERVER_CONN_MEMORY, MHD_OPTION_NOTIFY_CONNECTION, connwatch_notify, &s.w,
        MHD_OPTION_NOTIFY_COMPLETED, completed, &s, MHD_OPTION_END);
    if (!d) {
        connwatch_destroy(&s.w);
        *why = fileio_fmt("cannot listen on %s (in use, or not an address of this machine)", listen);
        return -1;
    }
    while (!*stop) { /* every 100 ms: cut the connections past their deadlines */
        usleep(100000);
        connwatch_cut_late(&s.w);
    }
    MHD_stop_daemon(d);
    connwatch_destroy(&s.w);
    return 0;
}
