/* roomproto: the room console's messages (see roomproto.h, FORMAT.md §16). */
#include "core/roomproto.h"

#include <string.h>

#include "core/le.h"
#include "core/result.h"
#include "core/text.h"

#define REPORT_MAGIC "EXRR"
#define CMD_MAGIC "EXRC"
#define UNLOCK_MAGIC "EXRU"
#define ACTIVE_MAGIC "EXRA"
#define KDF_CONTEXT "examroom"
#define TAG_DOMAIN "exam-room-ticket"

_Static_assert(sizeof KDF_CONTEXT - 1 == crypto_kdf_CONTEXTBYTES, "the KDF context is 8 bytes");
_Static_assert(crypto_auth_KEYBYTES == 32 && crypto_generichash_KEYBYTES == 32, "32-byte subkeys");
_Static_assert(ROOMPROTO_KEY_BYTES == crypto_kdf_KEYBYTES, "the content key is a KDF master key");
_Static_assert(crypto_secretbox_KEYBYTES == 32, "32-byte subkeys");
_Static_assert(ROOMPROTO_NAME_BOX_MAX < 256 && ROOMPROTO_ACTIVE_MAX < 256, "one length byte");

const char *roomproto_strerror(roomproto_rc rc)
{
    switch (rc) {
    case ROOMPROTO_OK: return "ok";
    case ROOMPROTO_MALFORMED: return "malformed message";
    case ROOMPROTO_BAD_SIGNATURE: return "signature does not verify";
    case ROOMPROTO_BAD_MAC: return "MAC does not verify";
    case ROOMPROTO_REPLAY: return "replayed or out-of-order counter";
    case ROOMPROTO_NOT_FOR_ME: return "meant for another seat, room or pack";
    case ROOMPROTO_SEALED: return "sealed unlock does not open with this seat's key";
    case ROOMPROTO_INVALID: return "field out of bounds";
    case ROOMPROTO_DIVERGES: return "journal head does not extend the one seen before";
    }
    return "unknown error";
}

static const char *const CMD_NAMES[] = {
    "?", "unlock", "pause_all", "resume_all", "extend", "close_entry", "force_handin", "lock", "authorise_resume",
};

const char *roomproto_cmd_name(int type)
{
    return type >= 1 && type <= ROOMPROTO_CMD_MAX ? CMD_NAMES[type] : "?";
}

void roomproto_keys_derive(const uint8_t content_key[ROOMPROTO_KEY_BYTES], roomproto_keys *k)
{
    crypto_kdf_derive_from_key(k->mac, sizeof k->mac, 1, KDF_CONTEXT, content_key);
    crypto_kdf_derive_from_key(k->tag, sizeof k->tag, 2, KDF_CONTEXT, content_key);
    crypto_kdf_derive_from_key(k->name, sizeof k->name, 3, KDF_CONTEXT, content_key);
}

roomproto_rc roomproto_ticket_tag(const roomproto_keys *k, const char *ticket, uint8_t out[ROOMPROTO_TAG_BYTES])
{
    size_t n = ticket ? strnlen(ticket, ROOMPROTO_TICKET_MAX + 1) : 0;
    if (n == 0 || n > ROOMPROTO_TICKET_MAX) return ROOMPROTO_INVALID;
    crypto_generichash_state st;
    crypto_generichash_init(&st, k->tag, sizeof k->tag, ROOMPROTO_TAG_BYTES);
    crypto_generichash_update(&st, (const uint8_t *)TAG_DOMAIN, sizeof TAG_DOMAIN - 1);
    crypto_generichash_update(&st, (const uint8_t *)ticket, n);
    crypto_generichash_final(&st, out, ROOMPROTO_TAG_BYTES);
    sodium_memzero(&st, sizeof st);
    return ROOMPROTO_OK;
}

/* ---- canonical field checks (shared by encoders and decoders) ---- */

static int is_zero(const uint8_t *p, size_t n) { return sodium_is_zero(p, n); }

