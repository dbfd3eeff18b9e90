/* Unit tests for core/bank.c: bank_parse on in-test CSV and the sample banks
 * (FORMAT.md §1). Runs with tests/unit as the working directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bank.h"
#include "core/diag.h"
#include "core/fileio.h"

#define SAMPLES "../../exam-packs/samples/"

/* ---- helpers ------------------------------------------------------------ */

static void dump_diag(const diag *d)
{
    for (size_t i = 0; i < d->n; i++) print_message("    diag line %ld: %s\n", d->v[i].line, d->v[i].msg);
    if (d->dropped) print_message("    (%zu dropped)\n", d->dropped);
}

/* CSV must parse cleanly into *B. */
static void parse_ok(const char *csv, bank *b)
{
    diag d;
    diag_init(&d);
    int rc = bank_parse(csv, strlen(csv), b, &d);
    if (rc != 0 || diag_count(&d) != 0) {
        print_message("  unexpected diagnostics for:\n%s\n", csv);
        dump_diag(&d);
    }
    assert_int_equal(rc, 0);
    assert_int_equal(diag_count(&d), 0);
    assert_non_null(b->q);
    diag_free(&d);
}

/* CSV must be refused with exactly one diagnostic on LINE whose message
 * contains (case-insensitively) every string of the NULL-terminated list. */
static void expect_one_diag(const char *csv, long line, ...)
{
    diag d;
    diag_init(&d);
    bank b;
    int rc = bank_parse(csv, strlen(csv), &b, &d);
    if (rc != -1 || diag_count(&d) != 1 || d.v[0].line != line) {
        print_message("  expected one diagnostic on line %ld for:\n%s\n", line, csv);
        dump_diag(&d);
    }
    assert_int_equal(rc, -1);
    assert_int_equal(diag_count(&d), 1);
    assert_int_equal(d.v[0].line, line);
    /* a refused bank is left empty */
    assert_null(b.q);
    assert_int_equal(b.n, 0);
    va_list ap;
    va_start(ap, line);
    for (const char *needle; (needle = va_arg(ap, const char *));) {
        if (!strcasestr(d.v[0].msg, needle)) print_message("  message '%s' lacks '%s'\n", d.v[0].msg, needle);
        assert_non_null(strcasestr(d.v[0].msg, needle));
    }
    va_end(ap);
    diag_free(&d);
}

/* One-question bank with the given type, options A-D and answer. */
static char *one_row(const char *type, const char *stem, const char *a, const char *b_, const char *c, const char *d,
                     const char *answer)
{
    return fileio_fmt("id,type,stem,A,B,C,D,answer\nQ1,\"%s\",\"%s\",\"%s\",\"%s\",\"%s\",\"%s\",\"%s\"\n", type, stem, a,
                      b_, c, d, answer);
}

/* Parses a one-question bank and returns its normalised answer (malloc'd). */
static char *answer_of(const char *type, const char *stem, const char *a, const char *b_, const char *c, const char *d,
                       const char *answer)
{
    char *csv = one_row(type, stem, a, b_, c, d, answer);
    assert_non_null(csv);
    bank b;
    parse_ok(csv, &b);
    assert_int_equal(b.n, 1);
    char *out = strdup(b.q[0].answer);
    bank_free(&b);
    free(csv);
    return out;
}

static void check_answer(const char *type, const char *stem, const char *a, const char *b_, const char *c,
                         const char *d, const char *answer, const char *want)
{
    char *got = answer_of(type, stem, a, b_, c, d, answer);
    if (strcmp(got, want)) print_message("  %s answer '%s' normalised to '%s', want '%s'\n", type, answer, got, want);
    assert_string_equal(got, want);
    free(got);
}

/* A one-question bank that must be refused with one diagnostic on line 2. */
static void check_bad_answer(const char *type, const char *stem, const char *a, const char *b_, const char *c,
                             const char *d, const char *answer, const char *needle)
{
    char *csv = one_row(type, stem, a, b_, c, d, answer);
    assert_non_null(csv);
    expect_one_diag(csv, 2, "Q1", needle, NULL);
    free(csv);
}

static const question *find_q(const bank *b, const char *id)
{
    for (size_t i = 0; i < b->n; i++)
        if (!strcmp(b->q[i].id, id)) return &b->q[i];
    fail_msg("question %s not found", id);
    return NULL;
}

