/* xlsx: one worksheet of an .xlsx workbook into a csv_table (see xlsx.h).
 * The zip is read with libzip from memory, each part streamed through expat
 * in chunks, so no part is ever held whole: what is bounded is what comes out
 * of the inflater, counted chunk by chunk. */
#include "core/xlsx.h"

#include <errno.h>
#include <expat.h>
#include <malloc.h>
#include <math.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zip.h>

#include "core/diag.h"
#include "core/dynbuf.h"
#include "core/fileio.h"
#include "core/text.h"
#include "core/alloc.h" /* last: counting allocator in test builds */

#define CHUNK 65536
#define RELS_MAX (2 * XLSX_MAX_SHEETS + 64)
#define PATH_MAX_XLSX 512
#define XFS_MAX 65536
#define NUMFMTS_MAX 4096
#define EXCEL_MAX_ROW 1048576L
#define EXCEL_MAX_COL 16384

/* Columns whose numbers lose what matters (digits past the 15th, leading
 * zeros): a number there is refused; and the column whose numbers are dates. */
static const char *const TEXT_ONLY[] = {"ticket", "准考证号", "id_number", "身份证号", "site_code", "考点代码", "result_id"};
static const char *const DATE_COLS[] = {"received", "收件日期"};

/* ---- numbers and dates ---------------------------------------------------------------------------- */

void xlsx_number_text(double x, char buf[32])
{
    if (!isfinite(x)) { snprintf(buf, 32, "0"); return; }
    if (x == 0) { snprintf(buf, 32, "0"); return; }
    char e[40];
    int p;
    for (p = 1; p <= 17; p++) {
        snprintf(e, sizeof e, "%.*e", p - 1, x);
        if (strtod(e, NULL) == x) break;
    }
    /* e = [-]d[.ddd]e[+-]XX: its digits and exponent */
    char digits[24];
    size_t nd = 0;
    const char *s = e;
    int neg = *s == '-';
    if (neg) s++;
    for (; *s && *s != 'e'; s++)
        if (*s >= '0' && *s <= '9' && nd < sizeof digits - 1) digits[nd++] = *s;
    digits[nd] = 0;
    int exp10 = *s == 'e' ? atoi(s + 1) : 0;
    while (nd > 1 && digits[nd - 1] == '0') digits[--nd] = 0;
    size_t o = 0;
    if (neg) buf[o++] = '-';
    if (exp10 >= -7 && exp10 <= 20) {
        if (exp10 < 0) {
            buf[o++] = '0';
            buf[o++] = '.';
            for (int i = -1; i > exp10; i--) buf[o++] = '0';
            for (size_t i = 0; i < nd; i++) buf[o++] = digits[i];
        } else {
            for (int i = 0; i <= exp10; i++) buf[o++] = (size_t)i < nd ? digits[i] : '0';
            if (nd > (size_t)exp10 + 1) {
                buf[o++] = '.';
                for (size_t i = (size_t)exp10 + 1; i < nd; i++) buf[o++] = digits[i];
            }
        }
        buf[o] = 0;
    } else {
        buf[o++] = digits[0];
        if (nd > 1) {
            buf[o++] = '.';
            for (size_t i = 1; i < nd; i++) buf[o++] = digits[i];
        }
        snprintf(buf + o, 32 - o, "E%c%02d", exp10 < 0 ? '-' : '+', exp10 < 0 ? -exp10 : exp10);
    }
}

/* days since 1970-01-01 to a civil date (H. Hinnant's algorithm) */
static void civil_from_days(long z, long *y, int *m, int *d)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

int xlsx_serial_date(double serial, int date1904, int with_time, char buf[32])
{
    if (!isfinite(serial) || serial < 0 || serial >= 2958466) return -1;
    long secs = lround(serial * 86400.0);
    long days = secs / 86400, tod = secs % 86400;
    long y;
    int m, d;
    if (date1904) civil_from_days(days - 24107, &y, &m, &d); /* 1904-01-01 is day 0 */
    else if (days == 60) { y = 1900; m = 2; d = 29; }         /* Lotus 1-2-3's leap day, kept by Excel */
    else if (days == 0) return -1;                             /* "1900-01-00" */
    else civil_from_days(days - (days < 60 ? 25568 : 25569), &y, &m, &d);
    if (y < 1 || y > 9999) return -1;
    if (with_time) snprintf(buf, 32, "%04ld-%02d-%02d %02ld:%02ld:%02ld", y, m, d, tod / 3600, tod / 60 % 60, tod % 60);
    else snprintf(buf, 32, "%04ld-%02d-%02d", y, m, d);
    return 0;
}

/* ---- the reader's state ------------------------------------------------------------------------------ */

enum { NF_NUMBER, NF_DATE, NF_TIME, NF_DATETIME };

typedef struct rel { char *id, *type, *target; } rel;
typedef struct sheetref { char *name, *rid; int hidden; } sheetref;

struct xr;
/* what a part's elements do; character data goes to xr.text inside <t> (not of a phonetic run) or <v> */
typedef struct handlers {
    void (*start)(struct xr *x, const char *name, const char **atts);
    void (*end)(struct xr *x, const char *name);
} handlers;

