/* Unit tests for core/score.c: the marking rules of FORMAT.md §1 in tenths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/score.h"

#define IDSP "\xE3\x80\x80" /* U+3000 ideographic space */
#define SEP "\x1f"          /* SCORE_BLANK_SEP as a string */

static int run(qtype type, const char *key, const char *resp, int points, multi_partial partial, int *pending)
{
    score_item it = {.type = type, .key = key, .response = resp, .points = points, .partial = partial};
    *pending = 42; /* must always be overwritten */
    return score_item_tenths(&it, pending);
}

/* Checks a non-essay item: score WANT and no pending marking. */
static void check_p(qtype type, const char *key, const char *resp, int points, multi_partial partial, int want)
{
    int pending;
    int got = run(type, key, resp, points, partial, &pending);
    if (got != want)
        fail_msg("%s key \"%s\" response \"%s\" points %d partial %d: got %d tenths, want %d", qtype_name(type), key,
                 resp ? resp : "(null)", points, (int)partial, got, want);
    if (pending != 0) fail_msg("%s key \"%s\": pending = %d, want 0", qtype_name(type), key, pending);
}

static void check(qtype type, const char *key, const char *resp, int points, int want)
{
    check_p(type, key, resp, points, PARTIAL_NONE, want);
}

/* ---- judge, single ------------------------------------------------------ */

static void test_judge(void **state)
{
    (void)state;
    check(QT_JUDGE, "T", "T", 10, 10);
    check(QT_JUDGE, "F", "F", 15, 15);
    check(QT_JUDGE, "T", "F", 10, 0);
    check(QT_JUDGE, "F", "T", 10, 0);
    check(QT_JUDGE, "T", " T ", 10, 10);
    check(QT_JUDGE, "T", "TF", 10, 0);
    check(QT_JUDGE, "T", "X", 10, 0);
}

static void test_single(void **state)
{
    (void)state;
    check(QT_SINGLE, "B", "B", 20, 20);
    check(QT_SINGLE, "B", "b", 20, 20);            /* case-insensitive */
    check(QT_SINGLE, "B", "  B\t", 20, 20);        /* trimmed */
    check(QT_SINGLE, "B", IDSP "B" IDSP, 20, 20);  /* U+3000 trimmed */
    check(QT_SINGLE, "B", "\xEF\xBC\xA2", 20, 20); /* full-width Ｂ */
    check(QT_SINGLE, "B", "C", 20, 0);
    check(QT_SINGLE, "B", "A", 20, 0);
    check(QT_SINGLE, "B", "AB", 20, 0);
    check(QT_SINGLE, "B", "BB", 20, 0);
    check(QT_SINGLE, "B", "B,", 20, 0);
}

/* ---- multi --------------------------------------------------------------- */

static void test_multi_all_or_nothing(void **state)
{
    (void)state;
    check(QT_MULTI, "ACD", "ACD", 20, 20);
    check(QT_MULTI, "ACD", "DCA", 20, 20);        /* any order */
    check(QT_MULTI, "ACD", "CDA", 20, 20);
    check(QT_MULTI, "ACD", "ACDA", 20, 20);       /* duplicates collapse */
    check(QT_MULTI, "ACD", "AACCDD", 20, 20);
    check(QT_MULTI, "ACD", "a,c,d", 20, 20);      /* case, commas */
    check(QT_MULTI, "ACD", " D , c a ", 20, 20);  /* spaces */
    check(QT_MULTI, "ACD", "A\xE3\x80\x81" "C\xE3\x80\x81" "D", 20, 20); /* 、 */
    check(QT_MULTI, "ACD", "AC", 20, 0);          /* subset without partial */
    check(QT_MULTI, "ACD", "A", 20, 0);
    check(QT_MULTI, "ACD", "ACDB", 20, 0);        /* superset */
    check(QT_MULTI, "ACD", "B", 20, 0);
    check(QT_MULTI, "ACD", "ABCDEFGH", 20, 0);    /* everything ticked */
    check(QT_MULTI, "ACD", ",, ,", 20, 0);        /* separators only */
    check(QT_MULTI, "ACD", "A1C", 20, 0);         /* malformed */
    check(QT_MULTI, "ACD", "ACD?", 20, 0);
}

