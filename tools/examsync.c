/* examsync: the site-side companion of the kiosk. Provisions the kiosk data
 * directory, imports packs and rosters (verified first), shows status.
 * (Uploading results and USB export come with the results hub.) */
#include <errno.h>
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "../core/authority.h"
#include "../core/fileio.h"
#include "../core/journal.h"
#include "../core/pack.h"
#include "../core/result.h"
#include "../core/roster.h"
#include "../core/store.h"

static const char USAGE[] =
    "usage:\n"
    "  examsync init    --data DIR --pub DIR/authority.pub [--site NAME --room NAME --seat N]\n"
    "  examsync add     --data DIR FILE...        packs and rosters, e.g. from USB; verified first\n"
    "  examsync status  --data DIR\n";

static const char HELP[] =
    "examsync - provision a kiosk and load its exam packs and rosters\n\n%s\n"
    "init     creates the kiosk data directory: its device key (device.key, mode 0600),\n"
    "         its database (kiosk.db), a copy of authority.pub, and where it stands\n"
    "         (site, room, seat). Refuses a directory that is already provisioned.\n"
    "add      checks each pack or roster against the kiosk's authority.pub and loads\n"
    "         it; anything that does not verify is refused with the reason.\n"
    "status   shows the kiosk's place, loaded packs and rosters, sittings and the\n"
    "         results waiting to be uploaded.\n";

static int usage_error(const char *msg)
{
    fprintf(stderr, "examsync: %s\n%s", msg, USAGE);
    return 2;
}

static int fail_msg(const char *what, char *why)
{
    fprintf(stderr, "%s: %s\n", what, why ? why : "error");
    free(why);
    return 1;
}

typedef struct opts {
    const char *data, *pub, *site, *room;
    int seat, help;
    char **files;
    int nfiles;
} opts;

