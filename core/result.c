/* result: result records as signed, sealed JSON: the one writer
 * (result_json, result_seal) and the one reader (result_open, result_parse),
 * sharing one table of field names. */
#include "core/result.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/b32.h"
#include "core/csv.h"
#include "core/dynbuf.h"
#include "core/fileio.h"
#include "core/text.h"
#include "core/alloc.h" /* last: counting allocator in test builds */

/* The JSON text being written: a dynbuf, and its first failure, after which
 * nothing more is added (a dynbuf that failed is empty again, and later
 * appends would start a truncated text). */
typedef struct buf {
    dynbuf d;
    dynbuf_rc rc;
} buf;

static void put(buf *b, const char *s, size_t n)
{
    if (b->rc == DYNBUF_OK) b->rc = dynbuf_add(&b->d, s, n);
}

static void puts_(buf *b, const char *s) { put(b, s, strlen(s)); }

static void putf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(buf *b, const char *fmt, ...)
{
    if (b->rc != DYNBUF_OK) return;
    va_list ap;
    va_start(ap, fmt);
    b->rc = dynbuf_vprintf(&b->d, fmt, ap);
    va_end(ap);
}

/* a JSON string literal; control characters escaped, valid UTF-8 kept and
 * any invalid byte replaced by U+FFFD, so a result always opens again */
static void putstr(buf *b, const char *s)
{
    puts_(b, "\"");
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t len = strlen((const char *)p);
    for (size_t i = 0; i < len;) {
        unsigned char c = p[i];
        if (c == '"') puts_(b, "\\\"");
        else if (c == '\\') puts_(b, "\\\\");
        else if (c == '\n') puts_(b, "\\n");
        else if (c == '\t') puts_(b, "\\t");
        else if (c < 0x20) putf(b, "\\u%04x", c);
        else if (c < 0x80) put(b, (const char *)p + i, 1);
        else {
            size_t n = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
            if (n > 1 && i + n <= len && csv_utf8_valid((const char *)p + i, n, NULL)) {
                put(b, (const char *)p + i, n);
                i += n;
                continue;
            }
            puts_(b, "\xef\xbf\xbd");
        }
        i++;
    }
    puts_(b, "\"");
}

const char *result_strerror(result_rc rc)
{
    static const char *const N[RESULT_RC_COUNT] = {
        [RESULT_OK] = "ok",
        [RESULT_NOMEM] = "out of memory",
        [RESULT_BAD_SIZE] = "impossible size",
        [RESULT_UNDECRYPTABLE] = "undecryptable",
        [RESULT_BAD_MAGIC] = "not a result record",
        [RESULT_BAD_VERSION] = "unsupported version",
        [RESULT_TOO_BIG] = "too large",
        [RESULT_BAD_SIGNATURE] = "bad signature",
        [RESULT_NOT_TEXT] = "not UTF-8 text",
        [RESULT_BAD_JSON] = "malformed JSON",
        [RESULT_BAD_FIELD] = "missing or invalid field",
    };
    return (unsigned)rc < RESULT_RC_COUNT && N[rc] ? N[rc] : "unknown result code";
}

/* ---- the contract: field names, once --------------------------------- */

/* Every JSON field of a result record, in the order result_json writes it;
 * result_parse reads with the same tables. OFF is the member of result_rec
 * (record table), result_item (item table) or result_irregularity. */
typedef enum fkind {
    K_STR,        /* const char * */
    K_INT,        /* int */
    K_I64,        /* int64_t */
    K_VERSION,    /* "v": written as 1, read into result_record.v */
    K_SCORE_TEXT, /* "score": text of score (tenths); not read back */
    K_PASSED,     /* derived when written, read as recorded */
    K_INDEX,      /* item "n": 1-based position; not read back */
    K_QTYPE,      /* item "type": qtype by name */
    K_ITEMS,      /* the items array */
    K_IRREGS,     /* the irregularities array */
    K_EXTS,       /* the extensions array */
    K_JBASE,      /* "journal_base": {count, head}; with K_JOURNAL, only when the record has a journal */
    K_JOURNAL     /* "journal": the sitting's entries (JOURNAL_FIELDS) */
} fkind;

typedef struct field {
    const char *name;
    fkind kind;
    size_t off;
    int required;     /* result_parse refuses a record without it (or out of range) */
    long long lo, hi; /* integers: allowed range when required; K_STR: hi = longest */
    const char *const *choices; /* K_STR: the values allowed (NULL-terminated), or NULL */
} field;

/* the status values a record may have */
static const char *const STATUSES[] = {"submitted", "timeout", "forced", "absent", NULL};

#define REC(m) offsetof(result_rec, m)
#define ITEM(m) offsetof(result_item, m)
#define IRR(m) offsetof(result_irregularity, m)
#define EXT(m) offsetof(result_extension, m)
#define JE(m) offsetof(journal_entry, m)
#define ANY_INT INT_MIN, INT_MAX
#define ANY_I64 INT64_MIN, INT64_MAX

