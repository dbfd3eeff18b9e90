/* Unit tests for core/paper.c: drawing a candidate's paper from an opened
 * pack and a 32-byte seed (FORMAT.md §6 "Paper assembly", §2), and
 * loading question content. Packs are built in the test with a cheap KDF.
 * Runs with tests/unit as the working directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bank.h"
#include "core/blueprint.h"
#include "core/fileio.h"
#include "core/pack.h"
#include "core/paper.h"
#include "core/releasecode.h"

#define SAMPLES "../../exam-packs/samples/"

static const pack_kdf CHEAP = {1, 8u << 20};

/* ---- an in-test bank and blueprints ------------------------------------------ */

static const char BANK[] =
    "id,type,section,stem,A,B,C,D,E,answer\n"
    "J1,judge,基础,判断一,,,,,,T\n"
    "J2,judge,基础,判断二,,,,,,错\n"
    "J3,judge,基础,判断三,,,,,,√\n"
    "J4,judge,基础,判断四,,,,,,F\n"
    "J5,judge,基础,判断五,,,,,,T\n"
    "J6,judge,基础,判断六,,,,,,F\n"
    "S1,single,营销,\"单选一,含逗号\n第二行 \"\"引号\"\"\",甲,乙,丙,丁,,B\n"
    "S2,single,营销,单选二,甲,乙,丙,丁,,C\n"
    "S3,single,营销,单选三,甲,乙,丙,丁,,A\n"
    "S4,single,基础,单选四,甲,乙,丙,,,C\n"
    "S5,single,基础,单选五,甲,乙,丙,丁,戊,E\n"
    "S6,single,基础,单选六,甲,乙,,,,B\n"
    "S7,single,基础,单选七,甲,乙,丙,丁,,D\n"
    "S8,single,基础,单选八,甲,乙,丙,丁,,A\n"
    "M1,multi,基础,多选一,a,b,c,d,e,\"C,A\"\n"
    "M2,multi,基础,多选二,a,b,c,d,,BD\n"
    "M3,multi,基础,多选三,a,b,c,,,ABC\n"
    "M4,multi,基础,多选四,a,b,c,d,e,E、B\n"
    "O1,order,基础,排序一,w,x,y,z,,CABD\n"
    "O2,order,基础,排序二,w,x,y,,,BCA\n"
    "O3,order,基础,排序三,w,x,y,z,v,EDCBA\n"
    "X1,match,基础,匹配一,左1,左2,左3,,,右1|右2|右3\n"
    "X2,match,基础,匹配二,左一,左二,左三,左四,,R1|R2|R3|R4\n"
    "X3,match,基础,匹配三,L1,L2,,,,r1|r2\n"
    "F1,fill,基础,搜索引擎营销包括____和____。,,,,,,SEO|搜索引擎优化;SEM\n"
    "F2,fill,基础,一个空____。,,,,,,答案\n"
    "N1,numeric,基础,计算转化率,,,,,,12.5+-0.05\n"
    "E1,essay,基础,简述网店运营,,,,,,要点：选品、推广\n";

/* shuffled paper: 17 items from overlapping rules (section 营销 first) */
static const char BP_SHUFFLE[] = "[exam]\n"
                                 "title = 单元测试卷\n"
                                 "level = 4\n"
                                 "kind = theory\n"
                                 "duration = 75\n"
                                 "pass = 70\n"
                                 "min_submit = 10\n"
                                 "late_entry = 20\n"
                                 "shuffle_questions = yes\n"
                                 "shuffle_options = yes\n"
                                 "multi_partial = half\n"
                                 "show_score = no\n"
                                 "[draw]\n"
                                 "rule = type=single count=2 points=5 section=营销\n"
                                 "rule = type=single count=3 points=5\n"
                                 "rule = type=judge count=3 points=5\n"
                                 "rule = type=multi count=2 points=5\n"
                                 "rule = type=order count=2 points=5\n"
                                 "rule = type=match count=2 points=5\n"
                                 "rule = type=fill count=1 points=10\n"
                                 "rule = type=numeric count=1 points=10\n"
                                 "rule = type=essay count=1 points=10\n";
