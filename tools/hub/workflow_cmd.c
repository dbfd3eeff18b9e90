/* workflow_cmd: examhub's certification commands (README: The certification
 * workflow): their options, the helpers they share and their entry points
 * for examhub's command table.
 * The commands are in wf_import.c, wf_plan.c, wf_output.c and wf_print.c. */
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fileio.h"
#include "core/text.h"
#include "core/xlsx.h"
#include "tools/hub/workflow_cmd.h"
#include "tools/hub/workflow_cmd_int.h"

/* ---- messages and small checks ---------------------------------------------------------- */

static _Thread_local FILE *out_stream, *msg_stream;

void workflow_streams(FILE *out, FILE *err)
{
    out_stream = out;
    msg_stream = err;
}

FILE *wfc_out(void) { return out_stream ? out_stream : stdout; }
FILE *wfc_msg(void) { return msg_stream ? msg_stream : stderr; }

int wfc_err(const char *what, char *why)
{
    fprintf(wfc_msg(), "%s: %s\n", what, why ? why : "error");
    free(why);
    return 1;
}

int wfc_usage(const char *msg)
{
    fprintf(wfc_msg(), "examhub: %s (see examhub --help)\n", msg);
    return 2;
}

int wfc_storage(const wopts *o, hubstore *s, char *why)
{
    char *msg = fileio_fmt("storage: %s", why ? why : hubstore_error(s));
    free(why);
    return wfc_err(o->db, msg);
}

int wfc_batch_ok(const char *b)
{
    int y, m;
    char x;
    return b && strlen(b) == 7 && sscanf(b, "%4d-%2d%c", &y, &m, &x) == 2 && b[4] == '-' && m >= 1 && m <= 12 && y >= 2000;
}

void wfc_mask_id(const char *id, char out[19]) { snprintf(out, 19, "%.6s********%.4s", id, id + 14); }

hubstore *wfc_open_db(const wopts *o)
{
    hubstore *s;
    char *why = NULL;
    if (hubstore_open(o->db, 0, &s, &why)) {
        wfc_err(o->db, why);
        return NULL;
    }
    return s;
}

/* ---- options ------------------------------------------------------------------------------ */

void workflow_defaults(wopts *o)
{
    memset(o, 0, sizeof *o);
    o->margin = 20; /* 2 points */
    o->body = "0000";
}

int workflow_option(wopts *o, int id, const char *arg, const char **why)
{
    char *end;
    switch (id) {
    case WF_OPT_DB: o->db = arg; break;
    case WF_OPT_CSV: o->csv = arg ? arg : "-"; break;
    case WF_OPT_BATCH: o->batch = arg; break;
    case WF_OPT_OUT: o->out = arg; break;
    case WF_OPT_KEY: o->key = arg; break;
    case WF_OPT_PUB: o->pub = arg; break;
    case WF_OPT_PACK: o->pack = arg; break;
    case WF_OPT_CODE: o->code = arg; break;
    case WF_OPT_BODY: o->body = arg; break;
    case WF_OPT_THEORY: o->theory = arg; break;
    case WF_OPT_PRACTICAL: o->practical = arg; break;
    case WF_OPT_SHEET: o->sheet = arg; break;
    case WF_OPT_RESULT: o->result = arg; break;
    case WF_OPT_KEEP: o->keep = 1; break;
    case WF_OPT_VOID: o->void_ = 1; break;
    case WF_OPT_WHY: o->why_text = arg; break;
    case WF_OPT_BY: o->by = arg; break;
    case WF_OPT_ALLOW_INCOMPLETE: o->allow_incomplete = 1; break;
    case WF_OPT_PDF: o->pdf = 1; break;
    case WF_OPT_CENTRE: o->centre = arg; break;
    case WF_OPT_ONE_PDF: o->one_pdf = 1; break;
    case WF_OPT_YEAR:
        o->year = (int)strtol(arg, &end, 10);
        if (*end || o->year < 2000 || o->year > 2099) return *why = "--year must be 2000-2099", 1;
        break;
    case WF_OPT_KDF_OPS:
        o->kdf_ops = (int)strtol(arg, &end, 10);
        if (*end || o->kdf_ops < 1 || o->kdf_ops > 20) return *why = "--kdf-ops must be 1-20", 1;
        break;
    case WF_OPT_KDF_MEM:
        o->kdf_mem = (int)strtol(arg, &end, 10);
        if (*end || o->kdf_mem < 16 || o->kdf_mem > 1024) return *why = "--kdf-mem must be 16-1024 (MiB)", 1;
        break;
    case WF_OPT_MARGIN: {
        int tenths;
        if (text_points(arg, &tenths) && strcmp(arg, "0")) return *why = "--margin must be points, e.g. 2", 1;
        o->margin = strcmp(arg, "0") ? tenths : 0;
        break;
    }
    default: return *why = "unknown option", 1;
    }
    return 0;
}

/* ---- CSV input ------------------------------------------------------------------------------ */

