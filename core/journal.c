/* journal: the hash-chained log of a sitting (see journal.h). */
#include "core/journal.h"

#include <inttypes.h>
#include <stdio.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/fileio.h"
#include "core/le.h"

/* The table as schema version 1 of the kiosk database made it, and the keyid
 * column its version 3 added (core/store.c runs each in its migration; the
 * entries of older files keep keyid "", the plain hash they were made with). */
const char JOURNAL_SCHEMA_V1[] =
    "CREATE TABLE IF NOT EXISTS journal(seq INTEGER PRIMARY KEY, mono_ms INTEGER NOT NULL, "
    "wall INTEGER NOT NULL, session TEXT NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL, "
    "hash BLOB NOT NULL);";
const char JOURNAL_SCHEMA_V3[] = "ALTER TABLE journal ADD COLUMN keyid TEXT NOT NULL DEFAULT '';";

static const char SQL_LAST[] = "SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1";
static const char SQL_INSERT[] =
    "INSERT INTO journal(seq, mono_ms, wall, session, type, data, hash, keyid) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
static const char SQL_COUNT[] = "SELECT count(*) FROM journal";
static const char SQL_ALL[] = "SELECT seq, mono_ms, wall, session, type, data, hash, keyid FROM journal ORDER BY seq";
static const char SQL_SESSION[] =
    "SELECT seq, mono_ms, wall, session, type, data, keyid FROM journal WHERE ?1 IS NULL OR session=?1 ORDER BY seq";

void journal_key_derive(journal_key *k, const char *id, const uint8_t content_key[32])
{
    snprintf(k->id, sizeof k->id, "%s", id);
    crypto_kdf_derive_from_key(k->chain, sizeof k->chain, 1, "examjrnl", content_key);
    crypto_kdf_derive_from_key(k->answers, sizeof k->answers, 2, "examjrnl", content_key);
    crypto_kdf_derive_from_key(k->rest, sizeof k->rest, 3, "examjrnl", content_key);
}

/* a string and its terminating 0 byte */
static void hash_str(crypto_generichash_state *st, const char *s)
{
    if (!s) s = "";
    crypto_generichash_update(st, (const unsigned char *)s, strlen(s) + 1);
}

void journal_hash(const uint8_t prev[JOURNAL_HASH_BYTES], const journal_entry *e, const uint8_t *key,
                  uint8_t out[JOURNAL_HASH_BYTES])
{
    crypto_generichash_state st;
    uint8_t num[24];
    int keyed = key && e->keyid && *e->keyid;
    le_put64(num, (uint64_t)e->seq);
    le_put64(num + 8, (uint64_t)e->mono_ms);
    le_put64(num + 16, (uint64_t)e->wall);
    crypto_generichash_init(&st, keyed ? key : NULL, keyed ? JOURNAL_KEY_BYTES : 0, JOURNAL_HASH_BYTES);
    crypto_generichash_update(&st, prev, JOURNAL_HASH_BYTES);
    crypto_generichash_update(&st, num, sizeof num);
    hash_str(&st, e->session);
    hash_str(&st, e->type);
    hash_str(&st, e->data);
    if (keyed) hash_str(&st, e->keyid);
    crypto_generichash_final(&st, out, JOURNAL_HASH_BYTES);
    sodium_memzero(&st, sizeof st);
}

void journal_answer_digest(const journal_key *k, const char *session, int item, int flagged, const char *response,
                           uint8_t out[JOURNAL_DIGEST_BYTES])
{
    crypto_generichash_state st;
    uint8_t num[5];
    le_put32(num, (uint32_t)item);
    num[4] = (uint8_t)(flagged != 0);
    crypto_generichash_init(&st, k->answers, sizeof k->answers, JOURNAL_DIGEST_BYTES);
    hash_str(&st, session);
    crypto_generichash_update(&st, num, sizeof num);
    crypto_generichash_update(&st, (const unsigned char *)response, strlen(response));
    crypto_generichash_final(&st, out, JOURNAL_DIGEST_BYTES);
    sodium_memzero(&st, sizeof st);
}