static const int SHUFFLE_COUNTS[] = {2, 3, 3, 2, 2, 2, 1, 1, 1};
static const qtype SHUFFLE_TYPES[] = {QT_SINGLE, QT_SINGLE, QT_JUDGE, QT_MULTI, QT_ORDER,
                                      QT_MATCH,  QT_FILL,   QT_NUMERIC, QT_ESSAY};
#define SHUFFLE_PARTS 9
#define SHUFFLE_ITEMS 17

/* nothing shuffled, every rule takes its whole pool: 20 items */
static const char BP_FIXED[] = "[exam]\n"
                               "title = 不乱序\n"
                               "level = 3\n"
                               "kind = practical\n"
                               "duration = 30\n"
                               "shuffle_questions = no\n"
                               "shuffle_options = no\n"
                               "[draw]\n"
                               "rule = type=judge count=6 points=5\n"
                               "rule = type=single count=8 points=5\n"
                               "rule = type=order count=3 points=5\n"
                               "rule = type=match count=3 points=5\n";
static const char *const FIXED_IDS[] = {"J1", "J2", "J3", "J4", "J5", "J6", "S1", "S2", "S3", "S4",
                                        "S5", "S6", "S7", "S8", "O1", "O2", "O3", "X1", "X2", "X3"};

/* ---- fixture -------------------------------------------------------------------- */

typedef struct built {
    uint8_t *bytes;
    size_t len;
    sqlite3 *db;
} built;

static struct {
    uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    built shuffle, fixed;
} F;

static void dump_diag(const diag *d)
{
    for (size_t i = 0; i < d->n; i++) print_message("    diag line %ld: %s\n", d->v[i].line, d->v[i].msg);
}

/* bank + blueprint text → pack bytes → opened pack database */
static int build_open(const char *bankbuf, size_t banklen, const char *bpbuf, size_t bplen, built *out)
{
    bank b;
    blueprint bp;
    bp_plan plan;
    diag d;
    diag_init(&d);
    memset(out, 0, sizeof *out);
    if (bank_parse(bankbuf, banklen, &b, &d)) {
        dump_diag(&d);
        diag_free(&d);
        return -1;
    }
    if (blueprint_parse(bpbuf, bplen, &bp, &d)) {
        dump_diag(&d);
        diag_free(&d);
        bank_free(&b);
        return -1;
    }
    if (blueprint_resolve(&bp, &b, &plan, &d)) {
        dump_diag(&d);
        diag_free(&d);
        blueprint_free(&bp);
        bank_free(&b);
        return -1;
    }
    diag_free(&d);
    char text[RELEASECODE_TEXT_BYTES], norm[RELEASECODE_NORM_BYTES];
    releasecode_generate(text);
    int rc = -1;
    char *why = NULL;
    if (releasecode_normalize(text, norm) == RELEASECODE_OK &&
        pack_build(&bp, &b, &plan, F.sk, norm, CHEAP, 1700000000, &out->bytes, &out->len, &why) == PACK_OK &&
        pack_open(out->bytes, out->len, F.pk, text, &out->db, &why) == PACK_OK)
        rc = 0;
    if (rc) print_message("    pack: %s\n", why ? why : "?");
    free(why);
    blueprint_plan_free(&plan);
    blueprint_free(&bp);
    bank_free(&b);
    return rc;
}

static void built_free(built *b)
{
    if (b->db) sqlite3_close(b->db);
    free(b->bytes);
    memset(b, 0, sizeof *b);
}

static int setup(void **state)
{
    (void)state;
    if (sodium_init() < 0) return -1;
    crypto_sign_keypair(F.pk, F.sk);
    if (build_open(BANK, strlen(BANK), BP_SHUFFLE, strlen(BP_SHUFFLE), &F.shuffle)) return -1;
    if (build_open(BANK, strlen(BANK), BP_FIXED, strlen(BP_FIXED), &F.fixed)) return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    built_free(&F.shuffle);
    built_free(&F.fixed);
    sodium_memzero(F.sk, sizeof F.sk);
    return 0;
}

/* ---- helpers ------------------------------------------------------------------ */

static void seed_of(int n, uint8_t seed[PAPER_SEED_BYTES])
{
    /* distinct, non-trivial seeds: BLAKE2b of the number */
    uint8_t in[4] = {(uint8_t)n, (uint8_t)(n >> 8), (uint8_t)(n >> 16), 0x5a};
    crypto_generichash(seed, PAPER_SEED_BYTES, in, sizeof in, NULL, 0);
}

