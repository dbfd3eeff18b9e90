/* roster: room rosters from CSV to signed file and back. */
#include "core/roster.h"

#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/csv.h"
#include "core/fileio.h"
#include "core/idnumber.h"
#include "core/le.h"
#include "core/text.h"
#include "core/alloc.h" /* last: counting allocator in test builds */

/* ---- the per-candidate key ------------------------------------------------------ */

/* KEY = Argon2id(ticket ‖ 0x00 ‖ normalised ID number, roster salt). Returns 0 or -1 (no memory for the KDF). */
static int candidate_key(const roster *r, const char *ticket, const char *id, uint8_t key[32])
{
    char pw[ROSTER_TICKET_MAX + 1 + 19];
    size_t tl = strlen(ticket);
    if (tl > ROSTER_TICKET_MAX || strlen(id) > 18) return -1;
    memcpy(pw, ticket, tl + 1);
    snprintf(pw + tl + 1, sizeof pw - tl - 1, "%s", id);
    idnumber_normalise(pw + tl + 1);
    size_t pwlen = tl + 1 + strlen(pw + tl + 1);
    int rc = crypto_pwhash(key, 32, pw, pwlen, r->salt, r->kdf.opslimit, r->kdf.memlimit, crypto_pwhash_ALG_ARGON2ID13);
    sodium_memzero(pw, sizeof pw);
    return rc ? -1 : 0;
}

/* the sealed name's additional data: roster id ‖ ticket ‖ 0x00 */
static size_t entry_ad(const roster *r, const roster_entry *e, uint8_t ad[16 + ROSTER_TICKET_MAX + 1])
{
    size_t tl = strlen(e->ticket);
    memcpy(ad, r->roster_id, 16);
    memcpy(ad + 16, e->ticket, tl + 1);
    return 16 + tl + 1;
}

int roster_kdf_ok(const roster_kdf *kdf)
{
    return kdf->opslimit >= ROSTER_KDF_MIN_OPS && kdf->opslimit <= ROSTER_KDF_MAX_OPS &&
           kdf->memlimit >= ROSTER_KDF_MIN_MEM && kdf->memlimit <= ROSTER_KDF_MAX_MEM;
}

#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)

enum { R_TICKET, R_NAME, R_ID, R_LEVEL, R_ROOM, R_SEAT, R_EXTRA, R_NCOLS };
static const csv_column RCOLS[R_NCOLS] = {
    {"ticket", "准考证号", 1}, {"name", "姓名", 1}, {"id_number", "身份证号", 1},
    {"level", "级别", 1}, {"room", "考场", 1}, {"seat", "座号", 1},
    {"extra_minutes", "延长时间", 0}}; /* optional: planned extra time, an empty cell is none */

const csv_column *roster_columns(size_t *n)
{
    *n = R_NCOLS;
    return RCOLS;
}

static int plain_text(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max) return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20) return 0;
    return 1;
}

/* 1 when S is one or more ASCII digits only: the signed body writes a
 * number one way (no sign, no space), so any other spelling is malformed */
