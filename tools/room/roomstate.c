/* roomstate: the console's keys and roster in memory (see roomstate.h). */
#include "tools/room/roomstate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/fileio.h"
#include "core/pack.h"
#include "core/pin.h"
#include "core/releasecode.h"

#define WRAP_PLAIN (ROOMPROTO_KEY_BYTES + 2 * ROOMPROTO_PIN_SALT_BYTES + 4 + 4 + ROOMPROTO_PIN_HASH_BYTES)
#define WRAP_NONCE crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define WRAP_BYTES (WRAP_NONCE + WRAP_PLAIN + crypto_aead_xchacha20poly1305_ietf_ABYTES)

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

typedef struct load_ctx {
    roomstate *st;
    char *why;
} load_ctx;

static int load_roster(void *ctx, const char *id, const uint8_t *bytes, size_t len)
{
    load_ctx *l = ctx;
    roster r;
    char *why = NULL;
    if (roster_read(bytes, len, l->st->pub.sign_pk, &r, &why)) {
        l->why = fileio_fmt("roster %s in room.db: %s", id, why ? why : "does not verify");
        free(why);
        return 1;
    }
    room_cand *v = realloc(l->st->cands, (l->st->ncands + r.n) * sizeof *v);
    if (!v && r.n) {
        roster_free(&r);
        l->why = fileio_fmt("out of memory");
        return 1;
    }
    l->st->cands = v;
    for (size_t i = 0; i < r.n; i++) {
        room_cand *c = &l->st->cands[l->st->ncands++];
        memset(c, 0, sizeof *c);
        snprintf(c->ticket, sizeof c->ticket, "%s", r.e[i].ticket);
        c->seat = r.e[i].seat;
        c->level = r.e[i].level;
        c->extra_minutes = r.e[i].extra_minutes;
    }
    roster_free(&r);
    return 0;
}

int roomstate_init(roomstate *st, roomstore *rs, const char *dir, const char *site, const char *room, char **why)
{
    memset(st, 0, sizeof *st);
    st->rs = rs;
    st->site = site;
    st->room = room;
    char *pubpath = fileio_fmt("%s/authority.pub", dir);
    int rc = authority_load_pub(pubpath, &st->pub, why);
    free(pubpath);
    if (rc) return -1;
    if (pthread_mutex_init(&st->mu, NULL)) return *why = fileio_fmt("cannot create a mutex"), -1;
    load_ctx l = {st, NULL};
    if (roomstore_rosters(rs, load_roster, &l) < 0 || l.why) {
        *why = l.why ? l.why : fileio_fmt("room.db: cannot read the rosters: %s", roomstore_error(rs));
        roomstate_free(st);
        return -1;
    }
    return 0;
}

void roomstate_free(roomstate *st)
{
    free(st->cands);
    pthread_mutex_destroy(&st->mu);
    sodium_memzero(st, sizeof *st);
}

/* the candidates' tags and the seen rows that waited for them (mutex held) */
static void tags_locked(roomstate *st)
{
    for (size_t i = 0; i < st->ncands; i++) {
        room_cand *c = &st->cands[i];
        if (roomproto_ticket_tag(&st->k, c->ticket, c->tag) != ROOMPROTO_OK) memset(c->tag, 0, sizeof c->tag);
        char hex[2 * ROOMPROTO_TAG_BYTES + 1];
        sodium_bin2hex(hex, sizeof hex, c->tag, sizeof c->tag);
        (void)roomstore_seen_resolve(st->rs, hex, c->ticket);
    }
}

