/* hub: keys, enrolment and the single ingest path of the results hub. */
#include "tools/hub/hub.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/authority.h"
#include "core/b32.h"
#include "core/fileio.h"
#include "core/result.h"
#include "tools/hub/hubcheck.h"
#include "tools/hub/hubstore_checks.h"

const char *ingest_name(ingest_rc rc)
{
    static const char *N[] = {"stored", "duplicate", "too large", "undecryptable", "bad signature", "unknown kiosk",
                              "wrong kiosk", "malformed result", "storage error", "kiosk revoked"};
    return (unsigned)rc < sizeof N / sizeof *N ? N[rc] : "?";
}

ingest_rc ingest_of_result(result_rc rc)
{
    switch (rc) {
    case RESULT_OK: return INGEST_STORED;
    case RESULT_BAD_SIGNATURE: return INGEST_BAD_SIGNATURE;
    case RESULT_BAD_SIZE: case RESULT_UNDECRYPTABLE: return INGEST_UNDECRYPTABLE;
    case RESULT_TOO_BIG: case RESULT_BAD_MAGIC: case RESULT_BAD_VERSION: case RESULT_NOT_TEXT: case RESULT_BAD_JSON:
    case RESULT_BAD_FIELD: case RESULT_NOMEM: case RESULT_RC_COUNT: break;
    }
    /* out of memory too, as when the hub searched the message for words;
     * INGEST_STORAGE (500) would be truer, but it is a behaviour change */
    return INGEST_MALFORMED;
}

