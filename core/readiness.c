/* readiness: the lab-PC checks that need no display, and the one-line
 * report format they share with the kiosk's display checks. */
#include "core/readiness.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "core/authority.h"
#include "core/fileio.h"
#include "core/pack.h"
#include "core/roster.h"
#include "core/store.h"

const char *const READINESS_DISPLAY_CHECKS[] = {READINESS_DISPLAY, READINESS_FONT, READINESS_IME, READINESS_GRAB, NULL};

readiness_limits readiness_defaults(void)
{
    return (readiness_limits){.min_free_bytes = 200u * 1000 * 1000, .fsync_rounds = 5, .max_fsync_ms = 200,
                              .clock_sleep_ms = 20};
}

/* ---- the list and its lines -------------------------------------------------- */

/* cuts S (NUL-terminated) back so that it does not end inside a UTF-8 sequence */
static void cut_utf8(char *s)
{
    size_t n = strlen(s), i = n;
    while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80) i--;
    if (i == 0) return;
    unsigned char lead = (unsigned char)s[i - 1];
    size_t want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (n - (i - 1) < want) s[i - 1] = 0;
}

int readiness_add(readiness_list *l, const char *name, int ok, const char *fmt, ...)
{
    if (l->n >= READINESS_MAX || strlen(name) >= READINESS_NAME_MAX) abort(); /* a programming error */
    readiness_item *it = &l->item[l->n++];
    snprintf(it->name, sizeof it->name, "%s", name);
    it->ok = ok ? 1 : 0;
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(it->detail, sizeof it->detail, fmt, ap);
    va_end(ap);
    if (w >= (int)sizeof it->detail) cut_utf8(it->detail);
    for (char *p = it->detail; *p; p++) /* one line each, whatever a message holds */
        if (*p == '\n' || *p == '\r' || *p == '\t') *p = ' ';
    return it->ok;
}

size_t readiness_failed(const readiness_list *l)
{
    size_t f = 0;
    for (size_t i = 0; i < l->n; i++) f += !l->item[i].ok;
    return f;
}

void readiness_fail_display(readiness_list *l, const char *reason)
{
    for (int i = 0; READINESS_DISPLAY_CHECKS[i]; i++) readiness_add(l, READINESS_DISPLAY_CHECKS[i], 0, "%s", reason);
}

void readiness_format(const readiness_item *it, char *out, size_t size)
{
    snprintf(out, size, "%-4s %s: %s", it->ok ? "OK" : "FAIL", it->name, it->detail);
}

int readiness_parse(const char *line, readiness_item *out)
{
    memset(out, 0, sizeof *out);
    const char *p;
    if (!strncmp(line, "OK   ", 5)) out->ok = 1;
    else if (strncmp(line, "FAIL ", 5)) return -1;
    p = line + 5;
    size_t n = 0;
    while ((p[n] >= 'a' && p[n] <= 'z') || (p[n] >= '0' && p[n] <= '9') || p[n] == '-') n++;
    if (n == 0 || n >= sizeof out->name || p[n] != ':' || p[n + 1] != ' ') return -1;
    memcpy(out->name, p, n);
    p += n + 2;
    size_t d = strcspn(p, "\r\n");
    if (d >= sizeof out->detail) d = sizeof out->detail - 1;
    memcpy(out->detail, p, d);
    out->detail[d] = 0;
    cut_utf8(out->detail);
    return 0;
}

char *readiness_report(const readiness_list *l, int summary)
{
    size_t cap = (l->n + 1) * (READINESS_LINE_MAX + 1) + 64, used = 0;
    char *out = malloc(cap);
    if (!out) return NULL;
    out[0] = 0;
    for (size_t i = 0; i < l->n; i++) {
        readiness_format(&l->item[i], out + used, cap - used - 1);
        used += strlen(out + used);
        out[used++] = '\n';
        out[used] = 0;
    }
    if (summary) snprintf(out + used, cap - used, "%zu checks, %zu failed\n", l->n, readiness_failed(l));
    return out;
}

/* ---- helpers ------------------------------------------------------------------ */

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void fmt_bytes(uint64_t b, char *out, size_t size)
{
    if (b >= 1000ull * 1000 * 1000) snprintf(out, size, "%.1f GB", (double)b / 1e9);
    else if (b >= 10ull * 1000 * 1000) snprintf(out, size, "%.0f MB", (double)b / 1e6);
    else snprintf(out, size, "%.1f MB", (double)b / 1e6);
}