static void test_multi_partial_half(void **state)
{
    (void)state;
    const multi_partial H = PARTIAL_HALF;
    check_p(QT_MULTI, "ACD", "ACD", 20, H, 20);   /* all right: full */
    check_p(QT_MULTI, "ACD", "DAC", 15, H, 15);
    check_p(QT_MULTI, "ACD", "AC", 20, H, 10);    /* strict subset: half */
    check_p(QT_MULTI, "ACD", "D", 20, H, 10);
    check_p(QT_MULTI, "ACD", "AC", 15, H, 8);     /* 0.75 rounds up to 0.8 */
    check_p(QT_MULTI, "ACD", "ca", 15, H, 8);
    check_p(QT_MULTI, "ACD", "AA", 15, H, 8);     /* duplicates of a right letter */
    check_p(QT_MULTI, "ACD", "AC", 5, H, 3);      /* 0.25 rounds up to 0.3 */
    check_p(QT_MULTI, "ACD", "AC", 1, H, 1);      /* 0.05 rounds up to 0.1 */
    check_p(QT_MULTI, "ACD", "AB", 20, H, 0);     /* subset plus a wrong letter */
    check_p(QT_MULTI, "ACD", "ACB", 20, H, 0);
    check_p(QT_MULTI, "ACD", "ACDB", 20, H, 0);   /* all right plus a wrong one */
    check_p(QT_MULTI, "ACD", "B", 20, H, 0);
    check_p(QT_MULTI, "ACD", "", 20, H, 0);       /* empty */
    check_p(QT_MULTI, "ACD", NULL, 20, H, 0);
    check_p(QT_MULTI, "ACD", " , ", 20, H, 0);    /* nothing chosen */
    check_p(QT_MULTI, "ACD", "A#", 20, H, 0);     /* malformed */
    /* the same subset without partial credit */
    check_p(QT_MULTI, "ACD", "AC", 20, PARTIAL_NONE, 0);
}

/* ---- order --------------------------------------------------------------- */

static void test_order(void **state)
{
    (void)state;
    check(QT_ORDER, "CABD", "CABD", 30, 30);
    check(QT_ORDER, "CABD", "cabd", 30, 30);
    check(QT_ORDER, "CABD", "ACBD", 30, 0);  /* one swap */
    check(QT_ORDER, "CABD", "CADB", 30, 0);  /* one swap at the end */
    check(QT_ORDER, "CABD", "DBAC", 30, 0);  /* reversed */
    check(QT_ORDER, "CABD", "CAB", 30, 0);   /* too short */
    check(QT_ORDER, "CABD", "CABDD", 30, 0); /* too long */
    check(QT_ORDER, "CABD", "CABDE", 30, 0);
    check(QT_ORDER, "CABD", "CCBD", 30, 0);
    check(QT_ORDER, "CABD", "C4BD", 30, 0);  /* malformed */
    /* letters are separated by the white space text_trim knows */
    check(QT_ORDER, "CABD", "\xEF\xBB\xBF" "C\xC2\xA0" "A\xE2\x80\x8B" "B D\xC2\xA0", 30, 30);
    check(QT_MULTI, "ACD", "A\xC2\xA0" "C\xE2\x80\x83" "D", 20, 20);
    check(QT_SINGLE, "B", "\xEF\xBB\xBF" "b\xC2\xA0", 20, 20);
}

/* ---- fill ------------------------------------------------------------------ */

static void test_text_equal(void **state)
{
    (void)state;
    assert_true(score_text_equal("SEO", "SEO"));
    assert_true(score_text_equal("seo", "SEO"));                               /* Latin case */
    assert_true(score_text_equal("Seo", "sEO"));
    assert_true(score_text_equal("\xEF\xBC\xB3\xEF\xBC\xA5\xEF\xBC\xAF", "SEO")); /* ＳＥＯ */
    assert_true(score_text_equal("\xEF\xBD\x93\xEF\xBD\x85\xEF\xBD\x8F", "SEO")); /* ｓｅｏ */
    assert_true(score_text_equal(IDSP "SEO" IDSP, "SEO"));                     /* U+3000 around */
    assert_true(score_text_equal("  SEO\t", " SEO"));
    assert_true(score_text_equal(IDSP " seo " IDSP, "SEO"));
    assert_true(score_text_equal("点击率", "点击率"));
    assert_true(score_text_equal(" 点击率" IDSP, "点击率"));
    assert_true(score_text_equal("click rate", "Click Rate"));
    assert_true(score_text_equal("click" IDSP "rate", "click rate")); /* U+3000 is a full-width space */
    assert_true(score_text_equal("１２", "12"));
    assert_true(score_text_equal("", ""));

    assert_false(score_text_equal("S EO", "SEO"));          /* internal spaces kept */
    assert_false(score_text_equal("click  rate", "click rate"));
    assert_false(score_text_equal("clickrate", "click rate"));
    assert_false(score_text_equal("SEM", "SEO"));
    assert_false(score_text_equal("SEO.", "SEO"));
    assert_false(score_text_equal("点击", "点击率"));
    assert_false(score_text_equal("", "SEO"));
    assert_false(score_text_equal(NULL, "SEO"));
    assert_false(score_text_equal("SEO", NULL));
}

