/* hello: the seat's signed hello, version 1 (see hello.h). */
#include "tools/room/hello.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fileio.h"
#include "core/result.h"

static int clean(const char *s, size_t max)
{
    if (!s || !*s || strlen(s) > max) return 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f) return 0;
    return 1;
}

char *hello_message(const hello_fields *h, char **why)
{
    if (!clean(h->kiosk_id, 16) || !clean(h->site, 127) || !clean(h->room, 32) || !clean(h->device_pk, 64) ||
        h->seat < 1 || h->seat > 999 || h->time < 0) {
        *why = fileio_fmt("hello fields must be non-empty text without control characters (kiosk_id ≤16, site ≤127, "
                          "room ≤32 bytes, seat 1-999)");
        return NULL;
    }
    char *m = fileio_fmt("%s\n%s\n%s\n%s\n%d\n%s\n%lld\n", HELLO_TAG, h->kiosk_id, h->site, h->room, h->seat,
                         h->device_pk, (long long)h->time);
    if (!m) *why = fileio_fmt("out of memory");
    return m;
}

int hello_sign(const hello_fields *h, const uint8_t sk[crypto_sign_SECRETKEYBYTES], char sig_hex[129], char **why)
{
    char *m = hello_message(h, why);
    if (!m) return -1;
    uint8_t sig[crypto_sign_BYTES];
    crypto_sign_detached(sig, NULL, (const unsigned char *)m, strlen(m), sk);
    free(m);
    sodium_bin2hex(sig_hex, 129, sig, sizeof sig);
    return 0;
}

int hello_verify(const hello_fields *h, const char *sig_hex, const char **why)
{
    uint8_t pk[crypto_sign_PUBLICKEYBYTES], sig[crypto_sign_BYTES];
    size_t n = 0;
    if (!h->device_pk || strlen(h->device_pk) != 64 ||
        sodium_hex2bin(pk, sizeof pk, h->device_pk, 64, NULL, &n, NULL) || n != sizeof pk)
        return *why = "device_pk must be 64 hex digits (an Ed25519 public key)", -1;
    if (!sig_hex || strlen(sig_hex) != 128 || sodium_hex2bin(sig, sizeof sig, sig_hex, 128, NULL, &n, NULL) ||
        n != sizeof sig)
        return *why = "sig must be 128 hex digits (an Ed25519 signature)", -1;
    char *ewhy = NULL;
    char *m = hello_message(h, &ewhy);
    if (!m) {
        free(ewhy);
        return *why = "bad hello fields: site, room, kiosk_id must be text without control characters, seat 1-999", -1;
    }
    int bad = crypto_sign_verify_detached(sig, (const unsigned char *)m, strlen(m), pk);
    free(m);
    if (bad) return *why = "bad signature: the hello is not signed by device_pk", -1;
    return 0;
}

int hello_id_matches(const char *kiosk_id, const char *device_pk_hex)
{
    uint8_t pk[crypto_sign_PUBLICKEYBYTES];
    size_t n = 0;
    if (!device_pk_hex || strlen(device_pk_hex) != 64 ||
        sodium_hex2bin(pk, sizeof pk, device_pk_hex, 64, NULL, &n, NULL) || n != sizeof pk)
        return 0;
    char kid[17];
    result_kiosk_id(pk, kid);
    return kiosk_id && !strcmp(kid, kiosk_id);
}
