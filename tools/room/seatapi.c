/* seatapi: the seats' side of the console (see console_int.h): the pairing
 * hello and the reports, answered with the frames for the seat. */
#include "tools/room/console_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tools/room/hello.h"

static const char *roomproto_phase_en(int p)
{
    static const char *const P[] = {"locked", "set_pin", "login", "confirm", "instructions",
                                    "running", "paused", "done", "resume"};
    return p >= 0 && p <= ROOMPROTO_PHASE_MAX ? P[p] : "?";
}

/* ---- the seat API ---------------------------------------------------------------- */

enum MHD_Result seatapi_hello(srv *s, struct MHD_Connection *c, const req *q)
{
    json_error_t err;
    json_t *in = json_loadb(dynbuf_ptr(&q->body), dynbuf_len(&q->body), JSON_REJECT_DUPLICATES, &err);
    hello_fields h = {0};
    json_int_t seat = 0, t = 0;
    const char *sig = NULL;
    if (!in || json_unpack_ex(in, &err, JSON_STRICT, "{s:s, s:s, s:s, s:I, s:s, s:I, s:s}", "kiosk_id", &h.kiosk_id,
                              "site", &h.site, "room", &h.room, "seat", &seat, "device_pk", &h.device_pk, "time", &t,
                              "sig", &sig)) {
        json_decref(in);
        return con_json_error(c, MHD_HTTP_BAD_REQUEST,
                          "malformed hello: expected JSON {kiosk_id, site, room, seat, device_pk, time, sig}");
    }
    h.seat = seat < 1 || seat > 999 ? 0 : (int)seat;
    h.time = t;
    const char *why = NULL;
    char detail[400], ip[INET_ADDRSTRLEN];
    con_peer(c, ip);
    enum MHD_Result out_;
    int64_t now = con_now_s();
    if (hello_verify(&h, sig, &why)) {
        out_ = con_json_error(c, MHD_HTTP_FORBIDDEN, why);
    } else if (strcmp(h.site, s->cfg->site) || strcmp(h.room, s->cfg->room)) {
        snprintf(detail, sizeof detail, "wrong room: the kiosk is of site %s room %s, this console is site %s room %s",
                 h.site, h.room, s->cfg->site, s->cfg->room);
        why = detail;
        out_ = con_json_error(c, MHD_HTTP_FORBIDDEN, detail);
    } else if (h.time < now - HELLO_MAX_SKEW_S || h.time > now + HELLO_MAX_SKEW_S) {
        why = "stale hello: its time is more than 300 s from the console's clock (replayed, or a clock to set)";
        out_ = con_json_error(c, MHD_HTTP_FORBIDDEN, why);
    } else {
        room_seat known;
        int k = roomstore_seat(s->cfg->rs, h.kiosk_id, &known);
        if (k < 0) {
            out_ = con_json_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "storage error");
        } else if (k == 0 && !hello_id_matches(h.kiosk_id, h.device_pk)) {
            why = "kiosk_id is not the id of device_pk";
            out_ = con_json_error(c, MHD_HTTP_FORBIDDEN, why);
        } else {
            char state[16];
            int rc = roomstore_hello(s->cfg->rs, h.kiosk_id, h.device_pk, h.seat, now, state);
            if (rc < 0) out_ = con_json_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "storage error");
            else if (rc > 0)
                out_ = con_reply_json(c, MHD_HTTP_CONFLICT,
                                  json_pack("{s:b, s:s, s:s}", "ok", 0, "state", state, "error",
                                            "kiosk_id already paired with another device key: both are shown as "
                                            "duplicate; the invigilator must check the seat"));
            else
                out_ = con_reply_json(c, MHD_HTTP_OK, json_pack("{s:b, s:s, s:s, s:s}", "ok", 1, "kiosk_id", h.kiosk_id,
                                                           "state", state, "room", s->cfg->room));
        }
    }
    if (why) { /* refusals in the journal, at most 20 a minute (a flood must not fill the disk) */
        pthread_mutex_lock(&s->mu);
        int64_t m = con_mono_ms();
        if (m - s->refused_window >= 60000) s->refused_window = m, s->refused = 0;
        int show = s->refused++ < 20;
        pthread_mutex_unlock(&s->mu);
        if (show) {
            char line[600];
            snprintf(line, sizeof line, "from %s kiosk %.16s seat %d: %s", ip, h.kiosk_id ? h.kiosk_id : "?", h.seat, why);
            roomstore_log(s->cfg->rs, now, "seat", "hello-refused", line);
        }
    }
    json_decref(in);
    return out_;
}