/* ---- types and answers -------------------------------------------------- */

static void test_judge_answers(void **state)
{
    (void)state;
    static const struct { const char *in, *out; } J[] = {
        {"T", "T"}, {"F", "F"}, {"对", "T"}, {"错", "F"}, {"正确", "T"}, {"错误", "F"}, {"√", "T"}, {"×", "F"},
        {"t", "T"}, {"f", "F"}, {" T ", "T"},
    };
    for (size_t i = 0; i < sizeof J / sizeof *J; i++) check_answer("judge", "s", "", "", "", "", J[i].in, J[i].out);
    /* the Chinese type names */
    check_answer("判断", "s", "", "", "", "", "对", "T");
    check_answer("判断题", "s", "", "", "", "", "错误", "F");
    check_answer("Judge", "s", "", "", "", "", "F", "F");

    bank b;
    parse_ok("id,type,stem,answer\nQ1,judge,地球是圆的,√\n", &b);
    assert_int_equal(b.n, 1);
    assert_int_equal(b.q[0].type, QT_JUDGE);
    assert_int_equal(b.q[0].noptions, 0);
    assert_null(b.q[0].options[0]);
    assert_string_equal(b.q[0].answer, "T");
    assert_string_equal(b.q[0].section, "");
    assert_string_equal(b.q[0].explanation, "");
    assert_int_equal(b.q[0].points, -1);
    assert_int_equal(b.q[0].line, 2);
    bank_free(&b);
    assert_null(b.q);
    assert_int_equal(b.n, 0);

    check_bad_answer("judge", "s", "", "", "", "", "Y", "judge");
    check_bad_answer("judge", "s", "", "", "", "", "TF", "judge");
    /* a judge question takes no options */
    check_bad_answer("judge", "s", "x", "y", "", "", "T", "option");
}

static void test_single_answers(void **state)
{
    (void)state;
    check_answer("single", "s", "甲", "乙", "丙", "", "B", "B");
    check_answer("single", "s", "甲", "乙", "丙", "", "c", "C");
    check_answer("单选", "s", "甲", "乙", "", "", "Ａ", "A"); /* full-width letter */
    check_answer("单项选择题", "s", "甲", "乙", "", "", " b ", "B");

    bank b;
    parse_ok("id,type,stem,A,B,C,D,answer\nQ1,single,问,一,二,三,四,D\n", &b);
    assert_int_equal(b.q[0].type, QT_SINGLE);
    assert_int_equal(b.q[0].noptions, 4);
    assert_string_equal(b.q[0].options[0], "一");
    assert_string_equal(b.q[0].options[3], "四");
    assert_null(b.q[0].options[4]);
    bank_free(&b);

    /* options are trimmed, and trailing empty options are fine */
    parse_ok("id,type,stem,A,B,C,D,answer\nQ1,single,问,  一 , 二 ,,,A\n", &b);
    assert_int_equal(b.q[0].noptions, 2);
    assert_string_equal(b.q[0].options[0], "一");
    assert_string_equal(b.q[0].options[1], "二");
    bank_free(&b);

    check_bad_answer("single", "s", "x", "", "", "", "A", "two options");
    check_bad_answer("single", "s", "x", "y", "", "", "A,A", "twice");
    check_bad_answer("single", "s", "x", "y", "", "", "1", "letter");
}

static void test_multi_answers(void **state)
{
    (void)state;
    check_answer("multi", "s", "a", "b", "c", "d", "C,A D", "ACD");
    check_answer("multi", "s", "a", "b", "c", "d", "DCBA", "ABCD");
    check_answer("multi", "s", "a", "b", "c", "d", "b、d", "BD");
    check_answer("多选", "s", "a", "b", "c", "d", "Ｄ，Ａ", "AD"); /* full-width letters and comma */
    check_answer("multi", "s", "a", "b", "c", "d", "AB", "AB");
    check_bad_answer("multi", "s", "a", "b", "c", "d", "A", "two letters");
    check_bad_answer("multi", "s", "a", "b", "c", "d", "ACA", "twice");
    check_bad_answer("multi", "s", "a", "b", "c", "d", "A;B", "letter");
}

