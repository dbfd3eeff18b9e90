/* libFuzzer target: the kiosk's line breaker (kiosk/textlayout.c, ICU zh)
 * on arbitrary bytes at a few widths, with a fixed fake measuring function;
 * every line must lie within the text, in order, and the count must not
 * depend on how many lines the caller asked for. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk/textlayout.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 10 px an ASCII byte, 20 px any other lead byte, 0 for continuation bytes. */
static int fake_measure(void *ctx, const char *s, int n)
{
    (void)ctx;
    if (n < 0) __builtin_trap();
    int w = 0;
    for (int i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) w += 10;
        else if (c >= 0xC0) w += 20;
    }
    return w;
}

#define MAXL 256

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536) return 0;
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = 0;
    int len = (int)strlen(text); /* the breaker reads up to the first NUL */
    static const int widths[] = {-1, 0, 15, 20, 45, 100, 333, 1000};
    static tl_line lines[MAXL];
    for (size_t k = 0; k < sizeof widths / sizeof widths[0]; k++) {
        int w = widths[k];
        int n = tl_break(text, w, fake_measure, NULL, lines, MAXL);
        if (n < 1) __builtin_trap();
        int pos = 0;
        for (int i = 0; i < n && i < MAXL; i++) {
            const tl_line *l = &lines[i];
            if (l->start < pos || l->len < 0 || l->start + l->len > len) __builtin_trap();
            if (l->width != (l->len > 0 ? fake_measure(NULL, text + l->start, l->len) : 0)) __builtin_trap();
            pos = l->start + l->len;
        }
        if (tl_break(text, w, fake_measure, NULL, NULL, 0) != n) __builtin_trap();
        if (tl_break(text, w, fake_measure, NULL, lines, 1) != n) __builtin_trap();
    }
    free(text);
    return 0;
}
