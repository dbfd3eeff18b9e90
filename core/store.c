/* store: kiosk.db, its schema and migrations, and every statement on it
 * (see store.h); the journal table's statements are journal.c's. */
#include "core/store.h"
#include "core/store_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "core/fileio.h"

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
    /* 2 → 3: journal entries name the pack whose key made their hash
     * (JOURNAL_SCHEMA_V3, run below) */
    "",
    /* 3 → 4: personal data sealed at rest (see "sealed columns"): the
     * ticket's keyed tag for lookups; ticket, name, seed, score, response
     * and note hold sealed BLOBs from now on */
    "ALTER TABLE session ADD COLUMN ticket_tag TEXT;"
    "CREATE INDEX session_ticket ON session(ticket_tag, pack_id);",
    /* 4 → 5: the Argon2id cost each PIN verifier was made with (0: the old
     * BLAKE2b verifier), and the time extensions of each sitting with their
     * reasons (issue 10) */
    "ALTER TABLE unlock ADD COLUMN pin_ops INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE unlock ADD COLUMN pin_mem INTEGER NOT NULL DEFAULT 0;"
    "CREATE TABLE extension(id INTEGER PRIMARY KEY, session TEXT NOT NULL, minutes INTEGER NOT NULL,"
    " reason TEXT NOT NULL, exam_ms INTEGER NOT NULL, mono_ms INTEGER NOT NULL, wall INTEGER NOT NULL);",
    /* 5 → 6: the room link (issue 12): the kiosk's status for examsync, the
     * console's commands and active-tickets set for the kiosk */
    "CREATE TABLE room_status(id INTEGER PRIMARY KEY CHECK(id = 1), updated_ms INTEGER NOT NULL,"
    " phase INTEGER NOT NULL, flags INTEGER NOT NULL, pack_id BLOB NOT NULL, ticket_tag BLOB NOT NULL,"
    " answered INTEGER NOT NULL, total INTEGER NOT NULL, time_left_ms INTEGER NOT NULL,"
    " focus_losses INTEGER NOT NULL, journal_count INTEGER NOT NULL, journal_head BLOB NOT NULL,"
    " name_box BLOB NOT NULL, last_command INTEGER NOT NULL);"
    "CREATE TABLE room_inbox(counter INTEGER PRIMARY KEY CHECK(counter > 0), cmd BLOB NOT NULL,"
    " received_ms INTEGER NOT NULL, state TEXT NOT NULL DEFAULT 'new' CHECK(state IN ('new', 'done', 'refused')),"
    " why TEXT);"
    "CREATE TABLE room_active(id INTEGER PRIMARY KEY CHECK(id = 1), bytes BLOB NOT NULL);",
};

struct store {
    sqlite3 *db;
    char *dir;
#ifdef EXAM_TEST_HOOKS
    int fail_writes; /* test hook: make the next N commits fail like a full disk */
#endif
    int last_rc;     /* code of the last failed write, for messages */
    journal_key jkey; /* the unlocked pack's journal keys (store_set_journal_key) */
    int have_jkey;
    /* store_room_arm: the writes that ride on the next entry of on_type */
    struct {
        int armed, fired;
        uint64_t counter;
        char on_type[32], journal_type[32], journal_data[256], outcome[16], why[201];
        int has_entry, has_why;
    } arm;
};

sqlite3 *store_db(store *st) { return st->db; }
int store_last_rc(const store *st) { return st->last_rc; }
const char *store_dir(const store *st) { return st->dir; }
#ifdef EXAM_TEST_HOOKS
void store_fail_writes(store *st, int n) { st->fail_writes = n; }
int store_fail_writes_left(const store *st) { return st->fail_writes; }
#endif

const char *store_rc_str(store_rc rc) { return sqlite3_errstr((int)rc); }

const char *store_strerror(store *st)
{
    if (st->last_rc) return store_rc_str(st->last_rc); /* e.g. "database or disk is full" */
    return st->db ? sqlite3_errmsg(st->db) : "no database";
}

/* ---- statement helpers ------------------------------------------------------- */

static int exec(store *st, const char *sql) { return sqlite3_exec(st->db, sql, NULL, NULL, NULL); }

static int prepare(store *st, const char *sql, sqlite3_stmt **s)
{
    int rc = sqlite3_prepare_v2(st->db, sql, -1, s, NULL);
    if (rc != SQLITE_OK) *s = NULL;
    return rc;
}

/* Steps a statement that returns no rows and finalizes it. */
static int run(store *st, sqlite3_stmt *s)
{
    int rc = sqlite3_step(s) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(st->db);
    sqlite3_finalize(s);
    return rc;
}

/* Steps a query to its end, calling ROW for each result row; ROW returns
 * non-zero to stop early. Finalizes S. */
static int each_row(store *st, sqlite3_stmt *s, int (*row)(sqlite3_stmt *s, void *arg), void *arg)
{
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        if (row(s, arg)) {
            rc = SQLITE_DONE;
            break;
        }
    rc = rc == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(st->db);
    sqlite3_finalize(s);
    return rc;
}

static const char *text(sqlite3_stmt *s, int col)
{
    const char *t = (const char *)sqlite3_column_text(s, col);
    return t ? t : "";
}

static const char *text_or_null(sqlite3_stmt *s, int col)
{
    return sqlite3_column_type(s, col) == SQLITE_NULL ? NULL : (const char *)sqlite3_column_text(s, col);
}

static void bind_text(sqlite3_stmt *s, int i, const char *v) { sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC); }

/* ---- sealed columns ---------------------------------------------------------------
 *
 * Names, tickets, seeds, responses, irregularity notes and scores are stored
 * sealed with the unlocked pack's rest key (journal_key.rest, from the
 * content key: the release code opens it, the disk alone does not): a BLOB of
 * a 24-byte nonce ‖ XChaCha20-Poly1305 ciphertext of the value, with the
 * table, column and row named in the associated data, so that a sealed value
 * moved to another row or column no longer opens. A ticket is also stored as
 * a keyed tag (ticket_tag), so that "has this candidate sat?" needs no
 * decryption. Writing a sealed column without the key is refused
 * (SQLITE_MISUSE): nothing personal is ever written in plaintext. Reading it
 * without the key gives "" (examsync status shows such rows as sealed).
 * Rows of databases older than schema 4 hold plaintext TEXT and read as is. */

#define SEAL_NONCE crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define SEAL_TAG crypto_aead_xchacha20poly1305_ietf_ABYTES

/* associated data: "examrest" ‖ what ‖ 0 ‖ row */
static size_t seal_ad(uint8_t *ad, size_t cap, const char *what, const char *row)
{
    int n = snprintf((char *)ad, cap, "examrest%s%c%s", what, 0, row ? row : "");
    return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}

/* Binds P[0..N) sealed as parameter I. SQLITE_MISUSE without the key. */
static int bind_sealed(store *st, sqlite3_stmt *s, int i, const char *what, const char *row, const void *p, size_t n)
{
    if (!st->have_jkey) return SQLITE_MISUSE;
    size_t len = SEAL_NONCE + n + SEAL_TAG;
    uint8_t *b = malloc(len), ad[160];
    if (!b) return SQLITE_NOMEM;
    size_t adlen = seal_ad(ad, sizeof ad, what, row);
    randombytes_buf(b, SEAL_NONCE);
    crypto_aead_xchacha20poly1305_ietf_encrypt(b + SEAL_NONCE, NULL, p, n, ad, adlen, NULL, b, st->jkey.rest);
    int rc = sqlite3_bind_blob64(s, i, b, len, SQLITE_TRANSIENT);
    sodium_memzero(b, len);
    free(b);
    return rc;
}