typedef struct xr {
    zip_t *z;
    const handlers *h;     /* of the part being read */
    diag *d;
    XML_Parser p;          /* the parser running, to stop it on a failure */
    const char *part;      /* the part it reads, for messages */
    size_t inflated;       /* bytes of all parts so far */
    int failed;
    csv_rc rc;
    int depth;
    /* [_rels/.rels] and the workbook's relationships */
    rel rels[RELS_MAX];
    size_t nrels;
    /* the workbook */
    sheetref sheets[XLSX_MAX_SHEETS];
    size_t nsheets;
    int date1904;
    /* the shared strings */
    char **sst;
    size_t nsst, sstcap;
    int in_si, in_t, rph;
    dynbuf text; /* the text of the string or cell being read */
    /* the styles: each cell style's number format kind */
    unsigned char *xf_kind;
    unsigned *xf_fmt;
    size_t nxf;
    struct { unsigned id; unsigned char kind; } numfmts[NUMFMTS_MAX];
    size_t nnumfmts;
    int in_numfmts, in_cellxfs;
    /* the sheet */
    int in_sheetdata, in_row, in_c, in_v, in_is;
    long row, lastrow;
    int col, lastcol, ctype, cstyle;
    char *slot[CSV_MAX_COLS];
    int maxcol;
    uint64_t text_only, dates; /* columns of the header, by bit */
    int have_header;
    long header_row;
    size_t text_bytes, cells;
    csv_row *rows;
    size_t nrows, rowcap;
} xr;

static void xfail(xr *x, csv_rc rc, long row, int col, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void xfail(xr *x, csv_rc rc, long row, int col, const char *fmt, ...)
{
    if (x->failed) return;
    x->failed = 1;
    x->rc = rc;
    char *msg = NULL;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&msg, fmt, ap) < 0) msg = NULL;
    va_end(ap);
    diag_add_at(x->d, row, col, "%s", msg ? msg : "out of memory");
    free(msg);
    if (x->p) XML_StopParser(x->p, XML_FALSE);
}

static void oom(xr *x) { xfail(x, CSV_ENOMEM, 0, -1, "out of memory"); }

static const char *local(const char *n)
{
    const char *c = strrchr(n, ':');
    return c ? c + 1 : n;
}

static const char *attr(const char **atts, const char *name)
{
    for (size_t i = 0; atts[i]; i += 2)
        if (!strcmp(local(atts[i]), name)) return atts[i + 1];
    return NULL;
}

/* a copy, NULL after oom() */
static char *xdup(xr *x, const char *s)
{
    char *c = strdup(s ? s : "");
    if (!c) oom(x);
    return c;
}

static void text_add(xr *x, const char *s, int len)
{
    switch (dynbuf_add(&x->text, s, (size_t)len)) {
    case DYNBUF_OK: return;
    case DYNBUF_TOO_BIG:
        xfail(x, CSV_TOOBIG, x->in_c ? x->row : 0, x->in_c ? x->col : -1, "%s: a text longer than %u bytes",
              x->part, CSV_MAX_CELL);
        return;
    case DYNBUF_NOMEM: oom(x); return;
    }
}

/* The text read, with _xHHHH_ escapes decoded and CR LF as LF, malloc'd (NULL after a failure). */
static char *text_take(xr *x, long row, int col)
{
    const char *s = dynbuf_ptr(&x->text);
    size_t n = dynbuf_len(&x->text);
    char *out = malloc(n + 1);
    if (!out) { oom(x); return NULL; }
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        unsigned cp;
        if (s[i] == '_' && i + 6 < n && s[i + 1] == 'x' && s[i + 6] == '_' &&
            strspn(s + i + 2, "0123456789abcdefABCDEF") >= 4 && sscanf(s + i + 2, "%4x", &cp) == 1 &&
            !(cp >= 0xD800 && cp <= 0xDFFF)) {
            if (cp == 0) {
                free(out);
                xfail(x, CSV_ENCODING, row, col, "NUL character in text");
                return NULL;
            }
            /* at most 3 bytes of UTF-8 for the 7 of the escape */
            if (cp < 0x80) out[o++] = (char)cp;
            else if (cp < 0x800) { out[o++] = (char)(0xC0 | cp >> 6); out[o++] = (char)(0x80 | (cp & 0x3F)); }
            else {
                out[o++] = (char)(0xE0 | cp >> 12);
                out[o++] = (char)(0x80 | (cp >> 6 & 0x3F));
                out[o++] = (char)(0x80 | (cp & 0x3F));
            }
            i += 7;
            continue;
        }
        out[o++] = s[i++];
    }
    /* CR LF and a CR written as _x000D_ before the LF: one LF, as the CSV reader reads a quoted cell */
    size_t w = 0;
    for (size_t i = 0; i < o; i++) {
        if (out[i] == '\r' && i + 1 < o && out[i + 1] == '\n') continue;
        out[w++] = out[i];
    }
    out[w] = 0;
    dynbuf_reset(&x->text);
    if (w > CSV_MAX_CELL) {
        free(out);
        xfail(x, CSV_TOOBIG, row, col, "a text longer than %u bytes", CSV_MAX_CELL);
        return NULL;
    }
    return out;
}

/* ---- zip parts through expat ------------------------------------------------------------------------- */

/* expat's memory is wiped when freed: it held the sheet's text, ID numbers among it */
static void *mm_malloc(size_t n) { return malloc(n); }
static void mm_free(void *p)
{
    if (!p) return;
    sodium_memzero(p, malloc_usable_size(p));
    free(p);
}
static void *mm_realloc(void *p, size_t n)
{
    if (!p) return malloc(n);
    size_t old = malloc_usable_size(p);
    void *q = malloc(n ? n : 1);
    if (!q) return NULL;
    memcpy(q, p, old < n ? old : n);
    mm_free(p);
    return q;
}
static const XML_Memory_Handling_Suite MM = {mm_malloc, mm_realloc, mm_free};

static void XMLCALL no_dtd(void *ud, const XML_Char *name, const XML_Char *sys, const XML_Char *pub, int internal)
{
    (void)name, (void)sys, (void)pub, (void)internal;
    xr *x = ud;
    xfail(x, CSV_ENCODING, 0, -1, "%s has a document type declaration (DTD), which no workbook needs: refused", x->part);
}