static void draw(sqlite3 *db, const uint8_t seed[PAPER_SEED_BYTES], paper *p)
{
    char *why = NULL;
    if (paper_draw(db, seed, p, &why) != 0) fail_msg("paper_draw: %s", why ? why : "?");
    free(why);
}

static int seq_of(sqlite3 *db, const char *id)
{
    sqlite3_stmt *s;
    int seq = -1;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT seq FROM question WHERE id=?", -1, &s, NULL), SQLITE_OK);
    sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW) seq = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    return seq;
}

/* 1 if pack part PART_INDEX (0-based, in part.seq order) may draw question SEQ */
static int in_pool(sqlite3 *db, int part_index, int seq)
{
    sqlite3_stmt *s;
    int found = 0;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT count(*) FROM pool WHERE question=?2 AND part="
                                        "(SELECT seq FROM part ORDER BY seq LIMIT 1 OFFSET ?1)",
                                        -1, &s, NULL),
                     SQLITE_OK);
    sqlite3_bind_int(s, 1, part_index);
    sqlite3_bind_int(s, 2, seq);
    if (sqlite3_step(s) == SQLITE_ROW) found = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    return found;
}

static int same_paper(const paper *a, const paper *b)
{
    if (a->n != b->n || a->nparts != b->nparts) return 0;
    for (int i = 0; i < a->n; i++)
        if (memcmp(&a->items[i], &b->items[i], sizeof a->items[i])) return 0;
    for (int i = 0; i < a->nparts; i++)
        if (memcmp(&a->parts[i], &b->parts[i], sizeof a->parts[i])) return 0;
    return 1;
}

static int same_order(const paper *a, const paper *b)
{
    if (a->n != b->n) return 0;
    for (int i = 0; i < a->n; i++)
        if (a->items[i].seq != b->items[i].seq) return 0;
    return 1;
}

static int is_permutation(const int *perm, int n)
{
    int seen[BANK_MAX_OPTIONS] = {0};
    for (int i = 0; i < n; i++) {
        if (perm[i] < 0 || perm[i] >= n || seen[perm[i]]) return 0;
        seen[perm[i]] = 1;
    }
    return 1;
}

static int is_identity(const int *perm, int n)
{
    for (int i = 0; i < n; i++)
        if (perm[i] != i) return 0;
    return 1;
}

/* Structural checks every drawn paper must pass. */
static void check_structure(sqlite3 *db, const paper *p, int nparts, const int *counts, const qtype *types)
{
    assert_int_equal(p->nparts, nparts);
    int total = 0, first = 0;
    int *seen = calloc(4096, sizeof *seen);
    assert_non_null(seen);
    for (int k = 0; k < p->nparts; k++) {
        const paper_part *pp = &p->parts[k];
        assert_int_equal(pp->first, first);
        assert_int_equal(pp->count, counts[k]);
        assert_int_equal(pp->type, types[k]);
        assert_true(strlen(pp->heading) > 0);
        for (int i = pp->first; i < pp->first + pp->count; i++) {
            const paper_item *it = &p->items[i];
            assert_int_equal(it->part, k);
            assert_int_equal(it->type, types[k]);
            if (!in_pool(db, k, it->seq)) fail_msg("item %d (%s) is not in the pool of part %d", i, it->id, k + 1);
            assert_true(it->seq > 0 && it->seq < 4096);
            if (seen[it->seq]++) fail_msg("question %s drawn twice", it->id);
            assert_int_equal(seq_of(db, it->id), it->seq);
            assert_true(it->points > 0);
            total += it->points;
            assert_true(is_permutation(it->perm, it->nopt));
        }
        first += pp->count;
    }
    assert_int_equal(p->n, first);
    assert_int_equal(total, 1000);
    assert_int_equal(p->total_points, 1000);
    free(seen);
}

/* ---- tests ---------------------------------------------------------------------- */

