/* diag: collected "line: reason" diagnostics for packager inputs. */
#include "core/diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void diag_init(diag *d) { memset(d, 0, sizeof *d); }

static void add_v(diag *d, long line, int col, const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));

void diag_add(diag *d, long line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_v(d, line, -1, fmt, ap);
    va_end(ap);
}

void diag_add_at(diag *d, long line, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_v(d, line, col, fmt, ap);
    va_end(ap);
}

static void add_v(diag *d, long line, int col, const char *fmt, va_list ap)
{
    if (d->n >= DIAG_MAX) {
        d->dropped++;
        return;
    }
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 8;
        diag_entry *v = realloc(d->v, cap * sizeof *v);
        if (!v) {
            d->dropped++;
            return;
        }
        d->v = v;
        d->cap = cap;
    }
    char *msg = NULL;
    if (vasprintf(&msg, fmt, ap) < 0)
        msg = NULL;
    d->v[d->n].line = line;
    d->v[d->n].col = col;
    d->v[d->n].msg = msg ? msg : strdup("out of memory");
    d->n++;
}

size_t diag_count(const diag *d) { return d->n + d->dropped; }

void diag_set_sheet(diag *d, const char *sheet)
{
    free(d->sheet);
    d->sheet = sheet ? strdup(sheet) : NULL;
    if (sheet && !d->sheet) d->sheet = strdup("?"); /* out of memory: still a workbook's rows */
}

void diag_col_name(int col, char buf[4])
{
    char tmp[4];
    int n = 0;
    if (col < 0 || col >= 18278) col = 0;
    for (int c = col + 1; c > 0 && n < 3; c = (c - 1) / 26) tmp[n++] = (char)('A' + (c - 1) % 26);
    for (int i = 0; i < n; i++) buf[i] = tmp[n - 1 - i];
    buf[n] = 0;
}

/* Excel quotes a sheet name in a reference unless it is letters, digits and _ only (non-ASCII counts as a letter) */
static int needs_quotes(const char *s)
{
    if (!*s || (*s >= '0' && *s <= '9')) return 1;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x80 && !(c == '_' || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
            return 1;
    }
    return 0;
}

const char *diag_where(char *buf, size_t size, const char *file, const char *sheet, long line, int col)
{
    if (!size) return buf;
    if (!sheet) {
        if (line > 0) snprintf(buf, size, "%s:%ld", file, line);
        else snprintf(buf, size, "%s", file);
        return buf;
    }
    char q[4 * 64 + 3]; /* a sheet name has at most 31 characters; longer ones are cut */
    size_t n = 0;
    int quote = needs_quotes(sheet);
    if (quote) q[n++] = '\'';
    for (const char *s = sheet; *s && n + 4 < sizeof q; s++) {
        if (*s == '\'') q[n++] = '\'';
        q[n++] = *s;
    }
    if (quote) q[n++] = '\'';
    q[n] = 0;
    char c[4];
    diag_col_name(col, c);
    if (line <= 0) snprintf(buf, size, "%s:%s", file, q);
    else if (col < 0) snprintf(buf, size, "%s:%s!%ld:%ld", file, q, line, line);
    else snprintf(buf, size, "%s:%s!%s%ld", file, q, c, line);
    return buf;
}

void diag_free(diag *d)
{
    for (size_t i = 0; i < d->n; i++)
        free(d->v[i].msg);
    free(d->v);
    free(d->sheet);
    memset(d, 0, sizeof *d);
}
