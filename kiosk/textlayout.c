/* textlayout: line breaking for Chinese and mixed text (FORMAT.md §1, "Line breaking"), with
 * ICU's "zh" line break iterator finding the break opportunities and this
 * file fitting lines to a width.
 *
 * Where each rule lives:
 *  - Break opportunities: ICU (UAX #14 with ICU's zh tailoring), over the
 *    caller's UTF-8 through a UTF-8 UText, so every position ICU returns is
 *    a byte offset into the text: no copy, no buffer to bound, no offset map
 *    (u_strFromUTF8 refuses ill-formed input, and the substitutions of
 *    u_strFromUTF8WithSub cannot be mapped back to bytes).
 *  - Hard breaks: where ICU reports UBRK_LINE_HARD ('\n', "\r\n", a lone
 *    '\r', and VT, FF, NEL, U+2028, U+2029); the terminator is not part of
 *    the line.
 *  - Kinsoku, checked again on every ICU opportunity (kinsoku_ok): ICU zh
 *    alone already keeps ，。、；：？！）》」』 off a line start and （《「『
 *    off a line end, but allows a break before · (U+00B7), — (U+2014) and
 *    ﹑ (U+FE51), which tl_no_line_start forbids; "zh@lb=strict" differs
 *    from "zh" only for Japanese small kana and the like (no difference on
 *    the sample banks), so it would not help. The check also keeps a prefix
 *    currency sign (￥ $ ¥ € …) with the digit after it.
 *  - Fitting (fill_line): greedy, the last candidate whose measured width
 *    fits. Candidates are first located with a cheap estimate (the sum of
 *    the pieces between candidates, one measure call per piece), then
 *    confirmed with exact measurements of the whole line (normally two),
 *    searching around the estimate when the measuring function is not
 *    additive (kerning, padding).
 *  - When not even the first opportunity of a line fits: if that first
 *    segment fits without the closing marks at its end, they hang past the
 *    width (3.5%， and details. stay whole). Otherwise, as a last resort
 *    (CSS overflow-wrap: break-word), the segment is split at grapheme
 *    cluster boundaries (ICU character iterator) that kinsoku and no-break
 *    characters (U+00A0, U+202F, U+2060, U+FEFF, ZWJ) allow. If no such
 *    boundary fits either, the line takes the first one anyway (a single
 *    character wider than the line stands alone, 「中」 stays together), and
 *    every line makes progress.
 *
 * The iterators are opened once per thread and reused (tl_shutdown frees
 * them). Without ICU data every character boundary is an opportunity. No
 * allocation per call; the text is read only up to its NUL. */
#include "kiosk/textlayout.h"

#include <limits.h>
#include <stddef.h>
#include <string.h>

#include <unicode/ubrk.h>
#include <unicode/utext.h>

/* Candidates of one line kept for searching back; older ones are found
 * again by walking from the line start. */
#define RING 256

/* A first segment longer than this many bytes is measured grapheme by
 * grapheme, stopping at the width, so that a 20,000-character word costs
 * O(line) per line instead of O(rest of the word). */
#define PROBE_BYTES 64

/* ---- the ICU iterators, one set per thread ------------------------------- */

static _Thread_local UBreakIterator *line_iter;
static _Thread_local UBreakIterator *grapheme_iter;
static _Thread_local int line_iter_failed, grapheme_iter_failed;

static UBreakIterator *open_iter(UBreakIteratorType type, UBreakIterator **slot, int *failed)
{
    if (!*slot && !*failed) {
        UErrorCode st = U_ZERO_ERROR;
        *slot = ubrk_open(type, "zh", NULL, 0, &st);
        if (U_FAILURE(st)) {
            if (*slot) ubrk_close(*slot);
            *slot = NULL;
            *failed = 1; /* no ICU data: do not try again on every redraw */
        }
    }
    return *slot;
}

