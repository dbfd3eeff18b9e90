/* hubstore: SQLite backend of the hub's storage (see hubstore.h). */
#include "tools/hub/hubstore.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fileio.h"

#define SCHEMA_VERSION 8

#include "tools/hub/hubstore_int.h"

static const char SCHEMA[] =
    "CREATE TABLE config(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE token(hash BLOB PRIMARY KEY, created INTEGER NOT NULL, expires INTEGER NOT NULL,"
    " used INTEGER, kiosk_id TEXT);"
    "CREATE TABLE kiosk(kiosk_id TEXT PRIMARY KEY, device_pk TEXT NOT NULL, site TEXT NOT NULL, room TEXT NOT NULL,"
    " seat INTEGER NOT NULL, enrolled INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE result(result_id TEXT PRIMARY KEY, kiosk_id TEXT NOT NULL REFERENCES kiosk(kiosk_id),"
    " session TEXT NOT NULL, ticket TEXT NOT NULL, name TEXT NOT NULL, level INTEGER NOT NULL, pack_id TEXT NOT NULL,"
    " title TEXT NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL, score_tenths INTEGER NOT NULL,"
    " passed INTEGER NOT NULL, pending INTEGER NOT NULL, submitted_at INTEGER NOT NULL, received_at INTEGER NOT NULL,"
    " json TEXT NOT NULL, sealed BLOB NOT NULL);"
    "CREATE INDEX result_pack ON result(pack_id, ticket);"
    "PRAGMA user_version=1;";

/* 1 → 2: the certification workflow (issue 5): applications with fees and
 * batches, payments, rooms, planned seats and tickets, marks, reviews and
 * certificates. */
static const char SCHEMA2[] =
    "CREATE TABLE person(id_number TEXT PRIMARY KEY, name TEXT NOT NULL, address TEXT NOT NULL, phone TEXT NOT NULL)"
    " WITHOUT ROWID;"
    "CREATE TABLE application(id INTEGER PRIMARY KEY, id_number TEXT NOT NULL REFERENCES person(id_number),"
    " level INTEGER NOT NULL, received TEXT NOT NULL, batch TEXT NOT NULL, fee INTEGER NOT NULL, clause TEXT NOT NULL,"
    " ticket TEXT UNIQUE, room INTEGER REFERENCES room(id), seat INTEGER, created INTEGER NOT NULL,"
    " UNIQUE(id_number, level, batch));"
    "CREATE TABLE payment(id INTEGER PRIMARY KEY, application INTEGER NOT NULL REFERENCES application(id),"
    " amount INTEGER NOT NULL, paid_at INTEGER NOT NULL);"
    "CREATE TABLE room(id INTEGER PRIMARY KEY, site TEXT NOT NULL, site_code TEXT NOT NULL, name TEXT NOT NULL,"
    " capacity INTEGER NOT NULL, UNIQUE(site, name));"
    "CREATE TABLE sitting(batch TEXT NOT NULL, level INTEGER NOT NULL, kind TEXT NOT NULL, starts TEXT NOT NULL,"
    " PRIMARY KEY(batch, level, kind)) WITHOUT ROWID;"
    "CREATE TABLE mark(result_id TEXT NOT NULL REFERENCES result(result_id), item INTEGER NOT NULL,"
    " marker TEXT NOT NULL, points INTEGER NOT NULL, PRIMARY KEY(result_id, item, marker)) WITHOUT ROWID;"
    "CREATE TABLE review(application INTEGER PRIMARY KEY REFERENCES application(id), score INTEGER NOT NULL);"
    "CREATE TABLE certificate(number TEXT PRIMARY KEY, application INTEGER NOT NULL UNIQUE REFERENCES application(id),"
    " year INTEGER NOT NULL, level INTEGER NOT NULL, serial INTEGER NOT NULL, issued INTEGER NOT NULL,"
    " UNIQUE(year, level, serial));"
    "PRAGMA user_version=2;";