static void test_settings(void **state)
{
    (void)state;
    uint8_t seed[PAPER_SEED_BYTES];
    seed_of(1, seed);
    paper p;
    draw(F.shuffle.db, seed, &p);
    assert_string_equal(p.title, "单元测试卷");
    assert_string_equal(p.kind, "theory");
    assert_int_equal(p.level, 4);
    assert_int_equal(p.duration, 75);
    assert_int_equal(p.pass, 70);
    assert_int_equal(p.min_submit, 10);
    assert_int_equal(p.late_entry, 20);
    assert_int_equal(p.show_score, 0);
    assert_int_equal(p.partial, PARTIAL_HALF);
    assert_int_equal(p.n, SHUFFLE_ITEMS);
    paper_free(&p);

    draw(F.fixed.db, seed, &p);
    assert_string_equal(p.kind, "practical");
    assert_int_equal(p.level, 3);
    assert_int_equal(p.duration, 30);
    assert_int_equal(p.pass, 60);       /* default */
    assert_int_equal(p.min_submit, 0);  /* default */
    assert_int_equal(p.late_entry, 30); /* default */
    assert_int_equal(p.show_score, 1);  /* default */
    assert_int_equal(p.partial, PARTIAL_NONE);
    paper_free(&p);
}

static void test_same_seed_same_paper(void **state)
{
    (void)state;
    for (int n = 0; n < 5; n++) {
        uint8_t seed[PAPER_SEED_BYTES];
        seed_of(n, seed);
        paper a, b;
        draw(F.shuffle.db, seed, &a);
        draw(F.shuffle.db, seed, &b);
        assert_true(same_paper(&a, &b));
        paper_free(&a);
        paper_free(&b);
    }
    /* also from a second, independently opened copy of the same pack */
    uint8_t seed[PAPER_SEED_BYTES];
    seed_of(77, seed);
    paper a, b;
    draw(F.shuffle.db, seed, &a);
    sqlite3 *db2 = NULL;
    /* a second database from the same content image (the release code is
     * not kept, so copy the open pack with sqlite3_serialize) */
    sqlite3_int64 sz = 0;
    unsigned char *img = sqlite3_serialize(F.shuffle.db, "main", &sz, 0);
    assert_non_null(img);
    assert_int_equal(sqlite3_open_v2(":memory:", &db2, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_deserialize(db2, "main", img, sz, sz,
                                         SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_READONLY),
                     SQLITE_OK);
    draw(db2, seed, &b);
    assert_true(same_paper(&a, &b));
    paper_free(&a);
    paper_free(&b);
    sqlite3_close(db2);
}

static void test_different_seeds_differ(void **state)
{
    (void)state;
    uint8_t s1[PAPER_SEED_BYTES], s2[PAPER_SEED_BYTES];
    seed_of(1, s1);
    seed_of(2, s2);
    paper a, b;
    draw(F.shuffle.db, s1, &a);
    draw(F.shuffle.db, s2, &b);
    assert_false(same_order(&a, &b));
    paper_free(&a);
    paper_free(&b);
    /* a single flipped seed bit changes the paper too */
    memcpy(s2, s1, sizeof s1);
    s2[31] ^= 0x80;
    draw(F.shuffle.db, s1, &a);
    draw(F.shuffle.db, s2, &b);
    assert_false(same_paper(&a, &b));
    paper_free(&a);
    paper_free(&b);
    /* over many seeds, the first item is not always the same question and
     * every single of the 营销 section shows up first at some point */
    int first_seen[4096] = {0}, distinct = 0;
    for (int n = 0; n < 60; n++) {
        uint8_t seed[PAPER_SEED_BYTES];
        seed_of(1000 + n, seed);
        draw(F.shuffle.db, seed, &a);
        if (!first_seen[a.items[0].seq]++) distinct++;
        paper_free(&a);
    }
    assert_int_equal(distinct, 3); /* S1, S2, S3 */
}

static void test_parts_draw_from_pools(void **state)
{
    (void)state;
    for (int n = 0; n < 50; n++) {
        uint8_t seed[PAPER_SEED_BYTES];
        seed_of(n, seed);
        paper p;
        draw(F.shuffle.db, seed, &p);
        check_structure(F.shuffle.db, &p, SHUFFLE_PARTS, SHUFFLE_COUNTS, SHUFFLE_TYPES);
        /* part 1 takes only 营销 singles (S1..S3); part 2 the rest of the singles */
        for (int i = 0; i < 2; i++) assert_true(!strcmp(p.items[i].id, "S1") || !strcmp(p.items[i].id, "S2") ||
                                                !strcmp(p.items[i].id, "S3"));
        for (int i = 0; i < p.n; i++) {
            assert_int_equal(p.items[i].points, p.items[i].type == QT_FILL || p.items[i].type == QT_NUMERIC ||
                                                        p.items[i].type == QT_ESSAY
                                                    ? 100
                                                    : 50);
            assert_int_equal(p.parts[p.items[i].part].points_each, p.items[i].points);
        }
        paper_free(&p);
    }
}

static void test_whole_pool_no_shuffle_keeps_bank_order(void **state)
{
    (void)state;
    static const int counts[] = {6, 8, 3, 3};
    static const qtype types[] = {QT_JUDGE, QT_SINGLE, QT_ORDER, QT_MATCH};
    paper first;
    for (int n = 0; n < 10; n++) {
        uint8_t seed[PAPER_SEED_BYTES];
        seed_of(n, seed);
        paper p;
        draw(F.fixed.db, seed, &p);
        check_structure(F.fixed.db, &p, 4, counts, types);
        assert_int_equal(p.n, 20);
        for (int i = 0; i < p.n; i++) {
            assert_string_equal(p.items[i].id, FIXED_IDS[i]);
            if (i && p.items[i].part == p.items[i - 1].part) assert_true(p.items[i].seq > p.items[i - 1].seq);
            /* shuffle_options = no: options in bank order */
            assert_true(is_identity(p.items[i].perm, p.items[i].nopt));
        }
        if (n == 0) first = p;
        else {
            assert_true(same_paper(&first, &p)); /* the seed changes nothing here */
            paper_free(&p);
        }
    }
    paper_free(&first);
}

static void test_option_perms(void **state)
{
    (void)state;
    int shuffled[QT_COUNT] = {0};
    for (int n = 0; n < 40; n++) {
        uint8_t seed[PAPER_SEED_BYTES];
        seed_of(500 + n, seed);
        paper p;
        draw(F.shuffle.db, seed, &p);
        for (int i = 0; i < p.n; i++) {
            const paper_item *it = &p.items[i];
            paper_question q;
            assert_int_equal(paper_question_load(F.shuffle.db, it->seq, &q), 0);
            assert_true(is_permutation(it->perm, it->nopt));
            switch (it->type) {
            case QT_JUDGE:
                assert_int_equal(it->nopt, 2);
                assert_true(is_identity(it->perm, 2)); /* A. 正确  B. 错误, never swapped */
                assert_int_equal(q.noptions, 0);
                break;
            case QT_SINGLE:
            case QT_MULTI:
            case QT_ORDER:
                assert_int_equal(it->nopt, q.noptions);
                break;
            case QT_MATCH:
                /* right-hand items, as many as in the answer key */
                assert_int_equal(it->nopt, q.nright);
                assert_int_equal(q.nright, q.noptions);
                break;
            default: /* fill, numeric, essay: no options */
                assert_int_equal(it->nopt, 0);
            }
            if (!is_identity(it->perm, it->nopt)) shuffled[it->type]++;
            paper_question_free(&q);
        }
        paper_free(&p);
    }
    /* shuffle_options = yes: every optioned type gets shuffled sometimes */
    assert_true(shuffled[QT_SINGLE] > 0);
    assert_true(shuffled[QT_MULTI] > 0);
    assert_true(shuffled[QT_ORDER] > 0);
    assert_true(shuffled[QT_MATCH] > 0);
    assert_int_equal(shuffled[QT_JUDGE], 0);
}

/* Match nopt follows the answer key's right-hand items, including a
 * two-pair item (X3) and a four-pair one (X2). */
static void test_match_nopt_per_item(void **state)
{
    (void)state;
    uint8_t seed[PAPER_SEED_BYTES];
    seed_of(3, seed);
    paper p;
    draw(F.fixed.db, seed, &p);
    int found = 0;
    for (int i = 0; i < p.n; i++) {
        if (!strcmp(p.items[i].id, "X1")) { assert_int_equal(p.items[i].nopt, 3); found++; }
        if (!strcmp(p.items[i].id, "X2")) { assert_int_equal(p.items[i].nopt, 4); found++; }
        if (!strcmp(p.items[i].id, "X3")) { assert_int_equal(p.items[i].nopt, 2); found++; }
        if (!strcmp(p.items[i].id, "O3")) { assert_int_equal(p.items[i].nopt, 5); found++; }
        if (!strcmp(p.items[i].id, "S6")) { assert_int_equal(p.items[i].nopt, 2); found++; }
        if (!strcmp(p.items[i].id, "J1")) { assert_int_equal(p.items[i].nopt, 2); found++; }
    }
    assert_int_equal(found, 6);
    paper_free(&p);
}

static void test_question_load(void **state)
{
    (void)state;
    sqlite3 *db = F.shuffle.db;
    paper_question q;

    assert_int_equal(paper_question_load(db, seq_of(db, "S1"), &q), 0);
    assert_string_equal(q.stem, "单选一,含逗号\n第二行 \"引号\"");
    assert_int_equal(q.noptions, 4);
    assert_string_equal(q.options[0], "甲");
    assert_string_equal(q.options[1], "乙");
    assert_string_equal(q.options[2], "丙");
    assert_string_equal(q.options[3], "丁");
    assert_null(q.options[4]);
    assert_string_equal(q.key, "B");
    assert_int_equal(q.nright, 0);
    assert_int_equal(q.blanks, 0);
    paper_question_free(&q);

    assert_int_equal(paper_question_load(db, seq_of(db, "J2"), &q), 0);
    assert_string_equal(q.stem, "判断二");
    assert_string_equal(q.key, "F"); /* 错 normalised */
    assert_int_equal(q.noptions, 0);
    paper_question_free(&q);

    assert_int_equal(paper_question_load(db, seq_of(db, "M4"), &q), 0);
    assert_string_equal(q.key, "BE"); /* "E、B" sorted */
    assert_int_equal(q.noptions, 5);
    assert_string_equal(q.options[4], "e");
    paper_question_free(&q);

    assert_int_equal(paper_question_load(db, seq_of(db, "O1"), &q), 0);
    assert_string_equal(q.key, "CABD");
    assert_int_equal(q.noptions, 4);
    assert_string_equal(q.options[0], "w");
    assert_string_equal(q.options[3], "z");
    paper_question_free(&q);

    assert_int_equal(paper_question_load(db, seq_of(db, "X2"), &q), 0);
    assert_string_equal(q.stem, "匹配二");
    assert_int_equal(q.noptions, 4); /* left-hand items */
    assert_string_equal(q.options[0], "左一");
    assert_string_equal(q.options[3], "左四");
    assert_int_equal(q.nright, 4); /* right-hand items in key order */
    assert_string_equal(q.right[0], "R1");
    assert_string_equal(q.right[1], "R2");
    assert_string_equal(q.right[2], "R3");
    assert_string_equal(q.right[3], "R4");
    assert_null(q.right[4]);
    assert_string_equal(q.key, "R1|R2|R3|R4");
    paper_question_free(&q);

    assert_int_equal(paper_question_load(db, seq_of(db, "F1"), &q), 0);
    assert_string_equal(q.stem, "搜索引擎营销包括____和____。");
    assert_string_equal(q.key, "SEO|搜索引擎优化;SEM");
    assert_int_equal(q.blanks, 2);
    assert_int_equal(q.noptions, 0);
    assert_int_equal(q.nright, 0);
    paper_question_free(&q);

    assert_int_equal(paper_question_load(db, seq_of(db, "F2"), &q), 0);
    assert_int_equal(q.blanks, 1);
    paper_question_free(&q);

    assert_int_equal(paper_question_load(db, seq_of(db, "N1"), &q), 0);
    assert_string_equal(q.key, "12.5+-0.05");
    paper_question_free(&q);

    assert_int_equal(paper_question_load(db, seq_of(db, "E1"), &q), 0);
    assert_string_equal(q.stem, "简述网店运营");
    assert_string_equal(q.key, "要点：选品、推广");
    paper_question_free(&q);

    /* no such question */
    assert_int_equal(paper_question_load(db, 99999, &q), -1);
    assert_null(q.stem);
    assert_null(q.key);
    paper_question_free(&q); /* harmless after a failure */
    assert_int_equal(paper_question_load(db, 0, &q), -1);
}

/* Every drawn item's content loads; the fixed pack holds only drawable questions. */
static void test_only_drawable_questions_packed(void **state)
{
    (void)state;
    sqlite3 *db = F.fixed.db;
    assert_true(seq_of(db, "J1") > 0);
    assert_int_equal(seq_of(db, "M1"), -1); /* no rule draws multi */
    assert_int_equal(seq_of(db, "F1"), -1);
    assert_int_equal(seq_of(db, "E1"), -1);
}

static void test_pack_without_settings_refused(void **state)
{
    (void)state;
    sqlite3 *db;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE exam(key TEXT PRIMARY KEY, value TEXT);"
                                      "INSERT INTO exam VALUES('title','x');", NULL, NULL, NULL), SQLITE_OK);
    uint8_t seed[PAPER_SEED_BYTES] = {0};
    paper p;
    char *why = NULL;
    assert_int_equal(paper_draw(db, seed, &p, &why), -1);
    assert_non_null(why);
    free(why);
    assert_null(p.items);
    assert_int_equal(p.n, 0);
    sqlite3_close(db);
}

