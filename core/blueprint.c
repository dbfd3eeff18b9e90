/* blueprint: INI paper plans and their resolution against a bank. */
#include "core/blueprint.h"

#include <ini.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/csv.h"
#include "core/text.h"
#include "core/alloc.h" /* last: counting allocator in test builds */

const char *exam_kind_name(exam_kind k) { return k == KIND_PRACTICAL ? "practical" : "theory"; }

typedef struct reader {
    const char *p, *end;
    long line;
    long too_long; /* first line that did not fit inih's buffer, or 0 */
    int maxlen;
} reader;

/* ini_reader: hands inih one line at a time and counts lines, so the handler
 * knows where it is (Debian's libinih is built without INI_HANDLER_LINENO). */
static char *read_line(char *str, int num, void *stream)
{
    reader *r = stream;
    if (r->p >= r->end || num < 2) return NULL;
    int n = 0;
    while (r->p < r->end && n < num - 1) {
        char c = *r->p++;
        str[n++] = c;
        if (c == '\n') break;
    }
    str[n] = 0;
    r->line++;
    /* an over-long line would be cut by inih's buffer: remember it and
     * hand inih an empty line instead, so nothing is silently truncated */
    if (n == num - 1 && str[n - 1] != '\n' && r->p < r->end) {
        while (r->p < r->end && *r->p++ != '\n') {}
        if (!r->too_long) r->too_long = r->line;
        r->maxlen = num - 2;
        str[0] = '\n';
        str[1] = 0;
    }
    return str;
}

typedef struct ctx {
    reader *rd;
    blueprint *bp;
    diag *d;
    int seen[16];
    long exam_line;
    int in_exam, in_draw;
    char last_section[64];
} ctx;

enum { K_TITLE, K_LEVEL, K_KIND, K_DURATION, K_PASS, K_MIN_SUBMIT, K_LATE_ENTRY, K_SHUFFLE_Q, K_SHUFFLE_O,
       K_PARTIAL, K_SHOW_SCORE, K_MAX_EXTRA, K_NKEYS };
static const char *KEYS[K_NKEYS] = {"title", "level", "kind", "duration", "pass", "min_submit", "late_entry",
                                    "shuffle_questions", "shuffle_options", "multi_partial", "show_score",
                                    "max_extra"};

static int parse_int(const char *s, int lo, int hi, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < lo || v > hi) return -1;
    *out = (int)v;
    return 0;
}

static int parse_bool(const char *s, int *out)
{
    if (!strcasecmp(s, "yes") || !strcasecmp(s, "true") || !strcmp(s, "1") || !strcmp(s, "是")) { *out = 1; return 0; }
    if (!strcasecmp(s, "no") || !strcasecmp(s, "false") || !strcmp(s, "0") || !strcmp(s, "否")) { *out = 0; return 0; }
    return -1;
}

