/* score: marks one item against the answer key (FORMAT.md §1, "Marking"), in tenths of a
 * point, with integer arithmetic only. No I/O. */
#include "core/score.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"

#define IDEOGRAPHIC_COMMA "\xE3\x80\x81" /* 、 */

/* round_half_up(points * k / n), in tenths; 0 when n <= 0. */
static int share(int points, long long k, long long n)
{
    if (n <= 0 || k <= 0) return 0;
    if (k > n) k = n;
    long long p = points;
    return (int)((2 * p * k + n) / (2 * n));
}

static int is_empty(const char *s) { return s == NULL || *s == 0; }

/* Folds full-width forms, trims, and upper-cases ASCII letters. Returns a
 * malloc'd string or NULL. */
static char *norm_upper(const char *s)
{
    char *f = text_fold(s, 0);
    if (!f) return NULL;
    char *t = text_trim(f);
    free(f);
    if (!t) return NULL;
    for (char *p = t; *p; p++)
        if (*p >= 'a' && *p <= 'z') *p = (char)(*p - 'a' + 'A');
    return t;
}

/* Reads option letters from S (full-width folded, any case; separators ','
 * '、' and white space as text_trim knows it skipped) into SEQ as 'A'..'Z',
 * at most MAX of them. Returns the count, or -1 when S holds anything else
 * or too many letters. */
static int read_letters(const char *s, char *seq, int max)
{
    char *f = text_fold(s, 0);
    if (!f) return -1;
    int n = 0;
    for (const char *p = f; *p;) {
        char c = *p;
        size_t sp = text_space_len(p);
        if (sp) { p += sp; continue; }
        if (c == ',') { p++; continue; }
        if (!strncmp(p, IDEOGRAPHIC_COMMA, 3)) { p += 3; continue; }
        if (c >= 'a' && c <= 'z') c = (char)(c - 'a' + 'A');
        if (c < 'A' || c > 'Z' || n >= max) { free(f); return -1; }
        seq[n++] = c;
        p++;
    }
    free(f);
    return n;
}

/* Set of letters in S as a bit mask (bit 0 = 'A'); -1 when malformed. */
static long letter_mask(const char *s)
{
    char seq[256];
    int n = read_letters(s, seq, (int)sizeof seq);
    if (n < 0) return -1;
    long m = 0;
    for (int i = 0; i < n; i++) m |= 1L << (seq[i] - 'A');
    return m;
}

/* ---- per type ---------------------------------------------------------- */

static int score_exact(const score_item *it)
{
    char *k = norm_upper(it->key), *r = norm_upper(it->response);
    int ok = k && r && *r && !strcmp(k, r);
    free(k);
    free(r);
    return ok ? it->points : 0;
}

static int score_multi(const score_item *it)
{
    long key = letter_mask(it->key), resp = letter_mask(it->response);
    if (key <= 0 || resp <= 0) return 0; /* bad key, malformed or empty response */
    if (resp == key) return it->points;
    if (it->partial == PARTIAL_HALF && (resp & ~key) == 0) /* non-empty strict subset */
        return share(it->points, 1, 2);
    return 0;
}

static int score_order(const score_item *it)
{
    char k[256], r[256];
    int nk = read_letters(it->key, k, (int)sizeof k);
    int nr = read_letters(it->response, r, (int)sizeof r);
    if (nk <= 0 || nr != nk) return 0;
    return memcmp(k, r, (size_t)nk) ? 0 : it->points;
}

/* Is response blank R (length RLEN, not NUL-terminated) equal to one of the
 * '|'-separated alternatives of key blank K (length KLEN)? */
static int blank_right(const char *r, size_t rlen, const char *k, size_t klen)
{
    char *resp = strndup(r, rlen);
    if (!resp) return 0;
    char *rt = text_fold(resp, 1), *rtt = rt ? text_trim(rt) : NULL;
    free(rt);
    int ok = 0;
    if (rtt && *rtt) { /* an empty blank is never right */
        const char *a = k, *end = k + klen;
        while (!ok && a <= end) {
            const char *bar = memchr(a, '|', (size_t)(end - a));
            const char *e = bar ? bar : end;
            char *alt = strndup(a, (size_t)(e - a));
            if (!alt) break;
            ok = score_text_equal(resp, alt);
            free(alt);
            a = e + 1;
        }
    }
    free(rtt);
    free(resp);
    return ok;
}

