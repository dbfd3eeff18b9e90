/* dynbuf: growable byte buffer with a size limit. */
#include "core/dynbuf.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h" /* last: counting allocator in test builds (its users' allocation-failure tests reach in here) */

void dynbuf_init(dynbuf *b, size_t max) { *b = (dynbuf){NULL, 0, 0, max}; }

/* A dynbuf may hold a secret (a result's JSON, a request body): whatever it
 * frees, on growing or at the end, is wiped first. */
void dynbuf_free(dynbuf *b)
{
    if (b->p) sodium_memzero(b->p, b->alloc);
    free(b->p);
    b->p = NULL;
    b->len = b->alloc = 0;
}

void dynbuf_reset(dynbuf *b)
{
    if (b->p) sodium_memzero(b->p, b->len);
    b->len = 0;
}

dynbuf_rc dynbuf_add(dynbuf *b, const void *mem, size_t n)
{
    if (n > b->max || b->len > b->max - n) {
        dynbuf_free(b);
        return DYNBUF_TOO_BIG;
    }
    size_t need = b->len + n + 1;
    if (need > b->alloc) {
        size_t a = b->alloc ? b->alloc : 32;
        while (a < need) a = a > (size_t)-1 / 2 ? need : a * 2;
        if (b->max < (size_t)-1 && a > b->max + 1) a = b->max + 1;
        char *p = malloc(a); /* not realloc: the old block is wiped before it is freed */
        if (!p) {
            dynbuf_free(b);
            return DYNBUF_NOMEM;
        }
        if (b->p) {
            memcpy(p, b->p, b->len + 1);
            sodium_memzero(b->p, b->alloc);
            free(b->p);
        }
        b->p = p;
        b->alloc = a;
    }
    if (n) memcpy(b->p + b->len, mem, n);
    b->len += n;
    b->p[b->len] = 0;
    return DYNBUF_OK;
}

dynbuf_rc dynbuf_addstr(dynbuf *b, const char *s) { return dynbuf_add(b, s, strlen(s)); }

dynbuf_rc dynbuf_vprintf(dynbuf *b, const char *fmt, va_list ap)
{
    char small[256];
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    dynbuf_rc rc;
    if (n < 0) {
        dynbuf_free(b);
        rc = DYNBUF_NOMEM;
    } else if ((size_t)n < sizeof small) {
        rc = dynbuf_add(b, small, (size_t)n);
    } else if ((size_t)n > b->max || b->len > b->max - (size_t)n) {
        dynbuf_free(b);
        rc = DYNBUF_TOO_BIG;
    } else {
        char *big = malloc((size_t)n + 1);
        if (!big) {
            dynbuf_free(b);
            rc = DYNBUF_NOMEM;
        } else {
            vsnprintf(big, (size_t)n + 1, fmt, again);
            rc = dynbuf_add(b, big, (size_t)n);
            sodium_memzero(big, (size_t)n + 1);
            free(big);
        }
    }
    va_end(again);
    sodium_memzero(small, sizeof small);
    return rc;
}

dynbuf_rc dynbuf_printf(dynbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    dynbuf_rc rc = dynbuf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

const char *dynbuf_ptr(const dynbuf *b) { return b->p ? b->p : ""; }

size_t dynbuf_len(const dynbuf *b) { return b->len; }

char *dynbuf_take(dynbuf *b, size_t *len)
{
    char *p = b->p;
    if (len) *len = b->len;
    b->p = NULL;
    b->len = b->alloc = 0;
    return p;
}

const char *dynbuf_strerror(dynbuf_rc rc)
{
    switch (rc) {
    case DYNBUF_OK: return "ok";
    case DYNBUF_TOO_BIG: return "text too long";
    case DYNBUF_NOMEM: return "out of memory";
    }
    return "unknown dynbuf error";
}
