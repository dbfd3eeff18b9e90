/* response: pure editing of canonical responses (the strings stored and
 * scored, see score.h) and the mapping between what the screen shows
 * (display positions) and the original options. No database, no SDL. */
#ifndef RESPONSE_H
#define RESPONSE_H

#include <stddef.h>

#include "core/bank.h"

/* How one item is shown: its type, the options shown (match: right-hand
 * items, as many as left-hand ones) and PERM, display position d shows
 * original option / right-hand item perm[d] (paper_item.perm). */
typedef struct response_map {
    qtype type;
    int nopt;
    const int *perm;
} response_map;

typedef enum response_rc {
    RESPONSE_OK = 0,
    RESPONSE_REFUSED, /* the action does not apply (wrong type, out of range, full, bad text) */
    RESPONSE_NOMEM,
} response_rc;

const char *response_strerror(response_rc rc);

/* Longest response text accepted (bytes), text answers. */
#define RESPONSE_TEXT_MAX 20000

/* Edits. Each takes the current canonical response CUR ("" = none) and on
 * RESPONSE_OK sets *OUT to the new response (malloc'd; caller frees); on
 * any other code *OUT is NULL.
 * choose: judge → "T"/"F" (display 0/1), single → the original letter,
 * multi → toggles the letter, kept sorted. */
response_rc response_choose(const response_map *m, const char *cur, int display, char **out)
    __attribute__((warn_unused_result));
/* order: appends the original letter of display option DISPLAY, each once. */
response_rc response_order_append(const response_map *m, const char *cur, int display, char **out)
    __attribute__((warn_unused_result));
/* match: the next left-hand item gets the right-hand item shown as display
 * NUMBER (1-based); stored as original numbers "a,b,c". */
response_rc response_match_digit(const response_map *m, const char *cur, int number, char **out)
    __attribute__((warn_unused_result));
/* text (fill, numeric, essay): appends UTF8 to blank BLANK of BLANKS
 * (blanks separated by SCORE_BLANK_SEP). Refused: empty text, control
 * characters, invalid UTF-8, or a response longer than RESPONSE_TEXT_MAX. */
response_rc response_text(const response_map *m, const char *cur, int blank, int blanks, const char *utf8, char **out)
    __attribute__((warn_unused_result));
/* essay: appends a line break. */
response_rc response_newline(const response_map *m, const char *cur, char **out) __attribute__((warn_unused_result));
/* backspace: text types remove the last character (UTF-8) of blank BLANK;
 * order removes the last letter, match the last entry; others refused.
 * An empty CUR gives "" (nothing to remove). */
response_rc response_backspace(const response_map *m, const char *cur, int blank, int blanks, char **out)
    __attribute__((warn_unused_result));

/* ---- reading ---- */
/* Display form: single/multi display letters ascending ("BD"), judge "A"/"B",
 * order display letters in the candidate's order, match display numbers
 * "2,3,1", text as is. Truncated to SIZE (SIZE >= 1). */
void response_display(const response_map *m, const char *cur, char *out, size_t size);
/* Is display option DISPLAY selected (judge/single/multi)? */
int response_is_selected(const response_map *m, const char *cur, int display);
/* Match entries of CUR (original numbers, 0 = unparsable) into VALS;
 * returns how many left-hand items are filled. */
int response_match_entries(const char *cur, int vals[BANK_MAX_OPTIONS]);
/* Blank K of a fill response into BUF (truncated to N >= 1); "" when absent.
 * Returns BUF. */
const char *response_blank(const char *cur, int k, char *buf, size_t n);
/* Display position of original option ORIG, -1 when it is not shown. */
int response_display_of(const response_map *m, int orig);

#endif