/* 2 → 3 (issue 11): why a stored result does not count. A result that fails
 * a check is kept (for audit) with one row per reason here, and is left out
 * of every decision (final, certificates) until a member of staff decides. */
static const char SCHEMA3[] =
    "CREATE TABLE result_flag(result_id TEXT NOT NULL REFERENCES result(result_id), reason TEXT NOT NULL,"
    " at INTEGER NOT NULL, PRIMARY KEY(result_id, reason)) WITHOUT ROWID;"
    "CREATE INDEX result_ticket ON result(ticket, pack_id);"
    "PRAGMA user_version=3;";

/* 3 → 4 (issue 11): staff decisions on results (examhub resolve): keep or
 * void, who, why and when. A journal: rows are only ever added (the latest
 * row of a result is its decision); the triggers refuse changes. */
static const char SCHEMA4[] =
    "CREATE TABLE result_decision(id INTEGER PRIMARY KEY, result_id TEXT NOT NULL REFERENCES result(result_id),"
    " decision TEXT NOT NULL CHECK(decision IN ('keep','void')), why TEXT NOT NULL, by TEXT NOT NULL,"
    " at INTEGER NOT NULL);"
    "CREATE INDEX result_decision_of ON result_decision(result_id, id);"
    "CREATE TRIGGER result_decision_no_update BEFORE UPDATE ON result_decision"
    " BEGIN SELECT RAISE(ABORT, 'staff decisions are a journal: rows are never changed'); END;"
    "CREATE TRIGGER result_decision_no_delete BEFORE DELETE ON result_decision"
    " BEGIN SELECT RAISE(ABORT, 'staff decisions are a journal: rows are never deleted'); END;"
    "PRAGMA user_version=4;";

/* hub.db holds full ID numbers, addresses and phones: the file and its -wal
 * and -shm (which SQLite creates with the database file's mode) are 0600
 * whatever the umask; an older hub.db open to others is tightened when it
 * is opened (README: Files and modes). Returns 0 or -1 with *why. */
static int private_db_files(const char *path, int create, char **why)
{
    if (create) {
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0 || fchmod(fd, 0600) || close(fd)) {
            *why = fileio_fmt("cannot create %s: %s", path, strerror(errno));
            if (fd >= 0) unlink(path);
            return -1;
        }
        return 0;
    }
    static const char *const SUFFIX[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        char *f = fileio_fmt("%s%s", path, SUFFIX[i]);
        struct stat sb;
        int bad = f && stat(f, &sb) == 0 && (sb.st_mode & 077) && chmod(f, sb.st_mode & 0700);
        if (bad) *why = fileio_fmt("%s is open to other users (mode %04o) and cannot be made 0600: %s", f,
                                   (unsigned)(sb.st_mode & 07777), strerror(errno));
        free(f);
        if (bad) return -1;
    }
    return 0;
}

/* 4 → 5 (issue 11, the hub's checks): the papers registered with their
 * pack and sealed content key (the hub rescoring results), whether the hub
 * has scored a result (0: unscored, waiting for its paper; 1: score_tenths,
 * passed and pending are the hub's own, the kiosk's claim stays in json),
 * revoked kiosks, and the results of a revoked kiosk let in by staff. */
static const char SCHEMA5[] =
    "ALTER TABLE result ADD COLUMN scored INTEGER NOT NULL DEFAULT 0;"
    "CREATE TABLE paper(pack_id TEXT PRIMARY KEY, batch TEXT NOT NULL, level INTEGER NOT NULL, kind TEXT NOT NULL,"
    " title TEXT NOT NULL, pack BLOB NOT NULL, sealed_key BLOB NOT NULL, added INTEGER NOT NULL, by TEXT NOT NULL)"
    " WITHOUT ROWID;"
    "CREATE INDEX paper_batch ON paper(batch);"
    "CREATE TABLE kiosk_revocation(kiosk_id TEXT PRIMARY KEY REFERENCES kiosk(kiosk_id), why TEXT NOT NULL,"
    " by TEXT NOT NULL, at INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE result_admission(result_id TEXT PRIMARY KEY REFERENCES result(result_id), kiosk_id TEXT NOT NULL,"
    " why TEXT NOT NULL, by TEXT NOT NULL, at INTEGER NOT NULL) WITHOUT ROWID;"
    "PRAGMA user_version=5;";

