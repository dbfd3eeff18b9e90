/* bench_hub: hub ingest throughput with every check (decrypt, signature,
 * enrolled-key match, JSON parse, store once, durable commit), against bare
 * Ed25519 verification of the same signed records in the same run.
 *   bench_hub N      (N results of a 90-item paper) */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <pthread.h>
#include <unistd.h>

#include "core/authority.h"
#include "core/result.h"
#include "tools/hub/hub.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* uploads arrive on the server's pool of SERVER_THREADS threads */
typedef struct worker {
    hub *h;
    uint8_t **sealed;
    size_t *slen;
    int from, to, bad;
    const char *kid;
} worker;

static void *ingest_range(void *arg)
{
    worker *w = arg;
    for (int k = w->from; k < w->to; k++) {
        char rid[33], *why = NULL;
        ingest_rc rc = hub_ingest(w->h, w->sealed[k], w->slen[k], NULL, w->kid, 1, rid, &why);
        if (rc != INGEST_STORED) {
            fprintf(stderr, "bench_hub: ingest %d: %s: %s\n", k, ingest_name(rc), why ? why : "");
            w->bad = 1;
        }
        free(why);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0) return 1;
    int n = argc > 1 ? atoi(argv[1]) : 2000;
    if (n < 10) n = 10;
    char dir[] = "/tmp/benchhubXXXXXX";
    if (!mkdtemp(dir)) return 1;
    char db[96], pub[96], res[96], tok[40], pkhex[65], kid[17], *why = NULL;
    snprintf(db, sizeof db, "%s/hub.db", dir);
    snprintf(pub, sizeof pub, "%s/authority.pub", dir);
    snprintf(res, sizeof res, "%s/results.key", dir);
    hub h;
    uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    crypto_sign_keypair(pk, sk);
    sodium_bin2hex(pkhex, sizeof pkhex, pk, sizeof pk);
    result_kiosk_id(pk, kid);
    if (authority_keygen(dir, &why) || hub_init(db, pub, res, &why) || hub_open(db, &h, &why) ||
        hub_new_token(&h, (int64_t)time(NULL), 3600, tok, sizeof tok) ||
        hub_enroll(&h, tok, pkhex, "bench", "01", 1, (int64_t)time(NULL), kid) != TOKEN_OK) {
        fprintf(stderr, "bench_hub: setup failed: %s\n", why ? why : "");
        return 1;
    }
    /* N realistic results: 90 items each */
    result_item items[90];
    char ids[90][16];
    for (int i = 0; i < 90; i++) {
        snprintf(ids[i], sizeof ids[i], "T-S%03d", i + 1);
        items[i] = (result_item){ids[i], i < 20 ? QT_JUDGE : QT_SINGLE, i % 3 ? "B" : "A", 10, i % 3 ? 10 : 0, 0, 0};
    }
    uint8_t **sealed = calloc((size_t)n * 2, sizeof *sealed);
    size_t *slen = calloc((size_t)n * 2, sizeof *slen);
    uint8_t **plain = calloc((size_t)n * 2, sizeof *plain);
    size_t *plen = calloc((size_t)n * 2, sizeof *plen);
    for (int k = 0; k < 2 * n; k++) {
        char sid[33], ticket[24];
        snprintf(sid, sizeof sid, "%032d", k);
        snprintf(ticket, sizeof ticket, "2026114401%05d", k);
        result_rec r = {.head = {.session_id = sid, .kiosk_id = kid, .site = "bench", .room = "01", .seat = 1,
                                 .pack_id = "0123456789abcdef0123456789abcdef", .title = "基准试卷", .kind = "theory",
                                 .level = 4, .ticket = ticket, .name = "考生", .status = "submitted",
                                 .submitted_wall = 1},
                        .score = 600, .total_points = 1000, .pass = 60, .seed_hex = "00", .items = items, .nitems = 90,
                        .journal_head_hex = "00", .journal_count = 1};
        char *json = result_json(&r), rid[33], receipt[RESULT_RECEIPT_BYTES];
        if (!json || result_seal(json, sk, h.box_pk, &sealed[k], &slen[k], rid, receipt)) return 1;
        /* the same signed bytes the hub verifies, for the bare baseline */
        plen[k] = RESULT_HEADER_BYTES + strlen(json);
        plain[k] = malloc(plen[k]);
        if (crypto_box_seal_open(plain[k], sealed[k], slen[k], h.box_pk, h.box_sk)) return 1;
        free(json);
    }
    /* baseline: bare Ed25519 verification of each record (signature over header ‖ JSON) */
    double t0 = now_ms();
    for (int k = 0; k < n; k++) {
        crypto_sign_state st;
        crypto_sign_init(&st);
        crypto_sign_update(&st, plain[k], 44);
        crypto_sign_update(&st, plain[k] + RESULT_HEADER_BYTES, plen[k] - RESULT_HEADER_BYTES);
        if (crypto_sign_final_verify(&st, plain[k] + 44, plain[k] + 12)) return 1;
    }
    double bare = now_ms() - t0;
    /* hub ingest, one durable commit per result, as uploads arrive on the
     * server's two threads */
    t0 = now_ms();
    worker w[2] = {{&h, sealed, slen, 0, n / 2, 0, kid}, {&h, sealed, slen, n / 2, n, 0, kid}};
    pthread_t th[2];
    for (int i = 0; i < 2; i++) pthread_create(&th[i], NULL, ingest_range, &w[i]);
    for (int i = 0; i < 2; i++) pthread_join(th[i], NULL);
    if (w[0].bad || w[1].bad) return 1;
    double ingest = now_ms() - t0;
    /* the USB import path: the same checks, one transaction per bundle */
    t0 = now_ms();
    if (hubstore_begin(h.st)) return 1;
    for (int k = n; k < 2 * n; k++) {
        char rid[33];
        if (hub_ingest(&h, sealed[k], slen[k], NULL, kid, 1, rid, &why) != INGEST_STORED) return 1;
    }
    if (hubstore_commit(h.st)) return 1;
    double batch = now_ms() - t0;
    int stored = hubstore_count_results(h.st) - n;

    double rate = n / (ingest / 1e3), bare_rate = n / (bare / 1e3);
    printf("hub ingest            %d results (90 items each, %zu bytes sealed, 2 server threads) in %.0f ms: %.0f results/s"
           "   [target >= 1000/s] %s\n", n, slen[0], ingest, rate, rate >= 1000 && stored == n ? "OK" : "MISSED");
    printf("hub import (bundle)   %d results in one transaction: %.0f results/s\n", n, n / (batch / 1e3));
    printf("bare Ed25519 verify   same records, one thread: %.0f /s; ratio to ingest %.1fx\n", bare_rate,
           bare_rate / rate);
    hub_close(&h);
    for (int k = 0; k < 2 * n; k++) { free(sealed[k]); free(plain[k]); }
    free(sealed); free(slen); free(plain); free(plen);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) != 0;
}
