/* result: a sitting's result record. Written as JSON (result_json), signed
 * with the kiosk's device key and sealed (crypto_box_seal) to the results key
 * of authority.pub (result_seal), so only the hub can read it and nobody can
 * forge or alter it. result_open is the reverse (hub, tests).
 *
 * Sealed plaintext layout:
 *   off  size  field
 *   0    8     magic "EXRESULT"
 *   8    4     version (1)
 *   12   32    device (kiosk) Ed25519 public key
 *   44   64    Ed25519 signature over bytes 0..43 ‖ JSON
 *   108  J     JSON (UTF-8), J ≤ RESULT_MAX_JSON
 * result id = hex of the first 16 bytes of BLAKE2b-256 over the whole
 * plaintext; receipt = its first 40 bits in Crockford base32, "XXXX-XXXX".
 *
 * This module is the one writer (result_json, result_seal) and the one
 * reader (result_open, result_parse) of the kiosk → hub contract
 * (exam-packs/FORMAT.md §8); the JSON field names exist only in result.c. */
#ifndef RESULT_H
#define RESULT_H

#include <sodium.h>
#include <stddef.h>
#include <stdint.h>

#include "core/bank.h"
#include "core/journal.h"
#include "core/score.h"

#define RESULT_MAX_JSON (4u << 20)
#define RESULT_HEADER_BYTES 108
#define RESULT_ID_HEX 33
#define RESULT_RECEIPT_BYTES 10

/* What reading (or writing) a result record can fail with. */
typedef enum result_rc {
    RESULT_OK = 0,
    RESULT_NOMEM,          /* out of memory */
    RESULT_BAD_SIZE,       /* sealed record shorter or longer than any record can be */
    RESULT_UNDECRYPTABLE,  /* not sealed to this results key, or altered */
    RESULT_BAD_MAGIC,      /* plaintext is not an EXRESULT record */
    RESULT_BAD_VERSION,    /* unsupported record version */
    RESULT_TOO_BIG,        /* JSON longer than RESULT_MAX_JSON */
    RESULT_BAD_SIGNATURE,  /* device signature (or a receipt signature) does not verify */
    RESULT_NOT_TEXT,       /* JSON contains NUL or is not UTF-8 */
    RESULT_BAD_JSON,       /* not well-formed JSON (or a duplicate key, or nested too deep) */
    RESULT_BAD_FIELD,      /* a required field is missing or has an invalid value */
    RESULT_RC_COUNT
} result_rc;

/* A short English name of RC ("bad signature"); never NULL. */
const char *result_strerror(result_rc rc);

/* Longest strings result_parse accepts (bytes, without the NUL); a record
 * with longer ones is RESULT_BAD_FIELD. */
#define RESULT_MAX_ID 32    /* session, ticket, pack_id */
#define RESULT_MAX_KIOSK 31
#define RESULT_MAX_NAME 71
#define RESULT_MAX_TITLE 255
#define RESULT_MAX_WORD 15  /* kind, status */
/* The sitting's journal the record carries (FORMAT.md §8, "journal"):
 * at most RESULT_MAX_JOURNAL entries, each type at most
 * RESULT_MAX_JOURNAL_TYPE bytes and data at most RESULT_MAX_JOURNAL_DATA;
 * session and keyid at most RESULT_MAX_ID. A sitting of three hours
 * journals about 2,000 entries (a clock entry every 10 s, one per answer
 * edit); the bounds keep a hostile record's work for the hub small. */
#define RESULT_MAX_JOURNAL 20000
#define RESULT_MAX_JOURNAL_TYPE 32
#define RESULT_MAX_JOURNAL_DATA 1024

typedef struct result_item {
    const char *id;       /* question id */
    qtype type;
    const char *response; /* canonical response (score.h), "" when unanswered */
    int points, score;    /* tenths */
    int pending;          /* essay awaiting a human marker */
    int flagged;
} result_item;

typedef struct result_irregularity {
    const char *category, *note;
    int64_t mono_ms;
} result_irregularity;

