/* Unit tests for core/text.c: trimming (all Unicode white space, ZWSP, BOM),
 * width folding, exact decimals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/text.h"

#define IDSP "\xE3\x80\x80" /* U+3000 ideographic space */

static void check_trim(const char *in, const char *want)
{
    char *got = text_trim(in);
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

static void check_fold(const char *in, int lower, const char *want)
{
    char *got = text_fold(in, lower);
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

static void check_decimal(const char *in, int64_t want)
{
    int64_t v = 0x5A5A5A5A;
    if (text_decimal(in, &v) != 0) fail_msg("text_decimal rejected \"%s\"", in);
    assert_int_equal(v, want);
}

static void check_decimal_bad(const char *in)
{
    int64_t v = 0;
    if (text_decimal(in, &v) != -1) fail_msg("text_decimal accepted \"%s\" as %lld", in, (long long)v);
}

static void check_points(const char *in, int want)
{
    int t = -999;
    if (text_points(in, &t) != 0) fail_msg("text_points rejected \"%s\"", in);
    assert_int_equal(t, want);
}

static void check_points_bad(const char *in)
{
    int t = -999;
    if (text_points(in, &t) != -1) fail_msg("text_points accepted \"%s\" as %d tenths", in, t);
}

static void test_trim_ascii(void **state)
{
    (void)state;
    check_trim("abc", "abc");
    check_trim("  abc  ", "abc");
    check_trim("\t\r\n abc\v\f \n", "abc");
    check_trim("  a b\tc  ", "a b\tc");
    check_trim("", "");
    check_trim("   ", "");
    check_trim(" \t\r\n", "");
    check_trim("x", "x");
    check_trim(" x", "x");
    check_trim("x ", "x");
}

static void test_trim_ideographic(void **state)
{
    (void)state;
    check_trim(IDSP "abc" IDSP, "abc");
    check_trim(IDSP IDSP " \t" IDSP "你好" IDSP " " IDSP, "你好");
    check_trim(" 张" IDSP "三 ", "张" IDSP "三"); /* inner U+3000 kept */
    check_trim(IDSP, "");
    check_trim(IDSP " " IDSP, "");
    /* multi-byte characters at either end are kept whole */
    check_trim("好" IDSP, "好");
    check_trim(IDSP "😀", "😀");
    check_trim("  ＡＢ  ", "ＡＢ");
    /* U+3001 (E3 80 81) looks like U+3000 but is punctuation, not space */
    check_trim("\xE3\x80\x81" "a" "\xE3\x80\x81", "\xE3\x80\x81" "a" "\xE3\x80\x81");
    /* U+2000 (E2 80 80, en quad) is White_Space: trimmed (it was kept before
     * text_trim knew all of Unicode's white space) */
    check_trim("\xE2\x80\x80" "a", "a");
}

#define NBSP "\xC2\xA0"     /* U+00A0 */
#define ZWSP "\xE2\x80\x8B" /* U+200B */
#define BOM "\xEF\xBB\xBF"  /* U+FEFF */

/* Every character text_trim removes, as UTF-8, with its code point. */
static const struct { unsigned cp; const char *utf8; } TRIMMED[] = {
    {0x0009, "\t"},           {0x000A, "\n"},           {0x000B, "\v"},
    {0x000C, "\f"},           {0x000D, "\r"},           {0x0020, " "},
    {0x0085, "\xC2\x85"},     {0x00A0, NBSP},           {0x1680, "\xE1\x9A\x80"},
    {0x2000, "\xE2\x80\x80"}, {0x2001, "\xE2\x80\x81"}, {0x2002, "\xE2\x80\x82"},
    {0x2003, "\xE2\x80\x83"}, {0x2004, "\xE2\x80\x84"}, {0x2005, "\xE2\x80\x85"},
    {0x2006, "\xE2\x80\x86"}, {0x2007, "\xE2\x80\x87"}, {0x2008, "\xE2\x80\x88"},
    {0x2009, "\xE2\x80\x89"}, {0x200A, "\xE2\x80\x8A"}, {0x200B, ZWSP},
    {0x2028, "\xE2\x80\xA8"}, {0x2029, "\xE2\x80\xA9"}, {0x202F, "\xE2\x80\xAF"},
    {0x205F, "\xE2\x81\x9F"}, {0x3000, IDSP},           {0xFEFF, BOM},
};

static void test_trim_unicode_space(void **state)
{
    (void)state;
    size_t nt = sizeof TRIMMED / sizeof TRIMMED[0];
    for (size_t i = 0; i < nt; i++) {
        const char *sp = TRIMMED[i].utf8;
        char in[64], inner[64];
        assert_int_equal(text_space_len(sp), strlen(sp));
        snprintf(in, sizeof in, "%s淘宝%s", sp, sp);
        char *got = text_trim(in);
        assert_non_null(got);
        if (strcmp(got, "淘宝") != 0) fail_msg("U+%04X not trimmed: \"%s\"", TRIMMED[i].cp, got);
        free(got);
        /* inside the text it stays */
        snprintf(inner, sizeof inner, "淘%s宝", sp);
        snprintf(in, sizeof in, "%s%s%s", sp, inner, sp);
        check_trim(in, inner);
        /* only trimmable characters: nothing left */
        snprintf(in, sizeof in, "%s%s%s", sp, sp, sp);
        check_trim(in, "");
    }
    /* all of them at once, at both ends */
    char all[512] = "";
    for (size_t i = 0; i < nt; i++) strcat(all, TRIMMED[i].utf8);
    char in[1200];
    snprintf(in, sizeof in, "%sA B%s", all, all);
    check_trim(in, "A B");

    /* the cases from Word and web pages */
    check_trim("淘宝" NBSP, "淘宝");
    check_trim(BOM "淘宝" ZWSP, "淘宝");
    check_trim(NBSP " " IDSP BOM "SEO" ZWSP "\r\n", "SEO");

    /* neighbours that are not white space stay */
    static const char *const kept[] = {
        "\xC2\x84",     /* U+0084 */
        "\xC2\xA1",     /* ¡ U+00A1 */
        "\xE1\x9A\x81", /* U+1681 */
        "\xE2\x80\x8C", /* U+200C ZWNJ */
        "\xE2\x80\x8D", /* U+200D ZWJ */
        "\xE2\x80\xA7", /* U+2027 */
        "\xE2\x80\xAA", /* U+202A */
        "\xE2\x80\xAE", /* U+202E */
        "\xE2\x81\x9E", /* U+205E */
        "\xE2\x81\xA0", /* U+2060 word joiner (not White_Space) */
        "\xE3\x80\x81", /* 、 U+3001 */
        "\xEF\xBB\xBE", /* U+FEFE */
        "\xEF\xBC\x80", /* U+FF00 */
        "\x1F",          /* unit separator: a control, not White_Space */
    };
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++) {
        char k[32];
        assert_int_equal(text_space_len(kept[i]), 0);
        snprintf(k, sizeof k, "%sa%s", kept[i], kept[i]);
        check_trim(k, k);
    }
    /* malformed and overlong encodings of spaces are not spaces */
    assert_int_equal(text_space_len("\xE0\x80\xA0"), 0); /* overlong U+0020 */
    assert_int_equal(text_space_len("\xC2"), 0);          /* cut short by the NUL */
    assert_int_equal(text_space_len("\xE2\x80"), 0);
    assert_int_equal(text_space_len(""), 0);
    check_trim("\xE2\x80", "\xE2\x80");
    check_trim("\xC2 ", "\xC2");
    check_trim(" \xFF" NBSP, "\xFF");
    /* a space right after a malformed lead byte is still found */
    check_trim("a\xF0" NBSP, "a\xF0");
    /* a multi-byte character before the trailing spaces is kept whole */
    check_trim("\xF0\x9F\x98\x80" ZWSP BOM, "\xF0\x9F\x98\x80");
}

static void test_trim_exact_buffer(void **state)
{
    (void)state;
    /* truncated sequences at the end of an exactly sized buffer: ASan reports
     * any read past the NUL */
    static const char *const tails[] = {"a\xC2", "a\xE2", "a\xE2\x80", "a\xEF\xBB", "a\xF0\x9F\x98", NBSP};
    for (size_t i = 0; i < sizeof tails / sizeof tails[0]; i++) {
        size_t n = strlen(tails[i]);
        char *b = malloc(n + 1);
        assert_non_null(b);
        memcpy(b, tails[i], n + 1);
        char *t = text_trim(b);
        assert_non_null(t);
        assert_true(strlen(t) <= n);
        free(t);
        (void)text_space_len(b + n - 1);
        free(b);
    }
}

static void test_fold(void **state)
{
    (void)state;
    /* full-width letters and digits → ASCII */
    check_fold("ＡＢＣ１２３", 0, "ABC123");
    check_fold("ＡＢＣ１２３", 1, "abc123");
    check_fold("ａｂｃＸＹＺ", 0, "abcXYZ");
    check_fold("ａｂｃＸＹＺ", 1, "abcxyz");
    check_fold("０１２３４５６７８９", 0, "0123456789");
    /* the first and last of the range, punctuation */
    check_fold("！～", 0, "!~");
    check_fold("１２．５", 0, "12.5");
    check_fold("－３", 0, "-3");
    check_fold("（Ａ）；［ｂ］", 1, "(a);[b]");
    /* U+3000 becomes a space */
    check_fold("a" IDSP "b", 0, "a b");
    /* ASCII lower-casing only when asked */
    check_fold("Hello World", 0, "Hello World");
    check_fold("Hello World", 1, "hello world");
    check_fold("MiXeD ＭｉＸｅＤ", 1, "mixed mixed");
    /* other characters unchanged, including neighbours of the range */
    check_fold("你好", 1, "你好");
    check_fold("\xEF\xBC\x80", 0, "\xEF\xBC\x80"); /* U+FF00 */
    check_fold("\xEF\xBD\x9F", 0, "\xEF\xBD\x9F"); /* U+FF5F */
    check_fold("Ä", 1, "Ä");
    check_fold("", 1, "");
}

static void test_fold_fullwidth_comma(void **state)
{
    (void)state;
    /* U+FF0C is in U+FF01..U+FF5E, so it folds */
    char *got = text_fold("你好，世界", 0);
    assert_non_null(got);
    assert_string_equal(got, "你好,世界");
    free(got);
}

static void test_decimal_values(void **state)
{
    (void)state;
    int64_t a = 0, b = 1;
    assert_int_equal(text_decimal("12.50", &a), 0);
    assert_int_equal(text_decimal("12.5", &b), 0);
    assert_int_equal(a, b);
    assert_int_equal(a, 12500000);
    check_decimal("12.500000", 12500000);
    check_decimal("0", 0);
    check_decimal("-0", 0);
    check_decimal("7", 7 * TEXT_DECIMAL_SCALE);
    check_decimal("+7", 7 * TEXT_DECIMAL_SCALE);
    check_decimal("-3.25", -3250000);
    check_decimal("-0.5", -500000);
    check_decimal("0.000001", 1);
    check_decimal("-0.000001", -1);
    check_decimal("1.123456", 1123456);
    check_decimal("0.1", 100000);
    check_decimal("007.010", 7010000);
    check_decimal("999999999999", 999999999999LL * TEXT_DECIMAL_SCALE);
    check_decimal("-999999999999.999999", -999999999999999999LL);
    /* surrounding spaces, ASCII and ideographic */
    check_decimal("  12.5\t", 12500000);
    check_decimal(IDSP "12.5" IDSP, 12500000);
    /* full-width digits, point and sign */
    check_decimal("１２．５", 12500000);
    check_decimal("－１２．５", -12500000);
    check_decimal("＋３", 3000000);
    check_decimal("1２.５0", 12500000);
    /* 0.1 + 0.2 is exactly 0.3 in millionths */
    int64_t x, y, z;
    assert_int_equal(text_decimal("0.1", &x), 0);
    assert_int_equal(text_decimal("0.2", &y), 0);
    assert_int_equal(text_decimal("0.3", &z), 0);
    assert_int_equal(x + y, z);
}

static void test_decimal_rejects(void **state)
{
    (void)state;
    check_decimal_bad("1.2.3");
    check_decimal_bad("");
    check_decimal_bad("   ");
    check_decimal_bad(IDSP);
    check_decimal_bad("abc");
    check_decimal_bad("12a");
    check_decimal_bad("a12");
    check_decimal_bad("1.1234567"); /* 7 decimals */
    check_decimal_bad("0.0000001");
    check_decimal_bad("-");
    check_decimal_bad("+");
    check_decimal_bad(".");
    check_decimal_bad("-.");
    check_decimal_bad("--1");
    check_decimal_bad("+-1");
    check_decimal_bad("1 2");
    check_decimal_bad("1,5");
    check_decimal_bad("1e5");
    check_decimal_bad("0x10");
    check_decimal_bad("12.5±0.05");
    check_decimal_bad("1234567890123"); /* 13 integer digits */
    check_decimal_bad("１．２．３");
    check_decimal_bad("一");
}

static void test_points(void **state)
{
    (void)state;
    check_points("2", 20);
    check_points("1.5", 15);
    check_points("0.1", 1);
    check_points("100", 1000);
    check_points("100.0", 1000);
    check_points("99.9", 999);
    check_points(" 3 ", 30);
    check_points("１．５", 15);
    check_points("+2", 20);
    check_points_bad("0");
    check_points_bad("0.0");
    check_points_bad("-1");
    check_points_bad("-0.5");
    check_points_bad("100.1");
    check_points_bad("101");
    check_points_bad("1000");
    check_points_bad("1.25");  /* two decimals */
    check_points_bad("0.05");
    check_points_bad("2.01");
    check_points_bad("0.000001");
    check_points_bad("abc");
    check_points_bad("");
    check_points_bad("1.2.3");
}

/* the timer shows whole seconds rounded up: 00:00:01 until the very end */
static void test_format_remaining(void **state)
{
    (void)state;
    char b[16];
    assert_string_equal(text_format_remaining(90 * 60000, b, sizeof b), "01:30:00");
    assert_string_equal(text_format_remaining(90 * 60000 - 1, b, sizeof b), "01:30:00");
    assert_string_equal(text_format_remaining(90 * 60000 - 1000, b, sizeof b), "01:29:59");
    assert_string_equal(text_format_remaining(1, b, sizeof b), "00:00:01");
    assert_string_equal(text_format_remaining(0, b, sizeof b), "00:00:00");
    assert_string_equal(text_format_remaining(-5000, b, sizeof b), "00:00:00");
    assert_string_equal(text_format_remaining((int64_t)10 * 3600000, b, sizeof b), "10:00:00");
}

static void test_level_name(void **state)
{
    (void)state;
    assert_string_equal(text_level_name(1), "一级/高级技师");
    assert_string_equal(text_level_name(4), "四级/中级工");
    assert_string_equal(text_level_name(5), "五级/初级工");
    assert_string_equal(text_level_name(0), "");
    assert_string_equal(text_level_name(6), "");
    assert_string_equal(text_level_name(-1), "");
}

static void test_format_tenths(void **state)
{
    (void)state;
    char buf[24];
    assert_ptr_equal(text_format_tenths(15, buf, sizeof buf), buf);
    assert_string_equal(buf, "1.5");
    assert_string_equal(text_format_tenths(20, buf, sizeof buf), "2");
    assert_string_equal(text_format_tenths(0, buf, sizeof buf), "0");
    assert_string_equal(text_format_tenths(1, buf, sizeof buf), "0.1");
    assert_string_equal(text_format_tenths(9, buf, sizeof buf), "0.9");
    assert_string_equal(text_format_tenths(10, buf, sizeof buf), "1");
    assert_string_equal(text_format_tenths(999, buf, sizeof buf), "99.9");
    assert_string_equal(text_format_tenths(1000, buf, sizeof buf), "100");
    assert_string_equal(text_format_tenths(-5, buf, sizeof buf), "-0.5");
    assert_string_equal(text_format_tenths(-15, buf, sizeof buf), "-1.5");
    assert_string_equal(text_format_tenths(-20, buf, sizeof buf), "-2");
    assert_string_equal(text_format_tenths(123456, buf, sizeof buf), "12345.6");

    /* every legal points value survives format → parse */
    for (int t = 1; t <= 1000; t++) {
        int back = 0;
        text_format_tenths(t, buf, sizeof buf);
        if (text_points(buf, &back) != 0 || back != t)
            fail_msg("tenths %d formatted as \"%s\" parsed back as %d", t, buf, back);
    }
}

static void expect_field(const char *s, size_t max, const char *want_why)
{
    const char *why = NULL;
    int rc = text_field_check(s, max, &why);
    if (!want_why) {
        if (rc) fail_msg("'%s' refused: %s", s, why);
    } else if (!rc || !why || !strstr(why, want_why))
        fail_msg("'%s' (max %zu): want a refusal '%s', got rc %d '%s'", s, max, want_why, rc, why ? why : "");
}

/* issue 11 item 11: what a name, an address or a phone may hold */
static void test_field_check(void **state)
{
    (void)state;
    expect_field("陈志明", 64, NULL);
    expect_field("Anne-Marie O'Neil", 64, NULL);
    expect_field("广州市天河区天河路100号 3栋", 200, NULL);
    expect_field("", 64, "empty");
    expect_field("陈\t志明", 64, "control");
    expect_field("陈志明\n2,2026034401009,假考生", 64, "control");
    expect_field("a\rb", 64, "control");
    expect_field("a\x7f", 64, "control");
    expect_field("a\xc2\x85" "b", 64, "control");      /* U+0085 NEL, a C1 control */
    expect_field("a\xc2\x9f", 64, "control");          /* U+009F */
    expect_field("a\xe2\x80\xa8" "b", 64, "separator"); /* U+2028 */
    expect_field("a\xe2\x80\xae" "b", 64, "bidirectional"); /* U+202E right-to-left override */
    expect_field("a\xe2\x81\xa6" "b", 64, "bidirectional"); /* U+2066 */
    expect_field("\xc0\xaf", 64, "UTF-8");              /* overlong '/' */
    expect_field("\xed\xa0\x80", 64, "UTF-8");          /* a surrogate */
    expect_field("\xf4\x90\x80\x80", 64, "UTF-8");      /* above U+10FFFF */
    expect_field("\xe9\x99", 64, "UTF-8");              /* cut short */
    expect_field("\xc2\xa0" "x", 64, NULL);              /* U+00A0 is text, not a control */
    /* the limit is in bytes: 21 three-byte characters fit 64, 22 do not */
    char name[80] = "";
    for (int i = 0; i < 21; i++) strcat(name, "陈");
    expect_field(name, 64, NULL);
    strcat(name, "陈");
    expect_field(name, 64, "too long");
    char sixty_four[66];
    memset(sixty_four, 'a', 64);
    sixty_four[64] = 0;
    expect_field(sixty_four, 64, NULL);
    strcat(sixty_four, "a");
    expect_field(sixty_four, 64, "too long");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trim_ascii),
        cmocka_unit_test(test_trim_ideographic),
        cmocka_unit_test(test_trim_unicode_space),
        cmocka_unit_test(test_trim_exact_buffer),
        cmocka_unit_test(test_fold),
        cmocka_unit_test(test_fold_fullwidth_comma),
        cmocka_unit_test(test_decimal_values),
        cmocka_unit_test(test_decimal_rejects),
        cmocka_unit_test(test_points),
        cmocka_unit_test(test_format_tenths),
        cmocka_unit_test(test_format_remaining),
        cmocka_unit_test(test_level_name),
        cmocka_unit_test(test_field_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
