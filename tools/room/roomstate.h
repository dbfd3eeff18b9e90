/* roomstate: what the room console knows in memory (issue 12): the room's
 * unlocked pack and its content key, the keys derived from it, the session
 * PIN's verifier made once for every seat, and the roster's candidates with
 * their ticket tags. The content key is never on disk in clear: at the
 * unlock it is stored in room.db wrapped (XChaCha20-Poly1305) under a key
 * derived with Argon2id from the invigilator password (config wrap_salt),
 * and after a console restart it is unwrapped at the next log-in
 * (roomstate_login). Until then the console serves the commands already
 * made (their sealed bytes are in room.db) but makes no new ones.
 *
 * Thread-safe: every function takes the state's mutex (the console's
 * server threads share one state). Secrets are wiped on roomstate_free. */
#ifndef ROOMSTATE_H
#define ROOMSTATE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "core/authority.h"
#include "core/roomproto.h"
#include "core/roster.h"
#include "tools/room/roomstore.h"


typedef struct room_cand {
    char ticket[ROSTER_TICKET_MAX + 1];
    int seat, level;
    int extra_minutes; /* planned extra time (the roster's extra_minutes) */
    uint8_t tag[ROOMPROTO_TAG_BYTES]; /* valid when the state is unlocked */
} room_cand;

typedef struct roomstate {
    pthread_mutex_t mu;
    roomstore *rs;
    const char *site, *room;
    authority_pub pub;
    int have_wrap;
    uint8_t wrap[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
    int unlocked; /* the content key is in memory */
    uint8_t pack_id[ROOMPROTO_PACK_ID_BYTES];
    char pack_hex[2 * ROOMPROTO_PACK_ID_BYTES + 1];
    char pack_title[256];
    int pack_level;
    roomproto_keys k;
    roomproto_unlock pin; /* pack id, content key, PIN salts and verifier; kiosk id filled per seat */
    room_cand *cands;
    size_t ncands;
    uint64_t active_gen;
} roomstate;

/* Loads authority.pub of DIR and the rosters of room.db (tickets, seats,
 * levels). 0, or -1 with *why (caller frees). */
int roomstate_init(roomstate *st, roomstore *rs, const char *dir, const char *site, const char *room, char **why);
void roomstate_free(roomstate *st);

/* After a right PASSWORD at the log-in: reads the rosters again (one added
 * while the console runs counts from the next log-in), derives the wrap key
 * (once per process) and, when room.db holds a wrapped content key and the
 * state has none, unwraps it. 0; 1 nothing to unwrap; -1 with *why (static) when the
 * wrapped key does not open (room.db edited) or memory is short. */
int roomstate_login(roomstate *st, const char *password, const char **why);

/* The packs an invigilator can unlock (id, title), for the form: FN (may be
 * NULL: just count) for each; their count, or -1. */
int roomstate_packs(roomstate *st, void (*fn)(void *ctx, const char *id, const char *title), void *ctx);

/* The unlock: CODE (typed, any case/dashes) opens pack PACK_HEX (one KDF),
 * the PIN (6-32 digits, twice) gets its verifier (one Argon2id), the key is
 * wrapped into room.db with the journal row. 0, or -1 with *why_zh (a
 * static Chinese sentence for the page). */
int roomstate_unlock(roomstate *st, const char *pack_hex, const char *code, const char *pin, const char *pin2,
                     const char *actor, const char **why_zh);

/* a copy of what the page shows: 1 unlocked (pack id hex, title), else 0 */
int roomstate_unlocked(roomstate *st, char pack_hex[33], char title[256]);

/* One command in ROW (type name, target, sealed bytes, detail) for the
 * counter ROW->counter: TYPE (roomproto_cmd_type) to TARGET (kiosk id, or
 * NULL for every seat), MINUTES and REASON for an extend, SEAT_PK_HEX (the
 * seat's device key) for an unlock or an authorised resume (both carry the
 * content key and the session PIN's verifier sealed to that seat). 0, or -1 with
 * *why (static: the state is not unlocked, or roomproto's reason). */
int roomstate_seal(roomstate *st, int type, const char *target, const char *seat_pk_hex, int minutes,
                   const char *reason, room_cmd_row *row, const char **why);

/* The roster ticket of ticket tag TAG (copied into TICKET, with its roster
 * seat and planned extra minutes when not NULL): 1 known, 0 not (or not
 * unlocked). */
int roomstate_ticket(roomstate *st, const uint8_t tag[ROOMPROTO_TAG_BYTES], char ticket[ROSTER_TICKET_MAX + 1],
                     int *seat, int *extra_minutes);

/* the roster's candidates (a copy, tags included when unlocked; caller frees); count */
size_t roomstate_cands(roomstate *st, room_cand **out, int *unlocked);

/* the candidate's name from a report's name box (NAME "" and 0 when it
 * does not open or the state is not unlocked), 1 opened */
int roomstate_name(roomstate *st, const uint8_t *box, size_t len, char name[ROOMPROTO_NAME_MAX + 1]);

/* The active tickets message (EXRA) of the N entries E (at most
 * ROOMPROTO_ACTIVE_MAX taken), with the next generation: max(last + 1,
 * the wall clock in µs), so it rises across a console restart too. 0, or
 * -1 when not unlocked. */
int roomstate_active(roomstate *st, const roomproto_active_entry *e, int n, uint8_t *out, size_t cap, size_t *len);

/* the level of the unlocked pack (-1 when none) */
int roomstate_level(roomstate *st);

#endif
