/* Unit tests for cert/certrules.c: the notice's fixed rules (README "The certification workflow"):
 * fees by level, the cut-off on the 15th, dates, ticket and certificate
 * numbers, the pass rule. Each rule has a case that holds and one that just
 * fails. */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cert/certrules.h"

/* ---- fees (三、收费标准) ------------------------------------------------------ */

static void test_fees(void **state)
{
    (void)state;
    assert_int_equal(certrules_fee(4), 410);  /* 四级/中级工 */
    assert_int_equal(certrules_fee(3), 460);  /* 三级/高级工 */
    assert_int_equal(certrules_fee(2), 800);  /* 二级/技师 */
    assert_int_equal(certrules_fee(1), 1200); /* 一级/高级技师 */
    assert_int_equal(certrules_fee(0), -1);
    assert_int_equal(certrules_fee(5), -1);
    assert_int_equal(certrules_fee(-4), -1);
    assert_int_equal(certrules_fee(40), -1);
}

/* ---- dates and the cut-off on the 15th (一(二) 每月15日前接收报考材料) ---------------- */

static void batch_is(const char *date, const char *want)
{
    char b[8];
    memset(b, '#', sizeof b);
    if (certrules_batch_of(date, b) != 0) fail_msg("certrules_batch_of(%s) refused a valid date", date);
    if (strcmp(b, want)) fail_msg("received %s: batch %.8s, want %s", date, b, want);
}

static void test_batch_cutoff(void **state)
{
    (void)state;
    batch_is("2026-03-15", "2026-03"); /* on the 15th: that month */
    batch_is("2026-03-16", "2026-04"); /* the 16th: next month */
    batch_is("2026-03-01", "2026-03");
    batch_is("2026-03-14", "2026-03");
    batch_is("2026-03-31", "2026-04");
    batch_is("2026-12-15", "2026-12");
    batch_is("2026-12-16", "2027-01"); /* December after the 15th: next year's January */
    batch_is("2026-12-31", "2027-01");
    batch_is("2026-01-16", "2026-02");
    batch_is("2024-02-29", "2024-03");
    batch_is("2026-02-15", "2026-02");
    batch_is("2026-09-16", "2026-10");
}

static void test_batch_refuses_bad_dates(void **state)
{
    (void)state;
    static const char *const BAD[] = {"2026-02-30", "2026-13-01", "2025-02-29", "2026-1-5", "", "2026-03-00",
                                      "2026/03/05", "20260305", "2026-03-15x"};
    for (size_t i = 0; i < sizeof BAD / sizeof *BAD; i++) {
        char b[8] = "";
        if (certrules_batch_of(BAD[i], b) != -1) fail_msg("certrules_batch_of accepted '%s' (batch %s)", BAD[i], b);
    }
}

static void test_date_valid(void **state)
{
    (void)state;
    /* real days */
    assert_true(certrules_date_valid("2024-02-29"));  /* leap year */
    assert_true(certrules_date_valid("2000-02-29"));  /* divisible by 400 */
    assert_true(certrules_date_valid("2026-02-28"));
    assert_true(certrules_date_valid("2026-01-31"));
    assert_true(certrules_date_valid("2026-04-30"));
    assert_true(certrules_date_valid("2026-12-31"));
    assert_true(certrules_date_valid("2026-01-01"));
    /* just not */
    assert_false(certrules_date_valid("2026-02-30"));
    assert_false(certrules_date_valid("2026-02-29"));
    assert_false(certrules_date_valid("2025-02-29"));
    assert_false(certrules_date_valid("2026-13-01"));
    assert_false(certrules_date_valid("2026-00-01"));
    assert_false(certrules_date_valid("2026-01-00"));
    assert_false(certrules_date_valid("2026-01-32"));
    assert_false(certrules_date_valid("2026-04-31"));
    assert_false(certrules_date_valid("2026-1-5"));
    assert_false(certrules_date_valid("2026-01-5"));
    assert_false(certrules_date_valid("26-01-05"));
    assert_false(certrules_date_valid("2026-01-05 "));
    assert_false(certrules_date_valid("2026.01.05"));
    assert_false(certrules_date_valid("2026-01-0a"));
    assert_false(certrules_date_valid(""));
}

/* BUG (cert/certrules.c, certrules_date_valid): the fields are read with sscanf
 * "%4d-%2d-%2d", which skips blanks and takes a sign, so ten-character
 * strings that are not YYYY-MM-DD pass: "2026- 1-05", "2026-+1-05",
 * "2026-01-+5", "2026-01- 5". The registration CSV's `received` column is
 * checked with this function, so such dates are stored as they are. */