static const field RECORD_FIELDS[] = {
    {"v", K_VERSION, 0, 1, 1, 1, NULL},
    {"session", K_STR, REC(head.session_id), 1, 0, RESULT_MAX_ID, NULL},
    {"kiosk", K_STR, REC(head.kiosk_id), 1, 0, RESULT_MAX_KIOSK, NULL},
    {"site", K_STR, REC(head.site), 0, 0, 0, NULL},
    {"room", K_STR, REC(head.room), 0, 0, 0, NULL},
    {"seat", K_INT, REC(head.seat), 0, ANY_INT, NULL},
    {"pack_id", K_STR, REC(head.pack_id), 1, 0, RESULT_MAX_ID, NULL},
    {"title", K_STR, REC(head.title), 1, 0, RESULT_MAX_TITLE, NULL},
    {"kind", K_STR, REC(head.kind), 1, 0, RESULT_MAX_WORD, NULL},
    {"level", K_INT, REC(head.level), 1, 1, 5, NULL},
    {"ticket", K_STR, REC(head.ticket), 1, 0, RESULT_MAX_ID, NULL},
    {"name", K_STR, REC(head.name), 1, 0, RESULT_MAX_NAME, NULL},
    {"status", K_STR, REC(head.status), 1, 0, RESULT_MAX_WORD, STATUSES},
    {"score", K_SCORE_TEXT, REC(score), 0, 0, 0, NULL},
    {"score_tenths", K_INT, REC(score), 1, 0, 1000, NULL},
    {"total_tenths", K_INT, REC(total_points), 0, ANY_INT, NULL},
    {"pass", K_INT, REC(pass), 0, ANY_INT, NULL},
    {"passed", K_PASSED, REC(passed), 1, 0, 1, NULL},
    {"pending", K_INT, REC(pending), 1, 0, 100000, NULL},
    {"seed", K_STR, REC(seed_hex), 0, 0, 0, NULL},
    {"started_at", K_I64, REC(head.started_wall), 0, ANY_I64, NULL},
    {"submitted_at", K_I64, REC(head.submitted_wall), 1, 0, INT64_MAX, NULL},
    {"elapsed_ms", K_I64, REC(head.elapsed_ms), 0, ANY_I64, NULL},
    {"extra_ms", K_I64, REC(head.extra_ms), 0, ANY_I64, NULL},
    {"focus_losses", K_INT, REC(head.focus_losses), 0, 0, 1000000, NULL},
    {"items", K_ITEMS, 0, 0, 0, 0, NULL},
    {"irregularities", K_IRREGS, 0, 0, 0, 0, NULL},
    {"extensions", K_EXTS, 0, 0, 0, 0, NULL},
    {"journal_head", K_STR, REC(journal_head_hex), 0, 0, 0, NULL},
    {"journal_count", K_I64, REC(journal_count), 0, ANY_I64, NULL},
    {"journal_base", K_JBASE, 0, 0, 0, 0, NULL},
    {"journal", K_JOURNAL, 0, 0, 0, 0, NULL},
};

/* one journal entry (journal.h); every field required, strings bounded */
static const field JOURNAL_FIELDS[] = {
    {"seq", K_I64, JE(seq), 1, 1, INT64_MAX, NULL},
    {"mono_ms", K_I64, JE(mono_ms), 1, ANY_I64, NULL},
    {"wall", K_I64, JE(wall), 1, ANY_I64, NULL},
    {"session", K_STR, JE(session), 1, 0, RESULT_MAX_ID, NULL},
    {"type", K_STR, JE(type), 1, 0, RESULT_MAX_JOURNAL_TYPE, NULL},
    {"data", K_STR, JE(data), 1, 0, RESULT_MAX_JOURNAL_DATA, NULL},
    {"keyid", K_STR, JE(keyid), 1, 0, RESULT_MAX_ID, NULL},
};

static const field ITEM_FIELDS[] = {
    {"n", K_INDEX, 0, 0, 0, 0, NULL},
    {"id", K_STR, ITEM(id), 0, 0, 0, NULL},
    {"type", K_QTYPE, ITEM(type), 0, 0, 0, NULL},
    {"response", K_STR, ITEM(response), 0, 0, 0, NULL},
    {"points", K_INT, ITEM(points), 0, ANY_INT, NULL},
    {"score", K_INT, ITEM(score), 0, ANY_INT, NULL},
    {"flagged", K_INT, ITEM(flagged), 0, ANY_INT, NULL},
    {"pending", K_INT, ITEM(pending), 0, ANY_INT, NULL},
};

static const field IRREG_FIELDS[] = {
    {"category", K_STR, IRR(category), 0, 0, 0, NULL},
    {"note", K_STR, IRR(note), 0, 0, 0, NULL},
    {"at_ms", K_I64, IRR(mono_ms), 0, ANY_I64, NULL},
};

static const field EXT_FIELDS[] = {
    {"minutes", K_INT, EXT(minutes), 0, ANY_INT, NULL},
    {"reason", K_STR, EXT(reason), 0, 0, 0, NULL},
    {"at_ms", K_I64, EXT(at_ms), 0, ANY_I64, NULL},
    {"planned", K_INT, EXT(planned), 0, ANY_INT, NULL}, /* absent in older records: 0 */
};

#define NFIELDS(t) (sizeof t / sizeof *t)

#define AT(base, off, type) (*(type *)((char *)(base) + (off)))
#define CAT(base, off, type) (*(const type *)((const char *)(base) + (off)))

/* ---- writing ---------------------------------------------------------- */

static void put_fields(buf *b, const field *f, size_t nf, const void *base, const result_rec *r, int index);

