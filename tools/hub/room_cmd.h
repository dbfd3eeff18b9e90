/* room_cmd: examhub's commands of the room consoles (issue 12; README,
 * "Room records at the hub"): consoles (register a console key, list them)
 * and the import of a room record (examhub import recognises one by its
 * first line). Each returns the exit status: 0; 1 on bad input or a
 * storage failure (one line on stderr); 2 on a usage error. */
#ifndef ROOM_CMD_H
#define ROOM_CMD_H

#include <stddef.h>
#include <stdint.h>

#include "tools/hub/hub.h"

/* consoles --db FILE [--add console.pub]: with ADD registers that console's
 * key; then lists the registered keys (CSV). */
int room_consoles(const char *db, const char *add);

/* Imports the room record FILE (BUF, LEN bytes) into H: refused, nothing
 * stored, unless its console key is registered and its signature verifies;
 * then stored once and every stored result it applies to checked again.
 * Prints one line. 0 or 1. */
int room_import(hub *h, const char *file, const uint8_t *buf, size_t len, const char *by, int64_t now);

#endif
