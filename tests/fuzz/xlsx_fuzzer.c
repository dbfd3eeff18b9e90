/* libFuzzer target: the .xlsx reader (core/xlsx.c) and, on what it reads,
 * the bank and roster checks. An input that starts with a zip's magic is the
 * workbook itself (the seeds made by exampack template, csv2xlsx and by
 * hand); any other input is the XML of the parts, separated by NUL bytes
 * (sheet, shared strings, styles, workbook), zipped here with their true
 * CRCs, so that mutations reach the XML instead of dying at the zip's CRC. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/bank.h"
#include "core/diag.h"
#include "core/roster.h"
#include "core/xlsx.h"
#include "tests/tools/zipbuild.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void read_one(const void *buf, size_t len, const char *sheet)
{
    csv_table t;
    diag d;
    diag_init(&d);
    if (xlsx_parse(buf, len, sheet, &t, &d) == CSV_OK) {
        bank b;
        if (bank_from_csv(&t, &b, &d) == 0) bank_free(&b);
        roster r;
        if (roster_from_table(&t, &r, &d) == 0) roster_free(&r);
        csv_free(&t);
    }
    char w[DIAG_WHERE_MAX];
    for (size_t i = 0; i < d.n; i++) diag_where(w, sizeof w, "f.xlsx", d.sheet, d.v[i].line, d.v[i].col);
    diag_free(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size >= 4 && !memcmp(data, "PK\3\4", 4)) {
        read_one(data, size, NULL);
        return 0;
    }
    /* sheet \0 shared strings \0 styles \0 workbook */
    const char *sec[4] = {0};
    size_t len[4] = {0}, n = 0, start = 0;
    for (size_t i = 0; i <= size && n < 4; i++)
        if (i == size || data[i] == 0) {
            sec[n] = (const char *)data + start;
            len[n++] = i - start;
            start = i + 1;
        }
    static const char wb[] = ZB_WORKBOOK("<sheet name=\"题库\" sheetId=\"1\" r:id=\"rId1\"/>");
    zb_part p[6] = {
        {"_rels/.rels", ZB_RELS, sizeof ZB_RELS - 1, 0, 0},
        {"xl/workbook.xml", n > 3 ? sec[3] : wb, n > 3 ? len[3] : sizeof wb - 1, 0, 0},
        {"xl/_rels/workbook.xml.rels", ZB_WB_RELS, sizeof ZB_WB_RELS - 1, 0, 0},
        {"xl/worksheets/sheet1.xml", sec[0], len[0], size & 1, 0},
    };
    size_t np = 4;
    if (n > 1) p[np++] = (zb_part){"xl/sharedStrings.xml", sec[1], len[1], 0, 0};
    if (n > 2) p[np++] = (zb_part){"xl/styles.xml", sec[2], len[2], 0, 0};
    size_t zl;
    unsigned char *z = zb_zip(p, np, &zl);
    read_one(z, zl, NULL);
    free(z);
    return 0;
}
