/* Unit tests for kiosk/textlayout.c: Chinese line breaking (FORMAT.md §1, "Line breaking") with
 * ICU's zh breaker; the rules also checked over the sample banks' text.
 * The fake measuring function gives 10 px to an ASCII byte and 20 px to any
 * other character (counted by its UTF-8 lead byte), independently of the
 * decoder under test. */
#include <ctype.h>
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "kiosk/textlayout.h"

/* ---- fake measuring ------------------------------------------------------ */

typedef struct meter {
    long calls;
    long bytes;
    int pad;   /* added to every non-empty measurement (non-additive) */
    int kern;  /* subtracted from every non-empty measurement */
} meter;

static int plain_width(const char *s, int n)
{
    int w = 0;
    for (int i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) w += 10;
        else if (c >= 0xC0) w += 20; /* lead byte: one character */
    }
    return w;
}

static int fake_measure(void *ctx, const char *s, int n)
{
    meter *m = ctx;
    assert_true(n >= 0);
    if (m) {
        m->calls++;
        m->bytes += n;
    }
    int w = plain_width(s, n);
    if (m && n > 0) w += m->pad - m->kern;
    return w;
}

/* ---- helpers ------------------------------------------------------------- */

#define MAXL 512
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

typedef struct result {
    int n;
    tl_line l[MAXL];
} result;

static void lay(const char *text, int width, result *r)
{
    r->n = tl_break(text, width, fake_measure, NULL, r->l, MAXL);
    assert_true(r->n >= 1 && r->n <= MAXL);
}

/* Line I of R must read WANT. */
static void expect_line(const char *text, const result *r, int i, const char *want)
{
    assert_true(i < r->n);
    const tl_line *ln = &r->l[i];
    int wl = (int)strlen(want);
    if (ln->len != wl || memcmp(text + ln->start, want, (size_t)wl) != 0)
        fail_msg("line %d: got \"%.*s\" (start %d len %d), want \"%s\"", i, ln->len, text + ln->start, ln->start,
                 ln->len, want);
    assert_int_equal(ln->width, plain_width(want, wl));
}

/* TEXT at WIDTH must give exactly the lines of the NULL-terminated list. */
static void expect_lines(const char *text, int width, ...)
{
    result r;
    lay(text, width, &r);
    va_list ap;
    va_start(ap, width);
    int i = 0;
    for (const char *want; (want = va_arg(ap, const char *)) != NULL; i++) expect_line(text, &r, i, want);
    va_end(ap);
    if (r.n != i) {
        for (int k = 0; k < r.n; k++) print_message("  [%d] \"%.*s\"\n", k, r.l[k].len, text + r.l[k].start);
        fail_msg("\"%s\" at %d: %d lines, want %d", text, width, r.n, i);
    }
}

static unsigned first_cp(const char *text, const tl_line *ln)
{
    unsigned cp = 0;
    if (ln->len > 0) tl_decode(text + ln->start, &cp);
    return cp;
}

static unsigned last_cp(const char *text, const tl_line *ln)
{
    unsigned cp = 0;
    int i = ln->start, end = ln->start + ln->len;
    while (i < end) i += tl_decode(text + i, &cp);
    return cp;
}

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The lines cover TEXT in order; only spaces and line ends are left out,
 * and exactly one paragraph boundary per hard break. Returns the number of
 * lines that start a paragraph. */
static int check_coverage(const char *text, const tl_line *l, int n)
{
    int pos = 0, paragraphs = 1, newlines = 0;
    for (const char *p = text; *p; p++)
        if (*p == '\n' || (*p == '\r' && p[1] != '\n')) newlines++;
    for (int i = 0; i < n; i++) {
        assert_true(l[i].start >= pos);
        assert_true(l[i].len >= 0);
        int nl = 0;
        for (int k = pos; k < l[i].start; k++) {
            if (!is_ws(text[k])) fail_msg("line %d: byte %d (0x%02x) dropped", i, k, (unsigned char)text[k]);
            if (text[k] == '\n' || (text[k] == '\r' && text[k + 1] != '\n')) nl++;
        }
        assert_true(nl <= 1);
        if (i > 0) paragraphs += nl;
        /* no line ends in a space; soft-wrapped lines start without one */
        if (l[i].len > 0) {
            assert_false(text[l[i].start + l[i].len - 1] == ' ');
            if (i > 0 && nl == 0) assert_false(text[l[i].start] == ' ');
        }
        pos = l[i].start + l[i].len;
    }
    for (; text[pos]; pos++) {
        if (!is_ws(text[pos])) fail_msg("byte %d after the last line dropped", pos);
        assert_false(text[pos] == '\n');
    }
    assert_int_equal(paragraphs, newlines + 1);
    return paragraphs;
}

/* ---- tl_decode and the prohibition sets ---------------------------------- */

static void expect_decode(const char *s, unsigned want_cp, int want_len)
{
    unsigned cp = 12345;
    int n = tl_decode(s, &cp);
    assert_int_equal(n, want_len);
    assert_int_equal(cp, want_cp);
}

static void test_decode(void **state)
{
    (void)state;
    expect_decode("", 0, 0);
    expect_decode("A", 'A', 1);
    expect_decode("\xC2\xB7", 0xB7, 2);
    expect_decode("\xE4\xB8\xAD", 0x4E2D, 3);        /* 中 */
    expect_decode("\xF0\xA0\x80\x80", 0x20000, 4);   /* 𠀀 */
    expect_decode("\xF4\x8F\xBF\xBF", 0x10FFFF, 4);
    expect_decode("\x80", 0xFFFD, 1);                /* lone continuation */
    expect_decode("\xFF", 0xFFFD, 1);
    expect_decode("\xC0\x80", 0xFFFD, 1);            /* overlong NUL */
    expect_decode("\xE0\x80\xAF", 0xFFFD, 1);        /* overlong */
    expect_decode("\xED\xA0\x80", 0xFFFD, 1);        /* surrogate */
    expect_decode("\xF4\x90\x80\x80", 0xFFFD, 1);    /* > U+10FFFF */
    expect_decode("\xE4\xB8", 0xFFFD, 1);            /* cut short by the NUL */
    expect_decode("\xE4\xB8Z", 0xFFFD, 1);

    /* a truncated sequence at the very end of an exactly sized buffer: ASan
     * reports any read past the NUL */
    char *buf = malloc(3);
    assert_non_null(buf);
    memcpy(buf, "\xF0\x9F", 3);
    expect_decode(buf, 0xFFFD, 1);
    expect_decode(buf + 1, 0xFFFD, 1);
    expect_decode(buf + 2, 0, 0);
    free(buf);
}

