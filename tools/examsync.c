/* examsync: the site-side companion of the kiosk. Provisions the kiosk data
 * directory, imports packs and rosters (verified first), enrols with the
 * results hub, uploads signed results until the hub acknowledges them with a
 * signed receipt (push, or the watch daemon), exports them for USB, shows
 * status and checks a lab PC's readiness (with the kiosk beside it for the
 * display). It never holds the kiosk up: short transactions, busy timeout. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "core/authority.h"
#include "core/dynbuf.h"
#include "core/fileio.h"
#include "core/journal.h"
#include "core/pack.h"
#include "core/readiness.h"
#include "core/result.h"
#include "core/roster.h"
#include "core/text.h"
#include "core/store.h"
#include "core/bundle.h"
#include "core/receipt.h"
#include "tools/cmdtab.h"
#include "tools/room/hello.h"
#include "tools/sync/http.h"
#include "tools/sync/roomclient.h"

#include <curl/curl.h>
#include <jansson.h>
#include <signal.h>
#include <unistd.h>

static const cmdtab EXAMSYNC; /* the command table, at the end of the file */

typedef struct opts {
    const char *cmd; /* argv[1], for the usage line of a misuse */
    const char *data, *pub, *site, *room, *hub, *token, *out, *code, *console;
    int seat, interval, answers, spare, once;
    const char **files; /* the operands, in order */
    int nfiles;
} opts;

static int usage_error(const opts *o, const char *msg)
{
    return cmdtab_misuse(&EXAMSYNC, o->cmd, msg);
}

static int fail_msg(const char *what, char *why)
{
    fprintf(stderr, "%s: %s\n", what, why ? why : "error");
    free(why);
    return 1;
}

enum { OPT_DATA = 256, OPT_PUB, OPT_SITE, OPT_ROOM, OPT_SEAT, OPT_HUB, OPT_TOKEN, OPT_OUT, OPT_INTERVAL, OPT_CODE,
       OPT_ANSWERS, OPT_SPARE, OPT_CONSOLE, OPT_ONCE };

static const struct option OPTIONS[] = {
    {"data", required_argument, 0, OPT_DATA}, {"pub", required_argument, 0, OPT_PUB},
    {"site", required_argument, 0, OPT_SITE}, {"room", required_argument, 0, OPT_ROOM},
    {"seat", required_argument, 0, OPT_SEAT}, {"hub", required_argument, 0, OPT_HUB},
    {"token", required_argument, 0, OPT_TOKEN}, {"out", required_argument, 0, OPT_OUT},
    {"interval", required_argument, 0, OPT_INTERVAL}, {"release-code", required_argument, 0, OPT_CODE},
    {"answers", no_argument, 0, OPT_ANSWERS}, {"spare", no_argument, 0, OPT_SPARE},
    {"console", required_argument, 0, OPT_CONSOLE}, {"once", no_argument, 0, OPT_ONCE}, {0, 0, 0, 0}};

/* one option or operand into opts (cmdtab's option handler) */
static int set_option(void *ctx, int id, const char *arg, const char **why)
{
    opts *o = ctx;
    char *end;
    switch (id) {
    case OPT_DATA: o->data = arg; break;
    case OPT_PUB: o->pub = arg; break;
    case OPT_SITE: /* as a roster names them (exam-packs/FORMAT.md 7) */
        if (!*arg || strlen(arg) > ROSTER_SITE_MAX) return *why = "--site must be 1-127 bytes", 1;
        o->site = arg;
        break;
    case OPT_ROOM:
        if (!*arg || strlen(arg) > ROSTER_ROOM_MAX) return *why = "--room must be 1-32 bytes", 1;
        o->room = arg;
        break;
    case OPT_SEAT:
        o->seat = (int)strtol(arg, &end, 10);
        if (*end || o->seat < 1 || o->seat > 999) return *why = "--seat must be 1-999", 1;
        break;
    case OPT_SPARE: o->spare = 1; break;
    case OPT_HUB: o->hub = arg; break;
    case OPT_TOKEN: o->token = arg; break;
    case OPT_OUT: o->out = arg; break;
    case OPT_CODE: o->code = arg; break;
    case OPT_ANSWERS: o->answers = 1; break;
    case OPT_CONSOLE: o->console = arg; break;
    case OPT_ONCE: o->once = 1; break;
    case OPT_INTERVAL:
        o->interval = (int)strtol(arg, &end, 10);
        if (*end || o->interval < 1 || o->interval > 3600) return *why = "--interval must be 1-3600 seconds", 1;
        break;
    case CMDTAB_OPERAND: o->files[o->nfiles++] = arg; break; /* main sized files for every argument */
    default: return *why = "unknown option", 1;
    }
    return 0;
}

