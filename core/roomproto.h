/* roomproto: the messages between the seats of an exam room and the room
 * console (issue 12; exam-packs/FORMAT.md §16). Pure: bytes in, bytes out,
 * libsodium only (no SQLite, no clock, no printing). Every function of
 * outside bytes returns a roomproto_rc and sets *WHY to a static phrase.
 *
 * 1. Seat report (seat → console): the seat's status, signed with its
 *    Ed25519 device key; it carries no name (a keyed ticket tag instead).
 * 2. Console command (console → seat): MAC'd with a key derived from the
 *    pack's content key (crypto_kdf, context "examroom"), with a per-room
 *    strictly increasing counter against replay.
 * 3. Sealed unlock: the content key and the session PIN's verifier sealed
 *    to one seat's device key (crypto_box_seal over the X25519 form of the
 *    Ed25519 key), bound to the pack and the seat.
 * 4. Journal head mirror: the (kiosk id, count, head) the console keeps of
 *    every report, and the rules by which a journal must extend them.
 * 5. Active tickets (console → seat): the ticket tags logged in on each
 *    seat of the room, MAC'd like a command, so a second seat refuses a
 *    candidate already logged in elsewhere.
 * 6. Name box: the logged-in candidate's name in the report, encrypted
 *    with a key derived from the content key (only the console reads it).
 *
 * Every layout is canonical binary, little-endian, with fixed bounds: one
 * message has one encoding, and a decoder refuses any other (unknown flag
 * bits, non-zero padding, trailing bytes, a string with a NUL). */
#ifndef ROOMPROTO_H
#define ROOMPROTO_H

#include <sodium.h>
#include <stddef.h>
#include <stdint.h>

#define ROOMPROTO_VERSION 1
#define ROOMPROTO_KIOSK_ID_LEN 16 /* hex characters (result_kiosk_id) */
#define ROOMPROTO_SITE_MAX 127    /* bytes of UTF-8, as ROSTER_SITE_MAX */
#define ROOMPROTO_ROOM_MAX 32     /* as ROSTER_ROOM_MAX */
#define ROOMPROTO_SEAT_MAX 16
#define ROOMPROTO_TICKET_MAX 32   /* as ROSTER_TICKET_MAX */
#define ROOMPROTO_PACK_ID_BYTES 16 /* as PACK_ID_BYTES */
#define ROOMPROTO_TAG_BYTES 16
#define ROOMPROTO_HEAD_BYTES 32   /* as JOURNAL_HASH_BYTES */
#define ROOMPROTO_KEY_BYTES 32    /* a pack's content key */
#define ROOMPROTO_MAC_BYTES crypto_auth_BYTES
#define ROOMPROTO_PHASE_MAX 8     /* exam_phase: PHASE_LOCKED 0 … PHASE_RESUME 8 */
#define ROOMPROTO_EXTEND_MAX 600  /* minutes in one extend command */
#define ROOMPROTO_REASON_MAX 120  /* bytes of UTF-8, as the panel's reasons */
#define ROOMPROTO_PIN_SALT_BYTES 16 /* PIN_SALT_BYTES */
#define ROOMPROTO_PIN_HASH_BYTES 32 /* PIN_HASH_BYTES */
#define ROOMPROTO_NAME_MAX 64     /* bytes of UTF-8, as ROSTER_NAME_MAX */
/* a name box: nonce ‖ XSalsa20-Poly1305 of the name padded to NAME_MAX bytes */
#define ROOMPROTO_NAME_BOX_MAX (crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + ROOMPROTO_NAME_MAX)
#define ROOMPROTO_ACTIVE_MAX 64   /* entries of one active-tickets message */

typedef enum roomproto_rc {
    ROOMPROTO_OK = 0,
    ROOMPROTO_MALFORMED,     /* not a message of this kind: length, bounds, encoding */
    ROOMPROTO_BAD_SIGNATURE, /* a report the device key did not sign */
    ROOMPROTO_BAD_MAC,       /* a command the pack's key did not authenticate */
    ROOMPROTO_REPLAY,        /* counter not above the last one accepted */
    ROOMPROTO_NOT_FOR_ME,    /* another seat, room, site or pack */
    ROOMPROTO_SEALED,        /* a sealed unlock that does not open with this seat's key */
    ROOMPROTO_INVALID,       /* the caller's fields cannot be encoded */
    ROOMPROTO_DIVERGES,      /* a journal head that does not extend the one seen before */
} roomproto_rc;

