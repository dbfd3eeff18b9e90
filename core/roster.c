/* roster: room rosters from CSV to signed file and back. */
#include "core/roster.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/csv.h"
#include "core/fileio.h"
#include "core/idnumber.h"
#include "core/le.h"
#include "core/text.h"
#include "core/alloc.h" /* last: counting allocator in test builds */

void roster_hash_id(const uint8_t salt[ROSTER_SALT_BYTES], const char *ticket, const char *id,
                    uint8_t out[ROSTER_HASH_BYTES])
{
    char norm[19];
    snprintf(norm, sizeof norm, "%s", id);
    idnumber_normalise(norm);
    crypto_generichash_state st;
    crypto_generichash_init(&st, salt, ROSTER_SALT_BYTES, ROSTER_HASH_BYTES);
    crypto_generichash_update(&st, (const uint8_t *)ticket, strlen(ticket) + 1);
    crypto_generichash_update(&st, (const uint8_t *)norm, strlen(norm));
    crypto_generichash_final(&st, out, ROSTER_HASH_BYTES);
    sodium_memzero(norm, sizeof norm);
}

enum { R_TICKET, R_NAME, R_ID, R_LEVEL, R_ROOM, R_SEAT, R_NCOLS };
static const csv_column RCOLS[R_NCOLS] = {
    {"ticket", "准考证号", 1}, {"name", "姓名", 1}, {"id_number", "身份证号", 1},
    {"level", "级别", 1}, {"room", "考场", 1}, {"seat", "座号", 1}};

static int plain_text(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max) return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20) return 0;
    return 1;
}

/* Parses a decimal in [LO, HI] without overflow. Returns 0 or -1. */
static int parse_int_range(const char *s, int lo, int hi, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!*s || *end || errno || v < lo || v > hi) return -1;
    *out = (int)v;
    return 0;
}

static void entry_free(roster_entry *e)
{
    free(e->name);
    if (e->id_number) { sodium_memzero(e->id_number, strlen(e->id_number)); free(e->id_number); }
    free(e->room);
    memset(e, 0, sizeof *e);
}

void roster_free(roster *r)
{
    if (!r) return;
    for (size_t i = 0; i < r->n; i++) entry_free(&r->e[i]);
    free(r->e);
    memset(r, 0, sizeof *r);
}

static int read_entry(const csv_row *row, const int *map, size_t ncols, roster_entry *e, diag *d)
{
    memset(e, 0, sizeof *e);
    e->line = row->line;
    if (row->ncells > ncols) {
        diag_add(d, row->line, "row has %zu cells but the header has %zu columns", row->ncells, ncols);
        return -1;
    }
    char *v[R_NCOLS] = {0};
    for (int c = 0; c < R_NCOLS; c++) {
        v[c] = text_trim((size_t)map[c] < row->ncells ? row->cells[map[c]] : "");
        if (!v[c]) goto oom;
    }
    const char *bad = NULL;
    size_t tl = strlen(v[R_TICKET]);
    int tok = tl > 0 && tl <= ROSTER_TICKET_MAX;
    for (size_t i = 0; i < tl && tok; i++) {
        char c = v[R_TICKET][i];
        tok = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-';
    }
    int level = 0, seat = 0;
    if (!tok) bad = "ticket must be 1-32 characters of digits, letters and -";
    else if (!plain_text(v[R_NAME], 64)) bad = "name is empty or too long";
    else if (!idnumber_valid(v[R_ID])) bad = NULL;
    else if (parse_int_range(v[R_LEVEL], 1, 5, &level)) bad = "level must be 1-5";
    else if (!plain_text(v[R_ROOM], 32)) bad = "room is empty or too long";
    else if (parse_int_range(v[R_SEAT], 1, 999, &seat)) bad = "seat must be 1-999";
    if (!bad && !idnumber_valid(v[R_ID])) {
        if (strlen(v[R_ID]) != IDNUMBER_LEN)
            diag_add(d, row->line, "ticket %s: ID number must have 18 characters (has %zu)", v[R_TICKET], strlen(v[R_ID]));
        else
            diag_add(d, row->line, "ticket %s: ID number fails the GB 11643-1999 checksum", v[R_TICKET]);
        goto fail;
    }
    if (bad) {
        diag_add(d, row->line, "%s%s: %s", tok ? "ticket " : "", tok ? v[R_TICKET] : "row", bad);
        goto fail;
    }
    strcpy(e->ticket, v[R_TICKET]);
    e->name = v[R_NAME];
    e->id_number = v[R_ID];
    e->room = v[R_ROOM];
    idnumber_normalise(e->id_number); /* valid here: only the check character can be an x */
    e->level = level;
    e->seat = seat;
    free(v[R_TICKET]);
    free(v[R_LEVEL]);
    free(v[R_SEAT]);
    return 0;
oom:
    diag_add(d, row->line, "out of memory");
fail:
    for (int c = 0; c < R_NCOLS; c++) {
        if (v[c] && c == R_ID) sodium_memzero(v[c], strlen(v[c]));
        free(v[c]);
    }
    return -1;
}

