/* workflow: the certification process of the notice at the hub (issue 5):
 * registration with eligibility, fees and batches; payments; rooms, seats and
 * admission tickets; marking of essays; comprehensive review; final results;
 * certificates with national numbers. Storage lives in hubstore_workflow.c
 * (part of the storage module); the commands in workflow_cmd.c and wf_*.c. */
#ifndef WORKFLOW_H
#define WORKFLOW_H

#include <stdint.h>

#include "core/diag.h"
#include "cert/certrules.h"
#include "cert/eligibility.h"
#include "cert/sitting.h"
#include "tools/hub/hubstore.h"

struct sqlite3; /* an unlocked pack (core/pack.h) */

/* the pure rules (fees, batches, numbers, pass rule) are in cert/certrules.h;
 * the commands apply them and the storage below stores what it is given */

/* ---- storage ---- */
typedef struct wf_app {
    applicant a;
    char received[11], address[256], phone[32];
    int extra_minutes; /* planned extra time (0..ROSTER_EXTRA_MAX), into the room roster */
} wf_app;

/* Stores a registration as decided by the caller (eligibility, BATCH
 * "YYYY-MM" and FEE in 元 come from cert/: the store does not apply rules).
 * Returns the application id, 0 if it already exists (same person, level
 * and batch), -1 on error. CLAUSE e.g. "3.5". */
long long wf_register(hubstore *s, const wf_app *r, const char *batch, int fee, const char *clause, int64_t now);
/* Sets the planned extra time of R's registered application in BATCH (same
 * person and level) to R->extra_minutes. Returns 1 when it changed, 0 when
 * it was already that (or there is no such application), -1 on error. */
int wf_set_extra(hubstore *s, const wf_app *r, const char *batch);
/* Recording a payment: one payment pays one application. */
typedef enum pay_rc { PAY_OK = 0, PAY_NO_APPLICATION, PAY_NEEDS_LEVEL, PAY_ERROR } pay_rc;
/* One line for RC ("no such application"); PAY_ERROR: see hubstore_error. */
const char *pay_strerror(pay_rc rc);
/* Records a payment for ID_NUMBER's application in BATCH (and LEVEL, 0 when
 * the person applied for one level only). PAY_NO_APPLICATION when none
 * matches, PAY_NEEDS_LEVEL when several do, PAY_ERROR on a storage failure
 * (hubstore_error). */
pay_rc wf_pay(hubstore *s, const char *id_number, const char *batch, int level, int amount, int64_t now);
/* A room at a site (site code: 6 digits for certificate numbers). */
int wf_room_add(hubstore *s, const char *site, const char *site_code, const char *room, int capacity);
/* Planning (the seating and ticket rules are the command's, in wf_plan.c):
 * a room as the plan sees it; LEVEL and USED (the highest seat given) are 0
 * when BATCH does not use the room yet. */
typedef struct wf_plan_room {
    long long id;
    int capacity, level, used;
} wf_plan_room;
/* a fully paid application of the batch that has no room yet */
typedef struct wf_plan_app {
    long long app;
    int level;
    char received[11];
} wf_plan_app;
typedef struct wf_plan_input {
    wf_plan_room *rooms; /* ordered by site, then name */
    wf_plan_app *apps;   /* ordered by application id */
    int nrooms, napps;
} wf_plan_input;
/* Reads what planning BATCH needs into IN (free with wf_plan_input_free).
 * Returns 0, or -1 with D filled. */
int wf_plan_read(hubstore *s, const char *batch, wf_plan_input *in, diag *d) __attribute__((warn_unused_result));
void wf_plan_input_free(wf_plan_input *in);
/* one application's place as decided by the caller */
typedef struct wf_seat {
    long long app, room;
    int seat;
    char ticket[16];
} wf_seat;
/* Stores a plan in one transaction: the start times (when given) for each
 * of the NLEVELS LEVELS of BATCH (the levels are the caller's: the store
 * keeps no list of them) and the N SEATS. Writes nothing when one of the
 * applications got a room meanwhile. Returns N or -1 with D filled. */
int wf_plan_store(hubstore *s, const char *batch, const int *levels, int nlevels, const char *theory_starts,
                  const char *practical_starts, const wf_seat *seats, int n, diag *d) __attribute__((warn_unused_result));

typedef struct wf_cand {
    long long app;
    char ticket[16], id_number[19], name[72], address[256], phone[32], batch[8], clause[8];
    char site[128], site_code[8], room[64];
    int level, seat, room_index, fee, paid;
    int extra_minutes; /* planned extra time (roster extra_minutes) */
    char theory_starts[20], practical_starts[20];
} wf_cand;
typedef int (*wf_cand_fn)(void *ctx, const wf_cand *c);
/* Planned candidates of BATCH ordered by room, seat (NULL: every batch).
 * Stops when FN returns non-zero. Returns 0, or -1 when a storage call
 * failed (the rows seen so far are then not all of them), with the reason
 * in *WHY (caller frees; WHY may be NULL). */
int wf_each_candidate(hubstore *s, const char *batch, wf_cand_fn fn, void *ctx, char **why)
    __attribute__((warn_unused_result));
/* Every application (planned or not) of BATCH, for payments and history;
 * returns like wf_each_candidate. */
int wf_each_application(hubstore *s, const char *batch, wf_cand_fn fn, void *ctx, char **why)
    __attribute__((warn_unused_result));

