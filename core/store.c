/* store: kiosk database, schema and migrations, durable writes. */
#include "store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "fileio.h"

/* Each entry migrates from version i to i+1. */
static const char *MIGRATIONS[STORE_SCHEMA_VERSION] = {
    /* 0 → 1 */
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE pack(pack_id TEXT PRIMARY KEY, title TEXT NOT NULL, level INTEGER NOT NULL, kind TEXT NOT NULL,"
    " duration INTEGER NOT NULL, questions INTEGER NOT NULL, bytes BLOB NOT NULL, added INTEGER NOT NULL);"
    "CREATE TABLE roster(roster_id TEXT PRIMARY KEY, candidates INTEGER NOT NULL, bytes BLOB NOT NULL,"
    " added INTEGER NOT NULL);"
    "CREATE TABLE unlock(pack_id TEXT PRIMARY KEY, pin_salt BLOB NOT NULL, pin_hash BLOB NOT NULL,"
    " age_ms INTEGER NOT NULL, wall INTEGER NOT NULL);"
    "CREATE TABLE session(id TEXT PRIMARY KEY, pack_id TEXT NOT NULL, ticket TEXT NOT NULL, name TEXT NOT NULL,"
    " level INTEGER NOT NULL, room TEXT NOT NULL, seat INTEGER NOT NULL, seed BLOB NOT NULL, state TEXT NOT NULL,"
    " elapsed_ms INTEGER NOT NULL DEFAULT 0, extra_ms INTEGER NOT NULL DEFAULT 0, current INTEGER NOT NULL DEFAULT 0,"
    " started_wall INTEGER, ended_wall INTEGER, score INTEGER, pending INTEGER, receipt TEXT,"
    " active INTEGER NOT NULL DEFAULT 1);"
    "CREATE TABLE answer(session TEXT NOT NULL, item INTEGER NOT NULL, response TEXT NOT NULL,"
    " flagged INTEGER NOT NULL DEFAULT 0, mono_ms INTEGER NOT NULL, PRIMARY KEY(session, item)) WITHOUT ROWID;"
    "CREATE TABLE irregularity(id INTEGER PRIMARY KEY, session TEXT NOT NULL, category TEXT NOT NULL,"
    " note TEXT NOT NULL, mono_ms INTEGER NOT NULL, wall INTEGER NOT NULL);"
    "CREATE TABLE outbox(result_id TEXT PRIMARY KEY, session TEXT NOT NULL, created INTEGER NOT NULL,"
    " sealed BLOB NOT NULL, delivered INTEGER);",
    /* 1 → 2: the hub's signed receipt for each delivered result, and when a
     * result was last exported to a USB bundle */
    "ALTER TABLE outbox ADD COLUMN receipt TEXT;"
    "ALTER TABLE outbox ADD COLUMN exported INTEGER;",
};

const char *store_strerror(store *st)
{
    if (st->last_rc) return sqlite3_errstr(st->last_rc); /* e.g. "database or disk is full" */
    return st->db ? sqlite3_errmsg(st->db) : "no database";
}

static int exec(store *st, const char *sql) { return sqlite3_exec(st->db, sql, NULL, NULL, NULL); }

int store_open(const char *dir, int create, store *st, char **why)
{
    memset(st, 0, sizeof *st);
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        *why = fileio_fmt("%s is not a kiosk data directory (run examsync init)", dir);
        return -1;
    }
    char *path = fileio_fmt("%s/%s", dir, STORE_DB_NAME);
    if (!create && stat(path, &sb) != 0) {
        *why = fileio_fmt("%s has no %s (run examsync init --data %s)", dir, STORE_DB_NAME, dir);
        free(path);
        return -1;
    }
    int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_FULLMUTEX;
    if (sqlite3_open_v2(path, &st->db, flags, NULL) != SQLITE_OK) {
        *why = fileio_fmt("cannot open %s: %s", path, st->db ? sqlite3_errmsg(st->db) : "out of memory");
        free(path);
        store_close(st);
        return -1;
    }
    free(path);
    st->dir = strdup(dir);
    sqlite3_busy_timeout(st->db, 5000);
    sqlite3_extended_result_codes(st->db, 1);
    if (exec(st, "PRAGMA journal_mode=WAL") || exec(st, "PRAGMA synchronous=FULL") ||
        exec(st, "PRAGMA foreign_keys=ON") || exec(st, "PRAGMA secure_delete=ON")) {
        *why = fileio_fmt("cannot set up the database: %s", sqlite3_errmsg(st->db));
        store_close(st);
        return -1;
    }
    sqlite3_stmt *s;
    int version = 0;
    if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
        version = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    if (version > STORE_SCHEMA_VERSION) {
        *why = fileio_fmt("database schema %d is newer than this program (%d); update the kiosk", version,
                          STORE_SCHEMA_VERSION);
        store_close(st);
        return -1;
    }
    for (int v = version; v < STORE_SCHEMA_VERSION; v++) {
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version=%d", v + 1);
        if (exec(st, "BEGIN IMMEDIATE") || exec(st, MIGRATIONS[v]) || (v == 0 && exec(st, JOURNAL_SCHEMA)) ||
            exec(st, pragma) || exec(st, "COMMIT")) {
            *why = fileio_fmt("cannot migrate the database to schema %d: %s", v + 1, sqlite3_errmsg(st->db));
            exec(st, "ROLLBACK");
            store_close(st);
            return -1;
        }
    }
    return 0;
}

