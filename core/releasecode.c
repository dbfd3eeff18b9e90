/* releasecode: generation, normalisation and check character. */
#include "core/releasecode.h"

#include "core/b32.h"

#include <sodium.h>
#include <string.h>

/* Luhn mod N over the data characters: detects every single-character error
 * and most transpositions of neighbours. */
static int check_value(const char *data, size_t n)
{
    int factor = 2, sum = 0;
    for (size_t i = n; i-- > 0;) {
        int addend = factor * b32_value((unsigned char)data[i]);
        factor = factor == 2 ? 1 : 2;
        addend = addend / 32 + addend % 32;
        sum += addend;
    }
    return (32 - sum % 32) % 32;
}

void releasecode_generate(char out[RELEASECODE_TEXT_BYTES])
{
    char norm[RELEASECODE_NORM_BYTES];
    for (int i = 0; i < RELEASECODE_DATA; i++)
        norm[i] = b32_digit(randombytes_uniform(32));
    norm[RELEASECODE_DATA] = b32_digit((unsigned)check_value(norm, RELEASECODE_DATA));
    norm[RELEASECODE_CHARS] = 0;
    releasecode_format(norm, out);
    sodium_memzero(norm, sizeof norm);
}

void releasecode_format(const char norm[RELEASECODE_NORM_BYTES], char out[RELEASECODE_TEXT_BYTES])
{
    size_t o = 0;
    for (int i = 0; i < RELEASECODE_CHARS; i++) {
        if (i && i % 4 == 0) out[o++] = '-';
        out[o++] = norm[i];
    }
    out[o] = 0;
}

releasecode_rc releasecode_normalize(const char *in, char out[RELEASECODE_NORM_BYTES])
{
    size_t n = 0;
    releasecode_rc rc = RELEASECODE_OK;
    memset(out, 0, RELEASECODE_NORM_BYTES);
    for (const unsigned char *p = (const unsigned char *)in; *p; p++) {
        if (*p == ' ' || *p == '-' || *p == '\t') continue;
        int v = b32_value(*p); /* folds case, O→0, I/L→1 */
        if (v < 0) { rc = RELEASECODE_BADCHAR; goto fail; }
        if (n >= RELEASECODE_CHARS) { rc = RELEASECODE_LENGTH; goto fail; }
        out[n++] = b32_digit((unsigned)v);
    }
    if (n != RELEASECODE_CHARS) { rc = RELEASECODE_LENGTH; goto fail; }
    if (b32_digit((unsigned)check_value(out, RELEASECODE_DATA)) != out[RELEASECODE_DATA]) {
        rc = RELEASECODE_CHECK;
        goto fail;
    }
    return RELEASECODE_OK;
fail:
    sodium_memzero(out, RELEASECODE_NORM_BYTES);
    return rc;
}

const char *releasecode_strerror(releasecode_rc rc)
{
    switch (rc) {
    case RELEASECODE_OK: return "ok";
    case RELEASECODE_BADCHAR: return "release code contains a character that is not allowed";
    case RELEASECODE_LENGTH: return "release code must have 20 characters (5 groups of 4)";
    case RELEASECODE_CHECK: return "release code mistyped (check character does not match)";
    }
    return "unknown error";
}