static void test_prohibition_sets(void **state)
{
    (void)state;
    /* ，。、；：？！）》」』】〕〉”’…—·％ and ASCII ,.;:?!)]}% */
    static const unsigned start[] = {0xFF0C, 0x3002, 0x3001, 0xFF1B, 0xFF1A, 0xFF1F, 0xFF01, 0xFF09,
                                     0x300B, 0x300D, 0x300F, 0x3011, 0x3015, 0x3009, 0x201D, 0x2019,
                                     0x2026, 0x2014, 0x00B7, 0xFF05, ',',    '.',    ';',    ':',
                                     '?',    '!',    ')',    ']',    '}',    '%'};
    /* （《「『【〔〈“‘ and ([{ */
    static const unsigned end[] = {0xFF08, 0x300A, 0x300C, 0x300E, 0x3010, 0x3014,
                                   0x3008, 0x201C, 0x2018, '(',    '[',    '{'};
    for (size_t i = 0; i < sizeof start / sizeof start[0]; i++) {
        if (!tl_no_line_start(start[i])) fail_msg("U+%04X should not start a line", start[i]);
        assert_false(tl_no_line_end(start[i]));
    }
    for (size_t i = 0; i < sizeof end / sizeof end[0]; i++) {
        if (!tl_no_line_end(end[i])) fail_msg("U+%04X should not end a line", end[i]);
        assert_false(tl_no_line_start(end[i]));
    }
    static const unsigned free_cp[] = {'A', '1', ' ', '-', '/', 0x4E2D, 0x3000, 0xAC00, 0xFFFD};
    for (size_t i = 0; i < sizeof free_cp / sizeof free_cp[0]; i++) {
        assert_false(tl_no_line_start(free_cp[i]));
        assert_false(tl_no_line_end(free_cp[i]));
    }
}

/* ---- deterministic layouts ----------------------------------------------- */

static void test_pure_chinese(void **state)
{
    (void)state;
    const char *t = "一二三四五六七八九十";
    expect_lines(t, 200, "一二三四五六七八九十", NULL);
    expect_lines(t, 1000, "一二三四五六七八九十", NULL);
    expect_lines(t, 100, "一二三四五", "六七八九十", NULL);
    expect_lines(t, 99, "一二三四", "五六七八", "九十", NULL);
    expect_lines(t, 60, "一二三", "四五六", "七八九", "十", NULL);
    expect_lines(t, 20, "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", NULL);
    /* narrower than one character: one character a line all the same */
    expect_lines("一二三", 5, "一", "二", "三", NULL);
    expect_lines("一二三", 0, "一", "二", "三", NULL);
    /* hangul, kana, supplementary ideographs break the same way */
    expect_lines("一\xF0\xA0\x80\x80\xF0\xA0\x80\x81", 40, "一\xF0\xA0\x80\x80", "\xF0\xA0\x80\x81", NULL);
    expect_lines("一\xE3\x90\x80\xE3\x90\x81", 40, "一\xE3\x90\x80", "\xE3\x90\x81", NULL); /* ext. A */
    expect_lines("한국어かなカナ\xF0\xA0\x80\x80\xF0\xA0\x80\x81", 60, "한국어", "かなカ", "ナ\xF0\xA0\x80\x80\xF0\xA0\x80\x81",
                 NULL);
}

static void test_no_line_start(void **state)
{
    (void)state;
    /* the natural break after 四 would start a line with ，: 四 goes down */
    expect_lines("一二三四，五六", 80, "一二三", "四，五六", NULL);
    /* a chain of closing marks: 。” both go down with 三 */
    expect_lines("一二三。”四五", 60, "一二", "三。”", "四五", NULL);
    expect_lines("他说：“好。”走", 140, "他说：“好。”", "走", NULL);
    expect_lines("他说：“好。”走", 120, "他说：", "“好。”走", NULL);
    expect_lines("他说：“好。”走", 100, "他说：", "“好。”走", NULL);
    /* each prohibited mark */
    static const char *const marks[] = {"，", "。", "、", "；", "：", "？", "！", "）", "》", "」", "』", "】",
                                        "〕", "〉", "”", "’", "…", "—", "·", "％", ",", ".", ";", ":",
                                        "?", "!", ")", "]", "}", "%"};
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++) {
        char text[64], l2[64];
        snprintf(text, sizeof text, "一二三%s四五", marks[i]);
        snprintf(l2, sizeof l2, "三%s四", marks[i]);
        expect_lines(text, 60, "一二", l2, "五", NULL);
    }
}

static void test_hanging_punctuation(void **state)
{
    (void)state;
    /* moving the break back would leave the line empty: the mark hangs */
    expect_lines("中。", 20, "中。", NULL);
    expect_lines("中文。", 20, "中", "文。", NULL);
    expect_lines("中文。”好", 20, "中", "文。”", "好", NULL);
    expect_lines("一，二，三。", 20, "一，", "二，", "三。", NULL);
    /* a line that starts with a mark (after a hard break) keeps it */
    expect_lines("。。。", 20, "。。。", NULL);
}

static void test_no_line_end(void **state)
{
    (void)state;
    /* 「 would end the first line: it moves to the next */
    expect_lines("一二三「四五」", 80, "一二三", "「四五」", NULL);
    expect_lines("一二三（四）", 80, "一二三", "（四）", NULL);
    expect_lines("见《史记》一书", 40, "见", "《史", "记》", "一书", NULL);
    expect_lines("见《史记》一书", 100, "见《史记》", "一书", NULL);
    expect_lines("一二三“四”", 80, "一二三", "“四”", NULL);
    expect_lines("ab (cd)", 40, "ab", "(cd)", NULL);
    /* nothing else fits: bracket and character overflow together */
    expect_lines("「中」", 20, "「中」", NULL);
}