static void put_field(buf *b, const field *f, const void *base, const result_rec *r, int index)
{
    char t[24];
    putstr(b, f->name);
    puts_(b, ":");
    switch (f->kind) {
    case K_STR: putstr(b, CAT(base, f->off, char *)); break;
    case K_INT: putf(b, "%lld", (long long)CAT(base, f->off, int)); break;
    case K_I64: putf(b, "%lld", (long long)CAT(base, f->off, int64_t)); break;
    case K_VERSION: puts_(b, "1"); break;
    case K_SCORE_TEXT: putstr(b, text_format_tenths(r->score, t, sizeof t)); break;
    case K_PASSED: puts_(b, r->score >= r->pass * 10 && !r->pending ? "1" : "0"); break;
    case K_INDEX: putf(b, "%d", index + 1); break;
    case K_QTYPE: putstr(b, qtype_name(CAT(base, f->off, qtype))); break;
    case K_JBASE: putf(b, "{\"count\":%lld,\"head\":", (long long)r->journal_base_count); putstr(b, r->journal_base_hex); puts_(b, "}"); break;
    case K_ITEMS:
    case K_IRREGS:
    case K_EXTS:
    case K_JOURNAL: {
        int n = f->kind == K_ITEMS ? r->nitems : f->kind == K_IRREGS ? r->head.nirregularities
                : f->kind == K_EXTS ? r->head.nextensions : r->njournal;
        puts_(b, "[");
        for (int i = 0; i < n; i++) {
            if (i) puts_(b, ",");
            if (f->kind == K_ITEMS) put_fields(b, ITEM_FIELDS, NFIELDS(ITEM_FIELDS), &r->items[i], r, i);
            else if (f->kind == K_IRREGS)
                put_fields(b, IRREG_FIELDS, NFIELDS(IRREG_FIELDS), &r->head.irregularities[i], r, i);
            else if (f->kind == K_EXTS) put_fields(b, EXT_FIELDS, NFIELDS(EXT_FIELDS), &r->head.extensions[i], r, i);
            else put_fields(b, JOURNAL_FIELDS, NFIELDS(JOURNAL_FIELDS), &r->journal[i], r, i);
        }
        puts_(b, "]");
        break;
    }
    }
}

static void put_fields(buf *b, const field *f, size_t nf, const void *base, const result_rec *r, int index)
{
    puts_(b, "{");
    int first = 1;
    for (size_t i = 0; i < nf; i++) {
        /* a record without a journal is written as before it could carry one */
        if ((f[i].kind == K_JBASE || f[i].kind == K_JOURNAL) && !r->has_journal) continue;
        if (!first) puts_(b, ",");
        first = 0;
        put_field(b, &f[i], base, r, index);
    }
    puts_(b, "}");
}

char *result_json(const result_rec *r)
{
    /* Limit: RESULT_MAX_JSON, the longest JSON result_seal seals and
     * result_parse reads (FORMAT.md §8): a longer text could never reach the
     * hub, so writing stops there instead of growing without bound. */
    buf b = {.rc = DYNBUF_OK};
    dynbuf_init(&b.d, RESULT_MAX_JSON);
    put_fields(&b, RECORD_FIELDS, NFIELDS(RECORD_FIELDS), r, r, 0);
    if (b.rc != DYNBUF_OK) return NULL; /* the dynbuf freed itself */
    return dynbuf_take(&b.d, NULL);
}

/* ---- signing, sealing, opening ---------------------------------------- */

void result_kiosk_id(const uint8_t pk[crypto_sign_PUBLICKEYBYTES], char out[17])
{
    uint8_t h[16];
    crypto_generichash(h, sizeof h, pk, crypto_sign_PUBLICKEYBYTES, NULL, 0);
    sodium_bin2hex(out, 17, h, 8);
}

_Static_assert(RESULT_RECEIPT_BYTES == 4 + 1 + 4 + 1, "a receipt is XXXX-XXXX and its NUL");

/* The result id (hex of the first 16 bytes of BLAKE2b-256 over PLAIN) and,
 * when RECEIPT is not NULL, the receipt (FORMAT.md §8). */
static void ids_of(const uint8_t *plain, size_t len, char result_id[RESULT_ID_HEX], char *receipt)
{
    uint8_t h[32];
    crypto_generichash(h, sizeof h, plain, len, NULL, 0);
    sodium_bin2hex(result_id, RESULT_ID_HEX, h, 16);
    if (receipt) { /* the first 40 bits as 8 base32 digits, "XXXX-XXXX" */
        char d[9];
        (void)b32_encode(h, 5, d, sizeof d);
        memcpy(receipt, d, 4);
        receipt[4] = '-';
        memcpy(receipt + 5, d + 4, 5); /* 4 digits and the NUL */
    }
}

result_rc result_seal(const char *json, const uint8_t device_sk[crypto_sign_SECRETKEYBYTES],
                      const uint8_t box_pk[crypto_box_PUBLICKEYBYTES], uint8_t **sealed, size_t *sealed_len,
                      char result_id[RESULT_ID_HEX], char receipt[RESULT_RECEIPT_BYTES])
{
    size_t jl = strlen(json);
    if (jl > RESULT_MAX_JSON) return RESULT_TOO_BIG;
    size_t pl = RESULT_HEADER_BYTES + jl;
    uint8_t *plain = malloc(pl), *out = malloc(pl + crypto_box_SEALBYTES);
    if (!plain || !out) { free(plain); free(out); return RESULT_NOMEM; }
    memcpy(plain, "EXRESULT", 8);
    plain[8] = 1; plain[9] = plain[10] = plain[11] = 0;
    memcpy(plain + 12, device_sk + 32, crypto_sign_PUBLICKEYBYTES);
    memcpy(plain + RESULT_HEADER_BYTES, json, jl);
    /* sign header ‖ json: build the message contiguously without the sig */
    crypto_sign_state st;
    crypto_sign_init(&st);
    crypto_sign_update(&st, plain, 44);
    crypto_sign_update(&st, (const uint8_t *)json, jl);
    crypto_sign_final_create(&st, plain + 44, NULL, device_sk);
    ids_of(plain, pl, result_id, receipt);
    crypto_box_seal(out, plain, pl, box_pk);
    sodium_memzero(&st, sizeof st);
    sodium_memzero(plain, pl); /* the signed plaintext: only the sealed copy leaves */
    free(plain);
    *sealed = out;
    *sealed_len = pl + crypto_box_SEALBYTES;
    return RESULT_OK;
}

