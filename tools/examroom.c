/* examroom: the exam room's console (issue 12), run on the invigilators'
 * PC: its own data directory (room.db, console key, the room's packs and
 * rosters), the seat API the lab PCs' examsync talks to (hello, reports,
 * the commands back), the web page in the invigilators' browser (log-in,
 * seat map, unlock, room-wide actions), and the signed room record
 * (examroom report, verify-record). README "Room console (examroom)". */
#include <errno.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/authority.h"
#include "core/fileio.h"
#include "core/pack.h"
#include "core/roster.h"
#include "tools/cmdtab.h"
#include "tools/room/console.h"
#include "tools/room/record.h"
#include "tools/room/roomstore.h"

static const cmdtab EXAMROOM;

typedef struct opts {
    const char *cmd;
    const char *data, *pub, *site, *room, *listen, *password, *out;
    const char *files[64];
    int nfiles;
} opts;

enum { OPT_DATA = 256, OPT_PUB, OPT_SITE, OPT_ROOM, OPT_LISTEN, OPT_PASSWORD, OPT_OUT };

static const struct option OPTIONS[] = {
    {"data", required_argument, 0, OPT_DATA},     {"pub", required_argument, 0, OPT_PUB},
    {"site", required_argument, 0, OPT_SITE},     {"room", required_argument, 0, OPT_ROOM},
    {"listen", required_argument, 0, OPT_LISTEN}, {"password", required_argument, 0, OPT_PASSWORD},
    {"out", required_argument, 0, OPT_OUT},       {0, 0, 0, 0}};

static int has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f) return 1;
    return 0;
}

static int set_option(void *ctx, int id, const char *arg, const char **why)
{
    opts *o = ctx;
    switch (id) {
    case OPT_DATA: o->data = arg; break;
    case OPT_PUB: o->pub = arg; break;
    case OPT_SITE:
        if (!*arg || strlen(arg) > 127 || has_control(arg)) return *why = "--site must be 1-127 bytes of text", 1;
        o->site = arg;
        break;
    case OPT_ROOM:
        if (!*arg || strlen(arg) > 32 || has_control(arg)) return *why = "--room must be 1-32 bytes of text", 1;
        o->room = arg;
        break;
    case OPT_LISTEN: o->listen = arg; break;
    case OPT_PASSWORD: o->password = arg; break;
    case OPT_OUT: o->out = arg; break;
    case CMDTAB_OPERAND:
        if (o->nfiles >= (int)(sizeof o->files / sizeof *o->files)) return *why = "at most 64 files at once", 1;
        o->files[o->nfiles++] = arg;
        break;
    default: return *why = "unexpected argument", 1;
    }
    return 0;
}

static int fail(const char *what, char *why)
{
    fprintf(stderr, "examroom: %s: %s\n", what, why ? why : "error");
    free(why);
    return 1;
}

/* console.key: "exam-room-console-key v1\nsign <base64 of the 64-byte secret key>\n" (0600);
 * console.pub: "exam-room-console-pub v1\nsign <base64 of the 32-byte public key>\n" */
static int console_keygen(const char *dir, char **why)
{
    uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    crypto_sign_keypair(pk, sk);
    char b64[sodium_base64_ENCODED_LEN(crypto_sign_SECRETKEYBYTES, sodium_base64_VARIANT_ORIGINAL)];
    char text[256];
    sodium_bin2base64(b64, sizeof b64, sk, sizeof sk, sodium_base64_VARIANT_ORIGINAL);
    int n = snprintf(text, sizeof text, "exam-room-console-key v1\nsign %s\n", b64);
    char *path = fileio_fmt("%s/console.key", dir);
    int rc = fileio_write_atomic(path, text, (size_t)n, 0600, 1, why);
    sodium_memzero(sk, sizeof sk);
    sodium_memzero(b64, sizeof b64);
    sodium_memzero(text, sizeof text);
    free(path);
    if (rc) return -1;
    sodium_bin2base64(b64, sizeof b64, pk, sizeof pk, sodium_base64_VARIANT_ORIGINAL);
    n = snprintf(text, sizeof text, "exam-room-console-pub v1\nsign %s\n", b64);
    path = fileio_fmt("%s/console.pub", dir);
    rc = fileio_write_atomic(path, text, (size_t)n, 0644, 1, why);
    free(path);
    return rc;
}

