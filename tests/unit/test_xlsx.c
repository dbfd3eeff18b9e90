/* Unit tests for core/xlsx.c (the .xlsx reader) and diag_where: workbooks
 * made in memory by tests/tools/zipbuild.h, each about one thing: shared and
 * inline strings, rich-text runs, gaps, numbers, dates, merged cells,
 * identifier columns, bombs, malformed zips and XML. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/csv.h"
#include "core/diag.h"
#include "core/xlsx.h"
#include "tests/tools/zipbuild.h"

#define IS(s) "<is><t>" s "</t></is>"
#define STYLES_DATE                                                                                                     \
    "<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><numFmts count=\"1\">"            \
    "<numFmt numFmtId=\"164\" formatCode=\"yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;\"/></numFmts>"              \
    "<cellStyleXfs><xf numFmtId=\"14\"/></cellStyleXfs><cellXfs count=\"4\"><xf numFmtId=\"0\"/><xf numFmtId=\"14\"/>" \
    "<xf numFmtId=\"164\"/><xf numFmtId=\"22\"/></cellXfs></styleSheet>"

/* reads SHEET (with SST, STYLES) into T; returns the rc, D holds the diagnostics */
static csv_rc read_wb(const char *sheet, const char *sst, const char *styles, csv_table *t, diag *d)
{
    size_t len;
    unsigned char *z = zb_workbook(sheet, sst, styles, 1, &len);
    diag_init(d);
    csv_rc rc = xlsx_parse(z, len, NULL, t, d);
    free(z);
    return rc;
}

static void assert_cells(const csv_row *r, long line, size_t n, ...)
{
    assert_int_equal(r->line, line);
    assert_int_equal(r->ncells, n);
    va_list ap;
    va_start(ap, n);
    for (size_t i = 0; i < n; i++) assert_string_equal(r->cells[i], va_arg(ap, const char *));
    va_end(ap);
}

/* expects failure RC with one diagnostic at (LINE, COL) containing WANT, and an empty table */
static void expect_fail_z(const unsigned char *z, size_t len, const char *sheet, csv_rc want, long line, int col,
                          const char *msg)
{
    csv_table t;
    diag d;
    diag_init(&d);
    csv_rc rc = xlsx_parse(z, len, sheet, &t, &d);
    if (rc != want || d.n != 1 || !strstr(d.v[0].msg, msg))
        fail_msg("rc %d (want %d), %zu diagnostics, first: %s", rc, want, d.n, d.n ? d.v[0].msg : "-");
    assert_int_equal(d.v[0].line, line);
    assert_int_equal(d.v[0].col, col);
    assert_int_equal(t.nrows, 0);
    assert_null(t.rows);
    diag_free(&d);
}

static void expect_fail(const char *sheet, const char *sst, const char *styles, csv_rc want, long line, int col,
                        const char *msg)
{
    size_t len;
    unsigned char *z = zb_workbook(sheet, sst, styles, 1, &len);
    expect_fail_z(z, len, NULL, want, line, col, msg);
    free(z);
}

static void test_shared_strings_rich_runs(void **state)
{
    (void)state;
    csv_table t;
    diag d;
    const char *sheet = ZB_SHEET("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c></row>"
                                 "<row r=\"2\"><c r=\"A2\" t=\"s\"><v>2</v></c><c r=\"B2\" t=\"s\"><v>3</v></c></row>");
    /* a rich-text string of runs; a phonetic run (rPh) that is not part of the text; escapes; CR LF */
    const char *sst = ZB_SST("<si><t>id</t></si><si><r><rPr><b/></rPr><t>st</t></r><r><t xml:space=\"preserve\">em </t></r></si>"
                             "<si><t>Q1</t><rPh sb=\"0\" eb=\"1\"><t>キュー</t></rPh></si>"
                             "<si><t>第一行_x000D_\n第二行 _x005F_x000D_ &amp; &lt;</t></si>");
    assert_int_equal(read_wb(sheet, sst, NULL, &t, &d), CSV_OK);
    assert_int_equal(t.nrows, 2);
    assert_cells(&t.rows[0], 1, 2, "id", "stem ");
    assert_cells(&t.rows[1], 2, 2, "Q1", "第一行\n第二行 _x000D_ & <");
    assert_string_equal(t.sheet, "题库");
    assert_string_equal(d.sheet, "题库");
    assert_int_equal(d.n, 0);
    csv_free(&t);
    diag_free(&d);
}

