/* releasecode: the code announced in the exam room that unlocks a pack.
 * 19 random Crockford base32 characters (95 bits) plus one Luhn mod 32
 * check character, printed in five groups of four: XXXX-XXXX-XXXX-XXXX-XXXC.
 * Entry ignores case, spaces and dashes and folds O→0, I/L→1, so a typo is
 * caught by the check character before the deliberately slow KDF runs. */
#ifndef RELEASECODE_H
#define RELEASECODE_H

#define RELEASECODE_DATA 19                 /* random characters */
#define RELEASECODE_CHARS (RELEASECODE_DATA + 1)
#define RELEASECODE_NORM_BYTES (RELEASECODE_CHARS + 1)      /* normalised + NUL */
#define RELEASECODE_TEXT_BYTES (RELEASECODE_CHARS + 4 + 1)  /* grouped + NUL */

typedef enum releasecode_rc {
    RELEASECODE_OK = 0,
    RELEASECODE_BADCHAR, /* a character outside Crockford base32 */
    RELEASECODE_LENGTH,  /* too few or too many characters */
    RELEASECODE_CHECK,   /* check character does not match: a typo */
} releasecode_rc;

/* Makes a new random code, written grouped into OUT. */
void releasecode_generate(char out[RELEASECODE_TEXT_BYTES]);

/* Normalises typed input into OUT (20 upper-case characters, no dashes) and
 * checks its check character. Does no slow work. */
releasecode_rc releasecode_normalize(const char *in, char out[RELEASECODE_NORM_BYTES])
    __attribute__((warn_unused_result));

/* Writes the grouped form of a normalised code. */
void releasecode_format(const char norm[RELEASECODE_NORM_BYTES], char out[RELEASECODE_TEXT_BYTES]);

const char *releasecode_strerror(releasecode_rc rc);

#endif
