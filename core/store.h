/* store: the kiosk data directory's SQLite database (kiosk.db), shared with
 * examsync. WAL mode and synchronous=FULL: a call that returns success has
 * reached the disk. The schema is versioned (PRAGMA user_version) and
 * migrated forward on open. Holds packs and rosters (as signed, encrypted
 * files), sessions, answers, the journal and the results outbox; never
 * question text, answer keys, release codes or PINs. Every statement on
 * kiosk.db lives in store.c (the journal's own statements in journal.c,
 * reached only through store_journal_*): callers get functions and rows,
 * never the database handle. */
#ifndef STORE_H
#define STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/journal.h"
#include "core/roomproto.h"

#define STORE_SCHEMA_VERSION 6
#define STORE_DB_NAME "kiosk.db"
#define STORE_ID_MAX 32         /* pack, roster, session and result ids: hex, at most this long */
#define STORE_PIN_SALT_BYTES 16 /* unlock row: salt and digest of the invigilator's PIN */
#define STORE_PIN_HASH_BYTES 32

/* Result of every store_rc function below. The values are SQLite's primary
 * result codes (extended codes are off), so any other primary code SQLite
 * reports (SQLITE_READONLY, SQLITE_CANTOPEN, ...) may also come back;
 * store_rc_str names each one without the handle, store_strerror gives the
 * connection's detailed message of the last failure. */
typedef enum store_rc {
    STORE_OK = 0,
    STORE_ERROR = 1,       /* SQLITE_ERROR: a statement failed (schema, SQL) */
    STORE_BUSY = 5,        /* SQLITE_BUSY: another process held the database past the busy timeout */
    STORE_NOMEM = 7,       /* SQLITE_NOMEM */
    STORE_IOERR = 10,      /* SQLITE_IOERR: the disk failed a read or write */
    STORE_CORRUPT = 11,    /* SQLITE_CORRUPT: kiosk.db is damaged */
    STORE_NOTFOUND = 12,   /* SQLITE_NOTFOUND: a *_get, *_latest* or *_next_* found no such row */
    STORE_FULL = 13,       /* SQLITE_FULL: the disk (or the fail_writes hook) refused a commit */
    STORE_CONSTRAINT = 19, /* SQLITE_CONSTRAINT: a row broke a key or a check */
} store_rc;

/* A fixed English description of RC ("database or disk is full"). */
const char *store_rc_str(store_rc rc);

typedef struct store store; /* opaque: one open kiosk.db */

/* Row-visiting callbacks: return 0 to go on, non-zero to stop (the *_each
 * function then returns STORE_OK). Pointers in ROW are valid only during the
 * call; copy what you keep. */

/* ---- opening, transactions, meta -------------------------------------------- */

/* Opens DIR/kiosk.db (creating it if CREATE), applies pragmas and
 * migrations. Returns 0 and *out (close with store_close), or -1 with
 * *out = NULL and *why (caller frees). */
int store_open(const char *dir, int create, store **out, char **why) __attribute__((warn_unused_result));
/* Closes and frees ST (NULL is fine). */
void store_close(store *st);
/* The data directory ST was opened on (owned by ST). */
const char *store_dir(const store *st);

/* Transactions: BEGIN IMMEDIATE / COMMIT / ROLLBACK. Writes marked "in the
 * caller's transaction" below are meant to go between store_begin and
 * store_commit with the others they must be atomic with (the journal entry
 * of the same event, say); every other write commits on its own unless a
 * transaction is open. commit returns the SQLite code; on failure (or the
 * fail_writes hook) the transaction is rolled back. */
store_rc store_begin(store *st) __attribute__((warn_unused_result));
store_rc store_commit(store *st) __attribute__((warn_unused_result));
void store_rollback(store *st);

/* meta key/value (site, room, seat, kiosk_id, device_pk, hub_url, hub_pk).
 * get: value malloc'd (caller frees) or NULL. */
char *store_meta_get(store *st, const char *key);
store_rc store_meta_set(store *st, const char *key, const char *value) __attribute__((warn_unused_result));

