/* csv: bounded RFC 4180 reader with UTF-8 / GB18030 input. */
#include "core/csv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/diag.h"
#include "core/dynbuf.h"
#include "core/fileio.h"
#include "core/text.h"
#include "core/alloc.h" /* last: counting allocator in test builds */

const char *csv_strerror(csv_rc rc)
{
    switch (rc) {
    case CSV_OK: return "ok";
    case CSV_ENOMEM: return "out of memory";
    case CSV_TOOBIG: return "too large";
    case CSV_UNTERMINATED: return "unterminated quoted cell";
    case CSV_BADQUOTE: return "misplaced quote";
    case CSV_ENCODING: return "not valid UTF-8 or GB18030 text";
    case CSV_EMPTY: return "empty file";
    }
    return "unknown error";
}

int csv_utf8_valid(const char *buf, size_t len, size_t *badpos)
{
    const unsigned char *s = (const unsigned char *)buf;
    size_t i = 0;
    while (i < len) {
        unsigned c = s[i];
        size_t n;
        unsigned min, cp;
        if (c < 0x80) { i++; continue; }
        else if ((c & 0xE0) == 0xC0) { n = 1; cp = c & 0x1F; min = 0x80; }
        else if ((c & 0xF0) == 0xE0) { n = 2; cp = c & 0x0F; min = 0x800; }
        else if ((c & 0xF8) == 0xF0) { n = 3; cp = c & 0x07; min = 0x10000; }
        else goto bad;
        if (len - i <= n) goto bad;
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xC0) != 0x80) goto bad;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) goto bad;
        i += n + 1;
    }
    return 1;
bad:
    if (badpos) *badpos = i;
    return 0;
}

static long line_of(const char *buf, size_t pos)
{
    long line = 1;
    for (size_t i = 0; i < pos; i++)
        if (buf[i] == '\n') line++;
    return line;
}

/* The table being read. The cell's text is a dynbuf, reused from cell to
 * cell, whose limit is the cell limit. The arrays of cells and rows are not
 * dynbufs: they hold pointers and structs, not text, and are bounded by
 * count (CSV_MAX_COLS, CSV_MAX_ROWS) before they grow. */
typedef struct builder {
    dynbuf cell;
    char **cells; size_t ncells, cellcap;
    csv_row *rows; size_t nrows, rowcap;
} builder;

static int cell_push(builder *b, char c)
{
    switch (dynbuf_add(&b->cell, &c, 1)) {
    case DYNBUF_OK: return CSV_OK;
    case DYNBUF_TOO_BIG: return CSV_TOOBIG;
    case DYNBUF_NOMEM: break;
    }
    return CSV_ENOMEM;
}

static int cell_end(builder *b)
{
    if (b->ncells >= CSV_MAX_COLS) return CSV_TOOBIG;
    if (b->ncells == b->cellcap) {
        size_t cap = b->cellcap ? b->cellcap * 2 : 16;
        char **n = realloc(b->cells, cap * sizeof *n);
        if (!n) return CSV_ENOMEM;
        b->cells = n;
        b->cellcap = cap;
    }
    size_t len = dynbuf_len(&b->cell);
    char *s = malloc(len + 1);
    if (!s) return CSV_ENOMEM;
    memcpy(s, dynbuf_ptr(&b->cell), len + 1); /* with its NUL */
    b->cells[b->ncells++] = s;
    dynbuf_reset(&b->cell);
    return CSV_OK;
}

static void free_cells(char **cells, size_t n)
{
    for (size_t i = 0; i < n; i++) free(cells[i]);
    free(cells);
}

