/* sync/roomclient: see roomclient.h. */
#include "tools/sync/roomclient.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/authority.h"
#include "core/fileio.h"
#include "core/roomproto.h"
#include "core/store.h"
#include "tools/room/hello.h"
#include "tools/sync/http.h"

/* Report counters are kept in blocks: the meta row holds the end of the
 * block in use, written once per ROOM_COUNTER_BLOCK reports, so a report a
 * second does not mean a write a second, and a crash (which loses the rest
 * of a block) can never make a counter go back. */
#define ROOM_COUNTER_BLOCK 100000u
#define ROOM_COUNTER_KEY "room_report_counter"

struct room_client {
    store *st;
    char *console;
    char kiosk_id[ROOMPROTO_KIOSK_ID_LEN + 1];
    char site[ROOMPROTO_SITE_MAX + 1], room[ROOMPROTO_ROOM_MAX + 1], seat[ROOMPROTO_SEAT_MAX + 1];
    char device_pk[65];
    uint8_t sk[crypto_sign_SECRETKEYBYTES];
    uint64_t next, block_end; /* the next report counter; the block's end (stored) */
};

static int copy_meta(store *st, const char *key, char *out, size_t size)
{
    char *v = store_meta_get(st, key);
    int ok = v && *v && strlen(v) < size;
    if (ok) memcpy(out, v, strlen(v) + 1);
    free(v);
    return ok;
}

int room_client_open(const char *dir, const char *console, room_client **out, char **why)
{
    *out = NULL;
    *why = NULL;
    room_client *c = calloc(1, sizeof *c);
    if (!c) return *why = fileio_fmt("out of memory"), -1;
    if (store_open(dir, 0, &c->st, why)) {
        free(c);
        return -1;
    }
    char *keypath = fileio_fmt("%s/device.key", dir);
    if (!copy_meta(c->st, "kiosk_id", c->kiosk_id, sizeof c->kiosk_id) ||
        !copy_meta(c->st, "site", c->site, sizeof c->site) || !copy_meta(c->st, "room", c->room, sizeof c->room) ||
        !copy_meta(c->st, "seat", c->seat, sizeof c->seat) ||
        !copy_meta(c->st, "device_pk", c->device_pk, sizeof c->device_pk))
        *why = fileio_fmt("%s: not provisioned (examsync init)", dir);
    else if (authority_load_device_sk(keypath, c->sk, why) && !*why)
        *why = fileio_fmt("%s: cannot read the device key", keypath);
    free(keypath);
    if (*why) {
        room_client_close(c);
        return -1;
    }
    c->console = fileio_fmt("%s", console);
    *out = c;
    return 0;
}

void room_client_close(room_client *c)
{
    if (!c) return;
    sodium_memzero(c->sk, sizeof c->sk);
    store_close(c->st);
    free(c->console);
    free(c);
}

/* the next report counter, reserving a new block when the stored one is used up */
static int next_counter(room_client *c, uint64_t *out, char **why)
{
    if (c->next >= c->block_end) {
        char *v = store_meta_get(c->st, ROOM_COUNTER_KEY);
        uint64_t end = v ? strtoull(v, NULL, 10) : 0;
        free(v);
        char text[32];
        snprintf(text, sizeof text, "%llu", (unsigned long long)(end + ROOM_COUNTER_BLOCK));
        if (store_meta_set(c->st, ROOM_COUNTER_KEY, text) != STORE_OK) {
            *why = fileio_fmt("cannot keep the report counter: %s", store_strerror(c->st));
            return -1;
        }
        c->next = end + 1;
        c->block_end = end + ROOM_COUNTER_BLOCK;
    }
    *out = c->next++;
    return 0;
}

static uint64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* The report of this round: what the kiosk last wrote, the journal as it
 * stands on disk. A kiosk that has not written for ROOM_SILENT_MS (not
 * running, hung) is reported as such, so that the console never shows a
 * sitting as live on the word of examsync alone. */
#define ROOM_SILENT_MS 10000u