static void test_fill_single_blank(void **state)
{
    (void)state;
    check(QT_FILL, "SEO", "SEO", 20, 20);
    check(QT_FILL, "SEO", "seo", 20, 20);                                 /* Latin case */
    check(QT_FILL, "SEO", "\xEF\xBC\xB3\xEF\xBC\xA5\xEF\xBC\xAF", 20, 20); /* ＳＥＯ */
    check(QT_FILL, "SEO", IDSP "SEO" IDSP, 20, 20);                       /* U+3000 around */
    check(QT_FILL, "SEO", " seo ", 20, 20);
    check(QT_FILL, "SEO", "S E O", 20, 0);
    check(QT_FILL, "SEO", "SEM", 20, 0);
    check(QT_FILL, "SEO", "   ", 20, 0);       /* blank only spaces */
    check(QT_FILL, "SEO", IDSP, 20, 0);
    /* pasted from Word or a web page: no-break space, ZWSP, BOM around */
    check(QT_FILL, "淘宝", "淘宝\xC2\xA0", 20, 20);
    check(QT_FILL, "淘宝", "\xEF\xBB\xBF淘宝\xE2\x80\x8B", 20, 20);
    check(QT_FILL, "淘宝\xC2\xA0", "淘宝", 20, 20);            /* in the key too */
    check(QT_FILL, "淘宝|天猫", "\xE2\x80\xAF天猫\xE3\x80\x80", 20, 20);
    check(QT_FILL, "淘宝", "淘\xC2\xA0宝", 20, 0);              /* inside: kept */
    check(QT_FILL, "SEO", "\xC2\xA0\xE2\x80\x8B", 20, 0);       /* blank only spaces */
}

static void test_fill_alternatives(void **state)
{
    (void)state;
    const char *key = "SEO|搜索引擎优化;SEM";
    check(QT_FILL, key, "SEO" SEP "SEM", 20, 20);
    check(QT_FILL, key, "搜索引擎优化" SEP "sem", 20, 20);
    check(QT_FILL, key, "seo" SEP "SEO", 20, 10); /* second blank wrong */
    check(QT_FILL, key, "SEM" SEP "SEM", 20, 10); /* first blank wrong */
    check(QT_FILL, key, "搜索引擎" SEP "x", 20, 0);
    /* an alternative of one blank does not count for another */
    check(QT_FILL, "a|b;c", "c" SEP "a", 20, 0);
    check(QT_FILL, "a|b;c", "b" SEP "c", 20, 20);
    /* the whole key line is not an alternative */
    check(QT_FILL, "a|b;c", "a|b" SEP "c", 20, 10);
}

static void test_fill_shares(void **state)
{
    (void)state;
    /* 3 blanks, 2 right, 4 points: 2.666… → 2.7 */
    check(QT_FILL, "a;b;c", "a" SEP "b" SEP "x", 40, 27);
    check(QT_FILL, "a;b;c", "x" SEP "b" SEP "c", 40, 27);
    check(QT_FILL, "a;b;c", "a" SEP "x" SEP "c", 40, 27);
    /* 3 blanks, 1 right, 4 points: 1.333… → 1.3 */
    check(QT_FILL, "a;b;c", "a" SEP "x" SEP "y", 40, 13);
    check(QT_FILL, "a;b;c", "a" SEP "b" SEP "c", 40, 40);
    check(QT_FILL, "a;b;c", "x" SEP "y" SEP "z", 40, 0);
    /* 2 blanks, 1 right, 1.5 points: 0.75 → 0.8 */
    check(QT_FILL, "a;b", "a" SEP "x", 15, 8);
    /* 4 blanks, 1 right, 1 point: 0.25 → 0.3 */
    check(QT_FILL, "a;b;c;d", "a" SEP SEP SEP, 10, 3);
    /* 3 blanks, 1 right, 1 point: 0.333… → 0.3 */
    check(QT_FILL, "a;b;c", "x" SEP "b" SEP "y", 10, 3);
}