static int cmd_init(void *ctx)
{
    opts *o = ctx;
    if (!o->data || !o->pub || !o->site || !o->room)
        return cmdtab_misuse(&EXAMROOM, o->cmd, "init needs --data DIR --pub authority.pub --site NAME --room NAME");
    char *why = NULL;
    authority_pub pub;
    if (authority_load_pub(o->pub, &pub, &why)) return fail(o->pub, why);
    if (mkdir(o->data, 0700) != 0) {
        if (errno == EEXIST) return fail(o->data, fileio_fmt("already exists; refusing to overwrite a room console"));
        return fail(o->data, fileio_fmt("cannot create: %s", strerror(errno)));
    }
    if (chmod(o->data, 0700)) return fail(o->data, fileio_fmt("cannot make it mode 0700: %s", strerror(errno)));
    /* the invigilator password first: nothing is written until it is known */
    char pw[256], pw2[256];
    const char *swhy = NULL;
    int rc = 1;
    char hash[crypto_pwhash_STRBYTES];
    if (cmdtab_secret(o->password ? o->password : "-", "invigilator password", pw, sizeof pw, &swhy)) {
        fprintf(stderr, "examroom: password: %s\n", swhy);
        goto out_rmdir;
    }
    if (strlen(pw) < 8) {
        fprintf(stderr, "examroom: password: at least 8 characters\n");
        goto out_rmdir;
    }
    if (!o->password && isatty(0)) {
        if (cmdtab_secret("-", "invigilator password again", pw2, sizeof pw2, &swhy) || strcmp(pw, pw2)) {
            fprintf(stderr, "examroom: password: %s\n", swhy ? swhy : "the two passwords differ");
            goto out_rmdir;
        }
    }
    if (crypto_pwhash_str(hash, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE)) {
        fprintf(stderr, "examroom: password: out of memory for Argon2id\n");
        goto out_rmdir;
    }
    char *pubpath = fileio_fmt("%s/authority.pub", o->data);
    unsigned char *pubtxt = NULL;
    size_t publen = 0;
    int w = fileio_read(o->pub, 4096, &pubtxt, &publen, &why) ||
            fileio_write_atomic(pubpath, pubtxt, publen, 0600, 1, &why);
    free(pubtxt);
    free(pubpath);
    if (w) { fail(o->pub, why); goto out_rmdir; }
    if (console_keygen(o->data, &why)) { fail("console.key", why); goto out_rmdir; }
    roomstore *rs;
    if (roomstore_open(o->data, 1, &rs, &why)) { fail(o->data, why); goto out_rmdir; }
    if (roomstore_config_set(rs, "site", o->site) || roomstore_config_set(rs, "room", o->room) ||
        roomstore_config_set(rs, "password", hash) ||
        roomstore_log(rs, (int64_t)time(NULL), "examroom init", "init", "room console created")) {
        fprintf(stderr, "examroom: %s/room.db: cannot write: %s\n", o->data, roomstore_error(rs));
        roomstore_close(rs);
        goto out_rmdir;
    }
    roomstore_close(rs);
    printf("room console for site %s room %s created in %s\n", o->site, o->room, o->data);
    rc = 0;
    goto out;
out_rmdir: { /* nothing half-written: remove what this init created */
    static const char *const FILES[] = {"room.db", "room.db-wal", "room.db-shm", "console.key", "console.pub",
                                        "authority.pub"};
    for (size_t i = 0; i < sizeof FILES / sizeof *FILES; i++) {
        char *f = fileio_fmt("%s/%s", o->data, FILES[i]);
        if (f) unlink(f);
        free(f);
    }
    rmdir(o->data);
}
out:
    sodium_memzero(pw, sizeof pw);
    sodium_memzero(pw2, sizeof pw2);
    sodium_memzero(hash, sizeof hash);
    return rc;
}

/* a room console directory: 0700, room.db of this version; *rs open */
static int open_console(const char *dir, roomstore **rs)
{
    char *why = NULL;
    struct stat sb;
    if (stat(dir, &sb) || !S_ISDIR(sb.st_mode)) return fail(dir, fileio_fmt("not a room console directory"));
    if (sb.st_mode & 077) return fail(dir, fileio_fmt("open to other users (mode %04o): chmod 700 it", (unsigned)(sb.st_mode & 07777)));
    if (roomstore_open(dir, 0, rs, &why)) return fail(dir, why);
    return 0;
}

