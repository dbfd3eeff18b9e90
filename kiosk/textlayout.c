/* textlayout: line breaking for Chinese and mixed text (SPEC §6.2).
 *
 * The text is cut into paragraphs at hard breaks ('\n', "\r\n", and a lone
 * '\r'). Each paragraph is filled greedily, line by line:
 *
 *  - A walker steps from the line start to each *allowed* break opportunity
 *    (a "candidate"). Raw opportunities are at spaces, before and after any
 *    CJK character, and between the characters of a Latin/number run that
 *    alone is wider than the line. An opportunity is allowed unless the
 *    character before it may not end a line (opening bracket) or the
 *    character after it may not start a line (closing punctuation). Skipping
 *    a forbidden opportunity is exactly "moving the break back so the
 *    preceding character goes down with the punctuation" (or moving the
 *    opening bracket down).
 *  - The line takes the last candidate whose measured width fits. To keep
 *    measuring linear, candidates are first located with a cheap estimate
 *    (the sum of the widths of the pieces between candidates, one measure
 *    call per piece), then confirmed with exact measurements of the whole
 *    line (normally two), searching around the estimate if the measuring
 *    function is not additive (kerning, padding).
 *  - If not even the first candidate fits, the line takes it anyway: the
 *    closing punctuation hangs past the width (or a single character wider
 *    than the line stands alone), and every line makes progress.
 *
 * No allocation; the text is read only up to its NUL. */
#include "textlayout.h"

#include <stddef.h>
#include <string.h>

/* What the line breaker needs to know of a character, worked out once. */
enum {
    F_CJK = 1,          /* break opportunity before and after */
    F_NO_START = 2,     /* closing mark: may not start a line */
    F_NO_END = 4,       /* opening mark: may not end a line */
    F_GLUE_BEFORE = 8,  /* combining mark, joiner: no break before */
    F_GLUE_AFTER = 16,  /* joiner: no break after */
};

/* Candidates of one line kept for searching back; older ones are found
 * again by walking from the line start. */
#define RING 256

typedef struct layout {
    const char *text;
    int pe; /* paragraph end: offset of its '\r', '\n' or NUL */
    int width;
    tl_measure_fn measure;
    void *ctx;
    /* the last run of non-CJK, non-space characters looked at */
    int run_s, run_e, run_long;
} layout;

typedef struct walker {
    int cend;       /* end of the content taken so far (after a non-space) */
    int prev_flags; /* of the last character taken */
    int prev_pos;
    /* lookahead: the next non-space character, each decoded only once */
    int nq;      /* its offset (the paragraph end when there is none) */
    int nn;      /* its length in bytes */
    int nflags;  /* its F_ flags */
    int nspaces; /* spaces between the content and it */
} walker;

typedef struct cand {
    int end;    /* content end of the line if it breaks here */
    int resume; /* where the next line starts (spaces skipped) */
    int exact;  /* measured width of [line start, end), -1 if not yet */
    int final;  /* the end of the paragraph */
} cand;

typedef struct line_state {
    layout *L;
    int ls; /* line start */
    walker w;
    cand ring[RING];
    int count; /* candidates walked so far: 1..count */
} line_state;

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

static int is_space_byte(char c)
{
    return c == ' ' || c == '\t';
}

static int is_cjk(unsigned cp)
{
    return (cp >= 0x2E80 && cp <= 0x9FFF)     /* radicals, CJK punctuation, kana, ideographs */
           || (cp >= 0xAC00 && cp <= 0xD7AF)  /* hangul syllables */
           || (cp >= 0xF900 && cp <= 0xFAFF)  /* compatibility ideographs */
           || (cp >= 0xFE30 && cp <= 0xFE4F)  /* compatibility forms */
           || (cp >= 0xFF00 && cp <= 0xFFEF)  /* full-width and half-width forms */
           || (cp >= 0x20000 && cp <= 0x3FFFF); /* supplementary ideographs */
}