void tl_shutdown(void)
{
    if (line_iter) ubrk_close(line_iter);
    if (grapheme_iter) ubrk_close(grapheme_iter);
    line_iter = grapheme_iter = NULL;
    line_iter_failed = grapheme_iter_failed = 0;
}

/* ---- character properties ---------------------------------------------- */

int tl_decode(const char *s, unsigned *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    unsigned dummy;
    if (!cp) cp = &dummy;
    unsigned c = u[0];
    if (c == 0) {
        *cp = 0;
        return 0;
    }
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    int n;
    unsigned v, min;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        v = c & 0x1F;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        v = c & 0x0F;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        v = c & 0x07;
        min = 0x10000;
    } else {
        goto bad;
    }
    /* a NUL is not a continuation byte, so this stops at the end */
    for (int i = 1; i < n; i++) {
        unsigned k = u[i];
        if ((k & 0xC0) != 0x80) goto bad;
        v = (v << 6) | (k & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) goto bad;
    *cp = v;
    return n;
bad:
    *cp = 0xFFFD;
    return 1;
}

int tl_no_line_start(unsigned cp)
{
    switch (cp) {
    /* ASCII */
    case ',': case '.': case ';': case ':': case '?': case '!':
    case ')': case ']': case '}': case '%':
    /* general punctuation */
    case 0x00B7: /* · */
    case 0x2014: /* — */
    case 0x2019: /* ’ */
    case 0x201D: /* ” */
    case 0x2026: /* … */
    case 0x2030: /* ‰ */
    /* CJK symbols and punctuation */
    case 0x3001: /* 、 */
    case 0x3002: /* 。 */
    case 0x3009: /* 〉 */
    case 0x300B: /* 》 */
    case 0x300D: /* 」 */
    case 0x300F: /* 』 */
    case 0x3011: /* 】 */
    case 0x3015: /* 〕 */
    case 0x3017: /* 〗 */
    case 0x3019: /* 〙 */
    case 0x301B: /* 〛 */
    case 0x301E: /* 〞 */
    case 0x301F: /* 〟 */
    case 0x30FB: /* ・ */
    /* full-width and half-width forms */
    case 0xFF01: /* ！ */
    case 0xFF05: /* ％ */
    case 0xFF09: /* ） */
    case 0xFF0C: /* ， */
    case 0xFF0E: /* ． */
    case 0xFF1A: /* ： */
    case 0xFF1B: /* ； */
    case 0xFF1F: /* ？ */
    case 0xFF3D: /* ］ */
    case 0xFF5D: /* ｝ */
    case 0xFF60: /* ｠ */
    case 0xFF61: /* ｡ */
    case 0xFF63: /* ｣ */
    case 0xFF64: /* ､ */
    case 0xFF65: /* ･ */
    /* vertical and small forms */
    case 0xFE10: case 0xFE11: case 0xFE12: case 0xFE13: case 0xFE14: case 0xFE15: case 0xFE16:
    case 0xFE50: case 0xFE51: case 0xFE52: case 0xFE54: case 0xFE55: case 0xFE56: case 0xFE57:
    case 0xFE5A: case 0xFE5C: case 0xFE5E:
        return 1;
    default:
        return 0;
    }
}

int tl_no_line_end(unsigned cp)
{
    switch (cp) {
    case '(': case '[': case '{':
    case 0x2018: /* ‘ */
    case 0x201C: /* “ */
    case 0x3008: /* 〈 */
    case 0x300A: /* 《 */
    case 0x300C: /* 「 */
    case 0x300E: /* 『 */
    case 0x3010: /* 【 */
    case 0x3014: /* 〔 */
    case 0x3016: /* 〖 */
    case 0x3018: /* 〘 */
    case 0x301A: /* 〚 */
    case 0x301D: /* 〝 */
    case 0xFF08: /* （ */
    case 0xFF3B: /* ［ */
    case 0xFF5B: /* ｛ */
    case 0xFF5F: /* ｟ */
    case 0xFF62: /* ｢ */
    case 0xFE59: case 0xFE5B: case 0xFE5D: /* small brackets */
        return 1;
    default:
        return 0;
    }
}

