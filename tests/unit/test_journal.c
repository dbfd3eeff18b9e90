/* Unit tests for core/journal.c: hash layout, chaining, tamper detection,
 * transactions. */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>
#include <sqlite3.h>

#include "core/journal.h"

#define N_ENTRIES 100

static const uint8_t ZERO[JOURNAL_HASH_BYTES];

static int group_setup(void **state)
{
    (void)state;
    return sodium_init() < 0 ? -1 : 0;
}

static void exec_ok(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &err);
    if (rc != SQLITE_OK) fail_msg("%s: %s", sql, err ? err : "?");
}

static sqlite3 *open_db(const char *path)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    exec_ok(db, JOURNAL_SCHEMA_V1);
    /* the keyid column, unless this file already has it (opened again) */
    (void)sqlite3_exec(db, JOURNAL_SCHEMA_V3, NULL, NULL, NULL);
    return db;
}

/* deterministic contents of entry i (1-based) */
static int64_t mono_of(int i) { return 1000LL * i + 7; }
static int64_t wall_of(int i) { return 1700000000LL + i; }
static void session_of(int i, char *buf, size_t n) { snprintf(buf, n, i % 10 == 0 ? "" : "S-%d", i % 3); }
static const char *type_of(int i)
{
    static const char *types[] = {"unlock", "login", "answer", "flag", "pause", "answer"};
    return types[i % 6];
}
static void data_of(int i, char *buf, size_t n) { snprintf(buf, n, i % 7 == 0 ? "" : "q%d=%c ‘é’", i, 'A' + i % 4); }

/* Appends entries 1..N_ENTRIES in one transaction; returns the last head
 * reported by journal_append. */
static void fill(sqlite3 *db, uint8_t head[JOURNAL_HASH_BYTES])
{
    exec_ok(db, "BEGIN");
    for (int i = 1; i <= N_ENTRIES; i++) {
        char s[32], d[64];
        session_of(i, s, sizeof s);
        data_of(i, d, sizeof d);
        uint8_t h[JOURNAL_HASH_BYTES], h2[JOURNAL_HASH_BYTES];
        int64_t count = -1;
        assert_int_equal(journal_append(db, mono_of(i), wall_of(i), s, type_of(i), d, h), SQLITE_OK);
        /* the append stays inside the caller's transaction */
        assert_int_equal(sqlite3_get_autocommit(db), 0);
        assert_int_equal(journal_head(db, h2, &count), SQLITE_OK);
        assert_memory_equal(h, h2, JOURNAL_HASH_BYTES);
        assert_int_equal(count, i);
        if (head) memcpy(head, h, JOURNAL_HASH_BYTES);
    }
    exec_ok(db, "COMMIT");
}

/* Chains journal_hash independently of the database. */
static void expected_head(int n, uint8_t out[JOURNAL_HASH_BYTES])
{
    uint8_t prev[JOURNAL_HASH_BYTES] = {0};
    for (int i = 1; i <= n; i++) {
        char s[32], d[64];
        session_of(i, s, sizeof s);
        data_of(i, d, sizeof d);
        journal_entry e = {.seq = i, .mono_ms = mono_of(i), .wall = wall_of(i), .session = s, .type = type_of(i), .data = d};
        journal_hash(prev, &e, NULL, prev);
    }
    memcpy(out, prev, JOURNAL_HASH_BYTES);
}

static void stored_hash(sqlite3 *db, int64_t seq, uint8_t out[JOURNAL_HASH_BYTES])
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT hash FROM journal WHERE seq = ?", -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_int64(st, 1, seq);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_bytes(st, 0), JOURNAL_HASH_BYTES);
    memcpy(out, sqlite3_column_blob(st, 0), JOURNAL_HASH_BYTES);
    sqlite3_finalize(st);
}

