/* paper: reproducible drawing and shuffling of a candidate's paper. */
#include "core/paper.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/fileio.h"

/* ---- deterministic random numbers from the seed (ChaCha20 keystream) ---- */

typedef struct prng {
    uint8_t key[crypto_stream_chacha20_KEYBYTES];
    uint64_t block;
    uint8_t buf[64];
    int pos;
} prng;

static void prng_init(prng *r, const uint8_t seed[PAPER_SEED_BYTES])
{
    memcpy(r->key, seed, sizeof r->key);
    r->block = 0;
    r->pos = 64;
}

static uint32_t prng_u32(prng *r)
{
    if (r->pos + 4 > 64) {
        uint8_t nonce[crypto_stream_chacha20_NONCEBYTES] = {0};
        for (int i = 0; i < 8; i++) nonce[i] = (uint8_t)(r->block >> (8 * i));
        crypto_stream_chacha20(r->buf, sizeof r->buf, nonce, r->key);
        r->block++;
        r->pos = 0;
    }
    uint32_t v = (uint32_t)r->buf[r->pos] | (uint32_t)r->buf[r->pos + 1] << 8 | (uint32_t)r->buf[r->pos + 2] << 16 |
                 (uint32_t)r->buf[r->pos + 3] << 24;
    r->pos += 4;
    return v;
}

/* uniform in [0, n) without modulo bias */
static uint32_t prng_below(prng *r, uint32_t n)
{
    if (n <= 1) return 0;
    uint32_t limit = UINT32_MAX - UINT32_MAX % n;
    uint32_t v;
    do v = prng_u32(r);
    while (v >= limit);
    return v % n;
}