static int digits_only(const char *s)
{
    return *s && strspn(s, "0123456789") == strlen(s);
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
    if (e->name) { sodium_memzero(e->name, strlen(e->name)); free(e->name); }
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
        diag_add_at(d, row->line, (int)row->ncells - 1, "row has %zu cells but the header has %zu columns", row->ncells, ncols);
        return -1;
    }
    char *v[R_NCOLS] = {0};
    for (int c = 0; c < R_NCOLS; c++) {
        v[c] = text_trim((size_t)map[c] < row->ncells ? row->cells[map[c]] : "");
        if (!v[c]) goto oom;
    }
    const char *bad = NULL;
    int badcol = -1;
    size_t tl = strlen(v[R_TICKET]);
    int tok = tl > 0 && tl <= ROSTER_TICKET_MAX;
    for (size_t i = 0; i < tl && tok; i++) {
        char c = v[R_TICKET][i];
        tok = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-';
    }
    int level = 0, seat = 0, extra = 0;
    if (!tok) bad = "ticket must be 1-32 characters of digits, letters and -", badcol = map[R_TICKET];
    else if (!plain_text(v[R_NAME], 64)) bad = "name is empty or too long", badcol = map[R_NAME];
    else if (!idnumber_valid(v[R_ID])) bad = NULL;
    else if (parse_int_range(v[R_LEVEL], 1, 5, &level)) bad = "level must be 1-5", badcol = map[R_LEVEL];
    else if (!plain_text(v[R_ROOM], 32)) bad = "room is empty or too long", badcol = map[R_ROOM];
    else if (parse_int_range(v[R_SEAT], 1, 999, &seat)) bad = "seat must be 1-999", badcol = map[R_SEAT];
    else if (*v[R_EXTRA] && parse_int_range(v[R_EXTRA], 0, ROSTER_EXTRA_MAX, &extra))
        bad = "extra_minutes (延长时间) must be a whole number of minutes, 0-" STRINGIFY(ROSTER_EXTRA_MAX),
        badcol = map[R_EXTRA];
    if (!bad && !idnumber_valid(v[R_ID])) {
        if (strlen(v[R_ID]) != IDNUMBER_LEN)
            diag_add_at(d, row->line, map[R_ID], "ticket %s: ID number must have 18 characters (has %zu)", v[R_TICKET], strlen(v[R_ID]));
        else
            diag_add_at(d, row->line, map[R_ID], "ticket %s: ID number fails the GB 11643-1999 checksum", v[R_TICKET]);
        goto fail;
    }
    if (bad) {
        diag_add_at(d, row->line, badcol, "%s%s: %s", tok ? "ticket " : "", tok ? v[R_TICKET] : "row", bad);
        goto fail;
    }
    strcpy(e->ticket, v[R_TICKET]);
    e->name = v[R_NAME];
    e->id_number = v[R_ID];
    e->room = v[R_ROOM];
    idnumber_normalise(e->id_number); /* valid here: only the check character can be an x */
    e->level = level;
    e->seat = seat;
    e->extra_minutes = extra;
    free(v[R_TICKET]);
    free(v[R_LEVEL]);
    free(v[R_SEAT]);
    free(v[R_EXTRA]);
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
    int rc = roster_from_table(&t, out, d);
    csv_free(&t);
    return rc;
}

int roster_from_table(const csv_table *tp, roster *out, diag *d)
{
    memset(out, 0, sizeof *out);
    const csv_table t = *tp;
    size_t before = diag_count(d);
    if (!t.nrows) { diag_add(d, 1, "the file is empty"); return -1; }
    const csv_row *h = &t.rows[0];
    int map[R_NCOLS];
    csv_header_map(h, RCOLS, R_NCOLS, map, 1, d);
    if (diag_count(d) != before) return -1;
    if (t.nrows - 1 > ROSTER_MAX_ENTRIES) {
        diag_add(d, 0, "more than %d candidates", ROSTER_MAX_ENTRIES);
        return -1;
    }
    out->e = calloc(t.nrows, sizeof *out->e);
    if (!out->e) { diag_add(d, 0, "out of memory"); return -1; }
    for (size_t r = 1; r < t.nrows; r++) {
        roster_entry e;
        if (read_entry(&t.rows[r], map, h->ncells, &e, d)) continue;
        int dup = 0;
        for (size_t k = 0; k < out->n && !dup; k++) {
            if (!strcmp(out->e[k].ticket, e.ticket)) {
                diag_add_at(d, e.line, map[R_TICKET], "duplicate ticket %s (first on line %ld)", e.ticket, out->e[k].line);
                dup = 1;
            } else if (!strcmp(out->e[k].room, e.room) && out->e[k].seat == e.seat) {
                diag_add_at(d, e.line, map[R_SEAT], "ticket %s: room %s seat %d is already taken by ticket %s (line %ld)", e.ticket,
                         e.room, e.seat, out->e[k].ticket, out->e[k].line);
                dup = 1;
            } else if (!strcmp(out->e[k].id_number, e.id_number)) {
                diag_add_at(d, e.line, map[R_ID], "ticket %s: same ID number as ticket %s (line %ld)", e.ticket, out->e[k].ticket,
                         out->e[k].line);
                dup = 1;
            }
        }
        if (dup) { entry_free(&e); continue; }
        out->e[out->n++] = e;
    }
    long header_line = h->line;
    if (diag_count(d) == before && out->n == 0) diag_add(d, header_line, "the roster has a header but no candidates");
    if (diag_count(d) != before) { roster_free(out); return -1; }
    randombytes_buf(out->roster_id, sizeof out->roster_id);
    randombytes_buf(out->salt, sizeof out->salt);
    out->kdf = (roster_kdf){ROSTER_KDF_DEFAULT_OPS, ROSTER_KDF_DEFAULT_MEM};
    out->room_col = map[R_ROOM];
    return 0;
}