/* ---- seat reports -------------------------------------------------------------- */


/* what the console last saw of a seat, to journal changes (phase, alerts,
 * focus losses) once each: loaded from room.db at start */
static seat_mem *mem_of(srv *s, const char *kid)
{
    for (int i = 0; i < s->nmem; i++)
        if (!strcmp(s->mem[i].kid, kid)) return &s->mem[i];
    if (s->nmem == CONSOLE_MAX_SEATS) return NULL;
    seat_mem *m = &s->mem[s->nmem++];
    memset(m, 0, sizeof *m);
    snprintf(m->kid, sizeof m->kid, "%s", kid);
    m->phase = -1;
    return m;
}

void seatapi_mem_load(void *ctx, const room_status *st)
{
    srv *s = ctx;
    roomproto_report r;
    const char *why;
    if (roomproto_report_peek(st->report, st->len, &r, &why) != ROOMPROTO_OK) return;
    seat_mem *m = mem_of(s, st->kiosk_id);
    if (!m) return;
    m->phase = r.phase;
    m->flags = r.flags;
    m->focus = r.focus_losses;
    memcpy(m->tag, r.ticket_tag, sizeof m->tag);
}

/* the events of a new report against the last one seen: journaled */
static void journal_changes(srv *s, const roomproto_report *r, const char *ticket)
{
    char lines[6][300];
    int n = 0;
    pthread_mutex_lock(&s->mu);
    seat_mem *m = mem_of(s, r->kiosk_id);
    if (m) {
        char tagtxt[40];
        snprintf(tagtxt, sizeof tagtxt, "tag %02x%02x%02x%02x… (not yet resolved)", r->ticket_tag[0], r->ticket_tag[1],
                 r->ticket_tag[2], r->ticket_tag[3]);
        const char *who = *ticket ? ticket : tagtxt;
        if (m->phase != r->phase)
            snprintf(lines[n++], sizeof lines[0], "kiosk %s seat %s: phase %s (%d)%s%s", r->kiosk_id, r->seat,
                     roomproto_phase_en(r->phase), r->phase, con_tag_zero(r->ticket_tag) ? "" : ", ticket ",
                     con_tag_zero(r->ticket_tag) ? "" : who);
        static const struct { unsigned bit; const char *what; } A[] = {
            {ROOMPROTO_FLAG_STORAGE_ALERT, "storage alert"},   {ROOMPROTO_FLAG_INTEGRITY_ALERT, "integrity alert"},
            {ROOMPROTO_FLAG_PIN_LOCKED, "PIN entry locked"},  {ROOMPROTO_FLAG_DUPLICATE_LOGIN, "duplicate login refused"},
            {ROOMPROTO_FLAG_RESUME_WAITING, "crashed sitting waits for resume"}};
        for (size_t i = 0; i < sizeof A / sizeof *A && n < 5; i++)
            if ((r->flags & A[i].bit) && !(m->flags & A[i].bit))
                snprintf(lines[n++], sizeof lines[0], "kiosk %s seat %s: %s", r->kiosk_id, r->seat, A[i].what);
        if (r->focus_losses > m->focus && n < 6)
            snprintf(lines[n++], sizeof lines[0], "kiosk %s seat %s: focus losses %u (ticket %s)", r->kiosk_id, r->seat,
                     r->focus_losses, who);
        m->phase = r->phase;
        m->flags = r->flags;
        m->focus = r->focus_losses;
        /* a seat that flips its state at every report must not fill the disk with journal rows */
        int64_t t = con_mono_ms();
        if (t - m->window_ms >= 60000) m->window_ms = t, m->events = 0;
        if (m->events + n > CONSOLE_SEAT_EVENTS) n = CONSOLE_SEAT_EVENTS - m->events > 0 ? CONSOLE_SEAT_EVENTS - m->events : 0;
        m->events += n;
    }
    pthread_mutex_unlock(&s->mu);
    for (int i = 0; i < n; i++)
        roomstore_log(s->cfg->rs, con_now_s(), "seat", strstr(lines[i], "focus losses") ? "focus" :
                                                   strstr(lines[i], ": phase ") ? "phase" : "alert", lines[i]);
}