/* 5 → 6 (issue 12): a candidate's planned extra time (extra_minutes
 * 延长时间, an approved accommodation) from the applications CSV, signed
 * into the room rosters the hub writes and checked against the results. */
static const char SCHEMA6[] =
    "ALTER TABLE application ADD COLUMN extra_minutes INTEGER NOT NULL DEFAULT 0;"
    "PRAGMA user_version=6;";

/* 6 → 7 (issue 12): room consoles and their room records. The hub trusts a
 * record only when its console key was registered (room_console); of each
 * record it keeps the file as imported, the packs it names, every seat with
 * the journal heads the console mirrored off it (room_head: the hub checks
 * each result's journal against them), and every candidate with the state
 * the console saw (an absence there counts as an absence at the hub:
 * room_absence, read with the results by wf_sittings). */
static const char SCHEMA7[] =
    "CREATE TABLE room_console(sign_pk TEXT PRIMARY KEY, added INTEGER NOT NULL, by TEXT NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE room_record(id INTEGER PRIMARY KEY, digest TEXT NOT NULL UNIQUE,"
    " console_pk TEXT NOT NULL REFERENCES room_console(sign_pk), site TEXT NOT NULL, room TEXT NOT NULL,"
    " made_at INTEGER NOT NULL, imported_at INTEGER NOT NULL, by TEXT NOT NULL, file BLOB NOT NULL);"
    "CREATE TABLE room_record_pack(record INTEGER NOT NULL REFERENCES room_record(id), pack_id TEXT NOT NULL,"
    " PRIMARY KEY(record, pack_id)) WITHOUT ROWID;"
    "CREATE TABLE room_seat(record INTEGER NOT NULL REFERENCES room_record(id), kiosk_id TEXT NOT NULL,"
    " seat INTEGER NOT NULL, device_pk TEXT NOT NULL, state TEXT NOT NULL, first_contact INTEGER NOT NULL,"
    " last_contact INTEGER NOT NULL, diverged INTEGER NOT NULL, heads INTEGER NOT NULL);"
    "CREATE INDEX room_seat_kiosk ON room_seat(kiosk_id);"
    "CREATE TABLE room_head(record INTEGER NOT NULL REFERENCES room_record(id), kiosk_id TEXT NOT NULL,"
    " seat INTEGER NOT NULL, count INTEGER NOT NULL, head TEXT NOT NULL, at_ms INTEGER NOT NULL);"
    "CREATE INDEX room_head_kiosk ON room_head(kiosk_id, count);"
    "CREATE TABLE room_candidate(id INTEGER PRIMARY KEY, record INTEGER NOT NULL REFERENCES room_record(id),"
    " ticket TEXT NOT NULL, pack_id TEXT NOT NULL, state TEXT NOT NULL, kiosk_id TEXT NOT NULL, seat INTEGER NOT NULL,"
    " first_seen_ms INTEGER NOT NULL, last_seen_ms INTEGER NOT NULL, extra_minutes INTEGER NOT NULL);"
    "CREATE INDEX room_candidate_ticket ON room_candidate(ticket, state);"
    /* an absence the console recorded, as a sitting row (hubstore_decide.c): its paper's kind and level from the
     * registered paper, else from a result of that pack; never flagged, never scored */
    "CREATE VIEW room_absence AS SELECT 'room-' || c.id AS result_id, c.kiosk_id AS kiosk_id, 'absent' AS status,"
    " COALESCE((SELECT kind FROM paper p WHERE p.pack_id=c.pack_id),"
    "          (SELECT kind FROM result r WHERE r.pack_id=c.pack_id LIMIT 1)) AS kind,"
    " c.ticket AS ticket,"
    " COALESCE((SELECT level FROM paper p WHERE p.pack_id=c.pack_id),"
    "          (SELECT level FROM result r WHERE r.pack_id=c.pack_id LIMIT 1), 0) AS level,"
    " rr.imported_at AS received_at, rr.made_at AS submitted_at, c.id AS ord"
    " FROM room_candidate c JOIN room_record rr ON rr.id=c.record WHERE c.state='absent' AND c.pack_id<>'';"
    "PRAGMA user_version=7;";

