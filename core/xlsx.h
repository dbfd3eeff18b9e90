/* xlsx: reads one worksheet of an Office Open XML workbook (.xlsx, what
 * Excel and WPS save) into the csv_table the CSV reader fills (core/csv.h),
 * so that every command reads a workbook with the same checks as a CSV file.
 *
 * Contract: the first visible worksheet, or the one named; its rows in order,
 * each row's cells from column A (a gap of empty cells becomes empty
 * strings), rows without any value left out (as the CSV reader leaves out
 * empty lines); a row's `line` is its row number in the sheet, and cell i of
 * a row is column i (0 is A), so a diagnostic's (line, col) names the cell
 * (diag_where: FILE:SHEET!C12). Text: shared strings, inline strings and
 * formula results, rich-text runs joined, phonetic runs (rPh) left out,
 * _xHHHH_ escapes decoded, CR LF as LF. Numbers: the shortest decimal that
 * reads back as the same double (12.5, 0.1, 1E+21); a date-formatted number
 * (or any number in a `received`/收件日期 column) as YYYY-MM-DD (with
 * " HH:MM:SS" when it has a time of day); booleans TRUE/FALSE.
 * Refused, with the cell: a number in an identifier column (ticket/准考证号,
 * id_number/身份证号, site_code/考点代码, result_id: Excel keeps 15 digits of a number
 * and no leading zero), an Excel error value (#N/A), merged cells, a value
 * beyond column CSV_MAX_COLS, rows or cells out of order. Refused as a
 * whole: a file that is not a zip, a zip without a workbook, a DTD in any
 * part, and every bound below (zip bombs: the inflated bytes are counted as
 * they come, whatever the zip's headers say). */
#ifndef XLSX_H
#define XLSX_H

#include <stddef.h>

#include "core/csv.h"

#define XLSX_MAX_BYTES CSV_MAX_BYTES      /* the .xlsx file itself */
#define XLSX_MAX_PARTS 10000              /* files in the zip */
#define XLSX_MAX_PART (100u << 20)        /* inflated bytes of one part read (a sheet, the shared strings) */
#define XLSX_MAX_INFLATED (200u << 20)    /* inflated bytes of all parts read together */
#define XLSX_MAX_STRINGS 1000000          /* entries of the shared-string table */
#define XLSX_MAX_TEXT CSV_MAX_BYTES       /* bytes of all cells of the table (one shared string used many times counts each time) */
#define XLSX_MAX_CELLS 4000000            /* cells of the table, the empty ones of gaps included */
#define XLSX_MAX_SHEETS 1000              /* worksheets named by the workbook */
#define XLSX_SHEET_NAME_MAX 128           /* bytes of a sheet's name (Excel allows 31 characters) */
#define XLSX_MAX_DEPTH 64                 /* nesting of XML elements */

/* 1 when a file is to be read as a workbook: NAME ends in ".xlsx" (any case)
 * or BUF starts with a zip's local header ("PK\3\4"). */
int xlsx_is_workbook(const char *name, const void *buf, size_t len);

/* Reads worksheet SHEET (NULL: the first visible one) of the workbook in
 * BUF into OUT (out->sheet: its name). Returns CSV_OK, or on failure one
 * diagnostic in D (at the cell or row when there is one; D's sheet set as
 * soon as the sheet is known) and OUT left empty: CSV_TOOBIG for a bound,
 * CSV_ENOMEM, CSV_EMPTY for a sheet without values, CSV_ENCODING for
 * everything else that is not a workbook we read. */
csv_rc xlsx_parse(const void *buf, size_t len, const char *sheet, csv_table *out, struct diag *d)
    __attribute__((warn_unused_result));

/* The one reader of the tables commands take (banks, rosters, the hub's
 * imports): a workbook (xlsx_is_workbook) or else CSV (csv_parse, which may
 * not take SHEET: "--sheet is for .xlsx workbooks"). NAME is only looked at
 * for its extension. Returns 0, or -1 after one diagnostic in D (sheet set
 * for a workbook, whose rows the later diagnostics of D then are). */
int table_read(const char *name, const void *buf, size_t len, const char *sheet, csv_table *out, struct diag *d)
    __attribute__((warn_unused_result));

/* The text of Excel serial date SERIAL (1900 system, or 1904 when DATE1904)
 * into BUF[32]: "YYYY-MM-DD", with " HH:MM:SS" when WITH_TIME; -1 outside
 * 0001-01-01..9999-12-31 (1900-02-29, Excel's day that never was, is given as such). */
int xlsx_serial_date(double serial, int date1904, int with_time, char buf[32]);
/* The shortest decimal that strtod reads back as X (finite) into BUF[32]:
 * plain for exponents -7..20 ("0.001", "12.5", "100"), else "1.5E+21". */
void xlsx_number_text(double x, char buf[32]);

#endif
