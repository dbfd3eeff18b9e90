/* Unit tests for core/store.c: the kiosk database (README "Exam day": every answer durable): schema and
 * migrations, WAL + synchronous=FULL, durable answers with their journal
 * entries, and the simulated full disk. Each test works in its own
 * directory under /tmp, removed at the end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/journal.h"
#include "core/store.h"
#include "core/store_int.h"

typedef struct tmp {
    char dir[64];
    char db[96];
} tmp;

static int tmp_setup(void **state)
{
    tmp *t = calloc(1, sizeof *t);
    if (!t) return -1;
    snprintf(t->dir, sizeof t->dir, "/tmp/test_store.XXXXXX");
    if (!mkdtemp(t->dir)) {
        free(t);
        return -1;
    }
    snprintf(t->db, sizeof t->db, "%s/%s", t->dir, STORE_DB_NAME);
    *state = t;
    return 0;
}

static void rm_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
        char p[512];
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        struct stat sb;
        if (lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode)) rm_tree(p);
        else unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

static int tmp_teardown(void **state)
{
    tmp *t = *state;
    rm_tree(t->dir);
    free(t);
    return 0;
}

/* ---- helpers ---------------------------------------------------------------- */

static void open_ok(const char *dir, int create, store **st)
{
    char *why = NULL;
    if (store_open(dir, create, st, &why) != 0) fail_msg("store_open %s: %s", dir, why ? why : "?");
    assert_non_null(*st);
    assert_non_null(store_db(*st));
    /* as the kiosk does once a pack is unlocked: answers need the journal key */
    static const uint8_t content_key[32] = {7, 7, 7};
    journal_key k;
    journal_key_derive(&k, "P1", content_key);
    store_set_journal_key(*st, &k);
}

static int open_fails(const char *dir, int create, const char *why_part)
{
    store *st = (store *)1;
    char *why = NULL;
    int rc = store_open(dir, create, &st, &why);
    if (rc == 0) {
        store_close(st);
        return 0;
    }
    assert_non_null(why);
    if (why_part && !strstr(why, why_part)) fail_msg("why: %s (expected to mention %s)", why, why_part);
    assert_null(st);
    free(why);
    return 1;
}

static long long q_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    long long v = -999;
    if (sqlite3_step(s) == SQLITE_ROW) v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

