/* Unit tests for core/dynbuf.c: growth, the size limit, printf, take. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define ALLOC_API_ONLY /* arm the counting allocator; this file itself calls libc */
#include "core/alloc.h"
#include "core/dynbuf.h"

static void test_empty(void **state)
{
    (void)state;
    dynbuf b;
    dynbuf_init(&b, 100);
    assert_string_equal(dynbuf_ptr(&b), "");
    assert_int_equal(dynbuf_len(&b), 0);
    size_t n = 7;
    assert_null(dynbuf_take(&b, &n));
    assert_int_equal(n, 0);
    dynbuf_free(&b);
}

static void test_append_and_grow(void **state)
{
    (void)state;
    dynbuf b;
    dynbuf_init(&b, 1 << 20);
    for (int i = 0; i < 1000; i++) assert_int_equal(dynbuf_add(&b, "abc", 3), DYNBUF_OK);
    assert_int_equal(dynbuf_len(&b), 3000);
    assert_int_equal(strlen(dynbuf_ptr(&b)), 3000);
    assert_memory_equal(dynbuf_ptr(&b) + 2997, "abc", 4);
    assert_int_equal(dynbuf_addstr(&b, "!"), DYNBUF_OK);
    assert_int_equal(dynbuf_printf(&b, "%d-%s", 42, "x"), DYNBUF_OK);
    assert_string_equal(dynbuf_ptr(&b) + 3000, "!42-x");
    dynbuf_reset(&b);
    assert_string_equal(dynbuf_ptr(&b), "");
    assert_int_equal(dynbuf_add(&b, "z", 1), DYNBUF_OK);
    size_t n = 0;
    char *p = dynbuf_take(&b, &n);
    assert_int_equal(n, 1);
    assert_string_equal(p, "z");
    free(p);
    assert_int_equal(dynbuf_len(&b), 0);
    dynbuf_free(&b);
}

/* the limit is the largest length: reaching it is fine, passing it fails and
 * leaves the buffer empty */
static void test_limit(void **state)
{
    (void)state;
    dynbuf b;
    dynbuf_init(&b, 10);
    assert_int_equal(dynbuf_add(&b, "0123456789", 10), DYNBUF_OK);
    assert_int_equal(dynbuf_add(&b, "", 0), DYNBUF_OK);
    assert_int_equal(dynbuf_add(&b, "x", 1), DYNBUF_TOO_BIG);
    assert_int_equal(dynbuf_len(&b), 0);
    assert_string_equal(dynbuf_ptr(&b), "");
    /* reusable with the same limit */
    assert_int_equal(dynbuf_addstr(&b, "abc"), DYNBUF_OK);
    assert_int_equal(dynbuf_add(&b, "x", SIZE_MAX), DYNBUF_TOO_BIG); /* no overflow */
    dynbuf_free(&b);
}

static void test_printf_long_and_limit(void **state)
{
    (void)state;
    dynbuf b;
    dynbuf_init(&b, 1000);
    char big[601];
    memset(big, 'q', 600);
    big[600] = 0;
    assert_int_equal(dynbuf_printf(&b, "<%s>", big), DYNBUF_OK); /* past the stack buffer */
    assert_int_equal(dynbuf_len(&b), 602);
    assert_int_equal(dynbuf_ptr(&b)[601], '>');
    assert_int_equal(dynbuf_printf(&b, "%s", big), DYNBUF_TOO_BIG);
    assert_int_equal(dynbuf_len(&b), 0);
    assert_int_equal(dynbuf_printf(&b, "%0999d", 1), DYNBUF_OK);
    assert_int_equal(dynbuf_printf(&b, "%d", 12), DYNBUF_TOO_BIG);
    dynbuf_free(&b);
    assert_string_equal(dynbuf_strerror(DYNBUF_TOO_BIG), "text too long");
}

/* out of memory (the counting allocator of test builds): the append fails,
 * the buffer is left empty and stays usable */
static void test_out_of_memory(void **state)
{
    (void)state;
    dynbuf b;
    dynbuf_init(&b, 1 << 20);
    assert_int_equal(dynbuf_addstr(&b, "abc"), DYNBUF_OK);
    char big[100];
    memset(big, 'x', sizeof big);
    alloc_fail_at(1); /* growing past the first 32 bytes */
    assert_int_equal(dynbuf_add(&b, big, sizeof big), DYNBUF_NOMEM);
    assert_true(alloc_failed());
    alloc_fail_at(0);
    assert_int_equal(dynbuf_len(&b), 0);
    assert_string_equal(dynbuf_ptr(&b), "");
    char s[600];
    memset(s, 'q', sizeof s - 1);
    s[sizeof s - 1] = 0;
    alloc_fail_at(1); /* printf's own buffer for a text past its stack buffer */
    assert_int_equal(dynbuf_printf(&b, "%s", s), DYNBUF_NOMEM);
    assert_true(alloc_failed());
    alloc_fail_at(0);
    assert_int_equal(dynbuf_len(&b), 0);
    assert_null(dynbuf_take(&b, NULL));
    assert_int_equal(dynbuf_addstr(&b, "ok"), DYNBUF_OK);
    assert_string_equal(dynbuf_ptr(&b), "ok");
    dynbuf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_append_and_grow),
        cmocka_unit_test(test_limit),
        cmocka_unit_test(test_printf_long_and_limit),
        cmocka_unit_test(test_out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