int roster_set_place(roster *r, const char *site, const char *room, diag *d)
{
    size_t before = diag_count(d);
    if (!site || !plain_text(site, ROSTER_SITE_MAX)) diag_add(d, 0, "the site must be 1-%d bytes of text", ROSTER_SITE_MAX);
    if (!room && r->n) room = r->e[0].room;
    if (!room || !plain_text(room, ROSTER_ROOM_MAX)) diag_add(d, 0, "the room must be 1-%d bytes of text", ROSTER_ROOM_MAX);
    if (diag_count(d) != before) return -1;
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->e[i].room, room))
            diag_add_at(d, r->e[i].line, r->room_col, "ticket %s is in room %s, but the roster is for room %s (one roster per room: "
                     "split the CSV, or choose the room with --room)", r->e[i].ticket, r->e[i].room, room);
    if (diag_count(d) != before) return -1;
    snprintf(r->site, sizeof r->site, "%s", site);
    snprintf(r->room, sizeof r->room, "%s", room);
    return 0;
}

/* ---- writing: one Argon2id per entry, on every CPU ------------------------------ */

typedef struct seal_job {
    const roster *r;
    size_t next, stride; /* this worker's entries: next, next + stride, ... */
    uint8_t *sealed;     /* n × ROSTER_SEALED_BYTES, nonces in nonce */
    uint8_t *nonce;
    int failed;
} seal_job;

static void *seal_worker(void *arg)
{
    seal_job *j = arg;
    const roster *r = j->r;
    for (size_t i = j->next; i < r->n && !j->failed; i += j->stride) {
        const roster_entry *e = &r->e[i];
        uint8_t key[32], plain[ROSTER_NAME_MAX + 1] = {0}, ad[16 + ROSTER_TICKET_MAX + 1];
        if (candidate_key(r, e->ticket, e->id_number, key)) { j->failed = 1; break; }
        snprintf((char *)plain, sizeof plain, "%s", e->name); /* NUL-padded: the length is not shown */
        uint8_t *nonce = j->nonce + i * ROSTER_NONCE_BYTES;
        randombytes_buf(nonce, ROSTER_NONCE_BYTES);
        size_t adlen = entry_ad(r, e, ad);
        crypto_aead_xchacha20poly1305_ietf_encrypt(j->sealed + i * ROSTER_SEALED_BYTES, NULL, plain, sizeof plain, ad,
                                                   adlen, NULL, nonce, key);
        sodium_memzero(key, sizeof key);
        sodium_memzero(plain, sizeof plain);
    }
    return NULL;
}

/* Seals every entry's name into SEALED/NONCE with up to 8 threads. Returns 0 or -1. */
static int seal_all(const roster *r, uint8_t *sealed, uint8_t *nonce)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t nt = cpus < 1 ? 1 : cpus > 8 ? 8 : (size_t)cpus;
    if (nt > r->n) nt = r->n ? r->n : 1;
    seal_job jobs[8];
    pthread_t tid[8];
    size_t started = 0;
    for (size_t t = 0; t < nt; t++) {
        jobs[t] = (seal_job){r, t, nt, sealed, nonce, 0};
        if (t == 0 || pthread_create(&tid[t], NULL, seal_worker, &jobs[t]) != 0) continue;
        started |= (size_t)1 << t;
    }
    /* worker 0 runs here, and so do the entries of any thread that did not start */
    for (size_t t = 0; t < nt; t++)
        if (!(started & ((size_t)1 << t))) seal_worker(&jobs[t]);
    int failed = 0;
    for (size_t t = 0; t < nt; t++) {
        if (started & ((size_t)1 << t)) pthread_join(tid[t], NULL);
        failed |= jobs[t].failed;
    }
    return failed ? -1 : 0;
}