static char *q_text(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    char *v = NULL;
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0)) v = strdup((const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    return v;
}

/* A second, independent connection: sees only what was committed. */
static sqlite3 *other_conn(const tmp *t)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(t->db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    return db;
}

/* ---- opening -------------------------------------------------------------------- */

static void test_create_schema_and_pragmas(void **state)
{
    tmp *t = *state;
    store *st;
    open_ok(t->dir, 1, &st);
    assert_string_equal(store_dir(st), t->dir);
    assert_int_equal(q_int(store_db(st), "PRAGMA user_version"), STORE_SCHEMA_VERSION);
    assert_int_equal(STORE_SCHEMA_VERSION, 6);
    char *mode = q_text(store_db(st), "PRAGMA journal_mode");
    assert_string_equal(mode, "wal");
    free(mode);
    assert_int_equal(q_int(store_db(st), "PRAGMA synchronous"), 2); /* FULL */
    static const char *const tables[] = {"meta", "pack", "roster", "unlock", "session", "answer",
                                         "irregularity", "outbox", "journal", "extension"};
    for (size_t i = 0; i < sizeof tables / sizeof *tables; i++) {
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='%s'", tables[i]);
        if (q_int(store_db(st), sql) != 1) fail_msg("table %s missing", tables[i]);
    }
    /* the columns examsync and the engine rely on */
    assert_int_equal(sqlite3_exec(store_db(st),
                                  "SELECT pack_id, title, level, kind, duration, questions, bytes, added FROM pack;"
                                  "SELECT roster_id, candidates, bytes, added FROM roster;"
                                  "SELECT pack_id, pin_salt, pin_hash, age_ms, wall, pin_ops, pin_mem FROM unlock;"
                                  "SELECT session, minutes, reason, exam_ms, mono_ms, wall FROM extension;"
                                  "SELECT id, pack_id, ticket, name, level, room, seat, seed, state, elapsed_ms, extra_ms,"
                                  " current, started_wall, ended_wall, score, pending, receipt, active FROM session;"
                                  "SELECT session, item, response, flagged, mono_ms FROM answer;"
                                  "SELECT result_id, session, created, sealed, delivered FROM outbox;"
                                  "SELECT seq, mono_ms, wall, session, type, data, hash FROM journal;",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    store_close(st);
    /* WAL is a property of the file: a fresh connection sees it too */
    sqlite3 *db;
    assert_int_equal(sqlite3_open(t->db, &db), SQLITE_OK);
    mode = q_text(db, "PRAGMA journal_mode");
    assert_string_equal(mode, "wal");
    free(mode);
    sqlite3_close(db);
}

static void test_reopen_keeps_data(void **state)
{
    tmp *t = *state;
    store *st;
    open_ok(t->dir, 1, &st);
    assert_int_equal(store_meta_set(st, "site", "广州考点"), SQLITE_OK);
    assert_int_equal(store_meta_set(st, "seat", "7"), SQLITE_OK);
    assert_int_equal(store_meta_set(st, "seat", "8"), SQLITE_OK); /* replaces */
    store_close(st);
    open_ok(t->dir, 0, &st); /* existing database, create = 0 */
    assert_int_equal(q_int(store_db(st), "PRAGMA user_version"), STORE_SCHEMA_VERSION);
    assert_int_equal(q_int(store_db(st), "PRAGMA synchronous"), 2); /* per connection: set again */
    char *v = store_meta_get(st, "site");
    assert_string_equal(v, "广州考点");
    free(v);
    v = store_meta_get(st, "seat");
    assert_string_equal(v, "8");
    free(v);
    assert_null(store_meta_get(st, "nothing"));
    assert_int_equal(q_int(store_db(st), "SELECT count(*) FROM meta"), 2);
    store_close(st);
}

static void test_no_database_without_create(void **state)
{
    tmp *t = *state;
    assert_true(open_fails(t->dir, 0, "kiosk.db"));
    struct stat sb;
    assert_int_not_equal(stat(t->db, &sb), 0); /* nothing created */
    /* not a directory at all */
    char path[128];
    snprintf(path, sizeof path, "%s/missing", t->dir);
    assert_true(open_fails(path, 1, NULL));
    assert_true(open_fails(path, 0, NULL));
    snprintf(path, sizeof path, "%s/file", t->dir);
    FILE *f = fopen(path, "w");
    fclose(f);
    assert_true(open_fails(path, 1, NULL));
}

static void test_newer_schema_refused(void **state)
{
    tmp *t = *state;
    store *st;
    open_ok(t->dir, 1, &st);
    assert_int_equal(store_meta_set(st, "kiosk_id", "abc"), SQLITE_OK);
    store_close(st);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(t->db, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "PRAGMA user_version=7", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_true(open_fails(t->dir, 0, "newer"));
    assert_true(open_fails(t->dir, 1, "newer"));
    /* and it was left alone */
    assert_int_equal(sqlite3_open(t->db, &db), SQLITE_OK);
    assert_int_equal(q_int(db, "PRAGMA user_version"), 7);
    assert_int_equal(q_int(db, "SELECT count(*) FROM meta"), 1);
    sqlite3_close(db);
}

/* A version-0 database (an empty file, as left by a crash during the very
 * first open) is migrated to the current schema. */
static void test_migrates_empty_database(void **state)
{
    tmp *t = *state;
    FILE *f = fopen(t->db, "w");
    assert_non_null(f);
    fclose(f);
    store *st;
    open_ok(t->dir, 0, &st);
    assert_int_equal(q_int(store_db(st), "PRAGMA user_version"), STORE_SCHEMA_VERSION);
    assert_int_equal(q_int(store_db(st), "SELECT count(*) FROM sqlite_master WHERE name='answer'"), 1);
    store_close(st);
}

/* A schema-1 database (before receipts and exports) is migrated forward on
 * open, keeping its results. */
static void test_migrates_v1_outbox(void **state)
{
    tmp *t = *state;
    store *st;
    open_ok(t->dir, 1, &st);
    assert_int_equal(sqlite3_exec(store_db(st), "INSERT INTO outbox(result_id, session, created, sealed) VALUES('r1','s1',1,x'00')",
                                  NULL, NULL, NULL), SQLITE_OK);
    store_close(st);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(t->db, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "ALTER TABLE outbox DROP COLUMN receipt; ALTER TABLE outbox DROP COLUMN exported;"
                                      "ALTER TABLE journal DROP COLUMN keyid; DROP INDEX session_ticket;"
                                      "ALTER TABLE session DROP COLUMN ticket_tag;"
                                      "ALTER TABLE unlock DROP COLUMN pin_ops; ALTER TABLE unlock DROP COLUMN pin_mem;"
                                      "DROP TABLE extension; DROP TABLE room_status; DROP TABLE room_inbox; DROP TABLE room_active;"
                                      "PRAGMA user_version=1", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    open_ok(t->dir, 0, &st);
    assert_int_equal(q_int(store_db(st), "PRAGMA user_version"), STORE_SCHEMA_VERSION);
    assert_int_equal(q_int(store_db(st), "SELECT count(*) FROM pragma_table_info('journal') WHERE name='keyid'"), 1);
    assert_int_equal(q_int(store_db(st), "SELECT count(*) FROM outbox WHERE result_id='r1' AND receipt IS NULL AND exported IS NULL"), 1);
    store_close(st);
}

/* the response of SID's ITEM as the store reads it back (opened with the key) */
typedef struct resp_probe { int item; char *r; } resp_probe;
static int probe_resp(void *ctx, const store_answer_row *row)
{
    resp_probe *p = ctx;
    if (row->item == p->item) p->r = strdup(row->response);
    return 0;
}
static char *stored_response(store *st, const char *sid, int item)
{
    resp_probe p = {item, NULL};
    assert_int_equal(store_answer_each(st, sid, probe_resp, &p), SQLITE_OK);
    return p.r;
}

/* A schema-2 database (before the Argon2id PIN verifier and extensions,
 * issue 10): its unlock row is kept with cost 0/0 (the old verifier) and the
 * extension table appears. */
static void test_migrates_v2_unlock(void **state)
{
    tmp *t = *state;
    store *st;
    open_ok(t->dir, 1, &st);
    uint8_t salt[STORE_PIN_SALT_BYTES] = {1}, hash[STORE_PIN_HASH_BYTES] = {2};
    assert_int_equal(store_begin(st), STORE_OK);
    assert_int_equal(store_unlock_put(st, "p1", salt, hash, 1000), STORE_OK);
    assert_int_equal(store_commit(st), STORE_OK);
    store_close(st);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(t->db, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "ALTER TABLE unlock DROP COLUMN pin_ops; ALTER TABLE unlock DROP COLUMN pin_mem;"
                                      "DROP TABLE extension; ALTER TABLE journal DROP COLUMN keyid; DROP INDEX session_ticket;"
                                      "ALTER TABLE session DROP COLUMN ticket_tag; DROP TABLE room_status; DROP TABLE room_inbox;"
                                      "DROP TABLE room_active; PRAGMA user_version=2", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    open_ok(t->dir, 0, &st);
    assert_int_equal(q_int(store_db(st), "PRAGMA user_version"), STORE_SCHEMA_VERSION);
    uint64_t ops = 9, mem = 9;
    assert_int_equal(store_unlock_get_kdf(st, "p1", &ops, &mem), STORE_OK);
    assert_int_equal(ops, 0);
    assert_int_equal(mem, 0);
    assert_int_equal(q_int(store_db(st), "SELECT count(*) FROM extension"), 0);
    store_close(st);
}

/* ---- answers and the journal --------------------------------------------------- */

static void test_save_answer(void **state)
{
    tmp *t = *state;
    store *st;
    open_ok(t->dir, 1, &st);
    assert_int_equal(store_save_answer(st, "S1", 4, "AC", 1, 12345, 1767225600), SQLITE_OK);
    /* committed: an independent connection sees the answer and its journal entry */
    sqlite3 *o = other_conn(t);
    assert_int_equal(q_int(o, "SELECT count(*) FROM answer"), 1);
    /* sealed at rest: a BLOB without the text; the store opens it */
    char *r = q_text(o, "SELECT typeof(response) || instr(response, 'AC') FROM answer WHERE session='S1' AND item=4");
    assert_string_equal(r, "blob0");
    free(r);
    r = stored_response(st, "S1", 4);
    assert_string_equal(r, "AC");
    free(r);
    assert_int_equal(q_int(o, "SELECT flagged FROM answer WHERE session='S1' AND item=4"), 1);
    assert_int_equal(q_int(o, "SELECT mono_ms FROM answer WHERE session='S1' AND item=4"), 12345);
    assert_int_equal(q_int(o, "SELECT count(*) FROM journal"), 1);
    r = q_text(o, "SELECT type || ' ' || session || ' ' || data FROM journal");
    assert_non_null(r);
    /* the journal names the item (1-based) and a digest, not the answer text */
    assert_non_null(strstr(r, "answer S1 item=5 flagged=1 h="));
    /* keyed: the digest of the same answer under another pack's key differs */
    char data[STORE_ANSWER_DATA_MAX];
    assert_int_equal(store_answer_data(st, "S1", 4, "AC", 1, data), SQLITE_OK);
    assert_non_null(strstr(r, data));
    static const uint8_t other_key[32] = {8};
    journal_key k2;
    journal_key_derive(&k2, "P2", other_key);
    store_set_journal_key(st, &k2);
    assert_int_equal(store_answer_data(st, "S1", 4, "AC", 1, data), SQLITE_OK);
    assert_null(strstr(r, data));
    store_set_journal_key(st, NULL);
    assert_int_equal(store_answer_data(st, "S1", 4, "AC", 1, data), SQLITE_MISUSE);
    assert_int_not_equal(store_save_answer(st, "S1", 4, "AC", 1, 12345, 1767225600), SQLITE_OK);
    static const uint8_t content_key[32] = {7, 7, 7};
    journal_key_derive(&k2, "P1", content_key);
    store_set_journal_key(st, &k2);
    assert_null(strstr(r, "AC"));
    free(r);
    assert_int_equal(q_int(o, "SELECT mono_ms FROM journal"), 12345);
    assert_int_equal(q_int(o, "SELECT wall FROM journal"), 1767225600);
    sqlite3_close(o);

    /* changing the answer replaces the row and adds a journal entry */
    assert_int_equal(store_save_answer(st, "S1", 4, "搜索引擎\x1fSEM", 0, 20000, 1767225700), SQLITE_OK);
    assert_int_equal(store_save_answer(st, "S1", 5, "", 1, 20001, 1767225700), SQLITE_OK);
    assert_int_equal(store_save_answer(st, "S2", 4, "B", 0, 20002, 1767225700), SQLITE_OK);
    o = other_conn(t);
    assert_int_equal(q_int(o, "SELECT count(*) FROM answer"), 3);
    r = stored_response(st, "S1", 4);
    assert_string_equal(r, "搜索引擎\x1fSEM");
    free(r);
    assert_int_equal(q_int(o, "SELECT count(*) FROM journal"), 4);
    uint8_t head[JOURNAL_HASH_BYTES];
    char *why = NULL;
    assert_int_equal(journal_verify(o, head, &why), 0);
    sqlite3_close(o);
    /* the same digest for the same answer of the same item of the same
     * sitting; another for the same text anywhere else (no lookup table of
     * digests of "A", "B" … across items or sittings) */
    assert_int_equal(store_save_answer(st, "S2", 4, "B", 0, 1, 1), SQLITE_OK);
    assert_int_equal(store_save_answer(st, "S3", 4, "B", 0, 1, 1), SQLITE_OK);
    char *a = q_text(store_db(st), "SELECT substr(data, instr(data, 'h=')) FROM journal WHERE session='S2' ORDER BY seq LIMIT 1");
    char *b = q_text(store_db(st), "SELECT substr(data, instr(data, 'h=')) FROM journal WHERE session='S2' ORDER BY seq DESC LIMIT 1");
    char *c = q_text(store_db(st), "SELECT substr(data, instr(data, 'h=')) FROM journal WHERE session='S3'");
    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
    free(a);
    free(b);
    free(c);
    store_close(st);

    /* durable across a reopen */
    open_ok(t->dir, 0, &st);
    assert_int_equal(q_int(store_db(st), "SELECT count(*) FROM answer"), 4);
    assert_int_equal(q_int(store_db(st), "SELECT count(*) FROM journal"), 6);
    store_close(st);
}

static void test_journal_entry(void **state)
{
    tmp *t = *state;
    store *st;
    open_ok(t->dir, 1, &st);
    assert_int_equal(store_journal(st, "", "kiosk_start", "", 1, 2), SQLITE_OK);
    assert_int_equal(store_journal(st, "S9", "pause", "by invigilator", 3, 4), SQLITE_OK);
    sqlite3 *o = other_conn(t);
    assert_int_equal(q_int(o, "SELECT count(*) FROM journal"), 2);
    char *r = q_text(o, "SELECT data FROM journal WHERE seq=2");
    assert_string_equal(r, "by invigilator");
    free(r);
    sqlite3_close(o);
    store_close(st);
}

/* A full disk: the commit fails, nothing is half-written, and the next
 * commit succeeds again. */
static void test_fail_writes(void **state)
{
    tmp *t = *state;
    store *st;
    open_ok(t->dir, 1, &st);
    assert_int_equal(store_save_answer(st, "S1", 0, "A", 0, 1, 1), SQLITE_OK);
    assert_int_equal(store_save_answer(st, "S1", 1, "T", 0, 2, 1), SQLITE_OK);

    store_fail_writes(st, 2);
    int rc = store_save_answer(st, "S1", 0, "BCD", 1, 3, 1); /* change an answer */
    assert_int_not_equal(rc, SQLITE_OK);
    assert_int_equal(rc & 0xff, SQLITE_FULL);
    assert_int_equal(store_fail_writes_left(st), 1);
    assert_non_null(strstr(store_strerror(st), "full"));
    assert_int_equal(rc, STORE_FULL); /* a primary code: no extended bits to mask */
    assert_non_null(strstr(store_rc_str(STORE_FULL), "full"));
    rc = store_save_answer(st, "S1", 2, "new", 0, 4, 1); /* a new one */
    assert_int_equal(rc & 0xff, SQLITE_FULL);
    assert_int_equal(store_fail_writes_left(st), 0);

    /* nothing of either: not the answers, not their journal entries */
    sqlite3 *o = other_conn(t);
    assert_int_equal(q_int(o, "SELECT count(*) FROM answer"), 2);
    char *r = stored_response(st, "S1", 0);
    assert_string_equal(r, "A");
    free(r);
    assert_int_equal(q_int(o, "SELECT flagged FROM answer WHERE item=0"), 0);
    assert_int_equal(q_int(o, "SELECT count(*) FROM journal"), 2);
    sqlite3_close(o);
    /* the writer's own connection agrees (rolled back, no open transaction) */
    assert_int_equal(q_int(store_db(st), "SELECT count(*) FROM answer"), 2);
    assert_int_equal(q_int(store_db(st), "SELECT count(*) FROM journal"), 2);
    assert_int_not_equal(sqlite3_get_autocommit(store_db(st)), 0);

    /* a failed journal-only write leaves nothing either */
    store_fail_writes(st, 1);
    assert_int_equal(store_journal(st, "S1", "pause", "", 5, 1) & 0xff, SQLITE_FULL);
    assert_int_equal(q_int(store_db(st), "SELECT count(*) FROM journal"), 2);
    assert_int_not_equal(sqlite3_get_autocommit(store_db(st)), 0);

    /* the clock save refuses while the disk is "full" */
    assert_int_equal(sqlite3_exec(store_db(st),
                                  "INSERT INTO session(id, pack_id, ticket, name, level, room, seat, seed, state)"
                                  " VALUES('S1','p','t','n',4,'01',1,x'00','running')",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    store_fail_writes(st, 1);
    assert_int_equal(store_save_clock(st, "S1", 60000, 0, 3) & 0xff, SQLITE_FULL);
    assert_int_equal(q_int(store_db(st), "SELECT elapsed_ms FROM session WHERE id='S1'"), 0);
    store_fail_writes(st, 0);

    /* the disk has room again: saving resumes, the chain is whole */
    assert_int_equal(store_save_answer(st, "S1", 0, "BCD", 1, 6, 1), SQLITE_OK);
    assert_int_equal(store_last_rc(st), SQLITE_OK);
    assert_int_equal(store_save_clock(st, "S1", 60000, 120000, 3), SQLITE_OK);
    o = other_conn(t);
    r = stored_response(st, "S1", 0);
    assert_string_equal(r, "BCD");
    free(r);
    assert_int_equal(q_int(o, "SELECT count(*) FROM journal"), 3);
    assert_int_equal(q_int(o, "SELECT elapsed_ms FROM session WHERE id='S1'"), 60000);
    assert_int_equal(q_int(o, "SELECT extra_ms FROM session WHERE id='S1'"), 120000);
    assert_int_equal(q_int(o, "SELECT current FROM session WHERE id='S1'"), 3);
    uint8_t head[JOURNAL_HASH_BYTES];
    char *why = NULL;
    assert_int_equal(journal_verify(o, head, &why), 0);
    sqlite3_close(o);
    store_close(st);
}

/* Explicit transactions: begin / commit / rollback. */
static void test_transactions(void **state)
{
    tmp *t = *state;
    store *st;
    open_ok(t->dir, 1, &st);
    assert_int_equal(store_begin(st), SQLITE_OK);
    assert_int_equal(store_meta_set(st, "a", "1"), SQLITE_OK);
    store_rollback(st);
    assert_null(store_meta_get(st, "a"));
    assert_int_equal(store_begin(st), SQLITE_OK);
    assert_int_equal(store_meta_set(st, "a", "2"), SQLITE_OK);
    sqlite3 *o = other_conn(t);
    assert_int_equal(q_int(o, "SELECT count(*) FROM meta"), 0); /* not yet visible */
    assert_int_equal(store_commit(st), SQLITE_OK);
    assert_int_equal(q_int(o, "SELECT count(*) FROM meta"), 1);
    sqlite3_close(o);
    /* a commit failing on a full disk rolls back what the transaction did */
    assert_int_equal(store_begin(st), SQLITE_OK);
    assert_int_equal(store_meta_set(st, "b", "3"), SQLITE_OK);
    store_fail_writes(st, 1);
    assert_int_equal(store_commit(st), SQLITE_FULL);
    assert_null(store_meta_get(st, "b"));
    assert_int_not_equal(sqlite3_get_autocommit(store_db(st)), 0);
    store_close(st);
}

/* ---- packs, rosters, unlock state ------------------------------------------------ */

typedef struct seen {
    int n;
    char ids[4][40];
    size_t lens[4];
} seen;

static int see_pack(void *ctx, const store_pack_row *r)
{
    seen *v = ctx;
    if (v->n < 4) {
        snprintf(v->ids[v->n], sizeof v->ids[v->n], "%s/%s/%d", r->pack_id, r->kind, r->level);
        v->lens[v->n] = r->bytes ? r->len : 0;
    }
    v->n++;
    return 0;
}

static int see_roster(void *ctx, const store_roster_row *r)
{
    seen *v = ctx;
    if (v->n < 4) {
        snprintf(v->ids[v->n], sizeof v->ids[v->n], "%s/%lld", r->roster_id, (long long)r->candidates);
        v->lens[v->n] = r->bytes ? r->len : 0;
    }
    v->n++;
    return 0;
}

static void test_packs_and_rosters(void **state)
{
    tmp *t = *state;
    store *st;
    open_ok(t->dir, 1, &st);
    static const uint8_t bytes_a[] = {1, 2, 3}, bytes_b[] = {4, 5, 6, 7};
    store_pack_row a = {"aa", "理论", "theory", 4, 90, 100, bytes_a, sizeof bytes_a, 100};
    store_pack_row b = {"bb", "实操", "practical", 3, 120, 5, bytes_b, sizeof bytes_b, 200};
    int added = -1;
    assert_int_equal(store_pack_add(st, &a, &added), STORE_OK);
    assert_int_equal(added, 1);
    assert_int_equal(store_pack_add(st, &b, NULL), STORE_OK);
    assert_int_equal(store_pack_add(st, &a, &added), STORE_OK); /* already loaded */
    assert_int_equal(added, 0);
    seen v = {0};
    assert_int_equal(store_pack_each(st, 0, see_pack, &v), STORE_OK);
    assert_int_equal(v.n, 2);
    assert_string_equal(v.ids[0], "aa/theory/4");
    assert_int_equal(v.lens[0], 0); /* no bytes unless asked */
    memset(&v, 0, sizeof v);
    assert_int_equal(store_pack_each(st, STORE_NEWEST_FIRST | STORE_WITH_BYTES, see_pack, &v), STORE_OK);
    assert_string_equal(v.ids[0], "bb/practical/3");
    assert_int_equal(v.lens[0], sizeof bytes_b);
    uint8_t *got = NULL;
    size_t len = 0;
    assert_int_equal(store_pack_get(st, "bb", &got, &len), STORE_OK);
    assert_int_equal(len, sizeof bytes_b);
    assert_memory_equal(got, bytes_b, len);
    free(got);
    assert_int_equal(store_pack_get(st, "cc", &got, &len), STORE_NOTFOUND);
    assert_null(got);

    store_roster_row r = {"r1", 30, bytes_a, sizeof bytes_a, 100};
    assert_int_equal(store_roster_add(st, &r, &added), STORE_OK);
    assert_int_equal(added, 1);
    assert_int_equal(store_roster_add(st, &r, &added), STORE_OK);
    assert_int_equal(added, 0);
    memset(&v, 0, sizeof v);
    assert_int_equal(store_roster_each(st, STORE_WITH_BYTES, see_roster, &v), STORE_OK);
    assert_int_equal(v.n, 1);
    assert_string_equal(v.ids[0], "r1/30");
    assert_int_equal(v.lens[0], sizeof bytes_a);
    store_close(st);
}

static void test_unlock_state(void **state)
{
    tmp *t = *state;
    store *st;
    open_ok(t->dir, 1, &st);
    uint8_t salt[STORE_PIN_SALT_BYTES], hash[STORE_PIN_HASH_BYTES], s2[STORE_PIN_SALT_BYTES], h2[STORE_PIN_HASH_BYTES];
    memset(salt, 7, sizeof salt);
    memset(hash, 9, sizeof hash);
    char id[STORE_ID_MAX + 1];
    int64_t age = -1;
    assert_int_equal(store_unlock_latest(st, id), STORE_NOTFOUND);
    assert_int_equal(store_unlock_get(st, "p1", s2, h2, &age), STORE_NOTFOUND);
    assert_int_equal(store_begin(st), STORE_OK);
    assert_int_equal(store_unlock_put(st, "p1", salt, hash, 1000), STORE_OK);
    assert_int_equal(store_unlock_put(st, "p2", salt, hash, 2000), STORE_OK);
    assert_int_equal(store_commit(st), STORE_OK);
    assert_int_equal(store_unlock_latest(st, id), STORE_OK);
    assert_string_equal(id, "p2");
    assert_int_equal(store_unlock_set_age(st, "p1", 65000), STORE_OK);
    assert_int_equal(store_unlock_get(st, "p1", s2, h2, &age), STORE_OK);
    assert_memory_equal(s2, salt, sizeof salt);
    assert_memory_equal(h2, hash, sizeof hash);
    assert_int_equal(age, 65000);
    assert_int_equal(store_begin(st), STORE_OK);
    assert_int_equal(store_unlock_delete(st, "p2"), STORE_OK);
    assert_int_equal(store_commit(st), STORE_OK);
    assert_int_equal(store_unlock_latest(st, id), STORE_OK);
    assert_string_equal(id, "p1");
    /* the verifier's cost (issue 10): kept with the row, only for a row there is */
    uint64_t ops = 9, mem = 9;
    assert_int_equal(store_unlock_get_kdf(st, "p1", &ops, &mem), STORE_OK);
    assert_int_equal(ops, 0); /* not set yet: as a row of an older kiosk */
    assert_int_equal(store_unlock_set_kdf(st, "p1", 3, 128u << 20), STORE_OK);
    assert_int_equal(store_unlock_get_kdf(st, "p1", &ops, &mem), STORE_OK);
    assert_int_equal(ops, 3);
    assert_int_equal(mem, 128u << 20);
    assert_int_equal(store_unlock_set_kdf(st, "p2", 3, 1024), STORE_NOTFOUND);
    assert_int_equal(store_unlock_get_kdf(st, "p2", &ops, &mem), STORE_NOTFOUND);
    store_close(st);
}

static int copy_extension(void *ctx, const store_extension_row *r)
{
    char *out = ctx;
    char line[256];
    snprintf(line, sizeof line, "%d|%s|%lld|%lld;", r->minutes, r->reason, (long long)r->exam_ms, (long long)r->mono_ms);
    strcat(out, line);
    return 0;
}

/* Extensions (issue 10): per session, in the order granted, with reason and exam time. */
static void test_extensions(void **state)
{
    tmp *t = *state;
    store *st;
    open_ok(t->dir, 1, &st);
    assert_int_equal(store_begin(st), STORE_OK);
    assert_int_equal(store_extension_add(st, "S1", 5, "设备故障", 60000, 1000, 1767225600), STORE_OK);
    assert_int_equal(store_extension_add(st, "S2", 9, "other sitting", 1, 2, 3), STORE_OK);
    assert_int_equal(store_extension_add(st, "S1", 12, "其他：停电", 120000, 2000, 1767225601), STORE_OK);
    assert_int_equal(store_commit(st), STORE_OK);
    char got[1024] = "";
    assert_int_equal(store_extension_each(st, "S1", copy_extension, got), STORE_OK);
    assert_string_equal(got, "5|设备故障|60000|1000;12|其他：停电|120000|2000;");
    got[0] = 0;
    assert_int_equal(store_extension_each(st, "S3", copy_extension, got), STORE_OK);
    assert_string_equal(got, "");
    store_close(st);
}

/* ---- sessions, answers, irregularities, outbox ---------------------------------------- */

static int copy_session(void *ctx, const store_session_row *r)
{
    char *out = ctx;
    snprintf(out, 256, "%s %s %s %s %d %s %d %zu %s %lld %lld %d %lld %lld %d %d %s %d", r->id, r->pack_id, r->ticket,
             r->name, r->level, r->room, r->seat, r->seed_len, r->state, (long long)r->elapsed_ms,
             (long long)r->extra_ms, r->current, (long long)r->started_wall, (long long)r->ended_wall, r->score,
             r->pending, r->receipt ? r->receipt : "-", r->active);
    return 0;
}

static int count_rows(void *ctx, const store_session_row *r)
{
    (void)r;
    ++*(int *)ctx;
    return 0;
}

static int join_answer(void *ctx, const store_answer_row *r)
{
    char *out = ctx;
    size_t o = strlen(out);
    snprintf(out + o, 256 - o, "%d=%s%s;", r->item, r->response, r->flagged ? "!" : "");
    return 0;
}

static int join_irregularity(void *ctx, const store_irregularity_row *r)
{
    char *out = ctx;
    size_t o = strlen(out);
    snprintf(out + o, 256 - o, "%s:%s@%lld;", r->category, r->note, (long long)r->mono_ms);
    return 0;
}

static int join_outbox(void *ctx, const store_outbox_row *r)
{
    char *out = ctx;
    size_t o = strlen(out);
    snprintf(out + o, 256 - o, "%s/%s/%zu/%s/%s;", r->result_id, r->session, r->len, r->delivered ? "d" : "p",
             r->exported ? "x" : "-");
    return 0;
}

typedef struct sealed_probe { int sealed; char name[32]; } sealed_probe;
static int probe_sealed(void *ctx, const store_session_row *r)
{
    sealed_probe *p = ctx;
    p->sealed = r->sealed;
    snprintf(p->name, sizeof p->name, "%s", r->name);
    return 0;
}

static void test_sessions(void **state)
{
    tmp *t = *state;
    store *st;
    open_ok(t->dir, 1, &st);
    char id[STORE_ID_MAX + 1], pack[STORE_ID_MAX + 1], buf[256] = "";
    assert_int_equal(store_session_latest_active(st, id, pack), STORE_NOTFOUND);
    static const uint8_t seed[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    store_session_row a = {.id = "S1", .pack_id = "P", .ticket = "T1", .name = "张三", .level = 4, .room = "01",
                           .seat = 3, .seed = seed, .seed_len = sizeof seed, .state = "running",
                           .started_wall = 1000, .active = 1};
    store_session_row b = {.id = "S2", .pack_id = "P", .ticket = "T2", .name = "李四", .level = 4, .room = "01",
                           .seat = 4, .seed = seed, .seed_len = sizeof seed, .state = "absent",
                           .started_wall = 1001, .active = 0};
    assert_int_equal(store_begin(st), STORE_OK);
    assert_int_equal(store_session_insert(st, &a), STORE_OK);
    assert_int_equal(store_session_insert(st, &b), STORE_OK);
    assert_int_not_equal(store_session_insert(st, &a), STORE_OK); /* one row per id */
    assert_int_equal(store_commit(st), STORE_OK);
    assert_int_equal(store_session_latest_active(st, id, pack), STORE_OK);
    assert_string_equal(id, "S1");
    assert_string_equal(pack, "P");
    int n = -1;
    assert_int_equal(store_session_count(st, "T2", "P", &n), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(store_session_count(st, "T2", "Q", &n), STORE_OK);
    assert_int_equal(n, 0);
    assert_int_equal(store_save_clock(st, "S1", 6000, 60000, 2), STORE_OK);
    assert_int_equal(store_session_get(st, "S1", copy_session, buf), STORE_OK);
    assert_string_equal(buf, "S1 P T1 张三 4 01 3 8 running 6000 60000 2 1000 0 0 0 - 1");
    assert_int_equal(store_session_get(st, "S9", copy_session, buf), STORE_NOTFOUND);
    assert_int_equal(store_begin(st), STORE_OK);
    assert_int_equal(store_session_finish(st, "S1", "submitted", 7000, 60000, 2000, 650, 1, "RCPT"), STORE_OK);
    assert_int_equal(store_commit(st), STORE_OK);
    assert_int_equal(store_session_get(st, "S1", copy_session, buf), STORE_OK);
    assert_string_equal(buf, "S1 P T1 张三 4 01 3 8 submitted 7000 60000 2 1000 2000 650 1 RCPT 0");
    assert_int_equal(store_session_latest_active(st, id, NULL), STORE_NOTFOUND);
    n = 0;
    assert_int_equal(store_session_each(st, count_rows, &n), STORE_OK);
    assert_int_equal(n, 2);

    assert_int_equal(store_save_answer(st, "S1", 1, "AC", 1, 10, 1), STORE_OK);
    assert_int_equal(store_save_answer(st, "S1", 0, "T", 0, 11, 1), STORE_OK);
    assert_int_equal(store_save_answer(st, "S2", 0, "F", 0, 12, 1), STORE_OK);
    buf[0] = 0;
    assert_int_equal(store_answer_each(st, "S1", join_answer, buf), STORE_OK);
    assert_string_equal(buf, "0=T;1=AC!;");

    assert_int_equal(store_begin(st), STORE_OK);
    assert_int_equal(store_irregularity_add(st, "S1", "设备故障", "换机", 50, 1), STORE_OK);
    assert_int_equal(store_irregularity_add(st, "S1", "违纪", "夹带", 60, 1), STORE_OK);
    assert_int_equal(store_irregularity_add(st, "S2", "x", "y", 70, 1), STORE_OK);
    assert_int_equal(store_commit(st), STORE_OK);
    buf[0] = 0;
    assert_int_equal(store_irregularity_each(st, "S1", join_irregularity, buf), STORE_OK);
    assert_string_equal(buf, "设备故障:换机@50;违纪:夹带@60;");

    /* at rest: no name, ticket, seed, score, response or note in the rows */
    sqlite3 *o = other_conn(t);
    assert_int_equal(q_int(o, "SELECT count(*) FROM session WHERE typeof(ticket) <> 'blob' OR typeof(name) <> 'blob'"
                              " OR typeof(seed) <> 'blob' OR instr(name, '张三') OR instr(ticket, 'T1')"), 0);
    assert_int_equal(q_int(o, "SELECT typeof(score) = 'blob' FROM session WHERE id='S1'"), 1);
    assert_int_equal(q_int(o, "SELECT count(*) FROM answer WHERE typeof(response) <> 'blob'"), 0);
    assert_int_equal(q_int(o, "SELECT count(*) FROM irregularity WHERE typeof(note) <> 'blob' OR instr(note, '换机')"), 0);
    /* a sealed value moved to another row does not open there */
    sqlite3_close(o);
    assert_int_equal(sqlite3_exec(store_db(st), "UPDATE session SET name=(SELECT name FROM session WHERE id='S1') WHERE id='S2'",
                                  NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(store_session_get(st, "S2", copy_session, buf), STORE_OK);
    assert_null(strstr(buf, "张三"));
    /* without the key: rows read as sealed, nothing is written, nothing is counted */
    store_set_journal_key(st, NULL);
    sealed_probe sp = {0};
    assert_int_equal(store_session_get(st, "S1", probe_sealed, &sp), STORE_OK);
    assert_int_equal(sp.sealed, 1);
    assert_string_equal(sp.name, "");
    assert_int_not_equal(store_session_count(st, "T1", "P", &n), STORE_OK);
    assert_int_not_equal(store_irregularity_add(st, "S1", "x", "y", 1, 1), STORE_OK);
    store_close(st);
}

/* Answers are purged once the result is delivered and the paper locked. */
static void test_purge_delivered(void **state)
{
    tmp *t = *state;
    store *st;
    open_ok(t->dir, 1, &st);
    static const uint8_t seed[32] = {1};
    store_session_row a = {.id = "S1", .pack_id = "P", .ticket = "T1", .name = "张三", .level = 4, .room = "01",
                           .seat = 3, .seed = seed, .seed_len = sizeof seed, .state = "running", .active = 1};
    static const uint8_t salt[STORE_PIN_SALT_BYTES], hash[STORE_PIN_HASH_BYTES];
    assert_int_equal(store_begin(st), STORE_OK);
    assert_int_equal(store_unlock_put(st, "P", salt, hash, 1), STORE_OK);
    assert_int_equal(store_session_insert(st, &a), STORE_OK);
    assert_int_equal(store_commit(st), STORE_OK);
    assert_int_equal(store_save_answer(st, "S1", 0, "A", 0, 1, 1), STORE_OK);
    assert_int_equal(store_begin(st), STORE_OK);
    assert_int_equal(store_outbox_add(st, "R1", "S1", 1, seed, 4), STORE_OK);
    assert_int_equal(store_session_finish(st, "S1", "submitted", 1, 0, 2, 10, 0, "RC"), STORE_OK);
    assert_int_equal(store_commit(st), STORE_OK);
    /* delivered, but the paper is still unlocked: kept */
    assert_int_equal(store_outbox_mark_delivered(st, "R1", 5, "sig"), STORE_OK);
    assert_int_equal(q_int(store_db(st), "SELECT count(*) FROM answer"), 1);
    /* locked: purged; the sealed result and its receipt stay */
    assert_int_equal(store_begin(st), STORE_OK);
    assert_int_equal(store_unlock_delete(st, "P"), STORE_OK);
    assert_int_equal(store_commit(st), STORE_OK);
    assert_int_equal(q_int(store_db(st), "SELECT count(*) FROM answer"), 0);
    assert_int_equal(q_int(store_db(st), "SELECT count(*) FROM outbox WHERE receipt='sig'"), 1);
    store_close(st);
}

static void test_outbox(void **state)
{
    tmp *t = *state;
    store *st;
    open_ok(t->dir, 1, &st);
    static const uint8_t sealed[5] = {9, 8, 7, 6, 5};
    assert_int_equal(store_begin(st), STORE_OK);
    assert_int_equal(store_outbox_add(st, "r2", "S1", 10, sealed, sizeof sealed), STORE_OK);
    assert_int_equal(store_outbox_add(st, "r1", "S2", 11, sealed, 3), STORE_OK);
    assert_int_equal(store_outbox_add(st, "r3", "S3", 12, sealed, 1), STORE_OK);
    assert_int_equal(store_commit(st), STORE_OK);
    int pending = -1, delivered = -1;
    assert_int_equal(store_outbox_counts(st, &pending, &delivered), STORE_OK);
    assert_int_equal(pending, 3);
    assert_int_equal(delivered, 0);
    char rid[STORE_ID_MAX + 1];
    uint8_t *got;
    size_t len;
    assert_int_equal(store_outbox_next_pending(st, "", rid, &got, &len), STORE_OK);
    assert_string_equal(rid, "r1"); /* result-id order */
    assert_int_equal(len, 3);
    assert_memory_equal(got, sealed, 3);
    free(got);
    assert_int_equal(store_outbox_mark_delivered(st, "r1", 99, "receipt-1"), STORE_OK);
    assert_int_equal(store_outbox_next_pending(st, "", rid, &got, &len), STORE_OK);
    assert_string_equal(rid, "r2");
    free(got);
    assert_int_equal(store_outbox_next_pending(st, "r2", rid, &got, &len), STORE_OK);
    assert_string_equal(rid, "r3");
    free(got);
    assert_int_equal(store_outbox_next_pending(st, "r3", rid, &got, &len), STORE_NOTFOUND);
    assert_null(got);
    assert_int_equal(store_outbox_mark_exported(st, 123), STORE_OK);
    char buf[256] = "";
    assert_int_equal(store_outbox_each(st, join_outbox, buf), STORE_OK);
    assert_string_equal(buf, "r2/S1/5/p/x;r1/S2/3/d/-;r3/S3/1/p/x;"); /* filing order */
    buf[0] = 0;
    assert_int_equal(store_outbox_each_pending(st, join_outbox, buf), STORE_OK);
    assert_string_equal(buf, "r2/S1/5/p/x;r3/S3/1/p/x;");
    assert_int_equal(store_outbox_counts(st, &pending, &delivered), STORE_OK);
    assert_int_equal(pending, 2);
    assert_int_equal(delivered, 1);
    sqlite3 *o = other_conn(t);
    char *r = q_text(o, "SELECT receipt FROM outbox WHERE result_id='r1'");
    assert_string_equal(r, "receipt-1");
    free(r);
    sqlite3_close(o);
    store_close(st);
}

/* The journal through the store: appends inside a transaction, head, count, verify. */
static void test_journal_via_store(void **state)
{
    tmp *t = *state;
    store *st;
    open_ok(t->dir, 1, &st);
    uint8_t head[JOURNAL_HASH_BYTES], head2[JOURNAL_HASH_BYTES];
    int64_t n = -1;
    assert_int_equal(store_begin(st), STORE_OK);
    assert_int_equal(store_journal_append(st, "S1", "focus_lost", "", 1, 1, NULL), STORE_OK);
    assert_int_equal(store_journal_append(st, "S1", "focus_lost", "", 2, 1, head), STORE_OK);
    assert_int_equal(store_commit(st), STORE_OK);
    assert_int_equal(store_journal(st, "S2", "focus_lost", "", 3, 1), STORE_OK);
    assert_int_equal(store_journal_count(st, "S1", "focus_lost", &n), STORE_OK);
    assert_int_equal(n, 2);
    assert_int_equal(store_journal_head(st, head2, &n), STORE_OK);
    assert_int_equal(n, 3);
    assert_memory_not_equal(head, head2, sizeof head);
    char *why = NULL;
    assert_int_equal(store_journal_verify(st, head, &why), 0);
    assert_memory_equal(head, head2, sizeof head);
    store_close(st);
}

/* ---- the room link (issue 12) ------------------------------------------------------- */

/* A schema-5 database (before the room link) gets the room tables, and its
 * rows stay. */
static void test_migrates_v5_room(void **state)
{
    tmp *t = *state;
    store *st;
    open_ok(t->dir, 1, &st);
    assert_int_equal(store_meta_set(st, "site", "北京"), STORE_OK);
    store_close(st);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(t->db, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "DROP TABLE room_status; DROP TABLE room_inbox; DROP TABLE room_active;"
                                      "PRAGMA user_version=5", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    open_ok(t->dir, 0, &st);
    assert_int_equal(q_int(store_db(st), "PRAGMA user_version"), 6);
    char *v = store_meta_get(st, "site");
    assert_string_equal(v, "北京");
    free(v);
    store_room_status rs;
    assert_int_equal(store_room_status_get(st, &rs), STORE_NOTFOUND);
    uint64_t c = 9;
    assert_int_equal(store_room_inbox_max(st, &c), STORE_OK);
    assert_int_equal(c, 0);
    store_close(st);
}

static void test_room_status(void **state)
{
    tmp *t = *state;
    store *st;
    open_ok(t->dir, 1, &st);
    store_room_status a, b;
    assert_int_equal(store_room_status_get(st, &a), STORE_NOTFOUND);
    memset(&a, 0, sizeof a);
    a.updated_ms = 1750000000123;
    a.phase = 5;
    a.flags = ROOMPROTO_FLAG_PAUSED | ROOMPROTO_FLAG_ENTRY_CLOSED;
    memset(a.pack_id, 0x11, 16);
    memset(a.ticket_tag, 0x22, 16);
    a.answered = 7;
    a.total = 80;
    a.time_left_ms = 3599000;
    a.focus_losses = 3;
    a.journal_count = 1234;
    memset(a.journal_head, 0x33, 32);
    a.name_box_len = ROOMPROTO_NAME_BOX_MAX;
    memset(a.name_box, 0x44, sizeof a.name_box);
    a.last_command = 42;
    assert_int_equal(store_room_status_put(st, &a), STORE_OK);
    assert_int_equal(store_room_status_get(st, &b), STORE_OK);
    assert_memory_equal(&a, &b, sizeof a);
    /* one row, replaced; no name box */
    a.phase = 2;
    a.name_box_len = 0;
    memset(a.name_box, 0, sizeof a.name_box);
    assert_int_equal(store_room_status_put(st, &a), STORE_OK);
    assert_int_equal(store_room_status_get(st, &b), STORE_OK);
    assert_memory_equal(&a, &b, sizeof a);
    assert_int_equal(q_int(store_db(st), "SELECT count(*) FROM room_status"), 1);
    /* examsync's own connection sees it */
    sqlite3 *o = other_conn(t);
    assert_int_equal(q_int(o, "SELECT phase FROM room_status"), 2);
    sqlite3_close(o);
    /* a name box of another length is not one */
    a.name_box_len = 200;
    assert_int_equal(store_room_status_put(st, &a), STORE_CONSTRAINT);
    assert_int_equal(sqlite3_exec(store_db(st), "UPDATE room_status SET name_box = x'0102'", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(store_room_status_get(st, &b), STORE_OK);
    assert_int_equal(b.name_box_len, 0);
    store_close(st);
}

static void test_room_inbox(void **state)
{
    tmp *t = *state;
    store *st;
    open_ok(t->dir, 1, &st);
    uint8_t c1[40], c2[40], buf[ROOMPROTO_CMD_MAX_BYTES];
    memset(c1, 1, sizeof c1);
    memset(c2, 2, sizeof c2);
    uint64_t c = 0, max = 0;
    size_t n = 0;
    assert_int_equal(store_room_inbox_next(st, 0, &c, buf, sizeof buf, &n), STORE_NOTFOUND);
    /* filed out of order, taken in counter order */
    assert_int_equal(store_room_inbox_add(st, 5, c2, sizeof c2, 100), STORE_OK);
    assert_int_equal(store_room_inbox_add(st, 3, c1, sizeof c1, 101), STORE_OK);
    assert_int_equal(store_room_inbox_max(st, &max), STORE_OK);
    assert_int_equal(max, 5);
    assert_int_equal(store_room_inbox_next(st, 0, &c, buf, sizeof buf, &n), STORE_OK);
    assert_int_equal(c, 3);
    assert_int_equal(n, sizeof c1);
    assert_memory_equal(buf, c1, n);
    assert_int_equal(store_room_inbox_next(st, 3, &c, buf, sizeof buf, &n), STORE_OK);
    assert_int_equal(c, 5);
    /* the same counter again is ignored (examsync asked twice) */
    assert_int_equal(store_room_inbox_add(st, 3, c2, sizeof c2, 102), STORE_OK);
    assert_int_equal(store_room_inbox_next(st, 0, &c, buf, sizeof buf, &n), STORE_OK);
    assert_memory_equal(buf, c1, n);
    /* done rows are not taken again */
    assert_int_equal(store_room_inbox_done(st, 3, "done", NULL), STORE_OK);
    assert_int_equal(store_room_inbox_next(st, 0, &c, buf, sizeof buf, &n), STORE_OK);
    assert_int_equal(c, 5);
    /* a refused row: left out of the max (the console sends it again), and
     * replaced by other bytes under its counter */
    assert_int_equal(store_room_inbox_done(st, 5, "refused", "console command: MAC does not verify"), STORE_OK);
    assert_int_equal(store_room_inbox_next(st, 0, &c, buf, sizeof buf, &n), STORE_NOTFOUND);
    assert_int_equal(store_room_inbox_max(st, &max), STORE_OK);
    assert_int_equal(max, 3);
    char *why = q_text(store_db(st), "SELECT why FROM room_inbox WHERE counter = 5");
    assert_string_equal(why, "console command: MAC does not verify");
    free(why);
    assert_int_equal(store_room_inbox_add(st, 5, c2, sizeof c2, 103), STORE_OK); /* the same bytes: no */
    assert_int_equal(store_room_inbox_next(st, 0, &c, buf, sizeof buf, &n), STORE_NOTFOUND);
    assert_int_equal(store_room_inbox_add(st, 5, c1, sizeof c1, 104), STORE_OK); /* other bytes: taken again */
    assert_int_equal(store_room_inbox_next(st, 0, &c, buf, sizeof buf, &n), STORE_OK);
    assert_int_equal(c, 5);
    assert_memory_equal(buf, c1, n);
    /* bounds */
    assert_int_equal(store_room_inbox_add(st, 0, c1, sizeof c1, 1), STORE_CONSTRAINT);
    assert_int_equal(store_room_inbox_add(st, (uint64_t)INT64_MAX + 1, c1, sizeof c1, 1), STORE_CONSTRAINT);
    assert_int_equal(store_room_inbox_add(st, 9, c1, 0, 1), STORE_CONSTRAINT);
    assert_int_equal(store_room_inbox_add(st, 9, buf, ROOMPROTO_CMD_MAX_BYTES + 1, 1), STORE_CONSTRAINT);
    assert_int_equal(store_room_inbox_next(st, 0, &c, buf, 10, &n), STORE_CONSTRAINT);
    assert_int_equal(store_room_inbox_done(st, 5, "maybe", NULL), STORE_CONSTRAINT);
    assert_int_equal(store_room_inbox_done(st, 77, "done", NULL), STORE_NOTFOUND);
    /* the last accepted counter counts for the max */
    assert_int_equal(store_meta_set(st, "room_last_command", "12"), STORE_OK);
    assert_int_equal(store_room_inbox_max(st, &max), STORE_OK);
    assert_int_equal(max, 12);
    assert_int_equal(store_meta_set(st, "room_last_command", "12x"), STORE_OK);
    assert_int_equal(store_room_last_command(st, &max), STORE_CORRUPT);
    /* pruning keeps the newest 200 processed rows and every new one */
    assert_int_equal(store_begin(st), STORE_OK);
    for (uint64_t k = 100; k < 400; k++) {
        assert_int_equal(store_room_inbox_add(st, k, c1, sizeof c1, 1), STORE_OK);
        if (k < 390) assert_int_equal(store_room_inbox_done(st, k, "done", NULL), STORE_OK);
    }
    assert_int_equal(store_commit(st), STORE_OK);
    assert_int_equal(q_int(store_db(st), "SELECT count(*) FROM room_inbox WHERE state <> 'new'"), 200);
    assert_int_equal(q_int(store_db(st), "SELECT count(*) FROM room_inbox WHERE state = 'new'"), 11); /* 5 and 390-399 */
    assert_int_equal(q_int(store_db(st), "SELECT min(counter) FROM room_inbox WHERE state = 'done'"), 190);
    store_close(st);
}

typedef struct jseen {
    int n;
    char types[8][32], data[8][64];
} jseen;
static int see_entry(void *ctx, const journal_entry *je)
{
    jseen *v = ctx;
    if (v->n < 8) {
        snprintf(v->types[v->n], sizeof v->types[v->n], "%s", je->type);
        snprintf(v->data[v->n], sizeof v->data[v->n], "%s", je->data);
    }
    v->n++;
    return 0;
}

/* the counter, the mark and the room_cmd entry commit with the effect's
 * entry, or not at all */
static void test_room_arm(void **state)
{
    tmp *t = *state;
    store *st;
    open_ok(t->dir, 1, &st);
    uint8_t c1[40] = {1};
    assert_int_equal(store_room_inbox_add(st, 7, c1, sizeof c1, 1), STORE_OK);
    uint64_t last = 9;
    assert_int_equal(store_room_last_command(st, &last), STORE_OK);
    assert_int_equal(last, 0);
    store_room_arm_spec a = {7, "pause", "room_cmd", "cmd=pause_all counter=7", "done", NULL};
    /* an entry of another type, and the armed type outside a transaction, do not fire */
    store_room_arm(st, &a);
    assert_int_equal(store_journal(st, "s1", "answer", "x", 1, 1), STORE_OK);
    assert_int_equal(store_journal_append(st, "s1", "pause", "", 1, 1, NULL), STORE_OK); /* autocommit */
    assert_int_equal(store_room_disarm(st), 0);
    assert_int_equal(store_room_last_command(st, &last), STORE_OK);
    assert_int_equal(last, 0);
    /* the effect's commit fails (full disk): nothing of it stays */
    store_room_arm(st, &a);
    store_fail_writes(st, 1);
    assert_int_equal(store_journal(st, "s1", "pause", "", 2, 2), STORE_FULL);
    assert_int_equal(store_room_disarm(st), 1);
    assert_int_equal(store_room_last_command(st, &last), STORE_OK);
    assert_int_equal(last, 0);
    assert_int_equal(q_int(store_db(st), "SELECT count(*) FROM room_inbox WHERE state = 'new'"), 1);
    /* it commits: all together, the room_cmd entry just before the effect's */
    store_room_arm(st, &a);
    assert_int_equal(store_journal(st, "s1", "pause", "", 3, 3), STORE_OK);
    assert_int_equal(store_room_disarm(st), 1);
    assert_int_equal(store_room_last_command(st, &last), STORE_OK);
    assert_int_equal(last, 7);
    assert_int_equal(q_int(store_db(st), "SELECT count(*) FROM room_inbox WHERE state = 'done' AND counter = 7"), 1);
    jseen v = {0};
    assert_int_equal(store_journal_each(st, "s1", see_entry, &v), STORE_OK);
    assert_int_equal(v.n, 4);
    assert_string_equal(v.types[2], "room_cmd");
    assert_string_equal(v.data[2], "cmd=pause_all counter=7");
    assert_string_equal(v.types[3], "pause");
    /* once: a second entry of the type does not write again */
    assert_int_equal(store_journal(st, "s1", "pause", "", 4, 4), STORE_OK);
    assert_int_equal(store_journal_count(st, "s1", "room_cmd", &(int64_t){0}), STORE_OK);
    int64_t rc_count = 0;
    assert_int_equal(store_journal_count(st, "s1", "room_cmd", &rc_count), STORE_OK);
    assert_int_equal(rc_count, 1);
    /* a refusal of an authentic command: no extra entry, marked refused */
    assert_int_equal(store_room_inbox_add(st, 8, c1, sizeof c1, 1), STORE_OK);
    store_room_arm_spec r = {8, "room_refused", NULL, NULL, "refused", "over the cap"};
    store_room_arm(st, &r);
    assert_int_equal(store_journal(st, "", "room_refused", "cmd=extend counter=8", 5, 5), STORE_OK);
    assert_int_equal(store_room_disarm(st), 1);
    assert_int_equal(store_room_last_command(st, &last), STORE_OK);
    assert_int_equal(last, 8);
    char *why = q_text(store_db(st), "SELECT state || ':' || why FROM room_inbox WHERE counter = 8");
    assert_string_equal(why, "refused:over the cap");
    free(why);
    /* a counter with no inbox row (pruned) still holds */
    store_room_arm_spec g = {11, "lock", "room_cmd", "cmd=lock counter=11", "done", NULL};
    store_room_arm(st, &g);
    assert_int_equal(store_begin(st), STORE_OK);
    assert_int_equal(store_journal_append(st, "", "lock", "p", 6, 6, NULL), STORE_OK);
    assert_int_equal(store_commit(st), STORE_OK);
    assert_int_equal(store_room_disarm(st), 1);
    assert_int_equal(store_room_last_command(st, &last), STORE_OK);
    assert_int_equal(last, 11);
    /* the chain still verifies */
    char *vwhy = NULL;
    uint8_t head[32];
    assert_int_equal(store_journal_verify_keyed(st, NULL, head, NULL, &vwhy), STORE_OK);
    free(vwhy);
    store_close(st);
}

static void test_room_active(void **state)
{
    tmp *t = *state;
    store *st;
    open_ok(t->dir, 1, &st);
    uint8_t a[100], b[60], buf[ROOMPROTO_ACTIVE_MAX_BYTES];
    memset(a, 0xa, sizeof a);
    memset(b, 0xb, sizeof b);
    size_t n = 0;
    assert_int_equal(store_room_active_get(st, buf, sizeof buf, &n), STORE_NOTFOUND);
    assert_int_equal(store_room_active_put(st, a, sizeof a), STORE_OK);
    assert_int_equal(store_room_active_put(st, b, sizeof b), STORE_OK);
    assert_int_equal(store_room_active_get(st, buf, sizeof buf, &n), STORE_OK);
    assert_int_equal(n, sizeof b);
    assert_memory_equal(buf, b, n);
    assert_int_equal(store_room_active_get(st, buf, 10, &n), STORE_CONSTRAINT);
    assert_int_equal(store_room_active_put(st, a, 0), STORE_CONSTRAINT);
    assert_int_equal(store_room_active_put(st, buf, ROOMPROTO_ACTIVE_MAX_BYTES + 1), STORE_CONSTRAINT);
    store_close(st);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, tmp_setup, tmp_teardown)
    const struct CMUnitTest tests[] = {
        T(test_create_schema_and_pragmas),
        T(test_reopen_keeps_data),
        T(test_no_database_without_create),
        T(test_newer_schema_refused),
        T(test_migrates_empty_database),
        T(test_migrates_v1_outbox),
        T(test_migrates_v2_unlock),
        T(test_save_answer),
        T(test_journal_entry),
        T(test_fail_writes),
        T(test_transactions),
        T(test_packs_and_rosters),
        T(test_unlock_state),
        T(test_extensions),
        T(test_sessions),
        T(test_purge_delivered),
        T(test_outbox),
        T(test_journal_via_store),
        T(test_migrates_v5_room),
        T(test_room_status),
        T(test_room_inbox),
        T(test_room_arm),
        T(test_room_active),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