/* one pack or roster: verified against the console's authority.pub as a
 * kiosk's examsync add does (a pack: signature and the kiosks' KDF floor;
 * a roster: signature, KDF floor, and this console's site and room) */
static int add_one(roomstore *rs, const authority_pub *pub, const char *site, const char *room, const char *path)
{
    unsigned char *buf;
    size_t len;
    char *why = NULL;
    if (fileio_read(path, 1u << 30, &buf, &len, &why)) return fail(path, why);
    int rc = 1, dup;
    if (len >= 8 && !memcmp(buf, ROSTER_MAGIC, 8)) {
        roster r;
        if (roster_read(buf, len, pub->sign_pk, &r, &why)) {
            rc = fail(path, why);
            goto out;
        }
        char id[33];
        sodium_bin2hex(id, sizeof id, r.roster_id, 16);
        size_t n = r.n;
        int here = !strcmp(r.site, site) && !strcmp(r.room, room);
        if (!here) why = fileio_fmt("roster is for site %s room %s; this console is site %s room %s", r.site, r.room, site, room);
        roster_free(&r);
        if (!here) {
            rc = fail(path, why);
            goto out;
        }
        dup = roomstore_roster_add(rs, id, (int)n, buf, len, (int64_t)time(NULL));
        if (dup < 0) {
            rc = fail(path, fileio_fmt("cannot store: %s", roomstore_error(rs)));
            goto out;
        }
        char line[160];
        snprintf(line, sizeof line, "roster %s, %zu candidates", id, n);
        if (!dup) (void)roomstore_log(rs, (int64_t)time(NULL), "examroom add", "add", line);
        printf("%s: roster %s, %zu candidates %s\n", path, id, n, dup ? "already loaded" : "added");
    } else {
        pack_info info;
        if (pack_verify_as(buf, len, pub->sign_pk, NULL, pack_kdf_floor(), &info, &why) != PACK_OK) {
            rc = fail(path, why);
            goto out;
        }
        dup = roomstore_pack_add(rs, info.pack_id_hex, info.title, info.level, buf, len, (int64_t)time(NULL));
        if (dup < 0) {
            rc = fail(path, fileio_fmt("cannot store: %s", roomstore_error(rs)));
            goto out;
        }
        char line[400];
        snprintf(line, sizeof line, "pack %s «%s» level %d", info.pack_id_hex, info.title, info.level);
        if (!dup) (void)roomstore_log(rs, (int64_t)time(NULL), "examroom add", "add", line);
        printf("%s: pack %s «%s» %s\n", path, info.pack_id_hex, info.title, dup ? "already loaded" : "added");
    }
    rc = 0;
out:
    free(buf);
    return rc;
}

static int cmd_add(void *ctx)
{
    opts *o = ctx;
    if (!o->data || !o->nfiles) return cmdtab_misuse(&EXAMROOM, o->cmd, "add needs --data DIR and at least one FILE");
    roomstore *rs;
    if (open_console(o->data, &rs)) return 1;
    char *why = NULL, *pubpath = fileio_fmt("%s/authority.pub", o->data);
    authority_pub pub;
    int lp = authority_load_pub(pubpath, &pub, &why);
    free(pubpath);
    char *site = roomstore_config_get(rs, "site"), *room = roomstore_config_get(rs, "room");
    int bad = 0;
    if (lp) bad = fail(o->data, why);
    else if (!site || !room) bad = fail(o->data, fileio_fmt("room.db has no site or room (examroom init)"));
    for (int i = 0; !bad && i < o->nfiles; i++) bad |= add_one(rs, &pub, site, room, o->files[i]);
    free(site);
    free(room);
    roomstore_close(rs);
    return bad;
}

