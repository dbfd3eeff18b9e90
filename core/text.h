/* text: small UTF-8 helpers shared by the parsers and scoring: trimming,
 * full-width → half-width folding and exact decimal numbers. */
#ifndef TEXT_H
#define TEXT_H

#include <stddef.h>
#include <stdint.h>

/* Decimal numbers are kept exactly as integers in millionths. */
#define TEXT_DECIMAL_SCALE 1000000LL
#define TEXT_DECIMAL_MAXDIGITS 12 /* integer digits */

/* Length in bytes of the trimmable character at S, or 0 when S does not
 * start with one. Trimmable: every Unicode White_Space character (U+0009..
 * U+000D, U+0020, U+0085, U+00A0, U+1680, U+2000..U+200A, U+2028, U+2029,
 * U+202F, U+205F, U+3000) plus U+200B (zero width space) and U+FEFF (byte
 * order mark / zero width no-break space), as well-formed UTF-8. Reads S
 * no further than its NUL. */
size_t text_space_len(const char *s);

/* Returns a malloc'd copy of S with the trimmable characters of
 * text_space_len removed at both ends (inner ones are kept); NULL on
 * allocation failure. Bank answers and candidates' input are trimmed with
 * this one rule. */
char *text_trim(const char *s);

/* Returns a malloc'd copy with full-width ASCII forms (U+FF01..U+FF5E) folded
 * to ASCII and U+3000 to a space. If LOWER, ASCII letters are lower-cased. */
char *text_fold(const char *s, int lower);

/* Parses an optional sign, digits and at most 6 decimals (full-width digits,
 * sign and point accepted; surrounding spaces ignored) into *out millionths.
 * Returns 0, or -1 when S is not such a number. */
int text_decimal(const char *s, int64_t *out) __attribute__((warn_unused_result));

/* Parses points such as "2" or "1.5" (at most one decimal, 0 < p ≤ 100) into
 * tenths. Returns 0 or -1. */
int text_points(const char *s, int *tenths) __attribute__((warn_unused_result));

/* Formats tenths of a point: 15 → "1.5", 20 → "2". BUF ≥ 24 bytes. */
const char *text_format_tenths(int tenths, char *buf, size_t size);

/* Formats remaining time as "hh:mm:ss", rounding up to the next whole
 * second (the timer shows 00:00:01 until the very end); negative is 0.
 * BUF ≥ 16 bytes. Returns BUF. */
const char *text_format_remaining(int64_t ms, char *buf, size_t size);

/* The Chinese name of a certification level 1–5 (一级/高级技师 … 五级/初级工),
 * "" for any other number. Static string. */
const char *text_level_name(int level);

/* Converts GB18030 bytes to a malloc'd, NUL-terminated UTF-8 string.
 * Returns NULL when the bytes are not GB18030, with *badpos the offset of
 * the first bad byte. */
char *text_from_gb18030(const char *buf, size_t len, size_t *outlen, size_t *badpos);

/* Checks a field of a person or a place that the hub prints and signs into
 * rosters (a name, an address, a phone, a site, a room, a marker): 1 to MAX
 * bytes of well-formed UTF-8 with no control character (C0 including tab,
 * CR and LF, DEL, C1) and no line/paragraph separator or bidirectional
 * control (U+061C, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069), which
 * would break a row or reorder what a reader sees. Returns 0, or -1 with
 * *WHY a static phrase to follow the field's name ("is too long"). */
int text_field_check(const char *s, size_t max, const char **why) __attribute__((warn_unused_result));

#endif