static int cmd_init(void *ctx)
{
    opts *o = ctx;
    if (!o->data || !o->pub) return usage_error(o, "init needs --data and --pub");
    if (o->nfiles) return usage_error(o, "init takes no file arguments");
    umask(077); /* kiosk.db holds candidates' names and answers: 0600, like device.key */
    authority_pub pub;
    char *why = NULL;
    if (authority_load_pub(o->pub, &pub, &why)) return fail_msg(o->pub, why);
    if (mkdir(o->data, 0700) != 0 && errno != EEXIST) return fail_msg(o->data, fileio_fmt("cannot create: %s", strerror(errno)));
    struct stat db;
    if (lstat(o->data, &db) != 0 || !S_ISDIR(db.st_mode)) return fail_msg(o->data, fileio_fmt("not a directory"));
    /* an existing directory too: group and others get nothing (the kiosk refuses to start otherwise) */
    if ((db.st_mode & 07777) != 0700 && chmod(o->data, 0700) != 0)
        return fail_msg(o->data, fileio_fmt("cannot make it mode 0700: %s", strerror(errno)));
    char *keypath = fileio_fmt("%s/device.key", o->data), *dbpath = fileio_fmt("%s/%s", o->data, STORE_DB_NAME),
         *pubpath = fileio_fmt("%s/authority.pub", o->data);
    int rc = 1;
    struct stat sb;
    if (!stat(keypath, &sb) || !stat(dbpath, &sb)) {
        rc = fail_msg(o->data, fileio_fmt("already provisioned (device.key or kiosk.db exists); refusing to overwrite"));
        goto out;
    }
    unsigned char *pubtxt;
    size_t publen;
    if (fileio_read(o->pub, 4096, &pubtxt, &publen, &why)) { rc = fail_msg(o->pub, why); goto out; }
    int w = fileio_write_atomic(pubpath, pubtxt, publen, 0600, 0, &why); /* every file in the data directory 0600 */
    free(pubtxt);
    if (w) { rc = fail_msg(pubpath, why); goto out; }
    uint8_t pk[crypto_sign_PUBLICKEYBYTES];
    if (authority_device_keygen(keypath, pk, &why)) { rc = fail_msg(keypath, why); goto out; }
    store *st;
    if (store_open(o->data, 1, &st, &why)) { rc = fail_msg(o->data, why); goto out; }
    char kid[17], pkhex[65], seat[16];
    result_kiosk_id(pk, kid);
    sodium_bin2hex(pkhex, sizeof pkhex, pk, sizeof pk);
    snprintf(seat, sizeof seat, "%d", o->seat ? o->seat : 1);
    if (store_begin(st) || store_meta_set(st, "kiosk_id", kid) || store_meta_set(st, "device_pk", pkhex) ||
        store_meta_set(st, "site", o->site ? o->site : "考点") || store_meta_set(st, "room", o->room ? o->room : "01") ||
        store_meta_set(st, "seat", seat) || store_meta_set(st, "spare", o->spare ? "1" : "0") || store_commit(st)) {
        rc = fail_msg(dbpath, fileio_fmt("cannot write: %s", store_strerror(st)));
        store_close(st);
        goto out;
    }
    store_close(st);
    printf("kiosk %s provisioned in %s (site %s, room %s, seat %s%s)\n", kid, o->data, o->site ? o->site : "考点",
           o->room ? o->room : "01", seat, o->spare ? ", spare: any room of the site" : "");
    rc = 0;
out:
    free(keypath);
    free(dbpath);
    free(pubpath);
    return rc;
}

/* NULL when the kiosk takes roster R (its own site and room; a spare: any
 * room of its site), otherwise why not (caller frees) */
static char *roster_place_refused(store *st, const roster *r)
{
    char *site = store_meta_get(st, "site"), *room = store_meta_get(st, "room"), *spare = store_meta_get(st, "spare");
    int is_spare = spare && !strcmp(spare, "1");
    char *why = NULL;
    if (!site || !room) why = fileio_fmt("this kiosk has no site and room (examsync init --site --room)");
    else if (strcmp(r->site, site) || (!is_spare && strcmp(r->room, room)))
        why = is_spare ? fileio_fmt("roster is for site %s room %s; this kiosk is a spare of site %s", r->site, r->room, site)
                       : fileio_fmt("roster is for site %s room %s; this kiosk is site %s room %s", r->site, r->room, site,
                                    room);
    free(site);
    free(room);
    free(spare);
    return why;
}

static int add_one(store *st, const authority_pub *pub, const char *path)
{
    unsigned char *buf;
    size_t len;
    char *why = NULL;
    if (fileio_read(path, 1u << 30, &buf, &len, &why)) return fail_msg(path, why);
    int rc = 1, added = 0;
    if (len >= 8 && !memcmp(buf, ROSTER_MAGIC, 8)) {
        roster r;
        if (roster_read(buf, len, pub->sign_pk, &r, &why)) { rc = fail_msg(path, why); goto out; }
        if ((why = roster_place_refused(st, &r))) {
            roster_free(&r);
            rc = fail_msg(path, why);
            goto out;
        }
        char id[33];
        sodium_bin2hex(id, sizeof id, r.roster_id, 16);
        size_t n = r.n;
        roster_free(&r);
        store_roster_row row = {id, (int64_t)n, buf, len, (int64_t)time(NULL)};
        if (store_roster_add(st, &row, &added) != STORE_OK) {
            rc = fail_msg(path, fileio_fmt("cannot store: %s", store_strerror(st)));
            goto out;
        }
        printf("%s: roster %s, %zu candidates %s\n", path, id, n, added ? "added" : "already loaded");
    } else {
        pack_info info;
        /* the kiosk's check: signature and the KDF floor (stored under the id it carries) */
        if (pack_verify_as(buf, len, pub->sign_pk, NULL, pack_kdf_floor(), &info, &why) != PACK_OK) {
            rc = fail_msg(path, why);
            goto out;
        }
        store_pack_row row = {info.pack_id_hex, info.title, info.kind, info.level, info.duration, info.questions,
                              buf, len, (int64_t)time(NULL)};
        if (store_pack_add(st, &row, &added) != STORE_OK) {
            rc = fail_msg(path, fileio_fmt("cannot store: %s", store_strerror(st)));
            goto out;
        }
        printf("%s: pack %s «%s» %s\n", path, info.pack_id_hex, info.title,
               added ? "added" : "already loaded");
    }
    rc = 0;
out:
    free(buf);
    return rc;
}

