/* hub: the results hub's core: its keys and storage, and the one ingest
 * path every result goes through (HTTP upload or USB bundle): decrypt with
 * results.key, check the signature against the enrolled kiosk's key, parse,
 * store once by result id, and sign a receipt. */
#ifndef HUB_H
#define HUB_H

#include <sodium.h>
#include <stddef.h>
#include <stdint.h>

#include "core/result.h"
#include "tools/hub/hubstore.h"

#define HUB_API_VERSION 1
#define HUB_MAX_RESULT_BYTES (4u << 20)

typedef struct hub_papers hub_papers; /* the registered papers, opened (hubcheck.c) */

typedef struct hub {
    hubstore *st;
    uint8_t authority_sign_pk[crypto_sign_PUBLICKEYBYTES]; /* packs are verified with it */
    hub_papers *papers;
    uint8_t box_pk[crypto_box_PUBLICKEYBYTES], box_sk[crypto_box_SECRETKEYBYTES];
    uint8_t sign_pk[crypto_sign_PUBLICKEYBYTES], sign_sk[crypto_sign_SECRETKEYBYTES]; /* receipts (core/receipt.h) */
    int64_t token_ttl; /* seconds */
} hub;

typedef enum ingest_rc {
    INGEST_STORED = 0, INGEST_DUPLICATE, INGEST_TOO_LARGE, INGEST_UNDECRYPTABLE, INGEST_BAD_SIGNATURE,
    INGEST_UNKNOWN_KIOSK, INGEST_WRONG_KIOSK, INGEST_MALFORMED, INGEST_STORAGE,
    INGEST_REVOKED /* the kiosk was revoked (examhub revoke): 403 */
} ingest_rc;

/* Creates DB (refusing an existing one), checking that RESULTS_KEY belongs to
 * PUB; writes the receipt key to DB.receipt-key (0600). */
int hub_init(const char *db, const char *pub, const char *results_key, char **why) __attribute__((warn_unused_result));
int hub_open(const char *db, hub *h, char **why) __attribute__((warn_unused_result));
/* Loads only the hub's receipt key (DB.receipt-key) into SIGN_SK: it also
 * signs the codes printed on tickets and certificates (core/docsig.h), for
 * the commands that print without serving. Its public half is receipt_pk
 * in DB's configuration. */
int hub_load_sign_key(const char *db, uint8_t sign_sk[crypto_sign_SECRETKEYBYTES], char **why)
    __attribute__((warn_unused_result));
void hub_close(hub *h);

/* Makes a one-time enrolment token (printed once, stored as a hash) into
 * OUT (at least 33 bytes): TOKEN_OK, or TOKEN_ERROR (storage, or OUT too
 * small). */
token_rc hub_new_token(hub *h, int64_t now, int64_t ttl, char *out, size_t size) __attribute__((warn_unused_result));
/* Enrols a kiosk: device public key hex, place. Returns a token_rc
 * (token_strerror says why not). */
token_rc hub_enroll(hub *h, const char *token, const char *device_pk_hex, const char *site, const char *room, int seat,
                    int64_t now, char kiosk_id[17]);

/* Ingests one sealed result. EXPECT_PK (bundle import) or CLAIMED_KIOSK
 * (HTTP header), when given, must match the kiosk that signed it. Never
 * stores anything unless every check passes. */
ingest_rc hub_ingest(hub *h, const uint8_t *sealed, size_t len, const uint8_t *expect_pk, const char *claimed_kiosk,
                     int64_t now, char result_id[33], char **why);

/* hub_ingest with options: ADMIT_WHY non-NULL lets in a result of a revoked
 * kiosk (a staff decision, examhub admit), recorded with ADMIT_BY and the
 * reason. */
typedef struct ingest_opts {
    const char *admit_why, *admit_by;
} ingest_opts;
ingest_rc hub_ingest_ex(hub *h, const uint8_t *sealed, size_t len, const uint8_t *expect_pk, const char *claimed_kiosk,
                        int64_t now, const ingest_opts *opt, char result_id[33], char **why);

const char *ingest_name(ingest_rc rc);
int ingest_http_status(ingest_rc rc);
/* How a result that result_open or result_parse refused is answered. */
ingest_rc ingest_of_result(result_rc rc);

#endif