/* the additional data of the wrapped key: it is this room's, for this pack */
static size_t wrap_ad(const roomstate *st, const uint8_t pack_id[ROOMPROTO_PACK_ID_BYTES], uint8_t *ad, size_t cap)
{
    int n = snprintf((char *)ad, cap, "exam-room-wrap v1\n%s\n%s\n", st->site, st->room);
    size_t len = n < 0 ? 0 : (size_t)n >= cap - ROOMPROTO_PACK_ID_BYTES ? cap - ROOMPROTO_PACK_ID_BYTES : (size_t)n;
    memcpy(ad + len, pack_id, ROOMPROTO_PACK_ID_BYTES);
    return len + ROOMPROTO_PACK_ID_BYTES;
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* the rosters again (one added by `examroom add` while the console runs): the
 * old list stays when they do not read (mutex held) */
static void rosters_reload_locked(roomstate *st)
{
    roomstate tmp;
    memset(&tmp, 0, sizeof tmp);
    tmp.pub = st->pub;
    load_ctx l = {&tmp, NULL};
    if (roomstore_rosters(st->rs, load_roster, &l) < 0 || l.why) {
        free(l.why);
        free(tmp.cands);
        return;
    }
    free(st->cands);
    st->cands = tmp.cands;
    st->ncands = tmp.ncands;
    if (st->unlocked) tags_locked(st);
}

int roomstate_login(roomstate *st, const char *password, const char **why)
{
    pthread_mutex_lock(&st->mu);
    rosters_reload_locked(st);
    int out = -1;
    char *salt_hex = NULL, *wrapped = NULL, *pack = NULL;
    uint8_t plain[WRAP_PLAIN];
    if (!st->have_wrap) {
        uint8_t salt[crypto_pwhash_SALTBYTES];
        size_t n = 0;
        salt_hex = roomstore_config_get(st->rs, "wrap_salt");
        if (!salt_hex || sodium_hex2bin(salt, sizeof salt, salt_hex, strlen(salt_hex), NULL, &n, NULL) ||
            n != sizeof salt) {
            if (salt_hex) { /* a salt that does not read would wrap under a key nobody can make again */
                *why = "room.db: config wrap_salt is not 16 bytes of hex";
                goto done;
            }
            char hex[2 * crypto_pwhash_SALTBYTES + 1];
            randombytes_buf(salt, sizeof salt);
            sodium_bin2hex(hex, sizeof hex, salt, sizeof salt);
            if (roomstore_config_set(st->rs, "wrap_salt", hex)) {
                *why = "room.db: cannot store the wrap salt";
                goto done;
            }
        }
        if (crypto_pwhash(st->wrap, sizeof st->wrap, password, strlen(password), salt, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13)) {
            *why = "out of memory for Argon2id";
            goto done;
        }
        st->have_wrap = 1;
    }
    out = 1;
    if (st->unlocked) goto done;
    wrapped = roomstore_config_get(st->rs, "wrapped_key");
    pack = roomstore_config_get(st->rs, "unlocked_pack");
    if (!wrapped || !pack) goto done;
    out = -1;
    uint8_t blob[WRAP_BYTES], pid[ROOMPROTO_PACK_ID_BYTES], ad[256];
    size_t n = 0, m = 0;
    unsigned long long plen = 0;
    if (sodium_hex2bin(blob, sizeof blob, wrapped, strlen(wrapped), NULL, &n, NULL) || n != sizeof blob ||
        sodium_hex2bin(pid, sizeof pid, pack, strlen(pack), NULL, &m, NULL) || m != sizeof pid) {
        *why = "room.db: the wrapped content key does not read";
        goto done;
    }
    size_t adlen = wrap_ad(st, pid, ad, sizeof ad);
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain, &plen, NULL, blob + WRAP_NONCE, sizeof blob - WRAP_NONCE, ad,
                                                   adlen, blob, st->wrap) ||
        plen != sizeof plain) {
        *why = "room.db: the wrapped content key does not open with this password (edited?)";
        goto done;
    }
    memset(&st->pin, 0, sizeof st->pin);
    memcpy(st->pack_id, pid, sizeof pid);
    memcpy(st->pin.pack_id, pid, sizeof pid);
    memcpy(st->pin.content_key, plain, ROOMPROTO_KEY_BYTES);
    memcpy(st->pin.pin_kiosk_salt, plain + 32, 16);
    memcpy(st->pin.pin_unlock_salt, plain + 48, 16);
    st->pin.pin_ops = get32(plain + 64);
    st->pin.pin_mem = get32(plain + 68);
    memcpy(st->pin.pin_hash, plain + 72, 32);
    roomproto_keys_derive(st->pin.content_key, &st->k);
    snprintf(st->pack_hex, sizeof st->pack_hex, "%s", pack);
    char *title = roomstore_config_get(st->rs, "unlocked_title"), *level = roomstore_config_get(st->rs, "unlocked_level");
    snprintf(st->pack_title, sizeof st->pack_title, "%s", title ? title : "");
    st->pack_level = level ? atoi(level) : -1;
    free(title);
    free(level);
    st->unlocked = 1;
    tags_locked(st);
    out = 0;
done:
    sodium_memzero(plain, sizeof plain);
    free(salt_hex);
    free(wrapped);
    free(pack);
    pthread_mutex_unlock(&st->mu);
    return out;
}