/* Currency signs written before the amount: never at the end of a line
 * when a digit follows. */
static int is_prefix_currency(unsigned cp)
{
    switch (cp) {
    case '$':
    case 0x00A3: /* £ */
    case 0x00A5: /* ¥ */
    case 0x20A9: /* ₩ */
    case 0x20AC: /* € */
    case 0x20B9: /* ₹ */
    case 0xFF04: /* ＄ */
    case 0xFFE1: /* ￡ */
    case 0xFFE5: /* ￥ */
    case 0xFFE6: /* ￦ */
        return 1;
    default:
        return 0;
    }
}

static int is_digit(unsigned cp)
{
    return (cp >= '0' && cp <= '9') || (cp >= 0xFF10 && cp <= 0xFF19);
}

/* No-break space, narrow no-break space, word joiner, zero width no-break
 * space, zero width joiner: the last-resort split never cuts next to one. */
static int is_glue(unsigned cp)
{
    return cp == 0x00A0 || cp == 0x202F || cp == 0x2060 || cp == 0xFEFF || cp == 0x200D;
}

static int is_space_byte(char c)
{
    return c == ' ' || c == '\t';
}

/* The code point that ends at byte END (> 0), as tl_decode reads it; its
 * length in *LEN when LEN is not NULL. */
static unsigned cp_before(const char *t, int end, int *len)
{
    int s = end - 1;
    while (s > 0 && end - s < 4 && ((unsigned char)t[s] & 0xC0) == 0x80) s--;
    unsigned cp;
    if (tl_decode(t + s, &cp) != end - s) {
        cp = 0xFFFD; /* the last byte belongs to a malformed sequence */
        s = end - 1;
    }
    if (len) *len = end - s;
    return cp;
}

/* ---- layout state ------------------------------------------------------- */

typedef struct layout {
    const char *text;
    int len;
    int width;
    tl_measure_fn measure;
    void *ctx;
    UText *ut;
    UBreakIterator *lb; /* line breaks on the text; NULL without ICU data */
    UBreakIterator *gb; /* grapheme clusters; set on the text on first use */
    int gb_state;       /* 0 not yet looked at, 1 set on the text, -1 unavailable */
    /* from any position in [q_from, q_brk) the next allowed break is q_brk */
    int q_from, q_brk, q_hard;
} layout;

typedef struct cand {
    int brk;    /* the break position (after spaces and terminators) */
    int end;    /* content end of the line if it breaks here */
    int resume; /* where the next line starts */
    int exact;  /* measured width of [line start, end), -1 if not yet */
    int final;  /* ends the paragraph: a hard break or the end of the text */
    int hard;   /* a hard break: another paragraph follows */
    int stop;   /* the last candidate of the walk */
} cand;

enum { BY_LINE, BY_GRAPHEME };

typedef struct line_state {
    layout *L;
    int ls;    /* line start */
    int mode;  /* BY_LINE: line break opportunities; BY_GRAPHEME: the last resort */
    cand limit; /* BY_GRAPHEME: the first line break candidate, split up */
    int pos;   /* the walk: raw position of the last candidate */
    cand ring[RING];
    int count; /* candidates walked so far: 1..count */
} line_state;

static int meas(const layout *L, int s, int n)
{
    if (n <= 0 || !L->measure) return 0;
    return L->measure(L->ctx, L->text + s, n);
}

static int strip_spaces(const char *t, int lo, int e)
{
    while (e > lo && is_space_byte(t[e - 1])) e--;
    return e;
}

static int skip_spaces(const char *t, int s, int hi)
{
    while (s < hi && is_space_byte(t[s])) s++;
    return s;
}