static int score_fill(const score_item *it)
{
    long long blanks = 1, right = 0;
    for (const char *p = it->key; *p; p++)
        if (*p == ';') blanks++;
    const char *k = it->key, *r = it->response;
    int r_done = 0;
    for (long long i = 0; i < blanks; i++) {
        const char *ke = strchr(k, ';');
        if (!ke) ke = k + strlen(k);
        if (!r_done) {
            const char *re = strchr(r, SCORE_BLANK_SEP);
            if (!re) re = r + strlen(r);
            if (blank_right(r, (size_t)(re - r), k, (size_t)(ke - k))) right++;
            if (*re) r = re + 1;
            else r_done = 1; /* fewer blanks answered: the rest are wrong */
        }
        if (*ke) k = ke + 1;
    }
    /* blanks beyond the key's are ignored: they cannot be right */
    return share(it->points, right, blanks);
}

/* Splits a numeric key "v", "v+-t" or "v±t" into millionths. */
static int parse_numeric_key(const char *key, int64_t *v, int64_t *tol)
{
    char *k = strdup(key);
    if (!k) return -1;
    *tol = 0;
    char *tp = NULL;
    char *pm = *k ? strstr(k + 1, "+-") : NULL; /* not the value's own sign */
    size_t pmlen = 2;
    if (!pm) { pm = strstr(k, "\xC2\xB1"); pmlen = 2; } /* ± */
    if (pm) { *pm = 0; tp = pm + pmlen; }
    int rc = text_decimal(k, v) != 0 || (tp && (text_decimal(tp, tol) != 0 || *tol < 0)) ? -1 : 0;
    free(k);
    return rc;
}

static int score_numeric(const score_item *it)
{
    int64_t v, tol, r;
    if (parse_numeric_key(it->key, &v, &tol) != 0) return 0;
    if (text_decimal(it->response, &r) != 0) return 0;
    /* |values| < 10^18, so the difference cannot overflow */
    int64_t d = r - v;
    if (d < 0) d = -d;
    return d <= tol ? it->points : 0;
}

/* Parses a match entry (trimmed, full-width digits folded) as a positive
 * number; -1 when empty or not such a number. */
static long match_choice(const char *s, size_t len)
{
    char *raw = strndup(s, len);
    if (!raw) return -1;
    char *f = text_fold(raw, 0);
    free(raw);
    char *t = f ? text_trim(f) : NULL;
    free(f);
    if (!t) return -1;
    long v = 0;
    size_t n = strlen(t);
    if (n == 0 || n > 6) v = -1;
    for (size_t i = 0; v >= 0 && i < n; i++)
        v = (t[i] >= '0' && t[i] <= '9') ? v * 10 + (t[i] - '0') : -1;
    free(t);
    return v;
}

static int score_match(const score_item *it)
{
    long long pairs = 1, right = 0;
    for (const char *p = it->key; *p; p++)
        if (*p == '|') pairs++;
    const char *r = it->response;
    for (long long i = 0; i < pairs; i++) {
        const char *e = strchr(r, ',');
        if (!e) e = r + strlen(r);
        if (match_choice(r, (size_t)(e - r)) == i + 1) right++;
        if (!*e) break; /* missing entries are wrong */
        r = e + 1;
    }
    /* entries beyond the pairs are ignored: they cannot be right */
    return share(it->points, right, pairs);
}

/* ---- API ---------------------------------------------------------------- */

int score_item_tenths(const score_item *it, int *pending)
{
    if (pending) *pending = 0;
    if (!it) return 0;
    if (it->type == QT_ESSAY) {
        if (pending) *pending = 1;
        return 0;
    }
    if (it->points <= 0 || !it->key || is_empty(it->response)) return 0;
    int s;
    switch (it->type) {
    case QT_JUDGE:
    case QT_SINGLE: s = score_exact(it); break;
    case QT_MULTI: s = score_multi(it); break;
    case QT_ORDER: s = score_order(it); break;
    case QT_FILL: s = score_fill(it); break;
    case QT_NUMERIC: s = score_numeric(it); break;
    case QT_MATCH: s = score_match(it); break;
    default: s = 0; break;
    }
    if (s < 0) s = 0;
    if (s > it->points) s = it->points;
    return s;
}

int score_text_equal(const char *a, const char *b)
{
    if (!a || !b) return 0;
    char *fa = text_fold(a, 1), *fb = text_fold(b, 1);
    char *ta = fa ? text_trim(fa) : NULL, *tb = fb ? text_trim(fb) : NULL;
    int eq = ta && tb && !strcmp(ta, tb);
    free(fa);
    free(fb);
    free(ta);
    free(tb);
    return eq;
}