result_rc result_parse_plain(const uint8_t *plain, size_t len, char **json,
                             uint8_t device_pk[crypto_sign_PUBLICKEYBYTES], char result_id[RESULT_ID_HEX], char **why)
{
    *json = NULL;
    if (len < RESULT_HEADER_BYTES || memcmp(plain, "EXRESULT", 8)) {
        *why = fileio_fmt("not a result record");
        return RESULT_BAD_MAGIC;
    }
    if (plain[8] != 1 || plain[9] || plain[10] || plain[11]) {
        *why = fileio_fmt("unsupported result version");
        return RESULT_BAD_VERSION;
    }
    size_t jl = len - RESULT_HEADER_BYTES;
    if (jl > RESULT_MAX_JSON) {
        *why = fileio_fmt("result record too large");
        return RESULT_TOO_BIG;
    }
    crypto_sign_state st;
    crypto_sign_init(&st);
    crypto_sign_update(&st, plain, 44);
    crypto_sign_update(&st, plain + RESULT_HEADER_BYTES, jl);
    if (crypto_sign_final_verify(&st, plain + 44, plain + 12) != 0) {
        *why = fileio_fmt("result signature does not verify");
        return RESULT_BAD_SIGNATURE;
    }
    const char *j = (const char *)plain + RESULT_HEADER_BYTES;
    if (memchr(j, 0, jl) || !csv_utf8_valid(j, jl, NULL)) {
        *why = fileio_fmt("result JSON is not UTF-8 text");
        return RESULT_NOT_TEXT;
    }
    *json = malloc(jl + 1);
    if (!*json) {
        *why = fileio_fmt("out of memory");
        return RESULT_NOMEM;
    }
    memcpy(*json, j, jl);
    (*json)[jl] = 0;
    memcpy(device_pk, plain + 12, crypto_sign_PUBLICKEYBYTES);
    ids_of(plain, len, result_id, NULL);
    return RESULT_OK;
}

result_rc result_open(const uint8_t *sealed, size_t len, const uint8_t box_pk[crypto_box_PUBLICKEYBYTES],
                      const uint8_t box_sk[crypto_box_SECRETKEYBYTES], char **json,
                      uint8_t device_pk[crypto_sign_PUBLICKEYBYTES], char result_id[RESULT_ID_HEX], char **why)
{
    *json = NULL;
    if (len < crypto_box_SEALBYTES + RESULT_HEADER_BYTES || len > RESULT_MAX_JSON + RESULT_HEADER_BYTES + crypto_box_SEALBYTES) {
        *why = fileio_fmt("sealed result has an impossible size");
        return RESULT_BAD_SIZE;
    }
    size_t pl = len - crypto_box_SEALBYTES;
    uint8_t *plain = malloc(pl);
    if (!plain) { *why = fileio_fmt("out of memory"); return RESULT_NOMEM; }
    if (crypto_box_seal_open(plain, sealed, len, box_pk, box_sk) != 0) {
        free(plain);
        *why = fileio_fmt("result cannot be decrypted with this results key");
        return RESULT_UNDECRYPTABLE;
    }
    result_rc rc = result_parse_plain(plain, pl, json, device_pk, result_id, why);
    sodium_memzero(plain, pl);
    free(plain);
    return rc;
}

/* ---- reading: a bounded JSON reader for exactly this record ----------- */

/* The record's JSON is outside bytes (the hub reads what a kiosk sent), so
 * the reader is strict and bounded: the whole text is checked (RFC 8259,
 * as jansson with JSON_REJECT_DUPLICATES did before, which the hub used),
 * into a flat tree of nodes whose strings live in one buffer no longer
 * than the input; nesting is limited to JSON_MAX_DEPTH. */

#define JSON_MAX_DEPTH 2048

typedef enum jtype { J_NULL, J_BOOL, J_INT, J_REAL, J_STR, J_ARR, J_OBJ } jtype;

typedef struct jnode {
    jtype t;
    int next, kid;      /* next sibling, first child; -1 = none */
    const char *key;    /* member of an object: its key (NUL-terminated) */
    size_t klen;
    const char *s;      /* J_STR: the decoded text (NUL-terminated) */
    size_t slen;
    long long i;        /* J_INT */
} jnode;

typedef struct jreader {
    const char *p, *start, *end;
    jnode *n;
    int nn, cap;
    char *strs;         /* decoded strings; strs_len + 1 bytes suffice */
    size_t sn;
    int depth;
    result_rc rc;
    const char *err;
} jreader;

static int jfail(jreader *j, result_rc rc, const char *err)
{
    if (!j->err) { j->rc = rc; j->err = err; }
    return -1;
}

static void jws(jreader *j)
{
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')) j->p++;
}

static int jnew(jreader *j, jtype t)
{
    if (j->nn == j->cap) {
        if (j->cap > INT_MAX / 2) return jfail(j, RESULT_TOO_BIG, "too many values");
        int cap = j->cap ? j->cap * 2 : 64;
        jnode *n = realloc(j->n, (size_t)cap * sizeof *n);
        if (!n) return jfail(j, RESULT_NOMEM, "out of memory");
        j->n = n;
        j->cap = cap;
    }
    j->n[j->nn] = (jnode){.t = t, .next = -1, .kid = -1};
    return j->nn++;
}

static int hex4(const char *p, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else return -1;
    }
    *out = v;
    return 0;
}