/* Marks that belong to the character before them: never a break before. */
static int is_combining(unsigned cp)
{
    return (cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x1AB0 && cp <= 0x1AFF) ||
           (cp >= 0x1DC0 && cp <= 0x1DFF) || (cp >= 0x20D0 && cp <= 0x20FF) ||
           (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0xFE20 && cp <= 0xFE2F) ||
           (cp >= 0x1F3FB && cp <= 0x1F3FF) || (cp >= 0xE0100 && cp <= 0xE01EF) ||
           cp == 0x3099 || cp == 0x309A;
}

/* Joiners and no-break spaces: never a break on either side. */
static int is_joiner(unsigned cp)
{
    return cp == 0x00A0 || cp == 0x200D || cp == 0x2060 || cp == 0x202F || cp == 0xFEFF;
}

static const unsigned char ascii_flags[128] = {
    [','] = F_NO_START, ['.'] = F_NO_START, [';'] = F_NO_START, [':'] = F_NO_START,
    ['?'] = F_NO_START, ['!'] = F_NO_START, [')'] = F_NO_START, [']'] = F_NO_START,
    ['}'] = F_NO_START, ['%'] = F_NO_START, ['('] = F_NO_END,   ['['] = F_NO_END,
    ['{'] = F_NO_END,
};

static int char_flags(unsigned cp)
{
    if (cp < 0x80) return ascii_flags[cp];
    if (cp >= 0x4E00 && cp <= 0x9FFF) return F_CJK; /* unified ideographs: the common case */
    int f = is_cjk(cp) ? F_CJK : 0;
    if (tl_no_line_start(cp)) f |= F_NO_START;
    if (tl_no_line_end(cp)) f |= F_NO_END;
    if (is_combining(cp)) f |= F_GLUE_BEFORE;
    if (is_joiner(cp)) f |= F_GLUE_BEFORE | F_GLUE_AFTER;
    return f;
}

/* ---- measuring ----------------------------------------------------------- */

static int meas(const layout *L, int s, int n)
{
    if (n <= 0 || !L->measure) return 0;
    return L->measure(L->ctx, L->text + s, n);
}

/* Makes the run cache describe the run of non-CJK, non-space characters
 * that contains POS (or, when POS is not cached, the run from POS on). */
static void run_at(layout *L, int pos)
{
    if (pos >= L->run_s && pos < L->run_e) return;
    int e = pos;
    while (e < L->pe && !is_space_byte(L->text[e])) {
        unsigned cp;
        int n = tl_decode(L->text + e, &cp);
        if (is_cjk(cp)) break;
        e += n;
    }
    L->run_s = pos;
    L->run_e = e;
    L->run_long = meas(L, pos, e - pos) > L->width;
}

/* ---- walking to break opportunities ----------------------------------- */

/* Looks at the first non-space character from FROM on. */
static void peek(const layout *L, walker *w, int from)
{
    const char *t = L->text;
    int q = from;
    while (q < L->pe && (t[q] == ' ' || t[q] == '\t')) q++;
    w->nspaces = q > from;
    w->nq = q;
    if (q >= L->pe) {
        w->nn = 0;
        w->nflags = 0;
        return;
    }
    const unsigned char *u = (const unsigned char *)t + q;
    unsigned b = u[0];
    if (b < 0x80) {
        w->nn = 1;
        w->nflags = ascii_flags[b];
        return;
    }
    /* U+4000..U+9FFF (E4..E9 xx xx): ideographs, the bulk of a stem, with no
     * prohibition; u[2] is read only when u[1] is a continuation byte, so
     * never past the NUL */
    if (b >= 0xE4 && b <= 0xE9 && (u[1] & 0xC0) == 0x80 && (u[2] & 0xC0) == 0x80) {
        w->nn = 3;
        w->nflags = F_CJK;
        return;
    }
    w->nn = tl_decode(t + q, &b);
    w->nflags = char_flags(b);
}

static void walker_init(const layout *L, walker *w, int ls)
{
    w->cend = ls;
    w->prev_flags = 0;
    w->prev_pos = ls;
    peek(L, w, ls);
}

/* Takes at least one character (unless the paragraph is used up) and stops
 * at the next allowed break, or at the paragraph end. */
