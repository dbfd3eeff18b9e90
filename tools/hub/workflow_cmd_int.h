/* workflow_cmd internals shared by the files of the workflow command layer:
 * workflow_cmd.c (options, shared helpers, the commands' entry points), wf_import.c
 * (register, pay, rooms, marks, review), wf_plan.c (plan, rosters, tickets)
 * and wf_output.c (marking, final, certificates, mailing, applications).
 * Commands print; storage is behind hubstore/workflow.h. Each command
 * returns its exit status: 0, 1 on bad input or any storage failure (with a
 * one-line reason on stderr), 2 on a usage error. */
#ifndef WORKFLOW_CMD_INT_H
#define WORKFLOW_CMD_INT_H

#include "core/csv.h"
#include "tools/hub/workflow.h"
#include "tools/hub/workflow_cmd.h"

/* Prints "WHAT: WHY" (WHY freed; NULL: "error") and returns 1. */
int wfc_err(const char *what, char *why);
/* Prints a usage error and returns 2. */
int wfc_usage(const char *msg);
/* Prints "DB: storage: WHY" and returns 1; WHY (freed) NULL: the store's
 * message of its last call. */
int wfc_storage(const wopts *o, hubstore *s, char *why);
/* 1 when B is a batch YYYY-MM. */
int wfc_batch_ok(const char *b);
/* The ID number as printed on door lists and tickets: 6 digits, 8 stars, 4 digits. */
void wfc_mask_id(const char *id, char out[19]);
/* Opens o->db; NULL after printing why. */
hubstore *wfc_open_db(const wopts *o);

/* A CSV input file or a workbook's sheet: the table and its name for
 * FILE:LINE: (FILE:SHEET!C12:) messages; tb->t.sheet is the sheet, NULL for CSV. */
typedef struct wfc_table {
    csv_table t;
    const char *file;
} wfc_table;
/* Reads and parses o->csv (or the upload o->csv_data named o->csv; CSV, or
 * sheet o->sheet of an .xlsx workbook: table_read) into TB (csv_free(&tb->t)
 * after a 0). Prints why and returns 1. */
int wfc_load_csv(const wopts *o, wfc_table *tb);
/* Prints "WHERE: MSG" of each diagnostic of D about TB's file. */
void wfc_print_diag(const wfc_table *tb, const struct diag *d);
/* Cell I of R trimmed (malloc'd; "" when the row is short). */
char *wfc_cell(const csv_row *r, int i);
/* Maps NREQ required and NOPT optional columns (English, Chinese pairs) of
 * TB's header into IDX (required first); other columns are left alone (the
 * same file feeds several commands). Prints FILE:LINE: reason for each
 * missing column and returns 1 then. */
int wfc_map_cols(const wfc_table *tb, const char *const *req, int nreq, const char *const *opt, int nopt, int *idx);

/* Applies every data row of o->csv with ROW in one transaction: a bad row
 * (ROW prints FILE:LINE: reason and returns WFC_ROW_BAD) is named and the
 * rows after it still checked, then everything is rolled back; a storage
 * failure (ROW prints it and returns another non-zero) stops at once. NAMES: required columns, OPTIONAL: optional
 * ones (English, Chinese pairs); V holds their trimmed cells in that order. */
typedef struct wfc_row {
    const wfc_table *tb;
    const csv_row *r;
    const int *ix; /* the cell of V[k] in R */
} wfc_row;
typedef int (*wfc_row_fn)(hubstore *s, const wopts *o, const wfc_row *row, char **v, int nv);
int wfc_import_rows(const wopts *o, const char *const *names, int ncols, const char *const *optional, int nopt,
                    wfc_row_fn row, const char *what);

/* The streams of this thread's command (workflow_streams): its output and
 * its messages. */
FILE *wfc_out(void);
FILE *wfc_msg(void);

/* What a row function returns for a bad row (WFC_ROW_ERR): the other rows
 * are still checked, so that every mistake of the file is named, and then
 * nothing is recorded. Any other non-zero return (a storage failure) stops. */
#define WFC_ROW_BAD 3
/* "FILE:LINE: reason" (FILE:SHEET!C12: for the cell of V[K] of a workbook's
 * row; K -1: the row) for ROW; returns WFC_ROW_BAD */