static void test_date_valid_digits_only(void **state)
{
    (void)state;
    static const char *const BAD[] = {"2026- 1-05", "2026-+1-05", "2026-01-+5", "2026-01- 5", "2026-01--5"};
    int accepted = 0;
    char which[160] = "";
    for (size_t i = 0; i < sizeof BAD / sizeof *BAD; i++)
        if (certrules_date_valid(BAD[i])) {
            accepted++;
            strncat(which, " '", sizeof which - strlen(which) - 1);
            strncat(which, BAD[i], sizeof which - strlen(which) - 1);
            strncat(which, "'", sizeof which - strlen(which) - 1);
        }
    if (accepted) fail_msg("certrules_date_valid accepts dates that are not YYYY-MM-DD digits:%s", which);
}

/* ---- ticket numbers: YYYYMM ‖ 44 ‖ room (2) ‖ seat (3) ------------------------------ */

static void ticket_is(const char *batch, int room, int seat, const char *want)
{
    char t[16];
    memset(t, '#', sizeof t);
    certrules_ticket(batch, room, seat, t);
    assert_int_equal(strlen(t), 13);
    for (int i = 0; i < 13; i++)
        if (!isdigit((unsigned char)t[i])) fail_msg("ticket %s has a non-digit at %d", t, i);
    assert_string_equal(t, want);
}

static void test_ticket(void **state)
{
    (void)state;
    ticket_is("2026-03", 1, 1, "2026034401001");
    ticket_is("2026-03", 2, 3, "2026034402003");
    ticket_is("2026-12", 12, 30, "2026124412030");
    ticket_is("2027-01", 99, 999, "2027014499999");
    /* different rooms or seats of a batch give different tickets */
    char a[16], b[16], c[16];
    certrules_ticket("2026-03", 1, 2, a);
    certrules_ticket("2026-03", 2, 1, b);
    certrules_ticket("2026-04", 1, 2, c);
    assert_string_not_equal(a, b);
    assert_string_not_equal(a, c);
}

/* ---- certificate numbers: S ‖ body(4) ‖ 44 ‖ site(6) ‖ YY ‖ level ‖ serial(6) ----- */

static void cert_shape(const char *n, const char *body, const char *site, const char *yy, int level, int serial)
{
    assert_int_equal(strlen(n), 22);
    assert_int_equal(n[0], 'S');
    assert_memory_equal(n + 1, body, 4);
    assert_memory_equal(n + 5, "44", 2);
    assert_memory_equal(n + 7, site, 6);
    assert_memory_equal(n + 13, yy, 2);
    assert_int_equal(n[15], '0' + level);
    char s[8];
    snprintf(s, sizeof s, "%06d", serial);
    assert_memory_equal(n + 16, s, 6);
    for (int i = 1; i < 22; i++)
        if (!isdigit((unsigned char)n[i])) fail_msg("certificate %s has a non-digit at %d", n, i);
}

static void test_certificate_format(void **state)
{
    (void)state;
    char n[23];
    memset(n, '#', sizeof n);
    assert_int_equal(certrules_certificate_number("0000", "440106", 2026, 4, 1, n), 0);
    assert_string_equal(n, "S000044440106264000001");
    cert_shape(n, "0000", "440106", "26", 4, 1);

    assert_int_equal(certrules_certificate_number("1234", "440300", 2027, 2, 345678, n), 0);
    assert_string_equal(n, "S123444440300272345678");
    cert_shape(n, "1234", "440300", "27", 2, 345678);

    assert_int_equal(certrules_certificate_number("0000", "000001", 2009, 1, 999999, n), 0);
    assert_string_equal(n, "S000044000001091999999");
    assert_int_equal(certrules_certificate_number("0000", "440106", 2030, 3, 42, n), 0);
    cert_shape(n, "0000", "440106", "30", 3, 42);
}

static void test_certificate_unique(void **state)
{
    (void)state;
    /* every serial, level, year and site gives its own number */
    static char seen[4 * 3 * 50][23];
    int k = 0;
    static const char *const SITES[] = {"440106", "440300", "441900"};
    for (int level = 1; level <= 4; level++)
        for (int s = 0; s < 3; s++)
            for (int serial = 1; serial <= 50; serial++) {
                assert_int_equal(certrules_certificate_number("0000", SITES[s], 2026, level, serial, seen[k]), 0);
                for (int j = 0; j < k; j++)
                    if (!strcmp(seen[j], seen[k])) fail_msg("certificate %s issued twice", seen[k]);
                k++;
            }
    char a[23], b[23];
    assert_int_equal(certrules_certificate_number("0000", "440106", 2026, 4, 7, a), 0);
    assert_int_equal(certrules_certificate_number("0000", "440106", 2027, 4, 7, b), 0);
    assert_string_not_equal(a, b);
}