static void test_fill_answers(void **state)
{
    (void)state;
    check_answer("fill", "无空格标记的题干", "", "", "", "", "答案", "答案");
    check_answer("fill", "a ___ b ___ c", "", "", "", "", " x | y ; z ", "x|y;z");
    check_answer("填空", "____和___", "", "", "", "", "甲|乙;丙|丁|戊", "甲|乙;丙|丁|戊");
    /* two underscores are not a blank: the answer's blank count is free */
    check_answer("fill", "snake__case ___", "", "", "", "", "x", "x");
    /* without ___ markers any number of blanks is accepted */
    check_answer("fill", "stem", "", "", "", "", "a;b;c", "a;b;c");

    assert_int_equal(bank_fill_blanks("a|b;c"), 2);
    assert_int_equal(bank_fill_blanks("a"), 1);
    assert_int_equal(bank_fill_blanks("a;b;c|d"), 3);

    /* number of ___ markers must equal the number of blanks */
    check_bad_answer("fill", "a ___ b ___ c", "", "", "", "", "x", "2 blanks");
    check_bad_answer("fill", "a ___ b", "", "", "", "", "x;y", "blank");
    check_bad_answer("fill", "a _____ b ___ c ___", "", "", "", "", "x;y", "3 blanks");
    /* empty blank or alternative */
    check_bad_answer("fill", "stem", "", "", "", "", "x;;y", "empty");
    check_bad_answer("fill", "stem", "", "", "", "", "x||y", "empty");
    check_bad_answer("fill", "stem", "", "", "", "", "x; ", "empty");
}

static void test_numeric_answers(void **state)
{
    (void)state;
    check_answer("numeric", "s", "", "", "", "", "12.5±0.05", "12.5+-0.05");
    check_answer("numeric", "s", "", "", "", "", "12.5 ± 0.05", "12.5+-0.05");
    check_answer("numeric", "s", "", "", "", "", "12.5+-0.05", "12.5+-0.05");
    check_answer("numeric", "s", "", "", "", "", "-3+-0.1", "-3+-0.1");
    check_answer("numeric", "s", "", "", "", "", "42", "42");
    check_answer("计算", "s", "", "", "", "", "１２．５", "12.5");          /* full-width digits and point */
    check_answer("numeric", "s", "", "", "", "", "１２．５±０．０５", "12.5+-0.05");
    check_bad_answer("numeric", "s", "", "", "", "", "abc", "numeric");
    check_bad_answer("numeric", "s", "", "", "", "", "12.5±", "numeric");
    check_bad_answer("numeric", "s", "", "", "", "", "12.5±-1", "numeric");
    check_bad_answer("numeric", "s", "", "", "", "", "1.2.3", "numeric");
}

static void test_order_answers(void **state)
{
    (void)state;
    check_answer("order", "s", "w", "x", "y", "z", "CABD", "CABD"); /* order kept, not sorted */
    check_answer("排序", "s", "w", "x", "y", "", "c,b,a", "CBA");
    check_bad_answer("order", "s", "w", "x", "y", "z", "CAB", "every option");
    check_bad_answer("order", "s", "w", "x", "y", "z", "CABA", "twice");
    check_bad_answer("order", "s", "w", "x", "y", "", "CABD", "does not exist");
}

static void test_match_answers(void **state)
{
    (void)state;
    bank b;
    parse_ok("id,type,stem,A,B,C,answer\nQ1,match,连线,北京,上海,广州, 京 | 沪 |粤\n", &b);
    assert_int_equal(b.q[0].type, QT_MATCH);
    assert_int_equal(b.q[0].noptions, 3);
    assert_string_equal(b.q[0].answer, "京|沪|粤");
    bank_free(&b);
    check_answer("匹配", "s", "a", "b", "", "", "x|y", "x|y");
    /* item count must equal the number of left-hand options */
    check_bad_answer("match", "s", "a", "b", "c", "", "x|y", "3 left-hand");
    check_bad_answer("match", "s", "a", "b", "", "", "x|y|z", "2 left-hand");
    /* right-hand items are distinct */
    check_bad_answer("match", "s", "a", "b", "c", "", "x|y|x", "repeats");
    check_bad_answer("match", "s", "a", "b", "c", "", "x| y |y", "repeats");
    check_bad_answer("match", "s", "a", "b", "c", "", "x||z", "empty");
}