static void test_fill_malformed(void **state)
{
    (void)state;
    /* fewer blanks answered: the missing ones are wrong */
    check(QT_FILL, "a;b;c", "a", 30, 10);
    check(QT_FILL, "a;b;c", "a" SEP "b", 30, 20);
    /* empty blanks */
    check(QT_FILL, "a;b;c", SEP SEP, 30, 0);
    check(QT_FILL, "a;b;c", SEP "b" SEP, 30, 10);
    /* too many blanks: the extra ones are ignored, never above the points */
    check(QT_FILL, "a;b;c", "a" SEP "b" SEP "c" SEP "d", 30, 30);
    check(QT_FILL, "a;b;c", "a" SEP "x" SEP "c" SEP "b" SEP "a", 30, 20);
    check(QT_FILL, "a", "x" SEP "a", 30, 0); /* the right text in an extra blank */
    /* candidates may type ';' and '|' themselves: they are plain text */
    check(QT_FILL, "a;b", "a;b", 20, 0);
    check(QT_FILL, "a;b", "a|b" SEP "b", 20, 10);
    /* an empty answer never matches, even a (malformed) empty alternative */
    check(QT_FILL, "a;", "a" SEP, 20, 10);
    check(QT_FILL, "x|", " ", 20, 0);
    /* bytes that are not UTF-8 */
    check(QT_FILL, "a;b", "\xff\xfe" SEP "\xEF\xBC", 20, 0);
}

/* ---- numeric ------------------------------------------------------------- */

static void test_numeric_exact(void **state)
{
    (void)state;
    check(QT_NUMERIC, "12.5", "12.5", 30, 30);
    check(QT_NUMERIC, "12.5", "12.50", 30, 30);   /* equal as decimals */
    check(QT_NUMERIC, "12.5", "12.500000", 30, 30);
    check(QT_NUMERIC, "12.50", "12.5", 30, 30);
    check(QT_NUMERIC, "12.5", "+12.5", 30, 30);
    check(QT_NUMERIC, "12.5", "012.5", 30, 30);
    check(QT_NUMERIC, "12.5", "12.51", 30, 0);
    check(QT_NUMERIC, "12.5", "12.499999", 30, 0);
    check(QT_NUMERIC, "12.5", "12", 30, 0);
    check(QT_NUMERIC, "12", "12.0", 30, 30);
    check(QT_NUMERIC, "12", "12.", 30, 30);
    check(QT_NUMERIC, "0", "-0", 30, 30);
    check(QT_NUMERIC, "0.5", ".5", 30, 30);
}

static void test_numeric_fullwidth_and_spaces(void **state)
{
    (void)state;
    check(QT_NUMERIC, "12.5", "１２．５", 30, 30);                 /* full-width digits and point */
    check(QT_NUMERIC, "12.5", "１２．５０", 30, 30);
    check(QT_NUMERIC, "12.5", "  12.5  ", 30, 30);
    check(QT_NUMERIC, "12.5", IDSP "12.5" IDSP, 30, 30);
    check(QT_NUMERIC, "12.5+-0.05", IDSP "１２．５４" IDSP, 30, 30);
    check(QT_NUMERIC, "-3", "－３", 30, 30);                        /* full-width minus */
}

