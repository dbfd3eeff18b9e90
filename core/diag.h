/* diag: a list of "line: reason" diagnostics collected while checking a
 * packager input file (bank, blueprint, roster). The caller prints them as
 * FILE:LINE: reason, one line per mistake; for a row of an .xlsx workbook
 * (core/xlsx.h) as FILE:SHEET!C12: reason, with diag_where. */
#ifndef DIAG_H
#define DIAG_H

#include <stddef.h>

/* At most this many diagnostics are kept; later ones only bump `dropped`. */
#define DIAG_MAX 200

typedef struct diag_entry {
    long line; /* 1-based line in the input (a workbook's row number); 0 when the mistake has no line */
    int col;   /* 0-based cell of the row the mistake is in (a workbook's column: 0 is A); -1: the whole line */
    char *msg; /* owned */
} diag_entry;

typedef struct diag {
    diag_entry *v;
    size_t n, cap;
    size_t dropped;
    char *sheet; /* owned: the worksheet the lines are rows of (diag_set_sheet); NULL for a text file */
} diag;

void diag_init(diag *d);
/* Appends one diagnostic. Allocation failure is reported as a fixed text. */
void diag_add(diag *d, long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The same at cell COL (0-based; -1: the whole line) of LINE. */
void diag_add_at(diag *d, long line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The entries' lines are rows of worksheet SHEET (copied; NULL: of a text
 * file). Set by the table readers (core/xlsx.h: table_read). */
void diag_set_sheet(diag *d, const char *sheet);
/* Where a mistake is, for the front of its message, into BUF (truncated to
 * SIZE, at least 1), which it returns: "FILE:LINE" for a text file, "FILE"
 * when LINE is 0; for a workbook (SHEET not NULL) "FILE:SHEET!C12" for cell
 * COL of row LINE, "FILE:SHEET!12:12" for the whole row (Excel's names: both
 * can be typed into its Name Box), "FILE:SHEET" without a row. A sheet name
 * that is not all letters, digits and _ is quoted as Excel quotes it ('a b'). */
#define DIAG_WHERE_MAX 4608
const char *diag_where(char *buf, size_t size, const char *file, const char *sheet, long line, int col);
/* The column name of 0-based column COL ("A", ..., "Z", "AA", ...; COL < 18278) into BUF[4]. */
void diag_col_name(int col, char buf[4]);

/* Number of diagnostics added, including dropped ones. */
size_t diag_count(const diag *d);
void diag_free(diag *d);

#endif
