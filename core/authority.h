/* authority: the certification body's keys. authority.pub (text) carries
 * the Ed25519 pack-signing public key and the X25519 results-encryption
 * public key; authority.key and results.key (text, mode 0600) the secrets.
 *
 *   authority.pub:  "exam-authority-pub v1\nsign <base64 32>\nbox <base64 32>\n"
 *   authority.key:  "exam-authority-key v1\nsign <base64 64>\n"
 *   results.key:    "exam-results-key v1\nbox-pk <base64 32>\nbox-sk <base64 32>\n"
 */
#ifndef AUTHORITY_H
#define AUTHORITY_H

#include <sodium.h>
#include <stdint.h>

#define AUTHORITY_KEYID_BYTES 8

typedef struct authority_pub {
    uint8_t sign_pk[crypto_sign_PUBLICKEYBYTES];
    uint8_t box_pk[crypto_box_PUBLICKEYBYTES];
} authority_pub;

/* Creates the three files in DIR, refusing to overwrite any of them.
 * Returns 0 or -1 with *why (caller frees). */
int authority_keygen(const char *dir, char **why) __attribute__((warn_unused_result));

int authority_load_pub(const char *path, authority_pub *out, char **why) __attribute__((warn_unused_result));
/* The same from the text of an authority.pub (NUL-terminated), e.g. as the hub keeps it. */
int authority_parse_pub(const char *text, authority_pub *out, char **why) __attribute__((warn_unused_result));
/* Loads the signing secret key into SK (caller wipes it with sodium_memzero). */
int authority_load_sign_sk(const char *path, uint8_t sk[crypto_sign_SECRETKEYBYTES], char **why)
    __attribute__((warn_unused_result));

/* Short fingerprint of a signing public key, stored in packs and rosters so
 * that "signed by another authority" can be told apart from tampering. */
void authority_key_id(const uint8_t pk[crypto_sign_PUBLICKEYBYTES], uint8_t id[AUTHORITY_KEYID_BYTES]);

/* Loads results.key (the hub's results-decryption key pair; caller wipes SK). */
int authority_load_results_key(const char *path, uint8_t pk[crypto_box_PUBLICKEYBYTES],
                               uint8_t sk[crypto_box_SECRETKEYBYTES], char **why) __attribute__((warn_unused_result));

/* Device (kiosk) key: "exam-device-key v1\nsign <base64 64>\n", mode 0600.
 * Creates PATH with a new Ed25519 key pair, refusing to overwrite. */
int authority_device_keygen(const char *path, uint8_t pk[crypto_sign_PUBLICKEYBYTES], char **why)
    __attribute__((warn_unused_result));
/* Loads a device secret key (caller wipes it). */
int authority_load_device_sk(const char *path, uint8_t sk[crypto_sign_SECRETKEYBYTES], char **why)
    __attribute__((warn_unused_result));

#endif
