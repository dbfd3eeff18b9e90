/* exampack: the packager's tool. Makes authority keys, builds signed and
 * encrypted question packs from a bank and a blueprint, signs room rosters,
 * verifies and inspects both. See exam-packs/FORMAT.md. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

#include "core/authority.h"
#include "core/bank.h"
#include "core/blueprint.h"
#include "core/csv.h"
#include "core/diag.h"
#include "core/fileio.h"
#include "core/pack.h"
#include "core/paper.h"
#include "core/releasecode.h"
#include "core/roster.h"
#include "core/text.h"
#include "core/xlsx.h"
#include "tools/cmdtab.h"
#include "tools/template.h"

#define MAX_PACK_BYTES (1ull << 30)

static const cmdtab EXAMPACK; /* the command table, at the end of the file */

typedef struct opts {
    const char *cmd; /* argv[1], for the usage line of a misuse */
    const char *out, *bank, *blueprint, *key, *csv, *pub, *code, *seed, *images, *site, *room;
    const char *sheet, *kind; /* --sheet NAME of a workbook; template --kind */
    long kdf_ops, kdf_mem;
    const char *file;
} opts;

static int usage_error(const opts *o, const char *msg)
{
    return cmdtab_misuse(&EXAMPACK, o->cmd, msg);
}

/* FILE:LINE: reason, or FILE:SHEET!C12: reason for a workbook's cell */
static void print_diag(const char *file, const diag *d)
{
    char w[DIAG_WHERE_MAX];
    for (size_t i = 0; i < d->n; i++)
        fprintf(stderr, "%s: %s\n", diag_where(w, sizeof w, file, d->sheet, d->v[i].line, d->v[i].col), d->v[i].msg);
    if (d->dropped) fprintf(stderr, "%s: ... and %zu more mistakes\n", file, d->dropped);
}

static int file_error(const char *file, char *why)
{
    fprintf(stderr, "%s: %s\n", file, why ? why : "error");
    free(why);
    return 1;
}

/* a typed release code: 20 characters, with dashes and spaces as people type them */
#define CODE_INPUT_MAX 128

/* The --release-code value, or with "--release-code -" the line on standard
 * input, into BUF (the caller wipes it). 0, or 1 after the message. */
static int read_code(const opts *o, char buf[CODE_INPUT_MAX])
{
    const char *why = NULL;
    if (cmdtab_secret(o->code, "release code", buf, CODE_INPUT_MAX, &why) == 0) return 0;
    fprintf(stderr, "exampack: --release-code: %s\n", why);
    return 1;
}

enum { OPT_OUT = 256, OPT_BANK, OPT_BLUEPRINT, OPT_KEY, OPT_CSV, OPT_PUB, OPT_CODE, OPT_KDF_OPS, OPT_KDF_MEM,
       OPT_SEED, OPT_IMAGES, OPT_SITE, OPT_ROOM, OPT_SHEET, OPT_KIND };

static const struct option OPTIONS[] = {
    {"out", required_argument, 0, OPT_OUT},         {"bank", required_argument, 0, OPT_BANK},
    {"blueprint", required_argument, 0, OPT_BLUEPRINT}, {"key", required_argument, 0, OPT_KEY},
    {"csv", required_argument, 0, OPT_CSV},         {"pub", required_argument, 0, OPT_PUB},
    {"release-code", required_argument, 0, OPT_CODE}, {"kdf-ops", required_argument, 0, OPT_KDF_OPS},
    {"kdf-mem", required_argument, 0, OPT_KDF_MEM}, {"seed", required_argument, 0, OPT_SEED},
    {"images", required_argument, 0, OPT_IMAGES},   {"site", required_argument, 0, OPT_SITE},
    {"room", required_argument, 0, OPT_ROOM},       {"sheet", required_argument, 0, OPT_SHEET},
    {"kind", required_argument, 0, OPT_KIND},       {0, 0, 0, 0}};

