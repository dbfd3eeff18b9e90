/* roomstore: SQLite backend of the room console (see roomstore.h). Every
 * public function takes the store's mutex: the console's server threads
 * share one connection, and a hello is one transaction. */
#include "tools/room/roomstore.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fileio.h"
#include "tools/room/roomstore_int.h"


/* The journal is append-only: the triggers refuse changes and deletions. */
static const char SCHEMA[] =
    "CREATE TABLE config(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE seat(kiosk_id TEXT PRIMARY KEY, device_pk TEXT NOT NULL, seat INTEGER NOT NULL,"
    " state TEXT NOT NULL CHECK(state IN ('unconfirmed','confirmed','duplicate')), first_seen INTEGER NOT NULL,"
    " last_contact INTEGER NOT NULL, conflict TEXT NOT NULL DEFAULT '') WITHOUT ROWID;"
    "CREATE INDEX seat_number ON seat(seat);"
    "CREATE TABLE journal(id INTEGER PRIMARY KEY, at INTEGER NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,"
    " detail TEXT NOT NULL);"
    "CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal"
    " BEGIN SELECT RAISE(ABORT, 'the room journal is append-only'); END;"
    "CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal"
    " BEGIN SELECT RAISE(ABORT, 'the room journal is append-only'); END;"
    "PRAGMA user_version=1;";

/* Version 2 (the room protocol): packs and rosters, the command queue
 * (append-only), each seat's latest report, the mirrored heads, the
 * candidates seen, the absences. */
static const char SCHEMA_V2[] =
    "CREATE TABLE pack(pack_id TEXT PRIMARY KEY, title TEXT NOT NULL, level INTEGER NOT NULL, bytes BLOB NOT NULL,"
    " added INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE roster(roster_id TEXT PRIMARY KEY, candidates INTEGER NOT NULL, bytes BLOB NOT NULL,"
    " added INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE command(counter INTEGER PRIMARY KEY CHECK(counter >= 1), type TEXT NOT NULL, target TEXT NOT NULL,"
    " bytes BLOB NOT NULL, made_ms INTEGER NOT NULL, actor TEXT NOT NULL, detail TEXT NOT NULL);"
    "CREATE INDEX command_target ON command(target, counter);"
    "CREATE TRIGGER command_no_update BEFORE UPDATE ON command"
    " BEGIN SELECT RAISE(ABORT, 'the command queue is append-only'); END;"
    "CREATE TRIGGER command_no_delete BEFORE DELETE ON command"
    " BEGIN SELECT RAISE(ABORT, 'the command queue is append-only'); END;"
    "CREATE TABLE status(kiosk_id TEXT PRIMARY KEY, counter INTEGER NOT NULL, report BLOB NOT NULL,"
    " at_ms INTEGER NOT NULL, diverged TEXT NOT NULL DEFAULT '') WITHOUT ROWID;"
    "CREATE TABLE mirror(id INTEGER PRIMARY KEY, kiosk_id TEXT NOT NULL, count INTEGER NOT NULL, head BLOB NOT NULL,"
    " at_ms INTEGER NOT NULL);"
    "CREATE INDEX mirror_seat ON mirror(kiosk_id, id);"
    "CREATE TABLE seen(tag TEXT NOT NULL, kiosk_id TEXT NOT NULL, ticket TEXT NOT NULL DEFAULT '', pack_id TEXT NOT NULL,"
    " first_ms INTEGER NOT NULL, last_ms INTEGER NOT NULL, PRIMARY KEY(tag, kiosk_id)) WITHOUT ROWID;"
    "CREATE TABLE absent(ticket TEXT PRIMARY KEY, seat INTEGER NOT NULL, at INTEGER NOT NULL, actor TEXT NOT NULL)"
    " WITHOUT ROWID;"
    "PRAGMA user_version=2;";

