/* libFuzzer target: reading results (result.c): the signed plaintext
 * (result_parse_plain), sealed records (result_open) with a fixed key
 * pair, and the record's JSON (result_parse, the hub's one reader: what it
 * accepts, written again by result_json, reads back to the same record);
 * plus, for inputs that are UTF-8 text, the JSON writer: a record whose
 * strings are the input must seal and open back to the same JSON, and the
 * reader must find that JSON well-formed.
 *
 * The key pairs are derived from fixed public labels, so that the sealed
 * seeds in corpus/result/ (made once with the same public test key) reach
 * the parser behind the decryption. They protect nothing. */
#include <sodium.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "core/result.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t box_pk[crypto_box_PUBLICKEYBYTES], box_sk[crypto_box_SECRETKEYBYTES];
static uint8_t dev_pk[crypto_sign_PUBLICKEYBYTES], dev_sk[crypto_sign_SECRETKEYBYTES];

static void seed_of(const char *label, uint8_t seed[32])
{
    crypto_generichash(seed, 32, (const uint8_t *)label, strlen(label), NULL, 0);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (sodium_init() < 0) return 1;
    uint8_t seed[32];
    seed_of("result_fuzzer public test results key", seed);
    crypto_box_seed_keypair(box_pk, box_sk, seed);
    seed_of("result_fuzzer public test device key", seed);
    crypto_sign_seed_keypair(dev_pk, dev_sk, seed);
    return 0;
}

/* result_parse of LEN bytes at JSON: a refusal says why and leaves *out
 * empty; an accepted record, written again, reads back to the same text */
static result_rc parse_checked(const char *json, size_t len)
{
    result_record rec;
    char *why = NULL;
    result_rc rc = result_parse(json, len, &rec, &why);
    if (rc != RESULT_OK) {
        if (!why || rec.mem || rc >= RESULT_RC_COUNT) abort();
        free(why);
        return rc;
    }
    if (why || rec.v != 1) abort();
    char *again = result_json(&rec.rec);
    if (!again) abort();
    result_record back;
    if (result_parse(again, strlen(again), &back, &why) != RESULT_OK) abort();
    char *third = result_json(&back.rec);
    if (!third || strcmp(again, third)) abort();
    if (strcmp(rec.rec.head.kiosk_id, back.rec.head.kiosk_id) || strcmp(rec.rec.head.status, back.rec.head.status) ||
        rec.rec.score != back.rec.score || rec.rec.nitems != back.rec.nitems)
        abort();
    free(third);
    free(again);
    result_record_free(&back);
    result_record_free(&rec);
    return RESULT_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *json = NULL, *why = NULL, rid[RESULT_ID_HEX];
    uint8_t pk[crypto_sign_PUBLICKEYBYTES];

    /* the input as a record's JSON */
    (void)parse_checked((const char *)data, size);

    if (result_parse_plain(data, size, &json, pk, rid, &why) == 0) {
        if (strlen(json) != size - RESULT_HEADER_BYTES) abort(); /* no NUL inside */
        free(json);
    } else {
        if (!why || json) abort(); /* a refusal always says why and returns nothing */
        free(why);
    }
    json = NULL;
    why = NULL;
    if (result_open(data, size, box_pk, box_sk, &json, pk, rid, &why) == 0) {
        free(json);
    } else {
        if (!why || json) abort();
        free(why);
    }

    /* the writer: any UTF-8 text in any string field round-trips */
    if (size > 65536 || memchr(data, 0, size) || !csv_utf8_valid((const char *)data, size, NULL)) return 0;
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = 0;
    result_item item = {text, QT_ESSAY, text, 100, 0, 1, 0};
    result_irregularity irr = {text, text, -1};
    result_rec r = {.head = {.session_id = text, .kiosk_id = text, .site = text, .room = text, .pack_id = text,
                             .title = text, .kind = text, .ticket = text, .name = text, .status = text,
                             .irregularities = &irr, .nirregularities = 1},
                    .seed_hex = text, .journal_head_hex = text, .items = &item, .nitems = 1,
                    .score = (int)size, .pass = 60};
    char *out = result_json(&r);
    if (!out) abort();
    /* whatever the strings, the writer's JSON is well-formed to the reader */
    result_rc prc = parse_checked(out, strlen(out));
    if (prc != RESULT_OK && prc != RESULT_BAD_FIELD) abort();
    for (const char *p = out; *p; p++)
        if ((unsigned char)*p < 0x20) abort(); /* control characters are escaped */
    uint8_t *sealed = NULL;
    size_t sealed_len = 0;
    char receipt[RESULT_RECEIPT_BYTES], rid2[RESULT_ID_HEX];
    if (result_seal(out, dev_sk, box_pk, &sealed, &sealed_len, rid, receipt) != 0) abort();
    json = NULL;
    why = NULL;
    if (result_open(sealed, sealed_len, box_pk, box_sk, &json, pk, rid2, &why) != 0) abort();
    if (strcmp(json, out) || strcmp(rid, rid2) || memcmp(pk, dev_pk, sizeof pk)) abort();
    free(json);
    free(sealed);
    free(out);
    free(text);
    return 0;
}