static int bind_sealed_text(store *st, sqlite3_stmt *s, int i, const char *what, const char *row, const char *v)
{
    return bind_sealed(st, s, i, what, row, v ? v : "", v ? strlen(v) : 0);
}

/* A sealed column opened: malloc'd, NUL-terminated (*len without it), or
 * NULL (no key, altered, moved, out of memory). A TEXT value (an older
 * database's plaintext) is returned as it is. */
static uint8_t *open_sealed(store *st, sqlite3_stmt *s, int col, const char *what, const char *row, size_t *len)
{
    int type = sqlite3_column_type(s, col);
    const uint8_t *b = sqlite3_column_blob(s, col);
    size_t n = (size_t)sqlite3_column_bytes(s, col);
    if (type == SQLITE_TEXT || type == SQLITE_INTEGER) {
        const char *t = (const char *)sqlite3_column_text(s, col);
        n = t ? strlen(t) : 0;
        uint8_t *out = malloc(n + 1);
        if (out) { memcpy(out, t ? t : "", n); out[n] = 0; if (len) *len = n; }
        return out;
    }
    if (type != SQLITE_BLOB || !st->have_jkey || n < SEAL_NONCE + SEAL_TAG) return NULL;
    size_t plen = n - SEAL_NONCE - SEAL_TAG;
    uint8_t *out = malloc(plen + 1), ad[160];
    if (!out) return NULL;
    size_t adlen = seal_ad(ad, sizeof ad, what, row);
    unsigned long long got = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(out, &got, NULL, b + SEAL_NONCE, n - SEAL_NONCE, ad, adlen, b,
                                                   st->jkey.rest) != 0) {
        free(out);
        return NULL;
    }
    out[got] = 0;
    if (len) *len = (size_t)got;
    return out;
}

static void free_opened(uint8_t *p, size_t n)
{
    if (p) sodium_memzero(p, n);
    free(p);
}

void store_tag(const store *st, const char *kind, const char *text, char out[STORE_TAG_HEX])
{
    uint8_t h[16];
    if (!st->have_jkey) { *out = 0; return; }
    crypto_generichash_state g;
    crypto_generichash_init(&g, st->jkey.rest, sizeof st->jkey.rest, sizeof h);
    crypto_generichash_update(&g, (const uint8_t *)kind, strlen(kind) + 1);
    crypto_generichash_update(&g, (const uint8_t *)text, strlen(text));
    crypto_generichash_final(&g, h, sizeof h);
    sodium_bin2hex(out, STORE_TAG_HEX, h, sizeof h);
}

void store_ticket_tag(const store *st, const char *ticket, char out[STORE_TAG_HEX])
{
    store_tag(st, "ticket", ticket, out);
}

static void copy_id(char out[STORE_ID_MAX + 1], sqlite3_stmt *s, int col)
{
    snprintf(out, STORE_ID_MAX + 1, "%s", text(s, col));
}

/* ---- opening, transactions, meta --------------------------------------------- */

int store_open(const char *dir, int create, store **out, char **why)
{
    *out = NULL;
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
    store *st = calloc(1, sizeof *st);
    if (!st) {
        *why = fileio_fmt("out of memory");
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
    sqlite3_extended_result_codes(st->db, 0); /* primary codes: store_rc */
    if (exec(st, "PRAGMA journal_mode=WAL") || exec(st, "PRAGMA synchronous=FULL") ||
        exec(st, "PRAGMA foreign_keys=ON") || exec(st, "PRAGMA secure_delete=ON")) {
        *why = fileio_fmt("cannot set up the database: %s", sqlite3_errmsg(st->db));
        store_close(st);
        return -1;
    }
    sqlite3_stmt *s;
    int version = 0;
    if (prepare(st, "PRAGMA user_version", &s) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
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
        if (exec(st, "BEGIN IMMEDIATE") || exec(st, MIGRATIONS[v]) || (v == 0 && exec(st, JOURNAL_SCHEMA_V1)) ||
            (v == 2 && exec(st, JOURNAL_SCHEMA_V3)) ||
            exec(st, pragma) || exec(st, "COMMIT")) {
            *why = fileio_fmt("cannot migrate the database to schema %d: %s", v + 1, sqlite3_errmsg(st->db));
            exec(st, "ROLLBACK");
            store_close(st);
            return -1;
        }
    }
    *out = st;
    return 0;
}

void store_close(store *st)
{
    if (!st) return;
    if (st->db) sqlite3_close_v2(st->db);
    free(st->dir);
    sodium_memzero(&st->jkey, sizeof st->jkey);
    free(st);
}

store_rc store_begin(store *st) { return exec(st, "BEGIN IMMEDIATE"); }

store_rc store_commit(store *st)
{
#ifdef EXAM_TEST_HOOKS
    if (st->fail_writes > 0) { /* simulated full disk, for tests */
        st->fail_writes--;
        exec(st, "ROLLBACK");
        return st->last_rc = SQLITE_FULL;
    }
#endif
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
    if (prepare(st, "SELECT value FROM meta WHERE key=?", &s) != SQLITE_OK) return NULL;
    bind_text(s, 1, key);
    if (sqlite3_step(s) == SQLITE_ROW) v = strdup(text(s, 0));
    sqlite3_finalize(s);
    return v;
}

store_rc store_meta_set(store *st, const char *key, const char *value)
{
    sqlite3_stmt *s;
    if (prepare(st, "INSERT OR REPLACE INTO meta VALUES(?,?)", &s) != SQLITE_OK) return sqlite3_errcode(st->db);
    bind_text(s, 1, key);
    bind_text(s, 2, value);
    return run(st, s);
}

/* ---- packs and rosters ----------------------------------------------------------- */

store_rc store_pack_add(store *st, const store_pack_row *p, int *added)
{
    sqlite3_stmt *s;
    if (added) *added = 0;
    int rc = prepare(st, "INSERT OR IGNORE INTO pack(pack_id, title, level, kind, duration, questions, bytes, added)"
                         " VALUES(?,?,?,?,?,?,?,?)", &s);
    if (rc != SQLITE_OK) return rc;
    bind_text(s, 1, p->pack_id);
    bind_text(s, 2, p->title);
    sqlite3_bind_int(s, 3, p->level);
    bind_text(s, 4, p->kind);
    sqlite3_bind_int(s, 5, p->duration);
    sqlite3_bind_int(s, 6, p->questions);
    sqlite3_bind_blob64(s, 7, p->bytes ? (const void *)p->bytes : "", p->len, SQLITE_STATIC);
    sqlite3_bind_int64(s, 8, p->added);
    rc = run(st, s);
    if (rc == SQLITE_OK && added) *added = sqlite3_changes(st->db) > 0;
    return rc;
}

typedef struct pack_visit {
    store_pack_fn fn;
    void *ctx;
} pack_visit;

static int pack_row_cb(sqlite3_stmt *s, void *arg)
{
    pack_visit *v = arg;
    store_pack_row r = {text(s, 0), text(s, 1), text(s, 3), sqlite3_column_int(s, 2), sqlite3_column_int(s, 4),
                        sqlite3_column_int(s, 5), NULL, 0, sqlite3_column_int64(s, 6)};
    if (sqlite3_column_type(s, 7) != SQLITE_NULL) {
        r.bytes = sqlite3_column_blob(s, 7);
        r.len = (size_t)sqlite3_column_bytes(s, 7);
    }
    return v->fn(v->ctx, &r);
}

store_rc store_pack_each(store *st, unsigned flags, store_pack_fn fn, void *ctx)
{
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT pack_id, title, level, kind, duration, questions, added, %s FROM pack ORDER BY added%s",
             flags & STORE_WITH_BYTES ? "bytes" : "NULL", flags & STORE_NEWEST_FIRST ? " DESC" : "");
    sqlite3_stmt *s;
    int rc = prepare(st, sql, &s);
    if (rc != SQLITE_OK) return rc;
    pack_visit v = {fn, ctx};
    return each_row(st, s, pack_row_cb, &v);
}