static int cmd_add(void *ctx)
{
    opts *o = ctx;
    if (!o->data || o->nfiles == 0) return usage_error(o, "add needs --data and at least one FILE");
    authority_pub pub;
    char *why = NULL, *pubpath = fileio_fmt("%s/authority.pub", o->data);
    int lp = authority_load_pub(pubpath, &pub, &why);
    free(pubpath);
    if (lp) return fail_msg(o->data, why);
    store *st;
    if (store_open(o->data, 0, &st, &why)) return fail_msg(o->data, why);
    int bad = 0;
    for (int i = 0; i < o->nfiles; i++) bad |= add_one(st, &pub, o->files[i]);
    store_close(st);
    return bad;
}

/* status listing: one line per pack, roster and sitting; *ctx counts them */
static int print_pack(void *ctx, const store_pack_row *p)
{
    printf("  %s  %s  level %d %s, %d minutes, %d questions\n", p->pack_id, p->title, p->level, p->kind, p->duration,
           p->questions);
    ++*(int *)ctx;
    return 0;
}

/* status: each stored pack checked as the kiosk checks it (pack_verify_as) */
typedef struct pack_status {
    const authority_pub *pub; /* NULL: authority.pub unreadable, nothing checked */
    int n, refused;
} pack_status;

static int status_pack(void *ctx, const store_pack_row *p)
{
    pack_status *ps = ctx;
    print_pack(&ps->n, p);
    char *why = NULL;
    if (ps->pub &&
        pack_verify_as(p->bytes, p->len, ps->pub->sign_pk, p->pack_id, pack_kdf_floor(), NULL, &why) != PACK_OK) {
        printf("    REFUSED by the kiosk: %s\n", why ? why : "does not verify");
        ps->refused++;
    }
    free(why);
    return 0;
}

static int print_roster(void *ctx, const store_roster_row *r)
{
    printf("  %s  %d candidates\n", r->roster_id, (int)r->candidates);
    ++*(int *)ctx;
    return 0;
}

static int print_session(void *ctx, const store_session_row *s)
{
    /* tickets and names are sealed with the pack's key: without it a
     * sitting shows its state and receipt only */
    if (s->sealed) printf("  (sealed)  %s", s->state);
    else printf("  %s  %s  %s", s->ticket, s->name, s->state);
    if (s->receipt) printf("  receipt %s", s->receipt);
    printf("\n");
    ++*(int *)ctx;
    return 0;
}

/* ---- show: the sittings of a pack, opened with its release code ---------------- */

typedef struct show_ctx {
    store *st;
    const char *pack;
    int answers, n;
} show_ctx;

/* a response on one line: \\, \n, \t and the blank separator \x1f escaped */
static void print_escaped(const char *r)
{
    for (; *r; r++) {
        if (*r == '\\') fputs("\\\\", stdout);
        else if (*r == '\n') fputs("\\n", stdout);
        else if (*r == '\t') fputs("\\t", stdout);
        else if (*r == '\x1f') fputs("\\x1f", stdout);
        else putchar(*r);
    }
}

static int show_answer(void *ctx, const store_answer_row *a)
{
    (void)ctx;
    printf("    item %d\tflagged %d\t", a->item + 1, a->flagged);
    print_escaped(a->response);
    printf("\n");
    return 0;
}

static int show_session(void *ctx, const store_session_row *s)
{
    show_ctx *c = ctx;
    if (strcmp(s->pack_id, c->pack)) return 0;
    c->n++;
    char t[24];
    printf("  %s  %s  %s  elapsed %lld ms  extra %lld ms", s->ticket, s->name, s->state, (long long)s->elapsed_ms,
           (long long)s->extra_ms);
    if (s->receipt)
        printf("  score %s (%d tenths)  receipt %s", text_format_tenths(s->score, t, sizeof t), s->score, s->receipt);
    printf("  session %s\n", s->id);
    if (c->answers) (void)store_answer_each(c->st, s->id, show_answer, c);
    return 0;
}

typedef struct open_ctx {
    const char *code;
    uint8_t key[PACK_KEY_BYTES];
    char pack[STORE_ID_MAX + 1];
    int found;
    store *st;
} open_ctx;

static int try_pack(void *ctx, const store_pack_row *p)
{
    open_ctx *oc = ctx;
    uint8_t *buf = NULL;
    size_t len = 0;
    char *why = NULL;
    if (store_pack_get(oc->st, p->pack_id, &buf, &len) == STORE_OK &&
        pack_unwrap_key(buf, len, oc->code, oc->key, &why) == PACK_OK) {
        snprintf(oc->pack, sizeof oc->pack, "%s", p->pack_id);
        oc->found = 1;
    }
    free(why);
    free(buf);
    return oc->found;
}

static int cmd_show(void *ctx)
{
    opts *o = ctx;
    if (!o->data || !o->code) return usage_error(o, "show needs --data and --release-code");
    /* "-": from standard input, kept out of /proc (cmdtab_secret) */
    char code[128];
    const char *cwhy = NULL;
    if (cmdtab_secret(o->code, "release code", code, sizeof code, &cwhy))
        return fail_msg("--release-code", fileio_fmt("%s", cwhy));
    store *st;
    char *why = NULL;
    if (store_open(o->data, 0, &st, &why)) { sodium_memzero(code, sizeof code); return fail_msg(o->data, why); }
    open_ctx oc = {.code = code, .st = st};
    (void)store_pack_each(st, 0, try_pack, &oc);
    sodium_memzero(code, sizeof code);
    if (!oc.found) {
        store_close(st);
        return fail_msg(o->data, fileio_fmt("the release code opens none of this kiosk's packs"));
    }
    journal_key jk;
    journal_key_derive(&jk, oc.pack, oc.key);
    sodium_memzero(oc.key, sizeof oc.key);
    store_set_journal_key(st, &jk);
    sodium_memzero(&jk, sizeof jk);
    printf("sittings of pack %s:\n", oc.pack);
    show_ctx sc = {st, oc.pack, o->answers, 0};
    (void)store_session_each(st, show_session, &sc);
    if (!sc.n) printf("  (none)\n");
    uint8_t head[JOURNAL_HASH_BYTES];
    journal_check jc;
    int rc = 0;
    if (store_journal_verify_keyed(st, NULL, head, &jc, &why) == 0)
        printf("journal: %lld entries, %lld sealed by this pack verified\n", (long long)jc.entries, (long long)jc.keyed);
    else {
        printf("journal: CHAIN BROKEN: %s\n", why ? why : "unreadable");
        free(why);
        rc = 1;
    }
    store_close(st);
    return rc;
}