/* Describes the last failure (owned by ST, valid until the next call). */
const char *store_strerror(store *st);

#ifdef EXAM_TEST_HOOKS
/* test hook (test builds only, -DEXAM_TEST_HOOKS): make the next N commits
 * (and clock saves) fail like a full disk. fail_writes_left: how many are
 * still to fail. */
void store_fail_writes(store *st, int n);
int store_fail_writes_left(const store *st);
#endif

/* ---- packs and rosters (signed files, as examsync add stores them) ------------ */

typedef struct store_pack_row {
    const char *pack_id, *title, *kind; /* kind "theory" / "practical" */
    int level, duration, questions;      /* duration in minutes */
    const uint8_t *bytes;                /* the whole .pack file; NULL unless asked for */
    size_t len;
    int64_t added;                       /* wall-clock Unix seconds */
} store_pack_row;
typedef int (*store_pack_fn)(void *ctx, const store_pack_row *row);

/* flags of store_pack_each / store_roster_each */
#define STORE_NEWEST_FIRST 1u /* by `added`, newest first (default: oldest first) */
#define STORE_WITH_BYTES 2u   /* fill row->bytes/len (default: NULL/0) */

/* Adds a pack unless one with its id is there (*added 1 / 0; ADDED may be
 * NULL). Copies everything it needs from ROW. */
store_rc store_pack_add(store *st, const store_pack_row *row, int *added) __attribute__((warn_unused_result));
/* Calls FN for each pack, in `added` order (see flags). */
store_rc store_pack_each(store *st, unsigned flags, store_pack_fn fn, void *ctx);
/* The stored file of PACK_ID: *bytes malloc'd (caller frees) and *len, or
 * STORE_NOTFOUND with *bytes NULL. */
store_rc store_pack_get(store *st, const char *pack_id, uint8_t **bytes, size_t *len) __attribute__((warn_unused_result));

typedef struct store_roster_row {
    const char *roster_id;
    int64_t candidates;
    const uint8_t *bytes; /* the whole .roster file; NULL unless asked for */
    size_t len;
    int64_t added;
} store_roster_row;
typedef int (*store_roster_fn)(void *ctx, const store_roster_row *row);

/* Adds a roster unless one with its id is there (*added 1 / 0; may be NULL). */
store_rc store_roster_add(store *st, const store_roster_row *row, int *added) __attribute__((warn_unused_result));
/* Calls FN for each roster, in `added` order (see flags). */
store_rc store_roster_each(store *st, unsigned flags, store_roster_fn fn, void *ctx);

/* ---- unlock state (per pack: the PIN's salt and digest, the unlock's age) ---- */

/* Records PACK_ID as unlocked now (WALL) with age 0, replacing an earlier
 * unlock of it. In the caller's transaction. */
store_rc store_unlock_put(store *st, const char *pack_id, const uint8_t salt[STORE_PIN_SALT_BYTES],
                     const uint8_t hash[STORE_PIN_HASH_BYTES], int64_t wall) __attribute__((warn_unused_result));
/* The unlock row of PACK_ID: salt, hash and age into caller buffers (OUT);
 * STORE_NOTFOUND when there is none (or it is malformed). */
store_rc store_unlock_get(store *st, const char *pack_id, uint8_t salt[STORE_PIN_SALT_BYTES],
                     uint8_t hash[STORE_PIN_HASH_BYTES], int64_t *age_ms) __attribute__((warn_unused_result));
/* The Argon2id cost (core/pin.h) PACK_ID's PIN verifier was made with; 0/0
 * for a row of an older kiosk (its verifier is the old keyed BLAKE2b).
 * set: in the caller's transaction, after store_unlock_put; STORE_NOTFOUND
 * when PACK_ID has no unlock row. */
store_rc store_unlock_set_kdf(store *st, const char *pack_id, uint64_t ops, uint64_t mem) __attribute__((warn_unused_result));
store_rc store_unlock_get_kdf(store *st, const char *pack_id, uint64_t *ops, uint64_t *mem)
    __attribute__((warn_unused_result));