/* ---- the rules and their pools (exampack inspect) ------------------------------------ */

typedef struct rules_seen {
    int n, stop_after;
    paper_rule r[16];
    char type[16][16], section[16][32];
} rules_seen;

static int see_rule(void *ctx, const paper_rule *r)
{
    rules_seen *s = ctx;
    if (s->n < 16) {
        s->r[s->n] = *r;
        snprintf(s->type[s->n], sizeof s->type[0], "%s", r->type);
        snprintf(s->section[s->n], sizeof s->section[0], "%s", r->section);
        assert_true(strlen(r->heading) > 0);
    }
    s->n++;
    return s->stop_after && s->n == s->stop_after;
}

static void test_each_rule(void **state)
{
    (void)state;
    rules_seen s = {0};
    char *why = NULL;
    assert_int_equal(paper_each_rule(F.shuffle.db, see_rule, &s, &why), 0);
    assert_null(why);
    assert_int_equal(s.n, SHUFFLE_PARTS);
    for (int i = 0; i < SHUFFLE_PARTS; i++) {
        assert_int_equal(s.r[i].count, SHUFFLE_COUNTS[i]);
        assert_string_equal(s.type[i], qtype_name(SHUFFLE_TYPES[i]));
        assert_string_equal(s.section[i], i == 0 ? "营销" : "");
        assert_true(s.r[i].pool >= s.r[i].count);
        int each = i >= 6 ? 100 : 50; /* tenths */
        assert_int_equal(s.r[i].min_points, each);
        assert_int_equal(s.r[i].max_points, each);
        assert_int_equal(s.r[i].sum_points, each * s.r[i].pool);
    }
    assert_int_equal(s.r[0].pool, 3); /* S1-S3 are the 营销 singles */

    rules_seen first = {.stop_after = 1};
    assert_int_equal(paper_each_rule(F.fixed.db, see_rule, &first, &why), 0);
    assert_int_equal(first.n, 1);
    assert_string_equal(first.type[0], "judge");
    assert_int_equal(first.r[0].count, 6);
    assert_int_equal(first.r[0].pool, 6);

    sqlite3 *db;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    rules_seen none = {0};
    assert_int_equal(paper_each_rule(db, see_rule, &none, &why), -1);
    assert_non_null(why);
    assert_int_equal(none.n, 0);
    free(why);
    sqlite3_close(db);
}