int roomstore_open(const char *dir, int create, roomstore **out, char **why)
{
    *out = NULL;
    char *path = fileio_fmt("%s/%s", dir, ROOM_DB_NAME);
    if (!path) return *why = fileio_fmt("out of memory"), -1;
    struct stat sb;
    if (create) {
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0 || fchmod(fd, 0600) || close(fd)) {
            *why = fileio_fmt("cannot create %s: %s", path, strerror(errno));
            if (fd >= 0) unlink(path);
            free(path);
            return -1;
        }
    } else if (stat(path, &sb)) {
        *why = fileio_fmt("%s: %s (run examroom init first)", path, strerror(errno));
        free(path);
        return -1;
    }
    roomstore *rs = calloc(1, sizeof *rs);
    if (!rs || pthread_mutex_init(&rs->mu, NULL)) {
        free(rs);
        free(path);
        return *why = fileio_fmt("out of memory"), -1;
    }
    int rc = sqlite3_open_v2(path, &rs->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, NULL);
    if (rc == SQLITE_OK) sqlite3_busy_timeout(rs->db, 5000);
    char *err = NULL;
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(rs->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;", NULL,
                          NULL, &err);
    if (rc == SQLITE_OK && create) rc = sqlite3_exec(rs->db, SCHEMA, NULL, NULL, &err);
    if (rc == SQLITE_OK && create) rc = sqlite3_exec(rs->db, SCHEMA_V2, NULL, NULL, &err);
    if (rc == SQLITE_OK && !create) {
        sqlite3_stmt *s;
        int v = -1;
        if (sqlite3_prepare_v2(rs->db, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK) {
            if (sqlite3_step(s) == SQLITE_ROW) v = sqlite3_column_int(s, 0);
            sqlite3_finalize(s);
        }
        if (v == 1) { /* the first slice's database: brought to version 2 in one transaction */
            rc = sqlite3_exec(rs->db, "BEGIN IMMEDIATE", NULL, NULL, &err);
            if (rc == SQLITE_OK) rc = sqlite3_exec(rs->db, SCHEMA_V2, NULL, NULL, &err);
            if (rc == SQLITE_OK) rc = sqlite3_exec(rs->db, "COMMIT", NULL, NULL, &err);
            else sqlite3_exec(rs->db, "ROLLBACK", NULL, NULL, NULL);
            v = rc == SQLITE_OK ? 2 : v;
        }
        if (rc == SQLITE_OK && v != 2) {
            *why = fileio_fmt("%s: not a room database of this version (schema %d, expected 2)", path, v);
            roomstore_close(rs);
            free(path);
            return -1;
        }
    }
    if (rc != SQLITE_OK) {
        *why = fileio_fmt("%s: %s", path, err ? err : sqlite3_errmsg(rs->db));
        sqlite3_free(err);
        roomstore_close(rs);
        if (create) unlink(path);
        free(path);
        return -1;
    }
    free(path);
    *out = rs;
    return 0;
}

void roomstore_close(roomstore *rs)
{
    if (!rs) return;
    sqlite3_close(rs->db);
    pthread_mutex_destroy(&rs->mu);
    free(rs);
}

const char *roomstore_error(roomstore *rs) { return sqlite3_errmsg(rs->db); }

sqlite3_stmt *rs_prep(roomstore *rs, const char *sql)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(rs->db, sql, -1, &s, NULL) != SQLITE_OK) return NULL;
    return s;
}

void rs_copy(char *dst, size_t n, const unsigned char *src)
{
    snprintf(dst, n, "%s", src ? (const char *)src : "");
}

char *roomstore_config_get(roomstore *rs, const char *key)
{
    pthread_mutex_lock(&rs->mu);
    char *v = NULL;
    sqlite3_stmt *s = rs_prep(rs, "SELECT value FROM config WHERE key=?");
    if (s) {
        sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
        if (sqlite3_step(s) == SQLITE_ROW) v = strdup((const char *)sqlite3_column_text(s, 0));
        sqlite3_finalize(s);
    }
    pthread_mutex_unlock(&rs->mu);
    return v;
}

int roomstore_config_set(roomstore *rs, const char *key, const char *value)
{
    pthread_mutex_lock(&rs->mu);
    int rc = -1;
    sqlite3_stmt *s = rs_prep(rs, "INSERT OR REPLACE INTO config(key, value) VALUES(?,?)");
    if (s) {
        sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
        rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
        sqlite3_finalize(s);
    }
    pthread_mutex_unlock(&rs->mu);
    return rc;
}