static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    xr *x = ud;
    if (++x->depth > XLSX_MAX_DEPTH) {
        xfail(x, CSV_TOOBIG, 0, -1, "%s nests elements more than %d deep", x->part, XLSX_MAX_DEPTH);
        return;
    }
    if (!x->failed) x->h->start(x, local(name), atts);
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
    xr *x = ud;
    x->depth--;
    if (!x->failed && x->h->end) x->h->end(x, local(name));
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
    xr *x = ud;
    if (!x->failed && ((x->in_t && !x->rph) || x->in_v)) text_add(x, s, len);
}

/* Streams part NAME through H. 0; 1 when the part is absent; -1 after xfail. */
static int part_parse(xr *x, const char *name, const handlers *h)
{
    zip_int64_t idx = zip_name_locate(x->z, name, ZIP_FL_NOCASE);
    if (idx < 0) return 1;
    x->part = name;
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(x->z, (zip_uint64_t)idx, 0, &st) == 0) {
        if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE) {
            xfail(x, CSV_ENCODING, 0, -1, "%s is encrypted: save the workbook without a password", name);
            return -1;
        }
        if ((st.valid & ZIP_STAT_SIZE) && st.size > XLSX_MAX_PART) {
            xfail(x, CSV_TOOBIG, 0, -1, "%s would inflate to %llu bytes, more than %u MiB: refused (a zip bomb, or a sheet "
                  "far larger than an exam input)", name, (unsigned long long)st.size, XLSX_MAX_PART >> 20);
            return -1;
        }
    }
    zip_file_t *f = zip_fopen_index(x->z, (zip_uint64_t)idx, 0);
    if (!f) {
        xfail(x, CSV_ENCODING, 0, -1, "cannot read %s: %s", name, zip_strerror(x->z));
        return -1;
    }
    XML_Parser p = XML_ParserCreate_MM(NULL, &MM, NULL);
    unsigned char *buf = malloc(CHUNK);
    if (!p || !buf) {
        if (p) XML_ParserFree(p);
        free(buf);
        zip_fclose(f);
        oom(x);
        return -1;
    }
    XML_SetUserData(p, x);
    XML_SetElementHandler(p, on_start, on_end);
    XML_SetCharacterDataHandler(p, on_text);
    XML_SetStartDoctypeDeclHandler(p, no_dtd);
    x->p = p;
    x->depth = 0;
    x->h = h;
    size_t partbytes = 0;
    for (;;) {
        zip_int64_t n = zip_fread(f, buf, CHUNK);
        if (n < 0) {
            zip_error_t *e = zip_file_get_error(f);
            xfail(x, CSV_ENCODING, 0, -1, "%s is damaged: %s", name, e ? zip_error_strerror(e) : "read error");
            break;
        }
        partbytes += (size_t)n;
        x->inflated += (size_t)n;
        if (partbytes > XLSX_MAX_PART) {
            xfail(x, CSV_TOOBIG, 0, -1, "%s inflates to more than %u MiB: refused (a zip bomb, or a sheet far larger than "
                  "an exam input)", name, XLSX_MAX_PART >> 20);
            break;
        }
        if (x->inflated > XLSX_MAX_INFLATED) {
            xfail(x, CSV_TOOBIG, 0, -1, "the workbook's parts inflate to more than %u MiB together: refused (a zip bomb)",
                  XLSX_MAX_INFLATED >> 20);
            break;
        }
        if (XML_Parse(p, (const char *)buf, (int)n, n == 0) != XML_STATUS_OK) {
            if (!x->failed)
                xfail(x, CSV_ENCODING, 0, -1, "%s is not well-formed XML (line %lu: %s)", name,
                      (unsigned long)XML_GetCurrentLineNumber(p), XML_ErrorString(XML_GetErrorCode(p)));
            break;
        }
        if (x->failed || n == 0) break;
    }
    sodium_memzero(buf, CHUNK);
    free(buf);
    XML_ParserFree(p);
    x->p = NULL;
    zip_fclose(f);
    return x->failed ? -1 : 0;
}

/* ---- relationships and the workbook -------------------------------------------------------------------- */

static void rels_clear(xr *x)
{
    for (size_t i = 0; i < x->nrels; i++) {
        free(x->rels[i].id);
        free(x->rels[i].type);
        free(x->rels[i].target);
    }
    x->nrels = 0;
}

static void rels_start(xr *x, const char *name, const char **atts)
{
    if (strcmp(name, "Relationship")) return;
    const char *mode = attr(atts, "TargetMode");
    if (mode && !strcmp(mode, "External")) return;
    if (x->nrels >= RELS_MAX) {
        xfail(x, CSV_TOOBIG, 0, -1, "%s has more than %d relationships", x->part, RELS_MAX);
        return;
    }
    rel *r = &x->rels[x->nrels++];
    r->id = xdup(x, attr(atts, "Id"));
    r->type = xdup(x, attr(atts, "Type"));
    r->target = xdup(x, attr(atts, "Target"));
}
static const handlers RELS = {rels_start, NULL};

/* the relationship of a type ending in /SUFFIX (the transitional and strict namespaces differ before it) */
static const rel *rel_of_type(const xr *x, const char *suffix)
{
    size_t sl = strlen(suffix);
    for (size_t i = 0; i < x->nrels; i++) {
        size_t tl = strlen(x->rels[i].type);
        if (tl > sl && x->rels[i].type[tl - sl - 1] == '/' && !strcmp(x->rels[i].type + tl - sl, suffix)) return &x->rels[i];
    }
    return NULL;
}