/* ---- the sample packs ------------------------------------------------------------- */

static char *slurp(const char *name, size_t *len)
{
    unsigned char *buf = NULL;
    char *why = NULL;
    char *path = fileio_fmt(SAMPLES "%s", name);
    if (fileio_read(path, 1u << 24, &buf, len, &why) != 0) fail_msg("cannot read %s: %s", path, why);
    free(path);
    return (char *)buf;
}

static void sample(const char *csvname, const char *ininame, int want_items, int want_parts, int shuffled)
{
    size_t bl, il;
    char *csv = slurp(csvname, &bl), *ini = slurp(ininame, &il);
    built b;
    assert_int_equal(build_open(csv, bl, ini, il, &b), 0);
    free(csv);
    free(ini);
    paper prev = {0};
    for (int n = 0; n < 3; n++) {
        uint8_t seed[PAPER_SEED_BYTES];
        seed_of(n, seed);
        paper p;
        draw(b.db, seed, &p);
        assert_int_equal(p.n, want_items);
        assert_int_equal(p.nparts, want_parts);
        assert_int_equal(p.total_points, 1000);
        int total = 0;
        for (int i = 0; i < p.n; i++) {
            total += p.items[i].points;
            for (int j = 0; j < i; j++) assert_int_not_equal(p.items[i].seq, p.items[j].seq);
            assert_true(in_pool(b.db, p.items[i].part, p.items[i].seq));
            assert_true(is_permutation(p.items[i].perm, p.items[i].nopt));
            if (!shuffled) {
                assert_true(is_identity(p.items[i].perm, p.items[i].nopt));
                if (i && p.items[i].part == p.items[i - 1].part) assert_true(p.items[i].seq > p.items[i - 1].seq);
            }
            paper_question q;
            assert_int_equal(paper_question_load(b.db, p.items[i].seq, &q), 0);
            assert_true(strlen(q.stem) > 0);
            paper_question_free(&q);
        }
        assert_int_equal(total, 1000);
        if (n) {
            if (shuffled) assert_false(same_order(&prev, &p));
            paper_free(&prev);
        }
        prev = p;
    }
    paper_free(&prev);
    built_free(&b);
}