static void test_latin_words_kept(void **state)
{
    (void)state;
    expect_lines("我们的SEO策略", 100, "我们的SEO", "策略", NULL);
    expect_lines("我们的SEO策略", 80, "我们的", "SEO策略", NULL);
    expect_lines("我们的SEO策略", 40, "我们", "的", "SEO", "策略", NULL);
    expect_lines("请访问https://example.com/abc了解", 300, "请访问https://example.com/abc", "了解", NULL);
    /* adapted: the old breaker kept a URL whole, then split it anywhere;
     * UAX #14 breaks it after / (see test_url) */
    expect_lines("请访问https://example.com/abc了解", 250, "请访问https://", "example.com/abc了解", NULL);
    expect_lines("增长了12.5%以上", 100, "增长了", "12.5%以上", NULL);
    expect_lines("增长了12.5%以上", 70, "增长了", "12.5%以", "上", NULL);
    expect_lines("增长了12.5%以上", 50, "增长", "了", "12.5%", "以上", NULL);
    expect_lines("the quick brown fox", 100, "the quick", "brown fox", NULL);
    expect_lines("the quick brown fox", 90, "the quick", "brown fox", NULL);
    expect_lines("the quick brown fox", 80, "the", "quick", "brown", "fox", NULL);
}

static void test_long_word_split(void **state)
{
    (void)state;
    expect_lines("abcdefghijklmnopqrstuvwxyz", 100, "abcdefghij", "klmnopqrst", "uvwxyz", NULL);
    expect_lines("abcdefghijklmnopqrstuvwxyz", 105, "abcdefghij", "klmnopqrst", "uvwxyz", NULL);
    /* adapted: the old breaker let an overlong run fill the current line
     * first; now it is split only as a last resort (CSS overflow-wrap:
     * break-word), when it stands alone on a line and still does not fit */
    expect_lines("中abcdefghijklmnop文", 100, "中", "abcdefghij", "klmnop文", NULL);
    expect_lines("see abcdefghijklmnop", 100, "see", "abcdefghij", "klmnop", NULL);
    /* adapted: the URL breaks after / first; only example.com/ (120 px) is
     * split, and not before its . or / */
    expect_lines("ab https://example.com/abc", 100, "ab", "https://", "example.co", "m/abc", NULL);
    /* closing punctuation inside the long run does not start a line */
    expect_lines("abcdefghi,,jk", 100, "abcdefgh", "i,,jk", NULL);
}

static void test_mixed_sentence(void **state)
{
    (void)state;
    const char *t = "转化率CTR为3.5%，请计算。";
    expect_lines(t, 1000, "转化率CTR为3.5%，请计算。", NULL);
    expect_lines(t, 100, "转化率CTR", "为3.5%，请", "计算。", NULL);
    expect_lines(t, 60, "转化率", "CTR为", "3.5%，", "请计", "算。", NULL);
    for (int w = 40; w <= 400; w++) { /* from 40 on, CTR and 3.5% fit a line */
        result r;
        lay(t, w, &r);
        check_coverage(t, r.l, r.n);
        for (int i = 0; i < r.n; i++) {
            const char *s = t + r.l[i].start;
            assert_false(tl_no_line_start(first_cp(t, &r.l[i])));
            /* CTR and 3.5% are never split */
            assert_false(r.l[i].len >= 1 && (strncmp(s, "TR", 2) == 0 || strncmp(s, "R", 1) == 0));
            assert_false(strncmp(s, ".5%", 3) == 0 || strncmp(s, "5%", 2) == 0 || s[0] == '%');
        }
    }
}

static void test_hard_breaks(void **state)
{
    (void)state;
    expect_lines("", 100, "", NULL);
    expect_lines("\n", 100, "", "", NULL);
    expect_lines("ab\ncd", 100, "ab", "cd", NULL);
    expect_lines("ab\r\ncd", 100, "ab", "cd", NULL);
    expect_lines("ab\n\ncd", 100, "ab", "", "cd", NULL);
    expect_lines("ab\r\n\r\ncd\r\n", 100, "ab", "", "cd", "", NULL);
    expect_lines("ab\n", 100, "ab", "", NULL);
    expect_lines("一二三四\n五", 40, "一二", "三四", "五", NULL);
    /* a lone '\r' (old Mac files) ends a line too */
    expect_lines("ab\rcd", 100, "ab", "cd", NULL);

    result r;
    lay("ab\r\ncd\n", 100, &r);
    assert_int_equal(r.n, 3);
    assert_int_equal(r.l[1].start, 4);
    assert_int_equal(r.l[2].start, 7);
    assert_int_equal(r.l[2].len, 0);
    assert_int_equal(r.l[2].width, 0);
    lay("ab\n\ncd", 100, &r);
    assert_int_equal(r.l[1].start, 3);
    assert_int_equal(r.l[1].len, 0);
    assert_int_equal(r.l[2].start, 4);
    lay("", 100, &r);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.l[0].start, 0);
    assert_int_equal(r.l[0].len, 0);
    assert_int_equal(r.l[0].width, 0);
}

static void test_spaces(void **state)
{
    (void)state;
    result r;
    const char *t = "hello world";
    lay(t, 60, &r);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.l[0].start, 0);
    assert_int_equal(r.l[0].len, 5);
    assert_int_equal(r.l[0].width, 50);
    assert_int_equal(r.l[1].start, 6);
    assert_int_equal(r.l[1].len, 5);

    /* several spaces at a break are dropped on both sides */
    t = "hello    world";
    lay(t, 60, &r);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.l[0].len, 5);
    assert_int_equal(r.l[0].width, 50);
    assert_int_equal(r.l[1].start, 9);
    /* the break is at the spaces even if they alone would overflow */
    expect_lines("hello    world", 50, "hello", "world", NULL);
    /* inner spaces stay and count */
    expect_lines("a b c d", 50, "a b c", "d", NULL);
    /* trailing spaces are not part of the line, before '\n' or the end */
    lay("abc   \ndef  ", 100, &r);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.l[0].len, 3);
    assert_int_equal(r.l[0].width, 30);
    assert_int_equal(r.l[1].start, 7);
    assert_int_equal(r.l[1].len, 3);
    lay("   ", 100, &r);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.l[0].len, 0);
    assert_int_equal(r.l[0].width, 0);
    /* indentation at the start of a paragraph is kept */
    expect_lines("  ab\n  cd", 100, "  ab", "  cd", NULL);
    /* spaces between Chinese words */
    expect_lines("中文 测试 一下", 80, "中文 测", "试 一下", NULL);
    expect_lines("中文 测试 一下", 60, "中文", "测试", "一下", NULL);
    /* no break at a no-break space, nor around it */
    expect_lines("中\xC2\xA0文字", 40, "中\xC2\xA0文", "字", NULL);
    /* a combining mark stays with its letter */
    expect_lines("\xE4\xB8\xAD\xCC\x81\xE6\x96\x87", 20, "\xE4\xB8\xAD\xCC\x81", "\xE6\x96\x87", NULL);
    /* a space before a closing mark is not a break */
    expect_lines("abc def ,gh", 70, "abc", "def ,gh", NULL);
}