void store_close(store *st)
{
    if (st->db) sqlite3_close_v2(st->db);
    free(st->dir);
    memset(st, 0, sizeof *st);
}

int store_begin(store *st) { return exec(st, "BEGIN IMMEDIATE"); }

int store_commit(store *st)
{
    if (st->fail_writes > 0) { /* simulated full disk, for tests */
        st->fail_writes--;
        exec(st, "ROLLBACK");
        return st->last_rc = SQLITE_FULL;
    }
    int rc = exec(st, "COMMIT");
    if (rc != SQLITE_OK) exec(st, "ROLLBACK");
    st->last_rc = rc;
    return rc;
}

void store_rollback(store *st) { exec(st, "ROLLBACK"); }

char *store_meta_get(store *st, const char *key)
{
    sqlite3_stmt *s;
    char *v = NULL;
    if (sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key=?", -1, &s, NULL) != SQLITE_OK) return NULL;
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW) v = strdup((const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    return v;
}

int store_meta_set(store *st, const char *key, const char *value)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db, "INSERT OR REPLACE INTO meta VALUES(?,?)", -1, &s, NULL) != SQLITE_OK)
        return sqlite3_errcode(st->db);
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(st->db);
    sqlite3_finalize(s);
    return rc;
}

int store_save_answer(store *st, const char *session, int item, const char *response, int flagged, int64_t mono_ms,
                      int64_t wall)
{
    int rc = store_begin(st);
    if (rc) return rc;
    sqlite3_stmt *s;
    rc = sqlite3_prepare_v2(st->db, "INSERT OR REPLACE INTO answer VALUES(?,?,?,?,?)", -1, &s, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(s, 1, session, -1, SQLITE_STATIC);
        sqlite3_bind_int(s, 2, item);
        sqlite3_bind_text(s, 3, response, -1, SQLITE_STATIC);
        sqlite3_bind_int(s, 4, flagged);
        sqlite3_bind_int64(s, 5, mono_ms);
        rc = sqlite3_step(s) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(st->db);
        sqlite3_finalize(s);
    }
    if (rc == SQLITE_OK) {
        /* the journal records which item changed and a digest of the answer,
         * so the chain covers every change without repeating its text */
        char data[96];
        unsigned char h[8];
        crypto_generichash(h, sizeof h, (const unsigned char *)response, strlen(response), NULL, 0);
        snprintf(data, sizeof data, "item=%d flagged=%d len=%zu h=%02x%02x%02x%02x%02x%02x%02x%02x", item + 1, flagged,
                 strlen(response), h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]);
        rc = journal_append(st->db, mono_ms, wall, session, "answer", data, NULL);
    }
    if (rc != SQLITE_OK) {
        store_rollback(st);
        return rc;
    }
    return store_commit(st);
}

int store_journal(store *st, const char *session, const char *type, const char *data, int64_t mono_ms, int64_t wall)
{
    int rc = store_begin(st);
    if (rc) return rc;
    rc = journal_append(st->db, mono_ms, wall, session, type, data, NULL);
    if (rc != SQLITE_OK) {
        store_rollback(st);
        return rc;
    }
    return store_commit(st);
}

int store_save_clock(store *st, const char *session, int64_t elapsed_ms, int64_t extra_ms, int current)
{
    sqlite3_stmt *s;
    if (st->fail_writes > 0) return st->last_rc = SQLITE_FULL;
    int rc = sqlite3_prepare_v2(st->db, "UPDATE session SET elapsed_ms=?, extra_ms=?, current=? WHERE id=?", -1, &s, NULL);
    if (rc) return rc;
    sqlite3_bind_int64(s, 1, elapsed_ms);
    sqlite3_bind_int64(s, 2, extra_ms);
    sqlite3_bind_int(s, 3, current);
    sqlite3_bind_text(s, 4, session, -1, SQLITE_STATIC);
    rc = sqlite3_step(s) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(st->db);
    sqlite3_finalize(s);
    st->last_rc = rc;
    return rc;
}
