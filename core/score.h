/* score: marks one item of a candidate's paper against the pack's answer
 * key, by the marking rules of FORMAT.md §1, in exact integer arithmetic (tenths of a
 * point). No I/O. */
#ifndef SCORE_H
#define SCORE_H

#include "core/bank.h"
#include "core/blueprint.h"

/* Fill blanks in a response are separated by this byte (ASCII unit separator),
 * since candidates may type ';' or '|' themselves. */
#define SCORE_BLANK_SEP '\x1f'

/* Canonical candidate responses ("" = unanswered), always in terms of the
 * ORIGINAL option letters and items of the pack, whatever order the screen
 * showed them in:
 *   judge    "T" or "F"
 *   single   one letter "A".."H"
 *   multi    letters in any order, e.g. "CA"
 *   order    letters in the order the candidate put them, e.g. "CABD"
 *   match    for each left-hand item in order, the 1-based number of the chosen
 *            right-hand item, right-hand items numbered in the answer key's
 *            order; entries separated by ',' and empty when not chosen: "2,,1"
 *   fill     blanks separated by SCORE_BLANK_SEP
 *   numeric  the text typed
 *   essay    the text typed
 */
typedef struct score_item {
    qtype type;
    const char *key;      /* normalised answer from the pack (FORMAT.md §1) */
    const char *response; /* canonical response as above; NULL or "" = unanswered */
    int points;           /* full points, tenths */
    multi_partial partial;
} score_item;

/* Returns the item's score in tenths (0..points). Shared points (fill blanks,
 * match pairs) and half points are rounded half up to a tenth per item.
 * *pending is set to 1 for an essay (scored 0 until a human marks it), else 0.
 * A malformed response scores 0; it never crashes. */
int score_item_tenths(const score_item *it, int *pending);

/* Compares two answers for a fill blank the way scoring does: trimmed,
 * full-width folded to half-width, Latin case-folded. */
int score_text_equal(const char *a, const char *b);

#endif