int roster_write(const roster *r, const uint8_t sk[64], uint8_t **out, size_t *outlen, char **why)
{
    *out = NULL;
    *outlen = 0;
    if (!plain_text(r->site, ROSTER_SITE_MAX) || !plain_text(r->room, ROSTER_ROOM_MAX)) {
        *why = fileio_fmt("the roster has no site or room");
        return -1;
    }
    if (!roster_kdf_ok(&r->kdf)) {
        *why = fileio_fmt("KDF cost %llu passes, %zu MiB is outside %llu-%llu passes, %zu-%zu MiB", r->kdf.opslimit,
                          r->kdf.memlimit >> 20, ROSTER_KDF_MIN_OPS, ROSTER_KDF_MAX_OPS, ROSTER_KDF_MIN_MEM >> 20,
                          ROSTER_KDF_MAX_MEM >> 20);
        return -1;
    }
    if (r->n == 0 || r->n > ROSTER_MAX_ENTRIES) { *why = fileio_fmt("a roster has 1-%d candidates", ROSTER_MAX_ENTRIES); return -1; }
    for (size_t i = 0; i < r->n; i++) {
        const roster_entry *e = &r->e[i];
        if (!e->name || !e->id_number || !e->room || strcmp(e->room, r->room) || !plain_text(e->name, ROSTER_NAME_MAX)) {
            *why = fileio_fmt("ticket %s: not a candidate of room %s (or no name or ID number)", e->ticket, r->room);
            return -1;
        }
        if (e->extra_minutes < 0 || e->extra_minutes > ROSTER_EXTRA_MAX) {
            *why = fileio_fmt("ticket %s: extra_minutes %d is not 0-%d", e->ticket, e->extra_minutes, ROSTER_EXTRA_MAX);
            return -1;
        }
    }
    size_t line_max = ROSTER_TICKET_MAX + 2 * (ROSTER_NONCE_BYTES + ROSTER_SEALED_BYTES) + 24;
    size_t cap = ROSTER_HEADER_BYTES + r->n * line_max + crypto_sign_BYTES + 1;
    uint8_t *buf = calloc(1, cap), *sealed = malloc(r->n * ROSTER_SEALED_BYTES), *nonce = malloc(r->n * ROSTER_NONCE_BYTES);
    if (!buf || !sealed || !nonce) {
        free(buf);
        free(sealed);
        free(nonce);
        *why = fileio_fmt("out of memory");
        return -1;
    }
    if (seal_all(r, sealed, nonce)) {
        free(buf);
        free(sealed);
        free(nonce);
        *why = fileio_fmt("cannot derive the candidates' keys (not enough memory for Argon2id at %zu MiB?)",
                          r->kdf.memlimit >> 20);
        return -1;
    }
    size_t o = ROSTER_HEADER_BYTES;
    for (size_t i = 0; i < r->n; i++) {
        char nhex[ROSTER_NONCE_BYTES * 2 + 1], shex[ROSTER_SEALED_BYTES * 2 + 1];
        sodium_bin2hex(nhex, sizeof nhex, nonce + i * ROSTER_NONCE_BYTES, ROSTER_NONCE_BYTES);
        sodium_bin2hex(shex, sizeof shex, sealed + i * ROSTER_SEALED_BYTES, ROSTER_SEALED_BYTES);
        o += (size_t)snprintf((char *)buf + o, cap - o, "%s\t%d\t%d\t%d\t%s\t%s\n", r->e[i].ticket, r->e[i].level,
                              r->e[i].seat, r->e[i].extra_minutes, nhex, shex);
    }
    free(sealed);
    free(nonce);
    size_t body = o - ROSTER_HEADER_BYTES;
    if (body > ROSTER_MAX_BODY) { free(buf); *why = fileio_fmt("the roster is too large"); return -1; }
    memcpy(buf, ROSTER_MAGIC, 8);
    le_put32(buf + 8, ROSTER_VERSION);
    le_put32(buf + 12, (uint32_t)body);
    memcpy(buf + 16, r->roster_id, 16);
    authority_key_id(sk + 32, buf + 32); /* libsodium's sk carries the pk in its last 32 bytes */
    memcpy(buf + 40, r->salt, ROSTER_SALT_BYTES);
    le_put64(buf + 56, r->kdf.opslimit);
    le_put64(buf + 64, (uint64_t)r->kdf.memlimit);
    le_put32(buf + 72, crypto_pwhash_ALG_ARGON2ID13);
    le_put32(buf + 76, 0);
    memcpy(buf + 80, r->site, strlen(r->site));   /* the rest stays NUL */
    memcpy(buf + 208, r->room, strlen(r->room));
    crypto_sign_detached(buf + o, NULL, buf, o, sk);
    *out = buf;
    *outlen = o + crypto_sign_BYTES;
    return 0;
}