static int parse(int argc, char **argv, opts *o)
{
    static const struct option L[] = {{"data", required_argument, 0, 'd'}, {"pub", required_argument, 0, 'p'},
                                      {"site", required_argument, 0, 's'}, {"room", required_argument, 0, 'r'},
                                      {"seat", required_argument, 0, 'n'}, {"help", no_argument, 0, 'h'},
                                      {0, 0, 0, 0}};
    memset(o, 0, sizeof *o);
    opterr = 0;
    optind = 2;
    int c;
    while ((c = getopt_long(argc, argv, "h", L, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'd': o->data = optarg; break;
        case 'p': o->pub = optarg; break;
        case 's': o->site = optarg; break;
        case 'r': o->room = optarg; break;
        case 'n':
            o->seat = (int)strtol(optarg, &end, 10);
            if (*end || o->seat < 1 || o->seat > 999) return usage_error("--seat must be 1-999");
            break;
        case 'h': o->help = 1; break;
        default: {
            char m[160];
            snprintf(m, sizeof m, "unknown or incomplete option '%s'", argv[optind - 1]);
            return usage_error(m);
        }
        }
    }
    o->files = argv + optind;
    o->nfiles = argc - optind;
    return 0;
}

static int cmd_init(opts *o)
{
    if (!o->data || !o->pub) return usage_error("init needs --data and --pub");
    if (o->nfiles) return usage_error("init takes no file arguments");
    authority_pub pub;
    char *why = NULL;
    if (authority_load_pub(o->pub, &pub, &why)) return fail_msg(o->pub, why);
    if (mkdir(o->data, 0700) != 0 && errno != EEXIST) return fail_msg(o->data, fileio_fmt("cannot create: %s", strerror(errno)));
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
    int w = fileio_write_atomic(pubpath, pubtxt, publen, 0644, 0, &why);
    free(pubtxt);
    if (w) { rc = fail_msg(pubpath, why); goto out; }
    uint8_t pk[crypto_sign_PUBLICKEYBYTES];
    if (authority_device_keygen(keypath, pk, &why)) { rc = fail_msg(keypath, why); goto out; }
    store st;
    if (store_open(o->data, 1, &st, &why)) { rc = fail_msg(o->data, why); goto out; }
    char kid[17], pkhex[65], seat[16];
    result_kiosk_id(pk, kid);
    sodium_bin2hex(pkhex, sizeof pkhex, pk, sizeof pk);
    snprintf(seat, sizeof seat, "%d", o->seat ? o->seat : 1);
    if (store_begin(&st) || store_meta_set(&st, "kiosk_id", kid) || store_meta_set(&st, "device_pk", pkhex) ||
        store_meta_set(&st, "site", o->site ? o->site : "考点") || store_meta_set(&st, "room", o->room ? o->room : "01") ||
        store_meta_set(&st, "seat", seat) || store_commit(&st)) {
        rc = fail_msg(dbpath, fileio_fmt("cannot write: %s", store_strerror(&st)));
        store_close(&st);
        goto out;
    }
    store_close(&st);
    printf("kiosk %s provisioned in %s (site %s, room %s, seat %s)\n", kid, o->data, o->site ? o->site : "考点",
           o->room ? o->room : "01", seat);
    rc = 0;
out:
    free(keypath);
    free(dbpath);
    free(pubpath);
    return rc;
}

static int add_one(store *st, const authority_pub *pub, const char *path)
{
    unsigned char *buf;
    size_t len;
    char *why = NULL;
    if (fileio_read(path, 1u << 30, &buf, &len, &why)) return fail_msg(path, why);
    int rc = 1;
    sqlite3_stmt *s = NULL;
    if (len >= 8 && !memcmp(buf, ROSTER_MAGIC, 8)) {
        roster r;
        if (roster_read(buf, len, pub->sign_pk, &r, &why)) { rc = fail_msg(path, why); goto out; }
        char id[33];
        sodium_bin2hex(id, sizeof id, r.roster_id, 16);
        size_t n = r.n;
        roster_free(&r);
        if (sqlite3_prepare_v2(st->db, "INSERT OR IGNORE INTO roster VALUES(?,?,?,?)", -1, &s, NULL) ||
            (sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC), sqlite3_bind_int64(s, 2, (sqlite3_int64)n),
             sqlite3_bind_blob64(s, 3, buf, len, SQLITE_STATIC), sqlite3_bind_int64(s, 4, time(NULL)),
             sqlite3_step(s) != SQLITE_DONE)) {
            rc = fail_msg(path, fileio_fmt("cannot store: %s", store_strerror(st)));
            goto out;
        }
        printf("%s: roster %s, %zu candidates %s\n", path, id, n, sqlite3_changes(st->db) ? "added" : "already loaded");
    } else {
        pack_info info;
        if (pack_verify(buf, len, pub->sign_pk, &info, &why) != PACK_OK) { rc = fail_msg(path, why); goto out; }
        if (sqlite3_prepare_v2(st->db, "INSERT OR IGNORE INTO pack VALUES(?,?,?,?,?,?,?,?)", -1, &s, NULL) ||
            (sqlite3_bind_text(s, 1, info.pack_id_hex, -1, SQLITE_STATIC),
             sqlite3_bind_text(s, 2, info.title, -1, SQLITE_STATIC), sqlite3_bind_int(s, 3, info.level),
             sqlite3_bind_text(s, 4, info.kind, -1, SQLITE_STATIC), sqlite3_bind_int(s, 5, info.duration),
             sqlite3_bind_int(s, 6, info.questions), sqlite3_bind_blob64(s, 7, buf, len, SQLITE_STATIC),
             sqlite3_bind_int64(s, 8, time(NULL)), sqlite3_step(s) != SQLITE_DONE)) {
            rc = fail_msg(path, fileio_fmt("cannot store: %s", store_strerror(st)));
            goto out;
        }
        printf("%s: pack %s «%s» %s\n", path, info.pack_id_hex, info.title,
               sqlite3_changes(st->db) ? "added" : "already loaded");
    }
    rc = 0;
out:
    sqlite3_finalize(s);
    free(buf);
    return rc;
}

static int cmd_add(opts *o)
{
    if (!o->data || o->nfiles == 0) return usage_error("add needs --data and at least one FILE");
    authority_pub pub;
    char *why = NULL, *pubpath = fileio_fmt("%s/authority.pub", o->data);
    int lp = authority_load_pub(pubpath, &pub, &why);
    free(pubpath);
    if (lp) return fail_msg(o->data, why);
    store st;
    if (store_open(o->data, 0, &st, &why)) return fail_msg(o->data, why);
    int bad = 0;
    for (int i = 0; i < o->nfiles; i++) bad |= add_one(&st, &pub, o->files[i]);
    store_close(&st);
    return bad;
}