static int cmd_status(void *ctx)
{
    opts *o = ctx;
    if (!o->data) return usage_error(o, "status needs --data");
    store *st;
    char *why = NULL;
    if (store_open(o->data, 0, &st, &why)) return fail_msg(o->data, why);
    char *kid = store_meta_get(st, "kiosk_id"), *site = store_meta_get(st, "site"), *room = store_meta_get(st, "room"),
         *seat = store_meta_get(st, "seat"), *spare = store_meta_get(st, "spare");
    printf("kiosk %s at %s, room %s, seat %s%s\n", kid ? kid : "?", site ? site : "?", room ? room : "?", seat ? seat : "?",
           spare && !strcmp(spare, "1") ? " (spare: takes rosters of every room of the site)" : "");
    free(kid); free(site); free(room); free(seat); free(spare);
    authority_pub pub;
    char *pwhy = NULL, *pubpath = fileio_fmt("%s/authority.pub", o->data);
    pack_status ps = {authority_load_pub(pubpath, &pub, &pwhy) == 0 ? &pub : NULL, 0, 0};
    free(pubpath);
    printf("packs:\n");
    (void)store_pack_each(st, STORE_WITH_BYTES, status_pack, &ps);
    if (!ps.n) printf("  (none: examsync add --data DIR FILE.pack)\n");
    if (!ps.pub) printf("  (not checked: %s)\n", pwhy ? pwhy : "authority.pub unreadable");
    free(pwhy);
    int n = 0;
    printf("rosters:\n");
    (void)store_roster_each(st, 0, print_roster, &n);
    if (!n) printf("  (none)\n");
    printf("sittings:\n");
    n = 0;
    (void)store_session_each(st, print_session, &n);
    if (!n) printf("  (none)\n");
    int pending = 0, delivered = 0;
    (void)store_outbox_counts(st, &pending, &delivered);
    printf("results: %d pending upload, %d delivered\n", pending, delivered);
    char *hub_url = store_meta_get(st, "hub_url");
    printf("hub: %s\n", hub_url ? hub_url : "(not enrolled: examsync enroll)");
    free(hub_url);
    uint8_t head[JOURNAL_HASH_BYTES];
    int64_t count = 0;
    char *jwhy = NULL;
    journal_check jc;
    if (store_journal_head(st, head, &count) == STORE_OK && store_journal_verify_keyed(st, NULL, head, &jc, &jwhy) == 0)
        /* without a pack key only the plain entries and the chain's shape can
         * be checked here; the sealed ones the kiosk checks with the key */
        printf("journal: %lld entries, hash chain verified (%lld sealed by a pack key: checked by the kiosk at resume and "
               "hand-in)\n", (long long)count, (long long)jc.foreign);
    else {
        printf("journal: CHAIN BROKEN: %s\n", jwhy ? jwhy : "unreadable");
        free(jwhy);
        store_close(st);
        return 1;
    }
    store_close(st);
    if (ps.refused) printf("packs: %d REFUSED (see above): provision a fresh data directory and add good copies\n", ps.refused);
    return ps.refused ? 1 : 0;
}

/* ---- talking to the hub ----------------------------------------------------------- */

/* The longest answer read from the hub: its answers are small JSON objects
 * (a receipt, an enrolment, an error), so anything longer is not the hub
 * speaking and the transfer is stopped. */
#define HUB_ANSWER_MAX (1u << 20)

/* POSTs DATA to HUB/PATH. Returns the HTTP status (0 when the hub could not
 * be reached) and the answer parsed as JSON in *out (NULL if none). */
static long post(const char *base, const char *path, const char *ctype, const void *data, size_t len, const char *kiosk,
                 json_t **out, char **why)
{
    *out = NULL;
    dynbuf b;
    dynbuf_init(&b, HUB_ANSWER_MAX);
    sync_post_opts po = {ctype, kiosk, 10, 60};
    long status = sync_post(base, path, &po, data, len, &b, why);
    if (status) {
        json_error_t je;
        *out = dynbuf_len(&b) ? json_loadb(dynbuf_ptr(&b), dynbuf_len(&b), 0, &je) : NULL;
        if (!*out) *why = fileio_fmt("hub answered HTTP %ld without a JSON body", status);
    } else {
        char *w = fileio_fmt("hub %s", *why ? *why : "unreachable");
        free(*why);
        *why = w;
    }
    dynbuf_free(&b);
    return status;
}

static const char *json_error_of(json_t *j)
{
    const char *e = json_string_value(json_object_get(j, "error"));
    return e ? e : "no reason given";
}