/* TARGET relative to folder DIR ("xl/", "" for the root), with . and .. resolved; NULL when it leaves the zip or is too long */
static char *resolve(const char *dir, const char *target)
{
    char path[PATH_MAX_XLSX];
    if (snprintf(path, sizeof path, "%s%s", target[0] == '/' ? "" : dir, target[0] == '/' ? target + 1 : target) >=
        (int)sizeof path)
        return NULL;
    char out[PATH_MAX_XLSX];
    size_t o = 0;
    for (char *seg = path, *next; seg; seg = next) {
        next = strchr(seg, '/');
        if (next) *next++ = 0;
        if (!*seg || !strcmp(seg, ".")) continue;
        if (!strcmp(seg, "..")) {
            if (!o) return NULL;
            while (o > 0 && out[o - 1] != '/') o--;
            if (o) o--;
            continue;
        }
        size_t sl = strlen(seg);
        if (o + sl + 2 > sizeof out) return NULL;
        if (o) out[o++] = '/';
        memcpy(out + o, seg, sl);
        o += sl;
    }
    out[o] = 0;
    return o ? strdup(out) : NULL;
}

static void wb_start(xr *x, const char *name, const char **atts)
{
    if (!strcmp(name, "workbookPr")) {
        const char *v = attr(atts, "date1904");
        x->date1904 = v && (!strcmp(v, "1") || !strcmp(v, "true"));
    } else if (!strcmp(name, "sheet")) {
        if (x->nsheets >= XLSX_MAX_SHEETS) {
            xfail(x, CSV_TOOBIG, 0, -1, "the workbook has more than %d sheets", XLSX_MAX_SHEETS);
            return;
        }
        const char *n = attr(atts, "name"), *id = attr(atts, "id"), *state = attr(atts, "state");
        if (!n || !id || strlen(n) > XLSX_SHEET_NAME_MAX || !*n) {
            xfail(x, CSV_ENCODING, 0, -1, "%s names a sheet without a name or relationship, or with a name over %d bytes",
                  x->part, XLSX_SHEET_NAME_MAX);
            return;
        }
        sheetref *s = &x->sheets[x->nsheets++];
        s->name = xdup(x, n);
        s->rid = xdup(x, id);
        s->hidden = state && strcmp(state, "visible");
    }
}
static const handlers WORKBOOK = {wb_start, NULL};

/* ---- shared strings ------------------------------------------------------------------------------------ */

static void sst_start(xr *x, const char *name, const char **atts)
{
    (void)atts;
    if (!strcmp(name, "si")) {
        x->in_si = 1;
        x->rph = 0;
        dynbuf_reset(&x->text);
    } else if (x->in_si && !strcmp(name, "rPh")) x->rph++;
    else if (x->in_si && !strcmp(name, "t")) x->in_t = 1;
}

static void sst_end(xr *x, const char *name)
{
    if (!strcmp(name, "t")) x->in_t = 0;
    else if (!strcmp(name, "rPh")) x->rph--;
    else if (!strcmp(name, "si") && x->in_si) {
        x->in_si = 0;
        if (x->nsst >= XLSX_MAX_STRINGS) {
            xfail(x, CSV_TOOBIG, 0, -1, "%s has more than %d strings", x->part, XLSX_MAX_STRINGS);
            return;
        }
        if (x->nsst == x->sstcap) {
            size_t cap = x->sstcap ? x->sstcap * 2 : 256;
            char **n = realloc(x->sst, cap * sizeof *n);
            if (!n) { oom(x); return; }
            x->sst = n;
            x->sstcap = cap;
        }
        char *s = text_take(x, 0, -1);
        if (s) x->sst[x->nsst++] = s;
    }
}
static const handlers SST = {sst_start, sst_end};

/* ---- styles: which cell styles show a date ----------------------------------------------------------- */

static int builtin_kind(unsigned id)
{
    if ((id >= 14 && id <= 17) || (id >= 27 && id <= 31) || id == 36 || (id >= 50 && id <= 58)) return NF_DATE;
    if ((id >= 18 && id <= 21) || (id >= 32 && id <= 35) || (id >= 45 && id <= 47)) return NF_TIME;
    return id == 22 ? NF_DATETIME : NF_NUMBER;
}

/* A format code's kind, by its first section: y and d (and an m without h or s) make a date, h and s a time;
 * quoted text, [colours], \escapes and the character after _ or * do not count. */
static int code_kind(const char *c)
{
    int date = 0, time = 0, m = 0;
    for (; *c && *c != ';'; c++) {
        if (!strncasecmp(c, "General", 7)) { c += 6; continue; }
        if (*c == '"') { while (c[1] && c[1] != '"') c++; if (c[1]) c++; continue; }
        if (*c == '[') {
            /* [h], [mm], [ss]: elapsed time; anything else in brackets is a colour, locale or condition */
            if (c[1] == 'h' || c[1] == 'H' || c[1] == 's' || c[1] == 'S') time = 1;
            while (c[1] && c[1] != ']') c++;
            if (c[1]) c++;
            continue;
        }
        if ((*c == '\\' || *c == '_' || *c == '*') && c[1]) { c++; continue; }
        switch (*c) {
        case 'y': case 'Y': case 'd': case 'D': date = 1; break;
        case 'h': case 'H': case 's': case 'S': time = 1; break;
        case 'm': case 'M': m = 1; break;
        default: break;
        }
    }
    if (m && !time) date = 1;
    return date && time ? NF_DATETIME : date ? NF_DATE : time ? NF_TIME : NF_NUMBER;
}

