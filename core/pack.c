/* pack: building, verifying and opening signed, encrypted question packs.
 * Layout in pack.h; content schema in exam-packs/FORMAT.md. */
#include "core/pack.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/authority.h"
#include "core/csv.h"
#include "core/fileio.h"
#include "core/le.h"

#define ABYTES crypto_secretstream_xchacha20poly1305_ABYTES
#define WRAP_AD_BYTES 104
#define KDF_ALG_ARGON2ID13 2
#define KDF_MAX_OPS 20ull
#define KDF_MIN_MEM 8192ull
#define KDF_MAX_MEM (2ull << 30)

/* ---- little-endian helpers -------------------------------------------- */

const char *pack_strerror(pack_rc rc)
{
    switch (rc) {
    case PACK_OK: return "ok";
    case PACK_ENOMEM: return "out of memory";
    case PACK_FORMAT: return "not a question pack, or truncated";
    case PACK_VERSION_UNSUPPORTED: return "pack format version not supported";
    case PACK_OTHER_KEY: return "pack signed by a different authority";
    case PACK_BADSIG: return "pack signature does not verify: the file was altered";
    case PACK_CODE_TYPO: return "release code mistyped";
    case PACK_WRONG_CODE: return "wrong release code for this pack";
    case PACK_CORRUPT: return "pack content is corrupt";
    case PACK_SQLITE: return "pack database error";
    case PACK_ID_MISMATCH: return "pack is not the one stored under its id (replaced)";
    case PACK_WEAK_KDF: return "pack's key derivation is cheaper than kiosks accept";
    }
    return "unknown error";
}

static pack_rc fail(pack_rc rc, char **why, char *msg)
{
    if (why) *why = msg ? msg : fileio_fmt("%s", pack_strerror(rc));
    else free(msg);
    return rc;
}

pack_kdf pack_kdf_default(void)
{
    pack_kdf k = {5, 128u << 20};
    return k;
}

pack_kdf pack_kdf_floor(void)
{
    pack_kdf k = {PACK_KDF_FLOOR_OPS, (size_t)PACK_KDF_FLOOR_MEM};
    return k;
}

int pack_kdf_reaches(pack_kdf k, pack_kdf floor) { return k.opslimit >= floor.opslimit && k.memlimit >= floor.memlimit; }

static size_t chunks_for(uint64_t compressed) { return compressed ? (size_t)((compressed + PACK_CHUNK - 1) / PACK_CHUNK) : 1; }

/* ---- content database ------------------------------------------------- */

static const char SCHEMA[] =
    "PRAGMA user_version=1;"
    "CREATE TABLE exam(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE part(seq INTEGER PRIMARY KEY, type TEXT NOT NULL, section TEXT, count INTEGER NOT NULL,"
    " points INTEGER, heading TEXT NOT NULL);"
    "CREATE TABLE question(seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, type TEXT NOT NULL,"
    " section TEXT NOT NULL, stem TEXT NOT NULL, answer TEXT NOT NULL, points INTEGER);"
    "CREATE TABLE option(question INTEGER NOT NULL, idx INTEGER NOT NULL, text TEXT NOT NULL,"
    " PRIMARY KEY(question, idx)) WITHOUT ROWID;"
    "CREATE TABLE pool(part INTEGER NOT NULL, question INTEGER NOT NULL, points INTEGER NOT NULL,"
    " PRIMARY KEY(part, question)) WITHOUT ROWID;"
    "CREATE TABLE image(name TEXT PRIMARY KEY, png BLOB NOT NULL) WITHOUT ROWID;";

/* Chinese numeral for 1..99: 一 … 十 … 十一 … 二十 … 九十九 */
static void numeral_zh(int n, char *out, size_t size)
{
    static const char *D[] = {"", "一", "二", "三", "四", "五", "六", "七", "八", "九"};
    int tens = n / 10, ones = n % 10;
    if (tens == 0) snprintf(out, size, "%s", D[ones]);
    else snprintf(out, size, "%s十%s", tens == 1 ? "" : D[tens], D[ones]);
}

