/* bank: question bank from CSV, with row-by-row validation. */
#include "core/bank.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/text.h"
#include "core/alloc.h" /* last: counting allocator in test builds */

static const struct { const char *en, *zh, *label; } TYPES[QT_COUNT] = {
    [QT_JUDGE] = {"judge", "判断", "判断题"},
    [QT_SINGLE] = {"single", "单选", "单项选择题"},
    [QT_MULTI] = {"multi", "多选", "多项选择题"},
    [QT_FILL] = {"fill", "填空", "填空题"},
    [QT_NUMERIC] = {"numeric", "计算", "计算题"},
    [QT_ORDER] = {"order", "排序", "排序题"},
    [QT_MATCH] = {"match", "匹配", "匹配题"},
    [QT_ESSAY] = {"essay", "简答", "简答题"},
};

const char *qtype_name(qtype t) { return (unsigned)t < QT_COUNT ? TYPES[t].en : "?"; }
const char *qtype_label_zh(qtype t) { return (unsigned)t < QT_COUNT ? TYPES[t].label : "?"; }

int qtype_parse(const char *s)
{
    for (int i = 0; i < QT_COUNT; i++)
        if (!strcasecmp(s, TYPES[i].en) || !strcmp(s, TYPES[i].zh) || !strcmp(s, TYPES[i].label))
            return i;
    return -1;
}

/* ---- columns ---------------------------------------------------------- */

enum { C_ID, C_TYPE, C_SECTION, C_STEM, C_OPT0, C_ANSWER = C_OPT0 + BANK_MAX_OPTIONS, C_POINTS,
       C_EXPLANATION, C_NCOLS };

/* in C_ order: the index is the column's C_ value */
static const csv_column COLS[C_NCOLS] = {
    {"id", "题号", 1},      {"type", "题型", 1},    {"section", "知识点", 0}, {"stem", "题干", 1},
    {"A", "选项A", 0},      {"B", "选项B", 0},      {"C", "选项C", 0},       {"D", "选项D", 0},
    {"E", "选项E", 0},      {"F", "选项F", 0},      {"G", "选项G", 0},       {"H", "选项H", 0},
    {"answer", "答案", 1},  {"points", "分值", 0},  {"explanation", "解析", 0},
};
const csv_column *bank_columns(size_t *n)
{
    *n = C_NCOLS;
    return COLS;
}

_Static_assert(C_OPT0 + BANK_MAX_OPTIONS == C_ANSWER && BANK_MAX_OPTIONS == 8, "option columns A-H");

/* ---- answers ---------------------------------------------------------- */

static int id_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > BANK_ID_MAX) return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

/* Reads option letters from S into LETTERS (indexes, in order); separators
 * , ， 、 and spaces are skipped. Returns count, or -1 with *bad set. */
static int read_letters(const char *s, int letters[], int max, const char **bad)
{
    int n = 0;
    char *f = text_fold(s, 0);
    if (!f) return -1;
    for (const char *p = f; *p;) {
        if (*p == ',' || *p == ' ' || *p == '\t') { p++; continue; }
        if (!strncmp(p, "、", strlen("、"))) { p += strlen("、"); continue; }
        char c = *p;
        if (c >= 'a' && c <= 'z') c = (char)(c - 'a' + 'A');
        if (c < 'A' || c > 'Z' || n >= max) { *bad = "not a list of option letters"; free(f); return -1; }
        letters[n++] = c - 'A';
        p++;
    }
    free(f);
    return n;
}

static int judge_value(const char *s)
{
    static const char *T[] = {"T", "t", "对", "正确", "√", "✓", "true", "TRUE", "True"};
    static const char *F[] = {"F", "f", "错", "错误", "×", "✗", "false", "FALSE", "False"};
    for (size_t i = 0; i < sizeof T / sizeof *T; i++) {
        if (!strcmp(s, T[i])) return 1;
        if (!strcmp(s, F[i])) return 0;
    }
    return -1;
}

int bank_fill_blanks(const char *answer)
{
    int n = 1;
    for (const char *p = answer; *p; p++)
        if (*p == ';') n++;
    return n;
}

