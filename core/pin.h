/* pin: the invigilator PIN's verifier and the rules against guessing it.
 *
 * Verifier (FORMAT.md §5, "The invigilator PIN"):
 *   salt     = BLAKE2b-128(key = the pack's content key,
 *                          "exam-pin-v2" ‖ kiosk salt ‖ unlock salt)
 *   verifier = Argon2id v1.3(PIN, salt, ops, mem) → 32 bytes
 * The kiosk salt is random per kiosk (kiosk.db meta pin_salt), the unlock
 * salt random per unlock (unlock row); ops and mem are stored with the
 * verifier, so a row is checked with the cost it was made with. A copy of
 * kiosk.db alone does not give the content key (that needs the release
 * code); with the release code, every guess costs one Argon2id run.
 *
 * Guessing at the keyboard (pin_delay_ms): the first PIN_FREE_TRIES wrong
 * PINs in a row cost nothing; each further one makes the next try wait 1 s,
 * 2 s, 4 s, … doubling up to PIN_DELAY_CAP_MS; the PIN_LOCKOUT-th wrong PIN
 * in a row locks PIN entry until the release code is typed. */
#ifndef PIN_H
#define PIN_H

#include <stddef.h>
#include <stdint.h>

#define PIN_SALT_BYTES 16
#define PIN_HASH_BYTES 32
#define PIN_KEY_BYTES 32

#define PIN_FREE_TRIES 3          /* wrong PINs in a row before the first delay */
#define PIN_LOCKOUT 10            /* wrong PINs in a row that lock PIN entry */
#define PIN_DELAY_FIRST_MS 1000
#define PIN_DELAY_CAP_MS 60000    /* the doubling stops here */

/* Argon2id cost of a verifier. */
typedef struct pin_cost {
    unsigned long long ops;
    size_t mem; /* bytes */
} pin_cost;

/* The cost new verifiers are made with: 12 passes over 48 MiB, about 0.3 s
 * on the reference machine (FORMAT.md §5; make bench measures it). 48 MiB
 * rather than more keeps the kiosk's peak memory under its 150 MB target
 * (the memory is taken only during a check). The test build (EXAM_TEST_HOOKS)
 * uses 1 pass over 64 KiB so the unit and scripted tests stay fast; the
 * shipped kiosk always uses the real cost. */
pin_cost pin_cost_default(void);

/* 1 when C is a cost a verifier may have been made with (within
 * libsodium's Argon2id limits and at most 20 passes over 1 GiB, so an edited
 * row cannot stall the kiosk); 0 otherwise. */
int pin_cost_ok(pin_cost c);

/* The verifier of PIN (OUT). Everything derived on the way is wiped.
 * Returns 0, or -1 when C is out of range or the memory for the KDF cannot
 * be had. */
int pin_hash(const char *pin, const uint8_t key[PIN_KEY_BYTES], const uint8_t kiosk_salt[PIN_SALT_BYTES],
             const uint8_t unlock_salt[PIN_SALT_BYTES], pin_cost c, uint8_t out[PIN_HASH_BYTES])
    __attribute__((warn_unused_result));

/* How long PIN entry waits after FAILS wrong PINs in a row: 0 for fewer
 * than PIN_FREE_TRIES, then 1 s, 2 s, 4 s, … capped at PIN_DELAY_CAP_MS.
 * (From PIN_LOCKOUT on, entry is locked instead.) */
int64_t pin_delay_ms(int fails);

#endif
