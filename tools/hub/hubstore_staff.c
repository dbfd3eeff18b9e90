/* hubstore_staff: SQLite storage of the staff web interface (see
 * hubstore_staff.h). Every call takes the store's mutex: the server's
 * threads share the one connection, and a session check must not run in the
 * middle of another thread's transaction. */
#include "tools/hub/hubstore_staff.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "tools/hub/hubstore_int.h"

/* 7 → 8 (issue 14): staff accounts, sessions, failed log-ins and the audit
 * log of the staff pages. The audit log is a journal, as result_decision. */
const char HUBSTORE_SCHEMA_STAFF[] =
    "CREATE TABLE staff_user(name TEXT PRIMARY KEY, role TEXT NOT NULL"
    " CHECK(role IN ('admin','clerk','planner','marker')), verifier TEXT NOT NULL,"
    " disabled INTEGER NOT NULL DEFAULT 0, created INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE staff_session(hash BLOB PRIMARY KEY, user TEXT NOT NULL REFERENCES staff_user(name),"
    " created INTEGER NOT NULL, seen INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE staff_failure(id INTEGER PRIMARY KEY, name TEXT NOT NULL, at INTEGER NOT NULL);"
    "CREATE INDEX staff_failure_at ON staff_failure(at);"
    "CREATE TABLE staff_audit(id INTEGER PRIMARY KEY, at INTEGER NOT NULL, user TEXT NOT NULL,"
    " action TEXT NOT NULL, detail TEXT NOT NULL);"
    "CREATE TRIGGER staff_audit_no_update BEFORE UPDATE ON staff_audit"
    " BEGIN SELECT RAISE(ABORT, 'the audit log is a journal: rows are never changed'); END;"
    "CREATE TRIGGER staff_audit_no_delete BEFORE DELETE ON staff_audit"
    " BEGIN SELECT RAISE(ABORT, 'the audit log is a journal: rows are never deleted'); END;"
    "PRAGMA user_version=8;";

static const char *const ROLES[ROLE_COUNT] = {"admin", "clerk", "planner", "marker"};

const char *staff_role_name(staff_role r) { return (unsigned)r < ROLE_COUNT ? ROLES[r] : "?"; }

int staff_role_parse(const char *name)
{
    for (int i = 0; name && i < ROLE_COUNT; i++)
        if (!strcmp(name, ROLES[i])) return i;
    return -1;
}

/* SQL prepared, or NULL (the caller's done() then reports the failure). */
static sqlite3_stmt *prep(hubstore *s, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
}

/* Steps ST to its end and finalizes it: 0, or -1 on an error. */
static int done(sqlite3_stmt *st)
{
    int rc = st && sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    sqlite3_finalize(st);
    return rc;
}

static void fill_user(sqlite3_stmt *st, staff_user *u, int with_verifier)
{
    memset(u, 0, sizeof *u);
    snprintf(u->name, sizeof u->name, "%s", sqlite3_column_text(st, 0));
    int r = staff_role_parse((const char *)sqlite3_column_text(st, 1));
    u->role = r < 0 ? ROLE_MARKER : (staff_role)r; /* the CHECK constraint allows no other */
    if (with_verifier) snprintf(u->verifier, sizeof u->verifier, "%s", sqlite3_column_text(st, 2));
    u->disabled = sqlite3_column_int(st, 3);
    u->created = sqlite3_column_int64(st, 4);
}

int hubstore_staff_user_add(hubstore *s, const staff_user *u)
{
    pthread_mutex_lock(&s->mu);
    int rc = -1;
    sqlite3_stmt *st = prep(s, "INSERT OR IGNORE INTO staff_user(name, role, verifier, disabled, created) VALUES(?,?,?,0,?)");
    if (st) {
        sqlite3_bind_text(st, 1, u->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, staff_role_name(u->role), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, u->verifier, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, u->created);
        rc = done(st);
        if (!rc && !sqlite3_changes(s->db)) rc = 1;
    }
    pthread_mutex_unlock(&s->mu);
    return rc;
}

