/* dynbuf: a growable byte buffer with a size limit, after curl's dynbuf.
 * The contents are always NUL-terminated; an append that would take the
 * length past the limit fails, frees the buffer and leaves it empty, so a
 * caller checks once and never hands on a truncated text. */
#ifndef DYNBUF_H
#define DYNBUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct dynbuf {
    char *p;      /* NULL until the first append */
    size_t len;   /* bytes in use, not counting the NUL */
    size_t alloc; /* bytes allocated */
    size_t max;   /* the largest LEN allowed */
} dynbuf;

typedef enum dynbuf_rc {
    DYNBUF_OK = 0,
    DYNBUF_TOO_BIG, /* the append would pass the limit */
    DYNBUF_NOMEM,
} dynbuf_rc;

/* An empty buffer that holds at most MAX bytes. Allocates nothing. */
void dynbuf_init(dynbuf *b, size_t max);
/* Frees the contents; the buffer is empty and reusable with the same limit. */
void dynbuf_free(dynbuf *b);
/* Empties the buffer, keeping its memory. */
void dynbuf_reset(dynbuf *b);

dynbuf_rc dynbuf_add(dynbuf *b, const void *mem, size_t n) __attribute__((warn_unused_result));
dynbuf_rc dynbuf_addstr(dynbuf *b, const char *s) __attribute__((warn_unused_result));
dynbuf_rc dynbuf_printf(dynbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3), warn_unused_result));
dynbuf_rc dynbuf_vprintf(dynbuf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0), warn_unused_result));

/* The contents ("" when empty, never NULL) and their length. */
const char *dynbuf_ptr(const dynbuf *b);
size_t dynbuf_len(const dynbuf *b);
/* Hands the contents (NULL when nothing was added) to the caller, who frees
 * them; the buffer is left empty. */
char *dynbuf_take(dynbuf *b, size_t *len);

const char *dynbuf_strerror(dynbuf_rc rc);

#endif
