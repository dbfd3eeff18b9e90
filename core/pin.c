/* pin: the invigilator PIN's verifier and delays (see pin.h). */
#include "core/pin.h"

#include <sodium.h>
#include <string.h>

#define PIN_MAX_OPS 20ull
#define PIN_MAX_MEM (1ull << 30)

pin_cost pin_cost_default(void)
{
#ifdef EXAM_TEST_HOOKS
    pin_cost c = {1, 64u << 10};
#else
    pin_cost c = {12, 48u << 20};
#endif
    return c;
}

int pin_cost_ok(pin_cost c)
{
    return c.ops >= crypto_pwhash_OPSLIMIT_MIN && c.ops <= PIN_MAX_OPS && c.mem >= crypto_pwhash_MEMLIMIT_MIN &&
           (unsigned long long)c.mem <= PIN_MAX_MEM;
}

int pin_hash(const char *pin, const uint8_t key[PIN_KEY_BYTES], const uint8_t kiosk_salt[PIN_SALT_BYTES],
             const uint8_t unlock_salt[PIN_SALT_BYTES], pin_cost c, uint8_t out[PIN_HASH_BYTES])
{
    _Static_assert(PIN_SALT_BYTES == crypto_pwhash_SALTBYTES, "Argon2id takes a 16-byte salt");
    if (!pin_cost_ok(c)) return -1;
    crypto_generichash_state h;
    uint8_t salt[PIN_SALT_BYTES];
    crypto_generichash_init(&h, key, PIN_KEY_BYTES, sizeof salt);
    crypto_generichash_update(&h, (const uint8_t *)"exam-pin-v2", 11);
    crypto_generichash_update(&h, kiosk_salt, PIN_SALT_BYTES);
    crypto_generichash_update(&h, unlock_salt, PIN_SALT_BYTES);
    crypto_generichash_final(&h, salt, sizeof salt);
    sodium_memzero(&h, sizeof h);
    int rc = crypto_pwhash(out, PIN_HASH_BYTES, pin, strlen(pin), salt, c.ops, c.mem, crypto_pwhash_ALG_ARGON2ID13);
    sodium_memzero(salt, sizeof salt);
    if (rc != 0) sodium_memzero(out, PIN_HASH_BYTES);
    return rc == 0 ? 0 : -1;
}

int64_t pin_delay_ms(int fails)
{
    if (fails < PIN_FREE_TRIES) return 0;
    int64_t d = PIN_DELAY_FIRST_MS;
    for (int i = PIN_FREE_TRIES; i < fails && d < PIN_DELAY_CAP_MS; i++) d *= 2;
    return d < PIN_DELAY_CAP_MS ? d : PIN_DELAY_CAP_MS;
}