static void shuffle_ints(prng *r, int *a, int n)
{
    for (int i = n - 1; i > 0; i--) {
        int j = (int)prng_below(r, (uint32_t)i + 1);
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* ---- reading the pack ---------------------------------------------------- */

static int exam_value(sqlite3 *db, const char *key, char *out, size_t size)
{
    sqlite3_stmt *st;
    int rc = -1;
    if (sqlite3_prepare_v2(db, "SELECT value FROM exam WHERE key=?", -1, &st, NULL) != SQLITE_OK) return -1;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(st, 0);
        snprintf(out, size, "%s", v ? v : "");
        rc = 0;
    }
    sqlite3_finalize(st);
    return rc;
}

static int exam_int(sqlite3 *db, const char *key, int *out)
{
    char v[32];
    if (exam_value(db, key, v, sizeof v)) return -1;
    *out = atoi(v);
    return 0;
}

void paper_free(paper *p)
{
    if (!p) return;
    free(p->items);
    free(p->parts);
    memset(p, 0, sizeof *p);
}

/* ---- the drawing: what it reads of the pack (a paper source), then the draw ---- */

/* a question as the draw needs it */
typedef struct src_question {
    char id[BANK_ID_MAX + 1];
    int type, noptions, pipes; /* type: qtype_parse of the stored name; pipes: '|' in the answer */
} src_question;

typedef struct src_part {
    int seq, type, count, points_each;
    char heading[96];
    int *q, *pts, n; /* the pool in question order: question seq and points */
} src_part;

struct paper_source {
    paper settings; /* title, kind, level, … and partial, total_points; no items */
    int shuffle_q, shuffle_o, questions, maxq;
    src_part *parts;
    int nparts;
    /* the questions' draw info: preloaded (info, by seq; have[seq] set) or
     * read per drawn question (info_st, for a single draw) */
    src_question *info;
    uint8_t *have;
    sqlite3_stmt *info_st;
};

static const char INFO_SQL[] = "SELECT q.id, q.type, (SELECT count(*) FROM option WHERE question=q.seq),"
                               " length(q.answer) - length(replace(q.answer,'|','')), q.seq"
                               " FROM question q";

static void src_info_row(sqlite3_stmt *st, src_question *q)
{
    const unsigned char *id = sqlite3_column_text(st, 0);
    snprintf(q->id, sizeof q->id, "%s", id ? (const char *)id : "");
    q->type = qtype_parse((const char *)sqlite3_column_text(st, 1));
    q->noptions = sqlite3_column_int(st, 2);
    q->pipes = sqlite3_column_int(st, 3);
}

void paper_source_free(paper_source *src)
{
    if (!src) return;
    for (int i = 0; i < src->nparts; i++) {
        free(src->parts[i].q);
        free(src->parts[i].pts);
    }
    free(src->parts);
    free(src->info);
    free(src->have);
    sqlite3_finalize(src->info_st);
    free(src);
}

/* Reads the settings and the parts with their pools; PRELOAD: every
 * question's draw info too (else it is read per drawn question). */
static int source_open(sqlite3 *db, int preload, paper_source **out, char **why)
{
    *out = NULL;
    paper_source *src = calloc(1, sizeof *src);
    if (!src) { *why = fileio_fmt("out of memory"); return -1; }
    paper *o = &src->settings;
    src->shuffle_q = src->shuffle_o = 1;
    char partial[16] = "none";
    if (exam_value(db, "title", o->title, sizeof o->title) || exam_value(db, "kind", o->kind, sizeof o->kind) ||
        exam_int(db, "level", &o->level) || exam_int(db, "duration", &o->duration) ||
        exam_int(db, "pass", &o->pass) || exam_int(db, "min_submit", &o->min_submit) ||
        exam_int(db, "late_entry", &o->late_entry) || exam_int(db, "show_score", &o->show_score) ||
        exam_int(db, "shuffle_questions", &src->shuffle_q) || exam_int(db, "shuffle_options", &src->shuffle_o) ||
        exam_int(db, "questions", &src->questions) || exam_int(db, "points", &o->total_points) ||
        exam_value(db, "multi_partial", partial, sizeof partial)) {
        *why = fileio_fmt("pack has no complete exam settings");
        paper_source_free(src);
        return -1;
    }
    o->partial = strcmp(partial, "half") ? PARTIAL_NONE : PARTIAL_HALF;
    if (src->questions < 1 || src->questions > 100000) {
        *why = fileio_fmt("pack question count out of range");
        paper_source_free(src);
        return -1;
    }
    {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(db, "SELECT max(seq) FROM question", -1, &st, NULL) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW)
            src->maxq = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
    }
    sqlite3_stmt *parts = NULL, *pool = NULL;
    int rc = -1;
    src->parts = calloc(64, sizeof *src->parts);
    if (!src->parts) { *why = fileio_fmt("out of memory"); goto out; }
    if (sqlite3_prepare_v2(db, "SELECT seq, type, count, heading, points FROM part ORDER BY seq", -1, &parts, NULL) ||
        sqlite3_prepare_v2(db, "SELECT question, points FROM pool WHERE part=? ORDER BY question", -1, &pool, NULL) ||
        sqlite3_prepare_v2(db, preload ? INFO_SQL : "SELECT q.id, q.type, (SELECT count(*) FROM option WHERE question=q.seq),"
                                                   " length(q.answer) - length(replace(q.answer,'|',''))"
                                                   " FROM question q WHERE q.seq=?",
                           -1, &src->info_st, NULL)) {
        *why = fileio_fmt("pack content unreadable: %s", sqlite3_errmsg(db));
        goto out;
    }
    while (sqlite3_step(parts) == SQLITE_ROW) {
        if (src->nparts >= 64) break;
        src_part *sp = &src->parts[src->nparts++];
        sp->seq = sqlite3_column_int(parts, 0);
        int t = qtype_parse((const char *)sqlite3_column_text(parts, 1));
        sp->type = t < 0 ? QT_JUDGE : (qtype)t;
        sp->count = sqlite3_column_int(parts, 2);
        snprintf(sp->heading, sizeof sp->heading, "%s", (const char *)sqlite3_column_text(parts, 3));
        sp->points_each = sqlite3_column_type(parts, 4) == SQLITE_NULL ? -1 : sqlite3_column_int(parts, 4);
        int cap = 0;
        sqlite3_reset(pool);
        sqlite3_bind_int(pool, 1, sp->seq);
        while (sqlite3_step(pool) == SQLITE_ROW) {
            if (sp->n == cap) {
                cap = cap ? cap * 2 : 64;
                int *q = realloc(sp->q, (size_t)cap * sizeof *q), *pts = q ? realloc(sp->pts, (size_t)cap * sizeof *pts) : NULL;
                if (q) sp->q = q;
                if (!pts) { *why = fileio_fmt("out of memory"); goto out; }
                sp->pts = pts;
            }
            sp->q[sp->n] = sqlite3_column_int(pool, 0);
            sp->pts[sp->n++] = sqlite3_column_int(pool, 1);
        }
    }
    if (preload) { /* every question's draw info; the statement is not kept */
        src->info = calloc((size_t)src->maxq + 1, sizeof *src->info);
        src->have = calloc((size_t)src->maxq + 1, 1);
        if (!src->info || !src->have) { *why = fileio_fmt("out of memory"); goto out; }
        while (sqlite3_step(src->info_st) == SQLITE_ROW) {
            int seq = sqlite3_column_int(src->info_st, 4);
            if (seq < 1 || seq > src->maxq) continue;
            src_info_row(src->info_st, &src->info[seq]);
            src->have[seq] = 1;
        }
        sqlite3_finalize(src->info_st);
        src->info_st = NULL;
    }
    rc = 0;
out:
    sqlite3_finalize(parts);
    sqlite3_finalize(pool);
    if (rc) paper_source_free(src);
    else *out = src;
    return rc;
}