/* Width of line LN without the closing marks at its end (which may hang). */
static int body_width(const char *text, const tl_line *ln)
{
    int e = ln->start + ln->len;
    for (;;) {
        int s = e;
        while (s > ln->start && ((unsigned char)text[s - 1] & 0xC0) == 0x80) s--;
        if (s <= ln->start) break;
        unsigned cp;
        tl_decode(text + s - 1, &cp);
        if (!tl_no_line_start(cp)) break;
        e = s - 1;
    }
    return plain_width(text + ln->start, e - ln->start);
}

static void test_widths(void **state)
{
    (void)state;
    const char *t = "资料显示，2023年全国GDP增长5.2%（初步核算），其中第三产业增加值为688238亿元。 See https://example.com/abc for details.";
    for (int w = 60; w <= 600; w += 7) { /* the widest unit, 算），, is 60 */
        result r;
        lay(t, w, &r);
        check_coverage(t, r.l, r.n);
        for (int i = 0; i < r.n; i++) {
            assert_int_equal(r.l[i].width, plain_width(t + r.l[i].start, r.l[i].len));
            /* adapted: "details." hangs its full stop past the width (the old
             * breaker split the word: "detail" / "s.") */
            if (r.l[i].width > w && body_width(t, &r.l[i]) > w)
                fail_msg("width %d: line %d \"%.*s\" is %d px", w, i, r.l[i].len, t + r.l[i].start, r.l[i].width);
        }
    }
}

static void test_max_smaller(void **state)
{
    (void)state;
    const char *t = "一二三四五六七八九十";
    tl_line l[4];
    memset(l, 0x5A, sizeof l);
    int n = tl_break(t, 20, fake_measure, NULL, l, 3);
    assert_int_equal(n, 10);
    assert_int_equal(l[2].start, 6);
    assert_int_equal(l[2].len, 3);
    assert_int_equal(l[2].width, 20);
    /* the fourth entry is untouched */
    assert_int_equal(l[3].start, 0x5A5A5A5A);
    assert_int_equal(l[3].len, 0x5A5A5A5A);
    /* count only */
    assert_int_equal(tl_break(t, 20, fake_measure, NULL, NULL, 0), 10);
    memset(l, 0x5A, sizeof l);
    assert_int_equal(tl_break(t, 100, fake_measure, NULL, l, 0), 2);
    assert_int_equal(l[0].start, 0x5A5A5A5A);
    /* the count matches a call with room enough */
    result r;
    lay(t, 60, &r);
    assert_int_equal(tl_break(t, 60, fake_measure, NULL, l, 1), r.n);
    assert_int_equal(l[0].len, r.l[0].len);
}

static void test_invalid_utf8(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "\xFF\xFE\xE4\xB8\xAD\xE4\xB8",
        "\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80",
        "\xE4\xB8\xAD\xC0\xAF\xED\xA0\x80\xF4\x90\x80\x80\xE6\x96\x87",
        "abc\xE4\xB8\n\xE4\xB8\xAD" "def\xF0\x9F",
        "\xE3\x80\x82\xE3\x80\x82\xC3",
        "\xEF\xBC\x88\xF0",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t len = strlen(bad[i]);
        char *t = malloc(len + 1); /* exact size: ASan catches reads past the NUL */
        assert_non_null(t);
        memcpy(t, bad[i], len + 1);
        for (int w = 0; w <= 80; w += 5) {
            tl_line l[64];
            int n = tl_break(t, w, fake_measure, NULL, l, 64);
            assert_true(n >= 1 && n <= 64);
            check_coverage(t, l, n);
            for (int k = 0; k < n; k++) assert_true(l[k].start + l[k].len <= (int)len);
        }
        free(t);
    }
    /* decoding invalid bytes as U+FFFD never swallows a '\n' */
    expect_lines("\xE4\xB8\nab", 100, "\xE4\xB8", "ab", NULL);
}

/* ---- non-additive measuring ---------------------------------------------- */

static void test_non_additive_measure(void **state)
{
    (void)state;
    const char *t = "一二三四五六七八九十";
    /* padding per call: the sum of pieces overestimates the line */
    meter m = {0, 0, 7, 0};
    tl_line l[16];
    int n = tl_break(t, 107, fake_measure, &m, l, 16);
    assert_int_equal(n, 2);
    assert_int_equal(l[0].len, 15);
    assert_int_equal(l[0].width, 107);
    assert_int_equal(l[1].width, 107);

    /* kerning: the sum of pieces underestimates the line */
    meter k = {0, 0, 0, 15};
    n = tl_break(t, 45, fake_measure, &k, l, 16);
    assert_int_equal(n, 4);
    assert_int_equal(l[0].len, 9);
    assert_int_equal(l[0].width, 45);
    assert_int_equal(l[3].len, 3);
    assert_int_equal(l[3].width, 5);

    /* far more candidates than the walker keeps: searched back all the same */
    char big[600 * 3 + 1];
    for (int i = 0; i < 600; i++) memcpy(big + 3 * i, "中", 3);
    big[600 * 3] = '\0';
    meter k2 = {0, 0, 0, 19};
    tl_line bl[64];
    n = tl_break(big, 300, fake_measure, &k2, bl, 64);
    assert_int_equal(n, 40);
    for (int i = 0; i < n; i++) {
        assert_int_equal(bl[i].len, 45);
        assert_int_equal(bl[i].width, 281);
    }
}

/* ---- UAX #14 through ICU: amounts, URLs, SKUs, hyphens -------------------- */

/* Does any soft break of TEXT at WIDTH leave a currency sign at a line end
 * with the digit on the next line? */
static void check_currency_kept(const char *text, int width)
{
    static const char *const signs[] = {"￥", "$", "¥", "＄", "€", "£"};
    result r;
    lay(text, width, &r);
    check_coverage(text, r.l, r.n);
    for (int i = 0; i + 1 < r.n; i++) {
        const tl_line *a = &r.l[i], *b = &r.l[i + 1];
        unsigned next = first_cp(text, b);
        if (!((next >= '0' && next <= '9') || (next >= 0xFF10 && next <= 0xFF19))) continue;
        for (size_t k = 0; k < sizeof signs / sizeof signs[0]; k++) {
            int sl = (int)strlen(signs[k]);
            if (a->len >= sl && memcmp(text + a->start + a->len - sl, signs[k], (size_t)sl) == 0)
                fail_msg("width %d: \"%.*s\" | \"%.*s\" separates %s from its amount", width, a->len,
                         text + a->start, b->len, text + b->start, signs[k]);
        }
    }
}

