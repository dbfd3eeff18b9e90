/* libFuzzer target: the scanned code of a printed ticket or certificate
 * (docsig.c, b32_decode): whatever a QR reader hands over is refused with a
 * reason or verified, never read past its length. The key is fixed (seed of
 * 7s), so the corpus's genuine codes verify and mutations of them reach the
 * signature check. */
#include <sodium.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/docsig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    static int ready;
    if (!ready) {
        if (sodium_init() < 0) abort();
        uint8_t seed[crypto_sign_SEEDBYTES];
        memset(seed, 7, sizeof seed);
        crypto_sign_seed_keypair(pk, sk, seed);
        ready = 1;
    }
    /* an exact-size copy, so that ASan sees any read past SIZE */
    char *text = malloc(size ? size : 1);
    if (!text) return 0;
    memcpy(text, data, size);
    docsig_kind kind;
    char number[DOCSIG_NUMBER_MAX + 1];
    const char *why = NULL;
    if (docsig_check(pk, text, size, &kind, number, &why) == 0) {
        /* a code that verifies is the one docsig_make gives for its number */
        char again[DOCSIG_TEXT_MAX];
        if (docsig_make(sk, kind, number, again) || strlen(again) != size) abort();
    } else if (!why || !*why)
        abort();
    free(text);
    return 0;
}
