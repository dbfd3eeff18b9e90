/* roomrecord: reading a room console's signed room record (see roomrecord.h). */
#include "tools/hub/roomrecord.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fileio.h"
#include "core/result.h"
#include "core/roomproto.h"
#include "core/text.h"

#define SIG_PREFIX "sig "

int roomrec_is(const uint8_t *buf, size_t len)
{
    size_t m = strlen(ROOMREC_MAGIC);
    return len >= m && !memcmp(buf, ROOMREC_MAGIC, m);
}

void roomrec_free(roomrec *r)
{
    for (int i = 0; r->seats && i < r->nseats; i++) free(r->seats[i].heads);
    free(r->seats);
    free(r->packs);
    free(r->cands);
    memset(r, 0, sizeof *r);
}

/* The frame: magic line, body line, signature line, nothing after. *body
 * and *body_len: the JSON; *signed_len: the bytes the signature covers;
 * SIG: the decoded signature. 0, or -1 with *why. */
static int frame(const uint8_t *buf, size_t len, const char **body, size_t *body_len, size_t *signed_len,
                 uint8_t sig[crypto_sign_BYTES], char **why)
{
    if (len > ROOMREC_MAX_BYTES) return *why = fileio_fmt("room record larger than %u bytes", ROOMREC_MAX_BYTES), -1;
    if (!roomrec_is(buf, len)) return *why = fileio_fmt("not a room record (first line is not exam-room-record v1)"), -1;
    const char *p = (const char *)buf + strlen(ROOMREC_MAGIC), *end = (const char *)buf + len;
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    if (!nl || nl == p) return *why = fileio_fmt("room record: no body line"), -1;
    *body = p;
    *body_len = (size_t)(nl - p);
    const char *s = nl + 1;
    *signed_len = (size_t)(s - (const char *)buf);
    size_t pl = strlen(SIG_PREFIX);
    if ((size_t)(end - s) < pl + 1 || memcmp(s, SIG_PREFIX, pl) || end[-1] != '\n')
        return *why = fileio_fmt("room record: the last line must be \"sig <base64>\""), -1;
    const char *b64 = s + pl;
    size_t b64len = (size_t)(end - 1 - b64), got = 0;
    if (memchr(b64, '\n', b64len) ||
        sodium_base642bin(sig, crypto_sign_BYTES, b64, b64len, NULL, &got, NULL, sodium_base64_VARIANT_ORIGINAL) ||
        got != crypto_sign_BYTES)
        return *why = fileio_fmt("room record: the signature is not base64 of %d bytes", crypto_sign_BYTES), -1;
    return 0;
}

/* ---- fields --------------------------------------------------------------------------- */

static int is_hex(const char *s, size_t n)
{
    if (!s || strlen(s) != n) return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return 0;
    return 1;
}

static int is_ticket(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 32) return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') || s[i] == '-'))
            return 0;
    return 1;
}

/* the string member KEY of O, or NULL (with *why) */
static const char *str_of(json_t *o, const char *key, const char *where, char **why)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_string(v)) { *why = fileio_fmt("room record: %s needs the string \"%s\"", where, key); return NULL; }
    return json_string_value(v);
}

/* the integer member KEY of O within LO..HI: 0, or -1 with *why */
static int int_of(json_t *o, const char *key, long long lo, long long hi, long long *out, const char *where, char **why)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
        *why = fileio_fmt("room record: %s needs \"%s\", an integer from %lld to %lld", where, key, lo, hi);
        return -1;
    }
    *out = json_integer_value(v);
    return 0;
}

/* the array member KEY of O with at most MAX elements, or NULL (with *why) */
static json_t *arr_of(json_t *o, const char *key, size_t max, const char *where, char **why)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_array(v) || json_array_size(v) > max) {
        *why = fileio_fmt("room record: %s needs \"%s\", an array of at most %zu", where, key, max);
        return NULL;
    }
    return v;
}

static int one_of(const char *s, const char *const *choices)
{
    for (; *choices; choices++)
        if (!strcmp(s, *choices)) return 1;
    return 0;
}

#define MAX_MS 9007199254740991LL /* 2^53 - 1: what every JSON reader keeps exactly */