static void test_inline_strings_and_gaps(void **state)
{
    (void)state;
    csv_table t;
    diag d;
    /* no r attributes in row 1 (each cell the next column); a gap at B; row 2 has no value (left out);
     * row 4 starts at column C; a styled empty cell far right counts for nothing */
    const char *sheet = ZB_SHEET("<row><c t=\"inlineStr\">" IS("a") "</c><c/><c t=\"inlineStr\"><is><r><t>b</t></r><r><t>c</t></r>"
                                 "<rPh><t>x</t></rPh></is></c></row>"
                                 "<row r=\"2\"><c r=\"A2\" s=\"0\"/><c r=\"B2\" t=\"inlineStr\"><is><t></t></is></c></row>"
                                 "<row r=\"4\"><c r=\"C4\" t=\"str\"><f>A1&amp;\"x\"</f><v>ax</v></c><c r=\"XFD4\" s=\"1\"/></row>");
    assert_int_equal(read_wb(sheet, NULL, NULL, &t, &d), CSV_OK);
    assert_int_equal(t.nrows, 2);
    assert_cells(&t.rows[0], 1, 3, "a", "", "bc");
    assert_cells(&t.rows[1], 4, 3, "", "", "ax");
    csv_free(&t);
    diag_free(&d);
}

static void test_numbers_booleans_dates(void **state)
{
    (void)state;
    csv_table t;
    diag d;
    const char *sheet = ZB_SHEET("<row r=\"1\"><c t=\"inlineStr\">" IS("a") "</c><c t=\"inlineStr\">" IS("received") "</c></row>"
                                 "<row r=\"2\"><c><v>12.5</v></c><c><v>45352</v></c><c s=\"1\"><v>45352</v></c>"
                                 "<c s=\"2\"><v>45352</v></c><c s=\"3\"><v>45352.5</v></c><c t=\"b\"><v>1</v></c>"
                                 "<c t=\"b\"><v>0</v></c><c t=\"d\"><v>2024-03-01T00:00:00</v></c></row>"
                                 "<row r=\"3\"><c><v>0.30000000000000004</v></c><c t=\"inlineStr\">" IS("2024-03-01") "</c>"
                                 "<c><v>1.5E+21</v></c><c><v>100</v></c><c><v>1E-3</v></c><c t=\"n\"><v>-0</v></c>"
                                 "<c><v>123456789012345678</v></c></row>");
    assert_int_equal(read_wb(sheet, NULL, STYLES_DATE, &t, &d), CSV_OK);
    assert_int_equal(t.nrows, 3);
    /* a number in `received` is a date whatever its format; a date-formatted number anywhere */
    assert_cells(&t.rows[1], 2, 8, "12.5", "2024-03-01", "2024-03-01", "2024-03-01", "2024-03-01 12:00:00", "TRUE",
                 "FALSE", "2024-03-01");
    assert_cells(&t.rows[2], 3, 7, "0.30000000000000004", "2024-03-01", "1.5E+21", "100", "0.001", "0",
                 "123456789012345680");
    csv_free(&t);
    diag_free(&d);
}

static void test_number_text_and_serials(void **state)
{
    (void)state;
    char b[32];
    static const struct { double v; const char *s; } N[] = {
        {12.5, "12.5"}, {0.1, "0.1"}, {-2, "-2"}, {1e21, "1E+21"}, {1e20, "100000000000000000000"}, {1.25e-7, "0.000000125"},
        {1e-8, "1E-08"}, {2.5e-300, "2.5E-300"}, {0.1 + 0.2, "0.30000000000000004"}, {123456.789, "123456.789"}};
    for (size_t i = 0; i < sizeof N / sizeof *N; i++) {
        xlsx_number_text(N[i].v, b);
        assert_string_equal(b, N[i].s);
    }
    assert_int_equal(xlsx_serial_date(1, 0, 0, b), 0);
    assert_string_equal(b, "1900-01-01");
    assert_int_equal(xlsx_serial_date(59, 0, 0, b), 0);
    assert_string_equal(b, "1900-02-28");
    assert_int_equal(xlsx_serial_date(60, 0, 0, b), 0);
    assert_string_equal(b, "1900-02-29"); /* Excel's day that never was, as Excel shows it */
    assert_int_equal(xlsx_serial_date(61, 0, 0, b), 0);
    assert_string_equal(b, "1900-03-01");
    assert_int_equal(xlsx_serial_date(45352.75, 0, 1, b), 0);
    assert_string_equal(b, "2024-03-01 18:00:00");
    assert_int_equal(xlsx_serial_date(0, 1, 0, b), 0);
    assert_string_equal(b, "1904-01-01");
    assert_int_equal(xlsx_serial_date(2958465, 0, 0, b), 0);
    assert_string_equal(b, "9999-12-31");
    assert_int_equal(xlsx_serial_date(2958466, 0, 0, b), -1);
    assert_int_equal(xlsx_serial_date(-1, 0, 0, b), -1);
    assert_int_equal(xlsx_serial_date(0, 0, 0, b), -1);
}