const char *roomproto_strerror(roomproto_rc rc);

/* ---- keys ---------------------------------------------------------------
 * From a pack's content key (FORMAT.md §16):
 *   mac_key  = crypto_kdf_derive_from_key(32, 1, "examroom", content key)
 *   tag_key  = crypto_kdf_derive_from_key(32, 2, "examroom", content key)
 *   name_key = crypto_kdf_derive_from_key(32, 3, "examroom", content key)
 * Wipe with sodium_memzero after use. */
typedef struct roomproto_keys {
    uint8_t mac[crypto_auth_KEYBYTES];
    uint8_t tag[crypto_generichash_KEYBYTES];
    uint8_t name[crypto_secretbox_KEYBYTES];
} roomproto_keys;

void roomproto_keys_derive(const uint8_t content_key[ROOMPROTO_KEY_BYTES], roomproto_keys *k);

/* The ticket tag a report carries instead of the ticket:
 * BLAKE2b-128(key = tag_key, "exam-room-ticket" ‖ ticket). The console
 * (which holds the content key once the code is typed) maps tags back
 * through the roster. TICKET is 1–ROOMPROTO_TICKET_MAX bytes. Returns
 * ROOMPROTO_OK or ROOMPROTO_INVALID. */
roomproto_rc roomproto_ticket_tag(const roomproto_keys *k, const char *ticket, uint8_t out[ROOMPROTO_TAG_BYTES])
    __attribute__((warn_unused_result));

/* ---- 1. seat report ------------------------------------------------------ */
#define ROOMPROTO_FLAG_STORAGE_ALERT   0x0001u /* the disk refused a write or is nearly full */
#define ROOMPROTO_FLAG_INTEGRITY_ALERT 0x0002u /* the journal or a pack failed a check */
#define ROOMPROTO_FLAG_PAUSED          0x0004u /* the sitting's clock is stopped */
#define ROOMPROTO_FLAG_PIN_LOCKED      0x0008u /* PIN entry locked (10 wrong PINs) */
#define ROOMPROTO_FLAG_UNFOCUSED       0x0010u /* the kiosk window has lost the focus now */
#define ROOMPROTO_FLAG_RESUME_WAITING  0x0020u /* a crashed sitting waits for authorisation */
#define ROOMPROTO_FLAG_DUPLICATE_LOGIN 0x0040u /* a login refused: ticket active on another seat */
#define ROOMPROTO_FLAG_ENTRY_CLOSED    0x0080u /* late entry closed on this seat */
#define ROOMPROTO_FLAGS_ALL            0x00ffu

typedef struct roomproto_report {
    char kiosk_id[ROOMPROTO_KIOSK_ID_LEN + 1]; /* must be the device key's (result_kiosk_id) */
    char site[ROOMPROTO_SITE_MAX + 1];
    char room[ROOMPROTO_ROOM_MAX + 1];
    char seat[ROOMPROTO_SEAT_MAX + 1];
    uint8_t phase;                              /* exam_phase, 0–ROOMPROTO_PHASE_MAX */
    uint16_t flags;                             /* ROOMPROTO_FLAG_* */
    uint8_t pack_id[ROOMPROTO_PACK_ID_BYTES];   /* the unlocked pack; zeros: none */
    uint8_t ticket_tag[ROOMPROTO_TAG_BYTES];    /* roomproto_ticket_tag; zeros: nobody logged in */
    uint8_t name_box[ROOMPROTO_NAME_BOX_MAX];   /* roomproto_name_seal of the candidate's name */
    uint8_t name_box_len;                       /* 0 (no name) or ROOMPROTO_NAME_BOX_MAX; bytes after it zero */
    uint32_t answered, total;                   /* answered ≤ total */
    uint32_t time_left_ms;
    uint32_t focus_losses;
    uint64_t journal_count;
    uint8_t journal_head[ROOMPROTO_HEAD_BYTES]; /* zeros exactly when journal_count is 0 */
    uint64_t counter;                           /* the seat's report counter, ≥ 1, strictly increasing */
    uint64_t wall_ms;                           /* the seat's wall clock, ms since 1970 */
    uint64_t last_command;                      /* the highest command counter the seat accepted (0: none) */
} roomproto_report;