static int cmd_enroll(opts *o)
{
    if (!o->data || !o->hub || !o->token) return usage_error(o, "enroll needs --data, --hub and --token");
    store *st;
    char *why = NULL;
    if (store_open(o->data, 0, &st, &why)) return fail_msg(o->data, why);
    char *pk = store_meta_get(st, "device_pk"), *kid = store_meta_get(st, "kiosk_id"),
         *site = store_meta_get(st, "site"), *room = store_meta_get(st, "room"), *seat = store_meta_get(st, "seat");
    int rc = 1;
    json_t *req = json_pack("{s:s, s:s, s:s, s:s, s:i}", "token", o->token, "device_pk", pk ? pk : "", "site",
                            site ? site : "", "room", room ? room : "", "seat", seat ? atoi(seat) : 0);
    char *text = req ? json_dumps(req, JSON_COMPACT) : NULL;
    json_decref(req);
    json_t *ans = NULL;
    long status = text ? post(o->hub, "/v1/enroll", "application/json", text, strlen(text), NULL, &ans, &why) : 0;
    free(text);
    if (status == 200) {
        const char *hubpk = json_string_value(json_object_get(ans, "hub_pk"));
        const char *got = json_string_value(json_object_get(ans, "kiosk_id"));
        uint8_t raw[crypto_sign_PUBLICKEYBYTES];
        size_t l = 0;
        if (!hubpk || !got || !kid || strcmp(got, kid) ||
            sodium_hex2bin(raw, sizeof raw, hubpk, strlen(hubpk), NULL, &l, NULL) || l != sizeof raw)
            fail_msg(o->hub, fileio_fmt("the hub's answer does not match this kiosk"));
        else if (store_meta_set(st, "hub_url", o->hub) || store_meta_set(st, "hub_pk", hubpk))
            fail_msg(o->data, fileio_fmt("cannot save the enrolment: %s", store_strerror(st)));
        else {
            printf("kiosk %s enrolled at %s\n", kid, o->hub);
            rc = 0;
        }
    } else if (status)
        fail_msg(o->hub, fileio_fmt("enrolment refused (HTTP %ld): %s", status, json_error_of(ans)));
    else
        fail_msg(o->hub, why);
    json_decref(ans);
    free(pk); free(kid); free(site); free(room); free(seat);
    store_close(st);
    return rc;
}

/* Uploads every pending result once. Returns the number still pending, or
 * -1 when the kiosk is not enrolled. *reachable: the hub answered at all. */
static int push_once(const opts *o, int verbose, int *reachable)
{
    store *st;
    char *why = NULL;
    *reachable = 0;
    if (store_open(o->data, 0, &st, &why)) { fail_msg(o->data, why); return -1; }
    char *hubpk = store_meta_get(st, "hub_pk"), *kid = store_meta_get(st, "kiosk_id");
    uint8_t pk[crypto_sign_PUBLICKEYBYTES];
    size_t l = 0;
    if (!hubpk || sodium_hex2bin(pk, sizeof pk, hubpk, strlen(hubpk), NULL, &l, NULL) || l != sizeof pk) {
        fail_msg(o->data, fileio_fmt("this kiosk is not enrolled at a hub (examsync enroll)"));
        free(hubpk); free(kid);
        store_close(st);
        return -1;
    }
    int pending = 0, delivered = 0;
    char last[33] = "";
    for (;;) {
        /* one short read per result, in result-id order, so the kiosk is never held up */
        char rid[STORE_ID_MAX + 1];
        uint8_t *sealed = NULL;
        size_t len = 0;
        if (store_outbox_next_pending(st, last, rid, &sealed, &len) != STORE_OK) break;
        memcpy(last, rid, sizeof last);
        json_t *ans = NULL;
        long status = post(o->hub, "/v1/results", "application/octet-stream", sealed, len, kid, &ans, &why);
        free(sealed);
        if (status) *reachable = 1;
        const char *got = json_string_value(json_object_get(ans, "result_id"));
        const char *receipt = json_string_value(json_object_get(ans, "receipt"));
        if (status == 200 && got && !strcmp(got, rid) && receipt_verify(pk, rid, receipt) == RESULT_OK) {
            if (store_outbox_mark_delivered(st, rid, (int64_t)time(NULL), receipt) == STORE_OK) {
                delivered++;
                if (verbose) printf("%s: delivered (%s)\n", rid, json_string_value(json_object_get(ans, "status")));
            } else {
                pending++;
                fprintf(stderr, "%s: acknowledged but not recorded: %s\n", rid, store_strerror(st));
            }
        } else {
            pending++;
            if (status == 200) fprintf(stderr, "%s: the hub's receipt does not verify; kept pending\n", rid);
            else if (status) fprintf(stderr, "%s: refused by the hub (HTTP %ld): %s\n", rid, status, json_error_of(ans));
            else fprintf(stderr, "%s: %s\n", rid, why ? why : "hub unreachable");
        }
        free(why);
        why = NULL;
        json_decref(ans);
        if (!status) { /* unreachable: the rest would fail the same way */
            int left = 0;
            if (store_outbox_counts(st, &left, NULL) == STORE_OK) pending = left;
            break;
        }
    }
    if (verbose) printf("%d delivered, %d pending\n", delivered, pending);
    free(hubpk);
    free(kid);
    store_close(st);
    return pending;
}

static int cmd_push(opts *o)
{
    if (!o->data || !o->hub) return usage_error(o, "push needs --data and --hub");
    int reachable;
    int left = push_once(o, 1, &reachable);
    return left == 0 ? 0 : 1;
}



/* ---- room: the link to the room console (issue 12, tools/sync/roomclient.c) ---- */