static void user_name(uid_t uid, char *out, size_t size)
{
    struct passwd *pw = getpwuid(uid);
    if (pw && pw->pw_name) snprintf(out, size, "%s", pw->pw_name);
    else snprintf(out, size, "uid %ld", (long)uid);
}

/* "read", "write" or "read and write": what group/others may do with MODE */
static const char *others_may(mode_t mode)
{
    int r = (mode & 044) != 0, w = (mode & 022) != 0;
    return r && w ? "read and write" : w ? "write" : r ? "read" : "enter";
}

/* ---- clock, disk, fsync ---------------------------------------------------------- */

int readiness_clock_series(const int64_t *ns, size_t n, char **why)
{
    if (n < 2) {
        *why = fileio_fmt("too few readings (%zu)", n);
        return -1;
    }
    for (size_t i = 1; i < n; i++)
        if (ns[i] < ns[i - 1]) {
            *why = fileio_fmt("reading %zu of %zu went backwards by %lld ns", i + 1, n, (long long)(ns[i - 1] - ns[i]));
            return -1;
        }
    if (ns[n - 1] <= ns[0]) {
        *why = fileio_fmt("did not advance over %zu readings", n);
        return -1;
    }
    return 0;
}

#define CLOCK_TIGHT_READS 1000

int readiness_check_clock(readiness_list *l, int sleep_ms)
{
    struct timespec res, ts;
    if (clock_getres(CLOCK_MONOTONIC, &res) != 0)
        return readiness_add(l, READINESS_CLOCK, 0, "CLOCK_MONOTONIC is not available: %s", strerror(errno));
    int64_t *ns = malloc((CLOCK_TIGHT_READS + 2) * sizeof *ns);
    if (!ns) return readiness_add(l, READINESS_CLOCK, 0, "out of memory");
    size_t n = 0;
    for (; n < CLOCK_TIGHT_READS; n++) { /* back to back: it must never step back */
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ns[n] = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
    }
    /* and across a sleep it must move on at the right pace */
    struct timespec nap = {sleep_ms / 1000, (long)(sleep_ms % 1000) * 1000000L};
    while (clock_nanosleep(CLOCK_MONOTONIC, 0, &nap, &nap) == EINTR) {
    }
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ns[n++] = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
    char *why = NULL;
    int ok;
    double slept = (double)(ns[n - 1] - ns[n - 2]) / 1e6;
    if (readiness_clock_series(ns, n, &why) != 0)
        ok = readiness_add(l, READINESS_CLOCK, 0, "CLOCK_MONOTONIC %s: the exam timer cannot rely on it", why);
    else if (slept + 0.5 < sleep_ms)
        ok = readiness_add(l, READINESS_CLOCK, 0, "CLOCK_MONOTONIC advanced only %.1f ms over a %d ms sleep", slept,
                           sleep_ms);
    else
        ok = readiness_add(l, READINESS_CLOCK, 1,
                           "CLOCK_MONOTONIC, resolution %ld ns, %zu readings never went backwards, %.1f ms over a %d ms sleep",
                           (long)(res.tv_sec * 1000000000L + res.tv_nsec), n, slept, sleep_ms);
    free(why);
    free(ns);
    return ok;
}

int readiness_check_disk(readiness_list *l, const char *dir, uint64_t min_free)
{
    struct statvfs vs;
    char need[32], have[32];
    fmt_bytes(min_free, need, sizeof need);
    if (statvfs(dir, &vs) != 0)
        return readiness_add(l, READINESS_DISK, 0, "cannot look at the filesystem of %s: %s", dir, strerror(errno));
    uint64_t avail = (uint64_t)vs.f_bavail * (uint64_t)(vs.f_frsize ? vs.f_frsize : vs.f_bsize);
    fmt_bytes(avail, have, sizeof have);
    if (avail < min_free)
        return readiness_add(l, READINESS_DISK, 0, "only %s free in %s, the sitting needs %s: free some space", have, dir,
                             need);
    return readiness_add(l, READINESS_DISK, 1, "%s free in %s (the sitting needs %s)", have, dir, need);
}