store_rc store_pack_get(store *st, const char *pack_id, uint8_t **bytes, size_t *len)
{
    *bytes = NULL;
    *len = 0;
    sqlite3_stmt *s;
    int rc = prepare(st, "SELECT bytes FROM pack WHERE pack_id=?", &s);
    if (rc != SQLITE_OK) return rc;
    bind_text(s, 1, pack_id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        size_t n = (size_t)sqlite3_column_bytes(s, 0);
        const void *b = sqlite3_column_blob(s, 0);
        *bytes = malloc(n ? n : 1);
        if (*bytes) {
            if (n) memcpy(*bytes, b, n);
            *len = n;
            rc = SQLITE_OK;
        } else
            rc = SQLITE_NOMEM;
    } else
        rc = rc == SQLITE_DONE ? STORE_NOTFOUND : sqlite3_errcode(st->db);
    sqlite3_finalize(s);
    return rc;
}

store_rc store_roster_add(store *st, const store_roster_row *r, int *added)
{
    sqlite3_stmt *s;
    if (added) *added = 0;
    int rc = prepare(st, "INSERT OR IGNORE INTO roster(roster_id, candidates, bytes, added) VALUES(?,?,?,?)", &s);
    if (rc != SQLITE_OK) return rc;
    bind_text(s, 1, r->roster_id);
    sqlite3_bind_int64(s, 2, r->candidates);
    sqlite3_bind_blob64(s, 3, r->bytes ? (const void *)r->bytes : "", r->len, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, r->added);
    rc = run(st, s);
    if (rc == SQLITE_OK && added) *added = sqlite3_changes(st->db) > 0;
    return rc;
}

typedef struct roster_visit {
    store_roster_fn fn;
    void *ctx;
} roster_visit;

static int roster_row_cb(sqlite3_stmt *s, void *arg)
{
    roster_visit *v = arg;
    store_roster_row r = {text(s, 0), sqlite3_column_int64(s, 1), NULL, 0, sqlite3_column_int64(s, 2)};
    if (sqlite3_column_type(s, 3) != SQLITE_NULL) {
        r.bytes = sqlite3_column_blob(s, 3);
        r.len = (size_t)sqlite3_column_bytes(s, 3);
    }
    return v->fn(v->ctx, &r);
}

store_rc store_roster_each(store *st, unsigned flags, store_roster_fn fn, void *ctx)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT roster_id, candidates, added, %s FROM roster ORDER BY added%s",
             flags & STORE_WITH_BYTES ? "bytes" : "NULL", flags & STORE_NEWEST_FIRST ? " DESC" : "");
    sqlite3_stmt *s;
    int rc = prepare(st, sql, &s);
    if (rc != SQLITE_OK) return rc;
    roster_visit v = {fn, ctx};
    return each_row(st, s, roster_row_cb, &v);
}

/* ---- unlock state ----------------------------------------------------------------- */

store_rc store_unlock_put(store *st, const char *pack_id, const uint8_t salt[STORE_PIN_SALT_BYTES],
                     const uint8_t hash[STORE_PIN_HASH_BYTES], int64_t wall)
{
    sqlite3_stmt *s;
    int rc = prepare(st, "INSERT OR REPLACE INTO unlock(pack_id, pin_salt, pin_hash, age_ms, wall) VALUES(?,?,?,0,?)", &s);
    if (rc != SQLITE_OK) return rc;
    bind_text(s, 1, pack_id);
    sqlite3_bind_blob(s, 2, salt, STORE_PIN_SALT_BYTES, SQLITE_STATIC);
    sqlite3_bind_blob(s, 3, hash, STORE_PIN_HASH_BYTES, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, wall);
    return run(st, s);
}

store_rc store_unlock_get(store *st, const char *pack_id, uint8_t salt[STORE_PIN_SALT_BYTES],
                     uint8_t hash[STORE_PIN_HASH_BYTES], int64_t *age_ms)
{
    sqlite3_stmt *s;
    int rc = prepare(st, "SELECT pin_salt, pin_hash, age_ms FROM unlock WHERE pack_id=?", &s);
    if (rc != SQLITE_OK) return rc;
    bind_text(s, 1, pack_id);
    rc = STORE_NOTFOUND;
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_bytes(s, 0) == STORE_PIN_SALT_BYTES &&
        sqlite3_column_bytes(s, 1) == STORE_PIN_HASH_BYTES) {
        memcpy(salt, sqlite3_column_blob(s, 0), STORE_PIN_SALT_BYTES);
        memcpy(hash, sqlite3_column_blob(s, 1), STORE_PIN_HASH_BYTES);
        *age_ms = sqlite3_column_int64(s, 2);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(s);
    return rc;
}

store_rc store_unlock_set_kdf(store *st, const char *pack_id, uint64_t ops, uint64_t mem)
{
    sqlite3_stmt *s;
    int rc = prepare(st, "UPDATE unlock SET pin_ops=?, pin_mem=? WHERE pack_id=?", &s);
    if (rc != SQLITE_OK) return rc;
    sqlite3_bind_int64(s, 1, (sqlite3_int64)ops);
    sqlite3_bind_int64(s, 2, (sqlite3_int64)mem);
    bind_text(s, 3, pack_id);
    rc = run(st, s);
    return rc == SQLITE_OK && sqlite3_changes(st->db) != 1 ? STORE_NOTFOUND : rc;
}

store_rc store_unlock_get_kdf(store *st, const char *pack_id, uint64_t *ops, uint64_t *mem)
{
    sqlite3_stmt *s;
    int rc = prepare(st, "SELECT pin_ops, pin_mem FROM unlock WHERE pack_id=?", &s);
    if (rc != SQLITE_OK) return rc;
    bind_text(s, 1, pack_id);
    rc = STORE_NOTFOUND;
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int64(s, 0) >= 0 && sqlite3_column_int64(s, 1) >= 0) {
        *ops = (uint64_t)sqlite3_column_int64(s, 0);
        *mem = (uint64_t)sqlite3_column_int64(s, 1);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(s);
    return rc;
}

