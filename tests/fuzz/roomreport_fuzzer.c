/* libFuzzer target: the room console's seat report (core/roomproto.c,
 * FORMAT.md §16): roomproto_report_verify of the input as it is, and of the
 * input's body signed again with a fixed device key so that every input
 * reaches the decoder behind the signature; roomproto_report_peek. A report
 * that decodes must encode again to exactly the same bytes (the layout is
 * canonical), and a refusal must say why and leave the output zero.
 *
 * The key pair is derived from a fixed public label, so the seeds in
 * corpus/roomreport/ (made once with the same key) verify as they are. It
 * protects nothing. */
#include <sodium.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/roomproto.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t dev_pk[crypto_sign_PUBLICKEYBYTES], dev_sk[crypto_sign_SECRETKEYBYTES];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (sodium_init() < 0) return 1;
    uint8_t seed[32];
    static const char label[] = "roomproto fuzzer public test device key";
    crypto_generichash(seed, sizeof seed, (const uint8_t *)label, sizeof label - 1, NULL, 0);
    crypto_sign_seed_keypair(dev_pk, dev_sk, seed);
    return 0;
}

static void check(const uint8_t *buf, size_t len, int peek)
{
    roomproto_report r;
    const char *why = NULL;
    roomproto_rc rc = peek ? roomproto_report_peek(buf, len, &r, &why) : roomproto_report_verify(buf, len, dev_pk, &r, &why);
    if (rc != ROOMPROTO_OK) {
        if (!why || !sodium_is_zero((const uint8_t *)&r, sizeof r)) abort();
        return;
    }
    uint8_t again[ROOMPROTO_REPORT_MAX];
    size_t n = 0;
    if (roomproto_report_sign(&r, dev_sk, again, &n, &why) != ROOMPROTO_OK) abort();
    /* the body is the same; the signature too when the key is ours */
    if (n != len || memcmp(again, buf, len - (peek ? crypto_sign_BYTES : 0))) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check(data, size, 0);
    check(data, size, 1);
    if (size >= crypto_sign_BYTES && size <= ROOMPROTO_REPORT_MAX) {
        uint8_t *b = malloc(size);
        if (!b) return 0;
        memcpy(b, data, size);
        crypto_sign_detached(b + size - crypto_sign_BYTES, NULL, b, size - crypto_sign_BYTES, dev_sk);
        check(b, size, 0);
        free(b);
    }
    return 0;
}
