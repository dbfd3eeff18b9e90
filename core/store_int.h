/* store_int: what store.c shares with the store's own white-box unit test
 * (tests/unit/test_store.c): the connection, to check pragmas and to set up
 * rows no public function writes. No other file includes this header. */
#ifndef STORE_INT_H
#define STORE_INT_H

#include <sqlite3.h>

#include "core/store.h"

/* ST's connection (owned by ST). */
sqlite3 *store_db(store *st);
/* Code of the last failed commit or clock save (STORE_OK after a good one). */
int store_last_rc(const store *st);

#endif
