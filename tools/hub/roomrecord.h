/* roomrecord: the reader of a room console's signed room record (考场记录,
 * exam-packs/FORMAT.md §17) and of the console's public key file, for the
 * hub (examhub consoles, examhub import). No storage and no policy here:
 * what the record says, checked against its format and bounds, and whether
 * its signature verifies with a given key.
 *
 * File: "exam-room-record v1\n", one line of JSON, "\n", "sig " + base64
 * (standard, padded) of the Ed25519 signature by the console's key over
 * every byte before "sig ", "\n". At most ROOMREC_MAX_BYTES. */
#ifndef ROOMRECORD_H
#define ROOMRECORD_H

#include <sodium.h>
#include <stddef.h>
#include <stdint.h>

#define ROOMREC_MAGIC "exam-room-record v1\n"
#define ROOMREC_MAX_BYTES (16u << 20)
#define ROOMREC_MAX_PACKS 64
#define ROOMREC_MAX_SEATS 1000
#define ROOMREC_MAX_HEADS 200000      /* of one seat: one per change of its journal's count */
#define ROOMREC_MAX_CANDIDATES 10000
#define ROOMREC_MAX_EVENTS 200000
#define ROOMREC_MAX_EXTRA_MINUTES 1440

typedef struct roomrec_head {
    int64_t count;  /* journal entries */
    uint8_t head[32];
    int64_t at_ms;  /* the console's clock */
} roomrec_head;

typedef struct roomrec_seat {
    char kiosk_id[17];
    int seat;
    uint8_t device_pk[crypto_sign_PUBLICKEYBYTES]; /* kiosk_id is its id (checked) */
    char state[16];                                /* confirmed | unconfirmed | duplicate */
    int64_t first_contact, last_contact;           /* unix s */
    int diverged; /* the console said so, or its heads do not follow one another (roomproto_mirror_follows) */
    roomrec_head *heads;
    int nheads;
} roomrec_seat;

typedef struct roomrec_candidate {
    char ticket[33], pack_id[33]; /* pack_id "" when the console does not know it */
    char state[16];               /* sat | absent | not_seen */
    char kiosk_id[17];            /* "" when none */
    int seat;
    int64_t first_seen_ms, last_seen_ms;
    int extra_minutes;
} roomrec_candidate;

typedef struct roomrec {
    char site[128], room[33];
    uint8_t console_pk[crypto_sign_PUBLICKEYBYTES];
    char console_pk_b64[sodium_base64_ENCODED_LEN(crypto_sign_PUBLICKEYBYTES, sodium_base64_VARIANT_ORIGINAL)];
    int64_t made_at;
    char (*packs)[33];
    int npacks;
    roomrec_seat *seats;
    int nseats;
    roomrec_candidate *cands;
    int ncands;
    int nevents;
    char digest_hex[65]; /* BLAKE2b-256 of the whole file: the record's identity at the hub */
} roomrec;

/* 1 when BUF starts like a room record (its first line), else 0. */
int roomrec_is(const uint8_t *buf, size_t len);

/* Reads the room record BUF (LEN bytes): the frame, the JSON body (strict:
 * duplicate keys refused) and every field's format and bound. The
 * signature is not checked yet (roomrec_verify, once the caller knows the
 * console key is one it trusts). 0 with OUT filled (roomrec_free), or -1
 * with *why (one line; caller frees) and OUT empty. */
int roomrec_parse(const uint8_t *buf, size_t len, roomrec *out, char **why) __attribute__((warn_unused_result));
/* 0 when the record's signature verifies with its console_pk, else -1. */
int roomrec_verify(const uint8_t *buf, size_t len, const roomrec *r) __attribute__((warn_unused_result));
void roomrec_free(roomrec *r);

/* Reads a console's public key file ("exam-room-console-pub v1\nsign
 * <base64 of 32 bytes>\n", written by examroom init): 0 with PK, or -1 with
 * *why. */
int roomrec_console_pub(const uint8_t *buf, size_t len, uint8_t pk[crypto_sign_PUBLICKEYBYTES], char **why)
    __attribute__((warn_unused_result));

#endif
