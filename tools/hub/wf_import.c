/* wf_import: the workflow commands that read a CSV file into the hub:
 * register (with eligibility), pay, rooms, marks, review. Each validates its
 * whole input first and writes in one transaction, so a mistake leaves
 * nothing half-done. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/fileio.h"
#include "core/roster.h"
#include "core/text.h"
#include "tools/hub/workflow_cmd_int.h"

/* ---- what a person's or a place's field may hold (README: Registration) ------------------ */

#define ADDRESS_MAX 200 /* bytes: about 66 Chinese characters */
#define PHONE_MAX 24
#define MARKER_MAX 64

/* A phone: digits, spaces, ( ) and -, an optional + first, 5 to 20 digits. */
static const char *phone_problem(const char *p)
{
    const char *why;
    if (text_field_check(p, PHONE_MAX, &why)) return why;
    int digits = 0;
    for (const char *c = p; *c; c++) {
        if (*c >= '0' && *c <= '9') digits++;
        else if (!strchr(" ()-", *c) && !(*c == '+' && c == p)) return "may hold only digits, spaces, ( ) - and a leading +";
    }
    return digits < 5 || digits > 20 ? "must have 5 to 20 digits" : NULL;
}

/* Planned extra time: an empty cell is none, else 0..ROSTER_EXTRA_MAX minutes in digits (the
 * roster's rule, core/roster.h). Returns 0 or -1. */
static int extra_minutes_of(const char *s, int *out)
{
    *out = 0;
    if (!*s) return 0;
    if (strspn(s, "0123456789") != strlen(s) || strlen(s) > 3) return -1;
    int v = atoi(s);
    if (v > ROSTER_EXTRA_MAX) return -1;
    *out = v;
    return 0;
}

/* ---- register ------------------------------------------------------------------ */