static int cmd_room(opts *o)
{
    if (!o->data || !o->console) return usage_error(o, "room needs --data and --console URL");
    volatile sig_atomic_t *stop = cmdtab_stop_on_signals(); /* the daemon's loop ends on SIGINT, SIGTERM */
    room_client *c;
    char *why = NULL;
    if (room_client_open(o->data, o->console, &c, &why)) return fail_msg("examsync: room", why);
    int last = 99, rc = 0; /* last outcome printed: the daemon's log says only what changed */
    while (!*stop) {
        room_round r;
        rc = room_client_round(c, &r, &why);
        if (r.seat_state[0])
            printf("seat %s on the room console %s%s\n", r.seat_state, o->console,
                   !strcmp(r.seat_state, "unconfirmed") ? ": the invigilator confirms it on the console's seat map" : "");
        else if (rc == 0 && last != 0)
            printf("linked to the room console %s\n", o->console);
        if (rc != 0 && (rc != last || o->once)) fprintf(stderr, "examsync: room: %s\n", why ? why : "error");
        if (r.commands && o->once) printf("%d command(s) for the kiosk\n", r.commands);
        last = rc;
        free(why);
        why = NULL;
        if (o->once) break;
        /* the kiosk never depends on this: a dead console or LAN only delays the next report */
        for (int i = 0; i < (o->interval ? o->interval : 1) * 10 && !*stop; i++) usleep(100000);
    }
    room_client_close(c);
    return rc == 0 ? 0 : 1;
}

static int cmd_watch(opts *o)
{
    if (!o->data || !o->hub) return usage_error(o, "watch needs --data and --hub");
    volatile sig_atomic_t *stop = cmdtab_stop_on_signals(); /* the daemon's loop ends on SIGINT, SIGTERM */
    unsigned backoff = 1;
    fprintf(stderr, "examsync: watching %s, pushing to %s\n", o->data, o->hub);
    while (!*stop) {
        int reachable;
        int left = push_once(o, 1, &reachable);
        if (left < 0) return 1;
        unsigned wait_s;
        if (left == 0) {
            backoff = 1;
            wait_s = o->interval ? (unsigned)o->interval : 30u;
        } else {
            /* exponential backoff with jitter: spread retries of many kiosks */
            wait_s = backoff / 2 + randombytes_uniform(backoff / 2 + 1) + 1;
            backoff = backoff < 300 ? backoff * 2 : 300;
            fprintf(stderr, "examsync: %d pending; next try in %u s\n", left, wait_s);
        }
        for (unsigned i = 0; i < wait_s * 10 && !*stop; i++) usleep(100000);
    }
    fprintf(stderr, "examsync: stopped\n");
    return 0;
}

/* the pending results, copied out of the store for the bundle */
typedef struct export_list {
    bundle_item *items;
    uint8_t **copies;
    size_t n;
} export_list;

static int collect_pending(void *ctx, const store_outbox_row *r)
{
    export_list *xl = ctx;
    bundle_item *ni = realloc(xl->items, (xl->n + 1) * sizeof *ni);
    if (ni) xl->items = ni;
    uint8_t **nc = ni ? realloc(xl->copies, (xl->n + 1) * sizeof *nc) : NULL;
    if (nc) xl->copies = nc;
    if (!ni || !nc) { /* out of memory: export nothing rather than a part */
        for (size_t i = 0; i < xl->n; i++) free(xl->copies[i]);
        free(xl->items);
        free(xl->copies);
        xl->items = NULL;
        xl->copies = NULL;
        xl->n = 0;
        return 1;
    }
    xl->copies[xl->n] = malloc(r->len ? r->len : 1);
    if (!xl->copies[xl->n]) return 1;
    memcpy(xl->copies[xl->n], r->sealed, r->len);
    xl->items[xl->n].data = xl->copies[xl->n];
    xl->items[xl->n].len = r->len;
    xl->n++;
    return 0;
}

static int cmd_export(void *ctx)
{
    opts *o = ctx;
    if (!o->data || !o->out) return usage_error(o, "export needs --data and --out FILE");
    store *st;
    char *why = NULL;
    if (store_open(o->data, 0, &st, &why)) return fail_msg(o->data, why);
    export_list xl = {NULL, NULL, 0};
    (void)store_outbox_each_pending(st, collect_pending, &xl);
    bundle_item *items = xl.items;
    uint8_t **copies = xl.copies;
    size_t n = xl.n;
    char *keypath = fileio_fmt("%s/device.key", o->data);
    uint8_t sk[crypto_sign_SECRETKEYBYTES];
    int rc = 1;
    uint8_t *out = NULL;
    size_t outlen = 0;
    if (authority_load_device_sk(keypath, sk, &why)) rc = fail_msg(keypath, why);
    else if (bundle_write(items, n, sk, (int64_t)time(NULL), &out, &outlen)) rc = fail_msg(o->out, fileio_fmt("cannot build the bundle"));
    else if (fileio_write_atomic(o->out, out, outlen, 0644, 0, &why)) rc = fail_msg(o->out, why);
    else {
        /* the export time is informative only: the results stay pending either way */
        if (store_outbox_mark_exported(st, (int64_t)time(NULL)) != STORE_OK) {
        }
        printf("%s: %zu pending results exported (they stay pending until the hub has them)\n", o->out, n);
        rc = 0;
    }
    sodium_memzero(sk, sizeof sk);
    for (size_t i = 0; i < n; i++) free(copies[i]);
    free(copies);
    free(items);
    free(out);
    free(keypath);
    store_close(st);
    return rc;
}

/* ---- readiness of the lab PC ------------------------------------------------------ */

#define KIOSK_CHECK_TIMEOUT_MS 20000
#define KIOSK_CHECK_OUTPUT_MAX 65536

static int is_display_check(const char *name)
{
    for (int i = 0; READINESS_DISPLAY_CHECKS[i]; i++)
        if (!strcmp(name, READINESS_DISPLAY_CHECKS[i])) return 1;
    return 0;
}