int wfc_load_csv(const wopts *o, wfc_table *tb)
{
    unsigned char *buf;
    size_t len;
    char *why = NULL;
    const char *file = o->csv;
    tb->file = file;
    memset(&tb->t, 0, sizeof tb->t);
    if (o->csv_data) { /* the staff pages' upload: read as a file of that name would be */
        len = o->csv_len;
        if (len > CSV_MAX_BYTES) return wfc_err(file, fileio_fmt("larger than %u bytes", (unsigned)CSV_MAX_BYTES));
        if (!(buf = malloc(len ? len : 1))) return wfc_err(file, fileio_fmt("out of memory"));
        memcpy(buf, o->csv_data, len);
    } else if (fileio_read(file, CSV_MAX_BYTES, &buf, &len, &why))
        return wfc_err(file, why);
    diag d;
    diag_init(&d);
    int rc = table_read(file, buf, len, o->sheet, &tb->t, &d);
    sodium_memzero(buf, len);
    free(buf);
    if (rc) {
        char w[DIAG_WHERE_MAX];
        for (size_t i = 0; i < d.n; i++)
            fprintf(wfc_msg(), "%s: %s\n", diag_where(w, sizeof w, file, d.sheet, d.v[i].line, d.v[i].col), d.v[i].msg);
    }
    diag_free(&d);
    return rc ? 1 : 0;
}

void wfc_print_diag(const wfc_table *tb, const diag *d)
{
    char w[DIAG_WHERE_MAX];
    for (size_t i = 0; i < d->n; i++)
        fprintf(wfc_msg(), "%s: %s\n", diag_where(w, sizeof w, tb->file, tb->t.sheet, d->v[i].line, d->v[i].col), d->v[i].msg);
}

int wfc_row_err(const wfc_row *row, int k, const char *fmt, ...)
{
    char w[DIAG_WHERE_MAX];
    fprintf(wfc_msg(), "%s: ", diag_where(w, sizeof w, row->tb->file, row->tb->t.sheet, row->r->line, k >= 0 ? row->ix[k] : -1));
    va_list ap;
    va_start(ap, fmt);
    vfprintf(wfc_msg(), fmt, ap);
    va_end(ap);
    fputc('\n', wfc_msg());
    return WFC_ROW_BAD;
}

char *wfc_cell(const csv_row *r, int i) { return text_trim(i >= 0 && (size_t)i < r->ncells ? r->cells[i] : ""); }

/* one header reader for all commands: csv_header_map */
int wfc_map_cols(const wfc_table *tb, const char *const *req, int nreq, const char *const *opt, int nopt, int *idx)
{
    csv_column cols[16];
    if (nreq + nopt > 16) abort(); /* a programming error */
    for (int i = 0; i < nreq; i++) cols[i] = (csv_column){req[2 * i], req[2 * i + 1], 1};
    for (int i = 0; i < nopt; i++) cols[nreq + i] = (csv_column){opt[2 * i], opt[2 * i + 1], 0};
    diag d;
    diag_init(&d);
    int bad = csv_header_map(&tb->t.rows[0], cols, (size_t)(nreq + nopt), idx, 0, &d) != 0;
    wfc_print_diag(tb, &d);
    diag_free(&d);
    return bad;
}

int wfc_import_rows(const wopts *o, const char *const *names, int ncols, const char *const *optional, int nopt,
                    wfc_row_fn row, const char *what)
{
    wfc_table tb;
    if (wfc_load_csv(o, &tb)) return 1;
    int ix[16];
    if (wfc_map_cols(&tb, names, ncols, optional, nopt, ix)) { csv_free(&tb.t); return 1; }
    int nv = ncols + nopt;
    hubstore *s = wfc_open_db(o);
    int rc = !s || (hubstore_begin(s) && wfc_storage(o, s, NULL));
    int bad = 0;
    for (size_t r = 1; !rc && r < tb.t.nrows; r++) {
        char *v[8];
        for (int k = 0; k < nv; k++) v[k] = wfc_cell(&tb.t.rows[r], ix[k]);
        wfc_row wr = {&tb, &tb.t.rows[r], ix};
        rc = row(s, o, &wr, v, nv);
        for (int k = 0; k < nv; k++) free(v[k]);
        if (rc == WFC_ROW_BAD) bad = 1, rc = 0; /* named; the next rows are checked too */
    }
    if (bad && !rc) rc = 1;
    if (s && !rc && hubstore_commit(s)) rc = wfc_err(o->db, fileio_fmt("cannot commit: %s", hubstore_error(s)));
    else if (s && rc) hubstore_rollback(s);
    if (!rc) fprintf(wfc_out(), "%zu %s recorded\n", tb.t.nrows - 1, what);
    else fprintf(wfc_msg(), "%s: nothing recorded\n", o->csv);
    hubstore_close(s);
    csv_free(&tb.t);
    return rc;
}

/* ---- the commands, as examhub's table runs them ------------------------------------------- */

#define WF_RUN(name, fn) \
    int workflow_##name(void *ctx) { return fn(ctx); }
WF_RUN(register, wf_import_register)
WF_RUN(pay, wf_import_pay)
WF_RUN(rooms, wf_import_rooms)
WF_RUN(marks, wf_import_marks)
WF_RUN(review, wf_import_review)
WF_RUN(plan, wf_plan_run)
WF_RUN(rosters, wf_plan_rosters)
WF_RUN(tickets, wf_plan_tickets)
WF_RUN(marking, wf_output_marking)
WF_RUN(final, wf_output_final)
WF_RUN(certificates, wf_output_certificates)
WF_RUN(mailing, wf_output_mailing)
WF_RUN(applications, wf_output_applications)
WF_RUN(progress, wf_decide_progress)
WF_RUN(conflicts, wf_decide_conflicts)
WF_RUN(resolve, wf_decide_resolve)
WF_RUN(print_certificates, wf_print_certificates)
WF_RUN(verify_certificate, wf_print_verify)
WF_RUN(hub_pub, wf_print_hub_pub)