/* Reads the last entry: *seq (0 if none) and its hash (zeros if none).
 * A stored hash of the wrong size is SQLITE_CORRUPT: chaining onto it would
 * hide the damage. */
static int read_last(sqlite3 *db, int64_t *seq, uint8_t hash[JOURNAL_HASH_BYTES])
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, SQL_LAST, -1, &st, NULL);
    if (rc != SQLITE_OK) return rc;
    *seq = 0;
    memset(hash, 0, JOURNAL_HASH_BYTES);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const void *h = sqlite3_column_blob(st, 1);
        int hlen = sqlite3_column_bytes(st, 1);
        if (sqlite3_column_type(st, 0) != SQLITE_INTEGER || !h || hlen != JOURNAL_HASH_BYTES) {
            rc = SQLITE_CORRUPT;
        } else {
            *seq = sqlite3_column_int64(st, 0);
            memcpy(hash, h, JOURNAL_HASH_BYTES);
            rc = SQLITE_OK;
        }
    } else if (rc == SQLITE_DONE) {
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc;
}

int journal_append(sqlite3 *db, int64_t mono_ms, int64_t wall, const char *session, const char *type,
                   const char *data, uint8_t head[JOURNAL_HASH_BYTES])
{
    return journal_append_keyed(db, NULL, mono_ms, wall, session, type, data, head);
}

int journal_append_keyed(sqlite3 *db, const journal_key *k, int64_t mono_ms, int64_t wall, const char *session,
                         const char *type, const char *data, uint8_t head[JOURNAL_HASH_BYTES])
{
    uint8_t prev[JOURNAL_HASH_BYTES], hash[JOURNAL_HASH_BYTES];
    int64_t last = 0;
    int rc = read_last(db, &last, prev);
    if (rc != SQLITE_OK) return rc;
    if (last < 0 || last == INT64_MAX) return SQLITE_CORRUPT;

    journal_entry e = {
        .seq = last + 1,
        .mono_ms = mono_ms,
        .wall = wall,
        .session = session ? session : "",
        .type = type ? type : "",
        .data = data ? data : "",
        .keyid = k ? k->id : "",
    };
    journal_hash(prev, &e, k ? k->chain : NULL, hash);

    sqlite3_stmt *st = NULL;
    rc = sqlite3_prepare_v2(db, SQL_INSERT, -1, &st, NULL);
    if (rc != SQLITE_OK) return rc;
    if ((rc = sqlite3_bind_int64(st, 1, e.seq)) != SQLITE_OK || (rc = sqlite3_bind_int64(st, 2, e.mono_ms)) != SQLITE_OK ||
        (rc = sqlite3_bind_int64(st, 3, e.wall)) != SQLITE_OK ||
        (rc = sqlite3_bind_text(st, 4, e.session, -1, SQLITE_STATIC)) != SQLITE_OK ||
        (rc = sqlite3_bind_text(st, 5, e.type, -1, SQLITE_STATIC)) != SQLITE_OK ||
        (rc = sqlite3_bind_text(st, 6, e.data, -1, SQLITE_STATIC)) != SQLITE_OK ||
        (rc = sqlite3_bind_blob(st, 7, hash, JOURNAL_HASH_BYTES, SQLITE_STATIC)) != SQLITE_OK ||
        (rc = sqlite3_bind_text(st, 8, e.keyid, -1, SQLITE_STATIC)) != SQLITE_OK) {
        sqlite3_finalize(st);
        return rc;
    }
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return rc == SQLITE_ROW ? SQLITE_ERROR : rc;
    if (head) memcpy(head, hash, JOURNAL_HASH_BYTES);
    return SQLITE_OK;
}

int journal_head(sqlite3 *db, uint8_t head[JOURNAL_HASH_BYTES], int64_t *count)
{
    uint8_t h[JOURNAL_HASH_BYTES];
    int64_t last = 0, n = 0;
    int rc = read_last(db, &last, h);
    if (rc != SQLITE_OK) return rc;

    sqlite3_stmt *st = NULL;
    rc = sqlite3_prepare_v2(db, SQL_COUNT, -1, &st, NULL);
    if (rc != SQLITE_OK) return rc;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        n = sqlite3_column_int64(st, 0);
        rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
        rc = SQLITE_ERROR; /* count(*) always yields a row */
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_OK) return rc;
    if (head) memcpy(head, h, JOURNAL_HASH_BYTES);
    if (count) *count = n;
    return SQLITE_OK;
}

