/* roomstore: room.db, the room console's SQLite database (issue 12). The
 * console's configuration (site, room, invigilator password verifier), the
 * seats that said hello, and the room journal: every action with its time.
 * The only SQL of examroom (the layering lint: LINT_SQL_OWNERS). */
#ifndef ROOMSTORE_H
#define ROOMSTORE_H

#include <stdint.h>

#define ROOM_DB_NAME "room.db"

typedef struct roomstore roomstore;

/* seat states: a seat gets nothing until an invigilator confirms it */
#define SEAT_UNCONFIRMED "unconfirmed"
#define SEAT_CONFIRMED "confirmed"
#define SEAT_DUPLICATE "duplicate"

typedef struct room_seat {
    char kiosk_id[17];
    char device_pk[65];
    int seat;
    char state[16];
    int64_t first_seen, last_contact;
    char conflict[160]; /* why a duplicate is one, or "" */
} room_seat;

/* Opens DIR/room.db (CREATE: makes it, 0600, with its schema; refuses an
 * existing one). Returns 0 and *out, or -1 with *why (caller frees). */
int roomstore_open(const char *dir, int create, roomstore **out, char **why) __attribute__((warn_unused_result));
void roomstore_close(roomstore *rs);
const char *roomstore_error(roomstore *rs);

/* config: malloc'd value or NULL; set returns 0 or -1 */
char *roomstore_config_get(roomstore *rs, const char *key);
int roomstore_config_set(roomstore *rs, const char *key, const char *value);

/* one seat by kiosk id: 1 found (*out), 0 none, -1 error */
int roomstore_seat(roomstore *rs, const char *kiosk_id, room_seat *out);

/* The result of a hello from a kiosk whose signature, site and room have
 * been checked: records it (one transaction, with its journal row) and
 * returns its state in *state (SEAT_*), or -1 on a storage error.
 * - kiosk_id known with the same key: last contact updated (seat number
 *   changed: back to unconfirmed);
 * - kiosk_id known with ANOTHER key: refused (returns 1), the known seat
 *   marked duplicate with the conflict noted;
 * - new kiosk: unconfirmed; if another kiosk claims the same seat number,
 *   both are duplicate. */
int roomstore_hello(roomstore *rs, const char *kiosk_id, const char *device_pk_hex, int seat, int64_t now,
                    char state[16]);

/* confirms an unconfirmed seat: 0 done, 1 not unconfirmed (or unknown), -1 error; journaled */
int roomstore_confirm(roomstore *rs, const char *kiosk_id, const char *actor, int64_t now);

/* every seat by seat number, kiosk id: *out malloc'd (caller frees), count returned, -1 error */
int roomstore_seats(roomstore *rs, room_seat **out);

/* appends a journal row; 0 or -1 */
int roomstore_log(roomstore *rs, int64_t at, const char *actor, const char *action, const char *detail);

/* the newest MAX journal rows, newest first: calls FN for each; count, or -1 */
int roomstore_journal(roomstore *rs, int max,
                      void (*fn)(void *ctx, int64_t at, const char *actor, const char *action, const char *detail),
                      void *ctx);

#endif