/* runs of three or more '_' in the stem are blanks */
static int stem_blanks(const char *stem)
{
    int n = 0;
    for (const char *p = stem; *p;) {
        if (*p == '_') {
            const char *q = p;
            while (*q == '_') q++;
            if (q - p >= 3) n++;
            p = q;
        } else
            p++;
    }
    return n;
}

/* Splits S at SEP into trimmed, non-empty parts joined again with SEP into
 * a malloc'd string; *count gets the number of parts. Returns NULL when a
 * part is empty. */
static char *split_trim_join(const char *s, char sep, int *count)
{
    size_t cap = strlen(s) + 1;
    char *out = malloc(cap), *copy = strdup(s);
    if (!out || !copy) { free(out); free(copy); return NULL; }
    out[0] = 0;
    *count = 0;
    char *save = copy;
    for (;;) {
        char *e = strchr(save, sep);
        if (e) *e = 0;
        char *t = text_trim(save);
        if (!t || !*t) { free(t); free(out); free(copy); return NULL; }
        if (*count) {
            size_t l = strlen(out);
            out[l] = sep;
            out[l + 1] = 0;
        }
        strcat(out, t);
        free(t);
        (*count)++;
        if (!e) break;
        save = e + 1;
    }
    free(copy);
    return out;
}

/* Checks and normalises the answer of Q (options already read). Returns a
 * malloc'd normalised answer, or NULL with *why set to a static reason or
 * (when *whydyn) a malloc'd one. */