/* a paper source (the hub's rescoring) draws exactly what paper_draw draws
 * from the same seed, for the sample papers and the shuffled fixture */
static void source_matches(sqlite3 *db)
{
    paper_source *src = NULL;
    char *why = NULL;
    if (paper_source_open(db, &src, &why)) fail_msg("paper_source_open: %s", why ? why : "?");
    for (int n = 0; n < 20; n++) {
        uint8_t seed[PAPER_SEED_BYTES];
        seed_of(n, seed);
        paper a, b;
        draw(db, seed, &a);
        if (paper_source_draw(src, seed, &b, &why)) fail_msg("paper_source_draw: %s", why ? why : "?");
        assert_true(same_paper(&a, &b));
        assert_int_equal(a.pass, b.pass);
        assert_int_equal(a.total_points, b.total_points);
        assert_int_equal((int)a.partial, (int)b.partial);
        assert_string_equal(a.title, b.title);
        paper_free(&a);
        paper_free(&b);
    }
    paper_source_free(src);
}

static void test_source_draws_as_paper_draw(void **state)
{
    (void)state;
    source_matches(F.shuffle.db);
    const char *files[][2] = {{"theory-4.csv", "theory-4.ini"}, {"practical-4.csv", "practical-4.ini"}};
    for (int i = 0; i < 2; i++) {
        size_t bl, il;
        char *csv = slurp(files[i][0], &bl), *ini = slurp(files[i][1], &il);
        built b;
        assert_int_equal(build_open(csv, bl, ini, il, &b), 0);
        free(csv);
        free(ini);
        source_matches(b.db);
        built_free(&b);
    }
}

static void test_sample_theory(void **state)
{
    (void)state;
    sample("theory-4.csv", "theory-4.ini", 90, 4, 1);
}

static void test_sample_practical(void **state)
{
    (void)state;
    sample("practical-4.csv", "practical-4.ini", 18, 5, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_settings),
        cmocka_unit_test(test_same_seed_same_paper),
        cmocka_unit_test(test_source_draws_as_paper_draw),
        cmocka_unit_test(test_different_seeds_differ),
        cmocka_unit_test(test_parts_draw_from_pools),
        cmocka_unit_test(test_whole_pool_no_shuffle_keeps_bank_order),
        cmocka_unit_test(test_option_perms),
        cmocka_unit_test(test_match_nopt_per_item),
        cmocka_unit_test(test_question_load),
        cmocka_unit_test(test_only_drawable_questions_packed),
        cmocka_unit_test(test_pack_without_settings_refused),
        cmocka_unit_test(test_each_rule),
        cmocka_unit_test(test_sample_theory),
        cmocka_unit_test(test_sample_practical),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