typedef struct pack_list {
    void (*fn)(void *ctx, const char *id, const char *title);
    void *ctx;
} pack_list;

static int list_pack(void *ctx, const char *id, const char *title, int level, const uint8_t *bytes, size_t len)
{
    (void)level, (void)bytes, (void)len;
    pack_list *p = ctx;
    if (p->fn) p->fn(p->ctx, id, title);
    return 0;
}

int roomstate_packs(roomstate *st, void (*fn)(void *ctx, const char *id, const char *title), void *ctx)
{
    pack_list p = {fn, ctx};
    return roomstore_packs(st->rs, list_pack, &p);
}

typedef struct unlock_ctx {
    roomstate *st;
    const char *want, *code;
    int found;
    pack_rc rc;
    pack_info info;
    uint8_t key[PACK_KEY_BYTES];
} unlock_ctx;

/* the chosen pack: verified as the kiosk verifies it, then the one KDF */
static int try_pack(void *ctx, const char *id, const char *title, int level, const uint8_t *bytes, size_t len)
{
    (void)title, (void)level;
    unlock_ctx *u = ctx;
    if (strcmp(id, u->want)) return 0;
    u->found = 1;
    char *why = NULL;
    u->rc = pack_verify_as(bytes, len, u->st->pub.sign_pk, id, pack_kdf_floor(), &u->info, &why);
    if (u->rc == PACK_OK) u->rc = pack_unwrap_key(bytes, len, u->code, u->key, &why);
    if (u->rc == PACK_OK) { /* the key must open the content, as at the kiosk */
        sqlite3 *db = NULL;
        u->rc = pack_open_with_key(bytes, len, u->st->pub.sign_pk, u->key, &db, &why);
        pack_close(db);
    }
    free(why);
    return 1;
}

static int pin_format_ok(const char *pin)
{
    size_t n = strlen(pin);
    if (n < 6 || n > 32) return 0;
    for (size_t i = 0; i < n; i++)
        if (pin[i] < '0' || pin[i] > '9') return 0;
    return 1;
}

