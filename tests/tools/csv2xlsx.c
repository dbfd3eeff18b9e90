/* csv2xlsx: the .xlsx twin of a CSV file for the tests, written with
 * libxlsxwriter as Excel would save it. Every cell is text unless an option
 * says otherwise; the options make the workbooks people make by hand:
 *   csv2xlsx IN.csv OUT.xlsx [--sheet NAME] [--before NAME] [--inline]
 *            [--number COLUMN]... [--date COLUMN]... [--rich COLUMN]...
 *            [--merge A1:B1] [--gap]
 * --sheet: the sheet's name (default Sheet1); --before: another sheet (one
 * cell) in front of it; --inline: inline strings instead of shared ones
 * (libxlsxwriter's constant-memory mode); --number: that header's column as
 * numbers where its text is one; --date: as dates (serials, yyyy-mm-dd);
 * --rich: as rich text of two runs (bold first half); --merge: a merged
 * range; --gap: an empty row after the header and an empty column before
 * the table (cells with gaps). Exit 0, or 1 with a reason. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#include "core/csv.h"
#include "core/fileio.h"

#define MAXOPT 16

static int has(char **list, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(list[i], name)) return 1;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: csv2xlsx IN.csv OUT.xlsx [--sheet NAME] [--before NAME] [--inline] [--number COL] "
                        "[--date COL] [--rich COL] [--merge A1:B1] [--gap]\n");
        return 1;
    }
    const char *sheetname = "Sheet1", *before = NULL, *merge = NULL;
    char *numbers[MAXOPT], *dates[MAXOPT], *rich[MAXOPT];
    int nn = 0, nd = 0, nr = 0, inl = 0, gap = 0;
    for (int i = 3; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--inline")) { inl = 1; continue; }
        if (!strcmp(a, "--gap")) { gap = 1; continue; }
        if (!v) { fprintf(stderr, "csv2xlsx: %s needs a value\n", a); return 1; }
        i++;
        if (!strcmp(a, "--sheet")) sheetname = v;
        else if (!strcmp(a, "--before")) before = v;
        else if (!strcmp(a, "--merge")) merge = v;
        else if (!strcmp(a, "--number") && nn < MAXOPT) numbers[nn++] = argv[i];
        else if (!strcmp(a, "--date") && nd < MAXOPT) dates[nd++] = argv[i];
        else if (!strcmp(a, "--rich") && nr < MAXOPT) rich[nr++] = argv[i];
        else { fprintf(stderr, "csv2xlsx: unknown option %s\n", a); return 1; }
    }
    unsigned char *buf;
    size_t len;
    char *why = NULL;
    if (fileio_read(argv[1], CSV_MAX_BYTES, &buf, &len, &why)) { fprintf(stderr, "%s: %s\n", argv[1], why); return 1; }
    csv_table t;
    long line;
    if (csv_parse((char *)buf, len, &t, &line, &why) != CSV_OK) {
        fprintf(stderr, "%s:%ld: %s\n", argv[1], line, why);
        return 1;
    }
    free(buf);
    lxw_workbook_options wo = {.constant_memory = (uint8_t)inl, .tmpdir = NULL};
    lxw_workbook *wb = workbook_new_opt(argv[2], &wo);
    if (!wb) { fprintf(stderr, "%s: cannot create\n", argv[2]); return 1; }
    if (before) worksheet_write_string(workbook_add_worksheet(wb, before), 0, 0, "another sheet", NULL);
    lxw_worksheet *ws = workbook_add_worksheet(wb, sheetname);
    if (!ws) { fprintf(stderr, "csv2xlsx: bad sheet name %s\n", sheetname); return 1; }
    lxw_format *datefmt = workbook_add_format(wb), *bold = workbook_add_format(wb);
    format_set_num_format(datefmt, "yyyy-mm-dd");
    format_set_bold(bold);
    int off = gap ? 1 : 0;
    const csv_row *h = &t.rows[0];
    for (size_t r = 0; r < t.nrows; r++) {
        lxw_row_t row = (lxw_row_t)(r + (r && gap ? 1 : 0));
        for (size_t c = 0; c < t.rows[r].ncells; c++) {
            const char *v = t.rows[r].cells[c], *col = c < h->ncells ? h->cells[c] : "";
            lxw_col_t cc = (lxw_col_t)(c + (size_t)off);
            if (!*v) continue; /* an empty cell is a gap, as Excel leaves it */
            char *end;
            double num = strtod(v, &end);
            if (r && has(numbers, nn, col) && !*end) worksheet_write_number(ws, row, cc, num, NULL);
            else if (r && has(dates, nd, col)) {
                lxw_datetime dt = {0};
                if (sscanf(v, "%d-%d-%d", &dt.year, &dt.month, &dt.day) == 3)
                    worksheet_write_datetime(ws, row, cc, &dt, datefmt);
                else worksheet_write_string(ws, row, cc, v, NULL);
            } else if (r && has(rich, nr, col) && strlen(v) > 1) {
                /* split at a character boundary in the middle */
                size_t half = strlen(v) / 2;
                while (half > 0 && ((unsigned char)v[half] & 0xC0) == 0x80) half--;
                char *a = strndup(v, half), *b = strdup(v + half);
                lxw_rich_string_tuple f1 = {.format = bold, .string = a}, f2 = {.format = NULL, .string = b};
                lxw_rich_string_tuple *parts[] = {&f1, &f2, NULL};
                if (half) worksheet_write_rich_string(ws, row, cc, parts, NULL);
                else worksheet_write_string(ws, row, cc, v, NULL);
                free(a);
                free(b);
            } else worksheet_write_string(ws, row, cc, v, NULL);
        }
    }
    if (merge) {
        lxw_row_t r1, r2;
        lxw_col_t c1, c2;
        char a[8], b[8];
        int n1, n2;
        if (sscanf(merge, "%7[A-Z]%d:%7[A-Z]%d", a, &n1, b, &n2) != 4 || strlen(a) != 1 || strlen(b) != 1) {
            fprintf(stderr, "csv2xlsx: --merge takes A1:B2 (one-letter columns)\n");
            return 1;
        }
        c1 = (lxw_col_t)(a[0] - 'A'), c2 = (lxw_col_t)(b[0] - 'A'), r1 = (lxw_row_t)(n1 - 1), r2 = (lxw_row_t)(n2 - 1);
        worksheet_merge_range(ws, r1, c1, r2, c2, "", NULL);
        /* merge_range writes "" over the first cell: put the text back, as Excel keeps it */
        const char *first = r1 < t.nrows && c1 < t.rows[r1].ncells ? t.rows[r1].cells[c1] : "";
        worksheet_write_string(ws, r1, c1, first, NULL);
    }
    csv_free(&t);
    if (workbook_close(wb) != LXW_NO_ERROR) { fprintf(stderr, "%s: cannot write\n", argv[2]); return 1; }
    return 0;
}
