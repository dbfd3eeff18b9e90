/* bench_hub: hub ingest throughput with every check (decrypt, signature,
 * enrolled-key match, JSON parse, the fields' formats, rescoring from the
 * registered paper drawn again from each result's seed, the roster and room
 * checks, store once with its flags, durable commit), against bare Ed25519
 * verification of the same signed records in the same run.
 *   bench_hub N [SAMPLES_DIR]   (N results of the sample theory paper, its
 *   pack built from SAMPLES_DIR/theory-4.csv and .ini, registered at the hub;
 *   default exam-packs/samples) */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <pthread.h>
#include <unistd.h>

#include "core/authority.h"
#include "core/bank.h"
#include "core/blueprint.h"
#include "core/diag.h"
#include "core/fileio.h"
#include "core/pack.h"
#include "core/paper.h"
#include "core/releasecode.h"
#include "core/result.h"
#include "tools/hub/hub.h"
#include "tools/hub/hubcheck.h"
#include "tools/hub/hubstore_checks.h"
#include "tools/hub/workflow.h"

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

static int count_flag(void *ctx, const char *result_id, const char *reason, int64_t at)
{
    (void)result_id, (void)at;
    if (!*(int *)ctx) fprintf(stderr, "bench_hub: flagged: %s\n", reason);
    ++*(int *)ctx;
    return 0;
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
    /* the sample theory paper, built and registered at the hub (rescoring) */
    const char *samples = argc > 2 ? argv[2] : "exam-packs/samples";
    char *bankp = fileio_fmt("%s/theory-4.csv", samples), *bpp = fileio_fmt("%s/theory-4.ini", samples);
    unsigned char *bankbuf, *bpbuf;
    size_t banklen, bplen;
    bank b;
    blueprint bp;
    bp_plan plan;
    diag d;
    diag_init(&d);
    uint8_t ask[crypto_sign_SECRETKEYBYTES], *packbuf;
    size_t packlen;
    char akey[96], codetext[RELEASECODE_TEXT_BYTES], code[RELEASECODE_NORM_BYTES];
    snprintf(akey, sizeof akey, "%s/authority.key", dir);
    releasecode_generate(codetext);
    if (fileio_read(bankp, 64u << 20, &bankbuf, &banklen, &why) || fileio_read(bpp, 1u << 20, &bpbuf, &bplen, &why) ||
        bank_parse((char *)bankbuf, banklen, &b, &d) || blueprint_parse((char *)bpbuf, bplen, &bp, &d) ||
        blueprint_resolve(&bp, &b, &plan, &d) || authority_load_sign_sk(akey, ask, &why) ||
        releasecode_normalize(codetext, code) != RELEASECODE_OK ||
        pack_build(&bp, &b, &plan, ask, code, pack_kdf_floor(), 1, &packbuf, &packlen, &why) != PACK_OK) {
        fprintf(stderr, "bench_hub: cannot build the sample pack from %s: %s%s\n", samples, why ? why : "",
                d.n ? d.v[0].msg : "");
        return 1;
    }
    pack_info info;
    struct sqlite3 *pdb;
    if (hub_paper_register(&h, packbuf, packlen, code, "2026-11", "bench", (int64_t)time(NULL), &info, &why) != 0 ||
        pack_open(packbuf, packlen, h.authority_sign_pk, code, &pdb, &why) != PACK_OK) {
        fprintf(stderr, "bench_hub: cannot register the sample pack: %s\n", why ? why : "");
        return 1;
    }
    /* the batch's plan: 2N candidates in room 01 of the kiosk's site, so
     * that the genuine results pass every check (no flag) */
    {
        wf_seat *seats = calloc((size_t)n * 2, sizeof *seats);
        diag pd;
        diag_init(&pd);
        if (!seats || hubstore_begin(h.st) || wf_room_add(h.st, "bench", "440106", "01", 9999) < 0) return 1;
        for (int k = 0; k < 2 * n; k++) {
            wf_app a;
            memset(&a, 0, sizeof a);
            snprintf(a.a.id_number, sizeof a.a.id_number, "44010619900101%04d", k % 10000);
            snprintf(a.a.name, sizeof a.a.name, "考生%d", k);
            a.a.level = 4;
            snprintf(a.received, sizeof a.received, "2026-11-01");
            long long app = wf_register(h.st, &a, "2026-11", 410, "4.1", 1);
            if (app <= 0) { fprintf(stderr, "bench_hub: register: %s\n", hubstore_error(h.st)); return 1; }
            seats[k] = (wf_seat){app, 1, k + 1, ""};
            snprintf(seats[k].ticket, sizeof seats[k].ticket, "2026114401%05d", k % 100000);
        }
        int lv = 4;
        if (hubstore_commit(h.st) || wf_plan_store(h.st, "2026-11", &lv, 1, NULL, NULL, seats, 2 * n, &pd) != 2 * n) {
            fprintf(stderr, "bench_hub: plan: %s\n", pd.n ? pd.v[0].msg : hubstore_error(h.st));
            return 1;
        }
        diag_free(&pd);
        free(seats);
    }
    /* 2N genuine results of that paper, each on a paper drawn from its own
     * seed, two answers in three right */
    uint8_t **sealed = calloc((size_t)n * 2, sizeof *sealed);
    size_t *slen = calloc((size_t)n * 2, sizeof *slen);
    uint8_t **plain = calloc((size_t)n * 2, sizeof *plain);
    size_t *plen = calloc((size_t)n * 2, sizeof *plen);
    int nitems = 0;
    for (int k = 0; k < 2 * n; k++) {
        char sid[33], ticket[24];
        snprintf(sid, sizeof sid, "%032d", k);
        snprintf(ticket, sizeof ticket, "2026114401%05d", k);
        uint8_t seed[PAPER_SEED_BYTES];
        randombytes_buf(seed, sizeof seed);
        paper pp;
        if (paper_draw(pdb, seed, &pp, &why)) return 1;
        result_answer *ans = calloc((size_t)pp.n, sizeof *ans);
        char **keys = calloc((size_t)pp.n, sizeof *keys);
        for (int i = 0; i < pp.n; i++) {
            paper_question q;
            if (paper_question_load(pdb, pp.items[i].seq, &q)) return 1;
            keys[i] = q.key;
            q.key = NULL;
            paper_question_free(&q);
            ans[i] = (result_answer){pp.items[i].id, pp.items[i].type, keys[i], i % 3 ? keys[i] : "", pp.items[i].points, 0};
        }
        result_input in = {.head = {.session_id = sid, .kiosk_id = kid, .site = "bench", .room = "01", .seat = 1,
                                    .pack_id = info.pack_id_hex, .title = info.title, .kind = info.kind,
                                    .level = info.level, .ticket = ticket, .name = "考生", .status = "submitted",
                                    .started_wall = 1, .submitted_wall = 2},
                           .total_points = pp.total_points, .pass = pp.pass, .partial = pp.partial, .seed = seed,
                           .seed_len = sizeof seed, .answers = ans, .nanswers = pp.n};
        result_record rr;
        uint8_t head[RESULT_HASH_BYTES] = {0};
        if (result_build(&in, &rr) != RESULT_OK) return 1;
        result_set_journal(&rr, head, 1);
        nitems = pp.n;
        char *json = result_json(&rr.rec), rid[33], receipt[RESULT_RECEIPT_BYTES];
        if (!json || result_seal(json, sk, h.box_pk, &sealed[k], &slen[k], rid, receipt)) return 1;
        /* the same signed bytes the hub verifies, for the bare baseline */
        plen[k] = RESULT_HEADER_BYTES + strlen(json);
        plain[k] = malloc(plen[k]);
        if (crypto_box_seal_open(plain[k], sealed[k], slen[k], h.box_pk, h.box_sk)) return 1;
        free(json);
        result_record_free(&rr);
        for (int i = 0; i < pp.n; i++) free(keys[i]);
        free(keys);
        free(ans);
        paper_free(&pp);
    }
    pack_close(pdb);
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
    /* every result rescored by the hub, none flagged */
    int flagged = 0, rescored = 0;
    {
        char **ids;
        int nu;
        if (hubstore_unscored_ids(h.st, &ids, &nu) || hubstore_flag_each(h.st, NULL, count_flag, &flagged)) return 1;
        rescored = hubstore_count_results(h.st) - nu;
        hubstore_ids_free(ids, nu);
    }

    double rate = n / (ingest / 1e3), bare_rate = n / (bare / 1e3);
    printf("hub ingest            %d results (%d items each, rescored from the registered paper, %zu bytes sealed, 2 server"
           " threads) in %.0f ms: %.0f results/s   [target >= 1000/s] %s\n", n, nitems, slen[0], ingest, rate,
           rate >= 1000 && stored == n && rescored == 2 * n && !flagged ? "OK" : "MISSED");
    printf("hub import (bundle)   %d results in one transaction: %.0f results/s\n", n, n / (batch / 1e3));
    printf("bare Ed25519 verify   same records, one thread: %.0f /s; ratio to ingest %.1fx\n", bare_rate,
           bare_rate / rate);
    hub_close(&h);
    free(packbuf);
    free(bankbuf);
    free(bpbuf);
    free(bankp);
    free(bpp);
    blueprint_plan_free(&plan);
    blueprint_free(&bp);
    bank_free(&b);
    diag_free(&d);
    sodium_memzero(ask, sizeof ask);
    for (int k = 0; k < 2 * n; k++) { free(sealed[k]); free(plain[k]); }
    free(sealed); free(slen); free(plain); free(plen);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) != 0;
}