int readiness_check_fsync(readiness_list *l, const char *dir, int rounds, double max_ms, double *worst_ms)
{
    if (worst_ms) *worst_ms = -1;
    if (rounds < 1) rounds = 1;
    char *path = fileio_fmt("%s/.readiness-probe.XXXXXX", dir);
    if (!path) return readiness_add(l, READINESS_FSYNC, 0, "out of memory");
    int fd = mkostemp(path, O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        free(path);
        return readiness_add(l, READINESS_FSYNC, 0, "cannot write a probe file in %s: %s", dir, strerror(e));
    }
    unsigned char buf[4096];
    double worst = 0;
    int err = 0;
    for (int r = 0; r < rounds && !err; r++) { /* like an answer commit: a small write made durable */
        memset(buf, 'a' + r % 26, sizeof buf);
        double t0 = now_ms();
        if (pwrite(fd, buf, sizeof buf, 0) != (ssize_t)sizeof buf || fsync(fd) != 0) err = errno ? errno : EIO;
        double t = now_ms() - t0;
        if (t > worst) worst = t;
    }
    close(fd);
    unlink(path);
    free(path);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        (void)fsync(dfd);
        close(dfd);
    }
    if (err) return readiness_add(l, READINESS_FSYNC, 0, "write+fsync of a probe file in %s failed: %s", dir, strerror(err));
    if (worst_ms) *worst_ms = worst;
    if (worst > max_ms)
        return readiness_add(l, READINESS_FSYNC, 0,
                             "worst of %d write+fsync rounds took %.1f ms (limit %.0f ms): the disk is too slow or failing",
                             rounds, worst, max_ms);
    return readiness_add(l, READINESS_FSYNC, 1, "worst of %d write+fsync rounds %.1f ms (limit %.0f ms)", rounds, worst,
                         max_ms);
}

/* ---- ownership and modes ------------------------------------------------------- */

int readiness_check_dir(readiness_list *l, const char *dir)
{
    struct stat sb;
    char me[64], owner[64];
    if (stat(dir, &sb) != 0) return readiness_add(l, READINESS_DATA_DIR, 0, "%s: %s", dir, strerror(errno));
    if (!S_ISDIR(sb.st_mode)) return readiness_add(l, READINESS_DATA_DIR, 0, "%s is not a directory", dir);
    user_name(geteuid(), me, sizeof me);
    user_name(sb.st_uid, owner, sizeof owner);
    if (sb.st_uid != geteuid())
        return readiness_add(l, READINESS_DATA_DIR, 0, "%s is owned by %s, not by %s who runs the kiosk: chown -R %s %s", dir,
                             owner, me, me, dir);
    unsigned mode = (unsigned)(sb.st_mode & 07777);
    if (mode & 077)
        return readiness_add(l, READINESS_DATA_DIR, 0, "%s is %04o: group/others can %s it (must be 0700: chmod 700 %s)", dir,
                             mode, others_may(sb.st_mode), dir);
    return readiness_add(l, READINESS_DATA_DIR, 1, "%s owned by %s, mode %04o", dir, owner, mode);
}

#define MAX_ENTRIES 256

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* appends ", TEXT" (or TEXT first) to OUT of SIZE bytes, as far as it fits */
static void append(char *out, size_t size, const char *sep, const char *text)
{
    size_t n = strlen(out);
    if (n + 1 >= size) return;
    snprintf(out + n, size - n, "%s%s", n ? sep : "", text);
}

