/* qr: a QR code as cairo rectangles (see qr.h). */
#include "tools/hub/qr.h"

#include <errno.h>
#include <qrencode.h>
#include <string.h>

#include "core/fileio.h"

#define QUIET 4 /* modules of white around the symbol, as ISO/IEC 18004 asks */

int qr_draw(cairo_t *cr, const char *text, double x, double y, double side, char **why)
{
    size_t n = strnlen(text, QR_MAX_TEXT + 1);
    if (n > QR_MAX_TEXT) return *why = fileio_fmt("QR text longer than %d bytes", QR_MAX_TEXT), -1;
    /* version 0: the smallest that holds TEXT; an upper-case text goes in
     * alphanumeric mode (case-sensitive, so a lower-case one is not folded) */
    errno = 0;
    QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!q) return *why = fileio_fmt("cannot encode the QR code: %s", errno ? strerror(errno) : "error"), -1;
    int w = q->width;
    double m = side / (w + 2 * QUIET);
    cairo_save(cr);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_rectangle(cr, x, y, side, side);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    /* one rectangle per horizontal run of dark modules: fewer, joined paths,
     * so no hairline gaps between neighbouring modules at any zoom */
    for (int r = 0; r < w; r++)
        for (int c = 0; c < w;) {
            if (!(q->data[r * w + c] & 1)) { c++; continue; }
            int c0 = c;
            while (c < w && (q->data[r * w + c] & 1)) c++;
            cairo_rectangle(cr, x + (QUIET + c0) * m, y + (QUIET + r) * m, (c - c0) * m, m);
        }
    cairo_fill(cr);
    cairo_restore(cr);
    QRcode_free(q);
    return 0;
}