static void styles_start(xr *x, const char *name, const char **atts)
{
    if (!strcmp(name, "numFmts")) x->in_numfmts = 1;
    else if (!strcmp(name, "cellXfs")) x->in_cellxfs = 1;
    else if (x->in_numfmts && !strcmp(name, "numFmt")) {
        const char *id = attr(atts, "numFmtId"), *code = attr(atts, "formatCode");
        if (!id || !code || x->nnumfmts >= NUMFMTS_MAX) return;
        x->numfmts[x->nnumfmts].id = (unsigned)strtoul(id, NULL, 10);
        x->numfmts[x->nnumfmts].kind = (unsigned char)code_kind(code);
        x->nnumfmts++;
    } else if (x->in_cellxfs && !strcmp(name, "xf")) {
        if (x->nxf >= XFS_MAX) {
            xfail(x, CSV_TOOBIG, 0, -1, "%s has more than %d cell styles", x->part, XFS_MAX);
            return;
        }
        const char *id = attr(atts, "numFmtId");
        x->xf_fmt[x->nxf++] = id ? (unsigned)strtoul(id, NULL, 10) : 0;
    }
}

static void styles_end(xr *x, const char *name)
{
    if (!strcmp(name, "numFmts")) x->in_numfmts = 0;
    else if (!strcmp(name, "cellXfs")) x->in_cellxfs = 0;
}
static const handlers STYLES = {styles_start, styles_end};

static void styles_resolve(xr *x)
{
    for (size_t i = 0; i < x->nxf; i++) {
        unsigned id = x->xf_fmt[i];
        int kind = builtin_kind(id);
        for (size_t k = 0; k < x->nnumfmts; k++)
            if (x->numfmts[k].id == id) kind = x->numfmts[k].kind;
        x->xf_kind[i] = (unsigned char)kind;
    }
}

/* ---- the sheet ---------------------------------------------------------------------------------------- */

enum { CT_NUMBER, CT_SHARED, CT_INLINE, CT_STR, CT_BOOL, CT_ERROR, CT_DATE };

/* "B12" into a 0-based column and a row; -1 when it is not a cell reference Excel can have */
static int parse_ref(const char *s, int *col, long *row)
{
    int c = 0, nl = 0;
    for (; *s >= 'A' && *s <= 'Z' && nl < 4; s++, nl++) c = c * 26 + (*s - 'A' + 1);
    if (!nl || nl > 3 || c > EXCEL_MAX_COL) return -1;
    long r = 0;
    int nd = 0;
    for (; *s >= '0' && *s <= '9' && nd < 8; s++, nd++) r = r * 10 + (*s - '0');
    if (!nd || *s || r < 1 || r > EXCEL_MAX_ROW) return -1;
    *col = c - 1;
    *row = r;
    return 0;
}

static int in_list(const char *name, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcasecmp(name, list[i])) return 1;
    return 0;
}

static void row_clear(xr *x)
{
    for (int i = 0; i < CSV_MAX_COLS; i++) {
        free(x->slot[i]);
        x->slot[i] = NULL;
    }
    x->maxcol = -1;
}

/* the header's identifier and date columns, from the first row kept */
static void header_columns(xr *x, const csv_row *h)
{
    for (size_t i = 0; i < h->ncells; i++) {
        char *n = text_trim(h->cells[i]);
        if (!n) { oom(x); return; }
        if (in_list(n, TEXT_ONLY, sizeof TEXT_ONLY / sizeof *TEXT_ONLY)) x->text_only |= 1ull << i;
        if (in_list(n, DATE_COLS, sizeof DATE_COLS / sizeof *DATE_COLS)) x->dates |= 1ull << i;
        free(n);
    }
    x->have_header = 1;
    x->header_row = h->line;
}

static void row_end(xr *x)
{
    if (x->maxcol < 0) return; /* no value: left out, as an empty line of a CSV file */
    if (x->nrows >= CSV_MAX_ROWS) {
        xfail(x, CSV_TOOBIG, x->row, -1, "more than %d rows", CSV_MAX_ROWS);
        return;
    }
    size_t n = (size_t)x->maxcol + 1;
    x->cells += n;
    if (x->cells > XLSX_MAX_CELLS) {
        xfail(x, CSV_TOOBIG, x->row, -1, "more than %d cells in the sheet (gaps included)", XLSX_MAX_CELLS);
        return;
    }
    if (x->nrows == x->rowcap) {
        size_t cap = x->rowcap ? x->rowcap * 2 : 64;
        csv_row *nr = realloc(x->rows, cap * sizeof *nr);
        if (!nr) { oom(x); return; }
        x->rows = nr;
        x->rowcap = cap;
    }
    char **cells = malloc(n * sizeof *cells);
    if (!cells) { oom(x); return; }
    for (size_t i = 0; i < n; i++) {
        cells[i] = x->slot[i] ? x->slot[i] : strdup("");
        x->slot[i] = NULL;
        if (!cells[i]) {
            for (size_t k = 0; k < i; k++) free(cells[k]);
            free(cells);
            oom(x);
            return;
        }
    }
    x->rows[x->nrows] = (csv_row){cells, n, x->row};
    x->nrows++;
    x->maxcol = -1;
    if (!x->have_header) header_columns(x, &x->rows[x->nrows - 1]);
}

