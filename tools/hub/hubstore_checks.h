/* hubstore_checks: what the hub's checks of a result (issue 11) keep and
 * read: registered papers, the roster entry of a ticket, hub scores, kiosk
 * revocations and staff admissions. SQLite, behind hubstore (hubstore.h). */
#ifndef HUBSTORE_CHECKS_H
#define HUBSTORE_CHECKS_H

#include <stddef.h>
#include <stdint.h>

#include "tools/hub/hubstore.h"

/* A paper registered after the exam: the pack (as verified) and its content
 * key sealed (crypto_box_seal) to the hub's results key, so that reading it
 * needs results.key, as reading any result does. */
typedef struct hub_paper_row {
    char pack_id[33], batch[8], kind[16], title[256], by[64];
    int level;
    int64_t added;
} hub_paper_row;

/* Registers a paper: 0, 1 when PACK_ID is already registered (nothing
 * changed), -1 on a storage error. */
int hubstore_paper_add(hubstore *s, const hub_paper_row *p, const uint8_t *pack, size_t pack_len, const uint8_t *sealed_key,
                       size_t key_len) __attribute__((warn_unused_result));
/* The paper PACK_ID: 0 (ROW filled; with PACK non-NULL also *pack and
 * *sealed_key, malloc'd), 1 not registered, -1 storage error. */
int hubstore_paper_get(hubstore *s, const char *pack_id, hub_paper_row *row, uint8_t **pack, size_t *pack_len,
                       uint8_t **sealed_key, size_t *key_len);
typedef int (*hubstore_paper_fn)(void *ctx, const hub_paper_row *p, int results, int unscored, int flagged);
/* Every registered paper in batch, level, kind order with its result
 * counts. Returns 0 or -1. */
int hubstore_paper_each(hubstore *s, hubstore_paper_fn fn, void *ctx);
/* Removes the flag REASON from every result of PACK_ID (a finding that a
 * registration refutes: "pack P is not a registered paper of batch B").
 * Returns 0 or -1. */
int hubstore_flag_lift(hubstore *s, const char *pack_id, const char *reason) __attribute__((warn_unused_result));
/* 1 when BATCH has a registered paper, 0 when not, -1 on error. */
int hubstore_batch_has_papers(hubstore *s, const char *batch);

/* The planned seat of TICKET (an application the hub gave a ticket, room
 * and seat: a roster entry): 0 found, 1 no such ticket, -1 error. */
typedef struct hub_planned {
    char batch[8], site[128], room[64];
    int level, seat;
    int extra_minutes; /* the planned extra time signed into its roster */
} hub_planned;
int hubstore_planned_ticket(hubstore *s, const char *ticket, hub_planned *out);

/* Stores R (hubstore_put_result) and, when it is new, its flags, as one
 * step: 0 stored, 1 already there (nothing changed), -1 error. */
int hubstore_put_checked(hubstore *s, const hub_result *r, char *const *flags, int nflags, int64_t now)
    __attribute__((warn_unused_result));
/* The hub's own score of a stored result (scored = 1) and its flags, as one
 * step. Returns 0 or -1. */
int hubstore_set_score(hubstore *s, const char *result_id, int score_tenths, int passed, int pending, char *const *flags,
                       int nflags, int64_t now) __attribute__((warn_unused_result));
/* 1 when the hub has scored RESULT_ID, 0 when it waits for its paper
 * (unscored), -1 unknown or error. */
int hubstore_result_scored(hubstore *s, const char *result_id);
/* The ids of the stored results the hub has not scored yet (malloc'd array
 * of malloc'd strings; free with hubstore_ids_free). Returns 0 or -1. */
int hubstore_unscored_ids(hubstore *s, char ***ids, int *n);
void hubstore_ids_free(char **ids, int n);
/* A stored result's JSON and kiosk (*json malloc'd): 0, or -1. */
int hubstore_result_json(hubstore *s, const char *result_id, char **json, char kiosk_id[17]);

/* Kiosk revocation: 0 revoked, 1 not enrolled, 2 already revoked, -1 error. */
int hubstore_kiosk_revoke(hubstore *s, const char *kiosk_id, const char *why, const char *by, int64_t at)
    __attribute__((warn_unused_result));
/* 1 revoked (WHY, BY and *AT filled when non-NULL), 0 not, -1 error. */
int hubstore_kiosk_revoked(hubstore *s, const char *kiosk_id, char why[256], char by[64], int64_t *at);
typedef struct hub_kiosk_row {
    hub_kiosk k;
    int64_t enrolled, revoked_at; /* revoked_at 0: not revoked */
    char why[256], by[64];
    int results;
} hub_kiosk_row;
typedef int (*hubstore_kiosk_fn)(void *ctx, const hub_kiosk_row *k);
int hubstore_kiosk_each(hubstore *s, hubstore_kiosk_fn fn, void *ctx);
/* A staff decision letting a revoked kiosk's result in: 0 or -1. */
int hubstore_admission_add(hubstore *s, const char *result_id, const char *kiosk_id, const char *why, const char *by,
                           int64_t at) __attribute__((warn_unused_result));

/* The flagged results (of BATCH, by their ticket's application or their
 * paper, NULL: all) with each reason, in the order raised. */
typedef int (*hubstore_flagged_fn)(void *ctx, const hub_result *r, const char *reason, int64_t at);
int hubstore_flagged_each(hubstore *s, const char *batch, hubstore_flagged_fn fn, void *ctx);

#endif