store_rc store_unlock_latest(store *st, char pack_id[STORE_ID_MAX + 1])
{
    sqlite3_stmt *s;
    int rc = prepare(st, "SELECT pack_id FROM unlock ORDER BY wall DESC LIMIT 1", &s);
    if (rc != SQLITE_OK) return rc;
    rc = STORE_NOTFOUND;
    if (sqlite3_step(s) == SQLITE_ROW) {
        copy_id(pack_id, s, 0);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(s);
    return rc;
}

store_rc store_unlock_set_age(store *st, const char *pack_id, int64_t age_ms)
{
    sqlite3_stmt *s;
    int rc = prepare(st, "UPDATE unlock SET age_ms=? WHERE pack_id=?", &s);
    if (rc != SQLITE_OK) return rc;
    sqlite3_bind_int64(s, 1, age_ms);
    bind_text(s, 2, pack_id);
    return run(st, s);
}

/* A sitting's answers are kept until its result is delivered (the hub's
 * receipt verified) and its paper is locked; then only the sealed result and
 * the receipt remain. In the caller's transaction. */
static int purge_delivered(store *st)
{
    return exec(st, "DELETE FROM answer WHERE session IN (SELECT o.session FROM outbox o JOIN session s ON s.id = o.session"
                    " WHERE o.delivered IS NOT NULL AND s.active = 0 AND s.pack_id NOT IN (SELECT pack_id FROM unlock))");
}

store_rc store_unlock_delete(store *st, const char *pack_id)
{
    sqlite3_stmt *s;
    int rc = prepare(st, "DELETE FROM unlock WHERE pack_id=?", &s);
    if (rc != SQLITE_OK) return rc;
    bind_text(s, 1, pack_id);
    rc = run(st, s);
    return rc == SQLITE_OK ? purge_delivered(st) : rc;
}

store_rc store_flush_deleted(store *st)
{
    int busy = 0;
    int rc = sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, &busy);
    return rc == SQLITE_OK && busy ? SQLITE_BUSY : rc;
}

/* ---- sessions ------------------------------------------------------------------------ */

store_rc store_session_insert(store *st, const store_session_row *r)
{
    sqlite3_stmt *s;
    int rc = prepare(st,
                     "INSERT INTO session(id, pack_id, ticket, name, level, room, seat, seed, state, started_wall,"
                     " active, ticket_tag) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)",
                     &s);
    if (rc != SQLITE_OK) return rc;
    char tag[STORE_TAG_HEX];
    store_ticket_tag(st, r->ticket, tag);
    bind_text(s, 1, r->id);
    bind_text(s, 2, r->pack_id);
    if ((rc = bind_sealed_text(st, s, 3, "session.ticket", r->id, r->ticket)) != SQLITE_OK ||
        (rc = bind_sealed_text(st, s, 4, "session.name", r->id, r->name)) != SQLITE_OK ||
        (rc = bind_sealed(st, s, 8, "session.seed", r->id, r->seed ? (const void *)r->seed : "", r->seed_len)) !=
            SQLITE_OK) {
        sqlite3_finalize(s);
        return rc;
    }
    sqlite3_bind_int(s, 5, r->level);
    bind_text(s, 6, r->room);
    sqlite3_bind_int(s, 7, r->seat);
    bind_text(s, 9, r->state);
    sqlite3_bind_int64(s, 10, r->started_wall);
    sqlite3_bind_int(s, 11, r->active);
    bind_text(s, 12, tag);
    return run(st, s);
}

#define SESSION_COLS                                                                                              \
    "id, pack_id, ticket, name, level, room, seat, seed, state, elapsed_ms, extra_ms, current, started_wall,"   \
    " ended_wall, score, pending, receipt, active"

typedef struct session_visit {
    store *st;
    store_session_fn fn;
    void *ctx;
} session_visit;

static int session_row_cb(sqlite3_stmt *s, void *arg)
{
    session_visit *v = arg;
    const char *id = text(s, 0);
    size_t tl = 0, nl = 0, sl = 0, scl = 0;
    uint8_t *ticket = open_sealed(v->st, s, 2, "session.ticket", id, &tl),
            *name = open_sealed(v->st, s, 3, "session.name", id, &nl),
            *seed = sqlite3_column_type(s, 7) == SQLITE_BLOB && sqlite3_column_bytes(s, 7) == STORE_PLAIN_SEED_BYTES
                        ? NULL /* an older database's plain seed: below */
                        : open_sealed(v->st, s, 7, "session.seed", id, &sl),
            *score = sqlite3_column_type(s, 14) == SQLITE_NULL ? NULL : open_sealed(v->st, s, 14, "session.score", id, &scl);
    store_session_row r = {
        .id = id, .pack_id = text(s, 1), .ticket = ticket ? (const char *)ticket : "",
        .name = name ? (const char *)name : "", .level = sqlite3_column_int(s, 4), .room = text(s, 5),
        .seat = sqlite3_column_int(s, 6), .seed = seed, .seed_len = seed ? sl : 0, .state = text(s, 8),
        .elapsed_ms = sqlite3_column_int64(s, 9), .extra_ms = sqlite3_column_int64(s, 10),
        .current = sqlite3_column_int(s, 11), .started_wall = sqlite3_column_int64(s, 12),
        .ended_wall = sqlite3_column_int64(s, 13), .score = score ? atoi((const char *)score) : 0,
        .pending = sqlite3_column_int(s, 15), .receipt = text_or_null(s, 16), .active = sqlite3_column_int(s, 17),
        .sealed = !ticket || !name};
    if (!seed && sqlite3_column_bytes(s, 7) == STORE_PLAIN_SEED_BYTES) {
        r.seed = sqlite3_column_blob(s, 7);
        r.seed_len = STORE_PLAIN_SEED_BYTES;
    }
    int out = v->fn(v->ctx, &r);
    free_opened(ticket, tl);
    free_opened(name, nl);
    free_opened(seed, sl);
    free_opened(score, scl);
    return out;
}

store_rc store_session_get(store *st, const char *id, store_session_fn fn, void *ctx)
{
    sqlite3_stmt *s;
    int rc = prepare(st, "SELECT " SESSION_COLS " FROM session WHERE id=?", &s);
    if (rc != SQLITE_OK) return rc;
    bind_text(s, 1, id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        session_visit v = {st, fn, ctx};
        session_row_cb(s, &v);
        rc = SQLITE_OK;
    } else
        rc = rc == SQLITE_DONE ? STORE_NOTFOUND : sqlite3_errcode(st->db);
    sqlite3_finalize(s);
    return rc;
}

store_rc store_session_each(store *st, store_session_fn fn, void *ctx)
{
    sqlite3_stmt *s;
    int rc = prepare(st, "SELECT " SESSION_COLS " FROM session ORDER BY rowid", &s);
    if (rc != SQLITE_OK) return rc;
    session_visit v = {st, fn, ctx};
    return each_row(st, s, session_row_cb, &v);
}