const char *hubstore_error(hubstore *s) { return s && s->db ? sqlite3_errmsg(s->db) : "no database"; }

static int open_store(const char *path, int create, hubstore **out, char **why);

int hubstore_open(const char *path, int create, hubstore **out, char **why)
{
    struct stat sb;
    int existed = lstat(path, &sb) == 0;
    int rc = open_store(path, create, out, why);
    /* a store that could not be made leaves no file behind (the one private_db_files made) */
    if (rc && create && !existed) unlink(path);
    return rc;
}

static int open_store(const char *path, int create, hubstore **out, char **why)
{
    *out = NULL;
    if (!strncmp(path, "postgres://", 11) || !strncmp(path, "postgresql://", 13)) {
        *why = fileio_fmt("PostgreSQL storage is not built into this hub (see README: Results hub storage)");
        return -1;
    }
    struct stat sb;
    if (!create && stat(path, &sb) != 0) {
        *why = fileio_fmt("%s does not exist (run examhub init first)", path);
        return -1;
    }
    if (create && stat(path, &sb) == 0) {
        *why = fileio_fmt("%s already exists; refusing to overwrite", path);
        return -1;
    }
    if (private_db_files(path, create, why)) return -1;
    hubstore *s = calloc(1, sizeof *s);
    if (!s) { *why = fileio_fmt("out of memory"); return -1; }
    pthread_mutex_init(&s->mu, NULL);
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
    if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
        *why = fileio_fmt("cannot open %s: %s", path, hubstore_error(s));
        hubstore_close(s);
        return -1;
    }
    sqlite3_busy_timeout(s->db, 10000);
    if (sqlite3_exec(s->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;", NULL, NULL,
                     NULL)) {
        *why = fileio_fmt("cannot set up %s: %s", path, hubstore_error(s));
        hubstore_close(s);
        return -1;
    }
    int version = 0;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    static const char *const STEPS[SCHEMA_VERSION] = {SCHEMA,  SCHEMA2, SCHEMA3, SCHEMA4,
                                                      SCHEMA5, SCHEMA6, SCHEMA7, HUBSTORE_SCHEMA_STAFF};
    if (!create && version == 0) version = -1; /* an empty file that is not ours */
    for (int v = version; v >= 0 && v < SCHEMA_VERSION; v++) {
        if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) || sqlite3_exec(s->db, STEPS[v], NULL, NULL, NULL) ||
            sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL)) {
            *why = fileio_fmt("cannot bring the hub schema to version %d: %s", v + 1, hubstore_error(s));
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
            hubstore_close(s);
            return -1;
        }
        version = v + 1;
    }
    if (version != SCHEMA_VERSION) {
        *why = fileio_fmt("%s is not a hub database of schema %d (found %d)", path, SCHEMA_VERSION, version);
        hubstore_close(s);
        return -1;
    }
    if (sqlite3_prepare_v2(s->db, "SELECT kiosk_id, device_pk, site, room, seat FROM kiosk WHERE kiosk_id=?", -1,
                           &s->kiosk, NULL)) {
        *why = fileio_fmt("cannot prepare statements: %s", hubstore_error(s));
        hubstore_close(s);
        return -1;
    }
    *out = s;
    return 0;
}