static void parse_rule(ctx *c, const char *value)
{
    long line = c->rd->line;
    blueprint *bp = c->bp;
    if (bp->nrules >= BLUEPRINT_MAX_RULES) {
        diag_add(c->d, line, "more than %d rules", BLUEPRINT_MAX_RULES);
        return;
    }
    bp_rule r = {.type = QT_COUNT, .points = -1, .line = line};
    char *copy = strdup(value);
    if (!copy) { /* not a silently dropped rule */
        diag_add(c->d, line, "out of memory");
        return;
    }
    int ok = 1;
    for (char *save = NULL, *tok = strtok_r(copy, " \t", &save); tok && ok; tok = strtok_r(NULL, " \t", &save)) {
        char *eq = strchr(tok, '=');
        if (!eq) {
            diag_add(c->d, line, "rule: '%s' is not key=value", tok);
            ok = 0;
            break;
        }
        *eq = 0;
        const char *k = tok, *v = eq + 1;
        if (!strcmp(k, "type")) {
            int t = qtype_parse(v);
            if (t < 0) { diag_add(c->d, line, "rule: unknown type '%s'", v); ok = 0; }
            else r.type = (qtype)t;
        } else if (!strcmp(k, "count")) {
            if (parse_int(v, 1, 1000, &r.count)) { diag_add(c->d, line, "rule: count '%s' must be 1-1000", v); ok = 0; }
        } else if (!strcmp(k, "points")) {
            if (text_points(v, &r.points)) {
                diag_add(c->d, line, "rule: points '%s' must be over 0, at most 100, one decimal at most", v);
                ok = 0;
            }
        } else if (!strcmp(k, "section")) {
            free(r.section);
            r.section = strdup(v);
            if (!r.section) { /* not a rule over every section */
                diag_add(c->d, line, "out of memory");
                ok = 0;
            }
        } else {
            diag_add(c->d, line, "rule: unknown key '%s' (type, count, points, section)", k);
            ok = 0;
        }
    }
    free(copy);
    if (ok && r.type == QT_COUNT) { diag_add(c->d, line, "rule: type= is required"); ok = 0; }
    if (ok && r.count == 0) { diag_add(c->d, line, "rule: count= is required"); ok = 0; }
    if (!ok) { free(r.section); return; }
    bp->rules[bp->nrules++] = r;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
    ctx *c = user;
    long line = c->rd->line;
    blueprint *bp = c->bp;
    if (!name) { /* new section (inih ≥ 50 calls with name NULL) */
        return 1;
    }
    int new_section = strcmp(section, c->last_section) != 0;
    if (new_section) snprintf(c->last_section, sizeof c->last_section, "%s", section);
    if (!strcmp(section, "draw")) {
        if (strcmp(name, "rule")) {
            diag_add(c->d, line, "[draw] takes only 'rule = ...' lines, not '%s'", name);
            return 1;
        }
        parse_rule(c, value);
        return 1;
    }
    if (strcmp(section, "exam")) {
        /* one mistake per unknown section, not one per key in it */
        if (new_section) diag_add(c->d, line, "unknown section [%s] (expected [exam] and [draw])", section);
        return 1;
    }
    int k;
    for (k = 0; k < K_NKEYS; k++)
        if (!strcmp(name, KEYS[k])) break;
    if (k == K_NKEYS) {
        diag_add(c->d, line, "unknown key '%s' in [exam]", name);
        return 1;
    }
    if (c->seen[k]++) {
        diag_add(c->d, line, "'%s' is given twice", name);
        return 1;
    }
    int bad = 0;
    switch (k) {
    case K_TITLE:
        if (!*value || strlen(value) > 150) bad = 1;
        else if (!(bp->title = strdup(value))) diag_add(c->d, line, "out of memory");
        break;
    case K_LEVEL: bad = parse_int(value, 1, 5, &bp->level); break;
    case K_KIND:
        if (!strcmp(value, "theory") || !strcmp(value, "理论")) bp->kind = KIND_THEORY;
        else if (!strcmp(value, "practical") || !strcmp(value, "实操")) bp->kind = KIND_PRACTICAL;
        else bad = 1;
        break;
    case K_DURATION: bad = parse_int(value, 1, 600, &bp->duration); break;
    case K_PASS: bad = parse_int(value, 0, 100, &bp->pass); break;
    case K_MIN_SUBMIT: bad = parse_int(value, 0, 600, &bp->min_submit); break;
    case K_LATE_ENTRY: bad = parse_int(value, 0, 600, &bp->late_entry); break;
    case K_SHUFFLE_Q: bad = parse_bool(value, &bp->shuffle_questions); break;
    case K_SHUFFLE_O: bad = parse_bool(value, &bp->shuffle_options); break;
    case K_SHOW_SCORE: bad = parse_bool(value, &bp->show_score); break;
    case K_MAX_EXTRA: bad = parse_int(value, 0, BLUEPRINT_MAX_EXTRA_LIMIT, &bp->max_extra); break;
    case K_PARTIAL:
        if (!strcmp(value, "none")) bp->partial = PARTIAL_NONE;
        else if (!strcmp(value, "half")) bp->partial = PARTIAL_HALF;
        else bad = 1;
        break;
    }
    if (bad) {
        static const char *EXPECT[K_NKEYS] = {
            "a title of at most 150 bytes (50 Chinese characters)", "1-5", "theory or practical", "1-600 minutes", "0-100",
            "0-600 minutes", "0-600 minutes", "yes or no", "yes or no", "none or half", "yes or no", "0-600 minutes"};
        diag_add(c->d, line, "%s = '%s': expected %s", name, value, EXPECT[k]);
    }
    return 1;
}

int blueprint_parse(const char *buf, size_t len, blueprint *out, diag *d)
{
    memset(out, 0, sizeof *out);
    out->pass = 60;
    out->late_entry = 30;
    out->max_extra = BLUEPRINT_MAX_EXTRA_DEFAULT;
    out->shuffle_questions = out->shuffle_options = out->show_score = 1;
    if (len > BLUEPRINT_MAX_BYTES) {
        diag_add(d, 0, "blueprint larger than %u bytes", BLUEPRINT_MAX_BYTES);
        return -1;
    }
    if (memchr(buf, 0, len)) {
        diag_add(d, 0, "blueprint contains a NUL byte");
        return -1;
    }
    /* a blueprint saved as "ANSI" on Chinese Windows is GB18030 */
    char *conv = NULL;
    if (!csv_utf8_valid(buf, len, NULL)) {
        size_t clen = 0, bad = 0;
        conv = text_from_gb18030(buf, len, &clen, &bad);
        if (!conv) {
            long ln = 1;
            for (size_t i = 0; i < bad && i < len; i++) ln += buf[i] == '\n';
            diag_add(d, ln, "not valid UTF-8 or GB18030 text");
            return -1;
        }
        buf = conv;
        len = clen;
    }
    reader rd = {buf, buf + len, 0, 0, 0};
    ctx c = {.rd = &rd, .bp = out, .d = d};
    size_t before = diag_count(d);
    /* find the [draw] line for messages about the whole paper */
    {
        long ln = 1;
        for (const char *p = buf; p < buf + len; p++) {
            if (p == buf || p[-1] == '\n') {
                const char *q = p;
                while (q < buf + len && (*q == ' ' || *q == '\t')) q++;
                if ((size_t)(buf + len - q) >= 6 && !strncmp(q, "[draw]", 6)) { out->draw_line = ln; break; }
            }
            if (*p == '\n') ln++;
        }
    }
    int rc = ini_parse_stream(read_line, &rd, handler, &c);
    if (rd.too_long) {
        diag_add(d, rd.too_long, "line longer than %d bytes", rd.maxlen);
    } else if (rc > 0) {
        diag_add(d, rc, "cannot parse this line (expected [section], key = value, or ; comment)");
    } else if (rc < 0) {
        diag_add(d, 0, "cannot read blueprint");
    }
    if (diag_count(d) == before) {
        static const int REQ[] = {K_TITLE, K_LEVEL, K_KIND, K_DURATION};
        for (size_t i = 0; i < sizeof REQ / sizeof *REQ; i++)
            if (!c.seen[REQ[i]]) diag_add(d, 0, "[exam] is missing '%s'", KEYS[REQ[i]]);
        if (out->nrules == 0) diag_add(d, out->draw_line, "no draw rules ([draw] with rule = type=... count=...)");
        if (out->min_submit > out->duration)
            diag_add(d, 0, "min_submit (%d) is longer than duration (%d)", out->min_submit, out->duration);
    }
    free(conv);
    if (diag_count(d) != before) {
        blueprint_free(out);
        return -1;
    }
    return 0;
}

