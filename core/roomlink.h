/* roomlink: the kiosk's side of the room console (issue 12; FORMAT.md §16,
 * "The room link in kiosk.db"). The kiosk never opens a socket: examsync
 * talks to the console and meets the kiosk in kiosk.db. On the engine's
 * once-a-second tick (exam_tick) the link
 *   - takes the console's commands from room_inbox in counter order,
 *     verifies each (roomproto) and applies it through the engine's own
 *     actions, the command's counter, inbox mark and room_cmd journal entry
 *     committed with the action's own entry (store_room_arm): exactly once
 *     across crashes; every refusal is journaled (room_refused);
 *   - writes this seat's status (room_status) when anything changed and at
 *     least every 5 s.
 * At login it refuses a candidate the console lists as logged in on another
 * seat (room_active) and any login once the console closed entry. A dead
 * LAN or console changes nothing: no row, no command, nothing waited for. */
#ifndef ROOMLINK_H
#define ROOMLINK_H

#include "core/exam.h"

typedef struct roomlink roomlink;

/* A link with nothing loaded yet (the first tick reads kiosk.db); NULL when
 * out of memory. roomlink_free(NULL) is fine. */
roomlink *roomlink_new(void);
void roomlink_free(roomlink *rl);

/* Once a second, from exam_tick. */
void roomlink_tick(roomlink *rl, exam *e);

/* From exam_login, once TICKET and the ID number matched the roster:
 * EXAM_OK, EXAM_ENTRY_CLOSED (the console closed entry for the unlocked
 * pack) or EXAM_DUPLICATE_LOGIN (the console's active-tickets set has
 * TICKET on another kiosk: journaled room_duplicate, and flagged in the
 * reports until the next login). A set that does not verify, or whose
 * console clock is more than 5 minutes from the seat's, is ignored. */
exam_rc roomlink_login_check(roomlink *rl, exam *e, const char *ticket);

/* 1 while the console has closed entry on this seat (the login screen says so). */
int roomlink_entry_closed(const exam *e);

#endif