static void set_why(char **why, char *msg)
{
    if (why)
        *why = msg;
    else
        free(msg);
}

/* A text column as a C string, or NULL when it is not text or holds an
 * embedded 0 byte (journal_append never stores either). */
static const char *text_col(sqlite3_stmt *st, int col)
{
    if (sqlite3_column_type(st, col) != SQLITE_TEXT) return NULL;
    const char *s = (const char *)sqlite3_column_text(st, col);
    if (!s) return NULL;
    if (strlen(s) != (size_t)sqlite3_column_bytes(st, col)) return NULL;
    return s;
}

int journal_verify(sqlite3 *db, uint8_t head[JOURNAL_HASH_BYTES], char **why)
{
    return journal_verify_keyed(db, NULL, NULL, head, NULL, why);
}

int journal_verify_keyed(sqlite3 *db, const journal_key *k, const char *session, uint8_t head[JOURNAL_HASH_BYTES],
                         journal_check *check, char **why)
{
    uint8_t prev[JOURNAL_HASH_BYTES], calc[JOURNAL_HASH_BYTES];
    journal_check c = {0};
    memset(prev, 0, sizeof prev);
    if (why) *why = NULL;
    if (head) memset(head, 0, JOURNAL_HASH_BYTES);
    if (check) *check = c;

    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, SQL_ALL, -1, &st, NULL);
    if (rc != SQLITE_OK) {
        set_why(why, fileio_fmt("cannot read the journal: %s", sqlite3_errmsg(db)));
        sqlite3_finalize(st);
        return -1;
    }

    int64_t expect = 1;
    char *msg = NULL;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t seq = sqlite3_column_int64(st, 0);
        if (seq != expect) {
            if (seq > expect)
                msg = fileio_fmt("journal entry %" PRId64 " missing", expect);
            else
                msg = fileio_fmt("journal entry %" PRId64 " out of sequence (expected %" PRId64 ")", seq, expect);
            break;
        }
        journal_entry e = {.seq = seq};
        const char *raw_type = (const char *)sqlite3_column_text(st, 4);
        const void *stored = sqlite3_column_blob(st, 6);
        int stored_len = sqlite3_column_bytes(st, 6);
        e.session = text_col(st, 3);
        e.type = text_col(st, 4);
        e.data = text_col(st, 5);
        e.keyid = text_col(st, 7);
        int ok = sqlite3_column_type(st, 1) == SQLITE_INTEGER && sqlite3_column_type(st, 2) == SQLITE_INTEGER &&
                 sqlite3_column_type(st, 6) == SQLITE_BLOB && e.session && e.type && e.data && e.keyid && stored &&
                 stored_len == JOURNAL_HASH_BYTES;
        if (ok && k && session && *session && !strcmp(e.session, session) && strcmp(e.keyid, k->id)) {
            msg = fileio_fmt("journal entry %" PRId64 " (%.40s) of the sitting is not sealed by its pack: the log was "
                             "altered", seq, raw_type ? raw_type : "?");
            break;
        }
        if (ok) {
            e.mono_ms = sqlite3_column_int64(st, 1);
            e.wall = sqlite3_column_int64(st, 2);
            c.entries++;
            if (!*e.keyid) {
                journal_hash(prev, &e, NULL, calc);
                ok = sodium_memcmp(calc, stored, JOURNAL_HASH_BYTES) == 0;
            } else if (k && !strcmp(e.keyid, k->id)) {
                journal_hash(prev, &e, k->chain, calc);
                ok = sodium_memcmp(calc, stored, JOURNAL_HASH_BYTES) == 0;
                c.keyed++;
            } else { /* another pack's key: what we cannot recompute we chain on */
                memcpy(calc, stored, JOURNAL_HASH_BYTES);
                c.foreign++;
            }
        }
        if (!ok) {
            msg = fileio_fmt("journal entry %" PRId64 " (%.40s) does not match its hash: the log was altered", seq,
                             raw_type ? raw_type : "?");
            break;
        }
        memcpy(prev, calc, JOURNAL_HASH_BYTES);
        expect++;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        msg = fileio_fmt("cannot read the journal: %s", sqlite3_errmsg(db));
    sqlite3_finalize(st);

    if (rc != SQLITE_DONE) {
        if (!msg) msg = fileio_fmt("out of memory");
        set_why(why, msg);
        return -1;
    }
    if (head) memcpy(head, prev, JOURNAL_HASH_BYTES);
    if (check) *check = c;
    return 0;
}

