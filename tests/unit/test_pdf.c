/* Unit tests for tools/hub/pdf.c and qr.c: pages drawn into a dynbuf, the
 * limits of a field (the longest a field may be still fits its box), and
 * every refusal leaving the buffer empty. The rendering itself is checked
 * by tests/e2e/test_pdf.sh (pdfinfo, pdffonts, pdftotext, zbarimg). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tools/hub/pdf.h"

static const pdf_ticket_fields TICKET = {"2026-03", "陈志明", "2026034401001", "440106********0013", "四级/中级工",
                                         "2026-03-28 09:00", "2026-03-28 14:00", "广州天河考点", "01", 1,
                                         "广东省电子商务协会", "EXT1:2026034401001:ABC"};
static const pdf_cert_fields CERT = {"S000044440106264000001", "陈志明", "440106********0013", "电子商务师", "四级/中级工",
                                     "2026-04-02", "广东省电子商务协会", "EXC1:S000044440106264000001:ABC"};

static void expect_pdf(const dynbuf *b)
{
    assert_true(dynbuf_len(b) > 1000);
    assert_memory_equal(dynbuf_ptr(b), "%PDF-", 5);
    assert_non_null(strstr(dynbuf_ptr(b) + dynbuf_len(b) - 8, "%%EOF"));
}

static void test_one_page_each(void **state)
{
    (void)state;
    dynbuf b;
    dynbuf_init(&b, 64u << 20);
    char *why = NULL;
    assert_int_equal(pdf_ticket(&TICKET, &b, &why), 0);
    expect_pdf(&b);
    dynbuf_free(&b);
    assert_int_equal(pdf_certificate(&CERT, &b, &why), 0);
    expect_pdf(&b);
    dynbuf_free(&b);
    /* several pages in one document */
    pdf_doc *d = pdf_open(&b, "准考证", &why);
    assert_non_null(d);
    for (int i = 0; i < 3; i++) assert_int_equal(pdf_add_ticket(d, &TICKET, &why), 0);
    assert_int_equal(pdf_close(d, &why), 0);
    expect_pdf(&b);
    dynbuf_free(&b);
}

/* the longest fields the hub stores (name 64 bytes, site 127, room 32) and
 * NULL ones: drawn without failing (wrapped, shrunk, cut with an ellipsis) */
static void test_long_and_missing_fields(void **state)
{
    (void)state;
    char name[65], site[128], room[33];
    memset(name, 'W', 64), name[64] = 0;
    memset(site, 'M', 127), site[127] = 0;
    memset(room, '8', 32), room[32] = 0;
    pdf_ticket_fields t = TICKET;
    t.name = name, t.site = site, t.room = room, t.seat = 999;
    dynbuf b;
    dynbuf_init(&b, 64u << 20);
    char *why = NULL;
    assert_int_equal(pdf_ticket(&t, &b, &why), 0);
    dynbuf_free(&b);
    pdf_cert_fields c = CERT;
    c.name = name, c.centre = site;
    assert_int_equal(pdf_certificate(&c, &b, &why), 0);
    dynbuf_free(&b);
    pdf_ticket_fields none = {0};
    none.code = "EXT1:1:A";
    assert_int_equal(pdf_ticket(&none, &b, &why), 0);
    dynbuf_free(&b);
}

/* WHY by address: the arguments are evaluated in no fixed order */
static void expect_refused(int rc, dynbuf *b, char **why, const char *part)
{
    assert_int_equal(rc, -1);
    assert_non_null(*why);
    if (!strstr(*why, part)) fail_msg("reason '%s' lacks '%s'", *why, part);
    assert_int_equal(dynbuf_len(b), 0); /* never half a PDF */
    free(*why);
    *why = NULL;
}

static void test_refusals_leave_nothing(void **state)
{
    (void)state;
    dynbuf b;
    dynbuf_init(&b, 64u << 20);
    char *why = NULL;
    pdf_ticket_fields t = TICKET;
    t.name = "\xe9\x99\x88\xff"; /* not UTF-8 */
    expect_refused(pdf_ticket(&t, &b, &why), &b, &why, "the name is not UTF-8");
    t = TICKET;
    t.site = "广州\xee\x80\x80考点"; /* U+E000, a private-use character no font has */
    expect_refused(pdf_ticket(&t, &b, &why), &b, &why, "the site has 1 character that no installed font has");
    pdf_cert_fields c = CERT;
    c.code = NULL;
    expect_refused(pdf_certificate(&c, &b, &why), &b, &why, "no signed code");
    static char big[2000];
    memset(big, 'A', sizeof big - 1);
    c.code = big;
    expect_refused(pdf_certificate(&c, &b, &why), &b, &why, "QR text longer than");
    dynbuf small;
    dynbuf_init(&small, 4096); /* a page does not fit in 4 KiB */
    expect_refused(pdf_ticket(&TICKET, &small, &why), &small, &why, "the PDF does not fit");
    /* after a failed page, the document only closes, with the first reason */
    t = TICKET;
    t.name = "\xff";
    pdf_doc *d = pdf_open(&b, "x", &why);
    assert_non_null(d);
    assert_int_equal(pdf_add_ticket(d, &t, &why), -1);
    free(why);
    why = NULL;
    assert_int_equal(pdf_add_ticket(d, &TICKET, &why), -1);
    free(why);
    why = NULL;
    expect_refused(pdf_close(d, &why), &b, &why, "the name is not UTF-8");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_page_each),
        cmocka_unit_test(test_long_and_missing_fields),
        cmocka_unit_test(test_refusals_leave_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