static void test_numeric_tolerance(void **state)
{
    (void)state;
    const char *key = "12.5+-0.05";
    check(QT_NUMERIC, key, "12.5", 30, 30);
    check(QT_NUMERIC, key, "12.55", 30, 30);     /* exactly at +tol: inside */
    check(QT_NUMERIC, key, "12.45", 30, 30);     /* exactly at -tol: inside */
    check(QT_NUMERIC, key, "12.550000", 30, 30);
    check(QT_NUMERIC, key, "12.53", 30, 30);
    check(QT_NUMERIC, key, "12.56", 30, 0);      /* just outside */
    check(QT_NUMERIC, key, "12.44", 30, 0);
    check(QT_NUMERIC, key, "12.550001", 30, 0);  /* a millionth outside */
    check(QT_NUMERIC, key, "12.449999", 30, 0);
    check(QT_NUMERIC, key, "-12.5", 30, 0);
    /* ± in the key is understood as well */
    check(QT_NUMERIC, "12.5±0.05", "12.55", 30, 30);
    check(QT_NUMERIC, "12.5±0.05", "12.56", 30, 0);
    /* zero tolerance */
    check(QT_NUMERIC, "12.5+-0", "12.50", 30, 30);
    check(QT_NUMERIC, "12.5+-0", "12.500001", 30, 0);
    /* integer tolerance */
    check(QT_NUMERIC, "100+-2", "98", 30, 30);
    check(QT_NUMERIC, "100+-2", "102.0", 30, 30);
    check(QT_NUMERIC, "100+-2", "97.999999", 30, 0);
}

static void test_numeric_negative(void **state)
{
    (void)state;
    check(QT_NUMERIC, "-3.2", "-3.2", 30, 30);
    check(QT_NUMERIC, "-3.2", "-3.20", 30, 30);
    check(QT_NUMERIC, "-3.2", "3.2", 30, 0);
    check(QT_NUMERIC, "-3.2+-0.1", "-3.1", 30, 30);
    check(QT_NUMERIC, "-3.2+-0.1", "-3.3", 30, 30);
    check(QT_NUMERIC, "-3.2+-0.1", "-3.31", 30, 0);
    check(QT_NUMERIC, "-3.2+-0.1", "-3.09", 30, 0);
    check(QT_NUMERIC, "-3.2+-0.1", "3.2", 30, 0);
    check(QT_NUMERIC, "-0.05+-0.1", "0.05", 30, 30); /* across zero */
    check(QT_NUMERIC, "-0.05+-0.1", "0.06", 30, 0);
    check(QT_NUMERIC, "+2+-1", "1", 30, 30);
    /* the largest distance between two decimals does not overflow */
    check(QT_NUMERIC, "-999999999999.999999+-0", "999999999999.999999", 30, 0);
    check(QT_NUMERIC, "-999999999999.999999+-999999999999.999999", "999999999999.999999", 30, 0);
    check(QT_NUMERIC, "-999999999999.999999", "-999999999999.999999", 30, 30);
}

static void test_numeric_unparsable(void **state)
{
    (void)state;
    const char *key = "12.5+-0.05";
    check(QT_NUMERIC, key, "abc", 30, 0);
    check(QT_NUMERIC, key, "12.5cm", 30, 0);
    check(QT_NUMERIC, key, "12,5", 30, 0);
    check(QT_NUMERIC, key, "1 2.5", 30, 0);
    check(QT_NUMERIC, key, "12.5.0", 30, 0);
    check(QT_NUMERIC, key, "12.5+-0.05", 30, 0);
    check(QT_NUMERIC, key, "1.25e1", 30, 0);
    check(QT_NUMERIC, key, "-", 30, 0);
    check(QT_NUMERIC, key, ".", 30, 0);
    check(QT_NUMERIC, key, "   ", 30, 0);
    check(QT_NUMERIC, key, "12.5000001", 30, 0);  /* more decimals than text_decimal keeps */
    check(QT_NUMERIC, key, "99999999999999999999", 30, 0);
    check(QT_NUMERIC, key, "\xff", 30, 0);
    /* a broken key scores nothing instead of crashing */
    check(QT_NUMERIC, "", "12.5", 30, 0);
    check(QT_NUMERIC, "x", "12.5", 30, 0);
    check(QT_NUMERIC, "12.5+-", "12.5", 30, 0);
    check(QT_NUMERIC, "12.5+--1", "12.5", 30, 0);
    check(QT_NUMERIC, "+-1", "0", 30, 0);
}

/* ---- match --------------------------------------------------------------- */