/* one option or operand into opts (cmdtab's option handler) */
static int set_option(void *ctx, int id, const char *arg, const char **why)
{
    opts *o = ctx;
    char *end;
    switch (id) {
    case OPT_OUT: o->out = arg; break;
    case OPT_BANK: o->bank = arg; break;
    case OPT_BLUEPRINT: o->blueprint = arg; break;
    case OPT_KEY: o->key = arg; break;
    case OPT_CSV: o->csv = arg; break;
    case OPT_PUB: o->pub = arg; break;
    case OPT_CODE: o->code = arg; break;
    case OPT_KDF_OPS:
        o->kdf_ops = strtol(arg, &end, 10);
        if (*end || o->kdf_ops < 1 || o->kdf_ops > 20) return *why = "--kdf-ops must be 1-20", 1;
        break;
    case OPT_KDF_MEM:
        o->kdf_mem = strtol(arg, &end, 10);
        if (*end || o->kdf_mem < 1 || o->kdf_mem > 2048) return *why = "--kdf-mem must be 1-2048 (MiB)", 1;
        break;
    case OPT_SEED: o->seed = arg; break;
    case OPT_IMAGES: o->images = arg; break;
    case OPT_SITE: o->site = arg; break;
    case OPT_ROOM: o->room = arg; break;
    case OPT_SHEET: o->sheet = arg; break;
    case OPT_KIND: o->kind = arg; break;
    case CMDTAB_OPERAND:
        if (o->file) return *why = "too many arguments", 1;
        o->file = arg;
        break;
    default: return *why = "unknown option", 1;
    }
    return 0;
}

/* ---- keygen ------------------------------------------------------------ */

static int cmd_keygen(void *ctx)
{
    opts *o = ctx;
    if (!o->out) return usage_error(o, "keygen needs --out DIR");
    char *why = NULL;
    if (authority_keygen(o->out, &why)) return file_error(o->out, why);
    printf("wrote %s/authority.pub (public), %s/authority.key and %s/results.key (secret, mode 0600)\n", o->out, o->out,
           o->out);
    return 0;
}

/* ---- build ------------------------------------------------------------- */

static int read_input(const char *path, unsigned char **buf, size_t *len)
{
    char *why = NULL;
    if (fileio_read(path, CSV_MAX_BYTES, buf, len, &why)) return file_error(path, why);
    return 0;
}

/* Reads every PNG the bank's stems show from DIR; mistakes as FILE:LINE. */
typedef struct image_set {
    pack_image *v;
    size_t n;
} image_set;

static void images_free(image_set *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free((void *)s->v[i].name);
        free((void *)s->v[i].png);
    }
    free(s->v);
    memset(s, 0, sizeof *s);
}

static int load_images(const char *bankpath, const char *sheet, const char *dir, const bank *b, image_set *out)
{
    char w[DIAG_WHERE_MAX];
    char *deflt = NULL;
    if (!dir) { /* images/ beside the bank */
        char *copy = strdup(bankpath), *slash = copy ? strrchr(copy, '/') : NULL;
        if (slash) *slash = 0;
        deflt = fileio_fmt("%s/images", slash ? copy : ".");
        free(copy);
        dir = deflt;
    }
    int bad = 0;
    for (size_t k = 0; k < b->n; k++) {
        char names[16][BANK_IMAGE_NAME_MAX + 1];
        int n = bank_stem_images(b->q[k].stem, names, 16);
        if (n > 16) {
            fprintf(stderr, "%s: question %s: more than 16 images\n",
                    diag_where(w, sizeof w, bankpath, sheet, b->q[k].line, b->stem_col), b->q[k].id);
            bad = 1;
            continue;
        }
        for (int j = 0; j < n; j++) {
            int have = 0;
            for (size_t m = 0; m < out->n; m++) have |= !strcmp(out->v[m].name, names[j]);
            if (have) continue;
            char *path = fileio_fmt("%s/%s", dir, names[j]), *why = NULL;
            unsigned char *png;
            size_t len;
            if (fileio_read(path, PACK_MAX_IMAGE, &png, &len, &why)) {
                fprintf(stderr, "%s: question %s: image %s: %s\n",
                        diag_where(w, sizeof w, bankpath, sheet, b->q[k].line, b->stem_col), b->q[k].id, path, why);
                free(why);
                bad = 1;
            } else if (len < 8 || memcmp(png, "\x89PNG\r\n\x1a\n", 8)) {
                fprintf(stderr, "%s: question %s: image %s is not a PNG file\n",
                        diag_where(w, sizeof w, bankpath, sheet, b->q[k].line, b->stem_col), b->q[k].id, path);
                free(png);
                bad = 1;
            } else {
                pack_image *nv = realloc(out->v, (out->n + 1) * sizeof *nv);
                if (!nv) { free(png); bad = 1; }
                else {
                    out->v = nv;
                    out->v[out->n++] = (pack_image){strdup(names[j]), png, len};
                }
            }
            free(path);
        }
    }
    free(deflt);
    return bad ? -1 : 0;
}

