/* Unit tests for core/b32.c: Crockford base32 digits, values, encoding, decoding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/b32.h"

static void test_alphabet_has_no_ambiguous_letters(void **state)
{
    (void)state;
    assert_int_equal(strlen(B32_ALPHABET), 32);
    assert_null(strpbrk(B32_ALPHABET, "ILOU"));
    for (unsigned v = 0; v < 32; v++) assert_int_equal(b32_value((unsigned char)b32_digit(v)), (int)v);
    assert_int_equal(b32_digit(32 + 7), '7'); /* only the low 5 bits */
}

static void test_value_folds_typing(void **state)
{
    (void)state;
    assert_int_equal(b32_value('o'), 0);
    assert_int_equal(b32_value('O'), 0);
    assert_int_equal(b32_value('i'), 1);
    assert_int_equal(b32_value('L'), 1);
    assert_int_equal(b32_value('z'), 31);
    assert_int_equal(b32_value('U'), -1);
    assert_int_equal(b32_value('-'), -1);
    assert_int_equal(b32_value(0), -1);
    assert_int_equal(b32_value(0xC3), -1);
}

static void test_encode_known_vectors(void **state)
{
    (void)state;
    char out[64];
    /* 40 bits: 8 digits exactly (the receipt number's shape) */
    const uint8_t five[5] = {0x00, 0x44, 0x32, 0x14, 0xC7};
    assert_int_equal(b32_encode(five, 5, out, sizeof out), 8);
    assert_string_equal(out, "01234567");
    const uint8_t ff[5] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    assert_int_equal(b32_encode(ff, 5, out, sizeof out), 8);
    assert_string_equal(out, "ZZZZZZZZ");
    /* 160 bits: 32 digits (the enrolment token's shape) */
    uint8_t twenty[20];
    memset(twenty, 0, sizeof twenty);
    assert_int_equal(b32_encode(twenty, sizeof twenty, out, sizeof out), 32);
    assert_string_equal(out, "00000000000000000000000000000000");
    /* partial last digit is zero-padded on the right: 0x80 = 10000|000 */
    const uint8_t one[1] = {0x80};
    assert_int_equal(b32_encode(one, 1, out, sizeof out), 2);
    assert_string_equal(out, "G0");
    assert_int_equal(b32_encode(NULL, 0, out, sizeof out), 0);
    assert_string_equal(out, "");
}

/* the bit stream decodes back to the input */
static void test_encode_round_trip(void **state)
{
    (void)state;
    uint8_t in[20];
    for (int i = 0; i < 20; i++) in[i] = (uint8_t)(i * 37 + 11);
    char out[40];
    assert_int_equal(b32_encode(in, sizeof in, out, sizeof out), 32);
    uint8_t back[20];
    assert_int_equal(b32_decode(out, back, sizeof back), 0);
    assert_memory_equal(back, in, sizeof in);
    /* a 64-byte signature: 103 digits, 3 padding bits */
    uint8_t sig[64], sback[64];
    for (int i = 0; i < 64; i++) sig[i] = (uint8_t)(255 - i * 7);
    char sout[110];
    assert_int_equal(b32_encode(sig, sizeof sig, sout, sizeof sout), 103);
    assert_int_equal(b32_decode(sout, sback, sizeof sback), 0);
    assert_memory_equal(sback, sig, sizeof sig);
}

static void test_decode_refuses_bad_digits(void **state)
{
    (void)state;
    uint8_t b[5];
    assert_int_equal(b32_decode("01234567", b, 5), 0);
    const uint8_t five[5] = {0x00, 0x44, 0x32, 0x14, 0xC7};
    assert_memory_equal(b, five, 5);
    assert_int_equal(b32_decode("o1234567", b, 5), 0); /* typed: o is 0 */
    assert_memory_equal(b, five, 5);
    assert_int_equal(b32_decode("0123456", b, 5), -1); /* short */
    assert_int_equal(b32_decode("0123U567", b, 5), -1); /* U is no digit */
    assert_int_equal(b32_decode("012-4567", b, 5), -1);
    uint8_t one[1];
    assert_int_equal(b32_decode("G0", one, 1), 0);
    assert_int_equal(one[0], 0x80);
    assert_int_equal(b32_decode("G1", one, 1), -1); /* padding bit set: a second spelling of 0x80 */
}

static void test_encode_refuses_small_output(void **state)
{
    (void)state;
    const uint8_t five[5] = {1, 2, 3, 4, 5};
    char out[8] = "xxxxxxx";
    assert_int_equal(b32_encode(five, 5, out, sizeof out), 0); /* needs 9 */
    assert_string_equal(out, "");
    assert_int_equal(b32_encoded_len(5), 8);
    assert_int_equal(b32_encoded_len(20), 32);
    assert_int_equal(b32_encoded_len(1), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alphabet_has_no_ambiguous_letters),
        cmocka_unit_test(test_value_folds_typing),
        cmocka_unit_test(test_encode_known_vectors),
        cmocka_unit_test(test_encode_round_trip),
        cmocka_unit_test(test_decode_refuses_bad_digits),
        cmocka_unit_test(test_encode_refuses_small_output),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
