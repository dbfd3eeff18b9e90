/* csv: RFC 4180 reader for packager inputs (banks, rosters). Handles quoted
 * cells with commas, doubled quotes and newlines, LF or CRLF, a UTF-8 BOM,
 * and falls back to GB18030 (converted with iconv) when the bytes are not
 * valid UTF-8. Every size is bounded. */
#ifndef CSV_H
#define CSV_H

#include <stddef.h>

#define CSV_MAX_BYTES (64u << 20) /* whole input */
#define CSV_MAX_CELL (64u << 10)  /* one cell, bytes */
#define CSV_MAX_COLS 64
#define CSV_MAX_ROWS 1000000

typedef enum csv_rc {
    CSV_OK = 0,
    CSV_ENOMEM,
    CSV_TOOBIG,       /* input, cell, column or row limit exceeded */
    CSV_UNTERMINATED, /* a quoted cell is never closed */
    CSV_BADQUOTE,     /* text after a closing quote, or a quote inside a bare cell */
    CSV_ENCODING,     /* neither valid UTF-8 nor valid GB18030 */
    CSV_EMPTY,        /* no rows at all */
} csv_rc;

typedef struct csv_row {
    char **cells; /* NUL-terminated UTF-8 strings */
    size_t ncells;
    long line; /* physical line where the row starts, 1-based */
} csv_row;

typedef struct csv_table {
    csv_row *rows;
    size_t nrows;
    int from_gb18030; /* input was converted from GB18030 */
    char *sheet;      /* owned: the worksheet a workbook's table was read from (core/xlsx.h); NULL for CSV */
} csv_table;

/* Parses BUF. Entirely empty lines are skipped. On failure *errline (if not
 * NULL) is the 1-based line of the problem and *why a caller-freed reason;
 * *out is left empty. The table owns its strings; free with csv_free. */
csv_rc csv_parse(const char *buf, size_t len, csv_table *out, long *errline, char **why)
    __attribute__((warn_unused_result));
void csv_free(csv_table *t);
const char *csv_strerror(csv_rc rc);

/* One column a table may have: its header name in English (any case) or
 * Chinese, and whether a file without it is refused. */
typedef struct csv_column {
    const char *en, *zh;
    int required;
} csv_column;

/* Maps the header row H onto COLS: MAP[k] = the cell index of COLS[k], or
 * -1 when absent. Reports at H's line, into D: a column named twice; each
 * missing required column as "missing required column EN (ZH)"; and, when
 * UNKNOWN_IS_ERROR, the names it does not know — with the missing column
 * when there is one (a misspelt column is one mistake), else on their own.
 * Without UNKNOWN_IS_ERROR other columns are simply not mapped (a file read
 * by several commands). Returns 0, or -1 when it reported anything. The one
 * header reader for banks, rosters, applications and the hub's imports. */
struct diag;
int csv_header_map(const csv_row *h, const csv_column *cols, size_t ncols, int *map, int unknown_is_error,
                   struct diag *d);

/* 1 if BUF is well-formed UTF-8 (no overlongs, surrogates or > U+10FFFF);
 * otherwise 0 and *badpos (if not NULL) is the offset of the first bad byte. */
int csv_utf8_valid(const char *buf, size_t len, size_t *badpos);

#endif