void hubstore_close(hubstore *s)
{
    if (!s) return;
    sqlite3_finalize(s->put);
    sqlite3_finalize(s->kiosk);
    sqlite3_finalize(s->revoked);
    sqlite3_finalize(s->planned);
    sqlite3_finalize(s->flag);
    sqlite3_close_v2(s->db);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

int hubstore_config_set(hubstore *s, const char *key, const char *value)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO config VALUES(?,?)", -1, &st, NULL)) return -1;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    sqlite3_finalize(st);
    return rc;
}

char *hubstore_config_get(hubstore *s, const char *key)
{
    sqlite3_stmt *st;
    char *v = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT value FROM config WHERE key=?", -1, &st, NULL)) return NULL;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) v = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return v;
}

const char *token_strerror(token_rc rc)
{
    switch (rc) {
    case TOKEN_OK: return "ok";
    case TOKEN_UNKNOWN: return "unknown enrolment token (or malformed device key)";
    case TOKEN_USED: return "enrolment token already used";
    case TOKEN_EXPIRED: return "enrolment token expired";
    case TOKEN_KIOSK_CONFLICT: return "another key is enrolled under this kiosk id";
    case TOKEN_ERROR: break;
    }
    return "storage error";
}

const char *kiosk_strerror(kiosk_rc rc)
{
    switch (rc) {
    case KIOSK_FOUND: return "enrolled";
    case KIOSK_NOT_ENROLLED: return "not enrolled at this hub";
    case KIOSK_ERROR: break;
    }
    return "storage error";
}

token_rc hubstore_token_add(hubstore *s, const uint8_t hash[32], int64_t created, int64_t expires)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "INSERT INTO token(hash, created, expires) VALUES(?,?,?)", -1, &st, NULL)) return TOKEN_ERROR;
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, created);
    sqlite3_bind_int64(st, 3, expires);
    token_rc rc = sqlite3_step(st) == SQLITE_DONE ? TOKEN_OK : TOKEN_ERROR;
    sqlite3_finalize(st);
    return rc;
}

static kiosk_rc kiosk_locked(hubstore *s, const char *kiosk_id, hub_kiosk *k);

kiosk_rc hubstore_kiosk(hubstore *s, const char *kiosk_id, hub_kiosk *k)
{
    pthread_mutex_lock(&s->mu);
    kiosk_rc rc = kiosk_locked(s, kiosk_id, k);
    pthread_mutex_unlock(&s->mu);
    return rc;
}

static kiosk_rc kiosk_locked(hubstore *s, const char *kiosk_id, hub_kiosk *k)
{
    sqlite3_reset(s->kiosk);
    sqlite3_bind_text(s->kiosk, 1, kiosk_id, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s->kiosk);
    if (rc == SQLITE_DONE) return KIOSK_NOT_ENROLLED;
    if (rc != SQLITE_ROW) return KIOSK_ERROR;
    snprintf(k->kiosk_id, sizeof k->kiosk_id, "%s", sqlite3_column_text(s->kiosk, 0));
    snprintf(k->device_pk_hex, sizeof k->device_pk_hex, "%s", sqlite3_column_text(s->kiosk, 1));
    snprintf(k->site, sizeof k->site, "%s", sqlite3_column_text(s->kiosk, 2));
    snprintf(k->room, sizeof k->room, "%s", sqlite3_column_text(s->kiosk, 3));
    k->seat = sqlite3_column_int(s->kiosk, 4);
    sqlite3_reset(s->kiosk);
    return KIOSK_FOUND;
}

static token_rc enroll_locked(hubstore *s, const uint8_t token_hash[32], int64_t now, const hub_kiosk *k);

token_rc hubstore_enroll(hubstore *s, const uint8_t token_hash[32], int64_t now, const hub_kiosk *k)
{
    pthread_mutex_lock(&s->mu);
    token_rc rc = enroll_locked(s, token_hash, now, k);
    pthread_mutex_unlock(&s->mu);
    return rc;
}