static void test_currency(void **state)
{
    (void)state;
    /* the bug of issue 8: "客单价为￥" / "128.50元" with room left */
    const char *t = "客单价为￥128.50元";
    expect_lines(t, 100, "客单价为", "￥128.50元", NULL);
    expect_lines(t, 159, "客单价为", "￥128.50元", NULL);
    expect_lines(t, 160, "客单价为￥128.50", "元", NULL);
    expect_lines(t, 180, "客单价为￥128.50元", NULL);
    expect_lines("价格$5元", 40, "价格", "$5元", NULL);
    expect_lines("价格$5元", 60, "价格$5", "元", NULL);
    expect_lines("售价¥99，原价＄120。", 110, "售价¥99，", "原价＄120。", NULL);
    expect_lines("售价¥99，原价＄120。", 100, "售价¥99，", "原价", "＄120。", NULL);
    /* at every width, even where the amount alone is wider than the line
     * and has to be split, the sign keeps its first digit */
    static const char *const texts[] = {
        "客单价为￥128.50元", "价格$5元", "总价￥1,234.56，优惠后$99.9", "售价¥99，原价＄120。",
        "收入€3000与支出£250", "￥１２８元（全角数字）", "a$5 b$6 c$7 d$8",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        for (int w = 0; w <= 400; w++) check_currency_kept(texts[i], w);
}

/* Every line of TEXT at WIDTH but the last ends with one of the characters
 * of AFTER. */
static void check_breaks_after(const char *text, int width, const char *after)
{
    result r;
    lay(text, width, &r);
    check_coverage(text, r.l, r.n);
    for (int i = 0; i + 1 < r.n; i++) {
        const tl_line *ln = &r.l[i];
        assert_true(ln->len > 0);
        char last = text[ln->start + ln->len - 1];
        if (!strchr(after, last))
            fail_msg("width %d: line %d \"%.*s\" ends inside a word", width, i, ln->len, text + ln->start);
    }
}

static void test_url(void **state)
{
    (void)state;
    const char *url = "https://shop.example.com/item?id=12345-abc";
    /* widest piece: shop.example.com/ (170 px) */
    for (int w = 170; w <= 500; w++) check_breaks_after(url, w, "/-?");
    expect_lines(url, 170, "https://", "shop.example.com/", "item?id=12345-abc", NULL);
    expect_lines(url, 250, "https://shop.example.com/", "item?id=12345-abc", NULL);
    expect_lines(url, 300, "https://shop.example.com/item?", "id=12345-abc", NULL);
    expect_lines(url, 400, "https://shop.example.com/item?id=12345-", "abc", NULL);
    expect_lines(url, 420, url, NULL);
    /* in a Chinese sentence the URL breaks the same way */
    expect_lines("请访问https://shop.example.com/item?id=12345-abc下单", 200, "请访问https://", "shop.example.com/",
                 "item?id=12345-abc下", "单", NULL);
    /* narrower than its widest piece: that piece alone is split, and never
     * before its . or / */
    result r;
    lay(url, 100, &r);
    check_coverage(url, r.l, r.n);
    for (int i = 0; i < r.n; i++) {
        assert_true(r.l[i].width <= 100);
        if (i > 0) assert_false(url[r.l[i].start] == '.' || url[r.l[i].start] == '/');
    }
}

static void test_sku(void **state)
{
    (void)state;
    /* no break after ABC- (a hyphen before digits belongs to them) */
    for (int w = 80; w <= 200; w++) check_breaks_after("ABC-123-XYZ", w, "-");
    expect_lines("ABC-123-XYZ", 80, "ABC-123-", "XYZ", NULL);
    expect_lines("ABC-123-XYZ", 110, "ABC-123-XYZ", NULL);
    expect_lines("商品编号ABC-123-XYZ已下架", 120, "商品编号", "ABC-123-XYZ", "已下架", NULL);
    expect_lines("商品编号ABC-123-XYZ已下架", 160, "商品编号ABC-123-", "XYZ已下架", NULL);
    expect_lines("商品编号ABC-123-XYZ已下架", 190, "商品编号ABC-123-XYZ", "已下架", NULL);
    expect_lines("SKU: 8806-A12/B", 90, "SKU:", "8806-A12/", "B", NULL);
    expect_lines("SKU: 8806-A12/B", 100, "SKU: 8806-", "A12/B", NULL);
}

static void test_hyphenated(void **state)
{
    (void)state;
    const char *t = "a well-known state-of-the-art design";
    expect_lines(t, 60, "a", "well-", "known", "state-", "of-", "the-", "art", "design", NULL);
    expect_lines(t, 130, "a well-known", "state-of-the-", "art design", NULL);
    expect_lines("e-commerce", 80, "e-", "commerce", NULL);
    expect_lines("跨境e-commerce平台", 100, "跨境e-", "commerce平", "台", NULL);
    /* a line ends only at a space or after a hyphen, at every width that
     * fits the longest piece ("design", "state-") */
    result r;
    for (int w = 60; w <= 400; w++) {
        lay(t, w, &r);
        check_coverage(t, r.l, r.n);
        for (int i = 0; i + 1 < r.n; i++) {
            int e = r.l[i].start + r.l[i].len;
            assert_true(t[e] == ' ' || t[e - 1] == '-');
            assert_true(r.l[i].width <= w);
        }
    }
}

/* ---- the line-breaking rules of FORMAT.md §1, rule by rule ---------------------------------------------- */

static const char *const SPEC_CLOSE[] = {"，", "。", "、", "；", "：", "？", "！", "）", "》", "」", "』"};
static const char *const SPEC_OPEN[] = {"（", "《", "「", "『"};

static int starts_with_any(const char *s, const char *const *set, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strncmp(s, set[i], strlen(set[i])) == 0) return 1;
    return 0;
}

static int ends_with_any(const char *text, const tl_line *ln, const char *const *set, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int l = (int)strlen(set[i]);
        if (ln->len >= l && memcmp(text + ln->start + ln->len - l, set[i], (size_t)l) == 0) return 1;
    }
    return 0;
}