int roomstate_unlock(roomstate *st, const char *pack_hex, const char *code, const char *pin, const char *pin2,
                     const char *actor, const char **why_zh)
{
    char norm[RELEASECODE_NORM_BYTES];
    releasecode_rc nrc = releasecode_normalize(code, norm);
    sodium_memzero(norm, sizeof norm);
    if (nrc != RELEASECODE_OK) return *why_zh = "发布码有误（校验位不符或长度不对），请核对后重新输入。", -1;
    if (!pin_format_ok(pin)) return *why_zh = "监考密码须为 6–32 位数字。", -1;
    if (strcmp(pin, pin2)) return *why_zh = "两次输入的监考密码不一致。", -1;
    pthread_mutex_lock(&st->mu);
    int out = -1;
    unlock_ctx *u = calloc(1, sizeof *u);
    uint8_t plain[WRAP_PLAIN], blob[WRAP_BYTES], ad[256];
    if (!u) {
        *why_zh = "内存不足。";
        goto done;
    }
    if (st->unlocked) {
        *why_zh = "本考场已解锁，无需再次输入发布码。";
        goto done;
    }
    if (!st->have_wrap) { /* cannot happen: the page needs a log-in, which derives it */
        *why_zh = "请先重新登录。";
        goto done;
    }
    u->st = st, u->want = pack_hex, u->code = code;
    if (roomstore_packs(st->rs, try_pack, u) < 0) {
        *why_zh = "数据库错误，无法读取试卷包。";
        goto done;
    }
    if (!u->found) {
        *why_zh = "没有这个试卷包（examroom add 添加）。";
        goto done;
    }
    if (u->rc != PACK_OK) {
        *why_zh = u->rc == PACK_WRONG_CODE || u->rc == PACK_CODE_TYPO ? "发布码不正确：无法打开所选试卷包。"
                  : u->rc == PACK_WEAK_KDF                          ? "试卷包的密钥派生强度低于考机下限，已拒绝。"
                                                                    : "试卷包校验失败，已拒绝。";
        goto done;
    }
    roomproto_unlock p;
    memset(&p, 0, sizeof p);
    memcpy(p.pack_id, u->info.pack_id, sizeof p.pack_id);
    memcpy(p.content_key, u->key, sizeof p.content_key);
    randombytes_buf(p.pin_kiosk_salt, sizeof p.pin_kiosk_salt);
    randombytes_buf(p.pin_unlock_salt, sizeof p.pin_unlock_salt);
    pin_cost c = pin_cost_default();
    p.pin_ops = (uint32_t)c.ops;
    p.pin_mem = (uint32_t)c.mem;
    if (pin_hash(pin, p.content_key, p.pin_kiosk_salt, p.pin_unlock_salt, c, p.pin_hash)) {
        sodium_memzero(&p, sizeof p);
        *why_zh = "内存不足，无法生成监考密码校验值。";
        goto done;
    }
    memcpy(plain, p.content_key, 32);
    memcpy(plain + 32, p.pin_kiosk_salt, 16);
    memcpy(plain + 48, p.pin_unlock_salt, 16);
    put32(plain + 64, p.pin_ops);
    put32(plain + 68, p.pin_mem);
    memcpy(plain + 72, p.pin_hash, 32);
    randombytes_buf(blob, WRAP_NONCE);
    size_t adlen = wrap_ad(st, p.pack_id, ad, sizeof ad);
    crypto_aead_xchacha20poly1305_ietf_encrypt(blob + WRAP_NONCE, NULL, plain, sizeof plain, ad, adlen, NULL, blob,
                                               st->wrap);
    char hex[2 * WRAP_BYTES + 1], level[16], detail[400];
    sodium_bin2hex(hex, sizeof hex, blob, sizeof blob);
    snprintf(level, sizeof level, "%d", u->info.level);
    snprintf(detail, sizeof detail, "pack %s «%s» unlocked with the release code; session PIN verifier made",
             u->info.pack_id_hex, u->info.title);
    const char *keys[] = {"wrapped_key", "unlocked_pack", "unlocked_title", "unlocked_level"};
    const char *vals[] = {hex, u->info.pack_id_hex, u->info.title, level};
    if (roomstore_config_commit(st->rs, 4, keys, vals, (int64_t)time(NULL), actor, "unlock", detail)) {
        sodium_memzero(&p, sizeof p);
        *why_zh = "数据库错误，未解锁。";
        goto done;
    }
    st->pin = p;
    sodium_memzero(&p, sizeof p);
    memcpy(st->pack_id, u->info.pack_id, sizeof st->pack_id);
    snprintf(st->pack_hex, sizeof st->pack_hex, "%s", u->info.pack_id_hex);
    snprintf(st->pack_title, sizeof st->pack_title, "%s", u->info.title);
    st->pack_level = u->info.level;
    roomproto_keys_derive(st->pin.content_key, &st->k);
    st->unlocked = 1;
    tags_locked(st);
    out = 0;
done:
    if (u) sodium_memzero(u, sizeof *u);
    free(u);
    sodium_memzero(plain, sizeof plain);
    pthread_mutex_unlock(&st->mu);
    return out;
}

int roomstate_unlocked(roomstate *st, char pack_hex[33], char title[256])
{
    pthread_mutex_lock(&st->mu);
    int u = st->unlocked;
    if (pack_hex) snprintf(pack_hex, 33, "%s", u ? st->pack_hex : "");
    if (title) snprintf(title, 256, "%s", u ? st->pack_title : "");
    pthread_mutex_unlock(&st->mu);
    return u;
}

int roomstate_level(roomstate *st)
{
    pthread_mutex_lock(&st->mu);
    int l = st->unlocked ? st->pack_level : -1;
    pthread_mutex_unlock(&st->mu);
    return l;
}