static void test_essay_answers(void **state)
{
    (void)state;
    bank b;
    parse_ok("id,type,stem,answer\nQ1,essay,论述,\nQ2,简答,论述二,  要点：一、二  \n", &b);
    assert_int_equal(b.n, 2);
    assert_int_equal(b.q[0].type, QT_ESSAY);
    assert_string_equal(b.q[0].answer, "");
    assert_string_equal(b.q[1].answer, "要点：一、二");
    bank_free(&b);
    /* only an essay may have an empty answer */
    expect_one_diag("id,type,stem,answer\nQ1,fill,s,\n", 2, "answer", "empty", NULL);
    expect_one_diag("id,type,stem,A,B,answer\nQ1,single,s,x,y,\n", 2, "answer", "empty", NULL);
    /* an essay takes no options */
    expect_one_diag("id,type,stem,A,B,answer\nQ1,essay,s,x,y,\n", 2, "option", NULL);
}

static void test_qtype_names(void **state)
{
    (void)state;
    static const char *EN[] = {"judge", "single", "multi", "fill", "numeric", "order", "match", "essay"};
    static const char *ZH[] = {"判断", "单选", "多选", "填空", "计算", "排序", "匹配", "简答"};
    for (int i = 0; i < QT_COUNT; i++) {
        assert_int_equal(qtype_parse(EN[i]), i);
        assert_int_equal(qtype_parse(ZH[i]), i);
        assert_int_equal(qtype_parse(qtype_label_zh((qtype)i)), i);
        assert_string_equal(qtype_name((qtype)i), EN[i]);
    }
    assert_int_equal(qtype_parse("SINGLE"), QT_SINGLE);
    assert_int_equal(qtype_parse("choice"), -1);
    assert_int_equal(qtype_parse(""), -1);
}

/* ---- headers and points ------------------------------------------------- */

static void test_chinese_headers(void **state)
{
    (void)state;
    bank b;
    parse_ok("题号,题型,知识点,题干,选项A,选项B,选项C,答案,分值,解析\n"
             "Q1,单选,网络营销,下列哪项正确,甲,乙,丙,B,2.5,因为乙\n",
             &b);
    assert_int_equal(b.n, 1);
    const question *q = &b.q[0];
    assert_string_equal(q->id, "Q1");
    assert_int_equal(q->type, QT_SINGLE);
    assert_string_equal(q->section, "网络营销");
    assert_string_equal(q->stem, "下列哪项正确");
    assert_int_equal(q->noptions, 3);
    assert_string_equal(q->options[2], "丙");
    assert_string_equal(q->answer, "B");
    assert_int_equal(q->points, 25);
    assert_string_equal(q->explanation, "因为乙");
    bank_free(&b);

    /* column order is free; 选项 aliases up to H */
    parse_ok("答案,选项B,题干,选项A,题型,题号,选项H,选项G,选项F,选项E,选项D,选项C\n"
             "DHA,b,问,a,多选,X-1,h,g,f,e,d,c\n",
             &b);
    assert_int_equal(b.q[0].noptions, 8);
    assert_string_equal(b.q[0].options[0], "a");
    assert_string_equal(b.q[0].options[7], "h");
    assert_string_equal(b.q[0].answer, "ADH");
    bank_free(&b);
}

static void test_english_headers_case_insensitive(void **state)
{
    (void)state;
    bank b;
    parse_ok("ID,TYPE,Section,STEM,a,B,Answer,POINTS,Explanation\n"
             "q_1,Single,sec,stem,x,y,a,1,why\n",
             &b);
    const question *q = &b.q[0];
    assert_string_equal(q->id, "q_1");
    assert_int_equal(q->type, QT_SINGLE);
    assert_string_equal(q->section, "sec");
    assert_string_equal(q->options[0], "x");
    assert_string_equal(q->options[1], "y");
    assert_string_equal(q->answer, "A");
    assert_int_equal(q->points, 10);
    assert_string_equal(q->explanation, "why");
    bank_free(&b);
    /* header names are trimmed */
    parse_ok(" id , type ,stem, answer \nq,judge,s,T\n", &b);
    assert_string_equal(b.q[0].answer, "T");
    bank_free(&b);
}

