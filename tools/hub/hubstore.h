/* hubstore: everything the results hub keeps, behind one module. The
 * embedded backend is SQLite (one file, WAL, synchronous=FULL). A PostgreSQL
 * backend means another `hubstore_backend` with the same operations (see
 * README "Results hub storage"); nothing else in the hub touches SQL. */
#ifndef HUBSTORE_H
#define HUBSTORE_H

#include <stddef.h>
#include <stdint.h>

typedef struct hubstore hubstore;

/* Enrolment tokens: making one (TOKEN_OK or TOKEN_ERROR) and using one. */
typedef enum token_rc { TOKEN_OK = 0, TOKEN_UNKNOWN, TOKEN_USED, TOKEN_EXPIRED, TOKEN_KIOSK_CONFLICT, TOKEN_ERROR } token_rc;
/* One line for RC, as the hub answers an enrolment ("enrolment token expired"). */
const char *token_strerror(token_rc rc);

/* Looking up an enrolled kiosk. */
typedef enum kiosk_rc { KIOSK_FOUND = 0, KIOSK_NOT_ENROLLED, KIOSK_ERROR } kiosk_rc;
const char *kiosk_strerror(kiosk_rc rc);

/* One stored result: the fields the reports need, plus the JSON and the
 * sealed bytes as received (for audit and re-verification). */
typedef struct hub_result {
    char result_id[33], kiosk_id[17], session[33], ticket[33], pack_id[33];
    char name[72], title[256], kind[16], status[16];
    int level, score_tenths, passed, pending;
    int64_t submitted_at, received_at;
    int scored; /* 1: the scores are the hub's own rescoring (issue 11); 0: unscored, as the kiosk claimed */
    const char *json;
    const uint8_t *sealed;
    size_t sealed_len;
} hub_result;

typedef struct hub_kiosk {
    char kiosk_id[17], device_pk_hex[65], site[128], room[64];
    int seat;
} hub_kiosk;

typedef int (*hubstore_result_fn)(void *ctx, const hub_result *r);

/* Opens (or with CREATE makes) the store at PATH. Returns 0 or -1 with *why. */
int hubstore_open(const char *path, int create, hubstore **out, char **why) __attribute__((warn_unused_result));
void hubstore_close(hubstore *s);
const char *hubstore_error(hubstore *s);

int hubstore_config_set(hubstore *s, const char *key, const char *value) __attribute__((warn_unused_result));
char *hubstore_config_get(hubstore *s, const char *key); /* malloc'd or NULL */

/* One-time enrolment tokens, stored as hashes: TOKEN_OK or TOKEN_ERROR. */
token_rc hubstore_token_add(hubstore *s, const uint8_t hash[32], int64_t created, int64_t expires)
    __attribute__((warn_unused_result));
/* Atomically uses the token and records the kiosk (a second enrolment of
 * the same kiosk key is allowed with a new token; another key claiming an
 * enrolled kiosk id is a conflict). */
token_rc hubstore_enroll(hubstore *s, const uint8_t token_hash[32], int64_t now, const hub_kiosk *k);
/* KIOSK_FOUND and *k filled when KIOSK_ID is enrolled, KIOSK_NOT_ENROLLED
 * when not, KIOSK_ERROR on a storage failure (hubstore_error). */
kiosk_rc hubstore_kiosk(hubstore *s, const char *kiosk_id, hub_kiosk *k);

/* Transactions around several puts (bundle import). */
int hubstore_begin(hubstore *s) __attribute__((warn_unused_result));
int hubstore_commit(hubstore *s) __attribute__((warn_unused_result));
void hubstore_rollback(hubstore *s);

/* Stores R once: 0 stored, 1 already there (same result id), -1 error. */
int hubstore_put_result(hubstore *s, const hub_result *r) __attribute__((warn_unused_result));

/* Calls FN for each result (ordered by pack, ticket); PACK_ID NULL = all.
 * Stops when FN returns non-zero. Returns 0 or -1. */
int hubstore_each_result(hubstore *s, const char *pack_id, hubstore_result_fn fn, void *ctx);
int hubstore_count_results(hubstore *s);

/* Flags (issue 11): a stored result that failed a check, with the reason
 * (one short English phrase, e.g. "score differs from the hub's rescoring").
 * A flagged result is kept but counts for nothing until staff decide.
 * hubstore_flag_add records REASON once per result (0, or -1 on error). */
int hubstore_flag_add(hubstore *s, const char *result_id, const char *reason, int64_t at)
    __attribute__((warn_unused_result));
/* Calls FN for each flag of RESULT_ID (NULL: of every result), in the
 * order they were raised. Returns 0 or -1. */
typedef int (*hubstore_flag_fn)(void *ctx, const char *result_id, const char *reason, int64_t at);
int hubstore_flag_each(hubstore *s, const char *result_id, hubstore_flag_fn fn, void *ctx);

#endif
