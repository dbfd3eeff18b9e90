/* Unit tests for core/pin.c: the invigilator PIN's verifier (Argon2id with
 * the kiosk's and the unlock's salt, keyed by the content key) and the
 * delays against guessing (issue 10). The unit tests link the test build,
 * whose default cost is low; the real cost is measured by make bench. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sodium.h>
#include <string.h>

#include "core/pin.h"

static const uint8_t KEY[PIN_KEY_BYTES] = {1, 2, 3};
static const uint8_t KSALT[PIN_SALT_BYTES] = {4, 5, 6};
static const uint8_t USALT[PIN_SALT_BYTES] = {7, 8, 9};

static void test_delays(void **state)
{
    (void)state;
    static const int64_t WANT[] = {0, 0, 0, 1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000};
    for (int f = 0; f < (int)(sizeof WANT / sizeof *WANT); f++)
        if (pin_delay_ms(f) != WANT[f]) fail_msg("pin_delay_ms(%d) = %lld, want %lld", f, (long long)pin_delay_ms(f),
                                                 (long long)WANT[f]);
    assert_int_equal(pin_delay_ms(1000000), PIN_DELAY_CAP_MS);
    assert_int_equal(pin_delay_ms(-1), 0);
    /* the 9th wrong PIN waits the cap; the 10th locks */
    assert_int_equal(PIN_FREE_TRIES, 3);
    assert_int_equal(PIN_LOCKOUT, 10);
}

static void test_costs(void **state)
{
    (void)state;
    pin_cost d = pin_cost_default();
    assert_true(pin_cost_ok(d));
    /* the test build's cost (EXAM_TEST_HOOKS); the shipped one is 12 passes over 48 MiB */
    assert_int_equal(d.ops, 1);
    assert_int_equal(d.mem, 64u << 10);
    assert_true(pin_cost_ok((pin_cost){12, 48u << 20}));
    assert_false(pin_cost_ok((pin_cost){0, 64u << 10}));
    assert_false(pin_cost_ok((pin_cost){1, 1024}));
    assert_false(pin_cost_ok((pin_cost){21, 64u << 10}));
    assert_false(pin_cost_ok((pin_cost){1, (size_t)2 << 30}));
    uint8_t out[PIN_HASH_BYTES];
    memset(out, 0xAA, sizeof out);
    assert_int_equal(pin_hash("123456", KEY, KSALT, USALT, (pin_cost){0, 0}, out), -1);
}

static void test_verifier(void **state)
{
    (void)state;
    pin_cost c = pin_cost_default();
    uint8_t a[PIN_HASH_BYTES], b[PIN_HASH_BYTES];
    assert_int_equal(pin_hash("918273645", KEY, KSALT, USALT, c, a), 0);
    assert_int_equal(pin_hash("918273645", KEY, KSALT, USALT, c, b), 0);
    assert_memory_equal(a, b, sizeof a); /* deterministic */
    /* it is Argon2id over the PIN with a salt from the content key and both salts */
    uint8_t salt[PIN_SALT_BYTES], want[PIN_HASH_BYTES];
    crypto_generichash_state h;
    crypto_generichash_init(&h, KEY, sizeof KEY, sizeof salt);
    crypto_generichash_update(&h, (const uint8_t *)"exam-pin-v2", 11);
    crypto_generichash_update(&h, KSALT, sizeof KSALT);
    crypto_generichash_update(&h, USALT, sizeof USALT);
    crypto_generichash_final(&h, salt, sizeof salt);
    assert_int_equal(crypto_pwhash(want, sizeof want, "918273645", 9, salt, c.ops, c.mem, crypto_pwhash_ALG_ARGON2ID13), 0);
    assert_memory_equal(a, want, sizeof a);
    /* every input matters: the PIN, the key, the kiosk's salt, the unlock's salt, the cost */
    uint8_t other[PIN_KEY_BYTES] = {9};
    assert_int_equal(pin_hash("918273646", KEY, KSALT, USALT, c, b), 0);
    assert_memory_not_equal(a, b, sizeof a);
    assert_int_equal(pin_hash("918273645", other, KSALT, USALT, c, b), 0);
    assert_memory_not_equal(a, b, sizeof a);
    assert_int_equal(pin_hash("918273645", KEY, other, USALT, c, b), 0);
    assert_memory_not_equal(a, b, sizeof a);
    assert_int_equal(pin_hash("918273645", KEY, KSALT, other, c, b), 0);
    assert_memory_not_equal(a, b, sizeof a);
    assert_int_equal(pin_hash("918273645", KEY, KSALT, USALT, (pin_cost){2, c.mem}, b), 0);
    assert_memory_not_equal(a, b, sizeof a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_delays),
        cmocka_unit_test(test_costs),
        cmocka_unit_test(test_verifier),
    };
    if (sodium_init() < 0) return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
