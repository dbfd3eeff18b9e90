/* Unit tests for core/response.c: editing canonical responses in display
 * terms and mapping them back for the screen, no database involved. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/response.h"
#include "core/score.h"

/* display d shows original perm[d]: A→C, B→A, C→D, D→B */
static const int PERM4[BANK_MAX_OPTIONS] = {2, 0, 3, 1};
static const int IDENT[BANK_MAX_OPTIONS] = {0, 1, 2, 3, 4, 5, 6, 7};

/* applies an edit that must succeed and returns the new response in a static buffer */
static const char *ok(response_rc rc, char **s)
{
    static char buf[512];
    assert_int_equal(rc, RESPONSE_OK);
    assert_non_null(*s);
    snprintf(buf, sizeof buf, "%s", *s);
    free(*s);
    return buf;
}

static void refused(response_rc rc, char **s)
{
    assert_int_equal(rc, RESPONSE_REFUSED);
    assert_null(*s);
}

static void test_judge(void **st)
{
    (void)st;
    response_map m = {QT_JUDGE, 2, IDENT};
    char *s, disp[8];
    assert_string_equal(ok(response_choose(&m, "", 0, &s), &s), "T");
    assert_string_equal(ok(response_choose(&m, "T", 1, &s), &s), "F");
    refused(response_choose(&m, "", 2, &s), &s);
    refused(response_choose(&m, "", -1, &s), &s);
    assert_true(response_is_selected(&m, "F", 1));
    assert_false(response_is_selected(&m, "F", 0));
    assert_false(response_is_selected(&m, "", 0));
    response_display(&m, "F", disp, sizeof disp);
    assert_string_equal(disp, "B");
    response_display(&m, "", disp, sizeof disp);
    assert_string_equal(disp, "");
}

static void test_single_multi(void **st)
{
    (void)st;
    response_map m = {QT_SINGLE, 4, PERM4};
    char *s, disp[16];
    /* display B shows original A */
    assert_string_equal(ok(response_choose(&m, "", 1, &s), &s), "A");
    assert_string_equal(ok(response_choose(&m, "A", 0, &s), &s), "C");
    assert_true(response_is_selected(&m, "C", 0));
    assert_false(response_is_selected(&m, "C", 1));
    assert_false(response_is_selected(&m, "", 0));
    assert_false(response_is_selected(&m, "C", 4));

    m.type = QT_MULTI;
    const char *r = ok(response_choose(&m, "", 2, &s), &s); /* D */
    assert_string_equal(r, "D");
    char cur[16];
    snprintf(cur, sizeof cur, "%s", r);
    r = ok(response_choose(&m, cur, 1, &s), &s); /* + A, kept sorted */
    assert_string_equal(r, "AD");
    snprintf(cur, sizeof cur, "%s", r);
    r = ok(response_choose(&m, cur, 0, &s), &s); /* + C */
    assert_string_equal(r, "ACD");
    snprintf(cur, sizeof cur, "%s", r);
    r = ok(response_choose(&m, cur, 2, &s), &s); /* toggles D off */
    assert_string_equal(r, "AC");
    /* display letters ascending: C is shown at A, A at B */
    response_display(&m, "AC", disp, sizeof disp);
    assert_string_equal(disp, "AB");
    response_display(&m, "ABCD", disp, 3); /* truncated */
    assert_string_equal(disp, "AB");

    m.type = QT_ORDER;
    refused(response_choose(&m, "", 0, &s), &s);
}

static void test_order(void **st)
{
    (void)st;
    response_map m = {QT_ORDER, 4, PERM4};
    char *s, disp[16], cur[16] = "";
    int want_disp[] = {2, 0, 3, 1};
    const char *want[] = {"D", "DC", "DCB", "DCBA"};
    for (int k = 0; k < 4; k++) {
        snprintf(cur, sizeof cur, "%s", ok(response_order_append(&m, cur, want_disp[k], &s), &s));
        assert_string_equal(cur, want[k]);
    }
    refused(response_order_append(&m, "D", 2, &s), &s); /* each once */
    refused(response_order_append(&m, "DCBA", 0, &s), &s); /* full */
    refused(response_order_append(&m, "", 4, &s), &s);
    response_display(&m, "DCBA", disp, sizeof disp);
    assert_string_equal(disp, "CADB");
    assert_string_equal(ok(response_backspace(&m, "DCB", 0, 1, &s), &s), "DC");
    assert_string_equal(ok(response_backspace(&m, "", 0, 1, &s), &s), "");
    response_map single = {QT_SINGLE, 4, PERM4};
    refused(response_order_append(&single, "", 0, &s), &s);
    assert_int_equal(response_display_of(&m, 3), 2);
    assert_int_equal(response_display_of(&m, 7), -1);
}