static void test_points_tenths(void **state)
{
    (void)state;
    bank b;
    parse_ok("id,type,stem,answer,points\n"
             "P1,judge,s,T,1.5\nP2,judge,s,T,2\nP3,judge,s,T,100\nP4,judge,s,T,0.5\nP5,judge,s,T,\nP6,judge,s,T,3.0\n"
             "P7,judge,s,T,１.５\n",
             &b);
    assert_int_equal(b.n, 7);
    assert_int_equal(find_q(&b, "P1")->points, 15);
    assert_int_equal(find_q(&b, "P2")->points, 20);
    assert_int_equal(find_q(&b, "P3")->points, 1000);
    assert_int_equal(find_q(&b, "P4")->points, 5);
    assert_int_equal(find_q(&b, "P5")->points, -1);
    assert_int_equal(find_q(&b, "P6")->points, 30);
    assert_int_equal(find_q(&b, "P7")->points, 15);
    bank_free(&b);
    /* no points column at all: every question takes the rule's points */
    parse_ok("id,type,stem,answer\nP1,judge,s,T\n", &b);
    assert_int_equal(b.q[0].points, -1);
    bank_free(&b);

    static const char *BAD[] = {"1.25", "0", "-1", "101", "abc", "100.1"};
    for (size_t i = 0; i < sizeof BAD / sizeof *BAD; i++) {
        char *csv = fileio_fmt("id,type,stem,answer,points\nP1,judge,s,T,1\nP2,judge,s,T,%s\n", BAD[i]);
        expect_one_diag(csv, 3, "points", BAD[i], NULL);
        free(csv);
    }
}

/* ---- mistakes: one diagnostic each, on the right line --------------------- */

static void test_duplicate_id(void **state)
{
    (void)state;
    expect_one_diag("id,type,stem,answer\n"
                    "A1,judge,s,T\n"
                    "A2,judge,s,T\n"
                    "A3,judge,s,T\n"
                    "A2,judge,again,F\n",
                    5, "duplicate", "A2", "line 3", NULL);
    /* the first use is named by its physical line, even after a multi-line cell */
    expect_one_diag("id,type,stem,answer\n"
                    "A1,judge,\"line one\nline two\",T\n"
                    "A2,judge,s,T\n"
                    "A1,judge,s,T\n",
                    5, "duplicate", "A1", "line 2", NULL);
}

static void test_unknown_type(void **state)
{
    (void)state;
    expect_one_diag("id,type,stem,answer\nA1,judge,s,T\nA2,truefalse,s,T\n", 3, "unknown type", "truefalse", NULL);
    expect_one_diag("id,type,stem,answer\nA1,,s,T\n", 2, "unknown type", NULL);
}

static void test_answer_names_missing_option(void **state)
{
    (void)state;
    expect_one_diag("id,type,stem,A,B,C,D,answer\nA1,single,s,a,b,c,d,E\n", 2, "A1", "E", "not exist", NULL);
    expect_one_diag("id,type,stem,A,B,C,D,answer\nA1,multi,s,a,b,c,,ABD\n", 2, "A1", "D", "not exist", NULL);
}

static void test_missing_required_column(void **state)
{
    (void)state;
    expect_one_diag("id,type,answer\nA1,judge,T\n", 1, "missing", "stem", NULL);
    expect_one_diag("id,type,stem\nA1,judge,s\n", 1, "missing", "answer", NULL);
    expect_one_diag("题号,题干,答案\nA1,s,T\n", 1, "missing", "type", NULL);
    expect_one_diag("type,stem,answer\njudge,s,T\n", 1, "missing", "id", NULL);
    /* an unknown column is refused too, and named */
    expect_one_diag("id,type,stem,answer,difficulty\nA1,judge,s,T,3\n", 1, "difficulty", NULL);
    /* a column given twice */
    expect_one_diag("id,type,stem,answer,题干\nA1,judge,s,T,s\n", 1, "twice", NULL);
}

static void test_option_gap(void **state)
{
    (void)state;
    expect_one_diag("id,type,stem,A,B,C,D,answer\nG1,single,s,a,,c,,A\n", 2, "G1", "option B", "option C", NULL);
    expect_one_diag("id,type,stem,A,B,C,D,answer\nG1,multi,s,a,b,,d,AB\n", 2, "option C", "option D", NULL);
}

static void test_single_two_letters(void **state)
{
    (void)state;
    expect_one_diag("id,type,stem,A,B,C,answer\nS1,single,s,a,b,c,AB\n", 2, "S1", "single", "one letter", NULL);
    expect_one_diag("id,type,stem,A,B,C,answer\nS1,single,s,a,b,c,\"A,C\"\n", 2, "single", "one letter", NULL);
}