static int cmd_build(void *ctx)
{
    opts *o = ctx;
    if (!o->bank || !o->blueprint || !o->key || !o->out)
        return usage_error(o, "build needs --bank, --blueprint, --key and --out");
    unsigned char *bankbuf = NULL, *bpbuf = NULL;
    size_t banklen, bplen;
    bank b = {0};
    blueprint bp;
    bp_plan plan;
    diag d;
    diag_init(&d);
    int rc = 1;
    char code[RELEASECODE_NORM_BYTES], text[RELEASECODE_TEXT_BYTES], typed[CODE_INPUT_MAX] = "";
    uint8_t sk[crypto_sign_SECRETKEYBYTES];
    char *banksheet = NULL;
    if (read_input(o->bank, &bankbuf, &banklen) || read_input(o->blueprint, &bpbuf, &bplen)) goto out0;
    /* check both inputs before stopping, so one run shows every mistake */
    csv_table bt;
    int bank_ok = table_read(o->bank, bankbuf, banklen, o->sheet, &bt, &d) == 0;
    if (bank_ok) {
        bank_ok = bank_from_csv(&bt, &b, &d) == 0;
        csv_free(&bt);
    }
    banksheet = d.sheet ? strdup(d.sheet) : NULL; /* for the images' messages */
    print_diag(o->bank, &d);
    diag_free(&d);
    int bp_ok = blueprint_parse((char *)bpbuf, bplen, &bp, &d) == 0;
    print_diag(o->blueprint, &d);
    diag_free(&d);
    if (!bank_ok || !bp_ok) {
        if (bp_ok) blueprint_free(&bp);
        bank_free(&b);
        goto out0;
    }
    if (blueprint_resolve(&bp, &b, &plan, &d)) {
        print_diag(o->blueprint, &d);
        diag_free(&d);
        goto out1;
    }
    if (o->code) {
        if (read_code(o, typed)) goto out2;
        releasecode_rc r = releasecode_normalize(typed, code);
        if (r != RELEASECODE_OK) {
            fprintf(stderr, "exampack: --release-code: %s\n", releasecode_strerror(r));
            rc = 2;
            goto out2;
        }
        const char *pattern = NULL;
        int bits = releasecode_bits(code, &pattern);
        if (bits < RELEASECODE_MIN_BITS) {
            fprintf(stderr,
                    "exampack: --release-code: too easy to guess: about %d random-looking bits, at least %d needed "
                    "(%s); omit --release-code to get a random code\n",
                    bits, RELEASECODE_MIN_BITS, pattern ? pattern : "a pattern");
            rc = 2;
            goto out2;
        }
    } else {
        releasecode_generate(text);
        if (releasecode_normalize(text, code) != RELEASECODE_OK) abort();
    }
    releasecode_format(code, text);
    char *why = NULL;
    if (authority_load_sign_sk(o->key, sk, &why)) {
        file_error(o->key, why);
        goto out2;
    }
    image_set imgs = {0};
    if (load_images(o->bank, banksheet, o->images, &b, &imgs)) {
        images_free(&imgs);
        sodium_memzero(sk, sizeof sk);
        goto out2;
    }
    pack_kdf kdf = pack_kdf_default();
    if (o->kdf_ops) kdf.opslimit = (unsigned long long)o->kdf_ops;
    if (o->kdf_mem) kdf.memlimit = (size_t)o->kdf_mem << 20;
    pack_kdf floor = pack_kdf_floor();
    if (!pack_kdf_reaches(kdf, floor))
        fprintf(stderr,
                "exampack: warning: Argon2id %llu passes, %zu MiB is below the floor of %llu passes, %zu MiB: kiosks "
                "refuse this pack (examsync add); for previews only\n",
                kdf.opslimit, kdf.memlimit >> 20, floor.opslimit, floor.memlimit >> 20);
    uint8_t *pk = NULL;
    size_t pklen = 0;
    pack_rc pr = pack_build_images(&bp, &b, &plan, sk, code, kdf, (long long)time(NULL), imgs.v, imgs.n, &pk, &pklen, &why);
    sodium_memzero(sk, sizeof sk);
    images_free(&imgs);
    if (pr != PACK_OK) {
        file_error(o->out, why);
        goto out2;
    }
    if (fileio_write_atomic(o->out, pk, pklen, 0644, 0, &why)) {
        free(pk);
        file_error(o->out, why);
        goto out2;
    }
    pack_info info;
    if (pack_parse_header(pk, pklen, &info, &why) != PACK_OK) {
        free(why);
        memset(&info, 0, sizeof info);
    }
    free(pk);
    char pts[24];
    printf("pack: %s (%zu bytes)\n", o->out, pklen);
    printf("id: %s\n", info.pack_id_hex);
    printf("title: %s\n", bp.title);
    printf("paper: level %d %s, %d minutes, %d questions, %s points, drawn from %zu bank questions\n", bp.level,
           exam_kind_name(bp.kind), bp.duration, plan.questions, text_format_tenths(plan.total_points, pts, sizeof pts),
           b.n);
    printf("release code (announce at exam start; keep it secret until then):\n%s\n", text);
    rc = 0;
out2:
    blueprint_plan_free(&plan);
out1:
    blueprint_free(&bp);
    bank_free(&b);
out0:
    sodium_memzero(code, sizeof code);
    sodium_memzero(text, sizeof text);
    sodium_memzero(typed, sizeof typed);
    free(bankbuf);
    free(bpbuf);
    free(banksheet);
    return rc;
}