/* Start of the line terminator that ends at B (B itself if there is none). */
static int strip_terminator(const char *t, int lo, int b)
{
    const unsigned char *u = (const unsigned char *)t;
    if (b > lo && u[b - 1] == '\n') return (b - 1 > lo && u[b - 2] == '\r') ? b - 2 : b - 1;
    if (b > lo && (u[b - 1] == '\r' || u[b - 1] == '\v' || u[b - 1] == '\f')) return b - 1;
    if (b - 2 >= lo && u[b - 2] == 0xC2 && u[b - 1] == 0x85) return b - 2; /* NEL */
    if (b - 3 >= lo && u[b - 3] == 0xE2 && u[b - 2] == 0x80 && (u[b - 1] == 0xA8 || u[b - 1] == 0xA9))
        return b - 3; /* line, paragraph separator */
    return b;
}

/* May a line end with content up to E and the next one start at S?
 * the FORMAT.md §1 rules on top of what ICU allowed. */
static int kinsoku_ok(const char *t, int e, int s, int glue)
{
    if (e <= 0) return 1;
    unsigned a = cp_before(t, e, NULL), b = 0;
    tl_decode(t + s, &b);
    if (tl_no_line_end(a) || tl_no_line_start(b)) return 0;
    if (is_prefix_currency(a) && is_digit(b)) return 0;
    if (glue && (is_glue(a) || is_glue(b))) return 0;
    return 1;
}

/* ---- break opportunities ------------------------------------------------- */

/* The next break after POS as ICU has it (or every character without ICU);
 * the text end when there is none. */
static int raw_break(layout *L, int pos, int *hard)
{
    *hard = 0;
    if (pos >= L->len) return L->len;
    if (L->lb) {
        int b = ubrk_following(L->lb, pos);
        if (b == UBRK_DONE || b > L->len) return L->len;
        int status = ubrk_getRuleStatus(L->lb);
        *hard = status >= UBRK_LINE_HARD && status < UBRK_LINE_HARD_LIMIT;
        return b;
    }
    const char *t = L->text;
    if (t[pos] == '\r' && t[pos + 1] == '\n') {
        *hard = 1;
        return pos + 2;
    }
    *hard = t[pos] == '\n' || t[pos] == '\r';
    return pos + tl_decode(t + pos, NULL);
}

/* The first break after POS that kinsoku allows (hard breaks and the text
 * end always are). */
static int next_break(layout *L, int pos, int *hard)
{
    if (pos >= L->q_from && pos < L->q_brk) {
        *hard = L->q_hard;
        return L->q_brk;
    }
    int b = pos, h;
    for (;;) {
        b = raw_break(L, b, &h);
        if (h || b >= L->len) break;
        if (kinsoku_ok(L->text, strip_spaces(L->text, 0, b), b, 0)) break;
    }
    L->q_from = pos;
    L->q_brk = b;
    L->q_hard = h;
    *hard = h;
    return b;
}

/* The next grapheme cluster boundary after POS (a code point boundary
 * without ICU). */
static int next_grapheme(layout *L, int pos)
{
    if (L->gb_state == 0) {
        L->gb = open_iter(UBRK_CHARACTER, &grapheme_iter, &grapheme_iter_failed);
        UErrorCode st = U_ZERO_ERROR;
        if (L->gb) ubrk_setUText(L->gb, L->ut, &st);
        L->gb_state = L->gb && U_SUCCESS(st) ? 1 : -1;
    }
    if (pos >= L->len) return L->len;
    if (L->gb_state > 0) {
        int g = ubrk_following(L->gb, pos);
        return g == UBRK_DONE || g > L->len ? L->len : g;
    }
    return pos + tl_decode(L->text + pos, NULL);
}

/* ---- walking to candidates ------------------------------------------------ */

static void walk_init(line_state *st)
{
    st->pos = st->ls;
}

/* The next candidate of the line, at least one character on (unless the
 * paragraph is used up). */