static int read_heads(json_t *arr, roomrec_seat *st, const char *where, char **why)
{
    size_t n = json_array_size(arr);
    st->heads = calloc(n ? n : 1, sizeof *st->heads);
    if (!st->heads) return *why = fileio_fmt("out of memory"), -1;
    for (size_t i = 0; i < n; i++) {
        json_t *h = json_array_get(arr, i);
        roomrec_head *o = &st->heads[i];
        long long c, at;
        const char *hx;
        if (!json_is_object(h)) return *why = fileio_fmt("room record: %s: heads must be objects", where), -1;
        if (int_of(h, "count", 0, MAX_MS, &c, where, why) || int_of(h, "at_ms", 0, MAX_MS, &at, where, why) ||
            !(hx = str_of(h, "head", where, why)))
            return -1;
        if (!is_hex(hx, 64) || sodium_hex2bin(o->head, sizeof o->head, hx, 64, NULL, NULL, NULL))
            return *why = fileio_fmt("room record: %s: a head must be 64 lowercase hex digits", where), -1;
        o->count = c;
        o->at_ms = at;
        st->nheads++;
        /* between two heads in the console's order: roomproto's rule; a seat
         * whose heads break it is a seat whose history changed (diverged) */
        if (i) {
            roomproto_mirror a = {.count = (uint64_t)st->heads[i - 1].count}, b = {.count = (uint64_t)c};
            memcpy(a.head, st->heads[i - 1].head, 32);
            memcpy(b.head, o->head, 32);
            const char *fw;
            if (roomproto_mirror_follows(&a, &b, &fw) != ROOMPROTO_OK) st->diverged = 1;
        }
    }
    return 0;
}

static int read_seat(json_t *s, roomrec_seat *st, size_t index, char **why)
{
    static const char *const STATES[] = {"confirmed", "unconfirmed", "duplicate", NULL};
    char where[48];
    snprintf(where, sizeof where, "seat %zu", index + 1);
    if (!json_is_object(s)) return *why = fileio_fmt("room record: %s is not an object", where), -1;
    const char *kid = str_of(s, "kiosk_id", where, why), *pk = kid ? str_of(s, "device_pk", where, why) : NULL;
    const char *state = pk ? str_of(s, "state", where, why) : NULL;
    if (!state) return -1;
    long long seat, fc, lc;
    if (int_of(s, "seat", 0, 1000000, &seat, where, why) || int_of(s, "first_contact", 0, MAX_MS, &fc, where, why) ||
        int_of(s, "last_contact", 0, MAX_MS, &lc, where, why))
        return -1;
    if (!is_hex(kid, 16)) return *why = fileio_fmt("room record: %s: kiosk_id must be 16 lowercase hex digits", where), -1;
    if (!is_hex(pk, 64) || sodium_hex2bin(st->device_pk, sizeof st->device_pk, pk, 64, NULL, NULL, NULL))
        return *why = fileio_fmt("room record: %s: device_pk must be 64 lowercase hex digits", where), -1;
    char id[17];
    result_kiosk_id(st->device_pk, id);
    if (strcmp(id, kid)) return *why = fileio_fmt("room record: %s: kiosk_id %s is not its device key's (%s)", where, kid, id), -1;
    if (!one_of(state, STATES))
        return *why = fileio_fmt("room record: %s: state must be confirmed, unconfirmed or duplicate", where), -1;
    json_t *dv = json_object_get(s, "diverged");
    if (!json_is_boolean(dv)) return *why = fileio_fmt("room record: %s needs \"diverged\", true or false", where), -1;
    memcpy(st->kiosk_id, kid, 17);
    snprintf(st->state, sizeof st->state, "%s", state);
    st->seat = (int)seat;
    st->first_contact = fc;
    st->last_contact = lc;
    st->diverged = json_is_true(dv);
    json_t *heads = arr_of(s, "heads", ROOMREC_MAX_HEADS, where, why);
    return heads ? read_heads(heads, st, where, why) : -1;
}