static void test_merged_cells_refused(void **state)
{
    (void)state;
    expect_fail(ZB_SHEET_AND("<row r=\"1\"><c t=\"inlineStr\">" IS("id") "</c><c/></row><row r=\"2\"><c t=\"inlineStr\">" IS("x") "</c></row>",
                "<mergeCells count=\"1\"><mergeCell ref=\"A1:B1\"/></mergeCells>"),
                NULL, NULL, CSV_ENCODING, 1, 0, "header cells A1:B1 are merged");
    /* the merge element comes after sheetData: the whole sheet is still refused */
    expect_fail(ZB_SHEET_AND("<row r=\"1\"><c t=\"inlineStr\">" IS("id") "</c></row><row r=\"3\"><c t=\"inlineStr\">" IS("x") "</c></row>",
                "<mergeCells><mergeCell ref=\"C3:C5\"/></mergeCells>"),
                NULL, NULL, CSV_ENCODING, 3, 2, "cells C3:C5 are merged, which keeps the value in C3 only");
}

static void test_numeric_identifiers_refused(void **state)
{
    (void)state;
    const char *head = "<row r=\"1\"><c t=\"inlineStr\">" IS("name") "</c><c t=\"inlineStr\">" IS(" 准考证号 ") "</c>"
                       "<c t=\"inlineStr\">" IS("ID_Number") "</c></row>";
    char sheet[2048];
    snprintf(sheet, sizeof sheet, ZB_SHEET("%s<row r=\"2\"><c t=\"inlineStr\">" IS("张三") "</c><c><v>2026114401001</v></c></row>"), head);
    expect_fail(sheet, NULL, NULL, CSV_ENCODING, 2, 1, "format the column as text");
    snprintf(sheet, sizeof sheet,
             ZB_SHEET("%s<row r=\"2\"><c r=\"B2\" t=\"inlineStr\">" IS("2026114401001") "</c><c r=\"C2\"><v>1.10105194912310E+17</v></c></row>"),
             head);
    expect_fail(sheet, NULL, NULL, CSV_ENCODING, 2, 2, "Excel keeps only 15 digits");
    /* text in those columns is read as it is; a number in the header row itself is just a header */
    csv_table t;
    diag d;
    snprintf(sheet, sizeof sheet, ZB_SHEET("%s<row r=\"2\"><c r=\"B2\" t=\"inlineStr\">" IS("0001") "</c><c r=\"C2\" t=\"s\"><v>0</v></c></row>"), head);
    assert_int_equal(read_wb(sheet, ZB_SST("<si><t>11010519491231002X</t></si>"), NULL, &t, &d), CSV_OK);
    assert_cells(&t.rows[1], 2, 3, "", "0001", "11010519491231002X");
    csv_free(&t);
    diag_free(&d);
}

static void test_cell_values_refused(void **state)
{
    (void)state;
    expect_fail(ZB_SHEET("<row r=\"1\"><c t=\"inlineStr\">" IS("a") "</c></row><row r=\"2\"><c r=\"D2\" t=\"e\"><v>#DIV/0!</v></c></row>"),
                NULL, NULL, CSV_ENCODING, 2, 3, "the Excel error #DIV/0!");
    expect_fail(ZB_SHEET("<row r=\"7\"><c r=\"B7\" t=\"s\"><v>5</v></c></row>"), ZB_SST("<si><t>x</t></si>"), NULL, CSV_ENCODING, 7, 1,
                "shared string '5', which does not exist");
    expect_fail(ZB_SHEET("<row r=\"1\"><c r=\"A1\"><v>12abc</v></c></row>"), NULL, NULL, CSV_ENCODING, 1, 0, "not a number");
    expect_fail(ZB_SHEET("<row r=\"1\"><c r=\"A1\" t=\"inlineStr\">" IS("a_x0000_") "</c></row>"), NULL, NULL, CSV_ENCODING, 1, 0,
                "NUL character");
    expect_fail(ZB_SHEET("<row r=\"1\"><c r=\"BM1\" t=\"inlineStr\">" IS("x") "</c></row>"), NULL, NULL, CSV_TOOBIG, 1, 64,
                "at most 64 columns");
    expect_fail(ZB_SHEET("<row r=\"3\"/><row r=\"2\"/>"), NULL, NULL, CSV_ENCODING, 2, -1, "out of order");
    expect_fail(ZB_SHEET("<row r=\"3\"><c r=\"C3\"/><c r=\"B3\"/></row>"), NULL, NULL, CSV_ENCODING, 3, 1, "out of order");
    expect_fail(ZB_SHEET("<row r=\"3\"><c r=\"C4\"/></row>"), NULL, NULL, CSV_ENCODING, 3, -1, "a cell of row 3 is named 'C4'");
    expect_fail(ZB_SHEET("<row r=\"1\"><c r=\"A1\" t=\"zz\"/></row>"), NULL, NULL, CSV_ENCODING, 1, 0, "type 'zz'");
    expect_fail(ZB_SHEET("<row r=\"1\"><c r=\"A1\"/></row>"), NULL, NULL, CSV_EMPTY, 1, -1, "the sheet is empty");
}