store_rc store_session_latest_active(store *st, char id[STORE_ID_MAX + 1], char pack_id[STORE_ID_MAX + 1])
{
    sqlite3_stmt *s;
    int rc = prepare(st, "SELECT id, pack_id FROM session WHERE active=1 ORDER BY rowid DESC LIMIT 1", &s);
    if (rc != SQLITE_OK) return rc;
    rc = STORE_NOTFOUND;
    if (sqlite3_step(s) == SQLITE_ROW) {
        copy_id(id, s, 0);
        if (pack_id) copy_id(pack_id, s, 1);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(s);
    return rc;
}

store_rc store_session_count(store *st, const char *ticket, const char *pack_id, int *count)
{
    sqlite3_stmt *s;
    *count = 0;
    if (!st->have_jkey) return SQLITE_MISUSE;
    /* by the keyed tag; an older database's plaintext ticket too */
    int rc = prepare(st, "SELECT count(*) FROM session WHERE (ticket_tag=?1 OR ticket=?2) AND pack_id=?3", &s);
    if (rc != SQLITE_OK) return rc;
    char tag[STORE_TAG_HEX];
    store_ticket_tag(st, ticket, tag);
    bind_text(s, 1, tag);
    bind_text(s, 2, ticket);
    bind_text(s, 3, pack_id);
    if (sqlite3_step(s) == SQLITE_ROW) *count = sqlite3_column_int(s, 0);
    else rc = sqlite3_errcode(st->db);
    sqlite3_finalize(s);
    return rc;
}

store_rc store_save_clock(store *st, const char *session, int64_t elapsed_ms, int64_t extra_ms, int current)
{
    sqlite3_stmt *s;
#ifdef EXAM_TEST_HOOKS
    if (st->fail_writes > 0) return st->last_rc = SQLITE_FULL;
#endif
    int rc = prepare(st, "UPDATE session SET elapsed_ms=?, extra_ms=?, current=? WHERE id=?", &s);
    if (rc) return rc;
    sqlite3_bind_int64(s, 1, elapsed_ms);
    sqlite3_bind_int64(s, 2, extra_ms);
    sqlite3_bind_int(s, 3, current);
    bind_text(s, 4, session);
    rc = run(st, s);
    st->last_rc = rc;
    return rc;
}

store_rc store_session_finish(store *st, const char *id, const char *state, int64_t elapsed_ms, int64_t extra_ms,
                         int64_t ended_wall, int score, int pending, const char *receipt)
{
    sqlite3_stmt *s;
    int rc = prepare(st,
                     "UPDATE session SET state=?, elapsed_ms=?, extra_ms=?, ended_wall=?, score=?, pending=?,"
                     " receipt=?, active=0 WHERE id=?",
                     &s);
    if (rc != SQLITE_OK) return rc;
    char sc[16];
    snprintf(sc, sizeof sc, "%d", score);
    if ((rc = bind_sealed_text(st, s, 5, "session.score", id, sc)) != SQLITE_OK) {
        sqlite3_finalize(s);
        return rc;
    }
    bind_text(s, 1, state);
    sqlite3_bind_int64(s, 2, elapsed_ms);
    sqlite3_bind_int64(s, 3, extra_ms);
    sqlite3_bind_int64(s, 4, ended_wall);
    sqlite3_bind_int(s, 6, pending);
    bind_text(s, 7, receipt);
    bind_text(s, 8, id);
    return run(st, s);
}

/* ---- answers ----------------------------------------------------------------------------- */

store_rc store_answer_data(store *st, const char *session, int item, const char *response, int flagged,
                           char data[STORE_ANSWER_DATA_MAX])
{
    if (!st->have_jkey) return SQLITE_MISUSE;
    uint8_t h[JOURNAL_DIGEST_BYTES];
    char hx[JOURNAL_DIGEST_BYTES * 2 + 1];
    journal_answer_digest(&st->jkey, session, item, flagged, response, h);
    sodium_bin2hex(hx, sizeof hx, h, sizeof h);
    snprintf(data, STORE_ANSWER_DATA_MAX, "item=%d flagged=%d h=%s", item + 1, flagged != 0, hx);
    return SQLITE_OK;
}

store_rc store_save_answer(store *st, const char *session, int item, const char *response, int flagged, int64_t mono_ms,
                      int64_t wall)
{
    int rc = store_begin(st);
    if (rc) return rc;
    sqlite3_stmt *s;
    rc = prepare(st, "INSERT OR REPLACE INTO answer(session, item, response, flagged, mono_ms) VALUES(?,?,?,?,?)", &s);
    char row[STORE_ID_MAX + 16];
    snprintf(row, sizeof row, "%s/%d", session, item);
    if (rc == SQLITE_OK && (rc = bind_sealed_text(st, s, 3, "answer.response", row, response)) != SQLITE_OK)
        sqlite3_finalize(s);
    if (rc == SQLITE_OK) {
        bind_text(s, 1, session);
        sqlite3_bind_int(s, 2, item);
        sqlite3_bind_int(s, 4, flagged);
        sqlite3_bind_int64(s, 5, mono_ms);
        rc = run(st, s);
    }
    if (rc == SQLITE_OK) {
        /* the journal records which item changed and a keyed digest of the
         * answer, so the chain covers every change without repeating its
         * text (and without telling anyone which option it was) */
        char data[96];
        rc = st->have_jkey ? store_answer_data(st, session, item, response, flagged, data) : SQLITE_MISUSE;
        if (rc == SQLITE_OK) rc = journal_append_keyed(st->db, &st->jkey, mono_ms, wall, session, "answer", data, NULL);
    }
    if (rc != SQLITE_OK) {
        store_rollback(st);
        return rc;
    }
    return store_commit(st);
}

typedef struct answer_visit {
    store *st;
    const char *session;
    store_answer_fn fn;
    void *ctx;
} answer_visit;

static int answer_row_cb(sqlite3_stmt *s, void *arg)
{
    answer_visit *v = arg;
    char row[STORE_ID_MAX + 16];
    int item = sqlite3_column_int(s, 0);
    snprintf(row, sizeof row, "%s/%d", v->session, item);
    size_t n = 0;
    uint8_t *resp = open_sealed(v->st, s, 1, "answer.response", row, &n);
    /* an answer that does not open (no key, moved, altered) reads as
     * "unreadable": the journal check then clears it */
    store_answer_row r = {item, resp ? (const char *)resp : "\x01unreadable", sqlite3_column_int(s, 2),
                          sqlite3_column_int64(s, 3)};
    int out = v->fn(v->ctx, &r);
    free_opened(resp, n);
    return out;
}

store_rc store_answer_each(store *st, const char *session, store_answer_fn fn, void *ctx)
{
    sqlite3_stmt *s;
    int rc = prepare(st, "SELECT item, response, flagged, mono_ms FROM answer WHERE session=?", &s);
    if (rc != SQLITE_OK) return rc;
    bind_text(s, 1, session);
    answer_visit v = {st, session, fn, ctx};
    return each_row(st, s, answer_row_cb, &v);
}

/* ---- irregularities ------------------------------------------------------------------------ */

store_rc store_irregularity_add(store *st, const char *session, const char *category, const char *note, int64_t mono_ms,
                           int64_t wall)
{
    sqlite3_stmt *s;
    int rc = prepare(st, "INSERT INTO irregularity(session, category, note, mono_ms, wall) VALUES(?,?,?,?,?)", &s);
    if (rc != SQLITE_OK) return rc;
    if ((rc = bind_sealed_text(st, s, 3, "irregularity.note", session, note)) != SQLITE_OK) {
        sqlite3_finalize(s);
        return rc;
    }
    bind_text(s, 1, session);
    bind_text(s, 2, category);
    sqlite3_bind_int64(s, 4, mono_ms);
    sqlite3_bind_int64(s, 5, wall);
    return run(st, s);
}

typedef struct irregularity_visit {
    store *st;
    const char *session;
    store_irregularity_fn fn;
    void *ctx;
} irregularity_visit;

static int irregularity_row_cb(sqlite3_stmt *s, void *arg)
{
    irregularity_visit *v = arg;
    size_t n = 0;
    uint8_t *note = open_sealed(v->st, s, 1, "irregularity.note", v->session, &n);
    store_irregularity_row r = {text(s, 0), note ? (const char *)note : "(sealed)", sqlite3_column_int64(s, 2),
                                sqlite3_column_int64(s, 3)};
    int out = v->fn(v->ctx, &r);
    free_opened(note, n);
    return out;
}

store_rc store_irregularity_each(store *st, const char *session, store_irregularity_fn fn, void *ctx)
{
    sqlite3_stmt *s;
    int rc = prepare(st, "SELECT category, note, mono_ms, wall FROM irregularity WHERE session=? ORDER BY id", &s);
    if (rc != SQLITE_OK) return rc;
    bind_text(s, 1, session);
    irregularity_visit v = {st, session, fn, ctx};
    return each_row(st, s, irregularity_row_cb, &v);
}

/* ---- time extensions ------------------------------------------------------------------ */

store_rc store_extension_add(store *st, const char *session, int minutes, const char *reason, int64_t exam_ms,
                             int64_t mono_ms, int64_t wall)
{
    sqlite3_stmt *s;
    int rc = prepare(st, "INSERT INTO extension(session, minutes, reason, exam_ms, mono_ms, wall) VALUES(?,?,?,?,?,?)", &s);
    if (rc != SQLITE_OK) return rc;
    /* a typed reason may name the candidate: sealed like a note */
    if ((rc = bind_sealed_text(st, s, 3, "extension.reason", session, reason)) != SQLITE_OK) {
        sqlite3_finalize(s);
        return rc;
    }
    bind_text(s, 1, session);
    sqlite3_bind_int(s, 2, minutes);
    sqlite3_bind_int64(s, 4, exam_ms);
    sqlite3_bind_int64(s, 5, mono_ms);
    sqlite3_bind_int64(s, 6, wall);
    return run(st, s);
}

typedef struct extension_visit {
    store *st;
    const char *session;
    store_extension_fn fn;
    void *ctx;
} extension_visit;

static int extension_row_cb(sqlite3_stmt *s, void *arg)
{
    extension_visit *v = arg;
    size_t n = 0;
    uint8_t *reason = open_sealed(v->st, s, 1, "extension.reason", v->session, &n);
    store_extension_row r = {sqlite3_column_int(s, 0), reason ? (const char *)reason : "(sealed)",
                             sqlite3_column_int64(s, 2), sqlite3_column_int64(s, 3), sqlite3_column_int64(s, 4)};
    int out = v->fn(v->ctx, &r);
    free_opened(reason, n);
    return out;
}

store_rc store_extension_each(store *st, const char *session, store_extension_fn fn, void *ctx)
{
    sqlite3_stmt *s;
    int rc = prepare(st, "SELECT minutes, reason, exam_ms, mono_ms, wall FROM extension WHERE session=? ORDER BY id", &s);
    if (rc != SQLITE_OK) return rc;
    bind_text(s, 1, session);
    extension_visit v = {st, session, fn, ctx};
    return each_row(st, s, extension_row_cb, &v);
}

/* ---- results outbox ----------------------------------------------------------------------------- */

store_rc store_outbox_add(store *st, const char *result_id, const char *session, int64_t created, const uint8_t *sealed,
                     size_t len)
{
    sqlite3_stmt *s;
    int rc = prepare(st, "INSERT INTO outbox(result_id, session, created, sealed) VALUES(?,?,?,?)", &s);
    if (rc != SQLITE_OK) return rc;
    bind_text(s, 1, result_id);
    bind_text(s, 2, session);
    sqlite3_bind_int64(s, 3, created);
    sqlite3_bind_blob64(s, 4, sealed ? (const void *)sealed : "", len, SQLITE_STATIC);
    return run(st, s);
}

typedef struct outbox_visit {
    store_outbox_fn fn;
    void *ctx;
} outbox_visit;

static int outbox_row_cb(sqlite3_stmt *s, void *arg)
{
    outbox_visit *v = arg;
    store_outbox_row r = {text(s, 0), text(s, 1), sqlite3_column_int64(s, 2), sqlite3_column_blob(s, 3),
                          (size_t)sqlite3_column_bytes(s, 3), sqlite3_column_int64(s, 4), text_or_null(s, 5),
                          sqlite3_column_int64(s, 6)};
    return v->fn(v->ctx, &r);
}

#define OUTBOX_COLS "result_id, session, created, sealed, delivered, receipt, exported"

store_rc store_outbox_each(store *st, store_outbox_fn fn, void *ctx)
{
    sqlite3_stmt *s;
    int rc = prepare(st, "SELECT " OUTBOX_COLS " FROM outbox ORDER BY rowid", &s);
    if (rc != SQLITE_OK) return rc;
    outbox_visit v = {fn, ctx};
    return each_row(st, s, outbox_row_cb, &v);
}

store_rc store_outbox_each_pending(store *st, store_outbox_fn fn, void *ctx)
{
    sqlite3_stmt *s;
    int rc = prepare(st, "SELECT " OUTBOX_COLS " FROM outbox WHERE delivered IS NULL ORDER BY result_id", &s);
    if (rc != SQLITE_OK) return rc;
    outbox_visit v = {fn, ctx};
    return each_row(st, s, outbox_row_cb, &v);
}

store_rc store_outbox_next_pending(store *st, const char *after, char result_id[STORE_ID_MAX + 1], uint8_t **sealed,
                              size_t *len)
{
    *sealed = NULL;
    *len = 0;
    sqlite3_stmt *s;
    int rc = prepare(st, "SELECT result_id, sealed FROM outbox WHERE delivered IS NULL AND result_id > ?"
                         " ORDER BY result_id LIMIT 1", &s);
    if (rc != SQLITE_OK) return rc;
    bind_text(s, 1, after ? after : "");
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        size_t n = (size_t)sqlite3_column_bytes(s, 1);
        *sealed = malloc(n ? n : 1);
        if (*sealed) {
            if (n) memcpy(*sealed, sqlite3_column_blob(s, 1), n);
            *len = n;
            copy_id(result_id, s, 0);
            rc = SQLITE_OK;
        } else
            rc = SQLITE_NOMEM;
    } else
        rc = rc == SQLITE_DONE ? STORE_NOTFOUND : sqlite3_errcode(st->db);
    sqlite3_finalize(s);
    return rc;
}

