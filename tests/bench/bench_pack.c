/* bench_pack: the pack figures (README "Measured performance").
 *   bench_pack gen DIR N        writes DIR/bank.csv (N questions) and DIR/bp.ini
 *   bench_pack open PACK PUB CODE [ROUNDS]
 *       prints the KDF time, the time to open the pack after the KDF
 *       (verify, decrypt, inflate, load into SQLite) and the time of a bare
 *       decrypt + inflate of the same bytes in the same run, and their ratio.
 *   bench_pack rostercsv FILE N   writes a roster CSV of N candidates (valid ID numbers), room 01
 *   bench_pack login ROSTER PUB CSV ROUNDS
 *       the login cost: ROUNDS roster_lookup calls (one Argon2id each, the
 *       roster's own cost) for candidates of CSV, p50/p99, against the
 *       format-1 check it replaced (salted BLAKE2b of ticket + ID number).
 *   bench_pack pin [ROUNDS]
 *       times the invigilator PIN check at the shipped cost (core/pin.h:
 *       pin_hash with pin_cost_default(), this build having no test hooks)
 *       and prints what a brute force of a PIN costs from a copy of kiosk.db
 *       (with the release code, which gives the content key). */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "core/authority.h"
#include "core/fileio.h"
#include "core/csv.h"
#include "core/idnumber.h"
#include "core/pack.h"
#include "core/roster.h"
#include "core/pin.h"

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

static const char *TOPICS[] = {"网店运营", "网络营销", "客户服务", "电子商务法律法规", "电子支付", "物流配送", "数据分析"};

/* varied text, so that compression is no kinder than on a real bank */
static const char *COMMON[] = {"店", "铺", "商", "品", "客", "户", "营", "销", "数", "据", "分", "析", "物", "流", "配",
                               "送", "支", "付", "平", "台", "订", "单", "退", "款", "售", "后", "服", "务", "推", "广",
                               "转", "化", "率", "访", "问", "量", "价", "格", "库", "存", "促", "活", "动", "直", "播",
                               "法", "律", "规", "合", "同", "消", "费", "者", "权", "益", "信", "息", "安", "全", "网"};
static unsigned rnd_state = 12345;
static unsigned rnd(void) { return rnd_state = rnd_state * 1103515245u + 12345u, (rnd_state >> 16) & 0x7fff; }

static void varied(char *out, size_t cap, int chars)
{
    size_t o = 0;
    for (int i = 0; i < chars && o + 4 < cap; i++) {
        const char *c = COMMON[rnd() % (sizeof COMMON / sizeof *COMMON)];
        size_t l = strlen(c);
        memcpy(out + o, c, l);
        o += l;
    }
    out[o] = 0;
}

static int gen(const char *dir, int n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/bank.csv", dir);
    FILE *f = fopen(path, "w");
    if (!f) return 1;
    fprintf(f, "id,type,section,stem,A,B,C,D,answer,explanation\n");
    for (int i = 0; i < n; i++) {
        const char *sec = TOPICS[i % 7];
        int kind = i % 10; /* 3 judge, 4 single, 2 multi, 1 fill */
        char stem[1024];
        varied(stem, sizeof stem, 60 + (int)(rnd() % 60));
        if (kind < 3)
            fprintf(f, "Q%05d,judge,%s,%s正确的是第%d种做法。,,,,,%s,解析%d\n", i, sec, stem, i, i % 2 ? "T" : "F", i);
        else if (kind < 7)
            fprintf(f, "Q%05d,single,%s,%s（第%d题）,选项甲%d,选项乙%d,选项丙%d,选项丁%d,%c,解析%d\n", i, sec, stem, i, i, i,
                    i, i, 'A' + i % 4, i);
        else if (kind < 9)
            fprintf(f, "Q%05d,multi,%s,%s（第%d题，多选）,甲%d,乙%d,丙%d,丁%d,AC,解析%d\n", i, sec, stem, i, i, i, i, i, i);
        else
            fprintf(f, "Q%05d,fill,%s,%s：搜索引擎优化简称____（第%d题）,,,,,SEO|seo,解析%d\n", i, sec, stem, i, i);
    }
    if (fclose(f)) return 1;
    snprintf(path, sizeof path, "%s/bp.ini", dir);
    f = fopen(path, "w");
    if (!f) return 1;
    fprintf(f, "[exam]\ntitle = 基准测试试卷\nlevel = 4\nkind = theory\nduration = 90\n\n[draw]\n"
               "rule = type=judge count=20 points=1\nrule = type=single count=60 points=1\n"
               "rule = type=multi count=5 points=2\nrule = type=fill count=10 points=1\n");
    return fclose(f) != 0;
}