/* a string literal at j->p into j->strs; *s and *len point at it */
static int jstring(jreader *j, const char **s, size_t *len)
{
    j->p++; /* the opening quote */
    char *o = j->strs + j->sn, *o0 = o;
    for (;;) {
        if (j->p >= j->end) return jfail(j, RESULT_BAD_JSON, "unterminated string");
        unsigned char c = (unsigned char)*j->p;
        if (c == '"') { j->p++; break; }
        if (c < 0x20) return jfail(j, RESULT_BAD_JSON, "control character in a string");
        if (c != '\\') { *o++ = (char)c; j->p++; continue; }
        if (j->end - j->p < 2) return jfail(j, RESULT_BAD_JSON, "unterminated string");
        char e = j->p[1];
        j->p += 2;
        switch (e) {
        case '"': *o++ = '"'; continue;
        case '\\': *o++ = '\\'; continue;
        case '/': *o++ = '/'; continue;
        case 'b': *o++ = '\b'; continue;
        case 'f': *o++ = '\f'; continue;
        case 'n': *o++ = '\n'; continue;
        case 'r': *o++ = '\r'; continue;
        case 't': *o++ = '\t'; continue;
        case 'u': break;
        default: return jfail(j, RESULT_BAD_JSON, "invalid escape");
        }
        unsigned u, lo;
        if (j->end - j->p < 4 || hex4(j->p, &u)) return jfail(j, RESULT_BAD_JSON, "invalid \\u escape");
        j->p += 4;
        if (u >= 0xDC00 && u <= 0xDFFF) return jfail(j, RESULT_BAD_JSON, "lone low surrogate");
        if (u >= 0xD800 && u <= 0xDBFF) {
            if (j->end - j->p < 6 || j->p[0] != '\\' || j->p[1] != 'u' || hex4(j->p + 2, &lo) || lo < 0xDC00 ||
                lo > 0xDFFF)
                return jfail(j, RESULT_BAD_JSON, "lone high surrogate");
            j->p += 6;
            u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
        }
        if (u == 0) return jfail(j, RESULT_BAD_JSON, "\\u0000 in a string");
        if (u < 0x80) *o++ = (char)u;
        else if (u < 0x800) { *o++ = (char)(0xC0 | u >> 6); *o++ = (char)(0x80 | (u & 0x3F)); }
        else if (u < 0x10000) {
            *o++ = (char)(0xE0 | u >> 12); *o++ = (char)(0x80 | (u >> 6 & 0x3F)); *o++ = (char)(0x80 | (u & 0x3F));
        } else {
            *o++ = (char)(0xF0 | u >> 18); *o++ = (char)(0x80 | (u >> 12 & 0x3F));
            *o++ = (char)(0x80 | (u >> 6 & 0x3F)); *o++ = (char)(0x80 | (u & 0x3F));
        }
    }
    /* every literal is at least 2 bytes longer than its text: room for the NUL */
    *o = 0;
    *s = o0;
    *len = (size_t)(o - o0);
    j->sn += *len + 1;
    return 0;
}

static int digits(jreader *j)
{
    const char *p0 = j->p;
    while (j->p < j->end && *j->p >= '0' && *j->p <= '9') j->p++;
    return j->p > p0 ? 0 : jfail(j, RESULT_BAD_JSON, "invalid number");
}

static int jnumber(jreader *j, int node)
{
    const char *p0 = j->p;
    int neg = 0, real = 0;
    if (*j->p == '-') { neg = 1; j->p++; }
    if (j->p < j->end && *j->p == '0') j->p++;
    else if (digits(j)) return -1;
    if (j->p < j->end && *j->p == '.') {
        real = 1;
        j->p++;
        if (digits(j)) return -1;
    }
    if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
        real = 1;
        j->p++;
        if (j->p < j->end && (*j->p == '+' || *j->p == '-')) j->p++;
        if (digits(j)) return -1;
    }
    if (j->p < j->end && *j->p >= '0' && *j->p <= '9') return jfail(j, RESULT_BAD_JSON, "invalid number");
    if (!real) {
        /* accumulate negatively so that LLONG_MIN fits */
        long long v = 0;
        for (const char *q = p0 + neg; q < j->p; q++) {
            int d = *q - '0';
            if (v < (LLONG_MIN + d) / 10) return jfail(j, RESULT_BAD_JSON, "integer out of range");
            v = v * 10 - d;
        }
        if (!neg) {
            if (v == LLONG_MIN) return jfail(j, RESULT_BAD_JSON, "integer out of range");
            v = -v;
        }
        j->n[node].t = J_INT;
        j->n[node].i = v;
        return 0;
    }
    /* a real is refused only when it overflows a double */
    size_t tl = (size_t)(j->p - p0);
    char *tmp = malloc(tl + 1);
    if (!tmp) return jfail(j, RESULT_NOMEM, "out of memory");
    memcpy(tmp, p0, tl);
    tmp[tl] = 0;
    errno = 0;
    double d = strtod(tmp, NULL);
    int over = errno == ERANGE && (d == HUGE_VAL || d == -HUGE_VAL);
    free(tmp);
    if (over) return jfail(j, RESULT_BAD_JSON, "real number out of range");
    j->n[node].t = J_REAL;
    return 0;
}

static int keycmp(const void *a, const void *b)
{
    const jnode *x = *(const jnode *const *)a, *y = *(const jnode *const *)b;
    if (x->klen != y->klen) return x->klen < y->klen ? -1 : 1;
    return memcmp(x->key, y->key, x->klen);
}

static int jvalue(jreader *j);