int hubstore_staff_user_get(hubstore *s, const char *name, staff_user *u)
{
    pthread_mutex_lock(&s->mu);
    int rc = -1;
    sqlite3_stmt *st = prep(s, "SELECT name, role, verifier, disabled, created FROM staff_user WHERE name=?");
    if (st) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        int step = sqlite3_step(st);
        if (step == SQLITE_ROW) fill_user(st, u, 1), rc = 0;
        else if (step == SQLITE_DONE) rc = 1;
        sqlite3_finalize(st);
    }
    pthread_mutex_unlock(&s->mu);
    return rc;
}

int hubstore_staff_user_each(hubstore *s, staff_user_fn fn, void *ctx)
{
    pthread_mutex_lock(&s->mu);
    int rc = -1;
    sqlite3_stmt *st = prep(s, "SELECT name, role, '', disabled, created FROM staff_user ORDER BY name");
    if (st) {
        int step;
        while ((step = sqlite3_step(st)) == SQLITE_ROW) {
            staff_user u;
            fill_user(st, &u, 0);
            if (fn(ctx, &u)) { step = SQLITE_DONE; break; }
        }
        rc = step == SQLITE_DONE ? 0 : -1;
        sqlite3_finalize(st);
    }
    pthread_mutex_unlock(&s->mu);
    return rc;
}

int hubstore_staff_user_disable(hubstore *s, const char *name, int disabled)
{
    pthread_mutex_lock(&s->mu);
    int rc = -1;
    if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK) {
        sqlite3_stmt *st = prep(s, "UPDATE staff_user SET disabled=? WHERE name=?");
        if (st) {
            sqlite3_bind_int(st, 1, disabled ? 1 : 0);
            sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
            rc = done(st);
            if (!rc && !sqlite3_changes(s->db)) rc = 1;
        }
        /* a disabled user's sessions end now; an enabled one starts with no failures */
        if (!rc) {
            st = prep(s, disabled ? "DELETE FROM staff_session WHERE user=?" : "DELETE FROM staff_failure WHERE name=?");
            if (st) sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
            rc = done(st);
        }
        if (rc || sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
            if (rc == 0) rc = -1;
        }
    }
    pthread_mutex_unlock(&s->mu);
    return rc;
}

int hubstore_staff_session_add(hubstore *s, const uint8_t hash[32], const char *user, int64_t now)
{
    pthread_mutex_lock(&s->mu);
    sqlite3_stmt *st = prep(s, "INSERT INTO staff_session(hash, user, created, seen) VALUES(?,?,?,?)");
    if (st) {
        sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, user, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, now);
        sqlite3_bind_int64(st, 4, now);
    }
    int rc = done(st);
    pthread_mutex_unlock(&s->mu);
    return rc;
}

int hubstore_staff_session_use(hubstore *s, const uint8_t hash[32], int64_t born_after, int64_t seen_after,
                               int64_t now, staff_user *u)
{
    pthread_mutex_lock(&s->mu);
    int rc = -1;
    sqlite3_stmt *st = prep(s, "SELECT u.name, u.role, '', u.disabled, u.created, s.created, s.seen FROM staff_session s"
                               " JOIN staff_user u ON u.name=s.user WHERE s.hash=?");
    if (st) {
        sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
        int step = sqlite3_step(st);
        if (step == SQLITE_DONE) rc = 1;
        else if (step == SQLITE_ROW) {
            fill_user(st, u, 0);
            int live = !u->disabled && sqlite3_column_int64(st, 5) > born_after && sqlite3_column_int64(st, 6) > seen_after;
            sqlite3_finalize(st);
            st = prep(s, live ? "UPDATE staff_session SET seen=?2 WHERE hash=?1" : "DELETE FROM staff_session WHERE hash=?1");
            if (st) {
                sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
                if (live) sqlite3_bind_int64(st, 2, now);
            }
            rc = done(st) ? -1 : live ? 0 : 1;
            st = NULL;
        }
        sqlite3_finalize(st);
    }
    pthread_mutex_unlock(&s->mu);
    return rc;
}