/* Runs `kiosk --data DIR --check-display` (the kiosk program in this
 * program's directory) with a time limit; its output (stdout and stderr)
 * goes into *out (malloc'd, NUL-terminated). Returns the exit status, -1
 * when it could not be run (*why) or was stopped at the time limit. */
static int run_kiosk_check(const char *data, char **out, char **why)
{
    *out = NULL;
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) { *why = fileio_fmt("cannot find the kiosk program (/proc/self/exe: %s)", strerror(errno)); return -1; }
    self[n] = 0;
    char *slash = strrchr(self, '/');
    char *kiosk = fileio_fmt("%.*s/kiosk", slash ? (int)(slash - self) : 1, slash ? self : ".");
    if (access(kiosk, X_OK) != 0) {
        *why = fileio_fmt("no kiosk program beside examsync (%s: %s)", kiosk, strerror(errno));
        free(kiosk);
        return -1;
    }
    int fd[2];
    if (pipe2(fd, O_CLOEXEC) != 0) { *why = fileio_fmt("pipe: %s", strerror(errno)); free(kiosk); return -1; }
    pid_t pid = fork();
    if (pid < 0) {
        *why = fileio_fmt("cannot start %s: %s", kiosk, strerror(errno));
        close(fd[0]); close(fd[1]); free(kiosk);
        return -1;
    }
    if (pid == 0) {
        dup2(fd[1], 1);
        dup2(fd[1], 2);
        execl(kiosk, "kiosk", "--data", data, "--check-display", (char *)NULL);
        _exit(127);
    }
    close(fd[1]);
    free(kiosk);
    char *buf = malloc(KIOSK_CHECK_OUTPUT_MAX + 1);
    size_t len = 0;
    int timed_out = 0;
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &t);
        long left = KIOSK_CHECK_TIMEOUT_MS - ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000);
        if (left <= 0) { timed_out = 1; break; }
        struct pollfd p = {fd[0], POLLIN, 0};
        int pr = poll(&p, 1, (int)left);
        if (pr < 0 && errno == EINTR) continue;
        if (pr <= 0) { timed_out = pr == 0; break; }
        char tmp[4096];
        ssize_t r = read(fd[0], tmp, sizeof tmp);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        size_t take = buf && len + (size_t)r <= KIOSK_CHECK_OUTPUT_MAX ? (size_t)r : 0; /* the rest is read and dropped */
        if (take) memcpy(buf + len, tmp, take);
        len += take;
    }
    close(fd[0]);
    if (timed_out) kill(pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (buf) buf[len] = 0;
    *out = buf;
    if (timed_out) {
        *why = fileio_fmt("the kiosk's display check did not finish within %d s", KIOSK_CHECK_TIMEOUT_MS / 1000);
        return -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

/* The display checks, by the kiosk beside this program, merged into L;
 * each one it did not report fails with the reason. */
static void display_checks(readiness_list *l, const char *data)
{
    const char *disp = getenv("DISPLAY");
    if (!disp || !*disp) {
        readiness_fail_display(l, "no display (DISPLAY not set)");
        return;
    }
    char *out = NULL, *why = NULL;
    int rc = run_kiosk_check(data, &out, &why);
    int seen[8] = {0};
    char last[300] = ""; /* the last line that was not a check line (an error of the kiosk's) */
    for (char *line = out, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next) *next++ = 0;
        else next = line + strlen(line);
        readiness_item it;
        if (readiness_parse(line, &it) == 0 && is_display_check(it.name)) {
            for (int i = 0; READINESS_DISPLAY_CHECKS[i]; i++)
                if (!strcmp(it.name, READINESS_DISPLAY_CHECKS[i]) && !seen[i]) {
                    seen[i] = 1;
                    readiness_add(l, it.name, it.ok, "%s", it.detail);
                }
        } else if (*line)
            snprintf(last, sizeof last, "%s", line);
    }
    for (int i = 0; READINESS_DISPLAY_CHECKS[i]; i++) {
        if (seen[i]) continue;
        if (why) readiness_add(l, READINESS_DISPLAY_CHECKS[i], 0, "%s", why);
        else
            readiness_add(l, READINESS_DISPLAY_CHECKS[i], 0, "not reported by kiosk --check-display (exit %d)%s%s", rc,
                          last[0] ? ": " : "", last);
    }
    free(out);
    free(why);
}

static int cmd_check(void *ctx)
{
    opts *o = ctx;
    if (!o->data) return usage_error(o, "check needs --data");
    if (o->nfiles) return usage_error(o, "check takes no file arguments");
    readiness_list l = {0};
    readiness_run(&l, o->data, NULL);
    display_checks(&l, o->data);
    char *report = readiness_report(&l, 1);
    if (!report) return fail_msg("examsync", fileio_fmt("out of memory"));
    fputs(report, stdout);
    free(report);
    return readiness_failed(&l) ? 1 : 0;
}

/* ---- the command table ----------------------------------------------------------- */

/* enroll, push and watch talk to the hub: libcurl around them */
static int with_curl(int (*run)(opts *), void *ctx)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    signal(SIGPIPE, SIG_IGN);
    int rc = run(ctx);
    curl_global_cleanup();
    return rc;
}

static int run_enroll(void *ctx) { return with_curl(cmd_enroll, ctx); }
static int run_push(void *ctx) { return with_curl(cmd_push, ctx); }
static int run_watch(void *ctx) { return with_curl(cmd_watch, ctx); }
static int run_room(void *ctx) { return with_curl(cmd_room, ctx); }