static char *normalise_answer(question *q, const char *raw, char **whydyn, const char **why)
{
    int letters[64];
    const char *bad = NULL;
    int n;
    switch (q->type) {
    case QT_JUDGE: {
        int v = judge_value(raw);
        if (v < 0) { *why = "judge answer must be T or F (对/错, 正确/错误, √/×)"; return NULL; }
        return strdup(v ? "T" : "F");
    }
    case QT_SINGLE:
    case QT_MULTI:
    case QT_ORDER: {
        n = read_letters(raw, letters, 64, &bad);
        if (n < 0) { *why = bad; return NULL; }
        if (n == 0) { *why = "answer is empty"; return NULL; }
        int seen[26] = {0};
        for (int i = 0; i < n; i++) {
            if (letters[i] >= q->noptions) {
                *whydyn = NULL;
                if (asprintf(whydyn, "answer names option %c, which does not exist (options A-%c)",
                             'A' + letters[i], 'A' + q->noptions - 1) < 0) *whydyn = NULL;
                *why = "answer names an option that does not exist";
                return NULL;
            }
            if (seen[letters[i]]++) { *why = "answer names the same option twice"; return NULL; }
        }
        if (q->type == QT_SINGLE && n != 1) { *why = "single-choice answer must be exactly one letter"; return NULL; }
        if (q->type == QT_MULTI && n < 2) { *why = "multiple-choice answer needs at least two letters"; return NULL; }
        if (q->type == QT_ORDER && n != q->noptions) {
            *why = "order answer must name every option exactly once";
            return NULL;
        }
        if (q->type == QT_MULTI) { /* any order in, sorted out */
            for (int i = 1; i < n; i++)
                for (int j = i; j > 0 && letters[j - 1] > letters[j]; j--) {
                    int t = letters[j]; letters[j] = letters[j - 1]; letters[j - 1] = t;
                }
        }
        char *out = malloc((size_t)n + 1);
        if (!out) return NULL;
        for (int i = 0; i < n; i++) out[i] = (char)('A' + letters[i]);
        out[n] = 0;
        return out;
    }
    case QT_FILL: {
        /* blanks separated by ';', alternatives by '|'; every part non-empty */
        int blanks = 0;
        char *copy = strdup(raw), *outbuf = malloc(strlen(raw) + 1);
        if (!copy || !outbuf) { free(copy); free(outbuf); return NULL; }
        outbuf[0] = 0;
        char *save = copy;
        for (;;) {
            char *e = strchr(save, ';');
            if (e) *e = 0;
            int alts = 0;
            char *norm = split_trim_join(save, '|', &alts);
            if (!norm) { free(copy); free(outbuf); *why = "fill answer has an empty blank or alternative"; return NULL; }
            if (blanks) strcat(outbuf, ";");
            strcat(outbuf, norm);
            free(norm);
            blanks++;
            if (!e) break;
            save = e + 1;
        }
        free(copy);
        int marks = stem_blanks(q->stem);
        if (marks && marks != blanks) {
            if (asprintf(whydyn, "stem has %d blanks (___) but the answer has %d", marks, blanks) < 0) *whydyn = NULL;
            *why = "blank count mismatch";
            free(outbuf);
            return NULL;
        }
        return outbuf;
    }
    case QT_NUMERIC: {
        char *f = text_fold(raw, 0);
        if (!f) return NULL;
        char *tol = NULL;
        char *pm = strstr(f, "±");
        size_t pmlen = strlen("±");
        if (!pm) { pm = strstr(f, "+-"); pmlen = 2; }
        if (pm) { *pm = 0; tol = pm + pmlen; }
        int64_t v, t = 0;
        if (text_decimal(f, &v) != 0 || (tol && (text_decimal(tol, &t) != 0 || t < 0))) {
            free(f);
            *why = "numeric answer must be a decimal number, optionally with ±tolerance (12.5±0.05)";
            return NULL;
        }
        char *out = NULL;
        char *vt = text_trim(f), *tt = tol ? text_trim(tol) : NULL;
        if (tol) {
            if (asprintf(&out, "%s+-%s", vt, tt) < 0) out = NULL;
        } else
            out = vt ? strdup(vt) : NULL;
        free(vt);
        free(tt);
        free(f);
        return out;
    }
    case QT_MATCH: {
        int items = 0;
        char *norm = split_trim_join(raw, '|', &items);
        if (!norm) { *why = "match answer has an empty item (items are separated by |)"; return NULL; }
        if (items != q->noptions) {
            if (asprintf(whydyn, "match answer has %d right-hand items but there are %d left-hand items",
                         items, q->noptions) < 0) *whydyn = NULL;
            *why = "match item count mismatch";
            free(norm);
            return NULL;
        }
        /* right-hand items must be distinct */
        char *copy = strdup(norm);
        char *parts[BANK_MAX_OPTIONS];
        int k = 0;
        for (char *tok = strtok(copy, "|"); tok && k < BANK_MAX_OPTIONS; tok = strtok(NULL, "|")) parts[k++] = tok;
        for (int i = 0; i < k; i++)
            for (int j = 0; j < i; j++)
                if (!strcmp(parts[i], parts[j])) {
                    free(copy);
                    free(norm);
                    *why = "match answer repeats a right-hand item";
                    return NULL;
                }
        free(copy);
        return norm;
    }
    case QT_ESSAY:
        return text_trim(raw);
    default:
        break;
    }
    *why = "unknown type";
    return NULL;
}

/* ---- rows ------------------------------------------------------------- */

static const char *cell(const csv_row *r, const int *map, int col)
{
    int i = map[col];
    if (i < 0 || (size_t)i >= r->ncells) return "";
    return r->cells[i];
}

static void free_question(question *q)
{
    free(q->section);
    free(q->stem);
    for (int i = 0; i < BANK_MAX_OPTIONS; i++) free(q->options[i]);
    free(q->answer);
    free(q->explanation);
    memset(q, 0, sizeof *q);
}