int wf_import_register(const wopts *o)
{
    if (!o->db || !o->csv) return wfc_usage("register needs --db and --csv APPLICATIONS.csv");
    wfc_table tb;
    if (wfc_load_csv(o, &tb)) return 1;
    diag d;
    diag_init(&d);
    elig_cols ec;
    /* the eligibility columns, and what registering needs besides (the name is optional for eligibility) */
    static const char *const EXTRA[] = {"received", "收件日期", "address", "通信地址", "phone", "电话", "name", "姓名"};
    /* optional: planned extra time (an approved accommodation), signed into the room roster by examhub rosters */
    static const char *const OPT[] = {"extra_minutes", "延长时间"};
    int ex[5];
    int bad = (eligibility_header(&tb.t.rows[0], &ec, &d) != 0) | wfc_map_cols(&tb, EXTRA, 4, OPT, 1, ex);
    size_t n = tb.t.nrows - 1;
    wf_app *apps = calloc(n ? n : 1, sizeof *apps);
    int *clause = calloc(n ? n : 1, sizeof *clause);
    for (size_t r = 1; !bad && r < tb.t.nrows; r++) {
        const csv_row *row = &tb.t.rows[r];
        wf_app *a = &apps[r - 1];
        if (eligibility_row(row, &ec, &a->a, &d)) continue;
        char *v[3], *name = wfc_cell(row, ec.name), *extra = wfc_cell(row, ex[4]);
        for (int k = 0; k < 3; k++) v[k] = wfc_cell(row, ex[k]);
        const char *why = NULL;
        /* the name is signed into the room roster, which takes at most ROSTER_NAME_MAX bytes and no
         * control character: a name the kiosks would refuse is refused here, not on exam day */
        if (!v[0] || !certrules_date_valid(v[0])) diag_add_at(&d, row->line, ex[0], "received '%s' must be a date YYYY-MM-DD", v[0] ? v[0] : "");
        else if (!name || text_field_check(name, ROSTER_NAME_MAX, &why))
            diag_add_at(&d, row->line, ec.name, "name %s (at most %d bytes of UTF-8, no control characters)", why ? why : "is empty", ROSTER_NAME_MAX);
        else if (!v[1] || text_field_check(v[1], ADDRESS_MAX, &why))
            diag_add_at(&d, row->line, ex[1], "mailing address %s (at most %d bytes of UTF-8, no control characters)", why ? why : "is empty",
                     ADDRESS_MAX);
        else if (!v[2] || (why = phone_problem(v[2])))
            diag_add_at(&d, row->line, ex[2], "phone %s (at most %d bytes)", why ? why : "is empty", PHONE_MAX);
        else if (!extra || extra_minutes_of(extra, &a->extra_minutes))
            diag_add_at(&d, row->line, ex[4], "extra_minutes (延长时间) '%s' must be a whole number of minutes, 0-%d",
                        extra ? extra : "", ROSTER_EXTRA_MAX);
        else {
            snprintf(a->received, sizeof a->received, "%s", v[0]);
            snprintf(a->address, sizeof a->address, "%s", v[1]);
            snprintf(a->phone, sizeof a->phone, "%s", v[2]);
            clause[r - 1] = eligibility_clause(&a->a);
        }
        for (int k = 0; k < 3; k++) free(v[k]);
        free(name);
        free(extra);
    }
    wfc_print_diag(&tb, &d);
    if (bad || d.n) {
        fprintf(wfc_msg(), "%s: nothing registered\n", o->csv);
        diag_free(&d);
        csv_free(&tb.t);
        free(apps);
        free(clause);
        return 1;
    }
    diag_free(&d);
    hubstore *s = wfc_open_db(o);
    int rc = 1, regd = 0, refused = 0, dup = 0, extra_changed = 0;
    if (s && hubstore_begin(s)) wfc_storage(o, s, NULL);
    else if (s) {
        rc = 0;
        for (size_t i = 0; i < n; i++) {
            if (!clause[i]) {
                char w[DIAG_WHERE_MAX];
                fprintf(wfc_msg(), "%s: refused: %s is not eligible for level %d (no clause of the notice's 申报条件 holds)\n",
                        diag_where(w, sizeof w, o->csv, tb.t.sheet, apps[i].a.line, -1), apps[i].a.id_number, apps[i].a.level);
                refused++;
                continue;
            }
            char cl[8], batch[8];
            snprintf(cl, sizeof cl, "%d.%d", apps[i].a.level, clause[i]);
            /* the rules decide: the batch (cut-off on the 15th) and the fee by level */
            int fee = certrules_fee(apps[i].a.level);
            if (certrules_batch_of(apps[i].received, batch) || fee < 0) {
                rc = wfc_err(o->csv, fileio_fmt("line %ld: no batch or fee for received %s, level %d (cannot happen:"
                                                  " both were checked)", apps[i].a.line, apps[i].received,
                                                  apps[i].a.level));
                break;
            }
            long long id = wf_register(s, &apps[i], batch, fee, cl, (int64_t)time(NULL));
            if (id < 0) { rc = wfc_err(o->db, fileio_fmt("cannot store: %s", hubstore_error(s))); break; }
            if (id == 0) {
                dup++;
                /* an accommodation approved after registering: the file with the column sets it again */
                int ch = ex[4] >= 0 ? wf_set_extra(s, &apps[i], batch) : 0;
                if (ch < 0) { rc = wfc_err(o->db, fileio_fmt("cannot store: %s", hubstore_error(s))); break; }
                extra_changed += ch;
                continue;
            }
            fprintf(wfc_out(), "%s,%d,%s,%d,%s\n", apps[i].a.id_number, apps[i].a.level, batch, fee, cl);
            regd++;
        }
        if (rc) { hubstore_rollback(s); }
        else if (hubstore_commit(s)) rc = wfc_err(o->db, fileio_fmt("cannot commit: %s", hubstore_error(s)));
    }
    if (!rc) fprintf(wfc_msg(), "%s: %d registered, %d refused as not eligible, %d already registered\n", o->csv, regd, refused, dup);
    if (!rc && extra_changed)
        fprintf(wfc_msg(), "%s: planned extra time changed for %d already registered application(s): run examhub rosters "
                "again and give the kiosks the new rosters\n", o->csv, extra_changed);
    hubstore_close(s);
    sodium_memzero(apps, n * sizeof *apps);
    free(apps);
    free(clause);
    csv_free(&tb.t);
    return rc;
}

/* ---- payments, rooms --------------------------------------------------------------- */

static int pay_row(hubstore *s, const wopts *o, const wfc_row *row, char **v, int nv)
{
    (void)nv;
    char *end;
    long amount = strtol(v[2], &end, 10);
    if (!wfc_batch_ok(v[1])) return WFC_ROW_ERR(1, "batch '%s' must be YYYY-MM", v[1]);
    if (!*v[2] || *end || amount < 1 || amount > 100000) return WFC_ROW_ERR(2, "amount '%s' must be a whole number of 元 (1-100000)", v[2]);
    int level = strlen(v[3]) == 1 && v[3][0] >= '1' && v[3][0] <= '4' ? v[3][0] - '0' : 0;
    switch (wf_pay(s, v[0], v[1], level, (int)amount, (int64_t)time(NULL))) {
    case PAY_OK: return 0;
    case PAY_NO_APPLICATION: return WFC_ROW_ERR(0, "no application of %s in batch %s", v[0], v[1]);
    case PAY_NEEDS_LEVEL: return WFC_ROW_ERR(0, "%s applied for several levels in batch %s: add a level column", v[0], v[1]);
    case PAY_ERROR: break;
    }
    return wfc_err(o->db, fileio_fmt("storage: %s", hubstore_error(s)));
}