/* ---- roster ------------------------------------------------------------ */

static int cmd_roster(void *ctx)
{
    opts *o = ctx;
    if (!o->csv || !o->key || !o->out) return usage_error(o, "roster needs --csv, --key and --out");
    unsigned char *buf;
    size_t len;
    if (read_input(o->csv, &buf, &len)) return 1;
    roster r;
    diag d;
    diag_init(&d);
    csv_table t;
    int ok = table_read(o->csv, buf, len, o->sheet, &t, &d) == 0;
    sodium_memzero(buf, len); /* holds ID numbers */
    free(buf);
    if (ok) {
        ok = roster_from_table(&t, &r, &d) == 0;
        csv_free(&t);
    }
    /* the kiosk's site and room (examsync init's defaults when not given) */
    if (ok && roster_set_place(&r, o->site ? o->site : "考点", o->room, &d)) {
        ok = 0;
        roster_free(&r);
    }
    print_diag(o->csv, &d);
    diag_free(&d);
    if (!ok) return 1;
    if (o->kdf_ops) r.kdf.opslimit = (unsigned long long)o->kdf_ops;
    if (o->kdf_mem) r.kdf.memlimit = (size_t)o->kdf_mem << 20;
    if (!roster_kdf_ok(&r.kdf)) {
        roster_free(&r);
        fprintf(stderr, "%s: --kdf-ops/--kdf-mem below the roster floor of %llu passes, %zu MiB (kiosks refuse it)\n",
                o->out, ROSTER_KDF_MIN_OPS, ROSTER_KDF_MIN_MEM >> 20);
        return 1;
    }
    uint8_t sk[crypto_sign_SECRETKEYBYTES];
    char *why = NULL;
    if (authority_load_sign_sk(o->key, sk, &why)) {
        roster_free(&r);
        return file_error(o->key, why);
    }
    uint8_t *out;
    size_t outlen;
    if (r.n >= 200) /* a minute for a full room at the default cost: say so before it starts */
        fprintf(stderr, "%s: sealing %zu names under Argon2id (%llu passes, %zu MiB each) on %ld CPUs...\n", o->out, r.n,
                r.kdf.opslimit, r.kdf.memlimit >> 20, sysconf(_SC_NPROCESSORS_ONLN));
    int w = roster_write(&r, sk, &out, &outlen, &why);
    sodium_memzero(sk, sizeof sk);
    if (w) {
        roster_free(&r);
        return file_error(o->out, why);
    }
    int rc = 0;
    if (fileio_write_atomic(o->out, out, outlen, 0644, 0, &why)) rc = file_error(o->out, why);
    else {
        char idhex[33];
        sodium_bin2hex(idhex, sizeof idhex, r.roster_id, 16);
        printf("roster: %s, %zu candidates, site %s, room %s, id %s\n", o->out, r.n, r.site, r.room, idhex);
    }
    free(out);
    roster_free(&r);
    return rc;
}

