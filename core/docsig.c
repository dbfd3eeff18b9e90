/* docsig: the signed code of printed tickets and certificates (see docsig.h). */
#include "core/docsig.h"

#include <stdio.h>
#include <string.h>

#include "core/b32.h"

_Static_assert(DOCSIG_SIG_DIGITS == (crypto_sign_BYTES * 8 + 4) / 5, "103 base32 digits hold a signature");

const char *docsig_prefix(docsig_kind kind) { return kind == DOCSIG_CERTIFICATE ? "EXC1" : "EXT1"; }

static int number_ok(const char *s, size_t n)
{
    if (n < 1 || n > DOCSIG_NUMBER_MAX) return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'Z'))) return 0;
    return 1;
}

int docsig_number_ok(const char *number) { return number && number_ok(number, strnlen(number, DOCSIG_NUMBER_MAX + 1)); }

/* the signed message into MSG: the domain, the kind and the number */
static size_t message(docsig_kind kind, const char *number, size_t n, char msg[64])
{
    int len = snprintf(msg, 64, "exam-print v1\n%s\n%.*s", docsig_prefix(kind), (int)n, number);
    return len < 0 || len >= 64 ? 0 : (size_t)len;
}

int docsig_make(const uint8_t sign_sk[crypto_sign_SECRETKEYBYTES], docsig_kind kind, const char *number,
                char out[DOCSIG_TEXT_MAX])
{
    out[0] = 0;
    if (!docsig_number_ok(number)) return -1;
    char msg[64];
    size_t n = message(kind, number, strlen(number), msg);
    uint8_t sig[crypto_sign_BYTES];
    crypto_sign_detached(sig, NULL, (const uint8_t *)msg, n, sign_sk);
    char b32[DOCSIG_SIG_DIGITS + 1];
    b32_encode(sig, sizeof sig, b32, sizeof b32);
    snprintf(out, DOCSIG_TEXT_MAX, "%s:%s:%s", docsig_prefix(kind), number, b32);
    return 0;
}

int docsig_check(const uint8_t hub_pk[crypto_sign_PUBLICKEYBYTES], const char *text, size_t len, docsig_kind *kind,
                 char number[DOCSIG_NUMBER_MAX + 1], const char **why)
{
    number[0] = 0;
    docsig_kind k;
    if (len >= 5 && !memcmp(text, "EXT1:", 5)) k = DOCSIG_TICKET;
    else if (len >= 5 && !memcmp(text, "EXC1:", 5)) k = DOCSIG_CERTIFICATE;
    else return *why = "not the code of an admission ticket or certificate (EXT1:... or EXC1:...)", -1;
    const char *num = text + 5, *colon = memchr(num, ':', len - 5);
    if (!colon) return *why = "no signature after the number", -1;
    size_t nlen = (size_t)(colon - num);
    if (!number_ok(num, nlen)) return *why = "the number is not 1-32 digits and upper-case letters", -1;
    const char *sig_txt = colon + 1;
    size_t slen = len - (size_t)(sig_txt - text);
    uint8_t sig[crypto_sign_BYTES];
    if (slen != DOCSIG_SIG_DIGITS || memchr(sig_txt, 0, slen) || b32_decode(sig_txt, sig, sizeof sig))
        return *why = "the signature is not 103 base32 digits", -1;
    char msg[64];
    size_t n = message(k, num, nlen, msg);
    if (!n || crypto_sign_verify_detached(sig, (const uint8_t *)msg, n, hub_pk))
        return *why = "the signature does not verify: not issued by this hub, or the code was altered", -1;
    memcpy(number, num, nlen);
    number[nlen] = 0;
    *kind = k;
    return 0;
}