int ingest_http_status(ingest_rc rc)
{
    switch (rc) {
    case INGEST_STORED: case INGEST_DUPLICATE: return 200;
    case INGEST_TOO_LARGE: return 413;
    case INGEST_UNKNOWN_KIOSK: return 401;
    case INGEST_BAD_SIGNATURE: case INGEST_WRONG_KIOSK: case INGEST_REVOKED: return 403;
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
    char *pubtxt = hubstore_config_get(h->st, "authority_pub");
    char *keyp = receipt_key_path(db);
    int rc = -1;
    authority_pub pub;
    if (!res) { *why = fileio_fmt("%s has no results key configured (examhub init)", db); goto out; }
    if (!pubtxt || authority_parse_pub(pubtxt, &pub, why)) {
        if (!*why) *why = fileio_fmt("%s has no authority.pub configured (examhub init)", db);
        goto out;
    }
    memcpy(h->authority_sign_pk, pub.sign_pk, sizeof pub.sign_pk);
    if (hub_papers_new(&h->papers)) { *why = fileio_fmt("out of memory"); goto out; }
    if (authority_load_results_key(res, h->box_pk, h->box_sk, why)) goto out;
    if (authority_load_device_sk(keyp, h->sign_sk, why)) goto out;
    memcpy(h->sign_pk, h->sign_sk + 32, sizeof h->sign_pk);
    rc = 0;
out:
    free(res);
    free(pubtxt);
    free(keyp);
    if (rc) hub_close(h);
    return rc;
}

int hub_load_sign_key(const char *db, uint8_t sign_sk[crypto_sign_SECRETKEYBYTES], char **why)
{
    char *keyp = receipt_key_path(db);
    int rc = authority_load_device_sk(keyp, sign_sk, why);
    free(keyp);
    return rc;
}

void hub_close(hub *h)
{
    hubstore_close(h->st);
    hub_papers_free(h->papers);
    sodium_memzero(h, sizeof *h);
}

token_rc hub_new_token(hub *h, int64_t now, int64_t ttl, char *out, size_t size)
{
    uint8_t raw[20];
    if (size < 33) return TOKEN_ERROR;
    randombytes_buf(raw, sizeof raw);
    /* 160 random bits as 32 Crockford base32 characters */
    b32_encode(raw, sizeof raw, out, size);
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

ingest_rc hub_ingest(hub *h, const uint8_t *sealed, size_t len, const uint8_t *expect_pk, const char *claimed_kiosk,
                     int64_t now, char result_id[33], char **why)
{
    return hub_ingest_ex(h, sealed, len, expect_pk, claimed_kiosk, now, NULL, result_id, why);
}

ingest_rc hub_ingest_ex(hub *h, const uint8_t *sealed, size_t len, const uint8_t *expect_pk, const char *claimed_kiosk,
                        int64_t now, const ingest_opts *opt, char result_id[33], char **why)
{
    result_id[0] = 0;
    if (len > HUB_MAX_RESULT_BYTES) {
        *why = fileio_fmt("result of %zu bytes exceeds the limit of %u", len, HUB_MAX_RESULT_BYTES);
        return INGEST_TOO_LARGE;
    }
    char *json = NULL;
    uint8_t pk[crypto_sign_PUBLICKEYBYTES];
    result_rc orc = result_open(sealed, len, h->box_pk, h->box_sk, &json, pk, result_id, why);
    if (orc != RESULT_OK) return ingest_of_result(orc);
    hub_result r;
    memset(&r, 0, sizeof r);
    result_kiosk_id(pk, r.kiosk_id);
    hub_kiosk k;
    kiosk_rc have = hubstore_kiosk(h->st, r.kiosk_id, &k);
    ingest_rc rc = INGEST_MALFORMED;
    result_record rr = {0};
    hub_eval ev = {0};
    if (have == KIOSK_ERROR) { rc = INGEST_STORAGE; *why = fileio_fmt("storage: %s", hubstore_error(h->st)); goto out; }
    if (have == KIOSK_NOT_ENROLLED) { rc = INGEST_UNKNOWN_KIOSK; *why = fileio_fmt("kiosk %s is not enrolled at this hub", r.kiosk_id); goto out; }
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
    /* a revoked kiosk's results are refused, unless staff let them in */
    char rwhy[256], rby[64];
    int64_t rat = 0;
    int revoked = hubstore_kiosk_revoked(h->st, r.kiosk_id, rwhy, rby, &rat);
    if (revoked < 0) { rc = INGEST_STORAGE; *why = fileio_fmt("storage: %s", hubstore_error(h->st)); goto out; }
    if (revoked && !(opt && opt->admit_why)) {
        rc = INGEST_REVOKED;
        *why = fileio_fmt("kiosk %s was revoked at this hub (%s); its results need a staff decision (examhub admit)", r.kiosk_id,
                          rwhy);
        goto out;
    }
    result_rc prc = result_parse(json, strlen(json), &rr, why);
    if (prc != RESULT_OK) { rc = ingest_of_result(prc); goto out; }
    const result_rec *p = &rr.rec;
    if (strcmp(p->head.kiosk_id, r.kiosk_id)) {
        rc = INGEST_MALFORMED;
        *why = fileio_fmt("result record lacks required fields or has invalid values (kiosk is not the signer)");
        goto out;
    }
    /* every field's format (refused: 422), then the checks against the
     * hub's records (stored but flagged) */
    char *fwhy = NULL;
    if (hub_check_format(p, now, &fwhy)) {
        rc = INGEST_MALFORMED;
        *why = fileio_fmt("result record has an invalid field: %s", fwhy);
        free(fwhy);
        goto out;
    }
    if (hub_evaluate(h, &k, p, &ev, why)) { rc = INGEST_STORAGE; goto out; }
    /* a kiosk whose clock runs ahead: its result is kept (a candidate's real
     * work on a badly set PC), flagged, and never ranked by that clock */
    if (p->head.submitted_wall > now + HUB_CLOCK_SKEW && ev.nflags < HUB_MAX_FLAGS)
        ev.flags[ev.nflags++] = fileio_fmt("submitted_at is %lld minutes after the hub's clock (more than the %d-minute "
                                           "skew): the kiosk's clock is wrong",
                                           (long long)((p->head.submitted_wall - now) / 60), HUB_CLOCK_SKEW / 60);
    /* result_parse bounds each string below these sizes */
    _Static_assert(sizeof r.session > RESULT_MAX_ID && sizeof r.ticket > RESULT_MAX_ID && sizeof r.pack_id > RESULT_MAX_ID &&
                       sizeof r.name > RESULT_MAX_NAME && sizeof r.title > RESULT_MAX_TITLE &&
                       sizeof r.kind > RESULT_MAX_WORD && sizeof r.status > RESULT_MAX_WORD,
                   "hub_result fields hold what result_parse accepts");
    snprintf(r.session, sizeof r.session, "%s", p->head.session_id);
    snprintf(r.ticket, sizeof r.ticket, "%s", p->head.ticket);
    snprintf(r.name, sizeof r.name, "%s", p->head.name);
    snprintf(r.pack_id, sizeof r.pack_id, "%s", p->head.pack_id);
    snprintf(r.title, sizeof r.title, "%s", p->head.title);
    snprintf(r.kind, sizeof r.kind, "%s", p->head.kind);
    snprintf(r.status, sizeof r.status, "%s", p->head.status);
    r.level = p->head.level;
    r.score_tenths = p->score;
    r.passed = p->passed;
    r.pending = p->pending;
    r.submitted_at = p->head.submitted_wall;
    r.received_at = now;
    memcpy(r.result_id, result_id, 33);
    r.json = json;
    r.sealed = sealed;
    r.sealed_len = len;
    if (ev.scored) { /* the hub's score is the one that counts; the kiosk's claim stays in the JSON */
        r.scored = 1;
        r.score_tenths = ev.score;
        r.passed = ev.passed;
        r.pending = ev.pending;
    }
    int put = hubstore_put_checked(h->st, &r, ev.flags, ev.nflags, now);
    if (put < 0) { rc = INGEST_STORAGE; *why = fileio_fmt("storage: %s", hubstore_error(h->st)); goto out; }
    if (put == 0 && opt && opt->admit_why &&
        hubstore_admission_add(h->st, result_id, r.kiosk_id, opt->admit_why, opt->admit_by ? opt->admit_by : "", now)) {
        rc = INGEST_STORAGE;
        *why = fileio_fmt("storage: %s", hubstore_error(h->st));
        goto out;
    }
    rc = put == 0 ? INGEST_STORED : INGEST_DUPLICATE;
out:
    hub_eval_free(&ev);
    result_record_free(&rr);
    if (json) sodium_memzero(json, strlen(json)); /* the opened result: names, responses */
    free(json);
    return rc;
}