/* magic 4 + version 1 + phase 1 + flags 2 + kiosk id 16 + 3 length bytes +
 * strings + pack 16 + tag 16 + name box length 1 + box + 4 × u32 + count 8
 * + head 32 + counter 8 + wall 8 + last command 8, then the signature */
#define ROOMPROTO_REPORT_FIXED (4 + 1 + 1 + 2 + ROOMPROTO_KIOSK_ID_LEN + 3 + 16 + 16 + 1 + 16 + 8 + 32 + 8 + 8 + 8)
#define ROOMPROTO_REPORT_MIN (ROOMPROTO_REPORT_FIXED + 3 + crypto_sign_BYTES)
#define ROOMPROTO_REPORT_MAX                                                                                    \
    (ROOMPROTO_REPORT_FIXED + ROOMPROTO_SITE_MAX + ROOMPROTO_ROOM_MAX + ROOMPROTO_SEAT_MAX + ROOMPROTO_NAME_BOX_MAX + \
     crypto_sign_BYTES)

/* Encodes R and signs it with the seat's device key SK into OUT (*OUT_LEN
 * bytes, at most ROOMPROTO_REPORT_MAX). ROOMPROTO_INVALID when a field is
 * out of bounds (then OUT is untouched). */
roomproto_rc roomproto_report_sign(const roomproto_report *r, const uint8_t sk[crypto_sign_SECRETKEYBYTES],
                                   uint8_t out[ROOMPROTO_REPORT_MAX], size_t *out_len, const char **why)
    __attribute__((warn_unused_result));

/* Checks BUF's signature against the enrolled device key PK, then decodes it
 * into OUT and checks that its kiosk id is PK's. Nothing of BUF is read
 * before the signature verifies (except its length). */
roomproto_rc roomproto_report_verify(const uint8_t *buf, size_t len, const uint8_t pk[crypto_sign_PUBLICKEYBYTES],
                                     roomproto_report *out, const char **why) __attribute__((warn_unused_result));

/* Decodes BUF without checking its signature (the console's first look, to
 * find which enrolled key to check it with). Never trust what it returns. */
roomproto_rc roomproto_report_peek(const uint8_t *buf, size_t len, roomproto_report *out, const char **why)
    __attribute__((warn_unused_result));

/* ---- 6. name box (in the report) ------------------------------------------
 * NAME (1–ROOMPROTO_NAME_MAX bytes, text_field_check) padded with zero bytes
 * to ROOMPROTO_NAME_MAX (so every box has the same length and the LAN learns
 * nothing of the name's length), sealed with K->name (crypto_secretbox, a
 * random nonce first): *BOX_LEN = ROOMPROTO_NAME_BOX_MAX. The box is inside
 * the report's signature, which binds it to the report's ticket tag. */
roomproto_rc roomproto_name_seal(const roomproto_keys *k, const char *name, uint8_t box[ROOMPROTO_NAME_BOX_MAX],
                                 uint8_t *box_len, const char **why) __attribute__((warn_unused_result));
/* Opens BOX (the console); NAME is "" on failure: ROOMPROTO_MALFORMED (wrong
 * length, padding or text), ROOMPROTO_BAD_MAC (another key, altered). */
roomproto_rc roomproto_name_open(const roomproto_keys *k, const uint8_t *box, size_t box_len,
                                 char name[ROOMPROTO_NAME_MAX + 1], const char **why) __attribute__((warn_unused_result));

