/* bench_store: the answer-commit figure (README "Measured performance").
 *   bench_store [DIR] [N]
 * In a fresh temporary directory under DIR (default $TMPDIR or /tmp) opens a
 * kiosk store (store_open create=1: WAL, synchronous=FULL) and times N
 * (default 2000) store_save_answer calls: the real durable answer commit,
 * answer row (sealed) and keyed journal entry in one transaction, as the
 * kiosk does with a pack unlocked. In the same
 * run, on a separate database file in the same directory with
 * journal_mode=WAL and synchronous=FULL, it times N bare autocommit upserts
 * `INSERT OR REPLACE INTO t VALUES(?,?)`. The two are interleaved call by
 * call (alternating which goes first) so that neither side always meets a
 * warmer disk or a checkpoint. Prints p50/p99/max of both and the p99 ratio. */
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/fileio.h"
#include "core/store.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* nearest-rank percentile of a sorted array */
static double pct(const double *v, int n, int p)
{
    int k = (n * p + 99) / 100;
    if (k < 1) k = 1;
    if (k > n) k = n;
    return v[k - 1];
}

static const char *RESPONSES[] = {"A", "B", "C", "D", "AC", "BD", "ABD", "T", "F", "SEO"};
#define ITEMS 95 /* the benchmark paper's question count: answers overwrite like a real sitting */

static void rm_rf_files(const char *dir)
{
    static const char *names[] = {STORE_DB_NAME, STORE_DB_NAME "-wal", STORE_DB_NAME "-shm",
                                  "bare.db",     "bare.db-wal",        "bare.db-shm"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        char *p = fileio_fmt("%s/%s", dir, names[i]);
        unlink(p);
        free(p);
    }
    rmdir(dir);
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0) return 1;
    const char *base = argc > 1 ? argv[1] : getenv("TMPDIR");
    if (!base || !*base) base = "/tmp";
    int n = argc > 2 ? atoi(argv[2]) : 2000;
    if (n < 10 || argc > 3) {
        fprintf(stderr, "usage: bench_store [DIR] [N>=10]\n");
        return 2;
    }
    char *tmpl = fileio_fmt("%s/bench_store.XXXXXX", base);
    char *dir = mkdtemp(tmpl);
    if (!dir) {
        fprintf(stderr, "bench_store: cannot make a directory under %s\n", base);
        return 1;
    }
    int rc = 1;
    store *st;
    char *why = NULL;
    sqlite3 *bare = NULL;
    sqlite3_stmt *up = NULL;
    double *ts = calloc((size_t)n, sizeof(double)), *tb = calloc((size_t)n, sizeof(double));
    if (!ts || !tb) goto out;
    if (store_open(dir, 1, &st, &why)) {
        fprintf(stderr, "bench_store: %s\n", why);
        free(why);
        goto out;
    }
    /* as the kiosk once a pack is unlocked: the answer sealed at rest, its
     * journal entry a MAC with the keyed digest (the cost being measured) */
    uint8_t content_key[32];
    randombytes_buf(content_key, sizeof content_key);
    journal_key jk;
    journal_key_derive(&jk, "bench", content_key);
    store_set_journal_key(st, &jk);
    char *bare_path = fileio_fmt("%s/bare.db", dir);
    int orc = sqlite3_open(bare_path, &bare);
    free(bare_path);
    if (orc != SQLITE_OK || sqlite3_exec(bare, "PRAGMA journal_mode=WAL", NULL, NULL, NULL) ||
        sqlite3_exec(bare, "PRAGMA synchronous=FULL", NULL, NULL, NULL) ||
        sqlite3_exec(bare, "CREATE TABLE t(k INTEGER PRIMARY KEY, v TEXT NOT NULL)", NULL, NULL, NULL) ||
        sqlite3_prepare_v2(bare, "INSERT OR REPLACE INTO t VALUES(?,?)", -1, &up, NULL)) {
        fprintf(stderr, "bench_store: bare database: %s\n", bare ? sqlite3_errmsg(bare) : "out of memory");
        store_close(st);
        goto out;
    }
    const char *session = "bench-session-0000000000000000";
    int64_t wall = (int64_t)time(NULL);
    for (int i = 0; i < n; i++) {
        int item = i % ITEMS;
        const char *resp = RESPONSES[(i * 7) % (int)(sizeof RESPONSES / sizeof *RESPONSES)];
        for (int side = 0; side < 2; side++) {
            if ((side ^ (i & 1)) == 0) {
                double t0 = now_ms();
                int r = store_save_answer(st, session, item, resp, i % 13 == 0, (int64_t)i * 1000, wall);
                ts[i] = now_ms() - t0;
                if (r != SQLITE_OK) {
                    fprintf(stderr, "bench_store: store_save_answer: %s\n", store_strerror(st));
                    goto close;
                }
            } else {
                double t0 = now_ms();
                sqlite3_bind_int(up, 1, item);
                sqlite3_bind_text(up, 2, resp, -1, SQLITE_STATIC);
                int r = sqlite3_step(up);
                sqlite3_reset(up);
                tb[i] = now_ms() - t0;
                if (r != SQLITE_DONE) {
                    fprintf(stderr, "bench_store: bare upsert: %s\n", sqlite3_errmsg(bare));
                    goto close;
                }
            }
        }
    }
    qsort(ts, (size_t)n, sizeof(double), cmp_double);
    qsort(tb, (size_t)n, sizeof(double), cmp_double);
    double s99 = pct(ts, n, 99), b99 = pct(tb, n, 99);
    printf("answer commit         p50 %.3f ms  p99 %.3f ms  max %.3f ms (%d store_save_answer: answer + journal, "
           "WAL, synchronous=FULL)\n",
           pct(ts, n, 50), s99, ts[n - 1], n);
    printf("bare SQLite upsert    p50 %.3f ms  p99 %.3f ms  max %.3f ms (%d autocommit INSERT OR REPLACE, WAL, "
           "synchronous=FULL, same directory, interleaved)\n",
           pct(tb, n, 50), b99, tb[n - 1], n);
    printf("answer commit / bare p99 ratio   %.2f   [target <= 2.00] %s\n", s99 / b99, s99 / b99 <= 2.0 ? "OK" : "MISSED");
    rc = 0;
close:
    sqlite3_finalize(up);
    sqlite3_close(bare);
    store_close(st);
out:
    rm_rf_files(dir);
    free(tmpl);
    free(ts);
    free(tb);
    return rc;
}
