/* result: a sitting's result record. Written as JSON (result_json), signed
 * with the kiosk's device key and sealed (crypto_box_seal) to the results key
 * of authority.pub (result_seal), so only the hub can read it and nobody can
 * forge or alter it. result_open is the reverse (hub, tests).
 *
 * Sealed plaintext layout:
 *   off  size  field
 *   0    8     magic "EXRESULT"
 *   8    4     version (1)
 *   12   32    device (kiosk) Ed25519 public key
 *   44   64    Ed25519 signature over bytes 0..43 ‖ JSON
 *   108  J     JSON (UTF-8), J ≤ RESULT_MAX_JSON
 * result id = hex of the first 16 bytes of BLAKE2b-256 over the whole
 * plaintext; receipt = its first 40 bits in Crockford base32, "XXXX-XXXX". */
#ifndef RESULT_H
#define RESULT_H

#include <sodium.h>
#include <stddef.h>
#include <stdint.h>

#include "bank.h"

#define RESULT_MAX_JSON (4u << 20)
#define RESULT_HEADER_BYTES 108
#define RESULT_ID_HEX 33
#define RESULT_RECEIPT_BYTES 10

typedef struct result_item {
    const char *id;       /* question id */
    qtype type;
    const char *response; /* canonical response (score.h), "" when unanswered */
    int points, score;    /* tenths */
    int pending;          /* essay awaiting a human marker */
    int flagged;
} result_item;

typedef struct result_irregularity {
    const char *category, *note;
    int64_t mono_ms;
} result_irregularity;

typedef struct result_rec {
    const char *session_id, *kiosk_id, *site, *room;
    int seat;
    const char *pack_id, *title, *kind;
    int level;
    const char *ticket, *name;
    const char *status;         /* submitted | timeout | forced | absent */
    int score, total_points;    /* tenths */
    int pass;                   /* points */
    int pending;                /* items awaiting marking */
    const char *seed_hex;
    int64_t started_wall, submitted_wall, elapsed_ms, extra_ms;
    const result_item *items;
    int nitems;
    const result_irregularity *irregularities;
    int nirregularities;
    const char *journal_head_hex;
    int64_t journal_count;
} result_rec;

/* Returns the JSON text of R (malloc'd) or NULL on allocation failure. */
char *result_json(const result_rec *r);

/* Signs JSON with DEVICE_SK and seals it to BOX_PK. *sealed is malloc'd.
 * RESULT_ID (33 bytes) and RECEIPT (10 bytes) are filled. Returns 0 or -1. */
int result_seal(const char *json, const uint8_t device_sk[crypto_sign_SECRETKEYBYTES],
                const uint8_t box_pk[crypto_box_PUBLICKEYBYTES], uint8_t **sealed, size_t *sealed_len,
                char result_id[RESULT_ID_HEX], char receipt[RESULT_RECEIPT_BYTES]) __attribute__((warn_unused_result));

/* Opens a sealed result with the results key pair, checks the signature
 * against the public key inside, and returns the JSON (malloc'd), the device
 * public key and the result id. Returns 0, or -1 with *why (caller frees). */
int result_open(const uint8_t *sealed, size_t len, const uint8_t box_pk[crypto_box_PUBLICKEYBYTES],
                const uint8_t box_sk[crypto_box_SECRETKEYBYTES], char **json,
                uint8_t device_pk[crypto_sign_PUBLICKEYBYTES], char result_id[RESULT_ID_HEX], char **why)
    __attribute__((warn_unused_result));

/* Parses the signed plaintext (exposed for fuzzing). */
int result_parse_plain(const uint8_t *plain, size_t len, char **json, uint8_t device_pk[crypto_sign_PUBLICKEYBYTES],
                       char result_id[RESULT_ID_HEX], char **why) __attribute__((warn_unused_result));

/* Kiosk id from a device public key: 16 hex characters. */
void result_kiosk_id(const uint8_t device_pk[crypto_sign_PUBLICKEYBYTES], char out[17]);

#endif