static void test_match(void **state)
{
    (void)state;
    const char *key = "点击率|投入产出比|转化率";
    check(QT_MATCH, key, "1,2,3", 50, 50);
    check(QT_MATCH, key, "1,2,1", 50, 33); /* 2 of 3 pairs: 3.333… → 3.3 */
    check(QT_MATCH, key, "3,2,3", 50, 33);
    check(QT_MATCH, key, "1,3,2", 50, 17); /* 1 of 3: 1.666… → 1.7 */
    check(QT_MATCH, key, "2,3,1", 50, 0);
    check(QT_MATCH, key, " 1 , 2 ,3 ", 50, 50);
    check(QT_MATCH, key, "１,２,３", 50, 50);
    check(QT_MATCH, "x|y", "1,1", 15, 8);  /* 1 of 2, 1.5 points: 0.75 → 0.8 */
    check(QT_MATCH, "x|y", "2,1", 15, 0);
}

static void test_match_missing_and_malformed(void **state)
{
    (void)state;
    const char *key = "x|y|z";
    check(QT_MATCH, key, "1,,3", 50, 33);    /* a missing entry */
    check(QT_MATCH, key, ",2,", 50, 17);
    check(QT_MATCH, key, "1,2", 50, 33);     /* too few entries */
    check(QT_MATCH, key, "1", 50, 17);
    check(QT_MATCH, key, ",,", 50, 0);
    check(QT_MATCH, key, "1,2,3,4", 50, 50); /* extra entries ignored */
    check(QT_MATCH, key, "1,2,x,3", 50, 33);
    check(QT_MATCH, key, "a,b,c", 50, 0);    /* non-digits */
    check(QT_MATCH, key, "1,x,3", 50, 33);
    check(QT_MATCH, key, "1a,2,3", 50, 33);
    check(QT_MATCH, key, "-1,2,3", 50, 33);
    check(QT_MATCH, key, "+1,2,3", 50, 33);
    check(QT_MATCH, key, "1.0,2,3", 50, 33);
    check(QT_MATCH, key, "0,2,3", 50, 33);
    check(QT_MATCH, key, "99999999999999999999,2,3", 50, 33);
    check(QT_MATCH, key, "4294967297,2,3", 50, 33); /* would wrap to 1 in 32 bits */
    check(QT_MATCH, key, "1;2;3", 50, 0);
    check(QT_MATCH, key, "\xff,\xEF,3", 50, 17);
}

/* ---- essay, unanswered ---------------------------------------------------- */

static void test_essay_pending(void **state)
{
    (void)state;
    int pending;
    assert_int_equal(run(QT_ESSAY, "参考答案", "我的回答", 100, PARTIAL_NONE, &pending), 0);
    assert_int_equal(pending, 1);
    assert_int_equal(run(QT_ESSAY, "参考答案", "参考答案", 100, PARTIAL_NONE, &pending), 0);
    assert_int_equal(pending, 1);
    assert_int_equal(run(QT_ESSAY, "", "text", 100, PARTIAL_NONE, &pending), 0);
    assert_int_equal(pending, 1);
    /* unanswered essays are still pending */
    assert_int_equal(run(QT_ESSAY, "参考答案", "", 100, PARTIAL_NONE, &pending), 0);
    assert_int_equal(pending, 1);
    assert_int_equal(run(QT_ESSAY, "参考答案", NULL, 100, PARTIAL_NONE, &pending), 0);
    assert_int_equal(pending, 1);
    /* other types clear the flag */
    assert_int_equal(run(QT_SINGLE, "A", "A", 10, PARTIAL_NONE, &pending), 10);
    assert_int_equal(pending, 0);
}

static void test_unanswered(void **state)
{
    (void)state;
    static const struct { qtype t; const char *key; } K[] = {
        {QT_JUDGE, "T"},      {QT_SINGLE, "A"},  {QT_MULTI, "ACD"}, {QT_FILL, "a;b"},
        {QT_NUMERIC, "0"},    {QT_ORDER, "BA"},  {QT_MATCH, "x|y"},
    };
    for (size_t i = 0; i < sizeof K / sizeof *K; i++) {
        for (int p = 0; p < 2; p++) {
            multi_partial mp = p ? PARTIAL_HALF : PARTIAL_NONE;
            check_p(K[i].t, K[i].key, "", 20, mp, 0);
            check_p(K[i].t, K[i].key, NULL, 20, mp, 0);
        }
    }
    /* a numeric key of 0 must not be matched by an empty answer */
    check(QT_NUMERIC, "0+-1", "", 20, 0);
    check(QT_NUMERIC, "0+-1", "   ", 20, 0);
}