int paper_source_open(sqlite3 *pack, paper_source **out, char **why) { return source_open(pack, 1, out, why); }

int paper_source_max_seq(const paper_source *src) { return src->maxq; }

/* the draw info of question SEQ: 0, or -1 when the pack has none */
static int source_question(const paper_source *src, int seq, src_question *q)
{
    if (src->info) {
        if (!src->have[seq]) return -1;
        *q = src->info[seq];
        return 0;
    }
    sqlite3_reset(src->info_st);
    sqlite3_bind_int(src->info_st, 1, seq);
    if (sqlite3_step(src->info_st) != SQLITE_ROW) return -1;
    src_info_row(src->info_st, q);
    return 0;
}

int paper_source_draw(const paper_source *src, const uint8_t seed[PAPER_SEED_BYTES], paper *out, char **why)
{
    *out = src->settings;
    out->items = NULL;
    out->parts = NULL;
    out->n = out->nparts = 0;
    int maxq = src->maxq, questions = src->questions;
    char *used = calloc((size_t)maxq + 2, 1);
    int *cand = malloc(((size_t)maxq + 1) * sizeof(int));
    int *candpts = malloc(((size_t)maxq + 2) * sizeof(int));
    out->items = calloc((size_t)questions, sizeof *out->items);
    out->parts = calloc(64, sizeof *out->parts);
    prng r;
    prng_init(&r, seed);
    int rc = -1;
    if (!used || !cand || !candpts || !out->items || !out->parts) {
        *why = fileio_fmt("out of memory");
        goto out;
    }
    for (int pi = 0; pi < src->nparts; pi++) {
        const src_part *sp = &src->parts[pi];
        paper_part *pp = &out->parts[out->nparts];
        int count = sp->count;
        snprintf(pp->heading, sizeof pp->heading, "%s", sp->heading);
        pp->type = (qtype)sp->type;
        pp->first = out->n;
        pp->count = count;
        pp->points_each = sp->points_each;
        /* the pool, less what earlier parts took, in bank order */
        int nc = 0;
        for (int k = 0; k < sp->n; k++) {
            int q = sp->q[k];
            if (q < 1 || q > maxq || used[q]) continue;
            candpts[q] = sp->pts[k];
            cand[nc++] = q;
        }
        if (nc < count || out->n + count > questions) {
            *why = fileio_fmt("part %d cannot be drawn (%d of %d questions available)", sp->seq, nc, count);
            goto out;
        }
        if (count < nc) { /* choose `count` at random: partial Fisher-Yates */
            for (int i = 0; i < count; i++) {
                int j = i + (int)prng_below(&r, (uint32_t)(nc - i));
                int tmp = cand[i];
                cand[i] = cand[j];
                cand[j] = tmp;
            }
        }
        if (src->shuffle_q) shuffle_ints(&r, cand, count);
        else qsort(cand, (size_t)count, sizeof *cand, cmp_int); /* bank order */
        for (int i = 0; i < count; i++) {
            paper_item *it = &out->items[out->n++];
            it->seq = cand[i];
            it->part = out->nparts;
            it->points = candpts[cand[i]];
            used[cand[i]] = 1;
            src_question sq;
            if (source_question(src, it->seq, &sq)) {
                *why = fileio_fmt("question %d missing from the pack", it->seq);
                goto out;
            }
            snprintf(it->id, sizeof it->id, "%s", sq.id);
            int qt = sq.type;
            it->type = qt < 0 ? QT_JUDGE : (qtype)qt;
            int nopt = sq.noptions;
            if (it->type == QT_MATCH) nopt = sq.pipes + 1; /* right-hand items */
            if (it->type == QT_JUDGE) nopt = 2;
            if (nopt < 0 || nopt > BANK_MAX_OPTIONS) nopt = 0;
            if (it->type == QT_FILL || it->type == QT_NUMERIC || it->type == QT_ESSAY) nopt = 0;
            it->nopt = nopt;
            for (int k = 0; k < nopt; k++) it->perm[k] = k;
            int shufflable = it->type == QT_SINGLE || it->type == QT_MULTI || it->type == QT_ORDER || it->type == QT_MATCH;
            if (src->shuffle_o && shufflable) shuffle_ints(&r, it->perm, nopt);
        }
        out->nparts++;
    }
    if (out->n != questions) {
        *why = fileio_fmt("pack drew %d questions, expected %d", out->n, questions);
        goto out;
    }
    rc = 0;
out:
    free(used);
    free(cand);
    free(candpts);
    sodium_memzero(&r, sizeof r);
    if (rc) paper_free(out);
    return rc;
}

