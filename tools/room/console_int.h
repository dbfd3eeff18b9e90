/* console_int: what the room console's modules share (not an API): the
 * server's state, a request, a session, and the common pieces of console.c.
 * console.c: the server, sessions, log-in, dispatch; pages.c: the seat map;
 * actions.c: the invigilators' unlock, confirm and actions; seatapi.c: the
 * seats' hello and reports. */
#ifndef ROOM_CONSOLE_INT_H
#define ROOM_CONSOLE_INT_H

#include <arpa/inet.h>
#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <sodium.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dynbuf.h"
#include "core/roomproto.h"
#include "core/roster.h"
#include "tools/hub/connwatch.h"
#include "tools/room/console.h"
#include "tools/room/roomstate.h"
#include "tools/room/roomstore.h"

#define COOKIE_SESSION "room_session"
#define COOKIE_PRE "room_pre" /* before log-in: the log-in form's CSRF token is its MAC */
#define TOKEN_HEX 65          /* 32 random bytes as hex */

typedef struct session {
    char token[TOKEN_HEX], csrf[TOKEN_HEX];
    int64_t expires; /* wall clock, s */
    int used;
} session;

/* what the console last saw of a seat (journal_changes) */
typedef struct seat_mem {
    char kid[17];
    int phase;
    unsigned flags;
    uint32_t focus;
    uint8_t tag[ROOMPROTO_TAG_BYTES];
    int64_t window_ms; /* the minute of its journal rows (at most CONSOLE_SEAT_EVENTS a minute) */
    int events;
} seat_mem;

typedef struct srv {
    const console_cfg *cfg;
    roomstate st;       /* the content key, the PIN verifier, the roster (its own mutex) */
    seat_mem mem[CONSOLE_MAX_SEATS]; /* under mu */
    int nmem;
    pthread_mutex_t mu; /* sessions, log-in failures, the refused-hello window */
    connwatch w;        /* the connections and their deadlines, MHD's log (as the hub's) */
    session sessions[CONSOLE_SESSIONS];
    int fails;
    int64_t locked_until;
    uint8_t login_key[crypto_auth_KEYBYTES]; /* MACs the log-in form's token; new at every start */
    int64_t refused_window; /* refused hellos: at most 20 a minute in the journal */
    long refused;
    pthread_mutex_t login_mu; /* one password check at a time (Argon2id takes 64 MiB) */
} srv;

typedef struct req {
    dynbuf body;
    int too_large;
} req;

/* ---- console.c: the server's common pieces -------------------------------------- */
int64_t con_mono_ms(void);
int64_t con_now_s(void);
int64_t con_now_ms(void); /* wall clock */
void con_peer(struct MHD_Connection *c, char out[INET_ADDRSTRLEN]);
enum MHD_Result con_reply_json(struct MHD_Connection *c, unsigned status, json_t *obj);
enum MHD_Result con_json_error(struct MHD_Connection *c, unsigned status, const char *msg);
/* one line of text/plain (the seat API's refusals) */
enum MHD_Result con_reply_text(struct MHD_Connection *c, unsigned status, const char *msg);
/* an HTML page (B's text) with the console's security headers; COOKIE,
 * COOKIE2 (or NULL) and, for a redirect, LOCATION */
enum MHD_Result con_reply_html(struct MHD_Connection *c, unsigned status, dynbuf *b, const char *cookie,
                               const char *cookie2, const char *location);
enum MHD_Result con_redirect(struct MHD_Connection *c, const char *location, const char *cookie, const char *cookie2);
/* a 403 page saying MSG, with a link back */
enum MHD_Result con_forbidden(struct MHD_Connection *c, const char *msg);
/* HTML: S escaped (& < > " '); formatted text as is (the caller's own) */
void con_esc(dynbuf *b, const char *s);
void con_out(dynbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* the page's head with the console's style; LIVE: reload every 2 s without script */
void con_page_head(dynbuf *b, const char *title, int live);
/* the value of form field NAME (its NTH occurrence from 0) of an
 * x-www-form-urlencoded BODY, decoded, into OUT (SIZE): 1, or 0 when
 * absent, malformed (a NUL), or too long */
int con_form_field(const char *body, size_t len, const char *name, char *out, size_t size);
int con_form_field_n(const char *body, size_t len, const char *name, int nth, char *out, size_t size);
/* a POST of the logged-in console: the session's CSRF token came with it */
int con_csrf_ok(const req *q, const session *k);
/* 1 when a ticket tag is all zero (nobody logged in) */
int con_tag_zero(const uint8_t *t);

/* ---- pages.c: the seat map -------------------------------------------------------- */
/* what the page knows of one seat: its pairing row and its latest report */
typedef struct seat_view {
    room_seat seat;
    int have;                 /* a verified report is stored */
    roomproto_report r;
    int64_t at_ms;            /* the console's clock of that report */
    char diverged[200];
    char ticket[ROSTER_TICKET_MAX + 1];
    char name[ROOMPROTO_NAME_MAX + 1];
    int extra_minutes;        /* the roster's planned extra time of that ticket */
    int same_ticket;          /* seats showing the same ticket tag */
} seat_view;

typedef struct view {
    seat_view *v;
    int n;
    int unlocked;
    char pack_hex[33], title[256];
} view;

typedef struct seen_set {
    char (*tickets)[ROSTER_TICKET_MAX + 1];
    size_t n, cap;
} seen_set;

/* the seats and their reports (W->v malloc'd, caller frees): 0, or -1 on a storage error */
int pages_view_load(srv *s, view *w);
/* roomstore_seen callback filling a seen_set with the resolved tickets; and its lookup */
void pages_seen_add(void *ctx, const char *tag, const char *ticket, const char *pack, const char *kiosk_id,
                    int64_t first_ms, int64_t last_ms);
int pages_seen_has(const seen_set *ss, const char *ticket);
/* GET /: the whole page (MSG: a line on top, or NULL); GET /seats: its live part; GET /console.js */
enum MHD_Result pages_map(srv *s, struct MHD_Connection *c, const session *k, const char *msg);
enum MHD_Result pages_seats(srv *s, struct MHD_Connection *c, const session *k);
enum MHD_Result pages_js(struct MHD_Connection *c);

/* ---- actions.c: the invigilators' POSTs ---------------------------------------------- */
enum MHD_Result pages_action(srv *s, struct MHD_Connection *c, const req *q, const session *k);  /* POST /action */
enum MHD_Result pages_unlock(srv *s, struct MHD_Connection *c, const req *q, const session *k);  /* POST /unlock */
enum MHD_Result pages_confirm(srv *s, struct MHD_Connection *c, const req *q, const session *k); /* POST /seat/confirm */
enum MHD_Result pages_record(srv *s, struct MHD_Connection *c);                                  /* GET /record */

/* ---- seatapi.c: the seats' API ---------------------------------------------------------- */
enum MHD_Result seatapi_hello(srv *s, struct MHD_Connection *c, const req *q);  /* POST /v1/seat/hello */
enum MHD_Result seatapi_report(srv *s, struct MHD_Connection *c, const req *q); /* POST /v1/seat/report */
/* roomstore_statuses callback: what the console saw of each seat before a restart */
void seatapi_mem_load(void *ctx, const room_status *st);

#endif