static void test_bad_id(void **state)
{
    (void)state;
    expect_one_diag("id,type,stem,answer\nA 1,judge,s,T\n", 2, "A 1", "id", NULL);
    expect_one_diag("id,type,stem,answer\n题1,judge,s,T\n", 2, "题1", "id", NULL);
    expect_one_diag("id,type,stem,answer\nA.1,judge,s,T\n", 2, "A.1", NULL);
    expect_one_diag("id,type,stem,answer\n,judge,s,T\n", 2, "id", NULL);
    /* 33 characters is too long, 32 is fine */
    expect_one_diag("id,type,stem,answer\nabcdefghijklmnopqrstuvwxyz0123456,judge,s,T\n", 2, "id", NULL);
    bank b;
    parse_ok("id,type,stem,answer\nabcdefghijklmnopqrstuvwxyz-_1234,judge,s,T\n", &b);
    assert_string_equal(b.q[0].id, "abcdefghijklmnopqrstuvwxyz-_1234");
    bank_free(&b);
}

static void test_empty_stem(void **state)
{
    (void)state;
    expect_one_diag("id,type,stem,answer\nE1,judge,s,T\nE2,judge,,T\n", 3, "E2", "stem", "empty", NULL);
    expect_one_diag("id,type,stem,answer\nE2,judge,\"  \",T\n", 2, "stem", "empty", NULL);
}

static void test_too_many_cells(void **state)
{
    (void)state;
    expect_one_diag("id,type,stem,answer\nC1,judge,s,T\nC2,judge,s,T,extra\n", 3, "5 cells", "4 columns", NULL);
    /* an unquoted comma in the stem is the usual cause */
    expect_one_diag("id,type,stem,answer\nC1,judge,a,b,T\n", 2, "cells", NULL);
}

static void test_several_bad_rows(void **state)
{
    (void)state;
    const char *csv = "id,type,stem,A,B,answer\n"       /* 1 */
                      "K1,judge,ok,,,T\n"               /* 2 */
                      "K2,judge,\"multi\nline\",,,X\n"  /* 3-4: bad judge answer */
                      "K3,single,ok,a,b,A\n"            /* 5 */
                      "K4,bogus,ok,a,b,A\n"             /* 6: unknown type */
                      "K1,judge,dup,,,T\n"              /* 7: duplicate of line 2 */
                      "K5,single,,a,b,A\n"              /* 8: empty stem */
                      "K6,single,ok,a,b,A\n"            /* 9 */
                      "K 7,single,ok,a,b,A\n"           /* 10: bad id */
                      "K8,single,ok,a,b,AB\n";          /* 11: two letters */
    diag d;
    diag_init(&d);
    bank b;
    int rc = bank_parse(csv, strlen(csv), &b, &d);
    if (diag_count(&d) != 6) dump_diag(&d);
    assert_int_equal(rc, -1);
    assert_null(b.q);
    assert_int_equal(b.n, 0);
    static const long LINES[] = {3, 6, 7, 8, 10, 11};
    assert_int_equal(diag_count(&d), sizeof LINES / sizeof *LINES);
    for (size_t i = 0; i < sizeof LINES / sizeof *LINES; i++) assert_int_equal(d.v[i].line, LINES[i]);
    assert_non_null(strstr(d.v[0].msg, "K2"));
    assert_non_null(strstr(d.v[1].msg, "bogus"));
    assert_non_null(strstr(d.v[2].msg, "line 2"));
    assert_non_null(strstr(d.v[3].msg, "stem"));
    assert_non_null(strstr(d.v[4].msg, "K 7"));
    assert_non_null(strstr(d.v[5].msg, "K8"));
    diag_free(&d);
}

static void test_header_only_and_empty(void **state)
{
    (void)state;
    expect_one_diag("id,type,stem,answer\n", 1, "no questions", NULL);
    expect_one_diag("id,type,stem,answer\n\n\n", 1, "no questions", NULL);
    diag d;
    diag_init(&d);
    bank b;
    assert_int_equal(bank_parse("", 0, &b, &d), -1);
    assert_int_equal(diag_count(&d), 1);
    assert_null(b.q);
    diag_free(&d);
    /* a CSV syntax error is one diagnostic on its line */
    expect_one_diag("id,type,stem,answer\nQ1,judge,\"never closed,T\n", 2, "never closed", NULL);
    expect_one_diag("id,type,stem,answer\nQ1,judge,bad\"quote,T\n", 2, "quote", NULL);
}

/* ---- encodings and layout ----------------------------------------------- */

