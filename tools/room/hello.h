/* hello: the seat's signed hello to the room console (issue 12, pairing),
 * version 1 — a stand-in kept on its own until the room protocol
 * (core/roomproto) replaces it: only this file knows the signed bytes.
 *
 * The signed message (FORMAT.md, Room console: seat hello) is the UTF-8
 * text "examroom-hello v1\n" followed by kiosk_id, site, room, seat
 * (decimal), device_pk (64 lower-case hex) and time (Unix seconds,
 * decimal), each ended by "\n"; sig is the Ed25519 signature by the device
 * key over it, 128 hex. No field may hold a control character. */
#ifndef ROOM_HELLO_H
#define ROOM_HELLO_H

#include <sodium.h>
#include <stdint.h>

#define HELLO_TAG "examroom-hello v1"
#define HELLO_MAX_SKEW_S 300 /* a hello's time within this of the console's clock */

typedef struct hello_fields {
    const char *kiosk_id, *site, *room, *device_pk;
    int seat;
    int64_t time;
} hello_fields;

/* The message to sign (malloc'd, NUL-terminated), or NULL with *why for a
 * field that is empty, too long or holds a control character. */
char *hello_message(const hello_fields *h, char **why);

/* SIG_HEX (129 bytes) := the device key's signature of H. 0, or -1 with *why. */
int hello_sign(const hello_fields *h, const uint8_t sk[crypto_sign_SECRETKEYBYTES], char sig_hex[129], char **why);

/* Checks H and its SIG_HEX: device_pk is 32 bytes of hex, the signature
 * verifies. 0, or -1 with *why (a static string, the reason the console
 * answers). Whether kiosk_id is device_pk's own id is hello_id_matches:
 * the console asks it after looking the id up (a known id claimed by
 * another key marks that seat duplicate). */
int hello_verify(const hello_fields *h, const char *sig_hex, const char **why);

/* 1 when KIOSK_ID is the id of DEVICE_PK_HEX (result_kiosk_id), else 0 */
int hello_id_matches(const char *kiosk_id, const char *device_pk_hex);

#endif
