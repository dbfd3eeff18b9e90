/* idnumber: the 18-character 公民身份号码 of GB 11643-1999, one module for
 * login (exam), rosters and the certification office's eligibility: the
 * check character (ISO 7064 MOD 11-2) and the normalisation of a typed x. */
#ifndef IDNUMBER_H
#define IDNUMBER_H

#define IDNUMBER_LEN 18 /* characters, without the NUL */

/* The check character ('0'-'9' or 'X') of the 17 digits BODY17 (only the
 * first 17 characters are read), or 0 when one of them is not a digit. */
char idnumber_check_char(const char *body17);

/* 1 if ID is exactly 18 characters: 17 digits and the right check
 * character (a trailing lowercase x is accepted as X); else 0. */
int idnumber_valid(const char *id);

/* Turns every lowercase x of the NUL-terminated ID into X, in place (only
 * the check character of a valid number can be one). */
void idnumber_normalise(char *id);

#endif
