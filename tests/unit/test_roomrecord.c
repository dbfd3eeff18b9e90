/* Unit tests for tools/hub/roomrecord.c: the hub's reader of a room
 * console's signed room record (FORMAT.md §17) and of console.pub. A
 * record is built and signed here as a console would; each test changes
 * one thing and expects the reader's one-line reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/result.h"
#include "tools/hub/roomrecord.h"

static uint8_t CPK[32], CSK[64], DPK[32], DSK[64];
static char KID[17], DPKHEX[65], CPKB64[64];

static int setup(void **state)
{
    (void)state;
    if (sodium_init() < 0) return -1;
    crypto_sign_keypair(CPK, CSK);
    crypto_sign_keypair(DPK, DSK);
    result_kiosk_id(DPK, KID);
    sodium_bin2hex(DPKHEX, sizeof DPKHEX, DPK, 32);
    sodium_bin2base64(CPKB64, sizeof CPKB64, CPK, 32, sodium_base64_VARIANT_ORIGINAL);
    return 0;
}

#define H1 "1111111111111111111111111111111111111111111111111111111111111111"
#define H2 "2222222222222222222222222222222222222222222222222222222222222222"
#define PACK "00112233445566778899aabbccddeeff"

/* the body with SEATS and CANDIDATES (JSON arrays' insides) */
static char *body(const char *seats, const char *cands)
{
    char *b = NULL;
    if (asprintf(&b,
                 "{\"site\":\"广州天河考点\",\"room\":\"01\",\"console_pk\":\"%s\",\"made_at\":1767231000,"
                 "\"packs\":[\"" PACK "\"],\"seats\":[%s],\"candidates\":[%s],"
                 "\"events\":[{\"at\":1,\"actor\":\"监考员\",\"action\":\"unlock\",\"detail\":\"\"}]}",
                 CPKB64, seats, cands) < 0)
        return NULL;
    return b;
}

static char *seat(const char *kid, const char *heads)
{
    char *s = NULL;
    if (asprintf(&s,
                 "{\"kiosk_id\":\"%s\",\"seat\":2,\"device_pk\":\"%s\",\"state\":\"confirmed\",\"first_contact\":1,"
                 "\"last_contact\":2,\"heads\":[%s],\"diverged\":false}",
                 kid, DPKHEX, heads) < 0)
        return NULL;
    return s;
}

/* the whole file: magic, BODY, signature by SK */
static char *file_of(const char *b, const uint8_t *sk, size_t *len)
{
    char *head = NULL, *f = NULL;
    if (asprintf(&head, "exam-room-record v1\n%s\n", b) < 0) return NULL;
    uint8_t sig[64];
    crypto_sign_detached(sig, NULL, (const uint8_t *)head, strlen(head), sk);
    char s64[100];
    sodium_bin2base64(s64, sizeof s64, sig, sizeof sig, sodium_base64_VARIANT_ORIGINAL);
    if (asprintf(&f, "%ssig %s\n", head, s64) < 0) f = NULL;
    free(head);
    *len = f ? strlen(f) : 0;
    return f;
}

static char *good_file(size_t *len)
{
    char *st = seat(KID, "{\"count\":3,\"head\":\"" H1 "\",\"at_ms\":10},{\"count\":5,\"head\":\"" H2 "\",\"at_ms\":20}");
    char *b = body(st, "{\"ticket\":\"T-1\",\"pack_id\":\"" PACK "\",\"state\":\"absent\",\"kiosk_id\":\"\",\"seat\":3,"
                       "\"first_seen_ms\":0,\"last_seen_ms\":0,\"extra_minutes\":0}");
    char *f = file_of(b, CSK, len);
    free(st);
    free(b);
    return f;
}

static void test_good_record(void **state)
{
    (void)state;
    size_t len;
    char *f = good_file(&len);
    roomrec r;
    char *why = NULL;
    assert_int_equal(roomrec_is((const uint8_t *)f, len), 1);
    assert_int_equal(roomrec_parse((const uint8_t *)f, len, &r, &why), 0);
    assert_string_equal(r.room, "01");
    assert_string_equal(r.site, "广州天河考点");
    assert_string_equal(r.console_pk_b64, CPKB64);
    assert_int_equal(r.npacks, 1);
    assert_int_equal(r.nseats, 1);
    assert_string_equal(r.seats[0].kiosk_id, KID);
    assert_int_equal(r.seats[0].nheads, 2);
    assert_true(r.seats[0].heads[1].count == 5 && r.seats[0].heads[1].head[0] == 0x22);
    assert_int_equal(r.seats[0].diverged, 0);
    assert_int_equal(r.ncands, 1);
    assert_string_equal(r.cands[0].state, "absent");
    assert_int_equal(r.nevents, 1);
    assert_int_equal(strlen(r.digest_hex), 64);
    assert_int_equal(roomrec_verify((const uint8_t *)f, len, &r), 0);
    /* a byte changed before the signature: it still reads, but no longer verifies */
    char *g = strdup(f);
    char *p = strstr(g, "\"made_at\":1767231000");
    p[12] = '1';
    roomrec r2;
    assert_int_equal(roomrec_parse((const uint8_t *)g, len, &r2, &why), 0);
    assert_int_equal(roomrec_verify((const uint8_t *)g, len, &r2), -1);
    roomrec_free(&r2);
    roomrec_free(&r);
    free(g);
    free(f);
}

