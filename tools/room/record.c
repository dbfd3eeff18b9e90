/* record: the signed room record (see record.h). */
#include "tools/room/record.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/authority.h"
#include "core/fileio.h"
#include "core/roster.h"
#include "tools/room/roomstate.h"

#define B64 sodium_base64_VARIANT_ORIGINAL

/* "LABEL <base64 of N bytes>\n" as the line after the header HEADER */
static int key_file(const char *path, const char *header, uint8_t *out, size_t n, char **why)
{
    unsigned char *buf;
    size_t len;
    if (fileio_read(path, 4096, &buf, &len, why)) return -1;
    size_t hl = strlen(header), got = 0;
    const char *b = (const char *)buf + hl, *e = b;
    int bad = len < hl + 5 || memcmp(buf, header, hl) || memcmp(b, "sign ", 5);
    if (!bad) {
        b += 5;
        for (e = b; *e && *e != '\n'; e++) {}
        bad = sodium_base642bin(out, n, b, (size_t)(e - b), NULL, &got, NULL, B64) || got != n;
    }
    sodium_memzero(buf, len);
    free(buf);
    if (bad) {
        sodium_memzero(out, n);
        *why = fileio_fmt("not a room console key file (want \"%.*s\" and a sign line)", (int)hl - 1, header);
        return -1;
    }
    return 0;
}

int record_load_key(const char *dir, uint8_t sk[crypto_sign_SECRETKEYBYTES], char **why)
{
    char *path = fileio_fmt("%s/console.key", dir);
    int rc = key_file(path, "exam-room-console-key v1\n", sk, crypto_sign_SECRETKEYBYTES, why);
    free(path);
    return rc;
}

int record_load_pub(const char *path, uint8_t pk[crypto_sign_PUBLICKEYBYTES], char **why)
{
    return key_file(path, "exam-room-console-pub v1\n", pk, crypto_sign_PUBLICKEYBYTES, why);
}

/* ---- the body ------------------------------------------------------------------ */

typedef struct mk {
    roomstore *rs;
    json_t *seats, *cands, *events, *packs, *heads;
    json_t *seen;   /* ticket -> {kiosk_id, pack, first, last} */
    json_t *absent; /* ticket -> seat */
    json_t *seatno; /* kiosk id -> seat number */
    json_t *diverged; /* kiosk id -> why */
    int bad;
} mk;

static void add(mk *m, json_t *arr, json_t *v)
{
    if (!v || json_array_append_new(arr, v)) m->bad = 1;
}

static int pack_id(void *ctx, const char *id, const char *title, int level, const uint8_t *b, size_t len)
{
    (void)title, (void)level, (void)b, (void)len;
    mk *m = ctx;
    add(m, m->packs, json_string(id));
    return 0;
}

static void head_row(void *ctx, uint64_t count, const uint8_t *head, int64_t at_ms)
{
    mk *m = ctx;
    char hex[2 * ROOMPROTO_HEAD_BYTES + 1];
    sodium_bin2hex(hex, sizeof hex, head, ROOMPROTO_HEAD_BYTES);
    add(m, m->heads, json_pack("{s:I, s:s, s:I}", "count", (json_int_t)count, "head", hex, "at_ms", (json_int_t)at_ms));
}

static void status_row(void *ctx, const room_status *st)
{
    mk *m = ctx;
    if (*st->diverged) json_object_set_new(m->diverged, st->kiosk_id, json_string(st->diverged));
}

static void seen_row(void *ctx, const char *tag, const char *ticket, const char *pack, const char *kiosk_id,
                     int64_t first_ms, int64_t last_ms)
{
    (void)tag;
    mk *m = ctx;
    if (!*ticket) return; /* a tag the console never held the key for */
    json_t *o = json_object_get(m->seen, ticket);
    if (!o) {
        json_object_set_new(m->seen, ticket,
                            json_pack("{s:s, s:s, s:I, s:I}", "kiosk_id", kiosk_id, "pack", pack, "first",
                                      (json_int_t)first_ms, "last", (json_int_t)last_ms));
        return;
    }
    if (first_ms < json_integer_value(json_object_get(o, "first")))
        json_object_set_new(o, "first", json_integer(first_ms));
    if (last_ms > json_integer_value(json_object_get(o, "last"))) json_object_set_new(o, "last", json_integer(last_ms));
}

static void absent_row(void *ctx, const char *ticket, int seat, int64_t at, const char *actor)
{
    (void)at, (void)actor;
    mk *m = ctx;
    json_object_set_new(m->absent, ticket, json_integer(seat));
}

static void event_row(void *ctx, int64_t at, const char *actor, const char *action, const char *detail)
{
    mk *m = ctx;
    add(m, m->events,
        json_pack("{s:I, s:s, s:s, s:s}", "at", (json_int_t)at, "actor", actor, "action", action, "detail", detail));
}

typedef struct roster_ctx {
    mk *m;
    const uint8_t *pk;
    const char *unlocked_pack;
    int unlocked_level;
    char *why;
} roster_ctx;

