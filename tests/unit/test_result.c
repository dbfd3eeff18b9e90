/* Unit tests for core/result.c: the result record as JSON, signed with the
 * kiosk's device key and sealed to the results key (FORMAT.md §8, layout in
 * core/result.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ALLOC_API_ONLY /* arm the counting allocator; this file itself calls libc */
#include "core/alloc.h"
#include "core/csv.h"
#include "core/receipt.h"
#include "core/result.h"

static struct {
    uint8_t dpk[crypto_sign_PUBLICKEYBYTES], dsk[crypto_sign_SECRETKEYBYTES];    /* device */
    uint8_t dpk2[crypto_sign_PUBLICKEYBYTES], dsk2[crypto_sign_SECRETKEYBYTES];  /* another kiosk */
    uint8_t bpk[crypto_box_PUBLICKEYBYTES], bsk[crypto_box_SECRETKEYBYTES];      /* results key */
    uint8_t bpk2[crypto_box_PUBLICKEYBYTES], bsk2[crypto_box_SECRETKEYBYTES];    /* another one */
} K;

static int setup(void **state)
{
    (void)state;
    if (sodium_init() < 0) return -1;
    crypto_sign_keypair(K.dpk, K.dsk);
    crypto_sign_keypair(K.dpk2, K.dsk2);
    crypto_box_keypair(K.bpk, K.bsk);
    crypto_box_keypair(K.bpk2, K.bsk2);
    return 0;
}

/* ---- a small strict JSON checker (RFC 8259) ------------------------------------- */

typedef struct jp {
    const char *p, *end;
    int depth;
} jp;

static void ws(jp *j)
{
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')) j->p++;
}

static int is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

static int jstring(jp *j)
{
    if (j->p >= j->end || *j->p != '"') return 0;
    j->p++;
    while (j->p < j->end) {
        unsigned char c = (unsigned char)*j->p++;
        if (c == '"') return 1;
        if (c < 0x20) return 0; /* raw control characters are not allowed */
        if (c == '\\') {
            if (j->p >= j->end) return 0;
            char e = *j->p++;
            if (e == 'u') {
                for (int i = 0; i < 4; i++)
                    if (j->p >= j->end || !is_hex(*j->p++)) return 0;
            } else if (!strchr("\"\\/bfnrt", e) || !e)
                return 0;
        }
    }
    return 0;
}

static int jnumber(jp *j)
{
    const char *s = j->p;
    if (j->p < j->end && *j->p == '-') j->p++;
    if (j->p >= j->end) return 0;
    if (*j->p == '0') j->p++;
    else if (*j->p >= '1' && *j->p <= '9')
        while (j->p < j->end && *j->p >= '0' && *j->p <= '9') j->p++;
    else
        return 0;
    if (j->p < j->end && *j->p == '.') {
        j->p++;
        if (j->p >= j->end || *j->p < '0' || *j->p > '9') return 0;
        while (j->p < j->end && *j->p >= '0' && *j->p <= '9') j->p++;
    }
    if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
        j->p++;
        if (j->p < j->end && (*j->p == '+' || *j->p == '-')) j->p++;
        if (j->p >= j->end || *j->p < '0' || *j->p > '9') return 0;
        while (j->p < j->end && *j->p >= '0' && *j->p <= '9') j->p++;
    }
    return j->p > s;
}

static int jvalue(jp *j);

static int jcontainer(jp *j, char open, char close)
{
    if (++j->depth > 64) return 0;
    j->p++; /* open */
    (void)open;
    ws(j);
    if (j->p < j->end && *j->p == close) {
        j->p++;
        j->depth--;
        return 1;
    }
    for (;;) {
        ws(j);
        if (close == '}') {
            if (!jstring(j)) return 0;
            ws(j);
            if (j->p >= j->end || *j->p++ != ':') return 0;
            ws(j);
        }
        if (!jvalue(j)) return 0;
        ws(j);
        if (j->p >= j->end) return 0;
        if (*j->p == ',') { j->p++; continue; }
        if (*j->p == close) { j->p++; j->depth--; return 1; }
        return 0;
    }
}

static int jlit(jp *j, const char *lit)
{
    size_t n = strlen(lit);
    if ((size_t)(j->end - j->p) < n || memcmp(j->p, lit, n)) return 0;
    j->p += n;
    return 1;
}

static int jvalue(jp *j)
{
    ws(j);
    if (j->p >= j->end) return 0;
    switch (*j->p) {
    case '{': return jcontainer(j, '{', '}');
    case '[': return jcontainer(j, '[', ']');
    case '"': return jstring(j);
    case 't': return jlit(j, "true");
    case 'f': return jlit(j, "false");
    case 'n': return jlit(j, "null");
    default: return jnumber(j);
    }
}

/* valid JSON text whose top level is an object, and valid UTF-8 */
static int json_valid(const char *s)
{
    size_t n = strlen(s);
    if (!csv_utf8_valid(s, n, NULL)) return 0;
    jp j = {s, s + n, 0};
    ws(&j);
    if (j.p >= j.end || *j.p != '{') return 0;
    if (!jvalue(&j)) return 0;
    ws(&j);
    return j.p == j.end;
}

static void test_checker_self_test(void **state)
{
    (void)state;
    assert_true(json_valid("{}"));
    assert_true(json_valid("{\"a\":[1,-2.5e3,\"x\\u00e9\\n\",true,null,{}]}"));
    assert_false(json_valid("{\"a\":\"raw\nnewline\"}"));
    assert_false(json_valid("{\"a\":\"bad \\x escape\"}"));
    assert_false(json_valid("{\"a\":1,}"));
    assert_false(json_valid("{\"a\":01}"));
    assert_false(json_valid("{\"a\":\"unterminated}"));
    assert_false(json_valid("{\"a\":1} x"));
    assert_false(json_valid("{\"a\":\"\xe5\xbc\"}")); /* cut UTF-8 */
}

/* Decodes the JSON string value of the first "KEY": in JSON (malloc'd), or NULL. */
static char *json_string_of(const char *json, const char *key)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":\"", key);
    const char *p = strstr(json, pat);
    if (!p) return NULL;
    p += strlen(pat);
    char *out = malloc(strlen(p) + 1), *o = out;
    assert_non_null(out);
    while (*p && *p != '"') {
        if (*p != '\\') { *o++ = *p++; continue; }
        p++;
        switch (*p) {
        case 'n': *o++ = '\n'; break;
        case 't': *o++ = '\t'; break;
        case 'r': *o++ = '\r'; break;
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'u': {
            unsigned v = 0;
            sscanf(p + 1, "%4x", &v);
            assert_true(v < 0x80); /* only control characters are escaped this way here */
            *o++ = (char)v;
            p += 4;
            break;
        }
        default: *o++ = *p;
        }
        p++;
    }
    *o = 0;
    return out;
}

/* ---- records ----------------------------------------------------------------------- */

#define TRICKY "张\"三\\李\n四\t\x01\x1f\r\x7f/五"
/* hand-written: how TRICKY must appear inside the JSON string literal */
#define TRICKY_JSON "张\\\"三\\\\李\\n四\\t\\u0001\\u001f\\u000d\x7f/五"

static const result_item ITEMS[] = {
    {"J1", QT_JUDGE, "T", 10, 10, 0, 0},
    {"M-2", QT_MULTI, "AC", 20, 0, 0, 1},
    {"F3", QT_FILL, "SEO\x1f" "搜索\"引擎\"", 40, 20, 0, 0},
    {"E4", QT_ESSAY, "第一段\n第二段\\结束", 100, 0, 1, 0},
    {"N5", QT_NUMERIC, "", 30, 0, 0, 0},
};
static const result_irregularity IRR[] = {
    {"technical", "断电\n重启", 123456},
    {"candidate", "说\"话\"", 7},
};
static const result_extension EXT[] = {
    {5, "设备故障", 600000, 0},
    {12, "其他：\"停电\"", 1800000, 1}, /* planned: the roster's accommodation (the record does not judge the reason) */
};

/* the sitting of the sample record, and of the sample input it is built from */
static result_head sample_head(void)
{
    result_head h = {
        .session_id = "0123456789abcdef0123456789abcdef",
        .kiosk_id = "00112233aabbccdd",
        .site = "广州考点",
        .room = "01\"室",
        .seat = 17,
        .pack_id = "ffeeddccbbaa99887766554433221100",
        .title = "电子商务师（四级）\\理论",
        .kind = "theory",
        .level = 4,
        .ticket = "2026114401001",
        .name = TRICKY,
        .status = "submitted",
        .started_wall = 1767225600,
        .submitted_wall = 1767231000,
        .elapsed_ms = 5400000,
        .extra_ms = 300000,
        .focus_losses = 3,
        .irregularities = IRR,
        .nirregularities = 2,
        .extensions = EXT,
        .nextensions = 2,
    };
    return h;
}