/* a seat whose heads do not follow one another is taken as diverged */
static void test_heads_out_of_order_diverge(void **state)
{
    (void)state;
    const char *cases[] = {
        "{\"count\":5,\"head\":\"" H1 "\",\"at_ms\":10},{\"count\":3,\"head\":\"" H2 "\",\"at_ms\":20}",
        "{\"count\":5,\"head\":\"" H1 "\",\"at_ms\":10},{\"count\":5,\"head\":\"" H2 "\",\"at_ms\":20}",
    };
    for (int i = 0; i < 2; i++) {
        char *st = seat(KID, cases[i]), *b = body(st, "");
        size_t len;
        char *f = file_of(b, CSK, &len);
        roomrec r;
        char *why = NULL;
        assert_int_equal(roomrec_parse((const uint8_t *)f, len, &r, &why), 0);
        assert_int_equal(r.seats[0].diverged, 1);
        roomrec_free(&r);
        free(st);
        free(b);
        free(f);
    }
}

static void expect_refused(const char *f, size_t len, const char *reason)
{
    roomrec r;
    char *why = NULL;
    assert_int_equal(roomrec_parse((const uint8_t *)f, len, &r, &why), -1);
    assert_non_null(why);
    if (!strstr(why, reason)) fail_msg("expected \"%s\" in \"%s\"", reason, why);
    free(why);
    assert_int_equal(r.nseats, 0); /* nothing left behind */
}

static void test_malformed_refused(void **state)
{
    (void)state;
    size_t len;
    char *f = good_file(&len);
    expect_refused(f + 1, len - 1, "not a room record");
    expect_refused(f, len - 1, "the last line must be");          /* no final newline */
    char *extra = NULL;
    assert_true(asprintf(&extra, "%sx\n", f) > 0);
    expect_refused(extra, strlen(extra), "signature");           /* a line after the signature */
    free(extra);
    /* a body that is not what the contract says */
    struct { const char *seats, *cands, *reason; } bad[] = {
        {"{\"kiosk_id\":\"0000000000000000\"}", "", "seat 1 needs"},
        {NULL, "{\"ticket\":\"T 1\",\"pack_id\":\"\",\"state\":\"absent\",\"kiosk_id\":\"\",\"seat\":1,\"first_seen_ms\":0,"
               "\"last_seen_ms\":0,\"extra_minutes\":0}", "ticket must be"},
        {NULL, "{\"ticket\":\"T1\",\"pack_id\":\"\",\"state\":\"gone\",\"kiosk_id\":\"\",\"seat\":1,\"first_seen_ms\":0,"
               "\"last_seen_ms\":0,\"extra_minutes\":0}", "state must be sat, absent or not_seen"},
        {NULL, "{\"ticket\":\"T1\",\"pack_id\":\"\",\"state\":\"sat\",\"kiosk_id\":\"\",\"seat\":1,\"first_seen_ms\":0,"
               "\"last_seen_ms\":0,\"extra_minutes\":99999}", "extra_minutes"},
        {"{\"kiosk_id\":\"BAD\",\"seat\":2,\"device_pk\":\"00\",\"state\":\"confirmed\",\"first_contact\":1,\"last_contact\":2,"
         "\"heads\":[],\"diverged\":false}", "", "kiosk_id must be 16"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char *st = bad[i].seats ? NULL : seat(KID, "");
        char *b = body(bad[i].seats ? bad[i].seats : st, bad[i].cands);
        size_t l;
        char *g = file_of(b, CSK, &l);
        expect_refused(g, l, bad[i].reason);
        free(st);
        free(b);
        free(g);
    }
    /* a seat whose kiosk id is not its device key's */
    char *st = seat("0123456789abcdef", ""), *b = body(st, "");
    size_t l;
    char *g = file_of(b, CSK, &l);
    expect_refused(g, l, "is not its device key's");
    free(st);
    free(b);
    free(g);
    /* a duplicate key, and more packs than the bound */
    b = NULL;
    assert_true(asprintf(&b, "{\"room\":\"01\",\"room\":\"02\"}") > 0);
    g = file_of(b, CSK, &l);
    expect_refused(g, l, "not JSON");
    free(b);
    free(g);
    char packs[ROOMREC_MAX_PACKS * 40 + 64] = "";
    for (int i = 0; i <= ROOMREC_MAX_PACKS; i++) strcat(packs, i ? ",\"" PACK "\"" : "\"" PACK "\"");
    assert_true(asprintf(&b, "{\"site\":\"s\",\"room\":\"01\",\"console_pk\":\"%s\",\"made_at\":1,\"packs\":[%s],\"seats\":[],"
                             "\"candidates\":[],\"events\":[]}",
                         CPKB64, packs) > 0);
    g = file_of(b, CSK, &l);
    expect_refused(g, l, "an array of at most 64");
    free(b);
    free(g);
    free(f);
}

static void test_console_pub(void **state)
{
    (void)state;
    char text[128];
    snprintf(text, sizeof text, "exam-room-console-pub v1\nsign %s\n", CPKB64);
    uint8_t pk[32];
    char *why = NULL;
    assert_int_equal(roomrec_console_pub((const uint8_t *)text, strlen(text), pk, &why), 0);
    assert_memory_equal(pk, CPK, 32);
    const char *bad[] = {"exam-room-console-pub v1\nsign QUJD\n", "exam-device-key v1\nsign QUJD\n", "",
                         "exam-room-console-pub v1\nsign \n"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(roomrec_console_pub((const uint8_t *)bad[i], strlen(bad[i]), pk, &why), -1);
        free(why);
        why = NULL;
    }
    text[strlen(text) - 1] = 'x'; /* no final newline */
    assert_int_equal(roomrec_console_pub((const uint8_t *)text, strlen(text), pk, &why), -1);
    free(why);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_record),
        cmocka_unit_test(test_heads_out_of_order_diverge),
        cmocka_unit_test(test_malformed_refused),
        cmocka_unit_test(test_console_pub),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
