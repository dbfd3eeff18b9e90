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

/* Makes a new random code, written grouped into OUT; it always reaches
 * RELEASECODE_MIN_BITS (releasecode_bits). */
void releasecode_generate(char out[RELEASECODE_TEXT_BYTES]);

/* Normalises typed input into OUT (20 upper-case characters, no dashes) and
 * checks its check character. Does no slow work. */
releasecode_rc releasecode_normalize(const char *in, char out[RELEASECODE_NORM_BYTES])
    __attribute__((warn_unused_result));

/* Writes the grouped form of a normalised code. */
void releasecode_format(const char norm[RELEASECODE_NORM_BYTES], char out[RELEASECODE_TEXT_BYTES]);

const char *releasecode_strerror(releasecode_rc rc);

/* ---- strength of a code given by hand ----
 * A code typed in by a person (exampack build --release-code) may be a
 * pattern. releasecode_bits estimates the random-looking bits of the 19 data
 * characters of a normalised code (the check character is ignored), as
 * follows (deterministic, FORMAT.md §5): every character counts 5 bits,
 * except one that a pattern of the four characters before it predicts,
 * which counts 0:
 *   - a step: it continues four equal steps (mod 32) — a repeated character
 *     (step 0: 0000 0…) or a run up or down (1234 5…, ACEG J…);
 *   - a repeated block: the four characters up to it equal the four P places
 *     earlier, for a period P of 2 to 9 (ABAB AB…, 7K3Q 7K3Q…).
 * A random code scores 95 minus 5 per predicted character; about one
 * random code in 2^25 has 4 or more predicted characters (below 80 bits):
 * 1 in 20,000,000 drawn, an 8-character run in steps of 6.
 * releasecode_generate draws again in that case, so every generated code
 * passes. *WHY (when not NULL) names the pattern that cost the most bits, or
 * is NULL when there is none. */
#define RELEASECODE_MIN_BITS 80
int releasecode_bits(const char norm[RELEASECODE_NORM_BYTES], const char **why);

#endif