static result_rec sample_rec(void)
{
    result_rec r = {
        .head = sample_head(),
        .score = 855,
        .total_points = 1000,
        .pass = 60,
        .pending = 1,
        .seed_hex = "aa55",
        .items = ITEMS,
        .nitems = (int)(sizeof ITEMS / sizeof *ITEMS),
        .journal_head_hex = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        .journal_count = 42,
    };
    return r;
}

static void assert_contains(const char *hay, const char *needle)
{
    if (!strstr(hay, needle)) fail_msg("JSON lacks %s\n  in %s", needle, hay);
}

static void test_json_fields_and_escaping(void **state)
{
    (void)state;
    result_rec r = sample_rec();
    char *j = result_json(&r);
    assert_non_null(j);
    if (!json_valid(j)) fail_msg("not valid JSON: %s", j);
    /* every top-level field, with its value */
    assert_contains(j, "{\"v\":1,");
    assert_contains(j, "\"session\":\"0123456789abcdef0123456789abcdef\"");
    assert_contains(j, "\"kiosk\":\"00112233aabbccdd\"");
    assert_contains(j, "\"site\":\"广州考点\"");
    assert_contains(j, "\"room\":\"01\\\"室\"");
    assert_contains(j, "\"seat\":17,");
    assert_contains(j, "\"pack_id\":\"ffeeddccbbaa99887766554433221100\"");
    assert_contains(j, "\"title\":\"电子商务师（四级）\\\\理论\"");
    assert_contains(j, "\"kind\":\"theory\"");
    assert_contains(j, "\"level\":4,");
    assert_contains(j, "\"ticket\":\"2026114401001\"");
    assert_contains(j, "\"name\":\"" TRICKY_JSON "\"");
    assert_contains(j, "\"status\":\"submitted\"");
    assert_contains(j, "\"score\":\"85.5\"");
    assert_contains(j, "\"score_tenths\":855,");
    assert_contains(j, "\"total_tenths\":1000,");
    assert_contains(j, "\"pass\":60,");
    assert_contains(j, "\"passed\":0,"); /* 85.5 ≥ 60 but an item awaits marking */
    assert_contains(j, "\"pending\":1,");
    assert_contains(j, "\"seed\":\"aa55\"");
    assert_contains(j, "\"started_at\":1767225600,");
    assert_contains(j, "\"submitted_at\":1767231000,");
    assert_contains(j, "\"elapsed_ms\":5400000,");
    assert_contains(j, "\"extra_ms\":300000,");
    assert_contains(j, "\"focus_losses\":3,");
    assert_contains(j, "\"journal_head\":\"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\"");
    assert_contains(j, "\"journal_count\":42}");
    /* items, in order, with every field */
    assert_contains(j, "\"items\":[{\"n\":1,\"id\":\"J1\",\"type\":\"judge\",\"response\":\"T\",\"points\":10,"
                       "\"score\":10,\"flagged\":0,\"pending\":0}");
    assert_contains(j, "{\"n\":2,\"id\":\"M-2\",\"type\":\"multi\",\"response\":\"AC\",\"points\":20,\"score\":0,"
                       "\"flagged\":1,\"pending\":0}");
    assert_contains(j, "{\"n\":3,\"id\":\"F3\",\"type\":\"fill\",\"response\":\"SEO\\u001f搜索\\\"引擎\\\"\"");
    assert_contains(j, "{\"n\":4,\"id\":\"E4\",\"type\":\"essay\",\"response\":\"第一段\\n第二段\\\\结束\",\"points\":100,"
                       "\"score\":0,\"flagged\":0,\"pending\":1}");
    assert_contains(j, "{\"n\":5,\"id\":\"N5\",\"type\":\"numeric\",\"response\":\"\",");
    assert_contains(j, "\"irregularities\":[{\"category\":\"technical\",\"note\":\"断电\\n重启\",\"at_ms\":123456},"
                       "{\"category\":\"candidate\",\"note\":\"说\\\"话\\\"\",\"at_ms\":7}]");
    assert_contains(j, "\"extensions\":[{\"minutes\":5,\"reason\":\"设备故障\",\"at_ms\":600000,\"planned\":0},"
                       "{\"minutes\":12,\"reason\":\"其他：\\\"停电\\\"\",\"at_ms\":1800000,\"planned\":1}]");
    /* decoding the escaped strings gives the originals back */
    char *name = json_string_of(j, "name");
    assert_non_null(name);
    assert_string_equal(name, TRICKY);
    free(name);
    char *title = json_string_of(j, "title");
    assert_string_equal(title, r.head.title);
    free(title);
    /* no raw control character anywhere */
    for (const char *p = j; *p; p++) assert_true((unsigned char)*p >= 0x20);
    free(j);
}

static void test_json_every_control_char(void **state)
{
    (void)state;
    char s[40];
    for (int c = 1; c < 0x20; c++) s[c - 1] = (char)c;
    s[31] = 0;
    result_rec r = sample_rec();
    r.head.name = s;
    char *j = result_json(&r);
    assert_true(json_valid(j));
    char *back = json_string_of(j, "name");
    assert_string_equal(back, s);
    free(back);
    free(j);
}

static void test_json_passed_and_edge_values(void **state)
{
    (void)state;
    result_rec r = sample_rec();
    r.pending = 0;
    r.score = 600; /* exactly the pass mark */
    char *j = result_json(&r);
    assert_contains(j, "\"score\":\"60\"");
    assert_contains(j, "\"passed\":1,");
    free(j);
    r.score = 599;
    j = result_json(&r);
    assert_contains(j, "\"score\":\"59.9\"");
    assert_contains(j, "\"passed\":0,");
    free(j);
    /* absent: no items, no irregularities, NULL strings become "" */
    result_rec a = {.head.status = "absent", .pass = 60, .total_points = 1000};
    j = result_json(&a);
    assert_non_null(j);
    assert_true(json_valid(j));
    assert_contains(j, "\"status\":\"absent\"");
    assert_contains(j, "\"name\":\"\"");
    assert_contains(j, "\"score\":\"0\"");
    assert_contains(j, "\"items\":[],\"irregularities\":[],\"extensions\":[],");
    free(j);
    /* large numbers */
    r.head.started_wall = INT64_MAX;
    r.head.elapsed_ms = -1;
    j = result_json(&r);
    assert_true(json_valid(j));
    assert_contains(j, "\"started_at\":9223372036854775807,");
    assert_contains(j, "\"elapsed_ms\":-1,");
    free(j);
}

/* A long text (an essay of many KB) is kept whole. */
static void test_json_long_response(void **state)
{
    (void)state;
    size_t n = 30000;
    char *essay = malloc(n * 3 + 1);
    for (size_t i = 0; i < n; i++) memcpy(essay + 3 * i, "论", 3);
    essay[n * 3] = 0;
    result_item it = {"E1", QT_ESSAY, essay, 100, 0, 1, 0};
    result_rec r = sample_rec();
    r.items = &it;
    r.nitems = 1;
    char *j = result_json(&r);
    assert_true(json_valid(j));
    char *back = json_string_of(j, "response");
    assert_string_equal(back, essay);
    free(back);
    free(j);
    free(essay);
}

/* The writer stops at RESULT_MAX_JSON, the most result_seal seals: a record
 * whose text would be longer gives NULL; one of exactly that length is
 * written whole, and sealed. */
static void test_json_limit(void **state)
{
    (void)state;
    result_rec r = sample_rec();
    r.head.site = "";
    char *j = result_json(&r);
    assert_non_null(j);
    size_t base = strlen(j);
    free(j);
    size_t n = RESULT_MAX_JSON - base;
    char *site = malloc(n + 2);
    assert_non_null(site);
    memset(site, 'a', n + 1);
    site[n] = 0;
    r.head.site = site;
    j = result_json(&r);
    assert_non_null(j);
    assert_int_equal(strlen(j), RESULT_MAX_JSON);
    uint8_t *sealed = NULL;
    size_t len = 0;
    char rid[RESULT_ID_HEX], receipt[RESULT_RECEIPT_BYTES];
    assert_int_equal(result_seal(j, K.dsk, K.bpk, &sealed, &len, rid, receipt), RESULT_OK);
    free(sealed);
    free(j);
    site[n] = 'a';
    site[n + 1] = 0; /* one byte more */
    assert_null(result_json(&r));
    free(site);
}

/* With each of the writer's allocations failing in turn, result_json
 * returns NULL (never a truncated text) and frees what it had; with none
 * failing, the same text as before. */
static void test_json_out_of_memory(void **state)
{
    (void)state;
    result_rec r = sample_rec();
    char *want = result_json(&r);
    assert_non_null(want);
    long n;
    for (n = 1;; n++) {
        alloc_fail_at(n);
        char *j = result_json(&r);
        int failed = alloc_failed();
        alloc_fail_at(0);
        if (!failed) {
            assert_string_equal(j, want);
            free(j);
            break;
        }
        assert_null(j);
    }
    assert_true(n > 1); /* it allocates, through the counting allocator */
    free(want);
}