static int64_t count_rows(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM journal", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* a printable image of one row, types and bytes included, to check that an
 * edit really changed something */
static void row_image(sqlite3 *db, int seq, char *out, size_t n)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT quote(mono_ms) || typeof(mono_ms) || quote(wall) || typeof(wall) || "
                                        "hex(session) || typeof(session) || hex(type) || typeof(type) || hex(data) || "
                                        "typeof(data) || hex(hash) || typeof(hash) FROM journal WHERE seq = ?",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_int(st, 1, seq);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    snprintf(out, n, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
}

/* verify must fail and name entry SEQ with TEXT in its message */
static void expect_bad(sqlite3 *db, int64_t seq, const char *text)
{
    uint8_t head[JOURNAL_HASH_BYTES];
    char *why = NULL;
    assert_int_equal(journal_verify(db, head, &why), -1);
    assert_non_null(why);
    char name[48];
    snprintf(name, sizeof name, "journal entry %" PRId64 " ", seq);
    if (!strstr(why, name) || !strstr(why, text)) fail_msg("expected \"%s…%s\", got \"%s\"", name, text, why);
    free(why);
}

static void expect_good(sqlite3 *db, uint8_t head[JOURNAL_HASH_BYTES])
{
    char *why = NULL;
    int rc = journal_verify(db, head, &why);
    if (rc != 0) fail_msg("verify failed: %s", why ? why : "(no reason)");
    assert_null(why);
}

static void hex32(const char *hex, uint8_t out[32])
{
    size_t bin_len = 0;
    assert_int_equal(sodium_hex2bin(out, 32, hex, strlen(hex), NULL, &bin_len, NULL), 0);
    assert_int_equal(bin_len, 32);
}

/* ---- tests --------------------------------------------------------------- */

static void test_known_answer(void **state)
{
    (void)state;
    journal_entry e = {.seq = 1, .mono_ms = 123456789, .wall = 1700000000, .session = "s-42", .type = "answer", .data = "q3=B"};
    uint8_t got[JOURNAL_HASH_BYTES];
    journal_hash(ZERO, &e, NULL, got);

    /* the exact byte layout, built by hand */
    uint8_t msg[256];
    size_t n = 0;
    memset(msg, 0, 32);
    n = 32;
    const uint8_t nums[24] = {
        0x01, 0, 0, 0, 0, 0, 0, 0,                         /* seq 1 */
        0x15, 0xcd, 0x5b, 0x07, 0, 0, 0, 0,                /* 123456789 = 0x075BCD15 */
        0x00, 0xf1, 0x53, 0x65, 0, 0, 0, 0,                /* 1700000000 = 0x6553F100 */
    };
    memcpy(msg + n, nums, sizeof nums);
    n += sizeof nums;
    memcpy(msg + n, "s-42\0answer\0q3=B\0", 17);
    n += 17;
    uint8_t want[JOURNAL_HASH_BYTES];
    assert_int_equal(crypto_generichash(want, sizeof want, msg, n, NULL, 0), 0);
    assert_memory_equal(got, want, JOURNAL_HASH_BYTES);

    /* and against a value from a separate BLAKE2b implementation (Python hashlib) */
    uint8_t ref[32];
    hex32("f6aae26fbcd69284e70bf52e6bed7ab9563786fb4c34825e238caa79992272df", ref);
    assert_memory_equal(got, ref, 32);
}

static void test_known_answer_prev_negative_empty(void **state)
{
    (void)state;
    uint8_t prev[32];
    for (int i = 0; i < 32; i++) prev[i] = (uint8_t)i;
    journal_entry e = {.seq = 7, .mono_ms = -5, .wall = 0, .session = "", .type = "login", .data = "élève"};
    uint8_t got[32], ref[32];
    journal_hash(prev, &e, NULL, got);
    hex32("005b2fbb013bfe427035adf55b8c040734b529bcb8683fc4d6d0f8cb19d67dce", ref);
    assert_memory_equal(got, ref, 32);

    /* every field and the previous hash change the result */
    uint8_t other[32];
    journal_entry f = e;
    f.seq = 8;
    journal_hash(prev, &f, NULL, other);
    assert_memory_not_equal(got, other, 32);
    f = e;
    f.mono_ms = -4;
    journal_hash(prev, &f, NULL, other);
    assert_memory_not_equal(got, other, 32);
    f = e;
    f.wall = 1;
    journal_hash(prev, &f, NULL, other);
    assert_memory_not_equal(got, other, 32);
    f = e;
    f.session = "x";
    journal_hash(prev, &f, NULL, other);
    assert_memory_not_equal(got, other, 32);
    f = e;
    f.type = "logi";
    journal_hash(prev, &f, NULL, other);
    assert_memory_not_equal(got, other, 32);
    f = e;
    f.data = "élèv";
    journal_hash(prev, &f, NULL, other);
    assert_memory_not_equal(got, other, 32);
    /* the 0 separators keep field boundaries apart */
    journal_entry g1 = {.seq = 1, .session = "ab", .type = "c", .data = ""};
    journal_entry g2 = {.seq = 1, .session = "a", .type = "bc", .data = ""};
    uint8_t h1[32], h2[32];
    journal_hash(ZERO, &g1, NULL, h1);
    journal_hash(ZERO, &g2, NULL, h2);
    assert_memory_not_equal(h1, h2, 32);
    journal_hash(ZERO, &e, NULL, other);
    assert_memory_not_equal(got, other, 32);
}

static void test_empty(void **state)
{
    (void)state;
    sqlite3 *db = open_db(":memory:");
    uint8_t head[32];
    int64_t count = -1;
    memset(head, 0xAA, sizeof head);
    assert_int_equal(journal_head(db, head, &count), SQLITE_OK);
    assert_memory_equal(head, ZERO, 32);
    assert_int_equal(count, 0);
    memset(head, 0xAA, sizeof head);
    expect_good(db, head);
    assert_memory_equal(head, ZERO, 32);
    /* NULL outputs are allowed */
    assert_int_equal(journal_head(db, NULL, NULL), SQLITE_OK);
    assert_int_equal(journal_verify(db, NULL, NULL), 0);
    sqlite3_close(db);
}

static void test_append_verify_100(void **state)
{
    (void)state;
    sqlite3 *db = open_db(":memory:");
    uint8_t appended[32], head[32], verified[32], stored[32], chained[32];
    int64_t count = 0;
    fill(db, appended);
    assert_int_equal(journal_head(db, head, &count), SQLITE_OK);
    assert_int_equal(count, N_ENTRIES);
    expect_good(db, verified);
    stored_hash(db, N_ENTRIES, stored);
    expected_head(N_ENTRIES, chained);
    assert_memory_equal(head, stored, 32);
    assert_memory_equal(head, chained, 32);
    assert_memory_equal(head, verified, 32);
    assert_memory_equal(head, appended, 32);
    assert_memory_not_equal(head, ZERO, 32);

    /* seq runs 1..N and every stored field is what was appended */
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT seq, mono_ms, wall, session, type, data FROM journal ORDER BY seq", -1,
                                        &st, NULL),
                     SQLITE_OK);
    int i = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        i++;
        char s[32], d[64];
        session_of(i, s, sizeof s);
        data_of(i, d, sizeof d);
        assert_int_equal(sqlite3_column_int64(st, 0), i);
        assert_int_equal(sqlite3_column_int64(st, 1), mono_of(i));
        assert_int_equal(sqlite3_column_int64(st, 2), wall_of(i));
        assert_string_equal((const char *)sqlite3_column_text(st, 3), s);
        assert_string_equal((const char *)sqlite3_column_text(st, 4), type_of(i));
        assert_string_equal((const char *)sqlite3_column_text(st, 5), d);
    }
    sqlite3_finalize(st);
    assert_int_equal(i, N_ENTRIES);

    /* appending more continues the chain */
    uint8_t h101[32], prev[32];
    assert_int_equal(journal_append(db, 5, 6, "S-9", "pause", "", h101), SQLITE_OK);
    memcpy(prev, chained, 32);
    journal_entry e = {.seq = N_ENTRIES + 1, .mono_ms = 5, .wall = 6, .session = "S-9", .type = "pause", .data = ""};
    uint8_t want[32];
    journal_hash(prev, &e, NULL, want);
    assert_memory_equal(h101, want, 32);
    expect_good(db, verified);
    assert_memory_equal(verified, want, 32);
    sqlite3_close(db);
}

