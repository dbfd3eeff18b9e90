/* receipt: the hub's signed receipt for a stored result, the kiosk → hub
 * contract's answer (exam-packs/FORMAT.md §8). The hub signs with its
 * receipt key; examsync marks a result delivered only when the receipt
 * verifies against the hub key it remembered at enrolment.
 *
 * Receipt = hex of the Ed25519 signature over "exam-receipt v1\n" ‖ result id. */
#ifndef RECEIPT_H
#define RECEIPT_H

#include <sodium.h>
#include <stdint.h>

#include "core/result.h"

#define RECEIPT_HEX (crypto_sign_BYTES * 2 + 1)

/* Signs the receipt for RESULT_ID (RESULT_ID_HEX - 1 hex characters) with
 * SIGN_SK into OUT (RECEIPT_HEX bytes, NUL-terminated). */
void receipt_sign(const uint8_t sign_sk[crypto_sign_SECRETKEYBYTES], const char *result_id, char out[RECEIPT_HEX]);

/* Checks RECEIPT_HEX for RESULT_ID against HUB_PK: RESULT_OK, or
 * RESULT_BAD_SIGNATURE (not hex of a signature, or it does not verify). */
result_rc receipt_verify(const uint8_t hub_pk[crypto_sign_PUBLICKEYBYTES], const char *result_id, const char *receipt_hex)
    __attribute__((warn_unused_result));

#endif