/* ---- 3. sealed unlock (before 2: an unlock command carries one) ---------- */
typedef struct roomproto_unlock {
    uint8_t pack_id[ROOMPROTO_PACK_ID_BYTES];
    char kiosk_id[ROOMPROTO_KIOSK_ID_LEN + 1]; /* the seat it is sealed to */
    uint8_t content_key[ROOMPROTO_KEY_BYTES];
    /* the session PIN's verifier (FORMAT.md §5), made by the console */
    uint8_t pin_kiosk_salt[ROOMPROTO_PIN_SALT_BYTES];
    uint8_t pin_unlock_salt[ROOMPROTO_PIN_SALT_BYTES];
    uint32_t pin_ops, pin_mem; /* Argon2id cost; pin_mem in bytes; pin_cost_ok */
    uint8_t pin_hash[ROOMPROTO_PIN_HASH_BYTES];
} roomproto_unlock;

#define ROOMPROTO_UNLOCK_PLAIN (4 + 1 + ROOMPROTO_PACK_ID_BYTES + ROOMPROTO_KIOSK_ID_LEN + ROOMPROTO_KEY_BYTES + \
                                2 * ROOMPROTO_PIN_SALT_BYTES + 4 + 4 + ROOMPROTO_PIN_HASH_BYTES)
#define ROOMPROTO_SEALED_BYTES (ROOMPROTO_UNLOCK_PLAIN + crypto_box_SEALBYTES)

/* Seals U to the seat's Ed25519 device key SEAT_PK into OUT. The plaintext
 * is wiped. ROOMPROTO_INVALID for a bad field or a key that has no X25519
 * form. */
roomproto_rc roomproto_unlock_seal(const roomproto_unlock *u, const uint8_t seat_pk[crypto_sign_PUBLICKEYBYTES],
                                   uint8_t out[ROOMPROTO_SEALED_BYTES], const char **why)
    __attribute__((warn_unused_result));

/* Opens SEALED with the seat's device key SK (Ed25519, 64 bytes: seed and
 * public key) and checks that it names PACK_ID and this seat (the kiosk id
 * of SK's public key). OUT holds the content key: wipe it after use (the
 * caller checks that it opens the pack before using it). On failure OUT is
 * zero. */
roomproto_rc roomproto_unlock_open(const uint8_t *sealed, size_t len, const uint8_t sk[crypto_sign_SECRETKEYBYTES],
                                   const uint8_t pack_id[ROOMPROTO_PACK_ID_BYTES], roomproto_unlock *out,
                                   const char **why) __attribute__((warn_unused_result));

/* ---- 2. console command -------------------------------------------------- */
typedef enum roomproto_cmd_type {
    ROOMPROTO_CMD_UNLOCK = 1,       /* one seat; carries a sealed unlock */
    ROOMPROTO_CMD_PAUSE_ALL,        /* all */
    ROOMPROTO_CMD_RESUME_ALL,       /* all */
    ROOMPROTO_CMD_EXTEND,           /* one seat or all; minutes + reason */
    ROOMPROTO_CMD_CLOSE_ENTRY,      /* all */
    ROOMPROTO_CMD_FORCE_HANDIN,     /* one seat or all */
    ROOMPROTO_CMD_LOCK,             /* one seat or all */
    ROOMPROTO_CMD_AUTHORISE_RESUME, /* one seat; carries a sealed unlock (the key of the crashed sitting) */
} roomproto_cmd_type;
#define ROOMPROTO_CMD_MAX ROOMPROTO_CMD_AUTHORISE_RESUME

const char *roomproto_cmd_name(int type); /* "unlock", "pause_all", …; "?" */

typedef struct roomproto_command {
    uint8_t type;                              /* roomproto_cmd_type */
    uint8_t target_all;                        /* 1: every seat of the room; 0: the seat TARGET */
    char target[ROOMPROTO_KIOSK_ID_LEN + 1];   /* kiosk id; "" when target_all */
    uint8_t pack_id[ROOMPROTO_PACK_ID_BYTES];  /* the pack whose key MACs it */
    char site[ROOMPROTO_SITE_MAX + 1];
    char room[ROOMPROTO_ROOM_MAX + 1];
    uint64_t counter;                          /* ≥ 1, strictly increasing per room */
    uint64_t wall_ms;                          /* the console's wall clock */
    uint16_t minutes;                          /* EXTEND: 1–ROOMPROTO_EXTEND_MAX */
    char reason[ROOMPROTO_REASON_MAX + 1];     /* EXTEND: 1–120 bytes, text_field_check */
    uint8_t sealed[ROOMPROTO_SEALED_BYTES];    /* UNLOCK, AUTHORISE_RESUME */
} roomproto_command;