/* members or elements up to CLOSE; NODE is the array or object */
static int jcontainer(jreader *j, int node, char close)
{
    int obj = close == '}', last = -1, count = 0;
    if (++j->depth > JSON_MAX_DEPTH) return jfail(j, RESULT_BAD_JSON, "nested too deep");
    j->p++;
    jws(j);
    if (j->p < j->end && *j->p == close) { j->p++; j->depth--; return 0; }
    for (;;) {
        const char *key = NULL;
        size_t klen = 0;
        if (obj) {
            if (j->p >= j->end || *j->p != '"') return jfail(j, RESULT_BAD_JSON, "object key expected");
            if (jstring(j, &key, &klen)) return -1;
            jws(j);
            if (j->p >= j->end || *j->p != ':') return jfail(j, RESULT_BAD_JSON, "':' expected");
            j->p++;
            jws(j);
        }
        int kid = jvalue(j);
        if (kid < 0) return -1;
        j->n[kid].key = key;
        j->n[kid].klen = klen;
        if (last < 0) j->n[node].kid = kid;
        else j->n[last].next = kid;
        last = kid;
        count++;
        jws(j);
        if (j->p < j->end && *j->p == ',') { j->p++; jws(j); continue; }
        if (j->p < j->end && *j->p == close) { j->p++; break; }
        return jfail(j, RESULT_BAD_JSON, obj ? "',' or '}' expected" : "',' or ']' expected");
    }
    j->depth--;
    if (obj && count > 1) {
        const jnode **k = malloc((size_t)count * sizeof *k);
        if (!k) return jfail(j, RESULT_NOMEM, "out of memory");
        int m = 0;
        for (int c = j->n[node].kid; c >= 0; c = j->n[c].next) k[m++] = &j->n[c];
        qsort(k, (size_t)m, sizeof *k, keycmp);
        int dup = 0;
        for (int i = 1; i < m && !dup; i++) dup = !keycmp(&k[i - 1], &k[i]);
        free(k);
        if (dup) return jfail(j, RESULT_BAD_JSON, "duplicate object key");
    }
    return 0;
}

/* one value at j->p (no leading space); returns its node or -1 */
static int jvalue(jreader *j)
{
    if (j->p >= j->end) return jfail(j, RESULT_BAD_JSON, "value expected");
    int node = jnew(j, J_NULL);
    if (node < 0) return -1;
    char c = *j->p;
    static const struct { const char *word; size_t len; jtype t; } LIT[] = {
        {"null", 4, J_NULL}, {"true", 4, J_BOOL}, {"false", 5, J_BOOL}};
    if (c == '{' || c == '[') {
        j->n[node].t = c == '{' ? J_OBJ : J_ARR;
        if (jcontainer(j, node, c == '{' ? '}' : ']')) return -1;
    } else if (c == '"') {
        j->n[node].t = J_STR;
        if (jstring(j, &j->n[node].s, &j->n[node].slen)) return -1;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
        if (jnumber(j, node)) return -1;
    } else {
        size_t i = 0;
        while (i < 3 && !((size_t)(j->end - j->p) >= LIT[i].len && !memcmp(j->p, LIT[i].word, LIT[i].len))) i++;
        if (i == 3) return jfail(j, RESULT_BAD_JSON, "invalid token");
        j->n[node].t = LIT[i].t;
        j->p += LIT[i].len;
    }
    return node;
}

/* the member KEY of object node OBJ, or NULL */
static const jnode *member(const jreader *j, int obj, const char *key)
{
    size_t kl = strlen(key);
    for (int c = j->n[obj].kid; c >= 0; c = j->n[c].next)
        if (j->n[c].klen == kl && !memcmp(j->n[c].key, key, kl)) return &j->n[c];
    return NULL;
}

typedef struct rmem {
    char *strs;
    size_t strs_size; /* bytes at strs, wiped on free (the seed, names, responses) */
    result_item *items;
    result_irregularity *irregularities;
    result_extension *extensions;
    journal_entry *journal; /* result_parse: the journal's entries (their strings in strs) */
    char *journal_hex; /* result_build: where result_set_journal writes (in strs) */
    char *base_hex;    /* result_build: where result_set_journal_entries writes the base head (in strs) */
} rmem;

static int map_array(const jreader *j, const jnode *a, const field *f, size_t nf, size_t elem, void **out, int *n);
static int map_fields(const jreader *j, int obj, const field *f, size_t nf, void *base, int *version, rmem *m,
                      const field **bad);

static int is_hex64(const char *s)
{
    if (!s || strlen(s) != 2 * RESULT_HASH_BYTES) return 0;
    for (const char *c = s; *c; c++)
        if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f'))) return 0;
    return 1;
}

/* "journal_base" and "journal" of record node OBJ into R, checked whole (the
 * hub recomputes the chain from them, so a half-read journal is no journal):
 * 0 (none, or read), 1 malformed, -1 out of memory */
static int map_journal(const jreader *j, int obj, result_rec *r, rmem *m)
{
    const jnode *b = member(j, obj, "journal_base"), *a = member(j, obj, "journal");
    if (!a && !b) return 0;
    if (!a || !b || a->t != J_ARR || b->t != J_OBJ) return 1;
    int bo = (int)(b - j->n);
    const jnode *cnt = member(j, bo, "count"), *head = member(j, bo, "head");
    if (!cnt || cnt->t != J_INT || cnt->i < 0 || !head || head->t != J_STR || !is_hex64(head->s)) return 1;
    int n = 0;
    for (int c = a->kid; c >= 0; c = j->n[c].next) {
        if (j->n[c].t != J_OBJ || ++n > RESULT_MAX_JOURNAL) return 1;
    }
    /* entries base + 1 .. journal_count, the last one the hand-in */
    if (cnt->i > INT64_MAX - n || cnt->i + n != r->journal_count) return 1;
    journal_entry *e = calloc(n ? (size_t)n : 1, sizeof *e);
    if (!e) return -1;
    m->journal = e;
    int k = 0;
    for (int c = a->kid; c >= 0; c = j->n[c].next, k++) {
        const field *bad = NULL;
        if (map_fields(j, c, JOURNAL_FIELDS, NFIELDS(JOURNAL_FIELDS), &e[k], NULL, NULL, &bad) || bad ||
            e[k].seq != cnt->i + 1 + k)
            return 1;
    }
    r->has_journal = 1;
    r->journal_base_count = cnt->i;
    r->journal_base_hex = head->s;
    r->journal = e;
    r->njournal = n;
    return 0;
}