static void test_bom_crlf_quotes(void **state)
{
    (void)state;
    bank b;
    parse_ok("\xEF\xBB\xBFid,type,stem,A,B,answer\r\n"
             "\r\n"
             "Q1,single,\"含逗号, 和 \"\"引号\"\"\r\n第二行\",a,b,B\r\n"
             "Q2,judge,s,,,F\r\n",
             &b);
    assert_int_equal(b.n, 2);
    assert_string_equal(b.q[0].id, "Q1");
    assert_string_equal(b.q[0].stem, "含逗号, 和 \"引号\"\n第二行");
    assert_int_equal(b.q[0].line, 3);
    assert_int_equal(b.q[1].line, 5);
    assert_string_equal(b.q[1].answer, "F");
    bank_free(&b);
}

static void test_gb18030(void **state)
{
    (void)state;
    /* "题号,题型,题干,答案\nQ1,判断,对吗,对\n" in GB18030 */
    static const char GB[] = "\xCC\xE2\xBA\xC5\x2C\xCC\xE2\xD0\xCD\x2C\xCC\xE2\xB8\xC9\x2C\xB4\xF0\xB0\xB8\x0A"
                             "\x51\x31\x2C\xC5\xD0\xB6\xCF\x2C\xB6\xD4\xC2\xF0\x2C\xB6\xD4\x0A";
    bank b;
    parse_ok(GB, &b);
    assert_int_equal(b.n, 1);
    assert_int_equal(b.q[0].type, QT_JUDGE);
    assert_string_equal(b.q[0].stem, "对吗");
    assert_string_equal(b.q[0].answer, "T");
    bank_free(&b);
}

/* ---- sample banks ------------------------------------------------------- */

static void read_sample(const char *name, bank *b)
{
    unsigned char *buf = NULL;
    size_t len = 0;
    char *why = NULL;
    char *path = fileio_fmt(SAMPLES "%s", name);
    if (fileio_read(path, 1u << 24, &buf, &len, &why) != 0) fail_msg("cannot read %s: %s", path, why);
    free(path);
    diag d;
    diag_init(&d);
    int rc = bank_parse((const char *)buf, len, b, &d);
    dump_diag(&d);
    assert_int_equal(rc, 0);
    assert_int_equal(diag_count(&d), 0);
    diag_free(&d);
    free(buf);
}

static void test_sample_theory(void **state)
{
    (void)state;
    bank b;
    read_sample("theory-4.csv", &b);
    assert_int_equal(b.n, 214);
    int per[QT_COUNT] = {0};
    for (size_t i = 0; i < b.n; i++) {
        per[b.q[i].type]++;
        assert_true(b.q[i].line >= 2);
        assert_true(*b.q[i].stem);
        assert_true(*b.q[i].explanation);
        assert_int_equal(b.q[i].points, -1);
        if (i) assert_true(b.q[i].line > b.q[i - 1].line);
    }
    assert_int_equal(per[QT_JUDGE], 65);
    assert_int_equal(per[QT_SINGLE], 105);
    assert_int_equal(per[QT_MULTI], 44);
    const question *q = &b.q[0];
    assert_string_equal(q->id, "T-J001");
    assert_int_equal(q->line, 2);
    assert_string_equal(q->section, "电子商务基础");
    assert_string_equal(q->answer, "T");
    assert_non_null(strstr(q->stem, "B2C"));
    q = find_q(&b, "T-M002");
    assert_int_equal(q->type, QT_MULTI);
    assert_int_equal(q->noptions, 5);
    assert_string_equal(q->options[0], "CPM");
    assert_string_equal(q->answer, "ACD");
    q = find_q(&b, "T-M044");
    assert_int_equal(q->noptions, 4);
    assert_int_equal(q->line, 215);
    assert_string_equal(q->answer, "ABC");
    bank_free(&b);
}

