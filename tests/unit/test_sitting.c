/* Unit tests for cert/sitting.c: which of a candidate's results counts for
 * one paper (README "The certification workflow", which sitting counts):
 * flags and voids, staff keeps, absences against real sittings, conflicts,
 * missing. Each case names the issue-11 finding it guards against. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cert/sitting.h"

static const sitting_entry SAT = {1, 0, SITTING_UNDECIDED}, ABS = {0, 0, SITTING_UNDECIDED};

static void expect(const sitting_entry *e, int n, sitting_outcome want, int want_chosen)
{
    int chosen = 99;
    sitting_outcome got = sitting_decide(e, n, &chosen);
    if (got != want || chosen != want_chosen)
        fail_msg("%d entries: %s (chosen %d), want %s (chosen %d)", n, sitting_outcome_name(got), chosen,
                 sitting_outcome_name(want), want_chosen);
}

static void test_missing(void **state)
{
    (void)state;
    /* issue 11.3: nothing received is missing, not absent */
    expect(NULL, 0, SITTING_MISSING, -1);
    sitting_entry flagged = SAT;
    flagged.flagged = 1;
    expect(&flagged, 1, SITTING_MISSING, -1);
    sitting_entry voided = ABS;
    voided.decision = SITTING_VOID;
    expect(&voided, 1, SITTING_MISSING, -1);
}

static void test_one_sitting(void **state)
{
    (void)state;
    expect(&SAT, 1, SITTING_SAT, 0);
    expect(&ABS, 1, SITTING_ABSENT, 0);
    sitting_entry two_abs[2] = {ABS, ABS};
    expect(two_abs, 2, SITTING_ABSENT, 0);
}

static void test_absence_never_overrides(void **state)
{
    (void)state;
    /* issue 11.2: an absence on any kiosk, before or after, leaves the sitting standing */
    sitting_entry after[2] = {SAT, ABS}, before[2] = {ABS, SAT}, around[3] = {ABS, SAT, ABS};
    expect(after, 2, SITTING_SAT, 0);
    expect(before, 2, SITTING_SAT, 1);
    expect(around, 3, SITTING_SAT, 1);
}

static void test_conflict(void **state)
{
    (void)state;
    /* issue 11.1: two real sittings: nobody's clock decides, staff do */
    sitting_entry two[2] = {SAT, SAT}, three[3] = {SAT, ABS, SAT};
    expect(two, 2, SITTING_CONFLICT, -1);
    expect(three, 3, SITTING_CONFLICT, -1);
    assert_true(sitting_contested(two, 2));
    assert_true(sitting_contested(three, 3));
    assert_false(sitting_contested(&SAT, 1));
    sitting_entry sat_abs[2] = {SAT, ABS};
    assert_false(sitting_contested(sat_abs, 2));
}

static void test_flag_does_not_count(void **state)
{
    (void)state;
    /* a flagged sitting neither counts nor makes a conflict */
    sitting_entry e[2] = {SAT, SAT};
    e[1].flagged = 1;
    expect(e, 2, SITTING_SAT, 0);
    assert_false(sitting_contested(e, 2));
    sitting_entry f[2] = {ABS, SAT};
    f[1].flagged = 1;
    expect(f, 2, SITTING_ABSENT, 0);
}

static void test_decisions(void **state)
{
    (void)state;
    sitting_entry e[2] = {SAT, SAT};
    e[1].decision = SITTING_KEEP; /* kept: wins over the other */
    expect(e, 2, SITTING_SAT, 1);
    assert_true(sitting_contested(e, 2)); /* still listed, as resolved */
    e[1].decision = SITTING_UNDECIDED;
    e[0].decision = SITTING_VOID; /* voided: as if not there */
    expect(e, 2, SITTING_SAT, 1);
    e[0].decision = SITTING_KEEP;
    e[1].decision = SITTING_KEEP; /* two kept: staff must still choose */
    expect(e, 2, SITTING_CONFLICT, -1);
    sitting_entry g[2] = {SAT, ABS};
    g[1].decision = SITTING_KEEP; /* staff keep the absence record (an impostor sat) */
    expect(g, 2, SITTING_ABSENT, 1);
    sitting_entry h[2] = {SAT, SAT};
    h[0].flagged = 1;
    h[0].decision = SITTING_KEEP; /* staff let a flagged result in */
    expect(h, 2, SITTING_SAT, 0);
    sitting_entry v[3] = {SAT, SAT, SAT};
    v[2].decision = SITTING_VOID; /* voiding one of three leaves a conflict */
    expect(v, 3, SITTING_CONFLICT, -1);
}

static void test_status(void **state)
{
    (void)state;
    assert_int_equal(sitting_status_real("submitted"), 1);
    assert_int_equal(sitting_status_real("timeout"), 1);
    assert_int_equal(sitting_status_real("forced"), 1);
    assert_int_equal(sitting_status_real("absent"), 0);
    assert_int_equal(sitting_status_real("Absent"), -1);
    assert_int_equal(sitting_status_real(""), -1);
    assert_string_equal(sitting_outcome_name(SITTING_MISSING), "missing");
    assert_string_equal(sitting_outcome_name(SITTING_CONFLICT), "conflict");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_missing),      cmocka_unit_test(test_one_sitting),         cmocka_unit_test(test_absence_never_overrides),
        cmocka_unit_test(test_conflict),     cmocka_unit_test(test_flag_does_not_count), cmocka_unit_test(test_decisions),
        cmocka_unit_test(test_status),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
