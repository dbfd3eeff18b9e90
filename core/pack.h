/* pack: the signed, encrypted question pack.
 *
 * The content is an SQLite database image (schema in exam-packs/FORMAT.md),
 * compressed with zlib and encrypted with a random content key using
 * libsodium secretstream (XChaCha20-Poly1305) in 64 KiB chunks. The content
 * key is wrapped (XChaCha20-Poly1305) with a key derived by Argon2id from the
 * release code and a per-pack salt. The whole file is signed with the
 * authority's Ed25519 key. Public metadata (title, level, kind, duration,
 * question count) is readable with the public key alone.
 *
 * File layout (little-endian integers):
 *   off  size  field
 *   0    8     magic "EXAMPACK"
 *   8    4     format version (1)
 *   12   4     header length H (offset of the ciphertext) = 204 + M
 *   16   8     ciphertext length C
 *   24   16    pack id (random)
 *   40   8     authority key id (see authority_key_id)
 *   48   16    Argon2id salt
 *   64   8     Argon2id opslimit
 *   72   8     Argon2id memlimit (bytes)
 *   80   4     KDF algorithm (2 = Argon2id v1.3)
 *   84   4     flags (0)
 *   88   8     content length: SQLite image bytes after inflating
 *   96   8     compressed length
 *   104  24    wrap nonce
 *   128  48    wrapped content key: 32 bytes + 16 tag, additional data = bytes 0..103
 *   176  24    secretstream header
 *   200  4     metadata length M (≤ PACK_MAX_META)
 *   204  M     metadata: UTF-8 "key=value\n" lines (public)
 *   H    C     ciphertext: chunks of 64 KiB + 17 bytes, the last tagged FINAL
 *   H+C  64    Ed25519 signature over bytes 0 .. H+C-1
 */
#ifndef PACK_H
#define PACK_H

#include <sodium.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "core/bank.h"
#include "core/blueprint.h"
#include "core/releasecode.h"

#define PACK_MAGIC "EXAMPACK"
#define PACK_VERSION 1
#define PACK_FIXED_BYTES 204
#define PACK_MAX_META 4096
#define PACK_MAX_CONTENT (512ull << 20) /* inflated SQLite image */
#define PACK_CHUNK 65536
#define PACK_KEY_BYTES crypto_secretstream_xchacha20poly1305_KEYBYTES
#define PACK_ID_BYTES 16

typedef enum pack_rc {
    PACK_OK = 0,
    PACK_ENOMEM,
    PACK_FORMAT,    /* not a pack, truncated, or fields out of range */
    PACK_VERSION_UNSUPPORTED,
    PACK_OTHER_KEY, /* signed by a different authority */
    PACK_BADSIG,    /* signature does not hold: altered */
    PACK_CODE_TYPO, /* release code fails its check character */
    PACK_WRONG_CODE,/* release code well-formed but not this pack's */
    PACK_CORRUPT,   /* decrypts wrongly although signed (should not happen) */
    PACK_SQLITE,
    PACK_ID_MISMATCH, /* signed, but not the pack it was stored and looked up as */
    PACK_WEAK_KDF,    /* Argon2id cost below the kiosk's floor (pack_kdf_floor) */
} pack_rc;

typedef struct pack_kdf {
    unsigned long long opslimit;
    size_t memlimit;
} pack_kdf;

/* Public facts of a pack, readable without the release code. */
typedef struct pack_info {
    uint8_t pack_id[PACK_ID_BYTES];
    char pack_id_hex[PACK_ID_BYTES * 2 + 1];
    char title[256];
    int level;
    char kind[16];
    int duration;
    int questions;
    int points;
    long long created;
    int max_extra; /* minutes of extensions per sitting (BLUEPRINT_MAX_EXTRA_DEFAULT when the pack has no max_extra) */
    pack_kdf kdf;
    uint64_t content_bytes, compressed_bytes;
} pack_info;

/* Default KDF cost: about 0.3-1 s on a lab PC. */
pack_kdf pack_kdf_default(void);

/* The lowest KDF cost a kiosk accepts (examsync add, examsync check, the
 * kiosk's unlock and resume): libsodium's "interactive" Argon2id limits,
 * 2 passes and 64 MiB, about 80 ms on the 2-core reference machine
 * (FORMAT.md §6). Both limits must be reached. */