static void test_sample_practical(void **state)
{
    (void)state;
    bank b;
    read_sample("practical-4.csv", &b);
    assert_int_equal(b.n, 52);
    int per[QT_COUNT] = {0};
    for (size_t i = 0; i < b.n; i++) per[b.q[i].type]++;
    assert_int_equal(per[QT_NUMERIC], 16);
    assert_int_equal(per[QT_FILL], 14);
    assert_int_equal(per[QT_ORDER], 8);
    assert_int_equal(per[QT_MATCH], 8);
    assert_int_equal(per[QT_ESSAY], 6);
    const question *q = &b.q[0];
    assert_string_equal(q->id, "P-N01");
    assert_int_equal(q->type, QT_NUMERIC);
    assert_string_equal(q->answer, "3.17+-0.01");
    assert_int_equal(q->line, 2);
    assert_non_null(strstr(q->stem, "\n| 日期 | 访客数 | 成交人数 |\n"));
    assert_int_equal(q->points, -1);
    /* the next row starts after the 9-line quoted stem */
    assert_string_equal(b.q[1].id, "P-N02");
    assert_int_equal(b.q[1].line, 11);
    for (size_t i = 0; i < b.n; i++) {
        if (b.q[i].type == QT_MATCH || b.q[i].type == QT_ORDER) {
            assert_true(b.q[i].noptions >= 2);
        } else {
            assert_int_equal(b.q[i].noptions, 0);
        }
        if (b.q[i].type == QT_ORDER) assert_int_equal((int)strlen(b.q[i].answer), b.q[i].noptions);
        if (b.q[i].type == QT_MATCH) assert_int_equal(bank_fill_blanks(b.q[i].answer), 1);
    }
    bank_free(&b);
}

/* Image lines in stems: [图:name.png], [图：name.png], [img:name.png]. */
static void test_stem_images(void **state)
{
    (void)state;
    char names[4][BANK_IMAGE_NAME_MAX + 1], n1[BANK_IMAGE_NAME_MAX + 1];
    assert_int_equal(bank_stem_images("看图：\n[图:a.png]\n  [img:b_2-x.png]  \n[图：c.png]\n问题", names, 4), 3);
    assert_string_equal(names[0], "a.png");
    assert_string_equal(names[1], "b_2-x.png");
    assert_string_equal(names[2], "c.png");
    assert_int_equal(bank_stem_images("没有图片，只有文字[图:a.png]在句中", names, 4), 0); /* only whole lines */
    assert_int_equal(bank_stem_images("[图:../etc/passwd.png]", names, 4), -1);
    assert_int_equal(bank_stem_images("[图:a.jpg]", names, 4), -1);
    assert_int_equal(bank_stem_images("[图:.hidden.png]", names, 4), -1);
    assert_int_equal(bank_image_line("[图:x.png]", strlen("[图:x.png]"), n1), 1);
    assert_string_equal(n1, "x.png");
    assert_int_equal(bank_image_line("plain", 5, n1), 0);
    /* a malformed reference is one mistake on its row */
    const char *csv = "id,type,stem,A,B,answer\nQ1,single,\"[图:bad name.png]\",x,y,A\n";
    bank b;
    diag d;
    diag_init(&d);
    assert_int_equal(bank_parse(csv, strlen(csv), &b, &d), -1);
    assert_int_equal(diag_count(&d), 1);
    assert_int_equal(d.v[0].line, 2);
    assert_non_null(strstr(d.v[0].msg, "image line"));
    diag_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stem_images),
        cmocka_unit_test(test_judge_answers),
        cmocka_unit_test(test_single_answers),
        cmocka_unit_test(test_multi_answers),
        cmocka_unit_test(test_fill_answers),
        cmocka_unit_test(test_numeric_answers),
        cmocka_unit_test(test_order_answers),
        cmocka_unit_test(test_match_answers),
        cmocka_unit_test(test_essay_answers),
        cmocka_unit_test(test_qtype_names),
        cmocka_unit_test(test_chinese_headers),
        cmocka_unit_test(test_english_headers_case_insensitive),
        cmocka_unit_test(test_points_tenths),
        cmocka_unit_test(test_duplicate_id),
        cmocka_unit_test(test_unknown_type),
        cmocka_unit_test(test_answer_names_missing_option),
        cmocka_unit_test(test_missing_required_column),
        cmocka_unit_test(test_option_gap),
        cmocka_unit_test(test_single_two_letters),
        cmocka_unit_test(test_bad_id),
        cmocka_unit_test(test_empty_stem),
        cmocka_unit_test(test_too_many_cells),
        cmocka_unit_test(test_several_bad_rows),
        cmocka_unit_test(test_header_only_and_empty),
        cmocka_unit_test(test_bom_crlf_quotes),
        cmocka_unit_test(test_gb18030),
        cmocka_unit_test(test_sample_theory),
        cmocka_unit_test(test_sample_practical),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
