/* zipbuild: makes zip files in memory for the .xlsx reader's unit tests and
 * fuzzer: parts stored or deflated (zlib), with the true sizes and CRCs, or
 * with a lie about the inflated size (a zip bomb that hides). Also the parts
 * of a minimal workbook around a given sheet, so a test states only what it
 * is about. Header-only: static functions, for tests/unit and tests/fuzz. */
#ifndef ZIPBUILD_H
#define ZIPBUILD_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* not every user calls every function */
#define ZB_FN static __attribute__((unused))

typedef struct zb_part {
    const char *name;
    const void *data;
    size_t len;
    int deflate;     /* 1: deflated, 0: stored */
    uint32_t claim;  /* 0: the true inflated size in the headers; else this size instead */
} zb_part;

typedef struct zb_buf { unsigned char *p; size_t len, cap; } zb_buf;

ZB_FN void zb_put(zb_buf *b, const void *m, size_t n)
{
    if (b->len + n > b->cap) {
        b->cap = (b->len + n) * 2 + 1024;
        b->p = realloc(b->p, b->cap);
        if (!b->p) abort();
    }
    memcpy(b->p + b->len, m, n);
    b->len += n;
}
ZB_FN void zb_u16(zb_buf *b, unsigned v) { unsigned char c[2] = {(unsigned char)v, (unsigned char)(v >> 8)}; zb_put(b, c, 2); }
ZB_FN void zb_u32(zb_buf *b, uint32_t v)
{
    unsigned char c[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16), (unsigned char)(v >> 24)};
    zb_put(b, c, 4);
}

/* raw deflate of DATA (malloc'd, *outlen) */
ZB_FN unsigned char *zb_deflate(const void *data, size_t len, size_t *outlen)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, 1, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY) != Z_OK) abort();
    size_t cap = deflateBound(&z, (uLong)len) + 64;
    unsigned char *out = malloc(cap);
    if (!out) abort();
    z.next_in = (Bytef *)(uintptr_t)data;
    z.avail_in = (uInt)len;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    if (deflate(&z, Z_FINISH) != Z_STREAM_END) abort();
    *outlen = z.total_out;
    deflateEnd(&z);
    return out;
}

/* the zip of N parts (malloc'd, *outlen) */
ZB_FN unsigned char *zb_zip(const zb_part *parts, size_t n, size_t *outlen)
{
    zb_buf b = {0}, cd = {0};
    for (size_t i = 0; i < n; i++) {
        const zb_part *p = &parts[i];
        size_t clen = p->len;
        unsigned char *comp = NULL;
        if (p->deflate) comp = zb_deflate(p->data, p->len, &clen);
        uint32_t crc = (uint32_t)crc32(0, (const Bytef *)p->data, (uInt)p->len);
        uint32_t usize = p->claim ? p->claim : (uint32_t)p->len;
        size_t nl = strlen(p->name);
        uint32_t off = (uint32_t)b.len;
        zb_u32(&b, 0x04034b50); zb_u16(&b, 20); zb_u16(&b, 0); zb_u16(&b, p->deflate ? 8 : 0);
        zb_u16(&b, 0); zb_u16(&b, 0x21); zb_u32(&b, crc); zb_u32(&b, (uint32_t)clen); zb_u32(&b, usize);
        zb_u16(&b, (unsigned)nl); zb_u16(&b, 0);
        zb_put(&b, p->name, nl);
        zb_put(&b, comp ? comp : p->data, clen);
        zb_u32(&cd, 0x02014b50); zb_u16(&cd, 20); zb_u16(&cd, 20); zb_u16(&cd, 0); zb_u16(&cd, p->deflate ? 8 : 0);
        zb_u16(&cd, 0); zb_u16(&cd, 0x21); zb_u32(&cd, crc); zb_u32(&cd, (uint32_t)clen); zb_u32(&cd, usize);
        zb_u16(&cd, (unsigned)nl); zb_u16(&cd, 0); zb_u16(&cd, 0); zb_u16(&cd, 0); zb_u16(&cd, 0);
        zb_u32(&cd, 0); zb_u32(&cd, off);
        zb_put(&cd, p->name, nl);
        free(comp);
    }
    uint32_t cdoff = (uint32_t)b.len;
    zb_put(&b, cd.p, cd.len);
    zb_u32(&b, 0x06054b50); zb_u16(&b, 0); zb_u16(&b, 0); zb_u16(&b, (unsigned)n); zb_u16(&b, (unsigned)n);
    zb_u32(&b, (uint32_t)cd.len); zb_u32(&b, cdoff); zb_u16(&b, 0);
    free(cd.p);
    *outlen = b.len;
    return b.p;
}

#define ZB_RELS \
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">" \
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" " \
    "Target=\"xl/workbook.xml\"/></Relationships>"
#define ZB_WORKBOOK(sheets) \
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" " \
    "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets>" sheets "</sheets></workbook>"
#define ZB_WB_RELS \
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">" \
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/>" \
    "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet2.xml\"/>" \
    "<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" Target=\"sharedStrings.xml\"/>" \
    "<Relationship Id=\"rId4\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>" \
    "</Relationships>"
#define ZB_SHEET(data) ZB_SHEET_AND(data, "")
/* the same with elements after sheetData (mergeCells) */
#define ZB_SHEET_AND(data, after) \
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">" \
    "<sheetData>" data "</sheetData>" after "</worksheet>"
#define ZB_SST(items) \
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">" items "</sst>"

/* A workbook of one sheet named 题库 (SHEET: the sheet's XML), with shared strings SST and styles STYLES
 * (NULL: none); malloc'd, *outlen. DEFLATE: every part deflated. */
ZB_FN unsigned char *zb_workbook(const char *sheet, const char *sst, const char *styles, int deflate, size_t *outlen)
{
    static const char wb[] = ZB_WORKBOOK("<sheet name=\"题库\" sheetId=\"1\" r:id=\"rId1\"/>");
    zb_part p[6] = {
        {"_rels/.rels", ZB_RELS, sizeof ZB_RELS - 1, deflate, 0},
        {"xl/workbook.xml", wb, sizeof wb - 1, deflate, 0},
        {"xl/_rels/workbook.xml.rels", ZB_WB_RELS, sizeof ZB_WB_RELS - 1, deflate, 0},
        {"xl/worksheets/sheet1.xml", sheet, strlen(sheet), deflate, 0},
    };
    size_t n = 4;
    if (sst) p[n++] = (zb_part){"xl/sharedStrings.xml", sst, strlen(sst), deflate, 0};
    if (styles) p[n++] = (zb_part){"xl/styles.xml", styles, strlen(styles), deflate, 0};
    return zb_zip(p, n, outlen);
}

#endif