/* The most recently unlocked pack's id into PACK_ID (OUT), or STORE_NOTFOUND. */
store_rc store_unlock_latest(store *st, char pack_id[STORE_ID_MAX + 1]) __attribute__((warn_unused_result));
/* How long ago PACK_ID was unlocked (the late-entry window survives a
 * restart). Commits on its own; a failure only loses this second's age. */
store_rc store_unlock_set_age(store *st, const char *pack_id, int64_t age_ms);
/* Forgets PACK_ID's unlock. In the caller's transaction; then, after the
 * commit, store_flush_deleted. */
store_rc store_unlock_delete(store *st, const char *pack_id) __attribute__((warn_unused_result));
/* After a commit that deleted secrets (the unlock row's PIN verifier): a
 * WAL checkpoint (TRUNCATE) copies the pages into kiosk.db, where
 * secure_delete has zeroed the freed bytes, and truncates kiosk.db-wal to
 * 0 bytes, so no older page version holding them is left in either file.
 * Outside a transaction. STORE_BUSY when a reader kept it from finishing. */
store_rc store_flush_deleted(store *st);

/* ---- sessions (sittings and absences) ---------------------------------------- */

typedef struct store_session_row {
    const char *id, *pack_id, *ticket, *name, *room;
    int level, seat;
    const uint8_t *seed; /* the paper's seed */
    size_t seed_len;
    const char *state;   /* session_state_name() */
    int64_t elapsed_ms, extra_ms;
    int current;         /* question shown (0-based) */
    int64_t started_wall, ended_wall; /* Unix seconds; ended 0 while open */
    int score, pending;  /* tenths / items to mark by hand; 0 until handed in */
    const char *receipt; /* NULL until handed in */
    int active;          /* 1 while the sitting may be resumed */
    int sealed;          /* read without the pack's key: ticket, name, seed and score are "" / 0 */
} store_session_row;
/* the length of a seed in a database older than schema 4 (stored plain) */
#define STORE_PLAIN_SEED_BYTES 32
/* the hex of a ticket's keyed tag and its NUL */
#define STORE_TAG_HEX 33
/* The keyed tag a ticket is looked up by (store_session_count); "" without
 * the pack's key. Journal entries name candidates by it, never by ticket. */
void store_ticket_tag(const store *st, const char *ticket, char out[STORE_TAG_HEX]);
/* The keyed tag of TEXT of a KIND ("ticket", "reason": the kind is hashed in,
 * so equal texts of two kinds have unrelated tags); "" without the key. */
void store_tag(const store *st, const char *kind, const char *text, char out[STORE_TAG_HEX]);
typedef int (*store_session_fn)(void *ctx, const store_session_row *row);

/* Inserts a new session from ROW's id, pack_id, ticket, name, level, room,
 * seat, seed, state, started_wall and active (the rest start at 0/NULL).
 * In the caller's transaction. */
store_rc store_session_insert(store *st, const store_session_row *row) __attribute__((warn_unused_result));
/* Calls FN once with session ID, or returns STORE_NOTFOUND. */
store_rc store_session_get(store *st, const char *id, store_session_fn fn, void *ctx) __attribute__((warn_unused_result));
/* Calls FN for every session in the order they were created. */
store_rc store_session_each(store *st, store_session_fn fn, void *ctx);
/* The newest active session's id and pack id into caller buffers (OUT)
 * (PACK_ID may be NULL), or STORE_NOTFOUND. */
store_rc store_session_latest_active(store *st, char id[STORE_ID_MAX + 1], char pack_id[STORE_ID_MAX + 1])
    __attribute__((warn_unused_result));
/* *count: sessions of TICKET for PACK_ID (a sitting or an absence); 0 when
 * the store cannot count. */
store_rc store_session_count(store *st, const char *ticket, const char *pack_id, int *count);
/* Saves the clock of a running sitting (elapsed, extra, current question).
 * Commits on its own; refused while the fail_writes hook is armed. */
store_rc store_save_clock(store *st, const char *session, int64_t elapsed_ms, int64_t extra_ms, int current)
    __attribute__((warn_unused_result));