static int read_candidate(json_t *c, roomrec_candidate *o, size_t index, char **why)
{
    static const char *const STATES[] = {"sat", "absent", "not_seen", NULL};
    char where[48];
    snprintf(where, sizeof where, "candidate %zu", index + 1);
    if (!json_is_object(c)) return *why = fileio_fmt("room record: %s is not an object", where), -1;
    const char *t = str_of(c, "ticket", where, why), *p = t ? str_of(c, "pack_id", where, why) : NULL;
    const char *state = p ? str_of(c, "state", where, why) : NULL, *kid = state ? str_of(c, "kiosk_id", where, why) : NULL;
    if (!kid) return -1;
    long long seat, fs, ls, extra;
    if (int_of(c, "seat", 0, 1000000, &seat, where, why) || int_of(c, "first_seen_ms", 0, MAX_MS, &fs, where, why) ||
        int_of(c, "last_seen_ms", 0, MAX_MS, &ls, where, why) ||
        int_of(c, "extra_minutes", 0, ROOMREC_MAX_EXTRA_MINUTES, &extra, where, why))
        return -1;
    if (!is_ticket(t)) return *why = fileio_fmt("room record: %s: ticket must be 1-32 characters of digits, letters and -", where), -1;
    if (*p && !is_hex(p, 32)) return *why = fileio_fmt("room record: %s: pack_id must be 32 lowercase hex digits or empty", where), -1;
    if (!one_of(state, STATES)) return *why = fileio_fmt("room record: %s: state must be sat, absent or not_seen", where), -1;
    if (*kid && !is_hex(kid, 16)) return *why = fileio_fmt("room record: %s: kiosk_id must be 16 lowercase hex digits or empty", where), -1;
    snprintf(o->ticket, sizeof o->ticket, "%s", t);
    snprintf(o->pack_id, sizeof o->pack_id, "%s", p);
    snprintf(o->state, sizeof o->state, "%s", state);
    snprintf(o->kiosk_id, sizeof o->kiosk_id, "%s", kid);
    o->seat = (int)seat;
    o->first_seen_ms = fs;
    o->last_seen_ms = ls;
    o->extra_minutes = (int)extra;
    return 0;
}

static int read_event(json_t *e, size_t index, char **why)
{
    char where[48];
    snprintf(where, sizeof where, "event %zu", index + 1);
    if (!json_is_object(e)) return *why = fileio_fmt("room record: %s is not an object", where), -1;
    long long at;
    const char *a = str_of(e, "actor", where, why), *ac = a ? str_of(e, "action", where, why) : NULL;
    const char *d = ac ? str_of(e, "detail", where, why) : NULL;
    if (!d || int_of(e, "at", 0, MAX_MS, &at, where, why)) return -1;
    if (strlen(a) > 64 || strlen(ac) > 64 || strlen(d) > 1024)
        return *why = fileio_fmt("room record: %s: actor and action at most 64 bytes, detail at most 1024", where), -1;
    return 0;
}

