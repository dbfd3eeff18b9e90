/* roster: the room roster (考生名单). Read from CSV with every row checked
 * (ID numbers against the GB 11643-1999 checksum), then written as a signed
 * roster file for one site and one room (exam-packs/FORMAT.md §7). Each entry
 * keeps in clear only what the kiosk needs before a login (ticket, level,
 * seat); the candidate's name is sealed under a key derived with Argon2id
 * from the candidate's own ticket + ID number, so the file reveals a name
 * (and confirms an ID number) only to that candidate's credentials.
 *
 * Signed roster file, format version 3 (little-endian):
 *   off  size  field
 *   0    8     magic "EXROSTER"
 *   8    4     format version (3; 2 is still read)
 *   12   4     body length B (≤ ROSTER_MAX_BODY)
 *   16   16    roster id (random)
 *   32   8     authority key id
 *   40   16    Argon2id salt (random per roster)
 *   56   8     Argon2id opslimit
 *   64   8     Argon2id memlimit (bytes)
 *   72   4     KDF algorithm: 2 = Argon2id v1.3
 *   76   4     flags = 0
 *   80   128   site, UTF-8, NUL-padded
 *   208  64    room, UTF-8, NUL-padded
 *   272  B     body: one line per candidate, version 3:
 *              "ticket\tlevel\tseat\textra_minutes\tnonce_hex\tsealed_hex\n"
 *              (version 2: the same without extra_minutes, read as 0)
 *   272+B 64   Ed25519 signature over bytes 0 .. 272+B-1
 */
#ifndef ROSTER_H
#define ROSTER_H

#include <stddef.h>
#include <stdint.h>

#include "core/authority.h"
#include "core/csv.h"
#include "core/diag.h"

#define ROSTER_MAGIC "EXROSTER"
#define ROSTER_VERSION 3
#define ROSTER_VERSION_NO_EXTRA 2 /* the format before planned extra time: still read (every entry 0 minutes) */
#define ROSTER_HEADER_BYTES 272
#define ROSTER_MAX_BODY (8u << 20)
#define ROSTER_MAX_ENTRIES 20000
#define ROSTER_SALT_BYTES 16
#define ROSTER_TICKET_MAX 32
#define ROSTER_NAME_MAX 64
#define ROSTER_SITE_MAX 127
#define ROSTER_ROOM_MAX 32
#define ROSTER_NONCE_BYTES 24
/* Planned extra time (延长时间, e.g. a disabled candidate's approved
 * accommodation) in minutes. 240 = 4 hours: the usual approvals are +25 %,
 * +50 % or +100 % of a sitting, and the longest paper (120 min) doubled is
 * 240; a larger number is a typo (a value in seconds, a stray digit), so it
 * is refused at its CSV line rather than keeping a kiosk running half a day. */
#define ROSTER_EXTRA_MAX 240
/* the sealed name: padded to ROSTER_NAME_MAX + 1 bytes, plus the AEAD tag */
#define ROSTER_SEALED_BYTES (ROSTER_NAME_MAX + 1 + 16)

/* Argon2id cost of the per-candidate key. The default costs about 75 ms a
 * guess on the 2-core reference machine; rosters below the floor are refused
 * by roster_read (so by examsync add, the kiosk and exampack verify). */
typedef struct roster_kdf {
    unsigned long long opslimit;
    size_t memlimit;
} roster_kdf;
#define ROSTER_KDF_DEFAULT_OPS 2ull
#define ROSTER_KDF_DEFAULT_MEM ((size_t)64 << 20)
#define ROSTER_KDF_MIN_OPS 1ull
#define ROSTER_KDF_MIN_MEM ((size_t)16 << 20)
#define ROSTER_KDF_MAX_OPS 20ull
#define ROSTER_KDF_MAX_MEM ((size_t)1 << 30)

typedef struct roster_entry {
    char ticket[ROSTER_TICKET_MAX + 1];
    char *name;       /* only while building from CSV; NULL in a read roster (sealed) */
    char *id_number;  /* only while building from CSV; NULL in a read roster */
    uint8_t nonce[ROSTER_NONCE_BYTES];
    uint8_t sealed[ROSTER_SEALED_BYTES]; /* a read roster: the name under the candidate's key */
    int level;
    char *room;       /* from the CSV; in a read roster the roster's room */
    int seat;
    int extra_minutes; /* planned extra time, 0..ROSTER_EXTRA_MAX (0: none; always 0 in a version 2 file) */
    long line;
} roster_entry;

typedef struct roster {
    uint8_t roster_id[16];
    uint8_t salt[ROSTER_SALT_BYTES];
    roster_kdf kdf;
    char site[ROSTER_SITE_MAX + 1], room[ROSTER_ROOM_MAX + 1];
    roster_entry *e;
    size_t n;
    int room_col;     /* while building: the room's cell in a row, for roster_set_place's messages */
} roster;

/* Reads a roster CSV (FORMAT.md §3; the column extra_minutes 延长时间 is
 * optional); mistakes go to D one line each. Returns 0 or -1.
 * A fresh random roster id and salt are chosen, the KDF cost is the default;
 * site and room are left empty (roster_set_place). */
int roster_parse_csv(const char *buf, size_t len, roster *out, diag *d) __attribute__((warn_unused_result));
/* The same from a table read by table_read (core/xlsx.h): a CSV file's or a workbook's. */
int roster_from_table(const csv_table *t, roster *out, diag *d) __attribute__((warn_unused_result));
/* The roster's columns (English and Chinese header names), for templates; *N their number. */
const csv_column *roster_columns(size_t *n);

/* Names the site and room R is for. ROOM NULL: the one room every entry is
 * in. Every entry whose room differs is a mistake in D (by its CSV line).
 * Returns 0 or -1. */
int roster_set_place(roster *r, const char *site, const char *room, diag *d) __attribute__((warn_unused_result));

/* 1 when KDF is within [floor, max] (ROSTER_KDF_MIN_*, ROSTER_KDF_MAX_*). */
int roster_kdf_ok(const roster_kdf *kdf);

/* Serialises and signs R (site and room set, every entry in its room, names
 * and ID numbers present): one Argon2id per entry, spread over the CPUs.
 * *out is malloc'd. Returns 0, or -1 with *why (caller frees). */
int roster_write(const roster *r, const uint8_t sk[64], uint8_t **out, size_t *outlen, char **why)
    __attribute__((warn_unused_result));

/* Checks the signature against PK and parses the file. Returns 0, or -1 with
 * *why (caller frees); nothing is parsed before the signature holds. A roster
 * of an older format version or below the KDF floor is refused. */
int roster_read(const uint8_t *buf, size_t len, const uint8_t pk[32], roster *out, char **why)
    __attribute__((warn_unused_result));

/* Parses the body of an already verified roster of format VERSION (2 or 3:
 * without or with the extra_minutes field; exposed for fuzzing); the
 * entries' room is OUT->room. */
int roster_parse_body(const char *body, size_t len, uint32_t version, roster *out, char **why)
    __attribute__((warn_unused_result));

/* The entry of a read roster with TICKET whose key, derived from TICKET and
 * ID (one Argon2id), opens its sealed name: the name goes into NAME. NULL
 * when there is no such ticket or the ID number is not the candidate's. */
const roster_entry *roster_lookup(const roster *r, const char *ticket, const char *id,
                                  char name[ROSTER_NAME_MAX + 1]);

void roster_free(roster *r);

#endif