/* the value of the cell just read, as text (malloc'd), or NULL after xfail */
static char *cell_value(xr *x)
{
    char *raw = text_take(x, x->row, x->col);
    if (!raw) return NULL;
    char cref[4];
    diag_col_name(x->col, cref);
    switch (x->ctype) {
    case CT_INLINE: case CT_STR: return raw;
    case CT_SHARED: {
        char *end;
        errno = 0;
        unsigned long i = strtoul(raw, &end, 10);
        if (!*raw || *end || errno || i >= x->nsst) {
            xfail(x, CSV_ENCODING, x->row, x->col, "the cell names shared string '%.20s', which does not exist", raw);
            free(raw);
            return NULL;
        }
        free(raw);
        return xdup(x, x->sst[i]);
    }
    case CT_BOOL:
        if (!strcmp(raw, "1") || !strcmp(raw, "0")) {
            int t = raw[0] == '1';
            free(raw);
            return xdup(x, t ? "TRUE" : "FALSE");
        }
        xfail(x, CSV_ENCODING, x->row, x->col, "the cell is a boolean of value '%.20s'", raw);
        free(raw);
        return NULL;
    case CT_ERROR:
        xfail(x, CSV_ENCODING, x->row, x->col, "the cell holds the Excel error %.20s: correct its formula or type the value",
              raw);
        free(raw);
        return NULL;
    case CT_DATE: { /* ISO 8601, as strict workbooks write dates: the date alone when it is midnight */
        char *t = strchr(raw, 'T');
        if (t && (!strncmp(t, "T00:00:00", 9))) *t = 0;
        else if (t) *t = ' ';
        return raw;
    }
    default: break;
    }
    /* a number */
    if (!*raw) return raw;
    char *end;
    errno = 0;
    double v = strtod(raw, &end);
    if (*end || errno == ERANGE || !isfinite(v)) {
        xfail(x, CSV_ENCODING, x->row, x->col, "the cell is a number of value '%.20s', which is not a number", raw);
        free(raw);
        return NULL;
    }
    free(raw);
    uint64_t bit = x->col < 64 ? 1ull << x->col : 0;
    if (x->have_header && (x->text_only & bit)) {
        xfail(x, CSV_ENCODING, x->row, x->col,
              "%s is a number, and Excel keeps only 15 digits of a number and no leading zero: format the column as "
              "text (设置单元格格式 → 文本) and type the values again", x->rows[0].cells[x->col]);
        return NULL;
    }
    int kind = x->cstyle >= 0 && (size_t)x->cstyle < x->nxf ? x->xf_kind[x->cstyle] : NF_NUMBER;
    if (x->have_header && (x->dates & bit) && kind == NF_NUMBER) kind = NF_DATE;
    char buf[32];
    if (kind != NF_NUMBER) {
        int with_time = kind == NF_DATETIME || (kind == NF_DATE && v != floor(v)) || kind == NF_TIME;
        if (kind == NF_TIME && v >= 0 && v < 1) {
            long s = lround(v * 86400.0) % 86400;
            snprintf(buf, sizeof buf, "%02ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
            return xdup(x, buf);
        }
        if (xlsx_serial_date(v, x->date1904, with_time, buf) == 0) return xdup(x, buf);
    }
    xlsx_number_text(v, buf);
    return xdup(x, buf);
}

static void sheet_start(xr *x, const char *name, const char **atts)
{
    if (!strcmp(name, "sheetData")) x->in_sheetdata = 1;
    else if (x->in_sheetdata && !strcmp(name, "row")) {
        const char *r = attr(atts, "r");
        long row = x->lastrow + 1;
        if (r) {
            char *end;
            errno = 0;
            row = strtol(r, &end, 10);
            if (*end || errno || row < 1 || row > EXCEL_MAX_ROW) {
                xfail(x, CSV_ENCODING, 0, -1, "a row is numbered '%.20s', which is not a row number", r);
                return;
            }
        }
        if (row <= x->lastrow) {
            xfail(x, CSV_ENCODING, row, -1, "row %ld comes after row %ld: the sheet's rows are out of order", row, x->lastrow);
            return;
        }
        x->row = x->lastrow = row;
        x->lastcol = -1;
        x->in_row = 1;
        row_clear(x);
    } else if (x->in_row && !strcmp(name, "c")) {
        const char *r = attr(atts, "r"), *t = attr(atts, "t"), *s = attr(atts, "s");
        int col = x->lastcol + 1;
        if (r) {
            long row;
            if (parse_ref(r, &col, &row) || row != x->row) {
                xfail(x, CSV_ENCODING, x->row, -1, "a cell of row %ld is named '%.20s'", x->row, r);
                return;
            }
        }
        if (col <= x->lastcol || col >= EXCEL_MAX_COL) {
            xfail(x, CSV_ENCODING, x->row, col < EXCEL_MAX_COL ? col : -1, "the cells of row %ld are out of order", x->row);
            return;
        }
        x->col = x->lastcol = col;
        x->ctype = CT_NUMBER;
        if (t) {
            static const struct { const char *n; int t; } T[] = {{"n", CT_NUMBER}, {"s", CT_SHARED}, {"inlineStr", CT_INLINE},
                {"str", CT_STR}, {"b", CT_BOOL}, {"e", CT_ERROR}, {"d", CT_DATE}};
            x->ctype = -1;
            for (size_t i = 0; i < sizeof T / sizeof *T; i++)
                if (!strcmp(t, T[i].n)) x->ctype = T[i].t;
            if (x->ctype < 0) {
                xfail(x, CSV_ENCODING, x->row, col, "the cell has type '%.20s', which no workbook has", t);
                return;
            }
        }
        x->cstyle = s ? (int)strtol(s, NULL, 10) : -1;
        x->in_c = 1;
        x->rph = 0;
        dynbuf_reset(&x->text);
    } else if (x->in_c && !strcmp(name, "v")) x->in_v = x->ctype != CT_INLINE;
    else if (x->in_c && !strcmp(name, "is")) x->in_is = 1;
    else if (x->in_is && !strcmp(name, "rPh")) x->rph++;
    else if (x->in_is && !strcmp(name, "t")) x->in_t = 1;
    else if (!strcmp(name, "mergeCell")) {
        const char *ref = attr(atts, "ref");
        char a[16] = "", b[16] = "";
        int c1 = 0, c2 = 0;
        long r1 = 0, r2 = 0;
        if (ref && sscanf(ref, "%15[A-Z0-9]:%15[A-Z0-9]", a, b) == 2 && !parse_ref(a, &c1, &r1) && !parse_ref(b, &c2, &r2)) {
            if (x->have_header && r1 <= x->header_row && r2 >= x->header_row)
                xfail(x, CSV_ENCODING, x->header_row, c1, "header cells %s are merged: unmerge them and give each column "
                      "its own name", ref);
            else
                xfail(x, CSV_ENCODING, r1, c1, "cells %s are merged, which keeps the value in %s only: unmerge them and fill "
                      "in every cell", ref, a);
        } else xfail(x, CSV_ENCODING, 0, -1, "the sheet has merged cells (%.20s): unmerge them", ref ? ref : "");
    }
}

static void sheet_end(xr *x, const char *name)
{
    if (!strcmp(name, "sheetData")) x->in_sheetdata = 0;
    else if (!strcmp(name, "row") && x->in_row) {
        x->in_row = 0;
        row_end(x);
    } else if (!strcmp(name, "c") && x->in_c) {
        x->in_c = x->in_v = x->in_is = x->in_t = 0;
        char *v = cell_value(x);
        if (!v) return;
        if (!*v) { free(v); return; }
        if (x->col >= CSV_MAX_COLS) {
            free(v);
            xfail(x, CSV_TOOBIG, x->row, x->col, "a value beyond the %dth column: at most %d columns are read", CSV_MAX_COLS,
                  CSV_MAX_COLS);
            return;
        }
        x->text_bytes += strlen(v);
        if (x->text_bytes > XLSX_MAX_TEXT) {
            free(v);
            xfail(x, CSV_TOOBIG, x->row, x->col, "the sheet's cells hold more than %u MiB of text together",
                  XLSX_MAX_TEXT >> 20);
            return;
        }
        x->slot[x->col] = v;
        if (x->col > x->maxcol) x->maxcol = x->col;
    } else if (!strcmp(name, "v")) x->in_v = 0;
    else if (!strcmp(name, "t")) x->in_t = 0;
    else if (!strcmp(name, "rPh")) x->rph--;
    else if (!strcmp(name, "is")) x->in_is = 0;
}
static const handlers SHEET = {sheet_start, sheet_end};

/* ---- the whole ------------------------------------------------------------------------------------------ */

static void xr_free(xr *x)
{
    rels_clear(x);
    for (size_t i = 0; i < x->nsheets; i++) {
        free(x->sheets[i].name);
        free(x->sheets[i].rid);
    }
    for (size_t i = 0; i < x->nsst; i++) {
        sodium_memzero(x->sst[i], strlen(x->sst[i]));
        free(x->sst[i]);
    }
    free(x->sst);
    free(x->xf_kind);
    free(x->xf_fmt);
    row_clear(x);
    if (x->text.p) sodium_memzero(x->text.p, x->text.alloc);
    dynbuf_free(&x->text);
    csv_table t = {x->rows, x->nrows, 0, NULL};
    csv_free(&t);
    if (x->z) zip_discard(x->z);
    free(x);
}

/* the folder of part PATH with its slash ("xl/" of "xl/workbook.xml"), into DIR */
static void dir_of(const char *path, char dir[PATH_MAX_XLSX])
{
    const char *s = strrchr(path, '/');
    size_t n = s ? (size_t)(s - path) + 1 : 0;
    memcpy(dir, path, n);
    dir[n] = 0;
}

static int read_workbook(xr *x, const char *want, char **sheetpath, char dir[PATH_MAX_XLSX])
{
    /* the package's relationships name the workbook part (xl/workbook.xml in every workbook seen) */
    char *wb = NULL;
    if (part_parse(x, "_rels/.rels", &RELS) < 0) return -1;
    const rel *r = rel_of_type(x, "officeDocument");
    wb = r ? resolve("", r->target) : strdup("xl/workbook.xml");
    rels_clear(x);
    if (!wb) { xfail(x, CSV_ENCODING, 0, -1, "_rels/.rels names no workbook part"); return -1; }
    int rc = part_parse(x, wb, &WORKBOOK);
    if (rc) {
        if (rc > 0)
            xfail(x, CSV_ENCODING, 0, -1, "a zip file, but not an .xlsx workbook (no %s): save it from Excel or WPS as "
                  "Excel Workbook (.xlsx)", wb);
        free(wb);
        return -1;
    }
    dir_of(wb, dir);
    char relspath[PATH_MAX_XLSX + 16];
    const char *base = strrchr(wb, '/') ? strrchr(wb, '/') + 1 : wb;
    snprintf(relspath, sizeof relspath, "%s_rels/%s.rels", dir, base);
    free(wb);
    if (part_parse(x, relspath, &RELS) < 0) return -1;
    if (!x->nsheets) { xfail(x, CSV_EMPTY, 0, -1, "the workbook has no sheet"); return -1; }
    const sheetref *s = NULL;
    for (size_t i = 0; i < x->nsheets && !s; i++)
        if (want ? !strcasecmp(x->sheets[i].name, want) : !x->sheets[i].hidden) s = &x->sheets[i];
    if (!s && want) {
        char names[512] = "";
        for (size_t i = 0; i < x->nsheets; i++)
            if (strlen(names) + strlen(x->sheets[i].name) + 8 < sizeof names)
                snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i ? ", " : "", x->sheets[i].name);
        xfail(x, CSV_ENCODING, 0, -1, "the workbook has no sheet named '%s' (its sheets: %s)", want, names);
        return -1;
    }
    if (!s) { xfail(x, CSV_EMPTY, 0, -1, "every sheet of the workbook is hidden: name one with --sheet"); return -1; }
    diag_set_sheet(x->d, s->name);
    const rel *sr = NULL;
    for (size_t i = 0; i < x->nrels && !sr; i++)
        if (!strcmp(x->rels[i].id, s->rid)) sr = &x->rels[i];
    size_t tl = sr ? strlen(sr->type) : 0;
    if (!sr || tl < 10 || strcmp(sr->type + tl - 10, "/worksheet")) {
        xfail(x, CSV_ENCODING, 0, -1, "sheet '%s' is not a worksheet (a chart or dialog sheet?)", s->name);
        return -1;
    }
    *sheetpath = resolve(dir, sr->target);
    if (!*sheetpath) { xfail(x, CSV_ENCODING, 0, -1, "sheet '%s' points outside the workbook", s->name); return -1; }
    return 0;
}