store_rc store_outbox_mark_delivered(store *st, const char *result_id, int64_t wall, const char *receipt)
{
    sqlite3_stmt *s;
    int rc = prepare(st, "UPDATE outbox SET delivered=?, receipt=? WHERE result_id=?", &s);
    if (rc != SQLITE_OK) return rc;
    sqlite3_bind_int64(s, 1, wall);
    bind_text(s, 2, receipt);
    bind_text(s, 3, result_id);
    /* one transaction: the delivery and the purge it may allow */
    int own = sqlite3_get_autocommit(st->db);
    if (own && (rc = store_begin(st)) != SQLITE_OK) { sqlite3_finalize(s); return rc; }
    rc = run(st, s);
    if (rc == SQLITE_OK) rc = purge_delivered(st);
    if (own) rc = rc == SQLITE_OK ? (int)store_commit(st) : (store_rollback(st), rc);
    return rc;
}

store_rc store_outbox_mark_exported(store *st, int64_t wall)
{
    sqlite3_stmt *s;
    int rc = prepare(st, "UPDATE outbox SET exported=? WHERE delivered IS NULL", &s);
    if (rc != SQLITE_OK) return rc;
    sqlite3_bind_int64(s, 1, wall);
    return run(st, s);
}

store_rc store_outbox_counts(store *st, int *pending, int *delivered)
{
    if (pending) *pending = 0;
    if (delivered) *delivered = 0;
    sqlite3_stmt *s;
    int rc = prepare(st, "SELECT count(*) FILTER (WHERE delivered IS NULL), count(*) FILTER (WHERE delivered IS NOT NULL)"
                         " FROM outbox", &s);
    if (rc != SQLITE_OK) return rc;
    if (sqlite3_step(s) == SQLITE_ROW) {
        if (pending) *pending = sqlite3_column_int(s, 0);
        if (delivered) *delivered = sqlite3_column_int(s, 1);
    } else
        rc = sqlite3_errcode(st->db);
    sqlite3_finalize(s);
    return rc;
}