/* The final state of a handed-in sitting (it stops being active). In the
 * caller's transaction. */
store_rc store_session_finish(store *st, const char *id, const char *state, int64_t elapsed_ms, int64_t extra_ms,
                         int64_t ended_wall, int score, int pending, const char *receipt)
    __attribute__((warn_unused_result));

/* ---- answers ------------------------------------------------------------------ */

typedef struct store_answer_row {
    int item;             /* 0-based position on the paper */
    const char *response; /* canonical response, "" = none */
    int flagged;
    int64_t mono_ms;
} store_answer_row;
typedef int (*store_answer_fn)(void *ctx, const store_answer_row *row);

/* Writes one answer and its journal entry in one durable transaction. */
store_rc store_save_answer(store *st, const char *session, int item, const char *response, int flagged, int64_t mono_ms,
                      int64_t wall) __attribute__((warn_unused_result));
/* The data of the journal entry store_save_answer writes for that answer
 * ("item=N flagged=F h=<keyed digest>", journal_answer_digest), so that a
 * reader can compare an answer with what the journal proves. Needs the
 * journal key (SQLITE_MISUSE without). */
#define STORE_ANSWER_DATA_MAX 96
store_rc store_answer_data(store *st, const char *session, int item, const char *response, int flagged,
                           char data[STORE_ANSWER_DATA_MAX]) __attribute__((warn_unused_result));
/* Calls FN for each saved answer of SESSION. */
store_rc store_answer_each(store *st, const char *session, store_answer_fn fn, void *ctx);

/* ---- irregularities ------------------------------------------------------------- */

typedef struct store_irregularity_row {
    const char *category, *note;
    int64_t mono_ms, wall;
} store_irregularity_row;
typedef int (*store_irregularity_fn)(void *ctx, const store_irregularity_row *row);

/* Records an irregularity of SESSION. In the caller's transaction. */
store_rc store_irregularity_add(store *st, const char *session, const char *category, const char *note, int64_t mono_ms,
                           int64_t wall) __attribute__((warn_unused_result));
/* Calls FN for SESSION's irregularities in the order they were recorded. */
store_rc store_irregularity_each(store *st, const char *session, store_irregularity_fn fn, void *ctx);

/* ---- time extensions ------------------------------------------------------------ */

typedef struct store_extension_row {
    int minutes;
    const char *reason;
    int64_t exam_ms; /* the sitting's exam time (elapsed) when it was granted */
    int64_t mono_ms, wall;
} store_extension_row;
typedef int (*store_extension_fn)(void *ctx, const store_extension_row *row);

/* Records a time extension of SESSION. In the caller's transaction. */
store_rc store_extension_add(store *st, const char *session, int minutes, const char *reason, int64_t exam_ms,
                             int64_t mono_ms, int64_t wall) __attribute__((warn_unused_result));
/* Calls FN for SESSION's extensions in the order they were granted. */
store_rc store_extension_each(store *st, const char *session, store_extension_fn fn, void *ctx);

/* ---- results outbox --------------------------------------------------------------- */

typedef struct store_outbox_row {
    const char *result_id, *session;
    int64_t created;
    const uint8_t *sealed; /* the sealed result (result_seal) */
    size_t len;
    int64_t delivered;     /* Unix seconds the hub acknowledged it, 0 = pending */
    const char *receipt;   /* the hub's signed receipt, NULL while pending */
    int64_t exported;      /* last export to a USB bundle, 0 = never */
} store_outbox_row;
typedef int (*store_outbox_fn)(void *ctx, const store_outbox_row *row);

/* Files a sealed result (copied) under RESULT_ID. In the caller's transaction. */
store_rc store_outbox_add(store *st, const char *result_id, const char *session, int64_t created, const uint8_t *sealed,
                     size_t len) __attribute__((warn_unused_result));
/* Calls FN for every result, in the order they were filed. */
store_rc store_outbox_each(store *st, store_outbox_fn fn, void *ctx);
/* Calls FN for every pending (undelivered) result, in result-id order. */
store_rc store_outbox_each_pending(store *st, store_outbox_fn fn, void *ctx);
/* The first pending result whose id sorts after AFTER ("" = from the start):
 * id into RESULT_ID (OUT), *sealed malloc'd (caller frees), *len; or
 * STORE_NOTFOUND. One short read, so a slow upload never holds the kiosk up. */