/* The baseline: secretstream pull + inflate of the same bytes, nothing else. */
static double bare_decrypt_inflate(const uint8_t *buf, const uint8_t key[PACK_KEY_BYTES], uint8_t *out, size_t outlen)
{
    double t0 = now_ms();
    uint32_t hlen = (uint32_t)buf[12] | (uint32_t)buf[13] << 8 | (uint32_t)buf[14] << 16 | (uint32_t)buf[15] << 24;
    uint64_t zlen = 0;
    for (int i = 7; i >= 0; i--) zlen = zlen << 8 | buf[96 + i];
    crypto_secretstream_xchacha20poly1305_state st;
    if (crypto_secretstream_xchacha20poly1305_init_pull(&st, buf + 176, key)) abort();
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    inflateInit(&zs);
    zs.next_out = out;
    zs.avail_out = (uInt)outlen;
    static uint8_t chunk[PACK_CHUNK];
    const uint8_t *c = buf + hlen;
    for (uint64_t left = zlen; left;) {
        size_t n = left < PACK_CHUNK ? (size_t)left : PACK_CHUNK;
        unsigned long long got;
        unsigned char tag;
        if (crypto_secretstream_xchacha20poly1305_pull(&st, chunk, &got, &tag, c, n + 17, NULL, 0)) abort();
        zs.next_in = chunk;
        zs.avail_in = (uInt)got;
        inflate(&zs, Z_NO_FLUSH);
        c += n + 17;
        left -= n;
    }
    inflateEnd(&zs);
    return now_ms() - t0;
}