/* 16 lower-case hex characters */
static int kiosk_id_ok(const char *s)
{
    for (int i = 0; i < ROOMPROTO_KIOSK_ID_LEN; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return 0;
    return s[ROOMPROTO_KIOSK_ID_LEN] == 0;
}

/* a place name of 1–MAX bytes (text_field_check: UTF-8, no controls) */
static int place_ok(const char *s, size_t max)
{
    const char *w;
    return strnlen(s, max + 1) <= max && text_field_check(s, max, &w) == 0;
}

/* ---- writer / reader ---- */

typedef struct wbuf {
    uint8_t *p;
    size_t n, cap; /* n ≤ cap always */
    int bad;       /* something did not fit */
} wbuf;

static void put(wbuf *w, const void *src, size_t n)
{
    if (w->bad || n > w->cap - w->n) {
        w->bad = 1;
        return;
    }
    memcpy(w->p + w->n, src, n);
    w->n += n;
}
static void put8(wbuf *w, uint8_t v) { put(w, &v, 1); }
static void put16(wbuf *w, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    put(w, b, 2);
}
static void put32(wbuf *w, uint32_t v)
{
    uint8_t b[4];
    le_put32(b, v);
    put(w, b, 4);
}
static void put64(wbuf *w, uint64_t v)
{
    uint8_t b[8];
    le_put64(b, v);
    put(w, b, 8);
}
/* a string of at most 255 bytes, its length first */
static void putstr(wbuf *w, const char *s)
{
    size_t n = strlen(s);
    put8(w, (uint8_t)n);
    put(w, s, n);
}

typedef struct rbuf {
    const uint8_t *p;
    size_t n, at;
    int bad;
} rbuf;

static const uint8_t *get(rbuf *r, size_t n)
{
    if (r->bad || n > r->n - r->at) {
        r->bad = 1;
        return NULL;
    }
    const uint8_t *q = r->p + r->at;
    r->at += n;
    return q;
}
static void getn(rbuf *r, void *dst, size_t n)
{
    const uint8_t *q = get(r, n);
    if (q) memcpy(dst, q, n);
    else memset(dst, 0, n);
}
static uint8_t get8(rbuf *r)
{
    const uint8_t *q = get(r, 1);
    return q ? q[0] : 0;
}
static uint16_t get16(rbuf *r)
{
    const uint8_t *q = get(r, 2);
    return q ? (uint16_t)(q[0] | q[1] << 8) : 0;
}
static uint32_t get32(rbuf *r)
{
    const uint8_t *q = get(r, 4);
    return q ? le_get32(q) : 0;
}
static uint64_t get64(rbuf *r)
{
    const uint8_t *q = get(r, 8);
    return q ? le_get64(q) : 0;
}
/* a length-prefixed string of at most MAX bytes into DST (MAX + 1 bytes);
 * a NUL inside is malformed */
static void getstr(rbuf *r, char *dst, size_t max)
{
    size_t n = get8(r);
    const uint8_t *q = r->bad || n > max ? NULL : get(r, n);
    if (!q || memchr(q, 0, n)) {
        r->bad = 1;
        dst[0] = 0;
        return;
    }
    memcpy(dst, q, n);
    dst[n] = 0;
}
/* a fixed 16-character kiosk id */
static void getid(rbuf *r, char dst[ROOMPROTO_KIOSK_ID_LEN + 1])
{
    getn(r, dst, ROOMPROTO_KIOSK_ID_LEN);
    dst[ROOMPROTO_KIOSK_ID_LEN] = 0;
}

#define FAIL(rc_, msg)            \
    do {                          \
        if (why) *why = (msg);    \
        return (rc_);             \
    } while (0)

/* ---- 1. seat report ---- */

static roomproto_rc report_check(const roomproto_report *r, roomproto_rc rc, const char **why)
{
    if (!kiosk_id_ok(r->kiosk_id)) FAIL(rc, "seat report: kiosk id is not 16 lower-case hex characters");
    if (!place_ok(r->site, ROOMPROTO_SITE_MAX)) FAIL(rc, "seat report: site is not 1-127 bytes of printable UTF-8");
    if (!place_ok(r->room, ROOMPROTO_ROOM_MAX)) FAIL(rc, "seat report: room is not 1-32 bytes of printable UTF-8");
    if (!place_ok(r->seat, ROOMPROTO_SEAT_MAX)) FAIL(rc, "seat report: seat is not 1-16 bytes of printable UTF-8");
    if (r->phase > ROOMPROTO_PHASE_MAX) FAIL(rc, "seat report: unknown phase");
    if (r->flags & ~ROOMPROTO_FLAGS_ALL) FAIL(rc, "seat report: unknown flag bits");
    if (r->answered > r->total) FAIL(rc, "seat report: more answered than questions");
    if ((r->journal_count == 0) != is_zero(r->journal_head, ROOMPROTO_HEAD_BYTES))
        FAIL(rc, "seat report: journal head must be zero exactly when the journal is empty");
    if (r->journal_count > INT64_MAX) FAIL(rc, "seat report: journal count out of range");
    if (r->counter == 0) FAIL(rc, "seat report: counter 0 (counters start at 1)");
    if (r->name_box_len != 0 && r->name_box_len != ROOMPROTO_NAME_BOX_MAX)
        FAIL(rc, "seat report: name box is neither absent nor of its one length");
    if (r->name_box_len == 0 && !is_zero(r->name_box, sizeof r->name_box))
        FAIL(rc, "seat report: bytes in an absent name box");
    return ROOMPROTO_OK;
}

static void report_body(const roomproto_report *r, wbuf *w)
{
    put(w, REPORT_MAGIC, 4);
    put8(w, ROOMPROTO_VERSION);
    put8(w, r->phase);
    put16(w, r->flags);
    put(w, r->kiosk_id, ROOMPROTO_KIOSK_ID_LEN);
    putstr(w, r->site);
    putstr(w, r->room);
    putstr(w, r->seat);
    put(w, r->pack_id, sizeof r->pack_id);
    put(w, r->ticket_tag, sizeof r->ticket_tag);
    put8(w, r->name_box_len);
    put(w, r->name_box, r->name_box_len);
    put32(w, r->answered);
    put32(w, r->total);
    put32(w, r->time_left_ms);
    put32(w, r->focus_losses);
    put64(w, r->journal_count);
    put(w, r->journal_head, sizeof r->journal_head);
    put64(w, r->counter);
    put64(w, r->wall_ms);
    put64(w, r->last_command);
}

roomproto_rc roomproto_report_sign(const roomproto_report *r, const uint8_t sk[crypto_sign_SECRETKEYBYTES],
                                   uint8_t out[ROOMPROTO_REPORT_MAX], size_t *out_len, const char **why)
{
    roomproto_rc rc = report_check(r, ROOMPROTO_INVALID, why);
    if (rc) return rc;
    uint8_t tmp[ROOMPROTO_REPORT_MAX];
    wbuf w = {tmp, 0, sizeof tmp, 0};
    report_body(r, &w);
    if (w.bad || crypto_sign_BYTES > w.cap - w.n) FAIL(ROOMPROTO_INVALID, "seat report: too long");
    crypto_sign_detached(tmp + w.n, NULL, tmp, w.n, sk);
    *out_len = w.n + crypto_sign_BYTES;
    memcpy(out, tmp, *out_len);
    return ROOMPROTO_OK;
}

roomproto_rc roomproto_report_peek(const uint8_t *buf, size_t len, roomproto_report *o, const char **why)
{
    memset(o, 0, sizeof *o);
    if (!buf || len < ROOMPROTO_REPORT_MIN || len > ROOMPROTO_REPORT_MAX)
        FAIL(ROOMPROTO_MALFORMED, "seat report: wrong length");
    rbuf r = {buf, len - crypto_sign_BYTES, 0, 0};
    const uint8_t *magic = get(&r, 4);
    if (!magic || memcmp(magic, REPORT_MAGIC, 4)) FAIL(ROOMPROTO_MALFORMED, "seat report: not a seat report");
    if (get8(&r) != ROOMPROTO_VERSION) FAIL(ROOMPROTO_MALFORMED, "seat report: unknown version");
    o->phase = get8(&r);
    o->flags = get16(&r);
    getid(&r, o->kiosk_id);
    getstr(&r, o->site, ROOMPROTO_SITE_MAX);
    getstr(&r, o->room, ROOMPROTO_ROOM_MAX);
    getstr(&r, o->seat, ROOMPROTO_SEAT_MAX);
    getn(&r, o->pack_id, sizeof o->pack_id);
    getn(&r, o->ticket_tag, sizeof o->ticket_tag);
    o->name_box_len = get8(&r);
    if (o->name_box_len > sizeof o->name_box) r.bad = 1;
    else getn(&r, o->name_box, o->name_box_len);
    o->answered = get32(&r);
    o->total = get32(&r);
    o->time_left_ms = get32(&r);
    o->focus_losses = get32(&r);
    o->journal_count = get64(&r);
    getn(&r, o->journal_head, sizeof o->journal_head);
    o->counter = get64(&r);
    o->wall_ms = get64(&r);
    o->last_command = get64(&r);
    if (r.bad || r.at != r.n) {
        memset(o, 0, sizeof *o);
        FAIL(ROOMPROTO_MALFORMED, "seat report: fields do not fill the message");
    }
    roomproto_rc rc = report_check(o, ROOMPROTO_MALFORMED, why);
    if (rc) memset(o, 0, sizeof *o);
    return rc;
}

roomproto_rc roomproto_report_verify(const uint8_t *buf, size_t len, const uint8_t pk[crypto_sign_PUBLICKEYBYTES],
                                     roomproto_report *o, const char **why)
{
    memset(o, 0, sizeof *o);
    if (!buf || len < ROOMPROTO_REPORT_MIN || len > ROOMPROTO_REPORT_MAX)
        FAIL(ROOMPROTO_MALFORMED, "seat report: wrong length");
    size_t body = len - crypto_sign_BYTES;
    if (crypto_sign_verify_detached(buf + body, buf, body, pk))
        FAIL(ROOMPROTO_BAD_SIGNATURE, "seat report: the seat's device key did not sign it");
    roomproto_rc rc = roomproto_report_peek(buf, len, o, why);
    if (rc) return rc;
    char id[ROOMPROTO_KIOSK_ID_LEN + 1];
    result_kiosk_id(pk, id);
    if (strcmp(id, o->kiosk_id)) {
        memset(o, 0, sizeof *o);
        FAIL(ROOMPROTO_NOT_FOR_ME, "seat report: kiosk id is not the device key's");
    }
    return ROOMPROTO_OK;
}

/* ---- 3. sealed unlock ---- */

static int pin_cost_in_bounds(uint32_t ops, uint32_t mem)
{
    /* as pin_cost_ok: within libsodium's Argon2id limits, at most 20 passes over 1 GiB */
    return ops >= crypto_pwhash_argon2id_OPSLIMIT_MIN && ops <= 20 && mem >= crypto_pwhash_argon2id_MEMLIMIT_MIN &&
           mem <= (1u << 30);
}

static roomproto_rc unlock_check(const roomproto_unlock *u, roomproto_rc rc, const char **why)
{
    if (!kiosk_id_ok(u->kiosk_id)) FAIL(rc, "sealed unlock: kiosk id is not 16 lower-case hex characters");
    if (is_zero(u->pack_id, sizeof u->pack_id)) FAIL(rc, "sealed unlock: no pack id");
    if (is_zero(u->content_key, sizeof u->content_key)) FAIL(rc, "sealed unlock: content key is zero");
    if (!pin_cost_in_bounds(u->pin_ops, u->pin_mem)) FAIL(rc, "sealed unlock: PIN verifier cost out of range");
    return ROOMPROTO_OK;
}

roomproto_rc roomproto_unlock_seal(const roomproto_unlock *u, const uint8_t seat_pk[crypto_sign_PUBLICKEYBYTES],
                                   uint8_t out[ROOMPROTO_SEALED_BYTES], const char **why)
{
    roomproto_rc rc = unlock_check(u, ROOMPROTO_INVALID, why);
    if (rc) return rc;
    char id[ROOMPROTO_KIOSK_ID_LEN + 1];
    result_kiosk_id(seat_pk, id);
    if (strcmp(id, u->kiosk_id)) FAIL(ROOMPROTO_INVALID, "sealed unlock: kiosk id is not the seat key's");
    uint8_t xpk[crypto_box_PUBLICKEYBYTES];
    if (crypto_sign_ed25519_pk_to_curve25519(xpk, seat_pk))
        FAIL(ROOMPROTO_INVALID, "sealed unlock: the seat key has no X25519 form");
    uint8_t plain[ROOMPROTO_UNLOCK_PLAIN];
    wbuf w = {plain, 0, sizeof plain, 0};
    put(&w, UNLOCK_MAGIC, 4);
    put8(&w, ROOMPROTO_VERSION);
    put(&w, u->pack_id, sizeof u->pack_id);
    put(&w, u->kiosk_id, ROOMPROTO_KIOSK_ID_LEN);
    put(&w, u->content_key, sizeof u->content_key);
    put(&w, u->pin_kiosk_salt, sizeof u->pin_kiosk_salt);
    put(&w, u->pin_unlock_salt, sizeof u->pin_unlock_salt);
    put32(&w, u->pin_ops);
    put32(&w, u->pin_mem);
    put(&w, u->pin_hash, sizeof u->pin_hash);
    int bad = w.bad || w.n != sizeof plain || crypto_box_seal(out, plain, sizeof plain, xpk);
    sodium_memzero(plain, sizeof plain);
    if (bad) FAIL(ROOMPROTO_INVALID, "sealed unlock: cannot seal");
    return ROOMPROTO_OK;
}

roomproto_rc roomproto_unlock_open(const uint8_t *sealed, size_t len, const uint8_t sk[crypto_sign_SECRETKEYBYTES],
                                   const uint8_t pack_id[ROOMPROTO_PACK_ID_BYTES], roomproto_unlock *o,
                                   const char **why)
{
    memset(o, 0, sizeof *o);
    if (!sealed || len != ROOMPROTO_SEALED_BYTES) FAIL(ROOMPROTO_MALFORMED, "sealed unlock: wrong length");
    uint8_t xsk[crypto_box_SECRETKEYBYTES], xpk[crypto_box_PUBLICKEYBYTES];
    /* an Ed25519 secret key is seed ‖ public key */
    if (crypto_sign_ed25519_sk_to_curve25519(xsk, sk) ||
        crypto_sign_ed25519_pk_to_curve25519(xpk, sk + crypto_sign_SECRETKEYBYTES - crypto_sign_PUBLICKEYBYTES)) {
        sodium_memzero(xsk, sizeof xsk);
        FAIL(ROOMPROTO_SEALED, "sealed unlock: the device key has no X25519 form");
    }
    uint8_t plain[ROOMPROTO_UNLOCK_PLAIN];
    int shut = crypto_box_seal_open(plain, sealed, len, xpk, xsk);
    sodium_memzero(xsk, sizeof xsk);
    if (shut) FAIL(ROOMPROTO_SEALED, "sealed unlock: does not open with this seat's device key");
    rbuf r = {plain, sizeof plain, 0, 0};
    const uint8_t *magic = get(&r, 4);
    uint8_t version = get8(&r);
    getn(&r, o->pack_id, sizeof o->pack_id);
    getid(&r, o->kiosk_id);
    getn(&r, o->content_key, sizeof o->content_key);
    getn(&r, o->pin_kiosk_salt, sizeof o->pin_kiosk_salt);
    getn(&r, o->pin_unlock_salt, sizeof o->pin_unlock_salt);
    o->pin_ops = get32(&r);
    o->pin_mem = get32(&r);
    getn(&r, o->pin_hash, sizeof o->pin_hash);
    int bad_magic = !magic || memcmp(magic, UNLOCK_MAGIC, 4) || version != ROOMPROTO_VERSION || r.bad;
    sodium_memzero(plain, sizeof plain);
    roomproto_rc rc = ROOMPROTO_OK;
    const char *msg = NULL;
    char id[ROOMPROTO_KIOSK_ID_LEN + 1];
    result_kiosk_id(sk + crypto_sign_SECRETKEYBYTES - crypto_sign_PUBLICKEYBYTES, id);
    if (bad_magic) {
        rc = ROOMPROTO_MALFORMED;
        msg = "sealed unlock: not a sealed unlock of this version";
    } else if ((rc = unlock_check(o, ROOMPROTO_MALFORMED, &msg)) != ROOMPROTO_OK) {
    } else if (strcmp(id, o->kiosk_id)) {
        rc = ROOMPROTO_NOT_FOR_ME;
        msg = "sealed unlock: sealed for another seat";
    } else if (!pack_id || sodium_memcmp(pack_id, o->pack_id, ROOMPROTO_PACK_ID_BYTES)) {
        rc = ROOMPROTO_NOT_FOR_ME;
        msg = "sealed unlock: for another pack";
    }
    if (rc) {
        sodium_memzero(o, sizeof *o);
        if (why) *why = msg;
    }
    return rc;
}

/* ---- 2. console command ---- */

/* the target each command type takes: 1 all only, 2 one seat only, 3 either */
static int cmd_targets(int type)
{
    switch (type) {
    case ROOMPROTO_CMD_PAUSE_ALL:
    case ROOMPROTO_CMD_RESUME_ALL:
    case ROOMPROTO_CMD_CLOSE_ENTRY: return 1;
    case ROOMPROTO_CMD_UNLOCK:
    case ROOMPROTO_CMD_AUTHORISE_RESUME: return 2;
    case ROOMPROTO_CMD_EXTEND:
    case ROOMPROTO_CMD_FORCE_HANDIN:
    case ROOMPROTO_CMD_LOCK: return 3;
    }
    return 0;
}

/* the commands a seat reads before it has the key: a sealed unlock inside */
static int carries_unlock(int type) { return type == ROOMPROTO_CMD_UNLOCK || type == ROOMPROTO_CMD_AUTHORISE_RESUME; }

static roomproto_rc cmd_check(const roomproto_command *c, roomproto_rc rc, const char **why)
{
    int t = cmd_targets(c->type);
    if (!t) FAIL(rc, "console command: unknown type");
    if (c->target_all > 1) FAIL(rc, "console command: unknown target kind");
    if (c->target_all ? !(t & 1) : !(t & 2)) FAIL(rc, "console command: this command does not take this target");
    if (c->target_all ? c->target[0] != 0 : !kiosk_id_ok(c->target))
        FAIL(rc, "console command: target is not a kiosk id (or not empty for all seats)");
    if (is_zero(c->pack_id, sizeof c->pack_id)) FAIL(rc, "console command: no pack id");
    if (!place_ok(c->site, ROOMPROTO_SITE_MAX)) FAIL(rc, "console command: site is not 1-127 bytes of printable UTF-8");
    if (!place_ok(c->room, ROOMPROTO_ROOM_MAX)) FAIL(rc, "console command: room is not 1-32 bytes of printable UTF-8");
    if (c->counter == 0) FAIL(rc, "console command: counter 0 (counters start at 1)");
    if (c->type == ROOMPROTO_CMD_EXTEND) {
        if (c->minutes < 1 || c->minutes > ROOMPROTO_EXTEND_MAX) FAIL(rc, "console command: extend by 1-600 minutes");
        if (!place_ok(c->reason, ROOMPROTO_REASON_MAX))
            FAIL(rc, "console command: reason is not 1-120 bytes of printable UTF-8");
    }
    return ROOMPROTO_OK;
}

roomproto_rc roomproto_command_seal(const roomproto_command *c, const roomproto_keys *k,
                                    uint8_t out[ROOMPROTO_CMD_MAX_BYTES], size_t *out_len, const char **why)
{
    roomproto_rc rc = cmd_check(c, ROOMPROTO_INVALID, why);
    if (rc) return rc;
    uint8_t tmp[ROOMPROTO_CMD_MAX_BYTES];
    wbuf w = {tmp, 0, sizeof tmp, 0};
    put(&w, CMD_MAGIC, 4);
    put8(&w, ROOMPROTO_VERSION);
    put8(&w, c->type);
    put8(&w, c->target_all);
    uint8_t target[ROOMPROTO_KIOSK_ID_LEN] = {0};
    if (!c->target_all) memcpy(target, c->target, sizeof target);
    put(&w, target, sizeof target);
    put(&w, c->pack_id, sizeof c->pack_id);
    putstr(&w, c->site);
    putstr(&w, c->room);
    put64(&w, c->counter);
    put64(&w, c->wall_ms);
    if (c->type == ROOMPROTO_CMD_EXTEND) {
        size_t n = strlen(c->reason);
        put16(&w, (uint16_t)(2 + 1 + n));
        put16(&w, c->minutes);
        putstr(&w, c->reason);
    } else if (carries_unlock(c->type)) {
        put16(&w, ROOMPROTO_SEALED_BYTES);
        put(&w, c->sealed, sizeof c->sealed);
    } else {
        put16(&w, 0);
    }
    if (w.bad || ROOMPROTO_MAC_BYTES > w.cap - w.n) FAIL(ROOMPROTO_INVALID, "console command: too long");
    crypto_auth(tmp + w.n, tmp, w.n, k->mac);
    *out_len = w.n + ROOMPROTO_MAC_BYTES;
    memcpy(out, tmp, *out_len);
    return ROOMPROTO_OK;
}

#define CMD_MIN (ROOMPROTO_CMD_FIXED + 2 + ROOMPROTO_MAC_BYTES)

roomproto_rc roomproto_command_peek(const uint8_t *buf, size_t len, roomproto_command *o, const char **why)
{
    memset(o, 0, sizeof *o);
    if (!buf || len < CMD_MIN || len > ROOMPROTO_CMD_MAX_BYTES) FAIL(ROOMPROTO_MALFORMED, "console command: wrong length");
    rbuf r = {buf, len - ROOMPROTO_MAC_BYTES, 0, 0};
    const uint8_t *magic = get(&r, 4);
    if (!magic || memcmp(magic, CMD_MAGIC, 4)) FAIL(ROOMPROTO_MALFORMED, "console command: not a console command");
    if (get8(&r) != ROOMPROTO_VERSION) FAIL(ROOMPROTO_MALFORMED, "console command: unknown version");
    o->type = get8(&r);
    o->target_all = get8(&r);
    const uint8_t *target = get(&r, ROOMPROTO_KIOSK_ID_LEN);
    if (target) {
        if (o->target_all) {
            if (!is_zero(target, ROOMPROTO_KIOSK_ID_LEN)) r.bad = 1; /* canonical: all seats, zero target */
        } else {
            memcpy(o->target, target, ROOMPROTO_KIOSK_ID_LEN);
        }
    }
    getn(&r, o->pack_id, sizeof o->pack_id);
    getstr(&r, o->site, ROOMPROTO_SITE_MAX);
    getstr(&r, o->room, ROOMPROTO_ROOM_MAX);
    o->counter = get64(&r);
    o->wall_ms = get64(&r);
    size_t args = get16(&r);
    size_t args_end = r.at + args;
    if (!r.bad) {
        if (o->type == ROOMPROTO_CMD_EXTEND) {
            o->minutes = get16(&r);
            getstr(&r, o->reason, ROOMPROTO_REASON_MAX);
        } else if (carries_unlock(o->type)) {
            getn(&r, o->sealed, sizeof o->sealed);
        }
    }
    if (r.bad || r.at != args_end || r.at != r.n) {
        memset(o, 0, sizeof *o);
        FAIL(ROOMPROTO_MALFORMED, "console command: fields do not fill the message");
    }
    roomproto_rc rc = cmd_check(o, ROOMPROTO_MALFORMED, why);
    if (rc) memset(o, 0, sizeof *o);
    return rc;
}

roomproto_rc roomproto_command_verify(const uint8_t *buf, size_t len, const roomproto_keys *k,
                                      const roomproto_expect *x, roomproto_command *o, const char **why)
{
    memset(o, 0, sizeof *o);
    if (!buf || len < CMD_MIN || len > ROOMPROTO_CMD_MAX_BYTES) FAIL(ROOMPROTO_MALFORMED, "console command: wrong length");
    size_t body = len - ROOMPROTO_MAC_BYTES;
    if (crypto_auth_verify(buf + body, buf, body, k->mac))
        FAIL(ROOMPROTO_BAD_MAC, "console command: MAC does not verify (not made with this pack's key)");
    roomproto_rc rc = roomproto_command_peek(buf, len, o, why);
    if (rc) return rc;
    const char *msg = NULL;
    if (!x->pack_id || memcmp(x->pack_id, o->pack_id, ROOMPROTO_PACK_ID_BYTES)) {
        rc = ROOMPROTO_NOT_FOR_ME;
        msg = "console command: for another pack";
    } else if (!x->site || strcmp(x->site, o->site) || !x->room || strcmp(x->room, o->room)) {
        rc = ROOMPROTO_NOT_FOR_ME;
        msg = "console command: for another room";
    } else if (!o->target_all && (!x->kiosk_id || strcmp(x->kiosk_id, o->target))) {
        rc = ROOMPROTO_NOT_FOR_ME;
        msg = "console command: for another seat";
    } else if (o->counter <= x->last_counter) {
        rc = ROOMPROTO_REPLAY;
        msg = "console command: counter not above the last one accepted (replayed or out of order)";
    }
    if (rc) {
        memset(o, 0, sizeof *o);
        if (why) *why = msg;
    }
    return rc;
}

/* ---- 4. journal head mirror ---- */

void roomproto_mirror_of(const roomproto_report *r, uint64_t console_ms, roomproto_mirror *out)
{
    memset(out, 0, sizeof *out);
    memcpy(out->kiosk_id, r->kiosk_id, sizeof out->kiosk_id);
    out->count = r->journal_count;
    memcpy(out->head, r->journal_head, sizeof out->head);
    out->console_ms = console_ms;
}

roomproto_rc roomproto_mirror_follows(const roomproto_mirror *a, const roomproto_mirror *b, const char **why)
{
    if (strncmp(a->kiosk_id, b->kiosk_id, sizeof a->kiosk_id))
        FAIL(ROOMPROTO_NOT_FOR_ME, "journal heads of two different seats");
    if (b->count < a->count) FAIL(ROOMPROTO_DIVERGES, "journal went back: fewer entries than seen before");
    if (b->count == a->count && sodium_memcmp(a->head, b->head, ROOMPROTO_HEAD_BYTES))
        FAIL(ROOMPROTO_DIVERGES, "journal rewritten: same number of entries, another head");
    return ROOMPROTO_OK;
}

roomproto_rc roomproto_mirror_in_chain(const roomproto_mirror *m, const uint8_t (*heads)[ROOMPROTO_HEAD_BYTES],
                                       uint64_t n, const char **why)
{
    if (m->count == 0) {
        if (!is_zero(m->head, ROOMPROTO_HEAD_BYTES)) FAIL(ROOMPROTO_DIVERGES, "empty journal seen with a head");
        return ROOMPROTO_OK;
    }
    if (m->count > n) FAIL(ROOMPROTO_DIVERGES, "journal cut short: the console saw more entries");
    if (!heads || sodium_memcmp(heads[m->count - 1], m->head, ROOMPROTO_HEAD_BYTES))
        FAIL(ROOMPROTO_DIVERGES, "journal rewritten: the console saw another head at this entry");
    return ROOMPROTO_OK;
}

/* ---- 6. name box ---- */

roomproto_rc roomproto_name_seal(const roomproto_keys *k, const char *name, uint8_t box[ROOMPROTO_NAME_BOX_MAX],
                                 uint8_t *box_len, const char **why)
{
    *box_len = 0;
    if (!name || !name[0] || !place_ok(name, ROOMPROTO_NAME_MAX))
        FAIL(ROOMPROTO_INVALID, "name box: name is not 1-64 bytes of printable UTF-8");
    uint8_t plain[ROOMPROTO_NAME_MAX] = {0};
    memcpy(plain, name, strlen(name));
    randombytes_buf(box, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, plain, sizeof plain, box, k->name);
    sodium_memzero(plain, sizeof plain);
    *box_len = ROOMPROTO_NAME_BOX_MAX;
    return ROOMPROTO_OK;
}

roomproto_rc roomproto_name_open(const roomproto_keys *k, const uint8_t *box, size_t box_len,
                                 char name[ROOMPROTO_NAME_MAX + 1], const char **why)
{
    name[0] = 0;
    if (!box || box_len != ROOMPROTO_NAME_BOX_MAX) FAIL(ROOMPROTO_MALFORMED, "name box: wrong length");
    uint8_t plain[ROOMPROTO_NAME_MAX];
    if (crypto_secretbox_open_easy(plain, box + crypto_secretbox_NONCEBYTES, box_len - crypto_secretbox_NONCEBYTES,
                                   box, k->name))
        FAIL(ROOMPROTO_BAD_MAC, "name box: does not open with this pack's name key");
    size_t n = strnlen((const char *)plain, sizeof plain);
    int bad = n == 0 || !is_zero(plain + n, sizeof plain - n);
    if (!bad) {
        memcpy(name, plain, n);
        name[n] = 0;
        bad = !place_ok(name, ROOMPROTO_NAME_MAX);
    }
    sodium_memzero(plain, sizeof plain);
    if (bad) {
        sodium_memzero(name, ROOMPROTO_NAME_MAX + 1);
        FAIL(ROOMPROTO_MALFORMED, "name box: not a name padded with zero bytes");
    }
    return ROOMPROTO_OK;
}

/* ---- 5. active tickets ---- */

static roomproto_rc active_check(const roomproto_active *a, roomproto_rc rc, const char **why)
{
    if (is_zero(a->pack_id, sizeof a->pack_id)) FAIL(rc, "active tickets: no pack id");
    if (!place_ok(a->site, ROOMPROTO_SITE_MAX)) FAIL(rc, "active tickets: site is not 1-127 bytes of printable UTF-8");
    if (!place_ok(a->room, ROOMPROTO_ROOM_MAX)) FAIL(rc, "active tickets: room is not 1-32 bytes of printable UTF-8");
    if (a->generation == 0) FAIL(rc, "active tickets: generation 0 (generations start at 1)");
    if (a->n > ROOMPROTO_ACTIVE_MAX) FAIL(rc, "active tickets: more than 64 entries");
    for (int i = 0; i < a->n; i++) {
        if (is_zero(a->e[i].ticket_tag, ROOMPROTO_TAG_BYTES)) FAIL(rc, "active tickets: a zero ticket tag");
        if (!kiosk_id_ok(a->e[i].kiosk_id)) FAIL(rc, "active tickets: kiosk id is not 16 lower-case hex characters");
    }
    /* canonical: entries unused beyond n are zero */
    for (int i = a->n; i < ROOMPROTO_ACTIVE_MAX; i++)
        if (!is_zero((const uint8_t *)&a->e[i], sizeof a->e[i])) FAIL(rc, "active tickets: bytes beyond the entries");
    return ROOMPROTO_OK;
}

roomproto_rc roomproto_active_seal(const roomproto_active *a, const roomproto_keys *k, uint8_t *out, size_t cap,
                                   size_t *len, const char **why)
{
    *len = 0;
    roomproto_rc rc = active_check(a, ROOMPROTO_INVALID, why);
    if (rc) return rc;
    uint8_t tmp[ROOMPROTO_ACTIVE_MAX_BYTES];
    wbuf w = {tmp, 0, sizeof tmp, 0};
    put(&w, ACTIVE_MAGIC, 4);
    put8(&w, ROOMPROTO_VERSION);
    put(&w, a->pack_id, sizeof a->pack_id);
    putstr(&w, a->site);
    putstr(&w, a->room);
    put64(&w, a->generation);
    put64(&w, a->wall_ms);
    put8(&w, a->n);
    for (int i = 0; i < a->n; i++) {
        put(&w, a->e[i].ticket_tag, ROOMPROTO_TAG_BYTES);
        put(&w, a->e[i].kiosk_id, ROOMPROTO_KIOSK_ID_LEN);
    }
    if (w.bad || ROOMPROTO_MAC_BYTES > w.cap - w.n || !out || w.n + ROOMPROTO_MAC_BYTES > cap)
        FAIL(ROOMPROTO_INVALID, "active tickets: does not fit");
    crypto_auth(tmp + w.n, tmp, w.n, k->mac);
    *len = w.n + ROOMPROTO_MAC_BYTES;
    memcpy(out, tmp, *len);
    return ROOMPROTO_OK;
}

#define ACTIVE_MIN (ROOMPROTO_ACTIVE_FIXED + 2 + ROOMPROTO_MAC_BYTES)

roomproto_rc roomproto_active_verify(const uint8_t *buf, size_t len, const roomproto_keys *k,
                                     const roomproto_expect *x, roomproto_active *o, const char **why)
{
    memset(o, 0, sizeof *o);
    if (!buf || len < ACTIVE_MIN || len > ROOMPROTO_ACTIVE_MAX_BYTES)
        FAIL(ROOMPROTO_MALFORMED, "active tickets: wrong length");
    size_t body = len - ROOMPROTO_MAC_BYTES;
    if (crypto_auth_verify(buf + body, buf, body, k->mac))
        FAIL(ROOMPROTO_BAD_MAC, "active tickets: MAC does not verify (not made with this pack's key)");
    rbuf r = {buf, body, 0, 0};
    const uint8_t *magic = get(&r, 4);
    if (!magic || memcmp(magic, ACTIVE_MAGIC, 4)) FAIL(ROOMPROTO_MALFORMED, "active tickets: not an active-tickets message");
    if (get8(&r) != ROOMPROTO_VERSION) FAIL(ROOMPROTO_MALFORMED, "active tickets: unknown version");
    getn(&r, o->pack_id, sizeof o->pack_id);
    getstr(&r, o->site, ROOMPROTO_SITE_MAX);
    getstr(&r, o->room, ROOMPROTO_ROOM_MAX);
    o->generation = get64(&r);
    o->wall_ms = get64(&r);
    o->n = get8(&r);
    if (o->n > ROOMPROTO_ACTIVE_MAX) r.bad = 1;
    for (int i = 0; !r.bad && i < o->n; i++) {
        getn(&r, o->e[i].ticket_tag, ROOMPROTO_TAG_BYTES);
        getid(&r, o->e[i].kiosk_id);
    }
    if (r.bad || r.at != r.n) {
        memset(o, 0, sizeof *o);
        FAIL(ROOMPROTO_MALFORMED, "active tickets: fields do not fill the message");
    }
    roomproto_rc rc = active_check(o, ROOMPROTO_MALFORMED, why);
    const char *msg = NULL;
    if (rc) {
        memset(o, 0, sizeof *o);
        return rc;
    }
    if (!x->pack_id || memcmp(x->pack_id, o->pack_id, ROOMPROTO_PACK_ID_BYTES)) {
        rc = ROOMPROTO_NOT_FOR_ME;
        msg = "active tickets: for another pack";
    } else if (!x->site || strcmp(x->site, o->site) || !x->room || strcmp(x->room, o->room)) {
        rc = ROOMPROTO_NOT_FOR_ME;
        msg = "active tickets: for another room";
    } else if (o->generation < x->last_counter) {
        rc = ROOMPROTO_REPLAY;
        msg = "active tickets: an older generation than one already seen";
    }
    if (rc) {
        memset(o, 0, sizeof *o);
        if (why) *why = msg;
    }
    return rc;
}

int roomproto_frame_kind(const uint8_t *buf, size_t len)
{
    if (!buf || len < 4) return 0;
    if (!memcmp(buf, CMD_MAGIC, 4)) return ROOMPROTO_FRAME_COMMAND;
    if (!memcmp(buf, ACTIVE_MAGIC, 4)) return ROOMPROTO_FRAME_ACTIVE;
    return 0;
}