static int roster_rows(void *ctx, const char *id, const uint8_t *bytes, size_t len)
{
    roster_ctx *r = ctx;
    mk *m = r->m;
    roster ro;
    char *why = NULL;
    if (roster_read(bytes, len, r->pk, &ro, &why)) {
        r->why = fileio_fmt("roster %s in room.db: %s", id, why ? why : "does not verify");
        free(why);
        return 1;
    }
    for (size_t i = 0; i < ro.n; i++) {
        const roster_entry *e = &ro.e[i];
        json_t *s = json_object_get(m->seen, e->ticket), *a = json_object_get(m->absent, e->ticket);
        const char *state = s ? "sat" : a ? "absent" : "not_seen";
        const char *kid = s ? json_string_value(json_object_get(s, "kiosk_id")) : "";
        const char *pack = s ? json_string_value(json_object_get(s, "pack"))
                           : r->unlocked_pack && e->level == r->unlocked_level ? r->unlocked_pack
                                                                                : "";
        json_int_t seat = s && json_object_get(m->seatno, kid) ? json_integer_value(json_object_get(m->seatno, kid))
                                                                : e->seat;
        add(m, m->cands,
            json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:i}", "ticket", e->ticket, "pack_id", pack ? pack : "",
                      "state", state, "kiosk_id", kid ? kid : "", "seat", seat, "first_seen_ms",
                      s ? json_integer_value(json_object_get(s, "first")) : (json_int_t)0, "last_seen_ms",
                      s ? json_integer_value(json_object_get(s, "last")) : (json_int_t)0, "extra_minutes",
                      e->extra_minutes));
    }
    roster_free(&ro);
    return 0;
}

int record_make(roomstore *rs, const char *dir, int64_t made_at, char **out, size_t *len, char **why)
{
    *out = NULL;
    uint8_t sk[crypto_sign_SECRETKEYBYTES], pk[crypto_sign_PUBLICKEYBYTES];
    if (record_load_key(dir, sk, why)) return -1;
    crypto_sign_ed25519_sk_to_pk(pk, sk);
    authority_pub pub;
    char *pubpath = fileio_fmt("%s/authority.pub", dir);
    int prc = authority_load_pub(pubpath, &pub, why);
    free(pubpath);
    if (prc) {
        sodium_memzero(sk, sizeof sk);
        return -1;
    }
    mk m = {rs, json_array(), json_array(), json_array(), json_array(), NULL, json_object(), json_object(),
            json_object(), json_object(), 0};
    char *site = roomstore_config_get(rs, "site"), *room = roomstore_config_get(rs, "room"),
         *upack = roomstore_config_get(rs, "unlocked_pack"), *ulevel = roomstore_config_get(rs, "unlocked_level");
    room_seat *v = NULL;
    int n = roomstore_seats(rs, &v);
    int rc = -1;
    json_t *body = NULL;
    char *text = NULL;
    if (!site || !room || n < 0 || roomstore_packs(rs, pack_id, &m) < 0 || roomstore_statuses(rs, status_row, &m) < 0 ||
        roomstore_seen(rs, seen_row, &m) < 0 || roomstore_absences(rs, absent_row, &m) < 0 ||
        roomstore_journal_all(rs, event_row, &m) < 0) {
        *why = fileio_fmt("room.db: cannot read: %s", roomstore_error(rs));
        goto out;
    }
    for (int i = 0; i < n; i++) {
        const room_seat *s = &v[i];
        json_object_set_new(m.seatno, s->kiosk_id, json_integer(s->seat));
        m.heads = json_array();
        if (roomstore_heads(rs, s->kiosk_id, head_row, &m) < 0) {
            json_decref(m.heads);
            *why = fileio_fmt("room.db: cannot read the heads: %s", roomstore_error(rs));
            goto out;
        }
        add(&m, m.seats,
            json_pack("{s:s, s:i, s:s, s:s, s:I, s:I, s:o, s:b}", "kiosk_id", s->kiosk_id, "seat", s->seat, "device_pk",
                      s->device_pk, "state", s->state, "first_contact", (json_int_t)s->first_seen, "last_contact",
                      (json_int_t)s->last_contact, "heads", m.heads, "diverged",
                      json_object_get(m.diverged, s->kiosk_id) != NULL));
    }
    roster_ctx r = {&m, pub.sign_pk, upack, ulevel ? atoi(ulevel) : -1, NULL};
    if (roomstore_rosters(rs, roster_rows, &r) < 0 || r.why) {
        *why = r.why ? r.why : fileio_fmt("room.db: cannot read the rosters: %s", roomstore_error(rs));
        goto out;
    }
    char pkb[sodium_base64_ENCODED_LEN(crypto_sign_PUBLICKEYBYTES, B64)];
    sodium_bin2base64(pkb, sizeof pkb, pk, sizeof pk, B64);
    body = json_pack("{s:s, s:s, s:s, s:I, s:O, s:O, s:O, s:O}", "site", site, "room", room, "console_pk", pkb,
                     "made_at", (json_int_t)made_at, "packs", m.packs, "seats", m.seats, "candidates", m.cands,
                     "events", m.events);
    text = body && !m.bad ? json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    if (!text) {
        *why = fileio_fmt("out of memory for the room record");
        goto out;
    }
    size_t hl = strlen(RECORD_MAGIC), bl = strlen(text);
    size_t cap = hl + bl + 1 + 4 + sodium_base64_ENCODED_LEN(crypto_sign_BYTES, B64) + 1;
    if (cap > RECORD_MAX) {
        *why = fileio_fmt("the room record would pass 16 MiB");
        goto out;
    }
    char *buf = malloc(cap);
    if (!buf) {
        *why = fileio_fmt("out of memory");
        goto out;
    }
    memcpy(buf, RECORD_MAGIC, hl);
    memcpy(buf + hl, text, bl);
    buf[hl + bl] = '\n';
    size_t signed_len = hl + bl + 1;
    uint8_t sig[crypto_sign_BYTES];
    crypto_sign_detached(sig, NULL, (const uint8_t *)buf, signed_len, sk);
    memcpy(buf + signed_len, "sig ", 4);
    sodium_bin2base64(buf + signed_len + 4, cap - signed_len - 4, sig, sizeof sig, B64);
    size_t total = signed_len + 4 + strlen(buf + signed_len + 4);
    buf[total++] = '\n';
    *out = buf;
    *len = total;
    rc = 0;
out:
    sodium_memzero(sk, sizeof sk);
    free(text);
    json_decref(body);
    json_decref(m.seats), json_decref(m.cands), json_decref(m.events), json_decref(m.packs);
    json_decref(m.seen), json_decref(m.absent), json_decref(m.seatno), json_decref(m.diverged);
    free(v);
    free(site), free(room), free(upack), free(ulevel);
    return rc;
}