void blueprint_free(blueprint *bp)
{
    if (!bp) return;
    free(bp->title);
    for (size_t i = 0; i < bp->nrules; i++) free(bp->rules[i].section);
    memset(bp, 0, sizeof *bp);
}

int blueprint_points(const bp_rule *r, const question *q)
{
    return q->points >= 0 ? q->points : r->points;
}

static int matches(const bp_rule *r, const question *q)
{
    return q->type == r->type && (!r->section || !strcmp(r->section, q->section));
}

int blueprint_resolve(const blueprint *bp, const bank *b, bp_plan *plan, diag *d)
{
    memset(plan, 0, sizeof *plan);
    size_t before = diag_count(d);
    for (size_t i = 0; i < bp->nrules; i++) {
        const bp_rule *r = &bp->rules[i];
        size_t n = 0;
        plan->pool[i] = malloc((b->n ? b->n : 1) * sizeof(size_t));
        if (!plan->pool[i]) { diag_add(d, r->line, "out of memory"); goto fail; }
        for (size_t k = 0; k < b->n; k++)
            if (matches(r, &b->q[k])) plan->pool[i][n++] = k;
        plan->npool[i] = n;
        char where[160] = "";
        if (r->section) snprintf(where, sizeof where, " in section '%s'", r->section);
        /* worst case: every earlier rule took overlapping questions first */
        size_t taken = 0;
        for (size_t j = 0; j < i; j++) {
            size_t overlap = 0;
            for (size_t k = 0; k < n; k++)
                if (matches(&bp->rules[j], &b->q[plan->pool[i][k]])) overlap++;
            taken += overlap < (size_t)bp->rules[j].count ? overlap : (size_t)bp->rules[j].count;
        }
        if (n < (size_t)r->count) {
            diag_add(d, r->line, "rule %zu asks for %d %s questions%s but the bank has only %zu", i + 1, r->count,
                     qtype_name(r->type), where, n);
            continue;
        }
        if (n - taken < (size_t)r->count) {
            diag_add(d, r->line, "rule %zu asks for %d %s questions%s but earlier rules may take %zu of the %zu",
                     i + 1, r->count, qtype_name(r->type), where, taken, n);
            continue;
        }
        int first = -2, uniform = 1, missing = 0;
        for (size_t k = 0; k < n; k++) {
            int p = blueprint_points(r, &b->q[plan->pool[i][k]]);
            if (p < 0) missing = 1;
            if (first == -2) first = p;
            else if (p != first) uniform = 0;
        }
        if (missing) {
            diag_add(d, r->line, "rule %zu has no points= and some of its questions have no points column", i + 1);
            continue;
        }
        int sum = 0;
        if (uniform) sum = first * r->count;
        else if (n == (size_t)r->count)
            for (size_t k = 0; k < n; k++) sum += blueprint_points(r, &b->q[plan->pool[i][k]]);
        else {
            diag_add(d, r->line, "rule %zu draws %d of %zu questions whose points differ, so the total would depend on the draw",
                     i + 1, r->count, n);
            continue;
        }
        plan->total_points += sum;
        plan->questions += r->count;
    }
    if (diag_count(d) == before && plan->total_points != 1000) {
        char got[24];
        diag_add(d, bp->draw_line, "the paper totals %s points; it must total exactly 100",
                 text_format_tenths(plan->total_points, got, sizeof got));
    }
    if (diag_count(d) == before) return 0;
fail:
    blueprint_plan_free(plan);
    return -1;
}

void blueprint_plan_free(bp_plan *plan)
{
    for (size_t i = 0; i < BLUEPRINT_MAX_RULES; i++) free(plan->pool[i]);
    memset(plan, 0, sizeof *plan);
}