/* ---- the journal --------------------------------------------------------------------------------- */

store_rc store_journal(store *st, const char *session, const char *type, const char *data, int64_t mono_ms, int64_t wall)
{
    int rc = store_begin(st);
    if (rc) return rc;
    rc = store_journal_append(st, session, type, data, mono_ms, wall, NULL);
    if (rc != SQLITE_OK) {
        store_rollback(st);
        return rc;
    }
    return store_commit(st);
}

static int room_armed_writes(store *st, const char *session, int64_t mono_ms, int64_t wall);

store_rc store_journal_append(store *st, const char *session, const char *type, const char *data, int64_t mono_ms,
                         int64_t wall, uint8_t head[JOURNAL_HASH_BYTES])
{
    /* the armed room command commits with this entry, never without it;
     * outside a transaction it waits for one (the writes must be atomic) */
    if (st->arm.armed && !strcmp(type, st->arm.on_type) && !sqlite3_get_autocommit(st->db)) {
        int rc = room_armed_writes(st, session, mono_ms, wall);
        if (rc != SQLITE_OK) return rc;
    }
    return journal_append_keyed(st->db, st->have_jkey ? &st->jkey : NULL, mono_ms, wall, session, type, data, head);
}

void store_set_journal_key(store *st, const journal_key *k)
{
    sodium_memzero(&st->jkey, sizeof st->jkey);
    st->have_jkey = k != NULL;
    if (k) st->jkey = *k;
}

store_rc store_journal_each(store *st, const char *session, journal_fn fn, void *ctx)
{
    return journal_each(st->db, session, fn, ctx);
}

store_rc store_journal_verify_keyed(store *st, const char *session, uint8_t head[JOURNAL_HASH_BYTES],
                                    journal_check *check, char **why)
{
    return journal_verify_keyed(st->db, st->have_jkey ? &st->jkey : NULL, session, head, check, why);
}

store_rc store_journal_head(store *st, uint8_t head[JOURNAL_HASH_BYTES], int64_t *count)
{
    return journal_head(st->db, head, count);
}

store_rc store_journal_count(store *st, const char *session, const char *type, int64_t *count)
{
    return journal_count(st->db, session, type, count);
}

store_rc store_journal_verify(store *st, uint8_t head[JOURNAL_HASH_BYTES], char **why)
{
    return journal_verify(st->db, head, why);
}

/* ---- the room link ------------------------------------------------------------------------ */

/* SQLite keeps signed 64-bit integers */
static int counter_ok(uint64_t c) { return c > 0 && c <= (uint64_t)INT64_MAX; }

static void bind_bytes(sqlite3_stmt *s, int i, const void *p, size_t n)
{
    sqlite3_bind_blob64(s, i, n ? p : (const void *)"", n, SQLITE_STATIC);
}

/* a fixed-length BLOB column into OUT (zeros when it has another length) */
static void column_fixed(sqlite3_stmt *s, int col, uint8_t *out, size_t n)
{
    memset(out, 0, n);
    if ((size_t)sqlite3_column_bytes(s, col) == n && n) memcpy(out, sqlite3_column_blob(s, col), n);
}

store_rc store_room_status_put(store *st, const store_room_status *r)
{
    if (r->name_box_len > sizeof r->name_box) return SQLITE_CONSTRAINT;
    sqlite3_stmt *s;
    int rc = prepare(st, "INSERT OR REPLACE INTO room_status(id, updated_ms, phase, flags, pack_id, ticket_tag, answered,"
                         " total, time_left_ms, focus_losses, journal_count, journal_head, name_box, last_command)"
                         " VALUES(1,?,?,?,?,?,?,?,?,?,?,?,?,?)", &s);
    if (rc != SQLITE_OK) return rc;
    sqlite3_bind_int64(s, 1, r->updated_ms);
    sqlite3_bind_int(s, 2, r->phase);
    sqlite3_bind_int64(s, 3, (sqlite3_int64)r->flags);
    bind_bytes(s, 4, r->pack_id, sizeof r->pack_id);
    bind_bytes(s, 5, r->ticket_tag, sizeof r->ticket_tag);
    sqlite3_bind_int64(s, 6, r->answered);
    sqlite3_bind_int64(s, 7, r->total);
    sqlite3_bind_int64(s, 8, r->time_left_ms);
    sqlite3_bind_int64(s, 9, r->focus_losses);
    sqlite3_bind_int64(s, 10, (sqlite3_int64)(r->journal_count > INT64_MAX ? INT64_MAX : r->journal_count));
    bind_bytes(s, 11, r->journal_head, sizeof r->journal_head);
    bind_bytes(s, 12, r->name_box, r->name_box_len);
    sqlite3_bind_int64(s, 13, (sqlite3_int64)(r->last_command > INT64_MAX ? INT64_MAX : r->last_command));
    return run(st, s);
}

static uint32_t col_u32(sqlite3_stmt *s, int col)
{
    sqlite3_int64 v = sqlite3_column_int64(s, col);
    return v < 0 ? 0 : v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

static uint64_t col_u64(sqlite3_stmt *s, int col)
{
    sqlite3_int64 v = sqlite3_column_int64(s, col);
    return v < 0 ? 0 : (uint64_t)v;
}

store_rc store_room_status_get(store *st, store_room_status *r)
{
    memset(r, 0, sizeof *r);
    sqlite3_stmt *s;
    int rc = prepare(st, "SELECT updated_ms, phase, flags, pack_id, ticket_tag, answered, total, time_left_ms,"
                         " focus_losses, journal_count, journal_head, name_box, last_command FROM room_status WHERE id=1", &s);
    if (rc != SQLITE_OK) return rc;
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        r->updated_ms = sqlite3_column_int64(s, 0);
        r->phase = sqlite3_column_int(s, 1);
        r->flags = (unsigned)col_u32(s, 2);
        column_fixed(s, 3, r->pack_id, sizeof r->pack_id);
        column_fixed(s, 4, r->ticket_tag, sizeof r->ticket_tag);
        r->answered = col_u32(s, 5);
        r->total = col_u32(s, 6);
        r->time_left_ms = col_u32(s, 7);
        r->focus_losses = col_u32(s, 8);
        r->journal_count = col_u64(s, 9);
        column_fixed(s, 10, r->journal_head, sizeof r->journal_head);
        size_t n = (size_t)sqlite3_column_bytes(s, 11);
        if (n == sizeof r->name_box) { /* a box of its one length, or none */
            memcpy(r->name_box, sqlite3_column_blob(s, 11), n);
            r->name_box_len = (uint8_t)n;
        }
        r->last_command = col_u64(s, 12);
        rc = SQLITE_OK;
    } else
        rc = rc == SQLITE_DONE ? SQLITE_NOTFOUND : sqlite3_errcode(st->db);
    sqlite3_finalize(s);
    return rc;
}

/* keeps the newest 200 processed rows (and every new one) */
static int room_inbox_prune(store *st)
{
    return exec(st, "DELETE FROM room_inbox WHERE state <> 'new' AND counter <= (SELECT counter FROM room_inbox"
                    " WHERE state <> 'new' ORDER BY counter DESC LIMIT 1 OFFSET 200)");
}

