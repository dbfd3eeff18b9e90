/* roomstore_int: what roomstore.c (open, config, seats, journal) and
 * roomstore_room.c (packs, rosters, commands, reports, candidates) share:
 * the store and its statement helpers. Every public function takes rs->mu;
 * the helpers expect it held. */
#ifndef ROOMSTORE_INT_H
#define ROOMSTORE_INT_H

#include <pthread.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "tools/room/roomstore.h"

struct roomstore {
    sqlite3 *db;
    pthread_mutex_t mu;
};

/* a prepared statement, or NULL */
sqlite3_stmt *rs_prep(roomstore *rs, const char *sql);
/* SRC (a column's text, maybe NULL) into DST (N bytes), cut short if longer */
void rs_copy(char *dst, size_t n, const unsigned char *src);
/* appends a journal row: 0 or -1 */
int rs_log_locked(roomstore *rs, int64_t at, const char *actor, const char *action, const char *detail);
/* runs SQL with up to four parameters bound as text, text, int64, text (as many as it has): 0 or -1 */
int rs_exec_bind(roomstore *rs, const char *sql, const char *t1, const char *t2, int64_t i3, const char *t4);
/* BEGIN IMMEDIATE, COMMIT: 0 or -1; ROLLBACK */
int rs_begin(roomstore *rs);
int rs_commit(roomstore *rs);
void rs_rollback(roomstore *rs);

#endif
