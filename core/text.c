/* text: trimming, width folding, exact decimals. */
#include "text.h"

#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_space_at(const char *s, size_t *w)
{
    unsigned char c = (unsigned char)*s;
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f') { *w = 1; return 1; }
    if (c == 0xE3 && (unsigned char)s[1] == 0x80 && (unsigned char)s[2] == 0x80) { *w = 3; return 1; }
    return 0;
}

char *text_trim(const char *s)
{
    size_t w;
    while (*s && is_space_at(s, &w)) s += w;
    size_t len = strlen(s), end = 0;
    for (size_t i = 0; i < len;) {
        if (is_space_at(s + i, &w)) { i += w; continue; }
        i++;
        end = i;
    }
    /* end may sit inside a multi-byte char; extend to its end */
    while (end < len && ((unsigned char)s[end] & 0xC0) == 0x80) end++;
    return strndup(s, end);
}

char *text_fold(const char *s, int lower)
{
    size_t len = strlen(s);
    char *out = malloc(len + 1), *o = out;
    if (!out) return NULL;
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];
        if (c == 0xEF && i + 2 < len) {
            unsigned cp = ((c & 0x0Fu) << 12) | (((unsigned char)s[i + 1] & 0x3Fu) << 6) |
                          ((unsigned char)s[i + 2] & 0x3Fu);
            if (cp >= 0xFF01 && cp <= 0xFF5E) {
                char a = (char)(cp - 0xFF01 + 0x21);
                *o++ = (lower && a >= 'A' && a <= 'Z') ? (char)(a - 'A' + 'a') : a;
                i += 3;
                continue;
            }
        }
        if (c == 0xE3 && i + 2 < len && (unsigned char)s[i + 1] == 0x80 && (unsigned char)s[i + 2] == 0x80) {
            *o++ = ' ';
            i += 3;
            continue;
        }
        *o++ = (lower && c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : (char)c;
        i++;
    }
    *o = 0;
    return out;
}

int text_decimal(const char *in, int64_t *out)
{
    char *f = text_fold(in, 0);
    if (!f) return -1;
    char *t = text_trim(f);
    free(f);
    if (!t) return -1;
    const char *p = t;
    int neg = 0;
    if (*p == '+' || *p == '-') neg = *p++ == '-';
    int64_t ip = 0, frac = 0;
    int idig = 0, fdig = 0;
    while (*p >= '0' && *p <= '9') {
        if (++idig > TEXT_DECIMAL_MAXDIGITS) goto bad;
        ip = ip * 10 + (*p++ - '0');
    }
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9') {
            if (++fdig > 6) goto bad;
            frac = frac * 10 + (*p++ - '0');
        }
    }
    if (*p || (idig == 0 && fdig == 0)) goto bad;
    for (int k = fdig; k < 6; k++) frac *= 10;
    int64_t v = ip * TEXT_DECIMAL_SCALE + frac;
    *out = neg ? -v : v;
    free(t);
    return 0;
bad:
    free(t);
    return -1;
}

int text_points(const char *s, int *tenths)
{
    int64_t v;
    if (text_decimal(s, &v) != 0) return -1;
    if (v % (TEXT_DECIMAL_SCALE / 10) != 0) return -1;
    v /= TEXT_DECIMAL_SCALE / 10;
    if (v <= 0 || v > 1000) return -1;
    *tenths = (int)v;
    return 0;
}

const char *text_format_tenths(int tenths, char *buf, size_t size)
{
    if (tenths % 10 == 0)
        snprintf(buf, size, "%d", tenths / 10);
    else
        snprintf(buf, size, "%s%d.%d", tenths < 0 ? "-" : "", abs(tenths) / 10, abs(tenths) % 10);
    return buf;
}

char *text_from_gb18030(const char *buf, size_t len, size_t *outlen, size_t *badpos)
{
    if (badpos) *badpos = 0;
    iconv_t cd = iconv_open("UTF-8", "GB18030");
    if (cd == (iconv_t)-1) return NULL;
    size_t cap = len * 2 + 16; /* GB18030 → UTF-8 grows at most 1.5x (2→3 bytes) */
    char *out = malloc(cap);
    if (!out) { iconv_close(cd); return NULL; }
    char *in = (char *)buf, *op = out;
    size_t inleft = len, outleft = cap - 1;
    size_t r = iconv(cd, &in, &inleft, &op, &outleft);
    iconv_close(cd);
    if (r == (size_t)-1 || inleft != 0) {
        if (badpos) *badpos = (size_t)(in - buf);
        free(out);
        return NULL;
    }
    *outlen = (size_t)(op - out);
    out[*outlen] = 0;
    return out;
}
