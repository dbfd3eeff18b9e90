/* hub: keys, enrolment and the single ingest path of the results hub. */
#include "hub.h"

#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/authority.h"
#include "../../core/fileio.h"
#include "../../core/result.h"

const char *ingest_name(ingest_rc rc)
{
    static const char *N[] = {"stored", "duplicate", "too large", "undecryptable", "bad signature", "unknown kiosk",
                              "wrong kiosk", "malformed result", "storage error"};
    return (unsigned)rc < sizeof N / sizeof *N ? N[rc] : "?";
}

int ingest_http_status(ingest_rc rc)
{
    switch (rc) {
    case INGEST_STORED: case INGEST_DUPLICATE: return 200;
    case INGEST_TOO_LARGE: return 413;
    case INGEST_UNKNOWN_KIOSK: return 401;
    case INGEST_BAD_SIGNATURE: case INGEST_WRONG_KIOSK: return 403;
    case INGEST_UNDECRYPTABLE: case INGEST_MALFORMED: return 422;
    default: return 500;
    }
}

static char *receipt_key_path(const char *db) { return fileio_fmt("%s.receipt-key", db); }

int hub_init(const char *db, const char *pubpath, const char *respath, char **why)
{
    authority_pub pub;
    uint8_t bpk[crypto_box_PUBLICKEYBYTES], bsk[crypto_box_SECRETKEYBYTES];
    if (authority_load_pub(pubpath, &pub, why)) return -1;
    if (authority_load_results_key(respath, bpk, bsk, why)) return -1;
    sodium_memzero(bsk, sizeof bsk);
    if (sodium_memcmp(bpk, pub.box_pk, sizeof bpk)) {
        *why = fileio_fmt("%s does not belong to %s (a different authority)", respath, pubpath);
        return -1;
    }
    char *abs = realpath(respath, NULL);
    char *keyp = receipt_key_path(db);
    hubstore *st = NULL;
    int rc = -1;
    if (!abs || !keyp) { *why = fileio_fmt("cannot resolve %s", respath); goto out; }
    if (hubstore_open(db, 1, &st, why)) goto out;
    unsigned char *pubtxt;
    size_t publen;
    if (fileio_read(pubpath, 4096, &pubtxt, &publen, why)) goto out;
    int c = hubstore_config_set(st, "authority_pub", (char *)pubtxt) || hubstore_config_set(st, "results_key", abs);
    free(pubtxt);
    uint8_t rpk[crypto_sign_PUBLICKEYBYTES];
    if (c || authority_device_keygen(keyp, rpk, why)) {
        if (!*why) *why = fileio_fmt("cannot write the hub configuration: %s", hubstore_error(st));
        goto out;
    }
    char hex[65];
    sodium_bin2hex(hex, sizeof hex, rpk, sizeof rpk);
    if (hubstore_config_set(st, "receipt_pk", hex)) goto out;
    rc = 0;
out:
    hubstore_close(st);
    if (rc && st) { remove(db); }
    free(abs);
    free(keyp);
    return rc;
}

int hub_open(const char *db, hub *h, char **why)
{
    memset(h, 0, sizeof *h);
    h->token_ttl = 24 * 3600;
    if (hubstore_open(db, 0, &h->st, why)) return -1;
    char *res = hubstore_config_get(h->st, "results_key");
    char *keyp = receipt_key_path(db);
    int rc = -1;
    if (!res) { *why = fileio_fmt("%s has no results key configured (examhub init)", db); goto out; }
    if (authority_load_results_key(res, h->box_pk, h->box_sk, why)) goto out;
    if (authority_load_device_sk(keyp, h->sign_sk, why)) goto out;
    memcpy(h->sign_pk, h->sign_sk + 32, sizeof h->sign_pk);
    rc = 0;
out:
    free(res);
    free(keyp);
    if (rc) hub_close(h);
    return rc;
}

void hub_close(hub *h)
{
    hubstore_close(h->st);
    sodium_memzero(h, sizeof *h);
}