static int cmd_report(void *ctx)
{
    opts *o = ctx;
    if (!o->data || !o->out) return cmdtab_misuse(&EXAMROOM, o->cmd, "report needs --data DIR --out FILE");
    roomstore *rs;
    if (open_console(o->data, &rs)) return 1;
    char *rec = NULL, *why = NULL;
    size_t len = 0;
    int rc = record_make(rs, o->data, (int64_t)time(NULL), &rec, &len, &why);
    roomstore_close(rs);
    if (rc) return fail("report", why);
    rc = fileio_write_atomic(o->out, rec, len, 0600, 0, &why);
    free(rec);
    if (rc) return fail(o->out, why);
    printf("room record written to %s (%zu bytes, signed by console.key)\n", o->out, len);
    return 0;
}

/* examroom seats: one line per seat from room.db (the console may be
 * serving meanwhile): its state and what its latest verified report said.
 * The invigilators' fallback when no browser is at hand, and what the tests
 * read instead of decoding reports themselves. */
typedef struct seats_ctx {
    room_seat *seats;
    int n;
    int64_t now_ms;
} seats_ctx;

static void seats_status(void *ctx, const room_status *st)
{
    seats_ctx *c = ctx;
    roomproto_report r;
    const char *why = NULL;
    if (roomproto_report_peek(st->report, st->len, &r, &why) != ROOMPROTO_OK) return; /* verified when stored */
    for (int i = 0; i < c->n; i++) {
        if (strcmp(c->seats[i].kiosk_id, st->kiosk_id)) continue;
        printf("seat=%d kiosk=%s state=%s phase=%u answered=%u total=%u time_left_ms=%u flags=0x%03x "
               "journal_count=%llu last_command=%llu report_age_ms=%lld%s%s\n",
               c->seats[i].seat, st->kiosk_id, c->seats[i].state, r.phase, r.answered, r.total, r.time_left_ms,
               r.flags, (unsigned long long)r.journal_count, (unsigned long long)r.last_command,
               (long long)(c->now_ms - st->at_ms), *st->diverged ? " diverged=" : "", st->diverged);
        c->seats[i].state[0] = 0; /* printed */
    }
}

static int cmd_seats(void *ctx)
{
    opts *o = ctx;
    if (!o->data) return cmdtab_misuse(&EXAMROOM, o->cmd, "seats needs --data DIR");
    roomstore *rs;
    if (open_console(o->data, &rs)) return 1;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    seats_ctx c = {.now_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000};
    c.n = roomstore_seats(rs, &c.seats);
    int rc = c.n < 0 || roomstore_statuses(rs, seats_status, &c) < 0;
    for (int i = 0; !rc && i < c.n; i++) /* seats that never reported */
        if (c.seats[i].state[0]) printf("seat=%d kiosk=%s state=%s phase=none\n", c.seats[i].seat, c.seats[i].kiosk_id,
                                        c.seats[i].state);
    if (rc) fprintf(stderr, "examroom: seats: %s\n", roomstore_error(rs));
    free(c.seats);
    roomstore_close(rs);
    return rc;
}

static int cmd_verify(void *ctx)
{
    opts *o = ctx;
    if (!o->pub || o->nfiles != 1) return cmdtab_misuse(&EXAMROOM, o->cmd, "verify-record needs --pub console.pub FILE");
    uint8_t pk[crypto_sign_PUBLICKEYBYTES];
    char *why = NULL, *summary = NULL;
    if (record_load_pub(o->pub, pk, &why)) return fail(o->pub, why);
    unsigned char *buf;
    size_t len;
    if (fileio_read(o->files[0], RECORD_MAX, &buf, &len, &why)) return fail(o->files[0], why);
    int rc = record_verify(buf, len, pk, &summary, &why);
    free(buf);
    if (rc) return fail(o->files[0], why);
    printf("%s\n", summary);
    free(summary);
    return 0;
}