/* A time extension: minutes, the reason given, and the sitting's exam time
 * (elapsed ms) when it was granted. PLANNED 1: the candidate's planned
 * accommodation from the roster (extra_minutes), granted at the start and
 * not counted against the pack's max_extra; 0: the invigilator's. */
typedef struct result_extension {
    int minutes;
    const char *reason;
    int64_t at_ms;
    int planned;
} result_extension;

/* The sitting as the engine knows it and as the record carries it: who,
 * where, which paper, how it ended, when, and what happened. result_build
 * copies it unchanged from its input into the record. */
typedef struct result_head {
    const char *session_id, *kiosk_id, *site, *room;
    int seat;
    const char *pack_id, *title, *kind;
    int level;
    const char *ticket, *name;
    const char *status;         /* submitted | timeout | forced | absent */
    int64_t started_wall, submitted_wall, elapsed_ms, extra_ms;
    int focus_losses;           /* times the kiosk lost the screen or keyboard during the sitting */
    const result_irregularity *irregularities;
    int nirregularities;
    const result_extension *extensions;
    int nextensions;
} result_head;

typedef struct result_rec {
    result_head head;
    int score, total_points;    /* tenths */
    int pass;                   /* points */
    int pending;                /* items awaiting marking */
    const char *seed_hex;
    const result_item *items;
    int nitems;
    const char *journal_head_hex;
    int64_t journal_count;
    int passed;                 /* result_parse: as recorded; result_json derives it
                                   (score >= pass * 10 and nothing pending) and ignores this */
    /* The sitting's part of the kiosk journal (issue 12), so that the hub
     * can check it against the heads a room console mirrored: the journal's
     * head after entry JOURNAL_BASE_COUNT (just before the sitting's first
     * entry; zeros for 0), then entries JOURNAL_BASE_COUNT + 1 ..
     * journal_count. HAS_JOURNAL 0: the record carries none (an older
     * kiosk, or a journal over the bounds; written without both fields). */
    int has_journal;
    int64_t journal_base_count;
    const char *journal_base_hex;
    const journal_entry *journal;
    int njournal;
} result_rec;

/* Returns the JSON text of R (malloc'd), or NULL when out of memory or when
 * the text would pass RESULT_MAX_JSON (which result_seal refuses anyway). */
char *result_json(const result_rec *r);

/* Signs JSON with DEVICE_SK and seals it to BOX_PK. *sealed is malloc'd.
 * RESULT_ID (33 bytes) and RECEIPT (10 bytes) are filled. Returns RESULT_OK,
 * RESULT_TOO_BIG or RESULT_NOMEM (then *sealed is untouched). */
result_rc result_seal(const char *json, const uint8_t device_sk[crypto_sign_SECRETKEYBYTES],
                const uint8_t box_pk[crypto_box_PUBLICKEYBYTES], uint8_t **sealed, size_t *sealed_len,
                char result_id[RESULT_ID_HEX], char receipt[RESULT_RECEIPT_BYTES]) __attribute__((warn_unused_result));

/* Opens a sealed result with the results key pair, checks the signature
 * against the public key inside, and returns the JSON (malloc'd, out),
 * the device public key and the result id. Returns RESULT_OK, or a code with
 * *why (caller frees) and *json NULL. */
result_rc result_open(const uint8_t *sealed, size_t len, const uint8_t box_pk[crypto_box_PUBLICKEYBYTES],
                const uint8_t box_sk[crypto_box_SECRETKEYBYTES], char **json,
                uint8_t device_pk[crypto_sign_PUBLICKEYBYTES], char result_id[RESULT_ID_HEX], char **why)
    __attribute__((warn_unused_result));

/* Parses the signed plaintext (exposed for fuzzing); as result_open. */
result_rc result_parse_plain(const uint8_t *plain, size_t len, char **json, uint8_t device_pk[crypto_sign_PUBLICKEYBYTES],
                       char result_id[RESULT_ID_HEX], char **why) __attribute__((warn_unused_result));

/* A record read back from its JSON: the fields of FORMAT.md §8 in REC (its
 * strings and arrays belong to the result_record), plus the version. */
typedef struct result_record {
    result_rec rec;
    int v;
    void *mem; /* private: everything REC points to */
} result_record;

