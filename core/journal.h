/* journal: the hash-chained log of everything that happens in a sitting.
 * Each entry's hash covers the previous entry's hash and the entry's own
 * fields, so editing, dropping or reordering entries in the database breaks
 * the chain. The head (hash of the last entry) is signed into the result, and
 * a head kept anywhere else (the result, a room console) proves every entry
 * before it.
 *
 * Keyed entries. While a pack is unlocked, every entry is a MAC: its hash is
 * BLAKE2b keyed with a key derived from the pack's content key (which only
 * the release code opens, and which lives in memory only), and the entry
 * names the pack (keyid). Whoever holds the disk alone can read the chain but
 * cannot drop, edit or re-chain an entry written under a key without the
 * release code: the next keyed entry no longer verifies. Entries written
 * while no pack is unlocked (kiosk start, a mistyped code) are plain hashes.
 * A verifier that holds a pack's key checks that pack's entries; the others
 * it can only take as stored (examsync status holds no key at all).
 *
 * Entries live in the kiosk database, table `journal` (JOURNAL_SCHEMA). */
#ifndef JOURNAL_H
#define JOURNAL_H

#include <sqlite3.h>
#include <stdint.h>

#define JOURNAL_HASH_BYTES 32
#define JOURNAL_KEY_BYTES 32
#define JOURNAL_DIGEST_BYTES 16
#define JOURNAL_KEYID_MAX 32

/* The keys of an unlocked pack (journal_key_derive): the journal's, and the
 * one core/store seals personal data at rest with. */
typedef struct journal_key {
    char id[JOURNAL_KEYID_MAX + 1];       /* the pack's id, named by each entry */
    uint8_t chain[JOURNAL_KEY_BYTES];     /* keys the entries' hashes */
    uint8_t answers[JOURNAL_KEY_BYTES];   /* keys the answer digests */
    uint8_t rest[JOURNAL_KEY_BYTES];      /* seals names, tickets, seeds, answers, scores in kiosk.db */
} journal_key;

/* Derives the keys of pack ID from its content key (libsodium crypto_kdf,
 * context "examjrnl", subkeys 1, 2 and 3). */
void journal_key_derive(journal_key *k, const char *id, const uint8_t content_key[32]);

/* The journal table: created by JOURNAL_SCHEMA_V1, then JOURNAL_SCHEMA_V3
 * adds the keyid column (the kiosk database's migrations run each once; a
 * database of its own runs both in turn). */
extern const char JOURNAL_SCHEMA_V1[];
extern const char JOURNAL_SCHEMA_V3[];

typedef struct journal_entry {
    int64_t seq;      /* 1, 2, 3, … across the whole kiosk */
    int64_t mono_ms;  /* exam clock (monotonic, virtual in scripted mode) */
    int64_t wall;     /* wall-clock Unix seconds, informative only */
    const char *session; /* session id, "" for kiosk-level events */
    const char *type;    /* "unlock", "login", "answer", "flag", "pause", … */
    const char *data;    /* event details, UTF-8 text, may be "" */
    const char *keyid;   /* pack whose key made the hash, "" = none (NULL = "") */
} journal_entry;

/* Unkeyed (keyid ""):
 *   hash = BLAKE2b-256(prev ‖ le64 seq ‖ le64 mono_ms ‖ le64 wall ‖
 *                      session ‖ 0 ‖ type ‖ 0 ‖ data ‖ 0)
 * Keyed (KEY = the pack's chain key):
 *   hash = BLAKE2b-256 keyed with KEY(the same bytes ‖ keyid ‖ 0) */
void journal_hash(const uint8_t prev[JOURNAL_HASH_BYTES], const journal_entry *e, const uint8_t *key,
                  uint8_t out[JOURNAL_HASH_BYTES]);

/* The digest an answer entry records: BLAKE2b-128 keyed with the answers key
 * over session ‖ 0 ‖ le32 item ‖ flagged ‖ response. Keyed, so that a digest
 * of "A" tells nobody without the release code which option was chosen. */
void journal_answer_digest(const journal_key *k, const char *session, int item, int flagged, const char *response,
                           uint8_t out[JOURNAL_DIGEST_BYTES]);

/* Appends an entry (seq is assigned: last + 1) inside the caller's current
 * transaction, keyed with K (NULL: a plain hash). *head (if not NULL) gets
 * the new head. Returns SQLITE_OK or an SQLite error code. */
int journal_append_keyed(sqlite3 *db, const journal_key *k, int64_t mono_ms, int64_t wall, const char *session,
                         const char *type, const char *data, uint8_t head[JOURNAL_HASH_BYTES])
    __attribute__((warn_unused_result));
/* journal_append_keyed without a key. */
int journal_append(sqlite3 *db, int64_t mono_ms, int64_t wall, const char *session, const char *type,
                   const char *data, uint8_t head[JOURNAL_HASH_BYTES]) __attribute__((warn_unused_result));

/* Calls FN for each entry of SESSION ("" = the kiosk's own entries, NULL =
 * every entry), in order (hashes not checked: verify first). FN returns
 * non-zero to stop. */
typedef int (*journal_fn)(void *ctx, const journal_entry *e);
int journal_each(sqlite3 *db, const char *session, journal_fn fn, void *ctx) __attribute__((warn_unused_result));

/* The journal from SESSION's first entry to the end (every entry from
 * there, whatever its session: a result carries this stretch, FORMAT.md
 * §8): *base_count is the number of entries before it and BASE the head
 * after them (zeros when none), then FN for each entry in order (hashes not
 * checked). SQLITE_NOTFOUND when SESSION has no entry. */
int journal_range(sqlite3 *db, const char *session, uint8_t base[JOURNAL_HASH_BYTES], int64_t *base_count, journal_fn fn,
                  void *ctx) __attribute__((warn_unused_result));

/* Number of entries of TYPE in SESSION's part of the journal (e.g. the
 * focus losses of a sitting, counted again after a restart). */
int journal_count(sqlite3 *db, const char *session, const char *type, int64_t *count) __attribute__((warn_unused_result));

/* Current head (all zero bytes for an empty journal) and entry count. */
int journal_head(sqlite3 *db, uint8_t head[JOURNAL_HASH_BYTES], int64_t *count) __attribute__((warn_unused_result));

/* What journal_verify_keyed checked. */
typedef struct journal_check {
    int64_t entries;  /* all entries */
    int64_t keyed;    /* verified with the given key */
    int64_t foreign;  /* keyed by another pack: taken as stored */
} journal_check;

/* Recomputes the whole chain. Unkeyed entries and the entries of K's pack
 * are recomputed; entries of other packs are taken as stored. With SESSION
 * (and K), every entry of that sitting must be K's pack's. Returns 0 when
 * all of it holds and seq runs 1..n without gaps; else -1 with *why naming
 * the first bad entry (caller frees). *head gets the head, *check (if not
 * NULL) the counts. */
int journal_verify_keyed(sqlite3 *db, const journal_key *k, const char *session, uint8_t head[JOURNAL_HASH_BYTES],
                         journal_check *check, char **why) __attribute__((warn_unused_result));
/* journal_verify_keyed without a key. */
int journal_verify(sqlite3 *db, uint8_t head[JOURNAL_HASH_BYTES], char **why) __attribute__((warn_unused_result));

#endif
