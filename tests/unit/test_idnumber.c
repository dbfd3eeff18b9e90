/* Unit tests for core/idnumber.c: the GB 11643-1999 check character (ISO 7064
 * MOD 11-2), validity and the normalisation of a typed x. Moved here from
 * test_roster.c with the code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/idnumber.h"

/* ---- helpers ------------------------------------------------------------- */

/* GB 11643-1999 check character for the 17 digits of PREFIX, computed here
 * independently of the code under test. */
static char id_check(const char *prefix)
{
    static const int W[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    for (int i = 0; i < 17; i++) sum += (prefix[i] - '0') * W[i];
    /* ISO 7064 MOD 11-2: (12 - sum mod 11) mod 11, 10 written as X */
    int v = (12 - sum % 11) % 11;
    return v == 10 ? 'X' : (char)('0' + v);
}

static void make_id(const char *prefix, char out[19])
{
    assert_int_equal(strlen(prefix), 17);
    memcpy(out, prefix, 17);
    out[17] = id_check(prefix);
    out[18] = 0;
}

/* A valid ID ending in X, found by varying the sequence digits of BASE (15 digits). */
static void make_x_id(const char *base15, char out[19])
{
    char prefix[18];
    for (int k = 0; k < 100; k++) {
        snprintf(prefix, sizeof prefix, "%.15s%02d", base15, k);
        if (id_check(prefix) == 'X') {
            make_id(prefix, out);
            return;
        }
    }
    fail_msg("no X check digit found for %s", base15);
}

static char ID1[19], ID2X[19], ID3[19], ID4[19], ID5X[19];

static int group_setup(void **state)
{
    (void)state;
    make_id("11010519491231002", ID2X); /* the textbook example, check digit X */
    if (ID2X[17] != 'X') return -1;
    make_id("44010619900101123", ID1);
    make_id("44030419851212456", ID3);
    make_id("31011519780704321", ID4);
    make_x_id("440106199203150", ID5X);
    if (ID1[17] == 'X' || ID3[17] == 'X' || ID4[17] == 'X') return -1;
    return 0;
}

static char *lower_x(const char *id)
{
    static char buf[4][19];
    static int k;
    char *b = buf[k++ % 4];
    snprintf(b, 19, "%s", id);
    if (b[17] == 'X') b[17] = 'x';
    return b;
}

/* ---- idnumber_valid -------------------------------------------------------- */

static void test_id_valid(void **state)
{
    (void)state;
    assert_true(idnumber_valid(ID1));
    assert_true(idnumber_valid(ID3));
    assert_true(idnumber_valid(ID4));
    assert_true(idnumber_valid(ID2X));
    assert_true(idnumber_valid("11010519491231002X"));
    assert_true(idnumber_valid("11010519491231002x")); /* lower-case x */
    assert_true(idnumber_valid(ID5X));
    assert_true(idnumber_valid(lower_x(ID5X)));
    /* many computed IDs, covering every check value */
    int seen[11] = {0};
    for (int k = 0; k < 2000; k++) {
        char prefix[18], id[19];
        snprintf(prefix, sizeof prefix, "4401%02d19%02d%02d%02d%03d", k % 100, 50 + k % 50, 1 + k % 12, 1 + k % 28,
                 k % 1000);
        make_id(prefix, id);
        seen[id[17] == 'X' ? 10 : id[17] - '0']++;
        if (!idnumber_valid(id)) fail_msg("valid ID %s rejected", id);
    }
    for (int v = 0; v < 11; v++) assert_true(seen[v] > 0);
}

static void test_id_invalid(void **state)
{
    (void)state;
    /* every wrong check character */
    const char *ids[] = {ID1, ID2X, ID3, ID4, ID5X};
    for (size_t i = 0; i < sizeof ids / sizeof *ids; i++) {
        for (const char *c = "0123456789Xx"; *c; c++) {
            char id[19];
            memcpy(id, ids[i], 19);
            if (*c == id[17] || (*c == 'x' && id[17] == 'X')) continue;
            id[17] = *c;
            if (idnumber_valid(id)) fail_msg("ID %s with wrong check character accepted", id);
        }
    }
    /* a single changed digit in the body */
    for (int pos = 0; pos < 17; pos++) {
        char id[19];
        memcpy(id, ID1, 19);
        id[pos] = (char)('0' + (id[pos] - '0' + 1) % 10);
        if (idnumber_valid(id)) fail_msg("ID %s with a changed digit accepted", id);
    }
    char buf[32];
    snprintf(buf, sizeof buf, "%.17s", ID1); /* 17 characters */
    assert_false(idnumber_valid(buf));
    snprintf(buf, sizeof buf, "%s0", ID1); /* 19 characters */
    assert_false(idnumber_valid(buf));
    snprintf(buf, sizeof buf, " %s", ID1);
    assert_false(idnumber_valid(buf));
    assert_false(idnumber_valid(""));
    assert_false(idnumber_valid("ABCDEFGHIJKLMNOPQR"));
    assert_false(idnumber_valid("1101051949123100AX")); /* letter in the body */
    assert_false(idnumber_valid("X10105194912310021"));
    assert_false(idnumber_valid("11010519491231002Y"));
    assert_false(idnumber_valid("１１０１０５１９４９１２３１００２Ｘ")); /* full-width */
}

/* ---- idnumber_check_char ------------------------------------------------- */

static void test_check_char(void **state)
{
    (void)state;
    assert_int_equal(idnumber_check_char("11010519491231002"), 'X');
    assert_int_equal(idnumber_check_char(ID1), ID1[17]); /* reads only 17 characters */
    for (int k = 0; k < 500; k++) {
        char prefix[18];
        snprintf(prefix, sizeof prefix, "3101%02d19%02d%02d%02d%03d", k % 100, 60 + k % 40, 1 + k % 12, 1 + k % 28, k);
        if (idnumber_check_char(prefix) != id_check(prefix)) fail_msg("wrong check character for %s", prefix);
    }
    assert_int_equal(idnumber_check_char("1101051949123100A"), 0);
    assert_int_equal(idnumber_check_char("1101051949123100"), 0); /* 16 digits: the NUL is not a digit */
    assert_int_equal(idnumber_check_char(" 1010519491231002"), 0);
}

/* ---- idnumber_normalise ------------------------------------------------------ */

static void test_normalise(void **state)
{
    (void)state;
    char id[19];
    snprintf(id, sizeof id, "%s", lower_x(ID5X));
    assert_int_equal(id[17], 'x');
    idnumber_normalise(id);
    assert_string_equal(id, ID5X);
    assert_true(idnumber_valid(id));
    snprintf(id, sizeof id, "%s", ID1);
    idnumber_normalise(id); /* nothing to change */
    assert_string_equal(id, ID1);
    char s[8] = "x1x";
    idnumber_normalise(s);
    assert_string_equal(s, "X1X");
    char e[1] = "";
    idnumber_normalise(e);
    assert_string_equal(e, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_id_valid),
        cmocka_unit_test(test_id_invalid),
        cmocka_unit_test(test_check_char),
        cmocka_unit_test(test_normalise),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