static void test_null_strings_are_empty(void **state)
{
    (void)state;
    sqlite3 *db = open_db(":memory:");
    uint8_t h[32], want[32];
    assert_int_equal(journal_append(db, 1, 2, NULL, "unlock", NULL, h), SQLITE_OK);
    journal_entry e = {.seq = 1, .mono_ms = 1, .wall = 2, .session = "", .type = "unlock", .data = ""};
    journal_hash(ZERO, &e, NULL, want);
    assert_memory_equal(h, want, 32);
    assert_int_equal(journal_append(db, 3, 4, "", "x", "", NULL), SQLITE_OK);
    expect_good(db, h);
    sqlite3_close(db);
}

/* Every editable field of several rows, edited one at a time. */
static void test_edit_any_field_detected(void **state)
{
    (void)state;
    static const char *edits[] = { /* SET clauses */
        "data = data || 'x'",
        "data = 'q1=Z'",
        "type = 'flag2'",
        "mono_ms = mono_ms - 1",
        "session = session || 'X'",
        "wall = wall + 3600",
        "hash = zeroblob(32)",
        "hash = substr(hash, 1, 31)",
        /* the right 32 bytes followed by more */
        "hash = CAST(hash || x'00' AS BLOB)",
        /* the right bytes, stored as text */
        "hash = CAST(hash AS TEXT)",
        /* text that still reads as the same number through sqlite3_column_int64 */
        "mono_ms = CAST(mono_ms AS TEXT) || 'ms'",
        "wall = CAST(wall AS TEXT) || '.0s'",
        /* an embedded 0 byte hidden after the visible text */
        "data = CAST(CAST(data AS BLOB) || x'0041' AS TEXT)",
        "data = CAST(data AS BLOB)",
    };
    static const int rows[] = {1, 2, 17, 50, N_ENTRIES - 1, N_ENTRIES};
    sqlite3 *db = open_db(":memory:");
    fill(db, NULL);
    for (size_t k = 0; k < sizeof edits / sizeof edits[0]; k++) {
        for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
            char sql[256];
            snprintf(sql, sizeof sql, "UPDATE journal SET %s WHERE seq = %d", edits[k], rows[r]);
            exec_ok(db, "SAVEPOINT edit");
            char before[512], after[512];
            row_image(db, rows[r], before, sizeof before);
            exec_ok(db, sql);
            assert_int_equal(sqlite3_changes(db), 1);
            row_image(db, rows[r], after, sizeof after);
            if (!strcmp(before, after)) fail_msg("edit \"%s\" left row %d unchanged", sql, rows[r]);
            expect_bad(db, rows[r], "does not match its hash");
            exec_ok(db, "ROLLBACK TO edit");
            exec_ok(db, "RELEASE edit");
        }
    }
    /* undoing every edit restores a good chain */
    uint8_t head[32], chained[32];
    expect_good(db, head);
    expected_head(N_ENTRIES, chained);
    assert_memory_equal(head, chained, 32);
    sqlite3_close(db);
}