/* ---- verify / inspect --------------------------------------------------- */

static int load_signed(const char *path, unsigned char **buf, size_t *len)
{
    char *why = NULL;
    if (fileio_read(path, MAX_PACK_BYTES, buf, len, &why)) return file_error(path, why);
    return 0;
}

static int cmd_verify(void *ctx)
{
    opts *o = ctx;
    if (!o->pub || !o->file) return usage_error(o, "verify needs --pub and a FILE");
    authority_pub pub;
    char *why = NULL;
    if (authority_load_pub(o->pub, &pub, &why)) return file_error(o->pub, why);
    unsigned char *buf;
    size_t len;
    if (load_signed(o->file, &buf, &len)) return 1;
    int rc = 0;
    if (len >= 8 && !memcmp(buf, ROSTER_MAGIC, 8)) {
        roster r;
        if (roster_read(buf, len, pub.sign_pk, &r, &why)) rc = file_error(o->file, why);
        else {
            printf("%s: OK, roster of %zu candidates, site %s, room %s, signature valid\n", o->file, r.n, r.site, r.room);
            roster_free(&r);
        }
    } else {
        pack_info info;
        if (pack_verify(buf, len, pub.sign_pk, &info, &why) != PACK_OK) rc = file_error(o->file, why);
        else printf("%s: OK, pack %s (%s), signature valid\n", o->file, info.pack_id_hex, info.title);
    }
    free(buf);
    return rc;
}

/* the paper's totals while its parts are printed */
typedef struct paper_totals {
    int parts, questions, points;
    int by_type[QT_COUNT];
} paper_totals;

static int print_part(void *ctx, const paper_rule *r)
{
    paper_totals *t = ctx;
    if (!t->parts++) printf("\npaper:\n");
    int same = r->min_points == r->max_points;
    int subtotal = same ? r->min_points * r->count : r->sum_points; /* mixed points only when the rule takes its whole pool */
    char each[24], sub[24];
    printf("  %s  %d × %s = %s points  (%s%s%s, drawn from %d)\n", r->heading, r->count,
           same ? text_format_tenths(r->min_points, each, sizeof each) : "mixed", text_format_tenths(subtotal, sub, sizeof sub),
           r->type, *r->section ? ", section " : "", r->section, r->pool);
    int type = qtype_parse(r->type);
    if (type >= 0) t->by_type[type] += r->count;
    t->questions += r->count;
    t->points += subtotal;
    return 0;
}

/* Prints the paper's parts and totals; -1 with *WHY when the pack cannot be read. */
static int print_paper(sqlite3 *db, char **why)
{
    paper_totals t = {0};
    if (paper_each_rule(db, print_part, &t, why)) return -1;
    if (!t.parts) printf("\npaper:\n");
    printf("question types:");
    for (int k = 0; k < QT_COUNT; k++)
        if (t.by_type[k]) printf(" %s %d", qtype_name((qtype)k), t.by_type[k]);
    char pts[24];
    printf("\ntotal: %d questions, %s points\n", t.questions, text_format_tenths(t.points, pts, sizeof pts));
    return 0;
}

