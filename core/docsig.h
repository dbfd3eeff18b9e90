/* docsig: the signed code printed as a QR code on the hub's admission
 * tickets and certificates (exam-packs/FORMAT.md §18), so that a door
 * invigilator or an employer can check a paper document offline.
 *
 * Text:    PREFIX ":" NUMBER ":" SIGNATURE, all of it in the QR code's
 *          alphanumeric set (digits, upper-case letters, ':').
 * PREFIX:  "EXT1" (an admission ticket) or "EXC1" (a certificate).
 * NUMBER:  the ticket or the national certificate number, 1-32 digits and
 *          upper-case letters.
 * SIGNATURE: Crockford base32 (core/b32.h, 103 digits) of the Ed25519
 *          signature by the hub's receipt key (hub.db.receipt-key; the public
 *          half is receipt_pk in hub.db) over
 *          "exam-print v1\n" ‖ PREFIX ‖ "\n" ‖ NUMBER
 *          (not a receipt: receipts sign "exam-receipt v1\n" ‖ result id).
 * Pure functions: no files, no clock. */
#ifndef DOCSIG_H
#define DOCSIG_H

#include <sodium.h>
#include <stddef.h>
#include <stdint.h>

typedef enum docsig_kind { DOCSIG_TICKET = 0, DOCSIG_CERTIFICATE } docsig_kind;

#define DOCSIG_NUMBER_MAX 32
#define DOCSIG_SIG_DIGITS 103 /* b32_encoded_len(crypto_sign_BYTES) */
/* the longest text with its NUL */
#define DOCSIG_TEXT_MAX (5 + DOCSIG_NUMBER_MAX + 1 + DOCSIG_SIG_DIGITS + 1)

/* "EXT1" or "EXC1" */
const char *docsig_prefix(docsig_kind kind);
/* 1 when NUMBER can be signed: 1-32 digits and upper-case letters. */
int docsig_number_ok(const char *number);

/* Signs NUMBER as a KIND with SIGN_SK into OUT (DOCSIG_TEXT_MAX bytes,
 * NUL-terminated). Returns 0, or -1 (OUT "") when NUMBER is not one. */
int docsig_make(const uint8_t sign_sk[crypto_sign_SECRETKEYBYTES], docsig_kind kind, const char *number,
                char out[DOCSIG_TEXT_MAX]) __attribute__((warn_unused_result));

/* Checks the LEN bytes of TEXT (as scanned; nothing around it) against
 * HUB_PK. Returns 0 with *KIND and NUMBER (DOCSIG_NUMBER_MAX + 1 bytes) set,
 * or -1 with a one-line reason in *WHY (a static string): not such a code,
 * a bad number or signature digits, or a signature that does not verify
 * (another hub's, or the number or kind changed). */
int docsig_check(const uint8_t hub_pk[crypto_sign_PUBLICKEYBYTES], const char *text, size_t len, docsig_kind *kind,
                 char number[DOCSIG_NUMBER_MAX + 1], const char **why) __attribute__((warn_unused_result));

#endif
