/* pdf: the hub's printed documents (admission tickets, certificates) as PDF,
 * drawn in the process with cairo and pango: A4 portrait, one page per
 * document, the fonts (Noto Sans/Serif CJK SC, found through fontconfig:
 * Debian's fonts-noto-cjk) embedded as subsets, the signed code
 * (core/docsig.h) as a vector QR code (tools/hub/qr.h).
 *
 * Every field is drawn as plain text (pango_layout_set_text: never markup,
 * so no field can change the page), wrapped within its box and shrunk down
 * to a floor when it is long, ellipsized past that, so nothing overflows
 * its box. A field with a character no installed font has is refused
 * rather than printed as an empty box.
 *
 * The caller owns the output: a dynbuf (core/dynbuf.h) that the PDF is
 * appended to, so that a command writes it to a file and a staff page
 * streams it as an HTTP body. Each call uses its own cairo surface and
 * pango context; pango's font map is per thread, so threads may print at
 * once. The strings of the field structs are UTF-8 and may be NULL ("").
 *
 * One page:       pdf_ticket(&t, &buf, &why), pdf_certificate(&c, &buf, &why)
 * Several pages:  d = pdf_open(&buf, title, &why); pdf_add_ticket(d, &t, &why) ...;
 *                 pdf_close(d, &why)   (one PDF, one A4 page per document) */
#ifndef PDF_H
#define PDF_H

#include "core/dynbuf.h"

/* A4 in PDF points (1/72 inch) */
#define PDF_A4_W 595.276
#define PDF_A4_H 841.89

/* An admission ticket (准考证): what tools/hub/html.c's ticket shows. */
typedef struct pdf_ticket_fields {
    const char *batch;                          /* "2026-03" */
    const char *name, *ticket, *masked_id;      /* the ID number as printed: 6 digits, 8 stars, 4 digits */
    const char *level;                          /* e.g. "四级/中级工" (text_level_name) */
    const char *theory_starts, *practical_starts; /* "YYYY-MM-DD HH:MM"; NULL or "": 另行通知 */
    const char *site, *room;                    /* a ROOM without 考场 is printed as 第ROOM考场 */
    int seat;
    const char *centre;                         /* the footer: the certification body */
    const char *code;                           /* the QR code's text (docsig EXT1:...) */
} pdf_ticket_fields;

/* A certificate (职业技能等级证书). */
typedef struct pdf_cert_fields {
    const char *number;     /* the 22-character national number */
    const char *name, *masked_id;
    const char *occupation; /* 电子商务师 */
    const char *level;      /* e.g. "四级/中级工" */
    const char *issued;     /* YYYY-MM-DD */
    const char *centre;     /* 评价机构 */
    const char *code;       /* the QR code's text (docsig EXC1:...) */
} pdf_cert_fields;

typedef struct pdf_doc pdf_doc;

/* Starts a PDF appended to OUT, with TITLE in its metadata. NULL with a
 * one-line reason in *WHY (malloc'd) when cairo cannot start one. */
pdf_doc *pdf_open(dynbuf *out, const char *title, char **why);
/* Draws one A4 page. Returns 0, or -1 with *WHY (malloc'd): a field that no
 * installed font can show, a QR code that cannot be encoded, cairo's
 * failure. After a failure the document can only be closed (it fails). */
int pdf_add_ticket(pdf_doc *d, const pdf_ticket_fields *t, char **why) __attribute__((warn_unused_result));
int pdf_add_certificate(pdf_doc *d, const pdf_cert_fields *c, char **why) __attribute__((warn_unused_result));
/* Finishes the PDF and frees D (NULL: nothing). Returns 0 with OUT holding
 * the whole PDF, or -1 with *WHY (malloc'd; the first failure, also one of
 * an earlier pdf_add_*, whose *WHY was then already set) and OUT emptied
 * (dynbuf_free): never a half-written PDF. Also when OUT's limit is passed. */
int pdf_close(pdf_doc *d, char **why) __attribute__((warn_unused_result));

/* One-page documents: pdf_open, pdf_add_*, pdf_close. */
int pdf_ticket(const pdf_ticket_fields *t, dynbuf *out, char **why) __attribute__((warn_unused_result));
int pdf_certificate(const pdf_cert_fields *c, dynbuf *out, char **why) __attribute__((warn_unused_result));

#endif
