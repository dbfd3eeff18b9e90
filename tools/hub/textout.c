/* textout: HTML and CSV escaping for the hub's outputs. */
#include "tools/hub/textout.h"

#include <string.h>

void out_html(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '<') fputs("&lt;", f);
        else if (*s == '>') fputs("&gt;", f);
        else if (*s == '&') fputs("&amp;", f);
        else if (*s == '"') fputs("&quot;", f);
        else if (*s == '\'') fputs("&#39;", f);
        else fputc(*s, f);
    }
}

int csv_cell_is_formula(const char *s)
{
    while (*s == ' ') s++; /* " =1+2": some spreadsheets skip leading spaces */
    return *s && strchr("=+-@\t\r\n", *s) != NULL;
}

void out_csv(FILE *f, const char *s)
{
    int guard = csv_cell_is_formula(s);
    if (!guard && !strpbrk(s, ",\"\n\r")) {
        fputs(s, f);
        return;
    }
    /* a cell with a guard is quoted too: "'=1+2" reads back as '=1+2 */
    fputc('"', f);
    if (guard) fputc('\'', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

void out_csv_cells(FILE *f, const char *const *cells, int n)
{
    for (int i = 0; i < n; i++) {
        if (i) fputc(',', f);
        out_csv(f, cells[i] ? cells[i] : "");
    }
}

void out_csv_row(FILE *f, const char *const *cells, int n)
{
    out_csv_cells(f, cells, n);
    fputc('\n', f);
}