static void test_message_names_type(void **state)
{
    (void)state;
    sqlite3 *db = open_db(":memory:");
    fill(db, NULL);
    /* entry 14: type_of(14) == "answer" */
    assert_string_equal(type_of(14), "answer");
    exec_ok(db, "UPDATE journal SET data = 'q14=D' WHERE seq = 14");
    char *why = NULL;
    assert_int_equal(journal_verify(db, NULL, &why), -1);
    assert_non_null(why);
    assert_string_equal(why, "journal entry 14 (answer) does not match its hash: the log was altered");
    free(why);
    /* with why == NULL the failure is still reported */
    assert_int_equal(journal_verify(db, NULL, NULL), -1);
    sqlite3_close(db);
}

static void test_delete_middle_detected(void **state)
{
    (void)state;
    sqlite3 *db = open_db(":memory:");
    fill(db, NULL);
    exec_ok(db, "DELETE FROM journal WHERE seq = 50");
    expect_bad(db, 50, "missing");
    sqlite3_close(db);

    db = open_db(":memory:");
    fill(db, NULL);
    exec_ok(db, "DELETE FROM journal WHERE seq = 1");
    expect_bad(db, 1, "missing");
    sqlite3_close(db);

    /* renumbering the rest after a deletion breaks the hashes instead */
    db = open_db(":memory:");
    fill(db, NULL);
    exec_ok(db, "DELETE FROM journal WHERE seq = 30; UPDATE journal SET seq = seq - 1 WHERE seq > 30");
    expect_bad(db, 30, "does not match its hash");
    sqlite3_close(db);
}