static void test_spec_6_2(void **state)
{
    (void)state;
    const char *base = "一二三四五六七八九十甲乙丙丁";
    char text[256];
    result r;
    /* each mark at each position of a Chinese line, at every width */
    for (size_t m = 0; m < N_OF(SPEC_CLOSE) + N_OF(SPEC_OPEN); m++) {
        const char *mark = m < N_OF(SPEC_CLOSE) ? SPEC_CLOSE[m] : SPEC_OPEN[m - N_OF(SPEC_CLOSE)];
        for (int at = 1; at < 14; at++) {
            snprintf(text, sizeof text, "%.*s%s%s", 3 * at, base, mark, base + 3 * at);
            for (int w = 20; w <= 300; w += 10) {
                lay(text, w, &r);
                check_coverage(text, r.l, r.n);
                for (int i = 0; i < r.n; i++) {
                    if (i > 0 && starts_with_any(text + r.l[i].start, SPEC_CLOSE, N_OF(SPEC_CLOSE)))
                        fail_msg("\"%s\" at %d: line %d starts with a closing mark", text, w, i);
                    if (i + 1 < r.n && ends_with_any(text, &r.l[i], SPEC_OPEN, N_OF(SPEC_OPEN)))
                        fail_msg("\"%s\" at %d: line %d ends with an opening mark", text, w, i);
                    /* at most the mark and its character go past the width */
                    if (r.l[i].width > w) assert_true(r.l[i].width - 20 <= w);
                }
            }
        }
    }
    /* a line that would start with the mark takes the character before it */
    expect_lines("一二三四，五六", 80, "一二三", "四，五六", NULL);
    expect_lines("一二三（四五", 80, "一二三", "（四五", NULL);
    expect_lines("一二三四》五六", 80, "一二三", "四》五六", NULL);
    expect_lines("一二三「四五", 80, "一二三", "「四五", NULL);
    /* beyond the §6.2 list, the sets of tl_no_line_start / tl_no_line_end are
     * enforced where ICU alone would break: · — ﹑ */
    expect_lines("一二三·四五", 60, "一二", "三·四", "五", NULL);
    expect_lines("一二三——四五", 80, "一二", "三——四", "五", NULL);
    expect_lines("一二三\xEF\xB9\x91四五", 60, "一二", "三\xEF\xB9\x91四", "五", NULL);
}

static void test_other_hard_breaks(void **state)
{
    (void)state;
    /* ICU's other mandatory breaks end a line too, without their separator */
    expect_lines("ab\xE2\x80\xA8" "cd", 100, "ab", "cd", NULL);  /* U+2028 */
    expect_lines("ab\xE2\x80\xA9" "cd", 100, "ab", "cd", NULL);  /* U+2029 */
    expect_lines("ab\xC2\x85" "cd", 100, "ab", "cd", NULL);      /* NEL */
    expect_lines("ab\fcd", 100, "ab", "cd", NULL);
    expect_lines("ab  \xE2\x80\xA8  cd", 100, "ab", "  cd", NULL);
}

static void test_shutdown(void **state)
{
    (void)state;
    result r;
    lay("客单价为￥128.50元", 100, &r);
    tl_shutdown();
    tl_shutdown(); /* twice is harmless */
    /* the iterators come back on the next call */
    expect_lines("客单价为￥128.50元", 100, "客单价为", "￥128.50元", NULL);
}

/* ---- real exam text -------------------------------------------------------- */

/* Appends the fields of the CSV files of exam-packs/samples (stems, options,
 * explanations: real Chinese exam text) with a non-ASCII byte to LINES. */
static int load_samples(char **lines, int max, char **keep)
{
    glob_t g;
    if (glob("../../exam-packs/samples/*.csv", 0, NULL, &g) != 0) return 0;
    size_t cap = 1 << 20, used = 0;
    char *buf = malloc(cap);
    assert_non_null(buf);
    int n = 0;
    for (size_t f = 0; f < g.gl_pathc; f++) {
        FILE *fp = fopen(g.gl_pathv[f], "r");
        if (!fp) continue;
        char line[8192];
        while (fgets(line, sizeof line, fp)) {
            line[strcspn(line, "\r\n")] = '\0';
            /* fields at ASCII commas (the sample banks quote no Chinese text) */
            for (char *field = line, *next; field; field = next) {
                next = strchr(field, ',');
                if (next) *next++ = '\0';
                if (*field == '"') field++;
                size_t fl = strlen(field);
                if (fl && field[fl - 1] == '"') field[--fl] = '\0';
                int wide = 0;
                for (size_t k = 0; k < fl; k++) wide |= (unsigned char)field[k] >= 0x80;
                if (!wide || n >= max || used + fl + 1 > cap) continue;
                memcpy(buf + used, field, fl + 1);
                lines[n++] = buf + used;
                used += fl + 1;
            }
        }
        fclose(fp);
    }
    globfree(&g);
    *keep = buf;
    return n;
}

static int is_ideograph(unsigned cp)
{
    return cp >= 0x4E00 && cp <= 0x9FFF;
}

/* Start of the unit of the corpus's word check that ends at E. */
static int back_unit(const char *text, int e)
{
    int s = e;
    while (s > 0 && (unsigned char)text[s - 1] > ' ') {
        int k = s - 1;
        while (k > 0 && ((unsigned char)text[k] & 0xC0) == 0x80) k--;
        unsigned cp;
        tl_decode(text + k, &cp);
        s = k;
        if (is_ideograph(cp)) break;
    }
    return s;
}