static int row_end(builder *b, long line)
{
    /* a line holding nothing at all is skipped, not a row of one empty cell */
    if (b->ncells == 1 && b->cells[0][0] == 0) {
        free(b->cells[0]);
        b->ncells = 0;
        return CSV_OK;
    }
    if (b->nrows >= CSV_MAX_ROWS) return CSV_TOOBIG;
    if (b->nrows == b->rowcap) {
        size_t cap = b->rowcap ? b->rowcap * 2 : 64;
        csv_row *n = realloc(b->rows, cap * sizeof *n);
        if (!n) return CSV_ENOMEM;
        b->rows = n;
        b->rowcap = cap;
    }
    char **cells = realloc(b->cells, (b->ncells ? b->ncells : 1) * sizeof *cells);
    if (!cells) return CSV_ENOMEM;
    b->rows[b->nrows].cells = cells;
    b->rows[b->nrows].ncells = b->ncells;
    b->rows[b->nrows].line = line;
    b->nrows++;
    b->cells = NULL;
    b->ncells = b->cellcap = 0;
    return CSV_OK;
}

static csv_rc parse_utf8(const char *s, size_t len, csv_table *out, long *errline, char **why)
{
    builder b = {0};
    dynbuf_init(&b.cell, CSV_MAX_CELL);
    size_t i = 0;
    long line = 1, rowline = 1;
    int rc = CSV_OK;
    if (len >= 3 && (unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBB &&
        (unsigned char)s[2] == 0xBF)
        i = 3;
    int at_cell_start = 1, in_row = 0;
    while (i < len) {
        char c = s[i];
        if (at_cell_start && c == '"') {
            /* quoted cell */
            long qline = line;
            i++;
            for (;;) {
                if (i >= len) {
                    rc = CSV_UNTERMINATED;
                    line = qline;
                    if (why) *why = fileio_fmt("quoted cell opened here is never closed");
                    goto fail;
                }
                if (s[i] == '"') {
                    if (i + 1 < len && s[i + 1] == '"') {
                        if ((rc = cell_push(&b, '"'))) goto fail_generic;
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                if (s[i] == '\n') line++;
                if (s[i] == 0) {
                    rc = CSV_ENCODING;
                    if (why) *why = fileio_fmt("NUL byte in text");
                    goto fail;
                }
                if (s[i] == '\r' && i + 1 < len && s[i + 1] == '\n') { i++; continue; }
                if ((rc = cell_push(&b, s[i]))) goto fail_generic;
                i++;
            }
            /* after the closing quote: separator, end of line or end of input */
            if (i < len && s[i] != ',' && s[i] != '\n' && !(s[i] == '\r' && i + 1 < len && s[i + 1] == '\n') &&
                !(s[i] == '\r' && i + 1 == len)) {
                rc = CSV_BADQUOTE;
                if (why) *why = fileio_fmt("unexpected text after a closing quote");
                goto fail;
            }
            at_cell_start = 0;
            in_row = 1;
            continue;
        }
        if (c == ',') {
            if ((rc = cell_end(&b))) goto fail_generic;
            at_cell_start = 1;
            in_row = 1;
            i++;
            continue;
        }
        if (c == '\n' || (c == '\r' && (i + 1 == len || s[i + 1] == '\n'))) {
            if ((rc = cell_end(&b))) goto fail_generic;
            if ((rc = row_end(&b, rowline))) goto fail_generic;
            i += (c == '\r' && i + 1 < len) ? 2 : 1;
            line++;
            rowline = line;
            at_cell_start = 1;
            in_row = 0;
            continue;
        }
        if (c == '"') {
            rc = CSV_BADQUOTE;
            if (why) *why = fileio_fmt("quote inside an unquoted cell (quote the whole cell and double the quote)");
            goto fail;
        }
        if (c == 0) {
            rc = CSV_ENCODING;
            if (why) *why = fileio_fmt("NUL byte in text");
            goto fail;
        }
        if ((rc = cell_push(&b, c))) goto fail_generic;
        at_cell_start = 0;
        in_row = 1;
        i++;
    }
    if (in_row || b.ncells) {
        if ((rc = cell_end(&b))) goto fail_generic;
        if ((rc = row_end(&b, rowline))) goto fail_generic;
    }
    dynbuf_free(&b.cell);
    free(b.cells); /* left over when the input ends with a skipped empty line */
    if (b.nrows == 0) {
        free(b.rows);
        if (errline) *errline = 1;
        if (why) *why = fileio_fmt("the file is empty");
        return CSV_EMPTY;
    }
    out->rows = b.rows;
    out->nrows = b.nrows;
    return CSV_OK;
fail_generic:
    if (why) {
        if (rc == CSV_TOOBIG)
            *why = fileio_fmt("limit exceeded (cell over %u bytes, over %d columns or over %d rows)",
                              CSV_MAX_CELL, CSV_MAX_COLS, CSV_MAX_ROWS);
        else
            *why = fileio_fmt("%s", csv_strerror((csv_rc)rc));
    }
fail:
    if (errline) *errline = line;
    dynbuf_free(&b.cell);
    free_cells(b.cells, b.ncells);
    csv_table t = {b.rows, b.nrows, 0, NULL};
    csv_free(&t);
    return (csv_rc)rc;
}

csv_rc csv_parse(const char *buf, size_t len, csv_table *out, long *errline, char **why)
{
    memset(out, 0, sizeof *out);
    if (errline) *errline = 0;
    if (why) *why = NULL;
    if (len > CSV_MAX_BYTES) {
        if (why) *why = fileio_fmt("file larger than %u bytes", CSV_MAX_BYTES);
        return CSV_TOOBIG;
    }
    size_t bad = 0;
    if (csv_utf8_valid(buf, len, &bad))
        return parse_utf8(buf, len, out, errline, why);
    size_t clen = 0, gbbad = 0;
    char *conv = text_from_gb18030(buf, len, &clen, &gbbad);
    if (!conv) {
        if (errline) *errline = line_of(buf, bad);
        if (why) *why = fileio_fmt("not valid UTF-8 (byte %zu) nor GB18030 (byte %zu)", bad, gbbad);
        return CSV_ENCODING;
    }
    csv_rc rc = parse_utf8(conv, clen, out, errline, why);
    free(conv);
    if (rc == CSV_OK) out->from_gb18030 = 1;
    return rc;
}

void csv_free(csv_table *t)
{
    if (!t) return;
    for (size_t r = 0; r < t->nrows; r++) free_cells(t->rows[r].cells, t->rows[r].ncells);
    free(t->rows);
    free(t->sheet);
    memset(t, 0, sizeof *t);
}

int csv_header_map(const csv_row *h, const csv_column *cols, size_t ncols, int *map, int unknown_is_error, diag *d)
{
    size_t before = diag_count(d);
    for (size_t k = 0; k < ncols; k++) map[k] = -1;
    char unknown[256] = "";
    int first_unknown = -1;
    for (size_t i = 0; i < h->ncells; i++) {
        char *name = text_trim(h->cells[i]);
        if (!name) {
            diag_add(d, h->line, "out of memory");
            return -1;
        }
        int found = 0;
        for (size_t k = 0; k < ncols && !found; k++)
            if (!strcasecmp(name, cols[k].en) || (cols[k].zh && !strcasecmp(name, cols[k].zh))) {
                found = 1;
                if (map[k] >= 0) diag_add_at(d, h->line, (int)i, "column '%s' appears twice in the header", name);
                else map[k] = (int)i;
            }
        if (!found && *name && first_unknown < 0) first_unknown = (int)i;
        if (!found && *name && strlen(unknown) + strlen(name) + 4 < sizeof unknown) {
            if (*unknown) strcat(unknown, ", ");
            strcat(unknown, name);
        }
        free(name);
    }
    const char *also = unknown_is_error && *unknown ? "; unknown columns: " : "";
    const char *list = unknown_is_error ? unknown : "";
    for (size_t k = 0; k < ncols; k++)
        if (cols[k].required && map[k] < 0) {
            if (cols[k].zh) diag_add(d, h->line, "missing required column %s (%s)%s%s", cols[k].en, cols[k].zh, also, list);
            else diag_add(d, h->line, "missing required column %s%s%s", cols[k].en, also, list);
        }
    if (unknown_is_error && *unknown && diag_count(d) == before) diag_add_at(d, h->line, first_unknown, "unknown column(s): %s", unknown);
    return diag_count(d) == before ? 0 : -1;
}