/* ---- seal and open ------------------------------------------------------------------ */

static const char B32[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

static void seal(const char *json, uint8_t **sealed, size_t *len, char rid[RESULT_ID_HEX],
                 char receipt[RESULT_RECEIPT_BYTES])
{
    assert_int_equal(result_seal(json, K.dsk, K.bpk, sealed, len, rid, receipt), 0);
}

static int open_(const uint8_t *sealed, size_t len, const uint8_t *bpk, const uint8_t *bsk, char **json,
                 uint8_t dpk[32], char rid[RESULT_ID_HEX])
{
    char *why = NULL;
    int rc = result_open(sealed, len, bpk, bsk, json, dpk, rid, &why);
    if (rc) {
        assert_non_null(why); /* every refusal says why */
        assert_null(*json);
    }
    free(why);
    return rc;
}

static int parse_plain(const uint8_t *plain, size_t len, char **json)
{
    uint8_t dpk[32];
    char rid[RESULT_ID_HEX];
    char *why = NULL;
    int rc = result_parse_plain(plain, len, json, dpk, rid, &why);
    if (rc) {
        assert_non_null(why);
        assert_null(*json);
    }
    free(why);
    return rc;
}

static void test_seal_open_round_trip(void **state)
{
    (void)state;
    result_rec r = sample_rec();
    char *j = result_json(&r);
    uint8_t *sealed;
    size_t len;
    char rid[RESULT_ID_HEX], receipt[RESULT_RECEIPT_BYTES];
    seal(j, &sealed, &len, rid, receipt);
    assert_int_equal(len, RESULT_HEADER_BYTES + strlen(j) + crypto_box_SEALBYTES);
    /* sealed: the JSON is not visible */
    assert_null(memmem(sealed, len, "2026114401001", 13));
    assert_null(memmem(sealed, len, "\"status\"", 8));

    char *back = NULL, rid2[RESULT_ID_HEX];
    uint8_t dpk[32];
    assert_int_equal(open_(sealed, len, K.bpk, K.bsk, &back, dpk, rid2), 0);
    assert_string_equal(back, j);
    assert_memory_equal(dpk, K.dpk, 32);
    assert_string_equal(rid2, rid);
    assert_int_equal(strlen(rid), 32);
    for (const char *p = rid; *p; p++) assert_non_null(strchr("0123456789abcdef", *p));
    free(back);

    /* sealing again: other ciphertext (fresh ephemeral key), same signed
     * record, hence the same result id and receipt */
    uint8_t *sealed2;
    size_t len2;
    char rid3[RESULT_ID_HEX], receipt3[RESULT_RECEIPT_BYTES];
    seal(j, &sealed2, &len2, rid3, receipt3);
    assert_int_equal(len2, len);
    assert_memory_not_equal(sealed2, sealed, len);
    assert_string_equal(rid3, rid);
    assert_string_equal(receipt3, receipt);
    free(sealed2);

    /* another kiosk sealing the same JSON: another id, its own key inside */
    char rid4[RESULT_ID_HEX], receipt4[RESULT_RECEIPT_BYTES];
    assert_int_equal(result_seal(j, K.dsk2, K.bpk, &sealed2, &len2, rid4, receipt4), 0);
    assert_string_not_equal(rid4, rid);
    assert_int_equal(open_(sealed2, len2, K.bpk, K.bsk, &back, dpk, rid2), 0);
    assert_memory_equal(dpk, K.dpk2, 32);
    assert_string_equal(rid2, rid4);
    free(back);
    free(sealed2);
    free(sealed);
    free(j);
}

static void test_receipt(void **state)
{
    (void)state;
    for (int n = 0; n < 20; n++) {
        char json[64];
        snprintf(json, sizeof json, "{\"n\":%d}", n);
        uint8_t *sealed;
        size_t len;
        char rid[RESULT_ID_HEX], receipt[RESULT_RECEIPT_BYTES];
        seal(json, &sealed, &len, rid, receipt);
        free(sealed);
        /* XXXX-XXXX in Crockford base32 (no I L O U) */
        assert_int_equal(strlen(receipt), 9);
        assert_int_equal(receipt[4], '-');
        for (int i = 0; i < 9; i++)
            if (i != 4) assert_non_null(memchr(B32, receipt[i], 32));
        /* and it is the first 40 bits of the same hash as the result id */
        uint64_t v = 0;
        for (int i = 0; i < 5; i++) {
            unsigned b;
            assert_int_equal(sscanf(rid + 2 * i, "%2x", &b), 1);
            v = v << 8 | b;
        }
        char want[10];
        for (int i = 0, o = 0; i < 8; i++) {
            if (i == 4) want[o++] = '-';
            want[o++] = B32[(v >> (35 - 5 * i)) & 31];
            want[o] = 0;
        }
        assert_string_equal(receipt, want);
    }
}

static void test_flipped_byte_refused(void **state)
{
    (void)state;
    result_rec r = sample_rec();
    r.nitems = 2;
    char *j = result_json(&r);
    uint8_t *sealed;
    size_t len;
    char rid[RESULT_ID_HEX], receipt[RESULT_RECEIPT_BYTES];
    seal(j, &sealed, &len, rid, receipt);
    for (size_t i = 0; i < len; i++) {
        for (int bit = 0; bit < 8; bit += 7) {
            sealed[i] ^= (uint8_t)(1u << bit);
            char *back = NULL, rid2[RESULT_ID_HEX];
            uint8_t dpk[32];
            if (open_(sealed, len, K.bpk, K.bsk, &back, dpk, rid2) == 0)
                fail_msg("a sealed result with byte %zu changed was accepted", i);
            sealed[i] ^= (uint8_t)(1u << bit);
        }
    }
    /* truncated or extended */
    for (size_t n = 0; n < len; n += (n < 200 ? 1 : 37)) {
        char *back = NULL, rid2[RESULT_ID_HEX];
        uint8_t dpk[32];
        /* too short for any record, or cut: not decryptable */
        assert_int_equal(open_(sealed, n, K.bpk, K.bsk, &back, dpk, rid2),
                         n < crypto_box_SEALBYTES + RESULT_HEADER_BYTES ? RESULT_BAD_SIZE : RESULT_UNDECRYPTABLE);
    }
    uint8_t *longer = malloc(len + 1);
    memcpy(longer, sealed, len);
    longer[len] = 0;
    char *back = NULL, rid2[RESULT_ID_HEX];
    uint8_t dpk[32];
    assert_int_equal(open_(longer, len + 1, K.bpk, K.bsk, &back, dpk, rid2), RESULT_UNDECRYPTABLE);
    free(longer);
    /* untouched, it still opens */
    assert_int_equal(open_(sealed, len, K.bpk, K.bsk, &back, dpk, rid2), 0);
    free(back);
    free(sealed);
    free(j);
}

static void test_other_results_key_refused(void **state)
{
    (void)state;
    uint8_t *sealed;
    size_t len;
    char rid[RESULT_ID_HEX], receipt[RESULT_RECEIPT_BYTES];
    seal("{\"v\":1}", &sealed, &len, rid, receipt);
    char *back = NULL, rid2[RESULT_ID_HEX];
    uint8_t dpk[32];
    assert_int_equal(open_(sealed, len, K.bpk2, K.bsk2, &back, dpk, rid2), RESULT_UNDECRYPTABLE);
    assert_int_equal(open_(sealed, len, K.bpk, K.bsk2, &back, dpk, rid2), RESULT_UNDECRYPTABLE); /* mixed pair */
    assert_int_equal(open_(sealed, len, K.bpk2, K.bsk, &back, dpk, rid2), RESULT_UNDECRYPTABLE);
    assert_int_equal(open_(sealed, len, K.bpk, K.bsk, &back, dpk, rid2), 0);
    free(back);
    free(sealed);
}

/* ---- the signed plaintext ------------------------------------------------------------ */

/* Builds a plaintext record by hand (layout of result.h), signed with SK
 * over bytes 0..43 ‖ JSON, with the public key PK in the header. */
static uint8_t *make_plain(const char *magic, const uint8_t version[4], const uint8_t *pk, const uint8_t *sk,
                           const char *json, size_t jl, size_t *len)
{
    *len = RESULT_HEADER_BYTES + jl;
    uint8_t *p = malloc(*len);
    assert_non_null(p);
    memcpy(p, magic, 8);
    memcpy(p + 8, version, 4);
    memcpy(p + 12, pk, 32);
    memcpy(p + RESULT_HEADER_BYTES, json, jl);
    crypto_sign_state st;
    crypto_sign_init(&st);
    crypto_sign_update(&st, p, 44);
    crypto_sign_update(&st, (const uint8_t *)json, jl);
    crypto_sign_final_create(&st, p + 44, NULL, sk);
    return p;
}

static const uint8_t V1[4] = {1, 0, 0, 0};

static void test_plain_matches_sealed(void **state)
{
    (void)state;
    const char *j = "{\"name\":\"王五\"}";
    uint8_t *sealed;
    size_t len;
    char rid[RESULT_ID_HEX], receipt[RESULT_RECEIPT_BYTES];
    seal(j, &sealed, &len, rid, receipt);
    /* what is inside the box is exactly the documented layout */
    size_t pl;
    uint8_t *mine = make_plain("EXRESULT", V1, K.dpk, K.dsk, j, strlen(j), &pl);
    uint8_t *inside = malloc(len - crypto_box_SEALBYTES);
    assert_int_equal(crypto_box_seal_open(inside, sealed, len, K.bpk, K.bsk), 0);
    assert_int_equal(len - crypto_box_SEALBYTES, pl);
    assert_memory_equal(inside, mine, pl); /* Ed25519 signatures are deterministic */
    char *back = NULL, rid2[RESULT_ID_HEX];
    uint8_t dpk[32];
    char *why = NULL;
    assert_int_equal(result_parse_plain(mine, pl, &back, dpk, rid2, &why), 0);
    assert_string_equal(back, j);
    assert_string_equal(rid2, rid);
    assert_memory_equal(dpk, K.dpk, 32);
    free(back);
    free(inside);
    free(mine);
    free(sealed);
}

static void test_plain_bad_signature(void **state)
{
    (void)state;
    const char *j = "{\"score_tenths\":855}";
    size_t pl;
    uint8_t *p = make_plain("EXRESULT", V1, K.dpk, K.dsk, j, strlen(j), &pl);
    char *back = NULL;
    assert_int_equal(parse_plain(p, pl, &back), 0);
    free(back);
    /* any single changed byte: magic, version, key, signature or JSON */
    for (size_t i = 0; i < pl; i++) {
        p[i] ^= 0x02;
        if (parse_plain(p, pl, &back) == 0) fail_msg("plain record with byte %zu changed accepted", i);
        p[i] ^= 0x02;
    }
    free(p);
    /* signed by another key than the one it names */
    p = make_plain("EXRESULT", V1, K.dpk, K.dsk2, j, strlen(j), &pl);
    assert_int_equal(parse_plain(p, pl, &back), RESULT_BAD_SIGNATURE);
    free(p);
    /* a forger who swaps in his own key and re-signs gets a valid record,
     * but it names his key, not the kiosk's (the hub checks enrolment) */
    p = make_plain("EXRESULT", V1, K.dpk2, K.dsk2, j, strlen(j), &pl);
    uint8_t dpk[32];
    char rid[RESULT_ID_HEX], *why = NULL;
    assert_int_equal(result_parse_plain(p, pl, &back, dpk, rid, &why), 0);
    assert_memory_equal(dpk, K.dpk2, 32);
    free(back);
    free(p);
}

static void test_plain_magic_version(void **state)
{
    (void)state;
    const char *j = "{}";
    size_t pl;
    char *back = NULL;
    /* correctly signed, but not a result record */
    uint8_t *p = make_plain("EXRESULX", V1, K.dpk, K.dsk, j, 2, &pl);
    assert_int_equal(parse_plain(p, pl, &back), RESULT_BAD_MAGIC);
    free(p);
    p = make_plain("EXROSTER", V1, K.dpk, K.dsk, j, 2, &pl);
    assert_int_equal(parse_plain(p, pl, &back), RESULT_BAD_MAGIC);
    free(p);
    /* correctly signed, other versions */
    const uint8_t versions[][4] = {{0, 0, 0, 0}, {2, 0, 0, 0}, {1, 0, 0, 1}, {1, 1, 0, 0}, {0xff, 0xff, 0xff, 0xff}};
    for (size_t i = 0; i < sizeof versions / sizeof *versions; i++) {
        p = make_plain("EXRESULT", versions[i], K.dpk, K.dsk, j, 2, &pl);
        assert_int_equal(parse_plain(p, pl, &back), RESULT_BAD_VERSION);
        free(p);
    }
    p = make_plain("EXRESULT", V1, K.dpk, K.dsk, j, 2, &pl);
    assert_int_equal(parse_plain(p, pl, &back), 0);
    free(back);
    free(p);
}

static void test_plain_truncated(void **state)
{
    (void)state;
    const char *j = "{\"a\":\"考试\"}";
    size_t pl;
    uint8_t *p = make_plain("EXRESULT", V1, K.dpk, K.dsk, j, strlen(j), &pl);
    char *back = NULL;
    for (size_t n = 0; n < pl; n++) {
        /* a heap copy of exactly n bytes, so that ASan sees any over-read */
        uint8_t *c = malloc(n ? n : 1);
        memcpy(c, p, n);
        int rc = parse_plain(c, n, &back);
        if (rc == 0) fail_msg("plain record cut to %zu bytes accepted", n);
        /* shorter than the header: not a record; else the signature breaks */
        assert_int_equal(rc, n < RESULT_HEADER_BYTES ? RESULT_BAD_MAGIC : RESULT_BAD_SIGNATURE);
        free(c);
    }
    free(p);
}

static void test_plain_json_must_be_text(void **state)
{
    (void)state;
    size_t pl;
    char *back = NULL;
    /* signed, but with a NUL inside the JSON */
    uint8_t *p = make_plain("EXRESULT", V1, K.dpk, K.dsk, "{\"a\":1}\0x", 9, &pl);
    assert_int_equal(parse_plain(p, pl, &back), RESULT_NOT_TEXT);
    free(p);
    /* signed, but not UTF-8 */
    p = make_plain("EXRESULT", V1, K.dpk, K.dsk, "{\"a\":\"\xc3\x28\"}", 10, &pl);
    assert_int_equal(parse_plain(p, pl, &back), RESULT_NOT_TEXT);
    free(p);
}

/* Regression test, bug fixed (core/result.c, result_json / result_seal): result_json copies bytes
 * ≥ 0x20 of every string unchanged, so a field holding invalid UTF-8 (a
 * site name cut in the middle of a character, a response typed with bytes
 * that are not UTF-8) gives JSON that is not UTF-8. result_seal signs and
 * seals it without complaint, but result_open / result_parse_plain refuse
 * it ("result JSON is not UTF-8 text"): the kiosk hands the candidate a
 * receipt for a result the hub can never read. Expected: what result_seal
 * accepts, result_open opens (result_json escapes or replaces bad bytes, or
 * result_json / result_seal refuse). */
static void test_invalid_utf8_field_still_opens(void **state)
{
    (void)state;
    result_rec r = sample_rec();
    r.head.site = "广州\xe8\x80"; /* "广州考" cut inside 考 */
    char *j = result_json(&r);
    uint8_t *sealed = NULL;
    size_t len = 0;
    char rid[RESULT_ID_HEX], receipt[RESULT_RECEIPT_BYTES];
    if (!j || result_seal(j, K.dsk, K.bpk, &sealed, &len, rid, receipt) != 0) {
        free(j); /* refused up front: acceptable */
        return;
    }
    char *back = NULL, rid2[RESULT_ID_HEX];
    uint8_t dpk[32];
    int rc = open_(sealed, len, K.bpk, K.bsk, &back, dpk, rid2);
    free(back);
    free(sealed);
    free(j);
    if (rc != 0) fail_msg("regression: a result sealed by result_seal cannot be opened (invalid UTF-8 in a field)");
}

/* ---- kiosk id ---------------------------------------------------------------------- */

static void test_kiosk_id(void **state)
{
    (void)state;
    char a[17], b[17], c[17];
    memset(a, 'z', sizeof a);
    result_kiosk_id(K.dpk, a);
    assert_int_equal(strlen(a), 16);
    for (int i = 0; i < 16; i++) assert_non_null(strchr("0123456789abcdef", a[i]));
    result_kiosk_id(K.dpk, b);
    assert_string_equal(a, b); /* stable */
    uint8_t pk[32];
    memcpy(pk, K.dpk, 32);
    pk[31] ^= 1;
    result_kiosk_id(pk, c);
    assert_string_not_equal(a, c);
    result_kiosk_id(K.dpk2, c);
    assert_string_not_equal(a, c);
    /* a fixed key always gives the same id (it must not depend on anything else) */
    uint8_t zero[32] = {0};
    result_kiosk_id(zero, a);
    result_kiosk_id(zero, b);
    assert_string_equal(a, b);
    assert_int_equal(strlen(a), 16);
}

/* ---- result codes ---------------------------------------------------------------- */

static void test_strerror(void **state)
{
    (void)state;
    assert_int_equal(RESULT_OK, 0);
    for (int i = 0; i < RESULT_RC_COUNT; i++) {
        const char *a = result_strerror((result_rc)i);
        assert_non_null(a);
        assert_string_not_equal(a, "unknown result code");
        for (int k = 0; k < i; k++) assert_string_not_equal(a, result_strerror((result_rc)k)); /* distinct */
    }
    assert_string_equal(result_strerror(RESULT_BAD_SIGNATURE), "bad signature");
    assert_string_equal(result_strerror(RESULT_RC_COUNT), "unknown result code");
    assert_string_equal(result_strerror((result_rc)-1), "unknown result code");
}

static void test_seal_too_big(void **state)
{
    (void)state;
    char *big = malloc(RESULT_MAX_JSON + 2);
    memset(big, ' ', RESULT_MAX_JSON + 1);
    big[RESULT_MAX_JSON + 1] = 0;
    uint8_t *sealed = (uint8_t *)"untouched";
    size_t len = 7;
    char rid[RESULT_ID_HEX], receipt[RESULT_RECEIPT_BYTES];
    assert_int_equal(result_seal(big, K.dsk, K.bpk, &sealed, &len, rid, receipt), RESULT_TOO_BIG);
    assert_string_equal((char *)sealed, "untouched");
    free(big);
}

/* ---- result_parse: the one reader ------------------------------------------------ */

static result_rc parse(const char *json, result_record *out)
{
    char *why = NULL;
    result_rc rc = result_parse(json, strlen(json), out, &why);
    if (rc) {
        assert_non_null(why); /* every refusal says why */
        assert_null(out->mem);
    } else {
        assert_null(why);
    }
    free(why);
    return rc;
}

static void test_parse_round_trip(void **state)
{
    (void)state;
    result_rec r = sample_rec();
    char *j = result_json(&r);
    result_record p;
    assert_int_equal(parse(j, &p), RESULT_OK);
    assert_int_equal(p.v, 1);
    const result_rec *q = &p.rec;
    assert_string_equal(q->head.session_id, r.head.session_id);
    assert_string_equal(q->head.kiosk_id, r.head.kiosk_id);
    assert_string_equal(q->head.site, r.head.site);
    assert_string_equal(q->head.room, r.head.room);
    assert_int_equal(q->head.seat, 17);
    assert_string_equal(q->head.pack_id, r.head.pack_id);
    assert_string_equal(q->head.title, r.head.title);
    assert_string_equal(q->head.kind, "theory");
    assert_int_equal(q->head.level, 4);
    assert_string_equal(q->head.ticket, r.head.ticket);
    assert_string_equal(q->head.name, TRICKY);
    assert_string_equal(q->head.status, "submitted");
    assert_int_equal(q->score, 855);
    assert_int_equal(q->total_points, 1000);
    assert_int_equal(q->pass, 60);
    assert_int_equal(q->passed, 0); /* one item pending */
    assert_int_equal(q->pending, 1);
    assert_string_equal(q->seed_hex, "aa55");
    assert_true(q->head.started_wall == 1767225600 && q->head.submitted_wall == 1767231000);
    assert_true(q->head.elapsed_ms == 5400000 && q->head.extra_ms == 300000 && q->journal_count == 42);
    assert_int_equal(q->head.focus_losses, 3);
    assert_string_equal(q->journal_head_hex, r.journal_head_hex);
    assert_int_equal(q->nitems, r.nitems);
    for (int i = 0; i < r.nitems; i++) {
        assert_string_equal(q->items[i].id, r.items[i].id);
        assert_int_equal(q->items[i].type, r.items[i].type);
        assert_string_equal(q->items[i].response, r.items[i].response);
        assert_int_equal(q->items[i].points, r.items[i].points);
        assert_int_equal(q->items[i].score, r.items[i].score);
        assert_int_equal(q->items[i].pending, r.items[i].pending);
        assert_int_equal(q->items[i].flagged, r.items[i].flagged);
    }
    assert_int_equal(q->head.nirregularities, 2);
    assert_string_equal(q->head.irregularities[0].note, "断电\n重启");
    assert_true(q->head.irregularities[0].mono_ms == 123456);
    assert_string_equal(q->head.irregularities[1].category, "candidate");
    assert_int_equal(q->head.nextensions, 2);
    assert_int_equal(q->head.extensions[1].minutes, 12);
    assert_string_equal(q->head.extensions[1].reason, "其他：\"停电\"");
    assert_true(q->head.extensions[0].at_ms == 600000);
    assert_int_equal(q->head.extensions[0].planned, 0);
    assert_int_equal(q->head.extensions[1].planned, 1);
    /* the writer and the reader share one field table: written again, the
     * same bytes */
    char *again = result_json(q);
    assert_string_equal(again, j);
    free(again);
    result_record_free(&p);
    assert_null(p.mem);
    result_record_free(&p); /* twice is harmless */
    /* a record of an older kiosk has no "planned": read as the invigilator's (0) */
    char *old = strdup(j), *at;
    assert_non_null(old);
    while ((at = strstr(old, ",\"planned\":"))) memmove(at, at + 12, strlen(at + 12) + 1);
    assert_null(strstr(old, "planned"));
    assert_int_equal(parse(old, &p), RESULT_OK);
    assert_int_equal(p.rec.head.nextensions, 2);
    assert_int_equal(p.rec.head.extensions[1].planned, 0);
    assert_int_equal(p.rec.head.extensions[1].minutes, 12);
    result_record_free(&p);
    free(old);
    free(j);
}

/* a record with every required field; FIELD replaced by VALUE (NULL: left out) */
static char *record_with(const char *field, const char *value)
{
    static const char *const F[][2] = {
        {"v", "1"}, {"session", "\"s1\""}, {"kiosk", "\"00112233aabbccdd\""}, {"pack_id", "\"p1\""},
        {"title", "\"T\""}, {"kind", "\"theory\""}, {"level", "4"}, {"ticket", "\"t1\""}, {"name", "\"n\""},
        {"status", "\"absent\""}, {"score_tenths", "0"}, {"passed", "0"}, {"pending", "0"}, {"submitted_at", "0"},
    };
    char *out = malloc(4096);
    size_t o = 0;
    out[o++] = '{';
    for (size_t i = 0; i < sizeof F / sizeof *F; i++) {
        const char *v = strcmp(F[i][0], field) ? F[i][1] : value;
        if (!v) continue;
        o += (size_t)snprintf(out + o, 4096 - o, "%s\"%s\":%s", o > 1 ? "," : "", F[i][0], v);
    }
    snprintf(out + o, 4096 - o, "}");
    return out;
}

static void expect_field(const char *field, const char *value, result_rc want)
{
    char *j = record_with(field, value);
    result_record p;
    result_rc rc = parse(j, &p);
    if (rc != want) fail_msg("%s = %s: got %s, want %s\n  %s", field, value ? value : "(missing)", result_strerror(rc),
                             result_strerror(want), j);
    result_record_free(&p);
    free(j);
}

static void test_parse_required_fields(void **state)
{
    (void)state;
    expect_field("", NULL, RESULT_OK); /* the minimal record */
    static const char *const REQ[] = {"v", "session", "kiosk", "pack_id", "title", "kind", "level", "ticket",
                                      "name", "status", "score_tenths", "passed", "pending", "submitted_at"};
    for (size_t i = 0; i < sizeof REQ / sizeof *REQ; i++) {
        expect_field(REQ[i], NULL, RESULT_BAD_FIELD);
        expect_field(REQ[i], "null", RESULT_BAD_FIELD);
        expect_field(REQ[i], "[]", RESULT_BAD_FIELD);
    }
    /* ranges, as the hub checked them */
    expect_field("v", "2", RESULT_BAD_FIELD);
    expect_field("v", "\"1\"", RESULT_BAD_FIELD);
    expect_field("v", "1.0", RESULT_BAD_FIELD);
    expect_field("level", "0", RESULT_BAD_FIELD);
    expect_field("level", "5", RESULT_OK);
    expect_field("level", "6", RESULT_BAD_FIELD);
    expect_field("score_tenths", "1000", RESULT_OK);
    expect_field("score_tenths", "1001", RESULT_BAD_FIELD);
    expect_field("score_tenths", "-1", RESULT_BAD_FIELD);
    expect_field("passed", "1", RESULT_OK);
    expect_field("passed", "2", RESULT_BAD_FIELD);
    expect_field("passed", "true", RESULT_BAD_FIELD);
    expect_field("pending", "100000", RESULT_OK);
    expect_field("pending", "100001", RESULT_BAD_FIELD);
    expect_field("submitted_at", "9223372036854775807", RESULT_OK);
    expect_field("submitted_at", "-1", RESULT_BAD_FIELD);
    expect_field("session", "1", RESULT_BAD_FIELD);
    for (size_t i = 0; i < 4; i++) {
        static const char *const ST[] = {"\"submitted\"", "\"timeout\"", "\"forced\"", "\"absent\""};
        expect_field("status", ST[i], RESULT_OK);
    }
    expect_field("status", "\"Submitted\"", RESULT_BAD_FIELD);
    expect_field("status", "\"\"", RESULT_BAD_FIELD);
    /* string lengths (bytes): the hub's columns */
    char v[300];
    struct { const char *field; int max; } L[] = {{"session", RESULT_MAX_ID}, {"ticket", RESULT_MAX_ID},
        {"pack_id", RESULT_MAX_ID}, {"kiosk", RESULT_MAX_KIOSK}, {"name", RESULT_MAX_NAME},
        {"title", RESULT_MAX_TITLE}, {"kind", RESULT_MAX_WORD}};
    for (size_t i = 0; i < sizeof L / sizeof *L; i++) {
        for (int n = L[i].max; n <= L[i].max + 1; n++) {
            v[0] = '"';
            memset(v + 1, 'x', (size_t)n);
            v[n + 1] = '"';
            v[n + 2] = 0;
            expect_field(L[i].field, v, n <= L[i].max ? RESULT_OK : RESULT_BAD_FIELD);
        }
    }
    /* the length is the decoded text's: "\u00e9" is 2 bytes, not 6 */
    snprintf(v, sizeof v, "\"%s\"", "\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9");
    expect_field("kind", v, RESULT_BAD_FIELD); /* 16 bytes */
    snprintf(v, sizeof v, "\"%s\"", "\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9x");
    expect_field("kind", v, RESULT_OK); /* 15 */
}

static void test_parse_optional_fields(void **state)
{
    (void)state;
    /* fields the hub never checked are read when well-typed, else empty */
    char *j = record_with("", NULL);
    result_record p;
    assert_int_equal(parse(j, &p), RESULT_OK);
    assert_string_equal(p.rec.head.site, "");
    assert_string_equal(p.rec.seed_hex, "");
    assert_int_equal(p.rec.nitems, 0);
    assert_null(p.rec.items);
    assert_int_equal(p.rec.head.nirregularities, 0);
    result_record_free(&p);
    free(j);
    const char *ok =
        "{\"v\":1,\"session\":\"s\",\"kiosk\":\"k\",\"pack_id\":\"p\",\"title\":\"t\",\"kind\":\"k\",\"level\":1,"
        "\"ticket\":\"t\",\"name\":\"n\",\"status\":\"forced\",\"score_tenths\":5,\"passed\":1,\"pending\":0,"
        "\"submitted_at\":3,\"site\":7,\"seat\":\"x\",\"total_tenths\":99999999999,\"extra_ms\":-5,"
        "\"items\":[1,{\"id\":\"a\",\"type\":\"essay\",\"points\":100,\"response\":\"r\"},null,{\"type\":\"nonsense\"}],"
        "\"irregularities\":{\"category\":\"x\"},\"unknown\":{\"deep\":[[[]]]}}";
    assert_int_equal(parse(ok, &p), RESULT_OK);
    assert_string_equal(p.rec.head.site, "");
    assert_int_equal(p.rec.head.seat, 0);
    assert_int_equal(p.rec.total_points, 0); /* does not fit an int */
    assert_true(p.rec.head.extra_ms == -5);
    assert_int_equal(p.rec.nitems, 2); /* the objects */
    assert_string_equal(p.rec.items[0].id, "a");
    assert_int_equal(p.rec.items[0].type, QT_ESSAY);
    assert_int_equal(p.rec.items[0].points, 100);
    assert_string_equal(p.rec.items[1].id, "");
    assert_int_equal(p.rec.items[1].type, QT_COUNT);
    assert_int_equal(p.rec.head.nirregularities, 0);
    assert_int_equal(p.rec.passed, 1); /* as recorded */
    result_record_free(&p);
}

static void expect_json(const char *json, size_t len, result_rc want)
{
    result_record p;
    char *why = NULL;
    result_rc rc = result_parse(json, len, &p, &why);
    if (rc != want) fail_msg("got %s (%s), want %s\n  %.*s", result_strerror(rc), why ? why : "", result_strerror(want),
                             (int)(len > 200 ? 200 : len), json);
    if (rc) assert_non_null(why);
    free(why);
    result_record_free(&p);
}

/* JSON VALUE as the "site" field of a minimal record */
static void expect_site(const char *value, result_rc want)
{
    char *j = record_with("", NULL), buf[8192];
    j[strlen(j) - 1] = 0;
    snprintf(buf, sizeof buf, "%s,\"site\":%s}", j, value);
    expect_json(buf, strlen(buf), want);
    free(j);
}

static void test_parse_strict_json(void **state)
{
    (void)state;
    /* as jansson (JSON_REJECT_DUPLICATES) judged them when the hub used it */
    static const char *const BAD_VALUES[] = {
        "01", "1.", ".5", "-", "1e", "1e+", "+1", "0x10", "1e999", "-1e999", "9223372036854775808",
        "-9223372036854775809", "\"\\u0000\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"\\ud800x\"",
        "\"\\x\"", "\"\\u12\"", "\"\\u12g4\"", "\"a\tb\"", "\"a\nb\"", "\"open", "tru", "True", "nul", "NaN",
        "Infinity", "[1,]", "[,1]", "{\"a\":1,}", "{\"a\"}", "{\"a\" 1}", "{1:1}", "{'a':1}", "{\"a\":1,\"a\":2}",
        "{\"a\":1,\"\\u0061\":2}", "[{\"x\":[],\"y\":1,\"x\":2}]", "[1 2]", "",
    };
    for (size_t i = 0; i < sizeof BAD_VALUES / sizeof *BAD_VALUES; i++) expect_site(BAD_VALUES[i], RESULT_BAD_JSON);
    static const char *const GOOD_VALUES[] = {
        "0", "-0", "1.5", "-1.5e-3", "1E+2", "1e-999", "9223372036854775807", "-9223372036854775808",
        "\"\\ud83d\\ude00\"", "\"\\u00e9\\/\\b\\f\\n\\r\\t\\\\\\\"\"", "true", "false", "null", "[]", "{}",
        " [ 1 , { \"a\" : [ ] } ] ", "{\"a\":1,\"b\":1,\"A\":1,\"aa\":1}", "\"考试\"",
    };
    for (size_t i = 0; i < sizeof GOOD_VALUES / sizeof *GOOD_VALUES; i++) expect_site(GOOD_VALUES[i], RESULT_OK);
    /* a duplicate top-level field */
    expect_site("\"x\",\"site\":\"y\"", RESULT_BAD_JSON);
    /* the whole text */
    char *j = record_with("", NULL), buf[4096];
    snprintf(buf, sizeof buf, " \r\n\t%s \n", j);
    expect_json(buf, strlen(buf), RESULT_OK);
    snprintf(buf, sizeof buf, "%s x", j);
    expect_json(buf, strlen(buf), RESULT_BAD_JSON);
    snprintf(buf, sizeof buf, "%s%s", j, j);
    expect_json(buf, strlen(buf), RESULT_BAD_JSON);
    expect_json(j, strlen(j) - 1, RESULT_BAD_JSON); /* cut: LEN bounds the read */
    expect_json(j, 0, RESULT_BAD_JSON);
    free(j);
    expect_json("[1]", 3, RESULT_BAD_FIELD); /* JSON, but not a record */
    expect_json("\"x\"", 3, RESULT_BAD_JSON);
    expect_json("1", 1, RESULT_BAD_JSON);
    expect_json("{\"a\":1}\0", 8, RESULT_NOT_TEXT);
    expect_json("{\"a\":\"\xc3\x28\"}", 10, RESULT_NOT_TEXT);
    /* nesting: 2048 levels are JSON, 2049 are not */
    for (int depth = 2047; depth <= 2049; depth++) {
        size_t n = 0;
        char *d = malloc(2 * (size_t)depth + 64);
        n += (size_t)sprintf(d, "{\"x\":");
        for (int i = 1; i < depth; i++) d[n++] = '[';
        for (int i = 1; i < depth; i++) d[n++] = ']';
        d[n++] = '}';
        expect_json(d, n, depth <= 2048 ? RESULT_BAD_FIELD : RESULT_BAD_JSON);
        free(d);
    }
}

static void test_parse_bounded(void **state)
{
    (void)state;
    /* longer than any record: refused before it is read */
    size_t n = RESULT_MAX_JSON + 1;
    char *big = malloc(n);
    memset(big, ' ', n);
    big[0] = '{';
    big[n - 1] = '}';
    expect_json(big, n, RESULT_TOO_BIG);
    expect_json(big, n - 1, RESULT_BAD_JSON);
    /* many keys in one object: the duplicate check is not quadratic */
    size_t o = 0;
    o += (size_t)sprintf(big + o, "{");
    for (int i = 0; o < RESULT_MAX_JSON - 64; i++) o += (size_t)sprintf(big + o, "%s\"k%d\":0", i ? "," : "", i);
    o += (size_t)sprintf(big + o, ",\"k7\":1}");
    expect_json(big, o, RESULT_BAD_JSON);
    free(big);
}

/* ---- hub receipts (core/receipt) ---------------------------------------------------- */

static void test_hub_receipt(void **state)
{
    (void)state;
    uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    crypto_sign_keypair(pk, sk);
    const char *rid = "0123456789abcdef0123456789abcdef";
    char rc[RECEIPT_HEX];
    receipt_sign(sk, rid, rc);
    assert_int_equal(strlen(rc), RECEIPT_HEX - 1);
    assert_int_equal(receipt_verify(pk, rid, rc), RESULT_OK);
    /* it is the signature over the documented message */
    uint8_t sig[crypto_sign_BYTES];
    char msg[64];
    snprintf(msg, sizeof msg, "exam-receipt v1\n%s", rid);
    crypto_sign_detached(sig, NULL, (const uint8_t *)msg, strlen(msg), sk);
    char hex[RECEIPT_HEX];
    sodium_bin2hex(hex, sizeof hex, sig, sizeof sig);
    assert_string_equal(rc, hex);
    /* another result id, another key, a changed or cut receipt */
    assert_int_equal(receipt_verify(pk, "0123456789abcdef0123456789abcdee", rc), RESULT_BAD_SIGNATURE);
    assert_int_equal(receipt_verify(K.dpk, rid, rc), RESULT_BAD_SIGNATURE);
    for (size_t i = 0; i < RECEIPT_HEX - 1; i++) {
        char c = rc[i];
        rc[i] = c == '0' ? '1' : '0';
        assert_int_equal(receipt_verify(pk, rid, rc), RESULT_BAD_SIGNATURE);
        rc[i] = c;
    }
    rc[RECEIPT_HEX - 2] = 0;
    assert_int_equal(receipt_verify(pk, rid, rc), RESULT_BAD_SIGNATURE);
    assert_int_equal(receipt_verify(pk, rid, NULL), RESULT_BAD_SIGNATURE);
    assert_int_equal(receipt_verify(pk, rid, "not hex"), RESULT_BAD_SIGNATURE);
    char longid[80];
    memset(longid, 'a', sizeof longid - 1);
    longid[sizeof longid - 1] = 0;
    assert_int_equal(receipt_verify(pk, longid, hex), RESULT_BAD_SIGNATURE);
}

/* ---- building a record from a sitting ------------------------------------------------ */

static const result_answer ANSWERS[] = {
    {"J1", QT_JUDGE, "T", "T", 10, 0},
    {"S2", QT_SINGLE, "B", "C", 20, 1},
    {"M3", QT_MULTI, "AC", "CA", 20, 0},
    {"E4", QT_ESSAY, "", "第一段\n第二段\\结束", 100, 0},
    {"N5", QT_NUMERIC, NULL, "42", 30, 1}, /* its question could not be read */
    {"O6", QT_ORDER, "BCA", "", 20, 0},
};

static result_input sample_input(const uint8_t *seed, size_t seed_len)
{
    result_input in = {.head = sample_head(), .total_points = 1000, .pass = 60, .partial = PARTIAL_HALF,
                       .seed = seed, .seed_len = seed_len, .answers = ANSWERS,
                       .nanswers = (int)(sizeof ANSWERS / sizeof *ANSWERS)};
    return in;
}

/* result_build gives, byte for byte, the JSON of the record the engine used
 * to assemble itself: each item scored with score_item_tenths (0 without a
 * key), score and pending summed, seed and journal head in hex. */
static void test_build_matches_assembled_record(void **state)
{
    (void)state;
    const uint8_t seed[4] = {0xaa, 0x55, 0x00, 0xff};
    uint8_t head[RESULT_HASH_BYTES];
    for (int i = 0; i < RESULT_HASH_BYTES; i++) head[i] = (uint8_t)(i * 7 + 1);
    result_input in = sample_input(seed, sizeof seed);
    result_record b;
    assert_int_equal(result_build(&in, &b), RESULT_OK);
    assert_int_equal(b.v, 1);
    assert_string_equal(b.rec.journal_head_hex, "");
    result_set_journal(&b, head, 42);

    /* the same record put together by hand */
    enum { N = sizeof ANSWERS / sizeof *ANSWERS };
    result_item items[N];
    int total = 0, pending = 0;
    for (int i = 0; i < N; i++) {
        const result_answer *a = &ANSWERS[i];
        int pend = 0, sc = 0;
        if (a->key) {
            score_item si = {a->type, a->key, a->response, a->points, PARTIAL_HALF};
            sc = score_item_tenths(&si, &pend);
        }
        items[i] = (result_item){a->id, a->type, a->response, a->points, sc, pend, a->flagged};
        total += sc;
        pending += pend;
    }
    assert_int_equal(total, 10 + 20);   /* judge right, multi right, single wrong, no key: 0 */
    assert_int_equal(pending, 1);       /* the essay */
    char headhex[2 * RESULT_HASH_BYTES + 1];
    sodium_bin2hex(headhex, sizeof headhex, head, sizeof head);
    result_rec r = sample_rec();
    r.score = total;
    r.pending = pending;
    r.seed_hex = "aa5500ff";
    r.items = items;
    r.nitems = N;
    r.journal_head_hex = headhex;
    r.journal_count = 42;

    char *want = result_json(&r), *got = result_json(&b.rec);
    assert_non_null(want);
    assert_non_null(got);
    assert_string_equal(got, want);
    free(want);
    free(got);
    /* the record points into the input for its strings and irregularities */
    assert_ptr_equal(b.rec.head.name, in.head.name);
    assert_ptr_equal(b.rec.head.irregularities, IRR);
    assert_ptr_equal(b.rec.items[0].response, ANSWERS[0].response);
    result_record_free(&b);
    assert_null(b.mem);
}

/* The record's defaults: total 1000 when the paper sets none; an absence
 * without a pass mark passes at 60; the pass mark of any other status is the
 * paper's, even 0. An absence has no items and an all-zero seed. */
static void test_build_defaults_and_absence(void **state)
{
    (void)state;
    uint8_t zero[32] = {0}, head[RESULT_HASH_BYTES] = {0};
    result_input in = sample_input(zero, sizeof zero);
    in.head.status = "absent";
    in.answers = NULL;
    in.nanswers = 0;
    in.head.irregularities = NULL;
    in.head.nirregularities = 0;
    in.total_points = 0;
    in.pass = 0;
    in.head.elapsed_ms = in.head.extra_ms = 0;
    result_record b;
    assert_int_equal(result_build(&in, &b), RESULT_OK);
    result_set_journal(&b, head, 1);
    assert_int_equal(b.rec.total_points, 1000);
    assert_int_equal(b.rec.pass, 60);
    assert_int_equal(b.rec.score, 0);
    assert_int_equal(b.rec.nitems, 0);
    assert_string_equal(b.rec.seed_hex, "0000000000000000000000000000000000000000000000000000000000000000");
    char *json = result_json(&b.rec);
    assert_non_null(json);
    assert_contains(json, "\"status\":\"absent\"");
    assert_contains(json, "\"items\":[]");
    assert_contains(json, "\"passed\":0");
    /* and it reads back as a valid record */
    result_record p;
    char *why = NULL;
    assert_int_equal(result_parse(json, strlen(json), &p, &why), RESULT_OK);
    assert_string_equal(p.rec.head.status, "absent");
    assert_int_equal(p.rec.journal_count, 1);
    result_record_free(&p);
    free(json);
    result_record_free(&b);

    in.pass = 0;
    in.total_points = 850;
    in.head.status = "timeout";
    assert_int_equal(result_build(&in, &b), RESULT_OK);
    assert_int_equal(b.rec.pass, 0);
    assert_int_equal(b.rec.total_points, 850);
    result_record_free(&b);
    in.pass = 70;
    in.head.status = "absent";
    assert_int_equal(result_build(&in, &b), RESULT_OK);
    assert_int_equal(b.rec.pass, 70);
    result_record_free(&b);
}

/* ---- the sitting's journal (issue 12) ------------------------------------------------ */

static const journal_entry JOURNAL[] = {
    {40, 1000, 1767225600, "0123456789abcdef0123456789abcdef", "start", "ticket_tag=ab", "00112233445566778899aabbccddeeff"},
    {41, 2000, 1767225601, "", "pin_set", "quote \" and \n newline", ""},
    {42, 3000, 1767225602, "0123456789abcdef0123456789abcdef", "handin", "status=submitted score=85.5", NULL},
};

/* a record with its journal: written after journal_count, read back entry
 * by entry; the base head in hex */
static void test_journal_round_trip(void **state)
{
    (void)state;
    uint8_t zero[32] = {0}, head[RESULT_HASH_BYTES], base[RESULT_HASH_BYTES];
    memset(head, 0x9f, sizeof head);
    memset(base, 0xab, sizeof base);
    result_input in = sample_input(zero, sizeof zero);
    result_record b;
    assert_int_equal(result_build(&in, &b), RESULT_OK);
    result_set_journal(&b, head, 42);
    assert_int_equal(result_set_journal_entries(&b, base, 39, JOURNAL, 3), 0);
    char *json = result_json(&b.rec);
    assert_non_null(json);
    assert_contains(json, "\"journal_count\":42,\"journal_base\":{\"count\":39,\"head\":\"abab");
    assert_contains(json, "\"journal\":[{\"seq\":40,\"mono_ms\":1000,\"wall\":1767225600,");
    result_record p;
    char *why = NULL;
    assert_int_equal(result_parse(json, strlen(json), &p, &why), RESULT_OK);
    assert_int_equal(p.rec.has_journal, 1);
    assert_int_equal(p.rec.njournal, 3);
    assert_true(p.rec.journal_base_count == 39);
    assert_string_equal(p.rec.journal_base_hex, "abababababababababababababababababababababababababababababababab");
    for (int i = 0; i < 3; i++) {
        const journal_entry *x = &p.rec.journal[i], *y = &JOURNAL[i];
        assert_true(x->seq == y->seq && x->mono_ms == y->mono_ms && x->wall == y->wall);
        assert_string_equal(x->session, y->session);
        assert_string_equal(x->type, y->type);
        assert_string_equal(x->data, y->data);
        assert_string_equal(x->keyid, y->keyid ? y->keyid : "");
    }
    result_record_free(&p);
    free(json);
    /* entries that are not base + 1 .. journal_count: the record carries none */
    assert_int_equal(result_set_journal_entries(&b, base, 38, JOURNAL, 3), -1);
    assert_int_equal(b.rec.has_journal, 0);
    json = result_json(&b.rec);
    assert_null(strstr(json, "journal_base"));
    assert_int_equal(result_parse(json, strlen(json), &p, &why), RESULT_OK);
    assert_int_equal(p.rec.has_journal, 0);
    result_record_free(&p);
    free(json);
    journal_entry bad[3];
    memcpy(bad, JOURNAL, sizeof bad);
    char longdata[RESULT_MAX_JOURNAL_DATA + 2];
    memset(longdata, 'x', sizeof longdata - 1);
    longdata[sizeof longdata - 1] = 0;
    bad[1].data = longdata;
    assert_int_equal(result_set_journal_entries(&b, base, 39, bad, 3), -1);
    bad[1].data = "\xff not UTF-8";
    assert_int_equal(result_set_journal_entries(&b, base, 39, bad, 3), -1);
    result_record_free(&b);
}

/* the reader checks the journal whole: each malformed variant is refused */
static void test_journal_parse_strict(void **state)
{
    (void)state;
    static const char *const HEAD =
        "{\"v\":1,\"session\":\"s\",\"kiosk\":\"k\",\"pack_id\":\"p\",\"title\":\"t\",\"kind\":\"theory\","
        "\"level\":3,\"ticket\":\"T1\",\"name\":\"\",\"status\":\"submitted\",\"score_tenths\":0,\"passed\":0,"
        "\"pending\":0,\"submitted_at\":1,\"journal_count\":2";
    static const char *const E1 = "{\"seq\":1,\"mono_ms\":0,\"wall\":0,\"session\":\"s\",\"type\":\"start\",\"data\":\"\",\"keyid\":\"\"}";
    static const char *const E2 = "{\"seq\":2,\"mono_ms\":0,\"wall\":0,\"session\":\"s\",\"type\":\"handin\",\"data\":\"\",\"keyid\":\"\"}";
    static const char *const ZERO = "0000000000000000000000000000000000000000000000000000000000000000";
    char j[4096];
    result_record p;
    char *why = NULL;
    snprintf(j, sizeof j, "%s,\"journal_base\":{\"count\":0,\"head\":\"%s\"},\"journal\":[%s,%s]}", HEAD, ZERO, E1, E2);
    assert_int_equal(result_parse(j, strlen(j), &p, &why), RESULT_OK);
    assert_int_equal(p.rec.njournal, 2);
    result_record_free(&p);
    char base0[128], base1[128], shorthead[128], e12[512], e122[768], e1cut[256], e1num[256], e22[512];
    snprintf(base0, sizeof base0, "{\"count\":0,\"head\":\"%s\"}", ZERO);
    snprintf(base1, sizeof base1, "{\"count\":1,\"head\":\"%s\"}", ZERO);
    snprintf(shorthead, sizeof shorthead, "{\"count\":0,\"head\":\"%.60s\"}", ZERO);
    snprintf(e12, sizeof e12, "[%s,%s]", E1, E2);
    snprintf(e122, sizeof e122, "[%s,%s,%s]", E1, E2, E2);
    snprintf(e1cut, sizeof e1cut, "[%s,%.20s}]", E1, E2);
    snprintf(e1num, sizeof e1num, "[%s,1]", E1);
    snprintf(e22, sizeof e22, "[%s,%s]", E2, E2);
    const struct { const char *base, *entries, *what; } bad[] = {
        {NULL, e12, "no base"},
        {base0, NULL, "no entries"},
        {base1, e12, "base + n is not journal_count"},
        {shorthead, e12, "short head"},
        {base0, e122, "three entries for two"},
        {base0, e1cut, "an entry lacks fields"},
        {base0, e1num, "an entry is not an object"},
        {base0, e22, "seq 2, 2"},
        {"[]", e12, "base not an object"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int o = snprintf(j, sizeof j, "%s", HEAD);
        if (bad[i].base) o += snprintf(j + o, sizeof j - (size_t)o, ",\"journal_base\":%s", bad[i].base);
        if (bad[i].entries) o += snprintf(j + o, sizeof j - (size_t)o, ",\"journal\":%s", bad[i].entries);
        snprintf(j + o, sizeof j - (size_t)o, "}");
        result_rc rc = result_parse(j, strlen(j), &p, &why);
        if (rc != RESULT_BAD_FIELD) fail_msg("%s: %d for %s", bad[i].what, rc, j);
        assert_non_null(strstr(why, "journal"));
        free(why);
        why = NULL;
    }
    /* more entries than RESULT_MAX_JOURNAL */
    size_t cap = (size_t)(RESULT_MAX_JOURNAL + 2) * 120 + 1024;
    char *big = malloc(cap);
    size_t o = (size_t)snprintf(big, cap,
                                "{\"v\":1,\"session\":\"s\",\"kiosk\":\"k\",\"pack_id\":\"p\",\"title\":\"t\","
                                "\"kind\":\"theory\",\"level\":3,\"ticket\":\"T1\",\"name\":\"\",\"status\":\"submitted\","
                                "\"score_tenths\":0,\"passed\":0,\"pending\":0,\"submitted_at\":1,\"journal_count\":%d,"
                                "\"journal_base\":{\"count\":0,\"head\":\"%s\"},\"journal\":[",
                                RESULT_MAX_JOURNAL + 1, ZERO);
    for (int i = 1; i <= RESULT_MAX_JOURNAL + 1; i++)
        o += (size_t)snprintf(big + o, cap - o,
                              "%s{\"seq\":%d,\"mono_ms\":0,\"wall\":0,\"session\":\"\",\"type\":\"t\",\"data\":\"\",\"keyid\":\"\"}",
                              i > 1 ? "," : "", i);
    o += (size_t)snprintf(big + o, cap - o, "]}");
    assert_int_equal(result_parse(big, o, &p, &why), RESULT_BAD_FIELD);
    free(why);
    free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_checker_self_test),
        cmocka_unit_test(test_json_fields_and_escaping),
        cmocka_unit_test(test_json_every_control_char),
        cmocka_unit_test(test_json_passed_and_edge_values),
        cmocka_unit_test(test_json_long_response),
        cmocka_unit_test(test_json_limit),
        cmocka_unit_test(test_json_out_of_memory),
        cmocka_unit_test(test_seal_open_round_trip),
        cmocka_unit_test(test_receipt),
        cmocka_unit_test(test_flipped_byte_refused),
        cmocka_unit_test(test_other_results_key_refused),
        cmocka_unit_test(test_plain_matches_sealed),
        cmocka_unit_test(test_plain_bad_signature),
        cmocka_unit_test(test_plain_magic_version),
        cmocka_unit_test(test_plain_truncated),
        cmocka_unit_test(test_plain_json_must_be_text),
        cmocka_unit_test(test_invalid_utf8_field_still_opens),
        cmocka_unit_test(test_kiosk_id),
        cmocka_unit_test(test_strerror),
        cmocka_unit_test(test_seal_too_big),
        cmocka_unit_test(test_parse_round_trip),
        cmocka_unit_test(test_parse_required_fields),
        cmocka_unit_test(test_parse_optional_fields),
        cmocka_unit_test(test_parse_strict_json),
        cmocka_unit_test(test_parse_bounded),
        cmocka_unit_test(test_hub_receipt),
        cmocka_unit_test(test_build_matches_assembled_record),
        cmocka_unit_test(test_build_defaults_and_absence),
        cmocka_unit_test(test_journal_round_trip),
        cmocka_unit_test(test_journal_parse_strict),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
