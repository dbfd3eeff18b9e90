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