/* ---- invariants ------------------------------------------------------------ */

/* Each right response must score exactly the item's points, whatever they are. */
static void test_right_answers_full_points(void **state)
{
    (void)state;
    static const struct { qtype t; const char *key, *resp; } R[] = {
        {QT_JUDGE, "T", "T"},
        {QT_JUDGE, "F", "f"},
        {QT_SINGLE, "H", "h"},
        {QT_MULTI, "ABCDEFGH", "HGFEDCBA"},
        {QT_MULTI, "BD", "d,b"},
        {QT_ORDER, "HGFEDCBA", "HGFEDCBA"},
        {QT_FILL, "x", "X"},
        {QT_FILL, "a;b;c;d;e;f;g", "a" SEP "b" SEP "c" SEP "d" SEP "e" SEP "f" SEP "g"},
        {QT_NUMERIC, "-0.000001", "-0.000001"},
        {QT_NUMERIC, "999999999999.999999", "999999999999.999999"},
        {QT_NUMERIC, "-999999999999+-999999999999", "0"},
        {QT_MATCH, "a|b|c|d|e|f|g|h", "1,2,3,4,5,6,7,8"},
    };
    for (size_t i = 0; i < sizeof R / sizeof *R; i++)
        for (int points = 1; points <= 1000; points += 37) {
            check_p(R[i].t, R[i].key, R[i].resp, points, PARTIAL_NONE, points);
            check_p(R[i].t, R[i].key, R[i].resp, points, PARTIAL_HALF, points);
        }
}

/* Shared points: every blank/pair count against an independent reference
 * computed in exact rational terms (round half up). */
static void test_shares_table(void **state)
{
    (void)state;
    char key[64], resp[64];
    for (int n = 1; n <= 8; n++)
        for (int k = 0; k <= n; k++)
            for (int points = 1; points <= 200; points++) {
                /* reference: floor(points*k/n + 1/2) via comparison of remainders */
                int q = points * k / n, rem = points * k % n;
                int want = q + (2 * rem >= n ? 1 : 0);

                /* fill: blanks "b0;b1;…", first k right */
                char *kp = key, *rp = resp;
                for (int i = 0; i < n; i++) {
                    kp += sprintf(kp, "%sb%d", i ? ";" : "", i);
                    rp += sprintf(rp, "%s%s%d", i ? SEP : "", i < k ? "B" : "z", i);
                }
                check(QT_FILL, key, resp, points, want);

                /* match: n pairs, last k right */
                kp = key;
                rp = resp;
                for (int i = 0; i < n; i++) {
                    kp += sprintf(kp, "%si%d", i ? "|" : "", i);
                    rp += sprintf(rp, "%s%d", i ? "," : "", i >= n - k ? i + 1 : i + 2);
                }
                check(QT_MATCH, key, resp, points, want);
            }
}

static uint32_t rng_state = 12345u;
static uint32_t rnd(uint32_t n)
{
    rng_state = rng_state * 1664525u + 1013904223u;
    return (rng_state >> 8) % n;
}

static void random_text(char *buf, size_t cap)
{
    static const char *PIECES[] = {
        "A", "b", "C", "d", "H", "Z", ",", SEP, "|", ";", "1", "2", "3", "0", "-", "+", ".", "+-", " ",
        IDSP, "\xEF\xBC\xB3", "１", "．", "、", "\xff", "\xEF", "\xEF\xBC", "SEO", "seo", "12.5", "99999999",
        "点击率", "\t", "x", "±",
    };
    size_t len = 0;
    buf[0] = 0;
    uint32_t n = rnd(12);
    for (uint32_t i = 0; i < n; i++) {
        const char *p = PIECES[rnd(sizeof PIECES / sizeof *PIECES)];
        size_t pl = strlen(p);
        if (len + pl + 1 > cap) break;
        memcpy(buf + len, p, pl + 1);
        len += pl;
    }
}