int roster_parse_csv(const char *buf, size_t len, roster *out, diag *d)
{
    memset(out, 0, sizeof *out);
    csv_table t;
    long line = 0;
    char *why = NULL;
    if (csv_parse(buf, len, &t, &line, &why) != CSV_OK) {
        diag_add(d, line, "%s", why ? why : "cannot read CSV");
        free(why);
        return -1;
    }
    size_t before = diag_count(d);
    const csv_row *h = &t.rows[0];
    int map[R_NCOLS];
    csv_header_map(h, RCOLS, R_NCOLS, map, 1, d);
    if (diag_count(d) != before) { csv_free(&t); return -1; }
    if (t.nrows - 1 > ROSTER_MAX_ENTRIES) {
        diag_add(d, 0, "more than %d candidates", ROSTER_MAX_ENTRIES);
        csv_free(&t);
        return -1;
    }
    out->e = calloc(t.nrows, sizeof *out->e);
    if (!out->e) { csv_free(&t); diag_add(d, 0, "out of memory"); return -1; }
    for (size_t r = 1; r < t.nrows; r++) {
        roster_entry e;
        if (read_entry(&t.rows[r], map, h->ncells, &e, d)) continue;
        int dup = 0;
        for (size_t k = 0; k < out->n && !dup; k++) {
            if (!strcmp(out->e[k].ticket, e.ticket)) {
                diag_add(d, e.line, "duplicate ticket %s (first on line %ld)", e.ticket, out->e[k].line);
                dup = 1;
            } else if (!strcmp(out->e[k].room, e.room) && out->e[k].seat == e.seat) {
                diag_add(d, e.line, "ticket %s: room %s seat %d is already taken by ticket %s (line %ld)", e.ticket,
                         e.room, e.seat, out->e[k].ticket, out->e[k].line);
                dup = 1;
            } else if (!strcmp(out->e[k].id_number, e.id_number)) {
                diag_add(d, e.line, "ticket %s: same ID number as ticket %s (line %ld)", e.ticket, out->e[k].ticket,
                         out->e[k].line);
                dup = 1;
            }
        }
        if (dup) { entry_free(&e); continue; }
        out->e[out->n++] = e;
    }
    long header_line = h->line;
    csv_free(&t);
    if (diag_count(d) == before && out->n == 0) diag_add(d, header_line, "the roster has a header but no candidates");
    if (diag_count(d) != before) { roster_free(out); return -1; }
    randombytes_buf(out->roster_id, sizeof out->roster_id);
    randombytes_buf(out->salt, sizeof out->salt);
    for (size_t i = 0; i < out->n; i++)
        roster_hash_id(out->salt, out->e[i].ticket, out->e[i].id_number, out->e[i].id_hash);
    return 0;
}

int roster_write(const roster *r, const uint8_t sk[64], uint8_t **out, size_t *outlen)
{
    size_t cap = ROSTER_HEADER_BYTES + 64 + 1;
    for (size_t i = 0; i < r->n; i++) cap += strlen(r->e[i].name) + strlen(r->e[i].room) + ROSTER_TICKET_MAX + 64 + 32;
    uint8_t *buf = malloc(cap);
    if (!buf) return -1;
    size_t o = ROSTER_HEADER_BYTES;
    for (size_t i = 0; i < r->n; i++) {
        char hex[ROSTER_HASH_BYTES * 2 + 1];
        sodium_bin2hex(hex, sizeof hex, r->e[i].id_hash, ROSTER_HASH_BYTES);
        o += (size_t)snprintf((char *)buf + o, cap - o, "%s\t%s\t%s\t%d\t%s\t%d\n", r->e[i].ticket, r->e[i].name, hex,
                              r->e[i].level, r->e[i].room, r->e[i].seat);
    }
    size_t body = o - ROSTER_HEADER_BYTES;
    if (body > ROSTER_MAX_BODY) { free(buf); return -1; }
    memcpy(buf, ROSTER_MAGIC, 8);
    le_put32(buf + 8, 1);
    le_put32(buf + 12, (uint32_t)body);
    memcpy(buf + 16, r->roster_id, 16);
    authority_key_id(sk + 32, buf + 32); /* libsodium's sk carries the pk in its last 32 bytes */
    memcpy(buf + 40, r->salt, ROSTER_SALT_BYTES);
    crypto_sign_detached(buf + o, NULL, buf, o, sk);
    *out = buf;
    *outlen = o + crypto_sign_BYTES;
    return 0;
}