static token_rc enroll_locked(hubstore *s, const uint8_t token_hash[32], int64_t now, const hub_kiosk *k)
{
    if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL)) return TOKEN_ERROR;
    token_rc rc = TOKEN_ERROR;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT expires, used, kiosk_id FROM token WHERE hash=?", -1, &st, NULL)) goto out;
    sqlite3_bind_blob(st, 1, token_hash, 32, SQLITE_STATIC);
    int r = sqlite3_step(st);
    if (r == SQLITE_DONE) { rc = TOKEN_UNKNOWN; goto out; }
    if (r != SQLITE_ROW) goto out;
    if (sqlite3_column_type(st, 1) != SQLITE_NULL) {
        /* the same kiosk retrying an enrolment whose answer it never got is
         * answered again; anyone else gets "already used" */
        const char *by = (const char *)sqlite3_column_text(st, 2);
        hub_kiosk old;
        if (by && !strcmp(by, k->kiosk_id) && kiosk_locked(s, k->kiosk_id, &old) == 0 &&
            !strcmp(old.device_pk_hex, k->device_pk_hex))
            rc = TOKEN_OK;
        else
            rc = TOKEN_USED;
        goto out;
    }
    if (sqlite3_column_int64(st, 0) < now) { rc = TOKEN_EXPIRED; goto out; }
    sqlite3_finalize(st);
    st = NULL;
    hub_kiosk old;
    int have = kiosk_locked(s, k->kiosk_id, &old);
    if (have < 0) goto out;
    if (have == 0 && strcmp(old.device_pk_hex, k->device_pk_hex)) { rc = TOKEN_KIOSK_CONFLICT; goto out; }
    if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO kiosk VALUES(?,?,?,?,?,?)", -1, &st, NULL)) goto out;
    sqlite3_bind_text(st, 1, k->kiosk_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, k->device_pk_hex, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, k->site, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, k->room, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 5, k->seat);
    sqlite3_bind_int64(st, 6, now);
    if (sqlite3_step(st) != SQLITE_DONE) goto out;
    sqlite3_finalize(st);
    st = NULL;
    if (sqlite3_prepare_v2(s->db, "UPDATE token SET used=?, kiosk_id=? WHERE hash=?", -1, &st, NULL)) goto out;
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_text(st, 2, k->kiosk_id, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 3, token_hash, 32, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE) goto out;
    rc = TOKEN_OK;
out:
    sqlite3_finalize(st);
    if (rc == TOKEN_OK) {
        if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL)) {
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
            return TOKEN_ERROR;
        }
    } else
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

int hubstore_begin(hubstore *s) { return sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) ? -1 : 0; }
int hubstore_commit(hubstore *s)
{
    if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL)) {
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    return 0;
}
void hubstore_rollback(hubstore *s) { sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL); }

int hubstore_put_result(hubstore *s, const hub_result *r)
{
    pthread_mutex_lock(&s->mu);
    int rc = hubstore_put_locked(s, r);
    pthread_mutex_unlock(&s->mu);
    return rc;
}

int hubstore_put_locked(hubstore *s, const hub_result *r)
{
    /* prepared on first use: commands that only read open a store whatever its result columns */
    if (!s->put && sqlite3_prepare_v2(s->db,
                                      "INSERT OR IGNORE INTO result(result_id, kiosk_id, session, ticket, name, level, pack_id,"
                                      " title, kind, status, score_tenths, passed, pending, submitted_at, received_at, json,"
                                      " sealed, scored) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                                      -1, &s->put, NULL))
        return -1;
    sqlite3_stmt *st = s->put;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, r->result_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, r->kiosk_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, r->session, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, r->ticket, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, r->name, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 6, r->level);
    sqlite3_bind_text(st, 7, r->pack_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, r->title, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, r->kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 10, r->status, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 11, r->score_tenths);
    sqlite3_bind_int(st, 12, r->passed);
    sqlite3_bind_int(st, 13, r->pending);
    sqlite3_bind_int64(st, 14, r->submitted_at);
    sqlite3_bind_int64(st, 15, r->received_at);
    sqlite3_bind_text(st, 16, r->json, -1, SQLITE_STATIC);
    sqlite3_bind_blob64(st, 17, r->sealed, r->sealed_len, SQLITE_STATIC);
    sqlite3_bind_int(st, 18, r->scored);
    int rc = sqlite3_step(st);
    int changed = sqlite3_changes(s->db);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) return -1;
    return changed ? 0 : 1;
}