int journal_each(sqlite3 *db, const char *session, journal_fn fn, void *ctx)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, SQL_SESSION, -1, &st, NULL);
    if (rc != SQLITE_OK) return rc;
    if (session) sqlite3_bind_text(st, 1, session, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        journal_entry e = {sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2),
                           text_col(st, 3), text_col(st, 4), text_col(st, 5), text_col(st, 6)};
        if (!e.session || !e.type || !e.data || !e.keyid) { rc = SQLITE_CORRUPT; break; }
        if (fn(ctx, &e)) { rc = SQLITE_DONE; break; }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int journal_count(sqlite3 *db, const char *session, const char *type, int64_t *count)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM journal WHERE session=? AND type=?", -1, &st, NULL);
    if (rc != SQLITE_OK) return rc;
    sqlite3_bind_text(st, 1, session, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, type, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *count = sqlite3_column_int64(st, 0);
        rc = SQLITE_OK;
    } else
        rc = rc == SQLITE_DONE ? SQLITE_ERROR : rc;
    sqlite3_finalize(st);
    return rc;
}

int journal_range(sqlite3 *db, const char *session, uint8_t base[JOURNAL_HASH_BYTES], int64_t *base_count, journal_fn fn,
                  void *ctx)
{
    sqlite3_stmt *st = NULL;
    int64_t first = 0;
    memset(base, 0, JOURNAL_HASH_BYTES);
    int rc = sqlite3_prepare_v2(db, "SELECT min(seq) FROM journal WHERE session=?", -1, &st, NULL);
    if (rc != SQLITE_OK) return rc;
    sqlite3_bind_text(st, 1, session, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_INTEGER) first = sqlite3_column_int64(st, 0), rc = SQLITE_OK;
    else if (rc == SQLITE_ROW) rc = SQLITE_NOTFOUND;
    sqlite3_finalize(st);
    if (rc != SQLITE_OK) return rc;
    /* the head before the sitting: the stored hash of the entry before it */
    if (first > 1) {
        rc = sqlite3_prepare_v2(db, "SELECT hash FROM journal WHERE seq=?", -1, &st, NULL);
        if (rc != SQLITE_OK) return rc;
        sqlite3_bind_int64(st, 1, first - 1);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 0) == JOURNAL_HASH_BYTES)
            memcpy(base, sqlite3_column_blob(st, 0), JOURNAL_HASH_BYTES), rc = SQLITE_OK;
        else if (rc == SQLITE_ROW || rc == SQLITE_DONE) rc = SQLITE_CORRUPT; /* a gap: the chain is broken */
        sqlite3_finalize(st);
        if (rc != SQLITE_OK) return rc;
    }
    *base_count = first - 1;
    rc = sqlite3_prepare_v2(db, "SELECT seq, mono_ms, wall, session, type, data, keyid FROM journal WHERE seq>=? ORDER BY seq",
                            -1, &st, NULL);
    if (rc != SQLITE_OK) return rc;
    sqlite3_bind_int64(st, 1, first);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        journal_entry e = {sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2),
                           text_col(st, 3), text_col(st, 4), text_col(st, 5), text_col(st, 6)};
        if (!e.session || !e.type || !e.data || !e.keyid) { rc = SQLITE_CORRUPT; break; }
        if (fn(ctx, &e)) { rc = SQLITE_DONE; break; }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}