/* fills BASE from object node OBJ with table F (arrays go to M); returns 0,
 * 1 with *bad the first required field missing or invalid, or -1 (memory) */
static int map_fields(const jreader *j, int obj, const field *f, size_t nf, void *base, int *version, rmem *m,
                      const field **bad)
{
    for (size_t i = 0; i < nf; i++) {
        const jnode *v = member(j, obj, f[i].name);
        switch (f[i].kind) {
        case K_STR: {
            int ok = v && v->t == J_STR && (!f[i].required || v->slen <= (size_t)f[i].hi);
            for (const char *const *c = f[i].choices; ok && c; c++) {
                if (!*c) ok = 0;
                else if (!strcmp(v->s, *c)) break;
            }
            if (ok) AT(base, f[i].off, const char *) = v->s;
            else if (f[i].required) { *bad = &f[i]; return 1; }
            else AT(base, f[i].off, const char *) = "";
            break;
        }
        case K_INT:
        case K_I64:
        case K_PASSED:
        case K_VERSION:
            if (!v || v->t != J_INT || v->i < f[i].lo || v->i > f[i].hi) {
                if (f[i].required) { *bad = &f[i]; return 1; }
                break;
            }
            if (f[i].kind == K_I64) AT(base, f[i].off, int64_t) = v->i;
            else if (f[i].kind == K_VERSION) *version = (int)v->i;
            else AT(base, f[i].off, int) = (int)v->i;
            break;
        case K_QTYPE: {
            int t = v && v->t == J_STR ? qtype_parse(v->s) : -1;
            AT(base, f[i].off, qtype) = t < 0 ? QT_COUNT : (qtype)t;
            break;
        }
        case K_ITEMS: {
            result_rec *r = base;
            void *arr;
            if (map_array(j, v, ITEM_FIELDS, NFIELDS(ITEM_FIELDS), sizeof(result_item), &arr, &r->nitems)) return -1;
            r->items = m->items = arr;
            break;
        }
        case K_IRREGS: {
            result_rec *r = base;
            void *arr;
            if (map_array(j, v, IRREG_FIELDS, NFIELDS(IRREG_FIELDS), sizeof(result_irregularity), &arr,
                          &r->head.nirregularities))
                return -1;
            r->head.irregularities = m->irregularities = arr;
            break;
        }
        case K_EXTS: {
            result_rec *r = base;
            void *arr;
            if (map_array(j, v, EXT_FIELDS, NFIELDS(EXT_FIELDS), sizeof(result_extension), &arr, &r->head.nextensions))
                return -1;
            r->head.extensions = m->extensions = arr;
            break;
        }
        case K_JOURNAL: {
            int jr = map_journal(j, obj, base, m);
            if (jr) {
                if (jr > 0) *bad = &f[i];
                return jr;
            }
            break;
        }
        case K_JBASE: /* read with the journal */
        case K_SCORE_TEXT:
        case K_INDEX:
            break;
        }
    }
    return 0;
}

/* items, irregularities or extensions: the objects of array node A (none when A is not
 * an array); *out is calloc'd */
static int map_array(const jreader *j, const jnode *a, const field *f, size_t nf, size_t elem, void **out, int *n)
{
    *out = NULL;
    *n = 0;
    if (!a || a->t != J_ARR) return 0;
    int count = 0;
    for (int c = a->kid; c >= 0; c = j->n[c].next) count += j->n[c].t == J_OBJ;
    if (!count) return 0;
    char *arr = calloc((size_t)count, elem);
    if (!arr) return -1;
    int k = 0;
    const field *bad;
    for (int c = a->kid; c >= 0; c = j->n[c].next)
        if (j->n[c].t == J_OBJ) (void)map_fields(j, c, f, nf, arr + (size_t)k++ * elem, NULL, NULL, &bad);
    *out = arr;
    *n = count;
    return 0;
}

void result_record_free(result_record *r)
{
    rmem *m = r->mem;
    if (m) {
        if (m->strs) sodium_memzero(m->strs, m->strs_size);
        free(m->strs);
        free(m->items);
        free(m->irregularities);
        free(m->extensions);
        free(m->journal);
        free(m);
    }
    memset(r, 0, sizeof *r);
}

