/* receipt: signing and checking the hub's receipts (see receipt.h). */
#include "core/receipt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the signed message into MSG; 0 when RESULT_ID is too long to be one */
static size_t message(const char *result_id, char msg[64])
{
    int n = snprintf(msg, 64, "exam-receipt v1\n%s", result_id ? result_id : "");
    return n < 0 || n >= 64 ? 0 : (size_t)n;
}

void receipt_sign(const uint8_t sign_sk[crypto_sign_SECRETKEYBYTES], const char *result_id, char out[RECEIPT_HEX])
{
    uint8_t sig[crypto_sign_BYTES];
    char msg[64];
    size_t n = message(result_id, msg);
    if (!n) abort(); /* misuse: not a result id */
    crypto_sign_detached(sig, NULL, (const uint8_t *)msg, n, sign_sk);
    sodium_bin2hex(out, RECEIPT_HEX, sig, sizeof sig);
}

result_rc receipt_verify(const uint8_t hub_pk[crypto_sign_PUBLICKEYBYTES], const char *result_id, const char *hex)
{
    uint8_t sig[crypto_sign_BYTES];
    size_t got = 0;
    if (!hex || sodium_hex2bin(sig, sizeof sig, hex, strlen(hex), NULL, &got, NULL) || got != sizeof sig)
        return RESULT_BAD_SIGNATURE;
    char msg[64];
    size_t n = message(result_id, msg);
    if (!n) return RESULT_BAD_SIGNATURE;
    return crypto_sign_verify_detached(sig, (const uint8_t *)msg, n, hub_pk) ? RESULT_BAD_SIGNATURE : RESULT_OK;
}