int hubstore_each_result(hubstore *s, const char *pack_id, hubstore_result_fn fn, void *ctx)
{
    sqlite3_stmt *st;
    const char *sql = pack_id ? "SELECT result_id, kiosk_id, session, ticket, pack_id, name, title, kind, status, level,"
                                " score_tenths, passed, pending, submitted_at, received_at, scored FROM result WHERE pack_id=?"
                                " ORDER BY pack_id, ticket"
                              : "SELECT result_id, kiosk_id, session, ticket, pack_id, name, title, kind, status, level,"
                                " score_tenths, passed, pending, submitted_at, received_at, scored FROM result"
                                " ORDER BY pack_id, ticket";
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL)) return -1;
    if (pack_id) sqlite3_bind_text(st, 1, pack_id, -1, SQLITE_STATIC);
    int rc = 0, step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        hub_result r;
        memset(&r, 0, sizeof r);
        char *f[9] = {r.result_id, r.kiosk_id, r.session, r.ticket, r.pack_id, r.name, r.title, r.kind, r.status};
        size_t sz[9] = {sizeof r.result_id, sizeof r.kiosk_id, sizeof r.session, sizeof r.ticket, sizeof r.pack_id,
                        sizeof r.name, sizeof r.title, sizeof r.kind, sizeof r.status};
        for (int i = 0; i < 9; i++) snprintf(f[i], sz[i], "%s", sqlite3_column_text(st, i));
        r.level = sqlite3_column_int(st, 9);
        r.score_tenths = sqlite3_column_int(st, 10);
        r.passed = sqlite3_column_int(st, 11);
        r.pending = sqlite3_column_int(st, 12);
        r.submitted_at = sqlite3_column_int64(st, 13);
        r.received_at = sqlite3_column_int64(st, 14);
        r.scored = sqlite3_column_int(st, 15);
        if (fn(ctx, &r)) {
            step = SQLITE_DONE; /* stopped by the caller, not by the storage */
            break;
        }
    }
    if (step != SQLITE_DONE) rc = -1; /* a read that failed part-way is an error, not the end */
    sqlite3_finalize(st);
    return rc;
}

int hubstore_count_results(hubstore *s)
{
    sqlite3_stmt *st;
    int n = -1;
    if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM result", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* ---- flags (issue 11) ---------------------------------------------------- */

int hubstore_flag_add(hubstore *s, const char *result_id, const char *reason, int64_t at)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(s->db, "INSERT OR IGNORE INTO result_flag(result_id, reason, at) VALUES(?,?,?)", -1, &st,
                                NULL);
    if (rc != SQLITE_OK) return -1;
    sqlite3_bind_text(st, 1, result_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, reason, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, at);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

int hubstore_flag_each(hubstore *s, const char *result_id, hubstore_flag_fn fn, void *ctx)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(s->db,
                                "SELECT result_id, reason, at FROM result_flag WHERE ?1 IS NULL OR result_id=?1"
                                " ORDER BY at, result_id, reason",
                                -1, &st, NULL);
    if (rc != SQLITE_OK) return -1;
    if (result_id) sqlite3_bind_text(st, 1, result_id, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (fn(ctx, (const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1),
               sqlite3_column_int64(st, 2)))
            break;
    int ok = rc == SQLITE_ROW || rc == SQLITE_DONE;
    sqlite3_finalize(st);
    return ok ? 0 : -1;
}