csv_rc xlsx_parse(const void *buf, size_t len, const char *sheet, csv_table *out, diag *d)
{
    memset(out, 0, sizeof *out);
    if (len > XLSX_MAX_BYTES) {
        diag_add(d, 0, "file larger than %u bytes", XLSX_MAX_BYTES);
        return CSV_TOOBIG;
    }
    xr *x = calloc(1, sizeof *x);
    if (!x) { diag_add(d, 0, "out of memory"); return CSV_ENOMEM; }
    x->d = d;
    x->maxcol = -1;
    dynbuf_init(&x->text, 7u * CSV_MAX_CELL); /* room for a cell of escapes (_x4E2D_: 7 bytes for 3) */
    char *sheetpath = NULL;
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(buf, len, 0, &ze);
    if (src) {
        x->z = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
        if (!x->z) zip_source_free(src);
    }
    if (!x->z) {
        xfail(x, CSV_ENCODING, 0, -1, "not a readable .xlsx workbook (zip: %s)", zip_error_strerror(&ze));
        zip_error_fini(&ze);
        goto done;
    }
    zip_error_fini(&ze);
    zip_int64_t parts = zip_get_num_entries(x->z, 0);
    if (parts > XLSX_MAX_PARTS) {
        xfail(x, CSV_TOOBIG, 0, -1, "the zip holds %lld files, more than %d: not a workbook of an exam input", (long long)parts,
              XLSX_MAX_PARTS);
        goto done;
    }
    char dir[PATH_MAX_XLSX];
    if (read_workbook(x, sheet, &sheetpath, dir)) goto done;
    const rel *r = rel_of_type(x, "sharedStrings");
    char *sstpath = r ? resolve(dir, r->target) : NULL;
    int want_sst = r != NULL;
    r = rel_of_type(x, "styles");
    char *stylepath = r ? resolve(dir, r->target) : NULL;
    /* a part named but its path not made: out of memory, or a path out of the zip, which no workbook has */
    if ((want_sst && !sstpath) || (r && !stylepath))
        xfail(x, CSV_ENCODING, 0, -1, "the workbook's shared strings or styles are named outside the workbook (or out of memory)");
    rels_clear(x);
    if (x->failed) {
        free(sstpath);
        free(stylepath);
        goto done;
    }
    int rc = sstpath ? part_parse(x, sstpath, &SST) : 1;
    if (rc >= 0) {
        x->xf_fmt = calloc(XFS_MAX, sizeof *x->xf_fmt);
        x->xf_kind = calloc(XFS_MAX, 1);
        if (!x->xf_fmt || !x->xf_kind) oom(x);
        else if (stylepath && part_parse(x, stylepath, &STYLES) == 0) styles_resolve(x);
    }
    free(sstpath);
    free(stylepath);
    if (x->failed) goto done;
    rc = part_parse(x, sheetpath, &SHEET);
    if (rc > 0) xfail(x, CSV_ENCODING, 0, -1, "the workbook names %s for its sheet, but the zip has no such file", sheetpath);
    if (x->failed) goto done;
    if (!x->nrows) {
        xfail(x, CSV_EMPTY, 1, -1, "the sheet is empty");
        goto done;
    }
    out->rows = x->rows;
    out->nrows = x->nrows;
    out->sheet = strdup(x->d->sheet ? x->d->sheet : "");
    x->rows = NULL;
    x->nrows = 0;
    if (!out->sheet) {
        csv_free(out);
        oom(x);
    }
done:
    free(sheetpath);
    csv_rc res = x->failed ? x->rc : CSV_OK;
    xr_free(x);
    return res;
}