static int cmd_inspect(void *ctx)
{
    opts *o = ctx;
    if (!o->pub || !o->file) return usage_error(o, "inspect needs --pub and a FILE.pack");
    char norm[RELEASECODE_NORM_BYTES], typed[CODE_INPUT_MAX] = "";
    if (o->code) { /* a typo is reported at once, before reading anything */
        if (read_code(o, typed)) return 1;
        releasecode_rc r = releasecode_normalize(typed, norm);
        sodium_memzero(norm, sizeof norm);
        if (r != RELEASECODE_OK) {
            sodium_memzero(typed, sizeof typed);
            fprintf(stderr, "exampack: --release-code: %s\n", releasecode_strerror(r));
            return 1;
        }
    }
    authority_pub pub;
    char *why = NULL;
    unsigned char *buf;
    size_t len;
    pack_info info;
    if (authority_load_pub(o->pub, &pub, &why)) {
        sodium_memzero(typed, sizeof typed);
        return file_error(o->pub, why);
    }
    if (load_signed(o->file, &buf, &len)) {
        sodium_memzero(typed, sizeof typed);
        return 1;
    }
    if (pack_verify(buf, len, pub.sign_pk, &info, &why) != PACK_OK) {
        sodium_memzero(typed, sizeof typed);
        free(buf);
        return file_error(o->file, why);
    }
    time_t created = (time_t)info.created;
    char when[64];
    strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", gmtime(&created));
    printf("pack: %s\nsignature: valid\nid: %s\ntitle: %s\nlevel: %d\nkind: %s\nduration: %d minutes\n"
           "extensions: at most %d minutes per sitting\n"
           "questions: %d\ncreated: %s\nunlock cost: Argon2id, %llu passes, %zu MiB\n",
           o->file, info.pack_id_hex, info.title, info.level, info.kind, info.duration, info.max_extra, info.questions,
           when, info.kdf.opslimit, info.kdf.memlimit >> 20);
    int rc = 0;
    if (o->code) {
        sqlite3 *db;
        pack_rc pr = pack_open(buf, len, pub.sign_pk, typed, &db, &why);
        sodium_memzero(typed, sizeof typed);
        if (pr != PACK_OK) rc = file_error(o->file, why);
        else {
            if (print_paper(db, &why)) {
                rc = file_error(o->file, fileio_fmt("cannot read the paper: %s", why));
                free(why);
            }
            pack_close(db);
        }
    } else
        printf("(give --release-code to see the paper)\n");
    free(buf);
    return rc;
}

/* the right answer in display terms (what the candidate presses) */
static void display_answer(const paper_item *it, const paper_question *q, char *out, size_t size)
{
    out[0] = 0;
    size_t o = 0;
    switch (it->type) {
    case QT_JUDGE: snprintf(out, size, "%s", !strcmp(q->key, "T") ? "A" : "B"); return;
    case QT_SINGLE: case QT_MULTI:
        for (int d = 0; d < it->nopt && o + 1 < size; d++)
            if (strchr(q->key, 'A' + it->perm[d])) out[o++] = (char)('A' + d);
        out[o] = 0;
        return;
    case QT_ORDER:
        for (const char *p = q->key; *p && o + 1 < size; p++)
            for (int d = 0; d < it->nopt; d++)
                if (it->perm[d] == *p - 'A') out[o++] = (char)('A' + d);
        out[o] = 0;
        return;
    case QT_MATCH: /* left item i's right answer is original item i: its display number */
        for (int i = 0; i < it->nopt && o + 1 < size; i++)
            for (int d = 0; d < it->nopt; d++)
                if (it->perm[d] == i) out[o++] = (char)('1' + d);
        out[o] = 0;
        return;
    case QT_FILL: { /* the first alternative of each blank, tab-separated */
        for (const char *p = q->key; *p && o + 1 < size; p++) {
            if (*p == '|') { while (*p && *p != ';') p++; if (!*p) break; }
            out[o++] = *p == ';' ? '\t' : *p;
        }
        out[o] = 0;
        return;
    }
    case QT_NUMERIC: {
        snprintf(out, size, "%s", q->key);
        char *pm = strstr(out, "+-");
        if (pm) *pm = 0;
        return;
    }
    default: snprintf(out, size, "-"); return;
    }
}