static void test_match(void **st)
{
    (void)st;
    response_map m = {QT_MATCH, 3, (const int[BANK_MAX_OPTIONS]){1, 2, 0}};
    char *s, disp[32], cur[32] = "";
    /* display number 1 shows right-hand item 2 (original numbers 1-based) */
    snprintf(cur, sizeof cur, "%s", ok(response_match_digit(&m, cur, 1, &s), &s));
    assert_string_equal(cur, "2");
    snprintf(cur, sizeof cur, "%s", ok(response_match_digit(&m, cur, 3, &s), &s));
    assert_string_equal(cur, "2,1");
    snprintf(cur, sizeof cur, "%s", ok(response_match_digit(&m, cur, 2, &s), &s));
    assert_string_equal(cur, "2,1,3");
    refused(response_match_digit(&m, cur, 1, &s), &s); /* every left-hand item has one */
    refused(response_match_digit(&m, "", 0, &s), &s);
    refused(response_match_digit(&m, "", 4, &s), &s);
    response_display(&m, "2,1,3", disp, sizeof disp);
    assert_string_equal(disp, "1,3,2");
    int vals[BANK_MAX_OPTIONS];
    assert_int_equal(response_match_entries("2,1", vals), 2);
    assert_int_equal(vals[0], 2);
    assert_int_equal(vals[1], 1);
    assert_int_equal(vals[2], 0);
    assert_int_equal(response_match_entries("", vals), 0);
    assert_string_equal(ok(response_backspace(&m, "2,1,3", 0, 1, &s), &s), "2,1");
    assert_string_equal(ok(response_backspace(&m, "2", 0, 1, &s), &s), "");
}

static void test_fill(void **st)
{
    (void)st;
    response_map m = {QT_FILL, 0, IDENT};
    char *s, cur[128] = "", buf[64];
    snprintf(cur, sizeof cur, "%s", ok(response_text(&m, cur, 1, 3, "SEO", &s), &s));
    assert_string_equal(cur, "\x1fSEO"); /* blank 0 empty, trailing empty ones dropped */
    snprintf(cur, sizeof cur, "%s", ok(response_text(&m, cur, 0, 3, "搜索", &s), &s));
    assert_string_equal(cur, "搜索\x1fSEO");
    assert_string_equal(response_blank(cur, 0, buf, sizeof buf), "搜索");
    assert_string_equal(response_blank(cur, 1, buf, sizeof buf), "SEO");
    assert_string_equal(response_blank(cur, 2, buf, sizeof buf), "");
    assert_string_equal(response_blank(cur, 1, buf, 3), "SE");
    /* backspace removes one whole UTF-8 character */
    snprintf(cur, sizeof cur, "%s", ok(response_backspace(&m, cur, 0, 3, &s), &s));
    assert_string_equal(cur, "搜\x1fSEO");
    snprintf(cur, sizeof cur, "%s", ok(response_backspace(&m, cur, 1, 3, &s), &s));
    assert_string_equal(cur, "搜\x1fSE");
    assert_string_equal(ok(response_backspace(&m, "\x1f" "S", 1, 2, &s), &s), "");
    refused(response_text(&m, cur, 0, 3, "", &s), &s);
    refused(response_text(&m, cur, 0, 3, "a\x1f" "b", &s), &s);
    refused(response_text(&m, cur, 0, 3, "\n", &s), &s);
    refused(response_text(&m, cur, 0, 3, "\xff", &s), &s);
    refused(response_text(&m, cur, 0, 3, NULL, &s), &s);
    refused(response_newline(&m, cur, &s), &s);
}

static void test_essay_numeric(void **st)
{
    (void)st;
    response_map m = {QT_ESSAY, 0, IDENT};
    char *s, cur[64];
    snprintf(cur, sizeof cur, "%s", ok(response_text(&m, "", 0, 1, "第一行", &s), &s));
    snprintf(cur, sizeof cur, "%s", ok(response_newline(&m, cur, &s), &s));
    assert_string_equal(cur, "第一行\n");
    snprintf(cur, sizeof cur, "%s", ok(response_backspace(&m, cur, 0, 1, &s), &s));
    assert_string_equal(cur, "第一行");
    char disp[64];
    response_display(&m, cur, disp, sizeof disp);
    assert_string_equal(disp, "第一行");
    /* the length limit */
    char *big = malloc(RESPONSE_TEXT_MAX + 1);
    assert_non_null(big);
    memset(big, 'x', RESPONSE_TEXT_MAX);
    big[RESPONSE_TEXT_MAX] = 0;
    refused(response_text(&m, big, 0, 1, "y", &s), &s);
    big[RESPONSE_TEXT_MAX - 1] = 0;
    s = NULL;
    assert_int_equal(response_text(&m, big, 0, 1, "y", &s), RESPONSE_OK);
    assert_int_equal(strlen(s), RESPONSE_TEXT_MAX);
    free(s);
    free(big);
    m.type = QT_NUMERIC;
    assert_string_equal(ok(response_text(&m, "12", 0, 1, ".5", &s), &s), "12.5");
    refused(response_newline(&m, "12", &s), &s);
    m.type = QT_SINGLE;
    refused(response_text(&m, "", 0, 1, "A", &s), &s);
    refused(response_backspace(&m, "A", 0, 1, &s), &s);
    assert_string_equal(response_strerror(RESPONSE_REFUSED), "action does not apply to this response");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_judge),       cmocka_unit_test(test_single_multi), cmocka_unit_test(test_order),
        cmocka_unit_test(test_match),       cmocka_unit_test(test_fill),         cmocka_unit_test(test_essay_numeric),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