static int exec_kv(sqlite3_stmt *st, const char *k, const char *v)
{
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, k, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, v, -1, SQLITE_TRANSIENT);
    return sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
}

/* Builds the content database; returns a sqlite3_malloc'd image. */
static pack_rc build_image(const blueprint *bp, const bank *b, const bp_plan *plan, const pack_image *images,
                           size_t nimages, uint8_t **img, size_t *imglen, char **why)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL, *sq = NULL, *so = NULL, *sp = NULL;
    pack_rc rc = PACK_SQLITE;
    char *used = calloc(b->n ? b->n : 1, 1);
    if (!used) return fail(PACK_ENOMEM, why, NULL);
    if (sqlite3_open(":memory:", &db) != SQLITE_OK) goto out;
    if (sqlite3_exec(db, "PRAGMA page_size=4096; PRAGMA journal_mode=OFF; BEGIN;", NULL, NULL, NULL) ||
        sqlite3_exec(db, SCHEMA, NULL, NULL, NULL))
        goto out;
    if (sqlite3_prepare_v2(db, "INSERT INTO exam VALUES(?,?)", -1, &st, NULL)) goto out;
    char num[32];
    struct { const char *k; int v; } ints[] = {
        {"level", bp->level}, {"duration", bp->duration}, {"pass", bp->pass}, {"min_submit", bp->min_submit},
        {"late_entry", bp->late_entry}, {"shuffle_questions", bp->shuffle_questions},
        {"shuffle_options", bp->shuffle_options}, {"show_score", bp->show_score}, {"questions", plan->questions},
        {"points", plan->total_points}};
    if (exec_kv(st, "title", bp->title) || exec_kv(st, "kind", exam_kind_name(bp->kind)) ||
        exec_kv(st, "multi_partial", bp->partial == PARTIAL_HALF ? "half" : "none"))
        goto out;
    for (size_t i = 0; i < sizeof ints / sizeof *ints; i++) {
        snprintf(num, sizeof num, "%d", ints[i].v);
        if (exec_kv(st, ints[i].k, num)) goto out;
    }
    sqlite3_finalize(st);
    st = NULL;
    if (sqlite3_prepare_v2(db, "INSERT INTO part VALUES(?,?,?,?,?,?)", -1, &st, NULL)) goto out;
    for (size_t i = 0; i < bp->nrules; i++) {
        const bp_rule *r = &bp->rules[i];
        char heading[128], numeral[32];
        numeral_zh((int)i + 1, numeral, sizeof numeral);
        snprintf(heading, sizeof heading, "%s、%s", numeral, qtype_label_zh(r->type));
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, (sqlite3_int64)i + 1);
        sqlite3_bind_text(st, 2, qtype_name(r->type), -1, SQLITE_STATIC);
        if (r->section) sqlite3_bind_text(st, 3, r->section, -1, SQLITE_STATIC);
        else sqlite3_bind_null(st, 3);
        sqlite3_bind_int(st, 4, r->count);
        if (r->points >= 0) sqlite3_bind_int(st, 5, r->points);
        else sqlite3_bind_null(st, 5);
        sqlite3_bind_text(st, 6, heading, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) != SQLITE_DONE) goto out;
        for (size_t k = 0; k < plan->npool[i]; k++) used[plan->pool[i][k]] = 1;
    }
    if (sqlite3_prepare_v2(db, "INSERT INTO question VALUES(?,?,?,?,?,?,?)", -1, &sq, NULL) ||
        sqlite3_prepare_v2(db, "INSERT INTO option VALUES(?,?,?)", -1, &so, NULL) ||
        sqlite3_prepare_v2(db, "INSERT INTO pool VALUES(?,?,?)", -1, &sp, NULL))
        goto out;
    /* question seq = bank position + 1, so bank order is kept */
    for (size_t k = 0; k < b->n; k++) {
        if (!used[k]) continue;
        const question *q = &b->q[k];
        sqlite3_reset(sq);
        sqlite3_bind_int64(sq, 1, (sqlite3_int64)k + 1);
        sqlite3_bind_text(sq, 2, q->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(sq, 3, qtype_name(q->type), -1, SQLITE_STATIC);
        sqlite3_bind_text(sq, 4, q->section, -1, SQLITE_STATIC);
        sqlite3_bind_text(sq, 5, q->stem, -1, SQLITE_STATIC);
        sqlite3_bind_text(sq, 6, q->answer, -1, SQLITE_STATIC);
        if (q->points >= 0) sqlite3_bind_int(sq, 7, q->points);
        else sqlite3_bind_null(sq, 7);
        if (sqlite3_step(sq) != SQLITE_DONE) goto out;
        for (int o = 0; o < q->noptions; o++) {
            sqlite3_reset(so);
            sqlite3_bind_int64(so, 1, (sqlite3_int64)k + 1);
            sqlite3_bind_int(so, 2, o);
            sqlite3_bind_text(so, 3, q->options[o], -1, SQLITE_STATIC);
            if (sqlite3_step(so) != SQLITE_DONE) goto out;
        }
    }
    for (size_t i = 0; i < bp->nrules; i++)
        for (size_t k = 0; k < plan->npool[i]; k++) {
            size_t qi = plan->pool[i][k];
            sqlite3_reset(sp);
            sqlite3_bind_int64(sp, 1, (sqlite3_int64)i + 1);
            sqlite3_bind_int64(sp, 2, (sqlite3_int64)qi + 1);
            sqlite3_bind_int(sp, 3, blueprint_points(&bp->rules[i], &b->q[qi]));
            if (sqlite3_step(sp) != SQLITE_DONE) goto out;
        }
    /* the PNGs the packed stems show */
    sqlite3_stmt *si = NULL;
    if (sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO image VALUES(?,?)", -1, &si, NULL)) goto out;
    for (size_t k = 0; k < b->n; k++) {
        if (!used[k]) continue;
        char names[16][BANK_IMAGE_NAME_MAX + 1];
        int ni = bank_stem_images(b->q[k].stem, names, 16);
        for (int j = 0; j < ni && j < 16; j++) {
            const pack_image *found = NULL;
            for (size_t m = 0; m < nimages; m++)
                if (!strcmp(images[m].name, names[j])) found = &images[m];
            if (!found || found->len > PACK_MAX_IMAGE) {
                sqlite3_finalize(si);
                rc = PACK_FORMAT;
                char *m = fileio_fmt("question %s shows image %s, which was not given or is over 2 MiB", b->q[k].id,
                                     names[j]);
                fail(rc, why, m);
                goto out_quiet;
            }
            sqlite3_reset(si);
            sqlite3_bind_text(si, 1, found->name, -1, SQLITE_STATIC);
            sqlite3_bind_blob64(si, 2, found->png, found->len, SQLITE_STATIC);
            if (sqlite3_step(si) != SQLITE_DONE) { sqlite3_finalize(si); goto out; }
        }
    }
    sqlite3_finalize(si);
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL)) goto out;
    sqlite3_int64 n = 0;
    unsigned char *ser = sqlite3_serialize(db, "main", &n, 0);
    if (!ser) goto out;
    *img = ser;
    *imglen = (size_t)n;
    rc = PACK_OK;