/* The rules on one layout of real text. */
static void check_corpus_layout(const char *text, int w, long *lines_out, long *split_words)
{
    static tl_line l[4096];
    int n = tl_break(text, w, fake_measure, NULL, l, 4096);
    assert_true(n >= 1 && n <= 4096);
    check_coverage(text, l, n);
    for (int i = 0; i < n; i++) {
        const tl_line *ln = &l[i];
        if (i > 0 && tl_no_line_start(first_cp(text, ln)))
            fail_msg("width %d: line %d starts with U+%04X: \"%.*s\"", w, i, first_cp(text, ln), ln->len,
                     text + ln->start);
        if (i + 1 < n && tl_no_line_end(last_cp(text, ln)))
            fail_msg("width %d: line %d ends with U+%04X: \"%.*s\"", w, i, last_cp(text, ln), ln->len,
                     text + ln->start);
        if (i + 1 < n) {
            unsigned a = last_cp(text, ln), b = first_cp(text, &l[i + 1]);
            int digit = (b >= '0' && b <= '9') || (b >= 0xFF10 && b <= 0xFF19);
            if (digit && (a == '$' || a == 0xFFE5 || a == 0xA5 || a == 0xFF04))
                fail_msg("width %d: line %d \"%.*s\" parts U+%04X from its amount", w, i, ln->len, text + ln->start,
                         a);
            /* a Latin word or number is split only when the unit around it
             * is wider than the line: the last resort. The unit is taken
             * generously: every non-space character but Han ideographs, and
             * one ideograph on either side (中% is one unit) */
            int e = ln->start + ln->len;
            if (l[i + 1].start == e && e > 0 && isalnum((unsigned char)text[e - 1]) &&
                isalnum((unsigned char)text[e])) {
                int s = back_unit(text, e), t = e;
                for (unsigned cp; (unsigned char)text[t] > ' ';) {
                    int k = tl_decode(text + t, &cp);
                    t += k;
                    if (is_ideograph(cp)) break;
                }
                if (plain_width(text + s, t - s) <= w)
                    fail_msg("width %d: \"%.*s\" split although it fits a line: \"%.*s\" | \"%.*s\"", w, t - s,
                             text + s, ln->len, text + ln->start, l[i + 1].len, text + l[i + 1].start);
                (*split_words)++;
            }
        }
        if (ln->width > w && body_width(text, ln) > w) {
            /* otherwise the line is one character wider than the line, with
             * the opening marks before it and the closing marks after it
             * that kinsoku keeps with it */
            int k = ln->start, e = ln->start + ln->len;
            unsigned cp;
            while (k < e && (tl_decode(text + k, &cp), tl_no_line_end(cp))) k += tl_decode(text + k, NULL);
            int one = k + tl_decode(text + k, NULL);
            if (body_width(text, &(tl_line){one, e - one, 0}) > 0)
                fail_msg("width %d: line %d \"%.*s\" overflows (%d px)", w, i, ln->len, text + ln->start, ln->width);
        }
    }
    *lines_out += n;
}

static void test_corpus(void **state)
{
    (void)state;
    static char *fields[8192];
    char *keep = NULL;
    int nf = load_samples(fields, 8192, &keep);
    if (nf < 100) fail_msg("only %d fields of Chinese text in ../../exam-packs/samples (run from tests/unit)", nf);
    static const int widths[] = {20, 40, 60, 100, 130, 160, 230, 300, 470, 800, 1100};
    long lines = 0, split = 0;
    size_t total = 0;
    for (int i = 0; i < nf; i++) {
        total += strlen(fields[i]);
        for (size_t k = 0; k < N_OF(widths); k++) check_corpus_layout(fields[i], widths[k], &lines, &split);
    }
    /* and all of it as a few long paragraphs */
    char *all = malloc(total + (size_t)nf + 1);
    assert_non_null(all);
    size_t at = 0;
    for (int i = 0; i < nf; i++) {
        size_t fl = strlen(fields[i]);
        memcpy(all + at, fields[i], fl);
        at += fl;
        all[at++] = (i % 50 == 49) ? '\n' : ' ';
    }
    all[at] = '\0';
    for (int w = 200; w <= 2000; w += 150) check_corpus_layout(all, w, &lines, &split);
    print_message("    %d fields (%zu bytes) of sample banks: %ld lines, %ld last-resort word splits\n", nf, total,
                  lines, split);
    free(all);
    free(keep);
}

/* ---- random texts: the rules hold for every line ------------------------- */

static uint32_t rng_state;

static uint32_t rnd(uint32_t n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state % n;
}

static const char *const HAN[] = {"的", "一", "是", "在", "不", "了", "有", "和", "人", "这", "中", "大",
                                  "为", "上", "个", "国", "我", "以", "要", "他", "时", "来", "用", "们"};
static const char *const CLOSE[] = {"，", "。", "、", "；", "：", "？", "！", "）", "》", "」", "』", "】", "”", "’", "…", "％"};
static const char *const OPEN[] = {"（", "《", "「", "『", "【", "“", "‘"};
static const char *const LATIN[] = {"SEO", "CTR", "12.5%", "https://example.com/abc", "ROI", "3.14", "A"};


static int is_han_at(const char *s)
{
    for (size_t i = 0; i < N_OF(HAN); i++)
        if (strncmp(s, HAN[i], 3) == 0) return 1;
    return 0;
}

/* Random Chinese with punctuation, Latin words, spaces and hard breaks.
 * Every unbreakable unit is at most 320 px wide. */
static void random_text(char *out, size_t cap)
{
    size_t n = 0;
    int items = 1 + (int)rnd(120);
    int closes = 0;
    out[0] = '\0';
    for (int i = 0; i < items && n + 64 < cap; i++) {
        uint32_t r = rnd(100);
        const char *piece;
        if (r < 55) {
            piece = HAN[rnd(N_OF(HAN))];
            closes = 0;
        } else if (r < 75) {
            if (closes >= 2) continue;
            piece = CLOSE[rnd(N_OF(CLOSE))];
            closes++;
        } else if (r < 83) {
            /* an opening mark is followed by a character */
            n += (size_t)snprintf(out + n, cap - n, "%s", OPEN[rnd(N_OF(OPEN))]);
            piece = HAN[rnd(N_OF(HAN))];
            closes = 0;
        } else if (r < 92) {
            /* after a closing mark, a space: "…SEO" would be one run */
            piece = LATIN[rnd(N_OF(LATIN))];
            n += (size_t)snprintf(out + n, cap - n, "%s%s", closes ? " " : "", piece);
            piece = rnd(2) ? " " : HAN[rnd(N_OF(HAN))];
            closes = 0;
        } else if (r < 97) {
            piece = rnd(3) ? " " : "   ";
        } else {
            piece = rnd(4) ? "\n" : "\r\n";
            closes = 0;
        }
        n += (size_t)snprintf(out + n, cap - n, "%s", piece);
    }
}