static void test_certificate_bad_codes(void **state)
{
    (void)state;
    char n[23];
    /* body code: exactly 4 digits */
    assert_int_equal(certrules_certificate_number("000", "440106", 2026, 4, 1, n), -1);
    assert_int_equal(certrules_certificate_number("00000", "440106", 2026, 4, 1, n), -1);
    assert_int_equal(certrules_certificate_number("00A0", "440106", 2026, 4, 1, n), -1);
    assert_int_equal(certrules_certificate_number("", "440106", 2026, 4, 1, n), -1);
    assert_int_equal(certrules_certificate_number("-001", "440106", 2026, 4, 1, n), -1);
    /* site code: exactly 6 digits */
    assert_int_equal(certrules_certificate_number("0000", "44010", 2026, 4, 1, n), -1);
    assert_int_equal(certrules_certificate_number("0000", "4401066", 2026, 4, 1, n), -1);
    assert_int_equal(certrules_certificate_number("0000", "44O106", 2026, 4, 1, n), -1);
    assert_int_equal(certrules_certificate_number("0000", "44 106", 2026, 4, 1, n), -1);
    assert_int_equal(certrules_certificate_number("0000", "", 2026, 4, 1, n), -1);
    /* level: a single digit of the notice's levels */
    assert_int_equal(certrules_certificate_number("0000", "440106", 2026, 0, 1, n), -1);
    assert_int_equal(certrules_certificate_number("0000", "440106", 2026, 6, 1, n), -1);
    assert_int_equal(certrules_certificate_number("0000", "440106", 2026, -1, 1, n), -1);
    for (int level = 1; level <= 4; level++) assert_int_equal(certrules_certificate_number("0000", "440106", 2026, level, 1, n), 0);
}

static void test_certificate_serial_bounds(void **state)
{
    (void)state;
    char n[23];
    assert_int_equal(certrules_certificate_number("0000", "440106", 2026, 4, 0, n), -1);
    assert_int_equal(certrules_certificate_number("0000", "440106", 2026, 4, -1, n), -1);
    assert_int_equal(certrules_certificate_number("0000", "440106", 2026, 4, 1000000, n), -1);
    assert_int_equal(certrules_certificate_number("0000", "440106", 2026, 4, 1, n), 0);
    assert_string_equal(n + 16, "000001");
    assert_int_equal(certrules_certificate_number("0000", "440106", 2026, 4, 999999, n), 0);
    assert_string_equal(n + 16, "999999");
    assert_int_equal(strlen(n), 22);
}

/* ---- the pass rule (四(三)): theory and practical ≥ 60; levels 2, 1 also review ≥ 60 ---- */

static void test_pass_theory_practical(void **state)
{
    (void)state;
    for (int level = 1; level <= 4; level++) {
        int review = 600; /* enough for levels 2 and 1 */
        assert_true(certrules_passes(level, 600, 600, review));
        assert_true(certrules_passes(level, 1000, 1000, review));
        assert_false(certrules_passes(level, 599, 600, review));
        assert_false(certrules_passes(level, 600, 599, review));
        assert_false(certrules_passes(level, 599, 599, review));
        assert_false(certrules_passes(level, 0, 1000, review));
        assert_false(certrules_passes(level, 1000, 0, review));
    }
}

static void test_pass_review(void **state)
{
    (void)state;
    /* 二级/技师 and 一级/高级技师: 综合评审 ≥ 60 as well */
    for (int level = 1; level <= 2; level++) {
        assert_true(certrules_passes(level, 600, 600, 600));
        assert_true(certrules_passes(level, 900, 900, 1000));
        assert_false(certrules_passes(level, 600, 600, 599));
        assert_false(certrules_passes(level, 1000, 1000, 599));
        assert_false(certrules_passes(level, 1000, 1000, 0));
        assert_false(certrules_passes(level, 1000, 1000, -1)); /* no review score */
        assert_false(certrules_passes(level, 599, 1000, 1000));
    }
    /* 四级 and 三级 have no comprehensive review: it is ignored */
    for (int level = 3; level <= 4; level++) {
        assert_true(certrules_passes(level, 600, 600, 0));
        assert_true(certrules_passes(level, 600, 600, -1));
        assert_true(certrules_passes(level, 600, 600, 599));
        assert_false(certrules_passes(level, 599, 600, 1000));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fees),
        cmocka_unit_test(test_batch_cutoff),
        cmocka_unit_test(test_batch_refuses_bad_dates),
        cmocka_unit_test(test_date_valid),
        cmocka_unit_test(test_date_valid_digits_only),
        cmocka_unit_test(test_ticket),
        cmocka_unit_test(test_certificate_format),
        cmocka_unit_test(test_certificate_unique),
        cmocka_unit_test(test_certificate_bad_codes),
        cmocka_unit_test(test_certificate_serial_bounds),
        cmocka_unit_test(test_pass_theory_practical),
        cmocka_unit_test(test_pass_review),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
