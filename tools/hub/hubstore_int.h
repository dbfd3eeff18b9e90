/* hubstore internals shared by the two files of the storage module
 * (hubstore.c: results and kiosks; hubstore_workflow.c: certification). */
#ifndef HUBSTORE_INT_H
#define HUBSTORE_INT_H

#include <pthread.h>
#include <sqlite3.h>

struct hubstore {
    sqlite3 *db;
    sqlite3_stmt *put, *kiosk;
    /* the ingest checks' lookups (hubstore_checks.c), prepared on first use under mu */
    sqlite3_stmt *revoked, *planned, *flag;
    /* the server runs a small thread pool: decryption and checks run in
     * parallel, while the shared prepared statements are used one at a time */
    pthread_mutex_t mu;
};

/* hubstore_put_result with s->mu held by the caller. */
struct hub_result;
int hubstore_put_locked(struct hubstore *s, const struct hub_result *r);

/* The schema step 7 → 8 (hubstore_staff.c): the staff web interface. */
extern const char HUBSTORE_SCHEMA_STAFF[];

#endif
