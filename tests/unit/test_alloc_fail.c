/* test_alloc_fail: the parsers when memory runs out. With the counting
 * allocator of test builds (core/alloc.h, -DEXAM_TEST_HOOKS), each parser
 * runs on a sample input with its 1st allocation failing, then its 2nd, its
 * 3rd, … until a run completes with no failure injected. Every failing run
 * must return an error, and free what it allocated: under `make asan`
 * LeakSanitizer reports any leak and ASan any crash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ALLOC_API_ONLY /* arm the allocator; this file itself calls libc */
#include "core/alloc.h"
#include "core/bank.h"
#include "core/blueprint.h"
#include "core/csv.h"
#include "core/diag.h"
#include "core/result.h"
#include "core/roster.h"
#include "core/xlsx.h"
#include "tests/tools/zipbuild.h"

#define SAMPLES "../../exam-packs/samples/"

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = 0;
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* the input of the parser under test */
static char *in;
static size_t inlen;

/* one run of a parser: 0 when it succeeded, nonzero when it returned an
 * error; frees everything either way */
typedef int (*run_fn)(void);

/* Runs F with allocation 1, 2, 3, … failing until a run injects no failure. */
static void every_allocation_fails(const char *what, run_fn f)
{
    long n;
    for (n = 1;; n++) {
        alloc_fail_at(n);
        int rc = f();
        int failed = alloc_failed();
        alloc_fail_at(0);
        if (!failed) {
            if (rc) fail_msg("%s: failed with no allocation failure injected (run %ld)", what, n);
            break;
        }
        if (!rc) fail_msg("%s: allocation %ld failed, yet the parser reported success", what, n);
    }
    assert_true(n > 1); /* the parser allocates at all: the allocator does count */
    print_message("%s: %ld allocations, each failed once\n", what, n - 1);
}

static int run_csv(void)
{
    csv_table t;
    long errline = 0;
    char *why = NULL;
    csv_rc rc = csv_parse(in, inlen, &t, &errline, &why);
    free(why);
    if (rc) return 1;
    csv_free(&t);
    return 0;
}

static int run_bank(void)
{
    bank b;
    diag d;
    diag_init(&d);
    int rc = bank_parse(in, inlen, &b, &d);
    diag_free(&d);
    if (rc) return 1;
    bank_free(&b);
    return 0;
}

static int run_blueprint(void)
{
    blueprint bp;
    diag d;
    diag_init(&d);
    int rc = blueprint_parse(in, inlen, &bp, &d);
    diag_free(&d);
    if (rc) return 1;
    blueprint_free(&bp);
    return 0;
}

static int run_roster(void)
{
    roster r;
    diag d;
    diag_init(&d);
    int rc = roster_parse_csv(in, inlen, &r, &d);
    diag_free(&d);
    if (rc) return 1;
    roster_free(&r);
    return 0;
}

static int run_result_parse(void)
{
    result_record r;
    char *why = NULL;
    result_rc rc = result_parse(in, inlen, &r, &why);
    free(why);
    if (rc) return 1;
    result_record_free(&r);
    return 0;
}

static void test_csv(void **state)
{
    (void)state;
    in = slurp(SAMPLES "practice.csv", &inlen);
    every_allocation_fails("csv_parse practice.csv", run_csv);
    free(in);
    in = slurp(SAMPLES "roster-4.csv", &inlen);
    every_allocation_fails("csv_parse roster-4.csv", run_csv);
    free(in);
}

static int run_xlsx(void)
{
    csv_table t;
    diag d;
    diag_init(&d);
    csv_rc rc = xlsx_parse(in, inlen, NULL, &t, &d);
    diag_free(&d);
    if (rc) return 1;
    csv_free(&t);
    return 0;
}

/* a workbook of shared and inline strings, rich text, a gap, a number, a date and styles: every
 * allocation of the reader and of expat (its memory goes through the reader's allocator) */
static void test_xlsx(void **state)
{
    (void)state;
    size_t len;
    unsigned char *z = zb_workbook(
        ZB_SHEET("<row r=\"1\"><c t=\"s\"><v>0</v></c><c t=\"inlineStr\"><is><t>received</t></is></c><c t=\"s\"><v>1</v></c></row>"
                 "<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><r><t>a</t></r><r><t>b_x000D_</t></r></is></c>"
                 "<c r=\"B3\"><v>45352</v></c><c r=\"D3\" s=\"1\"><v>0.30000000000000004</v></c></row>"),
        ZB_SST("<si><t>ticket</t></si><si><r><t>na</t></r><r><t>me</t></r><rPh><t>x</t></rPh></si>"),
        "<styleSheet><numFmts><numFmt numFmtId=\"164\" formatCode=\"yyyy-mm-dd\"/></numFmts>"
        "<cellXfs><xf numFmtId=\"0\"/><xf numFmtId=\"164\"/></cellXfs></styleSheet>",
        1, &len);
    in = (char *)z;
    inlen = len;
    every_allocation_fails("xlsx_parse", run_xlsx);
    free(z);
}