static int cmd_paper(void *ctx)
{
    opts *o = ctx;
    if (!o->pub || !o->file || !o->code || !o->seed) return usage_error(o, "paper needs --pub, --release-code, --seed and a FILE.pack");
    uint8_t seed[PAPER_SEED_BYTES];
    size_t sl = 0;
    if (sodium_hex2bin(seed, sizeof seed, o->seed, strlen(o->seed), NULL, &sl, NULL) || sl != sizeof seed)
        return usage_error(o, "--seed must be 64 hex digits (the seed field of a result)");
    authority_pub pub;
    char *why = NULL, typed[CODE_INPUT_MAX];
    if (read_code(o, typed)) return 1;
    if (authority_load_pub(o->pub, &pub, &why)) {
        sodium_memzero(typed, sizeof typed);
        return file_error(o->pub, why);
    }
    unsigned char *buf;
    size_t len;
    if (load_signed(o->file, &buf, &len)) {
        sodium_memzero(typed, sizeof typed);
        return 1;
    }
    sqlite3 *db;
    pack_rc pr = pack_open(buf, len, pub.sign_pk, typed, &db, &why);
    sodium_memzero(typed, sizeof typed);
    free(buf);
    if (pr != PACK_OK) return file_error(o->file, why);
    paper p;
    if (paper_draw(db, seed, &p, &why)) {
        pack_close(db);
        return file_error(o->file, why);
    }
    printf("# item\tid\ttype\tpoints\tanswer (as shown on screen)\n");
    for (int i = 0; i < p.n; i++) {
        paper_question q;
        char ans[2048], pts[24];
        if (paper_question_load(db, p.items[i].seq, &q)) continue;
        display_answer(&p.items[i], &q, ans, sizeof ans);
        printf("%d\t%s\t%s\t%s\t%s\n", i + 1, p.items[i].id, qtype_name(p.items[i].type),
               text_format_tenths(p.items[i].points, pts, sizeof pts), ans);
        paper_question_free(&q);
    }
    paper_free(&p);
    pack_close(db);
    return 0;
}

/* ---- template ----------------------------------------------------------- */

static int cmd_template(void *ctx)
{
    opts *o = ctx;
    const char *kind = o->kind ? template_kind(o->kind) : "bank";
    if (!o->out) return usage_error(o, "template needs --out FILE.xlsx");
    if (!kind) return usage_error(o, "--kind must be bank, roster or applications");
    char *why = NULL;
    if (template_write(o->out, kind, &why)) return file_error(o->out, why);
    printf("wrote %s (%s template: fill in the first sheet, keep its header row)\n", o->out, kind);
    return 0;
}

/* ---- the command table ----------------------------------------------------- */