/* Fills Q from row R. Returns 0, or -1 after adding one diagnostic. */
static int read_row(const csv_row *r, const int *map, size_t ncols, question *q, diag *d)
{
    memset(q, 0, sizeof *q);
    q->line = r->line;
    q->points = -1;
    if (r->ncells > ncols) {
        diag_add_at(d, r->line, (int)r->ncells - 1, "row has %zu cells but the header has %zu columns", r->ncells, ncols);
        return -1;
    }
    char *id = text_trim(cell(r, map, C_ID));
    if (!id) return -1;
    if (!id_ok(id)) {
        diag_add_at(d, r->line, map[C_ID], "id '%s' must be 1-32 characters of A-Z a-z 0-9 _ -", id);
        free(id);
        return -1;
    }
    strcpy(q->id, id);
    free(id);
    char *type = text_trim(cell(r, map, C_TYPE));
    int t = type ? qtype_parse(type) : -1;
    if (t < 0) {
        diag_add_at(d, r->line, map[C_TYPE], "question %s: unknown type '%s' (judge, single, multi, fill, numeric, order, match, essay)",
                 q->id, type ? type : "");
        free(type);
        return -1;
    }
    free(type);
    q->type = (qtype)t;
    q->stem = text_trim(cell(r, map, C_STEM));
    q->section = text_trim(cell(r, map, C_SECTION));
    q->explanation = text_trim(cell(r, map, C_EXPLANATION));
    if (!q->stem || !q->section || !q->explanation) goto oom;
    if (!*q->stem) {
        diag_add_at(d, r->line, map[C_STEM], "question %s: stem is empty", q->id);
        goto fail;
    }
    if (bank_stem_images(q->stem, NULL, 0) < 0) {
        diag_add_at(d, r->line, map[C_STEM], "question %s: an image line must be [图:name.png] (name of letters, digits, . _ -)", q->id);
        goto fail;
    }
    int gap = -1;
    for (int i = 0; i < BANK_MAX_OPTIONS; i++) {
        char *o = text_trim(cell(r, map, C_OPT0 + i));
        if (!o) goto oom;
        if (*o) {
            if (gap >= 0) {
                diag_add_at(d, r->line, map[C_OPT0 + gap], "question %s: option %c is empty but option %c is given", q->id, 'A' + gap, 'A' + i);
                free(o);
                goto fail;
            }
            q->options[q->noptions++] = o;
        } else {
            free(o);
            if (gap < 0) gap = i;
        }
    }
    switch (q->type) {
    case QT_SINGLE: case QT_MULTI: case QT_ORDER: case QT_MATCH:
        if (q->noptions < 2) {
            diag_add_at(d, r->line, map[C_OPT0 + q->noptions], "question %s: a %s question needs at least two options (A, B, ...)", q->id,
                     qtype_name(q->type));
            goto fail;
        }
        break;
    case QT_JUDGE: case QT_FILL: case QT_NUMERIC: case QT_ESSAY:
        if (q->noptions) {
            diag_add_at(d, r->line, map[C_OPT0], "question %s: a %s question takes no options", q->id, qtype_name(q->type));
            goto fail;
        }
        break;
    default: break;
    }
    char *raw = text_trim(cell(r, map, C_ANSWER));
    if (!raw) goto oom;
    if (!*raw && q->type != QT_ESSAY) {
        diag_add_at(d, r->line, map[C_ANSWER], "question %s: answer is empty", q->id);
        free(raw);
        goto fail;
    }
    const char *why = NULL;
    char *whydyn = NULL;
    q->answer = normalise_answer(q, raw, &whydyn, &why);
    if (!q->answer) {
        if (whydyn || why)
            diag_add_at(d, r->line, map[C_ANSWER], "question %s: %s (answer '%s')", q->id, whydyn ? whydyn : why, raw);
        else
            diag_add(d, r->line, "question %s: out of memory", q->id);
        free(whydyn);
        free(raw);
        goto fail;
    }
    free(raw);
    char *pts = text_trim(cell(r, map, C_POINTS));
    if (!pts) goto oom;
    if (*pts && text_points(pts, &q->points) != 0) {
        diag_add_at(d, r->line, map[C_POINTS], "question %s: points '%s' must be a number over 0 and at most 100 with at most one decimal",
                 q->id, pts);
        free(pts);
        goto fail;
    }
    free(pts);
    return 0;
oom:
    diag_add(d, r->line, "out of memory");
fail:
    free_question(q);
    return -1;
}

/* simple open-addressing set of ids → index, to find duplicates in O(n) */
typedef struct idset { size_t *slot; size_t cap; } idset;