/* magic 4 + version 1 + type 1 + target kind 1 + target 16 + pack 16 + 2
 * length bytes + strings + counter 8 + wall 8 + args length 2 + args, MAC */
#define ROOMPROTO_CMD_FIXED (4 + 1 + 1 + 1 + ROOMPROTO_KIOSK_ID_LEN + ROOMPROTO_PACK_ID_BYTES + 2 + 8 + 8 + 2)
#define ROOMPROTO_CMD_ARGS_MAX ROOMPROTO_SEALED_BYTES
#define ROOMPROTO_CMD_MAX_BYTES \
    (ROOMPROTO_CMD_FIXED + ROOMPROTO_SITE_MAX + ROOMPROTO_ROOM_MAX + ROOMPROTO_CMD_ARGS_MAX + ROOMPROTO_MAC_BYTES)

/* Encodes C and MACs it with K->mac into OUT (*OUT_LEN bytes). */
roomproto_rc roomproto_command_seal(const roomproto_command *c, const roomproto_keys *k,
                                    uint8_t out[ROOMPROTO_CMD_MAX_BYTES], size_t *out_len, const char **why)
    __attribute__((warn_unused_result));

/* What the seat expects of a command: its own pack, site, room and kiosk
 * id, and the counter of the last command it accepted (0: none yet; the
 * caller keeps it durably and stores the new one with the command's effect). */
typedef struct roomproto_expect {
    const uint8_t *pack_id; /* ROOMPROTO_PACK_ID_BYTES */
    const char *site, *room, *kiosk_id;
    uint64_t last_counter;
} roomproto_expect;

/* Checks BUF's MAC with K->mac (before reading anything else), decodes it
 * into OUT and checks it against X: ROOMPROTO_BAD_MAC, ROOMPROTO_MALFORMED,
 * ROOMPROTO_NOT_FOR_ME (another pack, site, room or seat), ROOMPROTO_REPLAY
 * (counter ≤ X->last_counter). */
roomproto_rc roomproto_command_verify(const uint8_t *buf, size_t len, const roomproto_keys *k,
                                      const roomproto_expect *x, roomproto_command *out, const char **why)
    __attribute__((warn_unused_result));

/* Decodes BUF without checking its MAC: only for an unlock or an authorise
 * resume, whose seat has no key until it opens the sealed unlock inside.
 * The seat then opens out->sealed (roomproto_unlock_open), checks that the
 * key opens its pack, and calls roomproto_command_verify with that key
 * before acting. */
roomproto_rc roomproto_command_peek(const uint8_t *buf, size_t len, roomproto_command *out, const char **why)
    __attribute__((warn_unused_result));

/* ---- 4. journal head mirror ---------------------------------------------- */
typedef struct roomproto_mirror {
    char kiosk_id[ROOMPROTO_KIOSK_ID_LEN + 1];
    uint64_t count;
    uint8_t head[ROOMPROTO_HEAD_BYTES];
    uint64_t console_ms; /* the console's clock when it received the report */
} roomproto_mirror;

/* The mirror record of a verified report, received at CONSOLE_MS. */
void roomproto_mirror_of(const roomproto_report *r, uint64_t console_ms, roomproto_mirror *out);

/* The rule between two heads of one seat seen in that order (the console's
 * check of each new report, the hub's of each pair of the room record):
 * the same kiosk, LATER->count ≥ EARLIER->count, and an equal count means
 * an equal head. ROOMPROTO_OK, ROOMPROTO_NOT_FOR_ME (two seats) or
 * ROOMPROTO_DIVERGES. Equal counts with equal heads are fine (no entry
 * between two reports); a greater count is only consistent as far as this
 * rule sees: roomproto_mirror_in_chain proves it. */