static void test_delete_last_changes_head(void **state)
{
    (void)state;
    sqlite3 *db = open_db(":memory:");
    uint8_t before[32], after[32], h99[32], chained[32];
    int64_t count = 0;
    fill(db, NULL);
    expect_good(db, before);
    stored_hash(db, N_ENTRIES - 1, h99);
    exec_ok(db, "DELETE FROM journal WHERE seq = (SELECT max(seq) FROM journal)");
    /* undetectable from the chain alone ... */
    expect_good(db, after);
    /* ... but the head no longer equals the signed one */
    assert_memory_not_equal(before, after, 32);
    assert_memory_equal(after, h99, 32);
    expected_head(N_ENTRIES - 1, chained);
    assert_memory_equal(after, chained, 32);
    assert_int_equal(journal_head(db, after, &count), SQLITE_OK);
    assert_int_equal(count, N_ENTRIES - 1);
    assert_memory_equal(after, h99, 32);
    sqlite3_close(db);
}

static void test_swap_detected(void **state)
{
    (void)state;
    sqlite3 *db = open_db(":memory:");
    fill(db, NULL);
    /* swap the data of entries 20 and 40 (they differ: q20=A… vs q40=A…) */
    exec_ok(db, "UPDATE journal SET data = CASE seq WHEN 20 THEN (SELECT data FROM journal WHERE seq = 40) "
                "ELSE (SELECT data FROM journal WHERE seq = 20) END WHERE seq IN (20, 40)");
    assert_int_equal(sqlite3_changes(db), 2);
    expect_bad(db, 20, "does not match its hash");
    sqlite3_close(db);

    /* swapping whole rows (reordering, hashes carried along) */
    db = open_db(":memory:");
    fill(db, NULL);
    exec_ok(db, "UPDATE journal SET seq = -1 WHERE seq = 10; UPDATE journal SET seq = 10 WHERE seq = 11; "
                "UPDATE journal SET seq = 11 WHERE seq = -1");
    expect_bad(db, 10, "does not match its hash");
    sqlite3_close(db);

    /* a row with seq 0 in front */
    db = open_db(":memory:");
    fill(db, NULL);
    exec_ok(db, "INSERT INTO journal SELECT 0, mono_ms, wall, session, type, data, hash, keyid FROM journal WHERE seq = 1");
    expect_bad(db, 0, "out of sequence");
    sqlite3_close(db);
}