static void test_bank(void **state)
{
    (void)state;
    in = slurp(SAMPLES "practice.csv", &inlen);
    every_allocation_fails("bank_parse practice.csv", run_bank);
    free(in);
}

static void test_blueprint(void **state)
{
    (void)state;
    in = slurp(SAMPLES "practice.ini", &inlen);
    every_allocation_fails("blueprint_parse practice.ini", run_blueprint);
    free(in);
    in = slurp(SAMPLES "theory-4.ini", &inlen);
    every_allocation_fails("blueprint_parse theory-4.ini", run_blueprint);
    free(in);
}

static void test_roster(void **state)
{
    (void)state;
    in = slurp(SAMPLES "roster-4.csv", &inlen);
    every_allocation_fails("roster_parse_csv roster-4.csv", run_roster);
    free(in);
}

/* a signed roster file, read back by roster_read */
static uint8_t *rfile, rpk[32];
static size_t rlen;

static int run_roster_read(void)
{
    roster r;
    char *why = NULL;
    int rc = roster_read(rfile, rlen, rpk, &r, &why);
    free(why);
    if (rc) return 1;
    roster_free(&r);
    return 0;
}

static void test_roster_read(void **state)
{
    (void)state;
    assert_true(sodium_init() >= 0);
    uint8_t sk[64];
    crypto_sign_keypair(rpk, sk);
    in = slurp(SAMPLES "roster-4.csv", &inlen);
    roster src;
    diag d;
    diag_init(&d);
    assert_int_equal(roster_parse_csv(in, inlen, &src, &d), 0);
    assert_int_equal(roster_set_place(&src, "考点", NULL, &d), 0);
    diag_free(&d);
    src.kdf = (roster_kdf){ROSTER_KDF_MIN_OPS, ROSTER_KDF_MIN_MEM};
    char *why = NULL;
    assert_int_equal(roster_write(&src, sk, &rfile, &rlen, &why), 0);
    roster_free(&src);
    every_allocation_fails("roster_read roster-4", run_roster_read);
    free(rfile);
    free(in);
}

static void test_result_parse(void **state)
{
    (void)state;
    in = slurp("../fuzz/corpus/result/json.txt", &inlen);
    every_allocation_fails("result_parse json.txt", run_result_parse);
    free(in);
}

/* a sealed result, opened by result_open */
static uint8_t *sealed, bpk[crypto_box_PUBLICKEYBYTES], bsk[crypto_box_SECRETKEYBYTES];
static size_t sealed_len;

static int run_result_open(void)
{
    char *json = NULL, *why = NULL;
    uint8_t dpk[crypto_sign_PUBLICKEYBYTES];
    char rid[RESULT_ID_HEX];
    result_rc rc = result_open(sealed, sealed_len, bpk, bsk, &json, dpk, rid, &why);
    free(why);
    free(json);
    return rc != RESULT_OK;
}

static void test_result_open(void **state)
{
    (void)state;
    assert_true(sodium_init() >= 0);
    uint8_t dpk[crypto_sign_PUBLICKEYBYTES], dsk[crypto_sign_SECRETKEYBYTES];
    crypto_sign_keypair(dpk, dsk);
    crypto_box_keypair(bpk, bsk);
    in = slurp("../fuzz/corpus/result/json.txt", &inlen);
    char rid[RESULT_ID_HEX], receipt[RESULT_RECEIPT_BYTES];
    assert_int_equal(result_seal(in, dsk, bpk, &sealed, &sealed_len, rid, receipt), RESULT_OK);
    every_allocation_fails("result_open json.txt", run_result_open);
    free(sealed);
    free(in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv),         cmocka_unit_test(test_bank),
        cmocka_unit_test(test_blueprint),   cmocka_unit_test(test_roster),
        cmocka_unit_test(test_roster_read), cmocka_unit_test(test_result_parse),
        cmocka_unit_test(test_result_open), cmocka_unit_test(test_xlsx),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
