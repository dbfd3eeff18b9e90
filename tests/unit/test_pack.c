/* Unit tests for core/pack.c: building, verifying and opening signed,
 * encrypted question packs (FORMAT.md §4–6, layout in core/pack.h). Runs with
 * tests/unit as the working directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/authority.h"
#include "core/bank.h"
#include "core/blueprint.h"
#include "core/fileio.h"
#include "core/pack.h"
#include "core/releasecode.h"

#define SAMPLES "../../exam-packs/samples/"

static const pack_kdf CHEAP = {1, 8u << 20};
static const pack_kdf COSTLY = {3, 64u << 20};

/* Shared fixture: the sample theory pack, built once with a cheap KDF. */
typedef struct fixture {
    uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    uint8_t pk2[crypto_sign_PUBLICKEYBYTES], sk2[crypto_sign_SECRETKEYBYTES];
    bank b;
    blueprint bp;
    bp_plan plan;
    char code[RELEASECODE_TEXT_BYTES];   /* as announced: XXXX-XXXX-... */
    char norm[RELEASECODE_NORM_BYTES];   /* normalised, for pack_build */
    uint8_t *pack;
    size_t len;
} fixture;

static fixture F;

/* ---- helpers ------------------------------------------------------------ */

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t get64(const uint8_t *p) { return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32; }
static void put32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static void put64(uint8_t *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i)); }

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static char *slurp(const char *name, size_t *len)
{
    unsigned char *buf = NULL;
    char *why = NULL;
    char *path = fileio_fmt(SAMPLES "%s", name);
    if (fileio_read(path, 1u << 24, &buf, len, &why) != 0) fail_msg("cannot read %s: %s", path, why);
    free(path);
    return (char *)buf;
}

static void dump_diag(const diag *d)
{
    for (size_t i = 0; i < d->n; i++) print_message("    diag line %ld: %s\n", d->v[i].line, d->v[i].msg);
}

static int load_inputs(const char *bankbuf, size_t banklen, const char *bpbuf, size_t bplen, bank *b, blueprint *bp,
                       bp_plan *plan)
{
    diag d;
    diag_init(&d);
    int rc = bank_parse(bankbuf, banklen, b, &d);
    if (rc == 0) {
        rc = blueprint_parse(bpbuf, bplen, bp, &d);
        if (rc == 0) {
            rc = blueprint_resolve(bp, b, plan, &d);
            if (rc) blueprint_free(bp);
        }
        if (rc) bank_free(b);
    }
    dump_diag(&d);
    diag_free(&d);
    return rc;
}

static void make_code(char text[RELEASECODE_TEXT_BYTES], char norm[RELEASECODE_NORM_BYTES])
{
    releasecode_generate(text);
    assert_int_equal(releasecode_normalize(text, norm), RELEASECODE_OK);
}

/* Builds a pack of the fixture's inputs; returns malloc'd bytes. */
static uint8_t *build(const blueprint *bp, const bank *b, const bp_plan *plan, const uint8_t *sk, const char *norm,
                      pack_kdf kdf, size_t *len)
{
    uint8_t *out = NULL;
    char *why = NULL;
    pack_rc rc = pack_build(bp, b, plan, sk, norm, kdf, 1700000000, &out, len, &why);
    if (rc != PACK_OK) fail_msg("pack_build: %s (%s)", pack_strerror(rc), why ? why : "");
    assert_non_null(out);
    free(why);
    return out;
}

static uint8_t *dup_bytes(const uint8_t *p, size_t n)
{
    uint8_t *c = malloc(n ? n : 1);
    assert_non_null(c);
    memcpy(c, p, n);
    return c;
}

static pack_rc verify(const uint8_t *buf, size_t len, const uint8_t *pk, pack_info *info)
{
    char *why = NULL;
    pack_rc rc = pack_verify(buf, len, pk, info, &why);
    if (rc != PACK_OK) assert_non_null(why); /* every refusal says why */
    free(why);
    return rc;
}

static pack_rc parse_header(const uint8_t *buf, size_t len, pack_info *info)
{
    char *why = NULL;
    pack_rc rc = pack_parse_header(buf, len, info, &why);
    if (rc != PACK_OK) assert_non_null(why);
    free(why);
    return rc;
}

static pack_rc open_pack(const uint8_t *buf, size_t len, const uint8_t *pk, const char *typed, sqlite3 **db)
{
    char *why = NULL;
    pack_rc rc = pack_open(buf, len, pk, typed, db, &why);
    if (rc != PACK_OK) {
        assert_non_null(why);
        assert_null(*db);
    }
    free(why);
    return rc;
}