static void test_sheet_choice(void **state)
{
    (void)state;
    static const char wb[] = ZB_WORKBOOK("<sheet name=\"隐藏\" sheetId=\"2\" state=\"hidden\" r:id=\"rId2\"/>"
                                         "<sheet name=\"考生名单\" sheetId=\"1\" r:id=\"rId1\"/>");
    static const char s1[] = ZB_SHEET("<row r=\"1\"><c t=\"inlineStr\">" IS("one") "</c></row>");
    static const char s2[] = ZB_SHEET("<row r=\"1\"><c t=\"inlineStr\">" IS("two") "</c></row>");
    zb_part p[] = {{"_rels/.rels", ZB_RELS, sizeof ZB_RELS - 1, 0, 0},
                   {"xl/workbook.xml", wb, sizeof wb - 1, 0, 0},
                   {"xl/_rels/workbook.xml.rels", ZB_WB_RELS, sizeof ZB_WB_RELS - 1, 0, 0},
                   {"xl/worksheets/sheet1.xml", s1, sizeof s1 - 1, 1, 0},
                   {"xl/worksheets/sheet2.xml", s2, sizeof s2 - 1, 0, 0}};
    size_t len;
    unsigned char *z = zb_zip(p, 5, &len);
    csv_table t;
    diag d;
    diag_init(&d);
    assert_int_equal(xlsx_parse(z, len, NULL, &t, &d), CSV_OK); /* the first visible sheet */
    assert_string_equal(t.rows[0].cells[0], "one");
    assert_string_equal(t.sheet, "考生名单");
    csv_free(&t);
    assert_int_equal(xlsx_parse(z, len, "隐藏", &t, &d), CSV_OK); /* a hidden one by its name */
    assert_string_equal(t.rows[0].cells[0], "two");
    csv_free(&t);
    diag_free(&d);
    expect_fail_z(z, len, "Sheet9", CSV_ENCODING, 0, -1, "no sheet named 'Sheet9' (its sheets: 隐藏, 考生名单)");
    free(z);
}

