/* textout: escaping text for the hub's HTML pages and CSV exports. */
#ifndef TEXTOUT_H
#define TEXTOUT_H

#include <stdio.h>

/* Writes S with <, >, & and " escaped for HTML. */
void out_html(FILE *f, const char *s);
/* Writes S as one CSV cell (RFC 4180): quoted, with doubled quotes, when it
 * holds a comma, a quote or a line break. */
void out_csv(FILE *f, const char *s);

#endif