int hub_new_token(hub *h, int64_t now, int64_t ttl, char *out, size_t size)
{
    static const char B32[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    uint8_t raw[20];
    randombytes_buf(raw, sizeof raw);
    if (size < 33) return -1;
    /* 160 random bits as 32 Crockford base32 characters */
    unsigned acc = 0;
    int bits = 0, o = 0;
    for (int i = 0; i < 20; i++) {
        acc = (acc << 8) | raw[i];
        bits += 8;
        while (bits >= 5) {
            out[o++] = B32[(acc >> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    out[o] = 0;
    uint8_t hash[32];
    crypto_generichash(hash, sizeof hash, (const uint8_t *)out, 32, NULL, 0);
    sodium_memzero(raw, sizeof raw);
    return hubstore_token_add(h->st, hash, now, now + ttl);
}

token_rc hub_enroll(hub *h, const char *token, const char *pk_hex, const char *site, const char *room, int seat,
                    int64_t now, char kiosk_id[17])
{
    uint8_t pk[crypto_sign_PUBLICKEYBYTES], hash[32];
    size_t got = 0;
    if (!token || strlen(token) != 32 || !pk_hex || sodium_hex2bin(pk, sizeof pk, pk_hex, strlen(pk_hex), NULL, &got, NULL) ||
        got != sizeof pk)
        return TOKEN_UNKNOWN;
    crypto_generichash(hash, sizeof hash, (const uint8_t *)token, 32, NULL, 0);
    hub_kiosk k;
    memset(&k, 0, sizeof k);
    result_kiosk_id(pk, k.kiosk_id);
    sodium_bin2hex(k.device_pk_hex, sizeof k.device_pk_hex, pk, sizeof pk);
    snprintf(k.site, sizeof k.site, "%s", site ? site : "");
    snprintf(k.room, sizeof k.room, "%s", room ? room : "");
    k.seat = seat;
    token_rc rc = hubstore_enroll(h->st, hash, now, &k);
    if (rc == TOKEN_OK) memcpy(kiosk_id, k.kiosk_id, 17);
    return rc;
}

void hub_receipt(const hub *h, const char *result_id, char out[HUB_RECEIPT_HEX])
{
    uint8_t sig[crypto_sign_BYTES];
    char msg[64];
    int n = snprintf(msg, sizeof msg, "exam-receipt v1\n%s", result_id);
    crypto_sign_detached(sig, NULL, (const uint8_t *)msg, (size_t)n, h->sign_sk);
    sodium_bin2hex(out, HUB_RECEIPT_HEX, sig, sizeof sig);
}

int hub_receipt_verify(const uint8_t hub_pk[crypto_sign_PUBLICKEYBYTES], const char *result_id, const char *hex)
{
    uint8_t sig[crypto_sign_BYTES];
    size_t got = 0;
    if (!hex || sodium_hex2bin(sig, sizeof sig, hex, strlen(hex), NULL, &got, NULL) || got != sizeof sig) return -1;
    char msg[64];
    int n = snprintf(msg, sizeof msg, "exam-receipt v1\n%s", result_id);
    return crypto_sign_verify_detached(sig, (const uint8_t *)msg, (size_t)n, hub_pk);
}

/* copies a JSON string field into OUT; -1 if missing, not a string or too long */
static int jstr(json_t *o, const char *k, char *out, size_t size)
{
    json_t *v = json_object_get(o, k);
    if (!json_is_string(v) || json_string_length(v) >= size) return -1;
    memcpy(out, json_string_value(v), json_string_length(v) + 1);
    return 0;
}

static int jint(json_t *o, const char *k, long long lo, long long hi, long long *out)
{
    json_t *v = json_object_get(o, k);
    if (!json_is_integer(v)) return -1;
    long long x = json_integer_value(v);
    if (x < lo || x > hi) return -1;
    *out = x;
    return 0;
}

ingest_rc hub_ingest(hub *h, const uint8_t *sealed, size_t len, const uint8_t *expect_pk, const char *claimed_kiosk,
                     int64_t now, char result_id[33], char **why)
{
    result_id[0] = 0;
    if (len > HUB_MAX_RESULT_BYTES) {
        *why = fileio_fmt("result of %zu bytes exceeds the limit of %u", len, HUB_MAX_RESULT_BYTES);
        return INGEST_TOO_LARGE;
    }
    char *json = NULL;
    uint8_t pk[crypto_sign_PUBLICKEYBYTES];
    char *w = NULL;
    if (result_open(sealed, len, h->box_pk, h->box_sk, &json, pk, result_id, &w)) {
        ingest_rc rc = strstr(w, "signature") ? INGEST_BAD_SIGNATURE
                       : strstr(w, "decrypt") || strstr(w, "size") ? INGEST_UNDECRYPTABLE
                                                                    : INGEST_MALFORMED;
        *why = w;
        return rc;
    }
    hub_result r;
    memset(&r, 0, sizeof r);
    result_kiosk_id(pk, r.kiosk_id);
    hub_kiosk k;
    int have = hubstore_kiosk(h->st, r.kiosk_id, &k);
    ingest_rc rc = INGEST_MALFORMED;
    json_t *root = NULL;
    if (have < 0) { rc = INGEST_STORAGE; *why = fileio_fmt("storage: %s", hubstore_error(h->st)); goto out; }
    if (have == 1) { rc = INGEST_UNKNOWN_KIOSK; *why = fileio_fmt("kiosk %s is not enrolled at this hub", r.kiosk_id); goto out; }
    char pkhex[65];
    sodium_bin2hex(pkhex, sizeof pkhex, pk, sizeof pk);
    if (strcmp(pkhex, k.device_pk_hex)) {
        rc = INGEST_BAD_SIGNATURE;
        *why = fileio_fmt("result signed by a key that is not kiosk %s's enrolled key", r.kiosk_id);
        goto out;
    }
    if ((expect_pk && sodium_memcmp(expect_pk, pk, sizeof pk)) || (claimed_kiosk && strcmp(claimed_kiosk, r.kiosk_id))) {
        rc = INGEST_WRONG_KIOSK;
        *why = fileio_fmt("result of kiosk %s delivered as another kiosk's", r.kiosk_id);
        goto out;
    }
    json_error_t err;
    root = json_loads(json, JSON_REJECT_DUPLICATES, &err);
    long long level, score, passed, pending, submitted, v;
    char kiosk_in[32];
    if (!json_is_object(root) || jint(root, "v", 1, 1, &v) || jstr(root, "kiosk", kiosk_in, sizeof kiosk_in) ||
        strcmp(kiosk_in, r.kiosk_id) || jstr(root, "session", r.session, sizeof r.session) ||
        jstr(root, "ticket", r.ticket, sizeof r.ticket) || jstr(root, "name", r.name, sizeof r.name) ||
        jstr(root, "pack_id", r.pack_id, sizeof r.pack_id) || jstr(root, "title", r.title, sizeof r.title) ||
        jstr(root, "kind", r.kind, sizeof r.kind) || jstr(root, "status", r.status, sizeof r.status) ||
        jint(root, "level", 1, 5, &level) || jint(root, "score_tenths", 0, 1000, &score) ||
        jint(root, "passed", 0, 1, &passed) || jint(root, "pending", 0, 100000, &pending) ||
        jint(root, "submitted_at", 0, LLONG_MAX, &submitted) ||
        (strcmp(r.status, "submitted") && strcmp(r.status, "timeout") && strcmp(r.status, "forced") &&
         strcmp(r.status, "absent"))) {
        rc = INGEST_MALFORMED;
        *why = fileio_fmt("result record lacks required fields or has invalid values");
        goto out;
    }
    r.level = (int)level;
    r.score_tenths = (int)score;
    r.passed = (int)passed;
    r.pending = (int)pending;
    r.submitted_at = submitted;
    r.received_at = now;
    memcpy(r.result_id, result_id, 33);
    r.json = json;
    r.sealed = sealed;
    r.sealed_len = len;
    int put = hubstore_put_result(h->st, &r);
    if (put < 0) { rc = INGEST_STORAGE; *why = fileio_fmt("storage: %s", hubstore_error(h->st)); goto out; }
    rc = put == 0 ? INGEST_STORED : INGEST_DUPLICATE;
out:
    json_decref(root);
    free(json);
    return rc;
}
