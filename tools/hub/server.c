/* server: HTTP API of the results hub on libmicrohttpd. */
#include "tools/hub/server.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/dynbuf.h"
#include "core/fileio.h"
#include "core/receipt.h"

/* A request's body, as it arrives. Its limit is the endpoint's:
 * HUB_MAX_RESULT_BYTES for a sealed result (the most hub_ingest accepts),
 * SERVER_MAX_JSON for the small JSON of the other endpoints; a longer body
 * is read to its end, discarded and answered 413. */
typedef struct req {
    dynbuf body;
    int too_large;
} req;

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, json_t *obj)
{
    char *text = json_dumps(obj, JSON_COMPACT);
    json_decref(obj);
    if (!text) return MHD_NO;
    size_t n = strlen(text);
    struct MHD_Response *r = MHD_create_response_from_buffer(n, text, MHD_RESPMEM_MUST_FREE);
    if (!r) { free(text); return MHD_NO; }
    MHD_add_response_header(r, "Content-Type", "application/json");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    enum MHD_Result rc = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return rc;
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
    if (server_parse_enroll(dynbuf_ptr(&q->body), dynbuf_len(&q->body), &er))
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
    ingest_rc rc = hub_ingest(h, (const uint8_t *)dynbuf_ptr(&q->body), dynbuf_len(&q->body), NULL, kiosk, now_s(), rid,
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

static void completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    req *q = *con_cls;
    if (q) {
        dynbuf_free(&q->body);
        free(q);
    }
    *con_cls = NULL;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                               const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
    (void)version;
    hub *h = cls;
    req *q = *con_cls;
    if (!q) { /* first call: headers only */
        q = calloc(1, sizeof *q);
        if (!q) return MHD_NO;
        size_t limit = !strcmp(url, "/v1/results") ? HUB_MAX_RESULT_BYTES : SERVER_MAX_JSON;
        dynbuf_init(&q->body, limit);
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl && strtoull(cl, NULL, 10) > limit) q->too_large = 1;
        *con_cls = q;
        return MHD_YES;
    }
    if (*upload_size) { /* body arrives in pieces; keep at most the limit */
        if (!q->too_large) {
            dynbuf_rc rc = dynbuf_add(&q->body, upload, *upload_size);
            if (rc == DYNBUF_NOMEM) return MHD_NO;
            if (rc == DYNBUF_TOO_BIG) q->too_large = 1; /* the dynbuf is empty again */
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (q->too_large) return error(c, MHD_HTTP_CONTENT_TOO_LARGE, "request body too large");
    if (!strcmp(url, "/v1/health") && !strcmp(method, "GET"))
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

int server_run(hub *h, const char *listen, volatile sig_atomic_t *stop, char **why)
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
    /* a pool of two threads (one per core of a small server): decryption,
     * signature and JSON checks run in parallel; storage is serialised in
     * hubstore, and every result is committed before its receipt is sent */
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, (uint16_t)port, NULL, NULL, handler, h,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)SERVER_THREADS,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)SERVER_TIMEOUT_S,
        MHD_OPTION_CONNECTION_LIMIT, 256u, MHD_OPTION_NOTIFY_COMPLETED, completed, NULL, MHD_OPTION_END);
    if (!d) {
        *why = fileio_fmt("cannot listen on %s (in use, or not an address of this machine)", listen);
        return -1;
    }
    while (!*stop) usleep(200000);
    MHD_stop_daemon(d);
    return 0;
}