/* Marks: MARKER gives POINTS (tenths) to essay ITEM (1-based) of a result. */
int wf_mark(hubstore *s, const char *result_id, int item, const char *marker, int points);
/* Comprehensive review score (tenths) for a ticket. 0, 1 unknown ticket, -1. */
int wf_review(hubstore *s, const char *ticket, int score);

typedef struct wf_final {
    wf_cand c;
    int theory, practical, review;           /* tenths; -1 when missing */
    int practical_pending;                   /* essays still unmarked */
    /* which sitting counts (cert/sitting.h); the status is the counted
     * result's (submitted, timeout, forced) or absent, missing, conflict */
    sitting_outcome theory_outcome, practical_outcome;
    char theory_status[16], practical_status[16];
    char certificate[23]; /* "" when none issued yet */
    char certificate_issued[11]; /* its date, YYYY-MM-DD in the hub's local time; "" when none */
} wf_final;
typedef int (*wf_final_fn)(void *ctx, const wf_final *f);
/* Final results of BATCH (NULL: all), computed from the stored results, the
 * marks (double marking: see workflow README) and the reviews. Returns 0, or
 * -1 with *WHY (caller frees; WHY may be NULL) when a storage call failed:
 * FN is never given a partly read result. */
int wf_each_final(hubstore *s, const char *batch, int margin, wf_final_fn fn, void *ctx, char **why)
    __attribute__((warn_unused_result));
/* One essay answer still to be marked, for the markers' export; the strings
 * belong to the store and live until FN returns. */
typedef struct wf_essay {
    const char *result_id, *ticket, *question_id, *response, *reference;
    int item, points; /* ITEM 1-based; POINTS: the item's maximum in tenths */
} wf_essay;
typedef int (*wf_essay_fn)(void *ctx, const wf_essay *e);
/* Calls FN for every unmarked essay of the results of PACK_ID (ordered by
 * ticket), with the reference answer read from the unlocked PACK (from
 * pack_open). Stops when FN returns non-zero. Returns 0, or -1 with *WHY
 * (caller frees) when a storage call failed. */
int wf_each_pending_essay(hubstore *s, struct sqlite3 *pack, const char *pack_id, wf_essay_fn fn, void *ctx, char **why)
    __attribute__((warn_unused_result));

/* The certification office's decisions for wf_certify (see wf_output.c). */
typedef struct wf_cert_rules {
    /* 1 when F has passed and is to be given a certificate */
    int (*passes)(void *ctx, const wf_final *f);
    /* writes F's number for SERIAL (per YEAR and level) into NUM: 0, or -1 with D filled */
    int (*number)(void *ctx, const wf_final *f, int year, int serial, char num[23], diag *d);
    void *ctx;
} wf_cert_rules;
/* Issues certificate numbers, as RULES decide, to every passing candidate of
 * BATCH that has none yet, serial per year and level, in one transaction.
 * Returns the number issued or -1. */
int wf_certify(hubstore *s, const char *batch, int year, int margin, const wf_cert_rules *rules, diag *d);

/* ---- which sitting counts (issue 11; storage in hubstore_decide.c) ---- */

/* One stored result of a candidate for a paper, with its flags and the
 * latest staff decision (examhub resolve). */
typedef struct wf_sitting {
    char result_id[33], kiosk_id[17], status[16], kind[16], ticket[33];
    int level, score_tenths, flagged; /* FLAGGED: result_flag rows */
    int scored; /* 1: the hub rescored it from its registered paper; 0: unscored (the kiosk's claim) */
    int64_t received_at, submitted_at;
    sitting_decision decision;
    char decided_by[64], decided_why[256];
    int64_t decided_at;
} wf_sitting;
/* Every result of TICKET for KIND (theory, practical), in the hub's order of
 * receipt (received_at, then the order of storing: never the kiosk's
 * clock), into *OUT (malloc'd, *N of them; free it). 0, or -1 with *WHY. */
int wf_sittings(hubstore *s, const char *ticket, const char *kind, wf_sitting **out, int *n, char **why)
    __attribute__((warn_unused_result));
/* The entries of the rule (cert/sitting.h) for N sittings, into E. */
void wf_sitting_entries(const wf_sitting *v, int n, sitting_entry *e);
/* Journals a staff decision on RESULT_ID (keep or void) with BY, WHY and AT;
 * fills R with the result. 0, 1 when there is no such result, -1 with *WHY. */
int wf_decide(hubstore *s, const char *result_id, sitting_decision d, const char *why_text, const char *by, int64_t at,
              wf_sitting *r, char **why) __attribute__((warn_unused_result));

/* One stored result of a planned candidate, for the room record (examhub
 * incidents): the candidate as planned and the result's own fields and
 * JSON (FORMAT.md §8), which belong to the store and live until FN returns. */
typedef struct wf_record {
    const wf_cand *c;
    const char *result_id, *kiosk_id, *pack_id, *title, *kind, *status, *json;
    int64_t received_at;
} wf_record;
typedef int (*wf_record_fn)(void *ctx, const wf_record *si);
/* Every stored result (flagged or not) of each planned candidate of BATCH,
 * by room and seat, theory before practical, then in the order received.
 * Stops when FN returns non-zero. Returns 0, or -1 with *WHY (caller frees)
 * when a storage call failed. */
int wf_each_sitting(hubstore *s, const char *batch, wf_record_fn fn, void *ctx, char **why)
    __attribute__((warn_unused_result));

#endif