static void test_bombs(void **state)
{
    (void)state;
    /* a sheet that inflates past the part limit, its size told honestly: refused before inflating */
    size_t big = XLSX_MAX_PART + 1024;
    char *spaces = malloc(big + 256);
    memcpy(spaces, "<worksheet>", 11);
    memset(spaces + 11, ' ', big);
    strcpy(spaces + 11 + big, "<sheetData/></worksheet>");
    size_t slen = strlen(spaces), len;
    zb_part p[] = {{"_rels/.rels", ZB_RELS, sizeof ZB_RELS - 1, 0, 0},
                   {"xl/workbook.xml", ZB_WORKBOOK("<sheet name=\"S\" sheetId=\"1\" r:id=\"rId1\"/>"),
                    sizeof ZB_WORKBOOK("<sheet name=\"S\" sheetId=\"1\" r:id=\"rId1\"/>") - 1, 0, 0},
                   {"xl/_rels/workbook.xml.rels", ZB_WB_RELS, sizeof ZB_WB_RELS - 1, 0, 0},
                   {"xl/worksheets/sheet1.xml", spaces, slen, 1, 0},
                   {"xl/sharedStrings.xml", NULL, 0, 1, 0},
                   {"xl/styles.xml", NULL, 0, 1, 0}};
    unsigned char *z = zb_zip(p, 4, &len);
    assert_true(len < (2u << 20)); /* a bomb: a small file */
    expect_fail_z(z, len, NULL, CSV_TOOBIG, 0, -1, "would inflate to");
    free(z);
    /* the same with a lie in the headers (1000 bytes): the inflated bytes are counted, whatever the headers say */
    p[3].claim = 1000;
    z = zb_zip(p, 4, &len);
    {
        csv_table t;
        diag d;
        diag_init(&d);
        csv_rc rc = xlsx_parse(z, len, NULL, &t, &d);
        assert_true(rc == CSV_TOOBIG || rc == CSV_ENCODING);
        assert_int_equal(d.n, 1);
        assert_int_equal(t.nrows, 0);
        diag_free(&d);
    }
    free(z);
    /* parts each under the limit, together over it: sheet, shared strings and styles of 90 MiB each */
    size_t part = 90u << 20;
    char *a = malloc(part + 64), *b = malloc(part + 64), *c = malloc(part + 64);
    snprintf(a, 64, "<worksheet>");
    memset(a + 11, ' ', part);
    strcpy(a + 11 + part, "<sheetData/></worksheet>");
    snprintf(b, 64, "<sst>");
    memset(b + 5, ' ', part);
    strcpy(b + 5 + part, "</sst>");
    snprintf(c, 64, "<styleSheet>");
    memset(c + 12, ' ', part);
    strcpy(c + 12 + part, "</styleSheet>");
    p[3] = (zb_part){"xl/worksheets/sheet1.xml", a, strlen(a), 1, 0};
    p[4].data = b, p[4].len = strlen(b);
    p[5].data = c, p[5].len = strlen(c);
    z = zb_zip(p, 6, &len);
    expect_fail_z(z, len, NULL, CSV_TOOBIG, 0, -1, "inflate to more than 200 MiB together");
    free(z);
    free(a);
    free(b);
    free(c);
    free(spaces);
}

static void test_shared_string_amplification(void **state)
{
    (void)state;
    /* one shared string of 60 000 bytes used by 1200 cells: 72 MB of table from a small sheet */
    char *sst = malloc(70000), *sheet = malloc(200000);
    strcpy(sst, "<sst><si><t>");
    memset(sst + 12, 'x', 60000);
    strcpy(sst + 12 + 60000, "</t></si></sst>");
    size_t o = (size_t)sprintf(sheet, "<worksheet><sheetData>");
    for (int r = 1; r <= 20; r++) {
        o += (size_t)sprintf(sheet + o, "<row r=\"%d\">", r);
        for (int c = 0; c < 60; c++) o += (size_t)sprintf(sheet + o, "<c t=\"s\"><v>0</v></c>");
        o += (size_t)sprintf(sheet + o, "</row>");
    }
    strcpy(sheet + o, "</sheetData></worksheet>");
    csv_table t;
    diag d;
    assert_int_equal(read_wb(sheet, sst, NULL, &t, &d), CSV_TOOBIG);
    assert_int_equal(d.n, 1);
    assert_non_null(strstr(d.v[0].msg, "more than 64 MiB of text"));
    diag_free(&d);
    free(sst);
    free(sheet);
}

static void test_malformed(void **state)
{
    (void)state;
    expect_fail_z((const unsigned char *)"PK\3\4 not really a zip", 22, NULL, CSV_ENCODING, 0, -1, "not a readable .xlsx workbook");
    /* a zip, but of something else */
    zb_part other[] = {{"readme.txt", "hello", 5, 0, 0}};
    size_t len;
    unsigned char *z = zb_zip(other, 1, &len);
    expect_fail_z(z, len, NULL, CSV_ENCODING, 0, -1, "not an .xlsx workbook (no xl/workbook.xml)");
    free(z);
    /* a real workbook cut short */
    z = zb_workbook(ZB_SHEET("<row r=\"1\"><c t=\"inlineStr\">" IS("a") "</c></row>"), NULL, NULL, 1, &len);
    expect_fail_z(z, len / 2, NULL, CSV_ENCODING, 0, -1, "not a readable .xlsx workbook");
    /* a stored sheet with a byte changed: its CRC no longer holds */
    free(z);
    z = zb_workbook(ZB_SHEET("<row r=\"1\"><c t=\"inlineStr\">" IS("abcdef") "</c></row>"), NULL, NULL, 0, &len);
    unsigned char *copy = malloc(len);
    memcpy(copy, z, len);
    unsigned char *hit = memmem(copy, len, "abcdef", 6);
    assert_non_null(hit);
    hit[2] = 'X';
    expect_fail_z(copy, len, NULL, CSV_ENCODING, 0, -1, "xl/worksheets/sheet1.xml is damaged");
    free(copy);
    free(z);
    expect_fail("<worksheet><sheetData><row></sheetData></worksheet>", NULL, NULL, CSV_ENCODING, 0, -1,
                "xl/worksheets/sheet1.xml is not well-formed XML (line 1: mismatched tag)");
    expect_fail("<?xml version=\"1.0\"?><!DOCTYPE w [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;\">]><worksheet>&b;</worksheet>", NULL,
                NULL, CSV_ENCODING, 0, -1, "document type declaration (DTD)");
    char deep[2000] = "";
    for (int i = 0; i < XLSX_MAX_DEPTH + 2; i++) strcat(deep, "<a>");
    expect_fail(deep, NULL, NULL, CSV_TOOBIG, 0, -1, "more than 64 deep");
    expect_fail(ZB_SHEET("<row r=\"1\"><c t=\"s\"><v>0</v></c></row>"), "<sst><si><t>a</t></si", NULL, CSV_ENCODING, 0, -1,
                "xl/sharedStrings.xml is not well-formed XML");
}

