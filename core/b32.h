/* b32: Crockford base32 (digits and upper-case letters without I, L, O, U),
 * the one encoder for release codes, receipt numbers and enrolment tokens. */
#ifndef B32_H
#define B32_H

#include <stddef.h>
#include <stdint.h>

/* the 32 digits in value order, NUL-terminated */
extern const char B32_ALPHABET[33];

/* The digit for V (only its low 5 bits are used). */
static inline char b32_digit(unsigned v) { return B32_ALPHABET[v & 31]; }

/* Value of a typed digit, or -1: folds lower case, O→0 and I/L→1. */
int b32_value(unsigned char c);

/* Number of digits b32_encode writes for N bytes (no NUL). */
static inline size_t b32_encoded_len(size_t n) { return (n * 8 + 4) / 5; }

/* Writes IN[0..N) as a most-significant-bit-first stream of 5-bit digits
 * (the last digit zero-padded), NUL-terminated, into OUT of SIZE bytes.
 * Returns the number of digits, or 0 (OUT set to "" when SIZE > 0) when
 * OUT is too small. */
size_t b32_encode(const uint8_t *in, size_t n, char *out, size_t size);

/* The inverse of b32_encode for exactly N bytes: reads the first
 * b32_encoded_len(N) digits of IN (typed digits fold as b32_value does)
 * into OUT. Returns 0, or -1 when IN is shorter, holds a character that is
 * not a digit, or its last digit has padding bits set (so one value has one
 * spelling). */
int b32_decode(const char *in, uint8_t *out, size_t n) __attribute__((warn_unused_result));

#endif
