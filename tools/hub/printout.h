/* printout: the hub's printed documents from its workflow rows: a planned
 * candidate's admission ticket (wf_cand, as wf_each_candidate gives it) and
 * a certificate (wf_final with a certificate number, as wf_each_final
 * gives it), each as an A4 PDF page (tools/hub/pdf.h) carrying the signed
 * code (core/docsig.h) as a QR code, signed with the hub's receipt key
 * (hub.sign_sk of hub_open, or hub_load_sign_key).
 *
 * For a staff page that streams a PDF:
 *     dynbuf b; dynbuf_init(&b, PRINT_MAX_BYTES);
 *     if (print_ticket_pdf(&cand, PRINT_CENTRE, h->sign_sk, &b, &why)) → 500 with why (b is empty)
 *     else → 200, application/pdf, dynbuf_ptr(&b), dynbuf_len(&b); dynbuf_free(&b)
 * A batch in one PDF: print_batch_tickets(store, "2026-03", PRINT_CENTRE, sk, &b, &why),
 * or by hand: d = pdf_open(&b, title, &why), print_ticket_page(d, ...) per
 * candidate, pdf_close(d, &why). */
#ifndef PRINTOUT_H
#define PRINTOUT_H

#include <sodium.h>
#include <stdint.h>

#include "core/dynbuf.h"
#include "tools/hub/pdf.h"
#include "tools/hub/workflow.h"

/* the certification body named on tickets and certificates (as the HTML ticket's footer) */
#define PRINT_CENTRE "广东省电子商务协会"
#define PRINT_OCCUPATION "电子商务师"
/* a page is some 100-300 KiB (the font subsets); a limit for a dynbuf of many */
#define PRINT_MAX_BYTES (256u << 20)

/* Adds C's admission ticket as a page of D. 0, or -1 with *WHY (malloc'd):
 * a ticket number that cannot be signed, or pdf_add_ticket's reason. */
int print_ticket_page(pdf_doc *d, const wf_cand *c, const char *centre,
                      const uint8_t sign_sk[crypto_sign_SECRETKEYBYTES], char **why) __attribute__((warn_unused_result));
/* Adds F's certificate (F->certificate must be set) as a page of D; 0 or -1 with *WHY. */
int print_certificate_page(pdf_doc *d, const wf_final *f, const char *centre,
                           const uint8_t sign_sk[crypto_sign_SECRETKEYBYTES], char **why) __attribute__((warn_unused_result));

/* One-page PDFs appended to OUT (emptied on failure). 0, or -1 with *WHY. */
int print_ticket_pdf(const wf_cand *c, const char *centre, const uint8_t sign_sk[crypto_sign_SECRETKEYBYTES], dynbuf *out,
                     char **why) __attribute__((warn_unused_result));
int print_certificate_pdf(const wf_final *f, const char *centre, const uint8_t sign_sk[crypto_sign_SECRETKEYBYTES],
                          dynbuf *out, char **why) __attribute__((warn_unused_result));

/* Every planned candidate's ticket of BATCH (wf_each_candidate's order: by
 * room and seat), or every certificate issued in BATCH (wf_each_final's
 * order), as one PDF of one page each appended to OUT: the staff pages'
 * download of a batch. Returns the number of pages (0: none, OUT empty), or
 * -1 with *WHY (malloc'd; a storage failure or the first page that could not
 * be drawn) and OUT emptied. MARGIN: the double-marking margin (tenths) of
 * wf_each_final. */
int print_batch_tickets(hubstore *s, const char *batch, const char *centre,
                        const uint8_t sign_sk[crypto_sign_SECRETKEYBYTES], dynbuf *out, char **why)
    __attribute__((warn_unused_result));
int print_batch_certificates(hubstore *s, const char *batch, int margin, const char *centre,
                             const uint8_t sign_sk[crypto_sign_SECRETKEYBYTES], dynbuf *out, char **why)
    __attribute__((warn_unused_result));

#endif