int hubstore_staff_session_end(hubstore *s, const uint8_t hash[32])
{
    pthread_mutex_lock(&s->mu);
    sqlite3_stmt *st = prep(s, "DELETE FROM staff_session WHERE hash=?");
    if (st) sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
    int rc = done(st);
    pthread_mutex_unlock(&s->mu);
    return rc;
}

int hubstore_staff_purge(hubstore *s, int64_t born_before, int64_t seen_before, int64_t failed_before)
{
    pthread_mutex_lock(&s->mu);
    sqlite3_stmt *st = prep(s, "DELETE FROM staff_session WHERE created<?1 OR seen<?2");
    if (st) {
        sqlite3_bind_int64(st, 1, born_before);
        sqlite3_bind_int64(st, 2, seen_before);
    }
    int rc = done(st);
    st = rc ? NULL : prep(s, "DELETE FROM staff_failure WHERE at<?");
    if (st) sqlite3_bind_int64(st, 1, failed_before);
    rc = rc ? rc : done(st);
    pthread_mutex_unlock(&s->mu);
    return rc;
}

int hubstore_staff_failure_add(hubstore *s, const char *name, int64_t at)
{
    pthread_mutex_lock(&s->mu);
    sqlite3_stmt *st = prep(s, "INSERT INTO staff_failure(name, at) VALUES(?,?)");
    if (st) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, at);
    }
    int rc = done(st);
    pthread_mutex_unlock(&s->mu);
    return rc;
}

int hubstore_staff_failures(hubstore *s, const char *name, int64_t since, int64_t *last)
{
    pthread_mutex_lock(&s->mu);
    int n = -1;
    *last = 0;
    sqlite3_stmt *st = prep(s, "SELECT count(*), coalesce(max(at),0) FROM staff_failure WHERE at>=?1 AND (?2 IS NULL OR name=?2)");
    if (st) {
        sqlite3_bind_int64(st, 1, since);
        if (name) sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) {
            n = sqlite3_column_int(st, 0);
            *last = sqlite3_column_int64(st, 1);
        }
        sqlite3_finalize(st);
    }
    pthread_mutex_unlock(&s->mu);
    return n;
}

int hubstore_staff_failures_clear(hubstore *s, const char *name)
{
    pthread_mutex_lock(&s->mu);
    sqlite3_stmt *st = prep(s, "DELETE FROM staff_failure WHERE name=?");
    if (st) sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int rc = done(st);
    pthread_mutex_unlock(&s->mu);
    return rc;
}

int hubstore_staff_audit(hubstore *s, int64_t at, const char *user, const char *action, const char *detail)
{
    pthread_mutex_lock(&s->mu);
    sqlite3_stmt *st = prep(s, "INSERT INTO staff_audit(at, user, action, detail) VALUES(?,?,?,?)");
    if (st) {
        sqlite3_bind_int64(st, 1, at);
        sqlite3_bind_text(st, 2, user, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, action, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, detail ? detail : "", -1, SQLITE_STATIC);
    }
    int rc = done(st);
    pthread_mutex_unlock(&s->mu);
    return rc;
}

int hubstore_staff_audit_each(hubstore *s, int limit, staff_audit_fn fn, void *ctx)
{
    pthread_mutex_lock(&s->mu);
    int rc = -1;
    sqlite3_stmt *st = prep(s, "SELECT id, at, user, action, detail FROM staff_audit ORDER BY id DESC LIMIT ?");
    if (st) {
        sqlite3_bind_int(st, 1, limit);
        int step;
        while ((step = sqlite3_step(st)) == SQLITE_ROW)
            if (fn(ctx, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1), (const char *)sqlite3_column_text(st, 2),
                   (const char *)sqlite3_column_text(st, 3), (const char *)sqlite3_column_text(st, 4))) {
                step = SQLITE_DONE;
                break;
            }
        rc = step == SQLITE_DONE ? 0 : -1;
        sqlite3_finalize(st);
    }
    pthread_mutex_unlock(&s->mu);
    return rc;
}