int roomstate_seal(roomstate *st, int type, const char *target, const char *seat_pk_hex, int minutes,
                   const char *reason, room_cmd_row *row, const char **why)
{
    pthread_mutex_lock(&st->mu);
    int out = -1;
    roomproto_command *c = calloc(1, sizeof *c);
    if (!c) {
        *why = "out of memory";
        goto done;
    }
    if (!st->unlocked) {
        *why = "the room is not unlocked (or the console restarted: log in again)";
        goto done;
    }
    c->type = (uint8_t)type;
    c->target_all = target == NULL;
    if (target) snprintf(c->target, sizeof c->target, "%s", target);
    memcpy(c->pack_id, st->pack_id, sizeof c->pack_id);
    snprintf(c->site, sizeof c->site, "%s", st->site);
    snprintf(c->room, sizeof c->room, "%s", st->room);
    c->counter = row->counter;
    c->wall_ms = (uint64_t)wall_ms();
    if (type == ROOMPROTO_CMD_EXTEND) {
        c->minutes = minutes < 0 || minutes > 65535 ? 0 : (uint16_t)minutes;
        snprintf(c->reason, sizeof c->reason, "%s", reason ? reason : "");
    }
    if (type == ROOMPROTO_CMD_UNLOCK || type == ROOMPROTO_CMD_AUTHORISE_RESUME) {
        uint8_t pk[crypto_sign_PUBLICKEYBYTES];
        size_t n = 0;
        if (!target || !seat_pk_hex || sodium_hex2bin(pk, sizeof pk, seat_pk_hex, strlen(seat_pk_hex), NULL, &n, NULL) ||
            n != sizeof pk) {
            *why = "the seat's device key does not read";
            goto done;
        }
        roomproto_unlock u = st->pin;
        snprintf(u.kiosk_id, sizeof u.kiosk_id, "%s", target);
        roomproto_rc r = roomproto_unlock_seal(&u, pk, c->sealed, why);
        sodium_memzero(&u, sizeof u);
        if (r != ROOMPROTO_OK) goto done;
    }
    if (roomproto_command_seal(c, &st->k, row->bytes, &row->len, why) != ROOMPROTO_OK) goto done;
    snprintf(row->type, sizeof row->type, "%s", roomproto_cmd_name(type));
    snprintf(row->target, sizeof row->target, "%s", target ? target : "");
    out = 0;
done:
    if (c) sodium_memzero(c, sizeof *c);
    free(c);
    pthread_mutex_unlock(&st->mu);
    return out;
}

int roomstate_ticket(roomstate *st, const uint8_t tag[ROOMPROTO_TAG_BYTES], char ticket[ROSTER_TICKET_MAX + 1],
                     int *seat, int *extra_minutes)
{
    pthread_mutex_lock(&st->mu);
    int found = 0;
    for (size_t i = 0; st->unlocked && i < st->ncands; i++)
        if (!sodium_memcmp(st->cands[i].tag, tag, ROOMPROTO_TAG_BYTES)) {
            snprintf(ticket, ROSTER_TICKET_MAX + 1, "%s", st->cands[i].ticket);
            if (seat) *seat = st->cands[i].seat;
            if (extra_minutes) *extra_minutes = st->cands[i].extra_minutes;
            found = 1;
            break;
        }
    pthread_mutex_unlock(&st->mu);
    return found;
}

size_t roomstate_cands(roomstate *st, room_cand **out, int *unlocked)
{
    pthread_mutex_lock(&st->mu);
    size_t n = st->ncands;
    *out = n ? malloc(n * sizeof **out) : NULL;
    if (*out) memcpy(*out, st->cands, n * sizeof **out);
    else n = 0;
    if (unlocked) *unlocked = st->unlocked;
    pthread_mutex_unlock(&st->mu);
    return n;
}

int roomstate_name(roomstate *st, const uint8_t *box, size_t len, char name[ROOMPROTO_NAME_MAX + 1])
{
    pthread_mutex_lock(&st->mu);
    const char *why = NULL;
    int ok = st->unlocked && len && roomproto_name_open(&st->k, box, len, name, &why) == ROOMPROTO_OK;
    if (!ok) name[0] = 0;
    pthread_mutex_unlock(&st->mu);
    return ok;
}

int roomstate_active(roomstate *st, const roomproto_active_entry *e, int n, uint8_t *out, size_t cap, size_t *len)
{
    pthread_mutex_lock(&st->mu);
    int rc = -1;
    roomproto_active *a = st->unlocked ? calloc(1, sizeof *a) : NULL;
    if (a) {
        memcpy(a->pack_id, st->pack_id, sizeof a->pack_id);
        snprintf(a->site, sizeof a->site, "%s", st->site);
        snprintf(a->room, sizeof a->room, "%s", st->room);
        /* strictly increasing across restarts too: never below the wall clock in µs */
        uint64_t now_us = (uint64_t)wall_ms() * 1000;
        st->active_gen = st->active_gen + 1 > now_us ? st->active_gen + 1 : now_us;
        a->generation = st->active_gen;
        a->wall_ms = (uint64_t)wall_ms();
        a->n = (uint8_t)(n > ROOMPROTO_ACTIVE_MAX ? ROOMPROTO_ACTIVE_MAX : n);
        memcpy(a->e, e, a->n * sizeof *e);
        const char *why = NULL;
        rc = roomproto_active_seal(a, &st->k, out, cap, len, &why) == ROOMPROTO_OK ? 0 : -1;
        free(a);
    }
    pthread_mutex_unlock(&st->mu);
    return rc;
}