static int cmd_status(opts *o)
{
    if (!o->data) return usage_error("status needs --data");
    store st;
    char *why = NULL;
    if (store_open(o->data, 0, &st, &why)) return fail_msg(o->data, why);
    char *kid = store_meta_get(&st, "kiosk_id"), *site = store_meta_get(&st, "site"), *room = store_meta_get(&st, "room"),
         *seat = store_meta_get(&st, "seat");
    printf("kiosk %s at %s, room %s, seat %s\n", kid ? kid : "?", site ? site : "?", room ? room : "?", seat ? seat : "?");
    free(kid); free(site); free(room); free(seat);
    sqlite3_stmt *s;
    int n = 0;
    printf("packs:\n");
    if (sqlite3_prepare_v2(st.db, "SELECT pack_id, title, level, kind, duration, questions FROM pack ORDER BY added", -1,
                           &s, NULL) == SQLITE_OK) {
        while (sqlite3_step(s) == SQLITE_ROW) {
            printf("  %s  %s  level %d %s, %d minutes, %d questions\n", sqlite3_column_text(s, 0),
                   sqlite3_column_text(s, 1), sqlite3_column_int(s, 2), sqlite3_column_text(s, 3),
                   sqlite3_column_int(s, 4), sqlite3_column_int(s, 5));
            n++;
        }
        sqlite3_finalize(s);
    }
    if (!n) printf("  (none: examsync add --data DIR FILE.pack)\n");
    n = 0;
    printf("rosters:\n");
    if (sqlite3_prepare_v2(st.db, "SELECT roster_id, candidates FROM roster ORDER BY added", -1, &s, NULL) == SQLITE_OK) {
        while (sqlite3_step(s) == SQLITE_ROW) {
            printf("  %s  %d candidates\n", sqlite3_column_text(s, 0), sqlite3_column_int(s, 1));
            n++;
        }
        sqlite3_finalize(s);
    }
    if (!n) printf("  (none)\n");
    printf("sittings:\n");
    n = 0;
    if (sqlite3_prepare_v2(st.db, "SELECT ticket, name, state, score, receipt FROM session ORDER BY rowid", -1, &s, NULL) ==
        SQLITE_OK) {
        while (sqlite3_step(s) == SQLITE_ROW) {
            printf("  %s  %s  %s", sqlite3_column_text(s, 0), sqlite3_column_text(s, 1), sqlite3_column_text(s, 2));
            if (sqlite3_column_type(s, 4) != SQLITE_NULL) printf("  receipt %s", sqlite3_column_text(s, 4));
            printf("\n");
            n++;
        }
        sqlite3_finalize(s);
    }
    if (!n) printf("  (none)\n");
    int pending = 0, delivered = 0;
    if (sqlite3_prepare_v2(st.db, "SELECT count(*) FILTER (WHERE delivered IS NULL), count(*) FILTER (WHERE delivered IS NOT NULL) FROM outbox",
                           -1, &s, NULL) == SQLITE_OK) {
        if (sqlite3_step(s) == SQLITE_ROW) {
            pending = sqlite3_column_int(s, 0);
            delivered = sqlite3_column_int(s, 1);
        }
        sqlite3_finalize(s);
    }
    printf("results: %d pending upload, %d delivered\n", pending, delivered);
    uint8_t head[JOURNAL_HASH_BYTES];
    int64_t count = 0;
    char *jwhy = NULL;
    if (journal_head(st.db, head, &count) == SQLITE_OK && journal_verify(st.db, head, &jwhy) == 0)
        printf("journal: %lld entries, hash chain verified\n", (long long)count);
    else {
        printf("journal: CHAIN BROKEN: %s\n", jwhy ? jwhy : "unreadable");
        free(jwhy);
        store_close(&st);
        return 1;
    }
    store_close(&st);
    return 0;
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0) return 1;
    if (argc < 2) return usage_error("no command given");
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        printf(HELP, USAGE);
        return 0;
    }
    opts o;
    int r = parse(argc, argv, &o);
    if (r) return r;
    if (o.help) {
        printf(HELP, USAGE);
        return 0;
    }
    if (!strcmp(argv[1], "init")) return cmd_init(&o);
    if (!strcmp(argv[1], "add")) return cmd_add(&o);
    if (!strcmp(argv[1], "status")) return cmd_status(&o);
    char m[128];
    snprintf(m, sizeof m, "unknown command '%s'", argv[1]);
    return usage_error(m);
}
