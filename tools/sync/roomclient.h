/* sync/roomclient: the seat's side of the link to the room console (issue
 * 12; exam-packs/FORMAT.md §16). Each round it reads what the kiosk wrote
 * into kiosk.db (the room_status row, on the kiosk's once-a-second tick),
 * takes the journal head from the journal itself, signs both as one seat
 * report with the device key, posts it to the console, and stores what the
 * console answers — commands (EXRC) and the room's active-ticket set
 * (EXRA) — into kiosk.db for the kiosk to verify and apply.
 *
 * examsync holds no pack key: it cannot read a command, forge one or tell
 * a good one from a bad one; it only relays bytes, and the kiosk checks
 * each (MAC, counter, pack, seat). Whatever happens here (a dead console, a
 * cut LAN, a hostile answer) the kiosk goes on as before: it never waits
 * for this link. */
#ifndef SYNC_ROOMCLIENT_H
#define SYNC_ROOMCLIENT_H

#include <stdint.h>

typedef struct room_client room_client;

/* Opens DIR's kiosk.db for the link to CONSOLE (a base URL). 0, or -1 with
 * *why (caller frees): not provisioned, no device key. */
int room_client_open(const char *dir, const char *console, room_client **out, char **why)
    __attribute__((warn_unused_result));
void room_client_close(room_client *c);

typedef struct room_round {
    long status;         /* the console's HTTP status for the report; 0: not reached */
    char seat_state[16]; /* after a hello: unconfirmed, confirmed, duplicate; else "" */
    int commands;        /* commands received this round (new ones stored; repeats ignored) */
    int active;          /* 1: an active-ticket set was stored */
    uint64_t counter;    /* the report's counter */
} room_round;

/* One round: report, then store the answer (after a 404 "unknown seat":
 * a signed hello, so the seat appears for pairing). Returns 0 when the
 * console took the report, 1 when it refused it (*why: its reason), -1
 * when it could not be reached (*why). */
int room_client_round(room_client *c, room_round *out, char **why) __attribute__((warn_unused_result));

/* Frames of a console answer: u16 LE length ‖ message; at most
 * ROOM_ANSWER_FRAMES, each at most ROOM_FRAME_MAX bytes. */
#define ROOM_ANSWER_FRAMES 64
#define ROOM_FRAME_MAX 4096
#define ROOM_ANSWER_MAX (ROOM_ANSWER_FRAMES * (ROOM_FRAME_MAX + 2))

#endif
