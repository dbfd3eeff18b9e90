/* textout: escaping text for the hub's HTML pages and CSV exports. */
#ifndef TEXTOUT_H
#define TEXTOUT_H

#include <stdio.h>

/* Writes S with <, >, & and " escaped for HTML. */
void out_html(FILE *f, const char *s);

/* The one CSV cell writer of the hub (README: CSV exports): every text cell
 * of every CSV the hub writes goes through it (numbers the program itself
 * formats, such as scores, levels, seats and fees, are printed directly).
 * Writes S as one cell (RFC 4180): quoted, with doubled quotes, when it
 * holds a comma, a quote or a line break, so a line break stays inside its
 * cell and never starts a row. A cell a spreadsheet would take for a
 * formula (csv_cell_is_formula) is neutralised as OWASP recommends: a '
 * is put before it, inside quotes ("'=1+2"), so that it shows as text. */
void out_csv(FILE *f, const char *s);
/* 1 when S, after any leading spaces, begins with = + - @, a tab, a CR or a
 * LF: what out_csv prefixes with '. */
int csv_cell_is_formula(const char *s);
/* N cells (NULL: empty) through out_csv, separated by commas. */
void out_csv_cells(FILE *f, const char *const *cells, int n);
/* out_csv_cells, then a LF. */
void out_csv_row(FILE *f, const char *const *cells, int n);

#endif
