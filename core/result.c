/* result: result records as signed, sealed JSON. */
#include "result.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "fileio.h"
#include "text.h"

typedef struct buf {
    char *p;
    size_t n, cap;
    int oom;
} buf;

static void put(buf *b, const char *s, size_t n)
{
    if (b->oom) return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 1024;
        while (cap < b->n + n + 1) cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) { b->oom = 1; return; }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}

static void puts_(buf *b, const char *s) { put(b, s, strlen(s)); }

static void putf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(buf *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0) put(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
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

static void putkv(buf *b, const char *k, const char *v, int comma)
{
    putstr(b, k);
    puts_(b, ":");
    putstr(b, v);
    if (comma) puts_(b, ",");
}

static void putki(buf *b, const char *k, long long v, int comma)
{
    putstr(b, k);
    putf(b, ":%lld%s", v, comma ? "," : "");
}

char *result_json(const result_rec *r)
{
    buf b = {0};
    char t[24];
    puts_(&b, "{");
    putki(&b, "v", 1, 1);
    putkv(&b, "session", r->session_id, 1);
    putkv(&b, "kiosk", r->kiosk_id, 1);
    putkv(&b, "site", r->site, 1);
    putkv(&b, "room", r->room, 1);
    putki(&b, "seat", r->seat, 1);
    putkv(&b, "pack_id", r->pack_id, 1);
    putkv(&b, "title", r->title, 1);
    putkv(&b, "kind", r->kind, 1);
    putki(&b, "level", r->level, 1);
    putkv(&b, "ticket", r->ticket, 1);
    putkv(&b, "name", r->name, 1);
    putkv(&b, "status", r->status, 1);
    putkv(&b, "score", text_format_tenths(r->score, t, sizeof t), 1);
    putki(&b, "score_tenths", r->score, 1);
    putki(&b, "total_tenths", r->total_points, 1);
    putki(&b, "pass", r->pass, 1);
    putki(&b, "passed", r->score >= r->pass * 10 && !r->pending ? 1 : 0, 1);
    putki(&b, "pending", r->pending, 1);
    putkv(&b, "seed", r->seed_hex, 1);
    putki(&b, "started_at", r->started_wall, 1);
    putki(&b, "submitted_at", r->submitted_wall, 1);
    putki(&b, "elapsed_ms", r->elapsed_ms, 1);
    putki(&b, "extra_ms", r->extra_ms, 1);
    puts_(&b, "\"items\":[");
    for (int i = 0; i < r->nitems; i++) {
        const result_item *it = &r->items[i];
        puts_(&b, i ? ",{" : "{");
        putki(&b, "n", i + 1, 1);
        putkv(&b, "id", it->id, 1);
        putkv(&b, "type", qtype_name(it->type), 1);
        putkv(&b, "response", it->response, 1);
        putki(&b, "points", it->points, 1);
        putki(&b, "score", it->score, 1);
        putki(&b, "flagged", it->flagged, 1);
        putki(&b, "pending", it->pending, 0);
        puts_(&b, "}");
    }
    puts_(&b, "],\"irregularities\":[");
    for (int i = 0; i < r->nirregularities; i++) {
        puts_(&b, i ? ",{" : "{");
        putkv(&b, "category", r->irregularities[i].category, 1);
        putkv(&b, "note", r->irregularities[i].note, 1);
        putki(&b, "at_ms", r->irregularities[i].mono_ms, 0);
        puts_(&b, "}");
    }
    puts_(&b, "],");
    putkv(&b, "journal_head", r->journal_head_hex, 1);
    putki(&b, "journal_count", r->journal_count, 0);
    puts_(&b, "}");
    if (b.oom) { free(b.p); return NULL; }
    return b.p;
}

void result_kiosk_id(const uint8_t pk[crypto_sign_PUBLICKEYBYTES], char out[17])
{
    uint8_t h[16];
    crypto_generichash(h, sizeof h, pk, crypto_sign_PUBLICKEYBYTES, NULL, 0);
    sodium_bin2hex(out, 17, h, 8);
}

static void ids_of(const uint8_t *plain, size_t len, char result_id[RESULT_ID_HEX], char *receipt)
{
    static const char B32[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    uint8_t h[32];
    crypto_generichash(h, sizeof h, plain, len, NULL, 0);
    sodium_bin2hex(result_id, RESULT_ID_HEX, h, 16);
    if (receipt) {
        uint64_t v = 0;
        for (int i = 0; i < 5; i++) v = v << 8 | h[i];
        for (int i = 0, o = 0; i < 8; i++) {
            if (i == 4) receipt[o++] = '-';
            receipt[o++] = B32[(v >> (35 - 5 * i)) & 31];
            receipt[o] = 0;
        }
    }
}

int result_seal(const char *json, const uint8_t device_sk[crypto_sign_SECRETKEYBYTES],
                const uint8_t box_pk[crypto_box_PUBLICKEYBYTES], uint8_t **sealed, size_t *sealed_len,
                char result_id[RESULT_ID_HEX], char receipt[RESULT_RECEIPT_BYTES])
{
    size_t jl = strlen(json);
    if (jl > RESULT_MAX_JSON) return -1;
    size_t pl = RESULT_HEADER_BYTES + jl;
    uint8_t *plain = malloc(pl), *out = malloc(pl + crypto_box_SEALBYTES);
    if (!plain || !out) { free(plain); free(out); return -1; }
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
    free(plain);
    *sealed = out;
    *sealed_len = pl + crypto_box_SEALBYTES;
    return 0;
}

int result_parse_plain(const uint8_t *plain, size_t len, char **json, uint8_t device_pk[crypto_sign_PUBLICKEYBYTES],
                       char result_id[RESULT_ID_HEX], char **why)
{
    *json = NULL;
    if (len < RESULT_HEADER_BYTES || memcmp(plain, "EXRESULT", 8)) {
        *why = fileio_fmt("not a result record");
        return -1;
    }
    if (plain[8] != 1 || plain[9] || plain[10] || plain[11]) {
        *why = fileio_fmt("unsupported result version");
        return -1;
    }
    size_t jl = len - RESULT_HEADER_BYTES;
    if (jl > RESULT_MAX_JSON) {
        *why = fileio_fmt("result record too large");
        return -1;
    }
    crypto_sign_state st;
    crypto_sign_init(&st);
    crypto_sign_update(&st, plain, 44);
    crypto_sign_update(&st, plain + RESULT_HEADER_BYTES, jl);
    if (crypto_sign_final_verify(&st, plain + 44, plain + 12) != 0) {
        *why = fileio_fmt("result signature does not verify");
        return -1;
    }
    const char *j = (const char *)plain + RESULT_HEADER_BYTES;
    if (memchr(j, 0, jl) || !csv_utf8_valid(j, jl, NULL)) {
        *why = fileio_fmt("result JSON is not UTF-8 text");
        return -1;
    }
    *json = malloc(jl + 1);
    if (!*json) {
        *why = fileio_fmt("out of memory");
        return -1;
    }
    memcpy(*json, j, jl);
    (*json)[jl] = 0;
    memcpy(device_pk, plain + 12, crypto_sign_PUBLICKEYBYTES);
    ids_of(plain, len, result_id, NULL);
    return 0;
}

int result_open(const uint8_t *sealed, size_t len, const uint8_t box_pk[crypto_box_PUBLICKEYBYTES],
                const uint8_t box_sk[crypto_box_SECRETKEYBYTES], char **json,
                uint8_t device_pk[crypto_sign_PUBLICKEYBYTES], char result_id[RESULT_ID_HEX], char **why)
{
    *json = NULL;
    if (len < crypto_box_SEALBYTES + RESULT_HEADER_BYTES || len > RESULT_MAX_JSON + RESULT_HEADER_BYTES + crypto_box_SEALBYTES) {
        *why = fileio_fmt("sealed result has an impossible size");
        return -1;
    }
    size_t pl = len - crypto_box_SEALBYTES;
    uint8_t *plain = malloc(pl);
    if (!plain) { *why = fileio_fmt("out of memory"); return -1; }
    if (crypto_box_seal_open(plain, sealed, len, box_pk, box_sk) != 0) {
        free(plain);
        *why = fileio_fmt("result cannot be decrypted with this results key");
        return -1;
    }
    int rc = result_parse_plain(plain, pl, json, device_pk, result_id, why);
    free(plain);
    return rc;
}