int record_verify(const uint8_t *buf, size_t len, const uint8_t pk[crypto_sign_PUBLICKEYBYTES], char **summary,
                  char **why)
{
    size_t hl = strlen(RECORD_MAGIC);
    if (len > RECORD_MAX) return *why = fileio_fmt("larger than 16 MiB: not a room record"), -1;
    if (len < hl || memcmp(buf, RECORD_MAGIC, hl))
        return *why = fileio_fmt("not a room record (first line is not \"exam-room-record v1\")"), -1;
    const uint8_t *nl = memchr(buf + hl, '\n', len - hl);
    if (!nl) return *why = fileio_fmt("room record: the body line has no end"), -1;
    size_t signed_len = (size_t)(nl - buf) + 1;
    const char *sl = (const char *)buf + signed_len;
    size_t rest = len - signed_len;
    if (rest < 6 || memcmp(sl, "sig ", 4) || sl[rest - 1] != '\n')
        return *why = fileio_fmt("room record: no \"sig \" line after the body"), -1;
    uint8_t sig[crypto_sign_BYTES];
    size_t got = 0;
    if (sodium_base642bin(sig, sizeof sig, sl + 4, rest - 5, NULL, &got, NULL, B64) || got != sizeof sig)
        return *why = fileio_fmt("room record: the signature is not 64 bytes of base64"), -1;
    if (crypto_sign_verify_detached(sig, buf, signed_len, pk))
        return *why = fileio_fmt("room record: bad signature (altered, or not signed by this console)"), -1;
    json_error_t err;
    json_t *body = json_loadb((const char *)buf + hl, signed_len - hl - 1, JSON_REJECT_DUPLICATES, &err);
    const char *site = NULL, *room = NULL, *cpk = NULL;
    json_t *seats = NULL, *cands = NULL, *events = NULL;
    if (!body || json_unpack(body, "{s:s, s:s, s:s, s:o, s:o, s:o}", "site", &site, "room", &room, "console_pk", &cpk,
                             "seats", &seats, "candidates", &cands, "events", &events) ||
        !json_is_array(seats) || !json_is_array(cands) || !json_is_array(events)) {
        json_decref(body);
        return *why = fileio_fmt("room record: the body is not the record's JSON object"), -1;
    }
    uint8_t bpk[crypto_sign_PUBLICKEYBYTES];
    if (sodium_base642bin(bpk, sizeof bpk, cpk, strlen(cpk), NULL, &got, NULL, B64) || got != sizeof bpk ||
        sodium_memcmp(bpk, pk, sizeof bpk)) {
        json_decref(body);
        return *why = fileio_fmt("room record: console_pk is not the key it is signed with"), -1;
    }
    size_t sat = 0, absent = 0, diverged = 0, i;
    json_t *x;
    json_array_foreach(cands, i, x)
    {
        const char *st = json_string_value(json_object_get(x, "state"));
        sat += st && !strcmp(st, "sat");
        absent += st && !strcmp(st, "absent");
    }
    json_array_foreach(seats, i, x) diverged += json_is_true(json_object_get(x, "diverged"));
    *summary = fileio_fmt("room record of site %s room %s: %zu seats (%zu with diverging heads), %zu candidates "
                          "(%zu sat, %zu absent), %zu events; signature good",
                          site, room, json_array_size(seats), diverged, json_array_size(cands), sat, absent,
                          json_array_size(events));
    json_decref(body);
    return 0;
}