int wfc_row_err(const wfc_row *row, int k, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
#define WFC_ROW_ERR(k, ...) wfc_row_err(row, k, __VA_ARGS__)

/* A door list's row of planned candidate C (wf_plan.c): seat, ticket, name,
 * masked ID number, level, extra minutes, through the CSV cell writer; its header. */
#define WFC_DOOR_HEADER "seat,ticket,name,id_number,level,extra_minutes"
void wfc_door_row(FILE *f, const wf_cand *c);

/* the commands, by file */
int wf_import_register(const wopts *o);
int wf_import_pay(const wopts *o);
int wf_import_rooms(const wopts *o);
int wf_import_marks(const wopts *o);
int wf_import_review(const wopts *o);
int wf_plan_run(const wopts *o);
int wf_plan_rosters(const wopts *o);
int wf_plan_tickets(const wopts *o);
int wf_output_marking(const wopts *o);
int wf_output_final(const wopts *o);
int wf_output_certificates(const wopts *o);
int wf_output_mailing(const wopts *o);
int wf_output_applications(const wopts *o);
/* printing (wf_print.c): tickets --pdf, print-certificates, verify-certificate, hub-pub */
int wf_print_tickets(const wopts *o);
int wf_print_certificates(const wopts *o);
int wf_print_verify(const wopts *o);
int wf_print_hub_pub(const wopts *o);
/* which sitting counts (wf_decide.c): one candidate's paper, as decided */
typedef struct paper_view {
    const wf_cand *c;
    const char *kind; /* "theory" or "practical" */
    const wf_sitting *v; /* every result, in the hub's order of receipt */
    const sitting_entry *e;
    int n, chosen; /* CHOSEN: the index in V of the result that counts, or -1 */
    sitting_outcome outcome;
} paper_view;
typedef int (*paper_fn)(void *ctx, const paper_view *p);
/* FN for both papers of every planned candidate of BATCH (NULL: all), in the
 * order of rooms and seats; FN returns non-zero only when out of memory.
 * 0, or -1 with *WHY (a storage failure). */
int wfc_each_paper(hubstore *s, const char *batch, paper_fn fn, void *ctx, char **why);
/* examhub progress's rows: per paper (level, kind) and room of BATCH, the
 * planned candidates and how their papers stand, sorted as it prints them
 * (wf_decide.c), into *ROWS (malloc'd, *N; free it). 0, or -1 with *WHY. */
typedef struct progress_row {
    int level, kind; /* kind: 0 theory, 1 practical (wfc_kind_name) */
    char site[128], room[64];
    int planned, results, sat, absent, missing, conflicts, flagged;
    int unscored; /* sittings that count on a score the hub has not checked yet (paper not registered) */
} progress_row;
int wfc_progress(hubstore *s, const char *batch, progress_row **rows, int *n, char **why)
    __attribute__((warn_unused_result));
const char *wfc_kind_name(int kind);
/* The pass rule on a final result (wf_output.c): what final prints as passed. */
int wfc_final_passed(const wf_final *f);
/* The status final prints: conflict, missing, marking, passed or failed. */
const char *wfc_final_status(const wf_final *f);

/* One batch as the staff pages' list shows it (wf_summary.c): its
 * applications (registered; ELIGIBLE: of them with a clause of the notice's
 * 申报条件, which register stores only), PAID in full, PLANNED (a ticket),
 * RESULTS received for the planned, papers MISSING or in CONFLICTS, results
 * FLAGGED (not kept by staff), candidates PASSED (the pass rule, as final). */
typedef struct wf_batch_counts {
    char batch[8];
    int applications, eligible, paid, planned, results, missing, conflicts, flagged, passed;
} wf_batch_counts;
/* Every batch of the store, newest first, into *OUT (malloc'd, *N of them;
 * free it). MARGIN: of double marking, as final. 0, or -1 with *WHY. */
int wfc_batch_counts(hubstore *s, int margin, wf_batch_counts **out, int *n, char **why)
    __attribute__((warn_unused_result));

/* which sitting counts (wf_decide.c) */
int wf_decide_progress(const wopts *o);
int wf_decide_conflicts(const wopts *o);
int wf_decide_resolve(const wopts *o);
/* Before final and certificates: 0 when every planned candidate of BATCH
 * (NULL: every batch) has, for each paper, a sitting or an absence that
 * counts. Else prints, with CMD's name, one line per candidate's paper that
 * is missing or in conflict (the first few) and one line per batch ("3
 * missing, 1 conflict in batch B; run examhub progress; --allow-incomplete
 * to go on") and returns 1; a storage failure: its one line, 1. */
int wf_decide_complete(const wopts *o, hubstore *s, const char *batch, const char *cmd);

#endif
