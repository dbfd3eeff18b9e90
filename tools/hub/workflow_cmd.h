/* workflow_cmd: examhub's certification commands (README: The certification
 * workflow). examhub.c's command table has a row per command whose run is
 * one of the workflow_* functions below; its option handler passes the
 * workflow options to workflow_option. The commands themselves are in
 * wf_import.c, wf_plan.c and wf_output.c (workflow_cmd_int.h). */
#ifndef WORKFLOW_CMD_H
#define WORKFLOW_CMD_H

#include <stddef.h>
#include <stdio.h>

/* The options of the workflow commands (examhub's commands share db, csv,
 * out and pub). csv is "-" for a bare --csv (output to stdout). */
typedef struct wopts {
    const char *db, *csv, *batch, *out, *key, *pub, *pack, *code, *body, *theory, *practical;
    const char *sheet; /* --sheet NAME: the worksheet of an .xlsx --csv (NULL: the first) */
    int margin, year;
    int kdf_ops, kdf_mem; /* rosters: Argon2id cost (0: the default), for tests */
    /* which sitting counts: resolve --result ID --keep|--void --why TEXT [--by NAME];
     * final and certificates --allow-incomplete */
    const char *result, *why_text, *by;
    int keep, void_, allow_incomplete;
    /* printing (wf_print.c): tickets --pdf, print-certificates --centre NAME,
     * verify-certificate TEXT (the operand) */
    const char *centre, *text;
    int pdf, one_pdf; /* --one-pdf: the whole batch in one file */
    /* the CSV input in memory (the staff pages' uploads): when CSV_DATA is
     * set, the import commands read its CSV_LEN bytes instead of a file and
     * CSV only names it in the FILE:LINE messages */
    const char *csv_data;
    size_t csv_len;
} wopts;

/* getopt_long vals of the options workflow_option reads (above cmdtab's
 * CMDTAB_OPERAND and 'h'); examhub's own options use WF_OPT_END and up */
enum {
    WF_OPT_DB = 256, WF_OPT_CSV, WF_OPT_BATCH, WF_OPT_OUT, WF_OPT_KEY, WF_OPT_PUB, WF_OPT_PACK, WF_OPT_CODE,
    WF_OPT_BODY, WF_OPT_YEAR, WF_OPT_MARGIN, WF_OPT_THEORY, WF_OPT_PRACTICAL, WF_OPT_KDF_OPS, WF_OPT_KDF_MEM,
    WF_OPT_RESULT, WF_OPT_KEEP, WF_OPT_VOID, WF_OPT_WHY, WF_OPT_BY, WF_OPT_ALLOW_INCOMPLETE,
    WF_OPT_PDF, WF_OPT_CENTRE, WF_OPT_ONE_PDF, WF_OPT_SHEET,
    WF_OPT_END
};

/* Where the import commands (register, pay, rooms, marks, review) and plan of
 * the calling thread print their output and their messages: stdout and stderr
 * until set (NULL: back to those). The staff pages run a command on a
 * server thread with both set to memory and show what it said; the
 * setting is per thread, since the server's threads run at once. */
void workflow_streams(FILE *out, FILE *err);

/* The defaults: --margin 2 points, --body-code 0000. */
void workflow_defaults(wopts *o);
/* Option ID (a WF_OPT_*) with ARG (NULL for a bare --csv) into O. Returns 0,
 * or 1 with a misuse reason in *why (a static string). */
int workflow_option(wopts *o, int id, const char *arg, const char **why);

/* The commands, as cmdtab runs: CTX is a wopts, or a struct whose first
 * member is one. Each returns its exit status (0, 1, or 2 on misuse). */
int workflow_register(void *ctx);
int workflow_pay(void *ctx);
int workflow_applications(void *ctx);
int workflow_rooms(void *ctx);
int workflow_plan(void *ctx);
int workflow_rosters(void *ctx);
int workflow_tickets(void *ctx);
int workflow_marking(void *ctx);
int workflow_marks(void *ctx);
int workflow_review(void *ctx);
int workflow_final(void *ctx);
int workflow_certificates(void *ctx);
int workflow_mailing(void *ctx);
int workflow_progress(void *ctx);
int workflow_conflicts(void *ctx);
int workflow_resolve(void *ctx);
int workflow_print_certificates(void *ctx);
int workflow_verify_certificate(void *ctx);
int workflow_hub_pub(void *ctx);

#endif