int readiness_check_files(readiness_list *l, const char *dir)
{
    static const char *const REQUIRED[] = {"authority.pub", "device.key", STORE_DB_NAME, NULL};
    DIR *d = opendir(dir);
    if (!d) return readiness_add(l, READINESS_DATA_FILES, 0, "cannot list %s: %s", dir, strerror(errno));
    char *names[MAX_ENTRIES];
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) && n < MAX_ENTRIES) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
        if (!(names[n] = strdup(de->d_name))) break;
        n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, by_name);
    char me[64], owner[64], bad[READINESS_DETAIL_MAX] = "", good[READINESS_DETAIL_MAX] = "", one[320];
    char fix600[READINESS_DETAIL_MAX] = "", fix644[340] = "";
    user_name(geteuid(), me, sizeof me);
    int need_chown = 0;
    for (size_t i = 0; i < n; i++) {
        char *path = fileio_fmt("%s/%s", dir, names[i]);
        struct stat sb;
        if (!path || lstat(path, &sb) != 0) {
            snprintf(one, sizeof one, "%s: %s", names[i], path ? strerror(errno) : "out of memory");
            append(bad, sizeof bad, "; ", one);
            free(path);
            continue;
        }
        free(path);
        unsigned mode = (unsigned)(sb.st_mode & 07777);
        int pub = !strcmp(names[i], "authority.pub"); /* public: others may read it, not change it */
        mode_t forbidden = pub ? 022 : 077;
        if (S_ISLNK(sb.st_mode)) {
            snprintf(one, sizeof one, "%s is a symbolic link (the data directory holds plain files only)", names[i]);
            append(bad, sizeof bad, "; ", one);
        } else if (sb.st_uid != geteuid()) {
            user_name(sb.st_uid, owner, sizeof owner);
            snprintf(one, sizeof one, "%s is owned by %s, not %s", names[i], owner, me);
            append(bad, sizeof bad, "; ", one);
            need_chown = 1;
        } else if (sb.st_mode & forbidden) {
            snprintf(one, sizeof one, "%s is %04o: group/others can %s it (must be %s)", names[i], mode,
                     others_may(sb.st_mode & forbidden), pub ? "0644 or stricter" : "0600");
            append(bad, sizeof bad, "; ", one);
            snprintf(one, sizeof one, "%s/%s", dir, names[i]);
            if (pub) snprintf(fix644, sizeof fix644, "chmod 644 %s", one);
            else append(fix600, sizeof fix600, " ", one);
        } else {
            snprintf(one, sizeof one, "%s %04o", names[i], mode);
            append(good, sizeof good, ", ", one);
        }
    }
    for (int r = 0; REQUIRED[r]; r++) {
        int found = 0;
        for (size_t i = 0; i < n && !found; i++) found = !strcmp(names[i], REQUIRED[r]);
        if (!found) {
            snprintf(one, sizeof one, "%s is missing (examsync init --data %s)", REQUIRED[r], dir);
            append(bad, sizeof bad, "; ", one);
        }
    }
    for (size_t i = 0; i < n; i++) free(names[i]);
    if (bad[0]) {
        if (fix600[0]) {
            append(bad, sizeof bad, "; fix: ", "chmod 600 ");
            append(bad, sizeof bad, "", fix600);
        }
        if (fix644[0]) append(bad, sizeof bad, fix600[0] ? " and " : "; fix: ", fix644);
        if (need_chown) {
            snprintf(one, sizeof one, "fix: chown -R %s %s", me, dir);
            append(bad, sizeof bad, "; ", one);
        }
        return readiness_add(l, READINESS_DATA_FILES, 0, "%s", bad);
    }
    return readiness_add(l, READINESS_DATA_FILES, 1, "%zu files owned by %s: %s", n, me, good);
}

/* ---- packs and rosters ---------------------------------------------------------- */

/* what check_pack / check_roster found: details of the good and the bad */
typedef struct tally {
    const uint8_t *sign_pk;
    char good[READINESS_DETAIL_MAX], bad[READINESS_DETAIL_MAX];
    int ngood, nbad;
} tally;

static int check_pack(void *ctx, const store_pack_row *p)
{
    tally *t = ctx;
    char one[512], *why = NULL;
    pack_info info;
    /* the kiosk's own check (pack_verify_as): signature, the id it is stored
     * under, the KDF floor */
    if (pack_verify_as(p->bytes, p->len, t->sign_pk, p->pack_id, pack_kdf_floor(), &info, &why) != PACK_OK) {
        snprintf(one, sizeof one, "pack %.8s «%s»: %s", p->pack_id, p->title, why ? why : "does not verify");
        append(t->bad, sizeof t->bad, "; ", one);
        t->nbad++;
    } else {
        snprintf(one, sizeof one, "%.8s «%s» (level %d %s, %d min)", p->pack_id, info.title, info.level, info.kind,
                 info.duration);
        append(t->good, sizeof t->good, ", ", one);
        t->ngood++;
    }
    free(why);
    return 0;
}

