/* roster: the room roster (考生名单). Read from CSV with every row checked
 * (ID numbers against the GB 11643-1999 checksum), then written as a signed
 * roster file that carries a salted hash of each ID number, never the number.
 *
 * Signed roster file (little-endian):
 *   off  size  field
 *   0    8     magic "EXROSTER"
 *   8    4     format version (1)
 *   12   4     body length B (≤ ROSTER_MAX_BODY)
 *   16   16    roster id (random)
 *   32   8     authority key id
 *   40   32    salt for the ID-number hashes
 *   72   B     body: one line per candidate,
 *              "ticket\tname\tid_hash_hex\tlevel\troom\tseat\n"
 *   72+B 64    Ed25519 signature over bytes 0 .. 72+B-1
 */
#ifndef ROSTER_H
#define ROSTER_H

#include <stddef.h>
#include <stdint.h>

#include "core/authority.h"
#include "core/diag.h"

#define ROSTER_MAGIC "EXROSTER"
#define ROSTER_HEADER_BYTES 72
#define ROSTER_MAX_BODY (8u << 20)
#define ROSTER_MAX_ENTRIES 20000
#define ROSTER_SALT_BYTES 32
#define ROSTER_HASH_BYTES 32
#define ROSTER_TICKET_MAX 32

typedef struct roster_entry {
    char ticket[ROSTER_TICKET_MAX + 1];
    char *name;
    char *id_number;  /* only while building from CSV; NULL in a read roster */
    uint8_t id_hash[ROSTER_HASH_BYTES];
    int level;
    char *room;
    int seat;
    long line;
} roster_entry;

typedef struct roster {
    uint8_t roster_id[16];
    uint8_t salt[ROSTER_SALT_BYTES];
    roster_entry *e;
    size_t n;
} roster;

/* Reads a roster CSV; mistakes go to D one line each. Returns 0 or -1.
 * A fresh random salt is chosen and every ID number hashed. */
int roster_parse_csv(const char *buf, size_t len, roster *out, diag *d) __attribute__((warn_unused_result));

/* Serialises and signs R. *out is malloc'd. Returns 0 or -1. */
int roster_write(const roster *r, const uint8_t sk[64], uint8_t **out, size_t *outlen) __attribute__((warn_unused_result));

/* Checks the signature against PK and parses the file. Returns 0, or -1 with
 * *why (caller frees); nothing is parsed before the signature holds. */
int roster_read(const uint8_t *buf, size_t len, const uint8_t pk[32], roster *out, char **why)
    __attribute__((warn_unused_result));

/* Parses the body of an already verified roster (exposed for fuzzing). */
int roster_parse_body(const char *body, size_t len, roster *out, char **why) __attribute__((warn_unused_result));

/* Hash of an ID number as stored in a roster. */
void roster_hash_id(const uint8_t salt[ROSTER_SALT_BYTES], const char *ticket, const char *id,
                    uint8_t out[ROSTER_HASH_BYTES]);

/* Entry with TICKET whose ID-number hash matches ID, or NULL. */
const roster_entry *roster_lookup(const roster *r, const char *ticket, const char *id);

void roster_free(roster *r);

#endif