static void test_score_bounds_random(void **state)
{
    (void)state;
    static const char *KEYS[QT_COUNT][4] = {
        [QT_JUDGE] = {"T", "F", "T", "F"},
        [QT_SINGLE] = {"A", "B", "C", "H"},
        [QT_MULTI] = {"AC", "ACD", "BD", "ABCDEFGH"},
        [QT_FILL] = {"SEO|搜索引擎优化;SEM", "a;b;c", "12.5", "x|y|z"},
        [QT_NUMERIC] = {"12.5+-0.05", "-3", "0", "1+-1"},
        [QT_ORDER] = {"CABD", "BA", "ABC", "HGFEDCBA"},
        [QT_MATCH] = {"x|y|z", "x|y", "a|b|c|d", "点击率|转化率"},
        [QT_ESSAY] = {"", "参考答案", "rubric", "x"},
    };
    char key[128], resp[128];
    int full = 0, zero = 0, between = 0;
    for (int iter = 0; iter < 60000; iter++) {
        qtype t = (qtype)rnd(QT_COUNT);
        if (rnd(4) == 0) random_text(key, sizeof key);
        else snprintf(key, sizeof key, "%s", KEYS[t][rnd(4)]);
        /* bias towards near-right responses so all outcomes occur */
        if (rnd(3) == 0 && t != QT_MATCH && t != QT_FILL) {
            snprintf(resp, sizeof resp, "%s", key);
            if (rnd(2)) {
                size_t l = strlen(resp);
                if (l) resp[rnd((uint32_t)l)] = "AB,1 \x1f"[rnd(6)];
            }
        } else
            random_text(resp, sizeof resp);
        if (t == QT_MATCH && rnd(2)) snprintf(resp, sizeof resp, "%u,%u,%u", rnd(4), rnd(4), rnd(4));
        int points = 1 + (int)rnd(1000);
        multi_partial mp = rnd(2) ? PARTIAL_HALF : PARTIAL_NONE;
        int pending;
        int s = run(t, key, resp, points, mp, &pending);
        if (s < 0 || s > points)
            fail_msg("%s key \"%s\" response \"%s\" points %d: score %d out of range", qtype_name(t), key, resp,
                     points, s);
        if (pending != (t == QT_ESSAY))
            fail_msg("%s: pending %d", qtype_name(t), pending);
        if (t == QT_ESSAY) assert_int_equal(s, 0);
        if (s == points) full++;
        else if (s == 0) zero++;
        else between++;
    }
    /* the generator must actually reach every kind of outcome */
    assert_true(full > 100);
    assert_true(zero > 100);
    assert_true(between > 100);
}

static void test_null_and_degenerate(void **state)
{
    (void)state;
    int pending = 5;
    assert_int_equal(score_item_tenths(NULL, &pending), 0);
    assert_int_equal(pending, 0);
    score_item it = {.type = QT_SINGLE, .key = "A", .response = "A", .points = 10};
    assert_int_equal(score_item_tenths(&it, NULL), 10); /* pending may be NULL */
    it.key = NULL;
    assert_int_equal(score_item_tenths(&it, &pending), 0);
    it.key = "A";
    it.points = 0;
    assert_int_equal(score_item_tenths(&it, &pending), 0);
    it.points = -10;
    assert_int_equal(score_item_tenths(&it, &pending), 0);
    it.points = 10;
    it.type = QT_COUNT;
    assert_int_equal(score_item_tenths(&it, &pending), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_judge),
        cmocka_unit_test(test_single),
        cmocka_unit_test(test_multi_all_or_nothing),
        cmocka_unit_test(test_multi_partial_half),
        cmocka_unit_test(test_order),
        cmocka_unit_test(test_text_equal),
        cmocka_unit_test(test_fill_single_blank),
        cmocka_unit_test(test_fill_alternatives),
        cmocka_unit_test(test_fill_shares),
        cmocka_unit_test(test_fill_malformed),
        cmocka_unit_test(test_numeric_exact),
        cmocka_unit_test(test_numeric_fullwidth_and_spaces),
        cmocka_unit_test(test_numeric_tolerance),
        cmocka_unit_test(test_numeric_negative),
        cmocka_unit_test(test_numeric_unparsable),
        cmocka_unit_test(test_match),
        cmocka_unit_test(test_match_missing_and_malformed),
        cmocka_unit_test(test_essay_pending),
        cmocka_unit_test(test_unanswered),
        cmocka_unit_test(test_right_answers_full_points),
        cmocka_unit_test(test_shares_table),
        cmocka_unit_test(test_score_bounds_random),
        cmocka_unit_test(test_null_and_degenerate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