int xlsx_is_workbook(const char *name, const void *buf, size_t len)
{
    size_t n = name ? strlen(name) : 0;
    if (n >= 5 && !strcasecmp(name + n - 5, ".xlsx")) return 1;
    return len >= 4 && !memcmp(buf, "PK\3\4", 4);
}

int table_read(const char *name, const void *buf, size_t len, const char *sheet, csv_table *out, diag *d)
{
    memset(out, 0, sizeof *out);
    if (xlsx_is_workbook(name, buf, len)) return xlsx_parse(buf, len, sheet, out, d) == CSV_OK ? 0 : -1;
    diag_set_sheet(d, NULL);
    if (sheet) {
        diag_add(d, 0, "--sheet %s: this is not an .xlsx workbook (a CSV file has one table)", sheet);
        return -1;
    }
    /* what Excel 97-2003 saves, and what Excel makes of an .xlsx with a password: an OLE2 compound file */
    if (len >= 8 && !memcmp(buf, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8)) {
        diag_add(d, 0, "an Excel 97-2003 workbook (.xls) or a password-protected one: save it as Excel Workbook (.xlsx) "
                       "without a password, or as CSV UTF-8");
        return -1;
    }
    long line = 0;
    char *why = NULL;
    csv_rc rc = csv_parse(buf, len, out, &line, &why);
    if (rc != CSV_OK) {
        diag_add(d, line, "%s", why ? why : csv_strerror(rc));
        free(why);
        return -1;
    }
    return 0;
}