static void walk_next(line_state *st, cand *c)
{
    layout *L = st->L;
    const char *t = L->text;
    int ls = st->ls;
    if (st->mode == BY_GRAPHEME) {
        for (;;) {
            /* past the segment's content only spaces and its terminator
             * are left: the segment's own break comes next */
            int g = next_grapheme(L, st->pos);
            if (g >= st->limit.end) break;
            int resume = skip_spaces(t, g, st->limit.end);
            st->pos = g;
            int e = strip_spaces(t, ls, g);
            if (e <= ls || !kinsoku_ok(t, e, resume, 1)) continue;
            *c = (cand){g, e, resume, -1, 0, 0, 0};
            return;
        }
        st->pos = st->limit.brk;
        *c = st->limit;
        c->exact = -1;
        c->stop = 1;
        return;
    }
    for (;;) {
        int hard;
        int b = next_break(L, st->pos, &hard);
        st->pos = b;
        int e = strip_spaces(t, ls, hard ? strip_terminator(t, ls, b) : b);
        int final = hard || b >= L->len;
        if (e > ls || final) {
            *c = (cand){b, e, b, -1, final, hard, final};
            return;
        }
    }
}

/* ---- one line ------------------------------------------------------------ */

static const cand *last_cand(const line_state *st)
{
    return &st->ring[st->count % RING];
}

/* Walks one candidate further; 0 if the walk was already over. */
static int walk_more(line_state *st)
{
    if (st->count > 0 && last_cand(st)->stop) return 0;
    st->count++;
    walk_next(st, &st->ring[st->count % RING]);
    return 1;
}

/* Candidate I (1 <= I <= count) when it fell out of the ring: walks again
 * from the line start, leaving the main walk where it was. */
static cand rewalk(line_state *st, int i)
{
    int pos = st->pos;
    cand c = {0, 0, 0, -1, 0, 0, 0};
    walk_init(st);
    for (int k = 0; k < i; k++) walk_next(st, &c);
    st->pos = pos;
    return c;
}

/* Exact width of the line up to candidate I (1 <= I <= count). */
static int width_at(line_state *st, int i)
{
    if (i > st->count - RING) {
        cand *c = &st->ring[i % RING];
        if (c->exact < 0) c->exact = meas(st->L, st->ls, c->end - st->ls);
        return c->exact;
    }
    cand c = rewalk(st, i);
    return meas(st->L, st->ls, c.end - st->ls);
}

static cand cand_at(line_state *st, int i)
{
    if (i > st->count - RING) return st->ring[i % RING];
    return rewalk(st, i);
}

/* Sum of the grapheme widths of [S, E), or -1 as soon as it exceeds the
 * width. */
static int probe(layout *L, int s, int e)
{
    int sum = 0;
    while (s < e) {
        int g = next_grapheme(L, s);
        if (g > e) g = e;
        sum += meas(L, s, g - s);
        if (sum > L->width) return -1;
        s = g;
    }
    return sum;
}

/* Does [S, E) fit the width? Bounded by the width, not by E - S. */
static int fits(layout *L, int s, int e)
{
    if (e - s > PROBE_BYTES && probe(L, s, e) < 0) return 0;
    return meas(L, s, e - s) <= L->width;
}

/* End of [LS, E) without the closing marks at its end. */
static int hang_body(const char *t, int ls, int e)
{
    while (e > ls) {
        int n;
        if (!tl_no_line_start(cp_before(t, e, &n))) break;
        e -= n;
    }
    return e;
}

/* Walks the candidates of the current mode from the line start and returns
 * the index of the last one whose exact width fits (0 when none does). */
