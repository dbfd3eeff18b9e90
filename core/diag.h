/* diag: a list of "line: reason" diagnostics collected while checking a
 * packager input file (bank, blueprint, roster). The caller prints them as
 * FILE:LINE: reason, one line per mistake. */
#ifndef DIAG_H
#define DIAG_H

#include <stddef.h>

/* At most this many diagnostics are kept; later ones only bump `dropped`. */
#define DIAG_MAX 200

typedef struct diag_entry {
    long line; /* 1-based line in the input; 0 when the mistake has no line */
    char *msg; /* owned */
} diag_entry;

typedef struct diag {
    diag_entry *v;
    size_t n, cap;
    size_t dropped;
} diag;

void diag_init(diag *d);
/* Appends one diagnostic. Allocation failure is reported as a fixed text. */
void diag_add(diag *d, long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Number of diagnostics added, including dropped ones. */
size_t diag_count(const diag *d);
void diag_free(diag *d);

#endif