static const cmd COMMANDS[] = {
    {"init", "--data DIR --pub DIR/authority.pub [--site NAME --room NAME --seat N] [--spare]",
     "provision a kiosk data directory",
     "creates the kiosk data directory: its device key (device.key, mode 0600),\n"
     "its database (kiosk.db), a copy of authority.pub, and where it stands\n"
     "(site, room, seat; defaults 考点, 01, 1). The directory is made 0700 (an\n"
     "existing one too) and every file in it 0600, whatever the umask; the\n"
     "kiosk refuses to start otherwise. --spare: a spare PC of the site, which\n"
     "takes the rosters of every room of its site (never another site's).\n"
     "Refuses a directory that is already provisioned.",
     cmd_init},
    {"add", "--data DIR FILE...", "load packs and rosters, e.g. from USB; verified first",
     "checks each pack or roster against the kiosk's authority.pub and loads\n"
     "it; anything that does not verify is refused with the reason, and so is\n"
     "a roster for another site or room (a spare: another site).",
     cmd_add},
    {"status", "--data DIR", "show the kiosk's packs, rosters, sittings and pending results",
     "shows the kiosk's place, loaded packs and rosters, sittings and the\n"
     "results waiting to be uploaded. Each pack is checked as the kiosk\n"
     "checks it (signature, the id it is stored under, the KDF floor): a pack\n"
     "the kiosk would refuse is marked REFUSED and the exit status is 1, as\n"
     "for a broken journal chain.",
     cmd_status},
    {"show", "--data DIR --release-code CODE|- [--answers]", "a pack's sittings, unsealed with its release code",
     "kiosk.db keeps tickets, names, seeds, scores and answers sealed with a\n"
     "key that only the pack's release code gives. With the code, shows the\n"
     "pack's sittings (ticket, name, state, clock, score, receipt) and, with\n"
     "--answers, every saved answer (\\n, \\t and the blank separator \\x1f\n"
     "escaped), and checks the journal entries sealed by the pack.\n"
     "--release-code - reads the code from standard input (not visible in /proc).",
     cmd_show},
    {"enroll", "--data DIR --hub URL --token TOKEN", "register this kiosk at the results hub",
     "registers this kiosk's public key at the hub with a one-time token\n"
     "from `examhub token`, and remembers the hub's receipt key.",
     run_enroll},
    {"push", "--data DIR --hub URL", "upload results; exit 0 only when every result is acknowledged",
     "uploads every pending result; a result counts as delivered only after\n"
     "the hub's signed receipt for it verifies. Safe to repeat.",
     run_push},
    {"watch", "--data DIR --hub URL [--interval S]", "daemon: push with backoff until stopped",
     "keeps pushing: retries with exponential backoff (1 s to 5 min, with\n"
     "jitter) while the hub is unreachable; stops on SIGTERM/SIGINT.",
     run_watch},
    {"room", "--data DIR --console URL [--interval S] [--once]", "daemon: the seat's link to the room console",
     "every --interval seconds (default 1; --once: one round, exit 0 when the\n"
     "console took the report) sends the room console (examroom serve) this\n"
     "seat's report, signed with its device key: what the kiosk shows (phase,\n"
     "answered, time left, alerts; the candidate as a keyed tag), and the head\n"
     "of its journal, which the console keeps. The console answers with its\n"
     "commands (unlock, pause, extend, ...), which examsync stores in kiosk.db\n"
     "for the kiosk to check and apply: examsync holds no key and can neither\n"
     "read nor forge them. A seat the console does not know says hello (its\n"
     "public key, for pairing) and shows on the seat map unconfirmed until the\n"
     "invigilator confirms it. Prints what changes; stops on SIGTERM.\n"
     "The kiosk never waits for the console: a dead console or LAN changes\n"
     "nothing at the seat.",
     run_room},
    {"export", "--data DIR --out FILE", "write pending results for a USB stick",
     "writes pending results into one bundle signed by this kiosk, for\n"
     "`examhub import` at the centre.",
     cmd_export},
    {"check", "--data DIR", "readiness of this lab PC, one line per check",
     "is this lab PC ready for the sitting? Run it the day before, as the user\n"
     "the kiosk runs as, in the kiosk's X session. One line per check, then\n"
     "a summary; exit 0 only when every check passed:\n"
     "    OK   name: what was found\n"
     "    FAIL name: why, and what to do\n"
     "    N checks, N failed\n"
     "clock (CLOCK_MONOTONIC never goes back), disk (200 MB free in DIR's\n"
     "filesystem), fsync (worst of 5 write+fsync rounds in DIR under 200 ms),\n"
     "data-dir (owned by you, 0700), data-files (owned by you, 0600;\n"
     "authority.pub may be 0644), packs and rosters (loaded, and verifying\n"
     "against DIR/authority.pub), and through `kiosk --check-display` (the\n"
     "kiosk program beside examsync): display (at least 1366x768), font\n"
     "(a CJK font), ime (fcitx5 on the session D-Bus), keyboard-grab.\n"
     "Without DISPLAY the display checks fail. The same lines: `kiosk --data\n"
     "DIR --check`, or F2 on the kiosk's start screen.",
     cmd_check},
    {0}};

static const cmdtab EXAMSYNC = {"examsync", "examsync - provision a kiosk and load its exam packs and rosters", NULL,
                                COMMANDS, OPTIONS, set_option};

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0); /* progress lines reach logs at once, also from the daemon */
    umask(077); /* before any command opens kiosk.db: SQLite creates it, -wal and -shm from the umask */
    if (sodium_init() < 0) return 1;
    const char **files = calloc((size_t)argc, sizeof *files); /* the operands: at most argc */
    if (!files) return 1;
    opts o = {.cmd = argc > 1 ? argv[1] : NULL, .files = files}; /* .interval 0: each daemon's default */
    int rc = cmdtab_main(&EXAMSYNC, argc, argv, &o);
    free((void *)files);
    return rc;
}