int roster_parse_body(const char *body, size_t len, uint32_t version, roster *out, char **why)
{
    if (version != ROSTER_VERSION && version != ROSTER_VERSION_NO_EXTRA) {
        *why = fileio_fmt("unsupported roster format version %u", version);
        return -1;
    }
    /* version 3 has extra_minutes after the seat; version 2 lines are one field shorter */
    const int nf = version == ROSTER_VERSION ? 6 : 5, x = version == ROSTER_VERSION ? 1 : 0;
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
        for (char *p = ln; p && k <= nf; k++) { /* exactly NF tab-separated fields */
            char *tab = strchr(p, '\t');
            if (tab) *tab = 0;
            if (k < nf) f[k] = p;
            p = tab ? tab + 1 : NULL;
        }
        roster_entry *e = &out->e[out->n];
        size_t nl = 0, sl = 0;
        int dup = 0;
        for (size_t j = 0; k == nf && j < out->n && !dup; j++) dup = !strcmp(out->e[j].ticket, f[0]);
        const char *nonce = k == nf ? f[3 + x] : "", *sealed = k == nf ? f[4 + x] : "";
        if (k != nf || dup || strlen(f[0]) == 0 || strlen(f[0]) > ROSTER_TICKET_MAX ||
            parse_int_range(f[1], 1, 5, &e->level) || parse_int_range(f[2], 1, 999, &e->seat) ||
            (x && (!digits_only(f[3]) || parse_int_range(f[3], 0, ROSTER_EXTRA_MAX, &e->extra_minutes))) ||
            sodium_hex2bin(e->nonce, ROSTER_NONCE_BYTES, nonce, strlen(nonce), NULL, &nl, NULL) || nl != ROSTER_NONCE_BYTES ||
            strlen(nonce) != 2 * ROSTER_NONCE_BYTES ||
            sodium_hex2bin(e->sealed, ROSTER_SEALED_BYTES, sealed, strlen(sealed), NULL, &sl, NULL) ||
            sl != ROSTER_SEALED_BYTES || strlen(sealed) != 2 * ROSTER_SEALED_BYTES) {
            size_t bad_entry = out->n + 1;
            free(copy);
            roster_free(out);
            *why = fileio_fmt("roster entry %zu malformed", bad_entry);
            return -1;
        }
        strcpy(e->ticket, f[0]);
        e->room = strdup(out->room);
        e->line = (long)out->n + 1;
        out->n++;
        if (!e->room) { free(copy); roster_free(out); *why = fileio_fmt("out of memory"); return -1; }
    }
    free(copy);
    return 0;
}