int paper_draw(sqlite3 *db, const uint8_t seed[PAPER_SEED_BYTES], paper *out, char **why)
{
    memset(out, 0, sizeof *out);
    paper_source *src;
    if (source_open(db, 0, &src, why)) return -1;
    int rc = paper_source_draw(src, seed, out, why);
    paper_source_free(src);
    return rc;
}

void paper_question_free(paper_question *q)
{
    if (!q) return;
    free(q->stem);
    if (q->key) sodium_memzero(q->key, strlen(q->key)); /* the answer key */
    free(q->key);
    for (int i = 0; i < BANK_MAX_OPTIONS; i++) {
        free(q->options[i]);
        free(q->right[i]);
    }
    memset(q, 0, sizeof *q);
}

int paper_question_load(sqlite3 *db, int seq, paper_question *q)
{
    memset(q, 0, sizeof *q);
    sqlite3_stmt *st;
    int rc = -1;
    if (sqlite3_prepare_v2(db, "SELECT stem, answer, type FROM question WHERE seq=?", -1, &st, NULL)) return -1;
    sqlite3_bind_int(st, 1, seq);
    int type = -1;
    if (sqlite3_step(st) == SQLITE_ROW) {
        q->stem = strdup((const char *)sqlite3_column_text(st, 0));
        q->key = strdup((const char *)sqlite3_column_text(st, 1));
        type = qtype_parse((const char *)sqlite3_column_text(st, 2));
        rc = 0;
    }
    sqlite3_finalize(st);
    if (rc || !q->stem || !q->key) { paper_question_free(q); return -1; }
    if (sqlite3_prepare_v2(db, "SELECT text FROM option WHERE question=? ORDER BY idx", -1, &st, NULL)) {
        paper_question_free(q);
        return -1;
    }
    sqlite3_bind_int(st, 1, seq);
    while (sqlite3_step(st) == SQLITE_ROW && q->noptions < BANK_MAX_OPTIONS)
        q->options[q->noptions++] = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    if (type == QT_MATCH) {
        char *copy = strdup(q->key), *save = NULL;
        for (char *t = copy ? strtok_r(copy, "|", &save) : NULL; t && q->nright < BANK_MAX_OPTIONS;
             t = strtok_r(NULL, "|", &save))
            q->right[q->nright++] = strdup(t);
        free(copy);
    }
    if (type == QT_FILL) q->blanks = bank_fill_blanks(q->key);
    return 0;
}