store_rc store_outbox_next_pending(store *st, const char *after, char result_id[STORE_ID_MAX + 1], uint8_t **sealed,
                              size_t *len) __attribute__((warn_unused_result));
/* Records the hub's acknowledgement of RESULT_ID at WALL with its RECEIPT. */
store_rc store_outbox_mark_delivered(store *st, const char *result_id, int64_t wall, const char *receipt)
    __attribute__((warn_unused_result));
/* Records that every pending result was exported at WALL (they stay pending). */
store_rc store_outbox_mark_exported(store *st, int64_t wall) __attribute__((warn_unused_result));
/* *pending and *delivered: how many results are in each state (either may be
 * NULL; 0 when the store cannot count). */
store_rc store_outbox_counts(store *st, int *pending, int *delivered);

/* ---- the journal (entries and chain rules in journal.h) --------------------------- */

/* The unlocked pack's journal keys: every entry appended from now on is
 * keyed with them (journal.h), and answers are journaled with their keyed
 * digest. NULL (at lock) forgets them (wiped). */
void store_set_journal_key(store *st, const journal_key *k);
/* Calls FN for each journal entry of SESSION in order (journal_each). */
store_rc store_journal_each(store *st, const char *session, journal_fn fn, void *ctx) __attribute__((warn_unused_result));
/* journal_verify_keyed with the key set by store_set_journal_key (if any). */
store_rc store_journal_verify_keyed(store *st, const char *session, uint8_t head[JOURNAL_HASH_BYTES],
                                    journal_check *check, char **why) __attribute__((warn_unused_result));
/* Appends a journal entry in its own transaction. */
store_rc store_journal(store *st, const char *session, const char *type, const char *data, int64_t mono_ms, int64_t wall)
    __attribute__((warn_unused_result));
/* Appends a journal entry in the caller's transaction; *head (if not NULL)
 * gets the new head. */
store_rc store_journal_append(store *st, const char *session, const char *type, const char *data, int64_t mono_ms,
                         int64_t wall, uint8_t head[JOURNAL_HASH_BYTES]) __attribute__((warn_unused_result));
/* Current head and entry count (journal_head). */
store_rc store_journal_head(store *st, uint8_t head[JOURNAL_HASH_BYTES], int64_t *count) __attribute__((warn_unused_result));
/* Entries of TYPE in SESSION's part of the journal (journal_count). */
store_rc store_journal_count(store *st, const char *session, const char *type, int64_t *count)
    __attribute__((warn_unused_result));
/* Recomputes the chain (journal_verify): 0, or -1 with *why (caller frees). */
store_rc store_journal_verify(store *st, uint8_t head[JOURNAL_HASH_BYTES], char **why) __attribute__((warn_unused_result));

/* ---- the room link (issue 12; FORMAT.md §16) ------------------------------------------
 * examsync and the kiosk meet here: the kiosk writes its status (room_status)
 * on its once-a-second tick, examsync reads it, sends it to the room console
 * and stores the console's commands (room_inbox) and active-tickets set
 * (room_active), which the kiosk takes on its tick. Neither waits for the
 * other; nothing here is secret (commands are MAC'd, the name is boxed). */

typedef struct store_room_status {
    int64_t updated_ms;            /* the kiosk's wall clock of the write */
    int phase;                     /* exam_phase */
    unsigned flags;                /* ROOMPROTO_FLAG_* */
    uint8_t pack_id[16];           /* zeros: none unlocked */
    uint8_t ticket_tag[16];        /* zeros: nobody logged in */
    uint32_t answered, total, time_left_ms, focus_losses;
    uint64_t journal_count;
    uint8_t journal_head[32];
    uint8_t name_box[ROOMPROTO_NAME_BOX_MAX];
    uint8_t name_box_len;
    uint64_t last_command;         /* highest command counter accepted */
} store_room_status;

