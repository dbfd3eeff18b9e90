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

/* ---- strength estimate (see releasecode.h) ---------------------------------- */

#define CONTEXT 4    /* characters a pattern must have held before it predicts */
#define MAX_PERIOD 9 /* longest repeated block looked for */

int releasecode_bits(const char norm[RELEASECODE_NORM_BYTES], const char **why)
{
    int v[RELEASECODE_DATA];
    for (int i = 0; i < RELEASECODE_DATA; i++) {
        v[i] = b32_value((unsigned char)norm[i]);
        if (v[i] < 0) v[i] = 0; /* not a normalised code: count as '0' */
    }
    int bits = 0, lost_repeat = 0, lost_step = 0, lost_block = 0;
    for (int i = 0; i < RELEASECODE_DATA; i++) {
        int step = 0, block = 0;
        if (i >= CONTEXT) { /* CONTEXT equal steps up to i */
            int d = (v[i] - v[i - 1] + 32) % 32;
            step = 1;
            for (int k = 1; k < CONTEXT && step; k++) step = (v[i - k] - v[i - k - 1] + 32) % 32 == d;
            if (step && d == 0) step = 2;
        }
        for (int p = 2; p <= MAX_PERIOD && !step && !block && i - (CONTEXT - 1) - p >= 0; p++) {
            block = 1;
            for (int k = 0; k < CONTEXT && block; k++) block = v[i - k] == v[i - k - p];
        }
        if (step == 2) lost_repeat += 5;
        else if (step) lost_step += 5;
        else if (block) lost_block += 5;
        else bits += 5;
    }
    if (why) {
        *why = NULL;
        if (lost_repeat && lost_repeat >= lost_step && lost_repeat >= lost_block) *why = "the same character repeated";
        else if (lost_step && lost_step >= lost_block) *why = "characters counting up or down in equal steps";
        else if (lost_block) *why = "a block of characters repeated";
    }
    sodium_memzero(v, sizeof v);
    return bits;
}

void releasecode_generate(char out[RELEASECODE_TEXT_BYTES])
{
    char norm[RELEASECODE_NORM_BYTES];
    do { /* about one draw in 2^25 is a pattern: drawn again */
        for (int i = 0; i < RELEASECODE_DATA; i++)
            norm[i] = b32_digit(randombytes_uniform(32));
        norm[RELEASECODE_DATA] = b32_digit((unsigned)check_value(norm, RELEASECODE_DATA));
        norm[RELEASECODE_CHARS] = 0;
    } while (releasecode_bits(norm, NULL) < RELEASECODE_MIN_BITS);
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