roomproto_rc roomproto_mirror_follows(const roomproto_mirror *earlier, const roomproto_mirror *later,
                                      const char **why) __attribute__((warn_unused_result));

/* The hub's proof that a seat's journal extends a mirrored head: HEADS[i]
 * is the head after entry i + 1 of the journal the result carries (N
 * entries, each recomputed by the hub from the entries themselves). The
 * mirror M is in the chain when M->count ≤ N and HEADS[M->count - 1] is
 * M->head (count 0: the head is all zero). ROOMPROTO_OK or
 * ROOMPROTO_DIVERGES (a journal rewritten, cut short or replaced). */
roomproto_rc roomproto_mirror_in_chain(const roomproto_mirror *m, const uint8_t (*heads)[ROOMPROTO_HEAD_BYTES],
                                       uint64_t n, const char **why) __attribute__((warn_unused_result));

/* ---- 5. active tickets (console → seat), EXRA ----------------------------- */
typedef struct roomproto_active_entry {
    uint8_t ticket_tag[ROOMPROTO_TAG_BYTES];  /* non-zero */
    char kiosk_id[ROOMPROTO_KIOSK_ID_LEN + 1]; /* the seat it is logged in on */
} roomproto_active_entry;

typedef struct roomproto_active {
    uint8_t pack_id[ROOMPROTO_PACK_ID_BYTES]; /* the pack whose key MACs it */
    char site[ROOMPROTO_SITE_MAX + 1];
    char room[ROOMPROTO_ROOM_MAX + 1];
    uint64_t generation; /* ≥ 1, strictly increasing per room (its own counter, not the commands') */
    uint64_t wall_ms;    /* the console's wall clock */
    uint8_t n;           /* 0–ROOMPROTO_ACTIVE_MAX */
    roomproto_active_entry e[ROOMPROTO_ACTIVE_MAX];
} roomproto_active;

/* magic 4 + version 1 + pack 16 + 2 length bytes + strings + generation 8 +
 * wall 8 + count 1 + n × (tag 16 + kiosk id 16), MAC */
#define ROOMPROTO_ACTIVE_FIXED (4 + 1 + ROOMPROTO_PACK_ID_BYTES + 2 + 8 + 8 + 1)
#define ROOMPROTO_ACTIVE_MAX_BYTES                                                                     \
    (ROOMPROTO_ACTIVE_FIXED + ROOMPROTO_SITE_MAX + ROOMPROTO_ROOM_MAX +                                  \
     ROOMPROTO_ACTIVE_MAX * (ROOMPROTO_TAG_BYTES + ROOMPROTO_KIOSK_ID_LEN) + ROOMPROTO_MAC_BYTES)

/* Encodes A and MACs it with K->mac into OUT (CAP bytes; ROOMPROTO_INVALID
 * when a field is out of bounds or it does not fit). */
roomproto_rc roomproto_active_seal(const roomproto_active *a, const roomproto_keys *k, uint8_t *out, size_t cap,
                                   size_t *len, const char **why) __attribute__((warn_unused_result));

/* Checks BUF's MAC with K->mac first, decodes it into OUT and checks its
 * pack, site and room against X (X->kiosk_id is not used).
 * X->last_counter is the highest generation the caller has accepted before:
 * a lower one is ROOMPROTO_REPLAY (an old set replayed into kiosk.db); an
 * equal one is the same set read again (the kiosk reads the stored one at
 * every login) and accepted. On failure OUT is zero. */
roomproto_rc roomproto_active_verify(const uint8_t *buf, size_t len, const roomproto_keys *k,
                                     const roomproto_expect *x, roomproto_active *out, const char **why)
    __attribute__((warn_unused_result));

/* The first 4 bytes of a frame the console sends a seat tell its kind:
 * ROOMPROTO_FRAME_COMMAND (EXRC), ROOMPROTO_FRAME_ACTIVE (EXRA), or 0. */
#define ROOMPROTO_FRAME_COMMAND 1
#define ROOMPROTO_FRAME_ACTIVE 2
int roomproto_frame_kind(const uint8_t *buf, size_t len);

#endif