static void walk_next(layout *L, walker *w, cand *c)
{
    int taken = 0;
    c->exact = -1;
    for (;;) {
        int q = w->nq;
        if (q >= L->pe) {
            c->end = w->cend;
            c->resume = L->pe;
            c->final = 1;
            return;
        }
        int a = w->prev_flags, b = w->nflags;
        if (taken && !(a & (F_NO_END | F_GLUE_AFTER)) && !(b & (F_NO_START | F_GLUE_BEFORE))) {
            int brk;
            if (w->nspaces || ((a | b) & F_CJK)) {
                brk = 1;
            } else {
                /* two adjacent characters of one Latin/number run */
                run_at(L, w->prev_pos);
                brk = L->run_long;
            }
            if (brk) {
                c->end = w->cend;
                c->resume = q;
                c->final = 0;
                return;
            }
        }
        if (!(b & F_CJK) && (q < L->run_s || q >= L->run_e)) run_at(L, q);
        w->prev_flags = b;
        w->prev_pos = q;
        w->cend = q + w->nn;
        taken = 1;
        peek(L, w, w->cend);
    }
}

/* ---- one line ------------------------------------------------------------ */

static const cand *last_cand(const line_state *st)
{
    return &st->ring[st->count % RING];
}

/* Walks one candidate further; 0 if the paragraph end was already reached. */
static int walk_more(line_state *st)
{
    if (st->count > 0 && last_cand(st)->final) return 0;
    st->count++;
    walk_next(st->L, &st->w, &st->ring[st->count % RING]);
    return 1;
}

/* Candidate I (1 <= I <= count) when it fell out of the ring: walks again
 * from the line start, leaving the run cache of the main walker as it was. */
static cand rewalk(line_state *st, int i)
{
    layout *L = st->L;
    int rs = L->run_s, re = L->run_e, rl = L->run_long;
    walker w;
    cand c = {0, 0, -1, 0};
    walker_init(L, &w, st->ls);
    for (int k = 0; k < i; k++) walk_next(L, &w, &c);
    L->run_s = rs;
    L->run_e = re;
    L->run_long = rl;
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

/* Lays out the line starting at LS; returns the candidate it ends at and
 * its exact width in *WIDTH. */
static cand fill_line(line_state *st, int ls, int *width)
{
    layout *L = st->L;
    st->ls = ls;
    st->count = 0;
    walker_init(L, &st->w, ls);

    /* estimate: add up the pieces between candidates */
    int est = 0, prev_end = ls, fit = 0;
    for (;;) {
        cand *c = &st->ring[++st->count % RING];
        walk_next(L, &st->w, c);
        est += meas(L, prev_end, c->end - prev_end);
        prev_end = c->end;
        if (est > L->width) break;
        fit = st->count;
        if (c->final) break;
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
            if (want <= lo) break; /* lo is the paragraph end */
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
    if (lo == 0) {
        /* nothing fits: the first unit goes on the line anyway (the
         * estimate loop walked at least one candidate) */
        lo = 1;
    }
    *width = width_at(st, lo);
    return cand_at(st, lo);
}

/* ---- public -------------------------------------------------------------- */

int tl_break(const char *text, int width, tl_measure_fn measure, void *ctx, tl_line *lines, int max)
{
    if (!text) text = "";
    int total = 0;
    int ps = 0;
    line_state st;
    layout L;
    L.text = text;
    L.width = width;
    L.measure = measure;
    L.ctx = ctx;
    st.L = &L;

    for (;;) {
        int pe = ps + (int)strcspn(text + ps, "\r\n");
        L.pe = pe;
        L.run_s = L.run_e = -1;
        L.run_long = 0;

        int ls = ps;
        for (;;) {
            int w = 0;
            cand c = fill_line(&st, ls, &w);
            if (lines && total < max) {
                lines[total].start = ls;
                lines[total].len = c.end - ls;
                lines[total].width = c.end > ls ? w : 0;
            }
            total++;
            if (c.final) break;
            ls = c.resume;
        }

        if (!text[pe]) break;
        ps = pe + ((text[pe] == '\r' && text[pe + 1] == '\n') ? 2 : 1);
    }
    return total;
}