int roster_parse_body(const char *body, size_t len, roster *out, char **why)
{
    size_t lines = 0;
    for (size_t i = 0; i < len; i++) lines += body[i] == '\n';
    if (lines > ROSTER_MAX_ENTRIES || (len && body[len - 1] != '\n')) {
        *why = fileio_fmt("roster body malformed");
        return -1;
    }
    out->e = calloc(lines ? lines : 1, sizeof *out->e);
    if (!out->e) { *why = fileio_fmt("out of memory"); return -1; }
    char *copy = strndup(body, len);
    if (!copy || strlen(copy) != len) {
        free(copy);
        roster_free(out);
        *why = fileio_fmt("roster body malformed");
        return -1;
    }
    char *save = NULL;
    for (char *ln = strtok_r(copy, "\n", &save); ln; ln = strtok_r(NULL, "\n", &save)) {
        char *f[6];
        int k = 0;
        for (char *p = ln; p && k < 7; k++) { /* exactly six tab-separated fields */
            char *tab = strchr(p, '\t');
            if (tab) *tab = 0;
            if (k < 6) f[k] = p;
            p = tab ? tab + 1 : NULL;
        }
        roster_entry *e = &out->e[out->n];
        size_t hl = 0;
        if (k != 6 || strlen(f[0]) == 0 || strlen(f[0]) > ROSTER_TICKET_MAX ||
            !plain_text(f[1], 64) || !plain_text(f[4], 32) ||
            sodium_hex2bin(e->id_hash, ROSTER_HASH_BYTES, f[2], strlen(f[2]), NULL, &hl, NULL) || hl != ROSTER_HASH_BYTES ||
            parse_int_range(f[3], 1, 5, &e->level) || parse_int_range(f[5], 1, 999, &e->seat)) {
            size_t bad_entry = out->n + 1;
            free(copy);
            roster_free(out);
            *why = fileio_fmt("roster entry %zu malformed", bad_entry);
            return -1;
        }
        strcpy(e->ticket, f[0]);
        e->name = strdup(f[1]);
        e->room = strdup(f[4]);
        e->line = (long)out->n + 1;
        out->n++;
        if (!e->name || !e->room) { free(copy); roster_free(out); *why = fileio_fmt("out of memory"); return -1; }
    }
    free(copy);
    return 0;
}

int roster_read(const uint8_t *buf, size_t len, const uint8_t pk[32], roster *out, char **why)
{
    memset(out, 0, sizeof *out);
    if (len < ROSTER_HEADER_BYTES + crypto_sign_BYTES || memcmp(buf, ROSTER_MAGIC, 8)) {
        *why = fileio_fmt("not a roster file (or truncated)");
        return -1;
    }
    if (le_get32(buf + 8) != 1) { *why = fileio_fmt("unsupported roster format version %u", le_get32(buf + 8)); return -1; }
    uint32_t body = le_get32(buf + 12);
    if (body > ROSTER_MAX_BODY || (size_t)ROSTER_HEADER_BYTES + body + crypto_sign_BYTES != len) {
        *why = fileio_fmt("roster file is truncated or has extra bytes");
        return -1;
    }
    uint8_t kid[AUTHORITY_KEYID_BYTES];
    authority_key_id(pk, kid);
    if (memcmp(kid, buf + 32, AUTHORITY_KEYID_BYTES)) {
        *why = fileio_fmt("roster was signed by a different authority key");
        return -1;
    }
    if (crypto_sign_verify_detached(buf + ROSTER_HEADER_BYTES + body, buf, ROSTER_HEADER_BYTES + body, pk)) {
        *why = fileio_fmt("roster signature does not verify: the file was altered");
        return -1;
    }
    memcpy(out->roster_id, buf + 16, 16);
    memcpy(out->salt, buf + 40, ROSTER_SALT_BYTES);
    return roster_parse_body((const char *)buf + ROSTER_HEADER_BYTES, body, out, why);
}

const roster_entry *roster_lookup(const roster *r, const char *ticket, const char *id)
{
    if (!idnumber_valid(id)) return NULL;
    for (size_t i = 0; i < r->n; i++) {
        if (strcmp(r->e[i].ticket, ticket)) continue;
        uint8_t h[ROSTER_HASH_BYTES];
        roster_hash_id(r->salt, ticket, id, h);
        int ok = sodium_memcmp(h, r->e[i].id_hash, ROSTER_HASH_BYTES) == 0;
        return ok ? &r->e[i] : NULL;
    }
    return NULL;
}
