/* store: the kiosk data directory's SQLite database (kiosk.db), shared with
 * examsync. WAL mode and synchronous=FULL: a call that returns success has
 * reached the disk. The schema is versioned (PRAGMA user_version) and
 * migrated forward on open. Holds packs and rosters (as signed, encrypted
 * files), sessions, answers, the journal and the results outbox; never
 * question text, answer keys, release codes or PINs. */
#ifndef STORE_H
#define STORE_H

#include <sqlite3.h>
#include <stdint.h>

#include "journal.h"

#define STORE_SCHEMA_VERSION 2
#define STORE_DB_NAME "kiosk.db"

typedef struct store {
    sqlite3 *db;
    char *dir;
    int fail_writes; /* test hook: make the next N commits fail like a full disk */
    int last_rc;     /* code of the last failed write, for messages */
} store;

/* Opens DIR/kiosk.db (creating it if CREATE), applies pragmas and
 * migrations. Returns 0 or -1 with *why. */
int store_open(const char *dir, int create, store *st, char **why) __attribute__((warn_unused_result));
void store_close(store *st);

/* Transactions: BEGIN IMMEDIATE / COMMIT / ROLLBACK. commit returns the
 * SQLite code; on failure the transaction is rolled back. */
int store_begin(store *st) __attribute__((warn_unused_result));
int store_commit(store *st) __attribute__((warn_unused_result));
void store_rollback(store *st);

/* meta key/value (site, room, seat, kiosk_id, device_pk). Value malloc'd or NULL. */
char *store_meta_get(store *st, const char *key);
int store_meta_set(store *st, const char *key, const char *value) __attribute__((warn_unused_result));

/* Writes one answer and its journal entry in one durable transaction. */
int store_save_answer(store *st, const char *session, int item, const char *response, int flagged, int64_t mono_ms,
                      int64_t wall) __attribute__((warn_unused_result));

/* Appends a journal entry in its own transaction. */
int store_journal(store *st, const char *session, const char *type, const char *data, int64_t mono_ms, int64_t wall)
    __attribute__((warn_unused_result));

/* Saves the clock of a running sitting (elapsed, extra, current question). */
int store_save_clock(store *st, const char *session, int64_t elapsed_ms, int64_t extra_ms, int current)
    __attribute__((warn_unused_result));

const char *store_strerror(store *st);

#endif
