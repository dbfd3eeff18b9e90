/* hubstore_room: what the hub keeps of room consoles and their room records
 * (issue 12; schema 6, tools/hub/hubstore.c): the registered console keys,
 * each imported record with its packs, seats, mirrored journal heads and
 * candidates, and the lookups the room check of a result needs
 * (tools/hub/roomcheck.c). SQLite, behind hubstore (hubstore.h). */
#ifndef HUBSTORE_ROOM_H
#define HUBSTORE_ROOM_H

#include <stddef.h>
#include <stdint.h>

#include "tools/hub/hubstore.h"
#include "tools/hub/roomrecord.h"

/* Registers a console's signing key (base64, as in the record): 0 added, 1
 * already registered, -1 error. */
int hubstore_console_add(hubstore *s, const char *pk_b64, const char *by, int64_t at) __attribute__((warn_unused_result));
/* 1 when PK_B64 is a registered console key, 0 when not, -1 on error. */
int hubstore_console_known(hubstore *s, const char *pk_b64);
typedef int (*hubstore_console_fn)(void *ctx, const char *pk_b64, int64_t added, const char *by, int records);
/* Every registered console key, in order of registration. 0 or -1. */
int hubstore_console_each(hubstore *s, hubstore_console_fn fn, void *ctx);

/* Stores the room record R (FILE, LEN bytes, as imported) in one
 * transaction: 0 stored (*id its row), 1 already imported (same digest:
 * nothing changed), -1 error. */
int hubstore_room_put(hubstore *s, const roomrec *r, const uint8_t *file, size_t len, const char *by, int64_t at,
                      int64_t *id) __attribute__((warn_unused_result));

/* A head a console mirrored off a seat, with where it was seen. */
typedef struct hub_room_head {
    int64_t count;
    char head_hex[65];
    int seat;
    char room[33];
    int64_t record, made_at;
} hub_room_head;
/* The heads of KIOSK_ID with LO ≤ count ≤ HI in the records that apply to
 * PACK_ID (records naming that pack, or naming none), by count, into *OUT
 * (malloc'd, *N). 0 or -1. */
int hubstore_room_heads(hubstore *s, const char *kiosk_id, const char *pack_id, int64_t lo, int64_t hi,
                        hub_room_head **out, int *n) __attribute__((warn_unused_result));

/* What the records that apply to PACK_ID say of KIOSK_ID: *SEATS the
 * number of seat entries for it (0: no record covers the kiosk), *DIVERGED
 * one of them the console saw diverge (its seat number in *DSEAT, room in
 * DROOM), else 0. 0 or -1. */
int hubstore_room_seat(hubstore *s, const char *kiosk_id, const char *pack_id, int *seats, int *diverged, int *dseat,
                       char droom[33]) __attribute__((warn_unused_result));

/* 1 when a record says TICKET sat PACK_ID at KIOSK_ID, 0 when not, -1 on error. */
int hubstore_room_sat_at(hubstore *s, const char *ticket, const char *pack_id, const char *kiosk_id);

/* The distinct kiosks of record RECORD's seats (malloc'd; free with
 * hubstore_ids_free). 0 or -1. */
int hubstore_room_kiosks(hubstore *s, int64_t record, char ***ids, int *n) __attribute__((warn_unused_result));

/* The ids of the stored results of KIOSK_ID (those of the record's packs
 * when RECORD names any), for checking them again once record RECORD is in
 * (malloc'd; free with hubstore_ids_free). 0 or -1. */
int hubstore_room_result_ids(hubstore *s, int64_t record, const char *kiosk_id, char ***ids, int *n)
    __attribute__((warn_unused_result));

#endif