typedef struct frames {
    dynbuf b;
    int n;
} frames;

static void add_frame(void *ctx, uint64_t counter, const uint8_t *bytes, size_t len);

typedef struct actives {
    roomproto_active_entry e[ROOMPROTO_ACTIVE_MAX];
    int n;
} actives;

static void active_of(void *ctx, const room_status *st)
{
    actives *a = ctx;
    roomproto_report r;
    const char *why;
    if (a->n == ROOMPROTO_ACTIVE_MAX || roomproto_report_peek(st->report, st->len, &r, &why) != ROOMPROTO_OK ||
        con_tag_zero(r.ticket_tag))
        return;
    memcpy(a->e[a->n].ticket_tag, r.ticket_tag, ROOMPROTO_TAG_BYTES);
    snprintf(a->e[a->n].kiosk_id, sizeof a->e[a->n].kiosk_id, "%s", r.kiosk_id);
    a->n++;
}

/* the active tickets (EXRA) go first once the room is unlocked: every
 * seat's ticket tag with a candidate logged in or sitting (at most 64) */
static void active_frame(srv *s, frames *f)
{
    if (!roomstate_unlocked(&s->st, NULL, NULL)) return;
    actives *a = calloc(1, sizeof *a);
    uint8_t *buf = malloc(ROOMPROTO_ACTIVE_MAX_BYTES);
    size_t len = 0;
    if (a && buf && roomstore_statuses(s->cfg->rs, active_of, a) >= 0 &&
        roomstate_active(&s->st, a->e, a->n, buf, ROOMPROTO_ACTIVE_MAX_BYTES, &len) == 0)
        add_frame(f, 0, buf, len);
    free(a);
    free(buf);
}

static void add_frame(void *ctx, uint64_t counter, const uint8_t *bytes, size_t len)
{
    (void)counter;
    frames *f = ctx;
    uint8_t l[2] = {(uint8_t)(len & 0xff), (uint8_t)(len >> 8)};
    if (len > 0xffff || dynbuf_add(&f->b, l, 2) || dynbuf_add(&f->b, bytes, len)) return;
    f->n++;
}