result_rc result_parse(const char *json, size_t len, result_record *out, char **why)
{
    memset(out, 0, sizeof *out);
    if (len > RESULT_MAX_JSON) {
        *why = fileio_fmt("result record too large");
        return RESULT_TOO_BIG;
    }
    if (memchr(json, 0, len) || !csv_utf8_valid(json, len, NULL)) {
        *why = fileio_fmt("result JSON is not UTF-8 text");
        return RESULT_NOT_TEXT;
    }
    jreader j = {.p = json, .start = json, .end = json + len};
    rmem *m = calloc(1, sizeof *m);
    j.strs = malloc(len + 1);
    if (!m || !j.strs) {
        free(m);
        free(j.strs);
        *why = fileio_fmt("out of memory");
        return RESULT_NOMEM;
    }
    m->strs = j.strs;
    m->strs_size = len + 1;
    out->mem = m;
    result_rc rc = RESULT_OK;
    jws(&j);
    if (j.p < j.end && *j.p != '{' && *j.p != '[') jfail(&j, RESULT_BAD_JSON, "'{' expected");
    int root = j.err ? -1 : jvalue(&j);
    jws(&j);
    if (root >= 0 && j.p != j.end) jfail(&j, RESULT_BAD_JSON, "text after the record");
    if (j.err) {
        rc = j.rc;
        *why = rc == RESULT_NOMEM ? fileio_fmt("out of memory")
                                  : fileio_fmt("result JSON: %s at byte %zu", j.err, (size_t)(j.p - j.start));
        goto out;
    }
    if (j.n[root].t != J_OBJ) {
        rc = RESULT_BAD_FIELD;
        *why = fileio_fmt("result JSON is not an object");
        goto out;
    }
    result_rec *r = &out->rec;
    const field *bad = NULL;
    int mf = map_fields(&j, root, RECORD_FIELDS, NFIELDS(RECORD_FIELDS), r, &out->v, m, &bad);
    if (mf < 0) {
        rc = RESULT_NOMEM;
        *why = fileio_fmt("out of memory");
        goto out;
    }
    if (bad) {
        rc = RESULT_BAD_FIELD;
        *why = fileio_fmt("result record lacks required fields or has invalid values (%s)", bad->name);
        goto out;
    }
out:
    free(j.n);
    if (rc != RESULT_OK) result_record_free(out);
    return rc;
}

/* ---- building a record from a sitting ------------------------------------ */

result_rc result_build(const result_input *in, result_record *out)
{
    memset(out, 0, sizeof *out);
    int n = in->nanswers > 0 ? in->nanswers : 0;
    rmem *m = calloc(1, sizeof *m);
    /* hex texts: the seed's, then the journal head's (result_set_journal) */
    size_t seed_hex = in->seed_len * 2 + 1;
    char *strs = m ? calloc(1, seed_hex + 2 * (RESULT_HASH_BYTES * 2 + 1)) : NULL;
    result_item *items = strs ? calloc(n ? (size_t)n : 1, sizeof *items) : NULL;
    if (!items) {
        free(strs);
        free(m);
        return RESULT_NOMEM;
    }
    m->strs = strs;
    m->strs_size = seed_hex + 2 * (RESULT_HASH_BYTES * 2 + 1);
    m->items = items;
    m->journal_hex = strs + seed_hex;
    m->base_hex = m->journal_hex + RESULT_HASH_BYTES * 2 + 1;
    out->mem = m;
    out->v = 1;
    int total = 0, pending = 0;
    for (int i = 0; i < n; i++) {
        const result_answer *a = &in->answers[i];
        int pend = 0, sc = 0;
        if (a->key) {
            score_item si = {a->type, a->key, a->response, a->points, in->partial};
            sc = score_item_tenths(&si, &pend);
        }
        items[i] = (result_item){a->id, a->type, a->response, a->points, sc, pend, a->flagged};
        total += sc;
        pending += pend;
    }
    if (in->seed_len) sodium_bin2hex(strs, seed_hex, in->seed, in->seed_len);
    int absent = in->head.status && !strcmp(in->head.status, "absent");
    out->rec = (result_rec){
        .head = in->head, .score = total, .total_points = in->total_points ? in->total_points : 1000,
        .pass = absent && !in->pass ? 60 : in->pass, .pending = pending, .seed_hex = strs, .items = items,
        .nitems = n, .journal_head_hex = m->journal_hex, .journal_count = 0};
    return RESULT_OK;
}

void result_set_journal(result_record *r, const uint8_t head[RESULT_HASH_BYTES], int64_t count)
{
    rmem *m = r->mem;
    if (!m || !m->journal_hex) abort(); /* not built by result_build: a programming error */
    sodium_bin2hex(m->journal_hex, RESULT_HASH_BYTES * 2 + 1, head, RESULT_HASH_BYTES);
    r->rec.journal_head_hex = m->journal_hex;
    r->rec.journal_count = count;
}

/* a string of a journal entry as result_parse reads it back: within MAX
 * bytes and valid UTF-8 (result_json would replace an invalid byte, and the
 * hub's recomputed hash would no longer be the kiosk's) */
static int jstr_ok(const char *s, size_t max)
{
    size_t n = s ? strlen(s) : 0;
    return n <= max && (!n || csv_utf8_valid(s, n, NULL));
}

int result_set_journal_entries(result_record *r, const uint8_t base[RESULT_HASH_BYTES], int64_t base_count,
                               const journal_entry *e, int n)
{
    rmem *m = r->mem;
    if (!m || !m->base_hex) abort(); /* not built by result_build: a programming error */
    r->rec.has_journal = 0;
    int ok = n >= 0 && n <= RESULT_MAX_JOURNAL && base_count >= 0 && base_count + n == r->rec.journal_count;
    for (int i = 0; ok && i < n; i++)
        ok = e[i].seq == base_count + 1 + i && jstr_ok(e[i].session, RESULT_MAX_ID) &&
             jstr_ok(e[i].type, RESULT_MAX_JOURNAL_TYPE) && jstr_ok(e[i].data, RESULT_MAX_JOURNAL_DATA) &&
             jstr_ok(e[i].keyid, RESULT_MAX_ID);
    if (!ok) return -1;
    sodium_bin2hex(m->base_hex, RESULT_HASH_BYTES * 2 + 1, base, RESULT_HASH_BYTES);
    r->rec.has_journal = 1;
    r->rec.journal_base_count = base_count;
    r->rec.journal_base_hex = m->base_hex;
    r->rec.journal = e;
    r->rec.njournal = n;
    return 0;
}
