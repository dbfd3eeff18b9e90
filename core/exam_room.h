/* exam_room: what the room link (core/roomlink.c) needs of the exam engine
 * beyond its public API (exam.h): the facts a seat report carries, the
 * store, and the two actions only a room console can take, unlocking and
 * authorising a resume with a content key instead of a typed release code
 * and PIN. Internal: included by core/exam.c and core/roomlink.c only. */
#ifndef EXAM_ROOM_H
#define EXAM_ROOM_H

#include <stdint.h>

#include "core/exam.h"
#include "core/store.h"

typedef struct roomlink roomlink;

/* A snapshot of the engine for the seat report; the pointers are E's, valid
 * until the next exam_* call. */
typedef struct exam_room_facts {
    exam_phase phase;
    const char *pack_id;    /* hex: the unlocked pack, in RESUME the crashed sitting's; "" none */
    const uint8_t *key;     /* the unlocked pack's content key (32 bytes), NULL while none is */
    const char *sid;        /* the sitting's id, "" outside one: the session of room journal entries */
    const char *ticket;     /* the candidate logged in, "" nobody */
    const char *name;
    const char *site, *room, *kiosk_id;
    int storage_alert;      /* a write the disk refused is waiting */
    int integrity_alert;    /* the journal disproved something (stays) */
    int pin_locked;
    int resume_waiting;     /* RESUME with a crashed sitting */
    int answered, total;
    int64_t time_left_ms;
    int focus_losses;
} exam_room_facts;

void exam_room_facts_of(const exam *e, exam_room_facts *f);
store *exam_room_store(exam *e);
roomlink *exam_room_link(const exam *e);
/* the wall clock, ms since 1970 (informative: written, never used to time) */
int64_t exam_room_wall_ms(const exam *e);
/* One journal entry (the engine's queue keeps it when the disk refuses). */
void exam_room_journal(exam *e, const char *type, const char *data);

/* The console's PIN verifier (roomproto_unlock's fields, FORMAT.md §5). */
typedef struct exam_room_pin {
    uint8_t kiosk_salt[16], pin_salt[16], hash[32];
    uint64_t ops, mem;
} exam_room_pin;

/* LOCKED (or SET_PIN) → LOGIN: opens stored pack PACK_ID (hex) with KEY and
 * stores PIN as its unlock row (one commit with journal pin_set "room"), as
 * exam_unlock + exam_set_pin do with a typed code and PIN. EXAM_BAD_STATE
 * in another phase, EXAM_NO_PACK (no such pack), EXAM_PACK_REFUSED (it fails
 * pack_verify_as), EXAM_CODE_WRONG (KEY does not open it), EXAM_INTERNAL (a
 * verifier cost out of range). Nothing changes unless EXAM_OK. */
exam_rc exam_room_unlock(exam *e, const char *pack_id, const uint8_t key[32], const exam_room_pin *pin);

/* RESUME → RUNNING (or LOGIN): exam_resume with KEY instead of the release
 * code and without the PIN (the console authorised it); the PIN stays the
 * one of the unlock row. EXAM_BAD_STATE when not in RESUME, EXAM_CODE_WRONG
 * when KEY does not open the crashed sitting's pack (journaled
 * resume_refused: only a resume that happened journals "resume"). */
exam_rc exam_room_resume(exam *e, const uint8_t key[32]);

#endif