static long long q_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long long v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* Single text value of SQL (malloc'd, NULL for SQL NULL). */
static char *q_text(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    const unsigned char *t = sqlite3_column_text(st, 0);
    char *v = t ? strdup((const char *)t) : NULL;
    sqlite3_finalize(st);
    return v;
}

static void expect_text(sqlite3 *db, const char *sql, const char *want)
{
    char *v = q_text(db, sql);
    if (!v || strcmp(v, want)) print_message("  %s gave '%s', want '%s'\n", sql, v ? v : "(null)", want);
    assert_non_null(v);
    assert_string_equal(v, want);
    free(v);
}

/* ---- fixture ------------------------------------------------------------ */

static int setup(void **state)
{
    (void)state;
    if (sodium_init() < 0) return -1;
    crypto_sign_keypair(F.pk, F.sk);
    crypto_sign_keypair(F.pk2, F.sk2);
    size_t bl, pl;
    char *bankbuf = slurp("theory-4.csv", &bl), *bpbuf = slurp("theory-4.ini", &pl);
    int rc = load_inputs(bankbuf, bl, bpbuf, pl, &F.b, &F.bp, &F.plan);
    free(bankbuf);
    free(bpbuf);
    if (rc) return -1;
    releasecode_generate(F.code);
    if (releasecode_normalize(F.code, F.norm) != RELEASECODE_OK) return -1;
    char *why = NULL;
    if (pack_build(&F.bp, &F.b, &F.plan, F.sk, F.norm, CHEAP, 1700000000, &F.pack, &F.len, &why) != PACK_OK) {
        print_message("pack_build: %s\n", why ? why : "?");
        free(why);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(F.pack);
    blueprint_plan_free(&F.plan);
    blueprint_free(&F.bp);
    bank_free(&F.b);
    sodium_memzero(F.sk, sizeof F.sk);
    sodium_memzero(F.sk2, sizeof F.sk2);
    return 0;
}

/* ---- build, verify, info ------------------------------------------------ */

static void test_verify_and_info(void **state)
{
    (void)state;
    pack_info info;
    assert_int_equal(verify(F.pack, F.len, F.pk, &info), PACK_OK);
    assert_string_equal(info.title, "电子商务师（四级/中级工）理论知识考试");
    assert_int_equal(info.level, 4);
    assert_string_equal(info.kind, "theory");
    assert_int_equal(info.duration, 90);
    assert_int_equal(info.questions, 90);
    assert_int_equal(info.points, 100);
    assert_int_equal(info.kdf.opslimit, CHEAP.opslimit);
    assert_int_equal(info.kdf.memlimit, CHEAP.memlimit);
    assert_int_equal(info.created, 1700000000); /* the stamp the builder was given */
    assert_int_equal(info.max_extra, 30);       /* the sample blueprint has no max_extra: the default */
    assert_memory_equal(info.pack_id, F.pack + 24, PACK_ID_BYTES);
    char hex[PACK_ID_BYTES * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, F.pack + 24, PACK_ID_BYTES);
    assert_string_equal(info.pack_id_hex, hex);
    assert_true(info.content_bytes > 0);
    assert_true(info.compressed_bytes > 0 && info.compressed_bytes < info.content_bytes);
    /* pack_verify accepts a NULL info */
    assert_int_equal(pack_verify(F.pack, F.len, F.pk, NULL, NULL), PACK_OK);
    /* the unsigned header parser agrees */
    pack_info h;
    assert_int_equal(parse_header(F.pack, F.len, &h), PACK_OK);
    assert_string_equal(h.title, info.title);
    assert_int_equal(h.questions, 90);
}

static void test_layout(void **state)
{
    (void)state;
    const uint8_t *p = F.pack;
    assert_memory_equal(p, PACK_MAGIC, 8);
    assert_int_equal(get32(p + 8), PACK_VERSION);
    uint32_t hlen = get32(p + 12), mlen = get32(p + 200);
    uint64_t clen = get64(p + 16);
    assert_int_equal(hlen, PACK_FIXED_BYTES + mlen);
    assert_true(mlen > 0 && mlen <= PACK_MAX_META);
    assert_int_equal((uint64_t)hlen + clen + crypto_sign_BYTES, F.len);
    uint8_t kid[AUTHORITY_KEYID_BYTES];
    authority_key_id(F.pk, kid);
    assert_memory_equal(p + 40, kid, AUTHORITY_KEYID_BYTES);
    assert_int_equal(get64(p + 64), CHEAP.opslimit);
    assert_int_equal(get64(p + 72), CHEAP.memlimit);
    assert_int_equal(get32(p + 80), 2);
    assert_int_equal(get32(p + 84), 0);
    uint64_t zlen = get64(p + 96);
    uint64_t chunks = (zlen + PACK_CHUNK - 1) / PACK_CHUNK;
    assert_int_equal(clen, zlen + chunks * crypto_secretstream_xchacha20poly1305_ABYTES);
    /* public metadata: key=value lines */
    char *meta = strndup((const char *)p + PACK_FIXED_BYTES, mlen);
    assert_non_null(strstr(meta, "title=电子商务师（四级/中级工）理论知识考试\n"));
    assert_non_null(strstr(meta, "\nlevel=4\n"));
    assert_non_null(strstr(meta, "\nkind=theory\n"));
    assert_non_null(strstr(meta, "\nquestions=90\n"));
    assert_int_equal(meta[mlen - 1], '\n');
    free(meta);
    /* the signature covers everything before it */
    assert_int_equal(crypto_sign_verify_detached(p + F.len - 64, p, F.len - 64, F.pk), 0);
}

static void test_kdf_out_of_range_refused(void **state)
{
    (void)state;
    static const pack_kdf BAD[] = {{0, 8u << 20}, {21, 8u << 20}, {1, 4096}};
    for (size_t i = 0; i < sizeof BAD / sizeof *BAD; i++) {
        uint8_t *out = (uint8_t *)1;
        size_t len = 1;
        char *why = NULL;
        assert_int_not_equal(pack_build(&F.bp, &F.b, &F.plan, F.sk, F.norm, BAD[i], 1700000000, &out, &len, &why), PACK_OK);
        assert_null(out);
        assert_int_equal(len, 0);
        assert_non_null(why);
        free(why);
    }
}

/* ---- content ------------------------------------------------------------ */

static void test_open_content(void **state)
{
    (void)state;
    sqlite3 *db = NULL;
    assert_int_equal(open_pack(F.pack, F.len, F.pk, F.code, &db), PACK_OK);
    assert_non_null(db);

    assert_int_equal(q_int(db, "PRAGMA user_version"), 1);
    /* exam */
    expect_text(db, "SELECT value FROM exam WHERE key='title'", "电子商务师（四级/中级工）理论知识考试");
    expect_text(db, "SELECT value FROM exam WHERE key='kind'", "theory");
    expect_text(db, "SELECT value FROM exam WHERE key='level'", "4");
    expect_text(db, "SELECT value FROM exam WHERE key='duration'", "90");
    expect_text(db, "SELECT value FROM exam WHERE key='pass'", "60");
    expect_text(db, "SELECT value FROM exam WHERE key='min_submit'", "30");
    expect_text(db, "SELECT value FROM exam WHERE key='questions'", "90");
    expect_text(db, "SELECT value FROM exam WHERE key='points'", "1000");
    expect_text(db, "SELECT value FROM exam WHERE key='shuffle_options'", "1");
    expect_text(db, "SELECT value FROM exam WHERE key='multi_partial'", "none");

    /* part: one row per rule */
    assert_int_equal(q_int(db, "SELECT count(*) FROM part"), (long long)F.bp.nrules);
    expect_text(db, "SELECT type FROM part WHERE seq=1", "judge");
    expect_text(db, "SELECT heading FROM part WHERE seq=1", "一、判断题");
    expect_text(db, "SELECT heading FROM part WHERE seq=2", "二、单项选择题");
    expect_text(db, "SELECT section FROM part WHERE seq=3", "网络营销");
    assert_int_equal(q_int(db, "SELECT section IS NULL FROM part WHERE seq=4"), 1);
    assert_int_equal(q_int(db, "SELECT count FROM part WHERE seq=2"), 60);
    assert_int_equal(q_int(db, "SELECT points FROM part WHERE seq=3"), 20);

    /* pool: sizes and members match the plan */
    assert_int_equal(q_int(db, "SELECT count(DISTINCT part) FROM pool"), (long long)F.bp.nrules);
    for (size_t r = 0; r < F.bp.nrules; r++) {
        sqlite3_stmt *st = NULL;
        assert_int_equal(sqlite3_prepare_v2(db, "SELECT question, points FROM pool WHERE part=? ORDER BY question", -1,
                                            &st, NULL),
                         SQLITE_OK);
        sqlite3_bind_int64(st, 1, (sqlite3_int64)r + 1);
        size_t k = 0;
        while (sqlite3_step(st) == SQLITE_ROW) {
            assert_true(k < F.plan.npool[r]);
            assert_int_equal(sqlite3_column_int64(st, 0), (long long)F.plan.pool[r][k] + 1);
            assert_int_equal(sqlite3_column_int(st, 1), F.bp.rules[r].points);
            k++;
        }
        sqlite3_finalize(st);
        assert_int_equal(k, F.plan.npool[r]);
    }

    /* question / option: every question some pool may draw, nothing else */
    char *used = calloc(F.b.n, 1);
    assert_non_null(used);
    for (size_t r = 0; r < F.bp.nrules; r++)
        for (size_t k = 0; k < F.plan.npool[r]; k++) used[F.plan.pool[r][k]] = 1;
    long long nq = 0, nopt = 0;
    for (size_t i = 0; i < F.b.n; i++)
        if (used[i]) {
            nq++;
            nopt += F.b.q[i].noptions;
        }
    free(used);
    assert_int_equal(nq, 214);
    assert_int_equal(q_int(db, "SELECT count(*) FROM question"), nq);
    assert_int_equal(q_int(db, "SELECT count(*) FROM option"), nopt);
    assert_int_equal(q_int(db, "SELECT count(*) FROM pool WHERE question NOT IN (SELECT seq FROM question)"), 0);
    expect_text(db, "SELECT id FROM question WHERE seq=1", "T-J001");
    expect_text(db, "SELECT answer FROM question WHERE id='T-J005'", "F");
    expect_text(db, "SELECT answer FROM question WHERE id='T-M002'", "ACD");
    expect_text(db, "SELECT type FROM question WHERE id='T-M002'", "multi");
    expect_text(db, "SELECT section FROM question WHERE id='T-M002'", "网络营销");
    expect_text(db, "SELECT text FROM option WHERE question=(SELECT seq FROM question WHERE id='T-M002') AND idx=0",
                "CPM");
    expect_text(db, "SELECT text FROM option WHERE question=(SELECT seq FROM question WHERE id='T-M002') AND idx=4",
                "SKU");
    assert_int_equal(q_int(db, "SELECT count(*) FROM question WHERE points IS NOT NULL"), 0);

    /* no explanation column anywhere in question */
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT name FROM pragma_table_info('question')", -1, &st, NULL),
                     SQLITE_OK);
    int cols = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        assert_non_null(name);
        assert_null(strcasestr(name, "explanation"));
        cols++;
    }
    sqlite3_finalize(st);
    assert_int_equal(cols, 7);

    /* the database is read-only */
    assert_int_not_equal(sqlite3_exec(db, "INSERT INTO exam VALUES('x','y')", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

static void test_no_plaintext(void **state)
{
    (void)state;
    const question *q = &F.b.q[0]; /* T-J001 */
    assert_string_equal(q->id, "T-J001");
    static const char STEM[] = "企业与消费者之间的电子商务模式";
    assert_non_null(strstr(q->stem, STEM));
    assert_null(memmem(F.pack, F.len, STEM, strlen(STEM)));
    assert_null(memmem(F.pack, F.len, q->stem, strlen(q->stem)));
    /* nor any other stem or explanation of the bank, nor the release code */
    for (size_t i = 0; i < F.b.n; i++) {
        assert_null(memmem(F.pack, F.len, F.b.q[i].stem, strlen(F.b.q[i].stem)));
        assert_null(memmem(F.pack, F.len, F.b.q[i].explanation, strlen(F.b.q[i].explanation)));
    }
    assert_null(memmem(F.pack, F.len, F.norm, strlen(F.norm)));
    assert_null(memmem(F.pack, F.len, "SQLite format 3", 15));

    /* decrypted, the content holds the stems but no explanation text */
    uint8_t key[PACK_KEY_BYTES];
    char *why = NULL;
    assert_int_equal(pack_unwrap_key(F.pack, F.len, F.code, key, &why), PACK_OK);
    uint8_t *img = NULL;
    size_t imglen = 0;
    assert_int_equal(pack_decrypt(F.pack, F.len, key, &img, &imglen, &why), PACK_OK);
    sodium_memzero(key, sizeof key);
    assert_non_null(img);
    pack_info info;
    assert_int_equal(parse_header(F.pack, F.len, &info), PACK_OK);
    assert_int_equal(imglen, info.content_bytes);
    assert_memory_equal(img, "SQLite format 3", 16);
    assert_non_null(memmem(img, imglen, STEM, strlen(STEM)));
    for (size_t i = 0; i < F.b.n; i++) {
        const char *e = F.b.q[i].explanation;
        assert_true(*e);
        if (memmem(img, imglen, e, strlen(e))) fail_msg("explanation of %s is in the pack content", F.b.q[i].id);
    }
    static const char EXPL[] = "Business to Consumer"; /* from T-J001's explanation */
    assert_null(memmem(img, imglen, EXPL, strlen(EXPL)));
    sodium_memzero(img, imglen);
    sqlite3_free(img);
}

/* ---- release codes ------------------------------------------------------ */

static void test_wrong_code(void **state)
{
    (void)state;
    char other[RELEASECODE_TEXT_BYTES], onorm[RELEASECODE_NORM_BYTES];
    do make_code(other, onorm);
    while (!strcmp(onorm, F.norm));
    sqlite3 *db = (sqlite3 *)1;
    assert_int_equal(open_pack(F.pack, F.len, F.pk, other, &db), PACK_WRONG_CODE);
    assert_null(db);
    uint8_t key[PACK_KEY_BYTES];
    char *why = NULL;
    assert_int_equal(pack_unwrap_key(F.pack, F.len, other, key, &why), PACK_WRONG_CODE);
    assert_non_null(why);
    free(why);
}

static void test_code_entry_forms(void **state)
{
    (void)state;
    /* lower case, spaces instead of dashes, no separators */
    char typed[64];
    size_t o = 0;
    for (const char *p = F.code; *p; p++) {
        char c = *p;
        if (c == '-') { typed[o++] = ' '; continue; }
        typed[o++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    typed[o] = 0;
    sqlite3 *db = NULL;
    assert_int_equal(open_pack(F.pack, F.len, F.pk, typed, &db), PACK_OK);
    sqlite3_close(db);
    assert_int_equal(open_pack(F.pack, F.len, F.pk, F.norm, &db), PACK_OK);
    sqlite3_close(db);
}

/* One character changed (to another base32 value) fails the check character. */
static void make_typo(const char *code, size_t pos, char *out)
{
    static const char ALPHABET[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    strcpy(out, code);
    assert_true(out[pos] != '-');
    const char *at = strchr(ALPHABET, out[pos]);
    assert_non_null(at);
    out[pos] = ALPHABET[((at - ALPHABET) + 7) % 32];
}

static void test_typo_is_fast(void **state)
{
    (void)state;
    size_t len;
    uint8_t *pack = build(&F.bp, &F.b, &F.plan, F.sk, F.norm, COSTLY, &len);
    pack_info info;
    assert_int_equal(verify(pack, len, F.pk, &info), PACK_OK);
    assert_int_equal(info.kdf.opslimit, COSTLY.opslimit);
    assert_int_equal(info.kdf.memlimit, COSTLY.memlimit);

    /* the right code goes through the costly KDF */
    uint8_t key[PACK_KEY_BYTES];
    char *why = NULL;
    double t0 = now_ms();
    assert_int_equal(pack_unwrap_key(pack, len, F.code, key, &why), PACK_OK);
    double slow = now_ms() - t0;
    sodium_memzero(key, sizeof key);

    double worst = 0;
    static const size_t POS[] = {0, 6, 12, 23}; /* 23: the check character */
    for (size_t i = 0; i < sizeof POS / sizeof *POS; i++) {
        char typo[RELEASECODE_TEXT_BYTES];
        make_typo(F.code, POS[i], typo);
        sqlite3 *db = NULL;
        t0 = now_ms();
        pack_rc rc = open_pack(pack, len, F.pk, typo, &db);
        double t1 = now_ms();
        assert_int_equal(rc, PACK_CODE_TYPO);
        if (t1 - t0 > worst) worst = t1 - t0;

        t0 = now_ms();
        rc = pack_unwrap_key(pack, len, typo, key, &why);
        t1 = now_ms();
        assert_int_equal(rc, PACK_CODE_TYPO);
        assert_non_null(why);
        free(why);
        why = NULL;
        if (t1 - t0 > worst) worst = t1 - t0;
    }
    /* too short, bad character: also refused before the KDF */
    sqlite3 *db = NULL;
    t0 = now_ms();
    assert_int_equal(open_pack(pack, len, F.pk, "ABCD-EFGH", &db), PACK_CODE_TYPO);
    assert_int_equal(open_pack(pack, len, F.pk, "ABCD-EFGH-JKMN-PQRS-TVW!", &db), PACK_CODE_TYPO);
    assert_int_equal(open_pack(pack, len, F.pk, "", &db), PACK_CODE_TYPO);
    if (now_ms() - t0 > worst) worst = now_ms() - t0;
    if (worst >= 50 || worst >= slow / 2)
        print_message("  typo refused in %.1f ms; the right code's KDF took %.1f ms\n", worst, slow);
    assert_true(worst < 50);
    assert_true(worst < slow / 2);
    free(pack);
}

/* ---- tampering ---------------------------------------------------------- */

static void test_flipped_bytes(void **state)
{
    (void)state;
    uint32_t hlen = get32(F.pack + 12);
    size_t clen = (size_t)get64(F.pack + 16);
    size_t fixed[] = {0, 7, 8, 11, 12, 15, 16, 23, 24, 39, 40, 47, 48, 63, 64, 72, 80, 84, 88, 96, 104, 127,
                      128, 175, 176, 199, 200, 203, PACK_FIXED_BYTES, PACK_FIXED_BYTES + 6, hlen - 1, hlen,
                      hlen + 1, hlen + clen / 2, hlen + clen - 1, hlen + clen, hlen + clen + 31, F.len - 1};
    uint8_t *c = dup_bytes(F.pack, F.len);
    size_t tried = 0;
    for (size_t pass = 0; pass < 2; pass++) {
        size_t n = pass == 0 ? sizeof fixed / sizeof *fixed : 400;
        for (size_t i = 0; i < n; i++) {
            size_t pos = pass == 0 ? fixed[i] : (size_t)((uint64_t)i * F.len / n);
            assert_true(pos < F.len);
            uint8_t mask = (uint8_t)(1u << (i % 8));
            c[pos] ^= mask;
            pack_info info;
            pack_rc rc = verify(c, F.len, F.pk, &info);
            if (rc == PACK_OK) fail_msg("flipping byte %zu (mask %02x) of %zu is not detected", pos, mask, F.len);
            /* bytes 40..47 are the signer's key id: a change there looks
             * like another authority's pack (pack.h: "or altered") */
            if (pos >= 40 && pos < 48) {
                assert_true(rc == PACK_BADSIG || rc == PACK_FORMAT || rc == PACK_OTHER_KEY);
            } else {
                if (rc != PACK_BADSIG && rc != PACK_FORMAT)
                    fail_msg("byte %zu: %s, want BADSIG or FORMAT", pos, pack_strerror(rc));
            }
            /* nothing is opened from an altered pack */
            if (pass == 0 && pos >= hlen) {
                sqlite3 *db = NULL;
                assert_int_equal(open_pack(c, F.len, F.pk, F.code, &db), rc);
            }
            c[pos] ^= mask;
            tried++;
        }
    }
    assert_memory_equal(c, F.pack, F.len);
    assert_int_equal(verify(c, F.len, F.pk, NULL), PACK_OK);
    assert_true(tried > 400);
    free(c);
}

static void test_truncated_or_extended(void **state)
{
    (void)state;
    static const size_t CUT[] = {1, 2, 64, 65};
    for (size_t i = 0; i < sizeof CUT / sizeof *CUT; i++) {
        pack_rc rc = verify(F.pack, F.len - CUT[i], F.pk, NULL);
        assert_true(rc == PACK_BADSIG || rc == PACK_FORMAT);
    }
    pack_rc rc = verify(F.pack, F.len / 2, F.pk, NULL);
    assert_true(rc == PACK_BADSIG || rc == PACK_FORMAT);
    assert_int_equal(verify(F.pack, 0, F.pk, NULL), PACK_FORMAT);
    assert_int_equal(verify(F.pack, 100, F.pk, NULL), PACK_FORMAT);
    assert_int_equal(verify(F.pack, PACK_FIXED_BYTES + 63, F.pk, NULL), PACK_FORMAT);
    /* the header parser alone refuses these lengths too */
    pack_info info;
    assert_int_equal(parse_header(F.pack, F.len - 1, &info), PACK_FORMAT);
    assert_int_equal(parse_header(F.pack, F.len / 2, &info), PACK_FORMAT);
    /* one extra byte */
    uint8_t *c = malloc(F.len + 1);
    assert_non_null(c);
    memcpy(c, F.pack, F.len);
    c[F.len] = 0;
    rc = verify(c, F.len + 1, F.pk, NULL);
    assert_true(rc == PACK_BADSIG || rc == PACK_FORMAT);
    free(c);
    /* and pack_open on a truncated pack */
    sqlite3 *db = NULL;
    rc = open_pack(F.pack, F.len - 1, F.pk, F.code, &db);
    assert_true(rc == PACK_BADSIG || rc == PACK_FORMAT);
}

static void test_other_key(void **state)
{
    (void)state;
    size_t len;
    uint8_t *pack = build(&F.bp, &F.b, &F.plan, F.sk2, F.norm, CHEAP, &len);
    assert_int_equal(verify(pack, len, F.pk, NULL), PACK_OTHER_KEY);
    assert_int_equal(verify(pack, len, F.pk2, NULL), PACK_OK);
    assert_int_equal(verify(F.pack, F.len, F.pk2, NULL), PACK_OTHER_KEY);
    sqlite3 *db = NULL;
    assert_int_equal(open_pack(pack, len, F.pk, F.code, &db), PACK_OTHER_KEY);
    assert_int_equal(open_pack(pack, len, F.pk2, F.code, &db), PACK_OK);
    sqlite3_close(db);
    /* a pack signed by another key but claiming our key id is plain tampering */
    memcpy(pack + 40, F.pack + 40, AUTHORITY_KEYID_BYTES);
    assert_int_equal(verify(pack, len, F.pk, NULL), PACK_BADSIG);
    free(pack);
}

static void test_parse_header_lengths(void **state)
{
    (void)state;
    pack_info info;
    uint8_t *c = dup_bytes(F.pack, F.len);
    uint32_t hlen = get32(c + 12), mlen = get32(c + 200);
    uint64_t clen = get64(c + 16), zlen = get64(c + 96), content = get64(c + 88);

#define EXPECT_FORMAT(stmt, restore)                                              \
    do {                                                                          \
        stmt;                                                                     \
        assert_int_equal(parse_header(c, F.len, &info), PACK_FORMAT);             \
        restore;                                                                  \
        assert_int_equal(parse_header(c, F.len, &info), PACK_OK);                 \
    } while (0)

    EXPECT_FORMAT(put32(c + 12, hlen + 1), put32(c + 12, hlen));
    EXPECT_FORMAT(put32(c + 12, hlen - 1), put32(c + 12, hlen));
    EXPECT_FORMAT(put32(c + 12, 0), put32(c + 12, hlen));
    EXPECT_FORMAT(put32(c + 12, UINT32_MAX), put32(c + 12, hlen));
    EXPECT_FORMAT(put32(c + 200, mlen + 1), put32(c + 200, mlen));
    EXPECT_FORMAT(put32(c + 200, UINT32_MAX), put32(c + 200, mlen));
    EXPECT_FORMAT((put32(c + 200, mlen - 1), put32(c + 12, hlen - 1)), (put32(c + 200, mlen), put32(c + 12, hlen)));
    EXPECT_FORMAT((put32(c + 200, PACK_MAX_META + 1), put32(c + 12, PACK_FIXED_BYTES + PACK_MAX_META + 1)),
                  (put32(c + 200, mlen), put32(c + 12, hlen)));
    EXPECT_FORMAT(put64(c + 16, clen + 1), put64(c + 16, clen));
    EXPECT_FORMAT(put64(c + 16, clen - 1), put64(c + 16, clen));
    EXPECT_FORMAT(put64(c + 16, UINT64_MAX), put64(c + 16, clen));
    EXPECT_FORMAT(put64(c + 16, UINT64_MAX - hlen - 63), put64(c + 16, clen));
    EXPECT_FORMAT(put64(c + 96, zlen - 1), put64(c + 96, zlen));
    EXPECT_FORMAT(put64(c + 96, zlen + 1), put64(c + 96, zlen));
    EXPECT_FORMAT(put64(c + 96, clen + 1), put64(c + 96, zlen));
    EXPECT_FORMAT(put64(c + 96, UINT64_MAX), put64(c + 96, zlen));
    EXPECT_FORMAT(put64(c + 88, PACK_MAX_CONTENT + 1), put64(c + 88, content));
    EXPECT_FORMAT(put64(c + 88, UINT64_MAX), put64(c + 88, content));
    EXPECT_FORMAT(c[0] = 'X', c[0] = 'E');
    EXPECT_FORMAT(put64(c + 64, 0), put64(c + 64, CHEAP.opslimit));
    EXPECT_FORMAT(put64(c + 72, 0), put64(c + 72, CHEAP.memlimit));
    EXPECT_FORMAT(put32(c + 80, 1), put32(c + 80, 2));
    EXPECT_FORMAT(put32(c + 84, 1), put32(c + 84, 0));
    /* metadata pack_id must match the header's */
    char *pid = memmem(c + PACK_FIXED_BYTES, mlen, "pack_id=", 8);
    assert_non_null(pid);
    EXPECT_FORMAT(pid[8] = pid[8] == '0' ? '1' : '0', memcpy(pid + 8, F.pack + (pid + 8 - (char *)c), 1));
#undef EXPECT_FORMAT

    put32(c + 8, 2);
    assert_int_equal(parse_header(c, F.len, &info), PACK_VERSION_UNSUPPORTED);
    put32(c + 8, 1);
    assert_memory_equal(c, F.pack, F.len);
    assert_int_equal(parse_header(c, F.len, &info), PACK_OK);
    assert_int_equal(info.questions, 90);
    free(c);
}

static void test_decrypt_wrong_key(void **state)
{
    (void)state;
    uint8_t key[PACK_KEY_BYTES];
    char *why = NULL;
    assert_int_equal(pack_unwrap_key(F.pack, F.len, F.code, key, &why), PACK_OK);
    uint8_t wrong[PACK_KEY_BYTES];
    memcpy(wrong, key, sizeof wrong);
    wrong[0] ^= 1;
    uint8_t *img = (uint8_t *)1;
    size_t imglen = 1;
    assert_int_equal(pack_decrypt(F.pack, F.len, wrong, &img, &imglen, &why), PACK_CORRUPT);
    assert_null(img);
    assert_int_equal(imglen, 0);
    assert_non_null(why);
    free(why);
    why = NULL;
    randombytes_buf(wrong, sizeof wrong);
    assert_int_equal(pack_decrypt(F.pack, F.len, wrong, &img, &imglen, &why), PACK_CORRUPT);
    free(why);
    why = NULL;
    sqlite3 *db = NULL;
    assert_int_equal(pack_open_with_key(F.pack, F.len, F.pk, wrong, &db, &why), PACK_CORRUPT);
    assert_null(db);
    free(why);
    why = NULL;
    /* the right key works with pack_open_with_key */
    assert_int_equal(pack_open_with_key(F.pack, F.len, F.pk, key, &db, &why), PACK_OK);
    assert_int_equal(q_int(db, "SELECT count(*) FROM part"), 4);
    sqlite3_close(db);
    sodium_memzero(key, sizeof key);
}

static void test_builds_differ(void **state)
{
    (void)state;
    size_t l1, l2;
    uint8_t *a = build(&F.bp, &F.b, &F.plan, F.sk, F.norm, CHEAP, &l1);
    uint8_t *b = build(&F.bp, &F.b, &F.plan, F.sk, F.norm, CHEAP, &l2);
    assert_memory_not_equal(a + 24, b + 24, PACK_ID_BYTES);       /* pack id */
    assert_memory_not_equal(a + 48, b + 48, 16);                  /* salt */
    assert_memory_not_equal(a + 48, F.pack + 48, 16);
    assert_memory_not_equal(a + 104, b + 104, 24);                /* wrap nonce */
    assert_memory_not_equal(a + 176, b + 176, 24);                /* stream header */
    pack_info ia, ib;
    assert_int_equal(verify(a, l1, F.pk, &ia), PACK_OK);
    assert_int_equal(verify(b, l2, F.pk, &ib), PACK_OK);
    assert_string_not_equal(ia.pack_id_hex, ib.pack_id_hex);
    /* both open with the same code */
    sqlite3 *db = NULL;
    assert_int_equal(open_pack(a, l1, F.pk, F.code, &db), PACK_OK);
    sqlite3_close(db);
    assert_int_equal(open_pack(b, l2, F.pk, F.code, &db), PACK_OK);
    sqlite3_close(db);
    free(a);
    free(b);
}

/* ---- other inputs -------------------------------------------------------- */

static void test_practical_pack(void **state)
{
    (void)state;
    size_t bl, pl;
    char *bankbuf = slurp("practical-4.csv", &bl), *bpbuf = slurp("practical-4.ini", &pl);
    bank b;
    blueprint bp;
    bp_plan plan;
    assert_int_equal(load_inputs(bankbuf, bl, bpbuf, pl, &b, &bp, &plan), 0);
    free(bankbuf);
    free(bpbuf);
    size_t len;
    uint8_t *pack = build(&bp, &b, &plan, F.sk, F.norm, CHEAP, &len);
    pack_info info;
    assert_int_equal(verify(pack, len, F.pk, &info), PACK_OK);
    assert_string_equal(info.kind, "practical");
    assert_int_equal(info.duration, 120);
    assert_int_equal(info.questions, 18);
    sqlite3 *db = NULL;
    assert_int_equal(open_pack(pack, len, F.pk, F.code, &db), PACK_OK);
    assert_int_equal(q_int(db, "SELECT count(*) FROM part"), 5);
    assert_int_equal(q_int(db, "SELECT count(*) FROM question"), 52);
    assert_int_equal(q_int(db, "SELECT count(*) FROM pool WHERE part=5"), 6);
    expect_text(db, "SELECT heading FROM part WHERE seq=5", "五、简答题");
    expect_text(db, "SELECT answer FROM question WHERE id='P-N01'", "3.17+-0.01");
    expect_text(db, "SELECT value FROM exam WHERE key='shuffle_questions'", "0");
    sqlite3_close(db);
    free(pack);
    blueprint_plan_free(&plan);
    blueprint_free(&bp);
    bank_free(&b);
}

/* FORMAT.md §2: the paper shows rules as numbered parts (一、判断题 …). */
static void test_part_headings_beyond_ten(void **state)
{
    (void)state;
    char csv[2048] = "id,type,section,stem,answer\n";
    char ini[4096] = "[exam]\ntitle=T\nlevel=3\nkind=theory\nduration=60\n[draw]\n";
    for (int i = 1; i <= 12; i++) {
        char line[128];
        snprintf(line, sizeof line, "J%d,judge,s%d,stem %d,T\n", i, i, i);
        strcat(csv, line);
        snprintf(line, sizeof line, "rule = type=judge section=s%d count=1 points=%s\n", i, i <= 10 ? "8" : "10");
        strcat(ini, line);
    }
    bank b;
    blueprint bp;
    bp_plan plan;
    assert_int_equal(load_inputs(csv, strlen(csv), ini, strlen(ini), &b, &bp, &plan), 0);
    size_t len;
    uint8_t *pack = build(&bp, &b, &plan, F.sk, F.norm, CHEAP, &len);
    blueprint_plan_free(&plan);
    blueprint_free(&bp);
    bank_free(&b);
    sqlite3 *db = NULL;
    pack_rc rc = open_pack(pack, len, F.pk, F.code, &db);
    free(pack);
    assert_int_equal(rc, PACK_OK);
    long long nparts = q_int(db, "SELECT count(*) FROM part");
    long long distinct = q_int(db, "SELECT count(DISTINCT heading) FROM part");
    char *h[13] = {NULL};
    for (int i = 1; i <= 12; i++) {
        char sql[64];
        snprintf(sql, sizeof sql, "SELECT heading FROM part WHERE seq=%d", i);
        h[i] = q_text(db, sql);
    }
    sqlite3_close(db);
    char got[4][64];
    static const int SEQ[4] = {1, 10, 11, 12};
    for (int i = 0; i < 4; i++) snprintf(got[i], sizeof got[i], "%s", h[SEQ[i]] ? h[SEQ[i]] : "(null)");
    for (int i = 0; i <= 12; i++) free(h[i]);
    assert_int_equal(nparts, 12);
    assert_string_equal(got[0], "一、判断题");
    assert_string_equal(got[1], "十、判断题");
    /* Regression test, bug fixed (core/pack.c, build_image): parts after the tenth are all headed
     * "十、…" (NUM_ZH has ten entries and i >= 10 falls back to "十"), so
     * part 11 and 12 repeat part 10's number instead of 十一、 and 十二、. */
    if (distinct != 12) print_message("  part headings 11 and 12: '%s', '%s'\n", got[2], got[3]);
    assert_int_equal(distinct, 12);
    assert_string_equal(got[2], "十一、判断题");
    assert_string_equal(got[3], "十二、判断题");
}

/* A blueprint that blueprint_parse accepts must give a readable pack. */
static void test_long_title_pack_readable(void **state)
{
    (void)state;
    char title[256] = "";
    for (int i = 0; i < 50; i++) strcat(title, "考"); /* 150 bytes: the longest title allowed */
    char *ini = fileio_fmt("[exam]\ntitle = %s\nlevel = 4\nkind = theory\nduration = 90\n[draw]\n"
                           "rule = type=judge count=1 points=100\n",
                           title);
    const char *csv = "id,type,stem,answer\nJ1,judge,s,T\n";
    bank b;
    blueprint bp;
    bp_plan plan;
    assert_int_equal(load_inputs(csv, strlen(csv), ini, strlen(ini), &b, &bp, &plan), 0);
    free(ini);
    size_t len;
    uint8_t *pack = build(&bp, &b, &plan, F.sk, F.norm, CHEAP, &len);
    pack_info info;
    /* regression: a title cut inside a UTF-8 character once made packs that
     * built "successfully" but failed pack_verify */
    pack_rc rc = verify(pack, len, F.pk, &info);
    free(pack);
    blueprint_plan_free(&plan);
    blueprint_free(&bp);
    bank_free(&b);
    if (rc != PACK_OK) print_message("  pack with a 150-byte title: %s\n", pack_strerror(rc));
    assert_int_equal(rc, PACK_OK);
    assert_string_equal(info.title, title);
}

/* The blueprint's max_extra travels in the signed metadata (issue 10); a
 * pack built before the key (here: its line renamed, signed again) reads
 * as the default, 30 minutes. An out-of-range value is refused. */
static void test_max_extra_in_metadata(void **state)
{
    (void)state;
    blueprint bp = F.bp;
    bp.max_extra = 7;
    size_t len;
    uint8_t *p = build(&bp, &F.b, &F.plan, F.sk, F.norm, CHEAP, &len);
    pack_info info;
    assert_int_equal(verify(p, len, F.pk, &info), PACK_OK);
    assert_int_equal(info.max_extra, 7);
    uint32_t ml = get32(p + 200);
    char *m = (char *)p + PACK_FIXED_BYTES, *line = memmem(m, ml, "max_extra=7\n", 12);
    assert_non_null(line);
    /* an older pack: no max_extra line (renamed to a key readers ignore) */
    memcpy(line, "old_extra", 9);
    crypto_sign_detached(p + len - crypto_sign_BYTES, NULL, p, len - crypto_sign_BYTES, F.sk);
    assert_int_equal(verify(p, len, F.pk, &info), PACK_OK);
    assert_int_equal(info.max_extra, BLUEPRINT_MAX_EXTRA_DEFAULT);
    /* out of range: the signed metadata is refused */
    memcpy(line, "max_extra=X", 11);
    crypto_sign_detached(p + len - crypto_sign_BYTES, NULL, p, len - crypto_sign_BYTES, F.sk);
    assert_int_equal(verify(p, len, F.pk, &info), PACK_FORMAT);
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_verify_and_info),
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_kdf_out_of_range_refused),
        cmocka_unit_test(test_open_content),
        cmocka_unit_test(test_no_plaintext),
        cmocka_unit_test(test_wrong_code),
        cmocka_unit_test(test_code_entry_forms),
        cmocka_unit_test(test_typo_is_fast),
        cmocka_unit_test(test_flipped_bytes),
        cmocka_unit_test(test_truncated_or_extended),
        cmocka_unit_test(test_other_key),
        cmocka_unit_test(test_parse_header_lengths),
        cmocka_unit_test(test_decrypt_wrong_key),
        cmocka_unit_test(test_builds_differ),
        cmocka_unit_test(test_practical_pack),
        cmocka_unit_test(test_part_headings_beyond_ten),
        cmocka_unit_test(test_long_title_pack_readable),
        cmocka_unit_test(test_max_extra_in_metadata),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