static int open_bench(const char *packpath, const char *pubpath, const char *code, int rounds)
{
    unsigned char *buf;
    size_t len;
    char *why = NULL;
    authority_pub pub;
    if (fileio_read(packpath, 1u << 30, &buf, &len, &why) || authority_load_pub(pubpath, &pub, &why)) {
        fprintf(stderr, "bench_pack: %s\n", why);
        return 1;
    }
    uint8_t key[PACK_KEY_BYTES];
    double t0 = now_ms();
    if (pack_unwrap_key(buf, len, code, key, &why) != PACK_OK) {
        fprintf(stderr, "bench_pack: %s\n", why);
        return 1;
    }
    double kdf = now_ms() - t0;
    pack_info info;
    if (pack_verify(buf, len, pub.sign_pk, &info, &why) != PACK_OK) return 1;
    uint8_t *scratch = malloc(info.content_bytes);
    double *open_t = calloc((size_t)rounds, sizeof(double)), *bare_t = calloc((size_t)rounds, sizeof(double));
    long questions = 0;
    for (int r = 0; r < rounds; r++) {
        /* alternate the order so neither side always runs with warm caches */
        if (r % 2) bare_t[r] = bare_decrypt_inflate(buf, key, scratch, info.content_bytes);
        sqlite3 *db;
        t0 = now_ms();
        if (pack_open_with_key(buf, len, pub.sign_pk, key, &db, &why) != PACK_OK) {
            fprintf(stderr, "bench_pack: %s\n", why);
            return 1;
        }
        open_t[r] = now_ms() - t0;
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(db, "SELECT count(*) FROM question", -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
            questions = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
        sqlite3_close(db);
        if (!(r % 2)) bare_t[r] = bare_decrypt_inflate(buf, key, scratch, info.content_bytes);
    }
    qsort(open_t, (size_t)rounds, sizeof(double), cmp_double);
    qsort(bare_t, (size_t)rounds, sizeof(double), cmp_double);
    double om = open_t[rounds / 2], bm = bare_t[rounds / 2];
    printf("pack bytes            %zu (SQLite image %llu, compressed %llu), %ld questions\n", len,
           (unsigned long long)info.content_bytes, (unsigned long long)info.compressed_bytes, questions);
    printf("kdf (Argon2id %llu passes, %zu MiB)   %.1f ms   [target 300-1000 ms] %s\n", info.kdf.opslimit,
           info.kdf.memlimit >> 20, kdf, kdf >= 300 && kdf <= 1000 ? "OK" : "MISSED");
    printf("open after kdf        %.2f ms (median of %d: verify+decrypt+inflate+load)\n", om, rounds);
    printf("bare decrypt+inflate  %.2f ms (median of %d, same bytes)\n", bm, rounds);
    printf("open / bare ratio     %.2f   [target <= 2.00] %s\n", om / bm, om / bm <= 2.0 ? "OK" : "MISSED");
    /* the kiosk's unlock as core/exam.c runs it: pack_verify_as (signature,
     * the id it is stored under, the KDF floor), KDF + unwrap, open */
    sqlite3 *kdb = NULL;
    t0 = now_ms();
    if (pack_verify_as(buf, len, pub.sign_pk, info.pack_id_hex, pack_kdf_floor(), NULL, &why) != PACK_OK ||
        pack_unwrap_key(buf, len, code, key, &why) != PACK_OK ||
        pack_open_with_key(buf, len, pub.sign_pk, key, &kdb, &why) != PACK_OK) {
        fprintf(stderr, "bench_pack: kiosk unlock: %s\n", why);
        return 1;
    }
    double unlock = now_ms() - t0;
    sqlite3_close(kdb);
    printf("kiosk unlock          %.1f ms (pack_verify_as + kdf + open, as the kiosk does it)\n", unlock);
    pack_kdf floor = pack_kdf_floor();
    uint8_t fk[32];
    t0 = now_ms();
    if (crypto_pwhash(fk, sizeof fk, code, strlen(code), buf + 48, floor.opslimit, floor.memlimit,
                      crypto_pwhash_ALG_ARGON2ID13) != 0)
        return 1;
    printf("kdf at the kiosks' floor (Argon2id %llu passes, %zu MiB)   %.1f ms (the cheapest unlock, and guess, a kiosk accepts)\n",
           floor.opslimit, floor.memlimit >> 20, now_ms() - t0);
    sodium_memzero(fk, sizeof fk);
    sodium_memzero(key, sizeof key);
    free(scratch);
    free(open_t);
    free(bare_t);
    free(buf);
    return 0;
}

static int roster_csv(const char *path, int n)
{
    FILE *f = fopen(path, "w");
    if (!f) return 1;
    fprintf(f, "ticket,name,id_number,level,room,seat\n");
    for (int i = 0; i < n; i++) {
        char body[18], id[19];
        snprintf(body, sizeof body, "440106%08d%03d", 19700101 + (i % 28) + 100 * (i / 28 % 12) + 10000 * (i / 336 % 30), i % 1000);
        snprintf(id, sizeof id, "%.17s%c", body, idnumber_check_char(body));
        fprintf(f, "B%06d,考生%d,%s,4,01,%d\n", i + 1, i + 1, id, i + 1); /* seats 1-999: N ≤ 999 */
    }
    return fclose(f) ? 1 : 0;
}

static int login_bench(const char *rpath, const char *pubpath, const char *csvpath, int rounds)
{
    authority_pub pub;
    char *why = NULL;
    unsigned char *buf, *cbuf;
    size_t len, clen;
    if (authority_load_pub(pubpath, &pub, &why) || fileio_read(rpath, 64u << 20, &buf, &len, &why) ||
        fileio_read(csvpath, 64u << 20, &cbuf, &clen, &why)) {
        fprintf(stderr, "%s\n", why ? why : "cannot read");
        return 1;
    }
    roster r, src;
    diag d;
    diag_init(&d);
    if (roster_read(buf, len, pub.sign_pk, &r, &why) || roster_parse_csv((char *)cbuf, clen, &src, &d)) {
        fprintf(stderr, "%s\n", why ? why : "cannot parse the roster");
        return 1;
    }
    diag_free(&d);
    double *t = calloc((size_t)rounds, sizeof *t), *old = calloc((size_t)rounds, sizeof *old);
    char name[ROSTER_NAME_MAX + 1];
    int bad = 0;
    for (int i = 0; i < rounds; i++) {
        const roster_entry *e = &src.e[(size_t)i % src.n];
        double t0 = now_ms();
        bad |= roster_lookup(&r, e->ticket, e->id_number, name) == NULL;
        t[i] = now_ms() - t0;
        /* format 1: BLAKE2b-256 keyed with the roster salt over ticket ‖ 0 ‖ ID number */
        uint8_t salt[32] = {0}, h[32];
        t0 = now_ms();
        crypto_generichash_state st;
        crypto_generichash_init(&st, salt, sizeof salt, sizeof h);
        crypto_generichash_update(&st, (const uint8_t *)e->ticket, strlen(e->ticket) + 1);
        crypto_generichash_update(&st, (const uint8_t *)e->id_number, strlen(e->id_number));
        crypto_generichash_final(&st, h, sizeof h);
        old[i] = now_ms() - t0;
    }
    qsort(t, (size_t)rounds, sizeof *t, cmp_double);
    qsort(old, (size_t)rounds, sizeof *old, cmp_double);
    int p99 = (int)((rounds - 1) * 0.99);
    printf("login: roster lookup (Argon2id %llu passes, %zu MiB, %zu candidates)   p50 %.1f ms  p99 %.1f ms (%d logins)   "
           "[target >= 50 ms a guess] %s\n",
           r.kdf.opslimit, r.kdf.memlimit >> 20, r.n, t[rounds / 2], t[p99], rounds,
           !bad && t[0] >= 50 ? "OK" : bad ? "FAILED (a lookup did not open)" : "MISSED");
    printf("login before (format 1: salted BLAKE2b of the ID number)   p50 %.4f ms  p99 %.4f ms: %.0f× cheaper to guess than now\n",
           old[rounds / 2], old[p99], t[rounds / 2] / (old[rounds / 2] > 0 ? old[rounds / 2] : 1e-6));
    sodium_memzero(name, sizeof name);
    free(t);
    free(old);
    roster_free(&r);
    roster_free(&src);
    free(buf);
    sodium_memzero(cbuf, clen);
    free(cbuf);
    return bad;
}

static int pin_bench(int rounds)
{
    if (rounds < 3) rounds = 3;
    pin_cost c = pin_cost_default();
    uint8_t key[PIN_KEY_BYTES], ks[PIN_SALT_BYTES], us[PIN_SALT_BYTES], out[PIN_HASH_BYTES];
    randombytes_buf(key, sizeof key);
    randombytes_buf(ks, sizeof ks);
    randombytes_buf(us, sizeof us);
    double *t = calloc((size_t)rounds, sizeof *t);
    if (!t) return 1;
    for (int r = 0; r < rounds; r++) {
        double t0 = now_ms();
        if (pin_hash("918273645", key, ks, us, c, out) != 0) {
            fprintf(stderr, "bench_pack: the PIN KDF failed (not enough memory for %zu MiB?)\n", c.mem >> 20);
            free(t);
            return 1;
        }
        t[r] = now_ms() - t0;
    }
    qsort(t, (size_t)rounds, sizeof *t, cmp_double);
    double med = t[rounds / 2];
    printf("PIN check (Argon2id %llu passes, %zu MiB)   median %.0f ms (min %.0f, max %.0f, %d checks)   [target 200-500 ms] %s\n",
           c.ops, c.mem >> 20, med, t[0], t[rounds - 1], rounds, med >= 200 && med <= 500 ? "OK" : "MISSED");
    /* every PIN of a length, one core: 10^n guesses of one KDF run each; half of it on average */
    for (int digits = 6; digits <= 8; digits++) {
        double guesses = 1;
        for (int i = 0; i < digits; i++) guesses *= 10;
        printf("  brute force of a %d-digit PIN from kiosk.db + release code: 10^%d x %.0f ms = %.1f core-days (all), %.1f on average\n",
               digits, digits, med, guesses * med / 86400000.0, guesses * med / 86400000.0 / 2);
    }
    sodium_memzero(key, sizeof key);
    free(t);
    return 0;
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0) return 1;
    if (argc == 4 && !strcmp(argv[1], "gen")) return gen(argv[2], atoi(argv[3]));
    if ((argc == 5 || argc == 6) && !strcmp(argv[1], "open"))
        return open_bench(argv[2], argv[3], argv[4], argc == 6 ? atoi(argv[5]) : 21);
    if (argc == 4 && !strcmp(argv[1], "rostercsv")) return roster_csv(argv[2], atoi(argv[3]));
    if (argc == 6 && !strcmp(argv[1], "login")) return login_bench(argv[2], argv[3], argv[4], atoi(argv[5]));
    if ((argc == 2 || argc == 3) && !strcmp(argv[1], "pin")) return pin_bench(argc == 3 ? atoi(argv[2]) : 11);
    fprintf(stderr, "usage: bench_pack gen DIR N | bench_pack open PACK PUB CODE [ROUNDS] | bench_pack rostercsv FILE N |"
                    " bench_pack login ROSTER PUB CSV ROUNDS | bench_pack pin [ROUNDS]\n");
    return 2;
}