#define PACK_KDF_FLOOR_OPS 2ull
#define PACK_KDF_FLOOR_MEM (64ull << 20)
pack_kdf pack_kdf_floor(void);
/* 1 when K reaches FLOOR in both passes and memory. */
int pack_kdf_reaches(pack_kdf k, pack_kdf floor);

/* Builds a pack from a checked bank, blueprint and plan. CODE is a
 * normalised release code. CREATED is the build's wall-clock stamp (seconds
 * since the epoch, from the caller: core reads no clock). *out is malloc'd. Returns PACK_OK or an error
 * with *why (caller frees). */
pack_rc pack_build(const blueprint *bp, const bank *b, const bp_plan *plan, const uint8_t sk[crypto_sign_SECRETKEYBYTES],
                   const char code[RELEASECODE_NORM_BYTES], pack_kdf kdf, long long created, uint8_t **out, size_t *outlen,
                   char **why)
    __attribute__((warn_unused_result));

/* A PNG for stems ([图:NAME] lines), read by the caller. */
typedef struct pack_image {
    const char *name;
    const uint8_t *png;
    size_t len;
} pack_image;
#define PACK_MAX_IMAGE (2u << 20)

/* pack_build with the images the stems refer to (every referenced image must
 * be given; unreferenced ones are left out). */
pack_rc pack_build_images(const blueprint *bp, const bank *b, const bp_plan *plan,
                          const uint8_t sk[crypto_sign_SECRETKEYBYTES], const char code[RELEASECODE_NORM_BYTES],
                          pack_kdf kdf, long long created, const pack_image *images, size_t nimages,
                          uint8_t **out, size_t *outlen, char **why) __attribute__((warn_unused_result));

/* Checks structure and signature against PK and fills INFO. Nothing else in
 * the file is read before the signature holds. */
pack_rc pack_verify(const uint8_t *buf, size_t len, const uint8_t pk[32], pack_info *info, char **why)
    __attribute__((warn_unused_result));

/* pack_verify for a pack as a kiosk holds it, the one check every reader of
 * a stored pack goes through: after the signature, the pack's own id (its
 * header) must equal ID_HEX, the id it was stored and looked up under
 * (PACK_ID_MISMATCH: another signed pack put in its place), and its KDF cost
 * must reach FLOOR (PACK_WEAK_KDF). ID_HEX NULL skips the id check (a pack
 * being added, stored under the id it carries). INFO may be NULL. */
pack_rc pack_verify_as(const uint8_t *buf, size_t len, const uint8_t pk[32], const char *id_hex, pack_kdf floor,
                       pack_info *info, char **why) __attribute__((warn_unused_result));

/* Parses the fixed header and metadata of a pack whose signature was
 * checked (exposed separately for fuzzing). */
pack_rc pack_parse_header(const uint8_t *buf, size_t len, pack_info *info, char **why)
    __attribute__((warn_unused_result));

/* Runs the KDF for typed release code TYPED and unwraps the content key into
 * KEY (caller wipes). A typo is refused before the KDF (PACK_CODE_TYPO); a
 * wrong code after it (PACK_WRONG_CODE). BUF must have passed pack_verify. */
pack_rc pack_unwrap_key(const uint8_t *buf, size_t len, const char *typed, uint8_t key[PACK_KEY_BYTES], char **why)
    __attribute__((warn_unused_result));

/* Decrypts and inflates the content into a malloc'd SQLite image (*img,
 * *imglen; caller wipes and frees). BUF must have passed pack_verify. */
pack_rc pack_decrypt(const uint8_t *buf, size_t len, const uint8_t key[PACK_KEY_BYTES], uint8_t **img, size_t *imglen,
                     char **why) __attribute__((warn_unused_result));

/* Closes a content database from pack_open / pack_open_with_key (NULL is fine). */
void pack_close(sqlite3 *db);

/* Opens the content as an in-memory, read-only SQLite database: verify,
 * unwrap, decrypt, inflate, sqlite3_deserialize. Nothing touches disk. */
pack_rc pack_open(const uint8_t *buf, size_t len, const uint8_t pk[32], const char *typed, sqlite3 **db, char **why)
    __attribute__((warn_unused_result));

/* Same, with an already unwrapped key (used after pack_unwrap_key). */
pack_rc pack_open_with_key(const uint8_t *buf, size_t len, const uint8_t pk[32], const uint8_t key[PACK_KEY_BYTES],
                           sqlite3 **db, char **why) __attribute__((warn_unused_result));

const char *pack_strerror(pack_rc rc);

#endif