static void test_rollback_leaves_nothing(void **state)
{
    (void)state;
    sqlite3 *db = open_db(":memory:");
    uint8_t head[32], h[32];
    int64_t count = -1;
    exec_ok(db, "BEGIN");
    for (int i = 0; i < 5; i++) assert_int_equal(journal_append(db, i, i, "S", "answer", "x", h), SQLITE_OK);
    assert_int_equal(journal_head(db, head, &count), SQLITE_OK);
    assert_int_equal(count, 5);
    exec_ok(db, "ROLLBACK");
    assert_int_equal(journal_head(db, head, &count), SQLITE_OK);
    assert_int_equal(count, 0);
    assert_memory_equal(head, ZERO, 32);
    expect_good(db, head);
    assert_memory_equal(head, ZERO, 32);

    /* with entries already committed: the rolled-back ones vanish, seq resumes */
    fill(db, NULL);
    uint8_t committed[32];
    assert_int_equal(journal_head(db, committed, &count), SQLITE_OK);
    exec_ok(db, "BEGIN");
    assert_int_equal(journal_append(db, 1, 1, "S", "answer", "gone", NULL), SQLITE_OK);
    exec_ok(db, "ROLLBACK");
    assert_int_equal(journal_head(db, head, &count), SQLITE_OK);
    assert_int_equal(count, N_ENTRIES);
    assert_memory_equal(head, committed, 32);
    assert_int_equal(journal_append(db, 1, 1, "S", "answer", "kept", NULL), SQLITE_OK);
    assert_int_equal(journal_head(db, head, &count), SQLITE_OK);
    assert_int_equal(count, N_ENTRIES + 1);
    expect_good(db, NULL);
    sqlite3_close(db);
}

/* a temporary directory for a file database, removed even when a test fails */
typedef struct tmpdb {
    char dir[32];
    char path[64];
} tmpdb;

static int tmpdb_setup(void **state)
{
    tmpdb *t = calloc(1, sizeof *t);
    if (!t) return -1;
    snprintf(t->dir, sizeof t->dir, "/tmp/test_journal.XXXXXX");
    if (!mkdtemp(t->dir)) {
        free(t);
        return -1;
    }
    snprintf(t->path, sizeof t->path, "%s/kiosk.db", t->dir);
    *state = t;
    return 0;
}

static int tmpdb_teardown(void **state)
{
    tmpdb *t = *state;
    char f[80];
    snprintf(f, sizeof f, "%s-wal", t->path);
    unlink(f);
    snprintf(f, sizeof f, "%s-shm", t->path);
    unlink(f);
    unlink(t->path);
    int rc = rmdir(t->dir);
    free(t);
    return rc;
}

static void test_file_db_persists(void **state)
{
    const tmpdb *t = *state;
    sqlite3 *db = open_db(t->path);
    exec_ok(db, "PRAGMA journal_mode=WAL");
    uint8_t head[32], again[32];
    fill(db, head);
    sqlite3_close(db);

    db = open_db(t->path);
    expect_good(db, again);
    assert_memory_equal(head, again, 32);
    exec_ok(db, "UPDATE journal SET session = 'S-0' WHERE seq = 77 AND session <> 'S-0'");
    assert_int_equal(sqlite3_changes(db), 1);
    sqlite3_close(db);

    db = open_db(t->path);
    expect_bad(db, 77, "does not match its hash");
    sqlite3_close(db);
}

static void test_errors(void **state)
{
    (void)state;
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    /* no table */
    uint8_t h[32];
    int64_t count;
    assert_int_not_equal(journal_append(db, 1, 1, "", "x", "", h), SQLITE_OK);
    assert_int_not_equal(journal_head(db, h, &count), SQLITE_OK);
    char *why = NULL;
    assert_int_equal(journal_verify(db, h, &why), -1);
    assert_non_null(why);
    assert_non_null(strstr(why, "journal"));
    free(why);

    /* a damaged last hash is not chained onto */
    exec_ok(db, JOURNAL_SCHEMA_V1);
    exec_ok(db, JOURNAL_SCHEMA_V3);
    assert_int_equal(journal_append(db, 1, 1, "", "x", "", h), SQLITE_OK);
    exec_ok(db, "UPDATE journal SET hash = x'00'");
    assert_int_not_equal(journal_append(db, 2, 2, "", "y", "", h), SQLITE_OK);
    assert_int_not_equal(journal_head(db, h, &count), SQLITE_OK);
    assert_int_equal(count_rows(db), 1);
    sqlite3_close(db);
}