/* Reads the JSON of a result record (LEN bytes, no NUL needed), bounded:
 * strict JSON (RFC 8259; duplicate keys, \u0000, lone surrogates, numbers
 * out of range and nesting deeper than 2048 refused). Required, with these
 * values: v = 1; kiosk, session, ticket, name, pack_id, title, kind,
 * status ∈ {submitted, timeout, forced, absent}; level 1–5; score_tenths
 * 0–1000; passed 0–1; pending 0–100000; submitted_at ≥ 0. The other fields
 * are read when present with the right type and are otherwise empty, but
 * for the journal: "journal" and "journal_base" come together or not at
 * all, and when present are checked whole (RESULT_MAX_JOURNAL entries, every
 * field present with its type and bound, seq running base + 1 .. without a
 * gap, the base head 64 hex digits), else RESULT_BAD_FIELD.
 * Returns RESULT_OK with *out filled (free with result_record_free), or
 * RESULT_BAD_JSON / RESULT_BAD_FIELD / RESULT_TOO_BIG / RESULT_NOMEM with
 * *why (caller frees) and *out empty. */
result_rc result_parse(const char *json, size_t len, result_record *out, char **why) __attribute__((warn_unused_result));
void result_record_free(result_record *r);

/* ---- building a record from a sitting ------------------------------------
 *
 * The engine (exam.c) gathers what only it knows: the sitting, the paper's
 * answer keys, the candidate's responses, the irregularities in kiosk.db and
 * the clock. result_build turns that into the record: it marks every item
 * (score.h), adds up score and pending, and applies the record's defaults.
 * result_set_journal then puts in the journal head, which the engine can only
 * know after it has journaled the hand-in (whose entry carries the score). */

#define RESULT_HASH_BYTES 32 /* journal head (BLAKE2b-256) */

/* One item of the paper as the engine knows it. */
typedef struct result_answer {
    const char *id;       /* question id */
    qtype type;
    const char *key;      /* normalised answer key; NULL when the question could not be read (scores 0) */
    const char *response; /* canonical response (score.h), "" when unanswered */
    int points;           /* tenths */
    int flagged;
} result_answer;

typedef struct result_input {
    result_head head;           /* into the record as it is */
    int total_points;           /* the paper's, tenths; 0 = not set: 1000 */
    int pass;                   /* the paper's pass mark, points; 0 = not set: 60 for an absence */
    multi_partial partial;      /* the paper's rule for multiple choice */
    const uint8_t *seed;        /* the paper's seed, SEED_LEN bytes (all zero for an absence) */
    size_t seed_len;
    const result_answer *answers;
    int nanswers;
} result_input;

/* Builds the record of IN into OUT->rec (OUT->v = 1): items marked, score
 * and pending summed, journal head "" and count 0 until result_set_journal.
 * Ownership: OUT's item array and hex texts are OUT's (free with
 * result_record_free); its other strings and its irregularities point into
 * IN, which must outlive OUT. Returns RESULT_OK, or RESULT_NOMEM with OUT
 * empty. */
result_rc result_build(const result_input *in, result_record *out) __attribute__((warn_unused_result));

/* Sets the journal head (hex of HEAD) and entry count of a record built by
 * result_build. */
void result_set_journal(result_record *r, const uint8_t head[RESULT_HASH_BYTES], int64_t count);

/* Puts the sitting's journal into a record built by result_build: the
 * head BASE after entry BASE_COUNT, then the N entries E (which must
 * outlive R: the record points at them). Returns 0, or -1 when they are
 * not what result_parse would read back (more than RESULT_MAX_JOURNAL, a
 * field over its bound, seq not BASE_COUNT + 1 .. without a gap): then the
 * record carries no journal. */
int result_set_journal_entries(result_record *r, const uint8_t base[RESULT_HASH_BYTES], int64_t base_count,
                               const journal_entry *e, int n) __attribute__((warn_unused_result));


/* Kiosk id from a device public key: 16 hex characters. */
void result_kiosk_id(const uint8_t device_pk[crypto_sign_PUBLICKEYBYTES], char out[17]);

#endif
