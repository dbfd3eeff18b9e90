/* text: trimming (Unicode white space, ZWSP and BOM; a table of our own, so
 * core needs no ICU), width folding, exact decimals. */
#include "core/text.h"

#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- trimming -------------------------------------------------------------- */

/* Code points text_space_len accepts, as inclusive ranges: Unicode's
 * White_Space property (PropList.txt) plus U+200B and U+FEFF, which
 * word processors and web pages leave around pasted text. */
static const struct { unsigned lo, hi; } trim_ranges[] = {
    {0x0009, 0x000D}, /* tab, line feed, vertical tab, form feed, carriage return */
    {0x0020, 0x0020}, /* space */
    {0x0085, 0x0085}, /* next line */
    {0x00A0, 0x00A0}, /* no-break space */
    {0x1680, 0x1680}, /* ogham space mark */
    {0x2000, 0x200B}, /* en quad .. hair space (White_Space), zero width space */
    {0x2028, 0x2029}, /* line separator, paragraph separator */
    {0x202F, 0x202F}, /* narrow no-break space */
    {0x205F, 0x205F}, /* medium mathematical space */
    {0x3000, 0x3000}, /* ideographic space */
    {0xFEFF, 0xFEFF}, /* byte order mark */
};

size_t text_space_len(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    unsigned cp;
    size_t n;
    /* every trimmable character is below U+10000: one to three bytes; a
     * continuation byte is never NUL, so this stops at the end */
    if (u[0] < 0x80) {
        cp = u[0];
        n = 1;
    } else if (u[0] >= 0xC2 && u[0] <= 0xDF && (u[1] & 0xC0) == 0x80) {
        cp = ((u[0] & 0x1Fu) << 6) | (u[1] & 0x3Fu);
        n = 2;
    } else if (u[0] >= 0xE0 && u[0] <= 0xEF && (u[1] & 0xC0) == 0x80 && (u[2] & 0xC0) == 0x80) {
        cp = ((u[0] & 0x0Fu) << 12) | ((u[1] & 0x3Fu) << 6) | (u[2] & 0x3Fu);
        if (cp < 0x800) return 0; /* overlong */
        n = 3;
    } else {
        return 0;
    }
    for (size_t i = 0; i < sizeof trim_ranges / sizeof trim_ranges[0]; i++)
        if (cp >= trim_ranges[i].lo && cp <= trim_ranges[i].hi) return n;
    return 0;
}

/* Bytes of the character at S that is not trimmable: a whole well-formed
 * UTF-8 sequence, or one byte of a malformed one. */
static size_t char_len(const unsigned char *u)
{
    size_t n = u[0] < 0xC2 ? 1 : u[0] < 0xE0 ? 2 : u[0] < 0xF0 ? 3 : u[0] < 0xF5 ? 4 : 1;
    for (size_t i = 1; i < n; i++)
        if ((u[i] & 0xC0) != 0x80) return 1;
    return n;
}

char *text_trim(const char *s)
{
    size_t w;
    while ((w = text_space_len(s)) > 0) s += w;
    size_t end = 0;
    for (size_t i = 0; s[i];) {
        if ((w = text_space_len(s + i)) > 0) {
            i += w;
        } else {
            i += char_len((const unsigned char *)s + i);
            end = i;
        }
    }
    return strndup(s, end);
}

/* ---- folding and numbers ----------------------------------------------------- */

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

const char *text_format_remaining(int64_t ms, char *buf, size_t size)
{
    int64_t s = ms > 0 ? (ms + 999) / 1000 : 0;
    snprintf(buf, size, "%02d:%02d:%02d", (int)(s / 3600), (int)(s / 60 % 60), (int)(s % 60));
    return buf;
}

const char *text_level_name(int level)
{
    static const char *N[] = {"", "一级/高级技师", "二级/技师", "三级/高级工", "四级/中级工", "五级/初级工"};
    return level >= 1 && level <= 5 ? N[level] : "";
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

/* One well-formed UTF-8 character at S (RFC 3629: no overlongs, surrogates
 * or code points above U+10FFFF): its length, with the code point in *CP;
 * 0 when S does not start with one. */
static size_t utf8_char(const unsigned char *s, uint32_t *cp)
{
    if (s[0] < 0x80) { *cp = s[0]; return 1; }
    size_t n = s[0] >= 0xC2 && s[0] <= 0xDF ? 2 : s[0] >= 0xE0 && s[0] <= 0xEF ? 3 : s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : 0;
    if (!n) return 0;
    uint32_t c = s[0] & (0x7F >> n);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        c = c << 6 | (s[i] & 0x3F);
    }
    static const uint32_t MIN[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (c < MIN[n] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
    *cp = c;
    return n;
}

int text_field_check(const char *s, size_t max, const char **why)
{
    size_t len = strlen(s);
    if (!len) return *why = "is empty", -1;
    if (len > max) return *why = "is too long", -1;
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        uint32_t c;
        size_t n = utf8_char(p, &c);
        if (!n) return *why = "is not valid UTF-8", -1;
        if (c < 0x20 || (c >= 0x7F && c <= 0x9F)) return *why = "holds a control character (a tab, a line break or another)", -1;
        if (c == 0x2028 || c == 0x2029 || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) || c == 0x200E ||
            c == 0x200F || c == 0x061C)
            return *why = "holds a line separator or a bidirectional control character", -1;
        p += n;
    }
    return 0;
}