out:
    if (rc != PACK_OK) {
        char *m = fileio_fmt("cannot build pack content: %s", db ? sqlite3_errmsg(db) : "sqlite");
        fail(rc, why, m);
    }
out_quiet:
    sqlite3_finalize(st);
    sqlite3_finalize(sq);
    sqlite3_finalize(so);
    sqlite3_finalize(sp);
    sqlite3_close(db);
    free(used);
    return rc;
}

/* ---- build ------------------------------------------------------------ */

static void hex(const uint8_t *b, size_t n, char *out)
{
    sodium_bin2hex(out, n * 2 + 1, b, n);
}

pack_rc pack_build(const blueprint *bp, const bank *b, const bp_plan *plan, const uint8_t sk[crypto_sign_SECRETKEYBYTES],
                   const char code[RELEASECODE_NORM_BYTES], pack_kdf kdf, long long created, uint8_t **out, size_t *outlen,
                   char **why)
{
    return pack_build_images(bp, b, plan, sk, code, kdf, created, NULL, 0, out, outlen, why);
}

pack_rc pack_build_images(const blueprint *bp, const bank *b, const bp_plan *plan,
                          const uint8_t sk[crypto_sign_SECRETKEYBYTES], const char code[RELEASECODE_NORM_BYTES],
                          pack_kdf kdf, long long created, const pack_image *images, size_t nimages,
                          uint8_t **out, size_t *outlen, char **why)
{
    *out = NULL;
    *outlen = 0;
    if (kdf.opslimit < 1 || kdf.opslimit > KDF_MAX_OPS || kdf.memlimit < KDF_MIN_MEM || kdf.memlimit > KDF_MAX_MEM)
        return fail(PACK_FORMAT, why, fileio_fmt("KDF cost out of range"));
    uint8_t *img = NULL, *z = NULL, *buf = NULL;
    size_t imglen = 0;
    pack_rc rc = build_image(bp, b, plan, images, nimages, &img, &imglen, why);
    if (rc) return rc;
    uLongf zlen = compressBound((uLong)imglen);
    z = malloc(zlen);
    if (!z) { rc = fail(PACK_ENOMEM, why, NULL); goto out; }
    if (compress2(z, &zlen, img, (uLong)imglen, 6) != Z_OK) { rc = fail(PACK_ENOMEM, why, fileio_fmt("compression failed")); goto out; }

    char meta[PACK_MAX_META];
    uint8_t pack_id[PACK_ID_BYTES];
    char idhex[PACK_ID_BYTES * 2 + 1];
    randombytes_buf(pack_id, sizeof pack_id);
    hex(pack_id, sizeof pack_id, idhex);
    int ml = snprintf(meta, sizeof meta,
                      "format=1\npack_id=%s\ntitle=%s\nlevel=%d\nkind=%s\nduration=%d\nquestions=%d\npoints=%d\ncreated=%lld\n"
                      "max_extra=%d\n",
                      idhex, bp->title, bp->level, exam_kind_name(bp->kind), bp->duration, plan->questions,
                      plan->total_points / 10, created, bp->max_extra);
    if (ml < 0 || (size_t)ml >= sizeof meta) { rc = fail(PACK_FORMAT, why, fileio_fmt("metadata too long")); goto out; }

    size_t nchunks = chunks_for(zlen);
    size_t clen = zlen + nchunks * ABYTES;
    size_t hlen = PACK_FIXED_BYTES + (size_t)ml;
    size_t total = hlen + clen + crypto_sign_BYTES;
    buf = malloc(total);
    if (!buf) { rc = fail(PACK_ENOMEM, why, NULL); goto out; }
    memset(buf, 0, hlen);
    memcpy(buf, PACK_MAGIC, 8);
    le_put32(buf + 8, PACK_VERSION);
    le_put32(buf + 12, (uint32_t)hlen);
    le_put64(buf + 16, clen);
    memcpy(buf + 24, pack_id, PACK_ID_BYTES);
    authority_key_id(sk + 32, buf + 40);
    randombytes_buf(buf + 48, crypto_pwhash_SALTBYTES);
    le_put64(buf + 64, kdf.opslimit);
    le_put64(buf + 72, kdf.memlimit);
    le_put32(buf + 80, KDF_ALG_ARGON2ID13);
    le_put32(buf + 84, 0);
    le_put64(buf + 88, imglen);
    le_put64(buf + 96, zlen);
    randombytes_buf(buf + 104, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
    le_put32(buf + 200, (uint32_t)ml);
    memcpy(buf + PACK_FIXED_BYTES, meta, (size_t)ml);

    uint8_t ckey[PACK_KEY_BYTES], wkey[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
    crypto_secretstream_xchacha20poly1305_keygen(ckey);
    if (crypto_pwhash(wkey, sizeof wkey, code, RELEASECODE_CHARS, buf + 48, kdf.opslimit, kdf.memlimit,
                      crypto_pwhash_ALG_ARGON2ID13) != 0) {
        sodium_memzero(ckey, sizeof ckey);
        rc = fail(PACK_ENOMEM, why, fileio_fmt("key derivation failed (not enough memory for the KDF cost?)"));
        goto out;
    }
    crypto_aead_xchacha20poly1305_ietf_encrypt(buf + 128, NULL, ckey, sizeof ckey, buf, WRAP_AD_BYTES, NULL, buf + 104,
                                               wkey);
    sodium_memzero(wkey, sizeof wkey);
    crypto_secretstream_xchacha20poly1305_state ss;
    crypto_secretstream_xchacha20poly1305_init_push(&ss, buf + 176, ckey);
    sodium_memzero(ckey, sizeof ckey);
    uint8_t *c = buf + hlen;
    for (size_t i = 0, off = 0; i < nchunks; i++) {
        size_t n = zlen - off < PACK_CHUNK ? zlen - off : PACK_CHUNK;
        uint8_t tag = i + 1 == nchunks ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0;
        crypto_secretstream_xchacha20poly1305_push(&ss, c, NULL, z + off, n, NULL, 0, tag);
        c += n + ABYTES;
        off += n;
    }
    sodium_memzero(&ss, sizeof ss);
    crypto_sign_detached(buf + hlen + clen, NULL, buf, hlen + clen, sk);
    *out = buf;
    *outlen = total;
    buf = NULL;
    rc = PACK_OK;
out:
    if (img) { sodium_memzero(img, imglen); sqlite3_free(img); }
    if (z) { sodium_memzero(z, compressBound((uLong)imglen)); free(z); }
    free(buf);
    return rc;
}

/* ---- reading ---------------------------------------------------------- */

static int meta_int(const char *v, int lo, int hi, int *out)
{
    char *end;
    long x = strtol(v, &end, 10);
    if (!*v || *end || x < lo || x > hi) return -1;
    *out = (int)x;
    return 0;
}

pack_rc pack_parse_header(const uint8_t *buf, size_t len, pack_info *info, char **why)
{
    memset(info, 0, sizeof *info);
    info->max_extra = BLUEPRINT_MAX_EXTRA_DEFAULT; /* packs built before max_extra */
    if (len < PACK_FIXED_BYTES + crypto_sign_BYTES || memcmp(buf, PACK_MAGIC, 8))
        return fail(PACK_FORMAT, why, fileio_fmt("not a question pack (bad magic or too short)"));
    if (le_get32(buf + 8) != PACK_VERSION)
        return fail(PACK_VERSION_UNSUPPORTED, why, fileio_fmt("pack format version %u is not supported (this program reads %d)",
                                                               le_get32(buf + 8), PACK_VERSION));
    uint32_t hlen = le_get32(buf + 12), mlen = le_get32(buf + 200);
    uint64_t clen = le_get64(buf + 16), content = le_get64(buf + 88), zlen = le_get64(buf + 96);
    if (mlen > PACK_MAX_META || hlen != PACK_FIXED_BYTES + mlen)
        return fail(PACK_FORMAT, why, fileio_fmt("pack header lengths are inconsistent"));
    if (clen > len || (uint64_t)hlen + clen + crypto_sign_BYTES != len)
        return fail(PACK_FORMAT, why, fileio_fmt("pack is truncated or has extra bytes (%zu bytes, header says %llu)", len,
                                                 (unsigned long long)((uint64_t)hlen + clen + crypto_sign_BYTES)));
    if (content > PACK_MAX_CONTENT || zlen > clen || clen != zlen + chunks_for(zlen) * ABYTES)
        return fail(PACK_FORMAT, why, fileio_fmt("pack content lengths are inconsistent"));
    info->kdf.opslimit = le_get64(buf + 64);
    info->kdf.memlimit = (size_t)le_get64(buf + 72);
    if (le_get32(buf + 80) != KDF_ALG_ARGON2ID13 || info->kdf.opslimit < 1 || info->kdf.opslimit > KDF_MAX_OPS ||
        le_get64(buf + 72) < KDF_MIN_MEM || le_get64(buf + 72) > KDF_MAX_MEM || le_get32(buf + 84) != 0)
        return fail(PACK_FORMAT, why, fileio_fmt("pack KDF parameters out of range"));
    memcpy(info->pack_id, buf + 24, PACK_ID_BYTES);
    hex(info->pack_id, PACK_ID_BYTES, info->pack_id_hex);
    info->content_bytes = content;
    info->compressed_bytes = zlen;
    const char *m = (const char *)buf + PACK_FIXED_BYTES;
    if (!csv_utf8_valid(m, mlen, NULL) || memchr(m, 0, mlen) || (mlen && m[mlen - 1] != '\n'))
        return fail(PACK_FORMAT, why, fileio_fmt("pack metadata is not UTF-8 text lines"));
    int have = 0;
    for (const char *p = m, *end = m + mlen; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *eq = memchr(p, '=', (size_t)(nl - p));
        if (!eq) return fail(PACK_FORMAT, why, fileio_fmt("pack metadata line without '='"));
        char key[32], val[256];
        size_t kl = (size_t)(eq - p), vl = (size_t)(nl - eq - 1);
        if (kl >= sizeof key || vl >= sizeof val) return fail(PACK_FORMAT, why, fileio_fmt("pack metadata field too long"));
        memcpy(key, p, kl); key[kl] = 0;
        memcpy(val, eq + 1, vl); val[vl] = 0;
        int bad = 0;
        if (!strcmp(key, "title")) { snprintf(info->title, sizeof info->title, "%s", val); have |= 1; }
        else if (!strcmp(key, "level")) { bad = meta_int(val, 1, 5, &info->level); have |= 2; }
        else if (!strcmp(key, "kind")) {
            bad = strcmp(val, "theory") && strcmp(val, "practical");
            if (!bad) strcpy(info->kind, val);
            have |= 4;
        } else if (!strcmp(key, "duration")) { bad = meta_int(val, 1, 600, &info->duration); have |= 8; }
        else if (!strcmp(key, "questions")) { bad = meta_int(val, 1, 100000, &info->questions); have |= 16; }
        else if (!strcmp(key, "points")) bad = meta_int(val, 0, 1000, &info->points);
        else if (!strcmp(key, "created")) info->created = strtoll(val, NULL, 10);
        else if (!strcmp(key, "max_extra")) bad = meta_int(val, 0, BLUEPRINT_MAX_EXTRA_LIMIT, &info->max_extra);
        else if (!strcmp(key, "pack_id")) bad = strcmp(val, info->pack_id_hex) != 0;
        if (bad) return fail(PACK_FORMAT, why, fileio_fmt("pack metadata field '%s' is invalid", key));
        p = nl + 1;
    }
    if (have != 31) return fail(PACK_FORMAT, why, fileio_fmt("pack metadata is missing a required field"));
    return PACK_OK;
}

pack_rc pack_verify(const uint8_t *buf, size_t len, const uint8_t pk[32], pack_info *info, char **why)
{
    pack_info tmp;
    if (!info) info = &tmp;
    memset(info, 0, sizeof *info);
    /* structure first, only as far as needed to find the signature */
    if (len < PACK_FIXED_BYTES + crypto_sign_BYTES || memcmp(buf, PACK_MAGIC, 8))
        return fail(PACK_FORMAT, why, fileio_fmt("not a question pack (bad magic or too short)"));
    uint8_t kid[AUTHORITY_KEYID_BYTES];
    authority_key_id(pk, kid);
    if (sodium_memcmp(kid, buf + 40, AUTHORITY_KEYID_BYTES) != 0) {
        if (crypto_sign_verify_detached(buf + len - crypto_sign_BYTES, buf, len - crypto_sign_BYTES, pk) != 0)
            return fail(PACK_OTHER_KEY, why, fileio_fmt("pack was signed by a different authority key (or altered)"));
    }
    if (crypto_sign_verify_detached(buf + len - crypto_sign_BYTES, buf, len - crypto_sign_BYTES, pk) != 0)
        return fail(PACK_BADSIG, why, fileio_fmt("pack signature does not verify: the file was altered or truncated"));
    return pack_parse_header(buf, len, info, why);
}

pack_rc pack_verify_as(const uint8_t *buf, size_t len, const uint8_t pk[32], const char *id_hex, pack_kdf floor,
                       pack_info *info, char **why)
{
    pack_info tmp;
    if (!info) info = &tmp;
    pack_rc rc = pack_verify(buf, len, pk, info, why);
    if (rc) return rc;
    if (id_hex && strcmp(id_hex, info->pack_id_hex))
        return fail(PACK_ID_MISMATCH, why,
                    fileio_fmt("pack stored as %.32s holds another pack (%s, «%s»): refused, it was replaced", id_hex,
                               info->pack_id_hex, info->title));
    if (!pack_kdf_reaches(info->kdf, floor))
        return fail(PACK_WEAK_KDF, why,
                    fileio_fmt("pack %s unlocks with Argon2id %llu passes, %zu KiB: below the floor of %llu passes, "
                               "%zu MiB that kiosks accept (rebuild it with the default cost)",
                               info->pack_id_hex, info->kdf.opslimit, info->kdf.memlimit >> 10, floor.opslimit,
                               floor.memlimit >> 20));
    return PACK_OK;
}

pack_rc pack_unwrap_key(const uint8_t *buf, size_t len, const char *typed, uint8_t key[PACK_KEY_BYTES], char **why)
{
    char norm[RELEASECODE_NORM_BYTES];
    releasecode_rc r = releasecode_normalize(typed, norm);
    if (r != RELEASECODE_OK) return fail(PACK_CODE_TYPO, why, fileio_fmt("%s", releasecode_strerror(r)));
    pack_info info;
    pack_rc rc = pack_parse_header(buf, len, &info, why);
    if (rc) { sodium_memzero(norm, sizeof norm); return rc; }
    uint8_t wkey[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
    int k = crypto_pwhash(wkey, sizeof wkey, norm, RELEASECODE_CHARS, buf + 48, info.kdf.opslimit, info.kdf.memlimit,
                          crypto_pwhash_ALG_ARGON2ID13);
    sodium_memzero(norm, sizeof norm);
    if (k != 0) return fail(PACK_ENOMEM, why, fileio_fmt("key derivation failed (not enough memory)"));
    unsigned long long klen = 0;
    int d = crypto_aead_xchacha20poly1305_ietf_decrypt(key, &klen, NULL, buf + 128, 48, buf, WRAP_AD_BYTES, buf + 104, wkey);
    sodium_memzero(wkey, sizeof wkey);
    if (d != 0 || klen != PACK_KEY_BYTES) {
        sodium_memzero(key, PACK_KEY_BYTES);
        return fail(PACK_WRONG_CODE, why, fileio_fmt("wrong release code for this pack"));
    }
    return PACK_OK;
}

pack_rc pack_decrypt(const uint8_t *buf, size_t len, const uint8_t key[PACK_KEY_BYTES], uint8_t **img, size_t *imglen,
                     char **why)
{
    *img = NULL;
    *imglen = 0;
    pack_info info;
    pack_rc rc = pack_parse_header(buf, len, &info, why);
    if (rc) return rc;
    uint8_t *out = NULL; /* allocated once the first chunk authenticates */
    uint8_t *chunk = malloc(PACK_CHUNK);
    if (!chunk) return fail(PACK_ENOMEM, why, NULL);
    crypto_secretstream_xchacha20poly1305_state ss;
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    rc = PACK_CORRUPT;
    int zinit = 0;
    if (crypto_secretstream_xchacha20poly1305_init_pull(&ss, buf + 176, key) != 0) goto out;
    if (inflateInit(&zs) != Z_OK) { rc = PACK_ENOMEM; goto out; }
    zinit = 1;
    zs.avail_out = (uInt)info.content_bytes;
    const uint8_t *c = buf + le_get32(buf + 12);
    size_t nchunks = chunks_for(info.compressed_bytes);
    uint64_t left = info.compressed_bytes;
    int zr = Z_OK;
    for (size_t i = 0; i < nchunks; i++) {
        size_t n = left < PACK_CHUNK ? (size_t)left : PACK_CHUNK;
        unsigned char tag = 0;
        unsigned long long got = 0;
        if (crypto_secretstream_xchacha20poly1305_pull(&ss, chunk, &got, &tag, c, n + ABYTES, NULL, 0) != 0) goto out;
        int last = i + 1 == nchunks;
        if (got != n || (last != (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL))) goto out;
        if (!out) {
            out = sqlite3_malloc64(info.content_bytes ? info.content_bytes : 1);
            if (!out) { rc = PACK_ENOMEM; goto out; }
            zs.next_out = out;
        }
        c += n + ABYTES;
        left -= n;
        zs.next_in = chunk;
        zs.avail_in = (uInt)n;
        while (zs.avail_in) {
            zr = inflate(&zs, Z_NO_FLUSH);
            if (zr == Z_STREAM_END) break;
            if (zr != Z_OK) goto out;
        }
        if (zr == Z_STREAM_END && (zs.avail_in || !last)) goto out;
    }
    if (zr != Z_STREAM_END || zs.total_out != info.content_bytes) goto out;
    *img = out;
    *imglen = (size_t)info.content_bytes;
    out = NULL;
    rc = PACK_OK;
out:
    if (zinit) inflateEnd(&zs);
    sodium_memzero(&ss, sizeof ss);
    sodium_memzero(chunk, PACK_CHUNK);
    free(chunk);
    if (out) { sodium_memzero(out, info.content_bytes); sqlite3_free(out); }
    if (rc != PACK_OK) fail(rc, why, NULL);
    return rc;
}

pack_rc pack_open_with_key(const uint8_t *buf, size_t len, const uint8_t pk[32], const uint8_t key[PACK_KEY_BYTES],
                           sqlite3 **db, char **why)
{
    *db = NULL;
    pack_rc rc = pack_verify(buf, len, pk, NULL, why);
    if (rc) return rc;
    uint8_t *img;
    size_t imglen;
    if ((rc = pack_decrypt(buf, len, key, &img, &imglen, why))) return rc;
    sqlite3 *d = NULL;
    if (sqlite3_open_v2(":memory:", &d, SQLITE_OPEN_READWRITE | SQLITE_OPEN_MEMORY, NULL) != SQLITE_OK) {
        sqlite3_close(d);
        sodium_memzero(img, imglen);
        sqlite3_free(img);
        return fail(PACK_SQLITE, why, NULL);
    }
    /* the image is handed to SQLite, which frees it on close */
    if (sqlite3_deserialize(d, "main", img, (sqlite3_int64)imglen, (sqlite3_int64)imglen,
                            SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_READONLY) != SQLITE_OK) {
        sqlite3_close(d);
        return fail(PACK_SQLITE, why, NULL);
    }
    sqlite3_stmt *st = NULL;
    int version = -1;
    if (sqlite3_prepare_v2(d, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (version != 1) {
        sqlite3_close(d);
        return fail(PACK_SQLITE, why, fileio_fmt("pack content schema version %d is not supported", version));
    }
    *db = d;
    return PACK_OK;
}

pack_rc pack_open(const uint8_t *buf, size_t len, const uint8_t pk[32], const char *typed, sqlite3 **db, char **why)
{
    *db = NULL;
    char norm[RELEASECODE_NORM_BYTES];
    releasecode_rc r = releasecode_normalize(typed, norm); /* typo: refuse before any slow work */
    sodium_memzero(norm, sizeof norm);
    if (r != RELEASECODE_OK) return fail(PACK_CODE_TYPO, why, fileio_fmt("%s", releasecode_strerror(r)));
    pack_rc rc = pack_verify(buf, len, pk, NULL, why);
    if (rc) return rc;
    uint8_t key[PACK_KEY_BYTES];
    if ((rc = pack_unwrap_key(buf, len, typed, key, why))) return rc;
    rc = pack_open_with_key(buf, len, pk, key, db, why);
    sodium_memzero(key, sizeof key);
    return rc;
}

void pack_close(sqlite3 *db)
{
    if (db) sqlite3_close(db);
}