int paper_image(sqlite3 *pack, const char *name, uint8_t **png, size_t *len)
{
    *png = NULL;
    *len = 0;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(pack, "SELECT png FROM image WHERE name=?", -1, &st, NULL)) return -1;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int rc = -1;
    if (sqlite3_step(st) == SQLITE_ROW) {
        size_t n = (size_t)sqlite3_column_bytes(st, 0);
        *png = malloc(n ? n : 1);
        if (*png) {
            memcpy(*png, sqlite3_column_blob(st, 0), n);
            *len = n;
            rc = 0;
        }
    }
    sqlite3_finalize(st);
    return rc;
}

int paper_setting(sqlite3 *pack, const char *key)
{
    sqlite3_stmt *s;
    int v = 0;
    if (sqlite3_prepare_v2(pack, "SELECT value FROM exam WHERE key=?", -1, &s, NULL) != SQLITE_OK) return 0;
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW) v = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    return v;
}

int paper_each_rule(sqlite3 *pack, paper_rule_fn fn, void *ctx, char **why)
{
    static const char RULES[] =
        "SELECT p.heading, p.type, ifnull(p.section,''), p.count,"
        " (SELECT count(*) FROM pool WHERE part=p.seq), (SELECT min(points) FROM pool WHERE part=p.seq),"
        " (SELECT max(points) FROM pool WHERE part=p.seq), (SELECT sum(points) FROM pool WHERE part=p.seq)"
        " FROM part p ORDER BY p.seq";
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(pack, RULES, -1, &st, NULL) != SQLITE_OK) {
        *why = fileio_fmt("%s", sqlite3_errmsg(pack));
        return -1;
    }
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        paper_rule r = {
            .heading = (const char *)sqlite3_column_text(st, 0),
            .type = (const char *)sqlite3_column_text(st, 1),
            .section = (const char *)sqlite3_column_text(st, 2),
            .count = sqlite3_column_int(st, 3),
            .pool = sqlite3_column_int(st, 4),
            .min_points = sqlite3_column_int(st, 5),
            .max_points = sqlite3_column_int(st, 6),
            .sum_points = sqlite3_column_int(st, 7),
        };
        if (!r.heading || !r.type || !r.section) { step = SQLITE_NOMEM; break; } /* NOT NULL columns: out of memory */
        if (fn(ctx, &r)) { step = SQLITE_DONE; break; }
    }
    int rc = 0;
    if (step != SQLITE_DONE) { /* a read that failed part-way is an error, not the end */
        *why = fileio_fmt("%s", step == SQLITE_NOMEM ? "out of memory" : sqlite3_errmsg(pack));
        rc = -1;
    }
    sqlite3_finalize(st);
    return rc;
}
