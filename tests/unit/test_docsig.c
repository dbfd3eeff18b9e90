/* Unit tests for core/docsig.c: the signed code of printed tickets and
 * certificates: what it signs, and every way a scanned code is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/docsig.h"

static uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
static uint8_t pk2[crypto_sign_PUBLICKEYBYTES], sk2[crypto_sign_SECRETKEYBYTES];

static int setup(void **state)
{
    (void)state;
    if (sodium_init() < 0) return -1;
    uint8_t seed[crypto_sign_SEEDBYTES];
    memset(seed, 7, sizeof seed);
    crypto_sign_seed_keypair(pk, sk, seed);
    memset(seed, 8, sizeof seed);
    crypto_sign_seed_keypair(pk2, sk2, seed);
    return 0;
}

static int check(const uint8_t *key, const char *text, docsig_kind *k, char *num, const char **why)
{
    return docsig_check(key, text, strlen(text), k, num, why);
}

static void test_round_trip_both_kinds(void **state)
{
    (void)state;
    char t[DOCSIG_TEXT_MAX], num[DOCSIG_NUMBER_MAX + 1];
    docsig_kind k = DOCSIG_TICKET;
    const char *why = NULL;
    assert_int_equal(docsig_make(sk, DOCSIG_CERTIFICATE, "S000044440106264000001", t), 0);
    assert_int_equal(strlen(t), 5 + 22 + 1 + 103);
    assert_memory_equal(t, "EXC1:S000044440106264000001:", 28);
    assert_int_equal(strspn(t, "0123456789ABCDEFGHJKMNPQRSTVWXYZ:"), strlen(t)); /* the QR code's alphanumeric set */
    assert_int_equal(check(pk, t, &k, num, &why), 0);
    assert_int_equal(k, DOCSIG_CERTIFICATE);
    assert_string_equal(num, "S000044440106264000001");
    assert_int_equal(docsig_make(sk, DOCSIG_TICKET, "2026034401001", t), 0);
    assert_memory_equal(t, "EXT1:2026034401001:", 19);
    assert_int_equal(check(pk, t, &k, num, &why), 0);
    assert_int_equal(k, DOCSIG_TICKET);
    assert_string_equal(num, "2026034401001");
    /* Ed25519 is deterministic: the same number, the same code */
    char t2[DOCSIG_TEXT_MAX];
    assert_int_equal(docsig_make(sk, DOCSIG_TICKET, "2026034401001", t2), 0);
    assert_string_equal(t, t2);
}

static void test_make_refuses_bad_numbers(void **state)
{
    (void)state;
    char t[DOCSIG_TEXT_MAX] = "x";
    assert_int_equal(docsig_make(sk, DOCSIG_TICKET, "", t), -1);
    assert_string_equal(t, "");
    assert_int_equal(docsig_make(sk, DOCSIG_TICKET, "2026:01", t), -1);
    assert_int_equal(docsig_make(sk, DOCSIG_TICKET, "s0001", t), -1);
    assert_int_equal(docsig_make(sk, DOCSIG_TICKET, "123456789012345678901234567890123", t), -1); /* 33 */
    assert_int_equal(docsig_make(sk, DOCSIG_TICKET, "12345678901234567890123456789012", t), 0);  /* 32 */
    assert_int_equal(docsig_make(sk, DOCSIG_TICKET, NULL, t), -1);
}

static void expect_refused(const uint8_t *key, const char *text, const char *reason_part)
{
    docsig_kind k;
    char num[DOCSIG_NUMBER_MAX + 1] = "x";
    const char *why = NULL;
    assert_int_equal(check(key, text, &k, num, &why), -1);
    assert_non_null(why);
    if (!strstr(why, reason_part)) fail_msg("'%s': reason '%s' lacks '%s'", text, why, reason_part);
    assert_string_equal(num, "");
}

static void test_tampering_is_refused(void **state)
{
    (void)state;
    char t[DOCSIG_TEXT_MAX], x[DOCSIG_TEXT_MAX + 8];
    assert_int_equal(docsig_make(sk, DOCSIG_CERTIFICATE, "S000044440106264000001", t), 0);
    expect_refused(pk2, t, "does not verify"); /* another hub */
    strcpy(x, t);
    x[25] = '2'; /* the serial changed */
    expect_refused(pk, x, "does not verify");
    strcpy(x, t);
    x[2] = 'T'; /* the certificate's signature on a ticket code */
    expect_refused(pk, x, "does not verify");
    strcpy(x, t);
    x[40] = x[40] == 'A' ? 'B' : 'A'; /* one signature digit */
    expect_refused(pk, x, "does not verify");
    strcpy(x, t);
    x[strlen(x) - 1] = 0; /* a digit short */
    expect_refused(pk, x, "103 base32 digits");
    snprintf(x, sizeof x, "%s0", t); /* a digit more */
    expect_refused(pk, x, "103 base32 digits");
    snprintf(x, sizeof x, "%s\n", t); /* anything around it: the caller trims what a scanner adds */
    expect_refused(pk, x, "103 base32 digits");
    strcpy(x, t);
    x[30] = 'U';
    expect_refused(pk, x, "103 base32 digits");
    expect_refused(pk, "", "not the code");
    expect_refused(pk, "EXC2:S0001:AAAA", "not the code");
    expect_refused(pk, "http://example.com/", "not the code");
    expect_refused(pk, "EXC1:S000044440106264000001", "no signature");
    expect_refused(pk, "EXC1::AAAA", "number");
    expect_refused(pk, "EXC1:s0001:AAAA", "number");
    expect_refused(pk, "EXC1:1234567890123456789012345678901234:AAAA", "number");
}

static void test_check_reads_only_len_bytes(void **state)
{
    (void)state;
    char t[DOCSIG_TEXT_MAX + 4], num[DOCSIG_NUMBER_MAX + 1];
    assert_int_equal(docsig_make(sk, DOCSIG_TICKET, "2026034401001", t), 0);
    size_t n = strlen(t);
    docsig_kind k;
    const char *why = NULL;
    memcpy(t + n, "XYZ", 4); /* bytes past LEN are never read */
    assert_int_equal(docsig_check(pk, t, n, &k, num, &why), 0);
    assert_int_equal(docsig_check(pk, t, n - 1, &k, num, &why), -1);
    assert_int_equal(docsig_check(pk, t, 4, &k, num, &why), -1);
    assert_int_equal(docsig_check(pk, t, 0, &k, num, &why), -1);
    /* a NUL inside the signature's bytes */
    t[n - 3] = 0;
    assert_int_equal(docsig_check(pk, t, n, &k, num, &why), -1);
    assert_non_null(strstr(why, "103 base32 digits"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_both_kinds),
        cmocka_unit_test(test_make_refuses_bad_numbers),
        cmocka_unit_test(test_tampering_is_refused),
        cmocka_unit_test(test_check_reads_only_len_bytes),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
