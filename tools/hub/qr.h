/* qr: a QR code (libqrencode) drawn into a cairo context as filled
 * rectangles, so that a PDF holds it as vectors (sharp at any printer's
 * resolution) and no bitmap. Used by tools/hub/pdf.c for the signed codes
 * of tickets and certificates (core/docsig.h). */
#ifndef QR_H
#define QR_H

#include <cairo.h>

/* Draws TEXT (at most QR_MAX_TEXT bytes, NUL-terminated) as a QR code of
 * error correction level M whose outer edge, the 4-module quiet zone
 * included, is a SIDE x SIDE square at (X, Y) in CR's user units, on a white
 * ground. Returns 0, or -1 with a one-line reason in *WHY (malloc'd) when
 * TEXT is too long or cannot be encoded. */
#define QR_MAX_TEXT 1024
int qr_draw(cairo_t *cr, const char *text, double x, double y, double side, char **why) __attribute__((warn_unused_result));

#endif