static int read_body(json_t *j, roomrec *r, char **why)
{
    if (!json_is_object(j)) return *why = fileio_fmt("room record: the body is not a JSON object"), -1;
    const char *site = str_of(j, "site", "the record", why), *room = site ? str_of(j, "room", "the record", why) : NULL;
    const char *cpk = room ? str_of(j, "console_pk", "the record", why) : NULL;
    if (!cpk) return -1;
    const char *tw;
    if (text_field_check(site, sizeof r->site - 1, &tw) || !*site)
        return *why = fileio_fmt("room record: site must be 1-%zu bytes of text", sizeof r->site - 1), -1;
    if (text_field_check(room, sizeof r->room - 1, &tw) || !*room)
        return *why = fileio_fmt("room record: room must be 1-%zu bytes of text", sizeof r->room - 1), -1;
    size_t got = 0;
    if (sodium_base642bin(r->console_pk, sizeof r->console_pk, cpk, strlen(cpk), NULL, &got, NULL,
                          sodium_base64_VARIANT_ORIGINAL) ||
        got != sizeof r->console_pk)
        return *why = fileio_fmt("room record: console_pk is not base64 of 32 bytes"), -1;
    sodium_bin2base64(r->console_pk_b64, sizeof r->console_pk_b64, r->console_pk, sizeof r->console_pk,
                      sodium_base64_VARIANT_ORIGINAL);
    snprintf(r->site, sizeof r->site, "%s", site);
    snprintf(r->room, sizeof r->room, "%s", room);
    long long made;
    if (int_of(j, "made_at", 1, MAX_MS, &made, "the record", why)) return -1;
    r->made_at = made;
    json_t *packs = arr_of(j, "packs", ROOMREC_MAX_PACKS, "the record", why);
    json_t *seats = packs ? arr_of(j, "seats", ROOMREC_MAX_SEATS, "the record", why) : NULL;
    json_t *cands = seats ? arr_of(j, "candidates", ROOMREC_MAX_CANDIDATES, "the record", why) : NULL;
    json_t *events = cands ? arr_of(j, "events", ROOMREC_MAX_EVENTS, "the record", why) : NULL;
    if (!events) return -1;
    size_t np = json_array_size(packs), ns = json_array_size(seats), nc = json_array_size(cands);
    r->packs = calloc(np ? np : 1, sizeof *r->packs);
    r->seats = calloc(ns ? ns : 1, sizeof *r->seats);
    r->cands = calloc(nc ? nc : 1, sizeof *r->cands);
    if (!r->packs || !r->seats || !r->cands) return *why = fileio_fmt("out of memory"), -1;
    for (size_t i = 0; i < np; i++) {
        const char *p = json_string_value(json_array_get(packs, i));
        if (!p || !is_hex(p, 32)) return *why = fileio_fmt("room record: packs must be pack ids, 32 lowercase hex digits"), -1;
        memcpy(r->packs[i], p, 33);
        r->npacks++;
    }
    for (size_t i = 0; i < ns; i++, r->nseats++)
        if (read_seat(json_array_get(seats, i), &r->seats[i], i, why)) { r->nseats++; return -1; }
    for (size_t i = 0; i < nc; i++, r->ncands++)
        if (read_candidate(json_array_get(cands, i), &r->cands[i], i, why)) return -1;
    for (size_t i = 0; i < json_array_size(events); i++, r->nevents++)
        if (read_event(json_array_get(events, i), i, why)) return -1;
    return 0;
}

int roomrec_parse(const uint8_t *buf, size_t len, roomrec *out, char **why)
{
    memset(out, 0, sizeof *out);
    const char *body;
    size_t blen, slen;
    uint8_t sig[crypto_sign_BYTES];
    if (frame(buf, len, &body, &blen, &slen, sig, why)) return -1;
    json_error_t e;
    json_t *j = json_loadb(body, blen, JSON_REJECT_DUPLICATES, &e);
    if (!j) return *why = fileio_fmt("room record: the body is not JSON: %s (byte %d)", e.text, e.position), -1;
    int rc = read_body(j, out, why);
    json_decref(j);
    if (rc) { roomrec_free(out); return -1; }
    uint8_t d[32];
    crypto_generichash(d, sizeof d, buf, len, NULL, 0);
    sodium_bin2hex(out->digest_hex, sizeof out->digest_hex, d, sizeof d);
    return 0;
}

int roomrec_verify(const uint8_t *buf, size_t len, const roomrec *r)
{
    const char *body;
    size_t blen, slen;
    uint8_t sig[crypto_sign_BYTES];
    char *why = NULL;
    if (frame(buf, len, &body, &blen, &slen, sig, &why)) { free(why); return -1; }
    return crypto_sign_verify_detached(sig, buf, slen, r->console_pk) == 0 ? 0 : -1;
}

int roomrec_console_pub(const uint8_t *buf, size_t len, uint8_t pk[crypto_sign_PUBLICKEYBYTES], char **why)
{
    static const char HEAD[] = "exam-room-console-pub v1\nsign ";
    size_t hl = sizeof HEAD - 1, got = 0;
    if (len <= hl + 1 || len > 256 || memcmp(buf, HEAD, hl) || buf[len - 1] != '\n' ||
        memchr(buf + hl, '\n', len - hl - 1) ||
        sodium_base642bin(pk, crypto_sign_PUBLICKEYBYTES, (const char *)buf + hl, len - hl - 1, NULL, &got, NULL,
                          sodium_base64_VARIANT_ORIGINAL) ||
        got != crypto_sign_PUBLICKEYBYTES)
        return *why = fileio_fmt("not a room console public key (exam-room-console-pub v1, then sign <base64 of 32 bytes>)"), -1;
    return 0;
}