/* ---- keyed entries (sealed by an unlocked pack) ------------------------------- */

static void keyed_fixture(sqlite3 *db, journal_key *k)
{
    static const uint8_t content[32] = {1, 2, 3, 4};
    journal_key_derive(k, "PACK1", content);
    exec_ok(db, "BEGIN");
    assert_int_equal(journal_append(db, 1, 1, "", "kiosk_start", "", NULL), SQLITE_OK);
    assert_int_equal(journal_append_keyed(db, k, 2, 2, "", "unlock", "pack=PACK1", NULL), SQLITE_OK);
    for (int i = 0; i < 6; i++)
        assert_int_equal(journal_append_keyed(db, k, 10 + i, 10, "S1", i % 2 ? "extend" : "answer", "minutes=5", NULL),
                         SQLITE_OK);
    assert_int_equal(journal_append_keyed(db, k, 20, 20, "S1", "handin", "", NULL), SQLITE_OK);
    exec_ok(db, "COMMIT");
}

static void test_keyed_verify(void **state)
{
    (void)state;
    sqlite3 *db = open_db(":memory:");
    journal_key k;
    keyed_fixture(db, &k);
    uint8_t h1[JOURNAL_HASH_BYTES], h2[JOURNAL_HASH_BYTES];
    journal_check c;
    char *why = NULL;
    /* with the key: every sealed entry recomputed */
    if (journal_verify_keyed(db, &k, "S1", h1, &c, &why)) fail_msg("%s", why);
    assert_int_equal(c.entries, 9);
    assert_int_equal(c.keyed, 8);
    assert_int_equal(c.foreign, 0);
    /* without: the shape only, the same head */
    assert_int_equal(journal_verify_keyed(db, NULL, NULL, h2, &c, &why), 0);
    assert_int_equal(c.foreign, 8);
    assert_memory_equal(h1, h2, sizeof h1);
    /* the sealed hash is not the plain one */
    int64_t n = 0;
    assert_int_equal(journal_head(db, h2, &n), SQLITE_OK);
    journal_entry last = {.seq = 9, .mono_ms = 20, .wall = 20, .session = "S1", .type = "handin", .data = "",
                          .keyid = "PACK1"};
    uint8_t plain[JOURNAL_HASH_BYTES], prev[JOURNAL_HASH_BYTES];
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT hash FROM journal WHERE seq=8", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    memcpy(prev, sqlite3_column_blob(st, 0), sizeof prev);
    sqlite3_finalize(st);
    journal_hash(prev, &last, NULL, plain);
    assert_memory_not_equal(plain, h2, sizeof plain);
    journal_hash(prev, &last, k.chain, plain);
    assert_memory_equal(plain, h2, sizeof plain);
    /* the right id with the wrong key bytes: refused */
    journal_key wrong = k;
    wrong.chain[0] ^= 1;
    assert_int_equal(journal_verify_keyed(db, &wrong, NULL, h2, &c, &why), -1);
    assert_non_null(strstr(why, "does not match"));
    free(why);
    sqlite3_close(db);
}

/* The attack of issue 10: extensions deleted, every entry chained again with
 * plain hashes. The shape verifies; the pack's key does not. */