static int choose(line_state *st)
{
    layout *L = st->L;
    int ls = st->ls;
    st->count = 0;
    walk_init(st);

    /* estimate: add up the pieces between candidates */
    int est = 0, prev_end = ls, fit = 0;
    for (;;) {
        cand *c = &st->ring[++st->count % RING];
        walk_next(st, c);
        int piece;
        if (st->count == 1 && st->mode == BY_LINE && c->end - ls > PROBE_BYTES) {
            piece = probe(L, ls, c->end);
            if (piece < 0) return 0; /* the first segment alone is too wide */
        } else {
            piece = meas(L, prev_end, c->end - prev_end);
        }
        est += piece;
        prev_end = c->end;
        if (est > L->width) break;
        fit = st->count;
        if (c->stop) break;
    }

    /* confirm with exact widths: largest fitting candidate, widths being
     * monotonic in the candidate index */
    int lo, hi; /* lo fits (0 = empty line), hi does not (or is past the end) */
    if (fit > 0 && width_at(st, fit) > L->width) {
        lo = 0;
        hi = fit;
    } else {
        lo = fit;
        hi = -1;
        for (int step = 1; hi < 0; step *= 2) {
            int want = lo + step;
            while (st->count < want && walk_more(st)) {
            }
            if (want > st->count) want = st->count;
            if (want <= lo) break; /* lo is the last candidate */
            if (width_at(st, want) <= L->width) {
                lo = want;
            } else {
                hi = want;
            }
        }
        if (hi < 0) hi = lo + 1;
    }
    while (hi - lo > 1) {
        int mid = lo + (hi - lo) / 2;
        if (width_at(st, mid) <= L->width) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    return lo;
}

/* Lays out the line starting at LS; returns the candidate it ends at and
 * its exact width in *WIDTH. */
static cand fill_line(line_state *st, int ls, int *width)
{
    st->ls = ls;
    st->mode = BY_LINE;
    int lo = choose(st);
    if (lo == 0) {
        /* not even the first segment fits */
        st->count = 0;
        walk_init(st);
        walk_next(st, &st->limit);
        cand *c = &st->limit;
        /* closing marks at its end hang past the width when the rest fits:
         * 3.5%， stays whole rather than losing its 5 */
        int body = hang_body(st->L->text, ls, c->end);
        if (body > ls && body < c->end && fits(st->L, ls, body)) {
            *width = meas(st->L, ls, c->end - ls);
            return *c;
        }
        /* otherwise split it into graphemes */
        st->mode = BY_GRAPHEME;
        lo = choose(st);
        /* none fits either: the first one goes on the line anyway (choose
         * walked at least one) */
        if (lo == 0) lo = 1;
    }
    *width = width_at(st, lo);
    return cand_at(st, lo);
}

/* ---- public -------------------------------------------------------------- */

int tl_break(const char *text, int width, tl_measure_fn measure, void *ctx, tl_line *lines, int max)
{
    if (!text) text = "";
    size_t n = strlen(text);
    layout L;
    L.text = text;
    L.len = n < (size_t)INT_MAX ? (int)n : INT_MAX - 1;
    L.width = width;
    L.measure = measure;
    L.ctx = ctx;
    L.gb = NULL;
    L.gb_state = 0;
    L.q_from = L.q_brk = -1;
    L.q_hard = 0;

    UText ut = UTEXT_INITIALIZER;
    UErrorCode st = U_ZERO_ERROR;
    L.ut = utext_openUTF8(&ut, text, L.len, &st);
    L.lb = U_SUCCESS(st) ? open_iter(UBRK_LINE, &line_iter, &line_iter_failed) : NULL;
    if (L.lb) {
        ubrk_setUText(L.lb, L.ut, &st);
        if (U_FAILURE(st)) L.lb = NULL;
    }
    if (U_FAILURE(st)) L.gb_state = -1;

    line_state ls_state;
    ls_state.L = &L;
    int total = 0, ls = 0;
    for (;;) {
        int w = 0;
        cand c = fill_line(&ls_state, ls, &w);
        if (lines && total < max) {
            lines[total].start = ls;
            lines[total].len = c.end - ls;
            lines[total].width = c.end > ls ? w : 0;
        }
        total++;
        if (c.final && !c.hard) break;
        ls = c.resume;
    }
    utext_close(&ut);
    return total;
}
