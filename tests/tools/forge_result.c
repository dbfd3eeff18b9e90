/* forge_result: makes the result a holder of a kiosk's device key could
 * make (issue 11's attacks), for the end-to-end tests of the hub's checks.
 * Reads a result record's JSON (e.g. a genuine one from the hub's
 * database), changes the fields asked for, and signs it with the kiosk's
 * device key (KIOSK_DIR/device.key; the record's kiosk field becomes that
 * kiosk's id) and seals it to the results key of
 * KIOSK_DIR/authority.pub, as the kiosk would:
 *
 *   forge_result --device KIOSK_DIR --json FILE [--set FIELD=VALUE]...
 *                (--out FILE.sealed | --bundle FILE.bundle)
 *
 *   FIELD  pack_id ticket name room site kind status session seed (text)
 *          score (tenths, the record's total) pass (the pass mark, points:
 *          0 makes a 0-point record say passed 1) pending submitted_at
 *          started_at (integers), item_score=N:TENTHS, item_response=N:TEXT
 *
 * --out writes the sealed result (POST it to /v1/results); --bundle writes
 * a USB bundle of it (examhub import / admit). Prints the result id. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/authority.h"
#include "core/bundle.h"
#include "core/fileio.h"
#include "core/result.h"

static int die(const char *msg, char *why)
{
    fprintf(stderr, "forge_result: %s%s%s\n", msg, why ? ": " : "", why ? why : "");
    free(why);
    return 1;
}

int main(int argc, char **argv)
{
    const char *dir = NULL, *jsonf = NULL, *out = NULL, *bout = NULL;
    const char *sets[64];
    int nsets = 0;
    for (int i = 1; i < argc; i++) {
        if (i + 1 >= argc) return die("usage: forge_result --device DIR --json FILE [--set F=V]... --out|--bundle FILE", NULL);
        if (!strcmp(argv[i], "--device")) dir = argv[++i];
        else if (!strcmp(argv[i], "--json")) jsonf = argv[++i];
        else if (!strcmp(argv[i], "--out")) out = argv[++i];
        else if (!strcmp(argv[i], "--bundle")) bout = argv[++i];
        else if (!strcmp(argv[i], "--set") && nsets < 64) sets[nsets++] = argv[++i];
        else return die("unknown option", fileio_fmt("%s", argv[i]));
    }
    if (!dir || !jsonf || (!out && !bout)) return die("--device, --json and --out or --bundle are required", NULL);
    if (sodium_init() < 0) return die("libsodium", NULL);
    char *why = NULL;
    authority_pub pub;
    uint8_t sk[crypto_sign_SECRETKEYBYTES];
    char *pubp = fileio_fmt("%s/authority.pub", dir), *keyp = fileio_fmt("%s/device.key", dir);
    if (authority_load_pub(pubp, &pub, &why)) return die(pubp, why);
    if (authority_load_device_sk(keyp, sk, &why)) return die(keyp, why);
    unsigned char *buf;
    size_t len;
    if (fileio_read(jsonf, RESULT_MAX_JSON, &buf, &len, &why)) return die(jsonf, why);
    result_record rr;
    if (result_parse((char *)buf, len, &rr, &why) != RESULT_OK) return die(jsonf, why);
    result_rec *r = &rr.rec;
    char kid[17]; /* the record names its signer, as a kiosk's does */
    result_kiosk_id(sk + 32, kid);
    r->head.kiosk_id = kid;
    result_item *items = calloc((size_t)r->nitems + 1, sizeof *items);
    if (!items) return die("out of memory", NULL);
    memcpy(items, r->items, (size_t)r->nitems * sizeof *items);
    r->items = items;
    for (int i = 0; i < nsets; i++) {
        char *f = strdup(sets[i]), *v = strchr(f, '=');
        if (!v) return die("--set needs FIELD=VALUE", fileio_fmt("%s", sets[i]));
        *v++ = 0;
        long long n = strtoll(v, NULL, 10);
        if (!strcmp(f, "pack_id")) r->head.pack_id = v;
        else if (!strcmp(f, "ticket")) r->head.ticket = v;
        else if (!strcmp(f, "name")) r->head.name = v;
        else if (!strcmp(f, "room")) r->head.room = v;
        else if (!strcmp(f, "site")) r->head.site = v;
        else if (!strcmp(f, "kind")) r->head.kind = v;
        else if (!strcmp(f, "status")) r->head.status = v;
        else if (!strcmp(f, "session")) r->head.session_id = v;
        else if (!strcmp(f, "seed")) r->seed_hex = v;
        else if (!strcmp(f, "score")) r->score = (int)n;
        else if (!strcmp(f, "pass")) r->pass = (int)n;
        else if (!strcmp(f, "pending")) r->pending = (int)n;
        else if (!strcmp(f, "submitted_at")) r->head.submitted_wall = n;
        else if (!strcmp(f, "started_at")) r->head.started_wall = n;
        else if (!strcmp(f, "item_score") || !strcmp(f, "item_response")) {
            char *c = strchr(v, ':');
            int k = atoi(v) - 1;
            if (!c || k < 0 || k >= r->nitems) return die("item N out of range", fileio_fmt("%s", sets[i]));
            if (!strcmp(f, "item_score")) items[k].score = atoi(c + 1);
            else items[k].response = c + 1;
        } else
            return die("unknown field", fileio_fmt("%s", f));
    }
    char *json = result_json(r);
    if (!json) return die("cannot write the record", NULL);
    uint8_t *sealed;
    size_t slen;
    char rid[RESULT_ID_HEX], receipt[RESULT_RECEIPT_BYTES];
    if (result_seal(json, sk, pub.box_pk, &sealed, &slen, rid, receipt) != RESULT_OK) return die("cannot seal", NULL);
    if (out && fileio_write_atomic(out, sealed, slen, 0600, 0, &why)) return die(out, why);
    if (bout) {
        bundle_item it = {sealed, slen};
        uint8_t *b;
        size_t blen;
        if (bundle_write(&it, 1, sk, (int64_t)time(NULL), &b, &blen)) return die("cannot write the bundle", NULL);
        if (fileio_write_atomic(bout, b, blen, 0600, 0, &why)) return die(bout, why);
        free(b);
    }
    printf("%s\n", rid);
    sodium_memzero(sk, sizeof sk);
    free(sealed);
    free(json);
    free(items);
    result_record_free(&rr);
    free(buf);
    free(pubp);
    free(keyp);
    return 0;
}