int rs_log_locked(roomstore *rs, int64_t at, const char *actor, const char *action, const char *detail)
{
    sqlite3_stmt *s = rs_prep(rs, "INSERT INTO journal(at, actor, action, detail) VALUES(?,?,?,?)");
    if (!s) return -1;
    sqlite3_bind_int64(s, 1, at);
    sqlite3_bind_text(s, 2, actor, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, action, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, detail, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
    sqlite3_finalize(s);
    return rc;
}

int roomstore_log(roomstore *rs, int64_t at, const char *actor, const char *action, const char *detail)
{
    pthread_mutex_lock(&rs->mu);
    int rc = rs_log_locked(rs, at, actor, action, detail);
    pthread_mutex_unlock(&rs->mu);
    return rc;
}

static int seat_locked(roomstore *rs, const char *kiosk_id, room_seat *out)
{
    sqlite3_stmt *s =
        rs_prep(rs, "SELECT kiosk_id, device_pk, seat, state, first_seen, last_contact, conflict FROM seat WHERE kiosk_id=?");
    if (!s) return -1;
    sqlite3_bind_text(s, 1, kiosk_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    int found = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
    if (found == 1) {
        memset(out, 0, sizeof *out);
        rs_copy(out->kiosk_id, sizeof out->kiosk_id, sqlite3_column_text(s, 0));
        rs_copy(out->device_pk, sizeof out->device_pk, sqlite3_column_text(s, 1));
        out->seat = sqlite3_column_int(s, 2);
        rs_copy(out->state, sizeof out->state, sqlite3_column_text(s, 3));
        out->first_seen = sqlite3_column_int64(s, 4);
        out->last_contact = sqlite3_column_int64(s, 5);
        rs_copy(out->conflict, sizeof out->conflict, sqlite3_column_text(s, 6));
    }
    sqlite3_finalize(s);
    return found;
}

int roomstore_seat(roomstore *rs, const char *kiosk_id, room_seat *out)
{
    pthread_mutex_lock(&rs->mu);
    int rc = seat_locked(rs, kiosk_id, out);
    pthread_mutex_unlock(&rs->mu);
    return rc;
}

int rs_exec_bind(roomstore *rs, const char *sql, const char *t1, const char *t2, int64_t i3, const char *t4)
{
    sqlite3_stmt *s = rs_prep(rs, sql);
    if (!s) return -1;
    int n = sqlite3_bind_parameter_count(s);
    if (n >= 1) sqlite3_bind_text(s, 1, t1, -1, SQLITE_STATIC);
    if (n >= 2) sqlite3_bind_text(s, 2, t2, -1, SQLITE_STATIC);
    if (n >= 3) sqlite3_bind_int64(s, 3, i3);
    if (n >= 4) sqlite3_bind_text(s, 4, t4, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
    sqlite3_finalize(s);
    return rc;
}

int roomstore_hello(roomstore *rs, const char *kiosk_id, const char *device_pk_hex, int seat, int64_t now,
                    char state[16])
{
    pthread_mutex_lock(&rs->mu);
    int out = -1;
    char detail[320];
    if (sqlite3_exec(rs->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) goto done;
    room_seat k;
    int found = seat_locked(rs, kiosk_id, &k);
    if (found < 0) goto rollback;
    if (found && strcmp(k.device_pk, device_pk_hex)) { /* another key claims this kiosk id */
        char conflict[160];
        snprintf(conflict, sizeof conflict, "另一设备密钥 %.16s… 也声称是此考机", device_pk_hex);
        snprintf(detail, sizeof detail, "kiosk %s seat %d: refused, already paired with device key %.16s…; claimed by %.16s…",
                 kiosk_id, seat, k.device_pk, device_pk_hex);
        if (rs_exec_bind(rs, "UPDATE seat SET state='duplicate', conflict=?2 WHERE kiosk_id=?1", kiosk_id, conflict, 0,
                      NULL) ||
            rs_log_locked(rs, now, "seat", "duplicate", detail))
            goto rollback;
        snprintf(state, 16, "%s", SEAT_DUPLICATE);
        out = 1;
    } else if (found) {
        if (k.seat != seat && strcmp(k.state, SEAT_DUPLICATE)) { /* moved: the invigilator confirms it again */
            snprintf(detail, sizeof detail, "kiosk %s moved from seat %d to seat %d: unconfirmed", kiosk_id, k.seat, seat);
            if (rs_exec_bind(rs, "UPDATE seat SET seat=?3, state='unconfirmed' WHERE kiosk_id=?1", kiosk_id, NULL, seat,
                          NULL) ||
                rs_log_locked(rs, now, "seat", "moved", detail))
                goto rollback;
            snprintf(k.state, sizeof k.state, "%s", SEAT_UNCONFIRMED);
        }
        if (rs_exec_bind(rs, "UPDATE seat SET last_contact=?3 WHERE kiosk_id=?1", kiosk_id, NULL, now, NULL)) goto rollback;
        snprintf(state, 16, "%s", k.state);
        out = 0;
    } else {
        /* another kiosk on the same seat number: both duplicate */
        sqlite3_stmt *s = rs_prep(rs, "SELECT kiosk_id FROM seat WHERE seat=? AND kiosk_id<>? LIMIT 1");
        if (!s) goto rollback;
        sqlite3_bind_int(s, 1, seat);
        sqlite3_bind_text(s, 2, kiosk_id, -1, SQLITE_STATIC);
        char other[17] = "";
        int rc = sqlite3_step(s);
        if (rc == SQLITE_ROW) rs_copy(other, sizeof other, sqlite3_column_text(s, 0));
        sqlite3_finalize(s);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE) goto rollback;
        char conflict[160] = "";
        if (*other) snprintf(conflict, sizeof conflict, "%d 号座位也被考机 %s 占用", seat, other);
        const char *st = *other ? SEAT_DUPLICATE : SEAT_UNCONFIRMED;
        sqlite3_stmt *ins = rs_prep(rs, "INSERT INTO seat(kiosk_id, device_pk, seat, state, first_seen, last_contact, conflict)"
                                     " VALUES(?,?,?,?,?,?,?)");
        if (!ins) goto rollback;
        sqlite3_bind_text(ins, 1, kiosk_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 2, device_pk_hex, -1, SQLITE_STATIC);
        sqlite3_bind_int(ins, 3, seat);
        sqlite3_bind_text(ins, 4, st, -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins, 5, now);
        sqlite3_bind_int64(ins, 6, now);
        sqlite3_bind_text(ins, 7, conflict, -1, SQLITE_STATIC);
        rc = sqlite3_step(ins);
        sqlite3_finalize(ins);
        if (rc != SQLITE_DONE) goto rollback;
        if (*other) {
            char c2[160];
            snprintf(c2, sizeof c2, "%d 号座位也被考机 %s 占用", seat, kiosk_id);
            if (rs_exec_bind(rs, "UPDATE seat SET state='duplicate', conflict=?2 WHERE kiosk_id=?1", other, c2, 0, NULL))
                goto rollback;
        }
        snprintf(detail, sizeof detail, "kiosk %s seat %d device key %.16s…: %s%s%s", kiosk_id, seat, device_pk_hex, st,
                 *conflict ? ", " : "", conflict);
        if (rs_log_locked(rs, now, "seat", "hello", detail)) goto rollback;
        snprintf(state, 16, "%s", st);
        out = 0;
    }
    if (sqlite3_exec(rs->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK) goto done;
    out = -1;
rollback:
    sqlite3_exec(rs->db, "ROLLBACK", NULL, NULL, NULL);
    out = -1;
done:
    pthread_mutex_unlock(&rs->mu);
    return out;
}

int roomstore_confirm(roomstore *rs, const char *kiosk_id, const char *actor, int64_t now)
{
    pthread_mutex_lock(&rs->mu);
    int out = -1;
    if (sqlite3_exec(rs->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) goto done;
    room_seat k;
    int found = seat_locked(rs, kiosk_id, &k);
    if (found < 0) goto rollback;
    if (!found || strcmp(k.state, SEAT_UNCONFIRMED)) {
        out = 1;
        goto rollback;
    }
    char detail[160];
    snprintf(detail, sizeof detail, "kiosk %s seat %d device key %.16s…", kiosk_id, k.seat, k.device_pk);
    if (rs_exec_bind(rs, "UPDATE seat SET state='confirmed' WHERE kiosk_id=?1", kiosk_id, NULL, 0, NULL) ||
        rs_log_locked(rs, now, actor, "confirm", detail) || sqlite3_exec(rs->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        goto rollback;
    out = 0;
    goto done;
rollback:
    sqlite3_exec(rs->db, "ROLLBACK", NULL, NULL, NULL);
done:
    pthread_mutex_unlock(&rs->mu);
    return out;
}

int roomstore_seats(roomstore *rs, room_seat **out)
{
    *out = NULL;
    pthread_mutex_lock(&rs->mu);
    int n = -1, cap = 0;
    room_seat *v = NULL;
    sqlite3_stmt *s = rs_prep(rs, "SELECT kiosk_id, device_pk, seat, state, first_seen, last_contact, conflict FROM seat"
                               " ORDER BY seat, kiosk_id");
    if (s) {
        n = 0;
        int rc;
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            if (n == cap) {
                cap = cap ? cap * 2 : 32;
                room_seat *nv = realloc(v, (size_t)cap * sizeof *v);
                if (!nv) { rc = SQLITE_NOMEM; break; }
                v = nv;
            }
            room_seat *k = &v[n++];
            memset(k, 0, sizeof *k);
            rs_copy(k->kiosk_id, sizeof k->kiosk_id, sqlite3_column_text(s, 0));
            rs_copy(k->device_pk, sizeof k->device_pk, sqlite3_column_text(s, 1));
            k->seat = sqlite3_column_int(s, 2);
            rs_copy(k->state, sizeof k->state, sqlite3_column_text(s, 3));
            k->first_seen = sqlite3_column_int64(s, 4);
            k->last_contact = sqlite3_column_int64(s, 5);
            rs_copy(k->conflict, sizeof k->conflict, sqlite3_column_text(s, 6));
        }
        sqlite3_finalize(s);
        if (rc != SQLITE_DONE) {
            free(v);
            v = NULL;
            n = -1;
        }
    }
    pthread_mutex_unlock(&rs->mu);
    *out = v;
    return n;
}

int roomstore_journal(roomstore *rs, int max,
                      void (*fn)(void *ctx, int64_t at, const char *actor, const char *action, const char *detail),
                      void *ctx)
{
    pthread_mutex_lock(&rs->mu);
    int n = -1;
    sqlite3_stmt *s = rs_prep(rs, "SELECT at, actor, action, detail FROM journal ORDER BY id DESC LIMIT ?");
    if (s) {
        sqlite3_bind_int(s, 1, max);
        n = 0;
        int rc;
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            fn(ctx, sqlite3_column_int64(s, 0), (const char *)sqlite3_column_text(s, 1),
               (const char *)sqlite3_column_text(s, 2), (const char *)sqlite3_column_text(s, 3));
            n++;
        }
        sqlite3_finalize(s);
        if (rc != SQLITE_DONE) n = -1;
    }
    pthread_mutex_unlock(&rs->mu);
    return n;
}

/* ---- several config keys at once ------------------------------------------- */

int rs_begin(roomstore *rs) { return sqlite3_exec(rs->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK ? 0 : -1; }
int rs_commit(roomstore *rs) { return sqlite3_exec(rs->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK ? 0 : -1; }
void rs_rollback(roomstore *rs) { sqlite3_exec(rs->db, "ROLLBACK", NULL, NULL, NULL); }

int roomstore_config_commit(roomstore *rs, int n, const char *const *keys, const char *const *values, int64_t at,
                            const char *actor, const char *action, const char *detail)
{
    pthread_mutex_lock(&rs->mu);
    int rc = rs_begin(rs);
    for (int i = 0; !rc && i < n; i++)
        rc = rs_exec_bind(rs, "INSERT OR REPLACE INTO config(key, value) VALUES(?1, ?2)", keys[i], values[i], 0, NULL);
    if (!rc) rc = rs_log_locked(rs, at, actor, action, detail);
    if (!rc) rc = rs_commit(rs);
    if (rc) rs_rollback(rs);
    pthread_mutex_unlock(&rs->mu);
    return rc;
}