/* The kiosk's status (one row, replaced). Its own transaction. */
store_rc store_room_status_put(store *st, const store_room_status *s) __attribute__((warn_unused_result));
/* The status as last written, or STORE_NOTFOUND (never written). */
store_rc store_room_status_get(store *st, store_room_status *s) __attribute__((warn_unused_result));

/* examsync: files command CMD (LEN ≤ ROOMPROTO_CMD_MAX_BYTES) received at
 * NOW_MS under COUNTER (1 … INT64_MAX; else STORE_CONSTRAINT). A counter
 * already there is ignored, except a row the kiosk refused whose bytes
 * differ: it is replaced and taken again (a forged command that got in
 * first cannot keep the real one out). Old rows are pruned (the newest 200
 * processed ones stay). */
store_rc store_room_inbox_add(store *st, uint64_t counter, const uint8_t *cmd, size_t len, int64_t now_ms)
    __attribute__((warn_unused_result));
/* examsync: the counter it asks the console for commands after: the
 * highest of the rows not refused and of the kiosk's last accepted command
 * (0: none). A refused row is left out, so that the console sends that
 * counter again. */
store_rc store_room_inbox_max(store *st, uint64_t *counter) __attribute__((warn_unused_result));
/* kiosk: the lowest counter > AFTER still new: *counter, the bytes into BUF
 * (CAP bytes; STORE_CONSTRAINT when they do not fit) and *len;
 * STORE_NOTFOUND when there is none. */
store_rc store_room_inbox_next(store *st, uint64_t after, uint64_t *counter, uint8_t *buf, size_t cap, size_t *len)
    __attribute__((warn_unused_result));
/* kiosk: marks COUNTER "done" or "refused" (OUTCOME) with WHY (NULL: none;
 * cut to 200 bytes). In the caller's transaction where there is one.
 * STORE_NOTFOUND: no such row. */
store_rc store_room_inbox_done(store *st, uint64_t counter, const char *outcome, const char *why)
    __attribute__((warn_unused_result));

/* The highest command counter the kiosk has accepted (0: none), kept with
 * each command's effect (store_room_arm). */
store_rc store_room_last_command(store *st, uint64_t *counter) __attribute__((warn_unused_result));

/* Exactly once, across crashes: a command's counter is stored in the same
 * transaction as its effect. The engine's actions each commit their own
 * journal entry (pause, extend, handin, lock, …) and know nothing of
 * commands; so the kiosk arms the store before calling one, and the first
 * journal entry of type ON_TYPE appended inside a transaction (every path
 * of store_journal and store_journal_append within store_begin … commit)
 * also writes, in that transaction and before the entry: the entry
 * JOURNAL_TYPE / JOURNAL_DATA when JOURNAL_TYPE is not NULL (the room_cmd
 * entry), meta room_last_command = COUNTER, and inbox row COUNTER marked
 * OUTCOME ("done"/"refused") with WHY. Either the effect, its entry, the
 * counter and the mark all commit, or none does. One arm at a time; the
 * strings are copied. */
typedef struct store_room_arm_spec {
    uint64_t counter;
    const char *on_type;
    const char *journal_type, *journal_data; /* journal_type NULL: no extra entry */
    const char *outcome, *why;
} store_room_arm_spec;
void store_room_arm(store *st, const store_room_arm_spec *a);
/* Disarms; 1 when the armed writes were made (in a transaction that then
 * committed or rolled back: store_room_last_command tells which), 0 when
 * no such entry was appended. */
int store_room_disarm(store *st);

/* examsync: the newest active-tickets message (EXRA, LEN ≤
 * ROOMPROTO_ACTIVE_MAX_BYTES), replacing the one before. */
store_rc store_room_active_put(store *st, const uint8_t *buf, size_t len) __attribute__((warn_unused_result));
/* kiosk: its bytes into BUF (CAP bytes) and *len, or STORE_NOTFOUND. */
store_rc store_room_active_get(store *st, uint8_t *buf, size_t cap, size_t *len) __attribute__((warn_unused_result));

#endif