static int cmd_serve(void *ctx)
{
    opts *o = ctx;
    if (!o->data || !o->listen) return cmdtab_misuse(&EXAMROOM, o->cmd, "serve needs --data DIR --listen HOST:PORT");
    char *why = NULL;
    roomstore *rs;
    if (open_console(o->data, &rs)) return 1;
    char *site = roomstore_config_get(rs, "site"), *room = roomstore_config_get(rs, "room"),
         *pw = roomstore_config_get(rs, "password");
    int rc = 1;
    if (!site || !room || !pw) {
        fprintf(stderr, "examroom: %s/room.db: no site, room or password (examroom init)\n", o->data);
        goto out;
    }
    volatile sig_atomic_t *stop = cmdtab_stop_on_signals();
    signal(SIGPIPE, SIG_IGN);
    console_cfg cfg = {rs, o->data, site, room, pw, o->listen};
    roomstore_log(rs, (int64_t)time(NULL), "examroom serve", "start", o->listen);
    fprintf(stderr, "examroom: console of site %s room %s on http://%s\n", site, room, o->listen);
    if (console_run(&cfg, stop, &why)) {
        fail("serve", why);
        goto out;
    }
    roomstore_log(rs, (int64_t)time(NULL), "examroom serve", "stop", o->listen);
    fprintf(stderr, "examroom: stopped\n");
    rc = 0;
out:
    free(site);
    free(room);
    if (pw) sodium_memzero(pw, strlen(pw));
    free(pw);
    roomstore_close(rs);
    return rc;
}

static const cmd COMMANDS[] = {
    {"init", "--data DIR --pub authority.pub --site NAME --room NAME [--password -]",
     "create the room console's data directory",
     "creates DIR (0700) with room.db (0600), the console's signing key\n"
     "(console.key 0600, console.pub) and a copy of authority.pub, and asks for\n"
     "the invigilators' password (at least 8 characters; typed twice at a\n"
     "terminal, else one line on stdin), kept as an Argon2id verifier.\n"
     "--password - reads it from stdin (the default); a value on the command\n"
     "line is accepted for tests but shows in the process list until parsed.",
     cmd_init},
    {"add", "--data DIR FILE...", "add the room's packs and rosters",
     "each FILE is a pack (.pack) or a roster (.roster), verified against\n"
     "DIR/authority.pub as a kiosk's `examsync add` verifies it: a pack's\n"
     "signature and KDF cost (the kiosks' floor), a roster's signature and\n"
     "that it is for this console's site and room. Journaled. A running\n"
     "console reads the rosters again at each log-in.",
     cmd_add},
    {"serve", "--data DIR --listen HOST:PORT", "serve the console page and the seat API",
     "the invigilators open http://HOST:PORT/ in a browser, log in with the\n"
     "password, confirm the seats, type the release code once (unlocks every\n"
     "confirmed seat), watch the seat map and act on the room (pause/resume\n"
     "all, extend, close entry, hand in, lock, authorise a resume). Lab PCs'\n"
     "`examsync room` say hello at POST /v1/seat/hello and report at\n"
     "POST /v1/seat/report (FORMAT.md §15, §16). The content key is kept in\n"
     "memory only (in room.db wrapped under the invigilator password): after\n"
     "a restart, log in again before making new commands. Stops on SIGTERM\n"
     "or SIGINT.",
     cmd_serve},
    {"report", "--data DIR --out FILE", "write the signed room record (考场记录)",
     "attendance, absences, every seat's mirrored journal heads, and the\n"
     "console journal (unlock, pauses, extensions, hand-ins, alerts), signed\n"
     "with console.key (FORMAT.md §16.8, §17). FILE is written atomically, 0600.",
     cmd_report},
    {"seats", "--data DIR", "print every seat and its latest report",
     "one line per seat: seat number, kiosk id, state (unconfirmed,\n"
     "confirmed, duplicate), and from its latest verified report the phase\n"
     "(FORMAT.md §16.1), answered/total, time left, flags, journal count, the\n"
     "last command it accepted and how long ago the console heard from it.\n"
     "Works while the console serves (the fallback without a browser).",
     cmd_seats},
    {"verify-record", "--pub console.pub FILE", "check a room record's signature",
     "checks FILE's layout and its Ed25519 signature by the console key in\n"
     "console.pub; prints a one-line summary. Exit 1 when it does not verify.",
     cmd_verify},
    {0}};

static const cmdtab EXAMROOM = {"examroom", "examroom - the exam room's console",
                                "README: Room console (examroom).\n", COMMANDS, OPTIONS, set_option};

int main(int argc, char **argv)
{
    umask(077);
    if (sodium_init() < 0) {
        fprintf(stderr, "examroom: cannot initialise libsodium\n");
        return 1;
    }
    opts o = {.cmd = argc > 1 ? argv[1] : ""};
    return cmdtab_main(&EXAMROOM, argc, argv, &o);
}