static int build_report(room_client *c, roomproto_report *r, char **why)
{
    memset(r, 0, sizeof *r);
    memcpy(r->kiosk_id, c->kiosk_id, sizeof r->kiosk_id);
    memcpy(r->site, c->site, sizeof r->site);
    memcpy(r->room, c->room, sizeof r->room);
    memcpy(r->seat, c->seat, sizeof r->seat);
    r->wall_ms = wall_ms();
    store_room_status s;
    store_rc rc = store_room_status_get(c->st, &s);
    if (rc == STORE_OK) {
        r->phase = (uint8_t)s.phase;
        r->flags = (uint16_t)s.flags;
        memcpy(r->pack_id, s.pack_id, sizeof r->pack_id);
        memcpy(r->ticket_tag, s.ticket_tag, sizeof r->ticket_tag);
        r->answered = s.answered;
        r->total = s.total;
        r->time_left_ms = s.time_left_ms;
        r->focus_losses = s.focus_losses;
        memcpy(r->name_box, s.name_box, s.name_box_len);
        r->name_box_len = s.name_box_len;
        r->last_command = s.last_command;
        if (s.updated_ms + ROOM_SILENT_MS < (int64_t)r->wall_ms) r->flags |= ROOMPROTO_FLAG_KIOSK_SILENT;
    } else if (rc == STORE_NOTFOUND)
        r->flags |= ROOMPROTO_FLAG_KIOSK_SILENT; /* the kiosk has never run here */
    else
        return *why = fileio_fmt("cannot read the kiosk's status: %s", store_strerror(c->st)), -1;
    int64_t count = 0;
    if (store_journal_head(c->st, r->journal_head, &count) != STORE_OK)
        return *why = fileio_fmt("cannot read the journal head: %s", store_strerror(c->st)), -1;
    r->journal_count = (uint64_t)count;
    if (!count) memset(r->journal_head, 0, sizeof r->journal_head);
    return next_counter(c, &r->counter, why);
}

/* Stores the frames of a 200 answer. Frames are relayed, not trusted: the
 * kiosk verifies each; here only the framing and the magic are checked, so
 * that garbage never reaches kiosk.db. */
static int store_frames(room_client *c, const uint8_t *p, size_t n, room_round *out, char **why)
{
    int frames = 0;
    while (n) {
        if (n < 2) return *why = fileio_fmt("console answer: a frame's length is cut short"), 1;
        size_t len = (size_t)p[0] | (size_t)p[1] << 8;
        p += 2, n -= 2;
        if (len < 4 || len > n || len > ROOM_FRAME_MAX || ++frames > ROOM_ANSWER_FRAMES)
            return *why = fileio_fmt("console answer: a frame of %zu bytes does not fit", len), 1;
        if (!memcmp(p, "EXRC", 4)) {
            roomproto_command cmd;
            const char *w = NULL;
            if (len > ROOMPROTO_CMD_MAX_BYTES || roomproto_command_peek(p, len, &cmd, &w) != ROOMPROTO_OK)
                return *why = fileio_fmt("console answer: a command that does not decode: %s", w ? w : "too long"), 1;
            if (store_room_inbox_add(c->st, cmd.counter, p, len, (int64_t)wall_ms()) != STORE_OK)
                return *why = fileio_fmt("cannot store a command: %s", store_strerror(c->st)), -1;
            out->commands++;
        } else if (!memcmp(p, "EXRA", 4)) {
            if (store_room_active_put(c->st, p, len) != STORE_OK)
                return *why = fileio_fmt("cannot store the active tickets: %s", store_strerror(c->st)), -1;
            out->active = 1;
        } else
            return *why = fileio_fmt("console answer: a frame of an unknown kind"), 1;
        p += len, n -= len;
    }
    return 0;
}

/* What the console says goes to the lab PC's log and terminal: only its
 * printable characters up to the first line break, at most CAP - 1 bytes
 * (a hostile console's escape sequences never reach a terminal). */
static void printable(const char *in, char *out, size_t cap)
{
    size_t n = 0;
    for (const char *s = in ? in : ""; *s && *s != '\n' && n < cap - 1; s++)
        if ((unsigned char)*s >= 0x20 && *s != 0x7f) out[n++] = *s;
    out[n] = 0;
}

