/* Unit tests for core/releasecode.c: generation, normalisation, check character. */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "core/releasecode.h"

/* Crockford base32: no I, L, O, U */
static const char CROCKFORD[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

static int group_setup(void **state)
{
    (void)state;
    return sodium_init() < 0 ? -1 : 0;
}

/* Generates a code and its normalised form, checking the normalisation. */
static void fresh_code(char text[RELEASECODE_TEXT_BYTES], char norm[RELEASECODE_NORM_BYTES])
{
    releasecode_generate(text);
    assert_int_equal(releasecode_normalize(text, norm), RELEASECODE_OK);
}

static void test_generate_format(void **state)
{
    (void)state;
    for (int k = 0; k < 500; k++) {
        char code[RELEASECODE_TEXT_BYTES], norm[RELEASECODE_NORM_BYTES];
        memset(code, '#', sizeof code);
        releasecode_generate(code);
        assert_int_equal(strlen(code), 24);
        assert_int_equal(RELEASECODE_TEXT_BYTES, 25);
        for (int i = 0; i < 24; i++) {
            if (i % 5 == 4) {
                assert_int_equal(code[i], '-');
            } else if (!strchr(CROCKFORD, code[i]) || code[i] == 0) {
                fail_msg("code %s has '%c' at %d", code, code[i], i);
            }
        }
        assert_int_equal(releasecode_normalize(code, norm), RELEASECODE_OK);
        assert_int_equal(strlen(norm), RELEASECODE_CHARS);
        /* the normalised form is the code without its dashes */
        char nodash[32];
        size_t o = 0;
        for (const char *p = code; *p; p++)
            if (*p != '-') nodash[o++] = *p;
        nodash[o] = 0;
        assert_string_equal(norm, nodash);
    }
}

static void test_generate_random(void **state)
{
    (void)state;
    enum { N = 300 };
    static char codes[N][RELEASECODE_TEXT_BYTES];
    for (int i = 0; i < N; i++) releasecode_generate(codes[i]);
    for (int i = 0; i < N; i++)
        for (int j = 0; j < i; j++) assert_string_not_equal(codes[i], codes[j]);
    /* every position takes many different values (95 random bits, not a pattern) */
    for (int pos = 0; pos < 24; pos++) {
        if (pos % 5 == 4) continue;
        int seen[256] = {0}, distinct = 0;
        for (int i = 0; i < N; i++)
            if (!seen[(unsigned char)codes[i][pos]]++) distinct++;
        if (distinct < 20) fail_msg("position %d shows only %d distinct characters in %d codes", pos, distinct, N);
    }
}

static void test_normalize_case_spaces_dashes(void **state)
{
    (void)state;
    for (int k = 0; k < 100; k++) {
        char code[RELEASECODE_TEXT_BYTES], norm[RELEASECODE_NORM_BYTES], got[RELEASECODE_NORM_BYTES];
        fresh_code(code, norm);
        char buf[128];
        /* lower case */
        for (size_t i = 0; i <= strlen(code); i++) buf[i] = (char)tolower((unsigned char)code[i]);
        assert_int_equal(releasecode_normalize(buf, got), RELEASECODE_OK);
        assert_string_equal(got, norm);
        /* no dashes at all */
        assert_int_equal(releasecode_normalize(norm, got), RELEASECODE_OK);
        assert_string_equal(got, norm);
        /* spaces instead of dashes, plus leading/trailing blanks and tabs */
        size_t o = 0;
        buf[o++] = ' ';
        buf[o++] = '\t';
        for (int i = 0; i < RELEASECODE_CHARS; i++) {
            if (i && i % 4 == 0) buf[o++] = ' ';
            buf[o++] = (i % 2) ? (char)tolower((unsigned char)norm[i]) : norm[i];
        }
        buf[o++] = ' ';
        buf[o] = 0;
        assert_int_equal(releasecode_normalize(buf, got), RELEASECODE_OK);
        assert_string_equal(got, norm);
        /* odd grouping with repeated dashes */
        o = 0;
        for (int i = 0; i < RELEASECODE_CHARS; i++) {
            buf[o++] = norm[i];
            if (i % 3 == 2) { buf[o++] = '-'; buf[o++] = '-'; buf[o++] = ' '; }
        }
        buf[o] = 0;
        assert_int_equal(releasecode_normalize(buf, got), RELEASECODE_OK);
        assert_string_equal(got, norm);
    }
}

/* Finds the one check character that makes DATA (19 characters) valid. */
static char check_char_for(const char *data)
{
    char found = 0;
    int count = 0;
    for (int c = 0; c < 32; c++) {
        char in[RELEASECODE_NORM_BYTES], out[RELEASECODE_NORM_BYTES];
        memcpy(in, data, RELEASECODE_DATA);
        in[RELEASECODE_DATA] = CROCKFORD[c];
        in[RELEASECODE_CHARS] = 0;
        if (releasecode_normalize(in, out) == RELEASECODE_OK) {
            found = CROCKFORD[c];
            count++;
        }
    }
    assert_int_equal(count, 1); /* exactly one check character fits */
    return found;
}

static void test_normalize_folds_confusables(void **state)
{
    (void)state;
    const char *data = "0101A0B1C0D1E0F1011";
    assert_int_equal(strlen(data), RELEASECODE_DATA);
    char canon[RELEASECODE_NORM_BYTES];
    memcpy(canon, data, RELEASECODE_DATA);
    canon[RELEASECODE_DATA] = check_char_for(data);
    canon[RELEASECODE_CHARS] = 0;

    /* replace 0 by O/o and 1 by I/i/L/l in turn */
    static const char zeros[] = "Oo";
    static const char ones[] = "IiLl";
    for (int z = 0; z < 2; z++)
        for (int w = 0; w < 4; w++) {
            char typed[RELEASECODE_NORM_BYTES], got[RELEASECODE_NORM_BYTES];
            memcpy(typed, canon, sizeof typed);
            for (int i = 0; i < RELEASECODE_DATA; i++) {
                if (typed[i] == '0') typed[i] = zeros[z];
                else if (typed[i] == '1') typed[i] = ones[w];
            }
            assert_int_equal(releasecode_normalize(typed, got), RELEASECODE_OK);
            assert_string_equal(got, canon);
        }

    /* a generated code whose check character is 0 or 1 may be typed as O or I */
    for (int k = 0; k < 20000; k++) {
        char code[RELEASECODE_TEXT_BYTES], norm[RELEASECODE_NORM_BYTES], got[RELEASECODE_NORM_BYTES];
        fresh_code(code, norm);
        char last = code[23];
        if (last != '0' && last != '1') continue;
        code[23] = last == '0' ? 'o' : 'L';
        assert_int_equal(releasecode_normalize(code, got), RELEASECODE_OK);
        assert_string_equal(got, norm);
        break;
    }
}

static void test_single_substitution_detected(void **state)
{
    (void)state;
    for (int k = 0; k < 40; k++) {
        char code[RELEASECODE_TEXT_BYTES], norm[RELEASECODE_NORM_BYTES];
        fresh_code(code, norm);
        for (int pos = 0; pos < RELEASECODE_CHARS; pos++) {
            for (int c = 0; c < 32; c++) {
                if (CROCKFORD[c] == norm[pos]) continue;
                char typo[RELEASECODE_NORM_BYTES], got[RELEASECODE_NORM_BYTES];
                memcpy(typo, norm, sizeof typo);
                typo[pos] = CROCKFORD[c];
                releasecode_rc rc = releasecode_normalize(typo, got);
                if (rc != RELEASECODE_CHECK)
                    fail_msg("%s → %s (position %d) gave %d, expected RELEASECODE_CHECK", norm, typo, pos, rc);
                /* the grouped form with the typo is caught too */
                char grouped[RELEASECODE_TEXT_BYTES];
                releasecode_format(typo, grouped);
                assert_int_equal(releasecode_normalize(grouped, got), RELEASECODE_CHECK);
            }
        }
    }
}

static void test_transpositions_mostly_detected(void **state)
{
    (void)state;
    long tried = 0, caught = 0;
    for (int k = 0; k < 3000; k++) {
        char code[RELEASECODE_TEXT_BYTES], norm[RELEASECODE_NORM_BYTES];
        fresh_code(code, norm);
        for (int pos = 0; pos + 1 < RELEASECODE_CHARS; pos++) {
            if (norm[pos] == norm[pos + 1]) continue;
            char swapped[RELEASECODE_NORM_BYTES], got[RELEASECODE_NORM_BYTES];
            memcpy(swapped, norm, sizeof swapped);
            swapped[pos] = norm[pos + 1];
            swapped[pos + 1] = norm[pos];
            releasecode_rc rc = releasecode_normalize(swapped, got);
            assert_true(rc == RELEASECODE_CHECK || rc == RELEASECODE_OK);
            tried++;
            caught += rc == RELEASECODE_CHECK;
        }
    }
    print_message("adjacent transpositions detected: %ld of %ld (%.2f%%)\n", caught, tried,
                  100.0 * (double)caught / (double)tried);
    assert_true(tried > 50000);
    assert_true(caught * 100 >= tried * 90);
}

static void test_wrong_length(void **state)
{
    (void)state;
    char code[RELEASECODE_TEXT_BYTES], norm[RELEASECODE_NORM_BYTES], got[RELEASECODE_NORM_BYTES];
    fresh_code(code, norm);
    char buf[64];
    /* one character short (19), one too many (21), far too many */
    snprintf(buf, sizeof buf, "%.19s", norm);
    memset(got, 'Z', sizeof got);
    assert_int_equal(releasecode_normalize(buf, got), RELEASECODE_LENGTH);
    assert_int_equal(got[0], 0); /* nothing half-normalised is left behind */
    snprintf(buf, sizeof buf, "%s0", norm);
    assert_int_equal(releasecode_normalize(buf, got), RELEASECODE_LENGTH);
    snprintf(buf, sizeof buf, "%s-%s", code, code);
    assert_int_equal(releasecode_normalize(buf, got), RELEASECODE_LENGTH);
    /* the grouped form with its last group short */
    snprintf(buf, sizeof buf, "%.23s", code);
    assert_int_equal(releasecode_normalize(buf, got), RELEASECODE_LENGTH);
    assert_int_equal(releasecode_normalize("", got), RELEASECODE_LENGTH);
    assert_int_equal(releasecode_normalize("  - -- ", got), RELEASECODE_LENGTH);
    assert_int_equal(releasecode_normalize("ABCD", got), RELEASECODE_LENGTH);
}

static void test_bad_characters(void **state)
{
    (void)state;
    char code[RELEASECODE_TEXT_BYTES], norm[RELEASECODE_NORM_BYTES], got[RELEASECODE_NORM_BYTES];
    fresh_code(code, norm);
    static const char *const bad[] = {"U", "u", "!", "*", ".", "_", "/", "\xC3\x9C", "\xEF\xBC\xA1" /* Ａ */};
    for (size_t b = 0; b < sizeof bad / sizeof *bad; b++) {
        for (int pos = 0; pos < 24; pos += 5) {
            char buf[64];
            snprintf(buf, sizeof buf, "%.*s%s%s", pos, code, bad[b], code + pos + 1);
            memset(got, 'Z', sizeof got);
            releasecode_rc rc = releasecode_normalize(buf, got);
            if (rc != RELEASECODE_BADCHAR) fail_msg("\"%s\" gave %d, expected RELEASECODE_BADCHAR", buf, rc);
            assert_int_equal(got[0], 0);
        }
    }
    /* a bad character is reported even when the length is also wrong */
    assert_int_equal(releasecode_normalize("ABC!", got), RELEASECODE_BADCHAR);
    assert_int_equal(releasecode_normalize("U", got), RELEASECODE_BADCHAR);
}

static void test_format_round_trip(void **state)
{
    (void)state;
    for (int k = 0; k < 200; k++) {
        char code[RELEASECODE_TEXT_BYTES], norm[RELEASECODE_NORM_BYTES];
        fresh_code(code, norm);
        char again[RELEASECODE_TEXT_BYTES], norm2[RELEASECODE_NORM_BYTES];
        memset(again, '#', sizeof again);
        releasecode_format(norm, again);
        assert_string_equal(again, code);
        assert_int_equal(releasecode_normalize(again, norm2), RELEASECODE_OK);
        assert_string_equal(norm2, norm);
    }
    /* fixed example: format only regroups */
    char out[RELEASECODE_TEXT_BYTES];
    releasecode_format("0123456789ABCDEFGHJK", out);
    assert_string_equal(out, "0123-4567-89AB-CDEF-GHJK");
}

static void test_strerror(void **state)
{
    (void)state;
    for (int rc = RELEASECODE_OK; rc <= RELEASECODE_CHECK; rc++) {
        const char *s = releasecode_strerror((releasecode_rc)rc);
        assert_non_null(s);
        assert_true(strlen(s) > 0);
        for (int k = RELEASECODE_OK; k < rc; k++) assert_string_not_equal(s, releasecode_strerror((releasecode_rc)k));
    }
}


/* ---- strength of a code given by hand (issue 10.6) ---------------------------- */

/* DATA (19 characters) with its right check character, normalised */
static void with_check(const char *data, char norm[RELEASECODE_NORM_BYTES])
{
    char typed[RELEASECODE_NORM_BYTES];
    for (int c = 0; c < 32; c++) {
        snprintf(typed, sizeof typed, "%s%c", data, CROCKFORD[c]);
        if (releasecode_normalize(typed, norm) == RELEASECODE_OK) return;
    }
    fail_msg("no check character for %s", data);
}

static void expect_weak(const char *data, int bits, const char *pattern)
{
    char norm[RELEASECODE_NORM_BYTES];
    with_check(data, norm);
    const char *why = NULL;
    int got = releasecode_bits(norm, &why);
    if (got != bits) fail_msg("%s: %d bits, expected %d", data, got, bits);
    assert_true(got < RELEASECODE_MIN_BITS);
    assert_non_null(why);
    assert_string_equal(why, pattern);
}

static void test_bits_refuses_patterns(void **state)
{
    (void)state;
    const char *REPEAT = "the same character repeated", *STEP = "characters counting up or down in equal steps",
               *BLOCK = "a block of characters repeated";
    expect_weak("0000000000000000000", 20, REPEAT); /* 0000-0000-0000-0000-0000 */
    expect_weak("123456789ABCDEFGHJK", 20, STEP);   /* 1234-5678-9ABC-DEFG-HJK? */
    expect_weak("ZYXWVTSRQPNMKJHGFED", 20, STEP);   /* descending */
    expect_weak("02468ACEGJMPRTWY024", 20, STEP);   /* steps of 2, wrapping round */
    expect_weak("ABABABABABABABABABA", 25, BLOCK);
    expect_weak("7K3Q7K3Q7K3Q7K3Q7K3", 35, BLOCK);  /* a repeated 4-block */
    expect_weak("7K3QX9M27K3QX9M27K3", 55, BLOCK);  /* a repeated 8-block */
    expect_weak("00000000R7KQ3MZTXA5", 75, REPEAT); /* eight zeros, then random */
    expect_weak("ZZZZZZ7K3QX9WWWWWWW", 70, REPEAT); /* two runs */

    /* a code without a pattern keeps its 95 bits; short coincidences cost nothing */
    char norm[RELEASECODE_NORM_BYTES];
    const char *why = "unset";
    assert_int_equal(releasecode_normalize("PRAC-T1CE-EXAM-2026-000G", norm), RELEASECODE_OK);
    assert_int_equal(releasecode_bits(norm, &why), 95);
    assert_null(why);
    with_check("0000R7KQ3MZTXA5W9HC", norm); /* four zeros: not yet a pattern */
    assert_int_equal(releasecode_bits(norm, NULL), 95);
    with_check("00000R7KQ3MZTXA5W9H", norm); /* five: one character predicted */
    assert_int_equal(releasecode_bits(norm, NULL), 90);
    with_check("ABCDR7KQ3MZTXA5W9HC", norm);
    assert_int_equal(releasecode_bits(norm, NULL), 95);
    assert_true(releasecode_bits(norm, NULL) >= RELEASECODE_MIN_BITS);
}

/* Freshly generated codes always reach the floor: 100,000 from
 * releasecode_generate, and 100,000 random strings from a fixed seed (the
 * estimate without generate's redraw, reproducible): the redraw is as good
 * as never needed, so it costs no entropy. */
static void test_bits_generated_codes_pass(void **state)
{
    (void)state;
    enum { N = 100000 };
    int lowest = 95;
    for (int i = 0; i < N; i++) {
        char text[RELEASECODE_TEXT_BYTES], norm[RELEASECODE_NORM_BYTES];
        fresh_code(text, norm);
        int b = releasecode_bits(norm, NULL);
        if (b < RELEASECODE_MIN_BITS) fail_msg("generated code %s: only %d bits", text, b);
        if (b < lowest) lowest = b;
    }
    assert_true(lowest >= RELEASECODE_MIN_BITS);
    uint8_t seed[randombytes_SEEDBYTES] = "releasecode strength test seed!";
    uint8_t *raw = malloc((size_t)N * RELEASECODE_DATA);
    assert_non_null(raw);
    randombytes_buf_deterministic(raw, (size_t)N * RELEASECODE_DATA, seed);
    int hist[20] = {0};
    for (int i = 0; i < N; i++) {
        char norm[RELEASECODE_NORM_BYTES];
        for (int j = 0; j < RELEASECODE_DATA; j++) norm[j] = CROCKFORD[raw[(size_t)i * RELEASECODE_DATA + j] & 31];
        norm[RELEASECODE_DATA] = '0';
        norm[RELEASECODE_CHARS] = 0;
        int b = releasecode_bits(norm, NULL);
        if (b < RELEASECODE_MIN_BITS) fail_msg("random string %s: only %d bits", norm, b);
        hist[(95 - b) / 5]++;
    }
    free(raw);
    /* about one in 2,000 random codes has a predicted character (a 5-run or a repeated 4-block) */
    assert_true(hist[0] > N - N / 200);
    assert_true(hist[1] > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generate_format),
        cmocka_unit_test(test_generate_random),
        cmocka_unit_test(test_normalize_case_spaces_dashes),
        cmocka_unit_test(test_normalize_folds_confusables),
        cmocka_unit_test(test_single_substitution_detected),
        cmocka_unit_test(test_transpositions_mostly_detected),
        cmocka_unit_test(test_wrong_length),
        cmocka_unit_test(test_bad_characters),
        cmocka_unit_test(test_format_round_trip),
        cmocka_unit_test(test_strerror),
        cmocka_unit_test(test_bits_refuses_patterns),
        cmocka_unit_test(test_bits_generated_codes_pass),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