static void test_table_read(void **state)
{
    (void)state;
    csv_table t;
    diag d;
    diag_init(&d);
    assert_int_equal(table_read("a.csv", "id,x\n1,2\n", 9, NULL, &t, &d), 0);
    assert_null(t.sheet);
    assert_null(d.sheet);
    assert_int_equal(t.nrows, 2);
    csv_free(&t);
    assert_int_equal(table_read("a.csv", "id,x\n", 5, "S", &t, &d), -1);
    assert_string_equal(d.v[0].msg, "--sheet S: this is not an .xlsx workbook (a CSV file has one table)");
    assert_int_equal(table_read("a.xls", "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1....", 12, NULL, &t, &d), -1);
    assert_non_null(strstr(d.v[1].msg, "Excel 97-2003"));
    /* by extension: a .xlsx that is not a zip is refused as a workbook, not read as CSV */
    assert_int_equal(table_read("b.XLSX", "id,x\n", 5, NULL, &t, &d), -1);
    assert_non_null(strstr(d.v[2].msg, "not a readable .xlsx workbook"));
    assert_int_equal(xlsx_is_workbook("bank.csv", "PK\3\4", 4), 1);
    assert_int_equal(xlsx_is_workbook("bank.csv", "PK\3", 3), 0);
    diag_free(&d);
}

static void test_diag_where(void **state)
{
    (void)state;
    char w[DIAG_WHERE_MAX], c[4];
    assert_string_equal(diag_where(w, sizeof w, "bank.csv", NULL, 12, 2), "bank.csv:12");
    assert_string_equal(diag_where(w, sizeof w, "bank.csv", NULL, 0, -1), "bank.csv");
    assert_string_equal(diag_where(w, sizeof w, "bank.xlsx", "题库", 12, 2), "bank.xlsx:题库!C12");
    assert_string_equal(diag_where(w, sizeof w, "bank.xlsx", "题库", 12, -1), "bank.xlsx:题库!12:12");
    assert_string_equal(diag_where(w, sizeof w, "bank.xlsx", "题库", 0, 3), "bank.xlsx:题库");
    assert_string_equal(diag_where(w, sizeof w, "b.xlsx", "Bob's sheet", 3, 27), "b.xlsx:'Bob''s sheet'!AB3");
    assert_string_equal(diag_where(w, sizeof w, "b.xlsx", "2024", 3, 0), "b.xlsx:'2024'!A3");
    diag_col_name(25, c);
    assert_string_equal(c, "Z");
    diag_col_name(26, c);
    assert_string_equal(c, "AA");
    diag_col_name(16383, c);
    assert_string_equal(c, "XFD");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shared_strings_rich_runs),
        cmocka_unit_test(test_inline_strings_and_gaps),
        cmocka_unit_test(test_numbers_booleans_dates),
        cmocka_unit_test(test_number_text_and_serials),
        cmocka_unit_test(test_merged_cells_refused),
        cmocka_unit_test(test_numeric_identifiers_refused),
        cmocka_unit_test(test_cell_values_refused),
        cmocka_unit_test(test_sheet_choice),
        cmocka_unit_test(test_bombs),
        cmocka_unit_test(test_shared_string_amplification),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_table_read),
        cmocka_unit_test(test_diag_where),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
