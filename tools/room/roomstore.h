/* roomstore: room.db, the room console's SQLite database (issue 12). The
 * console's configuration (site, room, invigilator password verifier, the
 * wrapped content key), the packs and rosters added, the seats that said
 * hello, each seat's latest verified report and its mirrored journal heads,
 * the candidates seen and the absences recorded, the command queue (one
 * counter per room, the sealed bytes as sent) and the room journal: every
 * action with its time. The only SQL of examroom (the layering lint:
 * LINT_SQL_OWNERS). Schema: user_version 2 (FORMAT.md §15); a version-1
 * database is brought to 2 when opened. */
#ifndef ROOMSTORE_H
#define ROOMSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/roomproto.h"

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

/* sets N config keys and journals (AT, ACTOR, ACTION, DETAIL) in one transaction; 0 or -1 */
int roomstore_config_commit(roomstore *rs, int n, const char *const *keys, const char *const *values, int64_t at,
                            const char *actor, const char *action, const char *detail);

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

/* ---- packs and rosters (examroom add; verified by the caller) ---------- */
/* 0 added, 1 already there, -1 error */
int roomstore_pack_add(roomstore *rs, const char *pack_id_hex, const char *title, int level, const uint8_t *bytes,
                       size_t len, int64_t now);
int roomstore_roster_add(roomstore *rs, const char *roster_id_hex, int candidates, const uint8_t *bytes, size_t len,
                         int64_t now);
/* calls FN for each stored pack / roster (bytes as added); count, or -1. FN returning non-zero stops. */
int roomstore_packs(roomstore *rs, int (*fn)(void *ctx, const char *id, const char *title, int level,
                                              const uint8_t *bytes, size_t len),
                    void *ctx);
int roomstore_rosters(roomstore *rs, int (*fn)(void *ctx, const char *id, const uint8_t *bytes, size_t len), void *ctx);

/* ---- the command queue ---------------------------------------------------- */
typedef struct room_cmd_row {
    uint64_t counter;          /* given by roomstore_commands_add */
    char type[24];             /* roomproto_cmd_name */
    char target[17];           /* kiosk id, "" for every seat */
    uint8_t bytes[ROOMPROTO_CMD_MAX_BYTES];
    size_t len;
    char detail[400];          /* the journal line */
} room_cmd_row;

/* Adds N commands in one transaction, with the room's next counters
 * (MAX + 1, …): SEAL(ctx, i, row) fills row i (type, target, bytes, len,
 * detail) for the counter row->counter already set; a non-zero return
 * rolls everything back. Each command is journaled (ACTOR, its detail).
 * 0 (with *FIRST the first counter), 1 SEAL refused, -1 storage error. */
int roomstore_commands_add(roomstore *rs, int n, int (*seal)(void *ctx, int i, room_cmd_row *row), void *ctx,
                           int64_t now_ms, const char *actor, uint64_t *first);

/* the commands for KIOSK_ID (its own and every seat's) with counter >
 * AFTER, ascending, at most MAX: FN for each; count, or -1 */
int roomstore_commands_for(roomstore *rs, const char *kiosk_id, uint64_t after, int max,
                           void (*fn)(void *ctx, uint64_t counter, const uint8_t *bytes, size_t len), void *ctx);

/* every command, ascending: FN(counter, type, target, made_ms, actor, detail); count or -1 */
int roomstore_commands(roomstore *rs,
                       void (*fn)(void *ctx, uint64_t counter, const char *type, const char *target, int64_t made_ms,
                                  const char *actor, const char *detail),
                       void *ctx);

/* 1 when a command of TYPE to TARGET is queued, 0 not, -1 error */
int roomstore_command_exists(roomstore *rs, const char *type, const char *target);

/* ---- seat reports ---------------------------------------------------------- */
typedef struct room_report_in {
    const char *kiosk_id;
    uint64_t counter;           /* the report's */
    const uint8_t *bytes;       /* the verified report as received */
    size_t len;
    uint64_t count;             /* journal count and head */
    const uint8_t *head;        /* ROOMPROTO_HEAD_BYTES */
    int64_t at_ms;              /* the console's clock */
    const char *tag_hex;        /* the ticket tag (32 hex), "" when nobody is logged in */
    const char *ticket;         /* the tag's roster ticket, "" when not known (no key yet) */
    const char *pack_hex;       /* the report's pack, "" none */
} room_report_in;

#define ROOM_REPORT_OK 0
#define ROOM_REPORT_REPLAY 1    /* counter not above the last accepted: nothing stored */
#define ROOM_REPORT_DIVERGED 2  /* stored; the seat's heads diverge (newly flagged) */

/* Records a report whose signature, site and room were checked, in one
 * transaction: the replay rule (counter above the stored one), the mirror
 * rule against the seat's latest head (roomproto_mirror_follows: a
 * divergence flags the seat, kept), the latest status, a mirror row when
 * the head changed, the candidate seen, the seat's last contact.
 * ROOM_REPORT_*, or -1 on a storage error; *WHY the reason of a replay or
 * divergence (static). */
int roomstore_report(roomstore *rs, const room_report_in *in, const char **why);

typedef struct room_status {
    char kiosk_id[17];
    uint64_t counter;
    uint8_t report[ROOMPROTO_REPORT_MAX + 256]; /* the verified bytes */
    size_t len;
    int64_t at_ms;
    char diverged[200]; /* why the heads diverge, "" */
} room_status;

/* every seat's latest status: FN for each; count, or -1 */
int roomstore_statuses(roomstore *rs, void (*fn)(void *ctx, const room_status *st), void *ctx);

/* the mirrored heads of KIOSK_ID in the order received: FN(count, head, at_ms); count or -1 */
int roomstore_heads(roomstore *rs, const char *kiosk_id,
                    void (*fn)(void *ctx, uint64_t count, const uint8_t *head, int64_t at_ms), void *ctx);

/* ---- candidates ------------------------------------------------------------- */
/* every ticket tag seen: FN(tag hex, ticket or "", pack hex, kiosk id, first_ms, last_ms); count or -1 */
int roomstore_seen(roomstore *rs,
                   void (*fn)(void *ctx, const char *tag, const char *ticket, const char *pack, const char *kiosk_id,
                              int64_t first_ms, int64_t last_ms),
                   void *ctx);
/* names the ticket of a tag seen before the key was known; 0 or -1 */
int roomstore_seen_resolve(roomstore *rs, const char *tag_hex, const char *ticket);

/* records TICKET absent (roster seat SEAT) unless already: 0 added, 1 there, -1 error; journaled */
int roomstore_absent_add(roomstore *rs, const char *ticket, int seat, int64_t now, const char *actor);
/* every absence: FN(ticket, seat, at, actor); count or -1 */
int roomstore_absences(roomstore *rs, void (*fn)(void *ctx, const char *ticket, int seat, int64_t at, const char *actor),
                       void *ctx);

/* the whole journal, oldest first: FN for each; count or -1 */
int roomstore_journal_all(roomstore *rs,
                          void (*fn)(void *ctx, int64_t at, const char *actor, const char *action, const char *detail),
                          void *ctx);

#endif
