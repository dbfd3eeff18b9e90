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
/* Reads and parses FILE (CSV, or sheet SHEET of an .xlsx workbook: table_read) into TB
 * (csv_free(&tb->t) after a 0). Prints why and returns 1. */
int wfc_load_csv(const char *file, const char *sheet, wfc_table *tb);
/* Prints "WHERE: MSG" of each diagnostic of D about TB's file. */
void wfc_print_diag(const wfc_table *tb, const struct diag *d);
/* Cell I of R trimmed (malloc'd; "" when the row is short). */
char *wfc_cell(const csv_row *r, int i);
/* Maps NREQ required and NOPT optional columns (English, Chinese pairs) of
 * TB's header into IDX (required first); other columns are left alone (the
 * same file feeds several commands). Prints FILE:LINE: reason for each
 * missing column and returns 1 then. */
int wfc_map_cols(const wfc_table *tb, const char *const *req, int nreq, const char *const *opt, int nopt, int *idx);

/* Applies every data row of o->csv with ROW in one transaction: the first
 * bad row (ROW prints FILE:LINE: reason, or the storage failure, and returns
 * non-zero) rolls everything back. NAMES: required columns, OPTIONAL: optional
 * ones (English, Chinese pairs); V holds their trimmed cells in that order. */
typedef struct wfc_row {
    const wfc_table *tb;
    const csv_row *r;
    const int *ix; /* the cell of V[k] in R */
} wfc_row;
typedef int (*wfc_row_fn)(hubstore *s, const wopts *o, const wfc_row *row, char **v, int nv);
int wfc_import_rows(const wopts *o, const char *const *names, int ncols, const char *const *optional, int nopt,
                    wfc_row_fn row, const char *what);

/* "FILE:LINE: reason" (FILE:SHEET!C12: for the cell of V[K] of a workbook's
 * row; K -1: the row) for ROW; returns 1 */
int wfc_row_err(const wfc_row *row, int k, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
#define WFC_ROW_ERR(k, ...) wfc_row_err(row, k, __VA_ARGS__)

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