/* a NUL-padded text field of SIZE bytes at P, at most MAX bytes of text, into OUT; 0 or -1 */
static int padded_field(const uint8_t *p, size_t size, size_t max, char *out)
{
    size_t n = strnlen((const char *)p, size);
    if (n == 0 || n > max) return -1;
    for (size_t i = n; i < size; i++)
        if (p[i]) return -1;
    memcpy(out, p, n);
    out[n] = 0;
    return plain_text(out, max) ? 0 : -1;
}

int roster_read(const uint8_t *buf, size_t len, const uint8_t pk[32], roster *out, char **why)
{
    memset(out, 0, sizeof *out);
    if (len < 16 || memcmp(buf, ROSTER_MAGIC, 8)) {
        *why = fileio_fmt("not a roster file (or truncated)");
        return -1;
    }
    uint32_t version = le_get32(buf + 8);
    if (version == 1) {
        *why = fileio_fmt("roster format version 1 is no longer accepted (names and ID numbers in a weak form): "
                          "rebuild the roster from its CSV with this exampack roster");
        return -1;
    }
    if (version != ROSTER_VERSION && version != ROSTER_VERSION_NO_EXTRA) {
        *why = fileio_fmt("unsupported roster format version %u", version);
        return -1;
    }
    if (len < ROSTER_HEADER_BYTES + crypto_sign_BYTES) {
        *why = fileio_fmt("not a roster file (or truncated)");
        return -1;
    }
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
    uint64_t mem = le_get64(buf + 64);
    out->kdf.opslimit = le_get64(buf + 56);
    out->kdf.memlimit = mem > ROSTER_KDF_MAX_MEM ? 0 : (size_t)mem;
    if (le_get32(buf + 72) != crypto_pwhash_ALG_ARGON2ID13 || le_get32(buf + 76) != 0) {
        *why = fileio_fmt("roster uses an unknown KDF or flags");
        return -1;
    }
    if (!roster_kdf_ok(&out->kdf)) {
        int high = out->kdf.opslimit > ROSTER_KDF_MAX_OPS || mem > ROSTER_KDF_MAX_MEM;
        *why = fileio_fmt("roster KDF cost (%llu passes, %llu KiB) is %s of %llu passes, %zu MiB: rebuild it with "
                          "exampack roster", (unsigned long long)le_get64(buf + 56), (unsigned long long)(mem >> 10),
                          high ? "above the maximum" : "below the floor", high ? ROSTER_KDF_MAX_OPS : ROSTER_KDF_MIN_OPS,
                          (high ? ROSTER_KDF_MAX_MEM : ROSTER_KDF_MIN_MEM) >> 20);
        return -1;
    }
    if (padded_field(buf + 80, 128, ROSTER_SITE_MAX, out->site) || padded_field(buf + 208, 64, ROSTER_ROOM_MAX, out->room)) {
        *why = fileio_fmt("roster site or room malformed");
        return -1;
    }
    return roster_parse_body((const char *)buf + ROSTER_HEADER_BYTES, body, version, out, why);
}

const roster_entry *roster_lookup(const roster *r, const char *ticket, const char *id, char name[ROSTER_NAME_MAX + 1])
{
    *name = 0;
    if (!idnumber_valid(id)) return NULL;
    for (size_t i = 0; i < r->n; i++) {
        const roster_entry *e = &r->e[i];
        if (strcmp(e->ticket, ticket)) continue;
        uint8_t key[32], plain[ROSTER_NAME_MAX + 1], ad[16 + ROSTER_TICKET_MAX + 1];
        if (candidate_key(r, ticket, id, key)) return NULL;
        size_t adlen = entry_ad(r, e, ad);
        int ok = crypto_aead_xchacha20poly1305_ietf_decrypt(plain, NULL, NULL, e->sealed, ROSTER_SEALED_BYTES, ad, adlen,
                                                            e->nonce, key) == 0;
        sodium_memzero(key, sizeof key);
        ok = ok && plain[ROSTER_NAME_MAX] == 0 && plain_text((const char *)plain, ROSTER_NAME_MAX);
        if (ok) memcpy(name, plain, ROSTER_NAME_MAX + 1);
        sodium_memzero(plain, sizeof plain);
        return ok ? e : NULL;
    }
    return NULL;
}
