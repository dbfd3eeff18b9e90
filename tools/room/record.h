/* record: the room record (考场记录; FORMAT.md §16.8, the layout and the
 * hub's reading §17), written by `examroom report` and by the console's page,
 * verified by `examroom verify-record`
 * (and by the hub's import, which reads the same layout):
 *
 *   "exam-room-record v1\n" ‖ one line of JSON ‖ "\n" ‖ "sig " ‖
 *   base64(Ed25519 signature by console.key over every byte before "sig ") ‖ "\n"
 *
 * The body is made from room.db alone (no key needed): the seats with their
 * mirrored journal heads, the candidates (sat / absent / not_seen, from the
 * rosters and the ticket tags the console resolved while it held the
 * content key), and the whole console journal as events. */
#ifndef ROOM_RECORD_H
#define ROOM_RECORD_H

#include <sodium.h>
#include <stddef.h>
#include <stdint.h>

#include "tools/room/roomstore.h"

#define RECORD_MAGIC "exam-room-record v1\n"
#define RECORD_MAX ((size_t)16 << 20)

/* DIR/console.key (examroom init): the signing secret key (caller wipes). 0, or -1 with *why. */
int record_load_key(const char *dir, uint8_t sk[crypto_sign_SECRETKEYBYTES], char **why);

/* console.pub text ("exam-room-console-pub v1\nsign <base64>\n") at PATH. 0, or -1 with *why. */
int record_load_pub(const char *path, uint8_t pk[crypto_sign_PUBLICKEYBYTES], char **why);

/* The signed record of the console in DIR (room.db RS) made at MADE_AT
 * (Unix s): *out malloc'd, *len bytes. 0, or -1 with *why. */
int record_make(roomstore *rs, const char *dir, int64_t made_at, char **out, size_t *len, char **why);

/* Checks BUF (LEN bytes) is a room record signed by PK: the layout, the
 * signature, a JSON object body whose console_pk is PK. 0 with *summary
 * (malloc'd one line), or -1 with *why. */
int record_verify(const uint8_t *buf, size_t len, const uint8_t pk[crypto_sign_PUBLICKEYBYTES], char **summary,
                  char **why);

#endif