enum MHD_Result seatapi_report(srv *s, struct MHD_Connection *c, const req *q)
{
    const uint8_t *buf = (const uint8_t *)dynbuf_ptr(&q->body);
    size_t len = dynbuf_len(&q->body);
    uint64_t after = 0;
    const char *a = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "after");
    if (a) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(a, &end, 10);
        if (!*a || *end || errno || a[0] == '-') return con_reply_text(c, MHD_HTTP_BAD_REQUEST, "after= must be a counter (decimal)");
        after = v;
    }
    roomproto_report r;
    const char *why = NULL;
    if (roomproto_report_peek(buf, len, &r, &why) != ROOMPROTO_OK)
        return con_reply_text(c, MHD_HTTP_BAD_REQUEST, why ? why : "not a seat report");
    room_seat seat;
    int found = roomstore_seat(s->cfg->rs, r.kiosk_id, &seat);
    if (found < 0) return con_reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "storage error");
    if (!found) return con_reply_text(c, MHD_HTTP_NOT_FOUND, "unknown seat");
    uint8_t pk[crypto_sign_PUBLICKEYBYTES];
    size_t n = 0;
    if (sodium_hex2bin(pk, sizeof pk, seat.device_pk, strlen(seat.device_pk), NULL, &n, NULL) || n != sizeof pk)
        return con_reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "room.db: the seat's device key does not read");
    if (roomproto_report_verify(buf, len, pk, &r, &why) != ROOMPROTO_OK)
        return con_reply_text(c, MHD_HTTP_BAD_REQUEST, why ? why : "the report does not verify");
    if (strcmp(r.site, s->cfg->site) || strcmp(r.room, s->cfg->room)) {
        char msg[400];
        snprintf(msg, sizeof msg, "wrong room: the seat is of site %s room %s, this console is site %s room %s", r.site,
                 r.room, s->cfg->site, s->cfg->room);
        return con_reply_text(c, MHD_HTTP_FORBIDDEN, msg);
    }
    /* the seat number the hello paired (the hello's is a number: "05" is seat 5) */
    long no = 0;
    int digits = 1;
    for (const char *p = r.seat; *p; p++) digits &= *p >= '0' && *p <= '9';
    if (digits && strlen(r.seat) <= 6) no = strtol(r.seat, NULL, 10);
    if (!digits || no != seat.seat)
        return con_reply_text(c, MHD_HTTP_NOT_FOUND, "unknown seat (its seat number changed: say hello again)");
    char tag[2 * ROOMPROTO_TAG_BYTES + 1] = "", pack[2 * ROOMPROTO_PACK_ID_BYTES + 1] = "",
         ticket[ROSTER_TICKET_MAX + 1] = "";
    static const uint8_t Z[ROOMPROTO_PACK_ID_BYTES];
    if (!con_tag_zero(r.ticket_tag)) {
        sodium_bin2hex(tag, sizeof tag, r.ticket_tag, sizeof r.ticket_tag);
        (void)roomstate_ticket(&s->st, r.ticket_tag, ticket, NULL, NULL);
    }
    if (memcmp(r.pack_id, Z, sizeof Z)) sodium_bin2hex(pack, sizeof pack, r.pack_id, sizeof r.pack_id);
    room_report_in in = {r.kiosk_id, r.counter, buf, len, r.journal_count, r.journal_head, con_now_ms(), tag, ticket, pack};
    int rc = roomstore_report(s->cfg->rs, &in, &why);
    if (rc < 0) return con_reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "storage error");
    if (rc == ROOM_REPORT_REPLAY) return con_reply_text(c, MHD_HTTP_CONFLICT, why);
    journal_changes(s, &r, ticket);
    if (!strcmp(seat.state, SEAT_UNCONFIRMED))
        return con_reply_text(c, MHD_HTTP_FORBIDDEN, "unconfirmed seat: an invigilator must confirm it on the console");
    if (strcmp(seat.state, SEAT_CONFIRMED))
        return con_reply_text(c, MHD_HTTP_FORBIDDEN, "duplicate seat: the invigilator must check it; it gets no commands");
    frames f = {.n = 0};
    dynbuf_init(&f.b, CONSOLE_MAX_FRAMES * (2 + ROOMPROTO_CMD_MAX_BYTES) + 2 + ROOMPROTO_ACTIVE_MAX_BYTES);
    active_frame(s, &f);
    if (roomstore_commands_for(s->cfg->rs, r.kiosk_id, after, CONSOLE_MAX_FRAMES - f.n, add_frame, &f) < 0) {
        dynbuf_free(&f.b);
        return con_reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "storage error");
    }
    size_t blen = 0;
    char *body = dynbuf_take(&f.b, &blen);
    struct MHD_Response *resp = MHD_create_response_from_buffer(blen, body, MHD_RESPMEM_MUST_FREE);
    if (!resp) { free(body); return MHD_NO; }
    MHD_add_response_header(resp, "Content-Type", "application/octet-stream");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    enum MHD_Result mrc = MHD_queue_response(c, MHD_HTTP_OK, resp);
    MHD_destroy_response(resp);
    return mrc;
}