static int check_roster(void *ctx, const store_roster_row *row)
{
    tally *t = ctx;
    char one[512], *why = NULL;
    roster r;
    if (roster_read(row->bytes, row->len, t->sign_pk, &r, &why) != 0) {
        snprintf(one, sizeof one, "roster %.8s: %s", row->roster_id, why ? why : "does not verify");
        append(t->bad, sizeof t->bad, "; ", one);
        t->nbad++;
    } else {
        snprintf(one, sizeof one, "%.8s (%zu candidates)", row->roster_id, r.n);
        append(t->good, sizeof t->good, ", ", one);
        t->ngood++;
        roster_free(&r);
    }
    free(why);
    return 0;
}

int readiness_check_content(readiness_list *l, const char *dir)
{
    store *st;
    char *why = NULL;
    if (store_open(dir, 0, &st, &why) != 0) {
        readiness_add(l, READINESS_PACKS, 0, "%s", why ? why : "cannot open the kiosk database");
        readiness_add(l, READINESS_ROSTERS, 0, "%s", why ? why : "cannot open the kiosk database");
        free(why);
        return 0;
    }
    authority_pub pub;
    char *pubpath = fileio_fmt("%s/authority.pub", dir);
    int lp = pubpath ? authority_load_pub(pubpath, &pub, &why) : -1;
    free(pubpath);
    if (lp != 0) {
        readiness_add(l, READINESS_PACKS, 0, "authority.pub: %s", why ? why : "cannot be read");
        readiness_add(l, READINESS_ROSTERS, 0, "authority.pub: %s", why ? why : "cannot be read");
        free(why);
        store_close(st);
        return 0;
    }
    tally t = {pub.sign_pk, "", "", 0, 0};
    if (store_pack_each(st, STORE_WITH_BYTES, check_pack, &t) != STORE_OK) {
        snprintf(t.bad, sizeof t.bad, "cannot read the packs: %s", store_strerror(st));
        t.nbad++;
    }
    char *good = t.good, *bad = t.bad;
    int ngood = t.ngood, nbad = t.nbad;
    int ok = 1;
    if (nbad)
        ok &= readiness_add(l, READINESS_PACKS, 0, "%d of %d packs do not verify against authority.pub: %s (the stored copy is damaged: provision a fresh data directory with examsync init and add good copies)",
                            nbad, nbad + ngood, bad);
    else if (!ngood)
        ok &= readiness_add(l, READINESS_PACKS, 0, "no packs loaded (examsync add --data %s FILE.pack)", dir);
    else
        ok &= readiness_add(l, READINESS_PACKS, 1, "%d pack%s against authority.pub: %s", ngood,
                            ngood == 1 ? " verifies" : "s verify", good);

    good[0] = bad[0] = 0;
    t.ngood = t.nbad = 0;
    if (store_roster_each(st, STORE_WITH_BYTES, check_roster, &t) != STORE_OK) {
        snprintf(t.bad, sizeof t.bad, "cannot read the rosters: %s", store_strerror(st));
        t.nbad++;
    }
    ngood = t.ngood;
    nbad = t.nbad;
    if (nbad)
        ok &= readiness_add(l, READINESS_ROSTERS, 0, "%d of %d rosters do not verify against authority.pub: %s", nbad,
                            nbad + ngood, bad);
    else if (!ngood)
        ok &= readiness_add(l, READINESS_ROSTERS, 0, "no rosters loaded (examsync add --data %s FILE.roster)", dir);
    else
        ok &= readiness_add(l, READINESS_ROSTERS, 1, "%d roster%s against authority.pub: %s", ngood,
                            ngood == 1 ? " verifies" : "s verify", good);
    store_close(st);
    return ok;
}

size_t readiness_run(readiness_list *l, const char *dir, const readiness_limits *lim)
{
    readiness_limits d = readiness_defaults();
    if (!lim) lim = &d;
    size_t before = readiness_failed(l);
    readiness_check_clock(l, lim->clock_sleep_ms);
    readiness_check_disk(l, dir, lim->min_free_bytes);
    readiness_check_fsync(l, dir, lim->fsync_rounds, lim->max_fsync_ms, NULL);
    readiness_check_dir(l, dir);
    readiness_check_files(l, dir);
    readiness_check_content(l, dir);
    return readiness_failed(l) - before;
}