static void test_random_rules(void **state)
{
    (void)state;
    rng_state = 0x9E3779B9u;
    static char text[4096];
    static tl_line l[MAXL];
    int hung = 0;
    for (int iter = 0; iter < 3000; iter++) {
        random_text(text, sizeof text);
        int W = 60 + (int)rnd(500);
        int n = tl_break(text, W, fake_measure, NULL, l, MAXL);
        assert_true(n >= 1 && n <= MAXL);
        check_coverage(text, l, n);
        for (int i = 0; i < n; i++) {
            const tl_line *ln = &l[i];
            int para_start = i == 0;
            int para_end = i == n - 1;
            for (int k = (i > 0 ? l[i - 1].start + l[i - 1].len : 0); k < ln->start; k++)
                if (text[k] == '\n' || text[k] == '\r') para_start = 1;
            if (i + 1 < n)
                for (int k = ln->start + ln->len; k < l[i + 1].start; k++)
                    if (text[k] == '\n' || text[k] == '\r') para_end = 1;
            assert_int_equal(ln->width, plain_width(text + ln->start, ln->len));
            if (!para_start && tl_no_line_start(first_cp(text, ln)))
                fail_msg("iter %d width %d: line %d starts with U+%04X: \"%.*s\"", iter, W, i, first_cp(text, ln),
                         ln->len, text + ln->start);
            if (!para_end && tl_no_line_end(last_cp(text, ln)))
                fail_msg("iter %d width %d: line %d ends with U+%04X: \"%.*s\"", iter, W, i, last_cp(text, ln),
                         ln->len, text + ln->start);
            if (ln->width > W) {
                hung++;
                /* only when no break between two plain characters fitted */
                int w = 0;
                for (int k = ln->start; k < ln->start + ln->len;) {
                    unsigned cp;
                    int len = tl_decode(text + k, &cp);
                    w += plain_width(text + k, len);
                    k += len;
                    if (k < ln->start + ln->len && is_han_at(text + k - len) && is_han_at(text + k) && w <= W)
                        fail_msg("iter %d: line %d overflows (%d > %d) but could break at byte %d", iter, i,
                                 ln->width, W, k);
                }
                if (W >= 320)
                    fail_msg("iter %d: line %d \"%.*s\" overflows %d although every unit fits", iter, i, ln->len,
                             text + ln->start, W);
            }
            /* greedy: if the next line starts with two plain characters
             * right after this one, the first of them did not fit here */
            if (!para_end && i + 1 < n && l[i + 1].start == ln->start + ln->len &&
                is_han_at(text + l[i + 1].start) && l[i + 1].len >= 6 && is_han_at(text + l[i + 1].start + 3))
                if (ln->width + 20 <= W)
                    fail_msg("iter %d width %d: line %d \"%.*s\" could take one more character", iter, W, i,
                             ln->len, text + ln->start);
        }
    }
    print_message("    %d overflowing lines (hanging punctuation)\n", hung);
}

/* ---- efficiency ---------------------------------------------------------- */

static char *make_stem(int chars)
{
    /* 2,000 characters: Chinese sentences with punctuation, numbers, words */
    static const char *const parts[] = {"某", "企", "业", "年", "度", "营", "业", "收", "入", "为", "，",
                                        "同", "比", "增", "长", "12.5%", "。", "请", "根", "据", "“",
                                        "材", "料", "”", "计", "算", "ROI", "（", "保", "留", "）", "；"};
    size_t cap = (size_t)chars * 8 + 1, n = 0;
    char *s = malloc(cap);
    assert_non_null(s);
    int count = 0;
    for (int i = 0; count < chars; i++) {
        const char *p = parts[i % (int)N_OF(parts)];
        size_t pl = strlen(p);
        memcpy(s + n, p, pl);
        n += pl;
        count += (unsigned char)p[0] < 0x80 ? (int)pl : 1;
    }
    s[n] = '\0';
    return s;
}

static void test_measure_calls_linear(void **state)
{
    (void)state;
    char *stem = make_stem(2000);
    int len = (int)strlen(stem);
    meter m = {0, 0, 0, 0};
    int n = tl_break(stem, 800, fake_measure, &m, NULL, 0);
    assert_true(n > 40 && n < 80);
    print_message("    %d lines, %ld measure calls, %ld bytes measured (text %d bytes)\n", n, m.calls, m.bytes, len);
    assert_true(m.calls <= 2 * 2000 + 4 * n);
    assert_true(m.bytes <= 5L * len);

    /* one 20,000-character word: still linear */
    char *word = malloc(20001);
    assert_non_null(word);
    for (int i = 0; i < 20000; i++) word[i] = (char)('a' + i % 26);
    word[20000] = '\0';
    meter mw = {0, 0, 0, 0};
    n = tl_break(word, 800, fake_measure, &mw, NULL, 0);
    assert_int_equal(n, 250);
    assert_true(mw.bytes <= 5L * 20000);
    free(word);
    free(stem);
}

/* 1,000 layouts take well under 100 ms in an optimised build; the bound is
 * generous for a loaded machine, and wider still when the code is not
 * optimised or runs under AddressSanitizer (make asan), where every call
 * and memory access costs several times more. test_measure_calls_linear
 * checks the amount of work exactly, in every build. */
#if defined(__SANITIZE_ADDRESS__) || !defined(__OPTIMIZE__)
#define SPEED_BOUND_MS 3000.0
#else
#define SPEED_BOUND_MS 500.0
#endif

static void test_speed(void **state)
{
    (void)state;
    char *stem = make_stem(2000);
    tl_line l[128];
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    int n = 0;
    for (int i = 0; i < 1000; i++) n += tl_break(stem, 800, fake_measure, NULL, l, 128);
    clock_gettime(CLOCK_MONOTONIC, &b);
    double ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
    free(stem);
    print_message("    1000 layouts of a 2000-character stem: %.1f ms (bound %.0f ms)\n", ms, SPEED_BOUND_MS);
    assert_true(n > 0);
    assert_true(ms < SPEED_BOUND_MS);
}

/* Frees the ICU iterators, so that LeakSanitizer (make asan) sees nothing. */
static int teardown(void **state)
{
    (void)state;
    tl_shutdown();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode),
        cmocka_unit_test(test_prohibition_sets),
        cmocka_unit_test(test_pure_chinese),
        cmocka_unit_test(test_no_line_start),
        cmocka_unit_test(test_hanging_punctuation),
        cmocka_unit_test(test_no_line_end),
        cmocka_unit_test(test_latin_words_kept),
        cmocka_unit_test(test_long_word_split),
        cmocka_unit_test(test_mixed_sentence),
        cmocka_unit_test(test_hard_breaks),
        cmocka_unit_test(test_spaces),
        cmocka_unit_test(test_widths),
        cmocka_unit_test(test_max_smaller),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_non_additive_measure),
        cmocka_unit_test(test_currency),
        cmocka_unit_test(test_url),
        cmocka_unit_test(test_sku),
        cmocka_unit_test(test_hyphenated),
        cmocka_unit_test(test_spec_6_2),
        cmocka_unit_test(test_other_hard_breaks),
        cmocka_unit_test(test_shutdown),
        cmocka_unit_test(test_corpus),
        cmocka_unit_test(test_random_rules),
        cmocka_unit_test(test_measure_calls_linear),
        cmocka_unit_test(test_speed),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