static size_t hash_id(const char *s)
{
    size_t h = 1469598103934665603ull;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

int bank_from_csv(const csv_table *t, bank *out, diag *d)
{
    memset(out, 0, sizeof *out);
    if (t->nrows == 0) {
        diag_add(d, 1, "the file is empty");
        return -1;
    }
    const csv_row *h = &t->rows[0];
    int map[C_NCOLS];
    if (csv_header_map(h, COLS, C_NCOLS, map, 1, d)) return -1;

    size_t n = t->nrows - 1;
    question *qs = calloc(n ? n : 1, sizeof *qs);
    idset set = {calloc(n * 2 + 1, sizeof(size_t)), n * 2 + 1};
    if (!qs || !set.slot) {
        free(qs);
        free(set.slot);
        diag_add(d, 0, "out of memory");
        return -1;
    }
    size_t nq = 0;
    int bad = 0;
    for (size_t r = 1; r < t->nrows; r++) {
        question q;
        if (read_row(&t->rows[r], map, h->ncells, &q, d) != 0) { bad = 1; continue; }
        size_t s = hash_id(q.id) % set.cap;
        int dup = 0;
        while (set.slot[s]) {
            question *o = &qs[set.slot[s] - 1];
            if (!strcmp(o->id, q.id)) {
                diag_add_at(d, q.line, map[C_ID], "duplicate id '%s' (first used on line %ld)", q.id, o->line);
                dup = 1;
                break;
            }
            s = (s + 1) % set.cap;
        }
        if (dup) { free_question(&q); bad = 1; continue; }
        qs[nq] = q;
        set.slot[s] = ++nq;
    }
    free(set.slot);
    if (!bad && nq == 0) {
        diag_add(d, h->line, "the bank has a header but no questions");
        bad = 1;
    }
    if (bad) {
        for (size_t i = 0; i < nq; i++) free_question(&qs[i]);
        free(qs);
        return -1;
    }
    out->q = qs;
    out->n = nq;
    out->stem_col = map[C_STEM];
    return 0;
}

int bank_parse(const char *buf, size_t len, bank *out, diag *d)
{
    csv_table t;
    long line = 0;
    char *why = NULL;
    memset(out, 0, sizeof *out);
    if (csv_parse(buf, len, &t, &line, &why) != CSV_OK) {
        diag_add(d, line, "%s", why ? why : "cannot read CSV");
        free(why);
        return -1;
    }
    int rc = bank_from_csv(&t, out, d);
    csv_free(&t);
    return rc;
}

void bank_free(bank *b)
{
    if (!b) return;
    for (size_t i = 0; i < b->n; i++) free_question(&b->q[i]);
    free(b->q);
    memset(b, 0, sizeof *b);
}

/* ---- images in stems ---------------------------------------------------- */

static int image_name_ok(const char *n, size_t len)
{
    if (len < 5 || len > BANK_IMAGE_NAME_MAX || strncmp(n + len - 4, ".png", 4)) return 0;
    for (size_t i = 0; i < len; i++) {
        char c = n[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == '-'))
            return 0;
    }
    return n[0] != '.';
}

int bank_image_line(const char *line, size_t len, char name[BANK_IMAGE_NAME_MAX + 1])
{
    while (len && (*line == ' ' || *line == '\t')) { line++; len--; }
    while (len && (line[len - 1] == ' ' || line[len - 1] == '\t' || line[len - 1] == '\r')) len--;
    static const char *OPEN[] = {"[图:", "[图：", "[img:"};
    for (size_t k = 0; k < sizeof OPEN / sizeof *OPEN; k++) {
        size_t ol = strlen(OPEN[k]);
        if (len > ol + 1 && !strncmp(line, OPEN[k], ol) && line[len - 1] == ']') {
            size_t nl = len - ol - 1;
            if (!image_name_ok(line + ol, nl)) return -1;
            memcpy(name, line + ol, nl);
            name[nl] = 0;
            return 1;
        }
    }
    return 0;
}

int bank_stem_images(const char *stem, char names[][BANK_IMAGE_NAME_MAX + 1], int max)
{
    int n = 0;
    for (const char *p = stem; *p;) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        char name[BANK_IMAGE_NAME_MAX + 1];
        int r = bank_image_line(p, len, name);
        if (r < 0) return -1;
        if (r == 1) {
            if (n < max) strcpy(names[n], name);
            n++;
        }
        p = e ? e + 1 : p + len;
    }
    return n;
}
