/* journal: the hash-chained log of everything that happens in a sitting.
 * Each entry's hash covers the previous entry's hash and the entry's own
 * fields, so editing, dropping or reordering entries in the database breaks
 * the chain. The head (hash of the last entry) is signed into the result.
 * Entries live in the kiosk database, table `journal` (see journal_schema). */
#ifndef JOURNAL_H
#define JOURNAL_H

#include <sqlite3.h>
#include <stdint.h>

#define JOURNAL_HASH_BYTES 32

/* CREATE TABLE IF NOT EXISTS statement(s) for the journal table. */
extern const char JOURNAL_SCHEMA[];

typedef struct journal_entry {
    int64_t seq;      /* 1, 2, 3, … across the whole kiosk */
    int64_t mono_ms;  /* exam clock (monotonic, virtual in scripted mode) */
    int64_t wall;     /* wall-clock Unix seconds, informative only */
    const char *session; /* session id, "" for kiosk-level events */
    const char *type;    /* "unlock", "login", "answer", "flag", "pause", … */
    const char *data;    /* event details, UTF-8 text, may be "" */
} journal_entry;

/* hash = BLAKE2b-256(prev ‖ le64 seq ‖ le64 mono_ms ‖ le64 wall ‖
 *                    session ‖ 0 ‖ type ‖ 0 ‖ data ‖ 0) */
void journal_hash(const uint8_t prev[JOURNAL_HASH_BYTES], const journal_entry *e, uint8_t out[JOURNAL_HASH_BYTES]);

/* Appends an entry (seq is assigned: last + 1) inside the caller's current
 * transaction. *head (if not NULL) gets the new head. Returns SQLITE_OK or
 * an SQLite error code. */
int journal_append(sqlite3 *db, int64_t mono_ms, int64_t wall, const char *session, const char *type,
                   const char *data, uint8_t head[JOURNAL_HASH_BYTES]) __attribute__((warn_unused_result));

/* Number of entries of TYPE in SESSION's part of the journal (e.g. the
 * focus losses of a sitting, counted again after a restart). */
int journal_count(sqlite3 *db, const char *session, const char *type, int64_t *count) __attribute__((warn_unused_result));

/* Current head (all zero bytes for an empty journal) and entry count. */
int journal_head(sqlite3 *db, uint8_t head[JOURNAL_HASH_BYTES], int64_t *count) __attribute__((warn_unused_result));

/* Recomputes the whole chain. Returns 0 when every entry's stored hash is
 * right and seq runs 1..n without gaps; else -1 with *why naming the first
 * bad entry (caller frees). *head gets the verified head. */
int journal_verify(sqlite3 *db, uint8_t head[JOURNAL_HASH_BYTES], char **why) __attribute__((warn_unused_result));

#endif