int wf_import_pay(const wopts *o)
{
    if (!o->db || !o->csv) return wfc_usage("pay needs --db and --csv PAYMENTS.csv (id_number,batch,amount[,level])");
    static const char *const N[] = {"id_number", "身份证号", "batch", "批次", "amount", "金额"};
    static const char *const OPT[] = {"level", "级别"}; /* needed when a person applied for two levels in one batch */
    return wfc_import_rows(o, N, 3, OPT, 1, pay_row, "payments");
}

static int room_row(hubstore *s, const wopts *o, const wfc_row *row, char **v, int nv)
{
    (void)nv;
    char *end;
    long cap = strtol(v[3], &end, 10);
    const char *why;
    /* site and room go into the signed rosters (their limits), file names and tickets */
    if (text_field_check(v[0], ROSTER_SITE_MAX, &why))
        return WFC_ROW_ERR(0, "site %s (at most %d bytes of UTF-8, no control characters)", why, ROSTER_SITE_MAX);
    if (text_field_check(v[2], ROSTER_ROOM_MAX, &why))
        return WFC_ROW_ERR(2, "room %s (at most %d bytes of UTF-8, no control characters)", why, ROSTER_ROOM_MAX);
    if (strlen(v[1]) != 6 || strspn(v[1], "0123456789") != 6) return WFC_ROW_ERR(1, "site_code '%s' must be 6 digits", v[1]);
    if (*end || cap < 1 || cap > 999 || !*v[3]) return WFC_ROW_ERR(3, "capacity '%s' must be 1-999", v[3]);
    if (wf_room_add(s, v[0], v[1], v[2], (int)cap)) return wfc_err(o->db, fileio_fmt("storage: %s", hubstore_error(s)));
    return 0;
}

int wf_import_rooms(const wopts *o)
{
    if (!o->db || !o->csv) return wfc_usage("rooms needs --db and --csv ROOMS.csv (site,site_code,room,capacity)");
    static const char *const N[] = {"site", "考点", "site_code", "考点代码", "room", "考场", "capacity", "容量"};
    return wfc_import_rows(o, N, 4, NULL, 0, room_row, "rooms");
}

/* ---- essay marks, comprehensive review ---------------------------------------------------- */

static int mark_row(hubstore *s, const wopts *o, const wfc_row *row, char **v, int nv)
{
    (void)nv;
    char *end;
    long item = strtol(v[1], &end, 10);
    int pts = 0;
    const char *why;
    if (*end || item < 1 || !*v[2] || (strcmp(v[3], "0") && text_points(v[3], &pts)))
        return WFC_ROW_ERR(-1, "item must be a number, marker not empty, points a number of points");
    if (text_field_check(v[2], MARKER_MAX, &why))
        return WFC_ROW_ERR(2, "marker %s (at most %d bytes of UTF-8, no control characters)", why, MARKER_MAX);
    switch (wf_mark(s, v[0], (int)item, v[2], pts)) {
    case 0: return 0;
    case 1: return WFC_ROW_ERR(0, "no result %s", v[0]);
    case 2: return WFC_ROW_ERR(1, "item %ld of result %s is not an essay, or %s points exceed its maximum", item, v[0], v[3]);
    default: return wfc_err(o->db, fileio_fmt("storage: %s", hubstore_error(s)));
    }
}

int wf_import_marks(const wopts *o)
{
    if (!o->db || !o->csv) return wfc_usage("marks needs --db and --csv MARKS.csv (result_id,item,marker,points)");
    static const char *const N[] = {"result_id", NULL, "item", "题号", "marker", "评分人", "points", "得分"};
    return wfc_import_rows(o, N, 4, NULL, 0, mark_row, "marks");
}

static int review_row(hubstore *s, const wopts *o, const wfc_row *row, char **v, int nv)
{
    (void)nv;
    int score = 0;
    if (strcmp(v[1], "0") && text_points(v[1], &score)) return WFC_ROW_ERR(1, "score '%s' must be 0-100", v[1]);
    switch (wf_review(s, v[0], score)) {
    case 0: return 0;
    case 1: return WFC_ROW_ERR(0, "no planned candidate with ticket %s", v[0]);
    default: return wfc_err(o->db, fileio_fmt("storage: %s", hubstore_error(s)));
    }
}

int wf_import_review(const wopts *o)
{
    if (!o->db || !o->csv) return wfc_usage("review needs --db and --csv REVIEW.csv (ticket,score)");
    static const char *const N[] = {"ticket", "准考证号", "score", "综合评审成绩"};
    return wfc_import_rows(o, N, 2, NULL, 0, review_row, "review scores");
}