static const cmd COMMANDS[] = {
    {"keygen", "--out DIR", "make the authority's keys",
     "writes DIR/authority.pub (give to kiosks and the hub), DIR/authority.key\n"
     "(pack signing, keep offline) and DIR/results.key (results decryption, for\n"
     "the hub); refuses to overwrite existing keys.",
     cmd_keygen},
    {"build", "--bank BANK.csv|BANK.xlsx --blueprint BP.ini --key DIR/authority.key --out FILE.pack\n"
              "[--sheet NAME] [--release-code CODE] [--kdf-ops N] [--kdf-mem MIB] [--images DIR]",
     "build a signed, encrypted question pack; prints its release code last",
     "checks the bank (CSV, or the first sheet of an .xlsx workbook, or the\n"
     "sheet --sheet names) and blueprint (INI), then writes the pack. The\n"
     "release code is printed as the last line of output: announce it in the\n"
     "exam room at exam start and nowhere earlier. --release-code sets it\n"
     "instead of a random one; a code given by hand must have at least 80\n"
     "random-looking bits (no runs, repeats or repeated blocks: FORMAT.md §5).\n"
     "--release-code - reads the code from standard input (one line; at a\n"
     "terminal a prompt, typed without echo), so that it is not visible in\n"
     "/proc or the shell history. --kdf-ops/--kdf-mem set the Argon2id cost\n"
     "(default 5 passes, 128 MiB: about 0.3-1 s to unlock on a lab PC);\n"
     "kiosks refuse packs below 2 passes, 64 MiB.\n"
     "Stem lines [图:name.png] show PNG images read from --images DIR\n"
     "(default: the folder images/ beside the bank).",
     cmd_build},
    {"roster", "--csv ROSTER.csv|ROSTER.xlsx --key DIR/authority.key --out FILE.roster\n"
               "[--sheet NAME] [--site NAME] [--room NAME] [--kdf-ops N] [--kdf-mem MIB]", "sign a room roster",
     "checks a roster CSV or .xlsx sheet (ticket,name,id_number,level,room,seat,\n"
     "and the optional extra_minutes / 延长时间: planned extra time, 0-240\n"
     "minutes, granted at the start outside the paper's max_extra; in a\n"
     "workbook the ticket and ID number columns must be text) and writes\n"
     "a signed roster for one site and room: kiosks accept it only if they\n"
     "were provisioned for that site and room (or as the site's spare).\n"
     "--site is the kiosk's site (default 考点, as examsync init); --room\n"
     "its room (default: the one room of every row; a row of another room is\n"
     "an error). Each candidate's name is sealed under a key derived with\n"
     "Argon2id from their own ticket + ID number, and the ID number is not\n"
     "stored: default cost 2 passes, 64 MiB (about 75 ms a guess, so about\n"
     "75 ms per candidate to build, spread over the CPUs). --kdf-ops/--kdf-mem\n"
     "lower it for tests, down to the floor kiosks enforce: 1 pass, 16 MiB.",
     cmd_roster},
    {"verify", "--pub DIR/authority.pub FILE", "check a pack's or roster's signature",
     "exits 0 only if FILE (pack or roster) is intact and signed by the key.", cmd_verify},
    {"inspect", "--pub DIR/authority.pub FILE.pack [--release-code CODE]", "show a pack's facts and paper",
     "shows a pack's public facts; with the release code also its paper:\n"
     "parts, question types, points. --release-code - reads the code from\n"
     "standard input (one line; at a terminal a prompt without echo).",
     cmd_inspect},
    {"paper", "--pub DIR/authority.pub FILE.pack --release-code CODE --seed HEX",
     "reconstruct one candidate's paper from a result's seed",
     "reconstructs one candidate's paper from the seed in their result: every\n"
     "item as the candidate saw it (order, option order) with the right answer\n"
     "in the letters and numbers shown on screen. For reviews and tests.\n"
     "--release-code - reads the code from standard input (one line; at a\n"
     "terminal a prompt without echo).",
     cmd_paper},
    {"template", "--out FILE.xlsx [--kind bank|roster|applications]", "write an .xlsx template to fill in",
     "writes a workbook whose first sheet has the Chinese header names the\n"
     "readers take and example rows (a bank: one per question type; a roster;\n"
     "the hub's applications for examhub register), column widths set and the\n"
     "ticket and ID number columns formatted as text; a second sheet 说明 lists\n"
     "the columns. Default --kind bank.",
     cmd_template},
    {0}};

static const cmdtab EXAMPACK = {
    "exampack", "exampack - build signed, encrypted exam question packs and signed room rosters",
    "Every mistake in an input file is reported as FILE:LINE: reason (in an .xlsx\n"
    "workbook FILE:SHEET!CELL: reason, e.g. bank.xlsx:题库!C12). Output files\n"
    "are written atomically: on any error nothing is left behind.\n"
    "--release-code - reads the code from standard input instead of the command\n"
    "line, where other users of the PC could see it (/proc/PID/cmdline).\n"
    "Formats: exam-packs/FORMAT.md\n",
    COMMANDS, OPTIONS, set_option};

int main(int argc, char **argv)
{
    if (sodium_init() < 0) {
        fprintf(stderr, "exampack: cannot initialise libsodium\n");
        return 1;
    }
    opts o = {.cmd = argc > 1 ? argv[1] : NULL};
    return cmdtab_main(&EXAMPACK, argc, argv, &o);
}