static void test_keyed_rechain_detected(void **state)
{
    (void)state;
    sqlite3 *db = open_db(":memory:");
    journal_key k;
    keyed_fixture(db, &k);
    exec_ok(db, "DELETE FROM journal WHERE type='extend'");
    exec_ok(db, "CREATE TABLE old AS SELECT * FROM journal ORDER BY seq; DELETE FROM journal;");
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT mono_ms, wall, session, type, data FROM old ORDER BY seq", -1, &st,
                                        NULL), SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW)
        assert_int_equal(journal_append(db, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
                                        (const char *)sqlite3_column_text(st, 2), (const char *)sqlite3_column_text(st, 3),
                                        (const char *)sqlite3_column_text(st, 4), NULL),
                         SQLITE_OK);
    sqlite3_finalize(st);
    uint8_t h[JOURNAL_HASH_BYTES];
    char *why = NULL;
    assert_int_equal(journal_verify(db, h, &why), 0); /* what examsync status can see */
    assert_int_equal(journal_verify_keyed(db, &k, "S1", h, NULL, &why), -1);
    assert_non_null(strstr(why, "not sealed by its pack"));
    free(why);
    /* relabelled as sealed, with made-up hashes: the key does not match */
    exec_ok(db, "UPDATE journal SET keyid='PACK1' WHERE session='S1'");
    assert_int_equal(journal_verify_keyed(db, &k, "S1", h, NULL, &why), -1);
    assert_non_null(strstr(why, "does not match"));
    free(why);
    sqlite3_close(db);
}

typedef struct seen {
    int n;
    char types[256];
} seen;
static int see(void *ctx, const journal_entry *e)
{
    seen *s = ctx;
    s->n++;
    snprintf(s->types + strlen(s->types), sizeof s->types - strlen(s->types), "%s%s:%s", s->n > 1 ? " " : "", e->type,
             *e->keyid ? "k" : "-");
    return 0;
}

static void test_each_and_digest(void **state)
{
    (void)state;
    sqlite3 *db = open_db(":memory:");
    journal_key k;
    keyed_fixture(db, &k);
    seen a = {0}, b = {0}, c = {0};
    assert_int_equal(journal_each(db, "S1", see, &a), SQLITE_OK);
    assert_int_equal(journal_each(db, "", see, &b), SQLITE_OK);
    assert_int_equal(journal_each(db, NULL, see, &c), SQLITE_OK);
    assert_string_equal(a.types, "answer:k extend:k answer:k extend:k answer:k extend:k handin:k");
    assert_string_equal(b.types, "kiosk_start:- unlock:k");
    assert_int_equal(c.n, 9);
    /* answer digests: keyed, and bound to sitting, item and flag */
    uint8_t d1[JOURNAL_DIGEST_BYTES], d2[JOURNAL_DIGEST_BYTES];
    journal_answer_digest(&k, "S1", 0, 0, "A", d1);
    journal_answer_digest(&k, "S1", 0, 0, "A", d2);
    assert_memory_equal(d1, d2, sizeof d1);
    journal_answer_digest(&k, "S1", 1, 0, "A", d2);
    assert_memory_not_equal(d1, d2, sizeof d1);
    journal_answer_digest(&k, "S1", 0, 1, "A", d2);
    assert_memory_not_equal(d1, d2, sizeof d1);
    journal_answer_digest(&k, "S2", 0, 0, "A", d2);
    assert_memory_not_equal(d1, d2, sizeof d1);
    journal_key k2 = k;
    k2.answers[5] ^= 1;
    journal_answer_digest(&k2, "S1", 0, 0, "A", d2);
    assert_memory_not_equal(d1, d2, sizeof d1);
    sqlite3_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_answer),
        cmocka_unit_test(test_known_answer_prev_negative_empty),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_append_verify_100),
        cmocka_unit_test(test_null_strings_are_empty),
        cmocka_unit_test(test_edit_any_field_detected),
        cmocka_unit_test(test_message_names_type),
        cmocka_unit_test(test_delete_middle_detected),
        cmocka_unit_test(test_delete_last_changes_head),
        cmocka_unit_test(test_swap_detected),
        cmocka_unit_test(test_rollback_leaves_nothing),
        cmocka_unit_test_setup_teardown(test_file_db_persists, tmpdb_setup, tmpdb_teardown),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_keyed_verify),
        cmocka_unit_test(test_keyed_rechain_detected),
        cmocka_unit_test(test_each_and_digest),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
