/* libFuzzer target: the room console's sealed unlock (core/roomproto.c,
 * FORMAT.md §16): roomproto_unlock_open of the input as a sealed box, and
 * of the input sealed (crypto_box_seal) to a fixed seat key as the
 * plaintext, so that every input reaches the plaintext decoder. What opens
 * must seal and open again to the same fields; a refusal must say why and
 * leave the output zero.
 *
 * The seat key is derived from a fixed public label, so the seeds in
 * corpus/roomunlock/ (plaintexts, and boxes sealed once to it) reach the
 * decoder. It protects nothing. */
#include <sodium.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/roomproto.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t dev_pk[crypto_sign_PUBLICKEYBYTES], dev_sk[crypto_sign_SECRETKEYBYTES];
static uint8_t box_pk[crypto_box_PUBLICKEYBYTES];
static const uint8_t PACK[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (sodium_init() < 0) return 1;
    uint8_t seed[32];
    static const char label[] = "roomproto fuzzer public test device key";
    crypto_generichash(seed, sizeof seed, (const uint8_t *)label, sizeof label - 1, NULL, 0);
    crypto_sign_seed_keypair(dev_pk, dev_sk, seed);
    return crypto_sign_ed25519_pk_to_curve25519(box_pk, dev_pk) != 0;
}

static void check(const uint8_t *sealed, size_t len)
{
    roomproto_unlock u, again;
    const char *why = NULL;
    if (roomproto_unlock_open(sealed, len, dev_sk, PACK, &u, &why) != ROOMPROTO_OK) {
        if (!why || !sodium_is_zero((const uint8_t *)&u, sizeof u)) abort();
        return;
    }
    uint8_t box[ROOMPROTO_SEALED_BYTES];
    if (roomproto_unlock_seal(&u, dev_pk, box, &why) != ROOMPROTO_OK) abort();
    if (roomproto_unlock_open(box, sizeof box, dev_sk, PACK, &again, &why) != ROOMPROTO_OK) abort();
    if (memcmp(&u, &again, sizeof u)) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check(data, size);
    if (size <= ROOMPROTO_UNLOCK_PLAIN + 16) {
        /* the input as the plaintext (any length: a wrong one must be refused) */
        uint8_t *box = malloc(size + crypto_box_SEALBYTES);
        if (!box) return 0;
        if (crypto_box_seal(box, data, size, box_pk) == 0) check(box, size + crypto_box_SEALBYTES);
        free(box);
    }
    return 0;
}
