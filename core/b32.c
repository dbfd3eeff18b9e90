/* b32: Crockford base32 digits, values and bit-stream encoding. */
#include "core/b32.h"

#include <string.h>

const char B32_ALPHABET[33] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

int b32_value(unsigned char c)
{
    if (c >= 'a' && c <= 'z') c = (unsigned char)(c - 'a' + 'A');
    if (c == 'O') c = '0';
    if (c == 'I' || c == 'L') c = '1';
    const char *p = c ? strchr(B32_ALPHABET, c) : NULL;
    return p ? (int)(p - B32_ALPHABET) : -1;
}

size_t b32_encode(const uint8_t *in, size_t n, char *out, size_t size)
{
    size_t len = b32_encoded_len(n);
    if (size < len + 1) {
        if (size) out[0] = 0;
        return 0;
    }
    unsigned acc = 0;
    int bits = 0;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        acc = (acc << 8 | in[i]) & 0xFFFu; /* at most 4 + 8 live bits */
        bits += 8;
        while (bits >= 5) {
            out[o++] = b32_digit(acc >> (bits - 5));
            bits -= 5;
        }
    }
    if (bits) out[o++] = b32_digit(acc << (5 - bits));
    out[o] = 0;
    return o;
}

int b32_decode(const char *in, uint8_t *out, size_t n)
{
    size_t len = b32_encoded_len(n), o = 0;
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < len; i++) {
        int v = in[i] ? b32_value((unsigned char)in[i]) : -1; /* a NUL ends IN early */
        if (v < 0) return -1;
        acc = (acc << 5 | (unsigned)v) & 0x1FFFu; /* at most 7 + 5 live bits */
        bits += 5;
        if (bits >= 8) {
            out[o++] = (uint8_t)(acc >> (bits - 8));
            bits -= 8;
        }
    }
    return acc & ((1u << bits) - 1) ? -1 : 0; /* the padding bits of the last digit are zero */
}
