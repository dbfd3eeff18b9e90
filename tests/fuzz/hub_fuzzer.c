/* libFuzzer target: the hub's request parsing. The first byte picks:
 *   0  an enrolment body (server_parse_enroll)
 *   1  a raw upload body (hub_ingest: size, decryption, signature)
 *   2+ a result record's JSON, signed and sealed by an enrolled kiosk, so the
 *      hub's reading of records (core result_parse) and its own checks
 *      (kiosk named = kiosk that signed, storage) see arbitrary records;
 *      result_parse must also judge the text well-formed exactly when
 *      jansson (JSON_REJECT_DUPLICATES, what the hub read records with
 *      before) does: a differential check of the hand-written reader
 * A hub with a fresh temporary database is set up once. */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/authority.h"
#include "core/result.h"
#include "tools/hub/hub.h"
#include "tools/hub/server.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static hub H;
static uint8_t device_sk[crypto_sign_SECRETKEYBYTES];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (sodium_init() < 0) return 1;
    char dir[] = "/tmp/hubfuzzXXXXXX";
    if (!mkdtemp(dir)) return 1;
    char *why = NULL, db[64], pub[64], res[64], tok[40], pkhex[65], kid[17];
    snprintf(db, sizeof db, "%s/hub.db", dir);
    snprintf(pub, sizeof pub, "%s/authority.pub", dir);
    snprintf(res, sizeof res, "%s/results.key", dir);
    uint8_t pk[crypto_sign_PUBLICKEYBYTES];
    crypto_sign_keypair(pk, device_sk);
    sodium_bin2hex(pkhex, sizeof pkhex, pk, sizeof pk);
    if (authority_keygen(dir, &why) || hub_init(db, pub, res, &why) || hub_open(db, &H, &why) ||
        hub_new_token(&H, (int64_t)time(NULL), 3600, tok, sizeof tok) ||
        hub_enroll(&H, tok, pkhex, "fuzz", "01", 1, (int64_t)time(NULL), kid) != TOKEN_OK) {
        fprintf(stderr, "hub_fuzzer setup failed: %s\n", why ? why : "");
        return 1;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    char rid[33], *why = NULL;
    if (data[0] == 0) {
        enroll_req r;
        if (server_parse_enroll((const char *)data + 1, size - 1, &r) == 0) server_enroll_free(&r);
    } else if (data[0] == 1) {
        hub_ingest(&H, data + 1, size - 1, NULL, NULL, 0, rid, &why);
    } else {
        char *json = malloc(size);
        if (!json) return 0;
        memcpy(json, data + 1, size - 1);
        json[size - 1] = 0;
        size_t jl = strlen(json);
        json_error_t err;
        json_t *ref = json_loads(json, JSON_REJECT_DUPLICATES, &err);
        result_record rec;
        char *pwhy = NULL;
        result_rc prc = result_parse(json, jl, &rec, &pwhy);
        int ours = prc == RESULT_OK || prc == RESULT_BAD_FIELD;
        if (ours != (ref != NULL) && prc != RESULT_NOMEM) {
            fprintf(stderr, "result_parse %s (%s), jansson %s\n", result_strerror(prc), pwhy ? pwhy : "",
                    ref ? "accepts" : err.text);
            abort();
        }
        json_decref(ref);
        free(pwhy);
        result_record_free(&rec);
        uint8_t *sealed;
        size_t len;
        char receipt[RESULT_RECEIPT_BYTES];
        if (result_seal(json, device_sk, H.box_pk, &sealed, &len, rid, receipt) == 0) {
            hub_ingest(&H, sealed, len, NULL, NULL, 0, rid, &why);
            free(sealed);
        }
        free(json);
    }
    free(why);
    return 0;
}