store_rc store_room_inbox_add(store *st, uint64_t counter, const uint8_t *cmd, size_t len, int64_t now_ms)
{
    if (!counter_ok(counter) || !cmd || len == 0 || len > ROOMPROTO_CMD_MAX_BYTES) return SQLITE_CONSTRAINT;
    sqlite3_stmt *s;
    int rc = prepare(st, "INSERT INTO room_inbox(counter, cmd, received_ms) VALUES(?,?,?) ON CONFLICT(counter) DO UPDATE"
                         " SET cmd = excluded.cmd, received_ms = excluded.received_ms, state = 'new', why = NULL"
                         " WHERE room_inbox.state = 'refused' AND room_inbox.cmd <> excluded.cmd", &s);
    if (rc != SQLITE_OK) return rc;
    sqlite3_bind_int64(s, 1, (sqlite3_int64)counter);
    bind_bytes(s, 2, cmd, len);
    sqlite3_bind_int64(s, 3, now_ms);
    rc = run(st, s);
    if (rc == SQLITE_OK) rc = room_inbox_prune(st);
    return rc;
}

store_rc store_room_last_command(store *st, uint64_t *counter)
{
    *counter = 0;
    char *v = store_meta_get(st, "room_last_command");
    if (!v) return SQLITE_OK;
    char *end = NULL;
    errno = 0;
    unsigned long long c = strtoull(v, &end, 10);
    int bad = errno || end == v || *end || c > (unsigned long long)INT64_MAX;
    free(v);
    if (bad) return SQLITE_CORRUPT; /* an edited value: the caller refuses every command rather than guess */
    *counter = c;
    return SQLITE_OK;
}

store_rc store_room_inbox_max(store *st, uint64_t *counter)
{
    *counter = 0;
    uint64_t last = 0;
    int rc = store_room_last_command(st, &last);
    if (rc != SQLITE_OK) return rc;
    sqlite3_stmt *s;
    rc = prepare(st, "SELECT coalesce(max(counter), 0) FROM room_inbox WHERE state <> 'refused'", &s);
    if (rc != SQLITE_OK) return rc;
    if (sqlite3_step(s) == SQLITE_ROW) {
        uint64_t m = col_u64(s, 0);
        *counter = m > last ? m : last;
        rc = SQLITE_OK;
    } else
        rc = sqlite3_errcode(st->db);
    sqlite3_finalize(s);
    return rc;
}

store_rc store_room_inbox_next(store *st, uint64_t after, uint64_t *counter, uint8_t *buf, size_t cap, size_t *len)
{
    *counter = 0;
    *len = 0;
    if (after > (uint64_t)INT64_MAX) return SQLITE_NOTFOUND;
    sqlite3_stmt *s;
    int rc = prepare(st, "SELECT counter, cmd FROM room_inbox WHERE state = 'new' AND counter > ? ORDER BY counter LIMIT 1", &s);
    if (rc != SQLITE_OK) return rc;
    sqlite3_bind_int64(s, 1, (sqlite3_int64)after);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        size_t n = (size_t)sqlite3_column_bytes(s, 1);
        *counter = col_u64(s, 0);
        *len = n;
        if (n > cap) rc = SQLITE_CONSTRAINT;
        else {
            if (n) memcpy(buf, sqlite3_column_blob(s, 1), n);
            rc = SQLITE_OK;
        }
    } else
        rc = rc == SQLITE_DONE ? SQLITE_NOTFOUND : sqlite3_errcode(st->db);
    sqlite3_finalize(s);
    return rc;
}

store_rc store_room_inbox_done(store *st, uint64_t counter, const char *outcome, const char *why)
{
    if (!counter_ok(counter) || !outcome || (strcmp(outcome, "done") && strcmp(outcome, "refused")))
        return SQLITE_CONSTRAINT;
    sqlite3_stmt *s;
    int rc = prepare(st, "UPDATE room_inbox SET state = ?, why = substr(?, 1, 200) WHERE counter = ?", &s);
    if (rc != SQLITE_OK) return rc;
    bind_text(s, 1, outcome);
    if (why) bind_text(s, 2, why);
    sqlite3_bind_int64(s, 3, (sqlite3_int64)counter);
    rc = run(st, s);
    if (rc == SQLITE_OK && sqlite3_changes(st->db) == 0) return SQLITE_NOTFOUND;
    if (rc == SQLITE_OK) rc = room_inbox_prune(st);
    return rc;
}

void store_room_arm(store *st, const store_room_arm_spec *a)
{
    memset(&st->arm, 0, sizeof st->arm);
    if (!a || !counter_ok(a->counter) || !a->on_type || !a->outcome) return;
    st->arm.armed = 1;
    st->arm.counter = a->counter;
    snprintf(st->arm.on_type, sizeof st->arm.on_type, "%s", a->on_type);
    snprintf(st->arm.outcome, sizeof st->arm.outcome, "%s", a->outcome);
    st->arm.has_entry = a->journal_type != NULL;
    if (a->journal_type) {
        snprintf(st->arm.journal_type, sizeof st->arm.journal_type, "%s", a->journal_type);
        snprintf(st->arm.journal_data, sizeof st->arm.journal_data, "%s", a->journal_data ? a->journal_data : "");
    }
    st->arm.has_why = a->why != NULL;
    if (a->why) snprintf(st->arm.why, sizeof st->arm.why, "%s", a->why);
}

int store_room_disarm(store *st)
{
    int fired = st->arm.fired;
    memset(&st->arm, 0, sizeof st->arm);
    return fired;
}

/* the armed writes, inside the caller's transaction, before the entry they ride on */
static int room_armed_writes(store *st, const char *session, int64_t mono_ms, int64_t wall)
{
    st->arm.armed = 0; /* once, and the companion entry below must not fire it again */
    int rc = SQLITE_OK;
    if (st->arm.has_entry)
        rc = journal_append_keyed(st->db, st->have_jkey ? &st->jkey : NULL, mono_ms, wall, session, st->arm.journal_type,
                                  st->arm.journal_data, NULL);
    char v[24];
    snprintf(v, sizeof v, "%llu", (unsigned long long)st->arm.counter);
    if (rc == SQLITE_OK) rc = store_meta_set(st, "room_last_command", v);
    if (rc == SQLITE_OK) {
        rc = store_room_inbox_done(st, st->arm.counter, st->arm.outcome, st->arm.has_why ? st->arm.why : NULL);
        if (rc == SQLITE_NOTFOUND) rc = SQLITE_OK; /* a row pruned or never filed: the counter still holds */
    }
    if (rc == SQLITE_OK) st->arm.fired = 1;
    return rc;
}

store_rc store_room_active_put(store *st, const uint8_t *buf, size_t len)
{
    if (!buf || len == 0 || len > ROOMPROTO_ACTIVE_MAX_BYTES) return SQLITE_CONSTRAINT;
    sqlite3_stmt *s;
    int rc = prepare(st, "INSERT OR REPLACE INTO room_active(id, bytes) VALUES(1, ?)", &s);
    if (rc != SQLITE_OK) return rc;
    bind_bytes(s, 1, buf, len);
    return run(st, s);
}

store_rc store_room_active_get(store *st, uint8_t *buf, size_t cap, size_t *len)
{
    *len = 0;
    sqlite3_stmt *s;
    int rc = prepare(st, "SELECT bytes FROM room_active WHERE id = 1", &s);
    if (rc != SQLITE_OK) return rc;
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        size_t n = (size_t)sqlite3_column_bytes(s, 0);
        *len = n;
        if (n > cap) rc = SQLITE_CONSTRAINT;
        else {
            if (n) memcpy(buf, sqlite3_column_blob(s, 0), n);
            rc = SQLITE_OK;
        }
    } else
        rc = rc == SQLITE_DONE ? SQLITE_NOTFOUND : sqlite3_errcode(st->db);
    sqlite3_finalize(s);
    return rc;
}