/* a signed hello (pairing: the device key's public half goes with it) */
static int hello(room_client *c, room_round *out, char **why)
{
    hello_fields h = {c->kiosk_id, c->site, c->room, c->device_pk, atoi(c->seat), (int64_t)(wall_ms() / 1000u)};
    char sig[129];
    if (hello_sign(&h, c->sk, sig, why)) return 1;
    json_t *req = json_pack("{s:s, s:s, s:s, s:i, s:s, s:I, s:s}", "kiosk_id", h.kiosk_id, "site", h.site, "room",
                            h.room, "seat", h.seat, "device_pk", h.device_pk, "time", (json_int_t)h.time, "sig", sig);
    char *text = req ? json_dumps(req, JSON_COMPACT) : NULL;
    json_decref(req);
    if (!text) return *why = fileio_fmt("out of memory"), -1;
    dynbuf b;
    dynbuf_init(&b, 4096);
    sync_post_opts po = {"application/json", NULL, 5, 10};
    long status = sync_post(c->console, "/v1/seat/hello", &po, text, strlen(text), &b, why);
    free(text);
    json_error_t je;
    json_t *ans = status ? json_loadb(dynbuf_ptr(&b), dynbuf_len(&b), 0, &je) : NULL;
    dynbuf_free(&b);
    const char *state = json_string_value(json_object_get(ans, "state"));
    const char *err = json_string_value(json_object_get(ans, "error"));
    int rc = status == 200 ? 0 : status ? 1 : -1;
    char shown[161];
    if (status == 200) {
        /* a state is a word (unconfirmed, confirmed, duplicate): anything else is shown as unknown */
        int word = state && *state && strlen(state) < sizeof out->seat_state;
        for (const char *s = state; word && *s; s++) word = (*s >= 'a' && *s <= 'z') || *s == '_';
        snprintf(out->seat_state, sizeof out->seat_state, "%s", word ? state : "unknown");
    } else if (status) {
        printable(err, shown, sizeof shown);
        *why = fileio_fmt("the console refused the hello (HTTP %ld): %s", status, *shown ? shown : "no reason");
    }
    json_decref(ans);
    return rc;
}

int room_client_round(room_client *c, room_round *out, char **why)
{
    memset(out, 0, sizeof *out);
    *why = NULL;
    roomproto_report r;
    if (build_report(c, &r, why)) return -1;
    out->counter = r.counter;
    uint8_t buf[ROOMPROTO_REPORT_MAX];
    size_t len = 0;
    const char *w = NULL;
    if (roomproto_report_sign(&r, c->sk, buf, &len, &w) != ROOMPROTO_OK)
        return *why = fileio_fmt("cannot make the report: %s", w), 1;
    uint64_t after = 0;
    if (store_room_inbox_max(c->st, &after) != STORE_OK)
        return *why = fileio_fmt("cannot read the command inbox: %s", store_strerror(c->st)), -1;
    char path[64];
    snprintf(path, sizeof path, "/v1/seat/report?after=%llu", (unsigned long long)after);
    dynbuf b;
    dynbuf_init(&b, ROOM_ANSWER_MAX);
    sync_post_opts po = {"application/octet-stream", NULL, 3, 10};
    out->status = sync_post(c->console, path, &po, buf, len, &b, why);
    int rc;
    if (out->status == 200)
        rc = store_frames(c, (const uint8_t *)dynbuf_ptr(&b), dynbuf_len(&b), out, why);
    else if (out->status == 404) /* the console does not know this seat yet: pair */
        rc = hello(c, out, why);
    else if (out->status) {
        /* the console's one-line reason, printable characters only */
        char reason[161];
        printable(dynbuf_ptr(&b), reason, sizeof reason);
        size_t n = strlen(reason);
        if (out->status == 403 && n >= 16 && !memcmp(reason, "unconfirmed seat", 16)) {
            /* paired, the contact recorded: waiting for the invigilator's confirmation */
            snprintf(out->seat_state, sizeof out->seat_state, "unconfirmed");
            rc = 0;
        } else {
            *why = fileio_fmt("the console refused the report (HTTP %ld): %s", out->status, n ? reason : "no reason");
            rc = 1;
        }
    } else
        rc = -1;
    dynbuf_free(&b);
    return rc;
}
